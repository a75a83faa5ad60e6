//! Simulated shipments: the journeys a parcel can take, the planned checkpoints of one
//! tracking, and how a tracking looks at a given simulated instant.

use crate::clock::{local_date, local_datetime, plus_hours, utc_datetime};
use crate::places::{LANES, Lane, Place};
use aftership::model::{
    AftershipEstimatedDeliveryDate, Checkpoint, Coordinate, EstimatedDelivery, Tracking,
};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use trackfront_types::Tag;

/// What happens to a parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JourneyKind {
    Normal,
    CustomsDelay,
    FailedThenDelivered,
    AvailableForPickup,
    Lost,
    ReturnedToSender,
    Expired,
}

impl JourneyKind {
    pub const ALL: [JourneyKind; 7] = [
        JourneyKind::Normal,
        JourneyKind::CustomsDelay,
        JourneyKind::FailedThenDelivered,
        JourneyKind::AvailableForPickup,
        JourneyKind::Lost,
        JourneyKind::ReturnedToSender,
        JourneyKind::Expired,
    ];
}

/// Days without any information after which a tracking expires.
pub(crate) const EXPIRE_AFTER_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy)]
enum Where {
    Origin,
    ExportHub,
    ImportHub,
    Destination,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    hours: f64,
    at: Where,
    subtag: &'static str,
    message: &'static str,
    raw_tag: &'static str,
}

const fn step(
    hours: f64,
    at: Where,
    subtag: &'static str,
    message: &'static str,
    raw_tag: &'static str,
) -> Step {
    Step {
        hours,
        at,
        subtag,
        message,
        raw_tag,
    }
}

/// The uneventful journey; the others reuse a prefix of it.
const NORMAL: [Step; 12] = [
    step(
        0.0,
        Where::Origin,
        "InfoReceived_001",
        "Shipment information received",
        "IR",
    ),
    step(
        20.0,
        Where::Origin,
        "InTransit_002",
        "Shipment picked up",
        "PU",
    ),
    step(
        30.0,
        Where::ExportHub,
        "InTransit_003",
        "Arrived at sorting center",
        "AR",
    ),
    step(
        38.0,
        Where::ExportHub,
        "InTransit_007",
        "Departed from sorting center",
        "DP",
    ),
    step(
        52.0,
        Where::ExportHub,
        "InTransit_001",
        "Departed from airport of origin",
        "AF",
    ),
    step(
        70.0,
        Where::ImportHub,
        "InTransit_004",
        "Arrived at destination country",
        "AD",
    ),
    step(
        72.0,
        Where::ImportHub,
        "InTransit_006",
        "Customs clearance started",
        "CS",
    ),
    step(
        90.0,
        Where::ImportHub,
        "InTransit_005",
        "Customs clearance completed",
        "CC",
    ),
    step(
        100.0,
        Where::ImportHub,
        "InTransit_007",
        "Departed from facility",
        "DP",
    ),
    step(
        116.0,
        Where::Destination,
        "InTransit_003",
        "Arrived at delivery facility",
        "AR",
    ),
    step(
        124.0,
        Where::Destination,
        "OutForDelivery_001",
        "Out for delivery",
        "OD",
    ),
    step(
        130.0,
        Where::Destination,
        "Delivered_001",
        "Delivered",
        "DL",
    ),
];

/// Planned hour of the normal journey's delivery (the original estimate of every journey).
const NOMINAL_DELIVERY_HOURS: f64 = 130.0;

