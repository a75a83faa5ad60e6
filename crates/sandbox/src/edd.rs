//! `predict` and `predict-batch`: validation per reference §5.1 and a deterministic,
//! plausible model. Pickup is the order day (or the next one after the cutoff), pushed by
//! the processing time over the merchant's business days. Standard transit counts carrier
//! working days (Monday to Friday, Saturday too for USPS): two within a country, three
//! across US states, and growing with the distance between two countries; the range
//! widens with distance.
//!
//! The request's `service_type_name` picks a speed tier ([`Tier::of`]): express-like names
//! (`EXPRESS`, `PRIORITY`, `OVERNIGHT`, `NEXT DAY`, …) halve the transit (rounded up, at
//! least one day), economy-like names (`ECONOMY`, `SMARTPOST`, …) add half again and widen
//! the range by a day, and no name or any other name is the standard tier. So on every
//! lane express arrives strictly earlier than standard, and economy strictly later.

use crate::http::ApiError;
use crate::places::{country_centre, distance_km};
use aftership::model::{EddAddress, EddPrediction, EddRequest, EstimatedPickup};
use jiff::ToSpan;
use jiff::civil::{Date, DateTime, Time};

const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(400, message)
}

/// Validates every item (one bad item fails the batch) and predicts each.
pub(crate) fn predict_all(items: &[EddRequest], seed: u64) -> Result<Vec<EddPrediction>, ApiError> {
    if items.is_empty() || items.len() > 5 {
        return Err(bad("estimated_delivery_dates must contain 1 to 5 items."));
    }
    let pickups = items
        .iter()
        .enumerate()
        .map(|(i, r)| validate(r).map_err(|e| bad(format!("estimated_delivery_dates[{i}].{e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(items
        .iter()
        .zip(pickups)
        .map(|(r, pickup)| predict(r, pickup, seed))
        .collect())
}

/// Checks one request; returns its pickup date-time.
fn validate(r: &EddRequest) -> Result<DateTime, String> {
    if r.slug.as_deref().is_none_or(str::is_empty) {
        return Err("slug is required.".into());
    }
    if r.service_type_name.as_deref() == Some("") {
        return Err("service_type_name is invalid.".into());
    }
    address("origin_address", r.origin_address.as_ref())?;
    address("destination_address", r.destination_address.as_ref())?;
    if let Some(w) = &r.weight
        && !w.is_null()
        && !(w.get("unit").is_some_and(serde_json::Value::is_string)
            && w.get("value").is_some_and(serde_json::Value::is_number))
    {
        return Err("weight requires unit and value.".into());
    }
    let pickup = match (r.pickup_time.as_deref(), &r.estimated_pickup) {
        (Some(pt), _) => DateTime::strptime(FORMAT, pt)
            .map_err(|_| "pickup_time must be YYYY-MM-DD HH:mm:ss.".to_owned())?,
        (None, Some(ep)) => pickup_from(ep)?,
        (None, None) => return Err("pickup_time or estimated_pickup is required.".into()),
    };
    // Day stepping saturates at the end of the calendar; keep far from it.
    if !(1970..=2999).contains(&pickup.year()) {
        return Err("pickup_time is out of range.".into());
    }
    Ok(pickup)
}

fn address(name: &str, a: Option<&EddAddress>) -> Result<(), String> {
    let a = a.ok_or_else(|| format!("{name} is required."))?;
    let cr = a.country_region.as_deref().unwrap_or_default();
    if cr.is_empty() {
        return Err(format!("{name}.country_region is required."));
    }
    if !(cr.len() == 3 && cr.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(format!("{name}.country_region is invalid."));
    }
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if !present(&a.state) && !present(&a.postal_code) {
        return Err(format!("{name}.state or {name}.postal_code is required."));
    }
    Ok(())
}

/// Order time → pickup: next day after the cutoff, then the processing days, landing on
/// a business day, at the cutoff time.
fn pickup_from(ep: &EstimatedPickup) -> Result<DateTime, String> {
    let order = ep
        .order_time
        .as_deref()
        .ok_or("estimated_pickup.order_time is required.")?;
    let order = DateTime::strptime(FORMAT, order)
        .map_err(|_| "estimated_pickup.order_time must be YYYY-MM-DD HH:mm:ss.".to_owned())?;
    let cutoff = match ep.order_cutoff_time.as_deref() {
        Some(c) => Time::strptime("%H:%M:%S", c)
            .map_err(|_| "estimated_pickup.order_cutoff_time must be HH:mm:ss.".to_owned())?,
        None => Time::constant(18, 0, 0, 0),
    };
    let days = ep
        .business_days
        .clone()
        .unwrap_or_else(|| vec![1, 2, 3, 4, 5]);
    if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
        return Err("estimated_pickup.business_days must hold weekdays 1 to 7.".into());
    }
    let processing = match &ep.order_processing_time {
        Some(p) => {
            if p.unit.as_deref().is_some_and(|u| u != "day") {
                return Err("estimated_pickup.order_processing_time.unit must be day.".into());
            }
            let v = p.value.unwrap_or(0.0);
            if !(0.0..=60.0).contains(&v) {
                return Err("estimated_pickup.order_processing_time.value is invalid.".into());
            }
            v.ceil() as i64
        }
        None => 0,
    };
    if !(1970..=2999).contains(&order.year()) {
        return Err("estimated_pickup.order_time is out of range.".into());
    }
    let works = |d: Date| days.contains(&(d.weekday().to_monday_one_offset() as u8));
    let mut day = order.date();
    if order.time() > cutoff || !works(day) {
        day = next_working(day, works);
    }
    for _ in 0..processing {
        day = next_working(day, works);
    }
    Ok(day.to_datetime(cutoff))
}

fn next_working(mut d: Date, works: impl Fn(Date) -> bool) -> Date {
    loop {
        d = d.saturating_add(1.day());
        if works(d) {
            return d;
        }
    }
}

/// The speed a `service_type_name` buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Express,
    Standard,
    Economy,
}

impl Tier {
    /// The tier of a carrier service type name (case, `_` and `-` ignored). Economy words
    /// win over express ones ("EXPRESS ECONOMY" is an economy product); no name, and a name
    /// with neither, is standard (e.g. "FEDEX HOME DELIVERY", "GROUND").
    fn of(service_type_name: Option<&str>) -> Self {
        let Some(name) = service_type_name else {
            return Self::Standard;
        };
        let name = name.to_ascii_uppercase().replace(['_', '-'], " ");
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if has(&["ECONOMY", "SMARTPOST", "SUREPOST", "MEDIA MAIL", "DEFERRED"]) {
            Self::Economy
        } else if has(&[
            "EXPRESS",
            "PRIORITY",
            "OVERNIGHT",
            "NEXT DAY",
            "SAME DAY",
            "2DAY",
            "2ND DAY",
            "2 DAY",
        ]) {
            Self::Express
        } else {
            Self::Standard
        }
    }

    /// The tier's `(transit, spread)` from the standard one.
    fn adjust(self, transit: i64, spread: i64) -> (i64, i64) {
        match self {
            Self::Express => (((transit + 1) / 2).max(1), spread.max(1)),
            Self::Standard => (transit, spread),
            Self::Economy => (transit + (transit / 2).max(1), spread + 1),
        }
    }
}

fn predict(r: &EddRequest, pickup: DateTime, seed: u64) -> EddPrediction {
    let slug = r.slug.clone().unwrap_or_default();
    let o = r.origin_address.clone().unwrap_or_default();
    let d = r.destination_address.clone().unwrap_or_default();
    let oc = o.country_region.clone().unwrap_or_default();
    let dc = d.country_region.clone().unwrap_or_default();
    let (transit, spread, precise) = match (country_centre(&oc), country_centre(&dc)) {
        _ if oc == dc => {
            // Two days within a country, three across US states; never one, so that
            // express (one day) is faster even within a state.
            let same_state = o.state.is_some() && o.state == d.state;
            (2 + i64::from(oc == "USA" && !same_state), 1, true)
        }
        (Some(a), Some(b)) => {
            let km = distance_km(a, b);
            (
                3 + (km / 2500.0).round() as i64,
                1 + (km / 6000.0).round() as i64,
                true,
            )
        }
        _ => (8, 3, false),
    };
    let (transit, spread) = Tier::of(r.service_type_name.as_deref()).adjust(transit, spread);
    let carrier_days: &[i8] = if slug == "usps" {
        &[1, 2, 3, 4, 5, 6]
    } else {
        &[1, 2, 3, 4, 5]
    };
    let works = |x: Date| carrier_days.contains(&x.weekday().to_monday_one_offset());
    let mut edd = pickup.date();
    for _ in 0..transit {
        edd = next_working(edd, works);
    }
    let mut max = edd;
    for _ in 0..spread {
        max = next_working(max, works);
    }
    let mut min = edd;
    if transit > 1 {
        min = min.saturating_sub(1.day());
        while !works(min) {
            min = min.saturating_sub(1.day());
        }
    }
    let has_postal = |a: &EddAddress| a.postal_code.as_deref().is_some_and(|p| !p.is_empty());
    let confidence = if !(precise && has_postal(&o) && has_postal(&d)) {
        30004.0
    } else if spread > 1 {
        20001.0
    } else {
        10001.0
    };
    let mut echoed = r.clone();
    if let Some(ep) = echoed.estimated_pickup.as_mut() {
        ep.pickup_time = Some(pickup.strftime(FORMAT).to_string());
    }
    let body = serde_json::to_vec(r).unwrap_or_default();
    EddPrediction {
        id: Some(crate::journey::hex_id(&[&body, &seed.to_le_bytes()], 2)),
        request: echoed,
        estimated_delivery_date: Some(edd.to_string()),
        confidence_code: Some(confidence),
        estimated_delivery_date_min: Some(min.to_string()),
        estimated_delivery_date_max: Some(max.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftership::model::ProcessingTime;

    fn addr(cc: &str, state: &str, zip: &str) -> Option<EddAddress> {
        Some(EddAddress {
            country_region: Some(cc.into()),
            state: (!state.is_empty()).then(|| state.into()),
            postal_code: (!zip.is_empty()).then(|| zip.into()),
            ..Default::default()
        })
    }

    fn req() -> EddRequest {
        EddRequest {
            slug: Some("fedex".into()),
            origin_address: addr("USA", "WA", "98108"),
            destination_address: addr("USA", "CA", "92019"),
            pickup_time: Some("2021-07-01 15:00:00".into()),
            ..Default::default()
        }
    }

    #[test]
    fn domestic_us_is_a_few_business_days_and_skips_the_weekend() {
        let p = &predict_all(&[req()], 0).unwrap()[0];
        // Thursday pickup + 3 carrier days = Tuesday (Sat/Sun skipped).
        assert_eq!(p.estimated_delivery_date.as_deref(), Some("2021-07-06"));
        assert_eq!(p.estimated_delivery_date_min.as_deref(), Some("2021-07-05"));
        assert_eq!(p.estimated_delivery_date_max.as_deref(), Some("2021-07-07"));
        assert_eq!(p.confidence_code, Some(10001.0));
        assert_eq!(p.id.as_ref().unwrap().len(), 32);
    }

    fn with_service(name: Option<&str>, origin: Option<EddAddress>) -> EddPrediction {
        let mut r = req();
        r.service_type_name = name.map(Into::into);
        if origin.is_some() {
            r.origin_address = origin;
        }
        predict_all(&[r], 0).unwrap().remove(0)
    }

    /// Regression (issue #6): the model ignored `service_type_name`, so a merchant's
    /// express service got exactly the dates of its standard one.
    #[test]
    fn express_is_not_given_the_same_dates_as_standard() {
        let lanes = [
            None,                               // WA → CA, across US states
            addr("USA", "CA", "90001"),         // within one state
            addr("CHN", "Guangdong", "518000"), // international
            addr("ATA", "", "0000"),            // no known centre
        ];
        for origin in lanes {
            let standard = with_service(None, origin.clone());
            let express = with_service(Some("EXPRESS"), origin.clone());
            let economy = with_service(Some("FEDEX INTERNATIONAL ECONOMY"), origin.clone());
            let likely = |p: &EddPrediction| p.estimated_delivery_date.clone().unwrap();
            assert!(likely(&express) < likely(&standard), "{origin:?}");
            assert!(likely(&standard) < likely(&economy), "{origin:?}");
            for p in [&standard, &express, &economy] {
                let (min, max) = (
                    p.estimated_delivery_date_min.clone().unwrap(),
                    p.estimated_delivery_date_max.clone().unwrap(),
                );
                assert!(min <= likely(p) && likely(p) <= max, "{p:?}");
            }
            assert_ne!(standard.id, express.id);
            // The name is echoed as sent, and the answer does not change between calls.
            assert_eq!(
                express.request.service_type_name.as_deref(),
                Some("EXPRESS")
            );
            assert_eq!(with_service(Some("EXPRESS"), origin).id, express.id);
        }
        // WA → CA, Thursday pickup: express 2 carrier days (Mon), standard 3 (Tue).
        let express = with_service(Some("express"), None);
        assert_eq!(
            express.estimated_delivery_date.as_deref(),
            Some("2021-07-05")
        );
    }

    #[test]
    fn service_type_names_map_to_tiers() {
        for (name, tier) in [
            (None, Tier::Standard),
            (Some("FEDEX HOME DELIVERY"), Tier::Standard),
            (Some("UPS GROUND"), Tier::Standard),
            (Some("something new"), Tier::Standard),
            (Some("EXPRESS"), Tier::Express),
            (Some("fedex_priority_overnight"), Tier::Express),
            (Some("UPS NEXT DAY AIR"), Tier::Express),
            (Some("UPS 2ND DAY AIR"), Tier::Express),
            (Some("USPS PRIORITY MAIL"), Tier::Express),
            (Some("UPS EXPRESS SAVER"), Tier::Express),
            (Some("FEDEX INTERNATIONAL ECONOMY"), Tier::Economy),
            (Some("DHL EXPRESS ECONOMY SELECT"), Tier::Economy),
            (Some("fedex-smartpost"), Tier::Economy),
        ] {
            assert_eq!(Tier::of(name), tier, "{name:?}");
        }
    }

    #[test]
    fn international_takes_longer_than_domestic() {
        let mut r = req();
        r.origin_address = addr("CHN", "Guangdong", "518000");
        let intl = predict_all(&[r], 0).unwrap()[0]
            .estimated_delivery_date
            .clone()
            .unwrap();
        let dom = predict_all(&[req()], 0).unwrap()[0]
            .estimated_delivery_date
            .clone()
            .unwrap();
        assert!(intl > dom, "{intl} <= {dom}");
    }

    #[test]
    fn order_after_cutoff_and_processing_time_push_the_pickup() {
        let mut r = req();
        r.pickup_time = None;
        r.estimated_pickup = Some(EstimatedPickup {
            order_time: Some("2021-07-01 19:04:05".into()),
            order_cutoff_time: Some("18:00:00".into()),
            business_days: Some(vec![1, 2, 3, 4, 5]),
            order_processing_time: Some(ProcessingTime {
                unit: Some("day".into()),
                value: Some(1.0),
            }),
            pickup_time: None,
        });
        let p = &predict_all(&[r], 0).unwrap()[0];
        // Thu 19:04 after cutoff → Fri, +1 processing day → Mon.
        assert_eq!(
            p.request
                .estimated_pickup
                .as_ref()
                .unwrap()
                .pickup_time
                .as_deref(),
            Some("2021-07-05 18:00:00")
        );
    }

    /// Regression: at the end of the calendar, day stepping saturated and never reached a
    /// working day, so the request spun its worker thread forever.
    #[test]
    fn end_of_calendar_dates_are_rejected_instead_of_hanging() {
        let mut end = req();
        end.pickup_time = None;
        end.estimated_pickup = Some(EstimatedPickup {
            order_time: Some("9999-12-31 10:00:00".into()),
            business_days: Some(vec![6]),
            ..Default::default()
        });
        assert!(
            predict_all(&[end], 0)
                .unwrap_err()
                .message
                .contains("out of range")
        );
        let mut far = req();
        far.pickup_time = Some("9999-12-31 10:00:00".into());
        assert!(
            predict_all(&[far], 0)
                .unwrap_err()
                .message
                .contains("out of range")
        );
    }

    #[test]
    fn validation_follows_the_reference() {
        type Mutation = Box<dyn Fn(&mut EddRequest)>;
        let cases: Vec<(&str, Mutation)> = vec![
            ("slug", Box::new(|r| r.slug = None)),
            ("origin_address", Box::new(|r| r.origin_address = None)),
            (
                "country_region",
                Box::new(|r| r.destination_address = addr("", "CA", "")),
            ),
            (
                "postal_code",
                Box::new(|r| r.destination_address = addr("USA", "", "")),
            ),
            ("pickup_time", Box::new(|r| r.pickup_time = None)),
            (
                "pickup_time",
                Box::new(|r| r.pickup_time = Some("2021-07-01".into())),
            ),
        ];
        for (needle, f) in cases {
            let mut r = req();
            f(&mut r);
            let e = predict_all(&[r], 0).unwrap_err();
            assert_eq!(e.code, 400);
            assert!(e.message.contains(needle), "{} lacks {needle}", e.message);
        }
        assert!(predict_all(&[], 0).is_err());
        assert!(predict_all(&vec![req(); 6], 0).is_err());
        assert_eq!(predict_all(&vec![req(); 5], 0).unwrap().len(), 5);
    }
}
