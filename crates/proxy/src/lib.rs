//! trackfront-proxy: the key-holding, privacy-safe, resilient gateway between shop pages and
//! AfterShip.
//!
//! It answers a closed set of routes (the tracking lookups, health, readiness, metrics, the
//! OpenAPI document and the built widget's static files); every input is parsed into the
//! `trackfront-types` newtypes before anything reaches the upstream, and every tracking that
//! leaves it is a [`trackfront_types::TrackingView`] built by *copying* allowed fields
//! ([`view`]). Between the shopper and AfterShip sit a bounded cache with tag-dependent
//! freshness, stale-while-revalidate and stale-if-error ([`cache`], [`lookup`]), request
//! coalescing, a global per-endpoint upstream budget, jittered retries and a circuit breaker
//! ([`upstream`]), and a per-client GCRA limit ([`ratelimit`]).
//!
//! What it must not do: forward arbitrary paths, headers or bodies to AfterShip (it is not an
//! open proxy); let the API key reach a log line, a response, an error or a metric (the key
//! only lives inside [`aftership::ApiKey`] and the client); pass on personal data from the
//! upstream object; or put an upstream error text on the wire (clients get an
//! [`trackfront_types::ErrorBody`], details go to the log).
//!
//! `main.rs` only parses [`config::Settings`], sets up logging and runs
//! [`startup::Application`]; everything else lives here so tests can start the real server.

pub mod cache;
pub mod config;
pub mod edd;
pub mod error;
pub mod events;
pub mod live;
pub mod lookup;
pub mod metrics;
pub mod packed;
pub mod ratelimit;
pub mod request;
pub mod routes;
pub mod security;
pub mod shared;
pub mod startup;
pub mod static_files;
pub mod telemetry;
pub mod upstream;
pub mod view;
pub mod webhooks;

pub use config::Settings;
pub use startup::Application;
