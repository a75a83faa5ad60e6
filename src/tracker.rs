//! The one owner of "what this widget instance currently shows". Lookups, retries and
//! (later) live updates over SSE all go through [`Tracker`], so a new data source only has
//! to call [`Tracker::show`].

use crate::api::{self, Failure};
use leptos::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use trackfront_types::{CourierSlug, Lang, TrackingNumber, TrackingView};
use web_sys::AbortController;

/// How long a lookup started while nothing is shown may take before the loading skeleton
/// appears. An answer that comes sooner (the deep link's preloaded response, an order page
/// on a fast network) replaces the empty area at once: no skeleton flashes by, and the page
/// lays out once less while it loads. A lookup that replaces something shown (a result, an
/// error card, a retry) shows the skeleton at once, so that the shopper sees it started.
pub const SKELETON_AFTER: Duration = Duration::from_millis(100);

/// What an instance shows below its form.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing looked up yet.
    Idle,
    /// A lookup is in flight, shown as the skeleton. (A lookup started while idle stays
    /// `Idle` for up to [`SKELETON_AFTER`].)
    Loading(Query),
    /// A tracking was found, with how many of its checkpoints (newest first) just arrived
    /// by a live update (0 after a lookup).
    Loaded(Arc<TrackingView>, usize),
    /// The lookup failed; the query is kept for messages and retries.
    Failed(Failure, Query),
}

impl Phase {
    /// What was looked up: the query in flight, or the one whose outcome is shown.
    pub fn query(&self) -> Option<Query> {
        match self {
            Self::Idle => None,
            Self::Loading(q) | Self::Failed(_, q) => Some(q.clone()),
            Self::Loaded(v, _) => Some(Query {
                number: v.tracking_number.clone(),
                slug: v.slug.clone(),
            }),
        }
    }
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
///
/// One signal holds everything shown (the phase, with its query and live-arrived count),
/// and one stored value everything that is not shown (the connection): each distinct
/// signal or stored-value type costs the widget its own copy of Leptos's code.
#[derive(Clone, Copy)]
pub struct Tracker {
    phase: RwSignal<Phase>,
    conn: StoredValue<Conn, LocalStorage>,
}

/// Where lookups go, the one in flight and the live-update stream.
pub struct Conn {
    proxy: String,
    lang: Lang,
    inflight: Option<AbortController>,
    /// The live-update stream of the tracking shown, owned by [`crate::live`].
    pub stream: Option<crate::live::Stream>,
}

impl Tracker {
    /// A tracker that talks to the proxy at `proxy` ("" for same origin) in `lang`.
    pub fn new(proxy: String, lang: Lang) -> Self {
        let this = Self {
            phase: RwSignal::new(Phase::Idle),
            conn: StoredValue::new_local(Conn {
                proxy,
                lang,
                inflight: None,
                stream: None,
            }),
        };
        on_cleanup(move || {
            this.abort();
            crate::live::stop(this);
        });
        crate::live::follow(this);
        this
    }

    /// The current phase, without subscribing.
    pub fn phase_untracked(&self) -> Phase {
        self.phase.get_untracked()
    }

    /// Shows a view, `fresh` of whose checkpoints (newest first) just arrived by a live
    /// update (0 for a lookup result).
    pub fn show(&self, view: TrackingView, fresh: usize) {
        self.phase.set(Phase::Loaded(Arc::new(view), fresh));
    }

    /// The lookup URL of a tracking, in this instance's proxy and language; `None` once the
    /// instance is gone.
    pub fn url_for(&self, slug: &CourierSlug, number: &TrackingNumber) -> Option<String> {
        self.conn(|c| api::tracking_url(&c.proxy, slug, number, &c.lang))
    }

    /// Runs `f` on the connection; `None` once the instance is gone. (The one way in, so
    /// that the widget links one copy of the stored value's access code.)
    pub fn conn<R>(&self, f: impl FnOnce(&mut Conn) -> R) -> Option<R> {
        self.conn.try_update_value(f)
    }

    /// The current phase (reactive).
    pub fn phase(&self) -> Phase {
        self.phase.get()
    }

    /// Runs `f` with the phase now and after every change, while the instance lives.
    ///
    /// The effect's function is boxed, so that every watcher shares one copy of Leptos's
    /// effect code instead of one per closure type.
    pub fn watch(&self, mut f: impl FnMut(Phase) + 'static) {
        let this = *self;
        let run: Box<dyn FnMut(Option<()>)> = Box::new(move |_| f(this.phase()));
        Effect::new(run);
    }

    /// Starts a lookup, cancelling any lookup still in flight.
    pub fn lookup(&self, query: Query) {
        self.abort();
        let Some(url) = self.url_for(&query.slug, &query.number) else {
            return;
        };
        let Ok(controller) = AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        self.conn(|c| c.inflight = Some(controller));
        let this = *self;
        let loading = Phase::Loading(query.clone());
        if matches!(self.phase_untracked(), Phase::Idle) {
            let signal = signal.clone();
            crate::task::spawn(async move {
                crate::task::sleep(SKELETON_AFTER).await;
                // Still idle (the one phase without a query): only an answer or an abort
                // (a newer lookup, unmounting) leaves it.
                if !signal.aborted() && this.phase_untracked().query().is_none() {
                    this.phase.set(loading);
                }
            });
        } else {
            self.phase.set(loading);
        }
        crate::task::spawn(async move {
            match api::get_tracking(&url, &signal).await {
                Ok(view) => this.show(view, 0),
                Err(Some(failure)) => this.phase.set(Phase::Failed(failure, query)),
                Err(None) => {}
            }
        });
    }

    /// Repeats the last lookup.
    pub fn retry(&self) {
        if let Some(q) = self.phase_untracked().query() {
            self.lookup(q);
        }
    }

    fn abort(&self) {
        if let Some(Some(c)) = self.conn(|c| c.inflight.take()) {
            c.abort();
        }
    }
}
