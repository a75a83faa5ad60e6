//! Fuzzes the privacy projection with arbitrary upstream JSON: it must not panic, the view
//! must serialise, and no customer e-mail or phone number of the input may appear in it.

#![no_main]

use aftership::model::Tracking;
use libfuzzer_sys::fuzz_target;
use trackfront_proxy::view::project;
use trackfront_types::{CourierSlug, TrackingNumber};

fuzz_target!(|data: &[u8]| {
    let Ok(t) = serde_json::from_slice::<Tracking>(data) else { return };
    let slug = CourierSlug::ecms();
    let number = TrackingNumber::parse("ECMS0002TRANSIT").expect("valid");
    let view = project(&slug, &number, &t);
    let json = serde_json::to_string(&view).expect("a view always serialises").to_lowercase();
    for c in t.customers.iter().flatten() {
        for secret in [&c.email, &c.phone_number].into_iter().flatten() {
            let s = secret.trim().to_lowercase();
            // Whole-word blanking: values too short or glued to other text are out of scope.
            if s.chars().count() >= 8 && s.chars().all(|ch| ch.is_ascii_alphanumeric() || "@.+-_".contains(ch)) {
                assert!(!json.contains(&format!(" {s} ")), "{s} leaked");
            }
        }
    }
});
