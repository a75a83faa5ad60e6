//! The area below the form: nothing, the loading skeleton, a result or an error state.

use super::{skeleton, state_message, tracking_result};
use crate::html::Html;
use crate::i18n::Texts;
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement};

/// The markup of a phase: empty when idle. `history_open` keeps "Show all" expanded.
pub fn markup(texts: &Texts, phase: &Phase, history_open: bool) -> String {
    let mut h = Html::new();
    match phase {
        Phase::Idle => {}
        Phase::Loading(_) => skeleton::write(&mut h, texts),
        Phase::Loaded(view, fresh) => {
            tracking_result::write(&mut h, texts, view, *fresh, history_open);
        }
        Phase::Failed(failure, query) => {
            state_message::write(&mut h, texts, failure, &query.number);
        }
    }
    h.finish()
}

/// Rewriting the markup removes the element that has focus, such as "Show all" when a
/// live update arrives, and focus would fall back to the page. So once the new markup is
/// in (a task spawned from the render runs after it), the element with the same `id` is
/// focused again: every control in the outcome has one. Focus elsewhere (the form, another
/// instance) is focused again where it already is, which changes nothing.
fn keep_focus() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The focused element is inside our shadow root, possibly itself in a shop's.
    let mut focused = doc.active_element();
    let mut root = None;
    while let Some(shadow) = focused.as_ref().and_then(Element::shadow_root) {
        focused = shadow.active_element();
        root = Some(shadow);
    }
    let (Some(root), Some(id)) = (root, focused.map(|f| f.id())) else {
        return;
    };
    if id.is_empty() {
        return;
    }
    // A task of its own: it runs once the render that called this has set the markup.
    crate::task::spawn(async move {
        if let Some(el) = root.get_element_by_id(&id) {
            let _ = el.unchecked_into::<HtmlElement>().focus();
        }
    });
}

/// The markup of the tracker's phase, rewritten when the phase changes (while a lookup is in
/// flight, the skeleton's wrapper is `aria-busy`). Nothing in it reacts by itself: "Show
/// all" is a native `<details>`, and the retry button's click is handled here.
///
/// A live update rewrites the result; a history the shopper expanded stays expanded. Every
/// way of toggling a `<summary>` (pointer, keyboard, assistive technology) dispatches a
/// click on it, so the click handler follows the state; a new lookup starts collapsed.
/// (Reading the state from the old markup instead needs a `NodeRef`: +958 B brotli.)
#[component]
pub fn Outcome(
    /// The instance to render.
    tracker: Tracker,
    /// The UI strings.
    texts: Texts,
) -> impl IntoView {
    let history_open = Arc::new(AtomicBool::new(false));
    let toggled = history_open.clone();
    let on_click = move |ev: Event| {
        // A click's target is an element (unchecked: an `instanceof` check costs bytes).
        let Some(target) = ev.target().map(JsCast::unchecked_into::<Element>) else {
            return;
        };
        let closest = |selector| target.closest(selector).ok().flatten();
        if closest(".retry").is_some() {
            tracker.retry();
        } else if closest(".more > summary").is_some() {
            // The click toggles the <details> after this handler: record the state it is
            // about to have, not a flip of ours, so that one opened without a click (the
            // browser's find-in-page) is put right by the next click.
            let opening = closest(".more:not([open]) > summary").is_some();
            toggled.store(opening, Ordering::Relaxed);
        }
    };
    let render: super::Markup = Box::new(move || {
        let phase = tracker.phase();
        if !matches!(phase, Phase::Loaded(..)) {
            history_open.store(false, Ordering::Relaxed);
        }
        keep_focus();
        markup(&texts, &phase, history_open.load(Ordering::Relaxed))
    });
    view! {
        <div
            class="out"
            {..super::listen("click", on_click)}
            inner_html=render
        ></div>
    }
}
