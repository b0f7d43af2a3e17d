//! The runtime's one error type.

use std::time::Duration;

use serde_json::Value;

use crate::accounts::ConnectionStatus;
use crate::validate::Violations;

/// Result alias for the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can end in besides success. Match on it: each variant is one way a call
/// fails, and [`Error::may_have_run`] tells whether a side-effecting tool might have run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The tool ran and reported failure (`successful: false`).
    #[error("{}", .0)]
    ToolFailed(ToolFailure),
    /// The platform refused or failed the request with an HTTP error.
    #[error("{}", .0)]
    Api(Box<ApiError>),
    /// The platform's rate limit (429). The call was refused before it ran.
    #[error("rate limited{}: {}", retry_after_text(.retry_after), .error.message)]
    RateLimited {
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
        /// The error body.
        error: Box<ApiError>,
    },
    /// No answer within the configured timeout.
    #[error("{}: timed out{}", target(.slug), may_have_run_text(*.may_have_run, .slug))]
    Timeout {
        /// The tool, for executions.
        slug: Option<String>,
        /// Whether the request had been sent, so the tool may have run (or, for a create, the
        /// resource may exist).
        may_have_run: bool,
    },
    /// The connection failed or broke.
    #[error("{}: connection failed{}: {source}", target(.slug), may_have_run_text(*.may_have_run, .slug))]
    Connection {
        /// The tool, for executions.
        slug: Option<String>,
        /// Whether the request had been sent, so the tool may have run (or, for a create, the
        /// resource may exist).
        may_have_run: bool,
        /// The transport's error. Its type is the HTTP stack's and not part of this API: read
        /// its text and [`source`](std::error::Error::source) chain, or ask
        /// [`Error::is_timeout`].
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An answer that is not what the protocol promises: not JSON, cut short, or shaped wrong.
    #[error("{}: invalid response (HTTP {status}): {message}", target(.slug))]
    InvalidResponse {
        /// The tool, for executions.
        slug: Option<String>,
        /// HTTP status of the answer.
        status: u16,
        /// What was wrong.
        message: String,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// The tool's `data` does not match the generated output type. The JSON is kept.
    #[error("{}", .0)]
    Decode(Box<DecodeError>),
    /// The call would run on `latest`, and nobody opted in.
    #[error(
        "{slug}: refusing to run on toolkit version `latest` for `{toolkit}`: the types were \
         generated for a pinned version, and `latest` changes under you. Pin a version, or opt in \
         with `allow_latest()`"
    )]
    VersionRefused {
        /// The tool.
        slug: String,
        /// Its toolkit.
        toolkit: String,
    },
    /// The arguments break constraints of the tool's schema (a length, a bound, a pattern, a
    /// format): found before anything was sent, so nothing ran and nothing is retried. Each
    /// violation names its JSON path; none repeats the value. Turn the check off with
    /// [`Call::skip_validation`](crate::Call::skip_validation) or
    /// [`ClientBuilder::validate`](crate::ClientBuilder::validate).
    #[error("{slug}: invalid arguments, nothing was sent: {violations}")]
    InvalidArguments {
        /// The tool.
        slug: String,
        /// Every constraint the arguments break.
        violations: Violations,
    },
    /// The arguments could not be encoded as JSON.
    #[error("{slug}: cannot encode the arguments: {message}")]
    Encode {
        /// The tool.
        slug: String,
        /// Why.
        message: String,
    },
    /// A local file could not be read or written.
    #[error("file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The client is misconfigured (no API key, a bad base URL, a bad header).
    #[error("configuration: {0}")]
    Config(String),
    /// A session update was refused with 409: the session changed since the config version
    /// the update expected. Never retried; read the session again and decide.
    #[error("session {session_id}: configuration conflict: {}", .error.message)]
    SessionConflict {
        /// The session.
        session_id: String,
        /// The error body.
        error: Box<ApiError>,
    },
    /// A connection ended without becoming usable: `FAILED`, `EXPIRED` or `REVOKED` while
    /// waiting, or not `ACTIVE` when a callback was confirmed.
    #[error("connected account {connected_account_id} is {status}{}",
        .status_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    ConnectionFailed {
        /// The account (`ca_…`).
        connected_account_id: String,
        /// The status it ended in.
        status: ConnectionStatus,
        /// Why, as the platform says (`status_reason`).
        status_reason: Option<String>,
    },
    /// Waiting for a connection ran out of time, or the link expired first.
    #[error("connected account {connected_account_id} is still {last_status} after {:.1} s{}",
        .waited.as_secs_f64(), if *.link_expired { "; its link has expired" } else { "" })]
    ConnectionTimeout {
        /// The account (`ca_…`).
        connected_account_id: String,
        /// The status the last poll saw.
        last_status: ConnectionStatus,
        /// How long the wait lasted.
        waited: Duration,
        /// Whether the wait ended at the link's expiry rather than at its own timeout.
        link_expired: bool,
    },
    /// The user already has an active account for the toolkit, and a second one was not
    /// asked for (`allow_multiple`).
    #[error("user {user_id} already has an active {toolkit} account ({}); pass allow_multiple(true) to add another",
        .existing.join(", "))]
    AccountExists {
        /// The user.
        user_id: String,
        /// The toolkit.
        toolkit: String,
        /// The active accounts found (`ca_…`).
        existing: Vec<String>,
    },
    /// A trigger instance was to be created for the user, who has no active account of the
    /// trigger's toolkit: connect one first, or name one with `with_connected_account`.
    #[error("user {user_id} has no active {toolkit} account to attach the trigger to")]
    NoConnectedAccount {
        /// The user.
        user_id: String,
        /// The toolkit.
        toolkit: String,
    },
    /// A callback URL that is not one Composio redirects to after a connection.
    #[error("callback URL: {0}")]
    InvalidCallback(String),
}

