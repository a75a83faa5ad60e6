//! Table-driven tests of the rules engine: cutoff minute, weekends, holidays, DST in
//! America/New_York and Europe/Berlin, year end and leap days; the AfterShip builder; the
//! cache key; and configuration errors that name their field.

use jiff::Timestamp;
use trackfront_edd::{ConfigError, EXAMPLE_CONFIG, EstimateError, PredictBatchRequest, Rules};
use trackfront_types::{Destination, EddItem, PostalCode, ServiceLevel, parse_country};

/// Warehouses are picked by destination country, so each test warehouse serves one
/// country: `nyc` (USA), `nyc7` (CAN, 7 days, cutoff 02:30 = inside the spring gap),
/// `nycfold` (MEX, 7 days, cutoff 01:30 = inside the fall fold), `ber7` (AUT, 7 days,
/// cutoff 02:30 = inside both Berlin's gap and fold), `leap` (CHE, 29 Feb is a holiday),
/// `ber` (everything else). Standard transit is 1 / 2 / 3 business days.
const TEST_CONFIG: &str = r#"
[calendars.us]
rules = [
  { month = 1, day = 1 },
  { month = 5, weekday = "mon", nth = -1 },
  { month = 11, weekday = "thu", nth = 4 },
  { month = 12, day = 25 },
]
[calendars.de]
rules = [
  { month = 1, day = 1 },
  { easter = -2 },
  { easter = 1 },
  { month = 12, day = 25 },
  { month = 12, day = 26 },
]
[calendars.closures]
dates = ["2026-12-31"]
[calendars.leap]
rules = [{ name = "leap day off", month = 2, day = 29 }]

[[warehouses]]
id = "nyc"
time_zone = "America/New_York"
cutoff = "14:00"
holidays = ["us"]
serves = ["USA"]
address = { country = "USA", state = "NY", city = "New York", postal_code = "10001" }

[[warehouses]]
id = "nyc7"
time_zone = "America/New_York"
cutoff = "02:30"
business_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
serves = ["CAN"]
address = { country = "USA", postal_code = "10001" }

[[warehouses]]
id = "nycfold"
time_zone = "America/New_York"
cutoff = "01:30"
business_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
serves = ["MEX"]
address = { country = "USA", postal_code = "10001" }

[[warehouses]]
id = "ber7"
time_zone = "Europe/Berlin"
cutoff = "02:30"
business_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
serves = ["AUT"]
address = { country = "DEU", postal_code = "10115" }

[[warehouses]]
id = "leap"
time_zone = "Europe/Berlin"
cutoff = "14:00"
holidays = ["leap"]
serves = ["CHE"]
address = { country = "DEU", postal_code = "10115" }

[[warehouses]]
id = "ber"
time_zone = "Europe/Berlin"
cutoff = "14:00"
holidays = ["de", "closures"]
address = { country = "DEU", state = "BE", city = "Berlin", postal_code = "10115" }

[services.standard]
aftership_slug = "ecms"
transit = { min = 1, likely = 2, max = 3 }

[services.express]
aftership_slug = "ecms"
service_type_name = "EXPRESS"
transit = { min = 1, max = 1 }

[services.pickup]
lanes = [{ countries = ["DEU"], min = 0, max = 0 }]
"#;

