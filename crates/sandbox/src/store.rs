//! The in-memory store of trackings and the state shared by every request: clock, faults,
//! rate-limit windows and the webhook queue.

use crate::clock::{Clock, parse_datetime, utc_datetime};
use crate::demo::{demo_records, record};
use crate::faults::Faults;
use crate::http::ApiError;
use crate::journey::{self, Record};
use crate::webhook::Webhooks;
use crate::{RateLimits, SandboxConfig};
use aftership::model::{
    Checkpoint, CreateTrackingRequest, ListTrackingsQuery, MarkCompletedRequest, Pagination,
    Tracking, TrackingList, UpdateTrackingRequest,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;
use trackfront_types::Tag;

/// Most times a tracking may be retracked.
pub(crate) const MAX_RETRACKS: u32 = 3;

/// The trackings and the clock, behind one lock so a view is always consistent.
pub(crate) struct Data {
    pub clock: Clock,
    /// By creation sequence.
    pub records: BTreeMap<u64, Record>,
    /// Sequences by tracking number (one number may exist under several couriers), so a
    /// lookup by number does not scan every record: load tests hold 100,000 of them.
    by_number: HashMap<String, Vec<u64>>,
    next_seq: u64,
    seed: u64,
}

/// Everything shared by the handlers, the handle and the webhook worker.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    data: Mutex<Data>,
    faults: Mutex<(Faults, f64)>,
    rate: Mutex<BTreeMap<&'static str, (u64, u32)>>,
    pub webhooks: Webhooks,
    pub shutdown: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the store half-written in a way that
    // matters for a test double; keep serving.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub fn new(config: SandboxConfig) -> Arc<Self> {
        let (shutdown, _) = watch::channel(false);
        let webhooks = Webhooks::start(&config, shutdown.subscribe());
        let data = Data::new(&config);
        Arc::new(Self {
            faults: Mutex::new((config.faults.clone(), 0.0)),
            data: Mutex::new(data),
            rate: Mutex::new(BTreeMap::new()),
            webhooks,
            shutdown,
            config,
        })
    }

    pub fn data(&self) -> MutexGuard<'_, Data> {
        lock(&self.data)
    }

    pub fn now(&self) -> Timestamp {
        self.data().clock.now()
    }

    pub fn faults(&self) -> Faults {
        lock(&self.faults).0.clone()
    }

    pub fn set_faults(&self, f: Faults) {
        *lock(&self.faults) = (f, 0.0);
    }

    /// Whether this request should fail with a 5xx: deterministic, every `1/rate`-th one.
    pub fn next_is_error(&self) -> bool {
        let mut g = lock(&self.faults);
        let rate = g.0.error_rate.clamp(0.0, 1.0);
        g.1 += rate;
        if g.1 >= 1.0 - 1e-9 {
            g.1 -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn rate_limits(&self) -> RateLimits {
        self.config.rate_limits
    }

    /// Counts a request against `endpoint`'s one-second window. Returns (limit,
    /// remaining, reset, allowed).
    pub fn take_rate(&self, endpoint: &'static str, limit: u32) -> (u32, u32, u64, bool) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut g = lock(&self.rate);
        let w = g.entry(endpoint).or_insert((now, 0));
        if w.0 != now {
            *w = (now, 0);
        }
        let allowed = w.1 < limit;
        if allowed {
            w.1 += 1;
        }
        (limit, limit.saturating_sub(w.1), now + 1, allowed)
    }

    pub fn advance_clock(&self, by: Duration) {
        let changed = {
            let mut d = self.data();
            let before: Vec<(u64, Tracking)> = d.views();
            d.clock.advance(by);
            let after: BTreeMap<u64, Tracking> = d.views().into_iter().collect();
            before
                .into_iter()
                .filter_map(|(seq, old)| {
                    let new = after.get(&seq)?;
                    changed(&old, new).then(|| (old, new.clone()))
                })
                .collect::<Vec<_>>()
        };
        for (old, new) in changed {
            self.webhooks.tracking_update(&old, new);
        }
    }

    pub fn reset(&self) {
        *self.data() = Data::new(&self.config);
        self.set_faults(self.config.faults.clone());
        lock(&self.rate).clear();
    }

    /// Runs `op` on the tracking `id`, then fires a webhook if its status changed.
    pub fn mutate(
        &self,
        id: &str,
        op: impl FnOnce(&mut Record, Timestamp) -> Result<(), ApiError>,
    ) -> Result<Tracking, ApiError> {
        let (old, new) = {
            let mut d = self.data();
            let now = d.clock.now();
            let rec = d.find_mut(id).ok_or_else(ApiError::tracking_not_found)?;
            let old = rec.view(now);
            op(rec, now)?;
            rec.updated = now;
            (old, rec.view(now))
        };
        if changed(&old, &new) {
            self.webhooks.tracking_update(&old, new.clone());
        }
        Ok(new)
    }
}

fn changed(old: &Tracking, new: &Tracking) -> bool {
    old.tag != new.tag
        || old.subtag != new.subtag
        || old.checkpoints.as_ref().map(Vec::len) != new.checkpoints.as_ref().map(Vec::len)
}

impl Data {
    fn new(config: &SandboxConfig) -> Self {
        let mut data = Self {
            clock: Clock::new(config.clock_start),
            records: BTreeMap::new(),
            by_number: HashMap::new(),
            next_seq: 1,
            seed: config.seed,
        };
        if config.seed_demo {
            for rec in demo_records(data.clock.start()) {
                data.insert(rec);
            }
        }
        data.next_seq = data.records.keys().max().copied().unwrap_or(0) + 1;
        let bulk = CreateTrackingRequest::default();
        for i in 1..=config.bulk_trackings {
            // Cannot collide: the demo numbers do not have the bulk prefix.
            let _ = data.create(&bulk, crate::BULK_SLUG, &crate::bulk_tracking_number(i));
        }
        data
    }

    /// Stores `rec` under its sequence and indexes its number: every record enters the
    /// store here, so the index cannot miss one.
    fn insert(&mut self, rec: Record) {
        if let Some(number) = rec.base.tracking_number.clone() {
            self.by_number.entry(number).or_default().push(rec.seq);
        }
        self.records.insert(rec.seq, rec);
    }

    /// The records with one of these numbers, newest first.
    fn with_numbers<'a>(
        &'a self,
        numbers: &[String],
    ) -> impl Iterator<Item = (&'a u64, &'a Record)> {
        let mut seqs: Vec<u64> = numbers
            .iter()
            .filter_map(|n| self.by_number.get(n.as_str()))
            .flatten()
            .copied()
            .collect();
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        seqs.dedup();
        seqs.into_iter()
            .filter_map(|s| self.records.get_key_value(&s))
    }

    fn views(&self) -> Vec<(u64, Tracking)> {
        let now = self.clock.now();
        self.records
            .iter()
            .map(|(s, r)| (*s, r.view(now)))
            .collect()
    }

    /// By `id` or `legacy_id`.
    pub fn find(&self, id: &str) -> Option<&Record> {
        self.records.values().find(|r| matches_id(r, id))
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.records.values_mut().find(|r| matches_id(r, id))
    }

    /// By courier and number (the legacy `/v4` lookups).
    pub fn find_by_number(&self, slug: &str, number: &str) -> Option<&Record> {
        self.by_number
            .get(number)?
            .iter()
            .filter_map(|seq| self.records.get(seq))
            .find(|r| r.base.slug.as_deref() == Some(slug))
    }

    pub fn get(&self, id: &str) -> Result<Tracking, ApiError> {
        self.find(id)
            .map(|r| r.view(self.clock.now()))
            .ok_or_else(ApiError::tracking_not_found)
    }

    /// `GET /trackings`: newest first, filtered, cursor-paginated.
    pub fn list(&self, q: &ListTrackingsQuery) -> Result<TrackingList, ApiError> {
        let limit = q.limit.unwrap_or(100);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::value_invalid("limit"));
        }
        let before_seq = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(decode_cursor(c).ok_or_else(|| ApiError::value_invalid("cursor"))?),
            None => None,
        };
        let split = |s: &Option<String>| -> Option<Vec<String>> {
            s.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.split(',').map(|p| p.trim().to_owned()).collect())
        };
        let numbers = split(&q.tracking_numbers);
        if numbers.as_ref().is_some_and(|n| n.len() > 50) {
            return Err(ApiError::value_invalid("tracking_numbers"));
        }
        let slugs = split(&q.slug);
        let tag = match q.tag.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => match Tag::from_wire(t) {
                Tag::Unknown => return Err(ApiError::value_invalid("tag")),
                t => Some(t),
            },
            None => None,
        };
        let bound = |s: &Option<String>, field: &str| -> Result<Option<Timestamp>, ApiError> {
            match s.as_deref().filter(|s| !s.is_empty()) {
                Some(s) => parse_datetime(s)
                    .map(Some)
                    .ok_or_else(|| ApiError::value_invalid(field)),
                None => Ok(None),
            }
        };
        let min = bound(&q.created_at_min, "created_at_min")?;
        let max = bound(&q.created_at_max, "created_at_max")?;
        let keyword = q
            .keyword
            .as_deref()
            .map(str::to_lowercase)
            .filter(|k| !k.is_empty());
        let now = self.clock.now();
        let candidates: Box<dyn Iterator<Item = (&u64, &Record)>> = match &numbers {
            Some(n) => Box::new(self.with_numbers(n)),
            None => Box::new(self.records.iter().rev()),
        };
        let matching: Vec<(u64, Tracking)> = candidates
            .filter(|(_, r)| {
                numbers.as_ref().is_none_or(|n| {
                    n.iter()
                        .any(|n| Some(n.as_str()) == r.base.tracking_number.as_deref())
                }) && slugs
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| Some(s.as_str()) == r.base.slug.as_deref()))
                    && min.is_none_or(|m| r.created >= m)
                    && max.is_none_or(|m| r.created <= m)
                    && keyword
                        .as_deref()
                        .is_none_or(|k| keyword_matches(&r.base, k))
            })
            .map(|(s, r)| (*s, r.view(now)))
            .filter(|(_, t)| tag.is_none_or(|tag| t.tag == Some(tag)))
            .collect();
        let total = matching.len() as i64;
        let page: Vec<(u64, Tracking)> = matching
            .into_iter()
            .filter(|(s, _)| before_seq.is_none_or(|b| *s < b))
            .take(limit as usize + 1)
            .collect();
        let has_next = page.len() > limit as usize;
        let page: Vec<(u64, Tracking)> = page.into_iter().take(limit as usize).collect();
        let next_cursor = if has_next {
            page.last().map(|(s, _)| encode_cursor(*s))
        } else {
            None
        };
        Ok(TrackingList {
            pagination: Pagination {
                total: Some(total),
                next_cursor,
                has_next_page: Some(has_next),
            },
            trackings: page.into_iter().map(|(_, t)| t).collect(),
        })
    }

    /// `POST /trackings` after validation: a new Pending tracking on a chosen journey.
    pub fn create(
        &mut self,
        req: &CreateTrackingRequest,
        slug: &str,
        number: &str,
    ) -> Result<Tracking, ApiError> {
        if self.find_by_number(slug, number).is_some() {
            return Err(ApiError::bad_request(4003, "Tracking already exists."));
        }
        if let Some(id) = req.id.as_deref()
            && self.find(id).is_some()
        {
            return Err(ApiError::bad_request(4003, "Tracking already exists."));
        }
        let now = self.clock.now();
        let (kind, lane) =
            journey::choose(number, self.seed, req.destination_country_region.as_deref());
        let seq = self.next_seq;
        self.next_seq += 1;
        let start = crate::clock::plus_hours(now, 4.0);
        let mut rec = record(seq, slug, number, req.id.clone(), kind, lane, now, start);
        apply_create(&mut rec.base, req);
        let view = rec.view(now);
        self.insert(rec);
        Ok(view)
    }

    pub fn delete(&mut self, id: &str) -> Result<Tracking, ApiError> {
        let now = self.clock.now();
        let seq = self
            .find(id)
            .map(|r| r.seq)
            .ok_or_else(ApiError::tracking_not_found)?;
        let rec = self
            .records
            .remove(&seq)
            .ok_or_else(ApiError::tracking_not_found)?;
        if let Some(number) = rec.base.tracking_number.as_deref()
            && let Some(seqs) = self.by_number.get_mut(number)
        {
            seqs.retain(|s| *s != seq);
            if seqs.is_empty() {
                self.by_number.remove(number);
            }
        }
        Ok(rec.view(now))
    }
}

