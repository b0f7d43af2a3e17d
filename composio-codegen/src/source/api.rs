//! Tool definitions from the Composio API, through the runtime crate's client.
//!
//! A fetch resolves the requested version first (`GET /toolkits/{slug}?version=…`, whose
//! `meta.version` turns `latest` into a concrete id and which answers 404 for an unknown
//! toolkit or version), then lists every tool of that version (`GET /tools?toolkit_slug=…&
//! toolkit_versions[slug]=…&limit=…`), following `next_cursor` to the end. The version is
//! always sent, so `/api/v3` and `/api/v3.1` answer alike.
//!
//! # Concurrent pages
//! Cursor pagination is sequential by nature: page *n + 1*'s cursor arrives with page *n*. The
//! API documents its cursor as "a base64 encoded string of the page and limit" without fixing
//! the encoding, so this source never relies on it. When the second page's cursor decodes to
//! JSON whose `page` is 2, and re-encoding it with another page number reproduces it exactly,
//! the remaining pages (`total_pages` of the first answer) are requested at once with predicted
//! cursors. Each answer must then name, as its `next_cursor`, exactly the predicted cursor of
//! the following page (and the last one none). Any failure or mismatch discards the predicted
//! pages and falls back to following cursors one at a time, so the outcome is the same as
//! sequential paging, only sooner when the prediction holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use composio_typed::Client;
use composio_typed::catalog::{MAX_PAGE_SIZE, Page, ToolkitVersions, ToolsQuery};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{SchemaSource, ToolkitSchemas};
use crate::fetch::{FetchError, FetchOptions, NoProgress, Progress};
use crate::lock::valid_version;
use crate::model;

/// The keyword for a toolkit's newest version.
pub const LATEST: &str = "latest";

/// Reads tool definitions from the Composio API. Cheap to clone: clones share the client,
/// the bound on requests in flight and the progress sink.
#[derive(Clone)]
pub struct ApiSource {
    client: Client,
    options: FetchOptions,
    limiter: Arc<Semaphore>,
    progress: Arc<dyn Progress>,
    versions: BTreeMap<String, String>,
}

impl std::fmt::Debug for ApiSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiSource")
            .field("client", &self.client)
            .field("options", &self.options)
            .field("versions", &self.versions)
            .finish_non_exhaustive()
    }
}

/// A toolkit version as the API resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Toolkit slug.
    pub toolkit: String,
    /// The concrete version id (never `latest`).
    pub version: String,
    /// The versions the toolkit has, newest first, as the API lists them.
    pub available_versions: Vec<String>,
}

/// Every tool of one toolkit version.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    /// The definitions, parsed and sorted by slug (each keeps the JSON as served in `raw`).
    pub schemas: ToolkitSchemas,
    /// Pages in the listing.
    pub pages: usize,
    /// The versions the toolkit has, newest first.
    pub available_versions: Vec<String>,
}

impl Fetched {
    /// The tools as the API served them, sorted by slug.
    pub fn raw_tools(&self) -> Vec<Value> {
        self.schemas.tools.iter().map(|t| t.raw.clone()).collect()
    }

    /// The text of this version's cache file.
    pub fn cache_text(&self) -> String {
        crate::cache_write::render_tool_refs(self.schemas.tools.iter().map(|t| &t.raw).collect())
    }
}

impl ApiSource {
    /// A source over `client`.
    pub fn new(client: Client, options: FetchOptions) -> Self {
        let permits = options.concurrency.max(1);
        ApiSource {
            client,
            options,
            limiter: Arc::new(Semaphore::new(permits)),
            progress: Arc::new(NoProgress),
            versions: BTreeMap::new(),
        }
    }

    /// Reports progress to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// The version [`SchemaSource::load`] fetches for `toolkit` (default `latest`).
    pub fn version(mut self, toolkit: impl Into<String>, version: impl Into<String>) -> Self {
        self.versions.insert(toolkit.into(), version.into());
        self
    }

    /// The progress sink.
    pub fn progress(&self) -> &Arc<dyn Progress> {
        &self.progress
    }

