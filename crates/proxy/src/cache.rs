//! The tracking cache: a small interface ([`ViewCache`]) so that a shared (Redis) store can
//! replace the in-memory one, the in-memory implementation ([`MemoryCache`], `quick_cache`
//! with a byte weigher, so memory stays bounded), and the freshness policy ([`CachePolicy`]),
//! which lives here rather than in the store so every backend ages entries the same way.
//!
//! An entry holds the *serialised* browser-safe view (already PII-free, so a shared cache
//! never holds personal data) plus the tag and the time it was fetched; wall-clock time is
//! used so entries stay meaningful across instances. In memory the JSON is held
//! [`packed`] (about half the bytes); a hit unpacks it, unless a small memo of recently
//! served bodies still holds it unpacked.

use crate::config::CacheSettings;
use crate::packed;
use crate::request::LookupRequest;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use trackfront_types::Tag;

/// The cached outcome of one lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedLookup {
    /// The JSON of the [`trackfront_types::TrackingView`] (with `stale: false`), or `None`
    /// when AfterShip does not know the tracking.
    pub body: Option<Bytes>,
    /// The tracking's tag (drives freshness).
    pub tag: Option<Tag>,
    /// When it was fetched from the upstream.
    pub fetched_at: SystemTime,
}

/// Size figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CacheStats {
    /// Entries held.
    pub entries: u64,
    /// Approximate bytes held.
    pub bytes: u64,
}

/// A store of cached lookups. Implementations must be cheap to call concurrently; they do
/// not decide freshness (see [`CachePolicy`]) but may drop entries early (memory pressure)
/// and must drop them after [`CachePolicy::retention`].
pub trait ViewCache: Send + Sync + 'static {
    /// The entry for `key`, if held.
    fn get<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>>;
    /// The entry for `key`, read to compare it with a newer one rather than to serve it:
    /// unlike [`ViewCache::get`] it leaves nothing behind (no unpacked copy, no local copy of
    /// a shared entry), since the entry is about to be replaced.
    fn peek<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>>;
    /// Stores (or replaces) the entry for `key`.
    fn put(&self, key: LookupRequest, value: CachedLookup) -> BoxFuture<'_, ()>;
    /// Size figures.
    fn stats(&self) -> CacheStats;
}

/// Bytes an entry costs the process beyond its key and packed body: the slot in the cache's
/// table and slab, the [`Stored`] itself, the body's shared header and the allocator's
/// rounding. Measured, not guessed: with jemalloc (the binary's allocator), a fill of
/// 100,000 Pending trackings grew RSS by 373 B per entry whose key and packed body weigh
/// about 205 B, so `TRACKFRONT_CACHE_MB` bounds real memory.
const ENTRY_OVERHEAD: u64 = 170;

/// What the in-memory cache holds for a [`CachedLookup`]: the body [`packed`], in one
/// shared allocation, so a hit clones a pointer (and unpacks it, unless
/// [`MemoryCache::unpacked`] still holds it unpacked).
#[derive(Debug, Clone)]
struct Stored {
    packed: Option<Arc<[u8]>>,
    tag: Option<Tag>,
    fetched_at: SystemTime,
}

impl Stored {
    fn pack(value: &CachedLookup) -> Self {
        Self {
            packed: value.body.as_deref().map(packed::pack),
            tag: value.tag,
            fetched_at: value.fetched_at,
        }
    }

    /// The lookup this entry holds, given its body unpacked.
    fn lookup(&self, body: Option<Bytes>) -> CachedLookup {
        CachedLookup {
            body,
            tag: self.tag,
            fetched_at: self.fetched_at,
        }
    }
}

/// Weighs an entry by the bytes it holds.
#[derive(Debug, Clone, Copy)]
struct ByBytes;

impl quick_cache::Weighter<Box<str>, Stored> for ByBytes {
    fn weight(&self, key: &Box<str>, value: &Stored) -> u64 {
        let body = value.packed.as_ref().map_or(0, |p| p.len());
        (key.len() + body) as u64 + ENTRY_OVERHEAD
    }
}

