//! An AfterShip-compatible Tracking API (version 2026-07, plus the seed's legacy `/v4`
//! reads) with simulated shipments, a controllable clock, signed `tracking_update`
//! webhooks and fault injection. It is trackfront's upstream everywhere outside
//! production: the proxy embeds it when no API key is set, tests spawn it on loopback,
//! and the official SDKs are pointed at the standalone `aftership-sandbox` binary.
//!
//! It serialises the very wire models of the [`aftership`] client crate, so client and
//! sandbox cannot drift apart silently. It must never be used in production with a real
//! API key, must never reach the network beyond loopback and the webhook URLs it is
//! configured with, and keeps everything in memory (nothing is written to disk).
//!
//! Embedding: [`spawn`] a [`SandboxConfig`] and talk to [`SandboxHandle::base_url`].
//!
//! Admin endpoints (no API key, plain JSON, never fault-injected):
//! - `GET /sandbox/clock` → `{start, now, advanced_seconds}`;
//! - `POST /sandbox/clock/advance` with `{"seconds": N}` (or `hours`, `days`) → the clock;
//!   reveals due checkpoints and fires `tracking_update` webhooks;
//! - `GET /sandbox/faults`, `PUT /sandbox/faults` with a [`Faults`] object (missing fields
//!   take their defaults, so `{}` clears every fault);
//! - `POST /sandbox/reset`: demo trackings only, clock back at its start, configured faults;
//! - `GET /sandbox/webhooks` → `{deliveries: [WebhookDelivery]}`.
//!
//! Demo trackings (slug `ecms`, identical in every mode for a given clock start):
//! [`DEMO_TRACKING_NUMBERS`], one per tag in AfterShip's tag order.

mod admin;
mod api;
pub mod cli;
mod clock;
mod couriers;
mod demo;
mod edd;
mod faults;
mod http;
mod journey;
mod legacy;
mod places;
mod store;
mod translate;
mod validate;
mod webhook;

pub use faults::Faults;
pub use webhook::{WebhookDelivery, WebhookOptions, sign as webhook_signature};

use aftership::ApiKey;
use jiff::Timestamp;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The API version the sandbox serves (and puts in `as-api-version`).
pub const API_VERSION: &str = "2026-07";

/// Per-endpoint rate limits in requests per second (one window per endpoint per second).
/// The default is AfterShip's table (reference §1.4); [`RateLimits::relaxed`] lifts them for
/// tests and demos that must not be throttled.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RateLimits {
    pub list_trackings: u32,
    pub create_tracking: u32,
    pub get_tracking: u32,
    pub update_tracking: u32,
    pub delete_tracking: u32,
    pub retrack: u32,
    pub mark_completed: u32,
    pub get_couriers: u32,
    pub detect_courier: u32,
    pub predict: u32,
    pub predict_batch: u32,
    /// The legacy `/v4` reads (AfterShip's legacy limit: 10 per second per organisation).
    pub legacy: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            list_trackings: 6,
            create_tracking: 20,
            get_tracking: 5,
            update_tracking: 5,
            delete_tracking: 5,
            retrack: 5,
            mark_completed: 5,
            get_couriers: 5,
            detect_courier: 3,
            predict: 5,
            predict_batch: 20,
            legacy: 10,
        }
    }
}

impl RateLimits {
    /// The same limit on every endpoint.
    pub fn relaxed(per_second: u32) -> Self {
        Self {
            list_trackings: per_second,
            create_tracking: per_second,
            get_tracking: per_second,
            update_tracking: per_second,
            delete_tracking: per_second,
            retrack: per_second,
            mark_completed: per_second,
            get_couriers: per_second,
            detect_courier: per_second,
            predict: per_second,
            predict_batch: per_second,
            legacy: per_second,
        }
    }
}

/// Everything a sandbox needs. Build it with [`SandboxConfig::new`] and override fields.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The key clients must send in `as-api-key` (`aftership-api-key` on `/v4`).
    pub api_key: ApiKey,
    /// Journeys of created trackings are chosen from (number, seed). The demo trackings
    /// are the same for every seed.
    pub seed: u64,
    /// Where `tracking_update` events are POSTed (may be empty).
    pub webhook_urls: Vec<String>,
    /// HMAC key of `aftership-hmac-sha256`. Without it the header is not sent.
    pub webhook_secret: Option<SecretString>,
    /// Retry schedule of webhook deliveries.
    pub webhook: WebhookOptions,
    /// Fault injection; the default injects nothing.
    pub faults: Faults,
    /// Per-endpoint rate limits; the default is AfterShip's.
    pub rate_limits: RateLimits,
    /// Where the simulated clock starts; `None` = the real time at start-up. The demo
    /// trackings are laid out relative to it.
    pub clock_start: Option<Timestamp>,
    /// Seed the nine `ecms` demo trackings (default `true`).
    pub seed_demo: bool,
    /// Also seed this many `ecms` trackings, numbered by [`bulk_tracking_number`]: for load
    /// tests that need many distinct trackings without creating each one over HTTP
    /// (default 0).
    pub bulk_trackings: u32,
}

