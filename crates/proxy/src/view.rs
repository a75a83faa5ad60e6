//! The privacy projection: an upstream [`Tracking`] becomes a browser-safe
//! [`TrackingView`] by **copying** the allowed fields into the view type, never by deleting
//! fields from the upstream object, so a field AfterShip adds tomorrow cannot leak.
//!
//! Copied: status (tag, subtag, message, progress), origin and destination countries,
//! checkpoints (time, message, tag, subtag, city, state, country), the best delivery estimate
//! and `updated_at`. Never copied: customers, emails, phones, names, notes, order ids and
//! paths, custom fields, signed-by, street lines, postal codes, coordinates, raw locations.
//! As a second line of defence, the tracking's own personal values (customer names, emails,
//! phones, signed-by, street lines, postal codes) are blanked out wherever they appear in
//! the free-text fields that are copied (a carrier message such as "Signed for by J. DOE").

use aftership::model::{Checkpoint, EstimatedDelivery as UpEstimate, Tracking};
use trackfront_types::{
    CheckpointView, CountryCode, CourierSlug, EddSource, EstimatedDelivery, IsoDate, Tag,
    TrackingNumber, TrackingView,
};

/// Longest free-text field copied (messages, city names).
const MAX_TEXT: usize = 300;
/// Personal values shorter than this are not scrubbed from text (too many false hits).
const MIN_NEEDLE: usize = 4;
/// What replaces a personal value found inside copied text.
const REDACTED: &str = "[redacted]";

/// The display name of couriers the proxy knows (AfterShip's tracking object carries only
/// the slug).
pub fn courier_name(slug: &CourierSlug) -> Option<&'static str> {
    match slug.as_str() {
        "ecms" => Some("ECMS International Logistics Co., Ltd."),
        _ => None,
    }
}

/// Builds the browser-safe view of `t`, which was looked up as `slug`/`number`.
pub fn project(slug: &CourierSlug, number: &TrackingNumber, t: &Tracking) -> TrackingView {
    let scrub = Scrubber::of(t);
    let tag = t.tag.unwrap_or(Tag::Pending);
    // Upstream order is oldest first: reverse it, then a stable sort on the instant keeps
    // that reversed order for ties and for times that cannot be read.
    let mut checkpoints: Vec<CheckpointView> = t
        .checkpoints
        .iter()
        .flatten()
        .rev()
        .map(|c| checkpoint(c, tag, &scrub))
        .collect();
    checkpoints.sort_by_cached_key(|c| {
        std::cmp::Reverse(c.time.as_deref().and_then(sort_key).unwrap_or(i64::MIN))
    });
    TrackingView {
        tracking_number: number.clone(),
        slug: slug.clone(),
        courier_name: courier_name(slug).map(str::to_owned),
        tag,
        subtag: clean(t.subtag.as_deref(), 32),
        subtag_message: scrub.text(t.subtag_message.as_deref()),
        progress: tag.progress(),
        origin_country: country(t.origin_country_region.as_deref()),
        destination_country: country(t.destination_country_region.as_deref())
            .or_else(|| country(t.courier_destination_country_region.as_deref())),
        checkpoints,
        estimated_delivery: estimated_delivery(t),
        updated_at: clean(t.updated_at.as_deref(), 40),
        stale: false,
    }
}

fn checkpoint(c: &Checkpoint, fallback: Tag, scrub: &Scrubber) -> CheckpointView {
    CheckpointView {
        time: clean(c.checkpoint_time.as_deref(), 40),
        message: scrub.text(c.message.as_deref()),
        tag: c.tag.unwrap_or(fallback),
        subtag: clean(c.subtag.as_deref(), 32),
        subtag_message: scrub.text(c.subtag_message.as_deref()),
        city: scrub.text(c.city.as_deref()),
        state: scrub.text(c.state.as_deref()),
        country: country(c.country_region.as_deref()),
        country_name: scrub.text(c.country_region_name.as_deref()),
    }
}

