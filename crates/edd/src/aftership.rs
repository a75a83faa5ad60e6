//! Building AfterShip `predict-batch` request items, and the cache key of a prediction.
//!
//! These are plain serde structs in AfterShip's 2026-07 field names (see
//! `aftership-api.md` §5.1); the proxy serialises them into
//! `{"estimated_delivery_dates": [...]}` (at most [`PREDICT_BATCH_MAX`] per call).

use crate::config::Rules;
use crate::engine::EstimateError;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use trackfront_types::{CountryCode, CourierSlug, Destination, EddItem};

/// AfterShip accepts at most this many items in one `predict-batch` call.
pub const PREDICT_BATCH_MAX: usize = 5;

/// `POST /estimated-delivery-date/predict-batch` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictBatchRequest {
    /// 1 to [`PREDICT_BATCH_MAX`] items.
    pub estimated_delivery_dates: Vec<PredictItem>,
}

impl PredictBatchRequest {
    /// Splits any number of items into bodies of at most [`PREDICT_BATCH_MAX`], keeping
    /// order (AfterShip answers in request order).
    pub fn batches(items: Vec<PredictItem>) -> Vec<Self> {
        items
            .chunks(PREDICT_BATCH_MAX)
            .map(|c| Self {
                estimated_delivery_dates: c.to_vec(),
            })
            .collect()
    }
}

/// One `EstimatedDeliveryDateRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictItem {
    /// The service's AfterShip courier slug.
    pub slug: CourierSlug,
    /// The carrier's service type, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_name: Option<String>,
    /// The warehouse.
    pub origin_address: PredictAddress,
    /// The shopper's destination.
    pub destination_address: PredictAddress,
    /// Order time, cutoff, business days and processing time at the warehouse.
    pub estimated_pickup: EstimatedPickup,
}

/// An AfterShip address: `country_region` plus a state or a postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictAddress {
    /// ISO 3166-1 alpha-3.
    pub country_region: CountryCode,
    /// State or province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// `estimated_pickup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimatedPickup {
    /// `YYYY-MM-DD HH:MM:SS`, local to the warehouse.
    pub order_time: String,
    /// `HH:MM:SS`, local to the warehouse.
    pub order_cutoff_time: String,
    /// Working weekdays, 1 = Monday … 7 = Sunday.
    pub business_days: Vec<u8>,
    /// Processing business days.
    pub order_processing_time: ProcessingTime,
}

/// `order_processing_time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingTime {
    /// Always `"day"` (the only unit AfterShip knows).
    pub unit: String,
    /// Number of days.
    pub value: u16,
}

