use crate::error::{Error, MetaCode};
use crate::key::ApiKey;
use crate::model::{
    CourierList, CreateTrackingRequest, DetectCourierRequest, EddBatch, EddPrediction, EddRequest,
    Envelope, GetTrackingQuery, LegacyLastCheckpoint, LegacyTracking, LegacyTrackingData,
    ListTrackingsQuery, MarkCompletedRequest, Meta, Tracking, TrackingList, UpdateTrackingRequest,
};
use rand::Rng;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The API version this client speaks.
pub const API_VERSION: &str = "2026-07";

/// Tunables. The defaults suit a proxy that serves people: short timeouts, few retries.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Whole-request timeout of one attempt.
    pub timeout: Duration,
    /// Connect timeout of one attempt.
    pub connect_timeout: Duration,
    /// Retries after the first attempt, on timeouts, connection errors and 5xx.
    pub max_retries: u32,
    /// First back-off delay; it doubles per retry, with ±50 % jitter.
    pub base_delay: Duration,
    /// A 429 whose reset is at most this far away is waited out and retried once;
    /// a longer one is returned at once as an error carrying `retry_after`.
    pub max_rate_limit_wait: Duration,
    /// Answers larger than this are rejected as unreadable.
    pub max_body_bytes: usize,
    /// `User-Agent` and `aftership-client` value.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_rate_limit_wait: Duration::from_secs(2),
            max_body_bytes: 4 * 1024 * 1024,
            user_agent: concat!("trackfront/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// The `X-RateLimit-*` headers of an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per second on this endpoint.
    pub limit: Option<u32>,
    /// Requests left in the current window.
    pub remaining: Option<u32>,
    /// Unix time (seconds) when the window resets.
    pub reset: Option<u64>,
}

impl RateLimit {
    fn from_headers(h: &HeaderMap) -> Self {
        fn num<N: std::str::FromStr>(h: &HeaderMap, name: &str) -> Option<N> {
            h.get(name)?.to_str().ok()?.trim().parse().ok()
        }
        Self {
            limit: num(h, "x-ratelimit-limit"),
            remaining: num(h, "x-ratelimit-remaining"),
            reset: num(h, "x-ratelimit-reset"),
        }
    }
}

/// A successful answer: the `data` plus the rate-limit headers.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// HTTP status (200 or 201).
    pub status: u16,
    /// The payload.
    pub data: T,
    /// Rate-limit headers.
    pub rate_limit: RateLimit,
}

impl<T> Response<T> {
    /// The same answer with its payload transformed (unwrapping `{tracking: …}` and the like).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            data: f(self.data),
            rate_limit: self.rate_limit,
        }
    }
}

/// An AfterShip Tracking API client. Cheap to clone (shares one connection pool).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    key: ApiKey,
    opts: ClientOptions,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Whether an operation may be repeated after a failure in flight.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Idempotent {
    Yes,
    No,
}

