//! `cargo xtask bench [proxy]`: loopback benchmark of trackfront-proxy against Debian's nginx
//! (a key-injecting `proxy_pass` with `proxy_cache` + `proxy_cache_lock`), both in front of
//! the same `aftership-sandbox`, driven by the same `wrk` load in the same run. Writes
//! `bench/results/proxy.md`.
//!
//! Both servers run side by side; each workload runs against the proxy and at once after
//! against nginx (so the shared machine's changing load skews a pair as little as possible):
//! - **hot-cache lookup**: one number, cached before the run;
//! - **cold-miss storm**: 64 connections start at once on one number neither server has
//!   cached, with 250 ms of upstream latency injected by the sandbox, so the whole first wave
//!   piles up on one miss (coalescing / `proxy_cache_lock`);
//! - **mixed**: 80 % of lookups over the 9 demo numbers, 20 % over 1,000 trackings created in
//!   the sandbox before the run (cold for both servers).
//!
//! Per row: req/s, p50/p99/max latency (wrk), non-2xx answers, upstream calls (the proxy's
//! `/metrics` counters; nginx's access log, written only for requests that reached the
//! upstream) and peak RSS (`VmHWM`, reset through `/proc/PID/clear_refs` before each run;
//! for nginx the sum over master and workers).
//!
//! Then a fresh proxy fills its cache with 100,000 distinct trackings, which the sandbox
//! seeded at start (`--bulk-trackings`), through its own API (each lookup is one list call
//! upstream), until done or `BENCH_FILL_SECONDS` (default 180), and its RSS is read.
//!
//! Everything listens on 127.0.0.1 ports picked free at start; every child is stopped when
//! the bench ends, also on error. `BENCH_SECONDS` (default 10) bounds each wrk run.

use crate::demo::{self, PROXY_BIN};
use crate::util::{self, Ctx};
use crate::{http, setup};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SANDBOX_BIN: &str = "aftership-sandbox";
const BENCH_KEY: &str = "bench-key-not-secret";
const HOT_NUMBER: &str = "ECMS0002TRANSIT";
const STORM_NUMBER: &str = "ECMS0005DELIVERED";
const STORM_LATENCY_MS: u64 = 250;
const DEMO_NUMBERS: [&str; 9] = [
    "ECMS0000PENDING",
    "ECMS0001INFO",
    "ECMS0002TRANSIT",
    "ECMS0003OUT",
    "ECMS0004FAIL",
    "ECMS0005DELIVERED",
    "ECMS0006PICKUP",
    "ECMS0007EXCEPTION",
    "ECMS0008EXPIRED",
];
/// Trackings created in the sandbox before the runs, for the mixed workload.
const POOL: usize = 1000;
/// Distinct trackings the cache-size measurement aims for.
const FILL_TARGET: u64 = 100_000;
const FILL_THREADS: u64 = 6;
/// Relaxed budgets/limits for the throughput runs: they measure proxying and caching, not
/// the upstream budget (nginx has none).
const RELAXED: &str = "1000000";
const WRK_THREADS: u32 = 2;
const WRK_CONNS: u32 = 64;
/// Alternating rounds of the hot-cache workload (see `proxy`).
const HOT_ROUNDS: usize = 5;

pub fn run(ctx: &Ctx, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None | Some("proxy") => proxy(ctx),
        Some(other) => bail!("unknown bench `{other}` (available: proxy)"),
    }
}

/// Stops its child when dropped (SIGTERM, then SIGKILL after 5 s), so no server outlives
/// the bench. nginx needs the SIGTERM: killing its master outright leaves the workers.
struct Guard(String, Child);

