//! Configuration: command-line flags, environment variables and an optional TOML file, in
//! that order of precedence, then built-in defaults.
//!
//! [`Cli`] is what clap (flags and env) and the TOML file (`--config`) both fill; every field
//! is optional so that a layer can be told apart from "not given". [`Settings::resolve`]
//! merges the layers, checks each value and names the field in its error, so a bad config
//! is a clear startup error rather than a surprise later. Tests build [`Settings`] in code.
//!
//! The AfterShip API key is read from `AFTERSHIP_API_KEY` only (never a flag, which would
//! show in process lists, and never the TOML file, which tends to get committed).

use crate::ratelimit::TrustedProxies;
use aftership::ApiKey;
use clap::Parser;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The flags and environment variables of `trackfront-proxy`, also the keys of the TOML
/// file (same names, snake_case).
#[derive(Debug, Default, Parser, Deserialize)]
#[command(
    name = "trackfront-proxy",
    version,
    about = "Key-holding, privacy-safe gateway between shop pages and AfterShip"
)]
#[serde(deny_unknown_fields, default)]
pub struct Cli {
    /// A TOML file with any of the settings below (flags and env win over it).
    #[arg(long, env = "TRACKFRONT_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "TRACKFRONT_ADDR")]
    pub addr: Option<String>,
    /// AfterShip API base URL [default: https://api.aftership.com]. Ignored (the embedded
    /// sandbox is used) when AFTERSHIP_API_KEY is unset.
    #[arg(long, env = "AFTERSHIP_BASE_URL")]
    pub aftership_base_url: Option<String>,
    /// Directory of the built widget (Trunk's `dist/`), served at `/`.
    #[arg(long, env = "TRACKFRONT_DIST")]
    pub dist: Option<PathBuf>,
    /// Create trackings that AfterShip does not know yet [default: on with the sandbox, off
    /// with a real key].
    #[arg(long, env = "TRACKFRONT_AUTO_CREATE")]
    pub auto_create: Option<bool>,
    /// Comma-separated origins (`https://shop.example`) allowed to call the API and load the
    /// widget's files cross-origin. In demo mode (no key) localhost origins are also allowed.
    #[arg(long, env = "TRACKFRONT_ALLOWED_ORIGINS")]
    pub allowed_origins: Option<String>,
    /// Comma-separated IPs or CIDRs of reverse proxies whose `X-Forwarded-For` is believed.
    #[arg(long, env = "TRACKFRONT_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Sustained API requests per second allowed per client IP; 0 disables the limit
    /// (load tests) [default: 5].
    #[arg(long, env = "TRACKFRONT_CLIENT_RATE")]
    pub client_rate: Option<f64>,
    /// Burst of API requests a client may make at once [default: 20].
    #[arg(long, env = "TRACKFRONT_CLIENT_BURST")]
    pub client_burst: Option<u32>,
    /// Upstream budget for `GET /trackings` (list), in calls per second [default: 6].
    #[arg(long, env = "TRACKFRONT_BUDGET_LIST")]
    pub budget_list: Option<u32>,
    /// Upstream budget for `GET /trackings/{id}`, in calls per second [default: 5].
    #[arg(long, env = "TRACKFRONT_BUDGET_GET")]
    pub budget_get: Option<u32>,
    /// Upstream budget for `POST /trackings`, in calls per second [default: 20].
    #[arg(long, env = "TRACKFRONT_BUDGET_CREATE")]
    pub budget_create: Option<u32>,
    /// How many lookups may queue for one upstream endpoint before more are shed [default: 64].
    #[arg(long, env = "TRACKFRONT_UPSTREAM_QUEUE")]
    pub upstream_queue: Option<u32>,
    /// The longest a shopper's request waits for the upstream, queueing and retries included
    /// [default: 8s].
    #[arg(long, env = "TRACKFRONT_UPSTREAM_DEADLINE")]
    pub upstream_deadline: Option<String>,
    /// Timeout of one upstream attempt [default: 3s].
    #[arg(long, env = "TRACKFRONT_UPSTREAM_TIMEOUT")]
    pub upstream_timeout: Option<String>,
    /// Retries after a failed upstream attempt (timeouts, 5xx) [default: 2].
    #[arg(long, env = "TRACKFRONT_UPSTREAM_RETRIES")]
    pub upstream_retries: Option<u32>,
    /// Consecutive upstream failures that open the circuit breaker [default: 5].
    #[arg(long, env = "TRACKFRONT_BREAKER_FAILURES")]
    pub breaker_failures: Option<u32>,
    /// How long the breaker stays open before one probe is let through [default: 15s].
    #[arg(long, env = "TRACKFRONT_BREAKER_COOLDOWN")]
    pub breaker_cooldown: Option<String>,
    /// Freshness of a cached tracking that is still moving [default: 5m].
    #[arg(long, env = "TRACKFRONT_TTL_ACTIVE")]
    pub ttl_active: Option<String>,
    /// Freshness of a Delivered or Expired tracking [default: 6h].
    #[arg(long, env = "TRACKFRONT_TTL_FINAL")]
    pub ttl_final: Option<String>,
    /// How long "not found" is remembered [default: 30s].
    #[arg(long, env = "TRACKFRONT_TTL_NOT_FOUND")]
    pub ttl_not_found: Option<String>,
    /// After freshness ends, how long the old view is served at once while one background
    /// refresh runs [default: 10m].
    #[arg(long, env = "TRACKFRONT_STALE_WHILE_REVALIDATE")]
    pub stale_while_revalidate: Option<String>,
    /// How long an old view may still be served when the upstream fails [default: 24h].
    #[arg(long, env = "TRACKFRONT_STALE_IF_ERROR")]
    pub stale_if_error: Option<String>,
    /// Memory budget of the tracking cache, in MiB [default: 32].
    #[arg(long, env = "TRACKFRONT_CACHE_MB")]
    pub cache_mb: Option<u64>,
    /// The merchant's delivery rules (TOML, see crates/edd/examples/merchant.toml) for
    /// `POST /api/v1/edd` [default: that example configuration].
    #[arg(long, env = "TRACKFRONT_EDD_CONFIG")]
    pub edd_config: Option<PathBuf>,
    /// Where delivery estimates come from: `auto` (AfterShip predict-batch with the
    /// embedded sandbox, the rules with a real key), `aftership` (AfterShip, falling back to
    /// the rules) or `rules` [default: auto].
    #[arg(long, env = "TRACKFRONT_EDD_SOURCE")]
    pub edd_source: Option<String>,
    /// How long AfterShip may take to predict before the rules answer [default: 1500ms].
    #[arg(long, env = "TRACKFRONT_EDD_TIMEOUT")]
    pub edd_timeout: Option<String>,
    /// Most live-update (server-sent event) streams open at once on this instance
    /// [default: 10000].
    #[arg(long, env = "TRACKFRONT_SSE_MAX_STREAMS")]
    pub sse_max_streams: Option<usize>,
    /// Most live-update streams one client IP may hold open [default: 8].
    #[arg(long, env = "TRACKFRONT_SSE_MAX_PER_IP")]
    pub sse_max_per_ip: Option<usize>,
    /// Interval of the keep-alive comment on live-update streams [default: 15s].
    #[arg(long, env = "TRACKFRONT_SSE_KEEPALIVE")]
    pub sse_keepalive: Option<String>,
}

