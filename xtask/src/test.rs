//! `cargo xtask test [STAGE...]`: setup, then every check, in this order, each closing with
//! one line `stage NAME: ok (12.3s)` / `FAILED` / `skipped`:
//!
//! 1. `fmt`: `cargo fmt --all --check`
//! 2. `clippy`: `-D warnings` on the host (whole workspace, all targets) and on wasm32 (the
//!    widget)
//! 3. `test`: `cargo test --workspace --no-fail-fast`
//! 4. `wasm-test`: the widget's wasm-bindgen-test suite in headless Chromium
//! 5. `trunk-build`: `trunk build --release --offline` into `dist/`
//! 6. `size`: brotli bytes of what the track page loads, against README's budget
//! 7. `e2e`: the proxy (dev build, already compiled by `test`) + `node --test
//!    e2e/tests/*.test.mjs` (Playwright + axe-core)
//! 8. `sdk`: AfterShip's official npm and PyPI SDKs against the `aftership-sandbox` binary
//!    (`e2e/sdk/run.sh`)
//! 9. `fuzz`: a smoke run of each `cargo fuzz` target in `fuzz/` ([`FUZZ_SECS`] each)
//!
//! A failed stage does not stop the run, so one run shows every problem; stages that need an
//! earlier stage's output (`size` and `e2e` need `trunk-build`) are skipped instead. The exit
//! code is non-zero if any stage failed or was skipped. Naming stages runs only those.

use crate::demo;
use crate::failures::Failures;
use crate::util::{self, Ctx, Stream, secs, timed};
use crate::{setup, size};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::PathBuf;
use std::process::Command;

const STAGES: &[&str] = &[
    "fmt",
    "clippy",
    "test",
    "wasm-test",
    "trunk-build",
    "size",
    "e2e",
    "sdk",
    "fuzz",
];
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Flags for Chromium on this closed network, as root, without a GPU. wasm-bindgen-test-runner
/// adds `headless`, `no-sandbox` and `disable-dev-shm-usage` itself.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
];

enum Outcome {
    Ok,
    Failed(String),
    Skipped(String),
}

pub fn run(ctx: &Ctx, args: &[String]) -> Result<()> {
    for arg in args {
        if !STAGES.contains(&arg.as_str()) {
            bail!("unknown stage `{arg}`; stages: {}", STAGES.join(", "));
        }
    }
    let wanted = |name: &str| args.is_empty() || args.iter().any(|a| a == name);

    let (setup_result, took) = timed(|| setup::run(ctx, setup::Needs::default()));
    if let Err(err) = setup_result {
        println!("stage setup: FAILED ({}): {err:#}", secs(took));
        return Err(err.context("setup failed, so no check ran"));
    }
    println!("stage setup: ok ({})", secs(took));

    warn_if_disk_is_short(ctx);
    let mut lines = Vec::new();
    let mut trunk_ok = !wanted("trunk-build") && ctx.root.join("dist/index.html").is_file();
    for &name in STAGES {
        if !wanted(name) {
            continue;
        }
        println!("\n==> stage {name}");
        let (outcome, took) = timed(|| match name {
            "size" | "e2e" if !trunk_ok => {
                Outcome::Skipped("needs a successful trunk-build".into())
            }
            _ => match run_stage(ctx, name) {
                Ok(()) => Outcome::Ok,
                Err(err) => Outcome::Failed(format!("{err:#}")),
            },
        });
        if name == "trunk-build" {
            trunk_ok = matches!(outcome, Outcome::Ok);
        }
        let line = match &outcome {
            Outcome::Ok => format!("stage {name}: ok ({})", secs(took)),
            Outcome::Failed(why) => format!("stage {name}: FAILED ({}): {why}", secs(took)),
            Outcome::Skipped(why) => format!("stage {name}: skipped ({why})"),
        };
        println!("{line}");
        lines.push((line, outcome));
    }

    println!("\nxtask test: stages");
    for (line, _) in &lines {
        println!("  {line}");
    }
    let bad: Vec<&str> = lines
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Ok))
        .filter_map(|(l, _)| l.strip_prefix("stage ")?.split(':').next())
        .collect();
    if !bad.is_empty() {
        bail!("stages not passed: {}", bad.join(", "));
    }
    println!("xtask test: every stage passed");
    Ok(())
}

/// What a full run from a clean clone writes, with room on top: measured 5.3 GB for the
/// whole clone at the end of a run (`target/` 3.4 GB, `fuzz/target/` 1.4 GB).
const DISK_NEEDED: u64 = 8 << 30;

