//! The live commands: generate with Cargo-like lock semantics, add, update and pin toolkits,
//! and check drift, against the Composio API.
//!
//! # Lock semantics
//! - A toolkit pinned in `composio.lock` is generated from the cache: no network, no key.
//! - A toolkit that is not pinned is fetched at `latest` when an API key is set, then pinned:
//!   its cache file and the lock are written, then its module.
//! - `update` fetches `latest` again for the named toolkits (all pinned ones when none is
//!   named) and moves their pins; `pin` fetches an explicit version.
//!
//! # Nothing is lost
//! Everything is fetched and every module generated in memory before the first write, so a
//! failed or interrupted fetch leaves the cache, the lock and the modules as they were. Then the
//! cache files are written, then the modules, and the lock last, each file atomically; until the
//! lock names a new version its file is merely unreferenced. Only then is the file of a version
//! no longer pinned removed.

use std::path::PathBuf;
use std::sync::Arc;

use composio_typed::{ApiKey, ApiPrefix, Client};
use tokio::sync::Semaphore;

use crate::cache_write;
pub use crate::cache_write::CacheEntry;
use crate::config::{Config, Module, Written, generate_module_with_names};
use crate::drift::{self, DriftReport, ToolkitDrift};
use crate::emit::is_meta_toolkit;
use crate::fetch::{FetchError, FetchOptions, NoProgress, Progress};
use crate::lock::{LOCK_FILE, Lock, valid_version};
use crate::model::valid_toolkit_slug;
use crate::names::NameRecord;
use crate::source::{ApiSource, LATEST, SchemaCache, SchemaSource, ToolkitSchemas, pinned_list};

/// Where the live commands reach the API, and how.
#[derive(Clone)]
pub struct LiveOptions {
    /// The API key; fetching without one is an error that says what to do.
    pub api_key: Option<ApiKey>,
    /// The API host (default `https://backend.composio.dev`).
    pub base_url: Option<String>,
    /// The path prefix. Versions are always sent, so both answer alike.
    pub api_prefix: ApiPrefix,
    /// Page size, concurrency.
    pub fetch: FetchOptions,
    /// Where progress goes.
    pub progress: Arc<dyn Progress>,
}

impl std::fmt::Debug for LiveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveOptions")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("api_prefix", &self.api_prefix)
            .field("fetch", &self.fetch)
            .finish_non_exhaustive()
    }
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            api_key: None,
            base_url: None,
            api_prefix: ApiPrefix::default(),
            fetch: FetchOptions::default(),
            progress: Arc::new(NoProgress),
        }
    }
}

impl LiveOptions {
    /// The key from `COMPOSIO_API_KEY` and the host from `COMPOSIO_BASE_URL`, when set and not
    /// blank.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        LiveOptions {
            api_key: var("COMPOSIO_API_KEY").map(ApiKey::new),
            base_url: var("COMPOSIO_BASE_URL"),
            ..Self::default()
        }
    }

    /// A client, or `missing_key` as the error when there is no key.
    fn client(&self, missing_key: impl FnOnce() -> String) -> Result<Client, FetchError> {
        let key = self.api_key.clone().ok_or_else(|| FetchError::NoApiKey(missing_key()))?;
        let mut builder = Client::builder()
            .api_key(key)
            .api_prefix(self.api_prefix)
            .user_agent(concat!("composio-codegen/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        builder.build().map_err(|e| FetchError::Usage(format!("COMPOSIO_BASE_URL or COMPOSIO_API_KEY: {e}")))
    }
}

/// What to do with one toolkit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// Pinned: generate from the cache.
    Cached,
    /// Not pinned: fetch `latest` and pin it.
    Add,
    /// Fetch `latest` again and move the pin.
    Update,
    /// Fetch this version (an id, or `latest`) and pin it.
    Pin(String),
}

impl Want {
    fn fetches(&self) -> Option<&str> {
        match self {
            Want::Cached => None,
            Want::Add | Want::Update => Some(LATEST),
            Want::Pin(version) => Some(version),
        }
    }
}

