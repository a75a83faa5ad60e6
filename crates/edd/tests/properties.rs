//! Property tests of the rules engine over random warehouses (time zone, cutoff, business
//! weekdays, processing and transit) and random instants in 2000–2099:
//!
//! * `order_day ≤ pickup_day ≤ min ≤ likely ≤ max`;
//! * none of them is a non-business weekday or a holiday — checked against an oracle
//!   written independently of the engine's calendar code;
//! * exactly the configured number of business days lies between them (nothing skipped
//!   twice, nothing counted on a closed day);
//! * the cutoff is offered only while it is ahead, on the warehouse-local order day, at or
//!   after the configured wall time;
//! * a later order never gets an earlier promise.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use trackfront_edd::{Estimate, Rules};
use trackfront_types::{Destination, EddItem, ServiceLevel, parse_country};

const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "UTC",
];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Explicit holidays (besides the yearly rules below).
const EXPLICIT: &[&str] = &["2026-12-24", "2026-12-31", "2028-02-29", "2030-06-14"];

/// The holiday oracle: the yearly rules of the config below, written out by hand.
fn is_holiday(d: Date) -> bool {
    let (m, day, wd) = (d.month(), d.day(), d.weekday());
    let fixed = matches!((m, day), (1, 1) | (7, 4) | (12, 25) | (12, 26) | (2, 29));
    let thanksgiving = m == 11 && wd == Weekday::Thursday && (day - 1) / 7 == 3;
    let memorial = m == 5 && wd == Weekday::Monday && day + 7 > 31;
    let first_monday_sep = m == 9 && wd == Weekday::Monday && day <= 7;
    fixed
        || thanksgiving
        || memorial
        || first_monday_sep
        || EXPLICIT.iter().any(|e| e.parse::<Date>().unwrap() == d)
}

fn is_business(d: Date, days: &[bool; 7]) -> bool {
    days[usize::try_from(d.weekday().to_monday_zero_offset()).unwrap()] && !is_holiday(d)
}

/// Business days in `(from, to]`.
fn business_days_between(from: Date, to: Date, days: &[bool; 7]) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.tomorrow().unwrap();
        if is_business(d, days) {
            n += 1;
        }
    }
    n
}

#[derive(Debug, Clone)]
struct Setup {
    zone: &'static str,
    cutoff: (u8, u8),
    days: [bool; 7],
    wh_processing: u8,
    item_processing: u8,
    min: u8,
    likely: u8,
    max: u8,
}

impl Setup {
    fn toml(&self) -> String {
        let business: Vec<String> = WEEKDAYS
            .iter()
            .zip(self.days)
            .filter(|(_, on)| *on)
            .map(|(w, _)| format!("\"{w}\""))
            .collect();
        let explicit: Vec<String> = EXPLICIT.iter().map(|d| format!("\"{d}\"")).collect();
        format!(
            r#"
[calendars.h]
dates = [{explicit}]
rules = [
  {{ month = 1, day = 1 }}, {{ month = 7, day = 4 }}, {{ month = 12, day = 25 }},
  {{ month = 12, day = 26 }}, {{ month = 2, day = 29 }},
  {{ month = 11, weekday = "thu", nth = 4 }}, {{ month = 5, weekday = "mon", nth = -1 }},
  {{ month = 9, weekday = "monday", nth = 1 }},
]
[[warehouses]]
id = "w"
time_zone = "{zone}"
cutoff = "{h:02}:{m:02}"
processing_days = {p}
business_days = [{business}]
holidays = ["h"]
address = {{ country = "DEU", postal_code = "10115" }}
[services.standard]
transit = {{ min = {min}, likely = {likely}, max = {max} }}
"#,
            explicit = explicit.join(", "),
            zone = self.zone,
            h = self.cutoff.0,
            m = self.cutoff.1,
            p = self.wh_processing,
            business = business.join(", "),
            min = self.min,
            likely = self.likely,
            max = self.max,
        )
    }
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::sample::select(ZONES),
        (0u8..24, 0u8..60),
        prop::array::uniform7(any::<bool>()).prop_filter("a business day", |d| d.contains(&true)),
        0u8..=5,
        0u8..=30,
        (0u8..=10, 0u8..=10, 0u8..=10),
    )
        .prop_map(
            |(zone, (h, m), days, wh_processing, item_processing, (min, a, b))| {
                let (a, b) = (a.min(b), a.max(b));
                Setup {
                    zone,
                    // 00:00 is rejected by the config (it can never be met).
                    cutoff: if (h, m) == (0, 0) { (0, 1) } else { (h, m) },
                    days,
                    wh_processing,
                    item_processing,
                    min,
                    likely: min + a,
                    max: min + b,
                }
            },
        )
}