impl Guard {
    fn pid(&self) -> u32 {
        self.1.id()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let pid = self.1.id();
        let helpers = children_of(pid);
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.1.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.1.kill();
        let _ = self.1.wait();
        // Anything it had started and left behind (nginx workers), by pid.
        for p in helpers {
            if Path::new(&format!("/proc/{p}")).exists() {
                let _ = Command::new("kill")
                    .args(["-KILL", &p.to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        println!("bench: stopped {}", self.0);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    Hot,
    Storm,
    Mixed,
}

impl Workload {
    const ALL: [Workload; 3] = [Workload::Hot, Workload::Storm, Workload::Mixed];
    fn label(self) -> &'static str {
        match self {
            Workload::Hot => "hot-cache lookup",
            Workload::Storm => "cold-miss storm (1 number)",
            Workload::Mixed => "mixed (80 % 9 hot, 20 % 1,000 cold)",
        }
    }
}

struct Row {
    server: &'static str,
    workload: Workload,
    rps: f64,
    p50: String,
    p99: String,
    max: String,
    /// Responses that were not 2xx/3xx (e.g. a rate limit or shedding).
    non_2xx: u64,
    /// Socket errors reported by wrk (connect/read/write/timeout).
    errors: String,
    upstream_calls: u64,
    /// Peak RSS during the run, KiB.
    peak_rss_kib: u64,
}

struct Fill {
    target: u64,
    ok: u64,
    failed: u64,
    took: Duration,
    timed_out: bool,
    cache_entries: u64,
    cache_bytes: u64,
    upstream_calls: u64,
    rss_before_kib: u64,
    rss_kib: u64,
    hwm_kib: u64,
}

struct Env {
    started: String,
    commit: String,
    load_before: String,
    load_after: String,
    nginx_version: String,
    wrk_version: String,
    body_bytes: Vec<(&'static str, usize)>,
    secs: u64,
    fill_secs: u64,
}

fn proxy(ctx: &Ctx) -> Result<()> {
    setup::run(ctx, setup::Needs { bench: true })?;
    let sandbox_bin = demo::build_server_bin(ctx, SANDBOX_BIN, demo::Profile::Server)?;
    let proxy_bin = demo::build_proxy(ctx)?;
    let secs = env_u64("BENCH_SECONDS", 10);
    let fill_secs = env_u64("BENCH_FILL_SECONDS", 180);
    let tmp = ctx.root.join("bench/tmp");
    // A cache left by an earlier run would make nginx's "cold" runs warm.
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let dist = tmp.join("empty-dist");
    fs::create_dir_all(&dist)?;

    let mut env = Env {
        started: util::output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
            .unwrap_or_default(),
        commit: util::output(ctx.cmd("git").args(["rev-parse", "--short", "HEAD"]))
            .unwrap_or_default(),
        load_before: loadavg(),
        load_after: String::new(),
        nginx_version: ctx
            .cmd("nginx")
            .arg("-v")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
            .unwrap_or_default(),
        wrk_version: ctx
            .cmd("wrk")
            .arg("-v")
            .output()
            .map(|o| {
                let text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.lines().next().unwrap_or("").trim().to_string()
            })
            .unwrap_or_default(),
        body_bytes: Vec::new(),
        secs,
        fill_secs,
    };
    println!("bench: load average before: {}", env.load_before);

    let sandbox_addr = free_addr()?;
    let _sandbox = spawn(
        SANDBOX_BIN,
        Command::new(&sandbox_bin)
            .args(["--addr", &sandbox_addr, "--api-key", BENCH_KEY])
            .args(["--rate-limit", RELAXED])
            .args(["--bulk-trackings", &FILL_TARGET.to_string()])
            .env("RUST_LOG", "warn"),
    )?;
    wait_port(&sandbox_addr, Duration::from_secs(30)).context("sandbox did not start")?;
    let upstream = format!("http://{sandbox_addr}");
    seed_pool(&sandbox_addr)?;
    let script = mixed_script(&tmp)?;

    let hot_path = lookup_path(HOT_NUMBER);

    // Both servers run side by side, and each workload runs against one and then at once
    // against the other, so a change in the machine's load (it is shared) skews a pair as
    // little as possible.
    let proxy_addr = free_addr()?;
    let mut proxy = spawn_proxy(&proxy_bin, &proxy_addr, &upstream, &dist, false, 32)?;
    if !http::wait_ok(&proxy_addr, "/healthz", Duration::from_secs(30), || {
        matches!(proxy.1.try_wait(), Ok(None))
    }) {
        bail!("{PROXY_BIN} did not answer /healthz on {proxy_addr}");
    }
    let (status, body) = fetch(&proxy_addr, "GET", &hot_path, None)?; // warm the cache
    if status != 200 {
        bail!("{PROXY_BIN} answered {status} to {hot_path}");
    }
    env.body_bytes.push(("trackfront-proxy", body.len()));
    let proxy_pids = vec![proxy.pid()];
    let proxy_calls = || proxy_upstream_calls(&proxy_addr);

    let nginx_addr = free_addr()?;
    let conf = nginx_conf(&tmp, &nginx_addr, &sandbox_addr)?;
    let upstream_log = tmp.join("nginx-upstream.log");
    let nginx = spawn(
        "nginx",
        ctx.cmd("nginx")
            .arg("-p")
            .arg(&tmp)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"]),
    )?;
    wait_port(&nginx_addr, Duration::from_secs(15)).context("nginx did not start")?;
    let (status, body) = fetch(&nginx_addr, "GET", &hot_path, None)?;
    if status != 200 {
        bail!("nginx answered {status} to {hot_path}");
    }
    env.body_bytes.push(("nginx", body.len()));
    let mut nginx_pids = vec![nginx.pid()];
    nginx_pids.extend(children_of(nginx.pid()));
    let nginx_calls = || -> Result<u64> {
        Ok(fs::read_to_string(&upstream_log)
            .unwrap_or_default()
            .lines()
            .count() as u64)
    };

    let servers = [
        Server {
            name: "trackfront-proxy",
            addr: &proxy_addr,
            pids: &proxy_pids,
            upstream_calls: &proxy_calls,
        },
        Server {
            name: "nginx",
            addr: &nginx_addr,
            pids: &nginx_pids,
            upstream_calls: &nginx_calls,
        },
    ];
    let mut rows = Vec::new();
    let mut hot_rounds = Vec::new();
    for w in Workload::ALL {
        // Only the hot-cache workload can be repeated as it is (the others start from a
        // cold cache), and it carries the issue's target, so it runs HOT_ROUNDS times,
        // alternating servers, and the table shows each server's median round.
        let rounds = if w == Workload::Hot { HOT_ROUNDS } else { 1 };
        let mut runs: Vec<Vec<Row>> = servers.iter().map(|_| Vec::new()).collect();
        for _ in 0..rounds {
            for (server, runs) in servers.iter().zip(&mut runs) {
                runs.push(workload(
                    ctx,
                    server.name,
                    w,
                    server.addr,
                    &sandbox_addr,
                    &script,
                    secs,
                    server.pids,
                    server.upstream_calls,
                )?);
            }
        }
        if w == Workload::Hot {
            hot_rounds = (0..rounds)
                .map(|i| (runs[0][i].rps, runs[1][i].rps))
                .collect();
        }
        rows.extend(runs.into_iter().map(median_by_rps));
    }
    drop(proxy);
    drop(nginx);

    // The proxy's memory with many distinct cached trackings.
    let fill = {
        let addr = free_addr()?;
        let mut child = spawn_proxy(&proxy_bin, &addr, &upstream, &dist, false, 1024)?;
        if !http::wait_ok(&addr, "/healthz", Duration::from_secs(30), || {
            matches!(child.1.try_wait(), Ok(None))
        }) {
            bail!("{PROXY_BIN} did not answer /healthz on {addr}");
        }
        fill_cache(&addr, child.pid(), fill_secs)?
    };

    env.load_after = loadavg();
    println!("bench: load average after: {}", env.load_after);
    let md = render(&rows, &hot_rounds, &fill, &env);
    let out = ctx.root.join("bench/results/proxy.md");
    fs::create_dir_all(out.parent().unwrap())?;
    fs::write(&out, &md)?;
    println!("\n{md}\nbench: wrote {}", out.display());
    Ok(())
}

/// One server under test, as the workloads see it.
struct Server<'a> {
    name: &'static str,
    addr: &'a str,
    pids: &'a [u32],
    /// Upstream calls made so far (for the difference over a run).
    upstream_calls: &'a dyn Fn() -> Result<u64>,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn lookup_path(number: &str) -> String {
    format!("/api/v1/trackings/ecms/{number}")
}

fn pool_number(i: usize) -> String {
    format!("ECMSB{i:06}")
}

/// The sandbox's bulk-seeded numbers (`aftership_sandbox::bulk_tracking_number`; xtask does
/// not depend on the sandbox crate).
fn fill_number(i: u64) -> String {
    format!("ECMSBULK{i:08}")
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn spawn_proxy(
    bin: &Path,
    addr: &str,
    upstream: &str,
    dist: &Path,
    auto_create: bool,
    cache_mb: u64,
) -> Result<Guard> {
    spawn(
        PROXY_BIN,
        Command::new(bin)
            .env("TRACKFRONT_ADDR", addr)
            .env("TRACKFRONT_DIST", dist)
            .env("AFTERSHIP_API_KEY", BENCH_KEY)
            .env("AFTERSHIP_BASE_URL", upstream)
            .env("TRACKFRONT_AUTO_CREATE", auto_create.to_string())
            .env("TRACKFRONT_CLIENT_RATE", "0")
            .env("TRACKFRONT_BUDGET_LIST", RELAXED)
            .env("TRACKFRONT_BUDGET_GET", RELAXED)
            .env("TRACKFRONT_BUDGET_CREATE", RELAXED)
            .env("TRACKFRONT_CACHE_MB", cache_mb.to_string())
            .env("RUST_LOG", "warn"),
    )
}

/// One workload against one server: prepare, reset the peak RSS, wrk, read the counters.
#[allow(clippy::too_many_arguments)]
fn workload(
    ctx: &Ctx,
    server: &'static str,
    w: Workload,
    addr: &str,
    sandbox: &str,
    script: &Path,
    secs: u64,
    pids: &[u32],
    upstream_calls: &dyn Fn() -> Result<u64>,
) -> Result<Row> {
    if w == Workload::Storm {
        set_latency(sandbox, STORM_LATENCY_MS)?;
    }
    for pid in pids {
        // "5" resets the peak RSS (VmHWM) to the current RSS.
        let _ = fs::write(format!("/proc/{pid}/clear_refs"), "5");
    }
    let before = upstream_calls()?;
    let result = match w {
        Workload::Hot => wrk(ctx, addr, &lookup_path(HOT_NUMBER), None, secs),
        Workload::Storm => wrk(ctx, addr, &lookup_path(STORM_NUMBER), None, secs),
        Workload::Mixed => wrk(ctx, addr, "/", Some(script), secs),
    };
    if w == Workload::Storm {
        set_latency(sandbox, 0)?;
    }
    let out = result?;
    let after = upstream_calls()?;
    let peak_rss_kib = pids.iter().map(|p| status_kib(*p, "VmHWM:")).sum();
    let row = Row {
        server,
        workload: w,
        rps: out.rps,
        p50: out.p50,
        p99: out.p99,
        max: out.max,
        non_2xx: out.non_2xx,
        errors: out.errors,
        upstream_calls: after.saturating_sub(before),
        peak_rss_kib,
    };
    println!(
        "bench: {server} / {}: {:.0} req/s, p50 {}, p99 {}, upstream calls {}, peak RSS {} KiB",
        w.label(),
        row.rps,
        row.p50,
        row.p99,
        row.upstream_calls,
        row.peak_rss_kib
    );
    Ok(row)
}

fn spawn(name: &str, cmd: &mut Command) -> Result<Guard> {
    let child = cmd
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    Ok(Guard(name.to_string(), child))
}

fn free_addr() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}

fn wait_port(addr: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listening on {addr} after {timeout:?}")
}

/// The pids whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            fs::read_to_string(format!("/proc/{p}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("PPid:"))
                        .and_then(|v| v.trim().parse::<u32>().ok())
                })
                == Some(pid)
        })
        .collect()
}

