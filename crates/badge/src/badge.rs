//! One badge per `<div data-trackfront="edd">`: its open shadow root, the request to the
//! proxy, the lines, the countdown with its pause button and the "Deliver to" form.

use crate::intl;
use crate::logic::{self, Dest, Field, Words, cat, esc};
use js_sys::{Array, Date, JSON, Object};
use std::cell::RefCell;
use std::rc::Rc;
use trackfront_types::IsoDate;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, Response, ShadowRoot, Window};

/// `localStorage` key of the destination the shopper typed.
const STORE_KEY: &str = "trackfront-edd-destination";

const CSS: &str = include_str!("badge.css");

struct Config {
    endpoint: String,
    lang: String,
    services: Vec<String>,
    processing_days: u8,
    /// Set by the page (`data-country` …); then there is no form.
    fixed: Option<Dest>,
}

struct Badge {
    host: HtmlElement,
    root: ShadowRoot,
    cfg: Config,
    words: &'static Words,
    dest: Option<Dest>,
    /// Earliest cutoff of the shown estimates, ms since the epoch.
    cutoff: Option<f64>,
    paused: bool,
    timer: Option<i32>,
    /// Bumped whenever the timer is stopped or replaced; a tick of an older timer is
    /// ignored even if `clearTimeout` missed it (fake clocks hand out ids beyond i32).
    timer_gen: u32,
    /// Answers of older requests are dropped.
    generation: u32,
    /// Announce the next answer (the shopper changed the destination).
    announce: bool,
    /// Answers in a row whose cutoff had already passed by this browser's clock.
    skewed: u32,
}

type Shared = Rc<RefCell<Badge>>;

#[wasm_bindgen]
extern "C" {
    /// `window`, read once (web_sys::window() probes four globals and checks the type).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Window;

    /// `navigator.language` (undefined in very old browsers).
    #[wasm_bindgen(thread_local_v2, js_namespace = navigator, js_name = language)]
    static NAV_LANGUAGE: JsValue;

    /// `style.setProperty(name, value)`, which never throws; an empty value removes the
    /// property. (web-sys' binding catches, returns a Result, and needs removeProperty too.)
    type Style;
    #[wasm_bindgen(method, js_name = setProperty)]
    fn set_prop(this: &Style, name: &str, value: &str);

    /// Any DOM node of ours, for the calls that cannot throw with the badge's own
    /// selectors, attribute names and listeners (web-sys' catch each exception: one more
    /// JS wrapper and Result per binding).
    type Dom;
    #[wasm_bindgen(method, js_name = querySelector)]
    fn qs(this: &Dom, selector: &str) -> Option<Element>;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attr(this: &Dom, name: &str, value: &str);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attr(this: &Dom, name: &str);
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn listen(this: &Dom, event: &str, f: &JsValue);
    #[wasm_bindgen(method)]
    fn focus(this: &Dom);
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &JsValue, ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);

    /// `Reflect.set` with a string key (no JsValue made for each key); the badge only
    /// sets properties on plain objects of its own, so it cannot throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn reflect_set(o: &Object, k: &str, v: &JsValue);
    /// `Reflect.get` with a string key; throws when `o` is not an object.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(o: &JsValue, k: &str) -> Result<JsValue, JsValue>;
    /// `promise.then(ok, err)` on what fetch and json() return.
    #[wasm_bindgen(method, js_name = then)]
    fn then2(this: &Dom, ok: &JsValue, err: &JsValue);
}

fn dom(v: &JsValue) -> &Dom {
    v.unchecked_ref()
}

fn nav_language() -> Option<String> {
    NAV_LANGUAGE.with(JsValue::as_string)
}

/// `o[k] = v` on a plain object of ours (cannot throw).
fn set(o: &Object, k: &str, v: &JsValue) {
    reflect_set(o, k, v);
}

/// The page's `window` (an `Option` like web_sys::window(), to keep the callers' shape).
#[allow(clippy::unnecessary_wraps)]
fn window() -> Option<Window> {
    Some(WINDOW.with(Window::clone))
}

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&cat(&["trackfront EDD badge: ", msg])));
}