/// The resolved, checked configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen (port 0 picks a free port).
    pub addr: SocketAddr,
    /// `None`: spawn the embedded sandbox with a random key (demo mode).
    pub api_key: Option<ApiKey>,
    /// AfterShip base URL (used only with a key).
    pub aftership_base_url: String,
    /// The built widget.
    pub dist: Option<PathBuf>,
    /// `None`: on in demo mode, off with a real key.
    pub auto_create: Option<bool>,
    /// Origins allowed cross-origin.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// Per-client limit: sustained requests per second (0 = off) and burst.
    pub client_rate: f64,
    /// Per-client burst.
    pub client_burst: u32,
    /// Upstream calls per second, per endpoint.
    pub budget: Budget,
    /// Upstream queueing, deadlines, retries and breaker.
    pub upstream: UpstreamSettings,
    /// Cache freshness and size.
    pub cache: CacheSettings,
    /// The merchant's delivery rules file (`None`: the example configuration).
    pub edd_config: Option<PathBuf>,
    /// Where delivery estimates come from.
    pub edd_source: crate::edd::EddSourceMode,
    /// AfterShip's deadline for a delivery prediction.
    pub edd_timeout: Duration,
    /// Live-update stream limits.
    pub live: crate::live::LiveSettings,
    /// `REDIS_URL` (env only: it may hold a password): share cache, limits, webhook
    /// idempotency and events with other instances.
    pub redis_url: Option<secrecy::SecretString>,
    /// `AFTERSHIP_WEBHOOK_SECRET` (env only): verifies `POST /webhooks/aftership`. In demo
    /// mode a random one is shared with the embedded sandbox instead.
    pub webhook_secret: Option<secrecy::SecretString>,
}

