//! The AfterShip Tracking API, version 2026-07, under `/tracking/2026-07`: trackings,
//! couriers and estimated delivery dates, behind `as-api-key` auth, per-endpoint rate
//! limits and fault injection.

use crate::http::{ApiError, key_matches, ok, parse_body, set_rate_limit_headers};
use crate::store::{self, Shared};
use crate::{API_VERSION, SandboxState, couriers, edd, faults, translate};
use aftership::model::{
    CreateTrackingRequest, DetectCourierRequest, EddBatch, EddRequest, GetTrackingQuery,
    ListTrackingsQuery, MarkCompletedRequest, Tracking, UpdateTrackingRequest,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

type ApiResult = Result<Response, ApiError>;

const PREFIX: &str = "/tracking/2026-07";

/// The 2026-07 routes (state still to be supplied).
pub(crate) fn router(state: SandboxState) -> Router<SandboxState> {
    let api = Router::new()
        .route("/trackings", get(list).post(create))
        .route("/trackings/{id}", get(get_one).put(update).delete(delete))
        .route("/trackings/{id}/retrack", post(retrack))
        .route("/trackings/{id}/mark-as-completed", post(mark_completed))
        .route("/couriers", get(get_couriers))
        .route("/couriers/detect", post(detect_courier))
        .route("/estimated-delivery-date/predict", post(predict))
        .route(
            "/estimated-delivery-date/predict-batch",
            post(predict_batch),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), guard))
        .route_layer(middleware::from_fn_with_state(state, faults::inject))
        .route_layer(middleware::from_fn(version_header));
    Router::new().nest(PREFIX, api)
}

/// The rate-limit bucket and its limit for a route.
fn endpoint(shared: &Shared, method: &Method, path: &str) -> (&'static str, u32) {
    let l = shared.rate_limits();
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    match (method.as_str(), rest) {
        ("GET", "/trackings") => ("list_trackings", l.list_trackings),
        ("POST", "/trackings") => ("create_tracking", l.create_tracking),
        ("GET", "/trackings/{id}") => ("get_tracking", l.get_tracking),
        ("PUT", "/trackings/{id}") => ("update_tracking", l.update_tracking),
        ("DELETE", "/trackings/{id}") => ("delete_tracking", l.delete_tracking),
        (_, "/trackings/{id}/retrack") => ("retrack", l.retrack),
        (_, "/trackings/{id}/mark-as-completed") => ("mark_completed", l.mark_completed),
        (_, "/couriers") => ("get_couriers", l.get_couriers),
        (_, "/couriers/detect") => ("detect_courier", l.detect_courier),
        (_, "/estimated-delivery-date/predict") => ("predict", l.predict),
        (_, "/estimated-delivery-date/predict-batch") => ("predict_batch", l.predict_batch),
        _ => ("legacy", l.legacy),
    }
}

/// Auth (`as-api-key`, or `aftership-api-key` on `/v4` only) and the rate limit.
pub(crate) async fn guard(
    State(state): State<SandboxState>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let shared = &state.inner;
    let legacy = matched.as_str().starts_with("/v4");
    let h = req.headers();
    let presented = h
        .get("as-api-key")
        .or_else(|| legacy.then(|| h.get("aftership-api-key")).flatten());
    if !key_matches(presented, shared.config.api_key.expose()) {
        return ApiError::unauthorized().into_response();
    }
    let (bucket, limit) = endpoint(shared, req.method(), matched.as_str());
    let (limit, remaining, reset, allowed) = shared.take_rate(bucket, limit);
    let mut resp = if allowed {
        next.run(req).await
    } else {
        ApiError::rate_limited(1).into_response()
    };
    set_rate_limit_headers(resp.headers_mut(), limit, remaining, reset);
    resp
}

async fn version_header(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .insert("as-api-version", HeaderValue::from_static(API_VERSION));
    resp
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// Keeps only `fields` (plus the identifying fields) of a tracking.
fn project(t: Tracking, fields: Option<&str>) -> Result<Tracking, ApiError> {
    let Some(fields) = fields.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(t);
    };
    if !fields
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b',' || b == b'_')
    {
        return Err(ApiError::value_invalid("fields"));
    }
    let keep: Vec<&str> = fields
        .split(',')
        .chain([
            "id",
            "legacy_id",
            "tracking_number",
            "slug",
            "created_at",
            "updated_at",
        ])
        .collect();
    let mut v = serde_json::to_value(t).map_err(ApiError::invalid)?;
    if let Some(map) = v.as_object_mut() {
        for (k, val) in map.iter_mut() {
            if !keep.contains(&k.as_str()) {
                *val = Value::Null;
            }
        }
    }
    serde_json::from_value(v).map_err(ApiError::invalid)
}

