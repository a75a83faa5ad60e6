//! Wire models of the 2026-07 Tracking API. Every field of a response is optional and
//! unknown fields are ignored, so a new AfterShip field or a missing one never breaks a
//! caller; tags tolerate unknown values through [`Tag::Unknown`]. Date-times are strings
//! because AfterShip mixes `YYYY-MM-DD`, zone-less and offset forms (reference §2.1).
//!
//! Serialising a response model writes every field (absent ones as `null`), which is what
//! the official SDKs' strict models expect from a server.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
pub use trackfront_types::Tag;

/// `{meta, data}`: every AfterShip answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Status block.
    pub meta: Meta,
    /// Payload; `{}` on errors.
    pub data: T,
}

/// The `meta` block. `message` and `type` are present only on errors.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// `meta.code`: 200, 201, 4004, 429, …
    pub code: i64,
    /// Human message (errors only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `BadRequest`, `Unauthorized`, `Forbidden`, `NotFound`, `TooManyRequests`,
    /// `InternalError` (errors only).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A tracking (2026-07 shape).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tracking {
    pub id: Option<String>,
    pub legacy_id: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub tracking_number: Option<String>,
    pub slug: Option<String>,
    pub active: Option<bool>,
    pub custom_fields: Option<Map<String, Value>>,
    pub transit_time: Option<i64>,
    pub origin_country_region: Option<String>,
    pub origin_state: Option<String>,
    pub origin_city: Option<String>,
    pub origin_postal_code: Option<String>,
    pub origin_raw_location: Option<String>,
    pub destination_country_region: Option<String>,
    pub destination_state: Option<String>,
    pub destination_city: Option<String>,
    pub destination_postal_code: Option<String>,
    pub destination_raw_location: Option<String>,
    pub courier_destination_country_region: Option<String>,
    pub courier_estimated_delivery_date: Option<CourierEstimatedDeliveryDate>,
    pub note: Option<String>,
    pub order_id: Option<String>,
    pub order_id_path: Option<String>,
    pub order_date: Option<String>,
    pub shipment_package_count: Option<f64>,
    pub shipment_pickup_date: Option<String>,
    pub shipment_delivery_date: Option<String>,
    pub shipment_type: Option<String>,
    pub shipment_weight: Option<Value>,
    pub shipment_dimensions: Option<Value>,
    pub signed_by: Option<String>,
    pub source: Option<String>,
    pub tag: Option<Tag>,
    pub subtag: Option<String>,
    pub subtag_message: Option<String>,
    pub title: Option<String>,
    pub tracked_count: Option<f64>,
    pub language: Option<String>,
    pub checkpoints: Option<Vec<Checkpoint>>,
    pub subscribed_smses: Option<Vec<String>>,
    pub subscribed_emails: Option<Vec<String>>,
    pub return_to_sender: Option<bool>,
    pub order_promised_delivery_date: Option<PromisedDeliveryDate>,
    pub delivery_type: Option<String>,
    pub pickup_location: Option<String>,
    pub pickup_note: Option<String>,
    pub courier_tracking_link: Option<String>,
    pub first_attempted_at: Option<String>,
    pub courier_redirect_link: Option<String>,
    pub tracking_account_number: Option<String>,
    pub tracking_key: Option<String>,
    pub tracking_ship_date: Option<String>,
    pub on_time_status: Option<String>,
    pub on_time_difference: Option<f64>,
    pub order_tags: Option<Vec<String>>,
    pub aftership_estimated_delivery_date: Option<AftershipEstimatedDeliveryDate>,
    pub custom_estimated_delivery_date: Option<EstimatedDelivery>,
    pub order_number: Option<String>,
    pub first_estimated_delivery: Option<EstimatedDelivery>,
    pub latest_estimated_delivery: Option<EstimatedDelivery>,
    pub shipment_tags: Option<Vec<String>>,
    pub courier_connection_id: Option<String>,
    pub carbon_emissions: Option<Value>,
    pub location_id: Option<String>,
    pub shipping_method: Option<String>,
    pub failed_delivery_attempts: Option<i64>,
    pub signature_requirement: Option<String>,
    pub delivery_location_type: Option<String>,
    pub aftership_tracking_url: Option<String>,
    pub aftership_tracking_order_url: Option<String>,
    pub first_mile: Option<Value>,
    pub last_mile: Option<Value>,
    pub customers: Option<Vec<Customer>>,
    pub proof_of_delivery: Option<Vec<Value>>,
    pub multi_piece_info: Option<Value>,
    pub shipment_direction: Option<String>,
    pub return_shipment: Option<Value>,
    pub forward_shipment: Option<Value>,
}

