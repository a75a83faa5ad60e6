//! The `{meta, data}` envelope, AfterShip's error answers, JSON body parsing and the
//! headers every API answer carries.

use aftership::model::{Envelope, Meta};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// An AfterShip error answer: HTTP status plus `meta.code`, `meta.type`, `meta.message`
/// and `data: {}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub kind: &'static str,
    pub message: String,
    /// Extra headers (`Retry-After` on 429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: i64,
        kind: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// HTTP 400, `type: BadRequest`.
    pub fn bad_request(code: i64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "BadRequest", message)
    }

    /// 400: "The request was invalid or cannot be otherwise served." with detail.
    pub fn invalid(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            400,
            format!("The request was invalid or cannot be otherwise served. {detail}"),
        )
    }

    /// 4008: the value of a field is invalid.
    pub fn value_invalid(field: &str) -> Self {
        Self::bad_request(4008, format!("The value of {field} is invalid."))
    }

    /// 4009: a field is required.
    pub fn value_required(field: &str) -> Self {
        Self::bad_request(4009, format!("{field} is required."))
    }

    /// 4004 on HTTP 404 with `type: BadRequest`, as AfterShip does.
    pub fn tracking_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            4004,
            "BadRequest",
            "Tracking does not exist.",
        )
    }

    /// 401 for a missing or wrong key.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            401,
            "Unauthorized",
            "Invalid API key.",
        )
    }

    /// 404 for an unknown route.
    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            404,
            "NotFound",
            "The URI requested is invalid or the resource requested does not exist.",
        )
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                429,
                "TooManyRequests",
                "You have exceeded the API call rate limit. Please retry again at X-RateLimit-Reset.",
            )
        }
    }

    /// 5xx, `type: InternalError`.
    pub fn internal(status: StatusCode) -> Self {
        Self::new(
            status,
            i64::from(status.as_u16()),
            "InternalError",
            "Something went wrong on AfterShip's end.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            meta: Meta {
                code: self.code,
                message: Some(self.message),
                kind: Some(self.kind.to_owned()),
            },
            data: Map::<String, Value>::new(),
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        resp
    }
}

/// A success envelope: `meta.code` equals the HTTP status.
pub(crate) fn ok<T: Serialize>(status: StatusCode, data: T) -> Response {
    let body = Envelope {
        meta: Meta {
            code: i64::from(status.as_u16()),
            message: None,
            kind: None,
        },
        data,
    };
    (status, axum::Json(body)).into_response()
}

/// Parses a JSON request body; an empty body is `{}`. Malformed JSON is 4001, a body of
/// the wrong shape is 400.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &body[..]
    };
    let value: Value = serde_json::from_slice(text)
        .map_err(|_| ApiError::bad_request(4001, "Invalid JSON data."))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(4001, "Invalid JSON data."));
    }
    serde_json::from_value(value).map_err(ApiError::invalid)
}

/// Answer of unknown routes.
pub(crate) async fn not_found() -> Response {
    ApiError::route_not_found().into_response()
}

/// Constant-time comparison of the presented key with the configured one.
pub(crate) fn key_matches(presented: Option<&HeaderValue>, expected: &str) -> bool {
    let Some(p) = presented.map(HeaderValue::as_bytes) else {
        return false;
    };
    let e = expected.as_bytes();
    let mut diff = p.len() ^ e.len();
    for (i, b) in e.iter().enumerate() {
        diff |= usize::from(p.get(i).copied().unwrap_or(0) ^ b);
    }
    diff == 0 && !e.is_empty()
}

/// Sets the `X-RateLimit-*` headers.
pub(crate) fn set_rate_limit_headers(h: &mut HeaderMap, limit: u32, remaining: u32, reset: u64) {
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_comparison_needs_an_exact_match() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(key_matches(Some(&v("secret")), "secret"));
        assert!(!key_matches(Some(&v("secre")), "secret"));
        assert!(!key_matches(Some(&v("secretx")), "secret"));
        assert!(!key_matches(None, "secret"));
        assert!(!key_matches(Some(&v("")), ""));
    }

    #[test]
    fn empty_body_is_an_empty_object_and_garbage_is_4001() {
        let v: Map<String, Value> = parse_body(&Bytes::from_static(b"  ")).unwrap();
        assert!(v.is_empty());
        let e = parse_body::<Map<String, Value>>(&Bytes::from_static(b"{nope")).unwrap_err();
        assert_eq!(e.code, 4001);
        let e = parse_body::<Map<String, Value>>(&Bytes::from_static(b"[1]")).unwrap_err();
        assert_eq!(e.code, 4001);
    }
}
