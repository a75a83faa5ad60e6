//! `POST /api/v1/edd` against the real proxy and the embedded sandbox's EDD model, over
//! loopback: batching beyond five items, caching, the service type reaching AfterShip,
//! the fallback to the rules engine when AfterShip fails or is slow, the source modes,
//! validation, method, size, CORS and the per-client limit. Sharing the cache between
//! instances is in `redis.rs`.

use crate::helpers::{TestApp, spawn_app_with};
use aftership_sandbox::Faults;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use trackfront_proxy::edd::EddSourceMode;

const PREDICT: &str = "/estimated-delivery-date/predict-batch";

async fn app(mode: EddSourceMode) -> TestApp {
    spawn_app_with(
        |s| {
            s.edd_source = mode;
            s.edd_timeout = Duration::from_millis(800);
        },
        |_| {},
    )
    .await
}

async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/edd"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn estimates(app: &TestApp, body: &Value) -> Vec<Value> {
    let resp = post(app, body).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["estimates"].as_array().unwrap().clone()
}

fn new_york(items: Value) -> Value {
    json!({"destination": {"country": "US", "postal_code": "10001", "state": "NY"}, "items": items})
}

/// Seven items with seven distinct cache keys (service × pickup day).
fn seven_items() -> Value {
    let mut items = Vec::new();
    for d in 0..4 {
        items.push(json!({"service": "standard", "processing_days": d}));
    }
    for d in 0..3 {
        items.push(json!({"service": "express", "processing_days": d}));
    }
    Value::Array(items)
}

fn assert_ordered(e: &Value) {
    let (min, likely, max) = (
        e["min"].as_str().unwrap(),
        e["likely"].as_str().unwrap(),
        e["max"].as_str().unwrap(),
    );
    assert!(min <= likely && likely <= max, "{e}");
}

async fn metric(app: &TestApp, line: &str) -> u64 {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{line} missing from /metrics"))
}

#[tokio::test]
async fn more_than_five_items_are_split_into_batches_and_then_cached() {
    let app = app(EddSourceMode::Aftership).await;
    let got = estimates(&app, &new_york(seven_items())).await;
    assert_eq!(got.len(), 7);
    assert!(got.iter().all(|e| e["source"] == "aftership"), "{got:?}");
    got.iter().for_each(assert_ordered);
    let services: Vec<_> = got.iter().map(|e| e["service"].as_str().unwrap()).collect();
    assert_eq!(services[..4], ["standard"; 4], "request order is kept");
    assert_eq!(app.spy.count("POST", PREDICT), 2, "5 + 2 items");
    // More processing days never make the parcel arrive earlier.
    assert!(got[0]["likely"].as_str() <= got[3]["likely"].as_str());

    // Same lanes, services and pickup days: served from the cache.
    let again = estimates(&app, &new_york(seven_items())).await;
    assert_eq!(app.spy.count("POST", PREDICT), 2, "no new upstream call");
    let dates = |v: &[Value]| {
        v.iter()
            .map(|e| (e["min"].clone(), e["likely"].clone(), e["max"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(dates(&again), dates(&got));
    assert_eq!(
        metric(&app, "trackfront_edd_upstream_calls_total{outcome=\"ok\"}").await,
        2
    );
    assert_eq!(
        metric(&app, "trackfront_edd_cache_total{result=\"hit\"}").await,
        7
    );
}

/// Issue #6: express was quoted the dates of standard. The proxy sends each service's
/// configured `service_type_name` (the example rules: express = "EXPRESS", standard =
/// none) in `predict-batch`, and the sandbox's model now depends on it.
#[tokio::test]
async fn express_is_not_given_the_same_dates_as_standard() {
    let app = app(EddSourceMode::Aftership).await;
    // Within the warehouse's state (NY → NY) and across states (NY → CA).
    for dest in [
        json!({"country": "US", "postal_code": "10001", "state": "NY"}),
        json!({"country": "US", "postal_code": "94105", "state": "CA"}),
    ] {
        let body = json!({"destination": dest, "items": [{"service": "standard"}, {"service": "express"}]});
        let got = estimates(&app, &body).await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|e| e["source"] == "aftership"), "{got:?}");
        let (standard, express) = (&got[0], &got[1]);
        assert_eq!(express["service"], "express");
        assert!(
            express["likely"].as_str() < standard["likely"].as_str(),
            "{dest}: express {express} is not faster than standard {standard}"
        );
        assert!(
            express["max"].as_str() <= standard["max"].as_str(),
            "{dest}"
        );
    }
    assert_eq!(
        app.spy.count("POST", PREDICT),
        2,
        "one batch per destination"
    );
}

#[tokio::test]
async fn items_sharing_a_cache_key_are_asked_once() {
    let app = app(EddSourceMode::Aftership).await;
    let items = json!([{"service": "standard"}, {"service": "standard", "processing_days": 0}]);
    let got = estimates(&app, &new_york(items)).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], got[1]);
    assert_eq!(app.spy.count("POST", PREDICT), 1);
}

