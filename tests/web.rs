//! Component and embedding tests in headless Chromium:
//! `cargo test --target wasm32-unknown-unknown` (runner: wasm-bindgen-test-runner).
//!
//! Pure logic (progress mapping, grouping, error classification, i18n files) is tested
//! natively in the modules; these tests check what only a browser can: the DOM, `Intl`,
//! shadow roots and the JSON decoding.
#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use std::sync::Arc;
use trackfront::components::{app::App, outcome};
use trackfront::embed::{self, Config, Mode};
use trackfront::i18n::{Key, Texts};
use trackfront::tracker::{Phase, Query};
use trackfront::{api, decode, intl};
use trackfront_types::{
    CheckpointView, CountryCode, CourierSlug, EddSource, ErrorBody, ErrorCode,
    EstimatedDelivery as Edd, IsoDate, Lang, ProgressStep, Tag, TrackingNumber, TrackingView,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The unit tests' fixtures (`src/fixtures.rs`), compiled into this test crate too.
#[path = "../src/fixtures.rs"]
mod fixtures;

/// Nothing listens here: fetches fail at once with a network error.
const DEAD_PROXY: &str = "http://127.0.0.1:9";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn container() -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Polls until `root` has an element matching `selector` (or fails after ~5 s).
async fn wait_for(root: &web_sys::Node, selector: &str) -> Element {
    for _ in 0..100 {
        let found = match root.dyn_ref::<Element>() {
            Some(e) => e.query_selector(selector).unwrap(),
            None => root
                .unchecked_ref::<web_sys::DocumentFragment>()
                .query_selector(selector)
                .unwrap(),
        };
        if let Some(el) = found {
            return el;
        }
        sleep(50).await;
    }
    panic!("timed out waiting for {selector}");
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn checkpoint(time: &str, msg: &str) -> CheckpointView {
    CheckpointView {
        time: Some(time.to_owned()),
        message: Some(msg.to_owned()),
        tag: Tag::InTransit,
        subtag: Some("InTransit_001".to_owned()),
        subtag_message: Some("In transit".to_owned()),
        city: Some("Shenzhen".to_owned()),
        state: Some("Guangdong".to_owned()),
        country: CountryCode::parse("CHN").ok(),
        country_name: Some("China".to_owned()),
    }
}

fn seven_checkpoints() -> Vec<CheckpointView> {
    (0..7)
        .map(|i| {
            checkpoint(
                &format!("2026-11-{:02}T10:00:00+08:00", 20 - i),
                &format!("scan {i}"),
            )
        })
        .collect()
}

/// A tracking of `tag` with the given checkpoints and estimate.
fn tracking(tag: Tag, checkpoints: Vec<CheckpointView>, edd: Option<Edd>) -> TrackingView {
    let mut view = fixtures::view(tag, &[]);
    view.progress = tag.progress();
    view.checkpoints = checkpoints;
    view.estimated_delivery = edd;
    view
}

/// A new container holding the outcome area's markup for `phase` (in English) as `Outcome`
/// sets it, with the widget's stylesheet.
fn mount_outcome(phase: &Phase) -> HtmlElement {
    let el = container();
    let markup = outcome::markup(&Texts::english(), phase, false);
    el.set_inner_html(&format!(
        "<style>{}</style><div class=\"tf\"><div class=\"out\">{markup}</div></div>",
        embed::CSS
    ));
    el
}

/// [`mount_outcome`] of a lookup's result.
fn mount_result(view: TrackingView) -> HtmlElement {
    mount_outcome(&Phase::Loaded(Arc::new(view), 0))
}

/// Checkpoint entries the browser shows (`Element.checkVisibility()`: a closed `<details>`
/// hides its content with `content-visibility`, which layout sizes do not reveal).
fn visible_entries(root: &Element) -> usize {
    let all = root.query_selector_all(".ev").unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter(|n| {
            let check: js_sys::Function = js_sys::Reflect::get(n, &"checkVisibility".into())
                .unwrap()
                .unchecked_into();
            check.call0(n).unwrap().is_truthy()
        })
        .count()
}

/// The lookup form's tracking-number field in `root`.
fn number_field(root: &Element) -> HtmlInputElement {
    root.query_selector("input")
        .unwrap()
        .unwrap()
        .unchecked_into()
}

/// A lookup of `number` with the default courier.
fn query(number: &str) -> Query {
    Query {
        number: TrackingNumber::parse(number).unwrap(),
        slug: CourierSlug::ecms(),
    }
}

fn cfg(number: Option<&str>) -> Config {
    Config {
        mode: Mode::Lookup,
        proxy: DEAD_PROXY.to_owned(),
        slug: CourierSlug::ecms(),
        couriers: Vec::new(),
        number: number.map(str::to_owned),
    }
}

#[wasm_bindgen_test]
async fn progress_has_exactly_one_current_step_for_every_tag() {
    for tag in Tag::ALL.into_iter().chain([Tag::Unknown]) {
        let el = mount_result(tracking(tag, Vec::new(), None));
        assert_eq!(count(&el, ".steps > li"), 4, "{tag:?}");
        assert_eq!(count(&el, "[aria-current=step]"), 1, "{tag:?}");
        let hidden = text(&el, "p.vh");
        assert!(hidden.starts_with("Status: "), "{tag:?}: {hidden}");
        assert!(
            hidden.contains(Texts::english().tag(tag)),
            "{tag:?}: {hidden}"
        );
    }
}

#[wasm_bindgen_test]
async fn timeline_shows_five_entries_until_show_all() {
    let el = mount_result(tracking(Tag::InTransit, seven_checkpoints(), None));
    assert_eq!(visible_entries(&el), 5);
    // Each day is a group with a heading carrying the machine-readable date.
    assert_eq!(
        el.query_selector("h4 time")
            .unwrap()
            .unwrap()
            .get_attribute("datetime")
            .as_deref(),
        Some("2026-11-20")
    );
    // The toggle is a native <details>: its <summary> is a button to assistive technology,
    // with its expanded state, and works without script.
    let summary: HtmlElement = el
        .query_selector("details.more > summary")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(visible_text(&summary), "Show all 7 updates");
    summary.click();
    assert_eq!(visible_entries(&el), 7);
    assert_eq!(visible_text(&summary), "Show fewer updates");
    assert_eq!(
        count(&el, ".ev time[datetime='2026-11-14T10:00:00+08:00']"),
        1
    );
    summary.click();
    assert_eq!(visible_entries(&el), 5);
}

/// Regression: the dots of the entries behind "Show all" were drawn larger than the others.
/// Chromium puts a `<details>`' content in a `::details-content` box, which `.tf *` does not
/// match, so the entries inherited `content-box` sizing from it.
#[wasm_bindgen_test]
fn timeline_dots_behind_show_all_have_the_same_size() {
    let el = mount_result(tracking(Tag::InTransit, seven_checkpoints(), None));
    let sizing = |selector: &str| {
        let ev = el.query_selector(selector).unwrap().unwrap();
        web_sys::window()
            .unwrap()
            .get_computed_style_with_pseudo_elt(&ev, "::before")
            .unwrap()
            .unwrap()
            .get_property_value("box-sizing")
            .unwrap()
    };
    assert_eq!(sizing(".days .ev"), "border-box");
    assert_eq!(sizing("details .ev"), "border-box");
}

/// The text the browser renders (`innerText`: hidden elements left out).
fn visible_text(el: &HtmlElement) -> String {
    el.inner_text()
}

/// Chromium must accept a UTC offset as `Intl` time zone, or checkpoint times would be
/// shown in the viewer's zone instead of the carrier's.
#[wasm_bindgen_test]
fn checkpoint_times_are_shown_in_their_own_offset() {
    let raw = "2026-11-19T14:05:00+08:00";
    let stamp = intl::Stamp::parse(raw).unwrap();
    assert_eq!(
        intl::time_of_day("en-GB", raw, &stamp).as_deref(),
        Some("14:05")
    );
    let west = "2026-11-19T23:30:00-05:00";
    let stamp = intl::Stamp::parse(west).unwrap();
    assert_eq!(
        intl::time_of_day("en-GB", west, &stamp).as_deref(),
        Some("23:30")
    );
    let date = IsoDate::parse("2026-11-20").unwrap();
    assert_eq!(intl::long_date("en-GB", date), "Friday, 20 November 2026");
    assert_eq!(intl::long_date("de", date), "Freitag, 20. November 2026");
}

#[wasm_bindgen_test]
fn estimated_delivery_shows_ranges_and_revisions_but_hides_after_delivery() {
    let edd = Edd {
        source: EddSource::Aftership,
        date: None,
        min: IsoDate::parse("2026-11-24").ok(),
        max: IsoDate::parse("2026-11-26").ok(),
        previous: IsoDate::parse("2026-11-23").ok(),
    };
    for (tag, shown) in [
        (Tag::InTransit, true),
        (Tag::Exception, false),
        (Tag::Delivered, false),
    ] {
        let el = mount_result(tracking(tag, Vec::new(), Some(edd.clone())));
        assert_eq!(count(&el, ".edd"), u32::from(shown), "{tag:?}");
        if shown {
            assert_eq!(count(&el, "strong time"), 2);
            assert!(
                text(&el, ".was").starts_with("was "),
                "{}",
                text(&el, ".was")
            );
        }
    }
}

/// The result is written as markup (`trackfront::html`): text from the carrier must stay
/// text, however it is spelled.
#[wasm_bindgen_test]
fn carrier_text_is_shown_as_text_not_markup() {
    let hostile = "<img src=x onerror=alert(1)>";
    let mut c = checkpoint("2026-11-20T10:00:00+08:00", hostile);
    c.city = Some("\"><b>Leipzig</b>".to_owned());
    let mut view = tracking(Tag::Exception, vec![c], None);
    view.subtag_message = Some("<script>x()</script>".to_owned());
    let el = mount_result(view);
    assert_eq!(count(&el, "img, b, script"), 0);
    assert_eq!(text(&el, ".ev p"), hostile);
    assert!(text(&el, ".loc").starts_with("\"><b>Leipzig</b>"));
    assert_eq!(text(&el, ".sub"), "<script>x()</script>");
}

#[wasm_bindgen_test]
async fn invalid_numbers_are_rejected_inline_without_a_lookup() {
    let el = container();
    let _h = mount_to(
        el.clone(),
        || view! { <App cfg=cfg(None) texts=Texts::english()/> },
    );
    // The live region exists from mount, before anything is announced.
    assert_eq!(count(&el, "[role=status]"), 1);
    let input = number_field(&el);
    input.set_value("  ab ");
    let button: HtmlElement = el
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    leptos::task::tick().await;
    // An alert (regression: submitted with Enter, focus stays in the field and the error
    // was shown but never announced).
    assert_eq!(
        text(&el, "#tf-e[role=alert]:not([hidden])"),
        Key::ErrLength.en()
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("tf-h tf-e")
    );
    assert_eq!(count(&el, ".out *"), 0, "no lookup was started");
    assert_eq!(text(&el, "[role=status]"), "");
    // Pasted numbers are normalised before the lookup.
    input.set_value(" ecms 0002 transit ");
    button.click();
    leptos::task::tick().await;
    assert_eq!(input.value(), "ECMS0002TRANSIT");
    assert_eq!(
        count(&el, "#tf-e:not([hidden])"),
        0,
        "the error is hidden again"
    );
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("tf-h")
    );
}

// Regression: an invalid pre-filled number (`?tracking_number=ab`, a mistyped
// `data-tracking-number`) filled the field and then showed nothing at all.
#[wasm_bindgen_test]
fn an_invalid_prefilled_number_is_explained_at_mount() {
    let el = container();
    let _h = mount_to(
        el.clone(),
        || view! { <App cfg=cfg(Some("ab")) texts=Texts::english()/> },
    );
    let input = number_field(&el);
    assert_eq!(input.value(), "ab");
    assert_eq!(text(&el, "#tf-e:not([hidden])"), Key::ErrLength.en());
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("tf-h tf-e")
    );
    assert_eq!(count(&el, ".out *"), 0, "no lookup was started");
}

