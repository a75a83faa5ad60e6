//! The nine seeded `ecms` demo trackings, one per tag, laid out relative to the clock's
//! start so the demo always looks current. They carry personal data on purpose (customers,
//! note, street addresses, signed_by): the proxy's privacy tests need something to strip.

use crate::clock::{local_date, plus_hours};
use crate::journey::{self, JourneyKind, Record, aftership_edd, first_and_latest, specific_edd};
use crate::places::{LANES, Lane};
use aftership::model::{CourierEstimatedDeliveryDate, Customer, PromisedDeliveryDate, Tracking};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

/// A fictitious recipient.
struct Persona {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    street: &'static str,
}

const PERSONAS: [Persona; 9] = [
    Persona {
        name: "Anna Schmidt",
        email: "anna.schmidt@example.de",
        phone: "+4915112345678",
        street: "Invalidenstraße 44",
    },
    Persona {
        name: "Liam Carter",
        email: "liam.carter@example.com",
        phone: "+12125550143",
        street: "350 W 31st Street, Apt 12B",
    },
    Persona {
        name: "Mia Wagner",
        email: "mia.wagner@example.de",
        phone: "+4917098765432",
        street: "Torstraße 101",
    },
    Persona {
        name: "Camille Durand",
        email: "camille.durand@example.fr",
        phone: "+33612345678",
        street: "18 Rue de la Convention",
    },
    Persona {
        name: "Lucía García",
        email: "lucia.garcia@example.es",
        phone: "+34612345678",
        street: "Calle de Alcalá 210, 3º B",
    },
    Persona {
        name: "Noah Becker",
        email: "noah.becker@example.de",
        phone: "+4915223456789",
        street: "Chausseestraße 8",
    },
    Persona {
        name: "Olivia Brown",
        email: "olivia.brown@example.co.uk",
        phone: "+447700900123",
        street: "27 Bath Road, Hounslow",
    },
    Persona {
        name: "Ethan Miller",
        email: "ethan.miller@example.com",
        phone: "+13125550178",
        street: "2150 N Lincoln Ave",
    },
    Persona {
        name: "Lena Hoffmann",
        email: "lena.hoffmann@example.de",
        phone: "+4916012345678",
        street: "Linienstraße 150",
    },
];

/// Where each demo stands: (number, journey, lane index, hours since the journey started).
/// A negative number of hours means the first scan is still ahead.
const DEMOS: [(&str, JourneyKind, usize, f64); 9] = [
    ("ECMS0000PENDING", JourneyKind::Normal, 0, -8.0),
    ("ECMS0001INFO", JourneyKind::Normal, 1, 3.0),
    ("ECMS0002TRANSIT", JourneyKind::Normal, 0, 102.0),
    ("ECMS0003OUT", JourneyKind::Normal, 2, 126.0),
    ("ECMS0004FAIL", JourneyKind::FailedThenDelivered, 1, 131.0),
    ("ECMS0005DELIVERED", JourneyKind::Normal, 0, 200.0),
    ("ECMS0006PICKUP", JourneyKind::AvailableForPickup, 3, 130.0),
    ("ECMS0007EXCEPTION", JourneyKind::CustomsDelay, 0, 85.0),
    ("ECMS0008EXPIRED", JourneyKind::Expired, 4, 0.0),
];

