//! The trackfront widget: a Leptos (CSR) app compiled to WebAssembly that shops embed to
//! show shipment tracking and delivery estimates. It talks only to the trackfront proxy
//! (never to AfterShip, and it never holds an API key), decodes JSON with the browser's
//! `JSON.parse` and formats dates with `Intl`, so it must not pull in serde_json, regex or
//! time-zone tables.
//!
//! On start it publishes `window.trackfront.{mount, unmount, scan}` and mounts every
//! `[data-trackfront]` element, each in its own open shadow root.

pub mod api;
pub mod components;
pub mod decode;
pub mod embed;
#[cfg(test)]
mod fixtures;
pub mod html;
pub mod i18n;
pub mod intl;
pub mod live;
pub mod page;
pub mod task;
pub mod tracker;

use wasm_bindgen::prelude::*;

/// Runs when the wasm module is instantiated (by Trunk's page script or `/trackfront.js`).
#[wasm_bindgen(start)]
pub fn start() {
    // Debug builds (tests, `trunk serve`) print panics; release builds stay lean.
    #[cfg(debug_assertions)]
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    embed::install_js_api();
    embed::mount_all();
}

/// The allocator: lol_alloc's free list (first fit, adjacent free blocks coalesced) instead
/// of std's dlmalloc, which cost the track page 1.9 KB brotli. The widget allocates little
/// and in bursts (a result's markup, a decoded view), and the EDD badge uses the same one.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
