//! The error body every trackfront API returns: a stable machine code plus a human
//! message. It never carries upstream bodies, stack traces or configuration.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the courier slug is malformed.
    InvalidSlug,
    /// 400: the tracking number is malformed.
    InvalidTrackingNumber,
    /// 400: the `lang` parameter is not supported.
    InvalidLang,
    /// 400: any other malformed request (query, body, country, date).
    InvalidRequest,
    /// 404: no such tracking (or route).
    NotFound,
    /// 405: method not allowed on this route.
    MethodNotAllowed,
    /// 413: the request body is too large.
    PayloadTooLarge,
    /// 401: a webhook signature is missing or wrong.
    Unauthorized,
    /// 403: the origin is not allowed.
    Forbidden,
    /// 429: this client sent too many requests; see `retry_after`.
    RateLimited,
    /// 503: the upstream is unreachable, failing or rate limited; see `retry_after`.
    UpstreamUnavailable,
    /// 500: something went wrong inside the proxy; details are in its logs.
    Internal,
    /// A code this version of the widget does not know.
    #[serde(other)]
    Unknown,
}

/// `{"code": "...", "message": "...", "retry_after": 3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code for programs.
    pub code: ErrorCode,
    /// Explanation for people.
    pub message: String,
    /// Seconds after which a retry may succeed (rate limiting, unavailable upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}
