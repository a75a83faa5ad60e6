//! Types shared by the trackfront widget (compiled to `wasm32-unknown-unknown`) and its
//! native servers (the proxy and the AfterShip sandbox).
//!
//! This crate is the contract between the browser and the proxy: the identifiers a shopper
//! types (parsed once, through one fallible constructor each), the browser-safe tracking
//! view, the error body and the delivery-estimate DTOs. It must stay small and portable:
//! it must not depend on tokio, axum, reqwest, web-sys, serde_json or any time-zone data,
//! and it must never carry a field that could hold personal data (names, emails, phone
//! numbers, street addresses).

mod edd;
mod error;
mod ids;
mod tag;
mod view;

pub use edd::{
    Destination, EddEstimate, EddItem, EddParseError, EddRequest, EddResponse, PostalCode,
    ServiceLevel, country_alpha2, parse_country,
};
pub use error::{ErrorBody, ErrorCode};
pub use ids::{CountryCode, CourierSlug, IsoDate, Lang, ParseError, TrackingNumber, push_digits};
pub use tag::{ProgressStep, Tag};
pub use view::{CheckpointView, EddSource, EstimatedDelivery, LastCheckpointView, TrackingView};
