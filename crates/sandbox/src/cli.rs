//! The `aftership-sandbox` command line: flags to a [`SandboxConfig`], then serve until
//! Ctrl-C or SIGTERM.

use crate::{Faults, RateLimits, SandboxConfig, SandboxState, serve};
use aftership::ApiKey;
use clap::Parser;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;

/// An AfterShip-compatible Tracking API (2026-07) with simulated shipments. For demos and
/// tests only: never give it a real AfterShip key.
#[derive(Debug, Parser)]
#[command(name = "aftership-sandbox", version)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_ADDR", default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// The key clients must send in `as-api-key`.
    #[arg(long, env = "SANDBOX_API_KEY")]
    pub api_key: String,
    /// Seed of the journeys of created trackings.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to POST `tracking_update` webhooks (repeatable).
    #[arg(long = "webhook-url")]
    pub webhook_urls: Vec<String>,
    /// HMAC secret of `aftership-hmac-sha256`.
    #[arg(long, env = "SANDBOX_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
    /// Seconds before the first webhook retry (doubles per retry).
    #[arg(long, default_value_t = 30)]
    pub webhook_retry_base_secs: u64,
    /// One limit (requests per second) for every endpoint instead of AfterShip's table.
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Simulated clock start (RFC 3339); default now.
    #[arg(long)]
    pub clock_start: Option<jiff::Timestamp>,
    /// Do not seed the demo trackings.
    #[arg(long)]
    pub no_demo: bool,
    /// Also seed this many Pending `ecms` trackings, `ECMSBULK00000001` upwards (load tests).
    #[arg(long, default_value_t = 0)]
    pub bulk_trackings: u32,
    /// Fault: latency added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fault: share of API requests answered with a 5xx (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fault: the status of injected failures.
    #[arg(long, default_value_t = 503)]
    pub error_status: u16,
    /// Fault: answer every API request 429 with this `Retry-After`.
    #[arg(long)]
    pub rate_limit_storm_secs: Option<u64>,
    /// Fault: never answer.
    #[arg(long)]
    pub hang: bool,
    /// Fault: cut every body in half.
    #[arg(long)]
    pub truncate_body: bool,
    /// Fault: answer with bodies that are not JSON.
    #[arg(long)]
    pub malformed_body: bool,
}

impl Args {
    /// The configuration these flags describe.
    pub fn config(&self) -> SandboxConfig {
        let mut c = SandboxConfig::new(ApiKey::new(self.api_key.clone()));
        c.seed = self.seed;
        c.webhook_urls = self.webhook_urls.clone();
        c.webhook_secret = self.webhook_secret.clone().map(SecretString::from);
        c.webhook.retry_base = Duration::from_secs(self.webhook_retry_base_secs);
        if let Some(n) = self.rate_limit {
            c.rate_limits = RateLimits::relaxed(n);
        }
        c.clock_start = self.clock_start;
        c.seed_demo = !self.no_demo;
        c.bulk_trackings = self.bulk_trackings;
        c.faults = Faults {
            latency_ms: self.latency_ms,
            error_rate: self.error_rate.clamp(0.0, 1.0),
            error_status: self.error_status,
            rate_limit_storm_secs: self.rate_limit_storm_secs,
            hang: self.hang,
            truncate_body: self.truncate_body,
            malformed_body: self.malformed_body,
        };
        c
    }
}

/// Parses the flags and serves until Ctrl-C or SIGTERM.
///
/// # Errors
/// When the address cannot be bound or the key is empty.
pub fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        !args.api_key.trim().is_empty(),
        "--api-key must not be empty"
    );
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "the sandbox is listening beyond loopback; it is a test double, not a service");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(args.addr).await?;
            let addr = listener.local_addr()?;
            let state = SandboxState::new(args.config());
            // Scripts wait for this line.
            println!("aftership-sandbox listening on http://{addr}");
            tracing::info!(%addr, seed = args.seed, "AfterShip sandbox (simulated data, not AfterShip)");
            serve(listener, state, shutdown_signal()).await?;
            Ok(())
        })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
