//! Async plumbing shared by the widget: spawning tasks and waiting for a later browser
//! task, each through one shared type (every distinct future or closure type handed to the
//! executor or the browser costs the widget its own copy of the code around it).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use wasm_bindgen::JsValue;

/// Resolves in a browser task at least `delay` from now (`Duration::ZERO`: the next task).
pub async fn sleep(delay: Duration) {
    let tick = js_sys::Promise::new(&mut |resolve, _reject| {
        leptos::prelude::set_timeout(
            move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            },
            delay,
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}

/// Runs `future` on the browser's microtask queue. Every task goes through this one boxed
/// future type, the one Leptos spawns its own tasks with, so the widget links one copy of
/// the executor's code instead of one per future.
pub fn spawn(future: impl Future<Output = ()> + 'static) {
    let boxed: Pin<Box<dyn Future<Output = ()>>> = Box::pin(future);
    wasm_bindgen_futures::spawn_local(boxed);
}
