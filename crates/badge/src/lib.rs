//! trackfront's estimated-delivery-date badge for product and checkout pages: every
//! `<div data-trackfront="edd">` gets an open shadow root with "Arrives Tue, Dec 2 – Thu,
//! Dec 4" per service (formatted by the browser's `Intl` from the proxy's plain
//! `YYYY-MM-DD` dates), a pausable "Order within 3 h 12 min" countdown to the warehouse's
//! cutoff, and, when the page gives no destination, a compact "Deliver to" form remembered
//! in `localStorage`. It asks `POST /api/v1/edd` on the proxy and hides itself (saying why
//! in the console) when no estimate can be made.
//!
//! It must stay small (the product page budget is 25 KB brotli in total), so it must NOT
//! depend on Leptos, serde_json, regex or the tracking widget's crate; it talks to the DOM
//! through web-sys only. It must never compute delivery dates itself, never convert a date
//! through the browser's time zone (no `toISOString`, no local-midnight `Date`), and never
//! put the ticking countdown inside a live region.
//!
//! Attributes: `data-proxy` (default: where `/trackfront.js` came from), `data-country`,
//! `data-postal-code`, `data-state`, `data-processing-days` (0–30), `data-services`
//! (`standard,express`), `data-lang`, `data-theme` (`light`/`dark`; default: the system's).

#[cfg(target_arch = "wasm32")]
mod badge;
#[cfg(target_arch = "wasm32")]
mod intl;
pub mod logic;

/// A free-list allocator: a few hundred bytes of wasm instead of dlmalloc's kilobytes. The
/// badge allocates little (a few strings per minute), so its simple first-fit search is
/// plenty.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Runs when the module is instantiated: mounts every badge on the page.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    badge::mount_all();
}

/// Mounts badges added to the page since (for pages that render late).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn scan() {
    badge::mount_all();
}
