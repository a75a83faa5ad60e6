//! Track-page behaviour: the deep link `?tracking_number=…&slug=…` starts a lookup, each
//! lookup is written back to the URL (so it can be shared and bookmarked) and the
//! document title follows the status.

use crate::components::{lookup_form, state_message};
use crate::embed::Config;
use crate::i18n::{Key, Texts};
use crate::tracker::{Phase, Query, Tracker};
use leptos::prelude::*;
use trackfront_types::{CourierSlug, TrackingNumber};
use wasm_bindgen::JsValue;
use web_sys::{ShadowRoot, Url, UrlSearchParams};

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
    if let Some(s) = slug_in(&p) {
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
        Phase::Failed(f, q) => [
            texts.get(state_message::title_key(f)),
            " · ",
            q.number.as_str(),
            " – ",
            base,
        ]
        .concat(),
        Phase::Idle | Phase::Loading(_) => base.to_owned(),
    }
}

fn number_in(p: &UrlSearchParams) -> Option<TrackingNumber> {
    p.get(NUMBER_PARAM)
        .and_then(|n| TrackingNumber::parse(&n).ok())
}

fn slug_in(p: &UrlSearchParams) -> Option<CourierSlug> {
    p.get(SLUG_PARAM).and_then(|s| CourierSlug::parse(&s).ok())
}

/// Keeps the URL and the title in sync with `tracker`, and looks up again when the shopper
/// goes back or forward between lookups, showing that number in the form of the widget in
/// `root`.
pub fn sync(tracker: Tracker, texts: Texts, root: Option<ShadowRoot>) {
    let popstate = window_event_listener_untyped("popstate", move |_| {
        let Some(p) = params() else { return };
        if let (Some(number), Some(slug)) = (number_in(&p), slug_in(&p)) {
            if let Some(root) = &root {
                lookup_form::show_number(root, &number);
            }
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
        // A URL that names no valid tracking yet (the bare page, a mistyped deep link), or
        // this one in another spelling or without a valid courier (a deep link: the lookup
        // used the default), is rewritten in place. A new history entry there would lead
        // Back to a URL that looks the same tracking up again and is rewritten again: the
        // shopper could never leave the page. Any other lookup is a new history entry.
        let replace =
            number_in(&p).is_none_or(|n| n == q.number) && slug_in(&p).is_none_or(|s| s == q.slug);
        p.set(NUMBER_PARAM, q.number.as_str());
        p.set(SLUG_PARAM, q.slug.as_str());
        url.set_search(&p.to_string().as_string().unwrap_or_default());
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let href = url.href();
            let _ = if replace {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&href))
            } else {
                history.push_state_with_url(&JsValue::NULL, "", Some(&href))
            };
        }
    });
}
