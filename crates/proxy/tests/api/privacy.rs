//! Issue 4, tests 1 and 2: the API key never leaves the proxy, and no personal data does.

use crate::helpers::{TestApp, logs, spawn_app, spawn_app_with};
use aftership::model::{ListTrackingsQuery, Tracking};
use aftership::{ApiKey, Client, ClientOptions};
use aftership_sandbox::Faults;
use std::collections::BTreeSet;
use std::time::Duration;

/// Every personal value the sandbox holds for its trackings, read straight from it.
async fn personal_values(app: &TestApp) -> BTreeSet<String> {
    let client = Client::new(
        &app.sandbox.base_url(),
        ApiKey::new(app.api_key.clone()),
        ClientOptions::default(),
    )
    .unwrap();
    let query = ListTrackingsQuery {
        limit: Some(200),
        ..Default::default()
    };
    let list = client.list_trackings(&query).await.unwrap().data;
    let mut out = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for t in &list.trackings {
        collect(t, &mut out);
        numbers.extend(t.tracking_number.clone());
    }
    // The title defaults to the tracking number, which the shopper typed in anyway.
    out.retain(|s| s.chars().count() >= 5 && !numbers.contains(s));
    out
}

fn collect(t: &Tracking, out: &mut BTreeSet<String>) {
    let mut add = |s: Option<&str>| {
        if let Some(s) = s {
            out.insert(s.trim().to_owned());
        }
    };
    for c in t.customers.iter().flatten() {
        add(c.name.as_deref());
        add(c.email.as_deref());
        add(c.phone_number.as_deref());
        for part in c.name.iter().flat_map(|n| n.split_whitespace()) {
            add(Some(part));
        }
    }
    add(t.signed_by.as_deref());
    add(t.note.as_deref());
    add(t.order_id_path.as_deref());
    add(t.order_id.as_deref());
    add(t.order_number.as_deref());
    add(t.title.as_deref());
    add(t.destination_raw_location.as_deref());
    add(t.origin_raw_location.as_deref());
    add(t.destination_postal_code.as_deref());
    add(t.pickup_location.as_deref());
    add(t.pickup_note.as_deref());
    add(t.aftership_tracking_url.as_deref());
    for (k, v) in t.custom_fields.iter().flatten() {
        add(Some(k));
        add(v.as_str());
    }
    for c in t.checkpoints.iter().flatten() {
        add(c.location.as_deref());
        add(c.postal_code.as_deref());
    }
}

/// The seeded demo trackings, one per tag (the sandbox's own list, so the two never drift).
pub const DEMO: [&str; 9] = aftership_sandbox::DEMO_TRACKING_NUMBERS;

#[tokio::test]
async fn no_personal_data_reaches_the_browser() {
    let app = spawn_app().await;
    let pii = personal_values(&app).await;
    // The seed must carry personal data, or this test proves nothing.
    assert!(
        pii.len() >= 40,
        "too few personal values to test with: {pii:?}"
    );
    assert!(
        pii.iter().any(|p| p.contains('@')),
        "no e-mails in the seed"
    );

    let mut bodies = Vec::new();
    for number in DEMO {
        for suffix in ["?lang=en", "?lang=de", "/last-checkpoint?lang=en"] {
            let path = format!("/api/v1/trackings/ecms/{number}{suffix}");
            let resp = app.get(&path).await;
            assert_eq!(resp.status(), 200, "{path}");
            bodies.push((path, resp.text().await.unwrap()));
        }
    }
    for (path, body) in &bodies {
        let lower = body.to_lowercase();
        for value in &pii {
            assert!(
                !lower.contains(&value.to_lowercase()),
                "{path} leaks {value:?}: {body}"
            );
        }
    }
    // Only the allowed fields exist, at every level.
    let allowed_top: BTreeSet<&str> = [
        "tracking_number",
        "slug",
        "courier_name",
        "tag",
        "subtag",
        "subtag_message",
        "progress",
        "origin_country",
        "destination_country",
        "checkpoints",
        "estimated_delivery",
        "updated_at",
        "stale",
    ]
    .into();
    let allowed_checkpoint: BTreeSet<&str> = [
        "time",
        "message",
        "tag",
        "subtag",
        "subtag_message",
        "city",
        "state",
        "country",
        "country_name",
    ]
    .into();
    for (path, body) in bodies
        .iter()
        .filter(|(p, _)| !p.contains("last-checkpoint"))
    {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        for key in v.as_object().unwrap().keys() {
            assert!(
                allowed_top.contains(key.as_str()),
                "{path}: unexpected field {key}"
            );
        }
        for cp in v["checkpoints"].as_array().unwrap() {
            for key in cp.as_object().unwrap().keys() {
                assert!(
                    allowed_checkpoint.contains(key.as_str()),
                    "{path}: checkpoint field {key}"
                );
            }
        }
    }
    // City-level locations do come through.
    let transit: serde_json::Value = serde_json::from_str(&bodies[6].1).unwrap();
    assert!(transit["checkpoints"][0]["city"].is_string(), "{transit}");
}