impl SandboxConfig {
    /// A configuration with every default: demo trackings, AfterShip's rate limits, no
    /// faults, no webhooks, seed 0, clock starting now.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            api_key,
            seed: 0,
            webhook_urls: Vec::new(),
            webhook_secret: None,
            webhook: WebhookOptions::default(),
            faults: Faults::default(),
            rate_limits: RateLimits::default(),
            clock_start: None,
            seed_demo: true,
            bulk_trackings: 0,
        }
    }
}

/// The courier of bulk-seeded trackings ([`SandboxConfig::bulk_trackings`]).
pub const BULK_SLUG: &str = "ecms";

/// The number of the `i`-th bulk-seeded tracking (from 1): `ECMSBULK00000001` and so on.
pub fn bulk_tracking_number(i: u32) -> String {
    format!("ECMSBULK{i:08}")
}

/// The tracking numbers of the seeded demo trackings (slug `ecms`), one per tag, in tag order.
pub const DEMO_TRACKING_NUMBERS: [&str; 9] = [
    "ECMS0000PENDING",
    "ECMS0001INFO",
    "ECMS0002TRANSIT",
    "ECMS0003OUT",
    "ECMS0004FAIL",
    "ECMS0005DELIVERED",
    "ECMS0006PICKUP",
    "ECMS0007EXCEPTION",
    "ECMS0008EXPIRED",
];

/// The shared state behind a sandbox: store, clock, faults, rate-limit windows and the
/// webhook queue. Cheap to clone. [`SandboxState::new`] must run inside a Tokio runtime
/// (it starts the webhook worker).
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) inner: Arc<store::Shared>,
}

impl std::fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxState").finish_non_exhaustive()
    }
}

impl SandboxState {
    /// Builds the state (seeding the demo trackings) and starts the webhook worker.
    pub fn new(config: SandboxConfig) -> Self {
        Self {
            inner: store::Shared::new(config),
        }
    }

    /// Replaces the fault injection.
    pub fn set_faults(&self, f: Faults) {
        self.inner.set_faults(f);
    }

    /// Moves the simulated clock forward, revealing checkpoints and firing webhooks.
    pub fn advance_clock(&self, by: Duration) {
        self.inner.advance_clock(by);
    }

    /// The simulated time.
    pub fn now(&self) -> Timestamp {
        self.inner.now()
    }

    /// Back to the initial state: demo trackings only, clock at its start, no faults
    /// (the configured ones), fresh rate-limit windows.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Every webhook delivery attempt so far, oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.inner.webhooks.deliveries()
    }
}

/// The full router: the AfterShip API under `/tracking/2026-07`, the legacy reads under
/// `/v4` and the admin endpoints under `/sandbox`.
pub fn router(state: SandboxState) -> axum::Router {
    api::router(state.clone())
        .merge(legacy::router(state.clone()))
        .merge(admin::router(state.clone()))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::not_found)
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: SandboxState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let stop = state.inner.shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Wake hanging fault-injected requests so the graceful shutdown can finish.
            stop.send_replace(true);
        })
        .await
}

/// A running sandbox. Dropping it (or calling [`SandboxHandle::shutdown`]) stops the server.
#[derive(Debug)]
pub struct SandboxHandle {
    state: SandboxState,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Binds `127.0.0.1:0` and serves the sandbox in a Tokio task.
///
/// # Errors
/// When the loopback port cannot be bound.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    spawn_on("127.0.0.1:0".parse().expect("valid address"), config).await
}

/// Like [`spawn`], on a given address.
///
/// # Errors
/// When the address cannot be bound.
pub async fn spawn_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = SandboxState::new(config);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        let stop = async move {
            let _ = rx.await;
        };
        if let Err(e) = serve(listener, served, stop).await {
            tracing::error!(error = %e, "sandbox server failed");
        }
    });
    Ok(SandboxHandle {
        state,
        addr,
        stop: Some(tx),
    })
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (store, clock, faults).
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    /// Replaces the fault injection at runtime.
    pub fn set_faults(&self, f: Faults) {
        self.state.set_faults(f);
    }

    /// Advances the simulated clock (reveals checkpoints, fires webhooks).
    pub fn advance_clock(&self, by: Duration) {
        self.state.advance_clock(by);
    }

    /// Every webhook delivery attempt so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.state.webhook_deliveries()
    }

    /// Stops the server (in-flight requests, hanging ones included, are ended).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.state.inner.shutdown.send_replace(true);
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
