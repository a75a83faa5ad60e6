//! The merchant's TOML configuration and its validation into [`Rules`].
//!
//! Parsing happens in two steps: `toml` + serde into `Raw*` structs that mirror the file
//! (unknown keys are rejected, so a typo such as `cutof` is an error, not a silent
//! default), then [`Rules::from_toml`] checks every value and converts it into the
//! engine's types, reporting the first problem with the dotted path of the field
//! (`warehouses[0].time_zone`).

use crate::calendar::{Calendar, Observed, YearlyRule, parse_weekday};
use jiff::civil::{Date, Time};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use trackfront_types::{CountryCode, CourierSlug, ServiceLevel, parse_country};

/// Why a merchant configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The text is not TOML, a key is unknown or missing, or a value has the wrong type.
    /// The message names the key and shows the offending line.
    #[error("merchant config is not valid TOML for this schema: {0}")]
    Toml(String),
    /// A value is well-typed but not acceptable.
    #[error("merchant config: `{field}`: {reason}")]
    Invalid {
        /// Dotted path of the field, e.g. `warehouses[0].time_zone`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ConfigError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The dotted path of the offending field, for [`ConfigError::Invalid`].
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::Toml(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The file as written.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    regions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    calendars: BTreeMap<String, RawCalendar>,
    warehouses: Vec<RawWarehouse>,
    services: BTreeMap<String, RawService>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWarehouse {
    id: String,
    time_zone: String,
    cutoff: String,
    #[serde(default)]
    processing_days: u8,
    #[serde(default)]
    business_days: Option<Vec<String>>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    serves: Option<Vec<String>>,
    address: RawAddress,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAddress {
    country: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    dates: Vec<String>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    #[allow(dead_code)] // documentation for people reading the file
    name: Option<String>,
    #[serde(default)]
    month: Option<i8>,
    #[serde(default)]
    day: Option<i8>,
    #[serde(default)]
    weekday: Option<String>,
    #[serde(default)]
    nth: Option<i8>,
    #[serde(default)]
    easter: Option<i16>,
    #[serde(default)]
    observed: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    #[serde(default)]
    aftership_slug: Option<String>,
    #[serde(default)]
    service_type_name: Option<String>,
    #[serde(default)]
    transit: Option<RawTransit>,
    #[serde(default)]
    lanes: Vec<RawLane>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransit {
    min: u8,
    max: u8,
    #[serde(default)]
    likely: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLane {
    #[serde(default)]
    warehouse: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    states: Vec<String>,
    #[serde(default)]
    postal_prefixes: Vec<String>,
    min: u8,
    max: u8,
    #[serde(default)]
    likely: Option<u8>,
}

// ---------------------------------------------------------------------------------------
// The validated model.

/// A yearly holiday and how it is observed when it falls on a weekend.
type HolidayRule = (YearlyRule, Observed);

/// Transit time in business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transit {
    /// Fewest business days in transit.
    pub min: u8,
    /// Most likely business days in transit.
    pub likely: u8,
    /// Most business days in transit.
    pub max: u8,
}

/// A warehouse's address, as sent to AfterShip as `origin_address`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    pub(crate) country: CountryCode,
    pub(crate) state: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) postal_code: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Warehouse {
    pub(crate) id: String,
    pub(crate) tz: TimeZone,
    pub(crate) cutoff: Time,
    pub(crate) processing_days: u8,
    pub(crate) calendar: Calendar,
    /// `None` = serves every country.
    pub(crate) serves: Option<BTreeSet<CountryCode>>,
    pub(crate) address: Address,
}

#[derive(Debug, Clone)]
pub(crate) struct Lane {
    pub(crate) warehouse: Option<String>,
    /// `None` = any country.
    pub(crate) countries: Option<BTreeSet<CountryCode>>,
    /// Upper-cased; empty = any state.
    pub(crate) states: Vec<String>,
    /// Upper-cased; empty = any postal code.
    pub(crate) postal_prefixes: Vec<String>,
    pub(crate) transit: Transit,
}

#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) aftership_slug: Option<CourierSlug>,
    pub(crate) service_type_name: Option<String>,
    pub(crate) default: Option<Transit>,
    pub(crate) lanes: Vec<Lane>,
}

/// A merchant's validated delivery rules. Build one with [`Rules::from_toml`] at start-up
/// and share it (it is immutable and `Send + Sync`).
#[derive(Debug, Clone)]
pub struct Rules {
    pub(crate) warehouses: Vec<Warehouse>,
    pub(crate) services: BTreeMap<ServiceLevel, Service>,
}

impl Rules {
    /// Parses and validates a merchant configuration, looking time zones up in the IANA
    /// database bundled into the binary (see the crate docs for why).
    ///
    /// # Errors
    /// [`ConfigError::Toml`] for syntax, unknown keys, missing keys and wrong types;
    /// [`ConfigError::Invalid`] naming the field for any value out of range.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with_db(text, &TimeZoneDatabase::bundled())
    }

    /// Like [`Rules::from_toml`], with a caller-chosen time-zone database (for example
    /// `jiff::tz::db()`, the host's `/usr/share/zoneinfo`, to pick up tzdata updates
    /// without a rebuild).
    ///
    /// # Errors
    /// As [`Rules::from_toml`].
    pub fn from_toml_with_db(text: &str, db: &TimeZoneDatabase) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        build(raw, db)
    }

    /// The configured service levels.
    pub fn services(&self) -> impl Iterator<Item = &ServiceLevel> {
        self.services.keys()
    }

    /// The configured warehouse ids, in file order.
    pub fn warehouses(&self) -> impl Iterator<Item = &str> {
        self.warehouses.iter().map(|w| w.id.as_str())
    }

    /// Whether `warehouse` works on `date` (a business weekday that is not a holiday);
    /// `None` for an unknown warehouse.
    pub fn is_business_day(&self, warehouse: &str, date: Date) -> Option<bool> {
        self.warehouses
            .iter()
            .find(|w| w.id == warehouse)
            .map(|w| w.calendar.is_business_day(date))
    }
}

