//! The widget's only network calls: the proxy's tracking endpoint and the language files.
//! `fetch` is used directly and JSON is decoded by the browser (`Response.json()`) and
//! mapped onto the shared types by [`crate::decode`], so no JSON parser is compiled into the wasm.

use crate::decode;
use js_sys::encode_uri_component;
use trackfront_types::{CourierSlug, ErrorBody, ErrorCode, Lang, TrackingNumber, TrackingView};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

/// Why a lookup produced no tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 404: the tracking is not (yet) known.
    NotFound,
    /// 400: the proxy rejected the number or courier.
    Invalid,
    /// 429: too many lookups; retry after this many seconds.
    RateLimited(u64),
    /// 503/500/network: the service cannot answer right now.
    Unavailable,
}

/// Seconds to suggest when a 429 carries no usable `Retry-After`.
const DEFAULT_RETRY_SECS: u64 = 30;

/// `{proxy}/api/v1/trackings/{slug}/{number}?lang={lang}`, with each path part
/// percent-encoded (tracking numbers may contain `/`).
pub fn tracking_url(
    proxy: &str,
    slug: &CourierSlug,
    number: &TrackingNumber,
    lang: &Lang,
) -> String {
    let enc = |s: &str| String::from(encode_uri_component(s));
    [
        proxy.trim_end_matches('/'),
        "/api/v1/trackings/",
        &enc(slug.as_str()),
        "/",
        &enc(number.as_str()),
        "?lang=",
        &enc(lang.as_str()),
    ]
    .concat()
}

async fn fetch(url: &str, signal: Option<&AbortSignal>) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_signal(signal);
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await?;
    Ok(resp.unchecked_into())
}

async fn json(resp: &Response) -> Result<JsValue, JsValue> {
    JsFuture::from(resp.json()?).await
}

/// Fetches a parsed JSON document; `None` on any failure.
pub async fn get_json(url: &str) -> Option<JsValue> {
    let resp = fetch(url, None).await.ok()?;
    if !resp.ok() {
        return None;
    }
    json(&resp).await.ok()
}

/// Looks a tracking up through the proxy. `Err(None)` means the request was aborted.
pub async fn get_tracking(
    url: &str,
    signal: &AbortSignal,
) -> Result<TrackingView, Option<Failure>> {
    let resp = match fetch(url, Some(signal)).await {
        Ok(r) => r,
        Err(_) if signal.aborted() => return Err(None),
        Err(_) => return Err(Some(Failure::Unavailable)),
    };
    let status = resp.status();
    let body = json(&resp).await.ok();
    if signal.aborted() {
        return Err(None);
    }
    if resp.ok() {
        return body
            .and_then(|b| decode::tracking_view(&b))
            .ok_or(Some(Failure::Unavailable));
    }
    let error = body.and_then(|b| decode::error_body(&b));
    let header_secs = resp
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|h| h.trim().parse().ok());
    Err(Some(classify(status, error.as_ref(), header_secs)))
}

/// Maps an HTTP error status and body onto the states the widget shows.
pub fn classify(status: u16, body: Option<&ErrorBody>, retry_header: Option<u64>) -> Failure {
    let code = body.map(|b| b.code);
    match (status, code) {
        (404, _) | (_, Some(ErrorCode::NotFound)) => Failure::NotFound,
        (429, _) | (_, Some(ErrorCode::RateLimited)) => Failure::RateLimited(
            body.and_then(|b| b.retry_after)
                .or(retry_header)
                .unwrap_or(DEFAULT_RETRY_SECS),
        ),
        (400, _) => Failure::Invalid,
        _ => Failure::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_distinct_states() {
        let body = |code, retry_after| ErrorBody {
            code,
            message: String::new(),
            retry_after,
        };
        assert_eq!(classify(404, None, None), Failure::NotFound);
        assert_eq!(
            classify(
                400,
                Some(&body(ErrorCode::InvalidTrackingNumber, None)),
                None
            ),
            Failure::Invalid
        );
        assert_eq!(
            classify(429, Some(&body(ErrorCode::RateLimited, Some(7))), Some(9)),
            Failure::RateLimited(7)
        );
        assert_eq!(classify(429, None, Some(9)), Failure::RateLimited(9));
        assert_eq!(classify(429, None, None), Failure::RateLimited(30));
        assert_eq!(classify(503, None, Some(5)), Failure::Unavailable);
        assert_eq!(classify(500, None, None), Failure::Unavailable);
    }
}
