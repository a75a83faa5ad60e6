//! State shared between proxy instances through Redis (`REDIS_URL`), so that N instances
//! behind a load balancer behave as one: the tracking cache ([`SharedCache`]), the EDD
//! prediction cache (a [`TtlCache`]), the per-IP limit ([`SharedLimiter`]), the upstream
//! budget ([`SharedBudget`]), webhook idempotency ([`Redis::first_time`]) and the fan-out of
//! updates by pub/sub ([`relay`]). Both caches store blobs with a TTL through
//! [`Redis::get_blob`] and [`Redis::put_blob`], and write through to local memory.
//!
//! Redis is an accelerator, never a dependency: every operation has a short timeout, the
//! first failure marks the link down ([`Redis::is_up`]) and from then on each instance uses
//! its own in-memory state (caches, limiter, budget, idempotency store) without waiting for
//! Redis at all. A health task pings every [`HEALTH_INTERVAL`] and marks the link up again
//! when Redis answers, so instances recover by themselves. `/readyz` and `/metrics` say which
//! mode an instance is in.
//!
//! Only browser-safe data goes to Redis: the serialised [`trackfront_types::TrackingView`]s
//! (already free of personal data), AfterShip's predicted dates per lane (warehouse,
//! country, postal prefix), service and pickup day, limiter timestamps and webhook event
//! ids. The Redis URL (which may carry a password) is never logged.

use crate::cache::{CacheStats, CachedLookup, MemoryCache, ViewCache};
use crate::events::{Events, Update};
use crate::request::LookupRequest;
use anyhow::Context as _;
use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt as _;
use futures_util::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt::Write as _;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Weak};
use std::time::{Duration, UNIX_EPOCH};
use tokio::sync::mpsc;
use trackfront_types::{CourierSlug, Lang, Tag, TrackingNumber};

/// How often the link is checked (and how soon an instance notices Redis is back).
pub const HEALTH_INTERVAL: Duration = Duration::from_millis(500);
/// The pub/sub channel of tracking updates.
const CHANNEL_SUFFIX: &str = "updates";
/// How long webhook event ids are remembered: AfterShip retries for about 2.8 days.
pub const EVENT_ID_TTL: Duration = Duration::from_secs(3 * 24 * 3600);