/// Builds a record with ids derived from (slug, number, seed) and the journey's EDDs.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    seq: u64,
    slug: &str,
    number: &str,
    id: Option<String>,
    kind: JourneyKind,
    lane: Lane,
    created: Timestamp,
    journey_start: Timestamp,
) -> Record {
    let key: [&[u8]; 2] = [slug.as_bytes(), number.as_bytes()];
    let base = Tracking {
        id: Some(id.unwrap_or_else(|| journey::hex_id(&key, 2))),
        legacy_id: Some(journey::legacy_id(&key)),
        tracking_number: Some(number.to_owned()),
        slug: Some(slug.to_owned()),
        source: Some("api".to_owned()),
        title: Some(number.to_owned()),
        origin_country_region: Some(lane.origin.country.to_owned()),
        origin_state: Some(lane.origin.state.to_owned()),
        origin_city: Some(lane.origin.city.to_owned()),
        origin_postal_code: Some(lane.origin.postal_code.to_owned()),
        destination_country_region: Some(lane.destination.country.to_owned()),
        destination_state: Some(lane.destination.state.to_owned()),
        destination_city: Some(lane.destination.city.to_owned()),
        destination_postal_code: Some(lane.destination.postal_code.to_owned()),
        shipment_package_count: Some(1.0),
        shipment_type: Some("ECMS Economy Parcel".to_owned()),
        shipment_weight: Some(json!({"unit": "kg", "value": 0.8})),
        subscribed_smses: Some(Vec::new()),
        subscribed_emails: Some(Vec::new()),
        order_tags: Some(Vec::new()),
        shipment_tags: Some(Vec::new()),
        signature_requirement: Some("no_signature_required".to_owned()),
        shipment_direction: Some("forward".to_owned()),
        courier_tracking_link: Some(format!(
            "https://www.ems.com.cn/english-main.jsp?mailNum={number}"
        )),
        proof_of_delivery: Some(Vec::new()),
        ..Tracking::default()
    };
    let mut rec = Record {
        seq,
        created,
        updated: created,
        base,
        kind,
        lane,
        plan: journey::plan(kind, &lane, journey_start, number),
        user_checkpoints: Vec::new(),
        frozen_at: None,
        expiry_base: created,
        retracks: 0,
    };
    rec.base.aftership_estimated_delivery_date = aftership_edd(&rec);
    if let Some((first, latest)) = first_and_latest(&rec, journey_start) {
        rec.base.first_estimated_delivery = Some(first);
        rec.base.latest_estimated_delivery = Some(latest);
    }
    rec
}

/// The demo trackings at clock start `now`, with sequence numbers from 1.
pub(crate) fn demo_records(now: Timestamp) -> Vec<Record> {
    DEMOS
        .iter()
        .zip(PERSONAS.iter())
        .enumerate()
        .map(|(i, (&(number, kind, lane, hours), who))| {
            let lane = LANES[lane];
            let journey_start = plus_hours(now, -hours);
            let created = match kind {
                JourneyKind::Expired => now - SignedDuration::from_hours(24 * 31),
                _ => plus_hours(journey_start, -10.0),
            };
            let mut rec = record(
                i as u64 + 1,
                "ecms",
                number,
                None,
                kind,
                lane,
                created,
                journey_start,
            );
            add_personal_data(&mut rec.base, who, &lane, i);
            demo_extras(&mut rec, number, now);
            rec
        })
        .collect()
}

fn add_personal_data(t: &mut Tracking, who: &Persona, lane: &Lane, i: usize) {
    let d = &lane.destination;
    t.destination_raw_location = Some(format!(
        "{}, {} {}, {}, {}",
        who.street, d.postal_code, d.city, d.state, d.country_name
    ));
    t.origin_raw_location = Some(format!(
        "{}, {} {}, {}",
        lane.origin.facility, lane.origin.postal_code, lane.origin.city, lane.origin.country_name
    ));
    t.customers = Some(vec![Customer {
        role: Some("buyer".to_owned()),
        name: Some(who.name.to_owned()),
        phone_number: Some(who.phone.to_owned()),
        email: Some(who.email.to_owned()),
        language: Some("en".to_owned()),
        id: Some(format!("cust_{:05}", 10_231 + i)),
    }]);
    let order = 1001 + i;
    t.order_id = Some(format!("ORD-{order}"));
    t.order_number = Some(format!("#{order}"));
    t.order_id_path = Some(format!(
        "https://shop.example.com/admin/orders/{order}?customer={}",
        who.email
    ));
    t.note = Some(format!(
        "Leave with neighbour if absent. Call {} before delivery.",
        who.phone
    ));
    t.signed_by = Some(who.name.to_owned());
    let mut custom = Map::new();
    custom.insert("store_name".into(), Value::from("Trackfront Demo Shop"));
    custom.insert(
        "gift_message".into(),
        Value::from(format!("Happy birthday, {}!", who.name)),
    );
    t.custom_fields = Some(custom);
    t.language = Some("en".to_owned());
}

