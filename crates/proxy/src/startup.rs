//! Building and running the server: [`Application::build`] resolves the upstream (a real
//! AfterShip key, or the embedded sandbox when there is none), wires cache, upstream,
//! limits and routes, and binds the listener (port 0 picks a free one, for tests);
//! [`Application::run_until_stopped`] serves until Ctrl-C or SIGTERM, then drains.

use crate::cache::{CachePolicy, MemoryCache, ViewCache};
use crate::config::Settings;
use crate::events::Events;
use crate::live::{Live, LiveParts};
use crate::lookup::Lookups;
use crate::metrics::Metrics;
use crate::ratelimit::ClientLimiter;
use crate::routes::{AppState, router};
use crate::security::{CorsPolicy, GuardState, Guarded};
use crate::static_files::StaticSite;
use crate::upstream::Upstream;
use aftership::ApiKey;
use aftership_sandbox::{SandboxConfig, SandboxHandle};
use anyhow::Context;
use axum::ServiceExt;
use axum::extract::Request;
use rand::Rng;
use secrecy::ExposeSecret as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Longest wait for one Redis operation before falling back to local state.
const REDIS_OP_TIMEOUT: Duration = Duration::from_millis(250);

/// Most clients tracked by the per-client limiter at once.
const MAX_LIMITED_CLIENTS: usize = 100_000;

/// A built, bound, not yet running proxy.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    app: Guarded,
    upstream_url: String,
    metrics: Arc<Metrics>,
    sandbox: Option<SandboxHandle>,
    live: Arc<Live>,
}

impl Application {
    /// Builds everything and binds the listener.
    ///
    /// # Errors
    /// When the sandbox cannot start, the dist directory cannot be read, the upstream URL
    /// is unusable or the address cannot be bound.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let demo = settings.demo_mode();
        // Bound first: the embedded sandbox needs our address to send its webhooks to.
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("binding TRACKFRONT_ADDR {}", settings.addr))?;
        let addr = listener.local_addr()?;
        let mut webhook_secret = settings.webhook_secret.clone();
        let (key, upstream_url, sandbox) = match settings.api_key.clone() {
            Some(key) => (key, settings.aftership_base_url.clone(), None),
            None => {
                let key = ApiKey::new(random_key());
                let mut config = SandboxConfig::new(key.clone());
                // The demo is live: the sandbox signs its webhooks with a fresh secret
                // and sends them to this very proxy.
                let secret = secrecy::SecretString::from(random_key());
                config.webhook_secret = Some(secret.clone());
                config.webhook_urls = vec![format!(
                    "http://{}/webhooks/aftership",
                    crate::live::loopback_of(addr)
                )];
                webhook_secret = Some(secret);
                let handle = aftership_sandbox::spawn(config)
                    .await
                    .context("starting the embedded AfterShip sandbox")?;
                let url = handle.base_url();
                tracing::info!(
                    "no AFTERSHIP_API_KEY set: using the embedded AfterShip sandbox at {url}"
                );
                (key, url, Some(handle))
            }
        };
        let metrics = Arc::new(Metrics::default());
        let redis = match &settings.redis_url {
            Some(url) => {
                Some(crate::shared::Redis::connect(url.expose_secret(), REDIS_OP_TIMEOUT).await?)
            }
            None => None,
        };
        let edd = crate::edd::EddService::from_settings(&settings, &upstream_url, key.clone())?;
        let edd = Arc::new(match &redis {
            Some(r) => edd.share_cache(r.clone()),
            None => edd,
        });
        let upstream = Upstream::new(
            &upstream_url,
            key,
            settings.budget,
            settings.upstream.clone(),
            metrics.clone(),
        )
        .context("AFTERSHIP_BASE_URL")?;
        let upstream = match &redis {
            Some(r) => upstream.with_shared_budget(crate::shared::SharedBudget::new(r.clone())),
            None => upstream,
        };
        let policy = CachePolicy::new(settings.cache.clone());
        let local_cache = MemoryCache::new(policy.max_bytes(), policy.retention());
        let cache: Arc<dyn ViewCache> = match &redis {
            Some(r) => Arc::new(crate::shared::SharedCache::new(
                r.clone(),
                local_cache,
                policy.retention(),
            )),
            None => Arc::new(local_cache),
        };
        let events = Events::default();
        let events = match &redis {
            Some(r) => {
                let relay = crate::shared::relay(r, &events);
                events.with_relay(relay)
            }
            None => events,
        };
        let auto_create = settings.auto_create.unwrap_or(demo);
        let lookups = Arc::new(Lookups::new(
            Arc::new(upstream),
            cache,
            policy,
            auto_create,
            metrics.clone(),
            events.clone(),
        ));
        let live = Arc::new(Live::new(LiveParts {
            events,
            lookups: lookups.clone(),
            settings: settings.live.clone(),
            trusted: settings.trusted_proxies.clone(),
            limiter: redis.as_ref().and_then(|r| {
                crate::shared::SharedLimiter::new(
                    r.clone(),
                    settings.client_rate,
                    settings.client_burst,
                )
            }),
            redis,
            webhooks: crate::webhooks::WebhookReceiver::new(webhook_secret),
            sandbox: sandbox.as_ref().map(|h| h.state().clone()),
            metrics: metrics.clone(),
        }));
        let site = match &settings.dist {
            Some(dir) => {
                let site = StaticSite::load(dir.clone(), settings.allowed_origins.clone())
                    .await
                    .with_context(|| format!("reading TRACKFRONT_DIST {}", dir.display()))?;
                tracing::info!(files = site.len(), dir = %dir.display(), "serving the widget");
                Some(site)
            }
            None => None,
        };
        let state = Arc::new(AppState {
            lookups,
            site,
            metrics: metrics.clone(),
            ready: tokio::sync::Mutex::new(None),
            edd,
            live: live.clone(),
        });
        let guard = Arc::new(GuardState {
            cors: CorsPolicy::new(settings.allowed_origins.clone(), demo),
            limiter: ClientLimiter::new(
                settings.client_rate,
                settings.client_burst,
                MAX_LIMITED_CLIENTS,
            ),
            trusted: settings.trusted_proxies.clone(),
            metrics: metrics.clone(),
            request_timeout: settings.upstream.deadline + Duration::from_secs(2),
        });
        tracing::info!(
            %addr,
            auto_create,
            demo,
            "trackfront-proxy listening on http://{addr}"
        );
        Ok(Self {
            listener,
            addr,
            app: router(state, guard),
            upstream_url,
            metrics,
            sandbox,
            live,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The AfterShip base URL in use (the sandbox's in demo mode).
    pub fn upstream_url(&self) -> &str {
        &self.upstream_url
    }

    /// The embedded sandbox, in demo mode.
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandbox.as_ref()
    }

    /// The counters (also served at `/metrics`).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then finishes in-flight requests.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listener,
            app,
            sandbox,
            live,
            ..
        } = self;
        let stop = async move {
            stop.await;
            // Live streams never end by themselves; end them so the drain can finish.
            live.shut_down();
        };
        // Answers go out at once, as nginx does on keep-alive connections (`tcp_nodelay`).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut TcpStream| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app),
        )
        .with_graceful_shutdown(stop)
        .await?;
        tracing::info!("trackfront-proxy stopped");
        drop(sandbox);
        Ok(())
    }
}

fn random_key() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
