//! AfterShip delivery statuses ("tags") and the four-step progress they map onto.

use serde::{Deserialize, Serialize};

/// AfterShip's delivery status. Unknown future values deserialise to [`Tag::Unknown`]
/// instead of failing, so a new upstream status never breaks a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tag {
    /// Added, no tracking information yet.
    Pending,
    /// The carrier has the shipment's data and is about to pick it up.
    InfoReceived,
    /// On the way.
    InTransit,
    /// Out for delivery, or about to be.
    OutForDelivery,
    /// A delivery attempt failed; the carrier will usually try again.
    AttemptFail,
    /// Delivered.
    Delivered,
    /// Waiting at a pickup point.
    AvailableForPickup,
    /// Held, returned, lost, damaged or otherwise in trouble.
    Exception,
    /// No information for 30 days.
    Expired,
    /// A status this version does not know.
    #[serde(other)]
    Unknown,
}

/// One of the four steps of the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStep {
    /// Label received.
    InfoReceived,
    /// Moving.
    InTransit,
    /// Last mile (including waiting at a pickup point).
    OutForDelivery,
    /// Done.
    Delivered,
}

impl ProgressStep {
    /// The steps in order.
    pub const ALL: [ProgressStep; 4] = [
        ProgressStep::InfoReceived,
        ProgressStep::InTransit,
        ProgressStep::OutForDelivery,
        ProgressStep::Delivered,
    ];

    /// 1-based position, for "Step 2 of 4".
    pub fn position(self) -> usize {
        self as usize + 1
    }
}

impl Tag {
    /// All known tags, in AfterShip's order.
    pub const ALL: [Tag; 9] = [
        Tag::Pending,
        Tag::InfoReceived,
        Tag::InTransit,
        Tag::OutForDelivery,
        Tag::AttemptFail,
        Tag::Delivered,
        Tag::AvailableForPickup,
        Tag::Exception,
        Tag::Expired,
    ];

    /// The wire value, e.g. `"InTransit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Pending => "Pending",
            Tag::InfoReceived => "InfoReceived",
            Tag::InTransit => "InTransit",
            Tag::OutForDelivery => "OutForDelivery",
            Tag::AttemptFail => "AttemptFail",
            Tag::Delivered => "Delivered",
            Tag::AvailableForPickup => "AvailableForPickup",
            Tag::Exception => "Exception",
            Tag::Expired => "Expired",
            Tag::Unknown => "Unknown",
        }
    }

    /// Parses a wire value; anything unrecognised is [`Tag::Unknown`].
    pub fn from_wire(s: &str) -> Tag {
        Tag::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or(Tag::Unknown)
    }

    /// AfterShip's English display name.
    pub fn display_name(self) -> &'static str {
        match self {
            Tag::Pending => "Pending",
            Tag::InfoReceived => "Info Received",
            Tag::InTransit => "In Transit",
            Tag::OutForDelivery => "Out for Delivery",
            Tag::AttemptFail => "Failed Attempt",
            Tag::Delivered => "Delivered",
            Tag::AvailableForPickup => "Available for Pickup",
            Tag::Exception => "Exception",
            Tag::Expired => "Expired",
            Tag::Unknown => "Unknown",
        }
    }

    /// The progress step a shipment with this tag has reached, or `None` when it has not
    /// started (Pending, Expired without data, Unknown).
    pub fn progress(self) -> Option<ProgressStep> {
        match self {
            Tag::InfoReceived => Some(ProgressStep::InfoReceived),
            Tag::InTransit | Tag::Exception => Some(ProgressStep::InTransit),
            Tag::OutForDelivery | Tag::AttemptFail | Tag::AvailableForPickup => {
                Some(ProgressStep::OutForDelivery)
            }
            Tag::Delivered => Some(ProgressStep::Delivered),
            Tag::Pending | Tag::Expired | Tag::Unknown => None,
        }
    }

    /// Whether this status needs the shopper's attention and must be shown as a distinct,
    /// non-colour-only state (Exception, AttemptFail, AvailableForPickup, Expired, Pending).
    pub fn is_special(self) -> bool {
        matches!(
            self,
            Tag::Exception
                | Tag::AttemptFail
                | Tag::AvailableForPickup
                | Tag::Expired
                | Tag::Pending
        )
    }

    /// Whether the shipment has reached a final state, so its data will rarely change.
    pub fn is_final(self) -> bool {
        matches!(self, Tag::Delivered | Tag::Expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_round_trip_and_unknown() {
        for t in Tag::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<Tag>(&json).unwrap(), t);
            assert_eq!(Tag::from_wire(t.as_str()), t);
        }
        assert_eq!(
            serde_json::from_str::<Tag>("\"Teleported\"").unwrap(),
            Tag::Unknown
        );
    }

    #[test]
    fn progress_is_monotonic_along_a_normal_journey() {
        let journey = [
            Tag::InfoReceived,
            Tag::InTransit,
            Tag::OutForDelivery,
            Tag::Delivered,
        ];
        let steps: Vec<_> = journey.iter().map(|t| t.progress().unwrap()).collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ProgressStep::Delivered.position(), 4);
    }
}
