//! `POST /webhooks/aftership`: signature checked on the raw body before parsing,
//! idempotency on `event_id`, and the cached view refreshed from `msg`.

use crate::helpers::{TestApp, logs, spawn_app_with};
use serde_json::{Value, json};

pub const SECRET: &str = "whsec-test-0123456789";

/// A proxy (real key, separate sandbox) that verifies webhooks with [`SECRET`].
pub async fn app_with_secret() -> TestApp {
    spawn_app_with(|s| s.webhook_secret = Some(SECRET.into()), |_| {}).await
}

/// A `tracking_update` for demo tracking `number` whose newest checkpoint says `message`.
pub fn update_body(event_id: &str, number: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event": "tracking_update",
        "event_id": event_id,
        "is_tracking_first_tag": false,
        "ts": 1_900_000_000,
        "msg": {
            "id": "wh-test-id",
            "slug": "ecms",
            "tracking_number": number,
            "language": "en",
            "tag": "OutForDelivery",
            "subtag": "OutForDelivery_001",
            "subtag_message": "Out for Delivery",
            "updated_at": "2030-01-01T10:00:00+00:00",
            "customers": [{
                "name": "Jane Private",
                "email": "jane@example.com",
                "phone_number": "+4915112345678"
            }],
            "checkpoints": [{
                "checkpoint_time": "2030-01-01T09:00:00+01:00",
                "message": message,
                "tag": "OutForDelivery",
                "subtag": "OutForDelivery_001",
                "city": "Berlin",
                "country_region": "DEU",
                "location": "Private Street 1, Berlin",
                "zip": "10115"
            }]
        }
    }))
    .unwrap()
}

pub async fn post_webhook(
    app: &TestApp,
    body: &[u8],
    signature: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/webhooks/aftership"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        req = req.header("aftership-hmac-sha256", sig);
    }
    req.send().await.unwrap()
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    aftership_sandbox::webhook_signature(secret, body)
}

async fn metric(app: &TestApp, line_start: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(line_start))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metric {line_start}"))
}

#[tokio::test]
async fn a_signed_update_refreshes_the_cached_view_without_personal_data() {
    let app = app_with_secret().await;
    let number = "ECMS0002TRANSIT";
    let before = app.tracking_json(number).await;
    assert_ne!(before["tag"], "OutForDelivery");
    let body = update_body("evt-applied-1", number, "With the courier for delivery");
    let resp = post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(resp.status(), 200);
    let upstream_calls = app.spy.calls().len();
    let after = app.tracking_json(number).await;
    assert_eq!(after["tag"], "OutForDelivery");
    assert_eq!(
        after["checkpoints"][0]["message"],
        "With the courier for delivery"
    );
    assert_eq!(
        app.spy.calls().len(),
        upstream_calls,
        "served from the refreshed cache"
    );
    let text = after.to_string();
    for pii in [
        "Jane",
        "jane@example.com",
        "4915112345678",
        "Private Street",
        "10115",
    ] {
        assert!(!text.contains(pii), "{pii} leaked: {text}");
    }
    assert_eq!(
        metric(&app, "trackfront_webhooks_total{result=\"applied\"}").await,
        1
    );
}

#[tokio::test]
async fn bad_signatures_are_refused_before_parsing_and_never_logged() {
    let app = app_with_secret().await;
    let body = update_body("evt-bad-sig", "ECMS0001INFO", "Tampered checkpoint text");
    let good = sign(SECRET, &body);
    let mut tampered = body.clone();
    let at = tampered.len() - 10;
    tampered[at] ^= 0x01;
    let not_json = b"this is not json at all".to_vec();
    let cases: [(&str, &[u8], Option<String>); 5] = [
        ("tampered body", &tampered, Some(good.clone())),
        ("wrong secret", &body, Some(sign("another-secret", &body))),
        ("missing header", &body, None),
        ("garbage header", &body, Some("%%%".into())),
        // Not JSON but unsigned: still a 401 (signature first), not a 400.
        ("unsigned garbage", &not_json, None),
    ];
    for (name, body, sig) in cases {
        let resp = post_webhook(&app, body, sig.as_deref()).await;
        assert_eq!(resp.status(), 401, "{name}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["code"], "unauthorized", "{name}");
    }
    let view = app.tracking_json("ECMS0001INFO").await;
    assert!(!view.to_string().contains("Tampered"));
    assert!(
        !logs().contains("Tampered checkpoint text"),
        "a refused body was logged"
    );
    assert_eq!(
        metric(&app, "trackfront_webhooks_total{result=\"unauthorized\"}").await,
        5
    );
}

#[tokio::test]
async fn a_replayed_event_id_is_acknowledged_and_ignored() {
    let app = app_with_secret().await;
    let number = "ECMS0003OUT";
    let first = update_body("evt-replay-1", number, "First delivery of this event");
    let resp = post_webhook(&app, &first, Some(&sign(SECRET, &first))).await;
    assert_eq!(resp.status(), 200);
    // Same event id, different content: a redelivery must not change anything.
    let replay = update_body("evt-replay-1", number, "Replayed with other content");
    let resp = post_webhook(&app, &replay, Some(&sign(SECRET, &replay))).await;
    assert_eq!(resp.status(), 200, "redeliveries are acknowledged");
    let ack: Value = resp.json().await.unwrap();
    assert_eq!(ack["status"], "duplicate");
    let view = app.tracking_json(number).await;
    assert_eq!(
        view["checkpoints"][0]["message"],
        "First delivery of this event"
    );
    assert_eq!(
        metric(&app, "trackfront_webhooks_total{result=\"duplicate\"}").await,
        1
    );
}

#[tokio::test]
async fn without_a_configured_secret_every_webhook_is_refused() {
    let app = spawn_app_with(|_| {}, |_| {}).await;
    let body = update_body("evt-nosecret", "ECMS0001INFO", "x");
    let resp = post_webhook(&app, &body, Some(&sign("", &body))).await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = app_with_secret().await;
    let body = vec![b' '; 1024 * 1024 + 1];
    let resp = post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(resp.status(), 413);
}

/// Regression: webhooks shared the browsers' 64 KiB body limit, so the update of a long
/// journey (hundreds of checkpoints) was refused with 413 until AfterShip gave up on it.
#[tokio::test]
async fn regression_long_journey_webhook_over_64_kib_was_refused() {
    let app = app_with_secret().await;
    let mut body: serde_json::Value =
        serde_json::from_slice(&update_body("evt-long", "ECMS0003OUT", "Arrived")).unwrap();
    let checkpoint = body["msg"]["checkpoints"][0].clone();
    body["msg"]["checkpoints"] = serde_json::Value::Array(vec![checkpoint; 400]);
    let body = serde_json::to_vec(&body).unwrap();
    assert!(body.len() > 64 * 1024, "the body must exceed the old limit");
    let resp = post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    assert!(resp.status().is_success(), "status {}", resp.status());
}

#[tokio::test]
async fn the_demo_clock_route_exists_only_with_the_embedded_sandbox() {
    let app = app_with_secret().await;
    let resp = app
        .client
        .post(app.url("/demo/advance"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "never present with a real key");
}
