//! The lookup form: tracking number (normalised and validated with the shared types, errors
//! inline), an optional courier chooser and a large submit button.

use crate::html::{Html, last_if};
use crate::i18n::{Key, Texts};
use crate::tracker::{Query, Tracker};
use leptos::prelude::*;
use trackfront_types::{CourierSlug, ParseError, TrackingNumber};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlFormElement, HtmlInputElement, HtmlSelectElement, ShadowRoot};

/// Writes the form's fields: the courier chooser (with two or more couriers), the number
/// with its label and hint, and the submit button.
pub fn write_fields(
    h: &mut Html,
    texts: &Texts,
    initial: &str,
    error: Option<&str>,
    slug: &CourierSlug,
    couriers: &[CourierSlug],
) {
    if couriers.len() > 1 {
        h.text_el("label", &[("for", "tf-c")], texts.get(Key::CourierLabel));
        h.el("select", &[("id", "tf-c"), ("name", "slug")], |h| {
            for c in couriers {
                let attrs = [("value", c.as_str()), ("selected", "")];
                h.text_el("option", last_if(&attrs, c == slug), c.as_str());
            }
        });
    }
    h.text_el("label", &[("for", "tf-n")], texts.get(Key::NumberLabel));
    h.text_el(
        "p",
        &[("id", "tf-h"), ("class", "hint")],
        texts.get(Key::NumberHint),
    );
    h.el("div", &[("class", "row")], |h| {
        let input = [
            ("id", "tf-n"),
            ("name", "tracking_number"),
            ("type", "text"),
            ("autocomplete", "on"),
            ("autocapitalize", "characters"),
            ("spellcheck", "false"),
            ("value", initial),
            ("aria-describedby", described_by(error)),
            ("aria-invalid", "true"),
        ];
        h.void_el("input", last_if(&input, error.is_some()));
        h.text_el("button", &[("type", "submit")], texts.get(Key::Submit));
    });
    // The inline error: shown from the start for an invalid pre-filled number, else filled
    // in and shown by the submit handler. An alert, so that it is announced when the
    // shopper submits with Enter: focus then stays in the field, and nothing else would
    // make a screen reader read the field's new description.
    let attrs = [
        ("id", "tf-e"),
        ("class", "err"),
        ("role", "alert"),
        ("hidden", ""),
    ];
    h.text_el(
        "p",
        last_if(&attrs, error.is_none()),
        error.unwrap_or_default(),
    );
}

/// The field points at the error while there is one (WCAG 3.3.1).
fn described_by(error: Option<&str>) -> &'static str {
    if error.is_some() { "tf-h tf-e" } else { "tf-h" }
}

/// Shows `error` in the number field's error line `line` (or hides it), and marks the
/// field invalid while there is one. Done here rather than through a signal: nothing else
/// depends on it, and a signal and reactive view of their own cost the page 1 KB.
fn mark(line: Option<Element>, field: &HtmlInputElement, error: Option<&str>) {
    if let Some(p) = line {
        p.set_text_content(error);
        let _ = p.toggle_attribute_with_force("hidden", error.is_none());
    }
    let _ = if error.is_some() {
        field.set_attribute("aria-invalid", "true")
    } else {
        field.remove_attribute("aria-invalid")
    };
    let _ = field.set_attribute("aria-describedby", described_by(error));
}

/// Puts `number` in the number field of the widget in `root`, valid: for lookups that do
/// not come from the form (going back and forward between lookups on the track page).
pub fn show_number(root: &ShadowRoot, number: &TrackingNumber) {
    let Some(field) = root.get_element_by_id("tf-n") else {
        return;
    };
    let field = field.unchecked_into::<HtmlInputElement>();
    field.set_value(number.as_str());
    mark(root.get_element_by_id("tf-e"), &field, None);
}

/// The form. Invalid input never reaches the network.
///
/// Its fields, the inline error included, are markup (see `components` for why); the
/// submit handler reads the fields from the submitted form by name and fills in the error.
#[component]
pub fn LookupForm(
    /// The instance to start lookups on.
    tracker: Tracker,
    /// The UI strings.
    texts: Texts,
    /// The number to pre-fill.
    initial: String,
    /// Why `initial` is not a valid number, shown from the start.
    error: Option<ParseError>,
    /// The default courier.
    slug: CourierSlug,
    /// Couriers to offer; the chooser appears only with two or more.
    couriers: Vec<CourierSlug>,
) -> impl IntoView {
    let mut fields = Html::new();
    let error = error.map(|e| texts.parse_error(e));
    write_fields(&mut fields, &texts, &initial, error, &slug, &couriers);
    let on_submit = move |ev: Event| {
        ev.prevent_default();
        // The fields are the markup above, so their types are known (unchecked: each
        // `instanceof` check costs bytes).
        let Some(form) = ev.target().map(JsCast::unchecked_into::<HtmlFormElement>) else {
            return;
        };
        let field = |name| form.get_with_name(name);
        let Some(el) = field("tracking_number").map(JsCast::unchecked_into::<HtmlInputElement>)
        else {
            return;
        };
        let parsed = TrackingNumber::parse(&el.value());
        let line = form.query_selector("#tf-e").ok().flatten();
        mark(
            line,
            &el,
            parsed.as_ref().err().map(|e| texts.parse_error(*e)),
        );
        match parsed {
            Err(_) => {
                let _ = el.focus();
            }
            Ok(number) => {
                el.set_value(number.as_str());
                let slug = field("slug")
                    .and_then(|e| {
                        CourierSlug::parse(&e.unchecked_into::<HtmlSelectElement>().value()).ok()
                    })
                    .unwrap_or_else(|| slug.clone());
                tracker.lookup(Query { number, slug });
            }
        }
    };
    view! {
        <form class="form" {..super::listen("submit", on_submit)} novalidate inner_html=fields.finish()></form>
    }
}