impl Error {
    /// Whether a tool may have run, or a create (an auth config, a connected account, a link)
    /// may have taken effect, despite this error: the request reached the server and the answer
    /// was lost or was a server error. Such calls are retried only for tools marked read-only or
    /// idempotent, and creates never: look before trying again.
    pub fn may_have_run(&self) -> bool {
        match self {
            Error::Timeout { may_have_run, .. } | Error::Connection { may_have_run, .. } => *may_have_run,
            Error::Api(api) => api.may_have_run,
            Error::InvalidResponse { slug, .. } => slug.is_some(),
            Error::ToolFailed(_) | Error::Decode(_) => true,
            _ => false,
        }
    }

    /// Whether no answer came in time: a [`Error::Timeout`], or an [`Error::Connection`] whose
    /// connection could not be made within the connect timeout (which never sent the request).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Connection { source, .. } => timed_out(source.as_ref()),
            _ => false,
        }
    }

    /// The platform's request id of an error answer, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) | Error::RateLimited { error: api, .. } | Error::SessionConflict { error: api, .. } => {
                api.request_id.as_deref()
            }
            _ => None,
        }
    }

    /// Replaces `secret` wherever a server could have echoed it into this error, so that the
    /// API key cannot leak through an error's `Display` or `Debug` even when the server sends
    /// it back.
    pub(crate) fn redact(mut self, secret: &str) -> Error {
        if secret.is_empty() {
            return self;
        }
        match &mut self {
            Error::Api(api) | Error::RateLimited { error: api, .. } | Error::SessionConflict { error: api, .. } => {
                redact_text(&mut api.message, secret);
                for text in [&mut api.suggested_fix, &mut api.error_slug, &mut api.request_id].into_iter().flatten() {
                    redact_text(text, secret);
                }
                api.errors.iter_mut().for_each(|v| redact_value(v, secret));
            }
            Error::InvalidResponse { message, body, .. } => {
                redact_text(message, secret);
                redact_text(body, secret);
            }
            Error::ToolFailed(failure) => {
                redact_text(&mut failure.message, secret);
                redact_value(&mut failure.data, secret);
            }
            Error::Decode(decode) => {
                redact_text(&mut decode.message, secret);
                redact_value(&mut decode.raw, secret);
            }
            Error::ConnectionFailed { status_reason: Some(reason), .. } => redact_text(reason, secret),
            Error::Connection { source, .. } => {
                // The transport's error cannot be edited: one that mentions the key anywhere in
                // its chain is replaced by its redacted text.
                let text = chain_text(source.as_ref());
                if text.contains(secret) || format!("{source:?}").contains(secret) {
                    let timeout = timed_out(source.as_ref());
                    *source = Box::new(Redacted { text: text.replace(secret, REDACTED), timeout });
                }
            }
            _ => {}
        }
        self
    }

    /// The HTTP status of the answer the error came from: the error status of [`Error::Api`]
    /// and [`Error::RateLimited`], or the status, 2xx included, of the answer an
    /// [`Error::InvalidResponse`] could not read. `None` when no answer came.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::RateLimited { error, .. } | Error::SessionConflict { error, .. } => Some(error.status),
            Error::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }
}

