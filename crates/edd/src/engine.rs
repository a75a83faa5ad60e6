//! The estimate itself: cutoff in the warehouse's zone, ship day, processing, transit.

use crate::calendar::Stop;
use crate::config::{Rules, Service, Transit, Warehouse};
use jiff::Timestamp;
use jiff::Zoned;
use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use trackfront_types::{
    CountryCode, Destination, EddEstimate, EddItem, EddSource, IsoDate, ServiceLevel,
};

/// Why no estimate could be made. The proxy hides the badge line and logs this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EstimateError {
    /// The page asked for a service the merchant has not configured.
    #[error("service {0:?} is not configured")]
    UnknownService(ServiceLevel),
    /// No warehouse's `serves` list covers the destination country.
    #[error("no warehouse ships to {0}")]
    NoWarehouse(CountryCode),
    /// The service has neither a matching lane nor a `transit` default.
    #[error("service {service:?} has no transit rule for {country}")]
    NoTransitRule {
        /// The service.
        service: ServiceLevel,
        /// The destination country.
        country: CountryCode,
    },
    /// The warehouse's calendar has no business day within the search window (every day
    /// for more than two years is a holiday).
    #[error("warehouse {0:?} has no business day in sight")]
    NoBusinessDay(String),
    /// A date fell outside what the time library or [`IsoDate`] can represent.
    #[error("date out of range")]
    OutOfRange,
    /// The service has no `aftership_slug`, so AfterShip cannot be asked for it.
    #[error("service {0:?} has no aftership_slug")]
    NoCourier(ServiceLevel),
    /// AfterShip needs a state or postal code for the destination; the shopper gave
    /// neither.
    #[error("AfterShip needs the destination's state or postal code")]
    DestinationTooVague,
}

/// A rules-engine estimate. All dates are civil dates of the warehouse's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// The warehouse that ships the order.
    pub warehouse: String,
    /// The day the order enters processing: today when placed before today's cutoff on a
    /// business day, else the next business day.
    pub order_day: Date,
    /// The day the carrier picks the parcel up: `order_day` + processing business days
    /// (the warehouse's plus the item's).
    pub pickup_day: Date,
    /// Earliest delivery date (`pickup_day` + transit min business days).
    pub min: Date,
    /// Most likely delivery date.
    pub likely: Date,
    /// Latest delivery date.
    pub max: Date,
    /// Today's cutoff in the warehouse's zone, when an order placed now still makes it
    /// (the browser counts down to it); `None` after the cutoff or on a non-business day.
    pub cutoff: Option<Zoned>,
    /// The transit rule that was applied.
    pub transit: Transit,
}

impl Estimate {
    /// The cutoff as RFC 3339 with the warehouse's offset, e.g.
    /// `2026-11-27T14:00:00+01:00`.
    pub fn cutoff_rfc3339(&self) -> Option<String> {
        self.cutoff
            .as_ref()
            .map(|z| z.timestamp().display_with_offset(z.offset()).to_string())
    }

    /// The browser DTO for this estimate (`source: rules`).
    ///
    /// # Errors
    /// [`EstimateError::OutOfRange`] when a date is outside the years 1000 to 9999.
    pub fn to_dto(&self, service: &ServiceLevel) -> Result<EddEstimate, EstimateError> {
        EddEstimate::new(
            service.clone(),
            EddSource::Rules,
            iso(self.min)?,
            iso(self.likely)?,
            iso(self.max)?,
            self.cutoff_rfc3339(),
        )
        .map_err(|_| EstimateError::OutOfRange)
    }
}

/// A jiff date as the wire's [`IsoDate`].
///
/// # Errors
/// [`EstimateError::OutOfRange`] outside the years 1000 to 9999.
pub fn iso(d: Date) -> Result<IsoDate, EstimateError> {
    let year = u16::try_from(d.year()).map_err(|_| EstimateError::OutOfRange)?;
    // month and day are 1..=12 and 1..=31 by construction.
    IsoDate::from_ymd(year, d.month().unsigned_abs(), d.day().unsigned_abs())
        .map_err(|_| EstimateError::OutOfRange)
}

/// The instant of the cutoff `time` on `date` in `tz`: the first instant at which the
/// warehouse's wall clock reads `time` or later on that date.
///
/// * Normal days: the one instant with that wall time.
/// * Spring forward (the wall time does not exist, e.g. 02:30 on 2026-03-08 in
///   America/New_York): the transition instant itself (the clock jumps from 01:59:59 to
///   03:00:00, which is the first reading at or after 02:30). Neither of jiff's
///   "compatible"/"later" (03:30, half an hour too late) nor "earlier" (01:30, too early)
///   matches the rule, so the transition is looked up explicitly.
/// * Fall back (the wall time happens twice, e.g. 01:30 on 2026-11-01): the first
///   occurrence (jiff's `earlier`). Once passed, the cutoff stays passed, even though the
///   wall clock later shows an earlier time again.
pub(crate) fn cutoff_instant(tz: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    let amb = tz.to_ambiguous_timestamp(date.to_datetime(time));
    match amb.offset() {
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => amb.earlier().ok(),
        AmbiguousOffset::Gap { .. } => {
            let before_gap = amb.earlier().ok()?;
            tz.following(before_gap)
                .next()
                .map(|t| t.timestamp())
                .or_else(|| amb.compatible().ok())
        }
    }
}

