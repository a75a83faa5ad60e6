//! Builds the shared contract types from JSON the browser already parsed
//! (`Response.json()`), reading fields with `Reflect` and validating them through the
//! types' own constructors. This replaces serde-wasm-bindgen: its generic deserialiser and
//! serde's error formatting (which drags in float printing) cost shoppers ~30 KB of wasm.
//!
//! The field names and optionality mirror `crates/types/src/view.rs` and `error.rs`;
//! `tests/web.rs` decodes fixtures covering every field to keep them honest.

use js_sys::{Array, Reflect};
use trackfront_types::{
    CheckpointView, CountryCode, CourierSlug, EddSource, ErrorBody, ErrorCode, EstimatedDelivery,
    IsoDate, ProgressStep, Tag, TrackingNumber, TrackingView,
};
use wasm_bindgen::{JsCast, JsValue};

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn string(obj: &JsValue, name: &str) -> Option<String> {
    field(obj, name).as_string()
}

fn date(obj: &JsValue, name: &str) -> Option<IsoDate> {
    string(obj, name).and_then(|s| IsoDate::parse(&s).ok())
}

fn country(obj: &JsValue, name: &str) -> Option<CountryCode> {
    string(obj, name).and_then(|s| CountryCode::parse(&s).ok())
}

fn tag(obj: &JsValue) -> Tag {
    string(obj, "tag").map_or(Tag::Unknown, |s| Tag::from_wire(&s))
}

fn checkpoint(obj: &JsValue) -> CheckpointView {
    CheckpointView {
        time: string(obj, "time"),
        message: string(obj, "message"),
        tag: tag(obj),
        subtag: string(obj, "subtag"),
        subtag_message: string(obj, "subtag_message"),
        city: string(obj, "city"),
        state: string(obj, "state"),
        country: country(obj, "country"),
        country_name: string(obj, "country_name"),
    }
}

fn estimate(obj: &JsValue) -> Option<EstimatedDelivery> {
    if !obj.is_object() {
        return None;
    }
    let source = match string(obj, "source")?.as_str() {
        "aftership" => EddSource::Aftership,
        "courier" => EddSource::Courier,
        "promised" => EddSource::Promised,
        _ => EddSource::Rules,
    };
    Some(EstimatedDelivery {
        source,
        date: date(obj, "date"),
        min: date(obj, "min"),
        max: date(obj, "max"),
        previous: date(obj, "previous"),
    })
}

/// A `TrackingView`, or `None` when a required field is missing or invalid.
pub fn tracking_view(obj: &JsValue) -> Option<TrackingView> {
    let tag = tag(obj);
    let list = field(obj, "checkpoints");
    // `Array.from(undefined)` throws: a view without checkpoints is valid (serde default).
    let list: Array = if Array::is_array(&list) {
        list.unchecked_into()
    } else {
        Array::new()
    };
    let checkpoints = list
        .iter()
        .filter(JsValue::is_object)
        .map(|c| checkpoint(&c))
        .collect();
    Some(TrackingView {
        tracking_number: TrackingNumber::parse(&string(obj, "tracking_number")?).ok()?,
        slug: CourierSlug::parse(&string(obj, "slug")?).ok()?,
        courier_name: string(obj, "courier_name"),
        tag,
        subtag: string(obj, "subtag"),
        subtag_message: string(obj, "subtag_message"),
        progress: match string(obj, "progress").as_deref() {
            Some("info_received") => Some(ProgressStep::InfoReceived),
            Some("in_transit") => Some(ProgressStep::InTransit),
            Some("out_for_delivery") => Some(ProgressStep::OutForDelivery),
            Some("delivered") => Some(ProgressStep::Delivered),
            _ => None,
        },
        origin_country: country(obj, "origin_country"),
        destination_country: country(obj, "destination_country"),
        checkpoints,
        estimated_delivery: estimate(&field(obj, "estimated_delivery")),
        updated_at: string(obj, "updated_at"),
        stale: field(obj, "stale").as_bool().unwrap_or(false),
    })
}

/// An `ErrorBody`, or `None` when the body is not one.
pub fn error_body(obj: &JsValue) -> Option<ErrorBody> {
    let code = match string(obj, "code")?.as_str() {
        "invalid_slug" => ErrorCode::InvalidSlug,
        "invalid_tracking_number" => ErrorCode::InvalidTrackingNumber,
        "invalid_lang" => ErrorCode::InvalidLang,
        "invalid_request" => ErrorCode::InvalidRequest,
        "not_found" => ErrorCode::NotFound,
        "rate_limited" => ErrorCode::RateLimited,
        "upstream_unavailable" => ErrorCode::UpstreamUnavailable,
        "internal" => ErrorCode::Internal,
        _ => ErrorCode::Unknown,
    };
    Some(ErrorBody {
        code,
        message: string(obj, "message").unwrap_or_default(),
        retry_after: field(obj, "retry_after")
            .as_f64()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| s as u64),
    })
}
