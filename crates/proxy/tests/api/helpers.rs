//! `spawn_app()`: an embedded sandbox, a recording pass-through ("spy") between proxy and
//! sandbox so tests can count and time every upstream call, and the proxy itself, all on
//! 127.0.0.1 with port 0. Logs of every app in this binary go to one buffer so tests can
//! assert what never appears in them.

use aftership::ApiKey;
use aftership_sandbox::{RateLimits, SandboxConfig, SandboxHandle};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use trackfront_proxy::{Application, Settings};

/// One request the proxy made upstream.
#[derive(Debug, Clone)]
pub struct UpstreamCall {
    pub wall: std::time::SystemTime,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
}

/// A recording pass-through in front of the sandbox.
#[derive(Clone)]
pub struct Spy {
    calls: Arc<Mutex<Vec<UpstreamCall>>>,
    target: String,
    http: reqwest::Client,
}

impl Spy {
    async fn start(target: String) -> (Self, String) {
        let spy = Spy {
            calls: Arc::default(),
            target,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(spy.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (spy, url)
    }

    /// Every upstream call so far.
    pub fn calls(&self) -> Vec<UpstreamCall> {
        self.calls.lock().unwrap().clone()
    }

    /// Upstream calls whose method and path match (`GET`, `/trackings` = list).
    pub fn count(&self, method: &str, path_suffix: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.method == method && c.path.ends_with(path_suffix))
            .count()
    }

    /// The most calls in one Unix second, the window AfterShip (and the sandbox) count in.
    pub fn max_per_second(&self, method: &str, path_suffix: &str) -> usize {
        let mut per_second = std::collections::BTreeMap::<u64, usize>::new();
        for c in self.calls() {
            if c.method == method && c.path.ends_with(path_suffix) {
                let secs = c
                    .wall
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                *per_second.entry(secs).or_default() += 1;
            }
        }
        per_second.into_values().max().unwrap_or(0)
    }
}

async fn forward(State(spy): State<Spy>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let url = format!(
        "{}{}",
        spy.target,
        req.uri().path_and_query().map_or("", |p| p.as_str())
    );
    let index = {
        let mut calls = spy.calls.lock().unwrap();
        calls.push(UpstreamCall {
            wall: std::time::SystemTime::now(),
            method: method.to_string(),
            path,
            status: None,
        });
        calls.len() - 1
    };
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let sent = spy
        .http
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(up) = sent else {
        return Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::empty())
            .unwrap();
    };
    spy.calls.lock().unwrap()[index].status = Some(up.status().as_u16());
    let mut resp = Response::builder().status(up.status());
    for (k, v) in up.headers() {
        resp = resp.header(k, v);
    }
    // Streamed, so a body the sandbox cuts off arrives cut off.
    resp.body(Body::from_stream(up.bytes_stream())).unwrap()
}

/// A running proxy with its sandbox and spy.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub sandbox: SandboxHandle,
    pub spy: Spy,
    pub api_key: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    pub async fn tracking(&self, number: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/trackings/ecms/{number}?lang=en"))
            .await
    }

    pub async fn tracking_json(&self, number: &str) -> serde_json::Value {
        let resp = self.tracking(number).await;
        assert_eq!(resp.status(), 200, "lookup of {number}");
        resp.json().await.unwrap()
    }
}

/// The settings every test starts from: port 0, no per-client limit (tests share one IP),
/// short upstream deadlines so failures are quick.
pub fn test_settings() -> Settings {
    let mut s = Settings {
        addr: "127.0.0.1:0".parse().unwrap(),
        client_rate: 0.0,
        ..Settings::default()
    };
    s.upstream.deadline = Duration::from_secs(3);
    s.upstream.attempt_timeout = Duration::from_secs(1);
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, |_| {}).await
}

/// Starts sandbox, spy and proxy; `settings` and `sandbox` adjust the defaults.
pub async fn spawn_app_with(
    settings: impl FnOnce(&mut Settings),
    sandbox: impl FnOnce(&mut SandboxConfig),
) -> TestApp {
    init_logs();
    let api_key = format!("tf-test-key-{:016x}", rand_u64());
    let mut sandbox_config = SandboxConfig::new(ApiKey::new(api_key.clone()));
    sandbox_config.rate_limits = RateLimits::relaxed(1000);
    sandbox(&mut sandbox_config);
    let sandbox = aftership_sandbox::spawn(sandbox_config).await.unwrap();
    let (spy, spy_url) = Spy::start(sandbox.base_url()).await;
    let mut s = test_settings();
    s.api_key = Some(ApiKey::new(api_key.clone()));
    s.aftership_base_url = spy_url;
    s.auto_create = Some(true);
    settings(&mut s);
    let app = Application::build(s).await.expect("the proxy builds");
    let port = app.port();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        sandbox,
        spy,
        api_key,
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

/// Everything logged by any app in this test binary.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;
impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,reqwest=info,h2=info,tower=info")
            .with_writer(|| LogWriter)
            .with_ansi(false)
            .try_init();
    });
}

/// A scratch directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("trackfront-{name}-{:x}", rand_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
