//! Live updates: `GET /api/v1/trackings/{slug}/{tracking_number}/events`, a stream of
//! server-sent events carrying the same browser-safe view as the lookup route, plus the
//! state that goes with it ([`Live`]): the stream caps, the webhook receiver, the Redis
//! link for readiness and metrics, the shared per-IP limit ([`shared_limit`]), and the
//! demo-only clock control (`POST /demo/advance`, present only with the embedded sandbox).
//!
//! A stream opens with the current view (unless the client's `Last-Event-ID` says it
//! already has exactly that view), then sends each changed view as it is published by a
//! webhook, a refresh or another instance. Event ids are a hash of the view's JSON, so they
//! mean the same on every instance and a reconnect to another instance behind the load
//! balancer still resumes correctly. A comment every `keepalive` keeps proxies from closing
//! idle streams. Streams are capped per client IP (429) and in total (503), and end when the
//! server shuts down. Nothing here compresses or buffers: each event is flushed as written.

use crate::error::ApiError;
use crate::events::{Events, Update};
use crate::lookup::Lookups;
use crate::metrics::Metrics;
use crate::ratelimit::{TrustedProxies, client_ip, limit_key};
use crate::request::{LookupKind, LookupRequest, parse_lookup};
use crate::routes::AppState;
use crate::shared::{Redis, SharedLimiter};
use crate::webhooks::WebhookReceiver;
use aftership_sandbox::SandboxState;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use trackfront_types::TrackingView;

/// How long a refused stream is told to wait.
const STREAM_RETRY_AFTER: Duration = Duration::from_secs(10);
/// The most demo time one `POST /demo/advance` may move the clock.
const MAX_DEMO_HOURS: u64 = 24 * 30;

/// Limits of the live stream.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    /// Open streams allowed in total on this instance.
    pub max_streams: usize,
    /// Open streams allowed per client IP (IPv6: per /64) on this instance.
    pub max_streams_per_ip: usize,
    /// Interval of the keep-alive comment.
    pub keepalive: Duration,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            max_streams: 10_000,
            max_streams_per_ip: 8,
            keepalive: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Everything live updates need; one per instance.
pub struct Live {
    pub(crate) events: Events,
    lookups: Arc<Lookups>,
    settings: LiveSettings,
    trusted: TrustedProxies,
    open: Mutex<Open>,
    shutdown: watch::Sender<bool>,
    redis: Option<Arc<Redis>>,
    limiter: Option<SharedLimiter>,
    pub(crate) webhooks: WebhookReceiver,
    sandbox: Option<SandboxState>,
    metrics: Arc<Metrics>,
    opened: AtomicU64,
    refused: AtomicU64,
    sent: AtomicU64,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// What [`Live::new`] is built from.
pub struct LiveParts {
    /// The bus updates are published on.
    pub events: Events,
    /// Lookups (the current view when a stream opens).
    pub lookups: Arc<Lookups>,
    /// Stream limits.
    pub settings: LiveSettings,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted: TrustedProxies,
    /// The Redis link, when configured.
    pub redis: Option<Arc<Redis>>,
    /// The shared per-IP limit, with Redis.
    pub limiter: Option<SharedLimiter>,
    /// The webhook receiver.
    pub webhooks: WebhookReceiver,
    /// The embedded sandbox (demo mode only): enables `POST /demo/advance`.
    pub sandbox: Option<SandboxState>,
    /// The proxy's counters (rate-limited requests).
    pub metrics: Arc<Metrics>,
}

impl Live {
    /// Assembles the live state.
    pub fn new(p: LiveParts) -> Self {
        Self {
            events: p.events,
            lookups: p.lookups,
            settings: p.settings,
            trusted: p.trusted,
            open: Mutex::default(),
            shutdown: watch::channel(false).0,
            redis: p.redis,
            limiter: p.limiter,
            webhooks: p.webhooks,
            sandbox: p.sandbox,
            metrics: p.metrics,
            opened: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        }
    }

    /// Ends every open stream (the server is shutting down).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    /// Whether the demo clock control exists (embedded sandbox only).
    pub fn demo(&self) -> bool {
        self.sandbox.is_some()
    }

    /// Records a webhook `event_id`; `true` the first time any instance sees it (or this
    /// instance, while Redis is unavailable).
    pub async fn first_time(&self, event_id: &str) -> bool {
        let local = self.webhooks_seen_locally(event_id);
        match &self.redis {
            Some(r) => r.first_time(event_id).await.unwrap_or(local),
            None => local,
        }
    }

    fn webhooks_seen_locally(&self, event_id: &str) -> bool {
        self.webhooks.seen().first_time(event_id)
    }

    /// The readiness body: which state this instance is using.
    pub fn ready_body(&self) -> Bytes {
        Bytes::from_static(match &self.redis {
            None => br#"{"status":"ready","shared_state":"local"}"#,
            Some(r) if r.is_up() => br#"{"status":"ready","shared_state":"redis"}"#,
            Some(_) => br#"{"status":"ready","shared_state":"local","redis":"unavailable"}"#,
        })
    }

