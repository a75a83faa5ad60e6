//! `cargo xtask bench [proxy]`: loopback benchmark of trackfront-proxy against Debian's nginx
//! (a key-injecting `proxy_pass` with `proxy_cache` + `proxy_cache_lock`), both in front of
//! the same `aftership-sandbox`, driven by `wrk` with a bounded duration. Writes
//! `bench/results/proxy.md`.
//!
//! SKELETON — to be completed by the proxy issue (#4): it runs the hot-cache workload only
//! and reports req/s and p50/p99 latency. Still to add there: the cold-miss storm and mixed
//! workloads, upstream call counts (from the sandbox or `/metrics`), peak RSS, the RSS with
//! 100,000 cached trackings, and checking nginx's cache config against the real API shape.
//!
//! Everything listens on 127.0.0.1 ports picked free at start; every child is killed when
//! the bench ends, also on error. `BENCH_SECONDS` (default 10) bounds each wrk run.

use crate::demo::{self, PROXY_BIN};
use crate::util::Ctx;
use crate::{http, setup};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SANDBOX_BIN: &str = "aftership-sandbox";
const BENCH_KEY: &str = "bench-key-not-secret";
const HOT_NUMBER: &str = "ECMS0002TRANSIT";

pub fn run(ctx: &Ctx, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None | Some("proxy") => proxy(ctx),
        Some(other) => bail!("unknown bench `{other}` (available: proxy)"),
    }
}

/// Kills its child when dropped, so no server outlives the bench.
struct Guard(String, Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.1.kill();
        let _ = self.1.wait();
        println!("bench: stopped {}", self.0);
    }
}

struct Row {
    server: &'static str,
    workload: &'static str,
    rps: f64,
    p50: String,
    p99: String,
    /// Responses that were not 2xx/3xx (e.g. the proxy's per-IP rate limit): such a row
    /// does not measure the cache.
    non_2xx: u64,
}

fn proxy(ctx: &Ctx) -> Result<()> {
    setup::run(ctx, setup::Needs { bench: true })?;
    let sandbox_bin = demo::build_server_bin(ctx, SANDBOX_BIN, demo::Profile::Server)?;
    let proxy_bin = demo::build_proxy(ctx)?;
    let secs: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let tmp = ctx.root.join("bench/tmp");
    fs::create_dir_all(&tmp)?;

    let sandbox_addr = free_addr()?;
    let _sandbox = spawn(
        SANDBOX_BIN,
        Command::new(&sandbox_bin).args(["--addr", &sandbox_addr, "--api-key", BENCH_KEY]),
    )?;
    wait_port(&sandbox_addr, Duration::from_secs(30)).context("sandbox did not start")?;
    let upstream = format!("http://{sandbox_addr}");

    let mut rows = Vec::new();
    let path = format!("/api/v1/trackings/ecms/{HOT_NUMBER}");

    // trackfront-proxy
    {
        let addr = free_addr()?;
        let mut child = spawn(
            PROXY_BIN,
            Command::new(&proxy_bin)
                .env("TRACKFRONT_ADDR", &addr)
                .env("TRACKFRONT_DIST", ctx.root.join("dist"))
                .env("AFTERSHIP_API_KEY", BENCH_KEY)
                .env("AFTERSHIP_BASE_URL", &upstream)
                .env("RUST_LOG", "warn"),
        )?;
        if !http::wait_ok(&addr, "/healthz", Duration::from_secs(30), || {
            matches!(child.1.try_wait(), Ok(None))
        }) {
            bail!("{PROXY_BIN} did not answer /healthz on {addr}");
        }
        let _ = http::get_status(&addr, &path); // warm the cache
        rows.push(wrk(
            ctx,
            "trackfront-proxy",
            "hot-cache lookup",
            &addr,
            &path,
            secs,
        )?);
    }

    // nginx baseline
    {
        let addr = free_addr()?;
        let conf = nginx_conf(&tmp, &addr, &sandbox_addr)?;
        let _nginx = spawn(
            "nginx",
            ctx.cmd("nginx")
                .arg("-p")
                .arg(&tmp)
                .arg("-c")
                .arg(&conf)
                .args(["-g", "daemon off;"]),
        )?;
        wait_port(&addr, Duration::from_secs(15)).context("nginx did not start")?;
        let _ = http::get_status(&addr, &path);
        rows.push(wrk(ctx, "nginx", "hot-cache lookup", &addr, &path, secs)?);
    }

    let md = render(&rows, secs);
    let out = ctx.root.join("bench/results/proxy.md");
    fs::create_dir_all(out.parent().unwrap())?;
    fs::write(&out, &md)?;
    println!("\n{md}\nbench: wrote {}", out.display());
    Ok(())
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

/// nginx as the "put nginx in front of the API" baseline: it maps the proxy's public path to
/// the AfterShip list call, injects the key and caches with a lock against stampedes.
fn nginx_conf(tmp: &Path, addr: &str, upstream: &str) -> Result<std::path::PathBuf> {
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
  proxy_cache_path {cache} levels=1:2 keys_zone=tf:10m max_size=100m inactive=10m;
  upstream sandbox {{ server {upstream}; keepalive 32; }}
  server {{
    listen {addr};
    location ~ ^/api/v1/trackings/([a-z0-9-]+)/([A-Za-z0-9-]+)$ {{
      proxy_pass http://sandbox/tracking/2026-07/trackings?slug=$1&tracking_numbers=$2;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header as-api-key {BENCH_KEY};
      proxy_cache tf;
      proxy_cache_key $uri;
      proxy_cache_lock on;
      proxy_cache_valid 200 60s;
      proxy_cache_use_stale error timeout updating;
    }}
  }}
}}
"#,
        pid = tmp.join("nginx.pid").display(),
        err = tmp.join("nginx-error.log").display(),
        cache = cache.display(),
    );
    fs::write(&conf, text)?;
    Ok(conf)
}

