//! The estimated delivery date: a range or a date, "was …" when revised; hidden on
//! exceptions and once delivered.

use crate::i18n::{Key, Texts};
use crate::intl;
use leptos::prelude::*;
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

fn date_view(locale: &str, d: IsoDate) -> impl IntoView + use<> {
    view! { <time datetime=d.to_string()>{intl::short_date(locale, d)}</time> }
}

/// The estimate, or nothing.
#[component]
pub fn EstimatedDelivery(
    /// The shipment's status.
    tag: Tag,
    /// The estimate, if any.
    edd: Option<Edd>,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    let locale = texts.lang().to_string();
    let edd = edd.filter(|_| !matches!(tag, Tag::Exception | Tag::Delivered));
    edd.and_then(|e| shown_dates(&e).map(|dates| (dates, e.previous)))
        .map(|((first, last), previous)| {
            let was = previous.map(|p| {
                let text = texts.fill(Key::EddWas, &[("date", &intl::short_date(&locale, p))]);
                view! { <span class="was">{text}</span> }
            });
            view! {
                <div class="edd">
                    {texts.get(Key::Edd).to_owned()}
                    <strong>
                        {date_view(&locale, first)}
                        {last.map(|l| view! { " – " {date_view(&locale, l)} })}
                    </strong>
                    {was}
                </div>
            }
        })
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
