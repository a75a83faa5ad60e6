//! The polite live region that announces results without moving focus (WCAG 4.1.3).

use crate::html::Html;
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
///
/// The announcement is set as (escaped) markup rather than as a reactive text node: the
/// outcome area already links Leptos's `inner_html` code, and a text node of its own would
/// cost the page 1.1 KB.
#[component]
pub fn LiveRegion(
    /// The instance whose results are announced.
    tracker: Tracker,
    /// The UI strings.
    texts: Texts,
) -> impl IntoView {
    let render: super::Markup = Box::new(move || markup(&texts, &tracker.phase()));
    view! { <div role="status" class="vh" inner_html=render></div> }
}

/// The live region's content for a phase: the announcement, escaped.
pub fn markup(texts: &Texts, phase: &Phase) -> String {
    let mut h = Html::new();
    h.text(&announcement(texts, phase));
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use trackfront_types::{Tag, TrackingView};

    fn sample() -> TrackingView {
        crate::fixtures::view(Tag::OutForDelivery, &["With the driver"])
    }

    /// A live update says what just happened; a lookup result only says the status.
    #[test]
    fn only_live_updates_announce_the_newest_checkpoint() {
        let view = Arc::new(sample());
        let texts = Texts::english();
        let lookup = announcement(&texts, &Phase::Loaded(view.clone(), 0));
        assert_eq!(lookup, "ECMS0002TRANSIT: Out for Delivery");
        let live = announcement(&texts, &Phase::Loaded(view, 1));
        assert_eq!(live, "ECMS0002TRANSIT: Out for Delivery. With the driver");
    }

    /// The region's content is set as markup: carrier text in it must stay text.
    #[test]
    fn carrier_text_in_announcements_is_escaped() {
        let mut view = sample();
        view.checkpoints[0].message = Some("<img src=x onerror=alert(1)>".to_owned());
        let said = markup(&Texts::english(), &Phase::Loaded(Arc::new(view), 1));
        assert!(
            said.ends_with(". &lt;img src=x onerror=alert(1)&gt;"),
            "{said}"
        );
    }
}
