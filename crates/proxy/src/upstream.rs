//! Everything between the proxy and AfterShip: a global budget per endpoint (a sliding
//! one-second window, so a burst of shoppers queues or is shed instead of earning a 429),
//! retries with full-jitter back-off inside one deadline, `Retry-After` honoured by pausing
//! the endpoint's budget, and a circuit breaker that fails fast after repeated failures.
//!
//! The typed [`aftership::Client`] does the HTTP; its own retries are switched off so that
//! every attempt goes through the budget here. Requests are built only from validated
//! [`CourierSlug`] and [`TrackingNumber`] values; the base URL comes from configuration.

use crate::config::{Budget, UpstreamSettings};
use crate::metrics::{Endpoint, Metrics, Outcome};
use aftership::model::{CreateTrackingRequest, GetTrackingQuery, ListTrackingsQuery, Tracking};
use aftership::{ApiKey, Client, ClientOptions, MetaCode};
use rand::Rng;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use trackfront_types::{CourierSlug, Lang, TrackingNumber};

/// The budget's notion of "one second": a margin over AfterShip's window absorbs the
/// varying time requests take to reach it (connection set-up, scheduling), so that calls
/// spaced for N per `WINDOW` never land N+1 in one of its one-second windows.
const WINDOW: Duration = Duration::from_millis(1200);