/// The toolkits of one run, each with what to do, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// (toolkit, what to do).
    pub toolkits: Vec<(String, Want)>,
}

impl Plan {
    /// Applies the lock semantics (see the [module docs](self)) to a command line: the
    /// `toolkits` named, whether `--update` was given, and the `--pin TOOLKIT=VERSION` pairs.
    /// `--update` with no toolkit named updates every pinned toolkit.
    pub fn new(lock: &Lock, toolkits: &[String], update: bool, pins: &[(String, String)]) -> Result<Plan, FetchError> {
        let mut out: Vec<(String, Want)> = Vec::new();
        let mut add = |toolkit: &str, want: Want| -> Result<(), FetchError> {
            if !valid_toolkit_slug(toolkit) {
                return Err(FetchError::Usage(format!(
                    "`{toolkit}` is not a toolkit slug: use lower-case letters, digits and `_`, like `github` or `google_classroom`"
                )));
            }
            match out.iter_mut().find(|(t, _)| t == toolkit) {
                Some((_, Want::Pin(_))) => {}
                Some((_, existing)) => *existing = want,
                None => out.push((toolkit.to_owned(), want)),
            }
            Ok(())
        };
        for (toolkit, version) in pins {
            if !valid_version(version) {
                return Err(FetchError::Usage(format!(
                    "`{version}` is not a toolkit version: expected an id like 20251027_00, or latest"
                )));
            }
            if pins.iter().filter(|(t, _)| t == toolkit).count() > 1 {
                return Err(FetchError::Usage(format!("`{toolkit}` is pinned twice")));
            }
            add(toolkit, Want::Pin(version.clone()))?;
        }
        let named: Vec<String> = if update && toolkits.is_empty() {
            if lock.toolkits.is_empty() && pins.is_empty() {
                return Err(FetchError::Usage(
                    "--update with no toolkit named updates every pinned toolkit, and none is pinned yet: \
                     name the toolkits to add, like `composio-codegen github`"
                        .into(),
                ));
            }
            // The meta toolkit's cache is written by hand: the catalogue does not serve it as
            // a toolkit, so "every pinned toolkit" means every other one.
            lock.toolkits
                .keys()
                .filter(|t| !pins.iter().any(|(p, _)| p == *t) && !is_meta_toolkit(t))
                .cloned()
                .collect()
        } else {
            toolkits.to_vec()
        };
        for toolkit in &named {
            let want = if update {
                Want::Update
            } else if lock.toolkits.contains_key(toolkit) {
                Want::Cached
            } else {
                Want::Add
            };
            if !pins.iter().any(|(p, _)| p == toolkit) {
                add(toolkit, want)?;
            }
        }
        if out.is_empty() {
            return Err(FetchError::Usage("name at least one toolkit, e.g. `github`".into()));
        }
        Ok(Plan { toolkits: out })
    }

    /// Whether any toolkit is fetched.
    pub fn fetches(&self) -> bool {
        self.toolkits.iter().any(|(_, w)| w.fetches().is_some())
    }
}

/// Fetched and generated, not yet written.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Every module of the plan, in its order.
    pub modules: Vec<Module>,
    /// The cache files of the fetched toolkits.
    pub entries: Vec<CacheEntry>,
    lock: Lock,
}

/// A toolkit a sync fetched and pinned.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pinned {
    /// Toolkit slug.
    pub toolkit: String,
    /// The version pinned before, if any.
    pub previous: Option<String>,
    /// The version pinned now.
    pub version: String,
    /// Tools in its module.
    pub tools: usize,
}

/// What a sync wrote.
#[derive(Clone, Debug, Default)]
pub struct Synced {
    /// Each fetched toolkit, in the order of the plan.
    pub pins: Vec<Pinned>,
    /// Cache files: (path, changed).
    pub cache_files: Vec<(PathBuf, bool)>,
    /// Module files.
    pub modules: Vec<Written>,
    /// The lock file, and whether it changed.
    pub lock: (PathBuf, bool),
    /// Cache files of versions no longer pinned that were removed.
    pub removed: Vec<PathBuf>,
    /// Cache files of versions no longer pinned that could not be removed, with why.
    pub stale: Vec<String>,
}