/// What the engine decided before applying transit; shared with the AfterShip builder.
pub(crate) struct Plan<'r> {
    pub(crate) warehouse: &'r Warehouse,
    pub(crate) service: &'r Service,
    pub(crate) transit: Option<Transit>,
    pub(crate) local_now: Zoned,
    pub(crate) order_day: Date,
    pub(crate) pickup_day: Date,
    pub(crate) processing_days: u16,
    pub(crate) cutoff: Option<Zoned>,
}

impl Rules {
    /// Estimates delivery of `item` to `dest` for an order placed at `now`.
    ///
    /// The cutoff is evaluated in the **warehouse's** time zone. An order placed exactly at
    /// the cutoff minute (14:00:00 with cutoff 14:00) has missed it: an order makes the
    /// cutoff only when `now` is strictly before the cutoff instant. Then:
    ///
    /// 1. order day = today (warehouse-local) if today is a business day and the cutoff has
    ///    not passed, else the next business day;
    /// 2. pickup day = order day + processing business days (warehouse + item);
    /// 3. min / likely / max = pickup day + transit business days.
    ///
    /// Every day counted is a business day of the warehouse's calendar (business weekday,
    /// not a holiday), so no returned date is a weekend the merchant skips or a holiday.
    ///
    /// The warehouse is the first one whose `serves` covers the destination country (one
    /// without `serves` covers all). The transit rule is the service's first lane that
    /// matches (warehouse, country/region, state, postal prefix), else its `transit`
    /// default.
    ///
    /// # Errors
    /// See [`EstimateError`].
    pub fn estimate(
        &self,
        now: Timestamp,
        dest: &Destination,
        item: &EddItem,
    ) -> Result<Estimate, EstimateError> {
        let plan = self.plan(now, dest, item)?;
        let transit = plan.transit.ok_or_else(|| EstimateError::NoTransitRule {
            service: item.service().clone(),
            country: dest.country().clone(),
        })?;
        let cal = &plan.warehouse.calendar;
        let add = |n: u8| {
            cal.add_business_days(plan.pickup_day, u16::from(n))
                .map_err(|s| stop(s, plan.warehouse))
        };
        Ok(Estimate {
            warehouse: plan.warehouse.id.clone(),
            order_day: plan.order_day,
            pickup_day: plan.pickup_day,
            min: add(transit.min)?,
            likely: add(transit.likely)?,
            max: add(transit.max)?,
            cutoff: plan.cutoff,
            transit,
        })
    }

    /// [`Rules::estimate`] for every item of a request, as the endpoint's DTOs, in request
    /// order; items that cannot be estimated are returned as errors for the caller to log
    /// (and leave out of the response).
    pub fn estimate_all(
        &self,
        now: Timestamp,
        dest: &Destination,
        items: &[EddItem],
    ) -> Vec<Result<EddEstimate, EstimateError>> {
        items
            .iter()
            .map(|item| {
                self.estimate(now, dest, item)
                    .and_then(|e| e.to_dto(item.service()))
            })
            .collect()
    }

    pub(crate) fn plan(
        &self,
        now: Timestamp,
        dest: &Destination,
        item: &EddItem,
    ) -> Result<Plan<'_>, EstimateError> {
        let service = self
            .services
            .get(item.service())
            .ok_or_else(|| EstimateError::UnknownService(item.service().clone()))?;
        let country = dest.country();
        let warehouse = self
            .warehouses
            .iter()
            .find(|w| w.serves.as_ref().is_none_or(|s| s.contains(country)))
            .ok_or_else(|| EstimateError::NoWarehouse(country.clone()))?;
        let transit = transit_for(service, warehouse, dest);

        let cal = &warehouse.calendar;
        let local_now = now.to_zoned(warehouse.tz.clone());
        let today = local_now.date();
        let cutoff_ts = cutoff_instant(&warehouse.tz, today, warehouse.cutoff)
            .ok_or(EstimateError::OutOfRange)?;
        let (order_day, cutoff) = if cal.is_business_day(today) && now < cutoff_ts {
            (today, Some(cutoff_ts.to_zoned(warehouse.tz.clone())))
        } else {
            (
                cal.next_business_day(today)
                    .map_err(|s| stop(s, warehouse))?,
                None,
            )
        };
        let processing_days =
            u16::from(warehouse.processing_days) + u16::from(item.processing_days());
        let pickup_day = cal
            .add_business_days(order_day, processing_days)
            .map_err(|s| stop(s, warehouse))?;
        Ok(Plan {
            warehouse,
            service,
            transit,
            local_now,
            order_day,
            pickup_day,
            processing_days,
            cutoff,
        })
    }
}

fn stop(s: Stop, warehouse: &Warehouse) -> EstimateError {
    match s {
        Stop::OutOfRange => EstimateError::OutOfRange,
        Stop::NoBusinessDay => EstimateError::NoBusinessDay(warehouse.id.clone()),
    }
}

fn transit_for(service: &Service, warehouse: &Warehouse, dest: &Destination) -> Option<Transit> {
    let state = dest.state().map(str::to_ascii_uppercase);
    let postal = dest.postal_code().map(|p| p.as_str());
    service
        .lanes
        .iter()
        .find(|l| {
            l.warehouse.as_ref().is_none_or(|w| *w == warehouse.id)
                && l.countries
                    .as_ref()
                    .is_none_or(|c| c.contains(dest.country()))
                && (l.states.is_empty() || state.as_ref().is_some_and(|s| l.states.contains(s)))
                && (l.postal_prefixes.is_empty()
                    || postal.is_some_and(|p| {
                        l.postal_prefixes.iter().any(|x| p.starts_with(x.as_str()))
                    }))
        })
        .map(|l| l.transit)
        .or(service.default)
}
