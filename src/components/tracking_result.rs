//! A found tracking: summary, progress, delivery estimate and timeline.

use super::{
    estimated_delivery::EstimatedDelivery, status_progress::StatusProgress,
    status_summary::StatusSummary, timeline::Timeline,
};
use leptos::prelude::*;
use std::sync::Arc;
use trackfront_types::TrackingView;

/// Everything the shopper may see about one shipment.
#[component]
pub fn TrackingResult(
    /// The tracking to show.
    view: Arc<TrackingView>,
) -> impl IntoView {
    let tag = view.tag;
    view! {
        <StatusSummary view=view.clone()/>
        <StatusProgress tag/>
        <EstimatedDelivery tag edd=view.estimated_delivery.clone()/>
        <Timeline checkpoints=view.checkpoints.clone()/>
    }
}
