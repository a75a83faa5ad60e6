//! A lossless, allocation-light packing of the cached view JSON, so that a proxy holding
//! 100,000 trackings stays small (the bench's memory target is 64 MB).
//!
//! Half of a typical view's bytes are its field names (`"tracking_number":`,
//! `"subtag_message":` …), repeated in every entry and every checkpoint. [`pack`] replaces
//! each of them, and a few other frequent pieces, by one byte in `0x01..=0x1F`. Compact
//! `serde_json` output never contains those bytes (JSON escapes every control character
//! inside strings and emits no whitespace between tokens), so the substitution is
//! unambiguous and [`unpack`] is a single copy with table look-ups: a few hundred
//! nanoseconds, against microseconds for a general-purpose codec such as brotli, which would
//! cost the hot path more than it saves in memory. Input that does contain a control byte
//! (not JSON from this proxy) is kept verbatim, so nothing is ever lost.
//!
//! What it must not do: change a single byte of what a client receives, or be used for
//! anything but in-process storage (the table is free to change between builds, so packed
//! bytes must never be written to Redis or disk).

use std::cell::RefCell;
use std::sync::Arc;

/// First byte of a packed value: the rest is kept verbatim.
const RAW: u8 = 0;
/// First byte of a packed value: the rest uses [`TOKENS`].
const TOKENIZED: u8 = 1;

/// The substitutions: byte `i + 1` stands for `TOKENS[i]`. The field names of
/// [`trackfront_types::TrackingView`] and its checkpoints and estimate (each with its
/// quotes and colon, so no token can match inside another), then frequent separators and
/// values. At most 31 entries (`0x01..=0x1F`).
const TOKENS: [&[u8]; 31] = [
    br#""tracking_number":"#,
    br#""slug":"#,
    br#""courier_name":"#,
    br#""tag":"#,
    br#""subtag":"#,
    br#""subtag_message":"#,
    br#""progress":"#,
    br#""origin_country":"#,
    br#""destination_country":"#,
    br#""checkpoints":"#,
    br#""time":"#,
    br#""message":"#,
    br#""city":"#,
    br#""state":"#,
    br#""country":"#,
    br#""country_name":"#,
    br#""estimated_delivery":"#,
    br#""source":"#,
    br#""date":"#,
    br#""min":"#,
    br#""max":"#,
    br#""previous":"#,
    br#""updated_at":"#,
    br#""stale":false}"#,
    br#""},{"#,
    br#"","#,
    b"null",
    b"InTransit",
    b"+00:00",
    b"T00:00:00",
    b"_00",
];

/// Packs `json` for storage; see the module docs. The result is allocated once, at its
/// exact size, because it is kept for long: the work happens in a per-thread scratch
/// buffer, so packing leaves no short-lived allocation between long-lived ones.
pub fn pack(json: &[u8]) -> Arc<[u8]> {
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|out| {
        out.clear();
        pack_into(json, out);
        Arc::from(out.as_slice())
    })
}

fn pack_into(json: &[u8], out: &mut Vec<u8>) {
    if json.iter().any(|&b| b < 0x20) {
        out.push(RAW);
        out.extend_from_slice(json);
        return;
    }
    out.push(TOKENIZED);
    let mut rest = json;
    while let Some((&first, tail)) = rest.split_first() {
        let hit = TOKENS
            .iter()
            .enumerate()
            .find(|(_, token)| token[0] == first && rest.starts_with(token));
        match hit {
            Some((i, token)) => {
                out.push(i as u8 + 1);
                rest = &rest[token.len()..];
            }
            None => {
                out.push(first);
                rest = tail;
            }
        }
    }
}

/// The bytes [`pack`] was given.
pub fn unpack(packed: &[u8]) -> Vec<u8> {
    let Some((&mode, body)) = packed.split_first() else {
        return Vec::new();
    };
    if mode == RAW {
        return body.to_vec();
    }
    let token = |b: u8| TOKENS[usize::from(b) - 1];
    let len = body
        .iter()
        .map(|&b| if is_token(b) { token(b).len() } else { 1 })
        .sum();
    let mut out = Vec::with_capacity(len);
    let mut rest = body;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| is_token(b)).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..run]);
        if let Some(&b) = rest.get(run) {
            out.extend_from_slice(token(b));
            rest = &rest[run + 1..];
        } else {
            rest = &[];
        }
    }
    out
}

fn is_token(b: u8) -> bool {
    (1..=TOKENS.len()).contains(&usize::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackfront_types::TrackingView;

    #[test]
    fn no_token_contains_a_control_byte_or_is_empty() {
        for token in TOKENS {
            assert!(!token.is_empty());
            assert!(token.iter().all(|&b| b >= 0x20), "{token:?}");
        }
    }

    /// Views as the proxy caches them: compact `serde_json` of a [`TrackingView`].
    fn views() -> Vec<Vec<u8>> {
        let pending = serde_json::json!({
            "tracking_number": "ECMSBULK00000005", "slug": "ecms",
            "courier_name": "ECMS International Logistics Co., Ltd.", "tag": "Pending",
            "subtag": "Pending_001", "subtag_message": "Pending",
            "origin_country": "CHN", "destination_country": "GBR",
            "estimated_delivery": {"source": "aftership", "date": "2026-12-06",
                "min": "2026-12-05", "max": "2026-12-07", "previous": "2026-12-05"},
            "updated_at": "2026-11-29T20:15:38+00:00"
        });
        let checkpoint = |time: &str, city: Option<&str>| {
            serde_json::json!({
                "time": time, "message": "Départ de l'installation \"Nord\"\n\u{1F4E6}",
                "tag": "InTransit", "subtag": "InTransit_007", "subtag_message": "Departure Scan",
                "city": city, "state": "Saxony", "country": "DEU", "country_name": "Germany"
            })
        };
        let mut transit = pending.clone();
        transit["tag"] = "InTransit".into();
        transit["progress"] = "in_transit".into();
        transit["checkpoints"] = (0..8)
            .map(|i| {
                checkpoint(
                    &format!("2026-11-2{i}T19:35:13+01:00"),
                    (i % 2 == 0).then_some("Leipzig"),
                )
            })
            .collect();
        [pending, transit]
            .into_iter()
            .map(|v| {
                let view: TrackingView = serde_json::from_value(v).unwrap();
                serde_json::to_vec(&view).unwrap()
            })
            .collect()
    }

    #[test]
    fn views_round_trip_and_shrink_by_a_third() {
        for json in views() {
            let packed = pack(&json);
            assert_eq!(unpack(&packed), json);
            assert!(
                packed.len() * 3 < json.len() * 2,
                "{} packs to {} bytes",
                json.len(),
                packed.len()
            );
        }
    }

    #[test]
    fn bytes_that_are_not_compact_json_are_kept_verbatim() {
        for input in [
            &b""[..],
            b"{}",
            b"{\n  \"tag\": null\n}",
            b"\x01\x02\x1f",
            b"\x00",
            "\"tag\":\u{e9}null\"".as_bytes(),
            b"\"tag\"\"tag\":\"tag\"::",
        ] {
            assert_eq!(unpack(&pack(input)), input, "{input:?}");
        }
        assert_eq!(unpack(&[]), b"");
    }
}
