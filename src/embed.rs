//! Embedding: every `<div data-trackfront="lookup|track">` on the page, and every element
//! passed to `trackfront.mount(el, options)`, gets its own open shadow root with its own
//! styles and its own Leptos owner, so instances are independent and host CSS cannot reach
//! in (nor ours leak out).
//!
//! The attributes (each also an option of `trackfront.mount`: `data-tracking-number` is
//! `trackingNumber`), the JS API and the theming custom properties are documented for shops
//! in README.md, "Embedding"; a new attribute or `--tf-*` property belongs there too.

use crate::components::app::App;
use crate::i18n::{self, Texts};
use crate::{api, page};
use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use std::any::Any;
use std::cell::{Cell, RefCell};
use trackfront_types::CourierSlug;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The widget's stylesheet, put into each shadow root.
pub const CSS: &str = include_str!("style.css");

/// How an instance behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An embedded lookup form (order pages, help centres).
    Lookup,
    /// The full track page: reads `?tracking_number=&slug=`, keeps URL and title in sync.
    Track,
}

/// Everything an instance needs to know, read from `data-*` attributes or JS options.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Lookup or track page.
    pub mode: Mode,
    /// The proxy base URL ("" for same origin).
    pub proxy: String,
    /// The default courier.
    pub slug: CourierSlug,
    /// Couriers offered in the chooser; the chooser is shown only with two or more.
    pub couriers: Vec<CourierSlug>,
    /// A tracking number to fill in and look up at once.
    pub number: Option<String>,
}

/// Reads one option: a JS options property (camelCase) or the element's `data-*` attribute.
fn opt(el: &Element, opts: &JsValue, attr: &str, prop: &str) -> Option<String> {
    let from_opts = if opts.is_object() {
        Reflect::get(opts, &JsValue::from_str(prop))
            .ok()
            .and_then(|v| v.as_string())
    } else {
        None
    };
    from_opts
        .or_else(|| el.get_attribute(attr))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Config {
    /// Builds a configuration from an element and (optionally) a JS options object.
    pub fn read(el: &Element, opts: &JsValue) -> Self {
        let get = |attr, prop| opt(el, opts, attr, prop);
        let slug = get("data-slug", "slug")
            .and_then(|s| CourierSlug::parse(&s).ok())
            .unwrap_or_else(CourierSlug::ecms);
        let mut couriers: Vec<CourierSlug> = get("data-couriers", "couriers")
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| CourierSlug::parse(s).ok())
            .collect();
        if !couriers.is_empty() && !couriers.contains(&slug) {
            couriers.insert(0, slug.clone());
        }
        let mode = match get("data-trackfront", "mode").as_deref() {
            Some("track") => Mode::Track,
            _ => Mode::Lookup,
        };
        let mut cfg = Self {
            mode,
            proxy: get("data-proxy", "proxy").unwrap_or_else(asset_base),
            slug,
            couriers,
            number: get("data-tracking-number", "trackingNumber"),
        };
        if mode == Mode::Track {
            page::apply_deep_link(&mut cfg);
        }
        cfg
    }
}

/// Where the widget's files (wasm, `i18n/`) live, ending in `/`: set by the `/trackfront.js`
/// loader as `window.trackfront.base`, else the site root.
pub fn asset_base() -> String {
    let from_loader = api_object()
        .and_then(|o| Reflect::get(&o, &JsValue::from_str("base")).ok())
        .and_then(|v| v.as_string());
    from_loader.unwrap_or_else(|| {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
            + "/"
    })
}

fn api_object() -> Option<Object> {
    let window = web_sys::window()?;
    let existing = Reflect::get(&window, &JsValue::from_str("trackfront")).ok()?;
    existing.is_object().then(|| existing.unchecked_into())
}

/// One mounted (or mounting) instance.
struct Instance {
    host: Element,
    generation: u32,
    /// The Leptos `UnmountHandle`, type-erased; dropping it unmounts and disposes.
    handle: Option<Box<dyn Any>>,
}

thread_local! {
    static INSTANCES: RefCell<Vec<Instance>> = const { RefCell::new(Vec::new()) };
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

fn shadow_root(host: &Element) -> Result<ShadowRoot, JsValue> {
    match host.shadow_root() {
        Some(root) => Ok(root),
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
    }
}

fn language_candidates(host: &Element, opts: &JsValue) -> Vec<String> {
    let mut out: Vec<String> = opt(host, opts, "data-lang", "lang").into_iter().collect();
    if let Some(window) = web_sys::window() {
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            out.extend(root.get_attribute("lang"));
        }
        out.extend(
            window
                .navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string()),
        );
    }
    out
}

/// Loads the strings for `lang`: English is built in, others come from `i18n/<lang>.json`.
async fn load_texts(lang: trackfront_types::Lang) -> Texts {
    if lang.as_str() == "en" {
        return Texts::english();
    }
    let url = [&asset_base(), "i18n/", lang.as_str(), ".json"].concat();
    match api::get_json(&url).await {
        Some(obj) => Texts::from_js(lang, &obj),
        None => Texts::english(),
    }
}

