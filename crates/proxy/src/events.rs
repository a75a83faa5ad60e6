//! Tracking updates as events: the seam for live updates (webhooks in, server-sent events
//! out, Redis pub/sub between instances, all later work).
//!
//! Today the lookup path publishes an [`Update`] whenever a refresh from the upstream
//! changes a cached view; nothing subscribes yet. An update carries only the serialised
//! browser-safe view, never upstream data, so whatever fans it out cannot leak more than
//! the API already shows.

use crate::request::LookupRequest;
use bytes::Bytes;
use tokio::sync::{broadcast, mpsc};

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
    /// Where published updates also go so other instances see them (Redis pub/sub).
    relay: Option<mpsc::Sender<Update>>,
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
            relay: None,
        }
    }

    /// Also hands every published update to `relay` (see [`crate::shared::relay`]); a
    /// full relay drops the update for other instances rather than slow the publisher.
    #[must_use]
    pub fn with_relay(mut self, relay: mpsc::Sender<Update>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// Publishes an update to local subscribers at once, and to other instances through
    /// the relay when there is one.
    pub fn publish(&self, update: Update) {
        if let Some(relay) = &self.relay
            && relay.try_send(update.clone()).is_err()
        {
            tracing::warn!("the update relay is full; other instances miss one update");
        }
        let _ = self.tx.send(update);
    }

    /// Delivers an update that another instance published (not relayed again).
    pub fn deliver_remote(&self, update: Update) {
        let _ = self.tx.send(update);
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.tx.subscribe()
    }
}
