//! UI strings. English is compiled in; every other language is a small JSON object
//! (`i18n/<lang>.json` next to the wasm) fetched on demand, so English pages never pay for
//! translations. A key missing from a translation falls back to English.

use std::sync::Arc;
use trackfront_types::{Lang, ParseError, Tag};
use wasm_bindgen::JsValue;

// The names and English texts are each one string, one line per key, and a key is its
// line number: `match`es over the keys compiled to tables of pointers, which cost the
// page 0.4 KB more than the text itself.
macro_rules! keys {
    ($($key:ident = $en:literal,)*) => {
        /// One UI string. The JSON key is the variant name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Key { $($key,)* }

        impl Key {
            /// Every key, in declaration order (the index into [`Texts`]).
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The name used in the language files.
            pub fn name(self) -> &'static str {
                line(concat!($(stringify!($key), "\n",)*), self)
            }

            /// The English text.
            pub fn en(self) -> &'static str {
                line(concat!($($en, "\n",)*), self)
            }
        }
    };
}

/// Line `key` of `lines`.
fn line(lines: &'static str, key: Key) -> &'static str {
    lines.split('\n').nth(key as usize).unwrap_or_default()
}

keys! {
    Heading = "Track your parcel",
    NumberLabel = "Tracking number",
    NumberHint = "You find it in your shipping confirmation email.",
    CourierLabel = "Courier",
    Submit = "Track",
    ErrMissing = "Enter a tracking number.",
    ErrLength = "A tracking number has 4 to 100 characters.",
    ErrChars = "A tracking number may only contain letters, digits and - . _ /",
    ErrCourier = "Choose a courier.",
    Loading = "Looking up your parcel…",
    NotFoundTitle = "No tracking information yet",
    NotFoundBody = "We could not find {n} yet. New tracking numbers can take a few hours to appear, so please check again later.",
    InvalidTitle = "This tracking number is not valid",
    InvalidBody = "Check the number in your shipping confirmation and try again.",
    RateLimitedTitle = "Too many lookups",
    RateLimitedBody = "Please try again in {s} seconds.",
    UnavailableTitle = "Tracking is unavailable right now",
    UnavailableBody = "This is on our side. Please try again in a moment.",
    Retry = "Try again",
    Stale = "This information may be out of date.",
    StatusIs = "Status: {status}",
    StepOf = "Step {n} of {total}",
    StepDone = "completed",
    StepCurrent = "current step",
    StepTodo = "not reached yet",
    StepProblem = "needs attention",
    TagPending = "Pending",
    TagInfoReceived = "Info Received",
    TagInTransit = "In Transit",
    TagOutForDelivery = "Out for Delivery",
    TagAttemptFail = "Failed Attempt",
    TagDelivered = "Delivered",
    TagAvailableForPickup = "Available for Pickup",
    TagException = "Exception",
    TagExpired = "Expired",
    TagUnknown = "Unknown status",
    NotePending = "The courier has not sent any updates yet.",
    NoteAttemptFail = "The courier tried to deliver your parcel but could not. They usually try again.",
    NoteAvailableForPickup = "Your parcel is waiting for you at a pickup point.",
    NoteException = "There is a problem with this shipment.",
    NoteExpired = "There have been no updates for 30 days.",
    History = "Shipment history",
    NoEvents = "No updates yet.",
    ShowAll = "Show all {n} updates",
    ShowFewer = "Show fewer updates",
    Edd = "Estimated delivery",
    EddWas = "was {date}",
    Announce = "{n}: {status}",
}

/// Languages the UI is translated into. `en` is built in; the others are fetched.
pub const UI_LANGS: &[&str] = &[
    "en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja", "zh-Hans", "ar",
];

/// The UI strings of one language, indexed like [`Key::ALL`]; a missing or `None` entry
/// means "use English" (so English itself holds none).
#[derive(Debug, Clone)]
pub struct Texts {
    lang: Lang,
    strings: Arc<[Option<Box<str>>]>,
}

impl Texts {
    /// The built-in English strings.
    pub fn english() -> Self {
        Self {
            lang: Lang::en(),
            strings: Arc::default(),
        }
    }

    /// Builds the strings of `lang` from a parsed JSON object; keys that are missing or not
    /// strings fall back to English.
    pub fn from_js(lang: Lang, obj: &JsValue) -> Self {
        let get = |k: &Key| {
            let v = js_sys::Reflect::get(obj, &JsValue::from_str(k.name())).ok()?;
            v.as_string().map(Into::into)
        };
        let strings = Key::ALL.iter().map(get).collect();
        Self { lang, strings }
    }

    /// The language these strings are in (also the `lang` sent to the proxy).
    pub fn lang(&self) -> &Lang {
        &self.lang
    }

    /// The text for `key`.
    pub fn get(&self, key: Key) -> &str {
        self.strings
            .get(key as usize)
            .and_then(|s| s.as_deref())
            .unwrap_or_else(|| key.en())
    }

    /// The text for `key` with each `{name}` replaced by its value; unknown placeholders
    /// stay as they are, and values are never scanned for placeholders themselves.
    pub fn fill(&self, key: Key, args: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = self.get(key);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            let arg = rest.find('}').and_then(|close| {
                let name = &rest[1..close];
                let (_, value) = args.iter().find(|(n, _)| *n == name)?;
                Some((value, close + 1))
            });
            let (text, skip) = arg.unwrap_or((&"{", 1));
            out.push_str(text);
            rest = &rest[skip..];
        }
        out.push_str(rest);
        out
    }

    /// The localised name of a delivery status.
    pub fn tag(&self, tag: Tag) -> &str {
        self.get(tag_key(tag))
    }

    /// The localised inline message for a tracking-number parse error.
    pub fn parse_error(&self, e: ParseError) -> &str {
        self.get(match e {
            ParseError::TrackingNumberMissing => Key::ErrMissing,
            ParseError::TrackingNumberLength => Key::ErrLength,
            ParseError::Slug => Key::ErrCourier,
            _ => Key::ErrChars,
        })
    }
}