fn steps(kind: JourneyKind) -> Vec<Step> {
    let shifted = |s: &[Step], by: f64| -> Vec<Step> {
        s.iter()
            .map(|st| Step {
                hours: st.hours + by,
                ..*st
            })
            .collect()
    };
    let mut v: Vec<Step>;
    match kind {
        JourneyKind::Normal => v = NORMAL.to_vec(),
        JourneyKind::CustomsDelay => {
            v = NORMAL[..7].to_vec();
            v.push(step(
                80.0,
                Where::ImportHub,
                "Exception_004",
                "Held by customs: awaiting import documents",
                "CH",
            ));
            v.extend(shifted(&NORMAL[7..], 70.0));
        }
        JourneyKind::FailedThenDelivered => {
            v = NORMAL[..11].to_vec();
            v.extend([
                step(
                    128.0,
                    Where::Destination,
                    "AttemptFail_002",
                    "Delivery attempted: recipient not available",
                    "NA",
                ),
                step(
                    148.0,
                    Where::Destination,
                    "OutForDelivery_001",
                    "Out for delivery",
                    "OD",
                ),
                step(
                    152.0,
                    Where::Destination,
                    "Delivered_001",
                    "Delivered",
                    "DL",
                ),
            ]);
        }
        JourneyKind::AvailableForPickup => {
            v = NORMAL[..10].to_vec();
            v.extend([
                step(
                    126.0,
                    Where::Destination,
                    "AvailableForPickup_001",
                    "Available for pickup at parcel shop",
                    "PS",
                ),
                step(
                    180.0,
                    Where::Destination,
                    "Delivered_002",
                    "Picked up by customer",
                    "PC",
                ),
            ]);
        }
        JourneyKind::Lost => {
            v = NORMAL[..6].to_vec();
            v.push(step(
                240.0,
                Where::ImportHub,
                "Exception_013",
                "Shipment lost",
                "LS",
            ));
        }
        JourneyKind::ReturnedToSender => {
            v = NORMAL[..11].to_vec();
            v.extend([
                step(
                    128.0,
                    Where::Destination,
                    "AttemptFail_003",
                    "Delivery attempted: business closed",
                    "BC",
                ),
                step(
                    170.0,
                    Where::Destination,
                    "Exception_010",
                    "Returning to sender",
                    "RS",
                ),
                step(
                    400.0,
                    Where::Origin,
                    "Exception_011",
                    "Returned to sender",
                    "RT",
                ),
            ]);
        }
        JourneyKind::Expired => v = Vec::new(),
    }
    v
}

/// The tag of a subtag (`InTransit_003` → `InTransit`).
pub(crate) fn tag_of(subtag: &str) -> Tag {
    Tag::from_wire(subtag.split('_').next().unwrap_or_default())
}

/// The normalised message of a subtag (reference §4.2).
pub(crate) fn subtag_message(subtag: &str) -> &'static str {
    match subtag {
        "Pending_001" => "Pending",
        "InfoReceived_001" => "Info Received",
        "InTransit_001" => "In Transit",
        "InTransit_002" => "Acceptance scan",
        "InTransit_003" => "Arrival scan",
        "InTransit_004" => "Arrived at the destination country",
        "InTransit_005" => "Customs clearance completed",
        "InTransit_006" => "Customs clearance started",
        "InTransit_007" => "Departure Scan",
        "OutForDelivery_001" => "Out for Delivery",
        "AttemptFail_001" => "Failed Attempt",
        "AttemptFail_002" => "Addressee not available",
        "AttemptFail_003" => "Business Closed",
        "Delivered_001" => "Delivered",
        "Delivered_002" => "Picked up by the customer",
        "AvailableForPickup_001" => "Available for pickup",
        "Exception_004" => "Delayed (Customs clearance)",
        "Exception_010" => "Returning to sender",
        "Exception_011" => "Returned to sender",
        "Exception_013" => "Shipment lost",
        "Expired_001" => "Expired",
        _ => "Exception",
    }
}

/// One planned carrier scan.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub at: Timestamp,
    pub place: Place,
    pub subtag: &'static str,
    pub message: &'static str,
    pub raw_tag: &'static str,
}

/// 64-bit FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Hex of `n` hashes of `parts`, for ids and checkpoint hashes.
pub(crate) fn hex_id(parts: &[&[u8]], words: usize) -> String {
    (0..words)
        .map(|i| {
            let salt = (i as u64).to_le_bytes();
            let mut all: Vec<&[u8]> = parts.to_vec();
            all.push(&salt);
            format!("{:016x}", fnv(&all))
        })
        .collect()
}

