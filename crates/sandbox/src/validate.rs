//! Request validation of create and update (reference §7.2), with AfterShip's meta codes.

use crate::couriers;
use crate::http::ApiError;
use aftership::model::{
    CreateTrackingRequest, Customer, PromisedDeliveryDate, UpdateTrackingRequest,
};
use serde_json::{Map, Value};

/// 4 to 100 characters of `A-Z 0-9 - . _ /`.
pub(crate) fn tracking_number_is_valid(n: &str) -> bool {
    (4..=100).contains(&n.len())
        && n.bytes().all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_' | b'/')
        })
}

/// Validates a create request; returns the (slug, tracking number) to store.
pub(crate) fn create(r: &CreateTrackingRequest) -> Result<(String, String), ApiError> {
    let number = match r.tracking_number.as_deref() {
        None | Some("") => {
            return Err(ApiError::bad_request(4007, "tracking_number is required."));
        }
        Some(n) if !tracking_number_is_valid(n) => {
            return Err(ApiError::bad_request(
                4005,
                "The value of tracking_number is invalid.",
            ));
        }
        Some(n) => n.to_owned(),
    };
    if let Some(id) = r.id.as_deref()
        && !((1..=128).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(ApiError::bad_request(4015, "The value of id is invalid."));
    }
    let slug = match r.slug.as_deref() {
        Some(s) if couriers::find(s).is_some() => s.to_owned(),
        Some(_) => return Err(ApiError::bad_request(4010, "The value of slug is invalid.")),
        None => couriers::detect_slugs(&number, None)
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::bad_request(
                    4012,
                    "Unable to import shipment as we don\u{2019}t recognize the carrier from this tracking number.",
                )
            })?
            .to_owned(),
    };
    non_empty(&[
        ("title", &r.title),
        ("order_id", &r.order_id),
        ("order_id_path", &r.order_id_path),
        ("language", &r.language),
        ("pickup_location", &r.pickup_location),
        ("pickup_note", &r.pickup_note),
    ])?;
    one_of(
        "delivery_type",
        r.delivery_type.as_deref(),
        &["pickup_at_store", "pickup_at_courier", "door_to_door"],
    )?;
    one_of(
        "shipment_direction",
        r.shipment_direction.as_deref(),
        &["forward", "return"],
    )?;
    for (field, v) in [
        ("origin_country_region", &r.origin_country_region),
        ("destination_country_region", &r.destination_country_region),
    ] {
        if v.as_deref()
            .is_some_and(|c| !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())))
        {
            return Err(ApiError::value_invalid(field));
        }
    }
    if let Some(tags) = &r.shipment_tags
        && (tags.len() > 50 || tags.iter().any(|t| t.is_empty() || t.chars().count() > 32))
    {
        return Err(ApiError::value_invalid("shipment_tags"));
    }
    if r.order_date
        .as_deref()
        .is_some_and(|d| crate::clock::parse_datetime(d).is_none())
    {
        return Err(ApiError::value_invalid("order_date"));
    }
    common(
        r.custom_fields.as_ref(),
        r.customers.as_deref(),
        r.order_promised_delivery_date.as_ref(),
    )?;
    Ok((slug, number))
}

/// Validates an update request.
pub(crate) fn update(r: &UpdateTrackingRequest) -> Result<(), ApiError> {
    non_empty(&[
        ("title", &r.title),
        ("order_id", &r.order_id),
        ("order_id_path", &r.order_id_path),
        ("language", &r.language),
    ])?;
    common(
        r.custom_fields.as_ref(),
        r.customers.as_deref(),
        r.order_promised_delivery_date.as_ref(),
    )
}

fn non_empty(fields: &[(&str, &Option<String>)]) -> Result<(), ApiError> {
    match fields.iter().find(|(_, v)| v.as_deref() == Some("")) {
        Some((name, _)) => Err(ApiError::value_invalid(name)),
        None => Ok(()),
    }
}

