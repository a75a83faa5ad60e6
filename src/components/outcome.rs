//! The area below the form: nothing, the loading skeleton, a result or an error state.

use super::{skeleton, state_message, tracking_result::TrackingResult};
use crate::html::Html;
use crate::i18n::Texts;
use crate::tracker::{Phase, Tracker};
use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

/// The markup of every phase but a result: `None` when idle.
pub fn state_markup(texts: &Texts, phase: &Phase) -> Option<String> {
    let mut h = Html::new();
    match phase {
        Phase::Idle | Phase::Loaded(..) => return None,
        Phase::Loading(_) => skeleton::write(&mut h, texts),
        Phase::Failed(failure, query) => {
            state_message::write(&mut h, texts, failure, &query.number)
        }
    }
    Some(h.finish())
}

/// Switches on the tracker's phase; `aria-busy` while a lookup is in flight. The error
/// cards are markup, so the retry button's click is handled here.
#[component]
pub fn Outcome(
    /// The instance to render.
    tracker: Tracker,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
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
        <div class="out" aria-busy=move || tracker.is_loading().then_some("true") on:click=on_click>
            {move || match tracker.phase() {
                Phase::Loaded(view, fresh) => Either::Right(view! { <TrackingResult view fresh/> }),
                phase => Either::Left(
                    state_markup(&texts, &phase).map(|html| view! { <div inner_html=html></div> }),
                ),
            }}
        </div>
    }
}
