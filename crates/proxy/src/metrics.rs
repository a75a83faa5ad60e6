//! Counters for `GET /metrics`, rendered as Prometheus text by hand (a few atomics; no
//! registry crate). Labels come from closed enums only, so no tracking number, IP address,
//! origin or key can ever become a label.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The routes requests are counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /api/v1/trackings/{slug}/{number}`.
    Tracking,
    /// `GET /api/v1/trackings/{slug}/{number}/last-checkpoint`.
    LastCheckpoint,
    /// `/healthz`, `/readyz`, `/metrics`, `/api/v1/openapi.json`.
    Ops,
    /// The widget's files.
    Static,
    /// Anything else (404s, rejected targets).
    Other,
}

impl Route {
    const ALL: [Route; 5] = [
        Route::Tracking,
        Route::LastCheckpoint,
        Route::Ops,
        Route::Static,
        Route::Other,
    ];
    pub(crate) fn label(self) -> &'static str {
        match self {
            Route::Tracking => "tracking",
            Route::LastCheckpoint => "last_checkpoint",
            Route::Ops => "ops",
            Route::Static => "static",
            Route::Other => "other",
        }
    }
}

/// The upstream endpoints the proxy calls (each has its own budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /trackings`.
    List,
    /// `GET /trackings/{id}`.
    Get,
    /// `POST /trackings`.
    Create,
}

impl Endpoint {
    /// All endpoints, in index order.
    pub const ALL: [Endpoint; 3] = [Endpoint::List, Endpoint::Get, Endpoint::Create];
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::List => "list_trackings",
            Endpoint::Get => "get_tracking",
            Endpoint::Create => "create_tracking",
        }
    }
}

/// How an upstream call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Ok,
    /// 404/4004.
    NotFound,
    /// Another 4xx.
    ClientError,
    /// 429.
    RateLimited,
    /// 5xx.
    ServerError,
    /// No answer in time.
    Timeout,
    /// Connection failed.
    Transport,
    /// Unreadable answer.
    Decode,
}

impl Outcome {
    const ALL: [Outcome; 8] = [
        Outcome::Ok,
        Outcome::NotFound,
        Outcome::ClientError,
        Outcome::RateLimited,
        Outcome::ServerError,
        Outcome::Timeout,
        Outcome::Transport,
        Outcome::Decode,
    ];
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NotFound => "not_found",
            Outcome::ClientError => "client_error",
            Outcome::RateLimited => "rate_limited",
            Outcome::ServerError => "server_error",
            Outcome::Timeout => "timeout",
            Outcome::Transport => "transport",
            Outcome::Decode => "decode",
        }
    }

    /// Classifies a client error.
    pub fn of(e: &aftership::Error) -> Self {
        match e {
            aftership::Error::Timeout => Outcome::Timeout,
            aftership::Error::Transport(_) => Outcome::Transport,
            aftership::Error::Decode { .. } | aftership::Error::InvalidInput(_) => Outcome::Decode,
            e if e.is_not_found() => Outcome::NotFound,
            e if e.is_rate_limited() => Outcome::RateLimited,
            e if e.is_upstream_failure() => Outcome::ServerError,
            _ => Outcome::ClientError,
        }
    }
}

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// All counters. Cheap to share (`Arc<Metrics>`).
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [[AtomicU64; 5]; 5],
    cache_fresh: AtomicU64,
    cache_stale: AtomicU64,
    cache_miss: AtomicU64,
    coalesced: AtomicU64,
    upstream: [[AtomicU64; 8]; 3],
    shed: [AtomicU64; 3],
    rate_limited: AtomicU64,
    auto_created: AtomicU64,
    background_refresh_failed: AtomicU64,
}

/// Gauges read at render time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// 1 while the breaker is open (or half-open).
    pub circuit_open: bool,
    /// Cached entries.
    pub cache_entries: u64,
    /// Cached bytes.
    pub cache_bytes: u64,
}

