//! Live updates while a tracking is shown: the browser's `EventSource` on the proxy's
//! `/events` stream (server-sent events carrying the same view as the lookup), so a new
//! checkpoint appears in place without a reload.
//!
//! * [`follow`] watches the tracker: when a tracking is shown it subscribes (one stream per
//!   instance), when another tracking or an error is shown it switches or closes, and the
//!   stream is closed when the instance unmounts.
//! * A view with more checkpoints than the one shown marks them as new (the count in
//!   [`Phase::Loaded`]): the timeline highlights them subtly (no motion with
//!   `prefers-reduced-motion`) and the live region announces the newest one.
//! * The browser reconnects by itself after network drops (resuming with `Last-Event-ID`).
//!   When the proxy refuses the stream (429/503, or no live route) the connection is
//!   reopened with exponential back-off, and after [`POLL_AFTER_FAILURES`] failures in a
//!   row the widget also polls the lookup slowly until the stream works again.
//!
//! `web_sys::EventSource` is used directly (no extra crate, no JSON parser: `JSON.parse`
//! and [`crate::decode`]), to keep the wasm small.

use crate::api;
use crate::decode;
use crate::tracker::{Phase, Tracker};
use leptos::prelude::*;
use std::time::Duration;
use trackfront_types::{CourierSlug, TrackingNumber, TrackingView};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{AbortController, EventSource, MessageEvent};

