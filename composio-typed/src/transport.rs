//! One HTTP layer for every request: attempts, retries and the mapping of failures to errors.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::{self, Failure, Kind};
use crate::wire;

/// A request, kept whole so it can be sent again.
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) body: Option<(Bytes, String)>,
    /// API requests carry the key and custom headers; storage requests never do.
    pub(crate) api: bool,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Request {
    pub(crate) fn api(method: Method, url: String) -> Self {
        Request { method, url, body: None, api: true, headers: Vec::new() }
    }

    pub(crate) fn storage(method: Method, url: String) -> Self {
        Request { method, url, body: None, api: false, headers: Vec::new() }
    }

    pub(crate) fn json(mut self, body: Vec<u8>) -> Self {
        self.body = Some((Bytes::from(body), "application/json".to_owned()));
        self
    }
}

/// A successful answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

/// How one attempt failed.
enum Attempt {
    /// An answer with a non-success status.
    Status(Answer),
    /// The body of an answer could not be read.
    Body { status: u16, source: reqwest::Error },
    /// No answer.
    Transport { failure: Failure, source: reqwest::Error },
}

impl Client {
    /// Sends `request`, retrying as `kind` and the policy allow. `slug` names the tool in
    /// errors of executions.
    pub(crate) async fn send(&self, request: &Request, kind: Kind, slug: Option<&str>) -> Result<Answer> {
        let policy = &self.inner.retry;
        let span = tracing::Span::current();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let failed = match self.attempt(request, attempt).await {
                Ok(answer) => {
                    span.record("status", answer.status);
                    record_request_id(&span, &answer.headers);
                    return Ok(answer);
                }
                Err(failed) => failed,
            };
            let (failure, wait) = match &failed {
                Attempt::Status(answer) => {
                    span.record("status", answer.status);
                    record_request_id(&span, &answer.headers);
                    (Failure::Status(answer.status), retry::retry_after(&answer.headers))
                }
                Attempt::Body { .. } => (Failure::Lost, None),
                Attempt::Transport { failure, .. } => (*failure, None),
            };
            let waitable = wait.is_none_or(|w| w <= policy.max_retry_after);
            if attempt <= policy.max_retries && waitable && retry::should_retry(policy, kind, failure) {
                let delay = wait.unwrap_or_else(|| policy.backoff(attempt - 1));
                tracing::warn!(attempt, ?failure, delay_ms = delay.as_millis() as u64, "retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(self.error(failed, kind, slug));
        }
    }

    async fn attempt(&self, request: &Request, attempt: u32) -> std::result::Result<Answer, Attempt> {
        let mut builder = self.inner.http.request(request.method.clone(), &request.url);
        if request.api {
            builder = builder.header("x-api-key", self.inner.api_key.clone()).headers(self.inner.headers.clone());
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some((body, content_type)) = &request.body {
            builder = builder.header(CONTENT_TYPE, content_type.as_str()).body(body.clone());
        }
        let response = builder.send().await.map_err(|source| {
            // A connection that could not be made never carried the request.
            let failure = if source.is_connect() { Failure::NotSent } else { Failure::Lost };
            Attempt::Transport { failure, source }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|source| Attempt::Body { status, source })?;
        let answer = Answer { status, headers, body, attempts: attempt };
        if (200..300).contains(&status) { Ok(answer) } else { Err(Attempt::Status(answer)) }
    }

    fn error(&self, failed: Attempt, kind: Kind, slug: Option<&str>) -> Error {
        let executing = matches!(kind, Kind::Execute { .. });
        let slug = slug.map(str::to_owned);
        match failed {
            Attempt::Status(answer) => {
                let may_have_run = executing && answer.status >= 500;
                let error = Box::new(wire::api_error(answer.status, &answer.headers, &answer.body, slug, may_have_run));
                if answer.status == 429 {
                    Error::RateLimited { retry_after: retry::retry_after(&answer.headers), error }
                } else {
                    Error::Api(error)
                }
            }
            Attempt::Body { status, source } => Error::InvalidResponse {
                slug,
                status,
                message: format!("the body was cut short: {source}"),
                body: String::new(),
            },
            Attempt::Transport { failure, source } => {
                let may_have_run = executing && failure == Failure::Lost;
                if source.is_timeout() && !source.is_connect() {
                    Error::Timeout { slug, may_have_run }
                } else {
                    Error::Connection { slug, may_have_run, source }
                }
            }
        }
    }
}

fn record_request_id(span: &tracing::Span, headers: &HeaderMap) {
    if let Some(id) = headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        span.record("request_id", id);
    }
}
