//! Parsing of everything a browser sends us, from the raw (still percent-encoded) request
//! target, into the `trackfront-types` newtypes. Pure functions, so the fuzz target in
//! `fuzz/` exercises exactly the code the handlers run.
//!
//! Rejected before any upstream call: absolute-form targets (`GET http://other/ HTTP/1.1`),
//! targets over [`MAX_TARGET_LEN`], encoded slashes and backslashes (`%2F`, `%5C`), dot
//! segments (raw or encoded), control characters, non-UTF-8, and any malformed slug, number
//! or `lang`.

use crate::error::ApiError;
use percent_encoding::percent_decode_str;
use std::borrow::Cow;
use trackfront_types::{CourierSlug, ErrorCode, Lang, ParseError, TrackingNumber};

/// Longest request target (path and query) accepted.
pub const MAX_TARGET_LEN: usize = 1024;
/// Longest query string accepted on the API.
pub const MAX_QUERY_LEN: usize = 256;

/// The API prefix of tracking lookups.
pub const TRACKINGS_PREFIX: &str = "/api/v1/trackings/";

/// A validated tracking lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LookupRequest {
    /// The courier.
    pub slug: CourierSlug,
    /// The tracking number, normalised.
    pub number: TrackingNumber,
    /// The checkpoint language, when asked for.
    pub lang: Option<Lang>,
}

/// Which lookup endpoint a target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    /// `/api/v1/trackings/{slug}/{number}`.
    Tracking,
    /// `/api/v1/trackings/{slug}/{number}/last-checkpoint`.
    LastCheckpoint,
}

fn invalid(message: &'static str) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::InvalidRequest,
        message,
    }
}

fn from_parse(e: ParseError) -> ApiError {
    let code = match e {
        ParseError::Slug => ErrorCode::InvalidSlug,
        ParseError::Lang => ErrorCode::InvalidLang,
        ParseError::TrackingNumberMissing
        | ParseError::TrackingNumberLength
        | ParseError::TrackingNumberChars => ErrorCode::InvalidTrackingNumber,
        ParseError::Country | ParseError::Date => ErrorCode::InvalidRequest,
    };
    ApiError::BadRequest {
        code,
        message: e.message(),
    }
}

/// Checks a whole request target (path and query, as sent) before routing: it must be
/// origin-form, short, free of encoded separators, dot segments and control characters.
///
/// Every request pays for this, so it is one pass over the bytes with no allocation.
///
/// # Errors
/// [`ApiError::BadRequest`] with `invalid_request`.
pub fn check_target(path: &str, query: Option<&str>) -> Result<(), ApiError> {
    let len = path.len() + query.map_or(0, |q| q.len() + 1);
    if len > MAX_TARGET_LEN {
        return Err(invalid("The request is too long."));
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(invalid("Only relative request paths are accepted."));
    }
    // The usual target has no byte any rule below is about.
    let plain = |b: u8| !(matches!(b, b'%' | b'\\' | b'.') || b.is_ascii_control());
    if path.bytes().all(plain) {
        return Ok(());
    }
    let scan = Scan::of(path.as_bytes());
    if scan.slash {
        return Err(invalid("Encoded slashes are not accepted in paths."));
    }
    if scan.control {
        return Err(invalid("Control characters are not accepted."));
    }
    if scan.dot_segment {
        return Err(invalid("Dot segments are not accepted in paths."));
    }
    Ok(())
}

/// What one pass over a path found.
#[derive(Default)]
struct Scan {
    /// `\\`, `%2F` or `%5C`, in any letter case.
    slash: bool,
    /// An ASCII control byte or `%00`.
    control: bool,
    /// A segment that decodes to `.` or `..` (each dot raw or as `%2E`).
    dot_segment: bool,
}

impl Scan {
    fn of(path: &[u8]) -> Self {
        let mut scan = Self::default();
        // Dots in the current segment while it holds only one or two dots, or `None` once
        // it holds anything else (a third dot included), so the count cannot overflow.
        let mut dots: Option<u8> = Some(0);
        let mut i = 0;
        while i < path.len() {
            let b = path[i];
            let mut step = 1;
            let mut is_dot = b == b'.';
            match b {
                b'/' => {
                    scan.dot_segment |= matches!(dots, Some(1 | 2));
                    dots = Some(0);
                    i += 1;
                    continue;
                }
                b'\\' => scan.slash = true,
                b'%' => {
                    let hex = path.get(i + 1..i + 3).unwrap_or_default();
                    let is = |h: &[u8; 2]| hex.eq_ignore_ascii_case(h);
                    if is(b"2f") || is(b"5c") {
                        scan.slash = true;
                    } else if is(b"00") {
                        scan.control = true;
                    } else if is(b"2e") {
                        is_dot = true;
                        step = 3;
                    }
                }
                _ if b.is_ascii_control() => scan.control = true,
                _ => {}
            }
            dots = match dots {
                Some(n) if is_dot && n < 2 => Some(n + 1),
                _ => None,
            };
            i += step;
        }
        scan.dot_segment |= matches!(dots, Some(1 | 2));
        scan
    }
}