#[tokio::test]
async fn sandbox_errors_fall_back_to_the_rules_and_pause_aftership() {
    let app = app(EddSourceMode::Aftership).await;
    app.sandbox.set_faults(Faults {
        error_rate: 1.0,
        error_status: 500,
        ..Faults::default()
    });
    let got = estimates(&app, &new_york(json!([{"service": "standard"}]))).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["source"], "rules");
    assert_ordered(&got[0]);
    assert_eq!(app.spy.count("POST", PREDICT), 1, "one attempt, no retries");
    assert_eq!(
        metric(
            &app,
            "trackfront_edd_upstream_calls_total{outcome=\"failed\"}"
        )
        .await,
        1
    );

    // Within the pause AfterShip is not asked again, even once it has recovered.
    app.sandbox.set_faults(Faults::default());
    let got = estimates(&app, &new_york(json!([{"service": "express"}]))).await;
    assert_eq!(got[0]["source"], "rules");
    assert_eq!(app.spy.count("POST", PREDICT), 1);
}

#[tokio::test]
async fn a_slow_aftership_is_abandoned_at_the_deadline() {
    let app = app(EddSourceMode::Aftership).await;
    app.sandbox.set_faults(Faults {
        latency_ms: 5_000,
        ..Faults::default()
    });
    let started = Instant::now();
    let got = estimates(&app, &new_york(json!([{"service": "standard"}]))).await;
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(got[0]["source"], "rules");
}

#[tokio::test]
async fn rules_mode_and_vague_destinations_never_call_aftership() {
    // The test proxy has a "real" key: `auto` then means rules (EDD is a paid add-on).
    for mode in [EddSourceMode::Rules, EddSourceMode::Auto] {
        let app = app(mode).await;
        let got = estimates(&app, &new_york(seven_items())).await;
        assert_eq!(got.len(), 7);
        assert!(got.iter().all(|e| e["source"] == "rules"), "{mode:?}");
        assert_eq!(app.spy.count("POST", PREDICT), 0, "{mode:?}");
    }
    // AfterShip needs a state or postal code: a country alone is answered by the rules.
    let app = app(EddSourceMode::Aftership).await;
    let body = json!({"destination": {"country": "DEU"}, "items": [{"service": "express"}]});
    let got = estimates(&app, &body).await;
    assert_eq!(got[0]["source"], "rules");
    assert_eq!(app.spy.count("POST", PREDICT), 0);
}

#[tokio::test]
async fn rules_answers_carry_the_warehouse_cutoff_or_none() {
    let app = app(EddSourceMode::Rules).await;
    let got = estimates(
        &app,
        &json!({"destination": {"country": "DE"}, "items": [{"service": "standard"}]}),
    )
    .await;
    let e = &got[0];
    assert_eq!(e["service"], "standard");
    assert_ordered(e);
    if let Some(cutoff) = e.get("cutoff").and_then(Value::as_str) {
        // The Berlin warehouse's 14:00, with Berlin's offset, still ahead.
        assert!(cutoff.contains("T14:00:00+0"), "{cutoff}");
        let at: jiff::Timestamp = cutoff.parse().unwrap();
        assert!(at > jiff::Timestamp::now());
    }
}