/// The in-memory [`ViewCache`]: `quick_cache` (S3-FIFO-like eviction), weighted by bytes.
///
/// Built for a small footprint per entry, since a shop's proxy may hold 100,000 trackings:
/// the key is one compact string (`slug`, number and language in one allocation) rather
/// than three, and entries carry no per-entry timers. Entries older than the retention are
/// dropped when they are next read (they are never served: the [`CachePolicy`] classifies
/// them expired), and by eviction under memory pressure; the byte budget is the bound.
pub struct MemoryCache {
    inner: quick_cache::sync::Cache<Box<str>, Stored, ByBytes>,
    /// Recently served bodies, unpacked, each with the packed buffer it came from: a hit
    /// uses one only while that exact buffer is still the entry's (a refresh replaces the
    /// buffer, so a stale body can never be served), and popular trackings skip
    /// [`packed::unpack`], which costs a few microseconds for a long timeline.
    unpacked: quick_cache::sync::Cache<Box<str>, Unpacked, ByUnpackedBytes>,
    retention: Duration,
}

/// An entry of [`MemoryCache::unpacked`]: the packed buffer and what it unpacks to.
#[derive(Debug, Clone)]
struct Unpacked {
    from: Arc<[u8]>,
    body: Bytes,
}

/// Weighs an [`Unpacked`] by both of its buffers.
#[derive(Debug, Clone, Copy)]
struct ByUnpackedBytes;

impl quick_cache::Weighter<Box<str>, Unpacked> for ByUnpackedBytes {
    fn weight(&self, key: &Box<str>, value: &Unpacked) -> u64 {
        (key.len() + value.from.len() + value.body.len()) as u64 + ENTRY_OVERHEAD
    }
}

/// The share of the byte budget that [`MemoryCache::unpacked`] takes (from the budget, not
/// on top of it), up to [`MAX_UNPACKED_BYTES`].
const UNPACKED_SHARE: u64 = 32;
/// Enough for the few hundred trackings a busy shop serves again and again.
const MAX_UNPACKED_BYTES: u64 = 2 * 1024 * 1024;

impl MemoryCache {
    /// A cache of at most `max_bytes` (approximately) keeping entries for `retention`.
    pub fn new(max_bytes: u64, retention: Duration) -> Self {
        // The item estimate only sizes the eviction bookkeeping; nothing is preallocated.
        let estimated_items = usize::try_from(max_bytes / 512)
            .unwrap_or(usize::MAX)
            .max(16);
        let unpacked_bytes = (max_bytes / UNPACKED_SHARE).min(MAX_UNPACKED_BYTES);
        Self {
            inner: quick_cache::sync::Cache::with_weighter(
                estimated_items,
                max_bytes - unpacked_bytes,
                ByBytes,
            ),
            unpacked: quick_cache::sync::Cache::with_weighter(
                usize::try_from(unpacked_bytes / 2048).unwrap_or(16).max(16),
                unpacked_bytes,
                ByUnpackedBytes,
            ),
            retention: retention.max(Duration::from_secs(1)),
        }
    }

    /// The entry under `k`, unless it is past the retention (then it is dropped).
    fn retained(&self, k: &str) -> Option<Stored> {
        let entry = self.inner.get(k)?;
        let age = SystemTime::now()
            .duration_since(entry.fetched_at)
            .unwrap_or_default();
        if age >= self.retention {
            self.inner.remove(k);
            return None;
        }
        Some(entry)
    }

    fn get_now(&self, key: &LookupRequest) -> Option<CachedLookup> {
        let k = compact_key(key);
        let entry = self.retained(&k)?;
        let Some(packed) = &entry.packed else {
            return Some(entry.lookup(None));
        };
        if let Some(hit) = self.unpacked.get(k.as_str())
            && Arc::ptr_eq(&hit.from, packed)
        {
            return Some(entry.lookup(Some(hit.body)));
        }
        let body = Bytes::from(packed::unpack(packed));
        let memo = Unpacked {
            from: Arc::clone(packed),
            body: body.clone(),
        };
        self.unpacked.insert(k.into_boxed_str(), memo);
        Some(entry.lookup(Some(body)))
    }
}