impl Client {
    /// Builds a client for `base_url` (such as `https://api.aftership.com` or a sandbox's
    /// `http://127.0.0.1:PORT`). Redirects are never followed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the URL is not an absolute http(s) URL.
    pub fn new(base_url: &str, key: ApiKey, opts: ClientOptions) -> Result<Self, Error> {
        let base = Url::parse(base_url.trim_end_matches('/'))
            .map_err(|e| Error::InvalidInput(format!("base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::InvalidInput("base URL must be http(s)".into()));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(opts.timeout)
            .connect_timeout(opts.connect_timeout)
            .user_agent(opts.user_agent.clone())
            .build()
            .map_err(|e| Error::InvalidInput(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            key,
            opts,
        })
    }

    /// `POST /trackings` (answers 201).
    pub async fn create_tracking(
        &self,
        req: &CreateTrackingRequest,
    ) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::POST,
            &["trackings"],
            None::<&()>,
            Some(req),
            Idempotent::No,
        )
        .await
    }

    /// `GET /trackings` with cursor pagination and filters.
    pub async fn list_trackings(
        &self,
        query: &ListTrackingsQuery,
    ) -> Result<Response<TrackingList>, Error> {
        self.call(
            Method::GET,
            &["trackings"],
            Some(query),
            None::<&()>,
            Idempotent::Yes,
        )
        .await
    }

    /// `GET /trackings/{id}` (`id` may also be the `legacy_id`).
    pub async fn get_tracking(
        &self,
        id: &str,
        query: &GetTrackingQuery,
    ) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::GET,
            &["trackings", id],
            Some(query),
            None::<&()>,
            Idempotent::Yes,
        )
        .await
    }

    /// `PUT /trackings/{id}`.
    pub async fn update_tracking(
        &self,
        id: &str,
        req: &UpdateTrackingRequest,
    ) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::PUT,
            &["trackings", id],
            None::<&()>,
            Some(req),
            Idempotent::Yes,
        )
        .await
    }

    /// `DELETE /trackings/{id}`.
    pub async fn delete_tracking(&self, id: &str) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::DELETE,
            &["trackings", id],
            None::<&()>,
            None::<&()>,
            Idempotent::Yes,
        )
        .await
    }

    /// `POST /trackings/{id}/retrack` (sent with no body).
    pub async fn retrack(&self, id: &str) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::POST,
            &["trackings", id, "retrack"],
            None::<&()>,
            None::<&()>,
            Idempotent::No,
        )
        .await
    }

    /// `POST /trackings/{id}/mark-as-completed`.
    pub async fn mark_completed(
        &self,
        id: &str,
        req: &MarkCompletedRequest,
    ) -> Result<Response<Tracking>, Error> {
        self.call(
            Method::POST,
            &["trackings", id, "mark-as-completed"],
            None::<&()>,
            Some(req),
            Idempotent::No,
        )
        .await
    }

    /// `GET /couriers`.
    pub async fn get_couriers(
        &self,
        active: Option<bool>,
        slug: Option<&str>,
    ) -> Result<Response<CourierList>, Error> {
        #[derive(Serialize)]
        struct Q<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            active: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            slug: Option<&'a str>,
        }
        let q = Q { active, slug };
        self.call(
            Method::GET,
            &["couriers"],
            Some(&q),
            None::<&()>,
            Idempotent::Yes,
        )
        .await
    }

    /// `POST /couriers/detect`.
    pub async fn detect_courier(
        &self,
        req: &DetectCourierRequest,
    ) -> Result<Response<CourierList>, Error> {
        self.call(
            Method::POST,
            &["couriers", "detect"],
            None::<&()>,
            Some(req),
            Idempotent::Yes,
        )
        .await
    }

    /// `POST /estimated-delivery-date/predict`.
    pub async fn predict(&self, req: &EddRequest) -> Result<Response<EddPrediction>, Error> {
        self.call(
            Method::POST,
            &["estimated-delivery-date", "predict"],
            None::<&()>,
            Some(req),
            Idempotent::Yes,
        )
        .await
    }

    /// `POST /estimated-delivery-date/predict-batch` (1 to 5 items; AfterShip rejects more).
    pub async fn predict_batch(
        &self,
        items: &[EddRequest],
    ) -> Result<Response<Vec<EddPrediction>>, Error> {
        let body = EddBatch {
            estimated_delivery_dates: items.to_vec(),
        };
        let r: Response<EddBatch<EddPrediction>> = self
            .call(
                Method::POST,
                &["estimated-delivery-date", "predict-batch"],
                None::<&()>,
                Some(&body),
                Idempotent::Yes,
            )
            .await?;
        Ok(r.map(|d| d.estimated_delivery_dates))
    }

    /// Looks a tracking up by courier and number through the list endpoint (2026-07 has no
    /// get-by-number). `Ok(None)` when there is none.
    pub async fn find_tracking(
        &self,
        slug: &str,
        tracking_number: &str,
        lang: Option<&str>,
    ) -> Result<Option<Tracking>, Error> {
        let list = self
            .list_trackings(&ListTrackingsQuery {
                tracking_numbers: Some(tracking_number.to_owned()),
                slug: Some(slug.to_owned()),
                limit: Some(1),
                ..Default::default()
            })
            .await?;
        let Some(found) = list.data.trackings.into_iter().find(|t| {
            t.slug.as_deref() == Some(slug) && t.tracking_number.as_deref() == Some(tracking_number)
        }) else {
            return Ok(None);
        };
        match (lang, found.id.as_deref()) {
            (Some(lang), Some(id)) => {
                let q = GetTrackingQuery {
                    lang: Some(lang.to_owned()),
                    fields: None,
                };
                Ok(Some(self.get_tracking(id, &q).await?.data))
            }
            _ => Ok(Some(found)),
        }
    }

    /// Legacy `GET /v4/trackings/{slug}/{tracking_number}` (`{tracking: …}` wrapper, v4
    /// field names).
    pub async fn legacy_tracking(
        &self,
        slug: &str,
        tracking_number: &str,
        lang: Option<&str>,
    ) -> Result<Response<LegacyTracking>, Error> {
        let r: Response<LegacyTrackingData> = self
            .legacy_get(&["trackings", slug, tracking_number], lang)
            .await?;
        Ok(r.map(|d| d.tracking))
    }

    /// Legacy `GET /v4/trackings/{id}` (the 24-character legacy id).
    pub async fn legacy_tracking_by_id(
        &self,
        id: &str,
        lang: Option<&str>,
    ) -> Result<Response<LegacyTracking>, Error> {
        let r: Response<LegacyTrackingData> = self.legacy_get(&["trackings", id], lang).await?;
        Ok(Response {
            status: r.status,
            data: r.data.tracking,
            rate_limit: r.rate_limit,
        })
    }

    /// Legacy `GET /v4/last_checkpoint/{slug}/{tracking_number}` (`{checkpoint: …}` wrapper).
    pub async fn legacy_last_checkpoint(
        &self,
        slug: &str,
        tracking_number: &str,
        lang: Option<&str>,
    ) -> Result<Response<LegacyLastCheckpoint>, Error> {
        self.legacy_get(&["last_checkpoint", slug, tracking_number], lang)
            .await
    }

    /// Legacy `GET /v4/last_checkpoint/{id}`.
    pub async fn legacy_last_checkpoint_by_id(
        &self,
        id: &str,
        lang: Option<&str>,
    ) -> Result<Response<LegacyLastCheckpoint>, Error> {
        self.legacy_get(&["last_checkpoint", id], lang).await
    }

    fn url(&self, segments: &[&str]) -> Result<Url, Error> {
        self.url_under(&["tracking", API_VERSION], segments)
    }

    /// `segments` (each percent-encoded) under the fixed `prefix` of the base URL.
    fn url_under(&self, prefix: &[&str], segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::InvalidInput("base URL cannot take a path".into()))?;
            path.pop_if_empty().extend(prefix);
            for s in segments {
                if s.is_empty() || *s == "." || *s == ".." {
                    return Err(Error::InvalidInput("empty or relative path segment".into()));
                }
                // `push` percent-encodes `/`, `?` and `#`, so a segment can never escape.
                path.push(s);
            }
        }
        Ok(url)
    }

    async fn call<Q, B, T>(
        &self,
        method: Method,
        segments: &[&str],
        query: Option<&Q>,
        body: Option<&B>,
        idempotent: Idempotent,
    ) -> Result<Response<T>, Error>
    where
        Q: Serialize + ?Sized,
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let url = self.url(segments)?;
        self.call_url(method, url, query, body, idempotent).await
    }

    /// A read of the legacy `/v4` API (idempotent GET, no body).
    async fn legacy_get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        lang: Option<&str>,
    ) -> Result<Response<T>, Error> {
        let url = self.url_under(&["v4"], segments)?;
        let query = GetTrackingQuery {
            fields: None,
            lang: lang.map(str::to_owned),
        };
        self.call_url(Method::GET, url, Some(&query), None::<&()>, Idempotent::Yes)
            .await
    }

    async fn call_url<Q, B, T>(
        &self,
        method: Method,
        url: Url,
        query: Option<&Q>,
        body: Option<&B>,
        idempotent: Idempotent,
    ) -> Result<Response<T>, Error>
    where
        Q: Serialize + ?Sized,
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::InvalidInput(format!("body: {e}")))?;
        let mut attempt = 0u32;
        let mut waited_for_rate_limit = false;
        loop {
            let result = self.attempt(&method, &url, query, body.as_deref()).await;
            let retry_in = match &result {
                Err(Error::Api {
                    status: 429,
                    retry_after,
                    ..
                }) if !waited_for_rate_limit => {
                    waited_for_rate_limit = true;
                    retry_after.filter(|d| *d <= self.opts.max_rate_limit_wait)
                }
                Err(e @ (Error::Timeout | Error::Transport(_))) | Err(e @ Error::Api { .. })
                    if attempt < self.opts.max_retries
                        && (idempotent == Idempotent::Yes || matches!(e, Error::Transport(_)))
                        && e.is_upstream_failure()
                        && !e.is_rate_limited() =>
                {
                    attempt += 1;
                    Some(self.backoff(attempt))
                }
                _ => None,
            };
            match retry_in {
                Some(delay) => {
                    tracing::debug!(
                        ?delay,
                        attempt,
                        path = url.path(),
                        "retrying AfterShip call"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => return result,
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .opts
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(10));
        let jitter = rand::rng().random_range(0.5..1.5);
        base.mul_f64(jitter)
    }

    async fn attempt<Q, T>(
        &self,
        method: &Method,
        url: &Url,
        query: Option<&Q>,
        body: Option<&[u8]>,
    ) -> Result<Response<T>, Error>
    where
        Q: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let mut key = HeaderValue::from_str(self.key.expose()).map_err(|_| {
            Error::InvalidInput("the API key holds characters a header cannot".into())
        })?;
        key.set_sensitive(true);
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            .header("as-api-key", key)
            .header("aftership-client", &self.opts.user_agent);
        if let Some(q) = query {
            req = req.query(q);
        }
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let mut resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                Error::Timeout
            } else {
                // Without the URL: it holds nothing secret, but keep errors short.
                Error::Transport(e.without_url().to_string())
            }
        })?;
        let status = resp.status();
        let rate_limit = RateLimit::from_headers(resp.headers());
        let retry_after = retry_after(resp.headers(), &rate_limit);
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > self.opts.max_body_bytes {
                        return Err(Error::Decode {
                            status: status.as_u16(),
                            detail: "answer larger than the configured limit".into(),
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(Error::Timeout),
                Err(e) => {
                    return Err(Error::Decode {
                        status: status.as_u16(),
                        detail: format!("body cut off: {}", e.without_url()),
                    });
                }
            }
        }
        if status.is_success() {
            let env: Envelope<T> = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                status: status.as_u16(),
                detail: e.to_string(),
            })?;
            return Ok(Response {
                status: status.as_u16(),
                data: env.data,
                rate_limit,
            });
        }
        Err(api_error(status, &bytes, rate_limit, retry_after))
    }
}