/// A 24-character lowercase base-36 id (the shape of AfterShip's `legacy_id`).
pub(crate) fn legacy_id(parts: &[&[u8]]) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(24);
    let mut h = fnv(parts);
    for i in 0..24u64 {
        if i % 12 == 0 {
            h = fnv(&[&h.to_le_bytes(), &i.to_le_bytes()]);
        }
        out.push(char::from(ALPHABET[(h % 36) as usize]));
        h /= 36;
    }
    out
}

/// The journey a created tracking follows, from its number and the seed. A wanted
/// destination country narrows the lanes when one matches.
pub(crate) fn choose(number: &str, seed: u64, destination: Option<&str>) -> (JourneyKind, Lane) {
    let h = fnv(&[number.as_bytes(), &seed.to_le_bytes()]);
    let kind = JourneyKind::ALL[(h % JourneyKind::ALL.len() as u64) as usize];
    let lanes: Vec<Lane> = LANES
        .iter()
        .copied()
        .filter(|l| destination.is_none_or(|d| l.destination.country == d))
        .collect();
    let lanes = if lanes.is_empty() {
        LANES.to_vec()
    } else {
        lanes
    };
    let lane = lanes[((h >> 17) % lanes.len() as u64) as usize];
    (kind, lane)
}

/// The planned checkpoints of `kind` on `lane`, the first at `start`. Each scan is moved
/// by up to 50 minutes, derived from the number, so times look like real scans (steps are
/// at least two hours apart, so the order never changes).
pub(crate) fn plan(kind: JourneyKind, lane: &Lane, start: Timestamp, number: &str) -> Vec<Planned> {
    steps(kind)
        .into_iter()
        .enumerate()
        .map(|(i, s)| Planned {
            at: start
                + SignedDuration::from_secs(
                    (s.hours * 3600.0) as i64
                        + (fnv(&[number.as_bytes(), &i.to_le_bytes()]) % 3000) as i64,
                ),
            place: match s.at {
                Where::Origin => lane.origin,
                Where::ExportHub => lane.export_hub,
                Where::ImportHub => lane.import_hub,
                Where::Destination => lane.destination,
            },
            subtag: s.subtag,
            message: s.message,
            raw_tag: s.raw_tag,
        })
        .collect()
}

/// A stored tracking: its static fields plus its plan; what a client sees depends on the
/// clock ([`Record::view`]).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Creation order, for stable listing and cursors.
    pub seq: u64,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// Static fields (ids, PII, EDDs, …); tag and checkpoints are filled by `view`.
    pub base: Tracking,
    pub kind: JourneyKind,
    pub lane: Lane,
    pub plan: Vec<Planned>,
    /// Checkpoints added by mark-as-completed.
    pub user_checkpoints: Vec<(Timestamp, Checkpoint)>,
    /// Auto-updates stop here after mark-as-completed, until a retrack.
    pub frozen_at: Option<Timestamp>,
    /// The expiry window restarts here (creation or last retrack).
    pub expiry_base: Timestamp,
    pub retracks: u32,
}

