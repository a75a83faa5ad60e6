//! `GET /api/v1/trackings/{slug}/{number}/events`: server-sent events over loopback.

use crate::helpers::{spawn_app_with, test_settings};
use crate::webhooks::{SECRET, app_with_secret, post_webhook, sign, update_body};
use futures_util::StreamExt as _;
use serde_json::Value;
use std::time::Duration;
use trackfront_proxy::{Application, Settings};

/// Every wait in these tests is bounded by this.
pub const WAIT: Duration = Duration::from_secs(10);

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

/// A minimal SSE reader over a reqwest response.
pub struct SseStream {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
}

impl SseStream {
    /// Opens `url`; panics unless the answer is a 200 event stream.
    pub async fn open(url: &str, last_event_id: Option<&str>) -> Self {
        let resp = open_raw(url, last_event_id).await;
        assert_eq!(resp.status(), 200, "{url}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        assert!(resp.headers().get("content-encoding").is_none());
        Self {
            body: resp.bytes_stream().boxed(),
            buf: String::new(),
        }
    }

    /// The next event with data (comments and keep-alives skipped), within [`WAIT`].
    pub async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(WAIT, self.next_unbounded())
            .await
            .expect("no event in time")
            .expect("the stream ended")
    }

    /// The next event with data, or `None` when the stream ends.
    pub async fn next_unbounded(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut ev = SseEvent {
                    id: None,
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        ev.id = Some(v.trim_start().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !ev.data.is_empty() {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if !ev.data.is_empty() {
                    return Some(ev);
                }
                continue;
            }
            let chunk = self.body.next().await?.ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Asserts that no data event arrives within `d`.
    pub async fn assert_quiet(&mut self, d: Duration) {
        if let Ok(Some(ev)) = tokio::time::timeout(d, self.next_unbounded()).await {
            panic!("unexpected event {ev:?}");
        }
    }
}

pub async fn open_raw(url: &str, last_event_id: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    tokio::time::timeout(WAIT, req.send())
        .await
        .expect("the stream did not answer in time")
        .unwrap()
}

pub fn events_path(number: &str) -> String {
    format!("/api/v1/trackings/ecms/{number}/events?lang=en")
}

#[tokio::test]
async fn a_webhook_update_reaches_an_open_stream() {
    let app = app_with_secret().await;
    let number = "ECMS0002TRANSIT";
    let mut sse = SseStream::open(&app.url(&events_path(number)), None).await;
    let first = sse.next().await;
    assert_eq!(first.json()["tracking_number"], number);
    let body = update_body("evt-sse-1", number, "Loaded onto the delivery van");
    let resp = post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    assert_eq!(resp.status(), 200);
    let update = sse.next().await;
    let view = update.json();
    assert_eq!(view["tag"], "OutForDelivery");
    assert_eq!(
        view["checkpoints"][0]["message"],
        "Loaded onto the delivery van"
    );
    assert_ne!(update.id, first.id, "a new view has a new id");
    assert!(
        !update.data.contains("Jane"),
        "no personal data on the stream"
    );
}

#[tokio::test]
async fn updates_for_other_trackings_are_not_sent() {
    let app = app_with_secret().await;
    let mut sse = SseStream::open(&app.url(&events_path("ECMS0001INFO")), None).await;
    sse.next().await;
    let body = update_body("evt-other-1", "ECMS0003OUT", "Not for this stream");
    post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    sse.assert_quiet(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn last_event_id_resumes_without_resending_a_known_view() {
    let app = app_with_secret().await;
    let number = "ECMS0004FAIL";
    let url = app.url(&events_path(number));
    let first = SseStream::open(&url, None).await.next().await;
    let id = first.id.clone().expect("events carry ids");
    // Reconnecting with the current id: nothing is resent.
    let mut resumed = SseStream::open(&url, Some(&id)).await;
    resumed.assert_quiet(Duration::from_millis(400)).await;
    // The view changed while the client was away: a reconnect with the old id gets it.
    let body = update_body("evt-resume-1", number, "Changed while away");
    post_webhook(&app, &body, Some(&sign(SECRET, &body))).await;
    let changed = resumed.next().await;
    assert_eq!(
        changed.json()["checkpoints"][0]["message"],
        "Changed while away"
    );
    let mut late = SseStream::open(&url, Some(&id)).await;
    let caught_up = late.next().await;
    assert_eq!(caught_up.id, changed.id);
}

#[tokio::test]
async fn streams_are_capped_per_ip_and_in_total() {
    let app = spawn_app_with(
        |s| {
            s.live.max_streams_per_ip = 2;
            s.live.max_streams = 3;
        },
        |_| {},
    )
    .await;
    let url = app.url(&events_path("ECMS0001INFO"));
    let a = SseStream::open(&url, None).await;
    let _b = SseStream::open(&url, None).await;
    let refused = open_raw(&url, None).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let err: Value = refused.json().await.unwrap();
    assert_eq!(err["code"], "rate_limited");
    // A closed stream frees its slot.
    drop(a);
    let deadline = tokio::time::Instant::now() + WAIT;
    let _c = loop {
        let resp = open_raw(&url, None).await;
        if resp.status() == 200 {
            break resp;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed stream's slot was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The total cap is a 503.
    let app2 = spawn_app_with(
        |s| {
            s.live.max_streams_per_ip = 10;
            s.live.max_streams = 1;
        },
        |_| {},
    )
    .await;
    let url2 = app2.url(&events_path("ECMS0001INFO"));
    let _only = SseStream::open(&url2, None).await;
    let full = open_raw(&url2, None).await;
    assert_eq!(full.status(), 503);
    let err: Value = full.json().await.unwrap();
    assert!(err["code"].is_string());
}

#[tokio::test]
async fn bad_stream_targets_get_their_400_or_404() {
    let app = spawn_app_with(|_| {}, |_| {}).await;
    for (path, status) in [
        ("/api/v1/trackings/ECMS/ECMS0001INFO/events", 400),
        ("/api/v1/trackings/ecms/AB/events", 400),
        ("/api/v1/trackings/ecms/ECMS0001INFO/events?lang=xx", 400),
        (
            "/api/v1/trackings/ecms/ECMS0001INFO/last-checkpoint/events",
            404,
        ),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
}

/// The demo: a proxy on the embedded sandbox, which sends its signed webhooks back.
async fn demo_app() -> (String, Application) {
    let settings = Settings {
        live: trackfront_proxy::live::LiveSettings {
            keepalive: Duration::from_millis(200),
            ..Default::default()
        },
        ..test_settings()
    };
    let app = Application::build(settings).await.unwrap();
    (format!("http://127.0.0.1:{}", app.port()), app)
}

#[tokio::test]
async fn advancing_the_demo_clock_moves_the_parcel_on_open_streams() {
    let (base, app) = demo_app().await;
    tokio::spawn(app.run_until(std::future::pending()));
    let number = "ECMS0002TRANSIT";
    let mut sse = SseStream::open(&format!("{base}{}", events_path(number)), None).await;
    let before = sse.next().await.json();
    let resp = reqwest::Client::new()
        .post(format!("{base}/demo/advance"))
        .json(&serde_json::json!({"hours": 48}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let after = sse.next().await.json();
    assert_ne!(
        after["checkpoints"].as_array().unwrap().len(),
        before["checkpoints"].as_array().unwrap().len(),
        "a new checkpoint arrived: {after}"
    );
    // A cross-origin page cannot drive the demo clock.
    let resp = reqwest::Client::new()
        .post(format!("{base}/demo/advance"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn a_stream_in_another_language_than_the_webhook_gets_its_own_translated_view() {
    let (base, app) = demo_app().await;
    tokio::spawn(app.run_until(std::future::pending()));
    let number = "ECMS0002TRANSIT";
    let url = format!("{base}/api/v1/trackings/ecms/{number}/events?lang=de");
    let mut sse = SseStream::open(&url, None).await;
    let before = sse.next().await.json();
    let resp = reqwest::Client::new()
        .post(format!("{base}/demo/advance"))
        .json(&serde_json::json!({"hours": 48}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The sandbox's webhook carries the English view; the German stream asks for its own.
    let after = sse.next().await.json();
    assert!(
        after["checkpoints"].as_array().unwrap().len()
            > before["checkpoints"].as_array().unwrap().len(),
        "{after}"
    );
    let text = after["checkpoints"].to_string();
    assert!(
        [
            "Sendung",
            "Sortierzentrum",
            "Verzollung",
            "Einrichtung",
            "Zugestellt"
        ]
        .iter()
        .any(|w| text.contains(w)),
        "German messages expected: {text}"
    );
}

#[tokio::test]
async fn keep_alives_flow_and_streams_end_on_shutdown() {
    let (base, app) = demo_app().await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));
    let resp = open_raw(&format!("{base}{}", events_path("ECMS0001INFO")), None).await;
    let mut body = resp.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("\n:") && !seen.starts_with(':') {
        let chunk = tokio::time::timeout(WAIT, body.next())
            .await
            .expect("a keep-alive in time")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    stop_tx.send(()).unwrap();
    let ended =
        tokio::time::timeout(WAIT, async { while let Some(Ok(_)) = body.next().await {} }).await;
    assert!(ended.is_ok(), "the stream did not end on shutdown");
    tokio::time::timeout(WAIT, server)
        .await
        .expect("the server did not drain")
        .unwrap()
        .unwrap();
}
