//! The status card: the status in words, a distinct icon and note for statuses that need
//! attention (never colour alone), the carrier's sub-status message and the number.

use crate::html::Html;
use crate::i18n::{Key, Texts};
use trackfront_types::{Tag, TrackingView};

/// The icon glyph and the explanatory note of a status.
pub fn icon_and_note(tag: Tag) -> (&'static str, Option<Key>) {
    match tag {
        Tag::Pending => ("…", Some(Key::NotePending)),
        Tag::InfoReceived => ("i", None),
        Tag::InTransit => ("→", None),
        Tag::OutForDelivery => ("⇥", None),
        Tag::AttemptFail => ("↻", Some(Key::NoteAttemptFail)),
        Tag::Delivered => ("✓", None),
        Tag::AvailableForPickup => ("⌂", Some(Key::NoteAvailableForPickup)),
        Tag::Exception => ("!", Some(Key::NoteException)),
        Tag::Expired => ("×", Some(Key::NoteExpired)),
        Tag::Unknown => ("?", None),
    }
}

/// The carrier's sub-status message when it adds something: carriers often repeat the status
/// ("Delivered" under "Delivered"), which would be shown and announced twice.
pub fn extra_message<'a>(texts: &Texts, view: &'a TrackingView) -> Option<&'a str> {
    view.subtag_message.as_deref().map(str::trim).filter(|m| {
        !m.is_empty()
            && !m.eq_ignore_ascii_case(view.tag.display_name())
            && !m.eq_ignore_ascii_case(texts.tag(view.tag))
    })
}

/// Writes the heading card of a result.
pub fn write(h: &mut Html, texts: &Texts, view: &TrackingView) {
    let tag = view.tag;
    let (icon, note) = icon_and_note(tag);
    let class = [
        "card sum s-",
        &tag.as_str().to_ascii_lowercase(),
        if tag.is_special() { " special" } else { "" },
    ]
    .concat();
    let courier = view.courier_name.as_deref().unwrap_or(view.slug.as_str());
    h.el("div", &[("class", &class)], |h| {
        h.text_el("span", &[("class", "ic"), ("aria-hidden", "true")], icon);
        h.el("div", &[], |h| {
            h.text_el("h2", &[], texts.tag(tag));
            h.text_el(
                "p",
                &[("class", "meta")],
                &[courier, " · ", view.tracking_number.as_str()].concat(),
            );
            if let Some(k) = note {
                h.text_el("p", &[], texts.get(k));
            }
            if let Some(m) = extra_message(texts, view) {
                h.text_el("p", &[("class", "sub")], m);
            }
            if view.stale {
                h.text_el("p", &[("class", "stale")], texts.get(Key::Stale));
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the sandbox's "Delivered" sub-status was shown and announced as
    /// "Delivered. Delivered".
    #[test]
    fn sub_status_repeating_the_status_is_dropped() {
        let texts = Texts::english();
        let mut view = crate::fixtures::view(Tag::Delivered, &[]);
        view.subtag_message = Some(" delivered ".to_owned());
        assert_eq!(extra_message(&texts, &view), None);
        view.subtag_message = Some("Left at the front door".to_owned());
        assert_eq!(extra_message(&texts, &view), Some("Left at the front door"));
    }
}