const REDACTED: &str = "<redacted>";

/// An error and its sources, as one line.
fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(source) = next {
        text.push_str(": ");
        text.push_str(&source.to_string());
        next = source.source();
    }
    text
}

/// Whether a transport error is a timeout (of the connect, for an [`Error::Connection`]).
fn timed_out(source: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    match source.downcast_ref::<Redacted>() {
        Some(redacted) => redacted.timeout,
        None => source.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_timeout),
    }
}

/// The text of a transport error that mentioned the API key, with the key replaced.
#[derive(Debug)]
struct Redacted {
    text: String,
    /// Whether the original was a timeout, for [`Error::is_timeout`].
    timeout: bool,
}

impl std::fmt::Display for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Redacted {}

fn redact_text(text: &mut String, secret: &str) {
    if text.contains(secret) {
        *text = text.replace(secret, REDACTED);
    }
}

fn redact_value(value: &mut Value, secret: &str) {
    match value {
        Value::String(text) => redact_text(text, secret),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secret)),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains(secret)) {
                *map = std::mem::take(map).into_iter().map(|(k, v)| (k.replace(secret, REDACTED), v)).collect();
            }
            map.values_mut().for_each(|v| redact_value(v, secret));
        }
        _ => {}
    }
}

fn target(slug: &Option<String>) -> &str {
    slug.as_deref().unwrap_or("composio")
}

fn may_have_run_text(may_have_run: bool, tool: &Option<String>) -> &'static str {
    match (may_have_run, tool) {
        (false, _) => "",
        (true, Some(_)) => " after the request was sent; the tool may have run",
        (true, None) => " after the request was sent; it may have taken effect",
    }
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    retry_after.map(|d| format!(" (retry after {:.1} s)", d.as_secs_f64())).unwrap_or_default()
}

/// A tool that ran and reported failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{slug} failed: {message}{}", .log_id.as_ref().map(|id| format!(" (log {id})")).unwrap_or_default())]
pub struct ToolFailure {
    /// The tool.
    pub slug: String,
    /// The tool's error message.
    pub message: String,
    /// Composio's execution log id, for support.
    pub log_id: Option<String>,
    /// Whatever `data` the tool returned with the failure.
    pub data: Value,
}

/// An HTTP error answer of the platform, decoded leniently: only the message is certain.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}HTTP {status}{}: {message}{}{}",
    .tool.as_ref().map(|s| format!("{s}: ")).unwrap_or_default(),
    .error_slug.as_ref().map(|s| format!(" {s}")).unwrap_or_default(),
    .suggested_fix.as_ref().map(|s| format!(" ({s})")).unwrap_or_default(),
    match (.may_have_run, .tool.is_some()) {
        (false, _) => "",
        (true, true) => "; the tool may have run",
        (true, false) => "; it may have taken effect",
    })]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The message.
    pub message: String,
    /// Numeric error code (`code`, or the older `error_code`).
    pub code: Option<i64>,
    /// The platform's error slug, like `Tool_ToolNotFound` (`slug` in the JSON). Not the tool:
    /// that is [`ApiError::tool`].
    pub error_slug: Option<String>,
    /// The platform's request id, for support.
    pub request_id: Option<String>,
    /// What the platform suggests doing.
    pub suggested_fix: Option<String>,
    /// Detailed errors, as sent.
    pub errors: Vec<Value>,
    /// The tool called, for executions.
    pub tool: Option<String>,
    /// Whether the tool may have run (a 5xx after an execute was sent), or a create may have
    /// taken effect.
    pub may_have_run: bool,
}

/// A `data` payload that does not fit the generated output type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{slug}: the result does not match the generated type at `{path}`: {message}")]
pub struct DecodeError {
    /// The tool.
    pub slug: String,
    /// Where in `data` decoding failed (`items[3].user.login`).
    pub path: String,
    /// The decoder's message.
    pub message: String,
    /// The payload as received.
    pub raw: Value,
}
