//! Business-day calendars: which weekdays a warehouse works, and its holidays (explicit
//! dates plus named yearly rules).

use jiff::civil::{Date, Weekday};
use std::collections::BTreeSet;

/// How far [`Calendar::next_business_day`] looks before giving up. A calendar that has
/// at least one business weekday can only be blocked this long by a holiday list of
/// absurd length; the bound keeps a bad config from looping forever.
const MAX_SEARCH_DAYS: u16 = 800;

/// Why a business-day search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Past the last date the time library represents (9999-12-31).
    OutOfRange,
    /// No business day within `MAX_SEARCH_DAYS`.
    NoBusinessDay,
}

/// A holiday that recurs every year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum YearlyRule {
    /// A fixed month and day (`12-25`). February 29 only occurs in leap years.
    Fixed { month: i8, day: i8 },
    /// The nth weekday of a month: `nth` 1..=5 counts from the start, -1..=-5 from the end
    /// (`-1` = last). A fifth weekday that a month lacks is no holiday that year.
    NthWeekday {
        month: i8,
        weekday: Weekday,
        nth: i8,
    },
    /// `offset` days from Western (Gregorian) Easter Sunday (`-2` = Good Friday).
    Easter { offset: i16 },
}

impl YearlyRule {
    /// The rule's date in `year`, if it has one.
    pub(crate) fn date_in(&self, year: i16) -> Option<Date> {
        match *self {
            Self::Fixed { month, day } => Date::new(year, month, day).ok(),
            Self::NthWeekday {
                month,
                weekday,
                nth,
            } => Date::new(year, month, 1)
                .ok()?
                .nth_weekday_of_month(nth, weekday)
                .ok(),
            Self::Easter { offset } => {
                let easter = easter_sunday(year)?;
                easter
                    .checked_add(jiff::Span::new().days(i64::from(offset)))
                    .ok()
            }
        }
    }
}

/// Western Easter Sunday (Gregorian computus, "anonymous Gregorian algorithm").
pub(crate) fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    if y < 1583 {
        return None;
    }
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Whether a yearly holiday that falls on a weekend is also observed on a weekday.
/// The actual day stays a holiday too (a warehouse that works Saturdays is still closed
/// on a Saturday 4 July); observance only adds the weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Observed {
    /// Only the actual day.
    #[default]
    Actual,
    /// Saturday → also the Friday before, Sunday → also the Monday after (US federal).
    NearestWeekday,
    /// Saturday or Sunday → also the following Monday.
    NextWeekday,
}

impl Observed {
    /// The extra observed day for a holiday on `d`, if any.
    fn extra_day(self, d: Date) -> Option<Date> {
        match (self, d.weekday()) {
            (Self::NearestWeekday, Weekday::Saturday) => d.yesterday().ok(),
            (Self::NearestWeekday | Self::NextWeekday, Weekday::Sunday) => d.tomorrow().ok(),
            (Self::NextWeekday, Weekday::Saturday) => d.tomorrow().ok()?.tomorrow().ok(),
            _ => None,
        }
    }
}

/// A warehouse's working calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Calendar {
    /// Indexed by `Weekday::to_monday_zero_offset`.
    pub(crate) business_days: [bool; 7],
    pub(crate) dates: BTreeSet<Date>,
    pub(crate) rules: Vec<(YearlyRule, Observed)>,
}

impl Calendar {
    /// Whether `date` is a holiday (explicit or by a yearly rule).
    pub(crate) fn is_holiday(&self, date: Date) -> bool {
        let year = date.year();
        self.dates.contains(&date)
            || self.rules.iter().any(|(rule, observed)| {
                // An observed day can cross a year end (Saturday 1 January 2022 was
                // observed on Friday 31 December 2021), so look at the neighbours too.
                if *observed == Observed::Actual {
                    return rule.date_in(year) == Some(date);
                }
                [year.saturating_sub(1), year, year.saturating_add(1)]
                    .into_iter()
                    .filter_map(|y| rule.date_in(y))
                    .any(|d| d == date || observed.extra_day(d) == Some(date))
            })
    }

    /// Whether the warehouse works on `date`: a business weekday that is not a holiday.
    pub(crate) fn is_business_day(&self, date: Date) -> bool {
        self.business_days[weekday_index(date.weekday())] && !self.is_holiday(date)
    }