/// Upstream calls per second per AfterShip endpoint (reference §1.4/§1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// `GET /trackings`.
    pub list: u32,
    /// `GET /trackings/{id}`.
    pub get: u32,
    /// `POST /trackings`.
    pub create: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            list: 6,
            get: 5,
            create: 20,
        }
    }
}

/// How the proxy talks to the upstream.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    /// Waiting calls per endpoint before shedding.
    pub queue: u32,
    /// Whole budget of one shopper request for upstream work.
    pub deadline: Duration,
    /// One attempt.
    pub attempt_timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First back-off step (full jitter, doubling).
    pub backoff_base: Duration,
    /// Consecutive failures that open the breaker.
    pub breaker_failures: u32,
    /// Open time before a probe.
    pub breaker_cooldown: Duration,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            queue: 64,
            deadline: Duration::from_secs(8),
            attempt_timeout: Duration::from_secs(3),
            retries: 2,
            backoff_base: Duration::from_millis(100),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(15),
        }
    }
}

/// Cache freshness windows and size.
#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// Fresh time of a moving tracking.
    pub ttl_active: Duration,
    /// Fresh time of a Delivered/Expired tracking.
    pub ttl_final: Duration,
    /// Fresh time of "not found".
    pub ttl_not_found: Duration,
    /// Serve-stale-and-refresh window after freshness ends.
    pub stale_while_revalidate: Duration,
    /// Serve-stale-on-error window (also the hard expiry).
    pub stale_if_error: Duration,
    /// Memory budget in bytes.
    pub max_bytes: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            ttl_active: Duration::from_secs(300),
            ttl_final: Duration::from_secs(6 * 3600),
            ttl_not_found: Duration::from_secs(30),
            stale_while_revalidate: Duration::from_secs(600),
            stale_if_error: Duration::from_secs(24 * 3600),
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

impl Default for Settings {
    /// The defaults, in demo mode (no key). Tests start from this.
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_key: None,
            aftership_base_url: "https://api.aftership.com".to_owned(),
            dist: None,
            auto_create: None,
            allowed_origins: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            client_rate: 5.0,
            client_burst: 20,
            budget: Budget::default(),
            upstream: UpstreamSettings::default(),
            cache: CacheSettings::default(),
            edd_config: None,
            edd_source: crate::edd::EddSourceMode::Auto,
            edd_timeout: Duration::from_millis(1500),
            live: crate::live::LiveSettings::default(),
            redis_url: None,
            webhook_secret: None,
        }
    }
}

/// A configuration value that cannot be used; the message names the field.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

fn bad(field: &str, env: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("{field} ({env}): {why}"))
}

