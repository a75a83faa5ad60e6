//! The simulated clock and the date formats AfterShip uses.

use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// The furthest the clock can be advanced in all: a century is more than any journey
/// needs, and keeps every date the sandbox computes far from the end of representable time.
const MAX_ADVANCE: SignedDuration = SignedDuration::from_hours(24 * 366 * 100);

/// The latest start accepted (a start beyond is clamped): far enough from year 9999 for
/// the maximal advance plus any journey.
const LATEST_START_SECOND: i64 = 221_845_392_000; // 9000-01-01T00:00:00Z

/// Simulated time: a start instant plus whatever tests or the demo advanced it by. It does
/// not follow real time, so progress is reproducible.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: Timestamp,
    advanced: SignedDuration,
}

impl Clock {
    pub fn new(start: Option<Timestamp>) -> Self {
        // Whole seconds keep every rendered date stable.
        let start = start.unwrap_or_else(Timestamp::now);
        let second = start.as_second().clamp(0, LATEST_START_SECOND);
        let start = Timestamp::from_second(second).expect("clamped into range");
        Self {
            start,
            advanced: SignedDuration::ZERO,
        }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn now(&self) -> Timestamp {
        self.start + self.advanced
    }

    pub fn advance(&mut self, by: Duration) {
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        self.advanced = self.advanced.saturating_add(by).min(MAX_ADVANCE);
    }
}

/// `hours` after `t` (negative = before).
pub(crate) fn plus_hours(t: Timestamp, hours: f64) -> Timestamp {
    t + SignedDuration::from_secs_f64(hours * 3600.0)
}

fn zone(utc_offset_hours: i8) -> TimeZone {
    TimeZone::fixed(Offset::constant(utc_offset_hours))
}

/// `YYYY-MM-DDTHH:mm:ss+HH:MM` in the given fixed offset (carrier-local times).
pub(crate) fn local_datetime(t: Timestamp, utc_offset_hours: i8) -> String {
    t.to_zoned(zone(utc_offset_hours))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `YYYY-MM-DDTHH:mm:ss+00:00` (AfterShip's own timestamps).
pub(crate) fn utc_datetime(t: Timestamp) -> String {
    local_datetime(t, 0)
}

/// `YYYY-MM-DD` in the given offset.
pub(crate) fn local_date(t: Timestamp, utc_offset_hours: i8) -> String {
    t.to_zoned(zone(utc_offset_hours))
        .strftime("%Y-%m-%d")
        .to_string()
}

/// Parses the date-time forms AfterShip accepts: RFC 3339 (`…Z` or `…+HH:MM`), a
/// zone-less `YYYY-MM-DDTHH:mm:ss` (read as UTC) or `YYYY-MM-DD` (midnight UTC).
pub(crate) fn parse_datetime(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    s.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_carry_the_city_offset() {
        let t: Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
        assert_eq!(local_datetime(t, 8), "2026-11-27T18:00:00+08:00");
        assert_eq!(local_datetime(t, -8), "2026-11-27T02:00:00-08:00");
        assert_eq!(utc_datetime(t), "2026-11-27T10:00:00+00:00");
        assert_eq!(local_date(t, -8), "2026-11-27");
    }

    #[test]
    fn parses_the_accepted_forms() {
        for s in [
            "2026-01-02",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05+08:00",
        ] {
            assert!(parse_datetime(s).is_some(), "{s}");
        }
        assert!(parse_datetime("yesterday").is_none());
    }

    #[test]
    fn advancing_past_the_end_of_time_saturates_instead_of_panicking() {
        let mut c = Clock::new(Some("9999-12-30T00:00:00Z".parse().unwrap()));
        c.advance(Duration::MAX);
        c.advance(Duration::MAX);
        let now = c.now();
        assert!(now > c.start());
        assert!(
            utc_datetime(plus_hours(now, 24.0 * 400.0)).starts_with("91"),
            "{now}"
        );
        assert_eq!(
            utc_datetime(Timestamp::from_second(LATEST_START_SECOND).unwrap()),
            "9000-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn advancing_moves_now_but_not_the_start() {
        let mut c = Clock::new(Some("2026-11-27T10:00:00.7Z".parse().unwrap()));
        c.advance(Duration::from_secs(3600));
        assert_eq!(utc_datetime(c.now()), "2026-11-27T11:00:00+00:00");
        assert_eq!(utc_datetime(c.start()), "2026-11-27T10:00:00+00:00");
    }
}
