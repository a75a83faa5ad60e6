//! The lookup form: tracking number (normalised and validated with the shared types, errors
//! inline), an optional courier chooser and a large submit button.

use crate::i18n::{Key, Texts};
use crate::tracker::{Query, Tracker};
use leptos::prelude::*;
use trackfront_types::{CourierSlug, TrackingNumber};
use wasm_bindgen::JsCast;
use web_sys::{HtmlFormElement, HtmlInputElement, HtmlSelectElement, SubmitEvent};

/// The form. Invalid input never reaches the network.
#[component]
pub fn LookupForm(
    /// The instance to start lookups on.
    tracker: Tracker,
    /// The number to pre-fill.
    initial: String,
    /// The default courier.
    slug: CourierSlug,
    /// Couriers to offer; the chooser appears only with two or more.
    couriers: Vec<CourierSlug>,
) -> impl IntoView {
    let texts = expect_context::<Texts>();
    let (error, set_error) = signal(None::<String>);
    let err_texts = texts.clone();
    let default_slug = slug.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The fields are read from the submitted form by name: two Leptos node refs cost the
        // track page 800 B of brotli more.
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let field = |name| form.get_with_name(name);
        let Some(el) = field("tracking_number").and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        match TrackingNumber::parse(&el.value()) {
            Err(e) => {
                set_error.set(Some(err_texts.parse_error(e).to_owned()));
                let _ = el.focus();
            }
            Ok(number) => {
                el.set_value(number.as_str());
                set_error.set(None);
                let slug = field("slug")
                    .and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
                    .and_then(|s| CourierSlug::parse(&s.value()).ok())
                    .unwrap_or_else(|| default_slug.clone());
                tracker.lookup(Query { number, slug });
            }
        }
    };
    let chooser_view = (couriers.len() > 1).then(|| {
        view! {
            <label for="tf-c">{texts.get(Key::CourierLabel).to_owned()}</label>
            <select id="tf-c" name="slug">
                {couriers
                    .into_iter()
                    .map(|c| {
                        let selected = c == slug;
                        view! { <option value=c.to_string() selected=selected>{c.to_string()}</option> }.into_any()
                    })
                    .collect_view()}
            </select>
        }
    });
    view! {
        <form class="form" on:submit=on_submit novalidate>
            {chooser_view}
            <label for="tf-n">{texts.get(Key::NumberLabel).to_owned()}</label>
            <p id="tf-h" class="hint">{texts.get(Key::NumberHint).to_owned()}</p>
            <div class="row">
                <input
                    id="tf-n"
                    name="tracking_number"
                    type="text"
                    autocomplete="on"
                    autocapitalize="characters"
                    spellcheck="false"
                    value=initial
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=move || {
                        if error.with(Option::is_some) { "tf-h tf-e" } else { "tf-h" }
                    }
                />
                <button type="submit">{texts.get(Key::Submit).to_owned()}</button>
            </div>
            {move || error.get().map(|e| view! { <p id="tf-e" class="err">{e}</p> })}
        </form>
    }
}
