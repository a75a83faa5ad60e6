//! A typed async client for AfterShip's Tracking API, version 2026-07, as AfterShip's
//! official SDKs use it: the `{meta, data}` envelope, `as-api-key` authentication, meta
//! codes mapped to typed errors, retries with jittered back-off on timeouts and 5xx, and
//! the `X-RateLimit-*` headers surfaced on every answer.
//!
//! The wire models in [`model`] are shared with the sandbox (which serialises them), so the
//! two cannot drift apart silently; the official SDKs are the external check on both.
//! This crate must not know about browsers, caching or trackfront's public view, must never
//! print or log the API key (it lives in [`ApiKey`], which has no `Display` and a redacted
//! `Debug`), and must never follow redirects.

mod client;
mod error;
mod key;
pub mod model;

pub use client::{API_VERSION, Client, ClientOptions, RateLimit, Response};
pub use error::{Error, MetaCode};
pub use key::ApiKey;