/// `wrk -t2 -c64 -d{secs}s --latency`; parses req/s and the 50%/99% latency lines.
fn wrk(
    ctx: &Ctx,
    server: &'static str,
    workload: &'static str,
    addr: &str,
    path: &str,
    secs: u64,
) -> Result<Row> {
    let url = format!("http://{addr}{path}");
    println!("$ wrk -t2 -c64 -d{secs}s --latency {url}");
    let out = ctx
        .cmd("wrk")
        .args([
            "-t2",
            "-c64",
            &format!("-d{secs}s"),
            "--timeout",
            "5s",
            "--latency",
            &url,
        ])
        .output()
        .context("running wrk")?;
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
    if non_2xx > 0 {
        println!("bench: warning: {server} answered {non_2xx} requests with non-2xx/3xx");
    }
    Ok(Row {
        server,
        workload,
        rps,
        p50: field("50%").unwrap_or_else(|| "?".into()),
        p99: field("99%").unwrap_or_else(|| "?".into()),
        non_2xx,
    })
}

fn render(rows: &[Row], secs: u64) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Proxy benchmark\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask bench proxy`: wrk -t2 -c64 -d{secs}s on loopback, 2-core machine, both servers in front of the same aftership-sandbox. SKELETON: hot-cache only (see xtask/src/bench.rs).\n"
    );
    let _ = writeln!(
        md,
        "| server | workload | req/s | p50 | p99 | req/s vs nginx |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|");
    for row in rows {
        let base = rows
            .iter()
            .find(|r| r.server == "nginx" && r.workload == row.workload)
            .map(|n| n.rps);
        let ratio = base.map_or("-".into(), |b| format!("{:.2}x", row.rps / b));
        let _ = writeln!(
            md,
            "| {} | {} | {:.0} | {} | {} | {} | {ratio} |",
            row.server, row.workload, row.rps, row.p50, row.p99, row.non_2xx
        );
    }
    md
}