    /// The Prometheus lines of live updates, webhooks and the Redis link.
    pub fn render_metrics(&self) -> String {
        let mut out = String::with_capacity(1024);
        let _ = writeln!(
            out,
            "# HELP trackfront_live_streams Server-sent event streams open.\n# TYPE trackfront_live_streams gauge\ntrackfront_live_streams {}",
            self.open_streams()
        );
        for (name, help, v) in [
            (
                "trackfront_live_streams_opened_total",
                "Server-sent event streams opened.",
                &self.opened,
            ),
            (
                "trackfront_live_streams_refused_total",
                "Streams refused by the per-IP or total cap.",
                &self.refused,
            ),
            (
                "trackfront_live_events_sent_total",
                "Tracking updates sent on streams.",
                &self.sent,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Relaxed)
            );
        }
        self.webhooks.render_metrics(&mut out);
        if let Some(r) = &self.redis {
            r.render_metrics(&mut out);
        }
        out
    }

    fn open_slot(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, ApiError> {
        let key = limit_key(ip);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = open.per_ip.get(&key).copied().unwrap_or(0);
        let refused = if mine >= self.settings.max_streams_per_ip {
            Some(ApiError::RateLimited {
                retry_after: STREAM_RETRY_AFTER,
            })
        } else if open.total >= self.settings.max_streams {
            Some(ApiError::UpstreamUnavailable {
                retry_after: STREAM_RETRY_AFTER,
            })
        } else {
            None
        };
        if let Some(e) = refused {
            self.refused.fetch_add(1, Relaxed);
            return Err(e);
        }
        open.total += 1;
        *open.per_ip.entry(key).or_default() += 1;
        self.opened.fetch_add(1, Relaxed);
        Ok(Slot {
            live: self.clone(),
            key,
        })
    }
}

/// One open stream, counted until dropped.
struct Slot {
    live: Arc<Live>,
    key: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .live
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_ip.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.per_ip.remove(&self.key);
            }
        }
    }
}

/// The live routes; `/demo/advance` and `/demo/clock` only when `demo`.
pub fn routes(demo: bool) -> Router<Arc<AppState>> {
    let r = Router::new()
        .route(
            "/api/v1/trackings/{slug}/{tracking_number}/events",
            get(stream),
        )
        .route(
            "/webhooks/aftership",
            post(crate::webhooks::receive).layer(axum::extract::DefaultBodyLimit::max(
                crate::security::MAX_WEBHOOK_BODY as usize,
            )),
        );
    if demo {
        r.route("/demo/advance", post(demo_advance))
            .route("/demo/clock", get(demo_clock))
    } else {
        r
    }
}

/// The address to reach a listener bound on `addr` from this machine (`0.0.0.0` and `::`
/// become loopback).
pub fn loopback_of(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from(([127, 0, 0, 1], addr.port())),
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}

/// The SSE id of a view: a short hash of its JSON (the same on every instance).
pub fn event_id(view: &[u8]) -> String {
    let digest = Sha256::digest(view);
    digest[..8]
        .iter()
        .fold(String::with_capacity(16), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn view_event(id: &str, view: &[u8]) -> Event {
    Event::default().id(id).data(String::from_utf8_lossy(view))
}

fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

async fn stream(State(s): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let live = &s.live;
    let uri = req.uri();
    let path = uri
        .path()
        .strip_suffix("/events")
        .ok_or(ApiError::NotFound)?;
    let (kind, key) = parse_lookup(path, uri.query())?;
    if kind != LookupKind::Tracking {
        return Err(ApiError::NotFound);
    }
    let ip = peer_ip(&req).map_or(IpAddr::from([0, 0, 0, 0]), |peer| {
        client_ip(peer, req.headers(), &live.trusted)
    });
    let slot = live.open_slot(ip)?;
    // Subscribed before the current view is read, so nothing published in between is lost.
    let rx = live.events.subscribe();
    let served = s.lookups.lookup(&key).await?;
    let body = served.entry.body.clone().ok_or(ApiError::NotFound)?;
    let id = event_id(&body);
    let resumed = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|last| last == id);
    let first = (!resumed).then(|| {
        let shown = if served.stale {
            mark_stale(&body)
        } else {
            body
        };
        view_event(&id, &shown)
    });
    let feed = Feed {
        rx,
        key,
        last: id,
        first,
        shutdown: live.shutdown.subscribe(),
        live: live.clone(),
        _slot: slot,
    };
    let events = futures_util::stream::unfold(feed, Feed::next);
    let mut resp = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(live.settings.keepalive))
        .into_response();
    // Tell intermediaries (nginx) not to buffer the stream.
    resp.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The view with `stale: true` (for a stream opened on an old cache entry).
fn mark_stale(body: &Bytes) -> Bytes {
    serde_json::from_slice::<TrackingView>(body)
        .ok()
        .and_then(|mut v| {
            v.stale = true;
            serde_json::to_vec(&v).ok()
        })
        .map_or_else(|| body.clone(), Bytes::from)
}

struct Feed {
    rx: broadcast::Receiver<Update>,
    key: LookupRequest,
    last: String,
    first: Option<Event>,
    shutdown: watch::Receiver<bool>,
    live: Arc<Live>,
    _slot: Slot,
}

enum Step {
    Stop,
    Update(Update),
    Lagged,
}

impl Feed {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if let Some(first) = self.first.take() {
            return Some((Ok(first), self));
        }
        loop {
            let next = tokio::select! {
                _ = self.shutdown.wait_for(|stop| *stop) => Step::Stop,
                r = self.rx.recv() => match r {
                    Ok(u) => Step::Update(u),
                    Err(broadcast::error::RecvError::Lagged(_)) => Step::Lagged,
                    Err(broadcast::error::RecvError::Closed) => Step::Stop,
                },
            };
            let view = match next {
                Step::Stop => return None,
                Step::Update(u) if u.key == self.key => u.view,
                // Webhooks publish the language-neutral view; a stream in a language the
                // webhook did not cover asks for its own (coalesced, through the budget).
                Step::Update(u)
                    if u.key.lang.is_none()
                        && self.key.lang.is_some()
                        && u.key.slug == self.key.slug
                        && u.key.number == self.key.number
                        && event_id(&u.view) != self.last =>
                {
                    self.live.lookups.refresh(&self.key);
                    continue;
                }
                Step::Update(_) => continue,
                // Missed updates: whatever the cache holds now is the latest view.
                Step::Lagged => match self.live.lookups.cache().get(&self.key).await {
                    Some(entry) => match entry.body {
                        Some(b) => b,
                        None => continue,
                    },
                    None => continue,
                },
            };
            let id = event_id(&view);
            if id == self.last {
                continue;
            }
            self.last.clone_from(&id);
            self.live.sent.fetch_add(1, Relaxed);
            return Some((Ok(view_event(&id, &view)), self));
        }
    }
}