impl Record {
    /// The tracking as it looks at `now`.
    pub fn view(&self, now: Timestamp) -> Tracking {
        let slug = self.base.slug.clone().unwrap_or_default();
        let number = self.base.tracking_number.clone().unwrap_or_default();
        let horizon = self.frozen_at.map_or(now, |f| f.min(now));
        let mut timed: Vec<(Timestamp, Checkpoint)> = self
            .plan
            .iter()
            .enumerate()
            .filter(|(_, p)| p.at <= horizon)
            .map(|(i, p)| (p.at, carrier_checkpoint(p, &slug, &number, i)))
            .collect();
        timed.extend(
            self.user_checkpoints
                .iter()
                .filter(|(at, _)| *at <= now)
                .cloned(),
        );
        timed.sort_by_key(|(at, _)| *at);
        let mut t = self.base.clone();
        t.created_at = Some(utc_datetime(self.created));
        t.tracked_count = Some((timed.len() + 1) as f64);
        let last_at = timed.last().map(|(at, _)| *at);
        t.updated_at = Some(utc_datetime(
            last_at.map_or(self.updated, |a| a.max(self.updated)),
        ));
        let expired = timed.is_empty()
            && now >= self.expiry_base + SignedDuration::from_hours(24 * EXPIRE_AFTER_DAYS);
        let current = match timed.last() {
            Some((_, c)) => c.subtag.clone().unwrap_or_default(),
            None if expired => "Expired_001".to_owned(),
            None => "Pending_001".to_owned(),
        };
        let tag = tag_of(&current);
        t.tag = Some(tag);
        t.subtag_message = Some(subtag_message(&current).to_owned());
        t.subtag = Some(current.clone());
        let finished = matches!(tag, Tag::Delivered | Tag::Expired)
            || matches!(current.as_str(), "Exception_011" | "Exception_013");
        t.active = Some(!finished && self.frozen_at.is_none());
        let subtags: Vec<&str> = timed
            .iter()
            .filter_map(|(_, c)| c.subtag.as_deref())
            .collect();
        t.return_to_sender = Some(
            subtags
                .iter()
                .any(|s| matches!(*s, "Exception_010" | "Exception_011")),
        );
        let fails: Vec<&(Timestamp, Checkpoint)> = timed
            .iter()
            .filter(|(_, c)| c.tag == Some(Tag::AttemptFail))
            .collect();
        t.failed_delivery_attempts = Some(fails.len() as i64);
        t.first_attempted_at = timed
            .iter()
            .find(|(_, c)| matches!(c.tag, Some(Tag::AttemptFail | Tag::Delivered)))
            .and_then(|(_, c)| c.checkpoint_time.clone());
        let pickup = timed
            .iter()
            .find(|(_, c)| c.subtag.as_deref() == Some("InTransit_002"));
        t.shipment_pickup_date = pickup.and_then(|(_, c)| c.checkpoint_time.clone());
        let delivered = timed.iter().find(|(_, c)| c.tag == Some(Tag::Delivered));
        t.shipment_delivery_date = delivered.and_then(|(_, c)| c.checkpoint_time.clone());
        if delivered.is_none() {
            t.signed_by = None;
        }
        t.transit_time = pickup.map(|(from, _)| {
            let to = delivered.map_or(now, |(at, _)| *at);
            (to.as_second() - from.as_second()).max(0) / 86_400
        });
        t.courier_destination_country_region = Some(self.lane.destination.country.to_owned());
        t.checkpoints = Some(timed.into_iter().map(|(_, c)| c).collect());
        t
    }

    /// The planned delivery instant, if the journey ends delivered.
    pub fn planned_delivery(&self) -> Option<&Planned> {
        self.plan
            .iter()
            .rev()
            .find(|p| tag_of(p.subtag) == Tag::Delivered)
    }
}

fn carrier_checkpoint(p: &Planned, slug: &str, number: &str, index: usize) -> Checkpoint {
    let place = &p.place;
    Checkpoint {
        created_at: Some(utc_datetime(p.at + SignedDuration::from_mins(7))),
        slug: Some(slug.to_owned()),
        checkpoint_time: Some(local_datetime(p.at, place.utc_offset)),
        location: Some(format!(
            "{}, {} {}, {}",
            place.facility, place.postal_code, place.city, place.country_name
        )),
        city: Some(place.city.to_owned()),
        state: Some(place.state.to_owned()),
        postal_code: Some(place.postal_code.to_owned()),
        coordinate: Some(Coordinate {
            latitude: place.lat,
            longitude: place.lon,
        }),
        country_region: Some(place.country.to_owned()),
        country_region_name: Some(place.country_name.to_owned()),
        message: Some(p.message.to_owned()),
        tag: Some(tag_of(p.subtag)),
        subtag: Some(p.subtag.to_owned()),
        subtag_message: Some(subtag_message(p.subtag).to_owned()),
        raw_tag: Some(p.raw_tag.to_owned()),
        events: Some(Vec::new()),
        source: Some("carrier".to_owned()),
        hash: Some(
            hex_id(
                &[
                    number.as_bytes(),
                    &index.to_le_bytes(),
                    p.message.as_bytes(),
                ],
                2,
            )[..32]
                .to_owned(),
        ),
    }
}