/// One scan event.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkpoint {
    pub created_at: Option<String>,
    pub slug: Option<String>,
    pub checkpoint_time: Option<String>,
    pub location: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub coordinate: Option<Coordinate>,
    pub country_region: Option<String>,
    pub country_region_name: Option<String>,
    pub message: Option<String>,
    pub tag: Option<Tag>,
    pub subtag: Option<String>,
    pub subtag_message: Option<String>,
    pub raw_tag: Option<String>,
    pub events: Option<Vec<Value>>,
    /// `carrier` or `user` (mark-as-completed).
    pub source: Option<String>,
    pub hash: Option<String>,
}

/// Latitude and longitude of a checkpoint.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Coordinate {
    pub latitude: f64,
    pub longitude: f64,
}

/// A customer attached to a tracking: personal data, never to be shown to shoppers.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    pub role: Option<String>,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub id: Option<String>,
}

/// The carrier's estimate.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CourierEstimatedDeliveryDate {
    pub estimated_delivery_date: Option<String>,
    pub estimated_delivery_date_min: Option<String>,
    pub estimated_delivery_date_max: Option<String>,
}

/// AfterShip's AI estimate.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AftershipEstimatedDeliveryDate {
    pub estimated_delivery_date: Option<String>,
    pub confidence_code: Option<f64>,
    pub estimated_delivery_date_min: Option<String>,
    pub estimated_delivery_date_max: Option<String>,
}

/// `first_estimated_delivery`, `latest_estimated_delivery` and
/// `custom_estimated_delivery_date` share this shape.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstimatedDelivery {
    /// `specific` or `range`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `Carrier EDD`, `AfterShip EDD`, `Custom EDD` or `Order EDD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub datetime: Option<String>,
    pub datetime_min: Option<String>,
    pub datetime_max: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revise_reason: Option<String>,
}

/// The date the merchant promised.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromisedDeliveryDate {
    pub promised_delivery_date: Option<String>,
    pub promised_delivery_date_min: Option<String>,
    pub promised_delivery_date_max: Option<String>,
}

/// `GET /trackings` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrackingList {
    /// Cursor pagination.
    #[serde(default)]
    pub pagination: Pagination,
    /// The page of trackings.
    #[serde(default)]
    pub trackings: Vec<Tracking>,
}

/// Cursor pagination block.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Pagination {
    pub total: Option<i64>,
    pub next_cursor: Option<String>,
    pub has_next_page: Option<bool>,
}

/// Query of `GET /trackings`. Empty fields are not sent.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListTrackingsQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// Comma-separated, up to 50.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_numbers: Option<String>,
    /// Comma-separated slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_max: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<String>,
}

/// Query of `GET /trackings/{id}`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTrackingQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// Body of `POST /trackings`. Only `tracking_number` is required.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateTrackingRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_promised_delivery_date: Option<PromisedDeliveryDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_country_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_raw_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_country_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_raw_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment_tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<Customer>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment_direction: Option<String>,
}

/// Body of `PUT /trackings/{id}`: only the fields that are sent change; `note: ""` clears.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateTrackingRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_promised_delivery_date: Option<PromisedDeliveryDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<Customer>>,
}

/// Body of `POST /trackings/{id}/mark-as-completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkCompletedRequest {
    /// `DELIVERED`, `LOST` or `RETURNED_TO_SENDER`.
    pub reason: String,
    /// Optional `YYYY-MM-DD[THH:mm:ss[Z]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_datetime: Option<String>,
}

/// A courier.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Courier {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub other_name: Option<String>,
    pub web_url: Option<String>,
    pub required_fields: Option<Vec<String>>,
    pub optional_fields: Option<Vec<String>>,
    pub default_language: Option<String>,
    pub support_languages: Option<Vec<String>>,
    pub service_from_country_regions: Option<Vec<String>>,
}

/// `GET /couriers` and `POST /couriers/detect` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CourierList {
    /// Number of couriers.
    pub total: i64,
    /// The couriers.
    pub couriers: Vec<Courier>,
}

/// Body of `POST /couriers/detect`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectCourierRequest {
    pub tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<Vec<String>>,
}

