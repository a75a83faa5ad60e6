//! The DTOs of `POST /api/v1/edd`, the estimated-delivery-date badge.
//!
//! The browser sends only product context (service level and extra processing days per
//! item) and a destination (country, optional postal code and state). Warehouses, origin
//! addresses, time zones and rules never come from the browser. The proxy answers with one
//! estimate per service, as plain `YYYY-MM-DD` dates, so no browser clock can shift them.
//!
//! Every value is parsed once, through one fallible constructor, and deserialises through
//! that constructor, so an out-of-range request cannot exist inside the proxy.
//!
//! Countries: shop pages carry two-letter codes (`data-country="US"`), AfterShip wants
//! alpha-3. [`Destination`] accepts either and stores alpha-3; both are checked against the
//! ISO 3166-1 list below (plus the widely used user-assigned `XK`/`XKX` for Kosovo), so a
//! made-up code such as `ZZZ` is rejected instead of silently matching no rule. The table
//! is one 1.25 KB string of 5-byte records.

use crate::ids::string_newtype;
use crate::{CountryCode, EddSource, IsoDate};
use core::fmt;
use serde::{Deserialize, Serialize};

/// Why a value of an EDD request or response was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EddParseError {
    /// Not an ISO 3166-1 alpha-2 or alpha-3 code.
    Country,
    /// Not 1 to 16 characters of `A-Z a-z 0-9`, space and `-`.
    PostalCode,
    /// The state or province is longer than 64 characters or holds control characters.
    State,
    /// The service level is not 1 to 32 bytes of `[a-z0-9_-]`.
    Service,
    /// More than [`EddItem::MAX_PROCESSING_DAYS`] processing days.
    ProcessingDays,
    /// The request names no item.
    NoItems,
    /// The request names more than [`EddRequest::MAX_ITEMS`] items.
    TooManyItems,
    /// The estimate's dates are not ordered `min ≤ likely ≤ max`, or its cutoff is malformed.
    Range,
}

impl EddParseError {
    /// A short human explanation, suitable for an API message.
    pub fn message(self) -> &'static str {
        match self {
            Self::Country => "The country must be an ISO 3166-1 code, such as DE or DEU.",
            Self::PostalCode => "A postal code has 1 to 16 letters, digits, spaces or hyphens.",
            Self::State => "The state must be at most 64 printable characters.",
            Self::Service => "A service must be 1 to 32 lowercase letters, digits, '-' or '_'.",
            Self::ProcessingDays => "Processing days must be between 0 and 30.",
            Self::NoItems => "Name at least one service.",
            Self::TooManyItems => "At most 10 services can be estimated at once.",
            Self::Range => "An estimate must satisfy min <= likely <= max.",
        }
    }
}

impl fmt::Display for EddParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for EddParseError {}

