//! `POST /api/v1/edd`: estimated delivery dates for the EDD badge.
//!
//! The browser sends a destination and product context ([`EddRequest`], parsed through the
//! shared types); warehouses, origin addresses, time zones and rules come only from the
//! merchant configuration ([`Rules`], `TRACKFRONT_EDD_CONFIG`). Per item, the answer comes
//! from AfterShip's `predict-batch` when that source is enabled ([`EddSourceMode`]) and
//! answers within a short deadline, else from the rules engine. AfterShip's dates are
//! cached for [`CACHE_TTL`] under the engine's cache key (lane, service, pickup day), in a
//! [`crate::shared::TtlCache`]: in Redis when `REDIS_URL` is set (so a prediction one
//! instance paid for is served by all, [`EddService::share_cache`]) and always in local
//! memory, which answers alone while Redis is unavailable. The cutoff instant for the
//! countdown always comes from the rules engine and is never cached.
//!
//! Origin checks (CORS) and the per-client limit are applied by [`crate::security::guard`]
//! like on every `/api/` route; this module adds none of its own.

use crate::error::ApiError;
use crate::shared::{Redis, SharedValue, TtlCache};
use aftership::model::{EddAddress, EddPrediction, EddRequest as WireRequest, EstimatedPickup};
use aftership::{ApiKey, Client, ClientOptions};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use trackfront_edd::jiff::Timestamp;
use trackfront_edd::{PredictAddress, PredictBatchRequest, PredictItem, Rules};
use trackfront_types::{
    EddEstimate, EddItem, EddParseError, EddRequest, EddResponse, EddSource, ErrorCode, IsoDate,
};

/// Largest `POST /api/v1/edd` body (ten items with long states fit in well under 2 KiB).
pub const MAX_EDD_BODY: usize = 4 * 1024;

/// How long an AfterShip prediction is reused. The key holds the pickup day, so an entry
/// can never outlive its day's meaning by more than this.
pub const CACHE_TTL: Duration = Duration::from_secs(6 * 3600);

/// Where estimates come from (`TRACKFRONT_EDD_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EddSourceMode {
    /// AfterShip with the embedded sandbox, the rules engine with a real key (AfterShip's
    /// EDD is a paid add-on that most keys do not have).
    #[default]
    Auto,
    /// AfterShip `predict-batch`, falling back to the rules engine per item.
    Aftership,
    /// The rules engine only.
    Rules,
}

impl std::str::FromStr for EddSourceMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "aftership" => Ok(Self::Aftership),
            "rules" => Ok(Self::Rules),
            _ => Err(format!("`{s}` is not one of auto, aftership, rules")),
        }
    }
}

impl EddSourceMode {
    /// Whether AfterShip is asked, given whether the proxy runs on the embedded sandbox.
    pub fn uses_aftership(self, demo: bool) -> bool {
        match self {
            Self::Auto => demo,
            Self::Aftership => true,
            Self::Rules => false,
        }
    }
}

/// Counters rendered into `/metrics` (closed label sets only).
#[derive(Debug, Default)]
pub struct EddMetrics {
    /// `predict-batch` calls: ok, failed.
    calls_ok: AtomicU64,
    calls_failed: AtomicU64,
    /// Estimates served per source: aftership, rules.
    served_aftership: AtomicU64,
    served_rules: AtomicU64,
    /// Items that could not be estimated at all.
    unestimated: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
}

impl EddMetrics {
    /// Prometheus text for these counters.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut family = |name: &str, help: &str, rows: &[(&str, &AtomicU64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (labels, v) in rows {
                let _ = writeln!(out, "{name}{{{labels}}} {}", v.load(Relaxed));
            }
        };
        family(
            "trackfront_edd_upstream_calls_total",
            "AfterShip predict-batch calls by outcome.",
            &[
                ("outcome=\"ok\"", &self.calls_ok),
                ("outcome=\"failed\"", &self.calls_failed),
            ],
        );
        family(
            "trackfront_edd_estimates_total",
            "Delivery estimates served, by source.",
            &[
                ("source=\"aftership\"", &self.served_aftership),
                ("source=\"rules\"", &self.served_rules),
                ("source=\"none\"", &self.unestimated),
            ],
        );
        family(
            "trackfront_edd_cache_total",
            "AfterShip prediction cache lookups.",
            &[
                ("result=\"hit\"", &self.cache_hits),
                ("result=\"miss\"", &self.cache_misses),
            ],
        );
        out
    }
}

