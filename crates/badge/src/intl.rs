//! Dates and times through the browser's `Intl`, so the badge ships no locale data.
//!
//! Delivery dates are civil dates (`YYYY-MM-DD`): each is turned into the UTC midnight of
//! that day, built from its parts (never `new Date("2026-12-02")` in local time, never
//! `toISOString`), and formatted with `timeZone: "UTC"`, so no browser time zone can move
//! it by a day. The binding itself is shared with the widget (`trackfront-intl`).

use js_sys::Date;
use trackfront_intl::{format, utc_midnight};
use trackfront_types::IsoDate;
use wasm_bindgen::JsValue;

/// `Tue, Dec 2` in `lang` (weekday, month and day; the year only when it is not this
/// year's).
pub fn date(lang: &str, d: IsoDate, this_year: u16) -> String {
    let mut opts = vec![
        ("weekday", "short"),
        ("month", "short"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ];
    if d.year() != this_year {
        opts.push(("year", "numeric"));
    }
    format(lang, &utc_midnight(d), &opts).unwrap_or_else(|| crate::logic::iso(d))
}

/// A local clock time (`2:00 PM`) of an instant given in milliseconds since the epoch, in
/// the shopper's own time zone.
pub fn clock(lang: &str, ms: f64) -> String {
    format(
        lang,
        &Date::new(&JsValue::from_f64(ms)),
        &[("hour", "numeric"), ("minute", "2-digit")],
    )
    .unwrap_or_default()
}
