//! The area below the form: nothing, the loading skeleton, a result or an error state.

use super::{skeleton::Skeleton, state_message::StateMessage, tracking_result::TrackingResult};
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;

/// Switches on the tracker's phase; `aria-busy` while a lookup is in flight.
#[component]
pub fn Outcome(
    /// The instance to render.
    tracker: Tracker,
) -> impl IntoView {
    view! {
        <div class="out" aria-busy=move || tracker.is_loading().then_some("true")>
            {move || match tracker.phase() {
                Phase::Idle => ().into_any(),
                Phase::Loading(_) => view! { <Skeleton/> }.into_any(),
                Phase::Loaded(view, fresh) => view! { <TrackingResult view fresh/> }.into_any(),
                Phase::Failed(failure, query) => {
                    view! { <StateMessage failure number=query.number tracker/> }.into_any()
                }
            }}
        </div>
    }
}
