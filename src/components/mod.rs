//! The widget's components, one per file.

pub mod app;
pub mod estimated_delivery;
pub mod live_region;
pub mod lookup_form;
pub mod outcome;
pub mod skeleton;
pub mod state_message;
pub mod status_progress;
pub mod status_summary;
pub mod timeline;
pub mod tracking_result;
