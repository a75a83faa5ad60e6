//! Fuzzes what a browser controls: the raw request target. Whatever the bytes, parsing
//! must not panic; whatever it accepts must be a valid, canonical lookup that parses to
//! itself again, and no accepted target may carry an encoded separator or a dot segment.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trackfront_proxy::request::{LookupKind, check_target, parse_lookup};
use trackfront_types::{CourierSlug, TrackingNumber};

fuzz_target!(|data: &[u8]| {
    let Ok(target) = std::str::from_utf8(data) else { return };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let checked = check_target(path, query);
    let Ok((kind, req)) = parse_lookup(path, query) else { return };
    assert!(checked.is_ok(), "parse_lookup accepted a target check_target refuses");
    let lower = path.to_ascii_lowercase();
    assert!(!lower.contains("%2f") && !lower.contains("%5c") && !path.contains('\\'));
    assert!(!path.split('/').any(|s| s == ".." || s == "."));
    // The parsed values are valid on their own and canonical.
    assert_eq!(CourierSlug::parse(req.slug.as_str()).as_ref(), Ok(&req.slug));
    assert_eq!(TrackingNumber::parse(req.number.as_str()).as_ref(), Ok(&req.number));
    // Rebuilding the target from them parses to the same request.
    let suffix = match kind {
        LookupKind::Tracking => "",
        LookupKind::LastCheckpoint => "/last-checkpoint",
    };
    let rebuilt = format!("/api/v1/trackings/{}/{}{suffix}", req.slug, req.number);
    let lang = req.lang.as_ref().map(|l| format!("lang={l}"));
    let (kind2, req2) = parse_lookup(&rebuilt, lang.as_deref()).expect("canonical form parses");
    assert_eq!((kind2, &req2), (kind, &req));
});
