//! The handlers of the closed route set, and [`router`], which assembles them with the
//! middleware stack. Anything not listed here is a JSON 404.

use crate::error::ApiError;
use crate::lookup::{Lookups, Served};
use crate::metrics::{Gauges, Metrics};
use crate::request::{LookupKind, parse_lookup};
use crate::security::{GuardState, Guarded};
use crate::static_files::StaticSite;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use trackfront_types::{LastCheckpointView, TrackingView};

/// The hand-written OpenAPI 3.1 document of the public API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// How long a readiness result is reused.
const READY_TTL: Duration = Duration::from_secs(5);

/// Shared by all handlers.
pub struct AppState {
    /// Tracking lookups.
    pub lookups: Arc<Lookups>,
    /// The widget's files, when configured.
    pub site: Option<StaticSite>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Last readiness result.
    pub ready: tokio::sync::Mutex<Option<(Instant, bool)>>,
    /// Delivery estimates (`POST /api/v1/edd`).
    pub edd: Arc<crate::edd::EddService>,
    /// Live updates: webhooks in, server-sent events out, shared state.
    pub live: Arc<crate::live::Live>,
}

/// The full application: the routes behind the guard.
pub fn router(state: Arc<AppState>, guard_state: Arc<GuardState>) -> Guarded {
    let live = state.live.clone();
    let router = Router::new()
        .route("/api/v1/trackings/{slug}/{tracking_number}", get(tracking))
        .route(
            "/api/v1/trackings/{slug}/{tracking_number}/last-checkpoint",
            get(tracking),
        )
        .route(
            "/api/v1/edd",
            axum::routing::post(edd).fallback(crate::edd::method_not_allowed),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::live::routes(state.live.demo()))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    // The shared (Redis) per-client limit is a layer only where it exists, so that a
    // single instance's hot path does not pay for it.
    let router = if live.has_shared_limit() {
        router.layer(axum::middleware::from_fn_with_state(
            live,
            crate::live::shared_limit,
        ))
    } else {
        router
    };
    Guarded::new(guard_state, router)
}

/// Both lookup routes: the path is parsed again from the raw URI by
/// [`parse_lookup`], the same function the fuzz target drives.
async fn tracking(State(s): State<Arc<AppState>>, uri: Uri) -> Result<Response, ApiError> {
    let (kind, req) = parse_lookup(uri.path(), uri.query())?;
    let served = s.lookups.lookup(&req).await?;
    render(kind, &served)
}

async fn edd(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    crate::edd::handle(&s.edd, &headers, body).await
}

fn render(kind: LookupKind, served: &Served) -> Result<Response, ApiError> {
    let body = served.entry.body.as_ref().ok_or(ApiError::NotFound)?;
    if kind == LookupKind::Tracking && !served.stale {
        return Ok(json_bytes(body.clone()));
    }
    let mut view: TrackingView = serde_json::from_slice(body).map_err(|e| {
        tracing::error!(error = %e, "a cached view does not parse");
        ApiError::Internal
    })?;
    view.stale = served.stale;
    match kind {
        LookupKind::Tracking => json(&view),
        LookupKind::LastCheckpoint => json(&LastCheckpointView::of(&view)),
    }
}

fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    serde_json::to_vec(value)
        .map(|b| json_bytes(Bytes::from(b)))
        .map_err(|e| {
            tracing::error!(error = %e, "could not serialise an answer");
            ApiError::Internal
        })
}

fn json_bytes(body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    // Room for the headers the guard adds too, so that no answer regrows its map.
    *resp.headers_mut() = HeaderMap::with_capacity(16);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

async fn openapi() -> Response {
    let mut resp = json_bytes(Bytes::from_static(OPENAPI.as_bytes()));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

async fn healthz() -> Response {
    json_bytes(Bytes::from_static(br#"{"status":"ok"}"#))
}

/// Ready when the upstream answered recently, or answers a probe now; not ready while the
/// breaker is open.
async fn readyz(State(s): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let up = s.lookups.upstream();
    let not_ready = || ApiError::UpstreamUnavailable {
        retry_after: up.breaker().retry_after().max(Duration::from_secs(1)),
    };
    if up.breaker().is_open() {
        return Err(not_ready());
    }
    let recent = up.last_ok().is_some_and(|t| t.elapsed() < READY_TTL * 6);
    let ready = if recent {
        true
    } else {
        let mut cached = s.ready.lock().await;
        match *cached {
            Some((at, ok)) if at.elapsed() < READY_TTL => ok,
            _ => {
                let ok = up.probe(Duration::from_secs(2)).await;
                *cached = Some((Instant::now(), ok));
                ok
            }
        }
    };
    if ready {
        Ok(json_bytes(s.live.ready_body()))
    } else {
        Err(not_ready())
    }
}

async fn metrics(State(s): State<Arc<AppState>>) -> Response {
    let stats = s.lookups.cache().stats();
    let text = s.metrics.render(Gauges {
        circuit_open: s.lookups.upstream().breaker().is_open(),
        cache_entries: stats.entries,
        cache_bytes: stats.bytes,
    });
    let text = text + &s.edd.metrics().render();
    let text = text + &s.live.render_metrics();
    let mut resp = Response::new(Body::from(text));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Static files for GET/HEAD outside `/api/`; a JSON 404 for everything else.
async fn fallback(
    State(s): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    let is_read = method == Method::GET || method == Method::HEAD;
    if is_read
        && !path.starts_with("/api/")
        && let Some(asset) = s.site.as_ref().and_then(|site| site.find(path))
    {
        return asset.respond(&headers);
    }
    ApiError::NotFound.into_response()
}

async fn method_not_allowed() -> Response {
    let mut resp = ApiError::MethodNotAllowed.into_response();
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    resp
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;

    #[test]
    fn the_openapi_document_lists_every_route() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/api/v1/trackings/{slug}/{tracking_number}",
            "/api/v1/trackings/{slug}/{tracking_number}/last-checkpoint",
            "/api/v1/openapi.json",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{path} is not documented"
            );
        }
    }

    /// The schemas are written by hand; this catches a field added to the view types
    /// but not to the document (or the other way round).
    #[test]
    fn the_openapi_schemas_match_the_serialised_views() {
        use aftership::model::{Checkpoint, Tracking};
        use trackfront_types::{CourierSlug, LastCheckpointView, TrackingNumber};
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let t = Tracking {
            checkpoints: Some(vec![Checkpoint::default()]),
            courier_estimated_delivery_date: Some(aftership::model::CourierEstimatedDeliveryDate {
                estimated_delivery_date: Some("2026-12-01".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let number = TrackingNumber::parse("EC1234").unwrap();
        let view = crate::view::project(&CourierSlug::ecms(), &number, &t);
        let last = LastCheckpointView::of(&view);
        let cases = [
            ("TrackingView", serde_json::to_value(&view).unwrap()),
            (
                "CheckpointView",
                serde_json::to_value(&view.checkpoints[0]).unwrap(),
            ),
            (
                "EstimatedDelivery",
                serde_json::to_value(&view.estimated_delivery).unwrap(),
            ),
            ("LastCheckpointView", serde_json::to_value(&last).unwrap()),
        ];
        for (name, value) in cases {
            let schema = &doc["components"]["schemas"][name]["properties"];
            let documented: std::collections::BTreeSet<&String> =
                schema.as_object().unwrap().keys().collect();
            let actual: std::collections::BTreeSet<&String> =
                value.as_object().unwrap().keys().collect();
            assert_eq!(documented, actual, "{name}");
        }
    }
}
