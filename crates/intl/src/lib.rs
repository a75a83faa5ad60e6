//! The browser's `Intl.DateTimeFormat`, bound once for both wasm front-ends (the tracking
//! widget and the EDD badge), so neither ships locale or time-zone data of its own.
//!
//! Calendar dates (`YYYY-MM-DD`) are turned into the UTC midnight of that day, built from
//! their parts (never `new Date("2026-12-02")`, never `toISOString`), and must be formatted
//! with `timeZone: "UTC"`, so no browser time zone can move them by a day. This crate only
//! formats: it must not fetch, touch the DOM, or pull in anything heavier than js-sys.

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

/// Formats `date` with `Intl.DateTimeFormat(locale, options)`, where `options` are string
/// pairs such as `("month", "short")`. A language tag the browser rejects falls back to
/// English; `None` when the options themselves are rejected (e.g. an unknown `timeZone`).
pub fn format(locale: &str, date: &Date, options: &[(&str, &str)]) -> Option<String> {
    let o = Object::new();
    for (k, v) in options {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    Dtf::new(locale, &o)
        .or_else(|_| Dtf::new("en", &o))
        .ok()?
        .format(date)
        .ok()
}

/// The UTC midnight of a calendar date; format it with `("timeZone", "UTC")`.
pub fn utc_midnight(d: IsoDate) -> Date {
    let ms = Date::utc(f64::from(d.year()), f64::from(d.month()) - 1.0)
        + (f64::from(d.day()) - 1.0) * 86_400_000.0;
    Date::new(&JsValue::from_f64(ms))
}