/// AfterShip's dates for one cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Predicted {
    min: IsoDate,
    likely: IsoDate,
    max: IsoDate,
}

/// `1 <min> <likely> <max>`, dates as `YYYY-MM-DD`.
impl SharedValue for Predicted {
    fn encode(&self) -> Vec<u8> {
        format!("1 {} {} {}", self.min, self.likely, self.max).into_bytes()
    }

    fn decode(raw: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(raw).ok()?;
        let mut parts = text.split(' ');
        if parts.next()? != "1" {
            return None;
        }
        let mut date = || IsoDate::parse(parts.next()?).ok();
        let (min, likely, max) = (date()?, date()?, date()?);
        (parts.next().is_none() && min <= likely && likely <= max).then_some(Self {
            min,
            likely,
            max,
        })
    }
}

/// The AfterShip side: a client without retries and a short deadline, and a pause after a
/// failure so a broken or unlicensed EDD endpoint does not slow every page view.
struct Predictor {
    client: Client,
    deadline: Duration,
    pause_after_failure: Duration,
    paused_until: Mutex<Option<Instant>>,
}

impl Predictor {
    fn paused(&self) -> bool {
        let p = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        p.is_some_and(|until| Instant::now() < until)
    }

    fn pause(&self) {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(Instant::now() + self.pause_after_failure);
    }
}

/// Settings of [`EddService::new`].
#[derive(Debug, Clone)]
pub struct EddOptions {
    /// Whether AfterShip `predict-batch` is asked at all.
    pub use_aftership: bool,
    /// The whole time AfterShip may take for one shopper request (all batches, in
    /// parallel), after which the rules engine answers.
    pub deadline: Duration,
    /// After a failed or timed-out call, how long AfterShip is not asked again.
    pub pause_after_failure: Duration,
}

impl Default for EddOptions {
    fn default() -> Self {
        Self {
            use_aftership: false,
            deadline: Duration::from_millis(1500),
            pause_after_failure: Duration::from_secs(30),
        }
    }
}

/// Everything `POST /api/v1/edd` needs; shared by all requests.
pub struct EddService {
    rules: Rules,
    predictor: Option<Predictor>,
    cache: TtlCache<Predicted>,
    metrics: EddMetrics,
}

impl std::fmt::Debug for EddService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EddService")
            .field("aftership", &self.predictor.is_some())
            .field("shared_cache", &self.cache.is_shared())
            .finish_non_exhaustive()
    }
}

impl EddService {
    /// The service for `rules`; AfterShip at `base_url` with `key` when
    /// `opts.use_aftership`.
    ///
    /// # Errors
    /// When the base URL is not a usable http(s) URL.
    pub fn new(
        rules: Rules,
        base_url: &str,
        key: ApiKey,
        opts: &EddOptions,
    ) -> anyhow::Result<Self> {
        let predictor = if opts.use_aftership {
            let client = Client::new(
                base_url,
                key,
                ClientOptions {
                    timeout: opts.deadline,
                    connect_timeout: opts.deadline,
                    max_retries: 0,
                    max_rate_limit_wait: Duration::ZERO,
                    ..ClientOptions::default()
                },
            )?;
            Some(Predictor {
                client,
                deadline: opts.deadline,
                pause_after_failure: opts.pause_after_failure,
                paused_until: Mutex::new(None),
            })
        } else {
            None
        };
        Ok(Self {
            rules,
            predictor,
            cache: TtlCache::new("edd", 10_000, CACHE_TTL),
            metrics: EddMetrics::default(),
        })
    }