fn build(raw: RawConfig, db: &TimeZoneDatabase) -> Result<Rules, ConfigError> {
    // Regions: named groups of countries.
    let mut regions: BTreeMap<String, BTreeSet<CountryCode>> = BTreeMap::new();
    for (name, list) in &raw.regions {
        let field = format!("regions.{name}");
        if list.is_empty() {
            return Err(ConfigError::invalid(
                field,
                "a region needs at least one country",
            ));
        }
        let set = list
            .iter()
            .enumerate()
            .map(|(i, c)| country(c, &format!("{field}[{i}]")))
            .collect::<Result<_, _>>()?;
        regions.insert(name.clone(), set);
    }

    // Calendars.
    let mut calendars: BTreeMap<&str, (BTreeSet<Date>, Vec<HolidayRule>)> = BTreeMap::new();
    for (name, cal) in &raw.calendars {
        let mut dates = BTreeSet::new();
        for (i, d) in cal.dates.iter().enumerate() {
            let date: Date = d.trim().parse().map_err(|_| {
                ConfigError::invalid(
                    format!("calendars.{name}.dates[{i}]"),
                    format!("{d:?} is not a calendar date written YYYY-MM-DD"),
                )
            })?;
            dates.insert(date);
        }
        let rules = cal
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| rule(r, &format!("calendars.{name}.rules[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        calendars.insert(name, (dates, rules));
    }

    // Warehouses.
    if raw.warehouses.is_empty() {
        return Err(ConfigError::invalid(
            "warehouses",
            "configure at least one warehouse",
        ));
    }
    let mut warehouses: Vec<Warehouse> = Vec::with_capacity(raw.warehouses.len());
    for (i, w) in raw.warehouses.iter().enumerate() {
        let p = format!("warehouses[{i}]");
        let id = w.id.trim();
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ConfigError::invalid(
                format!("{p}.id"),
                "an id is 1 to 64 characters of letters, digits, '-' and '_'",
            ));
        }
        if warehouses.iter().any(|o| o.id == id) {
            return Err(ConfigError::invalid(
                format!("{p}.id"),
                format!("duplicate warehouse id {id:?}"),
            ));
        }
        let tz = db.get(w.time_zone.trim()).map_err(|_| {
            ConfigError::invalid(
                format!("{p}.time_zone"),
                format!(
                    "{:?} is not an IANA time zone name (such as Europe/Berlin)",
                    w.time_zone
                ),
            )
        })?;
        let cutoff = hh_mm(&w.cutoff).ok_or_else(|| {
            ConfigError::invalid(
                format!("{p}.cutoff"),
                format!(
                    "{:?} is not a local time written HH:MM (00:00 to 23:59)",
                    w.cutoff
                ),
            )
        })?;
        if cutoff == Time::midnight() {
            return Err(ConfigError::invalid(
                format!("{p}.cutoff"),
                "a 00:00 cutoff can never be met; for next-day shipping set processing_days = 1",
            ));
        }
        if w.processing_days > 30 {
            return Err(ConfigError::invalid(
                format!("{p}.processing_days"),
                "at most 30 processing days",
            ));
        }
        let business_days = match &w.business_days {
            None => [true, true, true, true, true, false, false],
            Some(list) => {
                let mut days = [false; 7];
                for (j, d) in list.iter().enumerate() {
                    let wd = parse_weekday(d).ok_or_else(|| {
                        ConfigError::invalid(
                            format!("{p}.business_days[{j}]"),
                            format!("{d:?} is not a weekday (mon, tue, … sun)"),
                        )
                    })?;
                    days[crate::calendar::weekday_index(wd)] = true;
                }
                if !days.contains(&true) {
                    return Err(ConfigError::invalid(
                        format!("{p}.business_days"),
                        "a warehouse needs at least one business day",
                    ));
                }
                days
            }
        };
        let mut calendar = Calendar {
            business_days,
            dates: BTreeSet::new(),
            rules: Vec::new(),
        };
        for (j, name) in w.holidays.iter().enumerate() {
            let (dates, rules) = calendars.get(name.as_str()).ok_or_else(|| {
                ConfigError::invalid(
                    format!("{p}.holidays[{j}]"),
                    format!("no calendar named {name:?} in [calendars]"),
                )
            })?;
            calendar.dates.extend(dates.iter().copied());
            calendar.rules.extend(rules.iter().cloned());
        }
        let serves = match &w.serves {
            None => None,
            Some(list) => Some(destinations(
                list,
                &format!("{p}.serves"),
                &[],
                "",
                &regions,
            )?),
        };
        let a = &w.address;
        let address = Address {
            country: country(&a.country, &format!("{p}.address.country"))?,
            state: non_empty(a.state.as_deref()),
            city: non_empty(a.city.as_deref()),
            postal_code: non_empty(a.postal_code.as_deref()),
        };
        if address.state.is_none() && address.postal_code.is_none() {
            return Err(ConfigError::invalid(
                format!("{p}.address"),
                "give a state or a postal_code (AfterShip requires one of them)",
            ));
        }
        warehouses.push(Warehouse {
            id: id.to_owned(),
            tz,
            cutoff,
            processing_days: w.processing_days,
            calendar,
            serves,
            address,
        });
    }

    // Services.
    if raw.services.is_empty() {
        return Err(ConfigError::invalid(
            "services",
            "configure at least one service",
        ));
    }
    let mut services = BTreeMap::new();
    for (name, s) in &raw.services {
        let p = format!("services.{name}");
        let level = ServiceLevel::parse(name).map_err(|e| ConfigError::invalid(&p, e.message()))?;
        if level.as_str() != name {
            return Err(ConfigError::invalid(
                &p,
                "service names are written in lower case, as the widget sends them",
            ));
        }
        let aftership_slug =
            match &s.aftership_slug {
                None => None,
                Some(slug) => Some(CourierSlug::parse(slug).map_err(|e| {
                    ConfigError::invalid(format!("{p}.aftership_slug"), e.message())
                })?),
            };
        let default = match &s.transit {
            None => None,
            Some(t) => Some(transit(t.min, t.likely, t.max, &format!("{p}.transit"))?),
        };
        let mut lanes = Vec::with_capacity(s.lanes.len());
        for (j, l) in s.lanes.iter().enumerate() {
            let lp = format!("{p}.lanes[{j}]");
            if let Some(wid) = &l.warehouse
                && !warehouses.iter().any(|w| &w.id == wid)
            {
                return Err(ConfigError::invalid(
                    format!("{lp}.warehouse"),
                    format!("no warehouse with id {wid:?}"),
                ));
            }
            let countries = if l.countries.is_empty() && l.regions.is_empty() {
                None
            } else {
                Some(destinations(
                    &l.countries,
                    &format!("{lp}.countries"),
                    &l.regions,
                    &format!("{lp}.regions"),
                    &regions,
                )?)
            };
            let upper = |v: &[String]| -> Vec<String> {
                v.iter()
                    .map(|s| s.trim().to_ascii_uppercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            lanes.push(Lane {
                warehouse: l.warehouse.clone(),
                countries,
                states: upper(&l.states),
                postal_prefixes: upper(&l.postal_prefixes),
                transit: transit(l.min, l.likely, l.max, &lp)?,
            });
        }
        if default.is_none() && lanes.is_empty() {
            return Err(ConfigError::invalid(
                &p,
                "a service needs a `transit` default or at least one lane",
            ));
        }
        services.insert(
            level,
            Service {
                aftership_slug,
                service_type_name: non_empty(s.service_type_name.as_deref()),
                default,
                lanes,
            },
        );
    }

    Ok(Rules {
        warehouses,
        services,
    })
}

fn country(raw: &str, field: &str) -> Result<CountryCode, ConfigError> {
    parse_country(raw).map_err(|_| {
        ConfigError::invalid(field, format!("{raw:?} is not an ISO 3166-1 country code"))
    })
}

/// Countries plus the members of named regions.
/// `countries_field` and `regions_field` are the dotted paths of the two lists. A name in
/// `countries` that is a region's name counts as that region (handy in `serves`).
fn destinations(
    countries: &[String],
    countries_field: &str,
    region_names: &[String],
    regions_field: &str,
    regions: &BTreeMap<String, BTreeSet<CountryCode>>,
) -> Result<BTreeSet<CountryCode>, ConfigError> {
    let mut set = BTreeSet::new();
    for (i, c) in countries.iter().enumerate() {
        if let Some(r) = regions.get(c.as_str()) {
            set.extend(r.iter().cloned());
        } else {
            set.insert(country(c, &format!("{countries_field}[{i}]"))?);
        }
    }
    for (i, r) in region_names.iter().enumerate() {
        let members = regions.get(r.as_str()).ok_or_else(|| {
            ConfigError::invalid(
                format!("{regions_field}[{i}]"),
                format!("no region named {r:?} in [regions]"),
            )
        })?;
        set.extend(members.iter().cloned());
    }
    Ok(set)
}

fn transit(min: u8, likely: Option<u8>, max: u8, field: &str) -> Result<Transit, ConfigError> {
    if max > 60 {
        return Err(ConfigError::invalid(
            format!("{field}.max"),
            "at most 60 business days in transit",
        ));
    }
    if min > max {
        return Err(ConfigError::invalid(
            format!("{field}.min"),
            format!("min ({min}) is greater than max ({max})"),
        ));
    }
    // Without an explicit value, the middle of the range (rounded down).
    let likely = likely.unwrap_or(min + (max - min) / 2);
    if !(min..=max).contains(&likely) {
        return Err(ConfigError::invalid(
            format!("{field}.likely"),
            format!("likely ({likely}) must lie between min ({min}) and max ({max})"),
        ));
    }
    Ok(Transit { min, likely, max })
}

fn rule(r: &RawRule, field: &str) -> Result<HolidayRule, ConfigError> {
    let observed = match r.observed.as_deref().map(str::trim) {
        None | Some("actual") => Observed::Actual,
        Some("nearest_weekday") => Observed::NearestWeekday,
        Some("next_weekday") => Observed::NextWeekday,
        Some(other) => {
            return Err(ConfigError::invalid(
                format!("{field}.observed"),
                format!(
                    "{other:?} is not one of \"actual\", \"nearest_weekday\", \"next_weekday\""
                ),
            ));
        }
    };
    Ok((date_rule(r, field)?, observed))
}

fn date_rule(r: &RawRule, field: &str) -> Result<YearlyRule, ConfigError> {
    let month = |r: &RawRule| -> Result<i8, ConfigError> {
        match r.month {
            Some(m @ 1..=12) => Ok(m),
            Some(m) => Err(ConfigError::invalid(
                format!("{field}.month"),
                format!("{m} is not a month (1 to 12)"),
            )),
            None => Err(ConfigError::invalid(
                format!("{field}.month"),
                "this rule needs a month",
            )),
        }
    };
    match (r.day, &r.weekday, r.easter) {
        (Some(day), None, None) => {
            if r.nth.is_some() {
                return Err(ConfigError::invalid(
                    format!("{field}.nth"),
                    "`nth` goes with `weekday`, not with `day`",
                ));
            }
            let m = month(r)?;
            // 2024 is a leap year, so 02-29 is accepted (it then applies in leap years).
            if Date::new(2024, m, day).is_err() {
                return Err(ConfigError::invalid(
                    format!("{field}.day"),
                    format!("month {m} has no day {day}"),
                ));
            }
            Ok(YearlyRule::Fixed { month: m, day })
        }
        (None, Some(wd), None) => {
            let m = month(r)?;
            let weekday = parse_weekday(wd).ok_or_else(|| {
                ConfigError::invalid(
                    format!("{field}.weekday"),
                    format!("{wd:?} is not a weekday (mon, tue, … sun)"),
                )
            })?;
            match r.nth {
                Some(nth @ (1..=5 | -5..=-1)) => Ok(YearlyRule::NthWeekday {
                    month: m,
                    weekday,
                    nth,
                }),
                Some(nth) => Err(ConfigError::invalid(
                    format!("{field}.nth"),
                    format!("{nth} is not 1..=5 (from the start) or -1..=-5 (-1 = last)"),
                )),
                None => Err(ConfigError::invalid(
                    format!("{field}.nth"),
                    "a weekday rule needs `nth` (e.g. 4 for the 4th, -1 for the last)",
                )),
            }
        }
        (None, None, Some(offset)) => {
            if r.month.is_some() || r.nth.is_some() {
                return Err(ConfigError::invalid(
                    field,
                    "an Easter rule takes only `easter` (days from Easter Sunday)",
                ));
            }
            if !(-100..=100).contains(&offset) {
                return Err(ConfigError::invalid(
                    format!("{field}.easter"),
                    "at most 100 days from Easter Sunday",
                ));
            }
            Ok(YearlyRule::Easter { offset })
        }
        _ => Err(ConfigError::invalid(
            field,
            "a rule needs exactly one of: `month` + `day`; `month` + `weekday` + `nth`; `easter`",
        )),
    }
}

/// `HH:MM`, 00:00 to 23:59.
fn hh_mm(raw: &str) -> Option<Time> {
    let b = raw.trim().as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i8> {
        let (x, y) = (b[i], b[i + 1]);
        (x.is_ascii_digit() && y.is_ascii_digit()).then(|| ((x - b'0') * 10 + (y - b'0')) as i8)
    };
    Time::new(two(0)?, two(3)?, 0, 0).ok()
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
