//! The checkpoint timeline: newest first, grouped by the checkpoint's own local day, times
//! in the checkpoint's offset via `Intl`, and a "Show all" toggle past five entries.

use crate::html::{Html, last_if};
use crate::i18n::{Key, Texts, number};
use crate::intl::{self, Stamp};
use std::ops::Range;
use trackfront_types::{CheckpointView, IsoDate};

/// Entries shown before "Show all".
pub const VISIBLE: usize = 5;

/// Checkpoints of one local day (or of unknown date), in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Day<'a> {
    /// The local date, `None` for checkpoints without a usable time.
    pub date: Option<IsoDate>,
    /// The checkpoints, each with its index in the full list.
    pub entries: Vec<(usize, &'a CheckpointView)>,
}

/// Groups consecutive checkpoints (already newest first) by their local date.
pub fn group_by_day(checkpoints: &[CheckpointView]) -> Vec<Day<'_>> {
    let mut days: Vec<Day> = Vec::new();
    for (i, c) in checkpoints.iter().enumerate() {
        let date = c.time.as_deref().and_then(Stamp::parse).map(|s| s.date);
        match days.last_mut() {
            Some(day) if day.date == date => day.entries.push((i, c)),
            _ => days.push(Day {
                date,
                entries: vec![(i, c)],
            }),
        }
    }
    days
}

/// "City, State, Country", skipping missing parts.
pub fn location(c: &CheckpointView) -> String {
    let country = c.country_name.as_deref();
    let country = country.or_else(|| c.country.as_ref().map(|c| c.as_str()));
    [c.city.as_deref(), c.state.as_deref(), country]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes one checkpoint.
fn entry(h: &mut Html, locale: &str, c: &CheckpointView, new: bool) {
    let raw = c.time.as_deref().unwrap_or_default();
    h.el("li", &[("class", if new { "ev new" } else { "ev" })], |h| {
        if let Some(t) = Stamp::parse(raw).and_then(|s| intl::time_of_day(locale, raw, &s)) {
            h.text_el("time", &[("datetime", raw)], &t);
        }
        h.text_el("p", &[], c.message.as_deref().unwrap_or_default());
        let loc = location(c);
        if !loc.is_empty() {
            h.text_el("p", &[("class", "loc")], &loc);
        }
    });
}

/// Writes one list of days holding the checkpoints whose index is in `range`.
fn days_list(
    h: &mut Html,
    class: &str,
    locale: &str,
    days: &[Day<'_>],
    range: Range<usize>,
    fresh: usize,
) {
    h.el("ol", &[("class", class)], |h| {
        for day in days {
            let mut entries = day
                .entries
                .iter()
                .filter(|(i, _)| range.contains(i))
                .peekable();
            if entries.peek().is_none() {
                continue;
            }
            h.el("li", &[], |h| {
                if let Some(date) = day.date {
                    h.el("h4", &[], |h| {
                        h.text_el(
                            "time",
                            &[("datetime", &date.to_iso())],
                            &intl::long_date(locale, date),
                        );
                    });
                }
                h.el("ol", &[("class", "evs")], |h| {
                    for (i, c) in entries {
                        entry(h, locale, c, *i < fresh);
                    }
                });
            });
        }
    });
}

/// Writes the history of a tracking (checkpoints newest first, the first `fresh` of which
/// just arrived by a live update): its heading, the first [`VISIBLE`] checkpoints grouped
/// by day, and the rest inside a native `<details>` toggle ("Show all n updates" / "Show
/// fewer updates"), which needs no script and tells assistive technology whether it is
/// expanded (`open` writes it expanded). A day split by the toggle gets its heading on
/// both sides.
pub fn write(
    h: &mut Html,
    texts: &Texts,
    checkpoints: &[CheckpointView],
    fresh: usize,
    open: bool,
) {
    let locale = texts.lang().as_str();
    let days = group_by_day(checkpoints);
    h.text_el("h3", &[], texts.get(Key::History));
    if checkpoints.is_empty() {
        h.text_el("p", &[], texts.get(Key::NoEvents));
    }
    days_list(h, "days", locale, &days, 0..VISIBLE, fresh);
    if checkpoints.len() > VISIBLE {
        let attrs = [("class", "more"), ("open", "")];
        h.el("details", last_if(&attrs, open), |h| {
            // The id lets focus survive a live update (see `outcome::keep_focus`).
            h.el("summary", &[("id", "tf-all")], |h| {
                let all = texts.fill(Key::ShowAll, &[("n", &number(checkpoints.len() as u64))]);
                h.text_el("span", &[("class", "all")], &all);
                h.text_el("span", &[("class", "fewer")], texts.get(Key::ShowFewer));
            });
            days_list(h, "days rest", locale, &days, VISIBLE..usize::MAX, fresh);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::Tag;

    fn cp(time: &str) -> CheckpointView {
        CheckpointView {
            time: Some(time.to_owned()),
            message: None,
            tag: Tag::InTransit,
            subtag: None,
            subtag_message: None,
            city: Some("Leipzig".to_owned()),
            state: None,
            country: None,
            country_name: Some("Germany".to_owned()),
        }
    }

    /// A checkpoint late in the evening at -05:00 belongs to its own local day, not to the
    /// UTC day (or the viewer's day).
    #[test]
    fn days_follow_each_checkpoints_own_offset() {
        let checkpoints = [
            cp("2026-11-21T01:00:00+01:00"),
            cp("2026-11-20T23:30:00-05:00"),
            cp("2026-11-20T08:00:00-05:00"),
            cp("not a time"),
        ];
        let days = group_by_day(&checkpoints);
        let dates: Vec<_> = days.iter().map(|d| d.date.map(IsoDate::to_iso)).collect();
        assert_eq!(
            dates,
            [Some("2026-11-21".into()), Some("2026-11-20".into()), None]
        );
        assert_eq!(days[1].entries.len(), 2);
        assert_eq!(days[1].entries[1].0, 2);
    }

    #[test]
    fn location_skips_missing_parts() {
        assert_eq!(location(&cp("2026-11-20")), "Leipzig, Germany");
    }
}
