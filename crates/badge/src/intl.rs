//! Dates and times through the browser's `Intl`, so the badge ships no locale data.
//!
//! Delivery dates are civil dates (`YYYY-MM-DD`): each is turned into the UTC midnight of
//! that day, built from its parts (never `new Date("2026-12-02")` in local time, never
//! `toISOString`), and formatted with `timeZone: "UTC"`, so no browser time zone can move
//! it by a day. `Intl.DateTimeFormat` is bound here with `catch`, because it throws on a
//! malformed language tag (then English is used).

use js_sys::{Date, Object, Reflect};
use trackfront_types::IsoDate;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type Dtf;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<Dtf, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn format(this: &Dtf, date: &Date) -> Result<String, JsValue>;
}

fn dtf(lang: &str, pairs: &[(&str, &str)]) -> Option<Dtf> {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    Dtf::new(lang, &o).or_else(|_| Dtf::new("en", &o)).ok()
}

/// The UTC midnight of a civil date.
fn utc_midnight(d: IsoDate) -> Date {
    let ms = Date::utc(f64::from(d.year()), f64::from(d.month()) - 1.0)
        + (f64::from(d.day()) - 1.0) * 86_400_000.0;
    Date::new(&JsValue::from_f64(ms))
}

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
    dtf(lang, &opts)
        .and_then(|f| f.format(&utc_midnight(d)).ok())
        .unwrap_or_else(|| d.to_string())
}

/// A local clock time (`2:00 PM`) of an instant given in milliseconds since the epoch, in
/// the shopper's own time zone.
pub fn clock(lang: &str, ms: f64) -> String {
    dtf(lang, &[("hour", "numeric"), ("minute", "2-digit")])
        .and_then(|f| f.format(&Date::new(&JsValue::from_f64(ms))).ok())
        .unwrap_or_default()
}