/// ISO 3166-1 as 5-byte records `AAXXX` (alpha-2 then alpha-3), sorted by alpha-2.
/// 249 officially assigned codes plus `XKXKX` (Kosovo, user-assigned, used by carriers).
const COUNTRIES: &str = "ADANDAEAREAFAFGAGATGAIAIAALALBAMARMAOAGOAQATAARARGASASMATAUTAUAUSAWABWAXALAAZAZE\
BABIHBBBRBBDBGDBEBELBFBFABGBGRBHBHRBIBDIBJBENBLBLMBMBMUBNBRNBOBOLBQBESBRBRABSBHSBTBTNBVBVTBWBWABYBLRBZBLZ\
CACANCCCCKCDCODCFCAFCGCOGCHCHECICIVCKCOKCLCHLCMCMRCNCHNCOCOLCRCRICUCUBCVCPVCWCUWCXCXRCYCYPCZCZE\
DEDEUDJDJIDKDNKDMDMADODOMDZDZAECECUEEESTEGEGYEHESHERERIESESPETETHFIFINFJFJIFKFLKFMFSMFOFROFRFRA\
GAGABGBGBRGDGRDGEGEOGFGUFGGGGYGHGHAGIGIBGLGRLGMGMBGNGINGPGLPGQGNQGRGRCGSSGSGTGTMGUGUMGWGNBGYGUY\
HKHKGHMHMDHNHNDHRHRVHTHTIHUHUNIDIDNIEIRLILISRIMIMNININDIOIOTIQIRQIRIRNISISLITITAJEJEYJMJAMJOJORJPJPN\
KEKENKGKGZKHKHMKIKIRKMCOMKNKNAKPPRKKRKORKWKWTKYCYMKZKAZLALAOLBLBNLCLCALILIELKLKALRLBRLSLSOLTLTULULUXLVLVALYLBY\
MAMARMCMCOMDMDAMEMNEMFMAFMGMDGMHMHLMKMKDMLMLIMMMMRMNMNGMOMACMPMNPMQMTQMRMRTMSMSRMTMLTMUMUSMVMDVMWMWIMXMEXMYMYSMZMOZ\
NANAMNCNCLNENERNFNFKNGNGANINICNLNLDNONORNPNPLNRNRUNUNIUNZNZLOMOMN\
PAPANPEPERPFPYFPGPNGPHPHLPKPAKPLPOLPMSPMPNPCNPRPRIPSPSEPTPRTPWPLWPYPRYQAQATREREUROROURSSRBRURUSRWRWA\
SASAUSBSLBSCSYCSDSDNSESWESGSGPSHSHNSISVNSJSJMSKSVKSLSLESMSMRSNSENSOSOMSRSURSSSSDSTSTPSVSLVSXSXMSYSYRSZSWZ\
TCTCATDTCDTFATFTGTGOTHTHATJTJKTKTKLTLTLSTMTKMTNTUNTOTONTRTURTTTTOTVTUVTWTWNTZTZA\
UAUKRUGUGAUMUMIUSUSAUYURYUZUZBVAVATVCVCTVEVENVGVGBVIVIRVNVNMVUVUTWFWLFWSWSMXKXKXYEYEMYTMYT\
ZAZAFZMZMBZWZWE";

fn country_records() -> impl Iterator<Item = (&'static str, &'static str)> {
    // `get` rather than `&s[a..b]`: no panicking slice, so the EDD badge's wasm does not
    // carry core's string-slice panic formatting (about 3.5 KB brotli).
    (0..COUNTRIES.len() / 5).filter_map(|i| {
        let r = COUNTRIES.get(i * 5..i * 5 + 5)?;
        Some((r.get(..2)?, r.get(2..)?))
    })
}

/// Parses an ISO 3166-1 country code, alpha-2 (`US`) or alpha-3 (`USA`), case-insensitively,
/// into the alpha-3 [`CountryCode`] AfterShip uses.
///
/// # Errors
/// [`EddParseError::Country`] when the code is not in ISO 3166-1 (or `XK`/`XKX`).
pub fn parse_country(raw: &str) -> Result<CountryCode, EddParseError> {
    let s = raw.trim().to_ascii_uppercase();
    let found = match s.len() {
        2 => country_records().find(|(a2, _)| *a2 == s).map(|(_, a3)| a3),
        3 => country_records().find(|(_, a3)| *a3 == s).map(|(_, a3)| a3),
        _ => None,
    };
    found
        .and_then(|a3| CountryCode::parse(a3).ok())
        .ok_or(EddParseError::Country)
}

/// The alpha-2 code of an alpha-3 country (for `Intl.DisplayNames` in the browser), or
/// `None` when the code is not in ISO 3166-1.
pub fn country_alpha2(code: &CountryCode) -> Option<&'static str> {
    country_records()
        .find(|(_, a3)| *a3 == code.as_str())
        .map(|(a2, _)| a2)
}

/// A postal code: 1 to 16 characters of `A-Z 0-9`, space and `-`, trimmed and upper-cased
/// (`"sw1a 1aa"` becomes `SW1A 1AA`). Its format is not checked per country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl PostalCode {
    /// Normalises and validates a postal code.
    ///
    /// # Errors
    /// [`EddParseError::PostalCode`].
    pub fn parse(raw: &str) -> Result<Self, EddParseError> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = (1..=16).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-');
        if ok {
            Ok(Self(s))
        } else {
            Err(EddParseError::PostalCode)
        }
    }
}
string_newtype!(PostalCode, EddParseError);