/// A `kB` field of `/proc/PID/status` (`VmRSS:`, `VmHWM:`); 0 if unreadable.
fn status_kib(pid: u32, field: &str) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A keep-alive HTTP/1.1 connection: just enough for the sandbox admin calls, `/metrics`
/// and the cache fill (Content-Length or chunked bodies).
struct Conn {
    addr: String,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> Result<Self> {
        let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            addr: addr.to_string(),
            reader: BufReader::new(stream),
        })
    }

    fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> Result<(u16, Vec<u8>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\n",
            self.addr
        );
        if let Some(b) = body {
            let _ = write!(
                head,
                "Content-Type: application/json\r\nas-api-key: {BENCH_KEY}\r\nContent-Length: {}\r\n",
                b.len()
            );
        }
        head.push_str("\r\n");
        head.push_str(body.unwrap_or(""));
        self.reader.get_mut().write_all(head.as_bytes())?;

        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line `{}` from {}", line.trim(), self.addr))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "content-length" {
                    length = v.parse::<usize>().ok();
                } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .context("bad chunk size")?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                out.extend_from_slice(&chunk[..size]);
            }
        } else {
            out.resize(length.unwrap_or(0), 0);
            self.reader.read_exact(&mut out)?;
        }
        Ok((status, out))
    }
}