/// The connection to Redis and whether it currently works.
pub struct Redis {
    client: redis::Client,
    conn: ConnectionManager,
    up: AtomicBool,
    subscribed: AtomicBool,
    losses: AtomicU64,
    fallbacks: AtomicU64,
    op_timeout: Duration,
    prefix: String,
    instance: String,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Opens a lazy link (nothing is connected yet), checks it once, and starts the health
    /// task. A Redis that is down at start-up is not an error: the instance starts on its
    /// local state and switches over when Redis answers.
    ///
    /// # Errors
    /// When the URL is not a Redis URL.
    pub async fn connect(url: &str, op_timeout: Duration) -> anyhow::Result<Arc<Self>> {
        // The URL may hold a password: errors name the setting, never the value.
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("{:?}", e.kind()))
            .context("REDIS_URL is not a usable redis:// URL")?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(op_timeout))
            .set_response_timeout(Some(op_timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| anyhow::anyhow!("{:?}", e.kind()))
            .context("REDIS_URL")?;
        let id: u64 = rand::random();
        let this = Arc::new(Self {
            client,
            conn,
            up: AtomicBool::new(false),
            subscribed: AtomicBool::new(false),
            losses: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
            op_timeout,
            prefix: "trackfront:v1:".to_owned(),
            instance: format!("{id:016x}"),
        });
        if this.ping().await {
            this.up.store(true, Relaxed);
            tracing::info!("Redis connected: cache, limits, idempotency and events are shared");
        } else {
            tracing::warn!("Redis is not reachable: starting on local state, will retry");
        }
        tokio::spawn(health_loop(Arc::downgrade(&this)));
        Ok(this)
    }

    /// Whether shared state is in use right now.
    pub fn is_up(&self) -> bool {
        self.up.load(Relaxed)
    }

    /// Whether updates from other instances are being received.
    pub fn is_subscribed(&self) -> bool {
        self.subscribed.load(Relaxed)
    }

    /// Times the link was lost.
    pub fn losses(&self) -> u64 {
        self.losses.load(Relaxed)
    }

    /// Operations that used local state because Redis was unavailable.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Relaxed)
    }

    fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    async fn ping(&self) -> bool {
        let mut c = self.conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut c);
        matches!(tokio::time::timeout(self.op_timeout, ping).await, Ok(Ok(_)))
    }

    /// Runs `op` unless the link is down; a failure or timeout marks the link down. `None`
    /// means "use local state".
    pub async fn run<T, F, Fut>(&self, what: &'static str, op: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if !self.is_up() {
            self.fallbacks.fetch_add(1, Relaxed);
            return None;
        }
        match tokio::time::timeout(self.op_timeout, op(self.conn.clone())).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                self.lost(what, format!("{:?}", e.kind()));
                None
            }
            Err(_) => {
                self.lost(what, "timed out");
                None
            }
        }
    }

    fn lost(&self, what: &str, why: impl std::fmt::Display) {
        self.fallbacks.fetch_add(1, Relaxed);
        if self.up.swap(false, Relaxed) {
            self.losses.fetch_add(1, Relaxed);
            tracing::warn!(
                operation = what,
                error = %why,
                "Redis lost: using local state until it is back"
            );
        }
    }

    /// Records webhook `event_id`; `Some(true)` the first time it is seen by any instance,
    /// `None` when Redis cannot say.
    pub async fn first_time(&self, event_id: &str) -> Option<bool> {
        let key = self.key(&format!("webhook:{event_id}"));
        self.run("webhook idempotency", |mut c| async move {
            let set: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(EVENT_ID_TTL.as_secs())
                .query_async(&mut c)
                .await?;
            Ok(set.is_some())
        })
        .await
    }

    /// The blob stored under `rest` (below this deployment's prefix): `None` when Redis
    /// cannot say (use local state), `Some(None)` when no instance stored it or it expired.
    pub async fn get_blob(&self, what: &'static str, rest: &str) -> Option<Option<Vec<u8>>> {
        let key = self.key(rest);
        self.run(what, |mut c| async move {
            redis::cmd("GET")
                .arg(&key)
                .query_async::<Option<Vec<u8>>>(&mut c)
                .await
        })
        .await
    }

    /// Stores `value` under `rest` for `ttl` (at least a millisecond); `None` when Redis is
    /// unavailable.
    pub async fn put_blob(
        &self,
        what: &'static str,
        rest: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Option<()> {
        let key = self.key(rest);
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.run(what, |mut c| async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("PX")
                .arg(ttl_ms)
                .query_async(&mut c)
                .await
        })
        .await
    }

    /// The Prometheus lines about the link.
    pub fn render_metrics(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP trackfront_redis_up 1 while shared state (Redis) is in use, 0 while this instance runs on local state.\n# TYPE trackfront_redis_up gauge\ntrackfront_redis_up {}",
            u8::from(self.is_up())
        );
        let _ = writeln!(
            out,
            "# HELP trackfront_redis_subscribed 1 while updates from other instances arrive (Redis pub/sub).\n# TYPE trackfront_redis_subscribed gauge\ntrackfront_redis_subscribed {}",
            u8::from(self.is_subscribed())
        );
        let _ = writeln!(
            out,
            "# HELP trackfront_redis_losses_total Times the Redis link was lost.\n# TYPE trackfront_redis_losses_total counter\ntrackfront_redis_losses_total {}",
            self.losses()
        );
        let _ = writeln!(
            out,
            "# HELP trackfront_redis_fallbacks_total Operations served from local state because Redis was unavailable.\n# TYPE trackfront_redis_fallbacks_total counter\ntrackfront_redis_fallbacks_total {}",
            self.fallbacks()
        );
    }
}

