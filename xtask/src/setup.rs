//! `cargo xtask setup`: installs only what is missing, says what it does, and stops at the
//! first step that fails, naming it.
//!
//! Steps, cheapest first:
//! 1. Debian packages (apt-get): chromium, chromium-driver, fonts-liberation, redis-server,
//!    brotli, python3-venv and curl (for the official-SDK check); plus nginx and wrk for
//!    `cargo xtask bench`.
//! 2. The `wasm32-unknown-unknown` Rust target and the `rust-src` component (rustup).
//! 3. The npm packages pinned in `e2e/package-lock.json` (`npm ci`): playwright-core,
//!    axe-core, lighthouse, and binaryen, acorn and terser (the build's
//!    `www/build/shrink-glue.mjs` uses them).
//! 4. wasm-bindgen-cli at exactly the `wasm-bindgen` version in `Cargo.lock`.
//! 5. trunk 0.21.14 (0.22 needs a newer rustc than the machine's).
//! 6. cargo-fuzz 0.13.2, for the `fuzz` stage of `cargo xtask test`.

use crate::util::{self, Ctx, secs, timed};
use anyhow::{Context, Result, bail};
use std::fs;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
const CARGO_FUZZ_VERSION: &str = "0.13.2";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the `rust-src` component puts the standard library's sources in the sysroot.
const RUST_SRC_DIR: &str = "lib/rustlib/src/rust/library";
/// Debian packages every command needs (the browser for the tests, redis-server for the
/// proxy's Redis tests, brotli for the size report). Fonts so screenshots show text.
const APT_BASE: &[&str] = &[
    "chromium",
    "chromium-driver",
    "fonts-liberation",
    "redis-server",
    "brotli",
    "python3-venv",
    "curl",
];
/// Only for `cargo xtask bench`.
const APT_BENCH: &[&str] = &["nginx", "wrk"];

#[derive(Default, Clone, Copy)]
pub struct Needs {
    pub bench: bool,
}

pub fn run(ctx: &Ctx, needs: Needs) -> Result<()> {
    println!("setup: checking what is installed (installs only what is missing)");
    let (result, took) = timed(|| -> Result<()> {
        let mut apt = APT_BASE.to_vec();
        if needs.bench {
            apt.extend_from_slice(APT_BENCH);
        }
        step("Debian packages", || debian_packages(&apt))?;
        step("Rust target wasm32-unknown-unknown", || wasm_target(ctx))?;
        step("npm packages in e2e/", || npm_packages(ctx))?;
        step("wasm-bindgen-cli", || wasm_bindgen_cli(ctx))?;
        step("trunk", || trunk(ctx))?;
        step("cargo-fuzz", || cargo_fuzz(ctx))?;
        Ok(())
    });
    result?;
    println!("setup: done in {}", secs(took));
    Ok(())
}

/// What a step did, for its closing line.
enum Outcome {
    Present(String),
    Installed(String),
}

fn step(name: &str, f: impl FnOnce() -> Result<Outcome>) -> Result<()> {
    let (result, took) = timed(f);
    match result.with_context(|| format!("setup step `{name}` failed"))? {
        Outcome::Present(what) => println!("setup: {name}: already installed ({what})"),
        Outcome::Installed(what) => {
            println!("setup: {name}: installed {what} in {}", secs(took));
        }
    }
    Ok(())
}

