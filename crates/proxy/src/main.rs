//! `trackfront-proxy`: serves the trackfront widget and its API, holding the AfterShip key.
//! Run `trackfront-proxy --help` for the configuration; without `AFTERSHIP_API_KEY` it
//! embeds the AfterShip sandbox (demo mode).

use trackfront_proxy::{Application, Settings, telemetry};

/// jemalloc rather than glibc malloc: see the note on the dependency in Cargo.toml.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_args_and_env()?;
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}
