//! Track-page behaviour: the deep link `?tracking_number=…&slug=…` starts a lookup, each
//! lookup is written back to the URL (so it can be shared and bookmarked) and the
//! document title follows the status.

use crate::embed::Config;
use crate::i18n::{Key, Texts};
use crate::tracker::{Phase, Query, Tracker};
use leptos::prelude::*;
use trackfront_types::{CourierSlug, TrackingNumber};
use wasm_bindgen::JsValue;
use web_sys::{Url, UrlSearchParams};

const NUMBER_PARAM: &str = "tracking_number";
const SLUG_PARAM: &str = "slug";

fn current_url() -> Option<Url> {
    let href = web_sys::window()?.location().href().ok()?;
    Url::new(&href).ok()
}

fn params() -> Option<UrlSearchParams> {
    current_url().map(|u| u.search_params())
}

/// Lets the page's query string override the configured number and courier.
pub fn apply_deep_link(cfg: &mut Config) {
    let Some(p) = params() else { return };
    if let Some(n) = p.get(NUMBER_PARAM).filter(|n| !n.trim().is_empty()) {
        cfg.number = Some(n);
    }
    if let Some(s) = p.get(SLUG_PARAM).and_then(|s| CourierSlug::parse(&s).ok()) {
        cfg.slug = s;
    }
}

/// The document title for a phase.
pub fn title(texts: &Texts, phase: &Phase) -> String {
    let base = texts.get(Key::Heading);
    match phase {
        Phase::Loaded(v, _) => [
            texts.tag(v.tag),
            " · ",
            v.tracking_number.as_str(),
            " – ",
            base,
        ]
        .concat(),
        Phase::Failed(_, q) => [q.number.as_str(), " – ", base].concat(),
        Phase::Idle | Phase::Loading(_) => base.to_owned(),
    }
}

/// Keeps the URL and the title in sync with `tracker`, and looks up again when the shopper
/// goes back or forward between lookups.
pub fn sync(tracker: Tracker, texts: Texts) {
    let popstate = window_event_listener_untyped("popstate", move |_| {
        let Some(p) = params() else { return };
        let number = p
            .get(NUMBER_PARAM)
            .and_then(|n| TrackingNumber::parse(&n).ok());
        let slug = p.get(SLUG_PARAM).and_then(|s| CourierSlug::parse(&s).ok());
        if let (Some(number), Some(slug)) = (number, slug) {
            tracker.lookup(Query { number, slug });
        }
    });
    on_cleanup(move || popstate.remove());
    // One effect for both (each effect costs its own copy of Leptos's effect code).
    tracker.watch(move |phase| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&title(&texts, &phase));
        }
        let Some(q) = phase.query() else {
            return;
        };
        let Some(url) = current_url() else { return };
        let p = url.search_params();
        let same = p.get(NUMBER_PARAM).as_deref() == Some(q.number.as_str())
            && p.get(SLUG_PARAM).as_deref() == Some(q.slug.as_str());
        if same {
            return;
        }
        let first = p.get(NUMBER_PARAM).is_none();
        p.set(NUMBER_PARAM, q.number.as_str());
        p.set(SLUG_PARAM, q.slug.as_str());
        url.set_search(&p.to_string().as_string().unwrap_or_default());
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let href = url.href();
            // The first lookup replaces the bare page; later ones are new history entries.
            let _ = if first {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&href))
            } else {
                history.push_state_with_url(&JsValue::NULL, "", Some(&href))
            };
        }
    });
}