fn debian_packages(wanted: &[&str]) -> Result<Outcome> {
    if util::output(Command::new("dpkg-query").arg("--version")).is_none() {
        bail!(
            "dpkg-query not found: this is not a Debian system; install {} by hand",
            wanted.join(" ")
        );
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|pkg| !dpkg_installed(pkg))
        .collect();
    if missing.is_empty() {
        return Ok(Outcome::Present(wanted.join(", ")));
    }
    println!("setup: Debian packages: installing {}", missing.join(" "));
    let sudo = if util::is_root() {
        None
    } else if util::output(Command::new("sudo").arg("-n").arg("true")).is_some() {
        Some("sudo")
    } else {
        bail!(
            "not root and no password-less sudo: run `apt-get install {}` as root",
            missing.join(" ")
        );
    };
    let apt = |args: &[&str]| {
        let mut cmd = match sudo {
            Some(sudo) => {
                let mut c = Command::new(sudo);
                c.arg("-n")
                    .arg("--preserve-env=DEBIAN_FRONTEND")
                    .arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    util::run(&mut apt(&["update"])).context("apt-get update")?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    util::run(&mut install).context("apt-get install")?;
    let still: Vec<&str> = missing
        .iter()
        .copied()
        .filter(|pkg| !dpkg_installed(pkg))
        .collect();
    if !still.is_empty() {
        bail!(
            "apt-get finished but these are still not installed: {}",
            still.join(" ")
        );
    }
    Ok(Outcome::Installed(missing.join(", ")))
}

fn dpkg_installed(pkg: &str) -> bool {
    util::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .is_some_and(|status| status == "install ok installed")
}

/// The wasm32 target, and the `rust-src` component: the release wasm is built with the
/// standard library compiled from source (see `demo::trunk_build`).
fn wasm_target(ctx: &Ctx) -> Result<Outcome> {
    // rustup installs into the active toolchain's sysroot, so one lookup serves both checks.
    let sysroot = util::output(ctx.cmd("rustc").args(["--print", "sysroot"]))
        .context("`rustc --print sysroot` failed")?;
    let sysroot = std::path::Path::new(&sysroot);
    let target_dir = format!("lib/rustlib/{WASM_TARGET}");
    let has = || sysroot.join(&target_dir).is_dir() && sysroot.join(RUST_SRC_DIR).is_dir();
    let what = format!("{WASM_TARGET} and rust-src");
    if has() {
        return Ok(Outcome::Present(what));
    }
    util::run(ctx.cmd("rustup").args(["target", "add", WASM_TARGET]))?;
    util::run(ctx.cmd("rustup").args(["component", "add", "rust-src"]))?;
    if !has() {
        bail!("rustup finished but rustc's sysroot still lacks {WASM_TARGET} or rust-src");
    }
    Ok(Outcome::Installed(what))
}

/// `npm ci` wipes and reinstalls `node_modules`, so it only runs when the lock file differs
/// from the one the last successful `npm ci` installed (kept as a stamp inside node_modules).
fn npm_packages(ctx: &Ctx) -> Result<Outcome> {
    let e2e = ctx.root.join("e2e");
    let node = util::output(ctx.cmd("node").arg("--version"))
        .context("Node.js not found (the machine image ships Node.js 20; install nodejs >= 20)")?;
    let major: u32 = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        bail!("Node.js {node} is too old: playwright-core needs Node.js 20 or newer");
    }
    if ctx.which("npm").is_none() {
        bail!("npm not found (it comes with Node.js)");
    }
    let lock = fs::read(e2e.join("package-lock.json")).context("reading e2e/package-lock.json")?;
    let stamp = e2e.join("node_modules/.xtask-installed-lock.json");
    let bins_ok = ["wasm-opt", "playwright-core", "terser", "acorn"]
        .iter()
        .all(|b| e2e.join("node_modules/.bin").join(b).exists())
        && e2e.join("node_modules/axe-core/axe.min.js").is_file();
    if bins_ok && fs::read(&stamp).is_ok_and(|s| s == lock) {
        return Ok(Outcome::Present(format!(
            "node {node}, e2e/node_modules matches package-lock.json"
        )));
    }
    util::run(
        ctx.cmd("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e)
            // Neither may download a browser of its own: we use Debian's chromium.
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .env("PUPPETEER_SKIP_DOWNLOAD", "1"),
    )?;
    fs::write(&stamp, &lock).context("writing the npm stamp")?;
    let wasm_opt = util::output(ctx.cmd("wasm-opt").arg("--version")).unwrap_or_default();
    Ok(Outcome::Installed(format!("e2e/node_modules ({wasm_opt})")))
}

/// The version of the `wasm-bindgen` package in Cargo.lock.
pub fn locked_wasm_bindgen(ctx: &Ctx) -> Result<String> {
    let lock = fs::read_to_string(ctx.root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let version = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
                .context("Cargo.lock: no version line after name = \"wasm-bindgen\"")?;
            return Ok(version.to_string());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package (run `cargo generate-lockfile`?)")
}

fn wasm_bindgen_cli(ctx: &Ctx) -> Result<Outcome> {
    let want = locked_wasm_bindgen(ctx)?;
    let installed = || -> (Option<String>, Option<String>) {
        (
            util::output(ctx.cmd("wasm-bindgen").arg("--version")),
            util::output(ctx.cmd("wasm-bindgen-test-runner").arg("--version")),
        )
    };
    let matches = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| v.split_whitespace().nth(1) == Some(want.as_str()))
    };
    let (cli, runner) = installed();
    if matches(&cli) && matches(&runner) {
        return Ok(Outcome::Present(format!(
            "wasm-bindgen {want}, as in Cargo.lock"
        )));
    }
    println!(
        "setup: wasm-bindgen-cli: Cargo.lock wants {want}, found {} (this takes a few minutes)",
        cli.as_deref().unwrap_or("none")
    );
    util::run(
        ctx.cargo()
            .args(["install", "wasm-bindgen-cli", "--version", &want]),
    )?;
    let (cli, runner) = installed();
    if !(matches(&cli) && matches(&runner)) {
        bail!(
            "installed wasm-bindgen-cli {want}, but PATH still finds {} / {} (is an older copy earlier on PATH?)",
            cli.as_deref().unwrap_or("no wasm-bindgen"),
            runner.as_deref().unwrap_or("no wasm-bindgen-test-runner"),
        );
    }
    Ok(Outcome::Installed(format!("wasm-bindgen-cli {want}")))
}

fn trunk(ctx: &Ctx) -> Result<Outcome> {
    cargo_install_pinned(
        ctx,
        "trunk",
        TRUNK_VERSION,
        || util::output(ctx.cmd("trunk").arg("--version")),
        " (this takes about 7 minutes on 2 cores)",
    )
}

fn cargo_fuzz(ctx: &Ctx) -> Result<Outcome> {
    cargo_install_pinned(
        ctx,
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        || util::output(ctx.cargo().args(["fuzz", "--version"])),
        "",
    )
}

/// `cargo install --locked CRATE --version VERSION`, unless `probe` (the tool's `--version`)
/// already prints `CRATE VERSION`; checks the probe again afterwards, so a different copy
/// earlier on PATH is reported rather than silently used.
fn cargo_install_pinned(
    ctx: &Ctx,
    krate: &str,
    version: &str,
    probe: impl Fn() -> Option<String>,
    how_long: &str,
) -> Result<Outcome> {
    let want = format!("{krate} {version}");
    let found = probe();
    if found.as_deref() == Some(want.as_str()) {
        return Ok(Outcome::Present(want));
    }
    println!(
        "setup: {krate}: want {version}, found {}{how_long}",
        found.as_deref().unwrap_or("none")
    );
    util::run(
        ctx.cargo()
            .args(["install", "--locked", krate, "--version", version]),
    )?;
    let found = probe();
    if found.as_deref() != Some(want.as_str()) {
        bail!(
            "installed {want}, but PATH finds {}",
            found.as_deref().unwrap_or("nothing")
        );
    }
    Ok(Outcome::Installed(want))
}