#[wasm_bindgen_test]
fn a_valid_prefilled_number_is_shown_as_looked_up() {
    let el = container();
    let _h = mount_to(el.clone(), || {
        view! { <App cfg=cfg(Some(" ecms 0002 transit ")) texts=Texts::english()/> }
    });
    let input = number_field(&el);
    assert_eq!(input.value(), "ECMS0002TRANSIT");
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(count(&el, "#tf-e:not([hidden])"), 0);
    // A blank attribute is no number at all, not an invalid one.
    let blank = container();
    let _b = mount_to(
        blank.clone(),
        || view! { <App cfg=cfg(Some("  ")) texts=Texts::english()/> },
    );
    assert_eq!(count(&blank, "#tf-e:not([hidden])"), 0);
}

// Regression: the track page's title named only the number when a lookup failed, so a
// tab or bookmark of a not-found parcel looked like any other.
#[wasm_bindgen_test]
fn the_page_title_names_the_failure() {
    let q = query("ECMS9999NOPE");
    let texts = Texts::english();
    assert_eq!(
        trackfront::page::title(&texts, &Phase::Failed(api::Failure::NotFound, q.clone())),
        "No tracking information yet · ECMS9999NOPE – Track your parcel"
    );
    assert_eq!(
        trackfront::page::title(&texts, &Phase::Failed(api::Failure::RateLimited(9), q)),
        "Too many lookups · ECMS9999NOPE – Track your parcel"
    );
}

