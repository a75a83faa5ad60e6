//! `POST /webhooks/aftership`: AfterShip pushes every tracking change here.
//!
//! 1. The `aftership-hmac-sha256` header must be the base64 HMAC-SHA256 of the **raw** body
//!    keyed with `AFTERSHIP_WEBHOOK_SECRET`; it is checked in constant time
//!    ([`Mac::verify_slice`]) before the body is parsed at all. Missing or wrong: 401, logged
//!    with the body's length only. Without a configured secret every delivery is refused.
//! 2. The body is capped by the route's body limit ([`crate::security::MAX_WEBHOOK_BODY`]).
//! 3. Deliveries are idempotent on `event_id`: a redelivery is acknowledged (200) and
//!    ignored. Ids are remembered in a bounded local store and, with Redis, across instances.
//! 4. A `tracking_update` replaces the cached browser-safe view, built by the proxy's one
//!    projection ([`crate::view::project`]) from the webhook's `msg`, and publishes an
//!    [`Update`] when the view changed. Older events than the cached view are ignored.
//!    The answer is immediate (no upstream call), so AfterShip does not retry.

use crate::cache::CachedLookup;
use crate::events::Update;
use crate::request::LookupRequest;
use crate::routes::AppState;
use crate::view::project;
use aftership::model::Tracking;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use trackfront_types::{CourierSlug, ErrorBody, ErrorCode, Lang, TrackingNumber, TrackingView};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "aftership-hmac-sha256";
/// Longest `event_id` accepted (AfterShip sends UUIDs).
const MAX_EVENT_ID: usize = 128;
/// Event ids remembered locally.
const SEEN_CAPACITY: usize = 50_000;

/// Whether `signature` (the header value) is the base64 HMAC-SHA256 of `body` under
/// `secret`. Constant-time in the comparison; any malformed header is simply "no".
pub fn signature_ok(secret: &[u8], signature: Option<&HeaderValue>, body: &[u8]) -> bool {
    let Some(sig) = signature.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Ok(sig) = B64.decode(sig.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// A bounded memory of event ids, forgotten after a time to live (oldest first when full).
#[derive(Debug)]
pub struct SeenIds {
    capacity: usize,
    ttl: Duration,
    inner: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    at: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl SeenIds {
    /// Remembers at most `capacity` ids for `ttl` each.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            ttl,
            inner: Mutex::default(),
        }
    }

    /// Records `id`; `true` the first time it is seen (within the time to live).
    pub fn first_time(&self, id: &str) -> bool {
        let now = Instant::now();
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Seen { at: map, order } = &mut *guard;
        while let Some((at, old)) = order.front() {
            let expired = now.duration_since(*at) >= self.ttl;
            if !expired && map.len() < self.capacity {
                break;
            }
            if map.get(old) == Some(at) {
                map.remove(old);
            }
            order.pop_front();
        }
        if map.contains_key(id) {
            return false;
        }
        map.insert(id.to_owned(), now);
        order.push_back((now, id.to_owned()));
        true
    }

    /// Ids held.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .at
            .len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a delivery ended, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (the view may or may not have changed).
    Applied,
    /// A redelivery of an event already handled.
    Duplicate,
    /// Another event type, or a tracking we cannot key: acknowledged, nothing done.
    Ignored,
    /// Missing or bad signature.
    Unauthorized,
    /// Signed, but not JSON of the expected shape.
    Invalid,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Applied,
        Outcome::Duplicate,
        Outcome::Ignored,
        Outcome::Unauthorized,
        Outcome::Invalid,
    ];
    fn label(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Invalid => "invalid",
        }
    }
}

/// The receiver's secret, idempotency store and counters.
pub struct WebhookReceiver {
    secret: Option<SecretString>,
    seen: SeenIds,
    counts: [AtomicU64; 5],
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// A receiver verifying with `secret` (`None`: every delivery is refused).
    pub fn new(secret: Option<SecretString>) -> Self {
        Self {
            secret,
            seen: SeenIds::new(SEEN_CAPACITY, crate::shared::EVENT_ID_TTL),
            counts: Default::default(),
        }
    }

    /// The local idempotency store.
    pub fn seen(&self) -> &SeenIds {
        &self.seen
    }

    fn count(&self, o: Outcome) {
        let i = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
        self.counts[i].fetch_add(1, Relaxed);
    }

    /// Deliveries so far that ended with `o`.
    pub fn counted(&self, o: Outcome) -> u64 {
        let i = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
        self.counts[i].load(Relaxed)
    }

    /// The Prometheus lines.
    pub fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP trackfront_webhooks_total AfterShip webhook deliveries by result.\n# TYPE trackfront_webhooks_total counter"
        );
        for o in Outcome::ALL {
            let _ = writeln!(
                out,
                "trackfront_webhooks_total{{result=\"{}\"}} {}",
                o.label(),
                self.counted(o)
            );
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    msg: Option<Tracking>,
}

