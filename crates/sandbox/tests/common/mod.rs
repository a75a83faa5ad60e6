//! Helpers shared by the sandbox's integration tests: a sandbox on loopback with a fixed
//! clock and relaxed rate limits, and a typed client pointed at it.
#![allow(dead_code)]

use aftership::{ApiKey, Client, ClientOptions};
use aftership_sandbox::{RateLimits, SandboxConfig, SandboxHandle};
use std::time::Duration;

pub const KEY: &str = "sandbox-test-key";
pub const CLOCK_START: &str = "2026-11-27T10:00:00Z";

pub fn config() -> SandboxConfig {
    let mut c = SandboxConfig::new(ApiKey::new(KEY));
    c.rate_limits = RateLimits::relaxed(10_000);
    c.clock_start = Some(CLOCK_START.parse().unwrap());
    c
}

pub fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        base_delay: Duration::from_millis(10),
        ..ClientOptions::default()
    }
}

pub fn client(sb: &SandboxHandle) -> Client {
    Client::new(&sb.base_url(), ApiKey::new(KEY), options()).unwrap()
}

pub async fn start() -> (SandboxHandle, Client) {
    start_with(config()).await
}

pub async fn start_with(config: SandboxConfig) -> (SandboxHandle, Client) {
    let sb = aftership_sandbox::spawn(config).await.unwrap();
    let c = client(&sb);
    (sb, c)
}

/// A raw HTTP client for header-level checks.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// `(meta.code, meta.type, HTTP status)` of an API error.
pub fn api_err(e: &aftership::Error) -> (i64, String, u16) {
    match e {
        aftership::Error::Api {
            meta_code,
            meta_type,
            status,
            ..
        } => (*meta_code, meta_type.clone(), *status),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The id of a demo tracking, looked up by number.
pub async fn demo_id(c: &Client, number: &str) -> String {
    c.find_tracking("ecms", number, None)
        .await
        .unwrap()
        .unwrap()
        .id
        .unwrap()
}
