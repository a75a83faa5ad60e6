//! The request guard and the response headers that apply to every route.
//!
//! * [`Guarded`]: the router behind the guard, the one service the server runs. Before
//!   routing it rejects open-proxy and traversal targets, drops any client-sent AfterShip
//!   key header, refuses a declared body over the route's cap, applies CORS and the
//!   per-client limit; it bounds the whole request in time, turns a handler panic into an
//!   opaque 500, and adds the security headers. It is one hand-written service rather than
//!   a stack of `from_fn` and tower-http layers: axum applies a layer to every route and
//!   clones it per request, and on a cached lookup those layers cost more than the lookup.
//!   (Routes that read a body cap the bytes they read themselves: see `edd` and `live`.)
//! * CORS ([`CorsPolicy`]): an allowlist from `TRACKFRONT_ALLOWED_ORIGINS`; in demo mode
//!   also localhost origins; same-origin requests are always fine. A preflight from any
//!   other origin gets a 403; a simple API request from one gets a 403 before any upstream
//!   work. Static files are answered without `Access-Control-Allow-Origin` for such
//!   origins (the browser then refuses the module or wasm).

use crate::error::ApiError;
use crate::metrics::{Metrics, Route};
use crate::ratelimit::{ClientLimiter, TrustedProxies, client_ip};
use crate::request::check_target;
use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt as _;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::ServiceExt as _;
use tracing::Instrument as _;

/// Largest request body accepted from browsers (the EDD route sets a smaller limit).
pub const MAX_BODY: u64 = 64 * 1024;

/// Largest AfterShip webhook accepted. A webhook carries the whole tracking object, and a
/// long journey's checkpoints alone can pass 64 KiB; refusing it would lose the update
/// after AfterShip's retries ran out.
pub const MAX_WEBHOOK_BODY: u64 = 1024 * 1024;

/// The body limit of the route at `path`.
pub fn body_limit(path: &str) -> u64 {
    if path == "/webhooks/aftership" {
        MAX_WEBHOOK_BODY
    } else {
        MAX_BODY
    }
}

/// Request headers that must never travel further nor be logged.
pub const DROPPED_REQUEST_HEADERS: [&str; 2] = ["as-api-key", "aftership-api-key"];

/// Who may call cross-origin.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    allowed: Vec<String>,
    allow_localhost: bool,
}

impl CorsPolicy {
    /// An allowlist, plus localhost origins when `allow_localhost` (demo mode).
    pub fn new(allowed: Vec<String>, allow_localhost: bool) -> Self {
        Self {
            allowed,
            allow_localhost,
        }
    }

    /// Whether `origin` may read our answers, given the request's `Host`.
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let Some(rest) = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
        else {
            return false;
        };
        if host.is_some_and(|h| h.eq_ignore_ascii_case(rest)) {
            return true;
        }
        if self.allowed.contains(&origin) {
            return true;
        }
        if self.allow_localhost {
            let hostname = match rest.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                None => rest.split(':').next().unwrap_or_default(),
            };
            return matches!(hostname, "localhost" | "127.0.0.1" | "::1");
        }
        false
    }
}

/// Everything the guard needs.
#[derive(Debug)]
pub struct GuardState {
    /// CORS.
    pub cors: CorsPolicy,
    /// Per-client limit (`None`: off).
    pub limiter: Option<ClientLimiter>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted: TrustedProxies,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Whole-request time bound.
    pub request_timeout: Duration,
}

fn route_of(path: &str) -> Route {
    if path.starts_with("/api/v1/trackings/") {
        if path.ends_with("/last-checkpoint") {
            Route::LastCheckpoint
        } else {
            Route::Tracking
        }
    } else if matches!(
        path,
        "/healthz" | "/readyz" | "/metrics" | "/api/v1/openapi.json"
    ) {
        Route::Ops
    } else if path.starts_with("/api/") {
        Route::Other
    } else {
        Route::Static
    }
}

/// The application router behind the guard (see the module docs).
#[derive(Clone)]
pub struct Guarded {
    state: Arc<GuardState>,
    router: Router,
}

impl Guarded {
    /// Puts `router` behind the guard.
    pub fn new(state: Arc<GuardState>, router: Router) -> Self {
        Self { state, router }
    }
}