fn get(o: &JsValue, k: &str) -> JsValue {
    reflect_get(o, k).unwrap_or(JsValue::UNDEFINED)
}

/// Mounts every `[data-trackfront="edd"]` element that has no shadow root yet.
pub fn mount_all() {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(nodes) = doc.query_selector_all("[data-trackfront=\"edd\"]") else {
        return;
    };
    for i in 0..nodes.length() {
        if let Some(el) = nodes.item(i).map(JsCast::unchecked_into::<HtmlElement>)
            && el.shadow_root().is_none()
        {
            mount(el);
        }
    }
}

fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn language(host: &Element) -> String {
    attr(host, "data-lang")
        .or_else(|| {
            host.closest("[lang]")
                .ok()
                .flatten()
                .and_then(|e| attr(&e, "lang"))
        })
        .or_else(nav_language)
        .unwrap_or_else(|| "en".to_owned())
}

/// The proxy: `data-proxy`, else where `/trackfront.js` was loaded from, else this site.
fn proxy(host: &Element) -> String {
    let win = window();
    let from_loader = || {
        let w = win.as_ref()?;
        get(&get(w, "trackfront"), "base").as_string()
    };
    let base = attr(host, "data-proxy")
        .or_else(from_loader)
        .or_else(|| win.as_ref()?.location().origin().ok())
        .unwrap_or_default();
    cat(&[base.trim_end_matches('/'), "/api/v1/edd"])
}

fn hide(host: &HtmlElement, why: &str) {
    host.style()
        .unchecked_ref::<Style>()
        .set_prop("display", "none");
    warn(why);
}

/// Hides a badge one of whose attributes is wrong (`what`), saying so.
fn refuse(host: &HtmlElement, what: &str) {
    hide(host, &cat(&[what, "; the badge stays hidden"]));
}

fn mount(host: HtmlElement) {
    let lang = language(&host);
    // A bad product setting hides the badge rather than promise dates for another one
    // (regression: `data-processing-days="abc"` showed the dates of a product that ships
    // at once).
    let Some(processing_days) =
        logic::processing_days(attr(&host, "data-processing-days").as_deref())
    else {
        refuse(
            &host,
            "data-processing-days must be a whole number from 0 to 30",
        );
        return;
    };
    let services = match logic::services(attr(&host, "data-services").as_deref()) {
        Ok(s) => s,
        Err(bad) => {
            refuse(
                &host,
                &cat(&["data-services: \"", bad, "\" is not a service name"]),
            );
            return;
        }
    };
    let fixed = match attr(&host, "data-country") {
        None => None,
        Some(c) => {
            let postal = attr(&host, "data-postal-code").unwrap_or_default();
            let state = attr(&host, "data-state").unwrap_or_default();
            match Dest::parse(&c, &postal, &state) {
                Ok(d) => Some(d),
                Err(f) => {
                    let what = match f {
                        Field::Country => "data-country is not an ISO 3166-1 code",
                        Field::Postal => "data-postal-code is not a postal code",
                    };
                    refuse(&host, what);
                    return;
                }
            }
        }
    };
    let cfg = Config {
        endpoint: proxy(&host),
        services,
        processing_days,
        fixed,
        lang,
    };
    // A plain `{mode: "open"}` (web-sys' ShadowRootInit brings an enum table into the glue).
    let init = Object::new();
    set(&init, "mode", &"open".into());
    let Ok(root) = host.attach_shadow(init.unchecked_ref()) else {
        warn("this element cannot have a shadow root");
        return;
    };
    let words = logic::words(&cfg.lang);
    root.set_inner_html(&skeleton(words, cfg.fixed.is_none()));
    // No destination from the page: the one the shopper typed before, else the region of
    // the browser's language (`en-US` -> US; the page's own `lang` says nothing about
    // where the shopper lives).
    let dest = cfg.fixed.clone().or_else(|| {
        stored().or_else(|| {
            let nav = nav_language()?;
            Dest::parse(&logic::region_of(&nav)?, "", "").ok()
        })
    });
    let badge = Rc::new(RefCell::new(Badge {
        host,
        root,
        cfg,
        words,
        dest,
        cutoff: None,
        paused: false,
        timer: None,
        timer_gen: 0,
        generation: 0,
        announce: false,
        skewed: 0,
    }));
    wire(&badge);
    fill_form(&badge.borrow());
    refresh(&badge);
}

