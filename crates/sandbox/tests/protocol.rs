//! Wire-level tests over loopback: headers, auth variants, empty retrack bodies, rate
//! limits, fault injection as the client sees it, webhooks, the legacy `/v4` shapes, the
//! admin endpoints, and the standalone binary seeding the same demos.

mod common;

use aftership::model::{GetTrackingQuery, ListTrackingsQuery};
use aftership::{ApiKey, Client, ClientOptions, Error};
use aftership_sandbox::{Faults, RateLimits, SandboxConfig};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::{KEY, config, demo_id, http, start, start_with};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn every_answer_carries_version_and_rate_limit_headers() {
    let (sb, _) = start().await;
    let r = http()
        .get(format!(
            "{}/tracking/2026-07/trackings?slug=ecms",
            sb.base_url()
        ))
        .header("as-api-key", KEY)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["as-api-version"], "2026-07");
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(h.get(name).is_some(), "{name}");
    }
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["meta"], json!({"code": 200}));
}

#[tokio::test]
async fn missing_key_and_legacy_header_on_versioned_api_are_401() {
    let (sb, _) = start().await;
    let url = format!("{}/tracking/2026-07/trackings", sb.base_url());
    for req in [
        http().get(&url),
        http().get(&url).header("aftership-api-key", KEY),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["meta"]["type"], "Unauthorized");
        assert_eq!(body["meta"]["message"], "Invalid API key.");
        assert_eq!(body["data"], json!({}));
    }
}

#[tokio::test]
async fn retrack_accepts_an_empty_body_with_or_without_json_content_type() {
    let (sb, c) = start().await;
    let id = demo_id(&c, "ECMS0008EXPIRED").await;
    let url = format!("{}/tracking/2026-07/trackings/{id}/retrack", sb.base_url());
    let r = http()
        .post(&url)
        .header("as-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "PY10 style: no body, no content type");
    let id = demo_id(&c, "ECMS0005DELIVERED").await;
    let url = format!("{}/tracking/2026-07/trackings/{id}/retrack", sb.base_url());
    let r = http()
        .post(&url)
        .header("as-api-key", KEY)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "TS17 style: JSON content type, empty body");
}

#[tokio::test]
async fn malformed_json_is_4001() {
    let (sb, _) = start().await;
    let r = http()
        .post(format!("{}/tracking/2026-07/trackings", sb.base_url()))
        .header("as-api-key", KEY)
        .header("content-type", "application/json")
        .body("{\"tracking_number\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["meta"]["code"], 4001);
}

#[tokio::test]
async fn unknown_route_is_404_not_found_with_envelope() {
    let (sb, _) = start().await;
    let r = http()
        .get(format!("{}/tracking/2026-07/nothing-here", sb.base_url()))
        .header("as-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["meta"]["type"], "NotFound");
    let wrong_method = http()
        .patch(format!("{}/tracking/2026-07/trackings", sb.base_url()))
        .header("as-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 404);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["meta"]["code"], 404, "an envelope, not an empty 405");
}

#[tokio::test]
async fn default_limits_are_afterships_and_exceeding_them_is_429() {
    let mut cfg = config();
    cfg.rate_limits = RateLimits::default();
    let (sb, _) = start_with(cfg).await;
    let url = format!("{}/tracking/2026-07/trackings", sb.base_url());
    // Successes per one-second window (keyed by its X-RateLimit-Reset). Requests run until
    // a 429 is seen, so a window boundary falling mid-burst cannot make this flaky.
    let mut ok_per_window: std::collections::BTreeMap<String, u32> = Default::default();
    let mut limited: Option<HeaderMap> = None;
    for _ in 0..200 {
        let r = http()
            .get(&url)
            .header("as-api-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-ratelimit-limit"], "6");
        let reset = r.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .to_owned();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r.headers().clone());
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["meta"]["type"], "TooManyRequests");
            break;
        }
        assert_eq!(r.status(), 200);
        *ok_per_window.entry(reset).or_default() += 1;
    }
    assert!(ok_per_window.values().all(|n| *n <= 6), "{ok_per_window:?}");
    let h = limited.expect("200 quick requests never hit the limit of 6 per second");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    assert!(h.get("retry-after").is_some());
}

#[tokio::test]
async fn a_429_storm_reaches_the_client_as_rate_limited_with_retry_after() {
    let (sb, c) = start().await;
    sb.set_faults(Faults {
        rate_limit_storm_secs: Some(30),
        ..Faults::default()
    });
    let e = c
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap_err();
    assert!(e.is_rate_limited() && e.is_upstream_failure());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    sb.set_faults(Faults::default());
    assert!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn client_waits_out_a_short_429_and_retries_once() {
    let (sb, c) = start().await;
    sb.set_faults(Faults {
        rate_limit_storm_secs: Some(1),
        ..Faults::default()
    });
    let state = sb.state().clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        state.set_faults(Faults::default());
    });
    let started = std::time::Instant::now();
    assert!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .is_ok()
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it waited for Retry-After"
    );
}