async fn list(
    State(state): State<SandboxState>,
    q: Result<Query<ListTrackingsQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let mut page = state.inner.data().list(&q)?;
    page.trackings = page
        .trackings
        .into_iter()
        .map(|t| project(t, q.fields.as_deref()))
        .collect::<Result<_, _>>()?;
    Ok(ok(StatusCode::OK, page))
}

async fn get_one(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    q: Result<Query<GetTrackingQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let mut t = state.inner.data().get(&id)?;
    if let Some(lang) = q.lang.as_deref() {
        translate::tracking(&mut t, lang);
    }
    Ok(ok(StatusCode::OK, project(t, q.fields.as_deref())?))
}

async fn create(State(state): State<SandboxState>, body: Bytes) -> ApiResult {
    let req: CreateTrackingRequest = parse_body(&body)?;
    let (slug, number) = crate::validate::create(&req)?;
    let t = state.inner.data().create(&req, &slug, &number)?;
    Ok(ok(StatusCode::CREATED, t))
}

async fn update(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: UpdateTrackingRequest = parse_body(&body)?;
    crate::validate::update(&req)?;
    let t = state.inner.mutate(&id, |rec, _| {
        store::apply_update(&mut rec.base, &req);
        Ok(())
    })?;
    Ok(ok(StatusCode::OK, t))
}

async fn delete(State(state): State<SandboxState>, Path(id): Path<String>) -> ApiResult {
    let t = state.inner.data().delete(&id)?;
    Ok(ok(StatusCode::OK, t))
}

/// The body is ignored: the SDKs send none (PY10) or an empty one with a JSON
/// content type (TS17).
async fn retrack(State(state): State<SandboxState>, Path(id): Path<String>) -> ApiResult {
    let t = state.inner.mutate(&id, store::retrack)?;
    Ok(ok(StatusCode::OK, t))
}

async fn mark_completed(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let raw: Value = parse_body(&body)?;
    if raw.get("reason").is_none_or(Value::is_null) {
        return Err(ApiError::value_required("reason"));
    }
    let req: MarkCompletedRequest =
        serde_json::from_value(raw).map_err(|_| ApiError::value_invalid("reason"))?;
    let t = state
        .inner
        .mutate(&id, |rec, now| store::mark_completed(rec, now, &req))?;
    Ok(ok(StatusCode::OK, t))
}

#[derive(serde::Deserialize)]
struct CouriersQuery {
    active: Option<String>,
    slug: Option<String>,
}

async fn get_couriers(q: Result<Query<CouriersQuery>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let active = match q.active.as_deref() {
        None | Some("") => None,
        Some("true" | "True") => Some(true),
        Some("false" | "False") => Some(false),
        Some(_) => return Err(ApiError::value_invalid("active")),
    };
    Ok(ok(
        StatusCode::OK,
        couriers::list(active, q.slug.as_deref()),
    ))
}

async fn detect_courier(body: Bytes) -> ApiResult {
    let req: DetectCourierRequest = parse_body(&body)?;
    Ok(ok(StatusCode::OK, couriers::detect(&req)?))
}

async fn predict(State(state): State<SandboxState>, body: Bytes) -> ApiResult {
    let req: EddRequest = parse_body(&body)?;
    let mut out = edd::predict_all(std::slice::from_ref(&req), state.inner.config.seed)?;
    Ok(ok(StatusCode::OK, out.remove(0)))
}

async fn predict_batch(State(state): State<SandboxState>, body: Bytes) -> ApiResult {
    let req: EddBatch<EddRequest> = parse_body(&body)?;
    let out = edd::predict_all(&req.estimated_delivery_dates, state.inner.config.seed)?;
    Ok(ok(
        StatusCode::OK,
        EddBatch {
            estimated_delivery_dates: out,
        },
    ))
}