fn skeleton(w: &Words, form: bool) -> String {
    let form = if form {
        cat(&[
            "<form class=\"dest\" novalidate><fieldset><legend>",
            &esc(w.deliver_to),
            "</legend><label>",
            &esc(w.postal),
            " <input name=\"postal\" autocomplete=\"postal-code\" size=\"8\" maxlength=\"16\" \
             aria-describedby=\"err\"></label><label>",
            &esc(w.country),
            " <input name=\"country\" autocomplete=\"country\" size=\"3\" maxlength=\"3\" \
             aria-describedby=\"err\"></label><button type=\"submit\">",
            &esc(w.update),
            "</button></fieldset><p id=\"err\" class=\"err\"></p></form>",
        ])
    } else {
        String::new()
    };
    // Until the estimate arrives, `.est` holds an empty line of its height, so that what
    // follows it (the form) does not move when it comes. The countdown, shown only until
    // the day's cutoff, comes last, so that nothing of the badge's moves when it appears
    // (the page reserves the badge's height with it; regression: with the countdown above
    // the form, the form moved down 31 px as the answer came).
    cat(&[
        "<style>",
        CSS,
        "</style><div class=\"edd\" part=\"badge\"><div class=\"est\"><p>\u{a0}</p></div>",
        &form,
        "<p class=\"cut\" hidden><span class=\"count\"></span> \
         <button type=\"button\" class=\"pause\">",
        &esc(w.pause),
        "</button></p><p class=\"sr\" role=\"status\"></p></div>",
    ])
}

fn find(root: &ShadowRoot, sel: &str) -> Option<Element> {
    dom(root).qs(sel)
}

fn stored() -> Option<Dest> {
    let s = window()?.local_storage().ok()??;
    Dest::load(&s.get_item(STORE_KEY).ok()??)
}

fn store(d: &Dest) {
    if let Some(s) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(STORE_KEY, &d.store());
    }
}

fn input(root: &ShadowRoot, name: &str) -> Option<HtmlInputElement> {
    // Our own markup: the element found is an <input>.
    find(root, &cat(&["input[name=", name, "]"])).map(JsCast::unchecked_into)
}

fn fill_form(b: &Badge) {
    if let Some(d) = &b.dest {
        if let Some(i) = input(&b.root, "postal") {
            i.set_value(d.postal.as_deref().unwrap_or(""));
        }
        if let Some(i) = input(&b.root, "country") {
            i.set_value(&d.country);
        }
    }
}

/// Connects the pause button and the form.
///
/// The listeners hold the badge (and live as long as the page): they are what keeps it
/// alive, as the countdown's timer and a request in flight do while they last.
/// Regression: they held it weakly, so a badge with no request in flight (no
/// destination yet: a browser language without a region, such as `en`) was dropped once
/// mounted, and its "Deliver to" form did nothing at all.
fn wire(badge: &Shared) {
    let b = badge.borrow();
    if let Some(btn) = find(&b.root, ".pause") {
        let s = badge.clone();
        let on_pause = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| toggle_pause(&s));
        dom(&btn).listen("click", on_pause.as_ref());
        on_pause.forget();
    }
    if let Some(form) = find(&b.root, "form") {
        let s = badge.clone();
        let on_submit = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            e.unchecked_into::<Event>().prevent_default();
            submit(&s);
        });
        dom(&form).listen("submit", on_submit.as_ref());
        on_submit.forget();
    }
}