#[wasm_bindgen_test]
async fn unreachable_service_shows_unavailable_with_retry() {
    let el = container();
    let _h = mount_to(el.clone(), || {
        view! { <App cfg=cfg(Some("ECMS0002TRANSIT")) texts=Texts::english()/> }
    });
    let card = wait_for(&el, ".m-unavailable").await;
    assert_eq!(text(&card, "h2"), Key::UnavailableTitle.en());
    assert_eq!(count(&card, "button"), 1);
    assert_eq!(text(&el, "[role=status]"), Key::UnavailableTitle.en());
    assert_eq!(count(&el, "[aria-busy]"), 0, "nothing is busy any more");
}

#[wasm_bindgen_test]
fn special_statuses_have_their_own_icon_note_and_sub_status() {
    let mut icons = Vec::new();
    for tag in [
        Tag::Pending,
        Tag::AttemptFail,
        Tag::AvailableForPickup,
        Tag::Exception,
        Tag::Expired,
    ] {
        let mut view = tracking(tag, Vec::new(), None);
        view.subtag_message = Some("Carrier says why".to_owned());
        let el = mount_result(view);
        assert_eq!(count(&el, ".sum.special"), 1, "{tag:?}");
        // Not colour alone: a glyph and a note in words, and the carrier's own message.
        let icon = text(&el, ".sum .ic");
        assert!(
            !icon.is_empty() && !icons.contains(&icon),
            "{tag:?}: {icon}"
        );
        icons.push(icon);
        let card = el.query_selector(".sum").unwrap().unwrap();
        let card: HtmlElement = card.unchecked_into();
        assert!(visible_text(&card).contains("Carrier says why"), "{tag:?}");
        assert_eq!(
            count(&el, ".sum p:not(.meta):not(.sub)"),
            1,
            "{tag:?}: one note"
        );
    }
    let el = mount_result(tracking(Tag::InTransit, Vec::new(), None));
    assert_eq!(count(&el, ".sum.special"), 0);
}