/// AfterShip's own estimate for a journey: the planned delivery day in the destination's
/// time zone, ±1 day. `None` for journeys that never deliver.
pub(crate) fn aftership_edd(rec: &Record) -> Option<AftershipEstimatedDeliveryDate> {
    let p = rec.planned_delivery()?;
    let off = p.place.utc_offset;
    Some(AftershipEstimatedDeliveryDate {
        estimated_delivery_date: Some(local_date(p.at, off)),
        confidence_code: Some(10001.0),
        estimated_delivery_date_min: Some(local_date(plus_hours(p.at, -24.0), off)),
        estimated_delivery_date_max: Some(local_date(plus_hours(p.at, 24.0), off)),
    })
}

/// A `specific` EDD from AfterShip for `date`.
pub(crate) fn specific_edd(date: String, revise_reason: Option<&str>) -> EstimatedDelivery {
    EstimatedDelivery {
        kind: Some("specific".to_owned()),
        source: Some("AfterShip EDD".to_owned()),
        datetime: Some(date),
        datetime_min: None,
        datetime_max: None,
        revise_reason: revise_reason.map(str::to_owned),
    }
}

/// The original (first) and the current (latest) estimate of a record: the nominal
/// journey's delivery day versus the planned one, revised when they differ.
pub(crate) fn first_and_latest(
    rec: &Record,
    journey_start: Timestamp,
) -> Option<(EstimatedDelivery, EstimatedDelivery)> {
    let p = rec.planned_delivery()?;
    let off = p.place.utc_offset;
    let nominal = local_date(plus_hours(journey_start, NOMINAL_DELIVERY_HOURS), off);
    let planned = local_date(p.at, off);
    let reason = (nominal != planned).then_some(match rec.kind {
        JourneyKind::CustomsDelay => "customs_clearance_delay",
        _ => "failed_delivery_attempt",
    });
    Some((specific_edd(nominal, None), specific_edd(planned, reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subtag_of_every_journey_belongs_to_a_known_tag_and_has_a_message() {
        for kind in JourneyKind::ALL {
            for s in steps(kind) {
                assert_ne!(tag_of(s.subtag), Tag::Unknown, "{}", s.subtag);
                assert_ne!(subtag_message(s.subtag), "Exception", "{}", s.subtag);
            }
        }
    }

    #[test]
    fn journeys_are_in_time_order() {
        for kind in JourneyKind::ALL {
            let s = steps(kind);
            assert!(s.windows(2).all(|w| w[0].hours < w[1].hours), "{kind:?}");
        }
    }

    #[test]
    fn choice_is_deterministic_and_depends_on_the_seed() {
        let a = choose("1Z999AA10123456784", 0, None);
        assert_eq!(a.0, choose("1Z999AA10123456784", 0, None).0);
        let kinds: std::collections::HashSet<_> = (0..40)
            .map(|seed| choose("1Z999AA10123456784", seed, None).0)
            .collect();
        assert!(kinds.len() > 3, "the seed barely matters: {kinds:?}");
        assert_eq!(choose("X1234", 3, Some("USA")).1.destination.country, "USA");
    }

    #[test]
    fn ids_have_the_documented_shapes() {
        assert_eq!(hex_id(&[b"a"], 2).len(), 32);
        let l = legacy_id(&[b"a"]);
        assert_eq!(l.len(), 24);
        assert!(
            l.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
    }
}
