//! Integration tests: the real proxy on a loopback port in front of the real embedded
//! AfterShip sandbox, driven with reqwest. One binary; `helpers` holds `spawn_app()`.

mod abuse;
mod edd;
mod events;
mod helpers;
mod privacy;
mod redis;
mod resilience;
mod skeleton;
mod static_site;
mod webhooks;