    /// The service as configured: the rules from `settings.edd_config` (or the example
    /// configuration), AfterShip as `settings.edd_source` says, at `base_url` with `key`
    /// (the embedded sandbox's when there is no real key).
    ///
    /// # Errors
    /// When the rules file cannot be read or is invalid (the message names the field), or
    /// the base URL is unusable.
    pub fn from_settings(
        settings: &crate::Settings,
        base_url: &str,
        key: ApiKey,
    ) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let (rules, from) = match &settings.edd_config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("TRACKFRONT_EDD_CONFIG {}", path.display()))?;
                let rules = Rules::from_toml(&text)
                    .with_context(|| format!("TRACKFRONT_EDD_CONFIG {}", path.display()))?;
                (rules, path.display().to_string())
            }
            None => (
                Rules::from_toml(trackfront_edd::EXAMPLE_CONFIG)
                    .context("the example EDD configuration")?,
                "the example configuration".to_owned(),
            ),
        };
        let opts = EddOptions {
            use_aftership: settings.edd_source.uses_aftership(settings.demo_mode()),
            deadline: settings.edd_timeout,
            ..EddOptions::default()
        };
        tracing::info!(
            rules = %from,
            aftership = opts.use_aftership,
            "delivery estimates configured"
        );
        Self::new(rules, base_url, key, &opts).context("AFTERSHIP_BASE_URL")
    }

    /// The same service with its prediction cache shared through `redis`.
    #[must_use]
    pub fn share_cache(mut self, redis: Arc<Redis>) -> Self {
        self.cache = self.cache.shared(redis);
        self
    }

    /// The counters.
    pub fn metrics(&self) -> &EddMetrics {
        &self.metrics
    }

    /// Estimates every item of `req` as of `now`, in request order; items that cannot be
    /// estimated are logged and left out.
    pub async fn estimate(&self, now: Timestamp, req: &EddRequest) -> EddResponse {
        let dest = req.destination();
        let items = req.items();
        let mut predicted: Vec<Option<Predicted>> = vec![None; items.len()];
        if let Some(p) = &self.predictor {
            self.predict(p, now, req, &mut predicted).await;
        }
        let mut estimates = Vec::with_capacity(items.len());
        for (item, pred) in items.iter().zip(predicted) {
            let rules = self.rules.estimate(now, dest, item);
            let answer = match (pred, &rules) {
                (Some(p), r) => {
                    let cutoff = r.as_ref().ok().and_then(|e| e.cutoff_rfc3339());
                    EddEstimate::new(
                        item.service().clone(),
                        EddSource::Aftership,
                        p.min,
                        p.likely,
                        p.max,
                        cutoff,
                    )
                    .map_err(|e| e.to_string())
                }
                (None, Ok(e)) => e.to_dto(item.service()).map_err(|e| e.to_string()),
                (None, Err(e)) => Err(e.to_string()),
            };
            match answer {
                Ok(e) => {
                    let counter = match e.source() {
                        EddSource::Aftership => &self.metrics.served_aftership,
                        _ => &self.metrics.served_rules,
                    };
                    counter.fetch_add(1, Relaxed);
                    estimates.push(e);
                }
                Err(why) => {
                    self.metrics.unestimated.fetch_add(1, Relaxed);
                    tracing::info!(
                        service = %item.service(),
                        country = %dest.country(),
                        reason = %why,
                        "no delivery estimate"
                    );
                }
            }
        }
        EddResponse { estimates }
    }

    /// Fills `out` with AfterShip's dates where the cache or `predict-batch` has them.
    async fn predict(
        &self,
        p: &Predictor,
        now: Timestamp,
        req: &EddRequest,
        out: &mut [Option<Predicted>],
    ) {
        let dest = req.destination();
        // Keys to ask for, deduplicated, with the items that share each one.
        let mut wanted: Vec<(String, PredictItem, Vec<usize>)> = Vec::new();
        for (i, item) in req.items().iter().enumerate() {
            let Ok(key) = self.rules.cache_key(now, dest, item) else {
                continue;
            };
            if let Some(hit) = self.cache.get(&key).await {
                self.metrics.cache_hits.fetch_add(1, Relaxed);
                out[i] = Some(hit);
                continue;
            }
            if let Some(w) = wanted.iter_mut().find(|w| w.0 == key) {
                w.2.push(i);
                continue;
            }
            match self.rules.predict_item(now, dest, item) {
                Ok(pi) => {
                    self.metrics.cache_misses.fetch_add(1, Relaxed);
                    wanted.push((key, pi, vec![i]));
                }
                Err(e) => log_rules_only(item, &e),
            }
        }
        if wanted.is_empty() || p.paused() {
            return;
        }
        let batches =
            PredictBatchRequest::batches(wanted.iter().map(|w| w.1.clone()).collect::<Vec<_>>());
        let calls = batches.iter().map(|b| {
            let wire: Vec<WireRequest> = b.estimated_delivery_dates.iter().map(wire).collect();
            async move { p.client.predict_batch(&wire).await }
        });
        let answers = tokio::time::timeout(p.deadline, futures_util::future::join_all(calls)).await;
        let Ok(answers) = answers else {
            self.metrics
                .calls_failed
                .fetch_add(batches.len() as u64, Relaxed);
            tracing::warn!(deadline = ?p.deadline, "AfterShip EDD timed out; using the rules");
            p.pause();
            return;
        };
        let chunk = trackfront_edd::PREDICT_BATCH_MAX;
        for (b, answer) in answers.into_iter().enumerate() {
            let predictions = match answer {
                Ok(r) => {
                    self.metrics.calls_ok.fetch_add(1, Relaxed);
                    r.data
                }
                Err(e) => {
                    self.metrics.calls_failed.fetch_add(1, Relaxed);
                    tracing::warn!(error = %e, "AfterShip EDD failed; using the rules");
                    p.pause();
                    continue;
                }
            };
            let asked = &wanted[b * chunk..(b * chunk + chunk).min(wanted.len())];
            if predictions.len() != asked.len() {
                tracing::warn!("AfterShip EDD answered a different number of items");
                continue;
            }
            for ((key, _, indices), pred) in asked.iter().zip(&predictions) {
                let Some(dates) = dates_of(pred) else {
                    tracing::warn!("AfterShip EDD answer without usable dates");
                    continue;
                };
                self.cache.insert(key.clone(), dates).await;
                for &i in indices {
                    out[i] = Some(dates);
                }
            }
        }
    }
}

