//! Admin endpoints under `/sandbox/…` for tests and the demo: the clock, fault injection,
//! a reset and the webhook delivery log. No API key (the sandbox is a loopback tool); not
//! part of AfterShip's API, so no envelope.

use crate::clock::utc_datetime;
use crate::{Faults, SandboxState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn router(_state: SandboxState) -> Router<SandboxState> {
    Router::new()
        .route("/sandbox/clock", get(clock))
        .route("/sandbox/clock/advance", post(advance))
        .route("/sandbox/faults", get(get_faults).put(put_faults))
        .route("/sandbox/reset", post(reset))
        .route("/sandbox/webhooks", get(webhooks))
}

fn clock_json(s: &SandboxState) -> Json<Value> {
    let d = s.inner.data();
    let (start, now) = (d.clock.start(), d.clock.now());
    Json(json!({
        "start": utc_datetime(start),
        "now": utc_datetime(now),
        "advanced_seconds": now.as_second() - start.as_second(),
    }))
}

async fn clock(State(s): State<SandboxState>) -> Json<Value> {
    clock_json(&s)
}

#[derive(Deserialize)]
struct Advance {
    #[serde(default)]
    seconds: u64,
    #[serde(default)]
    hours: u64,
    #[serde(default)]
    days: u64,
}

async fn advance(State(s): State<SandboxState>, body: axum::body::Bytes) -> Response {
    let Ok(a) = serde_json::from_slice::<Advance>(&body) else {
        return bad("expected {\"seconds\": N} (or hours/days)");
    };
    let secs = a
        .seconds
        .saturating_add(a.hours.saturating_mul(3600))
        .saturating_add(a.days.saturating_mul(86_400));
    s.advance_clock(Duration::from_secs(secs));
    clock_json(&s).into_response()
}

async fn get_faults(State(s): State<SandboxState>) -> Json<Faults> {
    Json(s.inner.faults())
}

async fn put_faults(State(s): State<SandboxState>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(f) if (0.0..=1.0).contains(&f.error_rate) => {
            s.set_faults(f.clone());
            Json(f).into_response()
        }
        _ => bad("expected a Faults object with error_rate in 0..=1"),
    }
}

async fn reset(State(s): State<SandboxState>) -> Json<Value> {
    s.reset();
    Json(json!({ "reset": true }))
}

async fn webhooks(State(s): State<SandboxState>) -> Json<Value> {
    Json(json!({ "deliveries": s.webhook_deliveries() }))
}

fn bad(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response()
}
