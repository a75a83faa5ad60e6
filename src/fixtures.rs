//! Test data shared by the unit tests of several modules.

use trackfront_types::{CheckpointView, CourierSlug, Tag, TrackingNumber, TrackingView};

/// A tracking `ECMS0002TRANSIT` of `tag` whose checkpoints (newest first) carry `messages`
/// and nothing else.
pub fn view(tag: Tag, messages: &[&str]) -> TrackingView {
    TrackingView {
        tracking_number: TrackingNumber::parse("ECMS0002TRANSIT").unwrap(),
        slug: CourierSlug::ecms(),
        courier_name: None,
        tag,
        subtag: None,
        subtag_message: None,
        progress: None,
        origin_country: None,
        destination_country: None,
        checkpoints: messages
            .iter()
            .map(|m| CheckpointView {
                time: None,
                message: Some((*m).to_owned()),
                tag,
                subtag: None,
                subtag_message: None,
                city: None,
                state: None,
                country: None,
                country_name: None,
            })
            .collect(),
        estimated_delivery: None,
        updated_at: None,
        stale: false,
    }
}
