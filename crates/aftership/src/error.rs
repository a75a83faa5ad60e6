use crate::client::RateLimit;
use std::time::Duration;

/// AfterShip `meta.code` values with a meaning of their own (see the reference §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaCode {
    /// 400 – invalid request.
    InvalidRequest,
    /// 4001 – invalid JSON.
    InvalidJson,
    /// 4003 – tracking already exists.
    TrackingAlreadyExists,
    /// 4004 – tracking does not exist (HTTP 404 with `type: BadRequest`).
    TrackingDoesNotExist,
    /// 4005 – the tracking number is invalid.
    TrackingNumberInvalid,
    /// 4007 – the tracking number is required.
    TrackingNumberRequired,
    /// 4008 – a field value is invalid.
    ValueInvalid,
    /// 4009 – a field is required.
    ValueRequired,
    /// 4010 – the slug is invalid.
    SlugInvalid,
    /// 4011 – courier-specific required fields are missing.
    MissingOrInvalidRequiredField,
    /// 4012 – the courier cannot be detected.
    BadCourier,
    /// 4013 – retrack of an active tracking.
    InactiveRetrackNotAllowed,
    /// 4015 – the id is invalid.
    IdInvalid,
    /// 4016 – the retrack limit was reached.
    RetrackLimitReached,
    /// 4017 – the tracking number format is invalid for the courier.
    TrackingNumberFormatInvalid,
    /// 401 – the API key is invalid.
    Unauthorized,
    /// 403 – forbidden.
    Forbidden,
    /// 404 – no such resource or route.
    NotFound,
    /// 429 – rate limited.
    TooManyRequests,
    /// 5xx – AfterShip failed.
    Internal,
    /// Any other code.
    Other(i64),
}

impl MetaCode {
    /// Maps a numeric `meta.code`.
    pub fn from_code(code: i64) -> Self {
        match code {
            400 => Self::InvalidRequest,
            4001 | 4002 => Self::InvalidJson,
            4003 => Self::TrackingAlreadyExists,
            4004 => Self::TrackingDoesNotExist,
            4005 => Self::TrackingNumberInvalid,
            4007 => Self::TrackingNumberRequired,
            4008 => Self::ValueInvalid,
            4009 => Self::ValueRequired,
            4010 => Self::SlugInvalid,
            4011 => Self::MissingOrInvalidRequiredField,
            4012 => Self::BadCourier,
            4013 => Self::InactiveRetrackNotAllowed,
            4015 => Self::IdInvalid,
            4016 => Self::RetrackLimitReached,
            4017 => Self::TrackingNumberFormatInvalid,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            429 => Self::TooManyRequests,
            500..=599 => Self::Internal,
            other => Self::Other(other),
        }
    }
}

/// Everything that can go wrong in a call. The messages never contain the API key.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// AfterShip answered with an error envelope.
    #[error("AfterShip error {status} (meta.code {meta_code}, {meta_type}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Typed `meta.code`.
        code: MetaCode,
        /// Raw `meta.code`.
        meta_code: i64,
        /// `meta.type`, e.g. `BadRequest`.
        meta_type: String,
        /// `meta.message`.
        message: String,
        /// The rate-limit headers of the answer.
        rate_limit: RateLimit,
        /// How long to wait before retrying, from `Retry-After` or `X-RateLimit-Reset`.
        retry_after: Option<Duration>,
    },
    /// No answer within the client timeout (after retries).
    #[error("AfterShip did not answer in time")]
    Timeout,
    /// The connection failed (after retries).
    #[error("could not reach AfterShip: {0}")]
    Transport(String),
    /// The answer was not the documented JSON (truncated, malformed, wrong shape).
    #[error("AfterShip sent an unreadable answer (HTTP {status}): {detail}")]
    Decode {
        /// HTTP status of the unreadable answer.
        status: u16,
        /// What failed to parse.
        detail: String,
    },
    /// The request could not be built (bad base URL, bad id).
    #[error("invalid request: {0}")]
    InvalidInput(String),
}

impl Error {
    /// True for 4004 (whatever its `type`) and 404.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::Api {
                code: MetaCode::TrackingDoesNotExist | MetaCode::NotFound,
                ..
            }
        )
    }

    /// True for 429.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::Api { status: 429, .. })
    }

    /// True when the failure is AfterShip's or the network's, not the request's: timeouts,
    /// transport errors, 5xx, unreadable bodies and 429.
    pub fn is_upstream_failure(&self) -> bool {
        match self {
            Error::Timeout | Error::Transport(_) | Error::Decode { .. } => true,
            Error::Api { status, .. } => *status >= 500 || *status == 429,
            Error::InvalidInput(_) => false,
        }
    }

    /// The typed meta code, for API errors.
    pub fn meta_code(&self) -> Option<MetaCode> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// How long AfterShip asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