#[tokio::test]
async fn unknown_services_and_unserved_countries_are_left_out() {
    let app = app(EddSourceMode::Aftership).await;
    let body = new_york(json!([{"service": "overnight"}, {"service": "express"}]));
    let got = estimates(&app, &body).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["service"], "express");
}

#[tokio::test]
async fn invalid_requests_get_400_invalid_request_with_a_clear_message() {
    let app = app(EddSourceMode::Aftership).await;
    let cases: &[(&str, &str)] = &[
        ("{", "not valid JSON"),
        ("[]", "Expected"),
        (r#"{"items":[{"service":"standard"}]}"#, "Expected"),
        (
            r#"{"destination":{"country":"ZZ"},"items":[{"service":"standard"}]}"#,
            "ISO 3166-1",
        ),
        (
            r#"{"destination":{"country":"US","postal_code":"<script>"},"items":[{"service":"standard"}]}"#,
            "postal code",
        ),
        (
            r#"{"destination":{"country":"US"},"items":[]}"#,
            "at least one service",
        ),
        (
            r#"{"destination":{"country":"US"},"items":[{"service":"Next Day"}]}"#,
            "service must be",
        ),
        (
            r#"{"destination":{"country":"US"},"items":[{"service":"standard","processing_days":31}]}"#,
            "between 0 and 30",
        ),
        (
            r#"{"destination":{"country":"US"},"items":[{"service":"standard","processing_days":-1}]}"#,
            "between 0 and 30",
        ),
        (
            r#"{"destination":{"country":"US","state":"\u0007"},"items":[{"service":"standard"}]}"#,
            "state",
        ),
    ];
    for (body, needle) in cases {
        let resp = app
            .client
            .post(app.url("/api/v1/edd"))
            .header("content-type", "application/json")
            .body(*body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "invalid_request", "{body}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{body}: {msg}");
    }
    let eleven = new_york(Value::Array(vec![json!({"service": "standard"}); 11]));
    let resp = post(&app, &eleven).await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("At most 10"), "{v}");

    let text = app
        .client
        .post(app.url("/api/v1/edd"))
        .header("content-type", "text/plain")
        .body(r#"{"destination":{"country":"US"},"items":[{"service":"standard"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 400);
    assert_eq!(
        app.spy.count("POST", PREDICT),
        0,
        "nothing reached AfterShip"
    );
}

#[tokio::test]
async fn size_and_method_limits() {
    let app = app(EddSourceMode::Rules).await;
    let big = format!(
        r#"{{"destination":{{"country":"US","state":"{}"}},"items":[{{"service":"standard"}}]}}"#,
        "x".repeat(8 * 1024)
    );
    let resp = app
        .client
        .post(app.url("/api/v1/edd"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let get = app.get("/api/v1/edd").await;
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
}

#[tokio::test]
async fn cors_preflight_and_the_per_client_limit_apply() {
    let app = spawn_app_with(
        |s| {
            s.edd_source = EddSourceMode::Rules;
            s.allowed_origins = vec!["https://shop.example".into()];
            s.client_rate = 0.01;
            s.client_burst = 2;
        },
        |_| {},
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/edd"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("https://shop.example").await.unwrap();
    assert_eq!(ok.status(), 204);
    assert!(
        ok.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        preflight("https://evil.example").await.unwrap().status(),
        403
    );

    let body = json!({"destination": {"country": "DE"}, "items": [{"service": "standard"}]});
    let cross = app
        .client
        .post(app.url("/api/v1/edd"))
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(post(&app, &body).await.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}