fn rules() -> Rules {
    Rules::from_toml(TEST_CONFIG).expect("test config is valid")
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn dest(country: &str) -> Destination {
    Destination::new(parse_country(country).unwrap(), None, None).unwrap()
}

fn item(service: &str, processing: u8) -> EddItem {
    EddItem::new(ServiceLevel::parse(service).unwrap(), processing).unwrap()
}

struct Case {
    name: &'static str,
    now: &'static str,
    country: &'static str,
    processing: u8,
    order_day: &'static str,
    dates: [&'static str; 3],
    cutoff: Option<&'static str>,
}

const fn case(
    name: &'static str,
    now: &'static str,
    country: &'static str,
    order_day: &'static str,
    dates: [&'static str; 3],
    cutoff: Option<&'static str>,
) -> Case {
    Case {
        name,
        now,
        country,
        processing: 0,
        order_day,
        dates,
        cutoff,
    }
}

const CASES: &[Case] = &[
    // --- The cutoff minute (Berlin, Wednesday 2026-11-25, cutoff 14:00 CET). ---
    case(
        "one second before the cutoff ships today",
        "2026-11-25T13:59:59+01:00",
        "DEU",
        "2026-11-25",
        ["2026-11-26", "2026-11-27", "2026-11-30"],
        Some("2026-11-25T14:00:00+01:00"),
    ),
    case(
        "a millisecond before the cutoff ships today",
        "2026-11-25T13:59:59.999+01:00",
        "DEU",
        "2026-11-25",
        ["2026-11-26", "2026-11-27", "2026-11-30"],
        Some("2026-11-25T14:00:00+01:00"),
    ),
    case(
        "exactly at the cutoff minute misses it",
        "2026-11-25T14:00:00+01:00",
        "DEU",
        "2026-11-26",
        ["2026-11-27", "2026-11-30", "2026-12-01"],
        None,
    ),
    case(
        "the cutoff is the warehouse's 14:00, not UTC's (13:30Z is 14:30 in Berlin)",
        "2026-11-25T13:30:00Z",
        "DEU",
        "2026-11-26",
        ["2026-11-27", "2026-11-30", "2026-12-01"],
        None,
    ),
    // --- Weekends. ---
    case(
        "Friday before the cutoff: transit skips the weekend",
        "2026-11-27T10:00:00+01:00",
        "DEU",
        "2026-11-27",
        ["2026-11-30", "2026-12-01", "2026-12-02"],
        Some("2026-11-27T14:00:00+01:00"),
    ),
    case(
        "Friday after the cutoff ships Monday",
        "2026-11-27T15:00:00+01:00",
        "DEU",
        "2026-11-30",
        ["2026-12-01", "2026-12-02", "2026-12-03"],
        None,
    ),
    case(
        "Saturday morning has no cutoff to count down to",
        "2026-11-28T10:00:00+01:00",
        "DEU",
        "2026-11-30",
        ["2026-12-01", "2026-12-02", "2026-12-03"],
        None,
    ),
    // --- A holiday on Monday. ---
    case(
        "Friday after the cutoff before Memorial Day ships Tuesday",
        "2026-05-22T15:00:00-04:00",
        "USA",
        "2026-05-26",
        ["2026-05-27", "2026-05-28", "2026-05-29"],
        None,
    ),
    case(
        "ordering on Memorial Day morning: no cutoff, ships Tuesday",
        "2026-05-25T10:00:00-04:00",
        "USA",
        "2026-05-26",
        ["2026-05-27", "2026-05-28", "2026-05-29"],
        None,
    ),
    case(
        "transit skips the weekend and Memorial Day",
        "2026-05-21T10:00:00-04:00",
        "USA",
        "2026-05-21",
        ["2026-05-22", "2026-05-26", "2026-05-27"],
        Some("2026-05-21T14:00:00-04:00"),
    ),
    case(
        "Thursday after the cutoff before Good Friday + Easter Monday ships Tuesday",
        "2026-04-02T15:00:00+02:00",
        "DEU",
        "2026-04-07",
        ["2026-04-08", "2026-04-09", "2026-04-10"],
        None,
    ),
    // --- Spring forward, America/New_York (2026-03-08 02:00 EST -> 03:00 EDT). ---
    case(
        "NY gap: 01:59:59 EST still makes a 02:30 cutoff, which falls at 03:00 EDT",
        "2026-03-08T06:59:59Z",
        "CAN",
        "2026-03-08",
        ["2026-03-09", "2026-03-10", "2026-03-11"],
        Some("2026-03-08T03:00:00-04:00"),
    ),
    case(
        "NY gap: 03:00:00 EDT has passed a 02:30 cutoff",
        "2026-03-08T07:00:00Z",
        "CAN",
        "2026-03-09",
        ["2026-03-10", "2026-03-11", "2026-03-12"],
        None,
    ),
    case(
        "NY: the day before the change, a 02:30 cutoff is an ordinary EST instant",
        "2026-03-07T07:29:00Z",
        "CAN",
        "2026-03-07",
        ["2026-03-08", "2026-03-09", "2026-03-10"],
        Some("2026-03-07T02:30:00-05:00"),
    ),
    case(
        "NY Monday after spring forward: 17:59Z is 13:59 EDT, before the cutoff",
        "2026-03-09T17:59:00Z",
        "USA",
        "2026-03-09",
        ["2026-03-10", "2026-03-11", "2026-03-12"],
        Some("2026-03-09T14:00:00-04:00"),
    ),
    case(
        "NY Monday after spring forward: 18:30Z is 14:30 EDT (not 13:30 EST), missed",
        "2026-03-09T18:30:00Z",
        "USA",
        "2026-03-10",
        ["2026-03-11", "2026-03-12", "2026-03-13"],
        None,
    ),
    // --- Fall back, America/New_York (2026-11-01 02:00 EDT -> 01:00 EST). ---
    case(
        "NY fold: 01:29:59 EDT makes a 01:30 cutoff, the first 01:30",
        "2026-11-01T05:29:59Z",
        "MEX",
        "2026-11-01",
        ["2026-11-02", "2026-11-03", "2026-11-04"],
        Some("2026-11-01T01:30:00-04:00"),
    ),
    case(
        "NY fold: the first 01:30 EDT misses it",
        "2026-11-01T05:30:00Z",
        "MEX",
        "2026-11-02",
        ["2026-11-03", "2026-11-04", "2026-11-05"],
        None,
    ),
    case(
        "NY fold: 01:10 EST (second pass) stays missed though the clock reads < 01:30",
        "2026-11-01T06:10:00Z",
        "MEX",
        "2026-11-02",
        ["2026-11-03", "2026-11-04", "2026-11-05"],
        None,
    ),
    // --- Europe/Berlin: spring forward 2026-03-29 02:00 CET -> 03:00 CEST. ---
    case(
        "Berlin gap: 01:59:59 CET makes a 02:30 cutoff, which falls at 03:00 CEST",
        "2026-03-29T00:59:59Z",
        "AUT",
        "2026-03-29",
        ["2026-03-30", "2026-03-31", "2026-04-01"],
        Some("2026-03-29T03:00:00+02:00"),
    ),
    case(
        "Berlin gap: 03:00 CEST has passed a 02:30 cutoff",
        "2026-03-29T01:00:00Z",
        "AUT",
        "2026-03-30",
        ["2026-03-31", "2026-04-01", "2026-04-02"],
        None,
    ),
    case(
        "Berlin Monday after spring forward: 11:59Z is 13:59 CEST, before the cutoff",
        "2026-03-30T11:59:00Z",
        "DEU",
        "2026-03-30",
        ["2026-03-31", "2026-04-01", "2026-04-02"],
        Some("2026-03-30T14:00:00+02:00"),
    ),
    case(
        "Berlin Monday after spring forward: 12:30Z is 14:30 CEST, missed; max skips Easter",
        "2026-03-30T12:30:00Z",
        "DEU",
        "2026-03-31",
        ["2026-04-01", "2026-04-02", "2026-04-07"],
        None,
    ),
    // --- Europe/Berlin: fall back 2026-10-25 03:00 CEST -> 02:00 CET. ---
    case(
        "Berlin fold: 02:29:59 CEST makes a 02:30 cutoff, the first 02:30",
        "2026-10-25T00:29:59Z",
        "AUT",
        "2026-10-25",
        ["2026-10-26", "2026-10-27", "2026-10-28"],
        Some("2026-10-25T02:30:00+02:00"),
    ),
    case(
        "Berlin fold: 02:10 CET (second pass) stays missed",
        "2026-10-25T01:10:00Z",
        "AUT",
        "2026-10-26",
        ["2026-10-27", "2026-10-28", "2026-10-29"],
        None,
    ),
    // --- 31 December. ---
    case(
        "Berlin: after the cutoff on 30 Dec skips the 31 Dec closure, New Year and a weekend",
        "2026-12-30T15:00:00+01:00",
        "DEU",
        "2027-01-04",
        ["2027-01-05", "2027-01-06", "2027-01-07"],
        None,
    ),
    case(
        "NY 31 Dec morning ships today; delivery skips New Year's Day and the weekend",
        "2026-12-31T10:00:00-05:00",
        "USA",
        "2026-12-31",
        ["2027-01-04", "2027-01-05", "2027-01-06"],
        Some("2026-12-31T14:00:00-05:00"),
    ),
    case(
        "NY 31 Dec 23:30 EST is already 1 Jan in UTC; the warehouse's date decides",
        "2027-01-01T04:30:00Z",
        "USA",
        "2027-01-04",
        ["2027-01-05", "2027-01-06", "2027-01-07"],
        None,
    ),
    // --- 29 February. ---
    case(
        "after the cutoff on 28 Feb 2028 ships on the leap day",
        "2028-02-28T15:00:00+01:00",
        "DEU",
        "2028-02-29",
        ["2028-03-01", "2028-03-02", "2028-03-03"],
        None,
    ),
    case(
        "ordering on 29 Feb 2024 before the cutoff",
        "2024-02-29T10:00:00+01:00",
        "DEU",
        "2024-02-29",
        ["2024-03-01", "2024-03-04", "2024-03-05"],
        Some("2024-02-29T14:00:00+01:00"),
    ),
    case(
        "a yearly 29 Feb holiday applies in 2028",
        "2028-02-28T15:00:00+01:00",
        "CHE",
        "2028-03-01",
        ["2028-03-02", "2028-03-03", "2028-03-06"],
        None,
    ),
    case(
        "a yearly 29 Feb holiday is simply absent in 2027",
        "2027-02-26T15:00:00+01:00",
        "CHE",
        "2027-03-01",
        ["2027-03-02", "2027-03-03", "2027-03-04"],
        None,
    ),
    Case {
        name: "product processing days are business days before pickup",
        now: "2026-11-25T10:00:00+01:00",
        country: "DEU",
        processing: 2,
        order_day: "2026-11-25",
        dates: ["2026-11-30", "2026-12-01", "2026-12-02"],
        cutoff: Some("2026-11-25T14:00:00+01:00"),
    },
];

#[test]
fn table() {
    let rules = rules();
    let mut failures = Vec::new();
    for c in CASES {
        let e = rules
            .estimate(ts(c.now), &dest(c.country), &item("standard", c.processing))
            .unwrap_or_else(|err| panic!("{}: {err}", c.name));
        let got = (
            e.order_day.to_string(),
            [e.min.to_string(), e.likely.to_string(), e.max.to_string()],
            e.cutoff_rfc3339(),
        );
        let want = (
            c.order_day.to_owned(),
            c.dates.map(str::to_owned),
            c.cutoff.map(str::to_owned),
        );
        if got != want {
            failures.push(format!("{}\n   got {got:?}\n  want {want:?}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rules_can_be_shared_across_request_tasks() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Rules>();
    send_sync::<trackfront_edd::Estimate>();
}

#[test]
fn same_day_transit_and_dto() {
    let rules = rules();
    let e = rules
        .estimate(
            ts("2026-11-25T10:00:00+01:00"),
            &dest("DE"),
            &item("pickup", 0),
        )
        .unwrap();
    assert_eq!(
        (e.min.to_string(), e.max.to_string()),
        ("2026-11-25".into(), "2026-11-25".into())
    );

    let all = rules.estimate_all(
        ts("2026-11-25T10:00:00+01:00"),
        &dest("DE"),
        &[
            item("standard", 0),
            item("express", 0),
            item("overnight", 0),
        ],
    );
    let json = serde_json::to_string(all[0].as_ref().unwrap()).unwrap();
    assert_eq!(
        json,
        r#"{"service":"standard","source":"rules","min":"2026-11-26","likely":"2026-11-27","max":"2026-11-30","cutoff":"2026-11-25T14:00:00+01:00"}"#
    );
    assert_eq!(
        all[1].as_ref().unwrap().min(),
        all[1].as_ref().unwrap().max()
    );
    assert_eq!(
        all[2],
        Err(EstimateError::UnknownService(
            ServiceLevel::parse("overnight").unwrap()
        ))
    );
}

#[test]
fn estimate_errors() {
    let rules = rules();
    let now = ts("2026-11-25T10:00:00Z");
    // `pickup` only has a lane for Germany and no default.
    assert!(matches!(
        rules.estimate(now, &dest("FR"), &item("pickup", 0)),
        Err(EstimateError::NoTransitRule { .. })
    ));
    let only_us = TEST_CONFIG.replace(
        "address = { country = \"DEU\", state = \"BE\"",
        "serves = [\"USA\"]\naddress = { country = \"DEU\", state = \"BE\"",
    );
    let only_us = Rules::from_toml(&only_us).unwrap();
    assert_eq!(
        only_us.estimate(now, &dest("FR"), &item("standard", 0)),
        Err(EstimateError::NoWarehouse(parse_country("FRA").unwrap()))
    );
}

#[test]
fn extreme_instants_are_errors_not_panics() {
    let rules = rules();
    for now in [Timestamp::MIN, Timestamp::MAX] {
        for c in ["DE", "US", "CA", "MX"] {
            let _ = rules.estimate(now, &dest(c), &item("standard", 30));
            let _ = rules.predict_item(now, &us_dest(), &item("standard", 30));
            let _ = rules.cache_key(now, &dest(c), &item("standard", 30));
        }
    }
    // Delivery would fall after 9999-12-31.
    let e = rules.estimate(
        ts("9999-12-30T10:00:00Z"),
        &dest("DE"),
        &item("standard", 0),
    );
    assert_eq!(e, Err(EstimateError::OutOfRange));
}

#[test]
fn example_config_observed_holidays() {
    let rules = Rules::from_toml(EXAMPLE_CONFIG).unwrap();
    let ny = Destination::new(parse_country("US").unwrap(), None, Some("NY")).unwrap();
    // Thursday 2 July 2026 after the cutoff: Friday 3 July is Independence Day observed.
    let e = rules
        .estimate(ts("2026-07-02T15:00:00-04:00"), &ny, &item("express", 0))
        .unwrap();
    assert_eq!(e.order_day.to_string(), "2026-07-06");
    // Thursday 30 December 2027 after the cutoff: Friday 31 December is New Year's Day
    // 2028 (a Saturday) observed.
    let e = rules
        .estimate(ts("2027-12-30T15:00:00-05:00"), &ny, &item("express", 0))
        .unwrap();
    assert_eq!(e.order_day.to_string(), "2028-01-03");
}

#[test]
fn example_config_lanes() {
    let rules = Rules::from_toml(EXAMPLE_CONFIG).unwrap();
    assert_eq!(rules.warehouses().collect::<Vec<_>>(), ["nyc", "ber"]);
    let now = ts("2026-12-01T15:00:00Z"); // Tuesday, 10:00 in New York
    let hawaii = Destination::new(parse_country("US").unwrap(), None, Some("hi")).unwrap();
    let e = rules.estimate(now, &hawaii, &item("standard", 0)).unwrap();
    assert_eq!(
        (e.warehouse.as_str(), e.transit.min, e.transit.max),
        ("nyc", 4, 8)
    );
    let ny = Destination::new(parse_country("US").unwrap(), None, Some("NY")).unwrap();
    let e = rules.estimate(now, &ny, &item("standard", 0)).unwrap();
    assert_eq!((e.transit.min, e.transit.likely, e.transit.max), (2, 3, 5));
    let e = rules
        .estimate(now, &dest("FR"), &item("standard", 0))
        .unwrap();
    assert_eq!((e.warehouse.as_str(), e.transit.min), ("ber", 2));
    let e = rules
        .estimate(now, &dest("JP"), &item("express", 0))
        .unwrap();
    assert_eq!(
        (e.warehouse.as_str(), e.transit.min, e.transit.max),
        ("ber", 3, 5)
    );
}

// --- AfterShip predict-batch items and cache keys. -----------------------------------

fn us_dest() -> Destination {
    Destination::new(
        parse_country("US").unwrap(),
        Some(PostalCode::parse("10001").unwrap()),
        Some("NY"),
    )
    .unwrap()
}

#[test]
fn predict_item_uses_warehouse_local_time() {
    let rules = rules();
    // Monday 2026-11-30 10:00 EST, one processing day: no holiday in the way.
    let p = rules
        .predict_item(ts("2026-11-30T15:00:00Z"), &us_dest(), &item("express", 1))
        .unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "slug": "ecms",
            "service_type_name": "EXPRESS",
            "origin_address": {"country_region": "USA", "state": "NY", "city": "New York", "postal_code": "10001"},
            "destination_address": {"country_region": "USA", "state": "NY", "postal_code": "10001"},
            "estimated_pickup": {
                "order_time": "2026-11-30 10:00:00",
                "order_cutoff_time": "14:00:00",
                "business_days": [1, 2, 3, 4, 5],
                "order_processing_time": {"unit": "day", "value": 1}
            }
        })
    );
}

#[test]
fn predict_item_moves_order_time_past_holidays_aftership_does_not_know() {
    let rules = rules();
    // Wednesday before Thanksgiving, 10:00 EST, one processing day: AfterShip would pick up
    // on Thanksgiving (Thu 26); the merchant's calendar says Friday 27.
    let now = ts("2026-11-25T15:00:00Z");
    let p = rules
        .predict_item(now, &us_dest(), &item("express", 1))
        .unwrap();
    assert_eq!(p.estimated_pickup.order_time, "2026-11-27 00:00:00");
    assert_eq!(p.estimated_pickup.order_processing_time.value, 0);
    assert_eq!(
        rules
            .pickup_day(now, &us_dest(), &item("express", 1))
            .unwrap()
            .to_string(),
        "2026-11-27"
    );
}

#[test]
fn predict_item_errors_and_batches() {
    let rules = rules();
    let now = ts("2026-11-30T15:00:00Z");
    assert_eq!(
        rules.predict_item(now, &dest("US"), &item("standard", 0)),
        Err(EstimateError::DestinationTooVague)
    );
    assert!(matches!(
        rules.predict_item(now, &us_dest(), &item("pickup", 0)),
        Err(EstimateError::NoCourier(_))
    ));
    let one = rules
        .predict_item(now, &us_dest(), &item("standard", 0))
        .unwrap();
    let batches = PredictBatchRequest::batches(vec![one; 11]);
    assert_eq!(
        batches
            .iter()
            .map(|b| b.estimated_delivery_dates.len())
            .collect::<Vec<_>>(),
        [5, 5, 1]
    );
}

#[test]
fn cache_key_is_lane_service_and_pickup_day() {
    let rules = rules();
    let k = |now, d: &Destination, i: &EddItem| rules.cache_key(ts(now), d, i).unwrap();
    let std0 = item("standard", 0);
    assert_eq!(
        k("2026-11-30T15:00:00Z", &us_dest(), &std0),
        "edd1|nyc|USA|p:100|standard|2026-11-30"
    );
    // Before the cutoff with one processing day and after it with none: same pickup day,
    // same key.
    assert_eq!(
        k("2026-11-30T15:00:00Z", &us_dest(), &item("standard", 1)),
        k("2026-11-30T20:00:00Z", &us_dest(), &std0)
    );
    let state_only = Destination::new(parse_country("US").unwrap(), None, Some("ny")).unwrap();
    assert_eq!(
        k("2026-11-30T15:00:00Z", &state_only, &std0),
        "edd1|nyc|USA|s:NY|standard|2026-11-30"
    );
    // 15:00Z is 16:00 in Berlin: after the cutoff, so pickup is the next day.
    assert_eq!(
        k("2026-11-30T15:00:00Z", &dest("FR"), &std0),
        "edd1|ber|FRA|-|standard|2026-12-01"
    );
}

// --- Configuration errors name their field. ------------------------------------------

/// A valid one-warehouse config with `{W}` (extra warehouse keys), `{S}` (the standard
/// service's body) and `{C}` (extra top-level tables) to splice in.
const BASE: &str = r#"
{C}
[[warehouses]]
id = "w"
time_zone = "Europe/Berlin"
cutoff = "14:00"
address = { country = "DEU", postal_code = "10115" }
{W}

[services.standard]
{S}
"#;

fn cfg(w: &str, s: &str, c: &str) -> Result<Rules, ConfigError> {
    let s = if s.is_empty() {
        "transit = { min = 1, max = 2 }"
    } else {
        s
    };
    // A warehouse key given in `w` (before any table header) replaces the base's line.
    let mut base = BASE.to_owned();
    for line in w.lines().take_while(|l| !l.starts_with('[')) {
        if let Some((key, _)) = line.split_once(" = ") {
            let prefix = format!("\n{key} = ");
            if let Some(start) = base.find(&prefix) {
                let end = base[start + 1..]
                    .find('\n')
                    .map_or(base.len(), |e| start + 1 + e);
                base.replace_range(start..end, "");
            }
        }
    }
    Rules::from_toml(&base.replace("{W}", w).replace("{S}", s).replace("{C}", c))
}

#[test]
fn base_config_is_valid() {
    cfg("", "", "").unwrap();
}

#[test]
fn config_errors_name_the_field() {
    let cal = |rule: &str| format!("[calendars.x]\nrules = [{rule}]");
    let cases: Vec<(String, String, String, &str)> = vec![
        ("time_zone = \"Europe/Berln\"".into(), "".into(), "".into(), "warehouses[0].time_zone"),
        ("cutoff = \"25:00\"".into(), "".into(), "".into(), "warehouses[0].cutoff"),
        ("cutoff = \"2pm\"".into(), "".into(), "".into(), "warehouses[0].cutoff"),
        ("cutoff = \"00:00\"".into(), "".into(), "".into(), "warehouses[0].cutoff"),
        ("processing_days = 31".into(), "".into(), "".into(), "warehouses[0].processing_days"),
        (
            "business_days = [\"mon\", \"funday\"]".into(),
            "".into(),
            "".into(),
            "warehouses[0].business_days[1]",
        ),
        ("business_days = []".into(), "".into(), "".into(), "warehouses[0].business_days"),
        ("holidays = [\"nope\"]".into(), "".into(), "".into(), "warehouses[0].holidays[0]"),
        ("serves = [\"DEU\", \"ZZZ\"]".into(), "".into(), "".into(), "warehouses[0].serves[1]"),
        ("id = \"w w\"".into(), "".into(), "".into(), "warehouses[0].id"),
        (
            "[[warehouses]]\nid = \"w\"\ntime_zone = \"UTC\"\ncutoff = \"12:00\"\naddress = { country = \"DEU\", state = \"BE\" }".into(),
            "".into(),
            "".into(),
            "warehouses[1].id",
        ),
        (
            "".into(),
            "".into(),
            "[calendars.x]\ndates = [\"2026-02-30\"]".into(),
            "calendars.x.dates[0]",
        ),
        ("".into(), "".into(), cal("{ month = 2, day = 30 }"), "calendars.x.rules[0].day"),
        ("".into(), "".into(), cal("{ month = 13, day = 1 }"), "calendars.x.rules[0].month"),
        (
            "".into(),
            "".into(),
            cal("{ month = 11, weekday = \"thu\", nth = 0 }"),
            "calendars.x.rules[0].nth",
        ),
        ("".into(), "".into(), cal("{ weekday = \"thu\", nth = 4 }"), "calendars.x.rules[0].month"),
        (
            "".into(),
            "".into(),
            cal("{ month = 11, weekday = \"thursdy\", nth = 4 }"),
            "calendars.x.rules[0].weekday",
        ),
        (
            "".into(),
            "".into(),
            cal("{ month = 1, day = 1, weekday = \"mon\" }"),
            "calendars.x.rules[0]",
        ),
        ("".into(), "".into(), cal("{ easter = 1000 }"), "calendars.x.rules[0].easter"),
        (
            "".into(),
            "".into(),
            cal("{ month = 7, day = 4, observed = \"sometimes\" }"),
            "calendars.x.rules[0].observed",
        ),
        ("".into(), "".into(), "[regions]\neu = [\"FRA\", \"XYZ\"]".into(), "regions.eu[1]"),
        ("".into(), "transit = { min = 5, max = 3 }".into(), "".into(), "services.standard.transit.min"),
        (
            "".into(),
            "transit = { min = 1, likely = 5, max = 3 }".into(),
            "".into(),
            "services.standard.transit.likely",
        ),
        (
            "".into(),
            "lanes = [{ countries = [\"DEU\", \"XYZ\"], min = 1, max = 2 }]".into(),
            "".into(),
            "services.standard.lanes[0].countries[1]",
        ),
        (
            "".into(),
            "lanes = [{ regions = [\"mars\"], min = 1, max = 2 }]".into(),
            "".into(),
            "services.standard.lanes[0].regions[0]",
        ),
        (
            "".into(),
            "lanes = [{ warehouse = \"nope\", min = 1, max = 2 }]".into(),
            "".into(),
            "services.standard.lanes[0].warehouse",
        ),
        (
            "".into(),
            "lanes = [{ min = 1, max = 99 }]".into(),
            "".into(),
            "services.standard.lanes[0].max",
        ),
        (
            "".into(),
            "aftership_slug = \"DHL Express\"\ntransit = { min = 1, max = 2 }".into(),
            "".into(),
            "services.standard.aftership_slug",
        ),
        ("".into(), "lanes = []".into(), "".into(), "services.standard"),
    ];
    for (w, s, c, field) in &cases {
        let err = cfg(w, s, c).expect_err(field);
        assert_eq!(err.field(), Some(*field), "{err}");
        assert!(err.to_string().contains(field), "{err}");
    }

    // Address without state or postal code; address country.
    let no_region = BASE.replace(
        "address = { country = \"DEU\", postal_code = \"10115\" }",
        "address = { country = \"DEU\" }",
    );
    let no_region = no_region
        .replace("{W}", "")
        .replace("{S}", "transit = { min = 1, max = 2 }")
        .replace("{C}", "");
    assert_eq!(
        Rules::from_toml(&no_region).unwrap_err().field(),
        Some("warehouses[0].address")
    );
    let bad_country = BASE.replace("country = \"DEU\"", "country = \"XX\"");
    let bad_country = bad_country
        .replace("{W}", "")
        .replace("{S}", "transit = { min = 1, max = 2 }")
        .replace("{C}", "");
    assert_eq!(
        Rules::from_toml(&bad_country).unwrap_err().field(),
        Some("warehouses[0].address.country")
    );

    // A service name the widget could never send.
    let upper = BASE.replace("[services.standard]", "[services.Standard]");
    let upper = upper
        .replace("{W}", "")
        .replace("{S}", "transit = { min = 1, max = 2 }")
        .replace("{C}", "");
    assert_eq!(
        Rules::from_toml(&upper).unwrap_err().field(),
        Some("services.Standard")
    );
    assert_eq!(
        Rules::from_toml("warehouses = []\n[services.s]\ntransit = { min = 1, max = 2 }")
            .unwrap_err()
            .field(),
        Some("warehouses")
    );
}

#[test]
fn schema_errors_name_the_key() {
    // Typo in a key: rejected, not defaulted.
    let err = cfg("cutof = \"15:00\"", "", "").unwrap_err();
    assert!(matches!(err, ConfigError::Toml(_)), "{err}");
    assert!(err.to_string().contains("cutof"), "{err}");
    // Missing key.
    let err = Rules::from_toml(
        &BASE
            .replace("time_zone = \"Europe/Berlin\"\n", "")
            .replace("{W}", "")
            .replace("{S}", "transit = { min = 1, max = 2 }")
            .replace("{C}", ""),
    )
    .unwrap_err();
    assert!(err.to_string().contains("time_zone"), "{err}");
    // Wrong type.
    let err = cfg("processing_days = \"two\"", "", "").unwrap_err();
    assert!(err.to_string().contains("processing_days"), "{err}");
    // Not TOML.
    assert!(matches!(
        Rules::from_toml("[[warehouses"),
        Err(ConfigError::Toml(_))
    ));
}