fn fetch(addr: &str, method: &str, path: &str, body: Option<&str>) -> Result<(u16, Vec<u8>)> {
    Conn::open(addr)?.request(method, path, body)
}

/// Creates the mixed workload's trackings directly in the sandbox.
fn seed_pool(sandbox: &str) -> Result<()> {
    let mut conn = Conn::open(sandbox)?;
    for i in 1..=POOL {
        let body = format!(
            r#"{{"slug":"ecms","tracking_number":"{}"}}"#,
            pool_number(i)
        );
        let (status, text) = conn.request("POST", "/tracking/2026-07/trackings", Some(&body))?;
        if status != 201 {
            bail!(
                "sandbox answered {status} to a create: {}",
                String::from_utf8_lossy(&text)
            );
        }
    }
    println!("bench: created {POOL} trackings in the sandbox for the mixed workload");
    Ok(())
}

fn set_latency(sandbox: &str, ms: u64) -> Result<()> {
    let body = format!(r#"{{"latency_ms":{ms}}}"#);
    let (status, _) = fetch(sandbox, "PUT", "/sandbox/faults", Some(&body))?;
    if status != 200 {
        bail!("sandbox answered {status} to PUT /sandbox/faults");
    }
    Ok(())
}

/// All upstream attempts so far, from the proxy's `/metrics`.
fn proxy_upstream_calls(addr: &str) -> Result<u64> {
    metric_sum(addr, "trackfront_upstream_calls_total")
}

/// Sum of the samples of one metric family.
fn metric_sum(addr: &str, name: &str) -> Result<u64> {
    let (status, body) = fetch(addr, "GET", "/metrics", None)?;
    if status != 200 {
        bail!("GET /metrics answered {status}");
    }
    let text = String::from_utf8_lossy(&body);
    Ok(text
        .lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum())
}

/// The mixed workload as a wrk script: 80 % over the demo numbers, 20 % over the pool.
fn mixed_script(tmp: &Path) -> Result<PathBuf> {
    let hot = DEMO_NUMBERS
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        r#"-- generated by xtask/src/bench.rs
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(7919 * id)
end
local hot = {{ {hot} }}
request = function()
  local n
  if math.random() < 0.8 then
    n = hot[math.random(#hot)]
  else
    n = string.format("ECMSB%06d", math.random({POOL}))
  end
  return wrk.format("GET", "/api/v1/trackings/ecms/" .. n)
end
"#
    );
    let path = tmp.join("mixed.lua");
    fs::write(&path, text)?;
    Ok(path)
}

/// nginx as the "put nginx in front of the API" baseline: it maps the proxy's public path to
/// the AfterShip list call, injects the key and caches with a lock against stampedes. Only
/// requests that reached the upstream are logged (`if=$upstream_addr`): the upstream count.
fn nginx_conf(tmp: &Path, addr: &str, upstream: &str) -> Result<PathBuf> {
    let cache = tmp.join("nginx-cache");
    fs::create_dir_all(&cache)?;
    let conf = tmp.join("nginx.conf");
    let text = format!(
        r#"worker_processes 2;
user root;
pid {pid};
error_log {err} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  log_format upstream '$upstream_cache_status $upstream_addr $upstream_status';
  proxy_temp_path {tmp}/proxy_temp;
  client_body_temp_path {tmp}/client_temp;
  proxy_cache_path {cache} levels=1:2 keys_zone=tf:10m max_size=100m inactive=10m use_temp_path=off;
  upstream sandbox {{ server {upstream}; keepalive 32; }}
  server {{
    listen {addr};
    location ~ ^/api/v1/trackings/([a-z0-9-]+)/([A-Za-z0-9-]+)$ {{
      access_log {log} upstream if=$upstream_addr;
      proxy_pass http://sandbox/tracking/2026-07/trackings?slug=$1&tracking_numbers=$2;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header as-api-key {BENCH_KEY};
      proxy_cache tf;
      proxy_cache_key $uri;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 5s;
      proxy_cache_valid 200 60s;
      proxy_cache_use_stale error timeout updating;
    }}
    location / {{ return 404; }}
  }}
}}
"#,
        pid = tmp.join("nginx.pid").display(),
        err = tmp.join("nginx-error.log").display(),
        log = tmp.join("nginx-upstream.log").display(),
        tmp = tmp.display(),
        cache = cache.display(),
    );
    fs::write(&conf, text)?;
    Ok(conf)
}

