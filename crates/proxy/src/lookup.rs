//! The lookup path: cache first, then one coalesced upstream fetch per key.
//!
//! * Fresh entry: served as is.
//! * Within stale-while-revalidate: served at once marked `stale`, one background refresh.
//! * Within stale-if-error: refreshed first; if that fails, served marked `stale`.
//! * No entry: fetched, unless the breaker is open (then a fast 503 with `Retry-After`).
//!
//! Every fetch runs in its own task, so a shopper closing the tab does not cancel work
//! others wait for, and concurrent requests for the same key share that one task (a
//! `Shared` future in the in-flight map): 100 identical cold lookups make one upstream
//! call. Unknown trackings are created upstream when auto-create is on (answering
//! `Pending`); otherwise "not found" is cached briefly.

use crate::cache::{CachePolicy, CachedLookup, Freshness, ViewCache};
use crate::error::ApiError;
use crate::events::{Events, Update};
use crate::metrics::Metrics;
use crate::request::LookupRequest;
use crate::upstream::{Upstream, UpstreamError};
use crate::view::project;
use aftership::MetaCode;
use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use trackfront_types::{ErrorCode, ParseError};

type Fetch = Shared<BoxFuture<'static, Result<CachedLookup, ApiError>>>;

/// What a lookup produced.
#[derive(Debug, Clone)]
pub struct Served {
    /// The cached outcome (view JSON or "not found").
    pub entry: CachedLookup,
    /// True when the view is older than its freshness window.
    pub stale: bool,
}

/// The lookup service shared by the handlers.
pub struct Lookups {
    upstream: Arc<Upstream>,
    cache: Arc<dyn ViewCache>,
    policy: CachePolicy,
    inflight: Mutex<HashMap<LookupRequest, Fetch>>,
    auto_create: bool,
    metrics: Arc<Metrics>,
    events: Events,
}

impl Lookups {
    /// Wires the service.
    pub fn new(
        upstream: Arc<Upstream>,
        cache: Arc<dyn ViewCache>,
        policy: CachePolicy,
        auto_create: bool,
        metrics: Arc<Metrics>,
        events: Events,
    ) -> Self {
        Self {
            upstream,
            cache,
            policy,
            inflight: Mutex::new(HashMap::new()),
            auto_create,
            metrics,
            events,
        }
    }

    /// The upstream (for readiness and metrics).
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The cache (for metrics).
    pub fn cache(&self) -> &dyn ViewCache {
        &*self.cache
    }

    /// Looks a tracking up.
    ///
    /// # Errors
    /// [`ApiError`] for unavailable upstreams (503), refused numbers (400) and bugs (500).
    pub async fn lookup(self: &Arc<Self>, req: &LookupRequest) -> Result<Served, ApiError> {
        let cached = self.cache.get(req).await;
        let freshness = cached.as_ref().map_or(Freshness::Expired, |e| {
            self.policy.classify(e, SystemTime::now())
        });
        match (cached, freshness) {
            (Some(entry), Freshness::Fresh) => {
                self.metrics.cache_fresh();
                Ok(Served {
                    entry,
                    stale: false,
                })
            }
            (Some(entry), Freshness::StaleWhileRevalidate) => {
                self.metrics.cache_stale();
                if !self.upstream.breaker().is_open() {
                    // The task runs by itself; nobody needs to wait for it.
                    drop(self.fetch(req));
                }
                Ok(Served { entry, stale: true })
            }
            (Some(entry), Freshness::StaleIfError) => {
                if self.upstream.breaker().is_open() {
                    self.metrics.cache_stale();
                    return Ok(Served { entry, stale: true });
                }
                match self.fetch(req).await {
                    Ok(fresh) => {
                        self.metrics.cache_miss();
                        Ok(Served {
                            entry: fresh,
                            stale: false,
                        })
                    }
                    Err(e) if is_outage(&e) => {
                        self.metrics.cache_stale();
                        Ok(Served { entry, stale: true })
                    }
                    Err(e) => Err(e),
                }
            }
            _ => {
                self.metrics.cache_miss();
                let breaker = self.upstream.breaker();
                if breaker.is_open() {
                    return Err(ApiError::UpstreamUnavailable {
                        retry_after: breaker.retry_after().max(Duration::from_secs(1)),
                    });
                }
                Ok(Served {
                    entry: self.fetch(req).await?,
                    stale: false,
                })
            }
        }
    }

    /// Refreshes `req` from the upstream in the background (joining a fetch already in
    /// flight); a changed view is published like any refresh. Nothing while the breaker is
    /// open. Used by live streams in another language than a webhook's view.
    pub fn refresh(self: &Arc<Self>, req: &LookupRequest) {
        if !self.upstream.breaker().is_open() {
            drop(self.fetch(req));
        }
    }

