//! The seed's legacy reads under `/v4`: a tracking by courier and number (or id) in the
//! `{tracking: …}` wrapper, and its last checkpoint in the `{checkpoint: …}` wrapper, with
//! the v4 names (`*_country_iso3`, `country_name`, `zip`, `coordinates: [lat, lon]`).
//! Accepts `aftership-api-key` as well as `as-api-key`.

use crate::api::guard;
use crate::http::{ApiError, ok};
use crate::{SandboxState, faults, translate};
use aftership::model::{Checkpoint, GetTrackingQuery, Tracking};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

pub(crate) fn router(state: SandboxState) -> Router<SandboxState> {
    Router::new()
        .route("/v4/trackings/{slug}/{number}", get(tracking_by_number))
        .route("/v4/trackings/{id}", get(tracking_by_id))
        .route("/v4/last_checkpoint/{slug}/{number}", get(last_by_number))
        .route("/v4/last_checkpoint/{id}", get(last_by_id))
        .route_layer(middleware::from_fn_with_state(state.clone(), guard))
        .route_layer(middleware::from_fn_with_state(state, faults::inject))
}

fn lookup(state: &SandboxState, key: Key<'_>, lang: Option<&str>) -> Result<Tracking, ApiError> {
    let d = state.inner.data();
    let rec = match key {
        Key::Number(slug, number) => d.find_by_number(slug, number),
        Key::Id(id) => d.find(id),
    }
    .ok_or_else(ApiError::tracking_not_found)?;
    let mut t = rec.view(d.clock.now());
    if let Some(lang) = lang {
        translate::tracking(&mut t, lang);
    }
    Ok(t)
}

enum Key<'a> {
    Number(&'a str, &'a str),
    Id(&'a str),
}

async fn tracking_by_number(
    State(s): State<SandboxState>,
    Path((slug, number)): Path<(String, String)>,
    Query(q): Query<GetTrackingQuery>,
) -> Result<Response, ApiError> {
    let t = lookup(&s, Key::Number(&slug, &number), q.lang.as_deref())?;
    Ok(ok(StatusCode::OK, json!({ "tracking": v4_tracking(&t) })))
}

async fn tracking_by_id(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<GetTrackingQuery>,
) -> Result<Response, ApiError> {
    let t = lookup(&s, Key::Id(&id), q.lang.as_deref())?;
    Ok(ok(StatusCode::OK, json!({ "tracking": v4_tracking(&t) })))
}

async fn last_by_number(
    State(s): State<SandboxState>,
    Path((slug, number)): Path<(String, String)>,
    Query(q): Query<GetTrackingQuery>,
) -> Result<Response, ApiError> {
    let t = lookup(&s, Key::Number(&slug, &number), q.lang.as_deref())?;
    Ok(ok(StatusCode::OK, last_checkpoint(&t)))
}

async fn last_by_id(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<GetTrackingQuery>,
) -> Result<Response, ApiError> {
    let t = lookup(&s, Key::Id(&id), q.lang.as_deref())?;
    Ok(ok(StatusCode::OK, last_checkpoint(&t)))
}

fn rename(m: &mut Map<String, Value>, from: &str, to: &str) {
    let v = m.remove(from).unwrap_or(Value::Null);
    m.insert(to.to_owned(), v);
}

/// A 2026-07 checkpoint in v4 names.
pub(crate) fn v4_checkpoint(c: &Checkpoint) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        rename(m, "country_region", "country_iso3");
        rename(m, "country_region_name", "country_name");
        rename(m, "postal_code", "zip");
        let coords = c
            .coordinate
            .map_or_else(Vec::new, |p| vec![json!(p.latitude), json!(p.longitude)]);
        m.remove("coordinate");
        m.insert("coordinates".into(), Value::Array(coords));
        for gone in ["hash", "source", "events"] {
            m.remove(gone);
        }
    }
    v
}

/// A 2026-07 tracking in the v4 shape: 24-character id, `*_iso3` names, customer fields
/// flattened to `customer_name`, `emails`, `smses`.
pub(crate) fn v4_tracking(t: &Tracking) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    let Some(m) = v.as_object_mut() else { return v };
    m.insert("id".into(), json!(t.legacy_id));
    for (from, to) in [
        ("origin_country_region", "origin_country_iso3"),
        ("destination_country_region", "destination_country_iso3"),
        (
            "courier_destination_country_region",
            "courier_destination_country_iso3",
        ),
    ] {
        rename(m, from, to);
    }
    let customers = t.customers.clone().unwrap_or_default();
    m.insert(
        "customer_name".into(),
        json!(customers.first().and_then(|c| c.name.clone())),
    );
    m.insert(
        "emails".into(),
        json!(
            customers
                .iter()
                .filter_map(|c| c.email.clone())
                .collect::<Vec<_>>()
        ),
    );
    m.insert(
        "smses".into(),
        json!(
            customers
                .iter()
                .filter_map(|c| c.phone_number.clone())
                .collect::<Vec<_>>()
        ),
    );
    m.insert("android".into(), json!([]));
    m.insert("ios".into(), json!([]));
    m.insert("unique_token".into(), json!("deprecated"));
    m.insert("last_updated_at".into(), json!(t.updated_at));
    for gone in [
        "legacy_id",
        "customers",
        "first_mile",
        "last_mile",
        "proof_of_delivery",
        "multi_piece_info",
        "shipment_direction",
        "return_shipment",
        "forward_shipment",
        "shipment_dimensions",
    ] {
        m.remove(gone);
    }
    let cps: Vec<Value> = t.checkpoints.iter().flatten().map(v4_checkpoint).collect();
    m.insert("checkpoints".into(), Value::Array(cps));
    v
}

fn last_checkpoint(t: &Tracking) -> Value {
    let last = t.checkpoints.as_ref().and_then(|c| c.last());
    json!({
        "id": t.legacy_id,
        "tracking_number": t.tracking_number,
        "slug": t.slug,
        "tag": t.tag,
        "subtag": t.subtag,
        "subtag_message": t.subtag_message,
        "checkpoint": last.map_or(Value::Object(Map::new()), v4_checkpoint),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftership::model::Coordinate;

    #[test]
    fn checkpoint_uses_v4_names() {
        let c = Checkpoint {
            country_region: Some("DEU".into()),
            postal_code: Some("04435".into()),
            coordinate: Some(Coordinate {
                latitude: 1.0,
                longitude: 2.0,
            }),
            ..Default::default()
        };
        let v = v4_checkpoint(&c);
        assert_eq!(v["country_iso3"], "DEU");
        assert_eq!(v["zip"], "04435");
        assert_eq!(v["coordinates"], json!([1.0, 2.0]));
        assert!(v.get("coordinate").is_none() && v.get("country_region").is_none());
    }
}
