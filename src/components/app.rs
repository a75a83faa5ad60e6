//! The root of one widget instance.

use super::{live_region::LiveRegion, lookup_form::LookupForm, outcome::Outcome};
use crate::embed::{Config, Mode};
use crate::i18n::Texts;
use crate::page;
use crate::tracker::{Query, Tracker};
use leptos::prelude::*;
use trackfront_types::TrackingNumber;

/// One widget: the lookup form, the live region and whatever the lookup produced.
#[component]
pub fn App(
    /// Where to look up, which courier, and what to pre-fill.
    cfg: Config,
    /// The UI strings, already loaded for the instance's language.
    texts: Texts,
) -> impl IntoView {
    let lang = texts.lang().as_str().to_owned();
    let dir = if texts.lang().is_rtl() { "rtl" } else { "ltr" };
    let tracker = Tracker::new(cfg.proxy.clone(), texts.lang().clone());
    if cfg.mode == Mode::Track {
        page::sync(tracker, texts.clone());
    }
    let initial = cfg.number.clone().unwrap_or_default();
    if let Ok(number) = TrackingNumber::parse(&initial) {
        tracker.lookup(Query {
            number,
            slug: cfg.slug.clone(),
        });
    }
    view! {
        <div class="tf" lang=lang dir=dir>
            <LookupForm tracker texts=texts.clone() initial slug=cfg.slug couriers=cfg.couriers/>
            <LiveRegion tracker texts=texts.clone()/>
            <Outcome tracker texts/>
        </div>
    }
}