/// Percent-decodes one path segment of a target that passed [`check_target`] (so it hides
/// no separator), refusing anything that is not printable UTF-8, such as an encoded CR or
/// a C1 control. A segment without escapes (the usual case) is borrowed, not copied.
fn decode_segment(raw: &str) -> Result<Cow<'_, str>, ApiError> {
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| invalid("The path is not valid UTF-8."))?;
    if decoded.chars().any(char::is_control) {
        return Err(invalid("Control characters are not accepted."));
    }
    Ok(decoded)
}

/// Parses the query of a lookup: only `lang` is meaningful (once at most); other
/// parameters (cache busters) are ignored.
///
/// # Errors
/// `invalid_request` for an oversized or repeated query, `invalid_lang` for a bad language.
pub fn parse_lang(query: Option<&str>) -> Result<Option<Lang>, ApiError> {
    let Some(q) = query else { return Ok(None) };
    if q.len() > MAX_QUERY_LEN {
        return Err(invalid("The query string is too long."));
    }
    let mut lang = None;
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        if k == "lang" {
            if lang.is_some() {
                return Err(invalid("Give `lang` at most once."));
            }
            lang = Some(Lang::parse(&v).map_err(from_parse)?);
        }
    }
    Ok(lang)
}

/// Parses `/api/v1/trackings/{slug}/{number}[/last-checkpoint]` and its query.
///
/// # Errors
/// [`ApiError::NotFound`] when the path has another shape; [`ApiError::BadRequest`] with the
/// code of the first bad input otherwise.
pub fn parse_lookup(
    path: &str,
    query: Option<&str>,
) -> Result<(LookupKind, LookupRequest), ApiError> {
    check_target(path, query)?;
    let rest = path
        .strip_prefix(TRACKINGS_PREFIX)
        .ok_or(ApiError::NotFound)?;
    let mut parts = rest.split('/');
    let (Some(raw_slug), Some(raw_number)) = (parts.next(), parts.next()) else {
        return Err(ApiError::NotFound);
    };
    let kind = match (parts.next(), parts.next()) {
        (None, _) => LookupKind::Tracking,
        (Some("last-checkpoint"), None) => LookupKind::LastCheckpoint,
        _ => return Err(ApiError::NotFound),
    };
    let slug = CourierSlug::parse(&decode_segment(raw_slug)?).map_err(from_parse)?;
    // Slugs are trimmed by the parser; a padded slug is still not what the caller meant.
    if slug.as_str().len() != raw_slug.len() {
        return Err(from_parse(ParseError::Slug));
    }
    let number = TrackingNumber::parse(&decode_segment(raw_number)?).map_err(from_parse)?;
    let lang = parse_lang(query)?;
    Ok((kind, LookupRequest { slug, number, lang }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `s` holds `%` followed by one of `hex` (lower-case), in any letter case.
    fn has_escape(s: &str, hex: &[&[u8; 2]]) -> bool {
        s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && hex.iter().any(|h| w[1..].eq_ignore_ascii_case(&h[..])))
    }

    /// The first, straightforward `check_target` (one pass per rule, a decoded copy of
    /// every segment): the oracle for the one-pass version.
    fn check_target_oracle(path: &str, query: Option<&str>) -> Result<(), ApiError> {
        let len = path.len() + query.map_or(0, |q| q.len() + 1);
        if len > MAX_TARGET_LEN {
            return Err(invalid("The request is too long."));
        }
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(invalid("Only relative request paths are accepted."));
        }
        if has_escape(path, &[b"2f", b"5c"]) || path.contains('\\') {
            return Err(invalid("Encoded slashes are not accepted in paths."));
        }
        if has_escape(path, &[b"00"]) || path.bytes().any(|b| b.is_ascii_control()) {
            return Err(invalid("Control characters are not accepted."));
        }
        for segment in path.split('/') {
            let decoded = percent_decode_str(segment).decode_utf8_lossy();
            if decoded == "." || decoded == ".." {
                return Err(invalid("Dot segments are not accepted in paths."));
            }
        }
        Ok(())
    }

    #[test]
    fn check_target_agrees_with_the_oracle_on_every_short_path() {
        // Every path of up to 5 characters after the leading `/`, over the characters the
        // rules care about.
        const ALPHABET: &[char] = &[
            '/', '.', '%', '2', 'e', 'F', 'f', '5', 'c', '0', '\\', '\u{1}', 'é',
        ];
        let mut paths = vec![String::from("/")];
        let mut frontier = paths.clone();
        for _ in 0..5 {
            frontier = frontier
                .iter()
                .flat_map(|p| ALPHABET.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(frontier.iter().cloned());
        }
        assert!(paths.len() > 300_000);
        for path in &paths {
            assert_eq!(
                check_target(path, None),
                check_target_oracle(path, None),
                "{path:?}"
            );
        }
    }

    /// The fuzzer found that a segment of 256 dots overflowed the one-byte dot counter: a
    /// panic in debug builds, and in release a wrap that refused 257 dots as `.`.
    #[test]
    fn a_segment_of_more_than_255_dots_does_not_overflow_the_dot_counter() {
        for n in [3, 255, 256, 257, 258, 300] {
            for dot in [".", "%2E", "%2e"] {
                let path = format!("/api/{}/x", dot.repeat(n));
                assert_eq!(check_target(&path, None), Ok(()), "{n} × {dot}");
                assert_eq!(check_target_oracle(&path, None), Ok(()), "{n} × {dot}");
            }
        }
    }

    fn code(path: &str, query: Option<&str>) -> Option<ErrorCode> {
        match parse_lookup(path, query) {
            Ok(_) => None,
            Err(e) => Some(e.body().code),
        }
    }

    #[test]
    fn good_lookups_parse_and_normalise() {
        let (kind, r) =
            parse_lookup("/api/v1/trackings/ecms/ecms0002transit", Some("lang=DE")).unwrap();
        assert_eq!(kind, LookupKind::Tracking);
        assert_eq!(r.number.as_str(), "ECMS0002TRANSIT");
        assert_eq!(r.lang.unwrap().as_str(), "de");
        let (kind, r) =
            parse_lookup("/api/v1/trackings/ecms/EC%201234/last-checkpoint", None).unwrap();
        assert_eq!(kind, LookupKind::LastCheckpoint);
        assert_eq!(r.number.as_str(), "EC1234");
        assert!(r.lang.is_none());
    }

    #[test]
    fn each_bad_input_has_its_code() {
        use ErrorCode::*;
        let p = "/api/v1/trackings";
        let long_query = "a=b&".repeat(100);
        let table: &[(&str, Option<&str>, ErrorCode)] = &[
            (&format!("{p}/ECMS/ECMS0001INFO"), None, InvalidSlug),
            (&format!("{p}/ec%20ms/ECMS0001INFO"), None, InvalidSlug),
            (&format!("{p}/%20ecms/ECMS0001INFO"), None, InvalidSlug),
            (&format!("{p}/ecms/AB1"), None, InvalidTrackingNumber),
            (&format!("{p}/ecms/AB%231234"), None, InvalidTrackingNumber),
            (
                &format!("{p}/ecms/{}", "A".repeat(101)),
                None,
                InvalidTrackingNumber,
            ),
            (
                &format!("{p}/ecms/%C3%84B1234"),
                None,
                InvalidTrackingNumber,
            ),
            (
                &format!("{p}/ecms/ECMS0001INFO"),
                Some("lang=xx"),
                InvalidLang,
            ),
            (
                &format!("{p}/ecms/ECMS0001INFO"),
                Some("lang=en&lang=de"),
                InvalidRequest,
            ),
            (
                &format!("{p}/ecms/ECMS0001INFO"),
                Some(long_query.as_str()),
                InvalidRequest,
            ),
            (&format!("{p}/ecms/AB%2F1234"), None, InvalidRequest),
            // Either letter case: decoded, these would reach the number parser instead.
            (&format!("{p}/ecms/AB%2f1234"), None, InvalidRequest),
            (&format!("{p}/ecms/AB%5c1234"), None, InvalidRequest),
            (&format!("{p}/ecms/AB%5C1234"), None, InvalidRequest),
            (&format!("{p}/ecms/%2e%2e"), None, InvalidRequest),
            (&format!("{p}/ecms/AB%0d%0a1234"), None, InvalidRequest),
            (&format!("{p}/ecms/AB%FF1234"), None, InvalidRequest),
            (
                &format!("{p}/ecms/{}", "A".repeat(2000)),
                None,
                InvalidRequest,
            ),
        ];
        for (path, query, want) in table {
            assert_eq!(code(path, *query), Some(*want), "{path} {query:?}");
        }
    }

    #[test]
    fn other_shapes_are_not_found() {
        for path in [
            "/api/v1/trackings/ecms",
            "/api/v1/trackings/ecms/ECMS0001INFO/other",
            "/api/v1/trackings/ecms/ECMS0001INFO/last-checkpoint/x",
            "/api/v2/trackings/ecms/ECMS0001INFO",
        ] {
            assert_eq!(parse_lookup(path, None), Err(ApiError::NotFound), "{path}");
        }
    }

    #[test]
    fn open_proxy_targets_are_rejected_before_routing() {
        for path in [
            "http://evil.example/api/v1/trackings/ecms/X1234",
            "//evil.example/x",
            "/api/v1/../../admin",
            "/api/v1/%2e%2E/admin",
            "/static%2F..%2Fsecret",
            "/a\\b",
        ] {
            assert!(check_target(path, None).is_err(), "{path}");
        }
        assert!(check_target("/trackfront-0123456789abcdef_bg.wasm", None).is_ok());
    }
}
