//! The loading placeholder.

use crate::i18n::{Key, Texts};
use leptos::prelude::*;

/// Grey bars shaped like a result (animated unless reduced motion is preferred), plus the
/// loading text for assistive technology.
#[component]
pub fn Skeleton() -> impl IntoView {
    let texts = expect_context::<Texts>();
    view! {
        <div class="sk" aria-hidden="true"><i></i><i></i><i></i><i></i></div>
        <p class="vh">{texts.get(Key::Loading).to_owned()}</p>
    }
}