impl tower::Service<Request> for Guarded {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let state = self.state.clone();
        let router = self.router.clone();
        Box::pin(async move { Ok(guard(&state, req, router).await) })
    }
}

/// One request, from the raw target to the answer with its headers.
async fn guard(state: &GuardState, mut req: Request, router: Router) -> Response {
    let path = req.uri().path();
    let route = route_of(path);
    let is_api = path.starts_with("/api/");
    // Only requests that carry an `Origin` pay for CORS; the value is a cheap clone.
    let origin = req.headers().get(header::ORIGIN).cloned();
    let origin_ok = origin.as_ref().map(|o| {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        o.to_str().is_ok_and(|o| state.cors.allows(o, host))
    });
    let resp = match pre_checks(state, &mut req, is_api, origin_ok) {
        Err(e) => e.into_response(),
        Ok(Some(preflight)) => preflight,
        Ok(None) => {
            let span =
                tracing::info_span!("request", method = %req.method(), route = route.label());
            let run = AssertUnwindSafe(router.oneshot(req))
                .catch_unwind()
                .instrument(span);
            match tokio::time::timeout(state.request_timeout, run).await {
                Ok(Ok(Ok(r))) => r,
                Ok(Ok(Err(never))) => match never {},
                Ok(Err(_)) => {
                    tracing::error!(route = route.label(), "a handler panicked");
                    ApiError::Internal.into_response()
                }
                Err(_) => {
                    tracing::warn!(route = route.label(), "request timed out");
                    ApiError::UpstreamUnavailable {
                        retry_after: Duration::from_secs(5),
                    }
                    .into_response()
                }
            }
        }
    };
    let mut resp = resp;
    state.metrics.request(route, resp.status().as_u16());
    let h = resp.headers_mut();
    add_security_headers(h, is_api);
    if let (Some(origin), Some(true)) = (origin.as_ref(), origin_ok) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    if origin.is_some() {
        h.append(header::VARY, HeaderValue::from_static("origin"));
    }
    resp
}

/// Checks that end the request early: `Err` to refuse, `Ok(Some)` for an answered
/// preflight, `Ok(None)` to go on.
fn pre_checks(
    state: &GuardState,
    req: &mut Request,
    is_api: bool,
    origin_ok: Option<bool>,
) -> Result<Option<Response>, ApiError> {
    if req.uri().scheme().is_some() || req.uri().authority().is_some() {
        return Err(ApiError::BadRequest {
            code: trackfront_types::ErrorCode::InvalidRequest,
            message: "Only relative request paths are accepted.",
        });
    }
    check_target(req.uri().path(), req.uri().query())?;
    for name in DROPPED_REQUEST_HEADERS {
        req.headers_mut().remove(name);
    }
    // Credentials a browser may send: hidden from any `Debug` of the request.
    for name in [header::AUTHORIZATION, header::COOKIE] {
        if let header::Entry::Occupied(mut e) = req.headers_mut().entry(name) {
            e.iter_mut().for_each(|v| v.set_sensitive(true));
        }
    }
    let limit = body_limit(req.uri().path());
    let too_big = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit);
    if too_big {
        return Err(ApiError::PayloadTooLarge);
    }
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return preflight(req.headers(), origin_ok).map(Some);
    }
    if is_api && origin_ok == Some(false) {
        return Err(ApiError::Forbidden);
    }
    if is_api && let Some(limiter) = &state.limiter {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(peer) = peer {
            let ip = client_ip(peer, req.headers(), &state.trusted);
            if let Err(retry_after) = limiter.check(ip) {
                state.metrics.rate_limited();
                return Err(ApiError::RateLimited { retry_after });
            }
        }
    }
    Ok(None)
}

/// Answers a CORS preflight: 204 with the allowed method and headers for an allowed
/// origin asking for GET/HEAD (or POST, for `POST /api/v1/edd` with a JSON body), 403
/// otherwise.
fn preflight(headers: &HeaderMap, origin_ok: Option<bool>) -> Result<Response, ApiError> {
    let method_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| matches!(m, "GET" | "HEAD" | "POST"));
    let asked_headers = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let headers_ok = asked_headers
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .all(|h| {
            [
                "accept",
                "accept-language",
                "content-language",
                "content-type",
            ]
            .iter()
            .any(|ok| h.eq_ignore_ascii_case(ok))
        });
    if origin_ok != Some(true) || !method_ok || !headers_ok {
        return Err(ApiError::Forbidden);
    }
    let mut resp = axum::http::StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("accept, accept-language, content-language, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Ok(resp)
}