fn submit(badge: &Shared) {
    let (postal, country, words) = {
        let b = badge.borrow();
        let val = |n| input(&b.root, n).map(|i| i.value()).unwrap_or_default();
        (val("postal"), val("country"), b.words)
    };
    let parsed = Dest::parse(&country, &postal, "");
    let b = badge.borrow();
    for (name, bad) in [
        ("country", parsed == Err(Field::Country)),
        ("postal", parsed == Err(Field::Postal)),
    ] {
        if let Some(i) = input(&b.root, name) {
            if bad {
                dom(&i).set_attr("aria-invalid", "true");
            } else {
                dom(&i).remove_attr("aria-invalid");
            }
        }
    }
    let err = find(&b.root, ".err");
    match parsed {
        Err(f) => {
            let (msg, field) = match f {
                Field::Country => (words.bad_country, "country"),
                Field::Postal => (words.bad_postal, "postal"),
            };
            if let Some(e) = err {
                e.set_text_content(Some(msg));
            }
            if let Some(i) = input(&b.root, field) {
                dom(&i).focus();
            }
        }
        Ok(d) => {
            if let Some(e) = err {
                e.set_text_content(None);
            }
            store(&d);
            drop(b);
            {
                let mut m = badge.borrow_mut();
                m.dest = Some(d);
                m.announce = true;
            }
            refresh(badge);
        }
    }
}

/// Asks the proxy for the current destination and renders the answer.
fn refresh(badge: &Shared) {
    let (endpoint, body, generation) = {
        let mut b = badge.borrow_mut();
        let Some(dest) = b.dest.clone() else {
            // Only the form is shown until the shopper gives a destination.
            set_est(&b, "");
            return;
        };
        b.generation += 1;
        (
            b.cfg.endpoint.clone(),
            request_body(&b.cfg, &dest),
            b.generation,
        )
    };
    post(badge, generation, &endpoint, &body);
}

