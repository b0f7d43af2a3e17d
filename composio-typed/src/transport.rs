//! One HTTP layer for every request: attempts, retries and the mapping of failures to errors.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::client::{Client, MAX_REDIRECTS};
use crate::error::{Error, Result};
use crate::retry::{self, Failure, Kind};
use crate::wire;

/// A request, kept whole so it can be sent again.
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) body: Option<(Bytes, HeaderValue)>,
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
        self.body = Some((Bytes::from(body), HeaderValue::from_static("application/json")));
        self
    }
}

/// A successful answer. Only the headers the runtime uses are kept: copying the whole header
/// map of every answer would be a cost the raw HTTP call does not pay.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

/// How one attempt failed.
enum Attempt {
    /// An answer with a non-success status. `redirect` says why, if it is a redirect, it was
    /// not followed.
    Status {
        status: u16,
        retry_after: Option<Duration>,
        request_id: Option<String>,
        redirect: Option<String>,
        body: Bytes,
    },
    /// The body of an answer could not be read (cut short, or too slow).
    Body { status: u16, source: reqwest::Error },
    /// No answer.
    Transport { failure: Failure, source: reqwest::Error },
}

impl Client {
    /// Sends `request`, retrying as `kind` and the policy allow. `slug` names the tool in
    /// errors of executions. The attempt, status and request id are recorded on the current
    /// span, which the caller opens: the status and request id of the final outcome only, so a
    /// retry that gets no answer does not leave the span showing the previous attempt's status.
    /// Each retried attempt's status is in its `retrying` event.
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
                    if let Some(id) = &answer.request_id {
                        span.record("request_id", id.as_str());
                    }
                    return Ok(answer);
                }
                Err(failed) => failed,
            };
            let (failure, wait, status) = match &failed {
                Attempt::Status { status, retry_after, .. } => (Failure::Status(*status), *retry_after, Some(*status)),
                // The whole answer did not arrive: the request was sent, the outcome is unknown.
                Attempt::Body { status, .. } => (Failure::Lost, None, Some(*status)),
                Attempt::Transport { failure, .. } => (*failure, None, None),
            };
            let waitable = wait.is_none_or(|w| w <= policy.max_retry_after);
            if attempt <= policy.max_retries && waitable && retry::should_retry(policy, kind, failure) {
                let delay = wait.unwrap_or_else(|| policy.backoff(attempt - 1));
                tracing::warn!(attempt, status, ?failure, delay_ms = delay.as_millis() as u64, "retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            let error = self.error(failed, request.api, kind, slug);
            if let Some(status) = status {
                span.record("status", status);
            }
            if let Some(id) = error.request_id() {
                span.record("request_id", id);
            }
            return Err(error);
        }
    }

    async fn attempt(&self, request: &Request, attempt: u32) -> Result<Answer, Attempt> {
        let mut builder = self.inner.http.request(request.method.clone(), &request.url);
        if request.api {
            builder = builder.header("x-api-key", self.inner.api_key.clone());
            if !self.inner.headers.is_empty() {
                builder = builder.headers(self.inner.headers.clone());
            }
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some((body, content_type)) = &request.body {
            builder = builder.header(CONTENT_TYPE, content_type.clone()).body(body.clone());
        }
        let response = builder.send().await.map_err(|source| {
            // A connection that could not be made never carried the request.
            let failure = if source.is_connect() { Failure::NotSent } else { Failure::Lost };
            Attempt::Transport { failure, source }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let request_id = header_text(headers, "x-request-id");
        let success = (200..300).contains(&status);
        let retry_after = if success { None } else { retry::retry_after(headers) };
        // The statuses reqwest's redirect policy decides on; it returns any other 3xx as is.
        let redirect = match status {
            301 | 302 | 303 | 307 | 308 => unfollowed_redirect(headers, response.url()),
            _ => None,
        };
        let body = response.bytes().await.map_err(|source| Attempt::Body { status, source })?;
        if success {
            Ok(Answer { status, request_id, body, attempts: attempt })
        } else {
            Err(Attempt::Status { status, retry_after, request_id, redirect, body })
        }
    }

    fn error(&self, failed: Attempt, api: bool, kind: Kind, slug: Option<&str>) -> Error {
        // A lost answer to an execution or a create leaves its effect unknown.
        let executing = matches!(kind, Kind::Execute { .. } | Kind::Write { idempotent: false });
        let slug = slug.map(str::to_owned);
        // A presigned storage URL carries a signature: keep it out of errors and logs.
        let scrub = |source: reqwest::Error| if api { source } else { source.without_url() };
        match failed {
            Attempt::Status { status, retry_after, request_id, redirect, body } => {
                let may_have_run = executing && status >= 500;
                let mut error = Box::new(wire::api_error(status, request_id, &body, slug, may_have_run));
                if let Some(why) = redirect {
                    error.message = why;
                }
                if status == 429 { Error::RateLimited { retry_after, error } } else { Error::Api(error) }
            }
            // The answer started, so the request was sent: for an execution the tool may have run.
            Attempt::Body { source, .. } if source.is_timeout() => Error::Timeout { slug, may_have_run: executing },
            Attempt::Body { status, source } => Error::InvalidResponse {
                slug,
                status,
                message: format!("the body was cut short: {}", scrub(source)),
                body: String::new(),
            },
            Attempt::Transport { failure, source } => {
                let may_have_run = executing && failure == Failure::Lost;
                if source.is_timeout() && !source.is_connect() {
                    Error::Timeout { slug, may_have_run }
                } else {
                    Error::Connection { slug, may_have_run, source: Box::new(scrub(source)) }
                }
            }
        }
    }
}

/// Why the redirect policy returned this redirect instead of following it: it leads to another
/// origin (named by its origin only: the rest of a storage URL can carry a signature, which
/// must stay out of errors), or one redirect too many.
fn unfollowed_redirect(headers: &HeaderMap, from: &reqwest::Url) -> Option<String> {
    let location = headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    let target = from.join(location).ok()?.origin();
    Some(if target == from.origin() {
        format!("too many redirects (more than {MAX_REDIRECTS})")
    } else {
        format!(
            "redirect to {} not followed: requests follow redirects only within their own origin",
            target.ascii_serialization()
        )
    })
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Percent-encodes a path segment. Slugs are `[A-Z0-9_]`, but the untyped path takes any text.
pub(crate) fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