fn add_security_headers(h: &mut HeaderMap, is_api: bool) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    // Shop pages load the widget's files cross-origin; the API is only read with CORS.
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static(if is_api { "same-site" } else { "cross-origin" }),
    );
    if is_api || !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if is_api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::routing::get;

    /// The guard in front of `router`, as the server runs it, with a `timeout` bound.
    fn guarded(router: Router, timeout: Duration) -> Guarded {
        let state = GuardState {
            cors: CorsPolicy::new(Vec::new(), false),
            limiter: None,
            trusted: TrustedProxies::default(),
            metrics: Arc::new(Metrics::default()),
            request_timeout: timeout,
        };
        Guarded::new(Arc::new(state), router)
    }

    async fn get_answer(app: Guarded, path: &str) -> (Response, String) {
        let req = Request::get(path)
            .body(Body::empty())
            .expect("a valid request");
        answer(app, req).await
    }

    async fn answer(app: Guarded, req: Request) -> (Response, String) {
        let Ok(resp) = app.oneshot(req).await;
        let (parts, body) = resp.into_parts();
        let body = to_bytes(body, 1 << 16).await.expect("a short body");
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_handler_panic_is_an_opaque_500_with_the_security_headers() {
        async fn boom() -> &'static str {
            panic!("secret detail in a panic message")
        }
        let router = Router::new().route("/api/v1/boom", get(boom));
        let (resp, body) =
            get_answer(guarded(router, Duration::from_secs(5)), "/api/v1/boom").await;
        assert_eq!(resp.status(), 500);
        assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(resp.headers()[header::CACHE_CONTROL], "no-store");
        assert!(!body.contains("secret"), "{body}");
    }

    #[tokio::test]
    async fn browser_credentials_reach_handlers_marked_sensitive() {
        // Marked values print as `Sensitive` in any `Debug` of the request, so a log line
        // that dumps headers cannot leak a shopper's cookie or a bearer token.
        async fn flags(headers: header::HeaderMap) -> String {
            let all = |name| {
                let values: Vec<_> = headers.get_all(name).iter().collect();
                !values.is_empty() && values.iter().all(|v| v.is_sensitive())
            };
            format!(
                "{} {} {}",
                all(header::AUTHORIZATION),
                all(header::COOKIE),
                all(header::ACCEPT)
            )
        }
        let router = Router::new().route("/api/v1/flags", get(flags));
        let req = Request::get("/api/v1/flags")
            .header(header::AUTHORIZATION, "Bearer shopper-token")
            .header(header::COOKIE, "session=a")
            .header(header::COOKIE, "cart=b")
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .expect("a valid request");
        let (resp, body) = answer(guarded(router, Duration::from_secs(5)), req).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(body, "true true false");
    }

    #[tokio::test]
    async fn a_handler_slower_than_the_request_timeout_is_a_503_with_retry_after() {
        let router = Router::new().route(
            "/api/v1/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        );
        let (resp, _) =
            get_answer(guarded(router, Duration::from_millis(50)), "/api/v1/slow").await;
        assert_eq!(resp.status(), 503);
        assert!(resp.headers().contains_key(header::RETRY_AFTER));
        assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    #[test]
    fn cors_allowlist_same_origin_and_demo_localhost() {
        let p = CorsPolicy::new(vec!["https://shop.example".into()], false);
        assert!(p.allows("https://shop.example", Some("proxy.example")));
        assert!(p.allows("https://SHOP.example/", None));
        assert!(!p.allows("https://evil.example", Some("proxy.example")));
        assert!(!p.allows("https://shop.example.evil", None));
        assert!(!p.allows("null", None));
        assert!(p.allows("http://proxy.example:8080", Some("proxy.example:8080")));
        assert!(!p.allows("http://localhost:3000", None));
        let demo = CorsPolicy::new(vec![], true);
        assert!(demo.allows("http://localhost:3000", None));
        assert!(demo.allows("http://127.0.0.1:8080", None));
        assert!(demo.allows("http://[::1]:8080", None));
        assert!(!demo.allows("http://localhost.evil.example", None));
    }
}
