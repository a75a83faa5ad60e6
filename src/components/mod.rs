//! The widget's components, one per file.
//!
//! Size rules (docs/widget-size.md has the measurements):
//! - Read-only markup is written with [`crate::html::Html`] and set as one element's
//!   `inner_html`: the result (summary, progress, estimate, timeline), the skeleton, the
//!   error cards and the form's fields are. What reacts stays a view: the form's inline
//!   error, "Show all", the live region; events on markup are handled on an element around
//!   it (`on:submit` on the form, `on:click` on the outcome area for the retry button).
//!   Leptos compiles build, diff, mount and unmount code for every distinct view type;
//!   writing the result as markup took the track page from 71,981 to 66,770 B brotli, the
//!   form and error cards to 64,542, the skeleton to 61,154. Markup containers are a bare
//!   `<div inner_html>` where possible, so they share one type.
//! - Few distinct signal, stored-value and effect types: each costs its own copy of
//!   Leptos's code. The tracker's one `RwSignal<Phase>` carries everything it shows.
//! - Every list of views is a `Vec<AnyView>` (each item ends in `.into_any()`): Leptos
//!   compiles its list code once per item type, so all lists share one copy.

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
