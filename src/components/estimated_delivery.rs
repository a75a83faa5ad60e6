//! The estimated delivery date: a range or a date, "was …" when revised; hidden on
//! exceptions and once delivered.

use crate::html::Html;
use crate::i18n::{Key, Texts};
use crate::intl;
use trackfront_types::{EstimatedDelivery as Edd, IsoDate, Tag};

/// The dates to show: `(first, last)` where `last` is set for a real range.
pub fn shown_dates(edd: &Edd) -> Option<(IsoDate, Option<IsoDate>)> {
    match (edd.min, edd.max, edd.date) {
        (Some(min), Some(max), _) if min != max => Some((min, Some(max))),
        (_, _, Some(d)) => Some((d, None)),
        (Some(d), _, None) | (None, Some(d), None) => Some((d, None)),
        (None, None, None) => None,
    }
}

fn date(h: &mut Html, locale: &str, d: IsoDate) {
    h.text_el(
        "time",
        &[("datetime", &d.to_iso())],
        &intl::short_date(locale, d),
    );
}

/// Writes the estimate, or nothing.
pub fn write(h: &mut Html, texts: &Texts, tag: Tag, edd: Option<&Edd>) {
    if matches!(tag, Tag::Exception | Tag::Delivered) {
        return;
    }
    let Some(((first, last), previous)) =
        edd.and_then(|e| shown_dates(e).map(|dates| (dates, e.previous)))
    else {
        return;
    };
    let locale = texts.lang().as_str();
    h.el("div", &[("class", "edd")], |h| {
        h.text(texts.get(Key::Edd));
        h.el("strong", &[], |h| {
            date(h, locale, first);
            if let Some(l) = last {
                h.text(" – ");
                date(h, locale, l);
            }
        });
        if let Some(p) = previous {
            let text = texts.fill(Key::EddWas, &[("date", &intl::short_date(locale, p))]);
            h.text_el("span", &[("class", "was")], &text);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::EddSource;

    fn d(s: &str) -> Option<IsoDate> {
        IsoDate::parse(s).ok()
    }

    #[test]
    fn ranges_collapse_to_a_date_when_equal() {
        let mut e = Edd {
            source: EddSource::Aftership,
            date: d("2026-12-02"),
            min: d("2026-12-01"),
            max: d("2026-12-03"),
            previous: None,
        };
        assert_eq!(
            shown_dates(&e),
            Some((d("2026-12-01").unwrap(), d("2026-12-03")))
        );
        e.max = e.min;
        assert_eq!(shown_dates(&e), Some((d("2026-12-02").unwrap(), None)));
        e.date = None;
        assert_eq!(shown_dates(&e), Some((d("2026-12-01").unwrap(), None)));
    }
}