impl Live {
    /// Whether a shared (Redis) per-client limit is configured, i.e. whether
    /// [`shared_limit`] has anything to do.
    pub fn has_shared_limit(&self) -> bool {
        self.limiter.is_some()
    }
}

/// Applies the shared (Redis) per-IP limit to API requests; the local limit in the guard
/// keeps working alongside it and alone while Redis is unavailable.
pub async fn shared_limit(State(live): State<Arc<Live>>, req: Request, next: Next) -> Response {
    if let Some(limiter) = &live.limiter
        && req.uri().path().starts_with("/api/")
        && let Some(peer) = peer_ip(&req)
    {
        let ip = client_ip(peer, req.headers(), &live.trusted);
        if let Err(retry_after) = limiter.check(ip).await {
            live.metrics.rate_limited();
            return ApiError::RateLimited { retry_after }.into_response();
        }
    }
    next.run(req).await
}

#[derive(serde::Deserialize, Default)]
struct Advance {
    #[serde(default)]
    hours: Option<u64>,
}

/// `POST /demo/advance` `{"hours": N}` (default 24): moves the embedded sandbox's clock,
/// which reveals checkpoints and sends signed webhooks back to this proxy. Only routed
/// with the embedded sandbox; refuses cross-origin callers.
async fn demo_advance(State(s): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let Some(sandbox) = &s.live.sandbox else {
        return Err(ApiError::NotFound);
    };
    let headers = req.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        if same.is_none() || same != host {
            return Err(ApiError::Forbidden);
        }
    }
    let body = axum::body::to_bytes(req.into_body(), 1024)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let advance: Advance = if body.is_empty() {
        Advance::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest {
            code: trackfront_types::ErrorCode::InvalidRequest,
            message: "Expected {\"hours\": N}.",
        })?
    };
    let hours = advance.hours.unwrap_or(24).clamp(1, MAX_DEMO_HOURS);
    sandbox.advance_clock(Duration::from_secs(hours * 3600));
    tracing::info!(hours, "demo clock advanced");
    Ok(clock_json(sandbox, Some(hours)))
}

/// `GET /demo/clock`: the embedded sandbox's simulated time (the demo toolbar shows it,
/// and only appears when this route answers).
async fn demo_clock(State(s): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let sandbox = s.live.sandbox.as_ref().ok_or(ApiError::NotFound)?;
    Ok(clock_json(sandbox, None))
}

fn clock_json(sandbox: &SandboxState, advanced_hours: Option<u64>) -> Response {
    let body = serde_json::json!({
        "now": sandbox.now().to_string(),
        "advanced_hours": advanced_hours,
    });
    let mut resp = body.to_string().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_follow_the_content() {
        let a = event_id(br#"{"tag":"InTransit"}"#);
        assert_eq!(a.len(), 16);
        assert_eq!(a, event_id(br#"{"tag":"InTransit"}"#));
        assert_ne!(a, event_id(br#"{"tag":"Delivered"}"#));
    }
}
