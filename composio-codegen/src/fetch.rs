//! Fetching from the Composio API: options, the progress hook and the errors of the live
//! commands. (The CLI's terminal display of progress lives with the binary.)
//!
//! Requests go through [`composio_typed::Client`] and its catalog reads, so schema fetching
//! shares the runtime's single HTTP layer and retry policy (429 and 5xx retried with backoff,
//! `Retry-After` honoured). What this module adds is concurrency: toolkits are fetched at the
//! same time, under one bound on requests in flight.

use composio_typed::catalog::MAX_PAGE_SIZE;

/// How to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchOptions {
    /// Tools per page of `GET /tools`, 1 to 1000 (default 1000, the API's maximum).
    pub page_size: u32,
    /// Requests in flight at once, across all toolkits (default 8).
    pub concurrency: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions { page_size: MAX_PAGE_SIZE, concurrency: 8 }
    }
}

/// Receives progress of fetches. Methods are called from several tasks at once.
pub trait Progress: Send + Sync {
    /// Fetching `toolkit` at `requested` (a version id or `latest`) began.
    fn started(&self, toolkit: &str, requested: &str) {
        let _ = (toolkit, requested);
    }
    /// A page arrived: `fetched` tools of `version` so far, of `total` when the server said.
    fn page(&self, toolkit: &str, version: &str, fetched: usize, total: Option<u64>) {
        let _ = (toolkit, version, fetched, total);
    }
    /// All `tools` of `version` arrived, in `pages` pages.
    fn finished(&self, toolkit: &str, version: &str, tools: usize, pages: usize) {
        let _ = (toolkit, version, tools, pages);
    }
    /// Every fetch is over; clear any display.
    fn done(&self) {}
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What can go wrong while fetching, pinning, updating or checking drift.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Generation, the cache or the lock failed.
    #[error(transparent)]
    Generate(#[from] crate::Error),
    /// Fetching was needed and no API key is configured; the message says what to do.
    #[error("{0}")]
    NoApiKey(String),
    /// The API does not know the toolkit (404).
    #[error("unknown toolkit `{toolkit}`: the Composio API answered: {message}")]
    UnknownToolkit {
        /// The toolkit slug as given.
        toolkit: String,
        /// The API's message.
        message: String,
    },
    /// The toolkit exists but not at the requested version.
    #[error("toolkit `{toolkit}` has no version `{version}`; available: {}", available_text(.available))]
    UnknownVersion {
        /// The toolkit slug.
        toolkit: String,
        /// The version asked for.
        version: String,
        /// The versions the API lists, newest first.
        available: Vec<String>,
    },
    /// A request failed (after the client's retries).
    #[error("{toolkit}: {request}: {source}{}", hint(.source))]
    Api {
        /// The toolkit being fetched.
        toolkit: String,
        /// The request, `GET /toolkits/github?version=latest`.
        request: String,
        /// The client's error.
        #[source]
        source: Box<composio_typed::Error>,
    },
    /// An answer the protocol does not allow.
    #[error("{toolkit}: {message}")]
    InvalidAnswer {
        /// The toolkit being fetched.
        toolkit: String,
        /// What is wrong.
        message: String,
    },
    /// Invalid arguments or configuration.
    #[error("{0}")]
    Usage(String),
    /// A fetch or generation task panicked: a bug, reported instead of propagated.
    #[error("internal error: {0}")]
    Internal(String),
}

fn available_text(available: &[String]) -> String {
    if available.is_empty() { "none listed".to_owned() } else { available.join(", ") }
}

fn hint(source: &composio_typed::Error) -> &'static str {
    match source.status() {
        Some(401 | 403) => " (check COMPOSIO_API_KEY)",
        _ => "",
    }
}

impl From<FetchError> for crate::Error {
    /// For [`crate::source::SchemaSource`], whose callers expect the generator's error.
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Generate(e) => e,
            FetchError::UnknownToolkit { toolkit, message } => {
                crate::Error::UnknownToolkit { toolkit, hint: format!("the Composio API answered: {message}") }
            }
            FetchError::NoApiKey(message) | FetchError::Usage(message) => crate::Error::Usage(message),
            other => crate::Error::Source(Box::new(other)),
        }
    }
}
