//! The root of one widget instance.

use super::{live_region::LiveRegion, lookup_form::LookupForm, outcome::Outcome};
use crate::embed::{Config, Mode};
use crate::i18n::Texts;
use crate::page;
use crate::tracker::{Query, Tracker};
use leptos::prelude::*;
use trackfront_types::TrackingNumber;
use web_sys::ShadowRoot;

/// One widget: the lookup form, the live region and whatever the lookup produced.
#[component]
pub fn App(
    /// Where to look up, which courier, and what to pre-fill.
    cfg: Config,
    /// The UI strings, already loaded for the instance's language.
    texts: Texts,
    /// The shadow root the instance is mounted in.
    #[prop(optional)]
    root: Option<ShadowRoot>,
) -> impl IntoView {
    let lang = texts.lang().as_str().to_owned();
    let dir = if texts.lang().is_rtl() { "rtl" } else { "ltr" };
    let tracker = Tracker::new(cfg.proxy.clone(), texts.lang().clone());
    if cfg.mode == Mode::Track {
        page::sync(tracker, texts.clone(), root);
    }
    // A pre-filled number (deep link, order page) is looked up at once and shown as looked
    // up; an invalid one is explained, as if the shopper had submitted it.
    let mut initial = cfg.number.clone().unwrap_or_default();
    let mut error = None;
    if !initial.trim().is_empty() {
        match TrackingNumber::parse(&initial) {
            Ok(number) => {
                initial = number.as_str().to_owned();
                tracker.lookup(Query {
                    number,
                    slug: cfg.slug.clone(),
                });
            }
            Err(e) => error = Some(e),
        }
    }
    view! {
        <div class="tf" lang=lang dir=dir>
            <LookupForm tracker texts=texts.clone() initial error slug=cfg.slug couriers=cfg.couriers/>
            <LiveRegion tracker texts=texts.clone()/>
            <Outcome tracker texts/>
        </div>
    }
}
