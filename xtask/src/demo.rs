//! `cargo xtask demo [--addr HOST:PORT]`: setup, the release build of the widget, then the
//! proxy serving `dist/` and the API with the embedded sandbox (no AFTERSHIP_API_KEY).
//!
//! Ctrl-C: xtask *replaces itself* with the proxy (`exec`), so the proxy is the foreground
//! process and receives Ctrl-C itself; nothing is left behind and there is no signal
//! forwarding to get wrong. Just before that, a tiny helper (`xtask __announce`) is started
//! that waits for `/healthz` and then prints the demo URLs.

use crate::util::{self, Ctx};
use crate::{http, setup};
use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const PROXY_BIN: &str = "trackfront-proxy";
/// A deep link that shows a timeline straight away.
pub const DEMO_DEEP_LINK: &str = "/?tracking_number=ECMS0002TRANSIT&slug=ecms";

pub fn run(ctx: &Ctx, args: &[String]) -> Result<()> {
    let addr = parse_addr(args)?;
    setup::run(ctx, setup::Needs::default())?;
    trunk_build(ctx)?;
    let proxy = build_proxy(ctx)?;
    if TcpListener::bind(&addr).is_err() {
        bail!(
            "{addr} is in use or not a local address: pass another one, e.g. `cargo xtask demo --addr 127.0.0.1:8081`"
        );
    }
    let dist = ctx.root.join("dist");
    let pages = html_pages(&dist);

    // The announcer: waits for the proxy to be up, then prints where to go.
    let mut announce = Command::new(std::env::current_exe().context("locating xtask itself")?);
    announce
        .arg("__announce")
        .arg(&addr)
        .args(&pages)
        .stdin(Stdio::null());
    announce.spawn().context("starting the URL announcer")?;

    println!(
        "demo: starting {PROXY_BIN} on http://{addr}/ with the embedded AfterShip sandbox (Ctrl-C stops it)"
    );
    let mut cmd = Command::new(&proxy);
    cmd.current_dir(&ctx.root)
        .env("PATH", &ctx.path)
        .env("TRACKFRONT_ADDR", &addr)
        .env("TRACKFRONT_DIST", &dist)
        // The demo always uses the sandbox, even if the shell has a real key exported.
        .env_remove("AFTERSHIP_API_KEY");
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info");
    }
    let err = cmd.exec();
    Err(err).with_context(|| format!("could not start {}", proxy.display()))
}

fn parse_addr(args: &[String]) -> Result<String> {
    let mut addr = std::env::var("TRACKFRONT_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.into());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--addr" {
            addr = it.next().context("--addr needs HOST:PORT")?.clone();
        } else if let Some(value) = arg.strip_prefix("--addr=") {
            addr = value.to_string();
        } else {
            bail!("unknown argument `{arg}` (usage: cargo xtask demo [--addr HOST:PORT])");
        }
    }
    if !addr.contains(':') {
        bail!("--addr must be HOST:PORT, got `{addr}`");
    }
    Ok(addr)
}

/// `trunk build --release --offline` from the repository root, into `dist/`, with both
/// wasm modules (the widget, and the badge built by Trunk's hook) made by [`small_wasm`].
/// The standard library's own dependencies are fetched first, so `--offline` finds them.
pub fn trunk_build(ctx: &Ctx) -> Result<()> {
    util::run(small_wasm(ctx.cargo().args([
        "fetch",
        "--target",
        "wasm32-unknown-unknown",
    ])))?;
    util::run(small_wasm(ctx.cmd("trunk").args([
        "build",
        "--release",
        "--offline",
    ])))
}