    /// Resolves `requested` (a version id or `latest`) to a concrete version of `toolkit`.
    pub async fn resolve(&self, toolkit: &str, requested: &str) -> Result<Resolved, FetchError> {
        let answer = {
            let _permit = self.permit().await?;
            self.client.toolkit(toolkit, requested).await
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) if e.status() == Some(404) => {
                if requested != LATEST {
                    // Tell an unknown version of a known toolkit from an unknown toolkit, and
                    // list what there is.
                    let latest = {
                        let _permit = self.permit().await?;
                        self.client.toolkit(toolkit, LATEST).await
                    };
                    if let Ok(latest) = latest {
                        return Err(FetchError::UnknownVersion {
                            toolkit: toolkit.to_owned(),
                            version: requested.to_owned(),
                            available: latest.available_versions,
                        });
                    }
                }
                let message = match &e {
                    composio_typed::Error::Api(api) => api.message.clone(),
                    other => other.to_string(),
                };
                return Err(FetchError::UnknownToolkit { toolkit: toolkit.to_owned(), message });
            }
            Err(source) => {
                return Err(FetchError::Api {
                    toolkit: toolkit.to_owned(),
                    request: format!("GET /toolkits/{toolkit}?version={requested}"),
                    source: Box::new(source),
                });
            }
        };
        let invalid = |message: String| FetchError::InvalidAnswer { toolkit: toolkit.to_owned(), message };
        let version = match (requested, answer.version) {
            (LATEST, Some(version)) => version,
            (LATEST, None) => {
                return Err(invalid(format!(
                    "GET /toolkits/{toolkit}?version=latest answered no `meta.version`, so `latest` cannot be pinned"
                )));
            }
            (requested, Some(version)) if version != requested => {
                return Err(invalid(format!("asked for version `{requested}`, the API answered version `{version}`")));
            }
            (requested, _) => requested.to_owned(),
        };
        if version == LATEST || !valid_version(&version) {
            return Err(invalid(format!("the API named `{version}` as the version, which is not a version id")));
        }
        Ok(Resolved { toolkit: toolkit.to_owned(), version, available_versions: answer.available_versions })
    }

    /// Resolves `requested` and fetches every tool of the resulting version.
    pub async fn fetch(&self, toolkit: &str, requested: &str) -> Result<Fetched, FetchError> {
        self.progress.started(toolkit, requested);
        let resolved = self.resolve(toolkit, requested).await?;
        self.fetch_resolved(&resolved).await
    }

    /// Fetches every tool of a version already resolved.
    pub async fn fetch_resolved(&self, resolved: &Resolved) -> Result<Fetched, FetchError> {
        let (toolkit, version) = (&resolved.toolkit, &resolved.version);
        let (tools, pages) = self.list_tools(toolkit, version).await?;
        let count = tools.len();
        let origin = format!("Composio API: GET /tools?toolkit_slug={toolkit}&toolkit_versions[{toolkit}]={version}");
        if tools.is_empty() {
            return Err(FetchError::InvalidAnswer {
                toolkit: toolkit.clone(),
                message: format!("the API lists no tools for version {version}: there is nothing to generate"),
            });
        }
        let defs = model::parse_document_owned(&origin, Value::Array(tools))?;
        let schemas = super::cache::toolkit_schemas(&origin, toolkit, version, defs)?;
        self.progress.finished(toolkit, version, count, pages);
        Ok(Fetched { schemas, pages, available_versions: resolved.available_versions.clone() })
    }

    /// Fetches several toolkits at once; the answers come in the order asked. The first
    /// failure cancels the rest.
    pub async fn fetch_all(&self, requests: &[(String, String)]) -> Result<Vec<Fetched>, FetchError> {
        let tasks = requests.iter().map(|(toolkit, requested)| {
            let me = self.clone();
            let (toolkit, requested) = (toolkit.clone(), requested.clone());
            async move { me.fetch(&toolkit, &requested).await }
        });
        let out = join_all(tasks).await;
        self.progress.done();
        out
    }

    /// Every tool of one toolkit version, and the number of pages requested.
    pub async fn list_tools(&self, toolkit: &str, version: &str) -> Result<(Vec<Value>, usize), FetchError> {
        let query = ToolsQuery {
            toolkit_slug: Some(toolkit.to_owned()),
            toolkit_versions: Some(ToolkitVersions::PerToolkit(BTreeMap::from([(
                toolkit.to_owned(),
                version.to_owned(),
            )]))),
            limit: Some(self.options.page_size.clamp(1, MAX_PAGE_SIZE)),
            ..ToolsQuery::default()
        };
        let first = self.page(toolkit, &query, 1).await?;
        let mut tools = first.items;
        self.progress.page(toolkit, version, tools.len(), first.total_items);
        let Some(second) = first.next_cursor else {
            return Ok((tools, 1));
        };
        let mut pages = 1;
        let prediction = first
            .total_pages
            .filter(|&n| self.options.concurrent_pages && n > 2 && n <= MAX_PREDICTED_PAGES)
            .and_then(|n| CursorTemplate::learn(&second, 2).map(|t| (n, t)));
        if let Some((total_pages, template)) = prediction {
            let fetched = AtomicUsize::new(tools.len());
            match self.predicted_pages(toolkit, version, &query, &second, &template, total_pages, &fetched).await {
                Ok(rest) => {
                    tools.extend(rest.into_iter().flatten());
                    return Ok((tools, total_pages as usize));
                }
                Err(reason) => {
                    self.progress.note(toolkit, &format!("{reason}; following cursors one page at a time instead"));
                }
            }
        }
        let mut seen = BTreeSet::from([second.clone()]);
        let mut cursor = second;
        loop {
            pages += 1;
            let page = self.page(toolkit, &ToolsQuery { cursor: Some(cursor), ..query.clone() }, pages).await?;
            tools.extend(page.items);
            self.progress.page(toolkit, version, tools.len(), first.total_items);
            match page.next_cursor {
                // A cursor that comes back would loop forever: the listing is broken.
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(FetchError::InvalidAnswer {
                        toolkit: toolkit.to_owned(),
                        message: format!("the tools listing repeated cursor `{next}` at page {pages}"),
                    });
                }
                Some(next) => cursor = next,
                None => return Ok((tools, pages)),
            }
        }
    }

    /// Pages 2..=`total_pages` at once, with predicted cursors checked against the answers.
    /// `Err` carries why the prediction did not hold.
    #[allow(clippy::too_many_arguments)]
    async fn predicted_pages(
        &self,
        toolkit: &str,
        version: &str,
        query: &ToolsQuery,
        second: &str,
        template: &CursorTemplate,
        total_pages: u64,
        fetched: &AtomicUsize,
    ) -> Result<Vec<Vec<Value>>, String> {
        let mut set = JoinSet::new();
        for number in 2..=total_pages {
            let cursor = if number == 2 { second.to_owned() } else { template.cursor(number) };
            let query = ToolsQuery { cursor: Some(cursor), ..query.clone() };
            let me = self.clone();
            let toolkit = toolkit.to_owned();
            set.spawn(async move { (number, me.page(&toolkit, &query, number as usize).await) });
        }
        let mut pages = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            let (number, answer) = joined.map_err(|e| format!("a page task failed: {e}"))?;
            let page = answer.map_err(|e| format!("page {number} with a predicted cursor failed: {e}"))?;
            let expected = (number < total_pages).then(|| template.cursor(number + 1));
            if page.next_cursor != expected {
                return Err(format!("page {number} did not point at the predicted next page"));
            }
            let so_far = fetched.fetch_add(page.items.len(), Ordering::Relaxed) + page.items.len();
            self.progress.page(toolkit, version, so_far, None);
            pages.insert(number, page.items);
        }
        Ok(pages.into_values().collect())
    }

    async fn page(&self, toolkit: &str, query: &ToolsQuery, number: usize) -> Result<Page, FetchError> {
        let _permit = self.permit().await?;
        self.client.tools_page(query).await.map_err(|source| FetchError::Api {
            source: Box::new(source),
            toolkit: toolkit.to_owned(),
            request: format!(
                "GET /tools?toolkit_slug={toolkit} (page {number}{})",
                if query.cursor.is_some() { ", with cursor" } else { "" }
            ),
        })
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, FetchError> {
        self.limiter.acquire().await.map_err(|_| FetchError::Internal("the request limiter was closed".into()))
    }
}

