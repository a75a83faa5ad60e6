//! The area below the form: nothing, the loading skeleton, a result or an error state.

use super::{skeleton, state_message, tracking_result};
use crate::html::Html;
use crate::i18n::Texts;
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

/// The markup of a phase: empty when idle.
pub fn markup(texts: &Texts, phase: &Phase) -> String {
    let mut h = Html::new();
    match phase {
        Phase::Idle => {}
        Phase::Loading(_) => skeleton::write(&mut h, texts),
        Phase::Loaded(view, fresh) => tracking_result::write(&mut h, texts, view, *fresh),
        Phase::Failed(failure, query) => {
            state_message::write(&mut h, texts, failure, &query.number);
        }
    }
    h.finish()
}

/// The markup of the tracker's phase, rewritten when the phase changes (while a lookup is in
/// flight, the skeleton's wrapper is `aria-busy`). Nothing in it reacts by itself: "Show
/// all" is a native `<details>`, and the retry button's click is handled here.
#[component]
pub fn Outcome(
    /// The instance to render.
    tracker: Tracker,
    /// The UI strings.
    texts: Texts,
) -> impl IntoView {
    let on_click = move |ev: MouseEvent| {
        let on_retry = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|e| e.closest(".retry").ok().flatten().is_some());
        if on_retry {
            tracker.retry();
        }
    };
    view! {
        <div
            class="out"
            on:click=on_click
            inner_html=move || markup(&texts, &tracker.phase())
        ></div>
    }
}
