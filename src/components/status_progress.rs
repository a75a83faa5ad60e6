//! The four-step progress: an `<ol>` with exactly one `aria-current="step"`, state text for
//! every step and a visually hidden sentence stating the status.

use crate::html::{Html, last_if};
use crate::i18n::{Key, Texts, number, tag_key};
use trackfront_types::{ProgressStep, Tag};

/// How one step relates to the shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Passed.
    Done,
    /// Where the shipment is now.
    Current,
    /// Where the shipment is now, with a problem (exception, failed attempt).
    Blocked,
    /// Not reached yet.
    Todo,
}

/// The state of every step for `tag`. Exactly one step is current (or blocked): the step
/// reached, or the first step when the shipment has not started.
pub fn step_states(tag: Tag) -> [StepState; 4] {
    let current = tag.progress().unwrap_or(ProgressStep::InfoReceived);
    let blocked = matches!(tag, Tag::Exception | Tag::AttemptFail);
    ProgressStep::ALL.map(|s| match s.cmp(&current) {
        core::cmp::Ordering::Less => StepState::Done,
        core::cmp::Ordering::Equal if blocked => StepState::Blocked,
        core::cmp::Ordering::Equal => StepState::Current,
        core::cmp::Ordering::Greater => StepState::Todo,
    })
}

fn step_tag(step: ProgressStep) -> Tag {
    match step {
        ProgressStep::InfoReceived => Tag::InfoReceived,
        ProgressStep::InTransit => Tag::InTransit,
        ProgressStep::OutForDelivery => Tag::OutForDelivery,
        ProgressStep::Delivered => Tag::Delivered,
    }
}

/// Writes the progress steps for a status.
pub fn write(h: &mut Html, texts: &Texts, tag: Tag) {
    let states = step_states(tag);
    let at = states
        .iter()
        .position(|s| matches!(s, StepState::Current | StepState::Blocked))
        .unwrap_or_default();
    let step = number(at as u64 + 1);
    let summary = [
        &texts.fill(Key::StatusIs, &[("status", texts.tag(tag))]),
        ". ",
        &texts.fill(Key::StepOf, &[("n", &step), ("total", "4")]),
        ".",
    ]
    .concat();
    h.text_el("p", &[("class", "vh")], &summary);
    h.el("ol", &[("class", "steps")], |h| {
        for (step, state) in ProgressStep::ALL.into_iter().zip(states) {
            let (class, glyph, key) = match state {
                StepState::Done => ("done", "✓".to_owned(), Key::StepDone),
                StepState::Current if tag == Tag::Delivered => {
                    ("done cur", "✓".to_owned(), Key::StepDone)
                }
                StepState::Current => ("cur", number(step.position() as u64), Key::StepCurrent),
                StepState::Blocked => ("cur blk", "!".to_owned(), Key::StepProblem),
                StepState::Todo => ("todo", number(step.position() as u64), Key::StepTodo),
            };
            let attrs = [("class", class), ("aria-current", "step")];
            let current = matches!(state, StepState::Current | StepState::Blocked);
            h.el("li", last_if(&attrs, current), |h| {
                h.text_el("span", &[("class", "dot"), ("aria-hidden", "true")], &glyph);
                h.text(texts.get(tag_key(step_tag(step))));
                h.text_el("span", &[("class", "vh")], &[", ", texts.get(key)].concat());
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_has_exactly_one_current_step() {
        for tag in Tag::ALL.into_iter().chain([Tag::Unknown]) {
            let n = step_states(tag)
                .iter()
                .filter(|s| matches!(s, StepState::Current | StepState::Blocked))
                .count();
            assert_eq!(n, 1, "{tag:?}");
        }
        assert_eq!(step_states(Tag::Exception)[1], StepState::Blocked);
        assert_eq!(
            step_states(Tag::Delivered),
            [
                StepState::Done,
                StepState::Done,
                StepState::Done,
                StepState::Current
            ]
        );
    }
}