/// Predicting more pages than this is not worth the speculation (the API's page limit makes a
/// toolkit this large unlikely; paging then simply proceeds one cursor at a time).
const MAX_PREDICTED_PAGES: u64 = 1000;

/// Runs futures concurrently on the current runtime; results in input order. The first error
/// aborts the others.
pub(crate) async fn join_all<T, F>(futures: impl IntoIterator<Item = F>) -> Result<Vec<T>, FetchError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, FetchError>> + Send + 'static,
{
    let mut set = JoinSet::new();
    let mut count = 0;
    for (i, future) in futures.into_iter().enumerate() {
        set.spawn(async move { (i, future.await) });
        count += 1;
    }
    let mut out: Vec<Option<T>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(|e| FetchError::Internal(format!("a fetch task failed: {e}")))?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

impl SchemaSource for ApiSource {
    /// Fetches each toolkit at its configured version (default `latest`), concurrently, on a
    /// runtime of its own (on a separate thread, so it also works when called from async code).
    fn load(&self, toolkits: &[String]) -> crate::Result<Vec<ToolkitSchemas>> {
        let requests: Vec<(String, String)> = toolkits
            .iter()
            .map(|t| (t.clone(), self.versions.get(t).cloned().unwrap_or_else(|| LATEST.to_owned())))
            .collect();
        let fetched = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| FetchError::Internal(format!("cannot start a runtime: {e}")))?;
                    runtime.block_on(self.fetch_all(&requests))
                })
                .join()
                .unwrap_or_else(|_| Err(FetchError::Internal("the fetch thread panicked".into())))
        })?;
        Ok(fetched.into_iter().map(|f| f.schemas).collect())
    }
}

