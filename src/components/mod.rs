//! The widget's components, one per file.
//!
//! Size rule: every list of views is a `Vec<AnyView>` (each item ends in `.into_any()`).
//! Leptos compiles its list code (build, diff, mount, unmount) once per item type; with
//! one item type all lists share one copy. Measured on the track page: 73,230 -> 71,981 B
//! brotli for the timeline's days and entries, the progress steps and the courier options.
//! Erasing optional children, or whole components, the same way made it bigger (see
//! docs/widget-size.md).

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