impl Settings {
    /// Reads flags, environment and the optional TOML file.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the offending field.
    pub fn from_args_and_env() -> Result<Self, ConfigError> {
        let cli = Cli::parse();
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => Cli::default(),
        };
        let key = std::env::var("AFTERSHIP_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(ApiKey::new);
        let secret_env = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(secrecy::SecretString::from)
        };
        let mut settings = Self::resolve(cli, file, key)?;
        settings.redis_url = secret_env("REDIS_URL");
        settings.webhook_secret = secret_env("AFTERSHIP_WEBHOOK_SECRET");
        Ok(settings)
    }

    /// Merges flags/env (`cli`) over the TOML file (`file`) over the defaults.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the offending field.
    pub fn resolve(cli: Cli, file: Cli, api_key: Option<ApiKey>) -> Result<Self, ConfigError> {
        let d = Settings::default();
        let du = UpstreamSettings::default();
        let dc = CacheSettings::default();
        let db = Budget::default();
        macro_rules! pick {
            ($f:ident) => {
                cli.$f.clone().or(file.$f.clone())
            };
        }
        let addr = match pick!(addr) {
            Some(a) => a
                .trim()
                .parse()
                .map_err(|_| bad("addr", "TRACKFRONT_ADDR", format!("`{a}` is not HOST:PORT")))?,
            None => d.addr,
        };
        let aftership_base_url = pick!(aftership_base_url).unwrap_or(d.aftership_base_url);
        let base_ok =
            aftership_base_url.starts_with("https://") || aftership_base_url.starts_with("http://");
        if !base_ok {
            return Err(bad(
                "aftership_base_url",
                "AFTERSHIP_BASE_URL",
                "must be an http(s) URL",
            ));
        }
        let dist = pick!(dist);
        if let Some(dir) = &dist
            && !dir.is_dir()
        {
            return Err(bad(
                "dist",
                "TRACKFRONT_DIST",
                format!("`{}` is not a directory", dir.display()),
            ));
        }
        let allowed_origins = match pick!(allowed_origins) {
            Some(list) => parse_origins(&list)
                .map_err(|e| bad("allowed_origins", "TRACKFRONT_ALLOWED_ORIGINS", e))?,
            None => Vec::new(),
        };
        let trusted_proxies = match pick!(trusted_proxies) {
            Some(list) => TrustedProxies::parse(&list)
                .map_err(|e| bad("trusted_proxies", "TRACKFRONT_TRUSTED_PROXIES", e))?,
            None => TrustedProxies::default(),
        };
        let client_rate = pick!(client_rate).unwrap_or(d.client_rate);
        if !(client_rate.is_finite() && client_rate >= 0.0) {
            return Err(bad(
                "client_rate",
                "TRACKFRONT_CLIENT_RATE",
                "must be a number >= 0",
            ));
        }
        let client_burst = pick!(client_burst).unwrap_or(d.client_burst).max(1);
        let positive = |v: Option<u32>, default: u32, field: &str, env: &str| match v {
            Some(0) => Err(bad(field, env, "must be at least 1")),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        let budget = Budget {
            list: positive(
                pick!(budget_list),
                db.list,
                "budget_list",
                "TRACKFRONT_BUDGET_LIST",
            )?,
            get: positive(
                pick!(budget_get),
                db.get,
                "budget_get",
                "TRACKFRONT_BUDGET_GET",
            )?,
            create: positive(
                pick!(budget_create),
                db.create,
                "budget_create",
                "TRACKFRONT_BUDGET_CREATE",
            )?,
        };
        let dur = |v: Option<String>, default: Duration, field: &str, env: &str| match v {
            Some(s) => parse_duration(&s).map_err(|e| bad(field, env, e)),
            None => Ok(default),
        };
        let upstream = UpstreamSettings {
            queue: pick!(upstream_queue).unwrap_or(du.queue),
            deadline: dur(
                pick!(upstream_deadline),
                du.deadline,
                "upstream_deadline",
                "TRACKFRONT_UPSTREAM_DEADLINE",
            )?,
            attempt_timeout: dur(
                pick!(upstream_timeout),
                du.attempt_timeout,
                "upstream_timeout",
                "TRACKFRONT_UPSTREAM_TIMEOUT",
            )?,
            retries: pick!(upstream_retries).unwrap_or(du.retries),
            backoff_base: du.backoff_base,
            breaker_failures: positive(
                pick!(breaker_failures),
                du.breaker_failures,
                "breaker_failures",
                "TRACKFRONT_BREAKER_FAILURES",
            )?,
            breaker_cooldown: dur(
                pick!(breaker_cooldown),
                du.breaker_cooldown,
                "breaker_cooldown",
                "TRACKFRONT_BREAKER_COOLDOWN",
            )?,
        };
        if upstream.deadline.is_zero() {
            return Err(bad(
                "upstream_deadline",
                "TRACKFRONT_UPSTREAM_DEADLINE",
                "must be longer than 0",
            ));
        }
        let cache = CacheSettings {
            ttl_active: dur(
                pick!(ttl_active),
                dc.ttl_active,
                "ttl_active",
                "TRACKFRONT_TTL_ACTIVE",
            )?,
            ttl_final: dur(
                pick!(ttl_final),
                dc.ttl_final,
                "ttl_final",
                "TRACKFRONT_TTL_FINAL",
            )?,
            ttl_not_found: dur(
                pick!(ttl_not_found),
                dc.ttl_not_found,
                "ttl_not_found",
                "TRACKFRONT_TTL_NOT_FOUND",
            )?,
            stale_while_revalidate: dur(
                pick!(stale_while_revalidate),
                dc.stale_while_revalidate,
                "stale_while_revalidate",
                "TRACKFRONT_STALE_WHILE_REVALIDATE",
            )?,
            stale_if_error: dur(
                pick!(stale_if_error),
                dc.stale_if_error,
                "stale_if_error",
                "TRACKFRONT_STALE_IF_ERROR",
            )?,
            max_bytes: match pick!(cache_mb) {
                Some(0) => {
                    return Err(bad("cache_mb", "TRACKFRONT_CACHE_MB", "must be at least 1"));
                }
                Some(mb) => mb.saturating_mul(1024 * 1024),
                None => dc.max_bytes,
            },
        };
        let edd_source = match pick!(edd_source) {
            Some(m) => m
                .parse()
                .map_err(|e| bad("edd_source", "TRACKFRONT_EDD_SOURCE", e))?,
            None => d.edd_source,
        };
        let edd_timeout = dur(
            pick!(edd_timeout),
            d.edd_timeout,
            "edd_timeout",
            "TRACKFRONT_EDD_TIMEOUT",
        )?;
        let dl = crate::live::LiveSettings::default();
        let live = crate::live::LiveSettings {
            max_streams: pick!(sse_max_streams).unwrap_or(dl.max_streams),
            max_streams_per_ip: pick!(sse_max_per_ip).unwrap_or(dl.max_streams_per_ip),
            keepalive: dur(
                pick!(sse_keepalive),
                dl.keepalive,
                "sse_keepalive",
                "TRACKFRONT_SSE_KEEPALIVE",
            )?,
        };
        if live.keepalive.is_zero() {
            return Err(bad(
                "sse_keepalive",
                "TRACKFRONT_SSE_KEEPALIVE",
                "must be longer than 0",
            ));
        }
        Ok(Self {
            addr,
            api_key,
            aftership_base_url,
            dist,
            auto_create: pick!(auto_create),
            allowed_origins,
            trusted_proxies,
            client_rate,
            client_burst,
            budget,
            upstream,
            cache,
            edd_config: pick!(edd_config),
            edd_source,
            edd_timeout,
            live,
            redis_url: None,
            webhook_secret: None,
        })
    }

    /// Whether this configuration runs against the embedded sandbox.
    pub fn demo_mode(&self) -> bool {
        self.api_key.is_none()
    }
}