/// Why the upstream could not give an answer.
#[derive(Debug)]
pub enum UpstreamError {
    /// Not attempted or given up: breaker open, budget shed, or AfterShip rate limiting us.
    Unavailable {
        /// When it may work again.
        retry_after: Duration,
        /// What happened, for the log.
        reason: &'static str,
    },
    /// AfterShip (or the network) failed or answered with an error.
    Failed(aftership::Error),
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable {
                retry_after,
                reason,
            } => {
                write!(
                    f,
                    "upstream unavailable ({reason}), retry after {retry_after:?}"
                )
            }
            Self::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl UpstreamError {
    /// The typed meta code of an API error.
    pub fn meta_code(&self) -> Option<MetaCode> {
        match self {
            Self::Failed(e) => e.meta_code(),
            Self::Unavailable { .. } => None,
        }
    }
}

/// N calls per [`WINDOW`] for one endpoint, evenly spaced (a GCRA without burst), with a
/// bounded FIFO queue. Spacing rather than bursting keeps the upstream's fixed one-second
/// windows safe even when requests reach it with some jitter, and needs fewer concurrent
/// connections.
#[derive(Debug)]
pub struct RateBudget {
    interval: Duration,
    queue_cap: u32,
    waiting: AtomicU32,
    /// The next free slot. Held while waiting for it: tokio's mutex is fair, so callers
    /// are served in arrival order.
    next_free: tokio::sync::Mutex<Option<Instant>>,
    paused_until: Mutex<Option<Instant>>,
}

struct Waiting<'a>(&'a AtomicU32);
impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RateBudget {
    /// `per_second` calls per window, at most `queue_cap` callers waiting.
    pub fn new(per_second: u32, queue_cap: u32) -> Self {
        Self {
            interval: WINDOW / per_second.max(1),
            queue_cap,
            waiting: AtomicU32::new(0),
            next_free: tokio::sync::Mutex::new(None),
            paused_until: Mutex::new(None),
        }
    }

    /// Stops handing out slots until `now + d` (the upstream said `Retry-After`).
    pub fn pause_for(&self, d: Duration) {
        let until = Instant::now() + d;
        let mut p = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *p = Some(p.map_or(until, |old| old.max(until)));
    }

    fn paused_until(&self) -> Option<Instant> {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a slot. Gives up at once (shedding) when the queue is full, or as soon as
    /// it is clear the slot would come after `deadline`; the error is a suggested
    /// `Retry-After`.
    pub async fn acquire(&self, deadline: Instant) -> Result<(), Duration> {
        let queued = self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        let backlog = self.interval * (queued + 1);
        // Shed at once when the queue is full, or when the callers ahead already use up
        // the time left: waiting would only end in the same refusal, later.
        if queued >= self.queue_cap || Instant::now() + self.interval * queued > deadline {
            return Err(backlog);
        }
        let Ok(mut next_free) = tokio::time::timeout_at(deadline, self.next_free.lock()).await
        else {
            return Err(backlog);
        };
        loop {
            let now = Instant::now();
            let mut slot = next_free.map_or(now, |t| t.max(now));
            if let Some(p) = self.paused_until() {
                slot = slot.max(p);
            }
            if slot <= now {
                *next_free = Some(now + self.interval);
                return Ok(());
            }
            if slot > deadline {
                return Err(slot - now + backlog);
            }
            // Re-checked after the sleep: a pause may have been set meanwhile.
            tokio::time::sleep_until(slot).await;
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum BreakerState {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probe_since: Instant },
}

/// Closed → open after `threshold` consecutive failures → after the cool-down one probe is
/// let through (half-open) → closed on its success, open again on its failure.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    probe_timeout: Duration,
    state: Mutex<BreakerState>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(threshold: u32, cooldown: Duration, probe_timeout: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown,
            probe_timeout,
            state: Mutex::new(BreakerState::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// May a call go out now? `Err` carries the suggested `Retry-After`.
    pub fn admit(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut s = self.lock();
        match *s {
            BreakerState::Closed { .. } => Ok(()),
            BreakerState::Open { until } if now < until => Err(until - now),
            BreakerState::Open { .. } => {
                *s = BreakerState::HalfOpen { probe_since: now };
                Ok(())
            }
            BreakerState::HalfOpen { probe_since } if now - probe_since > self.probe_timeout => {
                *s = BreakerState::HalfOpen { probe_since: now };
                Ok(())
            }
            BreakerState::HalfOpen { .. } => Err(Duration::from_secs(1)),
        }
    }

    /// The upstream answered (even with a 4xx): it is reachable.
    pub fn success(&self) {
        *self.lock() = BreakerState::Closed { failures: 0 };
    }

    /// The upstream failed; `hint` is how long it asked us to stay away, if it did.
    pub fn failure(&self, hint: Option<Duration>) {
        let now = Instant::now();
        let open_for = self.cooldown.max(hint.unwrap_or_default());
        let mut s = self.lock();
        *s = match *s {
            BreakerState::Closed { failures } if failures + 1 < self.threshold => {
                BreakerState::Closed {
                    failures: failures + 1,
                }
            }
            BreakerState::Closed { .. } | BreakerState::HalfOpen { .. } => {
                tracing::warn!(?open_for, "upstream circuit breaker opened");
                BreakerState::Open {
                    until: now + open_for,
                }
            }
            open @ BreakerState::Open { .. } => open,
        };
    }

    /// Whether calls are currently being refused (open, or a probe is out).
    pub fn is_open(&self) -> bool {
        match *self.lock() {
            BreakerState::Closed { .. } => false,
            BreakerState::Open { until } => Instant::now() < until,
            BreakerState::HalfOpen { .. } => true,
        }
    }

    /// How long until a probe may go out (zero when closed).
    pub fn retry_after(&self) -> Duration {
        match *self.lock() {
            BreakerState::Open { until } => until.saturating_duration_since(Instant::now()),
            BreakerState::HalfOpen { .. } => Duration::from_secs(1),
            BreakerState::Closed { .. } => Duration::ZERO,
        }
    }
}

/// The AfterShip side of the proxy.
pub struct Upstream {
    client: Client,
    budgets: [RateBudget; 3],
    breaker: Breaker,
    settings: UpstreamSettings,
    metrics: Arc<Metrics>,
    last_ok: Mutex<Option<Instant>>,
    /// With Redis: the same budget counted across all instances.
    shared_budget: Option<crate::shared::SharedBudget>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Builds the client for `base_url` with `key`.
    ///
    /// # Errors
    /// When the base URL is not a usable http(s) URL.
    pub fn new(
        base_url: &str,
        key: ApiKey,
        budget: Budget,
        settings: UpstreamSettings,
        metrics: Arc<Metrics>,
    ) -> Result<Self, Box<aftership::Error>> {
        let opts = ClientOptions {
            timeout: settings.attempt_timeout,
            connect_timeout: settings.attempt_timeout.min(Duration::from_secs(2)),
            max_retries: 0,
            max_rate_limit_wait: Duration::ZERO,
            ..ClientOptions::default()
        };
        let client = Client::new(base_url, key, opts).map_err(Box::new)?;
        let q = settings.queue;
        Ok(Self {
            client,
            budgets: [
                RateBudget::new(budget.list, q),
                RateBudget::new(budget.get, q),
                RateBudget::new(budget.create, q),
            ],
            breaker: Breaker::new(
                settings.breaker_failures,
                settings.breaker_cooldown,
                settings.attempt_timeout * 2,
            ),
            settings,
            metrics,
            last_ok: Mutex::new(None),
            shared_budget: None,
        })
    }

    /// Also spends every call from `shared`, the budget of all instances together (the
    /// local one still applies, and alone while Redis is unavailable).
    #[must_use]
    pub fn with_shared_budget(mut self, shared: crate::shared::SharedBudget) -> Self {
        self.shared_budget = Some(shared);
        self
    }

    /// The breaker (for `/readyz`, `/metrics` and fast failure of uncached lookups).
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// The per-request deadline for upstream work.
    pub fn deadline(&self) -> Duration {
        self.settings.deadline
    }

    /// When the upstream last answered successfully.
    pub fn last_ok(&self) -> Option<Instant> {
        *self.last_ok.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Finds a tracking by courier and number (the 2026-07 API has no get-by-number: a
    /// filtered list, then, when another language is wanted, a get by id).
    ///
    /// # Errors
    /// [`UpstreamError`].
    pub async fn find(
        &self,
        slug: &CourierSlug,
        number: &TrackingNumber,
        lang: Option<&Lang>,
    ) -> Result<Option<Tracking>, UpstreamError> {
        let deadline = Instant::now() + self.settings.deadline;
        let query = ListTrackingsQuery {
            tracking_numbers: Some(number.as_str().to_owned()),
            slug: Some(slug.as_str().to_owned()),
            limit: Some(1),
            ..Default::default()
        };
        let list = self
            .call(Endpoint::List, deadline, || {
                self.client.list_trackings(&query)
            })
            .await?;
        let found = list.trackings.into_iter().find(|t| {
            t.slug.as_deref() == Some(slug.as_str())
                && t.tracking_number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(number.as_str()))
        });
        let Some(found) = found else { return Ok(None) };
        let (Some(lang), Some(id)) = (lang, found.id.clone()) else {
            return Ok(Some(found));
        };
        if found.language.as_deref() == Some(lang.as_str()) {
            return Ok(Some(found));
        }
        let q = GetTrackingQuery {
            lang: Some(lang.as_str().to_owned()),
            fields: None,
        };
        let t = self
            .call(Endpoint::Get, deadline, || {
                self.client.get_tracking(&id, &q)
            })
            .await?;
        Ok(Some(t))
    }

    /// Creates a tracking with nothing but its courier and number.
    ///
    /// # Errors
    /// [`UpstreamError`]; `TrackingAlreadyExists` when someone else was faster.
    pub async fn create(
        &self,
        slug: &CourierSlug,
        number: &TrackingNumber,
    ) -> Result<Tracking, UpstreamError> {
        let deadline = Instant::now() + self.settings.deadline;
        let req = CreateTrackingRequest {
            tracking_number: Some(number.as_str().to_owned()),
            slug: Some(slug.as_str().to_owned()),
            ..Default::default()
        };
        self.call(Endpoint::Create, deadline, || {
            self.client.create_tracking(&req)
        })
        .await
    }

    /// A cheap reachability check for `/readyz` (one list call of one item, through the
    /// budget and the breaker, bounded by `timeout`).
    pub async fn probe(&self, timeout: Duration) -> bool {
        let query = ListTrackingsQuery {
            limit: Some(1),
            ..Default::default()
        };
        let deadline = Instant::now() + timeout.min(self.settings.deadline);
        self.call(Endpoint::List, deadline, || {
            self.client.list_trackings(&query)
        })
        .await
        .is_ok()
    }

    async fn call<T, F, Fut>(
        &self,
        ep: Endpoint,
        deadline: Instant,
        attempt: F,
    ) -> Result<T, UpstreamError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<aftership::Response<T>, aftership::Error>>,
    {
        let budget = &self.budgets[ep as usize];
        let mut retries = 0;
        loop {
            self.breaker
                .admit()
                .map_err(|retry_after| UpstreamError::Unavailable {
                    retry_after,
                    reason: "circuit breaker open",
                })?;
            if let Err(retry_after) = budget.acquire(deadline).await {
                self.metrics.shed(ep);
                return Err(UpstreamError::Unavailable {
                    retry_after,
                    reason: "upstream budget exhausted",
                });
            }
            if let Some(shared) = &self.shared_budget
                && let Err(retry_after) =
                    shared.acquire(ep.label(), budget.interval, deadline).await
            {
                self.metrics.shed(ep);
                return Err(UpstreamError::Unavailable {
                    retry_after,
                    reason: "shared upstream budget exhausted",
                });
            }
            let err = match tokio::time::timeout_at(deadline, attempt()).await {
                Ok(Ok(resp)) => {
                    self.metrics.upstream(ep, Outcome::Ok);
                    self.breaker.success();
                    *self.last_ok.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(Instant::now());
                    return Ok(resp.data);
                }
                Ok(Err(e)) => e,
                Err(_) => aftership::Error::Timeout,
            };
            self.metrics.upstream(ep, Outcome::of(&err));
            let now = Instant::now();
            if err.is_rate_limited() {
                let wait = err.retry_after().unwrap_or(Duration::from_secs(1));
                budget.pause_for(wait);
                self.breaker.failure(Some(wait));
                tracing::warn!(
                    endpoint = ep.label(),
                    ?wait,
                    "AfterShip rate limited the proxy"
                );
                if retries < self.settings.retries && now + wait < deadline {
                    retries += 1;
                    continue;
                }
                return Err(UpstreamError::Unavailable {
                    retry_after: wait,
                    reason: "AfterShip rate limit",
                });
            }
            if err.is_upstream_failure() {
                self.breaker.failure(None);
                let delay = full_jitter(self.settings.backoff_base, retries);
                if retries < self.settings.retries && now + delay < deadline {
                    tracing::debug!(endpoint = ep.label(), error = %err, ?delay, "retrying upstream call");
                    retries += 1;
                    tokio::time::sleep(delay).await;
                    continue;
                }
                return Err(UpstreamError::Failed(err));
            }
            // A definite 4xx answer: AfterShip is up, the request was refused.
            self.breaker.success();
            return Err(UpstreamError::Failed(err));
        }
    }
}

/// Full jitter: uniform in `[0, base · 2^retry]`, capped at 2 s.
fn full_jitter(base: Duration, retry: u32) -> Duration {
    let cap = base
        .saturating_mul(1 << retry.min(10))
        .min(Duration::from_secs(2));
    cap.mul_f64(rand::rng().random_range(0.0..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn budget_never_exceeds_its_rate_in_any_window() {
        let b = Arc::new(RateBudget::new(5, 100));
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let b = b.clone();
            tasks.push(tokio::spawn(async move {
                b.acquire(deadline).await.unwrap();
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 5,
                "{in_window} calls within a second of call {i}"
            );
        }
        // 20 calls spaced 240 ms apart.
        let elapsed = *times.last().unwrap() - start;
        assert_eq!(elapsed, Duration::from_millis(19 * 240));
    }

    /// Regression: a sliding window let N calls go at once, and with a little arrival
    /// jitter N+1 of them landed in one of AfterShip's fixed seconds (a 429 in the burst
    /// test). Grants must now be at least one interval apart, whatever the demand.
    #[tokio::test(start_paused = true)]
    async fn regression_budget_bursts_landed_n_plus_one_calls_in_one_upstream_second() {
        let b = Arc::new(RateBudget::new(6, 100));
        let deadline = Instant::now() + Duration::from_secs(60);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let b = b.clone();
                tokio::spawn(async move {
                    b.acquire(deadline).await.unwrap();
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort();
        for w in times.windows(2) {
            assert!(
                w[1] - w[0] >= Duration::from_millis(200),
                "{:?}",
                w[1] - w[0]
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn budget_sheds_when_the_queue_is_full_or_the_deadline_is_too_near() {
        let b = RateBudget::new(1, 0);
        assert!(
            b.acquire(Instant::now() + Duration::from_secs(5))
                .await
                .is_err()
        );
        let b = RateBudget::new(1, 10);
        let soon = Instant::now() + Duration::from_millis(500);
        assert!(b.acquire(soon).await.is_ok());
        let shed = b.acquire(soon).await.unwrap_err();
        assert!(shed >= Duration::from_millis(500), "{shed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_slot_back() {
        let b = RateBudget::new(100, 10);
        b.pause_for(Duration::from_secs(2));
        let start = Instant::now();
        b.acquire(start + Duration::from_secs(5)).await.unwrap();
        assert!(Instant::now() - start >= Duration::from_secs(2));
        assert!(b.acquire(start + Duration::from_secs(3)).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn breaker_opens_probes_once_and_closes() {
        let br = Breaker::new(3, Duration::from_secs(10), Duration::from_secs(6));
        br.failure(None);
        br.failure(None);
        assert!(br.admit().is_ok());
        br.failure(None);
        assert!(br.is_open());
        assert!(br.admit().unwrap_err() <= Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(br.admit().is_ok(), "one probe after the cool-down");
        assert!(br.admit().is_err(), "only one probe at a time");
        br.success();
        assert!(!br.is_open());
        assert!(br.admit().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_probe_reopens_for_at_least_the_hint() {
        let br = Breaker::new(1, Duration::from_secs(1), Duration::from_secs(6));
        br.failure(None);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(br.admit().is_ok());
        br.failure(Some(Duration::from_secs(30)));
        assert!(br.admit().unwrap_err() > Duration::from_secs(20));
    }

    #[test]
    fn jitter_stays_within_its_cap() {
        for retry in 0..20 {
            let d = full_jitter(Duration::from_millis(100), retry);
            assert!(d <= Duration::from_secs(2));
        }
    }
}