/// Seconds since the epoch of an AfterShip time, for ordering: with an offset when given,
/// else read as UTC (zone-less local times and plain dates).
fn sort_key(raw: &str) -> Option<i64> {
    if let Ok(ts) = raw.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    if let Ok(dt) = raw.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_second());
    }
    let d = raw.parse::<jiff::civil::Date>().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

fn country(raw: Option<&str>) -> Option<CountryCode> {
    CountryCode::parse(raw?).ok()
}

/// Trims, drops control characters, caps the length; empty becomes `None`.
fn clean(raw: Option<&str>, max_chars: usize) -> Option<String> {
    let s: String = raw?
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect();
    (!s.is_empty()).then_some(s)
}

fn date(raw: Option<&str>) -> Option<IsoDate> {
    IsoDate::from_timestamp_prefix(raw?.trim())
}

/// AfterShip's estimate, else the courier's, else the promised date; each only when it
/// carries at least one readable date.
fn estimated_delivery(t: &Tracking) -> Option<EstimatedDelivery> {
    let candidates = [
        t.aftership_estimated_delivery_date.as_ref().map(|e| {
            (
                EddSource::Aftership,
                e.estimated_delivery_date.as_deref(),
                e.estimated_delivery_date_min.as_deref(),
                e.estimated_delivery_date_max.as_deref(),
            )
        }),
        t.courier_estimated_delivery_date.as_ref().map(|e| {
            (
                EddSource::Courier,
                e.estimated_delivery_date.as_deref(),
                e.estimated_delivery_date_min.as_deref(),
                e.estimated_delivery_date_max.as_deref(),
            )
        }),
        t.order_promised_delivery_date.as_ref().map(|e| {
            (
                EddSource::Promised,
                e.promised_delivery_date.as_deref(),
                e.promised_delivery_date_min.as_deref(),
                e.promised_delivery_date_max.as_deref(),
            )
        }),
    ];
    let (source, d, min, max) = candidates
        .into_iter()
        .flatten()
        .map(|(s, d, min, max)| (s, date(d), date(min), date(max)))
        .find(|(_, d, min, max)| d.is_some() || min.is_some() || max.is_some())?;
    // A range whose ends are swapped upstream is put right rather than shown backwards.
    let (min, max) = match (min, max) {
        (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
        other => other,
    };
    Some(EstimatedDelivery {
        source,
        date: d,
        min,
        max,
        previous: previous_estimate(
            t.first_estimated_delivery.as_ref(),
            t.latest_estimated_delivery.as_ref(),
        ),
    })
}

/// The first estimate's date when the latest one differs from it ("was Tue 2").
fn previous_estimate(first: Option<&UpEstimate>, latest: Option<&UpEstimate>) -> Option<IsoDate> {
    let key = |e: &UpEstimate| {
        (
            date(e.datetime.as_deref()),
            date(e.datetime_min.as_deref()),
            date(e.datetime_max.as_deref()),
        )
    };
    let (first, latest) = (first?, latest?);
    let (fk, lk) = (key(first), key(latest));
    if fk == lk || fk == (None, None, None) {
        return None;
    }
    fk.0.or(fk.2).or(fk.1)
}

/// The personal values of one tracking, to blank out of copied free text.
struct Scrubber {
    needles: Vec<String>,
}

impl Scrubber {
    fn of(t: &Tracking) -> Self {
        let mut raw: Vec<&str> = Vec::new();
        let names = t
            .customers
            .iter()
            .flatten()
            .filter_map(|c| c.name.as_deref())
            .chain(t.signed_by.as_deref());
        for name in names {
            // The whole name and each part of it ("Signed: SCHMIDT").
            raw.push(name);
            raw.extend(name.split_whitespace());
        }
        for c in t.customers.iter().flatten() {
            raw.extend(c.email.as_deref());
            raw.extend(c.phone_number.as_deref());
        }
        raw.extend(t.destination_raw_location.as_deref());
        raw.extend(t.origin_raw_location.as_deref());
        raw.extend(t.destination_postal_code.as_deref());
        raw.extend(t.origin_postal_code.as_deref());
        raw.extend(t.note.as_deref());
        for c in t.checkpoints.iter().flatten() {
            raw.extend(c.location.as_deref());
            raw.extend(c.postal_code.as_deref());
        }
        let mut needles: Vec<String> = raw
            .into_iter()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| s.chars().count() >= MIN_NEEDLE)
            .collect();
        // Longest first, so a full name goes before a part of it.
        needles.sort_by_key(|s| std::cmp::Reverse(s.len()));
        needles.dedup();
        Self { needles }
    }

    /// [`clean`]s `raw` and blanks every personal value in it (case-insensitively).
    fn text(&self, raw: Option<&str>) -> Option<String> {
        let mut s = clean(raw, MAX_TEXT)?;
        for needle in &self.needles {
            s = replace_ignore_case(&s, needle);
        }
        // A checkpoint's street line may itself be its city (a carrier that only sends one
        // field); blanking it would leave only the marker, which says nothing.
        (s != REDACTED).then_some(s)
    }
}