/// A cursor with its page number cut out, to produce the cursors of other pages in exactly
/// the server's encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CursorTemplate {
    prefix: String,
    suffix: String,
    alphabet: Alphabet,
}

impl CursorTemplate {
    /// Learns the template from the cursor of page `page`, if it is base64 of JSON carrying
    /// that page number and re-encodes to exactly the same text.
    fn learn(cursor: &str, page: u64) -> Option<CursorTemplate> {
        let (bytes, alphabet) = base64_decode(cursor)?;
        let text = String::from_utf8(bytes).ok()?;
        let json: Value = serde_json::from_str(&text).ok()?;
        if json.get("page")?.as_u64()? != page {
            return None;
        }
        let mut keys = text.match_indices("\"page\"");
        let (at, key) = keys.next()?;
        if keys.next().is_some() {
            return None;
        }
        let after_key = at + key.len();
        let rest = &text[after_key..];
        let rest_trimmed = rest.trim_start().strip_prefix(':')?.trim_start();
        let digits_start = text.len() - rest_trimmed.len();
        let digits = page.to_string();
        let after = rest_trimmed.strip_prefix(digits.as_str())?;
        if after.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E') {
            return None;
        }
        let template = CursorTemplate { prefix: text[..digits_start].to_owned(), suffix: after.to_owned(), alphabet };
        (template.cursor(page) == cursor).then_some(template)
    }

    fn cursor(&self, page: u64) -> String {
        base64_encode(format!("{}{page}{}", self.prefix, self.suffix).as_bytes(), self.alphabet)
    }
}

/// Which base64 a cursor uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Alphabet {
    url_safe: bool,
    padded: bool,
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64_encode(bytes: &[u8], alphabet: Alphabet) -> String {
    let table = if alphabet.url_safe { URL_SAFE } else { STANDARD };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if alphabet.padded {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<(Vec<u8>, Alphabet)> {
    let url_safe = text.contains(['-', '_']);
    if url_safe && text.contains(['+', '/']) {
        return None;
    }
    let padded = text.ends_with('=');
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || (padded && !text.len().is_multiple_of(4)) || body.len() % 4 == 1 {
        return None;
    }
    let table = if url_safe { URL_SAFE } else { STANDARD };
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in body.bytes() {
        let v = table.iter().position(|&t| t == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some((out, Alphabet { url_safe, padded }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_in_all_variants() {
        for url_safe in [false, true] {
            for padded in [false, true] {
                let alphabet = Alphabet { url_safe, padded };
                for text in ["", "a", "ab", "abc", "abcd", "{\"page\":2,\"limit\":5}", "\u{ff}\u{fe}?>"] {
                    let encoded = base64_encode(text.as_bytes(), alphabet);
                    let (decoded, _) = base64_decode(&encoded).unwrap();
                    assert_eq!(decoded, text.as_bytes(), "{encoded}");
                }
            }
        }
        assert_eq!(base64_encode(b"hello", Alphabet { url_safe: false, padded: true }), "aGVsbG8=");
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("!!!!").is_none());
    }

    #[test]
    fn learns_page_cursors_and_refuses_the_rest() {
        let std = Alphabet { url_safe: false, padded: true };
        let cursor = base64_encode(br#"{"limit":5,"page":2}"#, std);
        let template = CursorTemplate::learn(&cursor, 2).unwrap();
        assert_eq!(template.cursor(12), base64_encode(br#"{"limit":5,"page":12}"#, std));
        let spaced =
            base64_encode(br#"{ "page" : 2, "limit": 5, "q": "x" }"#, Alphabet { url_safe: true, padded: false });
        let template = CursorTemplate::learn(&spaced, 2).unwrap();
        let (decoded, _) = base64_decode(&template.cursor(7)).unwrap();
        assert_eq!(decoded, br#"{ "page" : 7, "limit": 5, "q": "x" }"#);
        for opaque in [
            "opaque-token".to_owned(),
            base64_encode(br#"{"limit":5,"page":3}"#, std),
            base64_encode(br#"{"offset":5}"#, std),
            base64_encode(br#"{"page":2.0}"#, std),
            base64_encode(b"page=2", std),
        ] {
            assert_eq!(CursorTemplate::learn(&opaque, 2), None, "{opaque}");
        }
    }
}
