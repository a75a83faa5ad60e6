//! Two proxy instances sharing one real `redis-server` (started here on a free loopback
//! port, without persistence, and killed at the end): events, the per-IP limit, the
//! tracking cache and the EDD prediction cache are shared; when Redis is lost both keep
//! answering on local state, and they recover by themselves when it is back.

use crate::events::{SseStream, WAIT, events_path};
use crate::helpers::{TestApp, spawn_app_with, test_settings};
use crate::webhooks::{SECRET, post_webhook, sign, update_body};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use trackfront_proxy::Application;

/// A `redis-server` child process on 127.0.0.1.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
}

impl RedisServer {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port).await
    }

    pub async fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (cargo xtask setup)");
        let server = Self {
            child: Some(child),
            port,
        };
        let deadline = tokio::time::Instant::now() + WAIT;
        while !server.answers().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    async fn answers(&self) -> bool {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await else {
            return false;
        };
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").await.is_ok()
            && s.read_exact(&mut buf).await.is_ok()
            && &buf == b"+PONG\r\n"
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Instance A: a proxy (real key, its own sandbox) on `redis`; `more` adjusts settings.
async fn instance_a(redis: &RedisServer, more: fn(&mut trackfront_proxy::Settings)) -> TestApp {
    instance_a_with(redis, more, |_| {}).await
}

async fn instance_a_with(
    redis: &RedisServer,
    more: fn(&mut trackfront_proxy::Settings),
    sandbox: fn(&mut aftership_sandbox::SandboxConfig),
) -> TestApp {
    let url = redis.url();
    spawn_app_with(
        move |s| {
            s.redis_url = Some(url.into());
            s.webhook_secret = Some(SECRET.into());
            more(s);
        },
        sandbox,
    )
    .await
}

/// Instance B: another proxy on the same sandbox and the same Redis.
async fn instance_b(
    a: &TestApp,
    redis: &RedisServer,
    more: fn(&mut trackfront_proxy::Settings),
) -> String {
    let mut s = test_settings();
    s.api_key = Some(aftership::ApiKey::new(a.api_key.clone()));
    s.aftership_base_url = a.sandbox.base_url();
    s.auto_create = Some(true);
    s.redis_url = Some(redis.url().into());
    s.webhook_secret = Some(SECRET.into());
    more(&mut s);
    let app = Application::build(s).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    base
}

fn no_change(_: &mut trackfront_proxy::Settings) {}

async fn text(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// The value of the metric line starting with `name` on `base`.
async fn metric(base: &str, name: &str) -> u64 {
    let body = text(&format!("{base}/metrics")).await;
    body.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Waits (bounded) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn shared_state(base: &str) -> String {
    let v: Value = serde_json::from_str(&text(&format!("{base}/readyz")).await).unwrap();
    v["shared_state"].as_str().unwrap_or_default().to_owned()
}

async fn subscribed(base: &str) -> bool {
    metric(base, "trackfront_redis_subscribed").await == 1
}

#[tokio::test]
async fn a_webhook_delivered_to_a_reaches_a_stream_on_b() {
    let redis = RedisServer::start().await;
    let a = instance_a(&redis, no_change).await;
    let b = instance_b(&a, &redis, no_change).await;
    assert_eq!(shared_state(&a.address).await, "redis");
    eventually("B subscribed", || subscribed(&b)).await;
    let number = "ECMS0002TRANSIT";
    let mut sse = SseStream::open(&format!("{b}{}", events_path(number)), None).await;
    sse.next().await;
    let body = update_body("evt-redis-fanout", number, "Published on A, seen on B");
    let resp = post_webhook(&a, &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(resp.status(), 200);
    let update = sse.next().await.json();
    assert_eq!(
        update["checkpoints"][0]["message"],
        "Published on A, seen on B"
    );
    // The redelivery of the same event to B is recognised as a duplicate.
    let resp = reqwest::Client::new()
        .post(format!("{b}/webhooks/aftership"))
        .header("aftership-hmac-sha256", sign(SECRET, &body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let ack: Value = resp.json().await.unwrap();
    assert_eq!(ack["status"], "duplicate", "idempotency is shared");
}

#[tokio::test]
async fn a_lookup_cached_by_a_is_a_cache_hit_on_b() {
    let redis = RedisServer::start().await;
    let a = instance_a(&redis, no_change).await;
    let b = instance_b(&a, &redis, no_change).await;
    let number = "ECMS0005DELIVERED";
    let on_a = a.tracking_json(number).await;
    let resp = reqwest::get(format!("{b}/api/v1/trackings/ecms/{number}?lang=en"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let on_b: Value = resp.json().await.unwrap();
    assert_eq!(on_a, on_b);
    assert_eq!(
        metric(&b, "trackfront_cache_lookups_total{result=\"hit\"}").await,
        1
    );
    assert_eq!(
        metric(&b, "trackfront_upstream_calls_total").await,
        0,
        "B never called the upstream"
    );
}

fn aftership_edd(s: &mut trackfront_proxy::Settings) {
    s.edd_source = trackfront_proxy::edd::EddSourceMode::Aftership;
}

/// `POST /api/v1/edd` on `base`: each estimate's service, source and dates (the cutoff
/// countdown is per request and per instance, so it is left out).
async fn edd_dates(base: &str, body: &Value) -> Vec<Value> {
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/edd"))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["service"], e["source"], e["min"], e["likely"], e["max"]]))
        .collect()
}

#[tokio::test]
async fn an_edd_prediction_made_by_a_is_served_by_b_without_asking_aftership() {
    let mut redis = RedisServer::start().await;
    let a = instance_a(&redis, aftership_edd).await;
    let b = instance_b(&a, &redis, aftership_edd).await;
    let body = json!({
        "destination": {"country": "US", "postal_code": "94105", "state": "CA"},
        "items": [{"service": "standard"}, {"service": "express"}]
    });
    let on_a = edd_dates(&a.address, &body).await;
    assert_eq!(on_a.len(), 2);
    assert!(on_a.iter().all(|e| e[1] == "aftership"), "{on_a:?}");
    assert_eq!(
        a.spy
            .count("POST", "/estimated-delivery-date/predict-batch"),
        1
    );

    let on_b = edd_dates(&b, &body).await;
    assert_eq!(on_b, on_a, "B serves A's AfterShip dates");
    assert_eq!(
        metric(&b, "trackfront_edd_upstream_calls_total").await,
        0,
        "B never called predict-batch"
    );
    assert_eq!(
        metric(&b, "trackfront_edd_cache_total{result=\"hit\"}").await,
        2
    );
    assert_eq!(
        metric(&b, "trackfront_edd_cache_total{result=\"miss\"}").await,
        0
    );

    // Without Redis, B answers from the copy it keeps in memory, promptly and still
    // without asking AfterShip; a new lane is asked upstream as usual.
    redis.kill();
    let started = std::time::Instant::now();
    assert_eq!(edd_dates(&b, &body).await, on_a);
    assert!(started.elapsed() < Duration::from_secs(2), "B was slow");
    assert_eq!(metric(&b, "trackfront_edd_upstream_calls_total").await, 0);
    let elsewhere = json!({
        "destination": {"country": "US", "postal_code": "60601", "state": "IL"},
        "items": [{"service": "standard"}]
    });
    let got = edd_dates(&b, &elsewhere).await;
    assert_eq!(got[0][1], "aftership", "{got:?}");
    assert_eq!(
        metric(&b, "trackfront_edd_upstream_calls_total{outcome=\"ok\"}").await,
        1
    );
}

fn strict_limit(s: &mut trackfront_proxy::Settings) {
    s.client_rate = 0.2;
    s.client_burst = 3;
}

#[tokio::test]
async fn the_per_ip_limit_is_shared() {
    let redis = RedisServer::start().await;
    let a = instance_a(&redis, strict_limit).await;
    let b = instance_b(&a, &redis, strict_limit).await;
    for _ in 0..3 {
        assert_eq!(a.get("/api/v1/openapi.json").await.status(), 200);
    }
    let resp = reqwest::get(format!("{b}/api/v1/openapi.json"))
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        429,
        "B knows the client spent its burst on A"
    );
    assert!(resp.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn when_redis_is_lost_both_keep_answering_and_recover_when_it_is_back() {
    let mut redis = RedisServer::start().await;
    let port = redis.port;
    let a = instance_a(&redis, no_change).await;
    let b = instance_b(&a, &redis, no_change).await;
    let number = "ECMS0006PICKUP";
    assert_eq!(a.tracking(number).await.status(), 200);

    redis.kill();
    for (base, name) in [(a.address.as_str(), "A"), (b.as_str(), "B")] {
        let started = std::time::Instant::now();
        let resp = reqwest::get(format!("{base}/api/v1/trackings/ecms/{number}?lang=en"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name} answers without Redis");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{name} was slow"
        );
        eventually("fallback reported", || async {
            shared_state(base).await == "local"
        })
        .await;
        assert_eq!(metric(base, "trackfront_redis_up").await, 0);
    }
    // Live updates still work within one instance.
    let mut sse = SseStream::open(&a.url(&events_path(number)), None).await;
    sse.next().await;
    let body = update_body("evt-redis-down", number, "Delivered while Redis was down");
    assert_eq!(
        post_webhook(&a, &body, Some(&sign(SECRET, &body)))
            .await
            .status(),
        200
    );
    assert_eq!(
        sse.next().await.json()["checkpoints"][0]["message"],
        "Delivered while Redis was down"
    );

    let _redis = RedisServer::start_on(port).await;
    for base in [a.address.as_str(), b.as_str()] {
        eventually("recovered", || async {
            shared_state(base).await == "redis"
        })
        .await;
        eventually("resubscribed", || subscribed(base)).await;
    }
    let mut on_b = SseStream::open(&format!("{b}{}", events_path(number)), None).await;
    on_b.next().await;
    let body = update_body("evt-redis-back", number, "Shared again after recovery");
    post_webhook(&a, &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(
        on_b.next().await.json()["checkpoints"][0]["message"],
        "Shared again after recovery"
    );
}

fn no_auto_create(s: &mut trackfront_proxy::Settings) {
    s.auto_create = Some(false);
}

/// AfterShip's real per-endpoint limits (list: 6 per second).
fn real_limits(c: &mut aftership_sandbox::SandboxConfig) {
    c.rate_limits = aftership_sandbox::RateLimits::default();
}

#[tokio::test]
async fn two_instances_together_stay_within_one_upstream_budget() {
    let redis = RedisServer::start().await;
    let a = instance_a_with(&redis, no_auto_create, real_limits).await;
    let b = instance_b(&a, &redis, no_auto_create).await;
    // Each instance alone may spend the whole budget: together, without sharing, they
    // would send about twice AfterShip's limit and earn 429s.
    let lookups = (0..36).map(|i| {
        let base = if i % 2 == 0 {
            a.address.clone()
        } else {
            b.clone()
        };
        async move {
            let url = format!("{base}/api/v1/trackings/ecms/LIVEBUDGET{i:04}");
            reqwest::get(url).await.unwrap().status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(lookups).await;
    assert!(
        statuses.iter().all(|s| [404, 503].contains(s)),
        "{statuses:?}"
    );
    let upstream_429s = metric(
        &a.address,
        "trackfront_upstream_calls_total{endpoint=\"list_trackings\",outcome=\"rate_limited\"}",
    )
    .await
        + metric(
            &b,
            "trackfront_upstream_calls_total{endpoint=\"list_trackings\",outcome=\"rate_limited\"}",
        )
        .await;
    let calls = metric(
        &a.address,
        "trackfront_upstream_calls_total{endpoint=\"list_trackings\"",
    )
    .await
        + metric(
            &b,
            "trackfront_upstream_calls_total{endpoint=\"list_trackings\"",
        )
        .await;
    assert!(calls >= 6, "both instances did call upstream ({calls})");
    assert_eq!(
        upstream_429s, 0,
        "the shared budget kept both under AfterShip's limit"
    );
}

#[tokio::test]
async fn the_redis_url_and_its_password_never_reach_logs_metrics_or_readyz() {
    let redis = RedisServer::start().await;
    let password = "redis-pw-never-logged-7431";
    let url = format!("redis://:{password}@127.0.0.1:{}/", redis.port);
    let app = spawn_app_with(move |s| s.redis_url = Some(url.into()), |_| {}).await;
    // The server has no password, so AUTH fails: the instance runs on local state.
    assert_eq!(app.tracking("ECMS0001INFO").await.status(), 200);
    let ready = app.get("/readyz").await.text().await.unwrap();
    assert!(ready.contains("\"redis\":\"unavailable\""), "{ready}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for text in [ready, metrics, crate::helpers::logs()] {
        assert!(!text.contains(password));
    }
}
