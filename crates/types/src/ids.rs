//! Identifier newtypes. Each has exactly one fallible constructor (`parse`), private
//! fields, and deserialises through that constructor, so an invalid value cannot exist.

use core::fmt;
use serde::{Deserialize, Serialize};

/// Why a shopper- or upstream-supplied identifier was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The tracking number is empty after trimming.
    TrackingNumberMissing,
    /// The tracking number is shorter than 4 or longer than 100 characters.
    TrackingNumberLength,
    /// The tracking number holds a character outside `A-Z 0-9 - . _ /`.
    TrackingNumberChars,
    /// The courier slug is empty, longer than 64 bytes or not `[a-z0-9-]`.
    Slug,
    /// The country code is not three ASCII letters (ISO 3166-1 alpha-3).
    Country,
    /// The language tag is not one AfterShip can translate checkpoints into.
    Lang,
    /// The date is not a real calendar date written `YYYY-MM-DD`.
    Date,
}

impl ParseError {
    /// A short human explanation, suitable for an inline form error or an API message.
    pub fn message(self) -> &'static str {
        match self {
            Self::TrackingNumberMissing => "Enter a tracking number.",
            Self::TrackingNumberLength => "A tracking number has 4 to 100 characters.",
            Self::TrackingNumberChars => {
                "A tracking number may only contain letters, digits and - . _ /"
            }
            Self::Slug => "The courier must be a slug of lowercase letters, digits and hyphens.",
            Self::Country => "The country must be an ISO 3166-1 alpha-3 code, such as DEU.",
            Self::Lang => "The language is not supported.",
            Self::Date => "The date must be a calendar date written YYYY-MM-DD.",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ParseError {}

/// Implements `Display`, `AsRef<str>`, `as_str`, `FromStr` and `TryFrom<String>` for a
/// string newtype whose only constructor is `parse` (returning `$err`, [`ParseError`] by
/// default).
macro_rules! string_newtype {
    ($name:ident) => {
        string_newtype!($name, ParseError);
    };
    ($name:ident, $err:ty) => {
        impl $name {
            /// The canonical text of this value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = $err;
            fn try_from(value: String) -> Result<Self, $err> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl core::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }
    };
}
pub(crate) use string_newtype;

/// A carrier tracking number as AfterShip accepts it: 4 to 100 characters of
/// `A-Z 0-9 - . _ /`.
///
/// Parsing normalises what shoppers paste: surrounding and inner white space is removed and
/// letters are upper-cased, so `" ec 1234-5678 "` becomes `EC1234-5678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// Normalises and validates a tracking number.
    ///
    /// # Errors
    /// [`ParseError::TrackingNumberMissing`], [`ParseError::TrackingNumberLength`] or
    /// [`ParseError::TrackingNumberChars`].
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let normalised: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if normalised.is_empty() {
            return Err(ParseError::TrackingNumberMissing);
        }
        if !normalised
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"-._/".contains(&b))
        {
            return Err(ParseError::TrackingNumberChars);
        }
        if !(4..=100).contains(&normalised.len()) {
            return Err(ParseError::TrackingNumberLength);
        }
        Ok(Self(normalised))
    }
}
string_newtype!(TrackingNumber);

/// An AfterShip courier slug such as `ecms` or `royal-mail`: 1 to 64 bytes of `[a-z0-9-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CourierSlug(String);

impl CourierSlug {
    /// The default courier of trackfront: ECMS International Logistics.
    pub const DEFAULT: &'static str = "ecms";

    /// Validates a slug. Surrounding white space is trimmed; case is significant.
    ///
    /// # Errors
    /// [`ParseError::Slug`].
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::Slug)
        }
    }

    /// The `ecms` slug.
    pub fn ecms() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}
string_newtype!(CourierSlug);

/// An ISO 3166-1 alpha-3 country or region code (`USA`, `DEU`), as AfterShip uses.
/// Parsing upper-cases the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    /// Validates an alpha-3 code.
    ///
    /// # Errors
    /// [`ParseError::Country`].
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(ParseError::Country)
        }
    }
}
string_newtype!(CountryCode);