/// Builds the wasm32 code with the standard library compiled from source (Cargo's
/// `build-std`, from the `rust-src` component that setup installs) and panics that abort at
/// once (`-Cpanic=immediate-abort`), so none of std's panic-message formatting is linked
/// in. Measured: the widget's wasm 91,547 -> 79,963 B brotli, the badge's 20,251 ->
/// 17,491 B. Release builds showed no panic message before either (`panic = "abort"`, no
/// hook): a panic was and is a wasm trap. Both flags are unstable, so `RUSTC_BOOTSTRAP=1`
/// unlocks them on the pinned stable toolchain (a nightly would change under us); only
/// this build sees these variables, never the host code, the tests or clippy.
///
/// On top of that, std is built with its `optimize_for_size` algorithms, and `{:?}` and
/// panic locations are compiled out (`-Zfmt-debug=none -Zlocation-detail=none`): widget
/// wasm 79,963 -> 78,637 B, badge page 21,487 -> 21,382 B. Checked before turning it on:
/// neither module's code nor its dependencies' wasm code paths use `Debug` output for
/// anything but panic and log messages, which these builds never show.
fn small_wasm(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none",
        )
}

/// `cargo build --profile server -p trackfront-proxy`; returns the binary's path.
pub fn build_proxy(ctx: &Ctx) -> Result<PathBuf> {
    build_server_bin(ctx, PROXY_BIN, Profile::Server)
}

/// Which cargo profile a native binary is built with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `--profile server`: optimised, for the demo and benchmarks.
    Server,
    /// The dev profile: `cargo test` has already built it, so tests reuse it for free.
    Debug,
}

/// Builds the binary `name` of the package of the same name; returns its path.
pub fn build_server_bin(ctx: &Ctx, name: &str, profile: Profile) -> Result<PathBuf> {
    let mut cargo = ctx.cargo();
    cargo.arg("build");
    if profile == Profile::Server {
        cargo.args(["--profile", "server"]);
    }
    util::run(cargo.args(["-p", name, "--bin", name]))?;
    let bin = match profile {
        Profile::Server => ctx.server_bin(name),
        Profile::Debug => ctx.debug_bin(name),
    };
    if !bin.is_file() {
        bail!("cargo built {name} but {} does not exist", bin.display());
    }
    Ok(bin)
}

/// URL paths of the HTML pages in `dist/` (`index.html` as its directory), track page first.
pub fn html_pages(dist: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                let rel = path
                    .strip_prefix(base)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                let url = match rel.strip_suffix("index.html") {
                    Some(dir) => format!("/{dir}"),
                    None => format!("/{rel}"),
                };
                out.push(url);
            }
        }
    }
    let mut pages = Vec::new();
    walk(dist, dist, &mut pages);
    pages.sort_by_key(|p| (p != "/", p.clone()));
    pages
}

/// `xtask __announce ADDR PAGE...`: waits for the proxy, then prints the demo URLs.
pub fn announce(args: &[String]) -> Result<()> {
    let (addr, pages) = args.split_first().context("__announce needs ADDR")?;
    if !http::wait_ok(addr, "/healthz", Duration::from_secs(120), || true) {
        eprintln!(
            "demo: the proxy did not answer GET /healthz on {addr} within 120 s; see its log above"
        );
        return Ok(());
    }
    let base = format!("http://{addr}");
    let mut lines = vec![format!("  track page:      {base}/")];
    lines.push(format!("  demo deep link:  {base}{DEMO_DEEP_LINK}"));
    for page in pages.iter().filter(|p| p.as_str() != "/") {
        let status = match http::get_status(addr, page) {
            Some(200) => String::new(),
            Some(code) => format!("   (answers HTTP {code})"),
            None => "   (no answer)".into(),
        };
        lines.push(format!("  page:            {base}{page}{status}"));
    }
    println!(
        "\ndemo: trackfront is up. Open:\n{}\n  demo numbers (courier ecms): ECMS0000PENDING ECMS0001INFO ECMS0002TRANSIT ECMS0003OUT\n    ECMS0004FAIL ECMS0005DELIVERED ECMS0006PICKUP ECMS0007EXCEPTION ECMS0008EXPIRED\ndemo: press Ctrl-C to stop.\n",
        lines.join("\n")
    );
    Ok(())
}
