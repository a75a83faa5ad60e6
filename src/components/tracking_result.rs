//! A found tracking: summary, progress, delivery estimate and timeline.
//!
//! Everything but the timeline's "Show all" toggle is read-only markup, written once per
//! result with [`crate::html::Html`] (see there for why not `view!`).

use super::{estimated_delivery, status_progress, status_summary, timeline::Timeline};
use crate::html::Html;
use crate::i18n::Texts;
use leptos::prelude::*;
use std::sync::Arc;
use trackfront_types::TrackingView;

/// Everything the shopper may see about one shipment.
#[component]
pub fn TrackingResult(
    /// The tracking to show.
    view: Arc<TrackingView>,
    /// How many of its checkpoints (newest first) just arrived by a live update.
    #[prop(optional)]
    fresh: usize,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    let mut h = Html::new();
    status_summary::write(&mut h, &texts, &view);
    status_progress::write(&mut h, &texts, view.tag);
    estimated_delivery::write(&mut h, &texts, view.tag, view.estimated_delivery.as_ref());
    view! {
        <div inner_html=h.finish()></div>
        <Timeline checkpoints=view.checkpoints.clone() fresh/>
    }
}