/// Languages AfterShip can translate checkpoint messages into (`lang` on get-tracking).
const LANGS: &[&str] = &[
    "en", "fr", "fr-CA", "ar", "bg", "ca", "hr", "cs", "da", "nl", "et", "tl", "fi", "de", "el",
    "he", "hi", "hu", "id", "it", "ja", "ko", "lv", "lt", "ms", "pl", "pt", "ro", "ru", "sr", "sk",
    "sl", "es", "sv", "th", "tr", "uk", "vi", "zh-Hans", "zh-Hant", "nb",
];

/// A language tag from AfterShip's checkpoint-translation list, in its canonical spelling
/// (`de`, `fr-CA`, `zh-Hans`). Matching is case-insensitive and accepts `_` for `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Lang(String);

impl Lang {
    /// Looks a tag up in the supported list.
    ///
    /// # Errors
    /// [`ParseError::Lang`].
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim().replace('_', "-");
        LANGS
            .iter()
            .find(|l| l.eq_ignore_ascii_case(&s))
            .map(|l| Self((*l).to_owned()))
            .ok_or(ParseError::Lang)
    }

    /// The best supported language for a browser tag such as `de-AT` or `zh-CN`:
    /// the exact tag, then its primary subtag (Chinese maps by script), else `None`.
    pub fn negotiate(browser_tag: &str) -> Option<Self> {
        if let Ok(l) = Self::parse(browser_tag) {
            return Some(l);
        }
        let lower = browser_tag.trim().to_ascii_lowercase().replace('_', "-");
        let primary = lower.split('-').next().unwrap_or_default();
        if primary == "zh" {
            let traditional = ["hant", "tw", "hk", "mo"]
                .iter()
                .any(|t| lower.split('-').skip(1).any(|p| p == *t));
            return Self::parse(if traditional { "zh-Hant" } else { "zh-Hans" }).ok();
        }
        Self::parse(primary).ok()
    }

    /// English.
    pub fn en() -> Self {
        Self("en".to_owned())
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        matches!(self.0.as_str(), "ar" | "he")
    }
}
string_newtype!(Lang);

/// A calendar date written `YYYY-MM-DD` (proleptic Gregorian, years 1000 to 9999).
/// Dates travel to the browser in this form so that no time-zone shift can move them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsoDate {
    year: u16,
    month: u8,
    day: u8,
}

impl IsoDate {
    /// Parses exactly `YYYY-MM-DD`.
    ///
    /// # Errors
    /// [`ParseError::Date`] for any other shape or a day that does not exist.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let b = raw.as_bytes();
        let digits = |r: core::ops::Range<usize>| -> Option<u32> {
            b.get(r.clone())?.iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(ParseError::Date);
        }
        let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
            return Err(ParseError::Date);
        };
        Self::from_ymd(y as u16, m as u8, d as u8)
    }

    /// `YYYY-MM-DD`. Written with [`push_digits`] rather than `write!`, so that the widget,
    /// which must not link `core::fmt` (1 KB of wasm), can print dates.
    pub fn to_iso(self) -> String {
        let mut s = String::with_capacity(10);
        push_digits(&mut s, self.year.into(), 4);
        s.push('-');
        push_digits(&mut s, self.month.into(), 2);
        s.push('-');
        push_digits(&mut s, self.day.into(), 2);
        s
    }

    /// Builds a date from its parts.
    ///
    /// # Errors
    /// [`ParseError::Date`] when the day does not exist or the year is outside 1000..=9999.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Result<Self, ParseError> {
        if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(ParseError::Date);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(ParseError::Date);
        }
        Ok(Self { year, month, day })
    }

    /// The leading `YYYY-MM-DD` of an AfterShip date or date-time
    /// (`2022-01-03`, `2022-01-03T12:11:11`, `2022-01-03T12:11:11+01:00`), in the
    /// timestamp's own local date. Returns `None` when there is no valid date prefix.
    pub fn from_timestamp_prefix(raw: &str) -> Option<Self> {
        let head = raw.get(..10)?;
        let rest = &raw[10..];
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
            return None;
        }
        Self::parse(head).ok()
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }
    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }
}