/// A merchant's shipping service level, such as `standard` or `express`: 1 to 32 bytes of
/// `[a-z0-9_-]`, trimmed and lower-cased. Which services exist is server configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceLevel(String);

impl ServiceLevel {
    /// Normalises and validates a service level.
    ///
    /// # Errors
    /// [`EddParseError::Service`].
    pub fn parse(raw: &str) -> Result<Self, EddParseError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = (1..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s))
        } else {
            Err(EddParseError::Service)
        }
    }
}
string_newtype!(ServiceLevel, EddParseError);

/// Where the shopper wants the parcel: a country, and optionally a postal code and a state.
///
/// Wire form: `{"country": "US" | "USA", "postal_code": "10001"?, "state": "NY"?}`; it is
/// always serialised with the alpha-3 country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDestination")]
pub struct Destination {
    country: CountryCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<PostalCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
}

#[derive(Deserialize)]
struct RawDestination {
    country: String,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

impl TryFrom<RawDestination> for Destination {
    type Error = EddParseError;
    fn try_from(raw: RawDestination) -> Result<Self, EddParseError> {
        let country = parse_country(&raw.country)?;
        // An empty form field means "not given", not "invalid".
        let postal_code = match raw.postal_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(PostalCode::parse(p)?),
        };
        Self::new(country, postal_code, raw.state.as_deref())
    }
}

impl Destination {
    /// Builds a destination. The state is trimmed; an empty state is `None`.
    ///
    /// # Errors
    /// [`EddParseError::Country`] when `country` is not in ISO 3166-1;
    /// [`EddParseError::State`] when the state is longer than 64 characters or holds
    /// control characters.
    pub fn new(
        country: CountryCode,
        postal_code: Option<PostalCode>,
        state: Option<&str>,
    ) -> Result<Self, EddParseError> {
        if country_alpha2(&country).is_none() {
            return Err(EddParseError::Country);
        }
        let state = match state.map(str::trim) {
            None | Some("") => None,
            Some(s) if s.chars().count() <= 64 && !s.chars().any(char::is_control) => {
                Some(s.to_owned())
            }
            Some(_) => return Err(EddParseError::State),
        };
        Ok(Self {
            country,
            postal_code,
            state,
        })
    }

    /// The alpha-3 country.
    pub fn country(&self) -> &CountryCode {
        &self.country
    }
    /// The postal code, when given.
    pub fn postal_code(&self) -> Option<&PostalCode> {
        self.postal_code.as_ref()
    }
    /// The state or province, when given (free text, e.g. `NY` or `Bayern`).
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
}

/// One product context to estimate: the service level and the product's extra processing
/// business days (`data-processing-days`, 0 to 30; on top of the warehouse's own).
///
/// Wire form: `{"service": "standard", "processing_days": 2}`; `processing_days` defaults
/// to 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawEddItem")]
pub struct EddItem {
    service: ServiceLevel,
    processing_days: u8,
}

#[derive(Deserialize)]
struct RawEddItem {
    service: ServiceLevel,
    #[serde(default)]
    processing_days: u8,
}

impl TryFrom<RawEddItem> for EddItem {
    type Error = EddParseError;
    fn try_from(raw: RawEddItem) -> Result<Self, EddParseError> {
        Self::new(raw.service, raw.processing_days)
    }
}

impl EddItem {
    /// The most extra processing days a product may ask for.
    pub const MAX_PROCESSING_DAYS: u8 = 30;

    /// Builds an item.
    ///
    /// # Errors
    /// [`EddParseError::ProcessingDays`] above [`Self::MAX_PROCESSING_DAYS`].
    pub fn new(service: ServiceLevel, processing_days: u8) -> Result<Self, EddParseError> {
        if processing_days > Self::MAX_PROCESSING_DAYS {
            return Err(EddParseError::ProcessingDays);
        }
        Ok(Self {
            service,
            processing_days,
        })
    }