/// Failures in a row before slow polling starts.
pub const POLL_AFTER_FAILURES: u32 = 3;
/// Interval of the fallback polling.
pub const POLL_EVERY: Duration = Duration::from_secs(60);
/// Longest back-off between reconnection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The back-off before reconnection attempt `failures` (1-based): 1 s, 2 s, 4 s … capped.
pub fn backoff(failures: u32) -> Duration {
    let secs = 1u64 << failures.saturating_sub(1).min(6);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// How many checkpoints of `new` are not in `old` (both newest first). The newest old
/// checkpoint is looked up in the new list; if it is gone the counts are compared.
pub fn new_checkpoints(old: &TrackingView, new: &TrackingView) -> usize {
    match old.checkpoints.first() {
        None => new.checkpoints.len(),
        Some(top) => new
            .checkpoints
            .iter()
            .position(|c| c == top)
            .unwrap_or_else(|| new.checkpoints.len().saturating_sub(old.checkpoints.len())),
    }
}

/// The `/events` URL of a tracking (the lookup URL with `/events` before the query).
pub fn events_url(lookup_url: &str) -> String {
    match lookup_url.split_once('?') {
        Some((path, query)) => [path, "/events?", query].concat(),
        None => [lookup_url, "/events"].concat(),
    }
}

/// One open subscription and the callbacks it needs kept alive (in the tracker's
/// [`Conn`](crate::tracker::Conn)).
pub struct Stream {
    key: (CourierSlug, TrackingNumber),
    source: Option<EventSource>,
    failures: u32,
    retry: Option<TimeoutHandle>,
    poll: Option<IntervalHandle>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_open: Option<Closure<dyn FnMut()>>,
    _on_error: Option<Closure<dyn FnMut()>>,
}

impl Stream {
    /// Stops the fallback polling, if it runs.
    fn stop_polling(&mut self) {
        if let Some(p) = self.poll.take() {
            p.clear();
        }
    }

    /// Closes the `EventSource` and cancels a pending reconnection (polling goes on).
    fn close(&mut self) {
        if let Some(s) = self.source.take() {
            s.set_onmessage(None);
            s.set_onopen(None);
            s.set_onerror(None);
            s.close();
        }
        if let Some(t) = self.retry.take() {
            t.clear();
        }
    }
}

/// Runs `f` on the instance's stream, if there is one.
fn stream<R>(tracker: Tracker, f: impl FnOnce(&mut Stream) -> R) -> Option<R> {
    tracker.conn(|c| c.stream.as_mut().map(f)).flatten()
}

/// Keeps `tracker`'s shown tracking live (the tracker stops the stream on unmount).
pub fn follow(tracker: Tracker) {
    if web_sys::window().is_none() {
        return;
    }
    tracker.watch(move |phase| {
        let key = match phase {
            Phase::Loaded(v, _) => (v.slug.clone(), v.tracking_number.clone()),
            // A new lookup is in flight: keep the old stream until its result is shown.
            Phase::Loading(_) => return,
            Phase::Idle | Phase::Failed(..) => {
                stop(tracker);
                return;
            }
        };
        if stream(tracker, |s| s.key == key) != Some(true) {
            stop(tracker);
            tracker.conn(|c| {
                c.stream = Some(Stream {
                    key,
                    source: None,
                    failures: 0,
                    retry: None,
                    poll: None,
                    _on_message: None,
                    _on_open: None,
                    _on_error: None,
                });
            });
            open(tracker);
        }
    });
}

/// Closes the instance's stream and stops polling.
pub fn stop(tracker: Tracker) {
    if let Some(Some(mut s)) = tracker.conn(|c| c.stream.take()) {
        s.close();
        s.stop_polling();
    }
}

/// The lookup URL of the tracking the stream follows.
fn lookup_url(tracker: Tracker) -> Option<String> {
    let (slug, number) = stream(tracker, |s| s.key.clone())?;
    tracker.url_for(&slug, &number)
}

/// Opens the `EventSource` of the current stream.
fn open(tracker: Tracker) {
    let Some(url) = lookup_url(tracker) else {
        return;
    };
    let Ok(source) = EventSource::new(&events_url(&url)) else {
        failed(tracker);
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        let Some(view) = js_sys::JSON::parse(&text)
            .ok()
            .and_then(|v| decode::tracking_view(&v))
        else {
            return;
        };
        apply(tracker, view);
    });
    let on_open = Closure::<dyn FnMut()>::new(move || {
        stream(tracker, |s| {
            s.failures = 0;
            s.stop_polling();
        });
    });
    let on_error = Closure::<dyn FnMut()>::new(move || {
        // CONNECTING: the browser retries by itself. CLOSED: it gave up (the proxy refused
        // the stream), so we retry with back-off.
        let closed = stream(tracker, |s| {
            s.source
                .as_ref()
                .is_some_and(|src| src.ready_state() == EventSource::CLOSED)
        });
        if closed == Some(true) {
            failed(tracker);
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    stream(tracker, |s| {
        s.source = Some(source);
        s._on_message = Some(on_message);
        s._on_open = Some(on_open);
        s._on_error = Some(on_error);
    });
}

/// The stream could not be (re)opened: back off, and poll once it keeps failing.
fn failed(tracker: Tracker) {
    let Some((failures, start_polling)) = stream(tracker, |s| {
        s.close();
        s.failures += 1;
        (
            s.failures,
            s.failures >= POLL_AFTER_FAILURES && s.poll.is_none(),
        )
    }) else {
        return;
    };
    if start_polling {
        let poll = set_interval_with_handle(move || poll_once(tracker), POLL_EVERY).ok();
        stream(tracker, |s| s.poll = poll);
    }
    let retry = set_timeout_with_handle(move || open(tracker), backoff(failures)).ok();
    stream(tracker, |s| s.retry = retry);
}

/// One slow poll of the lookup, while the stream is failing.
fn poll_once(tracker: Tracker) {
    let Some(url) = lookup_url(tracker) else {
        return;
    };
    let Ok(controller) = AbortController::new() else {
        return;
    };
    crate::task::spawn(async move {
        if let Ok(view) = api::get_tracking(&url, &controller.signal()).await {
            apply(tracker, view);
        }
    });
}

/// Shows `view` if it is still about the shown tracking and differs from it.
fn apply(tracker: Tracker, view: TrackingView) {
    let Phase::Loaded(shown, _) = tracker.phase_untracked() else {
        return;
    };
    if shown.slug != view.slug || shown.tracking_number != view.tracking_number || *shown == view {
        return;
    }
    let fresh = new_checkpoints(&shown, &view);
    tracker.show(view, fresh);
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::Tag;

    fn view(messages: &[&str]) -> TrackingView {
        crate::fixtures::view(Tag::InTransit, messages)
    }

    #[test]
    fn new_checkpoints_are_the_ones_above_the_old_newest() {
        assert_eq!(
            new_checkpoints(&view(&["b", "a"]), &view(&["d", "c", "b", "a"])),
            2
        );
        assert_eq!(new_checkpoints(&view(&["b", "a"]), &view(&["b", "a"])), 0);
        assert_eq!(new_checkpoints(&view(&[]), &view(&["a"])), 1);
        assert_eq!(new_checkpoints(&view(&["x"]), &view(&["c", "b"])), 1);
    }

    #[test]
    fn back_off_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn events_url_goes_before_the_query() {
        assert_eq!(
            events_url("/api/v1/trackings/ecms/X1?lang=en"),
            "/api/v1/trackings/ecms/X1/events?lang=en"
        );
        assert_eq!(events_url("/a/b"), "/a/b/events");
    }
}