/// Mounts an instance into `host`'s (open) shadow root, replacing any earlier instance.
///
/// # Errors
/// When the element cannot host a shadow root (e.g. `<input>`).
pub fn mount(host: Element, opts: &JsValue) -> Result<(), JsValue> {
    unmount(&host);
    if let Some(theme) = opt(&host, opts, "data-theme", "theme") {
        host.set_attribute("data-theme", &theme)?;
    }
    let root = shadow_root(&host)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let style = doc.create_element("style")?;
    style.set_text_content(Some(CSS));
    root.replace_children_with_node_1(&style);

    let cfg = Config::read(&host, opts);
    let candidates = language_candidates(&host, opts);
    let lang = i18n::negotiate(candidates.iter().map(String::as_str));
    let generation = GENERATION.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    });
    INSTANCES.with(|list| {
        list.borrow_mut().push(Instance {
            host: host.clone(),
            generation,
            handle: None,
        })
    });
    // Not leptos' spawn_local: its executor only exists once the first instance is mounted
    // (`task::spawn` uses wasm-bindgen-futures directly).
    crate::task::spawn(async move {
        // A task of its own: building the widget's DOM is then not part of the task that
        // instantiated the wasm: two shorter tasks instead of one long one, which the page
        // can answer input between (Lighthouse counts every task beyond 50 ms as blocking).
        crate::task::sleep(std::time::Duration::ZERO).await;
        let texts = load_texts(lang).await;
        let still_wanted = INSTANCES.with(|list| {
            list.borrow()
                .iter()
                .any(|i| i.host == host && i.generation == generation)
        });
        if !still_wanted {
            return;
        }
        let parent: HtmlElement = root.clone().unchecked_into();
        let handle = leptos::mount::mount_to(parent, move || view! { <App cfg texts root/> });
        let mut handle = Some(Box::new(handle) as Box<dyn Any>);
        INSTANCES.with(|list| {
            if let Some(i) = list
                .borrow_mut()
                .iter_mut()
                .find(|i| i.host == host && i.generation == generation)
            {
                i.handle = handle.take();
            }
        });
    });
    Ok(())
}

/// Unmounts the instance in `host`, if any, and empties its shadow root.
pub fn unmount(host: &Element) {
    let removed: Vec<Instance> = INSTANCES.with(|list| {
        let mut list = list.borrow_mut();
        let (gone, kept) = list.drain(..).partition(|i| i.host == *host);
        *list = kept;
        gone
    });
    // Dropping the handles (outside the borrow) runs the instances' cleanups.
    drop(removed);
    if let Some(root) = host.shadow_root() {
        root.set_inner_html("");
    }
}

/// The number of mounted or mounting instances (for tests and diagnostics).
pub fn instance_count() -> usize {
    INSTANCES.with(|list| list.borrow().len())
}

/// The elements [`mount_all`] mounts.
pub const WIDGET_SELECTOR: &str = r#"[data-trackfront="lookup"],[data-trackfront="track"]"#;

/// Mounts every lookup or track element on the page that is not mounted yet.
pub fn mount_all() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // Only our kinds: other trackfront widgets (the `edd` badge) share the attribute.
    let Ok(nodes) = doc.query_selector_all(WIDGET_SELECTOR) else {
        return;
    };
    for i in 0..nodes.length() {
        // A selector only matches elements.
        let Some(el) = nodes.item(i).map(JsCast::unchecked_into::<Element>) else {
            continue;
        };
        let mounted = INSTANCES.with(|list| list.borrow().iter().any(|i| i.host == el));
        if !mounted {
            let _ = mount(el, &JsValue::UNDEFINED);
        }
    }
}

/// Publishes `trackfront.mount(el, options)`, `trackfront.unmount(el)` and
/// `trackfront.scan()` on `window`, keeping whatever the loader already put there.
pub fn install_js_api() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = api_object().unwrap_or_default();
    let mount_fn = Closure::<dyn Fn(Element, JsValue) -> Result<(), JsValue>>::new(
        |el: Element, opts: JsValue| mount(el, &opts),
    );
    let unmount_fn = Closure::<dyn Fn(Element)>::new(|el: Element| unmount(&el));
    let scan_fn = Closure::<dyn Fn()>::new(mount_all);
    for (name, f) in [
        ("mount", mount_fn.into_js_value()),
        ("unmount", unmount_fn.into_js_value()),
        ("scan", scan_fn.into_js_value()),
    ] {
        let _ = Reflect::set(&api, &JsValue::from_str(name), &f);
    }
    let _ = Reflect::set(&window, &JsValue::from_str("trackfront"), &api);
    // Let callers that queued work before the wasm arrived know it is ready.
    if let Ok(cb) = Reflect::get(&api, &JsValue::from_str("onready"))
        && let Some(f) = cb.dyn_ref::<Function>()
    {
        let _ = f.call0(&api);
    }
}
