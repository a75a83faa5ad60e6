//! The error states: not found, invalid number, rate limited and unavailable.

use crate::api::Failure;
use crate::html::Html;
use crate::i18n::{Key, Texts};
use crate::tracker::Tracker;
use leptos::prelude::*;
use trackfront_types::TrackingNumber;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

/// The heading of each failure state.
pub fn title_key(f: &Failure) -> Key {
    match f {
        Failure::NotFound => Key::NotFoundTitle,
        Failure::Invalid => Key::InvalidTitle,
        Failure::RateLimited(_) => Key::RateLimitedTitle,
        Failure::Unavailable => Key::UnavailableTitle,
    }
}

/// Writes the card of a failure: icon, heading, explanation and, when the service is
/// unavailable, a retry button.
pub fn write(h: &mut Html, texts: &Texts, failure: &Failure, number: &TrackingNumber) {
    let (class, icon, body) = match failure {
        Failure::NotFound => (
            "card m-notfound",
            "?",
            texts.fill(Key::NotFoundBody, &[("n", number.as_str())]),
        ),
        Failure::Invalid => (
            "card m-invalid",
            "!",
            texts.get(Key::InvalidBody).to_owned(),
        ),
        Failure::RateLimited(secs) => (
            "card m-ratelimited",
            "‖",
            texts.fill(Key::RateLimitedBody, &[("s", &secs.to_string())]),
        ),
        Failure::Unavailable => (
            "card m-unavailable",
            "!",
            texts.get(Key::UnavailableBody).to_owned(),
        ),
    };
    h.el("div", &[("class", class)], |h| {
        h.text_el("span", &[("class", "ic"), ("aria-hidden", "true")], icon);
        h.el("div", &[], |h| {
            h.text_el("h2", &[], texts.get(title_key(failure)));
            h.text_el("p", &[], &body);
            if *failure == Failure::Unavailable {
                h.text_el(
                    "button",
                    &[("type", "button"), ("class", "sec")],
                    texts.get(Key::Retry),
                );
            }
        });
    });
}

/// A distinct card per failure. The card is markup (see `components` for why); a click on
/// its retry button reaches the listener on the card's parent.
#[component]
pub fn StateMessage(
    /// What went wrong.
    failure: Failure,
    /// The number that was looked up.
    number: TrackingNumber,
    /// The instance, for retrying.
    tracker: Tracker,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    let mut h = Html::new();
    write(&mut h, &texts, &failure, &number);
    let on_click = move |ev: MouseEvent| {
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|e| e.closest("button").ok().flatten().is_some());
        if on_button {
            tracker.retry();
        }
    };
    view! { <div on:click=on_click inner_html=h.finish()></div> }
}