/// A full disk shows up as a cascade of unrelated-looking compiler and browser errors, so say
/// it first, in one line. Only a warning: a warm target directory needs far less.
fn warn_if_disk_is_short(ctx: &Ctx) {
    let Some(free) = util::free_bytes(&ctx.target_dir) else {
        return;
    };
    if free < DISK_NEEDED {
        println!(
            "\nxtask test: WARNING: only {:.1} GiB free under {}; a run from a clean clone \
             needs about {} GiB, so stages may fail with \"No space left on device\"",
            free as f64 / f64::from(1 << 30),
            ctx.target_dir.display(),
            DISK_NEEDED >> 30,
        );
    }
}

fn run_stage(ctx: &Ctx, name: &str) -> Result<()> {
    match name {
        "fmt" => util::run(ctx.cargo().args(["fmt", "--all", "--check"])),
        "clippy" => {
            let host = util::run(ctx.cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]));
            // Run the wasm half even if the host half failed, to report both.
            let wasm = util::run(ctx.cargo().args([
                "clippy",
                "-p",
                "trackfront",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]));
            match (host, wasm) {
                (Ok(()), Ok(())) => Ok(()),
                (Err(e), Ok(())) => Err(e.context("host")),
                (Ok(()), Err(e)) => Err(e.context("wasm32")),
                (Err(e), Err(_)) => Err(e.context("host and wasm32")),
            }
        }
        // Every test binary, even after one failed, so that one run names every failure.
        "test" => run_tests(ctx.cargo().args(["test", "--workspace", "--no-fail-fast"])),
        "wasm-test" => wasm_test(ctx),
        "trunk-build" => demo::trunk_build(ctx),
        "size" => size::report(ctx),
        "e2e" => e2e(ctx),
        "sdk" => sdk(ctx),
        "fuzz" => fuzz(ctx),
        _ => unreachable!("stage names are checked"),
    }
}

/// Runs a test runner with its output shown as it comes; if it fails, the error names the
/// failed tests (see [`crate::failures`]).
fn run_tests(cmd: &mut Command) -> Result<()> {
    let mut failures = Failures::default();
    let result = util::run_watching(cmd, Stream::Stdout, |line| {
        println!("{line}");
        failures.see(line);
    });
    match (result, failures.summary()) {
        (Err(err), Some(summary)) => Err(err.context(summary)),
        (result, _) => result,
    }
}

