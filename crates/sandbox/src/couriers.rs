//! The couriers the sandbox knows, and detection by tracking-number pattern. Every known
//! courier counts as activated on the sandbox account.

use crate::http::ApiError;
use aftership::model::{Courier, CourierList, DetectCourierRequest};

struct Known {
    slug: &'static str,
    name: &'static str,
    other_name: &'static str,
    phone: &'static str,
    web_url: &'static str,
    countries: &'static [&'static str],
    languages: &'static [&'static str],
    pattern: fn(&str) -> bool,
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn letters(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_uppercase())
}

/// `AA123456789XX`: the UPU S10 format with a given country suffix.
fn s10(n: &str, country: &str) -> bool {
    n.len() == 13 && letters(&n[..2]) && digits(&n[2..11]) && &n[11..] == country
}

const KNOWN: [Known; 9] = [
    Known {
        slug: "ecms",
        name: "ECMS International Logistics Co., Ltd.",
        other_name: "",
        phone: "+86 755 2345 6789",
        web_url: "https://www.ecmsglobal.com",
        countries: &["CHN"],
        languages: &["en", "zh"],
        pattern: |n| n.starts_with("ECMS") || (n.starts_with("EC") && n.len() >= 10),
    },
    Known {
        slug: "ups",
        name: "UPS",
        other_name: "United Parcel Service",
        phone: "+1 800 742 5877",
        web_url: "https://www.ups.com",
        countries: &["USA"],
        languages: &["en"],
        pattern: |n| {
            n.len() == 18
                && n.starts_with("1Z")
                && n[2..].bytes().all(|b| b.is_ascii_alphanumeric())
        },
    },
    Known {
        slug: "fedex",
        name: "FedEx",
        other_name: "Federal Express",
        phone: "+1 800 247 4747",
        web_url: "https://www.fedex.com",
        countries: &["USA"],
        languages: &["en"],
        pattern: |n| matches!(n.len(), 12 | 15) && digits(n),
    },
    Known {
        slug: "usps",
        name: "USPS",
        other_name: "United States Postal Service",
        phone: "+1 800 275 8777",
        web_url: "https://www.usps.com",
        countries: &["USA"],
        languages: &["en"],
        pattern: |n| {
            ((20..=22).contains(&n.len()) && n.starts_with('9') && digits(n)) || s10(n, "US")
        },
    },
    Known {
        slug: "dhl",
        name: "DHL Express",
        other_name: "DHL International",
        phone: "+49 228 28609898",
        web_url: "https://www.dhl.com",
        countries: &["DEU"],
        languages: &["en", "de"],
        pattern: |n| n.len() == 10 && digits(n),
    },
    Known {
        slug: "dpd",
        name: "DPD",
        other_name: "Dynamic Parcel Distribution",
        phone: "+49 6021 0843 0",
        web_url: "https://www.dpd.com",
        countries: &["DEU", "FRA"],
        languages: &["en", "de", "fr"],
        pattern: |n| n.len() == 14 && digits(n),
    },
    Known {
        slug: "china-ems",
        name: "China EMS (ePacket)",
        other_name: "中国邮政速递物流",
        phone: "+86 20 11183",
        web_url: "https://www.ems.com.cn",
        countries: &["CHN"],
        languages: &["zh", "en"],
        pattern: |n| s10(n, "CN") && matches!(&n[..1], "E" | "L"),
    },
    Known {
        slug: "china-post",
        name: "China Post",
        other_name: "中国邮政",
        phone: "+86 20 11185",
        web_url: "https://www.chinapost.com.cn",
        countries: &["CHN"],
        languages: &["zh", "en"],
        pattern: |n| s10(n, "CN"),
    },
    Known {
        slug: "royal-mail",
        name: "Royal Mail",
        other_name: "Royal Mail Group",
        phone: "+44 3457 740 740",
        web_url: "https://www.royalmail.com",
        countries: &["GBR"],
        languages: &["en"],
        pattern: |n| s10(n, "GB"),
    },
];

fn courier(k: &Known) -> Courier {
    let strings = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect());
    Courier {
        slug: Some(k.slug.to_owned()),
        name: Some(k.name.to_owned()),
        phone: Some(k.phone.to_owned()),
        other_name: Some(k.other_name.to_owned()),
        web_url: Some(k.web_url.to_owned()),
        required_fields: Some(Vec::new()),
        optional_fields: Some(Vec::new()),
        default_language: Some(k.languages[0].to_owned()),
        support_languages: strings(k.languages),
        service_from_country_regions: strings(k.countries),
    }
}

/// The courier with this slug.
pub(crate) fn find(slug: &str) -> Option<Courier> {
    KNOWN.iter().find(|k| k.slug == slug).map(courier)
}

/// `GET /couriers`: all (they are all active), optionally only the listed slugs.
pub(crate) fn list(_active: Option<bool>, slugs: Option<&str>) -> CourierList {
    let wanted: Option<Vec<&str>> = slugs
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(str::trim).collect());
    let couriers: Vec<Courier> = KNOWN
        .iter()
        .filter(|k| wanted.as_ref().is_none_or(|w| w.contains(&k.slug)))
        .map(courier)
        .collect();
    CourierList {
        total: couriers.len() as i64,
        couriers,
    }
}

/// Slugs whose pattern matches `number`, optionally among `within`.
pub(crate) fn detect_slugs(number: &str, within: Option<&[String]>) -> Vec<&'static str> {
    let n = number.trim().to_ascii_uppercase();
    KNOWN
        .iter()
        .filter(|k| within.is_none_or(|w| w.iter().any(|s| s == k.slug)))
        .filter(|k| (k.pattern)(&n))
        .map(|k| k.slug)
        .collect()
}

/// `POST /couriers/detect`: no match is `{total: 0, couriers: []}`, not an error.
pub(crate) fn detect(req: &DetectCourierRequest) -> Result<CourierList, ApiError> {
    let number = req
        .tracking_number
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request(4007, "tracking_number is required."))?;
    let couriers: Vec<Courier> = detect_slugs(number, req.slug.as_deref())
        .into_iter()
        .filter_map(find)
        .collect();
    Ok(CourierList {
        total: couriers.len() as i64,
        couriers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_detect_the_right_couriers() {
        assert_eq!(detect_slugs("ECMS0002TRANSIT", None), ["ecms"]);
        assert_eq!(detect_slugs("1Z999AA10123456784", None), ["ups"]);
        assert_eq!(detect_slugs("123456789012", None), ["fedex"]);
        assert_eq!(detect_slugs("9400111899223856924131", None), ["usps"]);
        assert_eq!(detect_slugs("1234567890", None), ["dhl"]);
        assert_eq!(
            detect_slugs("EA123456789CN", None),
            ["china-ems", "china-post"]
        );
        assert_eq!(detect_slugs("RR123456789GB", None), ["royal-mail"]);
        assert!(detect_slugs("??", None).is_empty());
        assert_eq!(
            detect_slugs("EA123456789CN", Some(&["china-post".to_owned()])),
            ["china-post"]
        );
    }
}
