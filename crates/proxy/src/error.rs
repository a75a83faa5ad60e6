//! The one error type of the HTTP layer. Every variant maps to a status and an
//! [`ErrorBody`] with a stable code and a fixed human message; causes are logged where the
//! error is made, never put on the wire.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use trackfront_types::{ErrorBody, ErrorCode};

/// What went wrong, as far as a browser may know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 400 with a specific code (`invalid_slug`, `invalid_tracking_number`, `invalid_lang`,
    /// `invalid_request`) and a message from the parser.
    BadRequest {
        /// Which input was wrong.
        code: ErrorCode,
        /// Why, for people.
        message: &'static str,
    },
    /// 404: no such tracking, or no such route.
    NotFound,
    /// 405: the route exists but not for this method.
    MethodNotAllowed,
    /// 403: the origin is not allowed.
    Forbidden,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 429: this client is over its limit.
    RateLimited {
        /// When to try again.
        retry_after: Duration,
    },
    /// 503: the upstream is down, rate limiting us, or the breaker is open.
    UpstreamUnavailable {
        /// When to try again.
        retry_after: Duration,
    },
    /// 500: a bug or an unexpected upstream answer; the log has the details.
    Internal,
}

impl ApiError {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::UpstreamUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The wire body.
    pub fn body(&self) -> ErrorBody {
        let (code, message) = match self {
            Self::BadRequest { code, message } => (*code, *message),
            Self::NotFound => (
                ErrorCode::NotFound,
                "No tracking or resource was found here.",
            ),
            Self::MethodNotAllowed => (
                ErrorCode::MethodNotAllowed,
                "This method is not allowed on this resource.",
            ),
            Self::Forbidden => (ErrorCode::Forbidden, "This origin is not allowed."),
            Self::PayloadTooLarge => (ErrorCode::PayloadTooLarge, "The request body is too large."),
            Self::RateLimited { .. } => (
                ErrorCode::RateLimited,
                "Too many requests; please wait a moment and try again.",
            ),
            Self::UpstreamUnavailable { .. } => (
                ErrorCode::UpstreamUnavailable,
                "Tracking information is temporarily unavailable; please try again shortly.",
            ),
            Self::Internal => (
                ErrorCode::Internal,
                "Something went wrong on our side; please try again later.",
            ),
        };
        ErrorBody {
            code,
            message: message.to_owned(),
            retry_after: self.retry_after().map(retry_secs),
        }
    }

    /// The `Retry-After` to send, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::UpstreamUnavailable { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }
}

/// Whole seconds for `Retry-After`, rounded up, at least 1.
pub fn retry_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0).max(u64::from(d.is_zero()))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(after) = self.retry_after() {
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry_secs(after)));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_secs(Duration::ZERO), 1);
        assert_eq!(retry_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_secs(Duration::from_secs(3)), 3);
    }

    #[test]
    fn bodies_carry_stable_codes() {
        let e = ApiError::UpstreamUnavailable {
            retry_after: Duration::from_secs(5),
        };
        let body = e.body();
        assert_eq!(body.code, ErrorCode::UpstreamUnavailable);
        assert_eq!(body.retry_after, Some(5));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