/// Replaces every case-insensitive occurrence of the lower-case `needle` in `hay` that
/// stands as a whole word (so the name "Anna" does not eat into "Annahme").
fn replace_ignore_case(hay: &str, needle: &str) -> String {
    let lower = hay.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; only then fall back to an exact
    // match, which is still correct for the common ASCII values.
    let (text, pat) = if lower.len() == hay.len() {
        (lower.as_str(), needle)
    } else {
        (hay, needle)
    };
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(hay.len());
    let mut at = 0;
    let mut from = 0;
    while let Some(pos) = text[from..].find(pat) {
        let start = from + pos;
        let end = start + pat.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if is_word(before) || is_word(after) {
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        out.push_str(&hay[at..start]);
        out.push_str(REDACTED);
        at = end;
        from = end;
    }
    out.push_str(&hay[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftership::model::{
        AftershipEstimatedDeliveryDate, CourierEstimatedDeliveryDate, Customer,
        PromisedDeliveryDate,
    };
    use serde_json::{Map, Value, json};

    fn ids() -> (CourierSlug, TrackingNumber) {
        (
            CourierSlug::ecms(),
            TrackingNumber::parse("ECMS0002TRANSIT").unwrap(),
        )
    }

    fn cp(time: &str, message: &str, tag: Tag) -> Checkpoint {
        Checkpoint {
            checkpoint_time: Some(time.to_owned()),
            message: Some(message.to_owned()),
            tag: Some(tag),
            city: Some("Shenzhen".into()),
            state: Some("Guangdong".into()),
            country_region: Some("CHN".into()),
            country_region_name: Some("China".into()),
            location: Some("88 Nanshan Avenue, Shenzhen 518000".into()),
            postal_code: Some("518000".into()),
            ..Default::default()
        }
    }

    fn full_of_pii() -> Tracking {
        let mut custom = Map::new();
        custom.insert("loyalty_id".into(), Value::from("LOYAL-77812"));
        Tracking {
            id: Some("internal-id-9f8e".into()),
            tracking_number: Some("ECMS0002TRANSIT".into()),
            slug: Some("ecms".into()),
            tag: Some(Tag::InTransit),
            subtag: Some("InTransit_002".into()),
            subtag_message: Some("Acceptance scan".into()),
            origin_country_region: Some("CHN".into()),
            destination_country_region: Some("USA".into()),
            destination_raw_location: Some("742 Evergreen Terrace, Springfield".into()),
            destination_postal_code: Some("49007".into()),
            note: Some("Leave with neighbour Ned".into()),
            order_id: Some("ORDER-55521".into()),
            order_id_path: Some("https://shop.example/orders/55521".into()),
            custom_fields: Some(custom),
            signed_by: Some("Marge Simpson".into()),
            title: Some("Gift for Bart".into()),
            customers: Some(vec![Customer {
                role: Some("buyer".into()),
                name: Some("Homer Simpson".into()),
                email: Some("homer@example.com".into()),
                phone_number: Some("+15551234567".into()),
                ..Default::default()
            }]),
            checkpoints: Some(vec![
                cp(
                    "2026-11-20T09:00:00+08:00",
                    "Shipment information received",
                    Tag::InfoReceived,
                ),
                cp(
                    "2026-11-21T10:00:00+08:00",
                    "Departed facility, handed over by Homer Simpson",
                    Tag::InTransit,
                ),
            ]),
            updated_at: Some("2026-11-21T02:00:00Z".into()),
            aftership_tracking_url: Some("https://track.example/secret-url".into()),
            ..Default::default()
        }
    }

    #[test]
    fn copies_status_countries_and_city_level_checkpoints() {
        let (slug, number) = ids();
        let v = project(&slug, &number, &full_of_pii());
        assert_eq!(v.tag, Tag::InTransit);
        assert_eq!(v.subtag.as_deref(), Some("InTransit_002"));
        assert_eq!(v.progress, Tag::InTransit.progress());
        assert_eq!(v.origin_country.unwrap().as_str(), "CHN");
        assert_eq!(v.destination_country.unwrap().as_str(), "USA");
        assert_eq!(
            v.courier_name.as_deref(),
            Some("ECMS International Logistics Co., Ltd.")
        );
        assert_eq!(v.checkpoints.len(), 2);
        let c = &v.checkpoints[1];
        assert_eq!(c.city.as_deref(), Some("Shenzhen"));
        assert_eq!(c.state.as_deref(), Some("Guangdong"));
        assert_eq!(c.country.as_ref().unwrap().as_str(), "CHN");
        assert!(!v.stale);
    }

    #[test]
    fn no_personal_value_survives_the_projection() {
        let (slug, number) = ids();
        let json = serde_json::to_string(&project(&slug, &number, &full_of_pii())).unwrap();
        for pii in [
            "Homer",
            "Simpson",
            "homer@example.com",
            "+15551234567",
            "Marge",
            "Evergreen",
            "49007",
            "neighbour",
            "ORDER-55521",
            "orders/55521",
            "LOYAL-77812",
            "loyalty_id",
            "Nanshan",
            "518000",
            "internal-id",
            "Bart",
            "secret-url",
            "buyer",
        ] {
            assert!(!json.contains(pii), "{pii} leaked into {json}");
        }
        assert!(
            json.contains("Departed facility, handed over by [redacted]"),
            "{json}"
        );
    }

    #[test]
    fn checkpoints_are_newest_first_across_offsets() {
        let (slug, number) = ids();
        let t = Tracking {
            checkpoints: Some(vec![
                cp(
                    "2026-11-20T23:30:00-05:00",
                    "b: 04:30Z on the 21st",
                    Tag::InTransit,
                ),
                cp(
                    "2026-11-21T10:00:00+08:00",
                    "a: 02:00Z on the 21st",
                    Tag::InTransit,
                ),
                cp("2026-11-21", "c: a bare date", Tag::InTransit),
                cp("garbage", "d: unreadable", Tag::InTransit),
                cp("2026-11-22T08:00:00", "e: zone-less", Tag::OutForDelivery),
            ]),
            ..Default::default()
        };
        let v = project(&slug, &number, &t);
        let order: String = v
            .checkpoints
            .iter()
            .map(|c| c.message.as_deref().unwrap().chars().next().unwrap())
            .collect();
        assert_eq!(order, "ebacd");
    }

    #[test]
    fn estimate_prefers_aftership_then_courier_then_promised() {
        let (slug, number) = ids();
        let mut t = Tracking {
            order_promised_delivery_date: Some(PromisedDeliveryDate {
                promised_delivery_date: Some("2026-12-05".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let e = project(&slug, &number, &t).estimated_delivery.unwrap();
        assert_eq!(
            (e.source, e.date.unwrap().to_string()),
            (EddSource::Promised, "2026-12-05".into())
        );

        t.courier_estimated_delivery_date = Some(CourierEstimatedDeliveryDate {
            estimated_delivery_date: None,
            estimated_delivery_date_min: Some("2026-12-04T00:00:00+01:00".into()),
            estimated_delivery_date_max: Some("2026-12-02".into()),
        });
        let e = project(&slug, &number, &t).estimated_delivery.unwrap();
        assert_eq!(e.source, EddSource::Courier);
        assert_eq!(e.min.unwrap().to_string(), "2026-12-02");
        assert_eq!(e.max.unwrap().to_string(), "2026-12-04");

        t.aftership_estimated_delivery_date = Some(AftershipEstimatedDeliveryDate {
            estimated_delivery_date: Some("2026-12-03".into()),
            ..Default::default()
        });
        let e = project(&slug, &number, &t).estimated_delivery.unwrap();
        assert_eq!(e.source, EddSource::Aftership);
        assert_eq!(e.date.unwrap().to_string(), "2026-12-03");

        // An AfterShip block without any readable date does not hide the courier's.
        t.aftership_estimated_delivery_date = Some(AftershipEstimatedDeliveryDate::default());
        let e = project(&slug, &number, &t).estimated_delivery.unwrap();
        assert_eq!(e.source, EddSource::Courier);
    }

    #[test]
    fn previous_is_set_only_when_the_estimate_moved() {
        let (slug, number) = ids();
        let est = |d: &str| UpEstimate {
            kind: Some("specific".into()),
            datetime: Some(d.into()),
            ..Default::default()
        };
        let mut t = Tracking {
            courier_estimated_delivery_date: Some(CourierEstimatedDeliveryDate {
                estimated_delivery_date: Some("2026-12-04".into()),
                ..Default::default()
            }),
            first_estimated_delivery: Some(est("2026-12-02T00:00:00Z")),
            latest_estimated_delivery: Some(est("2026-12-04T00:00:00Z")),
            ..Default::default()
        };
        let e = project(&slug, &number, &t).estimated_delivery.unwrap();
        assert_eq!(e.previous.unwrap().to_string(), "2026-12-02");
        t.first_estimated_delivery = Some(est("2026-12-04T00:00:00Z"));
        assert!(
            project(&slug, &number, &t)
                .estimated_delivery
                .unwrap()
                .previous
                .is_none()
        );
    }

    #[test]
    fn personal_values_are_blanked_as_whole_words_only() {
        assert_eq!(
            replace_ignore_case("Signed: SCHMIDT.", "schmidt"),
            "Signed: [redacted]."
        );
        assert_eq!(
            replace_ignore_case("Annahme durch Anna", "anna"),
            "Annahme durch [redacted]"
        );
        assert_eq!(
            replace_ignore_case("anna anna", "anna"),
            "[redacted] [redacted]"
        );
        assert_eq!(
            replace_ignore_case("Zustellung an ÄNNA", "änna"),
            "Zustellung an [redacted]"
        );
    }

    #[test]
    fn hostile_text_is_cleaned_and_capped() {
        let (slug, number) = ids();
        let t: Tracking = serde_json::from_value(json!({
            "tag": "Teleported",
            "subtag_message": "line\u{0}break\r\n",
            "origin_country_region": "not a country",
            "checkpoints": [{"message": "x".repeat(5000), "tag": null}]
        }))
        .unwrap();
        let v = project(&slug, &number, &t);
        assert_eq!(v.tag, Tag::Unknown);
        assert_eq!(v.subtag_message.as_deref(), Some("linebreak"));
        assert!(v.origin_country.is_none());
        assert_eq!(v.checkpoints[0].message.as_ref().unwrap().len(), MAX_TEXT);
        assert_eq!(v.checkpoints[0].tag, Tag::Unknown);
    }
}