    /// The first business day strictly after `date`.
    pub(crate) fn next_business_day(&self, date: Date) -> Result<Date, Stop> {
        let mut d = date;
        for _ in 0..MAX_SEARCH_DAYS {
            d = d.tomorrow().map_err(|_| Stop::OutOfRange)?;
            if self.is_business_day(d) {
                return Ok(d);
            }
        }
        Err(Stop::NoBusinessDay)
    }

    /// `date` (which should be a business day) plus `n` business days.
    pub(crate) fn add_business_days(&self, date: Date, n: u16) -> Result<Date, Stop> {
        (0..n).try_fold(date, |d, _| self.next_business_day(d))
    }

    /// The business weekdays as AfterShip numbers them (1 = Monday … 7 = Sunday).
    pub(crate) fn iso_business_days(&self) -> Vec<u8> {
        (1u8..=7)
            .filter(|&n| self.business_days[usize::from(n - 1)])
            .collect()
    }
}

pub(crate) fn weekday_index(w: Weekday) -> usize {
    // to_monday_zero_offset is 0..=6 by construction.
    usize::try_from(w.to_monday_zero_offset()).unwrap_or(0)
}

/// Parses `mon`, `Monday`, … (case-insensitive).
pub(crate) fn parse_weekday(raw: &str) -> Option<Weekday> {
    let s = raw.trim().to_ascii_lowercase();
    let w = match s.as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    };
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_matches_known_dates() {
        for (y, m, d) in [
            (1961, 4, 2),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn yearly_rules() {
        let thanksgiving = YearlyRule::NthWeekday {
            month: 11,
            weekday: Weekday::Thursday,
            nth: 4,
        };
        assert_eq!(thanksgiving.date_in(2026), Some(date(2026, 11, 26)));
        let memorial = YearlyRule::NthWeekday {
            month: 5,
            weekday: Weekday::Monday,
            nth: -1,
        };
        assert_eq!(memorial.date_in(2026), Some(date(2026, 5, 25)));
        let fifth_monday_feb = YearlyRule::NthWeekday {
            month: 2,
            weekday: Weekday::Monday,
            nth: 5,
        };
        assert_eq!(fifth_monday_feb.date_in(2026), None);
        let leap = YearlyRule::Fixed { month: 2, day: 29 };
        assert_eq!(leap.date_in(2027), None);
        assert_eq!(leap.date_in(2028), Some(date(2028, 2, 29)));
        let good_friday = YearlyRule::Easter { offset: -2 };
        assert_eq!(good_friday.date_in(2026), Some(date(2026, 4, 3)));
    }

    #[test]
    fn observed_days() {
        let cal = |rule, observed| Calendar {
            business_days: [true; 7],
            dates: BTreeSet::new(),
            rules: vec![(rule, observed)],
        };
        let july4 = YearlyRule::Fixed { month: 7, day: 4 };
        let us = cal(july4.clone(), Observed::NearestWeekday);
        // 2026-07-04 is a Saturday: Friday is observed, Saturday stays a holiday.
        assert!(us.is_holiday(date(2026, 7, 3)));
        assert!(us.is_holiday(date(2026, 7, 4)));
        assert!(!us.is_holiday(date(2026, 7, 6)));
        // 2027-07-04 is a Sunday: Monday is observed.
        assert!(us.is_holiday(date(2027, 7, 5)));
        assert!(!us.is_holiday(date(2027, 7, 2)));
        // Across a year end: Saturday 2022-01-01 observed on Friday 2021-12-31.
        let ny = cal(
            YearlyRule::Fixed { month: 1, day: 1 },
            Observed::NearestWeekday,
        );
        assert!(ny.is_holiday(date(2021, 12, 31)));
        // Next weekday: Saturday 2026-07-04 → Monday 2026-07-06.
        let uk = cal(july4.clone(), Observed::NextWeekday);
        assert!(uk.is_holiday(date(2026, 7, 6)));
        assert!(!uk.is_holiday(date(2026, 7, 3)));
        // Without observance only the day itself.
        let plain = cal(july4, Observed::Actual);
        assert!(!plain.is_holiday(date(2026, 7, 3)));
    }
}