async fn health_loop(link: Weak<Redis>) {
    loop {
        tokio::time::sleep(HEALTH_INTERVAL).await;
        let Some(r) = link.upgrade() else { return };
        let ok = r.ping().await;
        if ok && !r.up.swap(true, Relaxed) {
            tracing::info!("Redis is back: shared state in use again");
        } else if !ok && r.up.swap(false, Relaxed) {
            r.losses.fetch_add(1, Relaxed);
            tracing::warn!("Redis lost (no answer to PING): using local state until it is back");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Cache

/// A [`ViewCache`] in Redis, with a local [`MemoryCache`] that is written through (so an
/// instance that loses Redis still has what it recently served) and read only while Redis
/// is unavailable.
pub struct SharedCache {
    redis: Arc<Redis>,
    local: MemoryCache,
    retention: Duration,
}

impl SharedCache {
    /// Wraps `local` with Redis; entries live in Redis for `retention`.
    pub fn new(redis: Arc<Redis>, local: MemoryCache, retention: Duration) -> Self {
        Self {
            redis,
            local,
            retention: retention.max(Duration::from_secs(1)),
        }
    }

    fn key(k: &LookupRequest) -> String {
        format!(
            "cache:{}:{}:{}",
            k.slug.as_str(),
            k.number.as_str(),
            k.lang.as_ref().map_or("", |l| l.as_str())
        )
    }

    /// The entry in Redis: `Some(None)` when Redis holds none (or one this version cannot
    /// read), `None` when Redis is unavailable, so that the caller falls back to memory.
    async fn remote(&self, key: &LookupRequest) -> Option<Option<CachedLookup>> {
        let raw = self.redis.get_blob("cache get", &Self::key(key)).await?;
        Some(raw.as_deref().and_then(decode_entry))
    }
}

/// `1 <fetched_at ms> <tag|-> <found 0|1>\n<view JSON>`.
fn encode_entry(e: &CachedLookup) -> Bytes {
    let ms = e
        .fetched_at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let tag = e.tag.map_or("-", Tag::as_str);
    let body = e.body.as_deref().unwrap_or_default();
    let head = format!("1 {ms} {tag} {}\n", u8::from(e.body.is_some()));
    let mut out = BytesMut::with_capacity(head.len() + body.len());
    out.put_slice(head.as_bytes());
    out.put_slice(body);
    out.freeze()
}

fn decode_entry(raw: &[u8]) -> Option<CachedLookup> {
    let nl = raw.iter().position(|b| *b == b'\n')?;
    let head = std::str::from_utf8(&raw[..nl]).ok()?;
    let mut parts = head.split(' ');
    if parts.next()? != "1" {
        return None;
    }
    let ms: u64 = parts.next()?.parse().ok()?;
    let tag = match parts.next()? {
        "-" => None,
        t => Some(Tag::from_wire(t)),
    };
    let found = parts.next()? == "1";
    Some(CachedLookup {
        body: found.then(|| Bytes::copy_from_slice(&raw[nl + 1..])),
        tag,
        fetched_at: UNIX_EPOCH + Duration::from_millis(ms),
    })
}

impl ViewCache for SharedCache {
    fn get<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>> {
        Box::pin(async move {
            match self.remote(key).await {
                Some(entry) => {
                    if let Some(e) = &entry {
                        self.local.put(key.clone(), e.clone()).await;
                    }
                    entry
                }
                None => self.local.get(key).await,
            }
        })
    }

    fn peek<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>> {
        Box::pin(async move {
            match self.remote(key).await {
                Some(entry) => entry,
                None => self.local.peek(key).await,
            }
        })
    }

    fn put(&self, key: LookupRequest, value: CachedLookup) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let k = Self::key(&key);
            let raw = encode_entry(&value);
            self.local.put(key, value).await;
            let _ = self
                .redis
                .put_blob("cache put", &k, &raw, self.retention)
                .await;
        })
    }

    fn stats(&self) -> CacheStats {
        self.local.stats()
    }
}

// ---------------------------------------------------------------------------------------
// Small TTL caches (EDD predictions)

