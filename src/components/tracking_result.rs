//! A found tracking: summary, progress, delivery estimate and timeline.

use super::{estimated_delivery, status_progress, status_summary, timeline};
use crate::html::Html;
use crate::i18n::Texts;
use trackfront_types::TrackingView;

/// Writes everything the shopper may see about one shipment, `fresh` of whose checkpoints
/// (newest first) just arrived by a live update; `history_open` expands "Show all".
pub fn write(h: &mut Html, texts: &Texts, view: &TrackingView, fresh: usize, history_open: bool) {
    status_summary::write(h, texts, view);
    status_progress::write(h, texts, view.tag);
    estimated_delivery::write(h, texts, view.tag, view.estimated_delivery.as_ref());
    timeline::write(h, texts, &view.checkpoints, fresh, history_open);
}