/// Sends `req`, and returns everything a browser could see of the answer.
async fn visible(req: reqwest::RequestBuilder) -> String {
    let resp = match tokio::time::timeout(Duration::from_secs(10), req.send()).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return format!("transport error: {e}"),
        Err(_) => panic!("the proxy did not answer within 10 s"),
    };
    let mut out = format!("{}\n", resp.status());
    for (k, v) in resp.headers() {
        out.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
    }
    out.push_str(&resp.text().await.unwrap_or_default());
    out
}

#[tokio::test]
async fn the_api_key_never_appears_in_any_answer_or_log() {
    let app = spawn_app_with(
        |s| {
            s.allowed_origins = vec!["https://shop.example".into()];
            s.upstream.breaker_failures = 1000;
        },
        |_| {},
    )
    .await;
    let limited = spawn_app_with(
        |s| {
            s.client_rate = 1.0;
            s.client_burst = 1;
            s.auto_create = Some(false);
        },
        |_| {},
    )
    .await;
    let c = &app.client;
    let mut seen = Vec::new();
    // Success, every error the proxy makes itself, and the ops endpoints.
    for path in [
        "/api/v1/trackings/ecms/ECMS0002TRANSIT?lang=en",
        "/api/v1/trackings/ecms/ECMS0002TRANSIT?lang=de",
        "/api/v1/trackings/ecms/ECMS0002TRANSIT/last-checkpoint",
        "/api/v1/trackings/ECMS/ECMS0002TRANSIT",
        "/api/v1/trackings/ecms/X",
        "/api/v1/trackings/ecms/ECMS0002TRANSIT?lang=xx",
        "/api/v1/trackings/ecms/EC%2F..%2Fx",
        "/api/v1/nothing",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/openapi.json",
        "/",
    ] {
        seen.push(
            visible(
                c.get(app.url(path))
                    .header("as-api-key", "client-sent-key-marker"),
            )
            .await,
        );
    }
    seen.push(visible(c.post(app.url("/api/v1/trackings/ecms/ECMS0002TRANSIT"))).await);
    seen.push(
        visible(
            c.request(
                reqwest::Method::OPTIONS,
                app.url("/api/v1/trackings/ecms/ECMS0002TRANSIT"),
            )
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "GET"),
        )
        .await,
    );
    seen.push(
        visible(
            c.get(app.url("/api/v1/trackings/ecms/ECMS0002TRANSIT"))
                .header("origin", "https://evil.example"),
        )
        .await,
    );
    for _ in 0..3 {
        seen.push(
            visible(
                c.get(limited.url("/api/v1/trackings/ecms/EC0000404"))
                    .header("aftership-api-key", "client-sent-key-marker"),
            )
            .await,
        );
    }
    // Every kind of upstream misbehaviour, each on a number not cached yet.
    let faults = [
        Faults {
            malformed_body: true,
            ..Faults::default()
        },
        Faults {
            truncate_body: true,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            error_status: 500,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            error_status: 503,
            ..Faults::default()
        },
        Faults {
            rate_limit_storm_secs: Some(1),
            ..Faults::default()
        },
        Faults {
            hang: true,
            ..Faults::default()
        },
    ];
    for (i, f) in faults.into_iter().enumerate() {
        app.sandbox.set_faults(f);
        seen.push(visible(c.get(app.url(&format!("/api/v1/trackings/ecms/ECFAULT{i:04}")))).await);
        seen.push(
            visible(c.get(app.url(&format!(
                "/api/v1/trackings/ecms/ECFAULT{i:04}/last-checkpoint?lang=de"
            ))))
            .await,
        );
    }
    app.sandbox.set_faults(Faults::default());
    seen.push(visible(c.get(app.url("/metrics"))).await);

    let statuses: BTreeSet<&str> = seen.iter().map(|s| &s[..3]).collect();
    for want in ["200", "400", "403", "404", "405", "429", "503"] {
        assert!(
            statuses.contains(want),
            "no {want} answer was exercised: {statuses:?}"
        );
    }
    for (i, answer) in seen.iter().enumerate() {
        assert!(
            !answer.contains(&app.api_key),
            "answer {i} holds the key:\n{answer}"
        );
        assert!(
            !answer.contains(&limited.api_key),
            "answer {i} holds the key:\n{answer}"
        );
        assert!(
            !answer.contains("client-sent-key-marker"),
            "answer {i} echoes a client key"
        );
    }
    let logs = logs();
    assert!(!logs.is_empty(), "logs were not captured");
    for key in [&app.api_key, &limited.api_key] {
        assert!(!logs.contains(key.as_str()), "the key was logged");
    }
    assert!(
        !logs.contains("client-sent-key-marker"),
        "a client-sent key header was logged"
    );
}