/// The EDD variety the widget must render: a revised estimate, a carrier estimate and a
/// merchant promise on different demos.
fn demo_extras(rec: &mut Record, number: &str, now: Timestamp) {
    let off = rec.lane.destination.utc_offset;
    let day = |hours: f64| local_date(plus_hours(now, hours), off);
    match number {
        "ECMS0002TRANSIT" => {
            // Weather pushed the estimate back a day; AfterShip's EDD follows the revision.
            rec.base.first_estimated_delivery = Some(specific_edd(day(28.0), None));
            rec.base.latest_estimated_delivery =
                Some(specific_edd(day(52.0), Some("extreme_weather")));
            if let Some(edd) = rec.base.aftership_estimated_delivery_date.as_mut() {
                edd.estimated_delivery_date = Some(day(52.0));
                edd.estimated_delivery_date_min = Some(day(28.0));
                edd.estimated_delivery_date_max = Some(day(76.0));
                edd.confidence_code = Some(30001.0);
            }
        }
        "ECMS0003OUT" => {
            rec.base.courier_estimated_delivery_date = Some(CourierEstimatedDeliveryDate {
                estimated_delivery_date: Some(day(4.0)),
                estimated_delivery_date_min: Some(day(4.0)),
                estimated_delivery_date_max: Some(day(28.0)),
            });
        }
        "ECMS0001INFO" => {
            rec.base.order_promised_delivery_date = Some(PromisedDeliveryDate {
                promised_delivery_date: Some(day(24.0 * 7.0)),
                promised_delivery_date_min: None,
                promised_delivery_date_max: None,
            });
        }
        "ECMS0006PICKUP" => {
            rec.base.delivery_type = Some("pickup_at_courier".to_owned());
            rec.base.pickup_location = Some(format!(
                "ECMS Parcel Shop, {}, {}",
                rec.lane.destination.facility, rec.lane.destination.city
            ));
            rec.base.pickup_note = Some("Bring photo ID and the pickup code 4711.".to_owned());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::Tag;

    fn views() -> Vec<Tracking> {
        let now: Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
        demo_records(now).iter().map(|r| r.view(now)).collect()
    }

    #[test]
    fn one_demo_per_tag_in_tag_order() {
        let tags: Vec<Tag> = views().iter().map(|t| t.tag.unwrap()).collect();
        assert_eq!(tags, Tag::ALL.to_vec());
    }

    #[test]
    fn transit_demo_has_more_than_five_checkpoints_over_several_days() {
        let v = views();
        let cps = v[2].checkpoints.as_ref().unwrap();
        assert!(cps.len() >= 7, "{}", cps.len());
        let first = cps.first().unwrap().checkpoint_time.as_ref().unwrap();
        let last = cps.last().unwrap().checkpoint_time.as_ref().unwrap();
        assert_ne!(first[..10], last[..10]);
        assert!(first.ends_with("+08:00"), "{first}");
        assert!(last.ends_with("+01:00"), "{last}");
    }

    #[test]
    fn demos_carry_the_personal_data_the_proxy_must_strip() {
        for t in views() {
            assert!(t.customers.as_ref().unwrap()[0].email.is_some());
            assert!(t.destination_raw_location.is_some());
            assert!(t.note.is_some());
        }
        let v = views();
        assert!(v[5].signed_by.is_some(), "delivered is signed");
        assert!(v[2].signed_by.is_none(), "not yet delivered");
        assert_ne!(
            v[2].first_estimated_delivery.as_ref().unwrap().datetime,
            v[2].latest_estimated_delivery.as_ref().unwrap().datetime
        );
        assert!(v[3].courier_estimated_delivery_date.is_some());
        assert!(v[1].order_promised_delivery_date.is_some());
        assert_eq!(v[7].subtag.as_deref(), Some("Exception_004"));
    }
}