    /// The in-flight fetch for `req`, started if there is none.
    fn fetch(self: &Arc<Self>, req: &LookupRequest) -> Fetch {
        let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = inflight.get(req) {
            self.metrics.coalesced();
            return running.clone();
        }
        let this = Arc::clone(self);
        let key = req.clone();
        // The map lock is held until the fetch is registered, so the task's own removal
        // (which takes the same lock) cannot run before the insertion.
        let task = tokio::spawn(async move {
            let outcome = this.fetch_upstream(&key).await;
            if let Ok(entry) = &outcome {
                this.cache.put(key.clone(), entry.clone()).await;
            }
            this.inflight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
            outcome
        });
        let shared = async move {
            task.await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "lookup task failed");
                Err(ApiError::Internal)
            })
        }
        .boxed()
        .shared();
        inflight.insert(req.clone(), shared.clone());
        shared
    }

    async fn fetch_upstream(&self, req: &LookupRequest) -> Result<CachedLookup, ApiError> {
        let up = &self.upstream;
        let found = up
            .find(&req.slug, &req.number, req.lang.as_ref())
            .await
            .map_err(|e| to_api_error(&e, up))?;
        let tracking = match found {
            Some(t) => Some(t),
            None if self.auto_create => match up.create(&req.slug, &req.number).await {
                Ok(t) => {
                    self.metrics.auto_created();
                    tracing::info!(slug = %req.slug, "created an unknown tracking upstream");
                    Some(t)
                }
                // Someone created it between our list and our create: read it back.
                Err(e) if e.meta_code() == Some(MetaCode::TrackingAlreadyExists) => up
                    .find(&req.slug, &req.number, req.lang.as_ref())
                    .await
                    .map_err(|e| to_api_error(&e, up))?,
                Err(e) => return Err(to_api_error(&e, up)),
            },
            None => None,
        };
        let fetched_at = SystemTime::now();
        let Some(t) = tracking else {
            return Ok(CachedLookup {
                body: None,
                tag: None,
                fetched_at,
            });
        };
        let view = project(&req.slug, &req.number, &t);
        let json = serde_json::to_vec(&view).map_err(|e| {
            tracing::error!(error = %e, "could not serialise a view");
            ApiError::Internal
        })?;
        let body = Bytes::from(json);
        let entry = CachedLookup {
            body: Some(body.clone()),
            tag: Some(view.tag),
            fetched_at,
        };
        self.publish_if_changed(req, body).await;
        Ok(entry)
    }

    async fn publish_if_changed(&self, req: &LookupRequest, body: Bytes) {
        let previous = self.cache.peek(req).await.and_then(|e| e.body);
        if previous.is_some_and(|p| p != body) {
            self.events.publish(Update {
                key: req.clone(),
                view: body,
            });
        }
    }
}

/// Whether an error means "the upstream cannot answer" (so an old view is better than
/// nothing), as opposed to a definite answer such as "this number is invalid".
fn is_outage(e: &ApiError) -> bool {
    matches!(e, ApiError::UpstreamUnavailable { .. } | ApiError::Internal)
}

/// Maps an upstream failure to what the browser may see, logging the detail.
fn to_api_error(e: &UpstreamError, up: &Upstream) -> ApiError {
    let unavailable = |retry_after: Duration| ApiError::UpstreamUnavailable {
        retry_after: retry_after.max(Duration::from_secs(1)),
    };
    match e {
        UpstreamError::Unavailable {
            retry_after,
            reason,
        } => {
            tracing::warn!(reason, ?retry_after, "upstream unavailable");
            unavailable(*retry_after)
        }
        UpstreamError::Failed(err) => {
            let code = err.meta_code();
            match code {
                Some(MetaCode::TrackingNumberInvalid | MetaCode::TrackingNumberFormatInvalid) => {
                    tracing::info!(error = %err, "AfterShip refused the tracking number");
                    ApiError::BadRequest {
                        code: ErrorCode::InvalidTrackingNumber,
                        message: ParseError::TrackingNumberChars.message(),
                    }
                }
                Some(MetaCode::SlugInvalid | MetaCode::BadCourier) => {
                    tracing::info!(error = %err, "AfterShip refused the courier");
                    ApiError::BadRequest {
                        code: ErrorCode::InvalidSlug,
                        message: ParseError::Slug.message(),
                    }
                }
                Some(MetaCode::Unauthorized | MetaCode::Forbidden) => {
                    tracing::error!(error = %err, "AfterShip refused the API key: check AFTERSHIP_API_KEY");
                    unavailable(Duration::from_secs(60))
                }
                _ if err.is_upstream_failure() => {
                    tracing::warn!(error = %err, "upstream failed");
                    unavailable(up.breaker().retry_after().max(Duration::from_secs(2)))
                }
                _ => {
                    tracing::error!(error = %err, "unexpected upstream answer");
                    ApiError::Internal
                }
            }
        }
    }
}