fn log_rules_only(item: &EddItem, e: &trackfront_edd::EstimateError) {
    tracing::debug!(service = %item.service(), reason = %e, "not asking AfterShip");
}

/// The engine's `predict-batch` item in the client's wire model.
fn wire(i: &PredictItem) -> WireRequest {
    let addr = |a: &PredictAddress| EddAddress {
        country_region: Some(a.country_region.as_str().to_owned()),
        state: a.state.clone(),
        city: a.city.clone(),
        postal_code: a.postal_code.clone(),
        raw_location: None,
    };
    let ep = &i.estimated_pickup;
    WireRequest {
        slug: Some(i.slug.as_str().to_owned()),
        service_type_name: i.service_type_name.clone(),
        origin_address: Some(addr(&i.origin_address)),
        destination_address: Some(addr(&i.destination_address)),
        estimated_pickup: Some(EstimatedPickup {
            order_time: Some(ep.order_time.clone()),
            order_cutoff_time: Some(ep.order_cutoff_time.clone()),
            business_days: Some(ep.business_days.clone()),
            order_processing_time: Some(aftership::model::ProcessingTime {
                unit: Some(ep.order_processing_time.unit.clone()),
                value: Some(f64::from(ep.order_processing_time.value)),
            }),
            pickup_time: None,
        }),
        ..WireRequest::default()
    }
}

/// `min ≤ likely ≤ max` from a prediction; a missing bound takes the likely date.
fn dates_of(p: &EddPrediction) -> Option<Predicted> {
    let parse = |s: &Option<String>| s.as_deref().and_then(|d| IsoDate::parse(d).ok());
    let likely = parse(&p.estimated_delivery_date)?;
    let min = parse(&p.estimated_delivery_date_min).unwrap_or(likely);
    let max = parse(&p.estimated_delivery_date_max).unwrap_or(likely);
    (min <= likely && likely <= max).then_some(Predicted { min, likely, max })
}

/// Parses a request body into an [`EddRequest`], with a message a developer can act on.
///
/// # Errors
/// [`ApiError::BadRequest`] (`invalid_request`) for anything but a valid JSON request.
pub fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<EddRequest, ApiError> {
    let bad = |message| ApiError::BadRequest {
        code: ErrorCode::InvalidRequest,
        message,
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(bad("Send the body as Content-Type: application/json."));
    }
    serde_json::from_slice::<EddRequest>(body).map_err(|e| {
        use serde_json::error::Category;
        let text = e.to_string();
        let specific = [
            EddParseError::Country,
            EddParseError::PostalCode,
            EddParseError::State,
            EddParseError::Service,
            EddParseError::ProcessingDays,
            EddParseError::NoItems,
            EddParseError::TooManyItems,
        ]
        .into_iter()
        .find(|p| text.contains(p.message()));
        match (specific, e.classify()) {
            (Some(p), _) => bad(p.message()),
            (None, Category::Syntax | Category::Eof | Category::Io) => {
                bad("The request body is not valid JSON.")
            }
            (None, Category::Data) if text.contains("expected u8") => {
                bad(EddParseError::ProcessingDays.message())
            }
            (None, Category::Data) => bad(
                "Expected {\"destination\": {\"country\": \"DE\", \"postal_code\"?, \"state\"?}, \
                 \"items\": [{\"service\": \"standard\", \"processing_days\"?}]}.",
            ),
        }
    })
}