/// The widget's wasm-bindgen tests, through the runner set in `.cargo/config.toml`
/// (`wasm-bindgen-test-runner`), in headless Debian Chromium driven by chromedriver.
fn wasm_test(ctx: &Ctx) -> Result<()> {
    let dir = ctx.target_dir.join("xtask");
    fs::create_dir_all(&dir)?;
    let webdriver = dir.join("webdriver.json");
    let args = CHROMIUM_ARGS
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    fs::write(
        &webdriver,
        format!(
            "{{\n  \"goog:chromeOptions\": {{\n    \"binary\": \"{CHROMIUM}\",\n    \"args\": [{args}]\n  }}\n}}\n"
        ),
    )?;
    let chromedriver = ctx
        .which("chromedriver")
        .unwrap_or_else(|| PathBuf::from(CHROMEDRIVER));
    run_tests(
        ctx.cargo()
            .args([
                "test",
                "-p",
                "trackfront",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", chromedriver)
            // Any chromedriver output on stderr makes the runner think the driver failed to
            // start (e.g. IPv6 socket warnings): keep it quiet.
            .env("CHROMEDRIVER_ARGS", "--silent")
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "30"),
    )
}

/// The dev-profile proxy (the `test` stage has built it; a release build would add a long
/// link for no extra coverage), then node's test runner over `e2e/tests/*.test.mjs`. The
/// harness (`e2e/lib/harness.mjs`) starts a proxy per test file on a free loopback port.
fn e2e(ctx: &Ctx) -> Result<()> {
    let proxy = demo::build_server_bin(ctx, demo::PROXY_BIN, demo::Profile::Debug)?;
    let tests_dir = ctx.root.join("e2e/tests");
    let mut files: Vec<PathBuf> = fs::read_dir(&tests_dir)
        .with_context(|| format!("reading {}", tests_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".test.mjs") || n.ends_with(".test.js"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.test.mjs files in {}", tests_dir.display());
    }
    let out = ctx.target_dir.join("e2e");
    fs::create_dir_all(&out)?;
    run_tests(
        ctx.cmd("node")
            .arg("--test")
            .args(files.iter().map(|f| f.strip_prefix(&ctx.root).unwrap_or(f)))
            .env("TRACKFRONT_PROXY_BIN", &proxy)
            .env("TRACKFRONT_DIST", ctx.root.join("dist"))
            .env("TRACKFRONT_E2E_OUT", &out)
            .env("CHROMIUM_PATH", CHROMIUM)
            .env_remove("AFTERSHIP_API_KEY"),
    )?;
    println!("e2e: screenshots in {}", out.display());
    Ok(())
}

/// The official SDKs' script, against the dev-profile sandbox binary.
fn sdk(ctx: &Ctx) -> Result<()> {
    let sandbox = demo::build_server_bin(ctx, "aftership-sandbox", demo::Profile::Debug)?;
    util::run(
        ctx.cmd("bash")
            .arg(ctx.root.join("e2e/sdk/run.sh"))
            .env("SANDBOX_BIN", sandbox),
    )
}

/// How long each fuzz target runs in the `fuzz` stage: a smoke run (the targets build, and
/// a fresh corpus finds no crash within this time), not a campaign.
const FUZZ_SECS: u32 = 30;
/// The targets in `fuzz/fuzz_targets/`.
const FUZZ_TARGETS: &[&str] = &["request_parsing", "view_projection"];

/// Each fuzz target for [`FUZZ_SECS`]. `fuzz/` is a workspace of its own; cargo-fuzz needs
/// nightly features (the sanitizer flags), which `RUSTC_BOOTSTRAP=1` unlocks on the
/// machine's stable toolchain. A crash leaves its input in `fuzz/artifacts/`.
fn fuzz(ctx: &Ctx) -> Result<()> {
    let dir = ctx.root.join("fuzz");
    for target in FUZZ_TARGETS {
        let mut quiet = FuzzLog::default();
        let result = util::run_watching(
            ctx.cargo()
                .current_dir(&dir)
                .args(["fuzz", "run", "--fuzz-dir", ".", target, "--"])
                .arg(format!("-max_total_time={FUZZ_SECS}"))
                .args(["-rss_limit_mb=2048", "-print_final_stats=1"])
                // The main workspace's target directory is not this workspace's.
                .env_remove("CARGO_TARGET_DIR")
                .env("RUSTC_BOOTSTRAP", "1"),
            Stream::Stderr,
            |line| quiet.see(line),
        );
        quiet.finish();
        result.with_context(|| format!("fuzz target {target}"))?;
    }
    Ok(())
}

/// libFuzzer's stderr without its bulk: a line or more per new coverage unit (about 11,500
/// in a 30 s run) and the recommended dictionary at the end (about 300 lines). They filled the
/// tail of the output CI keeps, hiding which stage had failed and why. Everything else
/// (startup, the final stats, a crash and its artifact path) is shown.
#[derive(Default)]
struct FuzzLog {
    in_dictionary: bool,
    hidden: usize,
}

impl FuzzLog {
    fn see(&mut self, line: &str) {
        if line.starts_with("###### Recommended dictionary") {
            self.in_dictionary = true;
        } else if line.starts_with("###### End of recommended dictionary") {
            self.in_dictionary = false;
            self.hidden += 1;
            return;
        }
        if self.in_dictionary || is_progress(line) {
            self.hidden += 1;
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(self) {
        if self.hidden > 0 {
            eprintln!(
                "(xtask: {} libFuzzer progress and dictionary lines not shown)",
                self.hidden
            );
        }
    }
}

/// `#4096\tpulse  cov: …`, `#1234\tNEW    cov: …`, `#77\tREDUCE cov: …`, and the
/// `\tNEW_FUNC[1/2]: 0x… in …` lines that follow a NEW.
fn is_progress(line: &str) -> bool {
    if line.starts_with("\tNEW_FUNC[") || line.starts_with("\tNEW_PC") {
        return true;
    }
    line.strip_prefix('#')
        .and_then(|l| l.split_once('\t'))
        .is_some_and(|(runs, what)| {
            runs.bytes().all(|b| b.is_ascii_digit())
                && ["NEW", "REDUCE", "pulse"]
                    .iter()
                    .any(|w| what.starts_with(w))
        })
}

#[cfg(test)]
mod tests {
    use super::is_progress;

    #[test]
    fn libfuzzer_progress_lines_are_told_from_the_rest() {
        assert!(is_progress(
            "#3\tNEW    cov: 10 ft: 11 corp: 2/3b exec/s: 0 rss: 40Mb"
        ));
        assert!(is_progress(
            "#65536\tpulse  cov: 900 ft: 2000 corp: 400/20Kb"
        ));
        assert!(is_progress("#77\tREDUCE cov: 10 ft: 11 corp: 2/3b"));
        assert!(!is_progress(
            "#2\tINITED cov: 9 ft: 9 corp: 1/1b exec/s: 0 rss: 39Mb"
        ));
        assert!(!is_progress(
            "#2262159\tDONE   cov: 3101 ft: 12000 corp: 2000/90Kb"
        ));
        assert!(!is_progress("==1234== ERROR: libFuzzer: deadly signal"));
        assert!(is_progress(
            "\tNEW_FUNC[1/2]: 0x55a3d4fe8c40 in <Visitor as Expected>::fmt"
        ));
        assert!(!is_progress("# Subtest: NEW"));
    }
}