#[tokio::test]
async fn every_request_failing_with_5xx_is_an_upstream_failure_after_retries() {
    let (sb, c) = start().await;
    sb.set_faults(Faults {
        error_rate: 1.0,
        error_status: 502,
        ..Faults::default()
    });
    let e = c
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap_err();
    assert!(e.is_upstream_failure());
    assert!(matches!(e, Error::Api { status: 502, .. }), "{e:?}");
}

#[tokio::test]
async fn half_the_requests_failing_is_absorbed_by_the_client_retry() {
    let (sb, c) = start().await;
    sb.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    for _ in 0..4 {
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .unwrap();
    }
}

/// A client that never retries, with the given per-attempt timeout.
fn single_attempt(sb: &aftership_sandbox::SandboxHandle, timeout: Duration) -> Client {
    let opts = ClientOptions {
        timeout,
        max_retries: 0,
        ..ClientOptions::default()
    };
    Client::new(&sb.base_url(), ApiKey::new(KEY), opts).unwrap()
}

#[tokio::test]
async fn latency_and_hangs_beyond_the_client_timeout_are_timeouts() {
    let (sb, _) = start().await;
    let c = single_attempt(&sb, Duration::from_millis(300));
    for f in [
        Faults {
            latency_ms: 1_000,
            ..Faults::default()
        },
        Faults {
            hang: true,
            ..Faults::default()
        },
    ] {
        sb.set_faults(f.clone());
        let e = c
            .list_trackings(&ListTrackingsQuery::default())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Timeout), "{f:?}: {e:?}");
    }
}

#[tokio::test]
async fn truncated_and_malformed_bodies_are_unreadable_answers() {
    let (sb, _) = start().await;
    let c = single_attempt(&sb, Duration::from_secs(10));
    let malformed = Faults {
        malformed_body: true,
        ..Faults::default()
    };
    let truncated = Faults {
        truncate_body: true,
        ..Faults::default()
    };
    for f in [malformed, truncated] {
        sb.set_faults(f.clone());
        let e = c
            .list_trackings(&ListTrackingsQuery::default())
            .await
            .unwrap_err();
        // A cut connection may surface as a body error or as a transport error.
        let unreadable = match &e {
            Error::Decode { status, .. } => !f.malformed_body || *status == 200,
            Error::Transport(_) => f.truncate_body,
            _ => false,
        };
        assert!(unreadable && e.is_upstream_failure(), "{f:?}: {e:?}");
    }
}

async fn get_json(url: &str) -> Value {
    http().get(url).send().await.unwrap().json().await.unwrap()
}

