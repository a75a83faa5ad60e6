//! The one owner of "what this widget instance currently shows". Lookups, retries and
//! (later) live updates over SSE all go through [`Tracker`], so a new data source only has
//! to call [`Tracker::show`].

use crate::api::{self, Failure};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use trackfront_types::{CourierSlug, Lang, TrackingNumber, TrackingView};
use web_sys::AbortController;

/// What an instance shows below its form.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing looked up yet.
    Idle,
    /// A lookup is in flight.
    Loading,
    /// A tracking was found.
    Loaded(Arc<TrackingView>),
    /// The lookup failed; the number is kept for messages and retries.
    Failed(Failure, TrackingNumber),
}

/// A lookup request: what to look up and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The tracking number.
    pub number: TrackingNumber,
    /// The courier.
    pub slug: CourierSlug,
}

/// The per-instance state. `Copy`, so components can take it as a prop.
#[derive(Clone, Copy)]
pub struct Tracker {
    phase: RwSignal<Phase>,
    last: RwSignal<Option<Query>>,
    proxy: StoredValue<String>,
    lang: StoredValue<Lang>,
    inflight: StoredValue<Option<AbortController>, LocalStorage>,
    /// Checkpoints that arrived by a live update (newest first), 0 after a lookup.
    fresh: RwSignal<usize>,
}

impl Tracker {
    /// A tracker that talks to the proxy at `proxy` ("" for same origin) in `lang`.
    pub fn new(proxy: String, lang: Lang) -> Self {
        let inflight = StoredValue::new_local(None::<AbortController>);
        on_cleanup(move || abort(inflight));
        let fresh = RwSignal::new(0);
        provide_context(crate::live::Fresh(fresh));
        let this = Self {
            phase: RwSignal::new(Phase::Idle),
            last: RwSignal::new(None),
            proxy: StoredValue::new(proxy),
            lang: StoredValue::new(lang),
            inflight,
            fresh,
        };
        crate::live::follow(this);
        this
    }

    /// The current phase, without subscribing.
    pub fn phase_untracked(&self) -> Phase {
        self.phase.get_untracked()
    }

    /// How many of the shown checkpoints arrived by a live update (reactive).
    pub fn fresh(&self) -> usize {
        self.fresh.get()
    }

    /// Shows a view that arrived live, `fresh` of whose checkpoints are new.
    pub fn show_live(&self, view: TrackingView, fresh: usize) {
        self.fresh.set(fresh);
        self.phase.set(Phase::Loaded(Arc::new(view)));
    }

    /// The lookup URL of a tracking, in this instance's proxy and language.
    pub fn url_for(&self, slug: &CourierSlug, number: &TrackingNumber) -> String {
        self.proxy.with_value(|p| {
            self.lang
                .with_value(|l| api::tracking_url(p, slug, number, l))
        })
    }

    /// The current phase (reactive).
    pub fn phase(&self) -> Phase {
        self.phase.get()
    }

    /// The last query started (reactive).
    pub fn last_query(&self) -> Option<Query> {
        self.last.get()
    }

    /// Whether a lookup is in flight (reactive).
    pub fn is_loading(&self) -> bool {
        self.phase.with(|p| matches!(p, Phase::Loading))
    }

    /// Replaces what is shown with a fresh view (a lookup result, or a live update).
    pub fn show(&self, view: TrackingView) {
        self.fresh.set(0);
        self.phase.set(Phase::Loaded(Arc::new(view)));
    }

    /// Starts a lookup, cancelling any lookup still in flight.
    pub fn lookup(&self, query: Query) {
        abort(self.inflight);
        let url = self.proxy.with_value(|p| {
            self.lang
                .with_value(|l| api::tracking_url(p, &query.slug, &query.number, l))
        });
        let Ok(controller) = AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        self.inflight.set_value(Some(controller));
        self.phase.set(Phase::Loading);
        self.last.set(Some(query.clone()));
        let this = *self;
        spawn_local(async move {
            match api::get_tracking(&url, &signal).await {
                Ok(view) => this.show(view),
                Err(Some(failure)) => this.phase.set(Phase::Failed(failure, query.number)),
                Err(None) => {}
            }
        });
    }

    /// Repeats the last lookup.
    pub fn retry(&self) {
        if let Some(q) = self.last.get_untracked() {
            self.lookup(q);
        }
    }
}

fn abort(inflight: StoredValue<Option<AbortController>, LocalStorage>) {
    if let Some(Some(c)) = inflight.try_update_value(Option::take) {
        c.abort();
    }
}