/// Runs the live commands for one [`Config`] (its schema cache, output directory and emit
/// options).
#[derive(Clone, Debug)]
pub struct Live {
    config: Config,
    options: LiveOptions,
}

impl Live {
    /// Live commands over `config`.
    pub fn new(config: Config, options: LiveOptions) -> Self {
        Live { config, options }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Reads the lock and plans a command line (see [`Plan::new`]).
    pub fn plan(&self, toolkits: &[String], update: bool, pins: &[(String, String)]) -> Result<Plan, FetchError> {
        let lock = Lock::read(self.config.schema_cache_dir())?;
        Plan::new(&lock, toolkits, update, pins)
    }

    /// Fetches what the plan fetches and generates every module, writing nothing.
    ///
    /// Toolkits are fetched concurrently, and each is generated as soon as it has arrived,
    /// so generation overlaps the network.
    pub async fn prepare(&self, plan: &Plan) -> Result<Prepared, FetchError> {
        let dir = self.config.schema_cache_dir().to_owned();
        let lock = Lock::read(&dir)?;
        let cached: Vec<String> =
            plan.toolkits.iter().filter(|(_, w)| *w == Want::Cached).map(|(t, _)| t.clone()).collect();
        let mut cached = if cached.is_empty() { Vec::new() } else { SchemaCache::new(&dir).load(&cached)? }.into_iter();
        let source = if plan.fetches() { Some(self.source(|| self.missing_key_for(plan, &lock))?) } else { None };
        let cpu = Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));
        let emit = self.config.emit_options().clone();
        let mut tasks = Vec::new();
        for (toolkit, want) in &plan.toolkits {
            let (cpu, emit) = (cpu.clone(), emit.clone());
            // The record belongs to the toolkit, not the version, so names survive an update.
            let names = NameRecord::read(&dir, toolkit)?;
            let task: std::pin::Pin<Box<dyn Future<Output = _> + Send>> = match (want.fetches(), &source) {
                (Some(requested), Some(source)) => {
                    let (source, toolkit, requested) = (source.clone(), toolkit.clone(), requested.to_owned());
                    let previous = lock.toolkits.get(&toolkit).cloned();
                    Box::pin(async move {
                        let fetched = source.fetch(&toolkit, &requested).await?;
                        let version = fetched.schemas.version.clone();
                        let (module, content) = blocking(cpu, move || {
                            let content =
                                cache_write::render_tool_refs(fetched.schemas.tools.iter().map(|t| &t.raw).collect());
                            let triggers = (!fetched.schemas.triggers.is_empty()).then(|| {
                                cache_write::render_tool_refs(fetched.schemas.triggers.iter().map(|t| &t.raw).collect())
                            });
                            generate_module_with_names(&fetched.schemas, &emit, &names)
                                .map(|module| (module, (content, triggers)))
                        })
                        .await?;
                        let (content, triggers) = content;
                        Ok((module, Some(CacheEntry { toolkit, version, previous, content, triggers })))
                    })
                }
                _ => {
                    let schemas =
                        cached.next().ok_or_else(|| FetchError::Internal("cache load lost a toolkit".into()))?;
                    Box::pin(async move {
                        Ok((blocking(cpu, move || generate_module_with_names(&schemas, &emit, &names)).await?, None))
                    })
                }
            };
            tasks.push(task);
        }
        let results = crate::task::join_all(tasks).await;
        if let Some(source) = &source {
            source.progress().done();
        }
        let (modules, entries): (Vec<Module>, Vec<Option<CacheEntry>>) = results?.into_iter().unzip();
        self.config.check_strict(&modules)?;
        Ok(Prepared { modules, entries: entries.into_iter().flatten().collect(), lock })
    }

    /// Writes what [`Live::prepare`] produced: cache files, then modules, then the lock, then
    /// removes the cache files of versions no longer pinned.
    pub fn write(&self, prepared: Prepared) -> Result<Synced, FetchError> {
        let dir = self.config.schema_cache_dir();
        let Prepared { modules, entries, mut lock } = prepared;
        let pins = entries
            .iter()
            .map(|e| Pinned {
                toolkit: e.toolkit.clone(),
                previous: e.previous.clone(),
                version: e.version.clone(),
                tools: modules.iter().find(|m| m.toolkit == e.toolkit).map_or(0, |m| m.tools.len()),
            })
            .collect();
        let cache = cache_write::write_cache(dir, &entries)?;
        let modules = self.config.write_modules(&modules)?;
        let lock_changed = cache_write::write_lock(dir, &mut lock, &entries)?;
        let mut synced = Synced {
            pins,
            cache_files: cache.files,
            modules,
            lock: (dir.join(LOCK_FILE), lock_changed),
            ..Synced::default()
        };
        for removed in cache_write::prune_previous(dir, &lock, &entries) {
            match removed {
                Ok(path) => synced.removed.push(path),
                Err(e) => synced.stale.push(e.to_string()),
            }
        }
        Ok(synced)
    }

    /// [`Live::prepare`] then [`Live::write`].
    pub async fn sync(&self, plan: &Plan) -> Result<Synced, FetchError> {
        let prepared = self.prepare(plan).await?;
        self.write(prepared)
    }

    /// Compares the cache of each toolkit (every pinned one when none is named) with what the
    /// API serves for its pinned version and for `latest`. Writes nothing.
    pub async fn drift(&self, toolkits: &[String]) -> Result<DriftReport, FetchError> {
        let dir = self.config.schema_cache_dir().to_owned();
        let lock = Lock::read(&dir)?;
        let lock_path = dir.join(LOCK_FILE);
        // As for `--update`, the hand-written meta toolkit is compared only when named.
        let toolkits: Vec<String> = if toolkits.is_empty() {
            lock.toolkits.keys().filter(|t| !is_meta_toolkit(t)).cloned().collect()
        } else {
            toolkits.to_vec()
        };
        if toolkits.is_empty() {
            return Err(FetchError::Usage(format!(
                "nothing is pinned in {}: the drift check compares pinned toolkits with the API",
                lock_path.display()
            )));
        }
        for toolkit in &toolkits {
            if !lock.toolkits.contains_key(toolkit) {
                return Err(FetchError::Usage(format!(
                    "`{toolkit}` is not pinned in {} (pinned: {}): the drift check compares pinned toolkits with the API",
                    lock_path.display(),
                    pinned_list(&lock)
                )));
            }
        }
        let cached = SchemaCache::new(&dir).load(&toolkits)?;
        let source = self.source(|| {
            "the drift check compares the cache with the Composio API: set COMPOSIO_API_KEY to your Composio API key"
                .to_owned()
        })?;
        let mut tasks = Vec::with_capacity(cached.len());
        for cached in cached {
            let source = source.clone();
            let names = NameRecord::read(&dir, &cached.toolkit)?;
            tasks.push(async move { toolkit_drift(&source, cached, names).await });
        }
        let toolkits = crate::task::join_all(tasks).await;
        source.progress().done();
        Ok(DriftReport { toolkits: toolkits? })
    }

    fn source(&self, missing_key: impl FnOnce() -> String) -> Result<ApiSource, FetchError> {
        let client = self.options.client(missing_key)?;
        Ok(ApiSource::new(client, self.options.fetch.clone()).with_progress(self.options.progress.clone()))
    }

    /// The guidance when fetching is needed and no key is set.
    fn missing_key_for(&self, plan: &Plan, lock: &Lock) -> String {
        let lock_path = self.config.schema_cache_dir().join(LOCK_FILE);
        let unpinned: Vec<&str> =
            plan.toolkits.iter().filter(|(_, w)| *w == Want::Add).map(|(t, _)| t.as_str()).collect();
        if unpinned.is_empty() {
            return "--update and --pin fetch schemas from the Composio API: set COMPOSIO_API_KEY to your \
                    Composio API key (and COMPOSIO_BASE_URL to use another API host)"
                .to_owned();
        }
        let (what, it) = match unpinned.as_slice() {
            [one] => (format!("toolkit `{one}` is"), "it"),
            many => (
                format!("toolkits {} are", many.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")),
                "them",
            ),
        };
        let all: Vec<&str> = plan.toolkits.iter().map(|(t, _)| t.as_str()).collect();
        format!(
            "{what} not pinned in {} (pinned: {}), and COMPOSIO_API_KEY is not set to fetch {it}.\n\
             To fetch the latest version, pin it and generate: set COMPOSIO_API_KEY to your Composio API key \
             and run `composio-codegen {}` again.\n\
             To pin a given version instead: `composio-codegen --pin {}=VERSION`. \
             To generate from a file of tool definitions: add --from FILE.",
            lock_path.display(),
            pinned_list(lock),
            all.join(" "),
            unpinned[0],
        )
    }
}