fn matches_id(r: &Record, id: &str) -> bool {
    r.base.id.as_deref() == Some(id) || r.base.legacy_id.as_deref() == Some(id)
}

fn keyword_matches(t: &Tracking, k: &str) -> bool {
    let hit = |s: &Option<String>| s.as_deref().is_some_and(|s| s.to_lowercase().contains(k));
    hit(&t.tracking_number)
        || hit(&t.title)
        || hit(&t.order_id)
        || t.customers
            .iter()
            .flatten()
            .any(|c| hit(&c.name) || hit(&c.email) || hit(&c.phone_number))
        || t.custom_fields
            .iter()
            .flatten()
            .any(|(_, v)| v.as_str().is_some_and(|s| s.to_lowercase().contains(k)))
}

fn encode_cursor(seq: u64) -> String {
    B64.encode(format!("[{seq}]"))
}

fn decode_cursor(c: &str) -> Option<u64> {
    let raw = B64.decode(c).ok()?;
    let s = std::str::from_utf8(&raw).ok()?;
    s.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// Copies each named field of a request that was sent (is `Some`) onto a tracking.
macro_rules! copy_sent {
    ($from:expr => $to:expr; $($f:ident),* $(,)?) => {
        $( if $from.$f.is_some() { $to.$f = $from.$f.clone(); } )*
    };
}

/// Copies the optional fields of a create request onto a new tracking.
fn apply_create(t: &mut Tracking, r: &CreateTrackingRequest) {
    copy_sent!(r => t;
        title,
        order_id,
        order_id_path,
        custom_fields,
        language,
        order_promised_delivery_date,
        note,
        origin_country_region,
        origin_state,
        origin_city,
        origin_postal_code,
        origin_raw_location,
        destination_country_region,
        destination_state,
        destination_city,
        destination_postal_code,
        destination_raw_location,
        order_date,
        order_number,
        shipment_type,
        shipment_tags,
        customers,
        delivery_type,
        pickup_location,
        pickup_note,
        shipment_direction
    );
}

/// Applies a partial update: only sent fields change; `note: ""` clears the note.
pub(crate) fn apply_update(t: &mut Tracking, r: &UpdateTrackingRequest) {
    copy_sent!(r => t;
        title,
        order_id,
        order_id_path,
        custom_fields,
        language,
        order_promised_delivery_date,
        customers
    );
    if let Some(note) = &r.note {
        t.note = (!note.is_empty()).then(|| note.clone());
    }
}

/// Mark-as-completed: a user checkpoint with the reason's tag; auto-updates stop.
pub(crate) fn mark_completed(
    rec: &mut Record,
    now: Timestamp,
    req: &MarkCompletedRequest,
) -> Result<(), ApiError> {
    let (subtag, message) = match req.reason.as_str() {
        "DELIVERED" => ("Delivered_001", "Marked as delivered by the merchant"),
        "LOST" => ("Exception_013", "Marked as lost by the merchant"),
        "RETURNED_TO_SENDER" => (
            "Exception_011",
            "Marked as returned to sender by the merchant",
        ),
        _ => return Err(ApiError::value_invalid("reason")),
    };
    let at = match req.event_datetime.as_deref() {
        Some(s) => parse_datetime(s).ok_or_else(|| ApiError::value_invalid("event_datetime"))?,
        None => now,
    };
    if at > now {
        return Err(ApiError::value_invalid("event_datetime"));
    }
    let slug = rec.base.slug.clone();
    rec.user_checkpoints.push((
        at,
        Checkpoint {
            created_at: Some(utc_datetime(now)),
            slug,
            checkpoint_time: Some(utc_datetime(at)),
            message: Some(message.to_owned()),
            tag: Some(journey::tag_of(subtag)),
            subtag: Some(subtag.to_owned()),
            subtag_message: Some(journey::subtag_message(subtag).to_owned()),
            events: Some(Vec::new()),
            source: Some("user".to_owned()),
            hash: Some(
                journey::hex_id(
                    &[
                        rec.base.id.as_deref().unwrap_or_default().as_bytes(),
                        subtag.as_bytes(),
                    ],
                    2,
                )[..32]
                    .to_owned(),
            ),
            ..Checkpoint::default()
        },
    ));
    rec.frozen_at = Some(now);
    Ok(())
}

/// Retrack: only inactive or expired trackings, at most [`MAX_RETRACKS`] times.
pub(crate) fn retrack(rec: &mut Record, now: Timestamp) -> Result<(), ApiError> {
    if rec.view(now).active == Some(true) {
        return Err(ApiError::bad_request(
            4013,
            "Retrack is not allowed. You can only retrack an inactive tracking.",
        ));
    }
    if rec.retracks >= MAX_RETRACKS {
        return Err(ApiError::bad_request(
            4016,
            "Retrack is not allowed. You can only retrack each shipment 3 times.",
        ));
    }
    rec.retracks += 1;
    rec.frozen_at = None;
    rec.user_checkpoints.clear();
    rec.expiry_base = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_looks_like_afterships() {
        let c = encode_cursor(1719);
        assert_eq!(c, "WzE3MTld");
        assert_eq!(decode_cursor(&c), Some(1719));
        assert_eq!(decode_cursor("garbage!"), None);
    }
}