impl Rules {
    /// Builds the AfterShip `predict-batch` item for `item` shipped to `dest`, ordered at
    /// `now`: the warehouse (chosen as in [`Rules::estimate`]) as origin, the shopper's
    /// destination, and `estimated_pickup` with the warehouse-local order time, the cutoff
    /// as `HH:MM:SS`, the business weekdays and the processing days (warehouse + item).
    ///
    /// AfterShip knows weekly business days but not holidays. When the merchant's holiday
    /// calendar moves the pickup away from what AfterShip would compute (a holiday today or
    /// within the processing days), `order_time` is set to 00:00:00 of the pickup day we
    /// computed and the processing time to 0, so AfterShip starts from the same pickup day
    /// as the rules engine. Otherwise the fields are exactly the real order time and
    /// processing days.
    ///
    /// # Errors
    /// [`EstimateError::NoCourier`] when the service has no `aftership_slug`,
    /// [`EstimateError::DestinationTooVague`] when `dest` has neither state nor postal code
    /// (AfterShip would reject the batch), and the warehouse/service errors of
    /// [`Rules::estimate`] (a missing transit rule is not an error here).
    pub fn predict_item(
        &self,
        now: Timestamp,
        dest: &Destination,
        item: &EddItem,
    ) -> Result<PredictItem, EstimateError> {
        let plan = self.plan(now, dest, item)?;
        let slug = plan
            .service
            .aftership_slug
            .clone()
            .ok_or_else(|| EstimateError::NoCourier(item.service().clone()))?;
        if dest.state().is_none() && dest.postal_code().is_none() {
            return Err(EstimateError::DestinationTooVague);
        }
        let w = plan.warehouse;
        let cal = &w.calendar;

        // What AfterShip would compute from weekly business days alone.
        let weekly_only = crate::calendar::Calendar {
            business_days: cal.business_days,
            dates: Default::default(),
            rules: Vec::new(),
        };
        let today = plan.local_now.date();
        let their_order_day =
            if weekly_only.is_business_day(today) && plan.local_now.time() < w.cutoff {
                Ok(today)
            } else {
                weekly_only.next_business_day(today)
            };
        let their_pickup = their_order_day
            .and_then(|d| weekly_only.add_business_days(d, plan.processing_days))
            .ok();

        let (order_time, processing) = if their_pickup == Some(plan.pickup_day) {
            (
                plan.local_now.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                plan.processing_days,
            )
        } else {
            (plan.pickup_day.strftime("%Y-%m-%d 00:00:00").to_string(), 0)
        };
        Ok(PredictItem {
            slug,
            service_type_name: plan.service.service_type_name.clone(),
            origin_address: PredictAddress {
                country_region: w.address.country.clone(),
                state: w.address.state.clone(),
                city: w.address.city.clone(),
                postal_code: w.address.postal_code.clone(),
            },
            destination_address: PredictAddress {
                country_region: dest.country().clone(),
                state: dest.state().map(str::to_owned),
                city: None,
                postal_code: dest.postal_code().map(|p| p.as_str().to_owned()),
            },
            estimated_pickup: EstimatedPickup {
                order_time,
                order_cutoff_time: w.cutoff.strftime("%H:%M:%S").to_string(),
                business_days: cal.iso_business_days(),
                order_processing_time: ProcessingTime {
                    unit: "day".to_owned(),
                    value: processing,
                },
            },
        })
    }

    /// The cache key of a prediction: lane (warehouse, destination country, first three
    /// characters of the postal code, or the state when there is no postal code), service
    /// and pickup day, e.g. `edd1|nyc|USA|p:100|standard|2026-11-30`.
    ///
    /// Two orders with the same key get the same delivery dates, so the proxy may cache
    /// AfterShip's `min`/`likely`/`max` under it (until the pickup day passes). The cutoff
    /// countdown is *not* part of the cached value: take it from [`Rules::estimate`] for
    /// each request.
    ///
    /// # Errors
    /// The warehouse/service errors of [`Rules::estimate`].
    pub fn cache_key(
        &self,
        now: Timestamp,
        dest: &Destination,
        item: &EddItem,
    ) -> Result<String, EstimateError> {
        let plan = self.plan(now, dest, item)?;
        let area = match (dest.postal_code(), dest.state()) {
            (Some(p), _) => {
                let prefix: String = p.as_str().chars().filter(|c| *c != ' ').take(3).collect();
                format!("p:{prefix}")
            }
            (None, Some(s)) => format!("s:{}", s.to_ascii_uppercase().replace('|', "")),
            (None, None) => "-".to_owned(),
        };
        Ok(format!(
            "edd1|{}|{}|{}|{}|{}",
            plan.warehouse.id,
            dest.country(),
            area,
            item.service(),
            plan.pickup_day
        ))
    }

    /// The pickup day the rules engine computes (for logging or comparing with
    /// AfterShip's echoed `estimated_pickup.pickup_time`).
    ///
    /// # Errors
    /// The warehouse/service errors of [`Rules::estimate`].
    pub fn pickup_day(
        &self,
        now: Timestamp,
        dest: &Destination,
        item: &EddItem,
    ) -> Result<Date, EstimateError> {
        Ok(self.plan(now, dest, item)?.pickup_day)
    }
}