#[wasm_bindgen_test]
fn loading_and_failures_each_have_their_own_state() {
    use trackfront::api::Failure;
    let query = query("ECMS0002TRANSIT");
    let el = mount_outcome(&Phase::Loading(query.clone()));
    assert_eq!(count(&el, "[aria-busy=true] > .sk[aria-hidden=true]"), 1);
    assert_eq!(text(&el, "[aria-busy=true] .vh"), Key::Loading.en());
    for (failure, class, says) in [
        (Failure::NotFound, "m-notfound", "ECMS0002TRANSIT"),
        (Failure::Invalid, "m-invalid", ""),
        (Failure::RateLimited(17), "m-ratelimited", "17"),
        (Failure::Unavailable, "m-unavailable", ""),
    ] {
        let el = mount_outcome(&Phase::Failed(failure.clone(), query.clone()));
        let card = el.query_selector(&format!(".{class}")).unwrap();
        let card: HtmlElement = card.expect(class).unchecked_into();
        let title = trackfront::components::state_message::title_key(&failure).en();
        assert_eq!(text(&card, "h2"), title);
        assert!(visible_text(&card).contains(says), "{class}");
        let retry = usize::from(failure == Failure::Unavailable);
        assert_eq!(count(&card, "button.retry") as usize, retry, "{class}");
    }
}