/// `slug`, number and language joined by a newline, which none of them may contain.
fn compact_key(key: &LookupRequest) -> String {
    let (slug, number) = (key.slug.as_str(), key.number.as_str());
    let lang = key.lang.as_ref().map_or("", |l| l.as_str());
    let mut k = String::with_capacity(slug.len() + number.len() + lang.len() + 2);
    for (i, part) in [slug, number, lang].into_iter().enumerate() {
        if i > 0 {
            k.push('\n');
        }
        k.push_str(part);
    }
    k
}

impl ViewCache for MemoryCache {
    fn get<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>> {
        Box::pin(std::future::ready(self.get_now(key)))
    }

    fn peek<'a>(&'a self, key: &'a LookupRequest) -> BoxFuture<'a, Option<CachedLookup>> {
        let entry = self.retained(&compact_key(key)).map(|e| {
            let body = e.packed.as_deref().map(|p| Bytes::from(packed::unpack(p)));
            e.lookup(body)
        });
        Box::pin(std::future::ready(entry))
    }

    fn put(&self, key: LookupRequest, value: CachedLookup) -> BoxFuture<'_, ()> {
        self.inner
            .insert(compact_key(&key).into_boxed_str(), Stored::pack(&value));
        Box::pin(std::future::ready(()))
    }

    fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.inner.len() as u64,
            bytes: self.inner.weight() + self.unpacked.weight(),
        }
    }
}

/// How old an entry is, in terms of what may be done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Serve it.
    Fresh,
    /// Serve it marked stale at once, and refresh it in the background.
    StaleWhileRevalidate,
    /// Refresh first; serve it marked stale only if the refresh fails.
    StaleIfError,
    /// Too old to serve at all.
    Expired,
}

/// Freshness windows by tag: short while a parcel moves, long once it is final.
#[derive(Debug, Clone)]
pub struct CachePolicy {
    settings: CacheSettings,
}

impl CachePolicy {
    /// The policy of these settings.
    pub fn new(settings: CacheSettings) -> Self {
        Self { settings }
    }

    /// How long an entry with this outcome is fresh.
    pub fn ttl(&self, entry: &CachedLookup) -> Duration {
        match (&entry.body, entry.tag) {
            (None, _) => self.settings.ttl_not_found,
            (Some(_), Some(tag)) if tag.is_final() => self.settings.ttl_final,
            (Some(_), _) => self.settings.ttl_active,
        }
    }

    /// Classifies `entry` at `now`. "Not found" is never served stale.
    pub fn classify(&self, entry: &CachedLookup, now: SystemTime) -> Freshness {
        // A clock that went backwards makes an entry look new, which is harmless.
        let age = now.duration_since(entry.fetched_at).unwrap_or_default();
        let ttl = self.ttl(entry);
        if age < ttl {
            Freshness::Fresh
        } else if entry.body.is_none() {
            Freshness::Expired
        } else if age < ttl + self.settings.stale_while_revalidate {
            Freshness::StaleWhileRevalidate
        } else if age < ttl + self.settings.stale_if_error {
            Freshness::StaleIfError
        } else {
            Freshness::Expired
        }
    }

    /// How long a store must keep entries at least (the longest useful age).
    pub fn retention(&self) -> Duration {
        let s = &self.settings;
        let ttl = s.ttl_active.max(s.ttl_final).max(s.ttl_not_found);
        ttl + s.stale_while_revalidate.max(s.stale_if_error)
    }