/// `n` in ASCII digits, as the UI strings show counts and seconds (the widget links no
/// `core::fmt`, so no `to_string()`).
pub fn number(n: u64) -> String {
    let mut s = String::new();
    trackfront_types::push_digits(&mut s, n, 1);
    s
}

/// The string key naming `tag`.
pub fn tag_key(tag: Tag) -> Key {
    match tag {
        Tag::Pending => Key::TagPending,
        Tag::InfoReceived => Key::TagInfoReceived,
        Tag::InTransit => Key::TagInTransit,
        Tag::OutForDelivery => Key::TagOutForDelivery,
        Tag::AttemptFail => Key::TagAttemptFail,
        Tag::Delivered => Key::TagDelivered,
        Tag::AvailableForPickup => Key::TagAvailableForPickup,
        Tag::Exception => Key::TagException,
        Tag::Expired => Key::TagExpired,
        Tag::Unknown => Key::TagUnknown,
    }
}

/// The first of `candidates` (most preferred first: `data-lang`, the page's `lang`, then
/// `navigator.languages`) that maps onto a UI language, else English.
pub fn negotiate<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Lang {
    candidates
        .into_iter()
        .filter_map(Lang::negotiate)
        .find(|l| UI_LANGS.contains(&l.as_str()))
        .unwrap_or_else(Lang::en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_the_first_supported_candidate() {
        assert_eq!(negotiate(["", "ko", "de-AT", "fr"]).as_str(), "de");
        assert_eq!(negotiate(["zh-CN"]).as_str(), "zh-Hans");
        assert_eq!(negotiate(["tlh", "xx"]).as_str(), "en");
        assert_eq!(negotiate(["AR-eg"]).as_str(), "ar");
    }

    /// Names and English texts are looked up by line: a line break inside one would shift
    /// every later key.
    #[test]
    fn every_key_has_its_own_name_and_english_text() {
        for key in Key::ALL {
            assert_eq!(key.name(), format!("{key:?}"));
        }
        assert_eq!(Key::Heading.en(), "Track your parcel");
        assert_eq!(Key::ALL.last().map(|k| k.en()), Some("{n}: {status}"));
    }

    /// Every known placeholder is replaced, unknown ones stay, and a value is never
    /// scanned for placeholders itself.
    #[test]
    fn fill_replaces_known_placeholders_once() {
        let t = Texts::english();
        let fill = |key, args: &[(&str, &str)]| t.fill(key, args);
        assert_eq!(
            fill(Key::StepOf, &[("n", "2"), ("total", "4")]),
            "Step 2 of 4"
        );
        assert_eq!(
            fill(Key::StepOf, &[("n", "{total}"), ("x", "y")]),
            "Step {total} of {total}"
        );
        assert_eq!(fill(Key::Announce, &[("n", "A")]), "A: {status}");
    }

    #[test]
    fn numbers_are_ascii_digits() {
        for (n, s) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (3600, "3600"),
            (u64::MAX, "18446744073709551615"),
        ] {
            assert_eq!(number(n), s);
        }
    }

    /// Every translation file must exist, translate every key and keep its placeholders.
    /// (A plain text scan: the widget must not depend on serde_json, even in tests.)
    #[test]
    fn every_language_file_has_every_key_and_placeholder() {
        for lang in UI_LANGS.iter().filter(|l| **l != "en") {
            let path = format!("{}/www/public/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
            let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            for key in Key::ALL {
                let needle = format!("\"{}\":", key.name());
                let at = json
                    .find(&needle)
                    .unwrap_or_else(|| panic!("{lang}: missing {}", key.name()));
                let value = json[at + needle.len()..].lines().next().unwrap_or_default();
                for ph in ["{n}", "{s}", "{status}", "{date}", "{total}"] {
                    assert_eq!(
                        key.en().contains(ph),
                        value.contains(ph),
                        "{lang}: {} placeholder {ph}",
                        key.name()
                    );
                }
            }
        }
    }
}
