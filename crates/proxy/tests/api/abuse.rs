//! Issue 4, tests 6 to 9: the per-IP limit and the trusted-proxy rule, CORS, input
//! validation before any upstream call, and open-proxy attempts.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get_from(app: &TestApp, path: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.send().await.unwrap()
}

const CACHED: &str = "/api/v1/trackings/ecms/ECMS0005DELIVERED";

#[tokio::test]
async fn the_per_ip_limit_applies_and_forwarded_for_is_ignored_from_untrusted_peers() {
    let app = spawn_app_with(
        |s| {
            s.client_rate = 0.5;
            s.client_burst = 3;
        },
        |_| {},
    )
    .await;
    for i in 0..3 {
        assert_eq!(
            get_from(&app, CACHED, None).await.status(),
            200,
            "request {i}"
        );
    }
    let refused = get_from(&app, CACHED, None).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "retry-after {retry}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after"], retry);
    // A made-up X-Forwarded-For from an untrusted peer changes nothing.
    assert_eq!(
        get_from(&app, CACHED, Some("203.0.113.7")).await.status(),
        429
    );
    // Health and metrics are not limited.
    assert_eq!(app.get("/healthz").await.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("trackfront_rate_limited_requests_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_app_with(
        |s| {
            s.client_rate = 0.5;
            s.client_burst = 2;
            s.trusted_proxies =
                trackfront_proxy::ratelimit::TrustedProxies::parse("127.0.0.1").unwrap();
        },
        |_| {},
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            get_from(&app, CACHED, Some("198.51.100.1")).await.status(),
            200
        );
    }
    assert_eq!(
        get_from(&app, CACHED, Some("198.51.100.1")).await.status(),
        429
    );
    // Another shopper behind the same proxy is not affected.
    assert_eq!(
        get_from(&app, CACHED, Some("198.51.100.2")).await.status(),
        200
    );
    // Prepending addresses cannot dodge the limit: the right-most untrusted hop counts.
    assert_eq!(
        get_from(&app, CACHED, Some("10.9.9.9, 198.51.100.1"))
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn cors_preflight_is_allowed_for_a_listed_origin_and_refused_for_others() {
    let app = spawn_app_with(
        |s| s.allowed_origins = vec!["https://shop.example".into()],
        |_| {},
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                app.url("/api/v1/trackings/ecms/ECMS0002TRANSIT"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let ok = preflight("https://shop.example").await.unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    assert!(
        ok.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    assert!(
        ok.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );

    let refused = preflight("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let read = app
        .client
        .get(app.url("/api/v1/trackings/ecms/ECMS0002TRANSIT"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    assert_eq!(
        read.headers()["access-control-expose-headers"],
        "retry-after"
    );

    let calls = app.spy.calls().len();
    let foreign = app
        .client
        .get(app.url("/api/v1/trackings/ecms/ECMS0003OUT"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(
        app.spy.calls().len(),
        calls,
        "a refused origin caused upstream work"
    );
}

#[tokio::test]
async fn each_bad_input_gets_its_400_code_before_any_upstream_call() {
    let app = spawn_app().await;
    let p = "/api/v1/trackings";
    let long = "A".repeat(101);
    let table = [
        (format!("{p}/ECMS/ECMS0002TRANSIT"), "invalid_slug"),
        (format!("{p}/ec_ms/ECMS0002TRANSIT"), "invalid_slug"),
        (
            format!("{p}/{}/ECMS0002TRANSIT", "a".repeat(65)),
            "invalid_slug",
        ),
        (format!("{p}/ecms/AB1"), "invalid_tracking_number"),
        (format!("{p}/ecms/{long}"), "invalid_tracking_number"),
        (format!("{p}/ecms/ECMS%230002"), "invalid_tracking_number"),
        (
            format!("{p}/ecms/ECMS0002%3Cscript%3E"),
            "invalid_tracking_number",
        ),
        (format!("{p}/ecms/%20%20%20%20"), "invalid_tracking_number"),
        (format!("{p}/ecms/ECMS0002TRANSIT?lang=xx"), "invalid_lang"),
        (
            format!("{p}/ecms/ECMS0002TRANSIT?lang=de%00"),
            "invalid_lang",
        ),
        (
            format!("{p}/ecms/ECMS0002TRANSIT?lang=de&lang=fr"),
            "invalid_request",
        ),
        (
            format!("{p}/ecms/ECMS0002TRANSIT?{}", "x=y&".repeat(80)),
            "invalid_request",
        ),
        (format!("{p}/ecms/ECMS%0D%0A0002"), "invalid_request"),
        (format!("{p}/ecms/ECMS%FF0002"), "invalid_request"),
    ];
    for (path, code) in &table {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 400, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/json", "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], *code, "{path}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}"
        );
    }
    assert!(
        app.spy.calls().is_empty(),
        "bad input reached the upstream: {:?}",
        app.spy.calls()
    );
}

/// Sends raw bytes (for request targets reqwest would normalise) and returns the status.
async fn raw_status(app: &TestApp, request: &str) -> u16 {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn open_proxy_attempts_are_rejected_without_touching_the_upstream() {
    let app = spawn_app().await;
    let host = "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let attempts = [
        format!("GET http://evil.example/api/v1/trackings/ecms/ECMS0002TRANSIT HTTP/1.1\r\n{host}"),
        format!("GET https://api.aftership.com/tracking/2026-07/trackings HTTP/1.1\r\n{host}"),
        format!(
            "GET /api/v1/trackings/ecms/../../../tracking/2026-07/trackings HTTP/1.1\r\n{host}"
        ),
        format!("GET /api/v1/trackings/ecms/%2e%2e/%2e%2e/admin HTTP/1.1\r\n{host}"),
        format!("GET /api/v1/trackings/ecms/EC%2F..%2F..%2Fadmin HTTP/1.1\r\n{host}"),
        format!("GET /api/v1/trackings/ecms%5C..%5Cx/ECMS0002TRANSIT HTTP/1.1\r\n{host}"),
        format!("GET //evil.example/ HTTP/1.1\r\n{host}"),
        format!("GET /tracking/2026-07/trackings HTTP/1.1\r\n{host}"),
        format!("GET /v4/trackings/ecms/ECMS0002TRANSIT HTTP/1.1\r\n{host}"),
        format!("GET /api/v1/trackings/ecms/ECMS0002TRANSIT@evil.example HTTP/1.1\r\n{host}"),
        format!(
            "GET /api/v1/trackings/ecms/{} HTTP/1.1\r\n{host}",
            "A".repeat(4000)
        ),
        format!(
            "POST /api/v1/trackings/ecms/ECMS0002TRANSIT HTTP/1.1\r\nContent-Length: 2\r\n{host}{{}}"
        ),
        format!("DELETE /api/v1/trackings/ecms/ECMS0002TRANSIT HTTP/1.1\r\n{host}"),
        format!(
            "GET /api/v1/trackings/ecms/ECMS0002TRANSIT HTTP/1.1\r\nContent-Length: 10000000\r\n{host}"
        ),
        format!("CONNECT api.aftership.com:443 HTTP/1.1\r\n{host}"),
    ];
    for request in &attempts {
        let status = raw_status(&app, request).await;
        let first_line = request.lines().next().unwrap();
        let shown = &first_line[..first_line.len().min(100)];
        assert!((400..500).contains(&status), "{shown} → {status}");
    }
    assert!(
        app.spy.calls().is_empty(),
        "an attempt reached the upstream: {:?}",
        app.spy.calls()
    );
}
