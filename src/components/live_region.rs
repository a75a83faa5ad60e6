//! The polite live region that announces results without moving focus (WCAG 4.1.3).

use crate::i18n::{Key, Texts};
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;

/// What the live region says for a phase.
pub fn announcement(texts: &Texts, phase: &Phase) -> String {
    match phase {
        Phase::Idle => String::new(),
        Phase::Loading => texts.get(Key::Loading).to_owned(),
        Phase::Loaded(v) => {
            let mut s = texts.fill(
                Key::Announce,
                &[
                    ("n", v.tracking_number.as_str()),
                    ("status", texts.tag(v.tag)),
                ],
            );
            if let Some(m) = super::status_summary::extra_message(texts, v) {
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
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    view! {
        <div role="status" class="vh">
            {move || {
                let phase = tracker.phase();
                let mut said = announcement(&texts, &phase);
                crate::live::announce_new(&mut said, &phase, tracker.fresh());
                said
            }}
        </div>
    }
}
