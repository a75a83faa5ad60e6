//! Outgoing `tracking_update` webhooks: JSON POSTs to the configured URLs, signed with
//! `aftership-hmac-sha256` (base64 HMAC-SHA256 of the raw body with the webhook secret),
//! tagged `as-webhook-version`, and retried with exponential back-off on non-2xx answers.

use crate::{API_VERSION, SandboxConfig};
use aftership::model::Tracking;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The retry schedule. AfterShip waits `2^n × 30 s` before retry n+1 and gives up after
/// 14 attempts; tests shorten `retry_base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookOptions {
    /// Delay before the first retry; doubles per retry.
    pub retry_base: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(30),
            max_attempts: 14,
            timeout: Duration::from_secs(10),
        }
    }
}

/// One delivery attempt, for tests and `GET /sandbox/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    /// The event's `event_id` (the same on every retry).
    pub event_id: String,
    /// Target URL.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// HTTP status, or `None` when the request failed.
    pub status: Option<u16>,
    /// The tracking number the event is about.
    pub tracking_number: String,
    /// The tag the event announces.
    pub tag: String,
}

#[derive(Serialize)]
struct Event<'a> {
    event: &'static str,
    event_id: &'a str,
    is_tracking_first_tag: bool,
    msg: &'a Tracking,
    ts: i64,
}

struct Job {
    event_id: String,
    body: Vec<u8>,
    tracking_number: String,
    tag: String,
}

/// The webhook queue and its delivery log.
pub(crate) struct Webhooks {
    tx: Option<mpsc::UnboundedSender<Job>>,
    log: Arc<Mutex<Vec<WebhookDelivery>>>,
    counter: AtomicU64,
    seed: u64,
}

impl Webhooks {
    /// Starts the worker when there is somewhere to deliver to.
    pub fn start(config: &SandboxConfig, shutdown: watch::Receiver<bool>) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let tx = (!config.webhook_urls.is_empty()).then(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let worker = Worker {
                urls: config.webhook_urls.clone(),
                secret: config.webhook_secret.clone(),
                opts: config.webhook,
                log: log.clone(),
                http: reqwest::Client::builder()
                    .no_proxy()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(config.webhook.timeout)
                    .build()
                    .expect("a plain HTTP client always builds"),
            };
            tokio::spawn(worker.run(rx, shutdown));
            tx
        });
        Self {
            tx,
            log,
            counter: AtomicU64::new(0),
            seed: config.seed,
        }
    }

    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Queues a `tracking_update` for `new` (whose previous state was `old`).
    pub fn tracking_update(&self, old: &Tracking, new: Tracking) {
        let Some(tx) = &self.tx else { return };
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let event_id = uuid_like(&[
            &self.seed.to_le_bytes(),
            &n.to_le_bytes(),
            new.id.as_deref().unwrap_or_default().as_bytes(),
        ]);
        let seen: HashSet<_> = old
            .checkpoints
            .iter()
            .flatten()
            .filter_map(|c| c.tag)
            .chain(old.tag)
            .collect();
        let first = new.tag.is_some_and(|t| !seen.contains(&t));
        let ts = new
            .updated_at
            .as_deref()
            .and_then(crate::clock::parse_datetime)
            .map_or(0, |t| t.as_second());
        let body = serde_json::to_vec(&Event {
            event: "tracking_update",
            event_id: &event_id,
            is_tracking_first_tag: first,
            msg: &new,
            ts,
        })
        .expect("a tracking always serialises");
        let _ = tx.send(Job {
            event_id,
            body,
            tracking_number: new.tracking_number.clone().unwrap_or_default(),
            tag: new.tag.map(|t| t.as_str().to_owned()).unwrap_or_default(),
        });
    }
}

/// A UUID-v4-shaped id derived from `parts` (deterministic, unlike a random v4).
fn uuid_like(parts: &[&[u8]]) -> String {
    let h = crate::journey::hex_id(parts, 2);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `base64(HMAC-SHA256(secret, body))`, the `aftership-hmac-sha256` header value.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    B64.encode(mac.finalize().into_bytes())
}

struct Worker {
    urls: Vec<String>,
    secret: Option<SecretString>,
    opts: WebhookOptions,
    log: Arc<Mutex<Vec<WebhookDelivery>>>,
    http: reqwest::Client,
}

impl Worker {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<Job>, mut shutdown: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let for_deliveries = shutdown.clone();
        loop {
            tokio::select! {
                job = rx.recv() => {
                    let Some(job) = job else { return };
                    let job = Arc::new(job);
                    for url in &me.urls {
                        tokio::spawn(me.clone().deliver(url.clone(), job.clone(), for_deliveries.clone()));
                    }
                }
                _ = shutdown.wait_for(|s| *s) => return,
            }
        }
    }

    async fn deliver(
        self: Arc<Self>,
        url: String,
        job: Arc<Job>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let signature = self
            .secret
            .as_ref()
            .map(|s| sign(s.expose_secret(), &job.body));
        for attempt in 1..=self.opts.max_attempts {
            let mut req = self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .header("as-webhook-version", API_VERSION)
                .body(job.body.clone());
            if let Some(sig) = &signature {
                req = req.header("aftership-hmac-sha256", sig);
            }
            let status = req.send().await.ok().map(|r| r.status().as_u16());
            if let Ok(mut log) = self.log.lock() {
                log.push(WebhookDelivery {
                    event_id: job.event_id.clone(),
                    url: url.clone(),
                    attempt,
                    status,
                    tracking_number: job.tracking_number.clone(),
                    tag: job.tag.clone(),
                });
            }
            if status.is_some_and(|s| (200..300).contains(&s)) || attempt == self.opts.max_attempts
            {
                return;
            }
            let delay = self
                .opts
                .retry_base
                .saturating_mul(1 << (attempt - 1).min(20));
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = shutdown.wait_for(|s| *s) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_afterships_documented_recipe() {
        // echo -n '{"a":1}' | openssl dgst -sha256 -hmac secret -binary | base64
        assert_eq!(
            sign("secret", br#"{"a":1}"#),
            "qp4uNXX11wmLbKzNeQiIw21f22M0KnO62i1qUXR6hJQ="
        );
    }

    #[test]
    fn event_ids_look_like_uuid_v4() {
        let id = uuid_like(&[b"x"]);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
    }
}