impl Metrics {
    /// One answered request.
    pub fn request(&self, route: Route, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        let r = Route::ALL.iter().position(|x| *x == route).unwrap_or(4);
        self.requests[r][class].fetch_add(1, Relaxed);
    }
    /// A fresh cache hit.
    pub fn cache_fresh(&self) {
        self.cache_fresh.fetch_add(1, Relaxed);
    }
    /// A view served stale.
    pub fn cache_stale(&self) {
        self.cache_stale.fetch_add(1, Relaxed);
    }
    /// A miss (upstream needed before answering).
    pub fn cache_miss(&self) {
        self.cache_miss.fetch_add(1, Relaxed);
    }
    /// A request that joined an upstream call already in flight.
    pub fn coalesced(&self) {
        self.coalesced.fetch_add(1, Relaxed);
    }
    /// One upstream attempt and how it ended.
    pub fn upstream(&self, ep: Endpoint, outcome: Outcome) {
        let o = Outcome::ALL.iter().position(|x| *x == outcome).unwrap_or(0);
        self.upstream[ep as usize][o].fetch_add(1, Relaxed);
    }
    /// An upstream call refused by the budget (queue full or deadline).
    pub fn shed(&self, ep: Endpoint) {
        self.shed[ep as usize].fetch_add(1, Relaxed);
    }
    /// A client over its per-IP limit.
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Relaxed);
    }
    /// A tracking created upstream because it was unknown.
    pub fn auto_created(&self) {
        self.auto_created.fetch_add(1, Relaxed);
    }
    /// A background refresh that failed (the stale view stayed).
    pub fn background_refresh_failed(&self) {
        self.background_refresh_failed.fetch_add(1, Relaxed);
    }

    /// Upstream attempts so far on `ep` (all outcomes).
    pub fn upstream_calls(&self, ep: Endpoint) -> u64 {
        self.upstream[ep as usize]
            .iter()
            .map(|c| c.load(Relaxed))
            .sum()
    }

    /// The Prometheus text exposition.
    pub fn render(&self, g: Gauges) -> String {
        let mut out = String::with_capacity(4096);
        let mut family = |name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            name.to_owned()
        };
        let name = family(
            "trackfront_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status class.",
        );
        let mut lines = String::new();
        for (r, route) in Route::ALL.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let v = self.requests[r][c].load(Relaxed);
                let _ = writeln!(
                    lines,
                    "{name}{{route=\"{}\",status=\"{class}\"}} {v}",
                    route.label()
                );
            }
        }
        out.push_str(&lines);
        let simple = |out: &mut String, name: &str, kind: &str, help: &str, v: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}"
            );
        };
        let _ = writeln!(
            out,
            "# HELP trackfront_cache_lookups_total Tracking lookups by cache result.\n# TYPE trackfront_cache_lookups_total counter"
        );
        for (result, c) in [
            ("hit", &self.cache_fresh),
            ("stale", &self.cache_stale),
            ("miss", &self.cache_miss),
        ] {
            let _ = writeln!(
                out,
                "trackfront_cache_lookups_total{{result=\"{result}\"}} {}",
                c.load(Relaxed)
            );
        }
        simple(
            &mut out,
            "trackfront_coalesced_waits_total",
            "counter",
            "Lookups that waited for an upstream call already in flight.",
            self.coalesced.load(Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP trackfront_upstream_calls_total Upstream attempts by endpoint and outcome.\n# TYPE trackfront_upstream_calls_total counter"
        );
        for ep in Endpoint::ALL {
            for (o, outcome) in Outcome::ALL.iter().enumerate() {
                let v = self.upstream[ep as usize][o].load(Relaxed);
                let _ = writeln!(
                    out,
                    "trackfront_upstream_calls_total{{endpoint=\"{}\",outcome=\"{}\"}} {v}",
                    ep.label(),
                    outcome.label()
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP trackfront_upstream_shed_total Upstream calls refused by the budget (queue full or past the deadline).\n# TYPE trackfront_upstream_shed_total counter"
        );
        for ep in Endpoint::ALL {
            let _ = writeln!(
                out,
                "trackfront_upstream_shed_total{{endpoint=\"{}\"}} {}",
                ep.label(),
                self.shed[ep as usize].load(Relaxed)
            );
        }
        simple(
            &mut out,
            "trackfront_circuit_open",
            "gauge",
            "1 while the upstream circuit breaker is open or probing.",
            u64::from(g.circuit_open),
        );
        simple(
            &mut out,
            "trackfront_rate_limited_requests_total",
            "counter",
            "Requests refused by the per-client limit.",
            self.rate_limited.load(Relaxed),
        );
        simple(
            &mut out,
            "trackfront_auto_created_total",
            "counter",
            "Trackings created upstream because they were unknown.",
            self.auto_created.load(Relaxed),
        );
        simple(
            &mut out,
            "trackfront_background_refresh_failures_total",
            "counter",
            "Background refreshes that failed (the stale view was kept).",
            self.background_refresh_failed.load(Relaxed),
        );
        simple(
            &mut out,
            "trackfront_cache_entries",
            "gauge",
            "Tracking lookups held in the cache.",
            g.cache_entries,
        );
        simple(
            &mut out,
            "trackfront_cache_bytes",
            "gauge",
            "Approximate bytes held in the cache.",
            g.cache_bytes,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_help_and_type() {
        let m = Metrics::default();
        m.request(Route::Tracking, 200);
        m.upstream(Endpoint::List, Outcome::RateLimited);
        m.coalesced();
        let text = m.render(Gauges {
            circuit_open: true,
            ..Default::default()
        });
        assert!(
            text.contains("trackfront_http_requests_total{route=\"tracking\",status=\"2xx\"} 1")
        );
        assert!(text.contains("trackfront_upstream_calls_total{endpoint=\"list_trackings\",outcome=\"rate_limited\"} 1"));
        assert!(text.contains("trackfront_coalesced_waits_total 1"));
        assert!(text.contains("trackfront_circuit_open 1"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(
                text.contains(&format!("# TYPE {name} ")),
                "{name} has no TYPE"
            );
        }
    }
}