fn one_of(field: &str, v: Option<&str>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(v) if !allowed.contains(&v) => Err(ApiError::value_invalid(field)),
        _ => Ok(()),
    }
}

fn common(
    custom_fields: Option<&Map<String, Value>>,
    customers: Option<&[Customer]>,
    promised: Option<&PromisedDeliveryDate>,
) -> Result<(), ApiError> {
    if let Some(cf) = custom_fields
        && (cf.len() > 25
            || cf.iter().any(|(k, v)| {
                k.chars().count() > 30 || v.as_str().is_none_or(|s| s.chars().count() > 512)
            }))
    {
        return Err(ApiError::value_invalid("custom_fields"));
    }
    if let Some(cs) = customers {
        if cs.len() > 3 {
            return Err(ApiError::value_invalid("customers"));
        }
        // E.164 with the country code: `+` then 7 to 15 digits (spaces and dashes allowed).
        let bad_phone = |p: &str| {
            let Some(rest) = p.strip_prefix('+') else {
                return true;
            };
            let digits = rest.bytes().filter(u8::is_ascii_digit).count();
            !(7..=15).contains(&digits)
                || !rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
        };
        let bad_email = |e: &str| !e.contains('@') || e.starts_with('@') || e.ends_with('@');
        if cs
            .iter()
            .any(|c| c.phone_number.as_deref().is_some_and(bad_phone))
        {
            return Err(ApiError::value_invalid("customers.phone_number"));
        }
        if cs.iter().any(|c| c.email.as_deref().is_some_and(bad_email)) {
            return Err(ApiError::value_invalid("customers.email"));
        }
    }
    if let Some(p) = promised {
        for (field, v) in [
            (
                "order_promised_delivery_date.promised_delivery_date",
                &p.promised_delivery_date,
            ),
            (
                "order_promised_delivery_date.promised_delivery_date_min",
                &p.promised_delivery_date_min,
            ),
            (
                "order_promised_delivery_date.promised_delivery_date_max",
                &p.promised_delivery_date_max,
            ),
        ] {
            if v.as_deref()
                .is_some_and(|d| crate::clock::parse_datetime(d).is_none())
            {
                return Err(ApiError::value_invalid(field));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(number: &str) -> CreateTrackingRequest {
        CreateTrackingRequest {
            tracking_number: Some(number.to_owned()),
            slug: Some("ecms".to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn number_rules_and_codes() {
        assert!(create(&req("ECMS1234")).is_ok());
        assert!(create(&req("AB/1.2_3-4")).is_ok());
        assert_eq!(create(&req("ABC")).unwrap_err().code, 4005);
        assert_eq!(create(&req(&"A".repeat(101))).unwrap_err().code, 4005);
        assert!(create(&req(&"A".repeat(100))).is_ok());
        assert_eq!(create(&req("ab12cd")).unwrap_err().code, 4005);
        assert_eq!(create(&req("")).unwrap_err().code, 4007);
        let mut r = req("ECMS1234");
        r.tracking_number = None;
        assert_eq!(create(&r).unwrap_err().code, 4007);
        r = req("ECMS1234");
        r.slug = Some("no-such-courier".into());
        assert_eq!(create(&r).unwrap_err().code, 4010);
    }

    #[test]
    fn customers_at_most_three_with_plus_phone_numbers() {
        let c = |p: &str| Customer {
            phone_number: Some(p.to_owned()),
            ..Default::default()
        };
        let mut r = req("ECMS1234");
        r.customers = Some(vec![c("+4915112345678"); 4]);
        assert_eq!(create(&r).unwrap_err().code, 4008);
        r.customers = Some(vec![c("015112345678")]);
        assert_eq!(create(&r).unwrap_err().code, 4008);
        r.customers = Some(vec![c("+4915112345678"); 3]);
        assert!(create(&r).is_ok());
    }
}