/// Regression: an absurd advance overflowed the simulated clock, and from then on every
/// request that read the time panicked.
#[tokio::test]
async fn huge_clock_advance_no_longer_overflows_and_panics_every_request() {
    let (sb, c) = start().await;
    let huge = http()
        .post(format!("{}/sandbox/clock/advance", sb.base_url()))
        .json(&json!({"days": u64::MAX}))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 200);
    assert!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .is_ok()
    );
    sb.advance_clock(Duration::MAX);
    assert!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn admin_endpoints_drive_clock_faults_and_reset() {
    let (sb, c) = start().await;
    let base = sb.base_url();
    let clock = get_json(&format!("{base}/sandbox/clock")).await;
    assert_eq!(clock["now"], "2026-11-27T10:00:00+00:00");
    let adv: Value = http()
        .post(format!("{base}/sandbox/clock/advance"))
        .json(&json!({"seconds": 7200}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(adv["now"], "2026-11-27T12:00:00+00:00");
    assert_eq!(adv["advanced_seconds"], 7200);

    let r = http()
        .put(format!("{base}/sandbox/faults"))
        .json(&json!({"error_rate": 1.0, "error_status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .is_err()
    );
    let bad = http()
        .put(format!("{base}/sandbox/faults"))
        .json(&json!({"error_rate": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let created = {
        http()
            .put(format!("{base}/sandbox/faults"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let req = aftership::model::CreateTrackingRequest {
            tracking_number: Some("ECMS4000RESET".into()),
            slug: Some("ecms".into()),
            ..Default::default()
        };
        c.create_tracking(&req).await.unwrap().data.id.unwrap()
    };
    http()
        .post(format!("{base}/sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert!(
        c.get_tracking(&created, &GetTrackingQuery::default())
            .await
            .unwrap_err()
            .is_not_found()
    );
    let clock = get_json(&format!("{base}/sandbox/clock")).await;
    assert_eq!(clock["advanced_seconds"], 0);
    assert_eq!(
        c.list_trackings(&ListTrackingsQuery::default())
            .await
            .unwrap()
            .data
            .pagination
            .total,
        Some(9)
    );
}

#[tokio::test]
async fn legacy_v4_reads_use_the_wrappers_and_v4_names() {
    let (sb, _) = start().await;
    let base = sb.base_url();
    let get = |path: String| {
        let url = format!("{base}{path}");
        async move {
            let r = http()
                .get(url)
                .header("aftership-api-key", KEY)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let by_number = get("/v4/trackings/ecms/ECMS0005DELIVERED".into()).await;
    let t = &by_number["data"]["tracking"];
    assert_eq!(t["tracking_number"], "ECMS0005DELIVERED");
    assert_eq!(t["id"].as_str().unwrap().len(), 24);
    assert_eq!(t["destination_country_iso3"], "DEU");
    assert!(t.get("destination_country_region").is_none());
    let cp = &t["checkpoints"][0];
    assert!(
        cp["coordinates"].is_array() && cp["country_iso3"].is_string() && cp["zip"].is_string()
    );

    let id = t["id"].as_str().unwrap().to_owned();
    let by_id = get(format!("/v4/trackings/{id}")).await;
    assert_eq!(by_id["data"]["tracking"], *t);

    let last = get("/v4/last_checkpoint/ecms/ECMS0005DELIVERED".into()).await;
    assert_eq!(last["data"]["tag"], "Delivered");
    assert_eq!(last["data"]["checkpoint"]["tag"], "Delivered");
    assert_eq!(
        get(format!("/v4/last_checkpoint/{id}")).await["data"],
        last["data"]
    );

    let missing = http()
        .get(format!("{base}/v4/trackings/ecms/NOPE1234"))
        .header("as-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        (body["meta"]["code"].as_i64(), body["meta"]["type"].as_str()),
        (Some(4004), Some("BadRequest"))
    );
}

/// A webhook receiver on loopback that fails the first `fail_first` calls with 500.
async fn receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |h: HeaderMap, b: Bytes| {
            let sink = sink.clone();
            async move {
                let mut g = sink.lock().unwrap();
                g.push((h, b));
                if g.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, got)
}

#[tokio::test]
async fn clock_advance_fires_signed_tracking_update_webhooks_retried_on_failure() {
    let (url, got) = receiver(1).await;
    let mut cfg = config();
    cfg.webhook_urls = vec![url];
    cfg.webhook_secret = Some("whsec".to_owned().into());
    cfg.webhook.retry_base = Duration::from_millis(50);
    let (sb, _) = start_with(cfg).await;
    sb.advance_clock(Duration::from_secs(20 * 3600));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !sb
        .webhook_deliveries()
        .iter()
        .any(|d| d.attempt == 2 && d.status == Some(200))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            sb.webhook_deliveries()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = sb.webhook_deliveries();
    let first = &log[0];
    assert_eq!(first.status, Some(500));
    assert!(
        log.iter()
            .any(|d| d.event_id == first.event_id && d.attempt == 2 && d.status == Some(200)),
        "the failed delivery was retried: {log:?}"
    );
    let got = got.lock().unwrap();
    for (h, body) in got.iter() {
        assert_eq!(h["as-webhook-version"], "2026-07");
        assert_eq!(h["content-type"], "application/json");
        let sig = h["aftership-hmac-sha256"].to_str().unwrap();
        assert_eq!(sig, aftership_sandbox::webhook_signature("whsec", body));
        let v: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["event"], "tracking_update");
        assert_eq!(v["event_id"].as_str().unwrap().len(), 36);
        assert!(v["ts"].as_i64().unwrap() > 1_700_000_000);
        let msg: aftership::model::Tracking = serde_json::from_value(v["msg"].clone()).unwrap();
        assert!(msg.tracking_number.is_some() && msg.checkpoints.is_some());
    }
}

#[tokio::test]
async fn two_sandboxes_with_the_same_clock_serve_identical_demos() {
    let (_a, ca) = start().await;
    let (_b, cb) = start().await;
    let q = ListTrackingsQuery::default();
    let la = serde_json::to_value(ca.list_trackings(&q).await.unwrap().data.trackings).unwrap();
    let lb = serde_json::to_value(cb.list_trackings(&q).await.unwrap().data.trackings).unwrap();
    assert_eq!(la, lb);
}

#[tokio::test]
async fn the_standalone_binary_seeds_the_same_demos_as_the_embedded_sandbox() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aftership-sandbox"))
        .args(["--addr", &format!("127.0.0.1:{port}"), "--api-key", KEY])
        .args(["--clock-start", common::CLOCK_START, "--rate-limit", "1000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let standalone = Client::new(
        &format!("http://127.0.0.1:{port}"),
        ApiKey::new(KEY),
        common::options(),
    )
    .unwrap();
    let mut list = None;
    for _ in 0..100 {
        if let Ok(r) = standalone
            .list_trackings(&ListTrackingsQuery::default())
            .await
        {
            list = Some(r.data.trackings);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let (_sb, embedded) = start().await;
    let e = embedded
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap()
        .data
        .trackings;
    assert_eq!(list.expect("the binary answered"), e);
}

#[test]
fn config_new_has_the_documented_defaults() {
    let c = SandboxConfig::new(ApiKey::new("k"));
    assert_eq!(c.seed, 0);
    assert!(c.webhook_urls.is_empty() && c.webhook_secret.is_none());
    assert!(c.faults.is_none());
    assert_eq!(c.rate_limits, RateLimits::default());
    assert_eq!(c.rate_limits.list_trackings, 6);
    assert!(c.seed_demo);
}

#[tokio::test]
async fn webhook_deliveries_give_up_after_max_attempts() {
    let (url, got) = receiver(usize::MAX).await;
    let mut cfg = config();
    cfg.seed_demo = false;
    cfg.webhook_urls = vec![url];
    cfg.webhook.retry_base = Duration::from_millis(10);
    cfg.webhook.max_attempts = 3;
    let (sb, c) = start_with(cfg).await;
    let req = aftership::model::CreateTrackingRequest {
        tracking_number: Some("ECMS5000HOOK".into()),
        slug: Some("ecms".into()),
        ..Default::default()
    };
    c.create_tracking(&req).await.unwrap();
    // The first scan is due 4 to 5 hours after creation: exactly one event.
    sb.advance_clock(Duration::from_secs(5 * 3600));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while sb.webhook_deliveries().len() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A fourth attempt would come 40 ms after the third.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = sb.webhook_deliveries();
    assert_eq!(
        log.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        [1, 2, 3],
        "{log:?}"
    );
    assert!(
        log.iter()
            .all(|d| d.status == Some(500) && d.event_id == log[0].event_id)
    );
    let body: Value = serde_json::from_slice(&got.lock().unwrap()[0].1).unwrap();
    assert_eq!(body["is_tracking_first_tag"], true);
    assert_eq!(body["msg"]["tag"], "InfoReceived");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server_and_ends_hanging_requests() {
    let (sb, c) = start().await;
    let url = sb.base_url();
    sb.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let hanging =
        tokio::spawn(async move { c.list_trackings(&ListTrackingsQuery::default()).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(sb);
    let ended = tokio::time::timeout(Duration::from_secs(3), hanging).await;
    assert!(ended.is_ok(), "the hanging request ended with the sandbox");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = http().get(format!("{url}/sandbox/clock")).send().await;
    assert!(after.is_err(), "nothing listens any more");
}

/// Load tests seed 100,000 trackings; a lookup by number must find them through the index,
/// and a deleted one must be gone from it.
#[tokio::test]
async fn bulk_seeded_trackings_are_listed_by_number_and_forgotten_when_deleted() {
    let mut cfg = config();
    cfg.bulk_trackings = 2_000;
    let (_sb, c) = start_with(cfg).await;
    let by_number = |n: String| ListTrackingsQuery {
        tracking_numbers: Some(n),
        slug: Some(aftership_sandbox::BULK_SLUG.into()),
        ..Default::default()
    };
    let first = aftership_sandbox::bulk_tracking_number(1);
    let last = aftership_sandbox::bulk_tracking_number(2_000);
    let both = c
        .list_trackings(&by_number(format!("{first},{last}")))
        .await
        .unwrap()
        .data
        .trackings;
    let numbers: Vec<_> = both
        .iter()
        .map(|t| t.tracking_number.clone().unwrap())
        .collect();
    assert_eq!(numbers, [last.clone(), first.clone()], "newest first");
    assert_eq!(both[1].tag, Some(trackfront_types::Tag::Pending));
    let id = both[0].id.clone().unwrap();
    c.delete_tracking(&id).await.unwrap();
    let after = c.list_trackings(&by_number(last)).await.unwrap().data;
    assert!(after.trackings.is_empty());
    assert_eq!(after.pagination.total, Some(0));
    let all = c
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap()
        .data;
    assert_eq!(all.pagination.total, Some(2_000 + 9 - 1));
}