struct WrkOut {
    rps: f64,
    p50: String,
    p99: String,
    max: String,
    non_2xx: u64,
    errors: String,
}

/// `wrk -t2 -c64 -d{secs}s --latency [-s script]`; parses req/s, the 50%/99% latency lines,
/// the max latency, non-2xx answers and socket errors.
fn wrk(ctx: &Ctx, addr: &str, path: &str, script: Option<&Path>, secs: u64) -> Result<WrkOut> {
    let url = format!("http://{addr}{path}");
    let mut cmd = ctx.cmd("wrk");
    cmd.args([
        &format!("-t{WRK_THREADS}"),
        &format!("-c{WRK_CONNS}"),
        &format!("-d{secs}s"),
        "--timeout",
        "5s",
        "--latency",
    ]);
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    cmd.arg(&url);
    println!("$ {}", util::show(&cmd));
    let out = cmd.output().context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_string())
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .context("wrk printed no Requests/sec")?;
    let non_2xx = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // "Latency   1.23ms    0.45ms  12.34ms   90.00%": avg, stdev, max.
    let max = field("Latency")
        .and_then(|v| v.split_whitespace().nth(2).map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let errors = field("Socket errors:").unwrap_or_else(|| "0".into());
    Ok(WrkOut {
        rps,
        p50: field("50%").unwrap_or_else(|| "?".into()),
        p99: field("99%").unwrap_or_else(|| "?".into()),
        max,
        non_2xx,
        errors,
    })
}

