//! Tracking updates as events: the seam for live updates (webhooks in, server-sent events
//! out, Redis pub/sub between instances, all later work).
//!
//! Today the lookup path publishes an [`Update`] whenever a refresh from the upstream
//! changes a cached view; nothing subscribes yet. An update carries only the serialised
//! browser-safe view, never upstream data, so whatever fans it out cannot leak more than
//! the API already shows.

use crate::request::LookupRequest;
use bytes::Bytes;
use tokio::sync::broadcast;

/// A changed view.
#[derive(Debug, Clone)]
pub struct Update {
    /// Which lookup changed.
    pub key: LookupRequest,
    /// The new view's JSON (`stale: false`).
    pub view: Bytes,
}

/// The in-process fan-out of [`Update`]s. Slow subscribers lose old updates (they lag),
/// they never slow the publisher down.
#[derive(Debug, Clone)]
pub struct Events {
    tx: broadcast::Sender<Update>,
}

impl Default for Events {
    fn default() -> Self {
        Self::new(256)
    }
}

impl Events {
    /// A bus keeping up to `capacity` undelivered updates per subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// Publishes an update (a no-op without subscribers).
    pub fn publish(&self, update: Update) {
        let _ = self.tx.send(update);
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.tx.subscribe()
    }
}