fn request_body(cfg: &Config, d: &Dest) -> String {
    let dest = Object::new();
    set(&dest, "country", &d.country.as_str().into());
    if let Some(p) = &d.postal {
        set(&dest, "postal_code", &p.as_str().into());
    }
    if let Some(s) = &d.state {
        set(&dest, "state", &s.as_str().into());
    }
    let items = Array::new();
    for s in &cfg.services {
        let item = Object::new();
        set(&item, "service", &s.as_str().into());
        set(&item, "processing_days", &cfg.processing_days.into());
        items.push(&item);
    }
    let body = Object::new();
    set(&body, "destination", &dest.into());
    set(&body, "items", &items.into());
    JSON::stringify(&body)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// `promise.then(ok, err)`: Promise callbacks without an async runtime (a smaller wasm).
fn then(promise: &JsValue, ok: JsValue, err: JsValue) {
    dom(promise).then2(&ok, &err);
}

/// `fetch(endpoint, {method: "POST", body})`, then `response.json()`, then [`finish`].
fn post(badge: &Shared, generation: u32, endpoint: &str, body: &str) {
    let Some(window) = window() else {
        return;
    };
    // A plain RequestInit object: web-sys' typed setters are one JS import each.
    let init = Object::new();
    set(&init, "method", &"POST".into());
    set(&init, "body", &body.into());
    let headers = Object::new();
    set(&headers, "content-type", &"application/json".into());
    set(&init, "headers", &headers);
    let unreachable = cat(&["the proxy at ", endpoint, " cannot be reached"]);
    let (b1, b2) = (badge.clone(), badge.clone());
    let on_response = Closure::once_into_js(move |resp: JsValue| {
        let resp: Response = resp.unchecked_into();
        let (ok, status) = (resp.ok(), resp.status());
        let (b3, b4) = (b1.clone(), b1);
        let on_json = Closure::once_into_js(move |json: JsValue| {
            finish(&b3, generation, ok, status, &json);
        });
        let on_bad = Closure::once_into_js(move |_: JsValue| {
            finish(&b4, generation, false, status, &JsValue::UNDEFINED);
        });
        if let Ok(p) = resp.json() {
            then(&p, on_json, on_bad);
        }
    });
    let on_error = Closure::once_into_js(move |_: JsValue| {
        let b = b2.borrow();
        if b.generation == generation {
            hide(&b.host, &unreachable);
        }
    });
    then(
        &window.fetch_with_str_and_init(endpoint, init.unchecked_ref()),
        on_response,
        on_error,
    );
}

/// The proxy's answer to request number `generation` (older answers are dropped).
fn finish(badge: &Shared, generation: u32, ok: bool, status: u16, json: &JsValue) {
    if badge.borrow().generation != generation {
        return;
    }
    if ok {
        render(badge, json);
    } else {
        let b = badge.borrow();
        let msg = get(json, "message").as_string().unwrap_or_default();
        hide(
            &b.host,
            &cat(&[
                "no estimate: the proxy answered ",
                &logic::num(status.into(), 1),
                " ",
                &msg,
            ]),
        );
    }
}

fn set_est(b: &Badge, html: &str) {
    if let Some(e) = find(&b.root, ".est") {
        e.set_inner_html(html);
    }
}

fn time(b: &Badge, d: IsoDate, year: u16) -> String {
    cat(&[
        "<time datetime=\"",
        &logic::iso(d),
        "\">",
        &esc(&intl::date(&b.cfg.lang, d, year)),
        "</time>",
    ])
}

fn render(badge: &Shared, answer: &JsValue) {
    let year = Date::new_0().get_utc_full_year() as u16;
    let list: Array = get(answer, "estimates").dyn_into().unwrap_or_default();
    let mut lines = Vec::new();
    let mut cutoff: Option<f64> = None;
    let mut skewed = false;
    {
        let b = badge.borrow();
        for e in list.iter() {
            let date = |k| get(&e, k).as_string().and_then(|s| IsoDate::parse(&s).ok());
            let (Some(service), Some(min), Some(max)) =
                (get(&e, "service").as_string(), date("min"), date("max"))
            else {
                warn("skipped a malformed estimate");
                continue;
            };
            let range = if min == max {
                time(&b, min, year)
            } else {
                cat(&[&time(&b, min, year), " – ", &time(&b, max, year)])
            };
            lines.push((service, range));
            if let Some(c) = get(&e, "cutoff").as_string() {
                let ms = Date::parse(&c);
                // A cutoff already past by this browser's clock: the clock runs ahead of
                // the server's, which still answers with the promise before the cutoff.
                // Not counted down; asked again, a few times (below).
                if ms.is_finite() && ms > Date::now() {
                    cutoff = Some(cutoff.map_or(ms, |old: f64| old.min(ms)));
                } else {
                    skewed = true;
                }
            }
        }
    }
    let mut b = badge.borrow_mut();
    let label = b.dest.as_ref().map(Dest::label).unwrap_or_default();
    if lines.is_empty() {
        let mut requested = String::new();
        for s in &b.cfg.services {
            if !requested.is_empty() {
                requested.push_str(", ");
            }
            requested.push_str(s);
        }
        let why = cat(&["the proxy has no estimate for ", &requested, " to ", &label]);
        if b.cfg.fixed.is_some() {
            hide(&b.host, &cat(&[&why, "; hidden"]));
            return;
        }
        warn(&why);
        let none = esc(&logic::fill(b.words.none, &[(b'd', &label)]));
        set_est(&b, &cat(&["<p>", &none, "</p>"]));
        b.cutoff = None;
    } else {
        let arrives = esc(b.words.arrives);
        let html = if lines.len() == 1 && b.cfg.services.len() == 1 {
            cat(&["<p>", &arrives, " ", &lines[0].1, "</p>"])
        } else {
            let mut items = String::from("<ul>");
            for (s, r) in &lines {
                items.push_str(&cat(&[
                    "<li><strong>",
                    &esc(&logic::service_label(s)),
                    "</strong> ",
                    &arrives,
                    " ",
                    r,
                    "</li>",
                ]));
            }
            items.push_str("</ul>");
            items
        };
        set_est(&b, &html);
        b.cutoff = cutoff;
    }
    b.host
        .style()
        .unchecked_ref::<Style>()
        .set_prop("display", "");
    if b.announce {
        b.announce = false;
        if let Some(s) = find(&b.root, ".sr") {
            s.set_text_content(Some(&logic::fill(b.words.updated, &[(b'd', &label)])));
        }
    }
    drop(b);
    show_countdown(badge);
    retry_if_skewed(badge, skewed && cutoff.is_none());
}

/// How many times an answer whose cutoff has passed by this browser's clock is asked for
/// again, after 1, 2, 4, 8 and 16 s.
const SKEW_RETRIES: u32 = 5;

/// Regression: when the refetch at the cutoff reached a server whose clock was behind this
/// browser's by more than the 250 ms margin, the answer still had the old promise and its
/// cutoff, now past here: the countdown hid and the old dates stayed until a reload. Now
/// such an answer is asked for again, a few times, until the server has passed the cutoff
/// too. (A clock hours ahead gives up after [`SKEW_RETRIES`], showing the server's dates.)
fn retry_if_skewed(badge: &Shared, skewed: bool) {
    let mut b = badge.borrow_mut();
    if !skewed {
        b.skewed = 0;
        return;
    }
    if b.skewed < SKEW_RETRIES {
        let delay = 1_000 << b.skewed;
        b.skewed += 1;
        schedule(badge, &mut b, delay, refresh);
    }
}

/// Runs `then` on `badge` (`b` borrowed) after `delay` ms, as its one timer (replacing any
/// other).
fn schedule(badge: &Shared, b: &mut Badge, delay: i32, then: fn(&Shared)) {
    stop_timer(b);
    let (generation, s) = (b.timer_gen, badge.clone());
    let tick = Closure::once_into_js(move |_: JsValue| {
        if s.borrow().timer_gen == generation {
            s.borrow_mut().timer = None;
            then(&s);
        }
    });
    b.timer = Some(set_timeout(&tick, delay));
}

fn stop_timer(b: &mut Badge) {
    b.timer_gen = b.timer_gen.wrapping_add(1);
    if let Some(t) = b.timer.take() {
        clear_timeout(t);
    }
}

fn toggle_pause(badge: &Shared) {
    {
        let mut b = badge.borrow_mut();
        b.paused = !b.paused;
        let label = if b.paused {
            b.words.resume
        } else {
            b.words.pause
        };
        if let Some(btn) = find(&b.root, ".pause") {
            btn.set_text_content(Some(label));
        }
    }
    show_countdown(badge);
}

/// Shows the time left until the cutoff (or, paused, the fixed clock time) and schedules
/// the next update for when the shown minute changes. Once the cutoff has passed the
/// promise rolls forward, so the estimate is fetched again.
fn show_countdown(badge: &Shared) {
    let mut b = badge.borrow_mut();
    stop_timer(&mut b);
    let Some(cut) = find(&b.root, ".cut") else {
        return;
    };
    let Some(cutoff) = b.cutoff else {
        dom(&cut).set_attr("hidden", "");
        return;
    };
    let left = cutoff - Date::now();
    let Some((h, m)) = logic::countdown(left) else {
        dom(&cut).set_attr("hidden", "");
        b.cutoff = None;
        drop(b);
        refresh(badge);
        return;
    };
    let text = if b.paused {
        logic::fill(
            b.words.order_by,
            &[(b't', &intl::clock(&b.cfg.lang, cutoff))],
        )
    } else {
        logic::within(b.words, h, m)
    };
    if let Some(c) = find(&b.root, ".count") {
        c.set_text_content(Some(&text));
    }
    dom(&cut).remove_attr("hidden");
    // Live: when the shown minute changes. Paused: nothing changes on screen until the
    // cutoff itself, when the estimate is fetched again.
    let delay = if b.paused {
        (left + 250.0).min(f64::from(i32::MAX)) as i32
    } else {
        logic::next_tick(left)
    };
    schedule(badge, &mut b, delay, show_countdown);
}