fn api_error(
    status: StatusCode,
    bytes: &[u8],
    rate_limit: RateLimit,
    retry_after: Option<Duration>,
) -> Error {
    #[derive(serde::Deserialize)]
    struct ErrEnvelope {
        meta: Meta,
    }
    match serde_json::from_slice::<ErrEnvelope>(bytes) {
        Ok(ErrEnvelope { meta }) => Error::Api {
            status: status.as_u16(),
            code: MetaCode::from_code(meta.code),
            meta_code: meta.code,
            meta_type: meta.kind.unwrap_or_default(),
            message: meta.message.unwrap_or_default(),
            rate_limit,
            retry_after,
        },
        // A non-JSON error page: classify by the status alone.
        Err(_) if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
            Error::Api {
                status: status.as_u16(),
                code: MetaCode::from_code(i64::from(status.as_u16())),
                meta_code: i64::from(status.as_u16()),
                meta_type: String::new(),
                message: String::new(),
                rate_limit,
                retry_after,
            }
        }
        Err(e) => Error::Decode {
            status: status.as_u16(),
            detail: e.to_string(),
        },
    }
}

/// `Retry-After` (seconds) if present, else the time until `X-RateLimit-Reset`.
fn retry_after(h: &HeaderMap, rl: &RateLimit) -> Option<Duration> {
    if let Some(secs) = h
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(secs));
    }
    let reset = rl.reset?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::new(base, ApiKey::new("k"), ClientOptions::default()).unwrap()
    }

    #[test]
    fn path_segments_are_encoded_and_cannot_escape() {
        let c = client("http://127.0.0.1:9/");
        let u = c.url(&["trackings", "a/../../admin?x#y"]).unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/tracking/2026-07/trackings/a%2F..%2F..%2Fadmin%3Fx%23y"
        );
        assert!(c.url(&["trackings", ".."]).is_err());
        assert!(c.url(&["trackings", ""]).is_err());
    }

    #[test]
    fn legacy_paths_live_under_v4_and_are_encoded() {
        let c = client("http://127.0.0.1:9");
        let u = c.url_under(&["v4"], &["trackings", "ecms", "A/B"]).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9/v4/trackings/ecms/A%2FB");
    }

    #[test]
    fn debug_does_not_print_the_key() {
        let c = Client::new(
            "http://x",
            ApiKey::new("sekrit-key"),
            ClientOptions::default(),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("sekrit"));
    }

    #[test]
    fn rejects_non_http_base_urls() {
        for bad in ["ftp://x", "not a url", "mailto:a@b"] {
            assert!(Client::new(bad, ApiKey::new("k"), ClientOptions::default()).is_err());
        }
    }
}
