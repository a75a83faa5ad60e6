//! The loading placeholder.

use crate::i18n::{Key, Texts};
use leptos::prelude::*;

/// Grey blocks laid out like a typical result (animated unless reduced motion is
/// preferred), plus the loading text for assistive technology. The blocks have the result's
/// heights (style.css `.sk`: summary card, progress steps, delivery estimate, history
/// heading, five checkpoints, "show all" button), so nothing below the widget moves when
/// the result replaces them; `index.html` reserves the same height before the wasm mounts.
#[component]
pub fn Skeleton() -> impl IntoView {
    let texts = expect_context::<Texts>();
    view! {
        <div class="sk" aria-hidden="true">
            <i></i><i></i><i></i><i></i><i></i><i></i><i></i><i></i><i></i><i></i>
        </div>
        <p class="vh">{texts.get(Key::Loading).to_owned()}</p>
    }
}
