//! Fault injection for resilience tests: added latency, a deterministic 5xx rate, 429
//! storms, hangs beyond any client timeout, and truncated or malformed bodies. Applies to
//! the AfterShip API routes only, never to `/sandbox/…`.

use crate::SandboxState;
use crate::http::{ApiError, set_rate_limit_headers};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What to break. `Faults::default()` breaks nothing. Also the JSON body of
/// `PUT /sandbox/faults` (missing fields take their defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every API answer.
    pub latency_ms: u64,
    /// Share of API requests (0.0–1.0) answered with `error_status`; deterministic: with
    /// 0.5 every second request fails.
    pub error_rate: f64,
    /// The 5xx status of injected failures (default 503).
    pub error_status: u16,
    /// While set, every API request gets 429 with `Retry-After` of this many seconds and a
    /// matching `X-RateLimit-Reset`.
    pub rate_limit_storm_secs: Option<u64>,
    /// Never answer (until the sandbox shuts down).
    pub hang: bool,
    /// Send half the body, then cut the connection (the `Content-Length` promises more).
    pub truncate_body: bool,
    /// Answer 200 with a body that is not JSON.
    pub malformed_body: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            rate_limit_storm_secs: None,
            hang: false,
            truncate_body: false,
            malformed_body: false,
        }
    }
}

impl Faults {
    /// True when nothing is injected.
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

/// The middleware that applies the current [`Faults`].
pub(crate) async fn inject(
    State(state): State<SandboxState>,
    req: Request,
    next: Next,
) -> Response {
    let shared = &state.inner;
    let f = shared.faults();
    if f.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.latency_ms)).await;
    }
    if f.hang {
        let mut stop = shared.shutdown.subscribe();
        let _ = stop.wait_for(|s| *s).await;
        return ApiError::internal(StatusCode::SERVICE_UNAVAILABLE).into_response();
    }
    if let Some(secs) = f.rate_limit_storm_secs {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut resp = ApiError::rate_limited(secs).into_response();
        set_rate_limit_headers(resp.headers_mut(), 0, 0, now + secs);
        return resp;
    }
    if f.error_rate > 0.0 && shared.next_is_error() {
        let status = StatusCode::from_u16(f.error_status)
            .ok()
            .filter(StatusCode::is_server_error)
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return ApiError::internal(status).into_response();
    }
    let resp = next.run(req).await;
    if f.malformed_body {
        let (mut parts, _) = resp.into_parts();
        parts.status = StatusCode::OK;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(
            parts,
            Body::from(r#"{"meta":{"code":200},"data":{"id": <html>Bad Gateway"#),
        );
    }
    if f.truncate_body {
        let (mut parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(half),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected truncation",
            )),
        ];
        return Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)));
    }
    resp
}
