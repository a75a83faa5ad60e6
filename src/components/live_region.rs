//! The polite live region that announces results without moving focus (WCAG 4.1.3).

use crate::i18n::{Key, Texts};
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;

/// What the live region says for a phase.
pub fn announcement(texts: &Texts, phase: &Phase) -> String {
    match phase {
        Phase::Idle => String::new(),
        Phase::Loading(_) => texts.get(Key::Loading).to_owned(),
        Phase::Loaded(v, fresh) => {
            let mut s = texts.fill(
                Key::Announce,
                &[
                    ("n", v.tracking_number.as_str()),
                    ("status", texts.tag(v.tag)),
                ],
            );
            let newest = v.checkpoints.first().and_then(|c| c.message.as_deref());
            // A live update also says what just happened.
            let live = newest.filter(|_| *fresh > 0);
            for m in [super::status_summary::extra_message(texts, v), live]
                .into_iter()
                .flatten()
            {
                s.push_str(". ");
                s.push_str(m);
            }
            s
        }
        Phase::Failed(f, _) => texts.get(super::state_message::title_key(f)).to_owned(),
    }
}

/// A visually hidden `role="status"` region, present from mount.
#[component]
pub fn LiveRegion(
    /// The instance whose results are announced.
    tracker: Tracker,
    /// The UI strings.
    texts: Texts,
) -> impl IntoView {
    view! {
        <div role="status" class="vh">
            {move || announcement(&texts, &tracker.phase())}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use trackfront_types::{CheckpointView, CourierSlug, Tag, TrackingNumber, TrackingView};

    /// A live update says what just happened; a lookup result only says the status.
    #[test]
    fn only_live_updates_announce_the_newest_checkpoint() {
        let view = Arc::new(TrackingView {
            tracking_number: TrackingNumber::parse("ECMS0002TRANSIT").unwrap(),
            slug: CourierSlug::ecms(),
            courier_name: None,
            tag: Tag::OutForDelivery,
            subtag: None,
            subtag_message: None,
            progress: None,
            origin_country: None,
            destination_country: None,
            checkpoints: vec![CheckpointView {
                time: None,
                message: Some("With the driver".to_owned()),
                tag: Tag::OutForDelivery,
                subtag: None,
                subtag_message: None,
                city: None,
                state: None,
                country: None,
                country_name: None,
            }],
            estimated_delivery: None,
            updated_at: None,
            stale: false,
        });
        let texts = Texts::english();
        let lookup = announcement(&texts, &Phase::Loaded(view.clone(), 0));
        assert_eq!(lookup, "ECMS0002TRANSIT: Out for Delivery");
        let live = announcement(&texts, &Phase::Loaded(view, 1));
        assert_eq!(live, "ECMS0002TRANSIT: Out for Delivery. With the driver");
    }
}
