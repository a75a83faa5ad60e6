//! The widget's components, one per file.
//!
//! Size rules (docs/widget-size.md has the measurements):
//! - Read-only markup is written with [`crate::html::Html`] and set as an element's
//!   `inner_html`: everything below the form (skeleton, result, error cards; see
//!   `outcome`) and the form's fields. Leptos compiles build, diff, mount and unmount code
//!   for every distinct view type, and none of that markup reacts to anything but a new
//!   phase. The two reactive parts, the outcome area and the live region, are both an
//!   `inner_html` [`Markup`] (the region's text escaped), so they share Leptos's code;
//!   `aria-busy` is on the skeleton's wrapper. Events on markup are handled on the element
//!   around it ([`listen`]: `submit` on the form, which also shows the inline error;
//!   `click` on the outcome area for the retry button), and "Show all" is a native
//!   `<details>`.
//!   Track page: 71,981 B brotli with views, 53,537 with markup.
//! - Few distinct signal, stored-value and effect types: each costs its own copy of
//!   Leptos's code. The tracker's one `RwSignal<Phase>` carries everything it shows, one
//!   stored value everything else, and effects and markup functions are boxed
//!   (`Tracker::watch`, [`Markup`]) so that each closure does not bring its own copy.
//! - No Leptos context: the strings (`Texts`) are a prop. `provide_context` links a map
//!   keyed by type (1.4 KB brotli) for what three components can be handed directly.

use leptos::ev::{Custom, On, on};

/// Every event listener the widget puts on its markup: boxed, and attached undelegated as
/// `ev::Custom`, so that the form's submit and the outcome's click share one copy of
/// Leptos's listener code, and no document-level event delegation is linked at all.
/// Spread it onto an element: `<form {..listen("submit", handler)}>`.
pub fn listen(
    event: &'static str,
    handler: impl FnMut(web_sys::Event) + 'static,
) -> On<Custom, Box<dyn FnMut(web_sys::Event)>> {
    on(Custom::new(event), Box::new(handler))
}

/// A reactive `inner_html`: rewritten whenever a signal it reads changes. Boxed, so that
/// every one shares one copy of Leptos's `inner_html` code rather than one per closure.
pub type Markup = Box<dyn FnMut() -> String + Send>;

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
