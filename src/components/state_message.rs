//! The error states: not found, invalid number, rate limited and unavailable.

use crate::api::Failure;
use crate::html::Html;
use crate::i18n::{self, Key, Texts};
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

/// Writes the card of a failure: icon, heading, explanation and, when the service is
/// unavailable, a retry button (class `retry`; `Outcome` handles its click).
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
            texts.fill(Key::RateLimitedBody, &[("s", &i18n::number(*secs))]),
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
                    &[
                        ("id", "tf-retry"),
                        ("type", "button"),
                        ("class", "sec retry"),
                    ],
                    texts.get(Key::Retry),
                );
            }
        });
    });
}