/// Instants from 2000-01-01 to 2099-12-31.
fn instant() -> impl Strategy<Value = Timestamp> {
    (946_684_800i64..4_102_358_400).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn run(rules: &Rules, s: &Setup, now: Timestamp) -> Estimate {
    let dest = Destination::new(parse_country("FR").unwrap(), None, None).unwrap();
    let item = EddItem::new(ServiceLevel::parse("standard").unwrap(), s.item_processing).unwrap();
    rules.estimate(now, &dest, &item).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dates_are_ordered_business_days_with_exact_counts(s in setup(), now in instant()) {
        let rules = Rules::from_toml(&s.toml()).unwrap();
        let e = run(&rules, &s, now);
        let days = &s.days;

        prop_assert!(e.order_day <= e.pickup_day);
        prop_assert!(e.pickup_day <= e.min && e.min <= e.likely && e.likely <= e.max, "{e:?}");
        for (what, d) in [("order", e.order_day), ("pickup", e.pickup_day), ("min", e.min),
                          ("likely", e.likely), ("max", e.max)] {
            prop_assert!(is_business(d, days), "{what} {d} ({:?}) is not a business day", d.weekday());
        }
        let processing = i64::from(s.wh_processing) + i64::from(s.item_processing);
        prop_assert_eq!(business_days_between(e.order_day, e.pickup_day, days), processing);
        prop_assert_eq!(business_days_between(e.pickup_day, e.min, days), i64::from(s.min));
        prop_assert_eq!(business_days_between(e.pickup_day, e.likely, days), i64::from(s.likely));
        prop_assert_eq!(business_days_between(e.pickup_day, e.max, days), i64::from(s.max));

        // The order day is today (warehouse-local) or the first business day after it.
        let local = now.to_zoned(jiff::tz::TimeZone::get(s.zone).unwrap());
        let today = local.date();
        prop_assert!(e.order_day >= today);
        prop_assert!(business_days_between(today, e.order_day, days) <= 1);
        match &e.cutoff {
            Some(c) => {
                prop_assert_eq!(e.order_day, today);
                prop_assert!(now < c.timestamp());
                prop_assert_eq!(c.date(), today);
                let wall = jiff::civil::time(
                    i8::try_from(s.cutoff.0).unwrap(), i8::try_from(s.cutoff.1).unwrap(), 0, 0);
                prop_assert!(c.time() >= wall, "cutoff {c} before the wall time {wall}");
            }
            None => prop_assert!(e.order_day > today),
        }
    }

    #[test]
    fn a_later_order_never_gets_an_earlier_promise(
        s in setup(), now in instant(), later_by in 0i64..(10 * 86_400),
    ) {
        let rules = Rules::from_toml(&s.toml()).unwrap();
        let a = run(&rules, &s, now);
        let b = run(&rules, &s, now.checked_add(later_by.seconds()).unwrap());
        prop_assert!(a.order_day <= b.order_day);
        prop_assert!(a.min <= b.min && a.likely <= b.likely && a.max <= b.max);
    }
}
