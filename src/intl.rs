//! Date and time formatting through the browser's `Intl`, so the widget ships no locale
//! or time-zone data. Checkpoint times are shown in the checkpoint's own UTC offset
//! (the carrier's local time), calendar dates are formatted as UTC midnights so no
//! time-zone shift can move them.
//!
//! `www/public/intl-warm.js` makes the same kinds of calls in a worker while the first
//! lookup is on the network, so that ICU's start-up is not paid on the main thread; keep
//! its option sets in step with the ones here.

use js_sys::Date;
use trackfront_intl::{format as format_with, utc_midnight};
use trackfront_types::IsoDate;
use wasm_bindgen::JsValue;

/// The parts of a checkpoint timestamp the widget needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The local calendar date at the checkpoint.
    pub date: IsoDate,
    /// Whether the timestamp has a time of day.
    pub has_time: bool,
    /// The UTC offset written in the timestamp (`+08:00`, `Z`), if any.
    pub offset: Option<String>,
}

impl Stamp {
    /// Splits an AfterShip timestamp (`2026-11-20`, `2026-11-20T14:05:00`,
    /// `2026-11-20T14:05:00+08:00`, `…Z`). `None` when it does not start with a date.
    pub fn parse(raw: &str) -> Option<Self> {
        let date = IsoDate::from_timestamp_prefix(raw)?;
        let time = raw.get(11..).unwrap_or_default();
        let offset = if time.ends_with('Z') {
            Some("+00:00".to_owned())
        } else {
            time.get(time.len().saturating_sub(6)..)
                .filter(|o| {
                    let b = o.as_bytes();
                    b.len() == 6 && (b[0] == b'+' || b[0] == b'-') && b[3] == b':'
                })
                .map(str::to_owned)
        };
        Some(Self {
            date,
            has_time: !time.is_empty(),
            offset,
        })
    }
}

/// A calendar date in the shopper's language, e.g. "Friday, 20 November 2026".
pub fn long_date(locale: &str, d: IsoDate) -> String {
    format_with(
        locale,
        &utc_midnight(d),
        &[
            ("timeZone", "UTC"),
            ("weekday", "long"),
            ("day", "numeric"),
            ("month", "long"),
            ("year", "numeric"),
        ],
    )
    .unwrap_or_else(|| d.to_iso())
}

/// A short calendar date, e.g. "Fri, 20 Nov".
pub fn short_date(locale: &str, d: IsoDate) -> String {
    format_with(
        locale,
        &utc_midnight(d),
        &[
            ("timeZone", "UTC"),
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
        ],
    )
    .unwrap_or_else(|| d.to_iso())
}

/// The time of day of a checkpoint in its own offset, e.g. "14:05" or "2:05 PM".
/// Times without an offset are the carrier's local wall-clock time and are shown as
/// written. `None` when the timestamp carries no time of day.
pub fn time_of_day(locale: &str, raw: &str, stamp: &Stamp) -> Option<String> {
    if !stamp.has_time {
        return None;
    }
    let date = Date::new(&JsValue::from_str(raw));
    if date.get_time().is_nan() {
        return None;
    }
    let mut pairs = vec![("hour", "numeric"), ("minute", "2-digit")];
    if let Some(offset) = stamp.offset.as_deref() {
        pairs.push(("timeZone", offset));
    }
    format_with(locale, &date, &pairs)
        // Browsers without offset time zones fall back to the raw wall-clock time.
        .or_else(|| raw.get(11..16).map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_keep_their_own_offset_and_date() {
        let s = Stamp::parse("2026-11-20T23:30:00-05:00").unwrap();
        assert_eq!(s.date.to_string(), "2026-11-20");
        assert_eq!(s.offset.as_deref(), Some("-05:00"));
        assert!(s.has_time);
        let z = Stamp::parse("2026-11-20T10:00:00Z").unwrap();
        assert_eq!(z.offset.as_deref(), Some("+00:00"));
        let local = Stamp::parse("2026-11-20T10:00:00").unwrap();
        assert_eq!(local.offset, None);
        let day = Stamp::parse("2026-11-20").unwrap();
        assert!(!day.has_time);
        assert!(Stamp::parse("yesterday").is_none());
    }
}