/// Appends `n` in ASCII decimal digits, zero-padded to at least `min_width` digits. The one
/// number writer of the wasm front-ends, which link no `core::fmt` (`to_string`, `write!`).
pub fn push_digits(out: &mut String, n: u64, min_width: usize) {
    let mut digits = [b'0'; 20];
    let mut rest = n;
    let mut start = digits.len();
    while rest > 0 || digits.len() - start < min_width.clamp(1, digits.len()) {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend(digits[start..].iter().map(|d| char::from(*d)));
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl TryFrom<String> for IsoDate {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Self::parse(&value)
    }
}

impl From<IsoDate> for String {
    fn from(value: IsoDate) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tracking_numbers_are_normalised() {
        let n = TrackingNumber::parse("  ec 1234-5678.x_y/z ").unwrap();
        assert_eq!(n.as_str(), "EC1234-5678.X_Y/Z");
    }

    #[test]
    fn tracking_number_errors_are_specific() {
        assert_eq!(
            TrackingNumber::parse("  "),
            Err(ParseError::TrackingNumberMissing)
        );
        assert_eq!(
            TrackingNumber::parse("AB1"),
            Err(ParseError::TrackingNumberLength)
        );
        assert_eq!(
            TrackingNumber::parse(&"A".repeat(101)),
            Err(ParseError::TrackingNumberLength)
        );
        assert_eq!(
            TrackingNumber::parse("AB12#"),
            Err(ParseError::TrackingNumberChars)
        );
        assert_eq!(
            TrackingNumber::parse("ÄB1234"),
            Err(ParseError::TrackingNumberChars)
        );
        assert!(TrackingNumber::parse(&"A".repeat(100)).is_ok());
    }

    #[test]
    fn slugs() {
        assert!(CourierSlug::parse("ecms").is_ok());
        assert!(CourierSlug::parse("royal-mail").is_ok());
        for bad in ["", "ECMS", "a/b", "..", "a b", "%2f", &"a".repeat(65)] {
            assert_eq!(CourierSlug::parse(bad), Err(ParseError::Slug), "{bad}");
        }
    }

    #[test]
    fn langs_are_canonicalised_and_negotiated() {
        assert_eq!(Lang::parse("ZH-hans").unwrap().as_str(), "zh-Hans");
        assert_eq!(Lang::parse("fr_ca").unwrap().as_str(), "fr-CA");
        assert!(Lang::parse("xx").is_err());
        assert_eq!(Lang::negotiate("de-AT").unwrap().as_str(), "de");
        assert_eq!(Lang::negotiate("zh-CN").unwrap().as_str(), "zh-Hans");
        assert_eq!(Lang::negotiate("zh-TW").unwrap().as_str(), "zh-Hant");
        assert!(Lang::negotiate("tlh").is_none());
        assert!(Lang::parse("ar").unwrap().is_rtl());
    }

    #[test]
    fn dates() {
        assert!(IsoDate::parse("2024-02-29").is_ok());
        assert!(IsoDate::parse("2023-02-29").is_err());
        assert!(IsoDate::parse("1900-02-29").is_err());
        assert!(IsoDate::parse("2000-02-29").is_ok());
        assert!(IsoDate::parse("2024-13-01").is_err());
        assert!(IsoDate::parse("2024-1-01").is_err());
        assert!(IsoDate::parse("+024-01-01").is_err());
        assert_eq!(
            IsoDate::from_timestamp_prefix("2022-01-03T23:30:00-05:00")
                .unwrap()
                .to_string(),
            "2022-01-03"
        );
        assert!(IsoDate::from_timestamp_prefix("2022-01-031").is_none());
    }

    #[test]
    fn invalid_values_cannot_be_deserialised() {
        assert!(serde_json::from_str::<TrackingNumber>("\"a\"").is_err());
        assert!(serde_json::from_str::<CourierSlug>("\"A B\"").is_err());
        let d: IsoDate = serde_json::from_str("\"2026-12-31\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-12-31\"");
    }

    proptest! {
        #[test]
        fn parsed_tracking_numbers_round_trip(raw in "[ a-zA-Z0-9._/-]{0,120}") {
            if let Ok(n) = TrackingNumber::parse(&raw) {
                prop_assert_eq!(TrackingNumber::parse(n.as_str()).unwrap(), n.clone());
                prop_assert!((4..=100).contains(&n.as_str().len()));
            }
        }

        #[test]
        fn dates_round_trip(y in 1000u16..=9999, m in 1u8..=12, d in 1u8..=31) {
            if let Ok(date) = IsoDate::from_ymd(y, m, d) {
                prop_assert_eq!(IsoDate::parse(&date.to_string()).unwrap(), date);
            }
        }
    }
}
