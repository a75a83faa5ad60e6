//! The error states: not found, invalid number, rate limited and unavailable.

use crate::api::Failure;
use crate::i18n::{Key, Texts};
use crate::tracker::Tracker;
use leptos::prelude::*;
use trackfront_types::TrackingNumber;

/// The heading of each failure state.
pub fn title_key(f: &Failure) -> Key {
    match f {
        Failure::NotFound => Key::NotFoundTitle,
        Failure::Invalid => Key::InvalidTitle,
        Failure::RateLimited(_) => Key::RateLimitedTitle,
        Failure::Unavailable => Key::UnavailableTitle,
    }
}

/// A distinct card per failure: icon, heading, explanation and, when the service is
/// unavailable, a retry button.
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
    let (class, icon, body) = match &failure {
        Failure::NotFound => (
            "notfound",
            "?",
            texts.fill(Key::NotFoundBody, &[("n", number.as_str())]),
        ),
        Failure::Invalid => ("invalid", "!", texts.get(Key::InvalidBody).to_owned()),
        Failure::RateLimited(secs) => (
            "ratelimited",
            "‖",
            texts.fill(Key::RateLimitedBody, &[("s", &secs.to_string())]),
        ),
        Failure::Unavailable => (
            "unavailable",
            "!",
            texts.get(Key::UnavailableBody).to_owned(),
        ),
    };
    let retry = (failure == Failure::Unavailable).then(|| {
        view! {
            <button type="button" class="sec" on:click=move |_| tracker.retry()>
                {texts.get(Key::Retry).to_owned()}
            </button>
        }
    });
    view! {
        <div class=format!("card m-{class}")>
            <span class="ic" aria-hidden="true">{icon}</span>
            <div>
                <h2>{texts.get(title_key(&failure)).to_owned()}</h2>
                <p>{body}</p>
                {retry}
            </div>
        </div>
    }
}