fn error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = ErrorBody {
        code,
        message: message.to_owned(),
        retry_after: None,
    };
    let mut resp = (status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn ack(status: &'static str) -> Response {
    let mut resp = format!("{{\"status\":\"{status}\"}}").into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The handler (see the module docs).
pub async fn receive(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let live = &s.live;
    let wh = &live.webhooks;
    let verified = wh.secret.as_ref().is_some_and(|secret| {
        signature_ok(
            secret.expose_secret().as_bytes(),
            headers.get(SIGNATURE_HEADER),
            &body,
        )
    });
    if !verified {
        wh.count(Outcome::Unauthorized);
        tracing::warn!(
            signed = headers.contains_key(SIGNATURE_HEADER),
            configured = wh.secret.is_some(),
            body_len = body.len(),
            "refused a webhook: missing or bad aftership-hmac-sha256"
        );
        return error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "The webhook signature is missing or wrong.",
        );
    }
    let envelope: Envelope = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            wh.count(Outcome::Invalid);
            tracing::warn!(error = %e, "a signed webhook is not the expected JSON");
            return error(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                "The webhook body is not an AfterShip event.",
            );
        }
    };
    let id = envelope.event_id.as_deref().filter(|id| {
        !id.is_empty() && id.len() <= MAX_EVENT_ID && id.bytes().all(|b| b.is_ascii_graphic())
    });
    if let Some(id) = id
        && !live.first_time(id).await
    {
        wh.count(Outcome::Duplicate);
        tracing::info!(event_id = id, "webhook redelivered; already handled");
        return ack("duplicate");
    }
    let tracking = match (envelope.event.as_str(), envelope.msg) {
        ("tracking_update", Some(t)) => t,
        (event, _) => {
            wh.count(Outcome::Ignored);
            tracing::info!(event, "webhook event not used");
            return ack("ignored");
        }
    };
    let applied = apply(&s, &tracking).await;
    wh.count(if applied {
        Outcome::Applied
    } else {
        Outcome::Ignored
    });
    ack(if applied { "applied" } else { "ignored" })
}

/// Refreshes the cached views of `t` (the default language and the tracking's own) and
/// publishes the ones that changed. `false` when the tracking cannot be keyed.
async fn apply(s: &AppState, t: &Tracking) -> bool {
    let (Some(slug), Some(number)) = (
        t.slug.as_deref().and_then(|v| CourierSlug::parse(v).ok()),
        t.tracking_number
            .as_deref()
            .and_then(|v| TrackingNumber::parse(v).ok()),
    ) else {
        tracing::info!("webhook tracking without a usable slug or number");
        return false;
    };
    let view = project(&slug, &number, t);
    let Ok(body) = serde_json::to_vec(&view).map(Bytes::from) else {
        return false;
    };
    let own_lang = t.language.as_deref().and_then(|l| Lang::parse(l).ok());
    // The tracking's own language first: a stream in that language then already has the
    // view when the language-neutral one follows (see `crate::live`).
    let langs = own_lang.map(Some).into_iter().chain(std::iter::once(None));
    let cache = s.lookups.cache();
    for lang in langs {
        let key = LookupRequest {
            slug: slug.clone(),
            number: number.clone(),
            lang,
        };
        let previous = cache.get(&key).await.and_then(|e| e.body);
        if previous.as_ref() == Some(&body) {
            continue;
        }
        if previous.as_deref().is_some_and(|p| is_newer(p, &view)) {
            tracing::info!(slug = %slug, "webhook older than the cached view; ignored");
            continue;
        }
        cache
            .put(
                key.clone(),
                CachedLookup {
                    body: Some(body.clone()),
                    tag: Some(view.tag),
                    fetched_at: SystemTime::now(),
                },
            )
            .await;
        s.live.events.publish(Update {
            key,
            view: body.clone(),
        });
    }
    true
}

/// Whether the cached view `cached` (JSON) was updated after `incoming`.
fn is_newer(cached: &[u8], incoming: &TrackingView) -> bool {
    let at = |v: Option<&str>| v.and_then(|s| s.parse::<jiff::Timestamp>().ok());
    let Ok(cached) = serde_json::from_slice::<TrackingView>(cached) else {
        return false;
    };
    match (
        at(cached.updated_at.as_deref()),
        at(incoming.updated_at.as_deref()),
    ) {
        (Some(c), Some(i)) => c > i,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_against_the_raw_body() {
        let body = br#"{"event":"tracking_update"}"#;
        let good = aftership_sandbox::webhook_signature("s3cret", body);
        let hv = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(signature_ok(b"s3cret", Some(&hv(&good)), body));
        assert!(!signature_ok(b"other", Some(&hv(&good)), body));
        assert!(!signature_ok(
            b"s3cret",
            Some(&hv(&good)),
            b"{\"event\":\"x\"}"
        ));
        assert!(!signature_ok(b"s3cret", None, body));
        assert!(!signature_ok(b"s3cret", Some(&hv("not base64!")), body));
        assert!(!signature_ok(b"s3cret", Some(&hv(&good[..20])), body));
    }

    #[test]
    fn seen_ids_are_bounded_and_expire() {
        let seen = SeenIds::new(3, Duration::from_secs(60));
        assert!(seen.first_time("a"));
        assert!(!seen.first_time("a"));
        for id in ["b", "c", "d", "e"] {
            assert!(seen.first_time(id));
        }
        assert!(seen.len() <= 3, "{}", seen.len());
        let short = SeenIds::new(10, Duration::ZERO);
        assert!(short.first_time("a"));
        assert!(short.first_time("a"), "expired ids are forgotten");
    }
}