/// Regression: the skeleton of a lookup started while idle waits `SKELETON_AFTER`; an
/// answer that comes sooner must cancel it, or the late skeleton replaces the answer.
#[wasm_bindgen_test]
async fn a_fast_answer_is_not_replaced_by_the_late_skeleton() {
    use trackfront::tracker::{SKELETON_AFTER, Tracker};
    let owner = Owner::new();
    let tracker = owner.with(|| Tracker::new(DEAD_PROXY.to_owned(), Lang::en()));
    tracker.lookup(query("ECMS0002TRANSIT"));
    assert_eq!(tracker.phase_untracked(), Phase::Idle, "the skeleton waits");
    // The dead proxy fails at once.
    for _ in 0..100 {
        if matches!(tracker.phase_untracked(), Phase::Failed(..)) {
            break;
        }
        sleep(10).await;
    }
    let wait = i32::try_from(SKELETON_AFTER.as_millis() * 2).unwrap();
    sleep(wait).await;
    assert!(
        matches!(tracker.phase_untracked(), Phase::Failed(..)),
        "the answer stays shown"
    );
    // A retry replaces what is shown, so its skeleton shows at once.
    tracker.retry();
    assert!(matches!(tracker.phase_untracked(), Phase::Loading(_)));
}

#[wasm_bindgen_test]
fn decoding_agrees_with_the_serde_contract() {
    let view = TrackingView {
        tracking_number: TrackingNumber::parse("ECMS0002TRANSIT").unwrap(),
        slug: CourierSlug::ecms(),
        courier_name: Some("ECMS".to_owned()),
        tag: Tag::InTransit,
        subtag: Some("InTransit_002".to_owned()),
        subtag_message: Some("Departed".to_owned()),
        progress: Some(ProgressStep::InTransit),
        origin_country: CountryCode::parse("CHN").ok(),
        destination_country: CountryCode::parse("DEU").ok(),
        checkpoints: seven_checkpoints(),
        estimated_delivery: Some(Edd {
            source: EddSource::Courier,
            date: IsoDate::parse("2026-11-25").ok(),
            min: IsoDate::parse("2026-11-24").ok(),
            max: IsoDate::parse("2026-11-26").ok(),
            previous: IsoDate::parse("2026-11-23").ok(),
        }),
        updated_at: Some("2026-11-21T09:12:00+00:00".to_owned()),
        stale: true,
    };
    let js = serde_wasm_bindgen::to_value(&view).unwrap();
    assert_eq!(decode::tracking_view(&js), Some(view));

    let codes = [
        ErrorCode::InvalidSlug,
        ErrorCode::InvalidTrackingNumber,
        ErrorCode::InvalidLang,
        ErrorCode::InvalidRequest,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::UpstreamUnavailable,
        ErrorCode::Internal,
    ];
    for code in codes {
        let body = ErrorBody {
            code,
            message: "m".to_owned(),
            retry_after: Some(7),
        };
        let js = serde_wasm_bindgen::to_value(&body).unwrap();
        assert_eq!(decode::error_body(&js), Some(body));
    }
    // Unknown future values degrade instead of failing the lookup.
    let odd = js_sys::JSON::parse(
        r#"{"tracking_number":"AB12","slug":"ecms","tag":"Teleported","checkpoints":[{"tag":"Lost"}]}"#,
    )
    .unwrap();
    let v = decode::tracking_view(&odd).unwrap();
    assert_eq!((v.tag, v.checkpoints[0].tag), (Tag::Unknown, Tag::Unknown));
    assert!(decode::tracking_view(&js_sys::JSON::parse(r#"{"slug":"ecms"}"#).unwrap()).is_none());
}

/// Regression: `Array.from(undefined)` threw inside the decoder when a view had no
/// `checkpoints` field (which the contract allows), aborting the whole widget.
#[wasm_bindgen_test]
fn view_without_checkpoints_field_decodes_instead_of_throwing() {
    let bare =
        js_sys::JSON::parse(r#"{"tracking_number":"AB12","slug":"ecms","tag":"Pending"}"#).unwrap();
    let v = decode::tracking_view(&bare).unwrap();
    assert!(v.checkpoints.is_empty());
    assert_eq!(v.estimated_delivery, None);
}

#[wasm_bindgen_test]
fn tracking_urls_encode_every_path_part() {
    let url = api::tracking_url(
        "https://shop.example/tf/",
        &CourierSlug::ecms(),
        &TrackingNumber::parse("AB/12.3").unwrap(),
        &Lang::parse("zh-Hans").unwrap(),
    );
    assert_eq!(
        url,
        "https://shop.example/tf/api/v1/trackings/ecms/AB%2F12.3?lang=zh-Hans"
    );
}

#[wasm_bindgen_test]
async fn embedded_instances_are_independent_and_unmountable() {
    let a = container();
    let b = container();
    for (el, number) in [(&a, "AAAA1111"), (&b, "BBBB2222")] {
        el.set_attribute("data-proxy", DEAD_PROXY).unwrap();
        el.set_attribute("data-tracking-number", number).unwrap();
    }
    let before = embed::instance_count();
    embed::mount(a.clone().into(), &JsValue::UNDEFINED).unwrap();
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"theme".into(), &"dark".into()).unwrap();
    embed::mount(b.clone().into(), &opts).unwrap();
    assert_eq!(embed::instance_count(), before + 2);
    assert_eq!(b.get_attribute("data-theme").as_deref(), Some("dark"));

    let root_a = a.shadow_root().expect("open shadow root");
    let root_b = b.shadow_root().expect("open shadow root");
    let input_a: HtmlInputElement = wait_for(&root_a, "input").await.unchecked_into();
    let input_b: HtmlInputElement = wait_for(&root_b, "input").await.unchecked_into();
    assert_eq!(input_a.value(), "AAAA1111");
    assert_eq!(input_b.value(), "BBBB2222");
    // Styles live inside each shadow root, none in the host document.
    assert!(root_a.query_selector("style").unwrap().is_some());
    assert!(
        a.query_selector("*").unwrap().is_none(),
        "nothing in the light DOM"
    );

    embed::unmount(&a);
    assert_eq!(embed::instance_count(), before + 1);
    assert_eq!(root_a.child_element_count(), 0);
    assert!(
        root_b.query_selector("input").unwrap().is_some(),
        "b is untouched"
    );
    // Remounting reuses the existing shadow root (attachShadow may only run once).
    embed::mount(a.clone().into(), &JsValue::UNDEFINED).unwrap();
    wait_for(&root_a, "input").await;
    embed::unmount(&a);
    embed::unmount(&b);
    assert_eq!(embed::instance_count(), before);
}

/// Regression: `mount_all` took every `[data-trackfront]` element, so the EDD badge
/// placeholder (`data-trackfront="edd"`) got a tracking form mounted into it.
#[wasm_bindgen_test]
async fn mount_all_leaves_other_trackfront_widgets_alone() {
    let badge = container();
    badge.set_attribute("data-trackfront", "edd").unwrap();
    let form = container();
    form.set_attribute("data-trackfront", "lookup").unwrap();
    form.set_attribute("data-proxy", DEAD_PROXY).unwrap();
    embed::mount_all();
    assert!(
        badge.shadow_root().is_none(),
        "the badge element is not ours"
    );
    let root = form.shadow_root().expect("the lookup element is mounted");
    wait_for(&root, "input").await;
    embed::unmount(&form);
}