/// An address for EDD prediction.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EddAddress {
    pub country_region: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub raw_location: Option<String>,
}

/// `estimated_pickup` of an EDD request.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstimatedPickup {
    /// `YYYY-MM-DD HH:mm:ss`, local to the origin.
    pub order_time: Option<String>,
    /// `HH:mm:ss`, default `18:00:00`.
    pub order_cutoff_time: Option<String>,
    /// ISO weekdays, 1 = Monday.
    pub business_days: Option<Vec<u8>>,
    pub order_processing_time: Option<ProcessingTime>,
    /// Computed by AfterShip in answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_time: Option<String>,
}

/// `{unit: "day", value}`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessingTime {
    pub unit: Option<String>,
    pub value: Option<f64>,
}

/// One EDD prediction request (also one item of a batch).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EddRequest {
    pub slug: Option<String>,
    pub service_type_name: Option<String>,
    pub origin_address: Option<EddAddress>,
    pub destination_address: Option<EddAddress>,
    pub weight: Option<Value>,
    pub package_count: Option<i64>,
    /// `YYYY-MM-DD HH:mm:ss`, local to the origin.
    pub pickup_time: Option<String>,
    pub estimated_pickup: Option<EstimatedPickup>,
}

/// One EDD prediction: the request echoed plus the dates.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EddPrediction {
    pub id: Option<String>,
    #[serde(flatten)]
    pub request: EddRequest,
    pub estimated_delivery_date: Option<String>,
    pub confidence_code: Option<f64>,
    pub estimated_delivery_date_min: Option<String>,
    pub estimated_delivery_date_max: Option<String>,
}

/// `predict-batch` body and answer: `{estimated_delivery_dates: [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EddBatch<T> {
    /// 1 to 5 items.
    pub estimated_delivery_dates: Vec<T>,
}

/// `data` of the legacy `GET /v4/trackings/…`: `{tracking: …}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LegacyTrackingData {
    /// The wrapped tracking.
    pub tracking: LegacyTracking,
}

/// A tracking in the legacy v4 shape (the fields trackfront may read; the rest ignored).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LegacyTracking {
    /// The 24-character id.
    pub id: Option<String>,
    pub tracking_number: Option<String>,
    pub slug: Option<String>,
    pub active: Option<bool>,
    pub tag: Option<Tag>,
    pub subtag: Option<String>,
    pub subtag_message: Option<String>,
    pub title: Option<String>,
    pub origin_country_iso3: Option<String>,
    pub destination_country_iso3: Option<String>,
    pub courier_destination_country_iso3: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub last_updated_at: Option<String>,
    pub checkpoints: Vec<LegacyCheckpoint>,
}

/// A checkpoint in the legacy v4 shape: `country_iso3`, `country_name`, `zip` and
/// `coordinates: [lat, lon]` (often empty).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LegacyCheckpoint {
    pub created_at: Option<String>,
    pub slug: Option<String>,
    pub checkpoint_time: Option<String>,
    pub location: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country_iso3: Option<String>,
    pub country_name: Option<String>,
    pub coordinates: Vec<f64>,
    pub message: Option<String>,
    pub tag: Option<Tag>,
    pub subtag: Option<String>,
    pub subtag_message: Option<String>,
    pub raw_tag: Option<String>,
}

/// `data` of the legacy `GET /v4/last_checkpoint/…`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LegacyLastCheckpoint {
    pub id: Option<String>,
    pub tracking_number: Option<String>,
    pub slug: Option<String>,
    pub tag: Option<Tag>,
    pub subtag: Option<String>,
    pub subtag_message: Option<String>,
    /// The latest checkpoint (`{}` when there is none).
    pub checkpoint: LegacyCheckpoint,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_tags_are_tolerated() {
        let t: Tracking = serde_json::from_value(serde_json::json!({
            "id": "x", "tag": "Teleported", "brand_new_field": {"a": 1},
            "checkpoints": [{"tag": "InTransit", "message": "m", "new": true}]
        }))
        .unwrap();
        assert_eq!(t.tag, Some(Tag::Unknown));
        assert_eq!(t.checkpoints.unwrap()[0].tag, Some(Tag::InTransit));
    }

    #[test]
    fn absent_response_fields_serialise_as_null() {
        let v = serde_json::to_value(Tracking::default()).unwrap();
        assert!(v.get("customers").unwrap().is_null());
        assert!(v.get("tag").unwrap().is_null());
    }
}