/// Looks up distinct bulk-seeded numbers through a proxy (each is one list call upstream)
/// from `FILL_THREADS` keep-alive connections, until `FILL_TARGET` or
/// `fill_secs`; then reads the cache gauges and the proxy's RSS.
fn fill_cache(addr: &str, pid: u32, fill_secs: u64) -> Result<Fill> {
    fetch(addr, "GET", &lookup_path(HOT_NUMBER), None)?;
    let rss_before_kib = status_kib(pid, "VmRSS:");
    let _ = fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let next = Arc::new(AtomicU64::new(1));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(fill_secs);
    println!(
        "bench: filling the proxy's cache with up to {FILL_TARGET} distinct trackings (at most {fill_secs} s)"
    );
    let workers: Vec<_> = (0..FILL_THREADS)
        .map(|_| {
            let (addr, next, ok, failed, stop) = (
                addr.to_string(),
                next.clone(),
                ok.clone(),
                failed.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || -> Result<()> {
                let mut conn = Conn::open(&addr)?;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i > FILL_TARGET {
                        break;
                    }
                    let answer = conn.request("GET", &lookup_path(&fill_number(i)), None);
                    match answer {
                        Ok((200, _)) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                            conn = Conn::open(&addr)?;
                        }
                    }
                }
                Ok(())
            })
        })
        .collect();
    let mut last = Instant::now();
    while workers.iter().any(|w| !w.is_finished()) {
        std::thread::sleep(Duration::from_millis(200));
        if last.elapsed() >= Duration::from_secs(15) {
            last = Instant::now();
            println!(
                "bench: fill: {} ok, {} failed after {}",
                ok.load(Ordering::Relaxed),
                failed.load(Ordering::Relaxed),
                util::secs(start.elapsed())
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("a fill thread panicked"))??;
    }
    let took = start.elapsed();
    let ok = ok.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    let timed_out = ok + failed < FILL_TARGET;
    // The cache's entry count is updated lazily: give it a moment, then read.
    std::thread::sleep(Duration::from_secs(2));
    let fill = Fill {
        target: FILL_TARGET,
        ok,
        failed,
        took,
        timed_out,
        cache_entries: metric_sum(addr, "trackfront_cache_entries")?,
        cache_bytes: metric_sum(addr, "trackfront_cache_bytes")?,
        upstream_calls: proxy_upstream_calls(addr)?,
        rss_before_kib,
        rss_kib: status_kib(pid, "VmRSS:"),
        hwm_kib: status_kib(pid, "VmHWM:"),
    };
    println!(
        "bench: fill: {} ok, {} failed in {}; cache {} entries / {} bytes; RSS {} KiB (peak {} KiB)",
        fill.ok,
        fill.failed,
        util::secs(took),
        fill.cache_entries,
        fill.cache_bytes,
        fill.rss_kib,
        fill.hwm_kib
    );
    Ok(fill)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// wrk's latency text ("812.00us", "1.23ms", "2.01s") in microseconds.
fn micros(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, scale) = if let Some(v) = s.strip_suffix("us") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1_000.0)
    } else if let Some(v) = s.strip_suffix('m') {
        (v, 60_000_000.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1_000_000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|n| n * scale)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}x", a / b)
    } else {
        "-".into()
    }
}

/// The run with the median throughput (the upper one of an even count).
fn median_by_rps(mut runs: Vec<Row>) -> Row {
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let mid = runs.len() / 2;
    runs.swap_remove(mid)
}

