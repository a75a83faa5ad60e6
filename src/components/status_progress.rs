//! The four-step progress: an `<ol>` with exactly one `aria-current="step"`, state text for
//! every step and a visually hidden sentence stating the status.

use crate::i18n::{Key, Texts, tag_key};
use leptos::prelude::*;
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

/// The progress steps for a status.
#[component]
pub fn StatusProgress(
    /// The shipment's status.
    tag: Tag,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    let states = step_states(tag);
    let at = states
        .iter()
        .position(|s| matches!(s, StepState::Current | StepState::Blocked))
        .unwrap_or_default();
    let summary = format!(
        "{}. {}.",
        texts.fill(Key::StatusIs, &[("status", texts.tag(tag))]),
        texts.fill(Key::StepOf, &[("n", &(at + 1).to_string()), ("total", "4")])
    );
    let items = ProgressStep::ALL
        .into_iter()
        .zip(states)
        .map(|(step, state)| {
            let (class, glyph, key) = match state {
                StepState::Done => ("done", "✓".to_owned(), Key::StepDone),
                StepState::Current if tag == Tag::Delivered => {
                    ("done cur", "✓".to_owned(), Key::StepDone)
                }
                StepState::Current => ("cur", step.position().to_string(), Key::StepCurrent),
                StepState::Blocked => ("cur blk", "!".to_owned(), Key::StepProblem),
                StepState::Todo => ("todo", step.position().to_string(), Key::StepTodo),
            };
            let current = matches!(state, StepState::Current | StepState::Blocked);
            view! {
                <li class=class aria-current=current.then_some("step")>
                    <span class="dot" aria-hidden="true">{glyph}</span>
                    {texts.get(tag_key(step_tag(step))).to_owned()}
                    <span class="vh">{format!(", {}", texts.get(key))}</span>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <p class="vh">{summary}</p>
        <ol class="steps">{items}</ol>
    }
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