    /// The service level.
    pub fn service(&self) -> &ServiceLevel {
        &self.service
    }
    /// Extra processing business days for this product.
    pub fn processing_days(&self) -> u8 {
        self.processing_days
    }
}

/// The body of `POST /api/v1/edd`: a destination and 1 to [`EddRequest::MAX_ITEMS`] items
/// (one per shipping option on a checkout page, usually one on a product page).
///
/// Unknown fields are ignored rather than rejected, so a newer widget can talk to an older
/// proxy; nothing else a browser sends (an origin, a warehouse, a time zone) is ever read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEddRequest")]
pub struct EddRequest {
    destination: Destination,
    items: Vec<EddItem>,
}

#[derive(Deserialize)]
struct RawEddRequest {
    destination: Destination,
    items: Vec<EddItem>,
}

impl TryFrom<RawEddRequest> for EddRequest {
    type Error = EddParseError;
    fn try_from(raw: RawEddRequest) -> Result<Self, EddParseError> {
        Self::new(raw.destination, raw.items)
    }
}

impl EddRequest {
    /// The most items one request may carry.
    pub const MAX_ITEMS: usize = 10;

    /// Builds a request.
    ///
    /// # Errors
    /// [`EddParseError::NoItems`] or [`EddParseError::TooManyItems`].
    pub fn new(destination: Destination, items: Vec<EddItem>) -> Result<Self, EddParseError> {
        match items.len() {
            0 => Err(EddParseError::NoItems),
            n if n > Self::MAX_ITEMS => Err(EddParseError::TooManyItems),
            _ => Ok(Self { destination, items }),
        }
    }

    /// Where to deliver.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }
    /// What to estimate, in the order the page asked.
    pub fn items(&self) -> &[EddItem] {
        &self.items
    }
}

/// One service's delivery estimate: calendar dates `min ≤ likely ≤ max` in the
/// destination's local sense (never converted through a browser time zone).
///
/// `cutoff` is today's order cutoff as an RFC 3339 instant with the warehouse's UTC offset
/// (`2026-11-27T14:00:00+01:00`), present only while an order placed now still makes it;
/// the browser counts down to it and asks again once it passes, because the promise then
/// rolls forward. It is absent after the cutoff, on days the warehouse does not ship, and
/// for AfterShip estimates the proxy did not compute a cutoff for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEddEstimate")]
pub struct EddEstimate {
    service: ServiceLevel,
    source: EddSource,
    min: IsoDate,
    likely: IsoDate,
    max: IsoDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    cutoff: Option<String>,
}

#[derive(Deserialize)]
struct RawEddEstimate {
    service: ServiceLevel,
    source: EddSource,
    min: IsoDate,
    likely: IsoDate,
    max: IsoDate,
    #[serde(default)]
    cutoff: Option<String>,
}

impl TryFrom<RawEddEstimate> for EddEstimate {
    type Error = EddParseError;
    fn try_from(r: RawEddEstimate) -> Result<Self, EddParseError> {
        Self::new(r.service, r.source, r.min, r.likely, r.max, r.cutoff)
    }
}

impl EddEstimate {
    /// Builds an estimate.
    ///
    /// # Errors
    /// [`EddParseError::Range`] unless `min ≤ likely ≤ max`, or when `cutoff` is not an
    /// RFC 3339 date-time with an offset (checked by shape only: `YYYY-MM-DDTHH:MM:SS`
    /// followed by `Z` or `±HH:MM`).
    pub fn new(
        service: ServiceLevel,
        source: EddSource,
        min: IsoDate,
        likely: IsoDate,
        max: IsoDate,
        cutoff: Option<String>,
    ) -> Result<Self, EddParseError> {
        if !(min <= likely && likely <= max) {
            return Err(EddParseError::Range);
        }
        if cutoff.as_deref().is_some_and(|c| !looks_like_rfc3339(c)) {
            return Err(EddParseError::Range);
        }
        Ok(Self {
            service,
            source,
            min,
            likely,
            max,
            cutoff,
        })
    }

