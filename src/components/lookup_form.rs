//! The lookup form: tracking number (normalised and validated with the shared types, errors
//! inline), an optional courier chooser and a large submit button.

use crate::html::{Html, last_if};
use crate::i18n::{Key, Texts};
use crate::tracker::{Query, Tracker};
use leptos::prelude::*;
use trackfront_types::{CourierSlug, TrackingNumber};
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlFormElement, HtmlInputElement, HtmlSelectElement};

/// Writes the form's fields: the courier chooser (with two or more couriers), the number
/// with its label and hint, and the submit button.
pub fn write_fields(
    h: &mut Html,
    texts: &Texts,
    initial: &str,
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
            ("aria-describedby", "tf-h"),
            ("value", initial),
        ];
        h.void_el("input", &input);
        h.text_el("button", &[("type", "submit")], texts.get(Key::Submit));
    });
    // The inline error, filled in and shown by the submit handler.
    h.el(
        "p",
        &[("id", "tf-e"), ("class", "err"), ("hidden", "")],
        |_| {},
    );
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
    /// The default courier.
    slug: CourierSlug,
    /// Couriers to offer; the chooser appears only with two or more.
    couriers: Vec<CourierSlug>,
) -> impl IntoView {
    let mut fields = Html::new();
    write_fields(&mut fields, &texts, &initial, &slug, &couriers);
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
        // The error is shown under the field, and the field points at it while there is one
        // (WCAG 3.3.1). Set here rather than through a signal: nothing else depends on it,
        // and a signal and reactive view of their own cost the page 1 KB.
        let error = parsed.as_ref().err().map(|e| texts.parse_error(*e));
        if let Ok(Some(p)) = form.query_selector("#tf-e") {
            p.set_text_content(error);
            let _ = p.toggle_attribute_with_force("hidden", error.is_none());
        }
        let _ = if error.is_some() {
            el.set_attribute("aria-invalid", "true")
        } else {
            el.remove_attribute("aria-invalid")
        };
        let _ = el.set_attribute(
            "aria-describedby",
            if error.is_some() { "tf-h tf-e" } else { "tf-h" },
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
