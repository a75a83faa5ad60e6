//! The browser-safe tracking view: the only shape of tracking data that leaves the proxy.
//!
//! It is built by copying allowed fields, never by deleting fields from an upstream
//! object, so a new upstream field can never leak by accident. Locations are city, state
//! and country only; there is deliberately no field for names, emails, phone numbers,
//! street lines, postal codes, notes or custom fields.

use crate::{CountryCode, CourierSlug, IsoDate, ProgressStep, Tag, TrackingNumber};
use serde::{Deserialize, Serialize};

/// What a shopper may see about one shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingView {
    /// The tracking number.
    pub tracking_number: TrackingNumber,
    /// The courier's slug.
    pub slug: CourierSlug,
    /// The courier's display name, when known.
    #[serde(default)]
    pub courier_name: Option<String>,
    /// Delivery status.
    pub tag: Tag,
    /// Sub-status code, e.g. `Exception_004`.
    #[serde(default)]
    pub subtag: Option<String>,
    /// Sub-status message, e.g. `Delayed (Customs clearance)`.
    #[serde(default)]
    pub subtag_message: Option<String>,
    /// The progress step reached, `None` before the first scan.
    #[serde(default)]
    pub progress: Option<ProgressStep>,
    /// Origin country.
    #[serde(default)]
    pub origin_country: Option<CountryCode>,
    /// Destination country.
    #[serde(default)]
    pub destination_country: Option<CountryCode>,
    /// Checkpoints, newest first.
    #[serde(default)]
    pub checkpoints: Vec<CheckpointView>,
    /// The best delivery estimate, absent when none is known.
    #[serde(default)]
    pub estimated_delivery: Option<EstimatedDelivery>,
    /// When AfterShip last updated the tracking (RFC 3339).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// True when the proxy served this view from an older cache entry because the upstream
    /// could not be reached or was being refreshed.
    #[serde(default)]
    pub stale: bool,
}

/// One scan event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointView {
    /// The carrier's local time with its UTC offset where the carrier gave one
    /// (`2026-11-20T14:05:00+08:00`), else a local date-time or a date.
    #[serde(default)]
    pub time: Option<String>,
    /// The (possibly translated) message.
    #[serde(default)]
    pub message: Option<String>,
    /// Status at this checkpoint.
    pub tag: Tag,
    /// Sub-status code.
    #[serde(default)]
    pub subtag: Option<String>,
    /// Sub-status message.
    #[serde(default)]
    pub subtag_message: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State or province.
    #[serde(default)]
    pub state: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// The country's display name as the carrier gave it.
    #[serde(default)]
    pub country_name: Option<String>,
}

/// Where a delivery estimate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EddSource {
    /// AfterShip's predicted date.
    Aftership,
    /// The carrier's own estimate.
    Courier,
    /// The date the merchant promised at checkout.
    Promised,
    /// trackfront's rules engine.
    Rules,
}

/// A delivery estimate as plain calendar dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimatedDelivery {
    /// Who produced the estimate.
    pub source: EddSource,
    /// The most likely date, when a single date is known.
    #[serde(default)]
    pub date: Option<IsoDate>,
    /// Earliest date of the range.
    #[serde(default)]
    pub min: Option<IsoDate>,
    /// Latest date of the range.
    #[serde(default)]
    pub max: Option<IsoDate>,
    /// The first estimate given, when it differs from the current one ("was …").
    #[serde(default)]
    pub previous: Option<IsoDate>,
}

/// The answer of `GET /api/v1/trackings/{slug}/{number}/last-checkpoint`: the shipment's
/// status and its newest checkpoint only (AfterShip's "last checkpoint"), for compact
/// widgets. Same privacy rules as [`TrackingView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastCheckpointView {
    /// The tracking number.
    pub tracking_number: TrackingNumber,
    /// The courier's slug.
    pub slug: CourierSlug,
    /// Delivery status.
    pub tag: Tag,
    /// Sub-status code.
    #[serde(default)]
    pub subtag: Option<String>,
    /// Sub-status message.
    #[serde(default)]
    pub subtag_message: Option<String>,
    /// The newest checkpoint, absent before the first scan.
    #[serde(default)]
    pub checkpoint: Option<CheckpointView>,
    /// When AfterShip last updated the tracking (RFC 3339).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// True when served from an older cache entry (see [`TrackingView::stale`]).
    #[serde(default)]
    pub stale: bool,
}

impl LastCheckpointView {
    /// The last-checkpoint projection of a full view (whose checkpoints are newest first).
    pub fn of(view: &TrackingView) -> Self {
        Self {
            tracking_number: view.tracking_number.clone(),
            slug: view.slug.clone(),
            tag: view.tag,
            subtag: view.subtag.clone(),
            subtag_message: view.subtag_message.clone(),
            checkpoint: view.checkpoints.first().cloned(),
            updated_at: view.updated_at.clone(),
            stale: view.stale,
        }
    }
}