fn render(rows: &[Row], hot_rounds: &[(f64, f64)], fill: &Fill, env: &Env) -> String {
    let mut md = String::new();
    let secs = env.secs;
    let _ = writeln!(md, "# Proxy benchmark: trackfront-proxy vs nginx\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask bench proxy` ({}, commit `{}`). Loopback only, 2-core machine shared with wrk and the sandbox; **load average (1/5/15 min) {} before the run, {} after** (other jobs were running on the machine, so treat absolute numbers as indicative; both servers ran side by side in the same run, each workload ran against the proxy and then at once against nginx, and the hot-cache workload did so in {HOT_ROUNDS} alternating rounds).\n",
        env.started, env.commit, env.load_before, env.load_after
    );
    let _ = writeln!(
        md,
        "Load: `wrk -t{WRK_THREADS} -c{WRK_CONNS} -d{secs}s --timeout 5s --latency` ({}), the same for both servers. Servers: trackfront-proxy (`--profile server`) and {} (`worker_processes 2`), both in front of the same `aftership-sandbox` (`--rate-limit {RELAXED}`).\n",
        env.wrk_version, env.nginx_version
    );
    let _ = writeln!(
        md,
        "| workload | server | req/s | p50 | p99 | max | non-2xx | socket errors | upstream calls | peak RSS | req/s vs nginx | p99 vs nginx | peak RSS vs nginx |"
    );
    let _ = writeln!(
        md,
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
    );
    for w in Workload::ALL {
        let base = rows.iter().find(|r| r.server == "nginx" && r.workload == w);
        for row in rows.iter().filter(|r| r.workload == w) {
            let (rps_x, p99_x, rss_x) = match base {
                Some(b) => (
                    ratio(row.rps, b.rps),
                    match (micros(&row.p99), micros(&b.p99)) {
                        (Some(a), Some(b)) => ratio(a, b),
                        _ => "-".into(),
                    },
                    ratio(row.peak_rss_kib as f64, b.peak_rss_kib as f64),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {rps_x} | {p99_x} | {rss_x} |",
                w.label(),
                row.server,
                row.rps,
                row.p50,
                row.p99,
                row.max,
                row.non_2xx,
                row.errors,
                row.upstream_calls,
                mib(row.peak_rss_kib),
            );
        }
    }

    if hot_rounds.len() > 1 {
        let ratios: Vec<String> = hot_rounds
            .iter()
            .map(|(p, n)| format!("{p:.0} / {n:.0} = {:.2}×", p / n))
            .collect();
        let _ = writeln!(
            md,
            "\nHot-cache rounds (trackfront-proxy / nginx req/s, in run order; the table shows each server's median round): {}.",
            ratios.join("; ")
        );
    }

    let find = |server: &str| {
        rows.iter()
            .find(|r| r.server == server && r.workload == Workload::Hot)
    };
    if let (Some(p), Some(n)) = (find("trackfront-proxy"), find("nginx")) {
        let x = p.rps / n.rps;
        let p99_ok = matches!((micros(&p.p99), micros(&n.p99)), (Some(a), Some(b)) if a <= b);
        let _ = writeln!(
            md,
            "\nTargets (issue #4), hot-cache row: throughput ≥ 1.3× nginx — **{:.2}× ({})**; p99 no worse than nginx — **{} vs {} ({})**.",
            x,
            if x >= 1.3 { "met" } else { "NOT met" },
            p.p99,
            n.p99,
            if p99_ok { "met" } else { "NOT met" }
        );
    }

    let _ = writeln!(md, "\n## How each column is measured\n");
    let _ = writeln!(
        md,
        "- **Workloads.** *hot-cache lookup*: `GET /api/v1/trackings/ecms/{HOT_NUMBER}`, cached before the run. *cold-miss storm*: `GET /api/v1/trackings/ecms/{STORM_NUMBER}`, not cached by either server when wrk opens its {WRK_CONNS} connections; the sandbox adds {STORM_LATENCY_MS} ms to every API answer during this run so the whole first wave waits on one miss; after that miss the rest of the run is hits, so this row's req/s is mostly hit throughput and its *upstream calls* and *max* columns are the storm's result. *mixed*: a wrk Lua script, 80 % of lookups over the 9 demo numbers, 20 % over {POOL} trackings created directly in the sandbox (`POST /tracking/2026-07/trackings`) before either server started, so every server starts the mixed run with them cold."
    );
    let _ = writeln!(
        md,
        "- **Config.** trackfront-proxy: `TRACKFRONT_CLIENT_RATE=0` (no per-IP limit: all load comes from 127.0.0.1), `TRACKFRONT_BUDGET_LIST/GET/CREATE={RELAXED}` (the upstream budget is a feature nginx lacks; relaxed here so both measure proxying and caching), `TRACKFRONT_AUTO_CREATE=false` (nginx cannot create), `TRACKFRONT_CACHE_MB=32`, `RUST_LOG=warn`. nginx: `proxy_pass` to the 2026-07 list call (`/tracking/2026-07/trackings?slug=…&tracking_numbers=…`) with the key injected in `as-api-key`, upstream keepalive 32, `proxy_cache` (60 s for 200), `proxy_cache_lock on`, `proxy_cache_use_stale error timeout updating`; config written to `bench/tmp/nginx.conf` (cache dir emptied at the start of every run)."
    );
    let bodies = env
        .body_bytes
        .iter()
        .map(|(s, n)| format!("{s} {n} B"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        md,
        "- **Not the same answer.** The proxy answers a browser-safe view; nginx passes AfterShip's list envelope through unchanged (with whatever personal data the tracking holds). Body of the hot lookup: {bodies}."
    );
    let _ = writeln!(
        md,
        "- **Upstream calls.** trackfront-proxy: the change of the sum of `trackfront_upstream_calls_total` (all endpoints and outcomes) in `GET /metrics` over the run. nginx: lines written during the run to an access log that logs only requests with a non-empty `$upstream_addr` (cache hits and `proxy_cache_lock` waiters have none)."
    );
    let _ = writeln!(
        md,
        "- **Peak RSS.** `VmHWM` from `/proc/PID/status`, reset to the current RSS through `/proc/PID/clear_refs` (`5`) before each run, read after it. nginx: the sum over the master, both workers and the cache manager/loader (shared pages, e.g. the cache zone, are counted once per process that touched them)."
    );
    let _ = writeln!(
        md,
        "- **Latency** columns are wrk's (`--latency` percentiles, max); ratios are proxy ÷ nginx (for req/s higher is better, for p99 and RSS lower is better). wrk, the server and the sandbox share the 2 cores."
    );

    let _ = writeln!(
        md,
        "\n## trackfront-proxy's memory with many cached trackings\n"
    );
    let reached = if fill.timed_out {
        format!(
            "**Measured at {} cached trackings, not at {}**: the fill stopped at its {} s time bound. The figure below is for that count and is not extrapolated.",
            fill.cache_entries, fill.target, env.fill_secs
        )
    } else {
        format!("Measured at {} cached trackings.", fill.cache_entries)
    };
    let _ = writeln!(
        md,
        "Method: the sandbox seeded {} Pending `ecms` trackings at start (`--bulk-trackings`, `ECMSBULK00000001`…, created through the same code as `POST /trackings`). A fresh proxy (`TRACKFRONT_CACHE_MB=1024` so nothing is evicted, relaxed budgets) was sent `GET /api/v1/trackings/ecms/ECMSBULK…` for each of them from {FILL_THREADS} keep-alive connections; each lookup costs the proxy one list call upstream, so the cache holds real views built by the proxy's own path. {reached}\n",
        fill.target
    );
    let _ = writeln!(md, "| measure | value |");
    let _ = writeln!(md, "|---|---:|");
    let _ = writeln!(md, "| lookups answered 200 | {} |", fill.ok);
    let _ = writeln!(md, "| lookups failed | {} |", fill.failed);
    let _ = writeln!(
        md,
        "| fill time | {} ({:.0} lookups/s) |",
        util::secs(fill.took),
        fill.ok as f64 / fill.took.as_secs_f64().max(0.001)
    );
    let _ = writeln!(
        md,
        "| upstream calls (whole life) | {} |",
        fill.upstream_calls
    );
    let _ = writeln!(
        md,
        "| cache entries (`trackfront_cache_entries`) | {} |",
        fill.cache_entries
    );
    let _ = writeln!(
        md,
        "| cache bytes (`trackfront_cache_bytes`) | {} ({}) |",
        fill.cache_bytes,
        mib(fill.cache_bytes / 1024)
    );
    let _ = writeln!(
        md,
        "| RSS before the fill (`VmRSS`) | {} |",
        mib(fill.rss_before_kib)
    );
    let verdict = if fill.timed_out {
        "target is for 100,000: not shown"
    } else if fill.rss_kib <= 64 * 1024 {
        "target ≤ 64 MB: met"
    } else {
        "target ≤ 64 MB: NOT met"
    };
    let _ = writeln!(
        md,
        "| **RSS after the fill (`VmRSS`)** | **{}** ({verdict}) |",
        mib(fill.rss_kib)
    );
    let _ = writeln!(
        md,
        "| peak RSS during the fill (`VmHWM`) | {} |",
        mib(fill.hwm_kib)
    );
    let _ = writeln!(
        md,
        "| RSS growth per cached tracking, at this count | {:.0} B |",
        fill.rss_kib.saturating_sub(fill.rss_before_kib) as f64 * 1024.0
            / fill.cache_entries.max(1) as f64
    );
    md
}