    /// The service this estimate is for.
    pub fn service(&self) -> &ServiceLevel {
        &self.service
    }
    /// Who produced it (`aftership` or `rules` on this endpoint).
    pub fn source(&self) -> EddSource {
        self.source
    }
    /// The earliest date.
    pub fn min(&self) -> IsoDate {
        self.min
    }
    /// The most likely date.
    pub fn likely(&self) -> IsoDate {
        self.likely
    }
    /// The latest date.
    pub fn max(&self) -> IsoDate {
        self.max
    }
    /// Today's cutoff instant (RFC 3339), while it is still ahead.
    pub fn cutoff(&self) -> Option<&str> {
        self.cutoff.as_deref()
    }
}

/// `YYYY-MM-DDTHH:MM:SS` + optional `.fraction` + `Z` or `±HH:MM`, by shape.
fn looks_like_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits_at = |idx: &[usize]| {
        idx.iter()
            .all(|&i| b.get(i).is_some_and(u8::is_ascii_digit))
    };
    if b.len() < 20
        || !digits_at(&[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || IsoDate::parse(&s[..10]).is_err()
    {
        return false;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return false;
        }
        rest = &rest[1 + n..];
    }
    match rest {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            (*sign == b'+' || *sign == b'-') && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// The answer of `POST /api/v1/edd`: at most one estimate per requested item, in request
/// order. A service that could not be estimated is left out (the badge hides that line).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EddResponse {
    /// The estimates.
    pub estimates: Vec<EddEstimate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_table_is_sorted_unique_and_complete() {
        assert_eq!(COUNTRIES.len() % 5, 0);
        let recs: Vec<_> = country_records().collect();
        assert_eq!(recs.len(), 250, "249 ISO 3166-1 codes + XK");
        assert!(
            recs.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted by alpha-2"
        );
        let mut a3: Vec<_> = recs.iter().map(|r| r.1).collect();
        a3.sort_unstable();
        a3.dedup();
        assert_eq!(a3.len(), 250, "alpha-3 codes are unique");
        assert!(
            recs.iter()
                .all(|(a, b)| a.bytes().chain(b.bytes()).all(|c| c.is_ascii_uppercase()))
        );
    }

    #[test]
    fn countries_accept_alpha2_and_alpha3() {
        for (raw, want) in [
            ("US", "USA"),
            ("de", "DEU"),
            (" gb ", "GBR"),
            ("DEU", "DEU"),
            ("chn", "CHN"),
            ("XK", "XKX"),
            ("NA", "NAM"),
            ("ZW", "ZWE"),
            ("AD", "AND"),
        ] {
            assert_eq!(parse_country(raw).unwrap().as_str(), want, "{raw}");
        }
        for bad in ["", "U", "UK", "ZZZ", "ZZ", "USAA", "U1", "ÜS"] {
            assert_eq!(parse_country(bad), Err(EddParseError::Country), "{bad}");
        }
        assert_eq!(
            country_alpha2(&CountryCode::parse("deu").unwrap()),
            Some("DE")
        );
        assert_eq!(country_alpha2(&CountryCode::parse("ZZZ").unwrap()), None);
    }

    #[test]
    fn postal_codes_and_services() {
        assert_eq!(
            PostalCode::parse(" sw1a 1aa ").unwrap().as_str(),
            "SW1A 1AA"
        );
        assert!(PostalCode::parse("10115").is_ok());
        for bad in ["", "   ", "1234567890ABCDEFG", "10115;", "ÄB"] {
            assert_eq!(
                PostalCode::parse(bad),
                Err(EddParseError::PostalCode),
                "{bad}"
            );
        }
        assert_eq!(
            ServiceLevel::parse(" Express ").unwrap().as_str(),
            "express"
        );
        assert!(ServiceLevel::parse("next_day-am").is_ok());
        for bad in ["", "two words", "a/b", &"a".repeat(33)] {
            assert_eq!(
                ServiceLevel::parse(bad),
                Err(EddParseError::Service),
                "{bad}"
            );
        }
    }

    #[test]
    fn requests_deserialise_through_their_constructors() {
        let req: EddRequest = serde_json::from_str(
            r#"{"destination":{"country":"us","postal_code":"10001","state":" NY "},
                "items":[{"service":"standard"},{"service":"express","processing_days":2}]}"#,
        )
        .unwrap();
        assert_eq!(req.destination().country().as_str(), "USA");
        assert_eq!(req.destination().state(), Some("NY"));
        assert_eq!(req.items()[0].processing_days(), 0);
        assert_eq!(req.items()[1].service().as_str(), "express");
        let json = serde_json::to_string(&req).unwrap();
        assert!(json.contains(r#""country":"USA""#), "{json}");
        assert_eq!(serde_json::from_str::<EddRequest>(&json).unwrap(), req);

        // An empty postal-code field is "not given".
        let d: Destination =
            serde_json::from_str(r#"{"country":"DE","postal_code":"","state":""}"#).unwrap();
        assert_eq!((d.postal_code(), d.state()), (None, None));

        for bad in [
            r#"{"destination":{"country":"ZZ"},"items":[{"service":"standard"}]}"#,
            r#"{"destination":{"country":"US","postal_code":"<b>"},"items":[{"service":"x"}]}"#,
            r#"{"destination":{"country":"US"},"items":[]}"#,
            r#"{"destination":{"country":"US"},"items":[{"service":"x","processing_days":31}]}"#,
            r#"{"destination":{"country":"US"},"items":[{"service":"x","processing_days":-1}]}"#,
            r#"{"destination":{"country":"US"},"items":[{"service":"A B"}]}"#,
        ] {
            assert!(serde_json::from_str::<EddRequest>(bad).is_err(), "{bad}");
        }
        let eleven = format!(
            r#"{{"destination":{{"country":"US"}},"items":[{}]}}"#,
            [r#"{"service":"s"}"#; 11].join(",")
        );
        assert!(serde_json::from_str::<EddRequest>(&eleven).is_err());
        let extra: EddRequest = serde_json::from_str(
            r#"{"destination":{"country":"US","time_zone":"Asia/Tokyo"},"items":[{"service":"s"}],
                "origin":{"country":"CN"},"warehouse":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"destination":{"country":"USA"},"items":[{"service":"s","processing_days":0}]}"#
        );
        assert_eq!(
            Destination::new(
                CountryCode::parse("USA").unwrap(),
                None,
                Some(&"x".repeat(65))
            ),
            Err(EddParseError::State)
        );
    }

    #[test]
    fn estimates_must_be_ordered() {
        let d = |s| IsoDate::parse(s).unwrap();
        let svc = ServiceLevel::parse("standard").unwrap();
        let e = EddEstimate::new(
            svc.clone(),
            EddSource::Rules,
            d("2026-12-01"),
            d("2026-12-02"),
            d("2026-12-03"),
            Some("2026-11-27T14:00:00+01:00".into()),
        )
        .unwrap();
        let json = serde_json::to_string(&EddResponse {
            estimates: vec![e.clone()],
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"estimates":[{"service":"standard","source":"rules","min":"2026-12-01","likely":"2026-12-02","max":"2026-12-03","cutoff":"2026-11-27T14:00:00+01:00"}]}"#
        );
        let back: EddResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(back.estimates, vec![e]);
        let unordered = EddEstimate::new(
            svc.clone(),
            EddSource::Aftership,
            d("2026-12-03"),
            d("2026-12-02"),
            d("2026-12-04"),
            None,
        );
        assert_eq!(unordered, Err(EddParseError::Range));
        assert!(
            serde_json::from_str::<EddEstimate>(
                r#"{"service":"s","source":"rules","min":"2026-12-02","likely":"2026-12-01","max":"2026-12-03"}"#
            )
            .is_err()
        );
        for ok in ["2026-11-27T14:00:00Z", "2026-11-27T14:00:00.5-05:00"] {
            assert!(looks_like_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2026-11-27 14:00:00Z",
            "2026-11-27T14:00:00",
            "2026-02-30T14:00:00Z",
            "2026-11-27T14:00:00+1:00",
            "2026-11-27T14:00:00.Z",
        ] {
            assert!(!looks_like_rfc3339(bad), "{bad}");
        }
    }
}