fn read_file(path: &Path) -> Result<Cli, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        ConfigError(format!(
            "config file {}: {}",
            path.display(),
            e.message().trim()
        ))
    })
}

/// Parses `500ms`, `3s`, `5m`, `6h` (or a bare number of seconds).
///
/// # Errors
/// A message saying what is expected.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let s = raw.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{raw}` is not a duration such as 500ms, 3s, 5m or 6h"))?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => {
            return Err(format!(
                "`{raw}` is not a duration such as 500ms, 3s, 5m or 6h"
            ));
        }
    };
    Ok(d)
}

/// Parses a comma-separated origin list; each must be `scheme://host[:port]` with no path.
///
/// # Errors
/// A message naming the bad entry.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|o| {
            let o = o.trim_end_matches('/');
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"))
                .ok_or_else(|| format!("`{o}` is not an http(s) origin"))?;
            let ok = !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
            if ok {
                Ok(o.to_ascii_lowercase())
            } else {
                Err(format!("`{o}` is not an origin like https://shop.example"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["trackfront-proxy"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = Settings::resolve(Cli::default(), Cli::default(), None).unwrap();
        assert_eq!(s.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.aftership_base_url, "https://api.aftership.com");
        assert_eq!(
            s.budget,
            Budget {
                list: 6,
                get: 5,
                create: 20
            }
        );
        assert!(s.demo_mode());
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() {
        let file: Cli =
            toml::from_str("addr = \"127.0.0.1:9000\"\nbudget_get = 3\nttl_active = \"2m\"")
                .unwrap();
        let s = Settings::resolve(cli(&["--addr", "127.0.0.1:9001"]), file, None).unwrap();
        assert_eq!(s.addr.port(), 9001);
        assert_eq!(s.budget.get, 3);
        assert_eq!(s.cache.ttl_active, Duration::from_secs(120));
    }

    #[test]
    fn bad_values_name_their_field() {
        let cases: [(&[&str], &str); 5] = [
            (&["--addr", "nowhere"], "TRACKFRONT_ADDR"),
            (&["--upstream-deadline", "soon"], "upstream_deadline"),
            (&["--trusted-proxies", "10.0.0.0/99"], "trusted_proxies"),
            (&["--allowed-origins", "shop.example"], "allowed_origins"),
            (&["--budget-list", "0"], "budget_list"),
        ];
        for (args, field) in cases {
            let err = Settings::resolve(cli(args), Cli::default(), None).unwrap_err();
            assert!(err.to_string().contains(field), "{args:?}: {err}");
        }
    }

    #[test]
    fn unknown_file_keys_are_an_error_naming_the_key() {
        let err = toml::from_str::<Cli>("adr = \"x\"").unwrap_err();
        assert!(err.to_string().contains("adr"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(21600));
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("s").is_err());
    }
}
