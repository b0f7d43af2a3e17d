//! Tool definitions from the Composio API, through the runtime crate's client.
//!
//! A fetch resolves the requested version first (`GET /toolkits/{slug}?version=…`, whose
//! `meta.version` turns `latest` into a concrete id and which answers 404 for an unknown
//! toolkit or version), then lists every tool of that version (`GET /tools?toolkit_slug=…&
//! toolkit_versions[slug]=…&limit=…`), following `next_cursor` to the end. The version is
//! always sent, so `/api/v3` and `/api/v3.1` answer alike.
//!
//! Pages are followed one at a time: page *n + 1*'s cursor arrives with page *n*, and the API
//! documents its cursor only as opaque. At the default page size (1000, the API's maximum) the
//! largest known toolkit fits on one page, so there is nothing to overlap.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use composio_typed::Client;
use composio_typed::catalog::{MAX_PAGE_SIZE, Page, ToolkitVersions, ToolsQuery, TriggerTypesQuery};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::{SchemaSource, ToolkitSchemas};
use crate::fetch::{FetchError, FetchOptions, NoProgress, Progress};
use crate::lock::valid_version;
use crate::model;
use crate::task::join_all;

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
        let mut schemas = super::cache::toolkit_schemas(&origin, toolkit, version, defs)?;
        // Trigger types of the same version: drift in a payload schema is drift like a tool's.
        let triggers = self.list_trigger_types(toolkit, version).await?;
        let trigger_origin =
            format!("Composio API: GET /triggers_types?toolkit_slugs={toolkit}&toolkit_versions[{toolkit}]={version}");
        let triggers = model::parse_trigger_document(&trigger_origin, Value::Array(triggers))?;
        schemas.triggers = super::cache::toolkit_triggers(std::path::Path::new(&trigger_origin), toolkit, triggers)?;
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

    /// Every trigger type of one toolkit version, following `next_cursor` to the end.
    pub async fn list_trigger_types(&self, toolkit: &str, version: &str) -> Result<Vec<Value>, FetchError> {
        let mut query = TriggerTypesQuery::toolkit_version(toolkit, version, self.options.page_size);
        let mut items = Vec::new();
        let mut seen = BTreeSet::new();
        for number in 1.. {
            let page = {
                let _permit = self.permit().await?;
                self.client.trigger_types_page(&query).await.map_err(|source| FetchError::Api {
                    source: Box::new(source),
                    toolkit: toolkit.to_owned(),
                    request: format!("GET /triggers_types?toolkit_slugs={toolkit} (page {number})"),
                })?
            };
            items.extend(page.items);
            match page.next_cursor {
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(FetchError::InvalidAnswer {
                        toolkit: toolkit.to_owned(),
                        message: format!("the trigger types listing repeated cursor `{next}` at page {number}"),
                    });
                }
                Some(next) => query.cursor = Some(next),
                None => break,
            }
        }
        Ok(items)
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
