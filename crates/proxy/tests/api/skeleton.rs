//! The walking skeleton: health, a real lookup through the typed client, auto-create and
//! not-found, the last checkpoint, and demo mode with the embedded sandbox.

use crate::helpers::{spawn_app, spawn_app_with, test_settings};
use trackfront_proxy::Application;
use trackfront_types::{LastCheckpointView, Tag, TrackingView};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let resp = app.get("/healthz").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn a_demo_tracking_comes_back_as_a_browser_safe_view() {
    let app = spawn_app().await;
    let resp = app.tracking("ECMS0002TRANSIT").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let view: TrackingView = resp.json().await.unwrap();
    assert_eq!(view.tracking_number.as_str(), "ECMS0002TRANSIT");
    assert_eq!(view.slug.as_str(), "ecms");
    assert_eq!(view.tag, Tag::InTransit);
    assert!(!view.checkpoints.is_empty());
    assert!(!view.stale);
    let times: Vec<i64> = view
        .checkpoints
        .iter()
        .filter_map(|c| c.time.as_deref()?.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
}

#[tokio::test]
async fn every_demo_tag_is_served() {
    let app = spawn_app().await;
    let want = [
        ("ECMS0000PENDING", Tag::Pending),
        ("ECMS0001INFO", Tag::InfoReceived),
        ("ECMS0002TRANSIT", Tag::InTransit),
        ("ECMS0003OUT", Tag::OutForDelivery),
        ("ECMS0004FAIL", Tag::AttemptFail),
        ("ECMS0005DELIVERED", Tag::Delivered),
        ("ECMS0006PICKUP", Tag::AvailableForPickup),
        ("ECMS0007EXCEPTION", Tag::Exception),
        ("ECMS0008EXPIRED", Tag::Expired),
    ];
    for (number, tag) in want {
        let v: TrackingView = serde_json::from_value(app.tracking_json(number).await).unwrap();
        assert_eq!(v.tag, tag, "{number}");
        assert_eq!(v.progress, tag.progress(), "{number}");
    }
}

#[tokio::test]
async fn the_last_checkpoint_is_the_newest_one() {
    let app = spawn_app().await;
    let full: TrackingView =
        serde_json::from_value(app.tracking_json("ECMS0003OUT").await).unwrap();
    let resp = app
        .get("/api/v1/trackings/ecms/ECMS0003OUT/last-checkpoint?lang=en")
        .await;
    assert_eq!(resp.status(), 200);
    let last: LastCheckpointView = resp.json().await.unwrap();
    assert_eq!(last.tag, full.tag);
    assert_eq!(last.checkpoint.as_ref(), full.checkpoints.first());
    assert!(last.checkpoint.is_some());
}

#[tokio::test]
async fn an_unknown_tracking_is_created_and_answered_as_pending() {
    let app = spawn_app().await;
    let v: TrackingView = serde_json::from_value(app.tracking_json("EC20261127NEW").await).unwrap();
    assert_eq!(v.tag, Tag::Pending);
    assert_eq!(app.spy.count("POST", "/trackings"), 1);
    // Asked again, it is not created twice.
    let v: TrackingView = serde_json::from_value(app.tracking_json("EC20261127NEW").await).unwrap();
    assert_eq!(v.tag, Tag::Pending);
    assert_eq!(app.spy.count("POST", "/trackings"), 1);
}

#[tokio::test]
async fn without_auto_create_an_unknown_tracking_is_a_404_not_found() {
    let app = spawn_app_with(|s| s.auto_create = Some(false), |_| {}).await;
    let resp = app.tracking("EC404404404").await;
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    assert_eq!(app.spy.count("POST", "/trackings"), 0);
    // "Not found" is remembered briefly: asking again costs no upstream call.
    let before = app.spy.calls().len();
    assert_eq!(app.tracking("EC404404404").await.status(), 404);
    assert_eq!(app.spy.calls().len(), before);
}

#[tokio::test]
async fn demo_mode_embeds_the_sandbox_when_no_key_is_set() {
    let app = Application::build(test_settings()).await.unwrap();
    let sandbox_url = app.sandbox().expect("demo mode has a sandbox").base_url();
    assert_eq!(app.upstream_url(), sandbox_url);
    let port = app.port();
    tokio::spawn(app.run_until(std::future::pending()));
    let url = format!("http://127.0.0.1:{port}/api/v1/trackings/ecms/ECMS0005DELIVERED?lang=en");
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: TrackingView = resp.json().await.unwrap();
    assert_eq!(v.tag, Tag::Delivered);
    // Auto-create is on by default with the sandbox.
    let url = format!("http://127.0.0.1:{port}/api/v1/trackings/ecms/ECDEMO0001");
    let v: TrackingView = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(v.tag, Tag::Pending);
}

#[tokio::test]
async fn graceful_shutdown_stops_the_server() {
    let app = Application::build(test_settings()).await.unwrap();
    let port = app.port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let health = format!("http://127.0.0.1:{port}/healthz");
    assert_eq!(reqwest::get(&health).await.unwrap().status(), 200);
    tx.send(()).unwrap();
    let done = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    assert!(reqwest::get(&health).await.is_err());
}

#[tokio::test]
async fn readyz_reports_a_reachable_upstream() {
    let app = spawn_app().await;
    let resp = app.get("/readyz").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(app.spy.count("GET", "/trackings"), 1, "one probe");
    // A recent successful call counts as reachability: no second probe.
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert_eq!(app.spy.count("GET", "/trackings"), 1);
}

/// Runs the real binary with `args` and `env`, expecting it to refuse to start.
fn refused_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trackfront-proxy"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("AFTERSHIP_API_KEY")
        .env("TRACKFRONT_ADDR", "127.0.0.1:0")
        .output()
        .expect("the binary runs");
    assert!(!out.status.success(), "{args:?} {env:?} started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_bad_config_is_a_startup_error_naming_the_field() {
    let dir = crate::helpers::TempDir::new("config");
    dir.write("bad.toml", b"budget_list = 0\n");
    dir.write("typo.toml", b"adr = \"127.0.0.1:1\"\n");
    let bad = dir.0.join("bad.toml");
    let typo = dir.0.join("typo.toml");
    let err = refused_start(&["--config", bad.to_str().unwrap()], &[]);
    assert!(err.contains("budget_list"), "{err}");
    let err = refused_start(&["--config", typo.to_str().unwrap()], &[]);
    assert!(err.contains("adr"), "{err}");
    let err = refused_start(&[], &[("TRACKFRONT_UPSTREAM_DEADLINE", "soon")]);
    assert!(err.contains("TRACKFRONT_UPSTREAM_DEADLINE"), "{err}");
    let err = refused_start(&[], &[("TRACKFRONT_DIST", "/nonexistent/dist")]);
    assert!(err.contains("TRACKFRONT_DIST"), "{err}");
}