/// Runs CPU-bound work (generation, rendering) on the blocking pool, at most one job per core
/// at a time, so the async workers stay free to fetch.
async fn blocking<T: Send + 'static>(
    cpu: Arc<Semaphore>,
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, FetchError> {
    let _permit =
        cpu.acquire_owned().await.map_err(|_| FetchError::Internal("the generation limiter was closed".into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| FetchError::Internal(format!("generating a module failed: {e}")))?
        .map_err(FetchError::from)
}

async fn toolkit_drift(
    source: &ApiSource,
    cached: ToolkitSchemas,
    names: NameRecord,
) -> Result<ToolkitDrift, FetchError> {
    let toolkit = cached.toolkit.clone();
    let pinned = cached.version.clone();
    source.progress().started(&toolkit, &pinned);
    let (latest, pinned_version) = tokio::join!(source.resolve(&toolkit, LATEST), source.resolve(&toolkit, &pinned));
    let latest = latest?;
    let pinned_version = match pinned_version {
        Ok(resolved) => Some(resolved),
        // A pinned version the API no longer serves is the drift this check exists to report,
        // not an error that hides the comparison with latest.
        Err(FetchError::UnknownVersion { .. }) => None,
        Err(e) => return Err(e),
    };
    let fetch_pinned = async {
        match &pinned_version {
            Some(resolved) => source.fetch_resolved(resolved).await.map(Some),
            None => Ok(None),
        }
    };
    let (at_pinned, at_latest) = if latest.version == pinned {
        (fetch_pinned.await?, None)
    } else {
        let (a, b) = tokio::join!(fetch_pinned, source.fetch_resolved(&latest));
        (a?, Some(b?))
    };
    // Generating both sides is CPU work: off the async threads.
    let (against_pinned, against_latest) = blocking(Arc::new(Semaphore::new(1)), move || {
        let against_pinned = match at_pinned {
            Some(fetched) => drift::compare_toolkits(&cached, &fetched.schemas, &names)?,
            None => {
                let old: Vec<serde_json::Value> = cached.tools.iter().map(|t| t.raw.clone()).collect();
                drift::Comparison::withdrawn(&old, &cached.version)
            }
        };
        let against_latest = match at_latest {
            Some(fetched) => Some(drift::compare_toolkits(&cached, &fetched.schemas, &names)?),
            None => None,
        };
        Ok((against_pinned, against_latest))
    })
    .await?;
    Ok(ToolkitDrift { against_pinned, against_latest, toolkit, pinned, latest: latest.version })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_with_no_names_leaves_the_hand_written_meta_toolkit_alone() {
        let mut lock = Lock::default();
        for toolkit in ["composio", "github"] {
            lock.toolkits.insert(toolkit.to_owned(), "20251027_00".to_owned());
        }
        let every = Plan::new(&lock, &[], true, &[]).unwrap();
        assert_eq!(every.toolkits, [("github".to_owned(), Want::Update)]);
        // Named, it is generated from its cache like any pinned toolkit.
        let named = Plan::new(&lock, &["composio".to_owned()], false, &[]).unwrap();
        assert_eq!(named.toolkits, [("composio".to_owned(), Want::Cached)]);
    }
}
