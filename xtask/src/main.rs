//! `cargo xtask`: the developer commands of trackfront.
//!
//! - `cargo xtask setup`: install whatever the other commands need and is missing.
//! - `cargo xtask demo [--addr HOST:PORT]`: build the widget and serve it with the proxy.
//! - `cargo xtask test`: every check, one summary line per stage.
//! - `cargo xtask bench [proxy]`: loopback benchmarks (see `bench.rs`).
//!
//! Deliberately std + anyhow only, so that it compiles in seconds on a fresh machine.

mod bench;
mod demo;
mod failures;
mod http;
mod setup;
mod size;
mod test;
mod util;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup                    install what is missing (wasm32 target, trunk, wasm-bindgen-cli,
                           npm packages in e2e/, Debian chromium/chromium-driver/redis-server/brotli)
  demo [--addr HOST:PORT]  setup, release build, then serve the demo with trackfront-proxy
                           (default 127.0.0.1:8080); Ctrl-C stops it
  test [STAGE...]          setup, then fmt, clippy, cargo test, wasm tests, trunk build,
                           size budget and end-to-end tests; one summary line per stage.
                           Stages: fmt clippy test wasm-test trunk-build size e2e
                           (naming some runs only those)
  bench [proxy]            loopback benchmark of the proxy (writes bench/results/proxy.md)
";

fn main() {
    if let Err(err) = run() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let ctx = util::Ctx::new()?;
    match cmd.as_str() {
        "setup" => {
            no_extra_args(rest)?;
            setup::run(&ctx, setup::Needs::default())
        }
        "demo" => demo::run(&ctx, rest),
        "test" => test::run(&ctx, rest),
        "bench" => bench::run(&ctx, rest),
        // Internal: started by `demo` just before it hands over to the proxy.
        "__announce" => demo::announce(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn no_extra_args(rest: &[String]) -> Result<()> {
    if let Some(arg) = rest.first() {
        bail!("unexpected argument `{arg}`\n\n{USAGE}");
    }
    Ok(())
}