/// A value a [`TtlCache`] can keep in Redis: a versioned, compact encoding, and a decoder
/// that re-validates (anything another version wrote decodes to `None`, a miss).
pub trait SharedValue: Clone + Send + Sync + 'static {
    /// The bytes stored in Redis.
    fn encode(&self) -> Vec<u8>;
    /// The value back, or `None` for bytes this version does not understand.
    fn decode(raw: &[u8]) -> Option<Self>;
}

/// A bounded cache of `V` under string keys, entries living `ttl`. Alone it is local
/// memory; [`TtlCache::shared`] puts it in Redis under `<prefix><namespace>:<key>`, like
/// [`SharedCache`]: local memory is written through (so an instance that loses Redis still
/// has what it recently saw) and read only while Redis is unavailable.
pub struct TtlCache<V> {
    redis: Option<Arc<Redis>>,
    namespace: &'static str,
    local: moka::future::Cache<String, V>,
    ttl: Duration,
}

impl<V> std::fmt::Debug for TtlCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("namespace", &self.namespace)
            .field("shared", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

impl<V: SharedValue> TtlCache<V> {
    /// A local cache of at most `capacity` entries, each kept for `ttl`; `namespace` names
    /// its keys once shared.
    pub fn new(namespace: &'static str, capacity: u64, ttl: Duration) -> Self {
        let ttl = ttl.max(Duration::from_millis(1));
        Self {
            redis: None,
            namespace,
            local: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            ttl,
        }
    }

    /// The same cache, shared with every instance on `redis`.
    #[must_use]
    pub fn shared(mut self, redis: Arc<Redis>) -> Self {
        self.redis = Some(redis);
        self
    }

    /// Whether entries go to Redis (when it is up).
    pub fn is_shared(&self) -> bool {
        self.redis.is_some()
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    /// The entry for `key`, from Redis when it can say, else from local memory.
    pub async fn get(&self, key: &str) -> Option<V> {
        let Some(redis) = &self.redis else {
            return self.local.get(key).await;
        };
        match redis.get_blob("ttl cache get", &self.redis_key(key)).await {
            Some(Some(raw)) => {
                let value = V::decode(&raw)?;
                self.local.insert(key.to_owned(), value.clone()).await;
                Some(value)
            }
            Some(None) => None,
            None => self.local.get(key).await,
        }
    }

    /// Stores `value` under `key`, locally and (when shared and up) in Redis.
    pub async fn insert(&self, key: String, value: V) {
        let remote = self
            .redis
            .as_ref()
            .map(|redis| (redis, self.redis_key(&key), value.encode()));
        self.local.insert(key, value).await;
        if let Some((redis, redis_key, raw)) = remote {
            let _ = redis
                .put_blob("ttl cache put", &redis_key, &raw, self.ttl)
                .await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Per-IP limit and upstream budget (GCRA / spacing in Lua, on Redis's clock)

/// GCRA on Redis time: KEYS[1] the client, ARGV[1] interval µs, ARGV[2] tolerance µs.
/// Returns 0 when admitted, else the µs to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow_at = tat - tonumber(ARGV[2])
if now < allow_at then return allow_at - now end
local new = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1000)
return 0
";

/// The per-client GCRA shared by all instances (same parameters as the local
/// [`crate::ratelimit::ClientLimiter`], which keeps working alongside and alone when Redis
/// is lost).
pub struct SharedLimiter {
    redis: Arc<Redis>,
    interval_us: u64,
    tolerance_us: u64,
    script: redis::Script,
}

impl SharedLimiter {
    /// `rate` requests per second with a burst of `burst`; `None` when `rate` is 0 (off).
    pub fn new(redis: Arc<Redis>, rate: f64, burst: u32) -> Option<Self> {
        if rate <= 0.0 {
            return None;
        }
        let interval = Duration::from_secs_f64(1.0 / rate);
        Some(Self {
            redis,
            interval_us: u64::try_from(interval.as_micros()).unwrap_or(u64::MAX),
            tolerance_us: u64::try_from((interval * burst.saturating_sub(1)).as_micros())
                .unwrap_or(u64::MAX),
            script: redis::Script::new(GCRA),
        })
    }

    /// `Ok` when admitted (or when Redis cannot say), `Err(retry_after)` when over.
    ///
    /// # Errors
    /// The wait when the client is over its shared limit.
    pub async fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let key = self
            .redis
            .key(&format!("limit:{}", crate::ratelimit::limit_key(ip)));
        let wait = self
            .redis
            .run("rate limit", |mut c| async move {
                self.script
                    .key(&key)
                    .arg(self.interval_us)
                    .arg(self.tolerance_us)
                    .invoke_async::<u64>(&mut c)
                    .await
            })
            .await;
        match wait {
            Some(us) if us > 0 => Err(Duration::from_micros(us)),
            _ => Ok(()),
        }
    }
}

/// Evenly spaced slots on Redis time: KEYS[1] the endpoint, ARGV[1] interval µs, ARGV[2]
/// the longest acceptable wait µs. Returns the wait in µs for a reserved slot, or -1 (no
/// slot reserved) when it would be longer than allowed.
const SPACING: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nf = tonumber(redis.call('GET', KEYS[1]) or '0')
if nf < now then nf = now end
local wait = nf - now
if wait > tonumber(ARGV[2]) then return -1 end
redis.call('SET', KEYS[1], string.format('%.0f', nf + tonumber(ARGV[1])), 'PX', 60000)
return wait
";

/// The upstream budget shared by all instances: N calls per window per endpoint, evenly
/// spaced, on Redis's clock. Used after the local budget admitted a call; when Redis is
/// unavailable it admits at once (the local budget alone applies).
pub struct SharedBudget {
    redis: Arc<Redis>,
    script: redis::Script,
}

impl SharedBudget {
    /// The budget on `redis`.
    pub fn new(redis: Arc<Redis>) -> Self {
        Self {
            redis,
            script: redis::Script::new(SPACING),
        }
    }

    /// Waits for the shared slot of `endpoint` (one every `interval`), giving up when it
    /// would come after `deadline`.
    ///
    /// # Errors
    /// A suggested `Retry-After` when the slot would be too late.
    pub async fn acquire(
        &self,
        endpoint: &str,
        interval: Duration,
        deadline: tokio::time::Instant,
    ) -> Result<(), Duration> {
        let max_wait = deadline.saturating_duration_since(tokio::time::Instant::now());
        let key = self.redis.key(&format!("budget:{endpoint}"));
        let wait = self
            .redis
            .run("upstream budget", |mut c| async move {
                self.script
                    .key(&key)
                    .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
                    .arg(u64::try_from(max_wait.as_micros()).unwrap_or(u64::MAX))
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match wait {
            Some(us) if us < 0 => Err(max_wait.max(interval)),
            Some(us) => {
                tokio::time::sleep(Duration::from_micros(us.unsigned_abs())).await;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Events by pub/sub

/// `1\n<instance>\n<slug>\n<number>\n<lang>\n<view JSON>`.
fn encode_update(instance: &str, u: &Update) -> Vec<u8> {
    let mut out = format!(
        "1\n{instance}\n{}\n{}\n{}\n",
        u.key.slug.as_str(),
        u.key.number.as_str(),
        u.key.lang.as_ref().map_or("", |l| l.as_str())
    )
    .into_bytes();
    out.extend_from_slice(&u.view);
    out
}

/// Parses a relayed update (re-validating every part); `None` for our own messages and for
/// anything malformed.
fn decode_update(me: &str, raw: &[u8]) -> Option<Update> {
    let mut parts = raw.splitn(6, |b| *b == b'\n');
    let mut text = || std::str::from_utf8(parts.next()?).ok();
    if text()? != "1" || text()? == me {
        return None;
    }
    let slug = CourierSlug::parse(text()?).ok()?;
    let number = TrackingNumber::parse(text()?).ok()?;
    let lang = match text()? {
        "" => None,
        l => Some(Lang::parse(l).ok()?),
    };
    let view = Bytes::copy_from_slice(parts.next()?);
    Some(Update {
        key: LookupRequest { slug, number, lang },
        view,
    })
}

/// Connects `events` to the other instances: updates published here are sent to Redis
/// (the returned sender is the relay to give to [`Events::with_relay`]), and updates that
/// other instances publish are delivered to local subscribers. Both directions reconnect
/// by themselves; while Redis is unavailable, updates stay local.
pub fn relay(redis: &Arc<Redis>, events: &Events) -> mpsc::Sender<Update> {
    let (tx, mut rx) = mpsc::channel::<Update>(1024);
    let link = Arc::downgrade(redis);
    let channel = redis.key(CHANNEL_SUFFIX);
    let ch = channel.clone();
    tokio::spawn(async move {
        while let Some(update) = rx.recv().await {
            let Some(r) = link.upgrade() else { return };
            let payload = encode_update(&r.instance, &update);
            let ch = ch.clone();
            let _: Option<i64> = r
                .run("publish", |mut c| async move {
                    redis::cmd("PUBLISH")
                        .arg(&ch)
                        .arg(payload)
                        .query_async(&mut c)
                        .await
                })
                .await;
        }
    });
    tokio::spawn(subscribe_loop(
        Arc::downgrade(redis),
        channel,
        events.clone(),
    ));
    tx
}

async fn subscribe_loop(link: Weak<Redis>, channel: String, events: Events) {
    loop {
        let Some(r) = link.upgrade() else { return };
        let client = r.client.clone();
        let instance = r.instance.clone();
        let timeout = r.op_timeout;
        let connected = tokio::time::timeout(timeout, async {
            let mut ps = client.get_async_pubsub().await?;
            ps.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(ps)
        })
        .await;
        if let Ok(Ok(ps)) = connected {
            tracing::debug!("subscribed to tracking updates from other instances");
            r.subscribed.store(true, Relaxed);
            let mut messages = ps.into_on_message();
            // Only a weak link is held while waiting, so dropping the app ends the loop.
            drop(r);
            while let Some(msg) = messages.next().await {
                if let Some(update) = decode_update(&instance, msg.get_payload_bytes()) {
                    events.deliver_remote(update);
                }
            }
            tracing::warn!("the Redis subscription ended; reconnecting");
            if let Some(r) = link.upgrade() {
                r.subscribed.store(false, Relaxed);
            }
        } else {
            drop(r);
        }
        tokio::time::sleep(HEALTH_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(lang: Option<&str>) -> LookupRequest {
        LookupRequest {
            slug: CourierSlug::ecms(),
            number: TrackingNumber::parse("ECMS0002TRANSIT").unwrap(),
            lang: lang.map(|l| Lang::parse(l).unwrap()),
        }
    }

    #[test]
    fn cache_entries_round_trip_found_and_not_found() {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        for entry in [
            CachedLookup {
                body: Some(Bytes::from_static(b"{\"a\":\"x\ny\"}")),
                tag: Some(Tag::InTransit),
                fetched_at: at,
            },
            CachedLookup {
                body: None,
                tag: None,
                fetched_at: at,
            },
        ] {
            assert_eq!(decode_entry(&encode_entry(&entry)), Some(entry));
        }
        assert_eq!(decode_entry(b"2 1 - 0\n"), None);
        assert_eq!(decode_entry(b"garbage"), None);
    }

    #[test]
    fn relayed_updates_round_trip_and_own_messages_are_ignored() {
        let u = Update {
            key: key(Some("de")),
            view: Bytes::from_static(b"{\"tag\":\"InTransit\"}"),
        };
        let raw = encode_update("aaaa", &u);
        let back = decode_update("bbbb", &raw).unwrap();
        assert_eq!(back.key, u.key);
        assert_eq!(back.view, u.view);
        assert!(decode_update("aaaa", &raw).is_none(), "own message");
        let no_lang = Update {
            key: key(None),
            view: Bytes::new(),
        };
        assert_eq!(
            decode_update("b", &encode_update("a", &no_lang))
                .unwrap()
                .key,
            no_lang.key
        );
        assert!(decode_update("b", b"1\na\nEC MS\nX\n\n{}").is_none());
    }
}