    /// The memory budget.
    pub fn max_bytes(&self) -> u64 {
        self.settings.max_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::{CourierSlug, TrackingNumber};

    fn policy() -> CachePolicy {
        CachePolicy::new(CacheSettings {
            ttl_active: Duration::from_secs(60),
            ttl_final: Duration::from_secs(3600),
            ttl_not_found: Duration::from_secs(10),
            stale_while_revalidate: Duration::from_secs(30),
            stale_if_error: Duration::from_secs(600),
            max_bytes: 1 << 20,
        })
    }

    fn entry(tag: Option<Tag>, found: bool, age_secs: u64) -> (CachedLookup, SystemTime) {
        let fetched_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let e = CachedLookup {
            body: found.then(|| Bytes::from_static(b"{}")),
            tag,
            fetched_at,
        };
        (e, fetched_at + Duration::from_secs(age_secs))
    }

    #[test]
    fn moving_parcels_age_fast_and_final_ones_slowly() {
        let p = policy();
        let cases = [
            (Some(Tag::InTransit), 59, Freshness::Fresh),
            (Some(Tag::InTransit), 60, Freshness::StaleWhileRevalidate),
            (Some(Tag::InTransit), 89, Freshness::StaleWhileRevalidate),
            (Some(Tag::InTransit), 90, Freshness::StaleIfError),
            (Some(Tag::InTransit), 660, Freshness::Expired),
            (Some(Tag::Delivered), 3599, Freshness::Fresh),
            (Some(Tag::Expired), 3600, Freshness::StaleWhileRevalidate),
            (None, 59, Freshness::Fresh),
        ];
        for (tag, age, want) in cases {
            let (e, now) = entry(tag, true, age);
            assert_eq!(p.classify(&e, now), want, "{tag:?} at {age}s");
        }
    }

    #[test]
    fn not_found_is_remembered_briefly_and_never_served_stale() {
        let p = policy();
        let (e, now) = entry(None, false, 9);
        assert_eq!(p.classify(&e, now), Freshness::Fresh);
        let (e, now) = entry(None, false, 10);
        assert_eq!(p.classify(&e, now), Freshness::Expired);
    }

    #[test]
    fn retention_covers_the_longest_stale_window() {
        assert_eq!(policy().retention(), Duration::from_secs(3600 + 600));
    }

    #[tokio::test]
    async fn memory_cache_stays_within_its_byte_budget() {
        let cache = MemoryCache::new(64 * 1024, Duration::from_secs(60));
        let body = Bytes::from(vec![b'x'; 1000]);
        for i in 0..500 {
            let key = LookupRequest {
                slug: CourierSlug::ecms(),
                number: TrackingNumber::parse(&format!("EC{i:06}")).unwrap(),
                lang: None,
            };
            let value = CachedLookup {
                body: Some(body.clone()),
                tag: Some(Tag::InTransit),
                fetched_at: SystemTime::now(),
            };
            cache.put(key.clone(), value).await;
            // Reading memoises the body unpacked, which must fit in the same budget.
            assert!(cache.get(&key).await.is_some());
        }
        let stats = cache.stats();
        assert!(stats.bytes <= 64 * 1024, "{stats:?}");
        assert!(stats.entries > 0 && stats.entries < 500, "{stats:?}");
    }

    /// A 1 MiB cache keeping entries for a minute, and the key of one tracking.
    fn small_cache_and_key() -> (MemoryCache, LookupRequest) {
        let key = LookupRequest {
            slug: CourierSlug::ecms(),
            number: TrackingNumber::parse("EC000001").unwrap(),
            lang: None,
        };
        (MemoryCache::new(1 << 20, Duration::from_secs(60)), key)
    }

    #[tokio::test]
    async fn memory_cache_forgets_entries_older_than_the_retention() {
        let (cache, key) = small_cache_and_key();
        let at = |age: u64| CachedLookup {
            body: Some(Bytes::from_static(b"{}")),
            tag: Some(Tag::InTransit),
            fetched_at: SystemTime::now() - Duration::from_secs(age),
        };
        cache.put(key.clone(), at(59)).await;
        assert!(cache.get(&key).await.is_some());
        cache.put(key.clone(), at(61)).await;
        assert!(cache.get(&key).await.is_none());
        assert_eq!(cache.stats().entries, 0, "the expired entry is dropped");
    }

    #[tokio::test]
    async fn memory_cache_keys_by_language_too() {
        let cache = MemoryCache::new(1 << 20, Duration::from_secs(60));
        let key = |lang: Option<&str>| LookupRequest {
            slug: CourierSlug::ecms(),
            number: TrackingNumber::parse("EC000001").unwrap(),
            lang: lang.map(|l| trackfront_types::Lang::parse(l).unwrap()),
        };
        let value = CachedLookup {
            body: Some(Bytes::from_static(b"{}")),
            tag: None,
            fetched_at: SystemTime::now(),
        };
        cache.put(key(Some("de")), value).await;
        assert!(cache.get(&key(Some("de"))).await.is_some());
        assert!(cache.get(&key(None)).await.is_none());
        assert!(cache.get(&key(Some("fr"))).await.is_none());
    }

    #[tokio::test]
    async fn a_refreshed_view_is_served_although_the_old_one_was_memoised_unpacked() {
        let (cache, key) = small_cache_and_key();
        let value = |json: &'static str| CachedLookup {
            body: Some(Bytes::from_static(json.as_bytes())),
            tag: Some(Tag::InTransit),
            fetched_at: SystemTime::now(),
        };
        let body = |e: Option<CachedLookup>| e.and_then(|e| e.body).unwrap();
        cache
            .put(key.clone(), value(r#"{"tag":"InTransit"}"#))
            .await;
        assert_eq!(body(cache.get(&key).await), r#"{"tag":"InTransit"}"#);
        assert_eq!(body(cache.get(&key).await), r#"{"tag":"InTransit"}"#);
        cache
            .put(key.clone(), value(r#"{"tag":"Delivered"}"#))
            .await;
        assert_eq!(body(cache.get(&key).await), r#"{"tag":"Delivered"}"#);
    }

    #[tokio::test]
    async fn comparing_a_refresh_with_the_cached_view_memoised_the_old_body() {
        let (cache, key) = small_cache_and_key();
        let body = Bytes::from_static(br#"{"tag":"InTransit"}"#);
        cache
            .put(
                key.clone(),
                CachedLookup {
                    body: Some(body.clone()),
                    tag: Some(Tag::InTransit),
                    fetched_at: SystemTime::now(),
                },
            )
            .await;
        let peeked = cache.peek(&key).await.and_then(|e| e.body);
        assert_eq!(peeked, Some(body));
        assert_eq!(
            cache.unpacked.len(),
            0,
            "a peek must not fill the memo of served bodies"
        );
        cache.get(&key).await;
        assert_eq!(cache.unpacked.len(), 1, "a served body is memoised");
    }

    fn rss_bytes() -> u64 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: u64 = statm
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        pages * 4096
    }

    /// The benchmark's memory question in miniature: what 100,000 cached Pending views
    /// cost. Run with `cargo test -p trackfront-proxy --lib -- --ignored --nocapture`.
    #[tokio::test]
    #[ignore = "a measurement, not a check"]
    async fn memory_of_100k_cached_views() {
        let cache = MemoryCache::new(64 * 1024 * 1024, Duration::from_secs(3600));
        let before = rss_bytes();
        let mut body_bytes = 0;
        for i in 0..100_000 {
            let number = TrackingNumber::parse(&format!("ECBENCH{i:08}")).unwrap();
            let view = trackfront_types::TrackingView {
                tracking_number: number.clone(),
                slug: CourierSlug::ecms(),
                courier_name: Some("ECMS International Logistics Co., Ltd.".into()),
                tag: Tag::Pending,
                subtag: Some("Pending_001".into()),
                subtag_message: Some("Pending".into()),
                progress: None,
                origin_country: None,
                destination_country: None,
                checkpoints: Vec::new(),
                estimated_delivery: None,
                updated_at: Some("2026-11-27T10:00:00+00:00".into()),
                stale: false,
            };
            let mut json = serde_json::to_vec(&view).unwrap();
            json.shrink_to_fit();
            let body = Bytes::from(json);
            body_bytes += body.len();
            let key = LookupRequest {
                slug: CourierSlug::ecms(),
                number,
                lang: trackfront_types::Lang::parse("en").ok(),
            };
            cache
                .put(
                    key,
                    CachedLookup {
                        body: Some(body),
                        tag: Some(Tag::Pending),
                        fetched_at: SystemTime::now(),
                    },
                )
                .await;
        }
        let after = rss_bytes();
        eprintln!(
            "100k views: {} entries, {} bytes of JSON, weighed {} bytes, RSS +{} MiB (total {} MiB)",
            cache.stats().entries,
            body_bytes,
            cache.stats().bytes,
            (after - before) / (1024 * 1024),
            after / (1024 * 1024)
        );
    }
}