/// `POST /api/v1/edd`.
///
/// # Errors
/// 413 over [`MAX_EDD_BODY`], 400 `invalid_request` for a malformed body.
pub async fn handle(
    service: &EddService,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_EDD_BODY)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let req = parse_request(headers, &bytes)?;
    let answer = service.estimate(Timestamp::now(), &req).await;
    let json = serde_json::to_vec(&answer).map_err(|e| {
        tracing::error!(error = %e, "could not serialise an EDD answer");
        ApiError::Internal
    })?;
    let mut resp = Response::new(Body::from(json));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

/// Any method but `POST` (and the guard's preflight `OPTIONS`) on `/api/v1/edd`.
pub async fn method_not_allowed() -> Response {
    let mut resp = ApiError::MethodNotAllowed.into_response();
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        h
    }

    #[test]
    fn modes_parse_and_auto_follows_the_sandbox() {
        assert_eq!("AfterShip".parse(), Ok(EddSourceMode::Aftership));
        assert!("magic".parse::<EddSourceMode>().is_err());
        assert!(EddSourceMode::Auto.uses_aftership(true));
        assert!(!EddSourceMode::Auto.uses_aftership(false));
        assert!(EddSourceMode::Aftership.uses_aftership(false));
        assert!(!EddSourceMode::Rules.uses_aftership(true));
    }

    #[test]
    fn bad_bodies_get_the_parser_message() {
        let msg = |body: &str| match parse_request(&json_headers(), body.as_bytes()) {
            Err(ApiError::BadRequest { code, message }) => {
                assert_eq!(code, ErrorCode::InvalidRequest);
                message
            }
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(
            msg(r#"{"destination":{"country":"ZZ"},"items":[{"service":"standard"}]}"#),
            EddParseError::Country.message()
        );
        assert_eq!(msg("{"), "The request body is not valid JSON.");
        assert_eq!(
            msg(
                r#"{"destination":{"country":"DE"},"items":[{"service":"x","processing_days":300}]}"#
            ),
            EddParseError::ProcessingDays.message()
        );
        assert!(msg(r#"{"items":[]}"#).starts_with("Expected"));
        assert!(parse_request(&HeaderMap::new(), b"{}").is_err());
    }

    #[test]
    fn cached_predictions_round_trip_and_reject_anything_else() {
        let date = |d| IsoDate::parse(d).unwrap();
        let p = Predicted {
            min: date("2026-12-01"),
            likely: date("2026-12-02"),
            max: date("2026-12-04"),
        };
        assert_eq!(p.encode(), b"1 2026-12-01 2026-12-02 2026-12-04");
        assert_eq!(Predicted::decode(&p.encode()), Some(p));
        for bad in [
            &b"2 2026-12-01 2026-12-02 2026-12-04"[..],
            b"1 2026-12-03 2026-12-02 2026-12-04",
            b"1 2026-12-01 2026-12-02",
            b"1 2026-12-01 2026-12-02 2026-12-04 x",
            b"\xff",
        ] {
            assert_eq!(Predicted::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn predictions_need_ordered_dates() {
        let p = |min: &str, likely: &str, max: &str| EddPrediction {
            estimated_delivery_date: Some(likely.into()),
            estimated_delivery_date_min: Some(min.into()),
            estimated_delivery_date_max: Some(max.into()),
            ..EddPrediction::default()
        };
        assert!(dates_of(&p("2026-12-01", "2026-12-02", "2026-12-03")).is_some());
        assert!(dates_of(&p("2026-12-03", "2026-12-02", "2026-12-03")).is_none());
        assert!(dates_of(&p("x", "2026-12-02", "2026-12-03")).is_some());
        assert!(dates_of(&EddPrediction::default()).is_none());
    }
}
