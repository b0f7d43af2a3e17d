//! The committed schema cache: `composio.lock` plus `<toolkit>/<version>.json` files.

use std::path::{Path, PathBuf};

use super::{SchemaSource, ToolkitSchemas, display_name};
use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::model::{self, ToolDef, TriggerDef};

/// Reads pinned toolkits from a schema cache directory. Needs no network and no key.
#[derive(Clone, Debug)]
pub struct SchemaCache {
    dir: PathBuf,
}

impl SchemaCache {
    /// A cache rooted at `dir` (the directory holding `composio.lock`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SchemaCache { dir: dir.into() }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pinned versions.
    pub fn lock(&self) -> Result<Lock> {
        Lock::read(&self.dir)
    }

    /// The files a pinned toolkit is generated from, for build scripts to watch.
    pub fn inputs(&self, toolkit: &str) -> Result<Vec<PathBuf>> {
        let lock = self.lock()?;
        let mut paths = vec![self.dir.join(crate::lock::LOCK_FILE)];
        if let Some(version) = lock.toolkits.get(toolkit) {
            paths.push(Lock::schema_path(&self.dir, toolkit, version));
            let triggers = Lock::trigger_schema_path(&self.dir, toolkit, version);
            if triggers.exists() {
                paths.push(triggers);
            }
        }
        // Cargo reruns a build script on every build while a watched file is missing.
        let names = crate::names::NameRecord::path(&self.dir, toolkit);
        if names.exists() {
            paths.push(names);
        }
        Ok(paths)
    }
}

impl SchemaSource for SchemaCache {
    fn load(&self, toolkits: &[String]) -> Result<Vec<ToolkitSchemas>> {
        let lock = self.lock()?;
        toolkits
            .iter()
            .map(|toolkit| {
                let version = lock.toolkits.get(toolkit).ok_or_else(|| Error::UnknownToolkit {
                    toolkit: toolkit.clone(),
                    hint: not_pinned_hint(&self.dir, &lock, toolkit),
                })?;
                let path = Lock::schema_path(&self.dir, toolkit, version);
                let tools = read_tools(&path)?;
                let mut schemas = toolkit_schemas(&path.display().to_string(), toolkit, version, tools)?;
                let trigger_path = Lock::trigger_schema_path(&self.dir, toolkit, version);
                if trigger_path.exists() {
                    schemas.triggers = toolkit_triggers(&trigger_path, toolkit, read_triggers(&trigger_path)?)?;
                }
                Ok(schemas)
            })
            .collect()
    }
}

/// The definitions of one toolkit version, checked to belong to it and sorted by slug, as the
/// cache holds them. `origin` names where they came from in errors.
pub(crate) fn toolkit_schemas(
    origin: &str,
    toolkit: &str,
    version: &str,
    mut tools: Vec<ToolDef>,
) -> Result<ToolkitSchemas> {
    for (i, tool) in tools.iter().enumerate() {
        if tool.toolkit.as_deref().is_some_and(|own| own != toolkit) {
            return Err(Error::Definition {
                origin: origin.to_owned(),
                pointer: format!("/{i}/toolkit"),
                message: format!("{}: belongs to another toolkit than `{toolkit}`", tool.slug),
            });
        }
    }
    tools.sort_by(|a, b| a.slug.cmp(&b.slug));
    if let Some(pair) = tools.windows(2).find(|w| w[0].slug == w[1].slug) {
        return Err(Error::Definition {
            origin: origin.to_owned(),
            pointer: String::new(),
            message: format!("the tool `{}` is listed twice", pair[0].slug),
        });
    }
    Ok(ToolkitSchemas {
        toolkit: toolkit.to_owned(),
        display_name: display_name(toolkit, &tools),
        version: version.to_owned(),
        tools,
        triggers: Vec::new(),
    })
}

/// The trigger types of one toolkit version, checked to belong to it and sorted by slug.
pub(crate) fn toolkit_triggers(origin: &Path, toolkit: &str, mut triggers: Vec<TriggerDef>) -> Result<Vec<TriggerDef>> {
    let fail =
        |pointer: String, message: String| Error::Definition { origin: origin.display().to_string(), pointer, message };
    for (i, trigger) in triggers.iter().enumerate() {
        if trigger.toolkit.as_deref().is_some_and(|own| own != toolkit) {
            return Err(fail(
                format!("/{i}/toolkit"),
                format!("{}: belongs to another toolkit than `{toolkit}`", trigger.slug),
            ));
        }
    }
    triggers.sort_by(|a, b| a.slug.cmp(&b.slug));
    if let Some(pair) = triggers.windows(2).find(|w| w[0].slug == w[1].slug) {
        return Err(fail(String::new(), format!("the trigger type `{}` is listed twice", pair[0].slug)));
    }
    Ok(triggers)
}

/// Reads and parses one JSON file of trigger type definitions.
pub(crate) fn read_triggers(path: &Path) -> Result<Vec<TriggerDef>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Json { path: path.to_owned(), source: e })?;
    model::parse_trigger_document(&path.display().to_string(), doc)
}

/// Reads and parses one JSON file of tool definitions.
pub(crate) fn read_tools(path: &Path) -> Result<Vec<ToolDef>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Json { path: path.to_owned(), source: e })?;
    model::parse_document_owned(&path.display().to_string(), doc)
}

fn not_pinned_hint(dir: &Path, lock: &Lock, toolkit: &str) -> String {
    format!(
        "it is not pinned in {} (pinned: {}). Fetch and pin it with `composio-codegen {toolkit}` \
         (needs COMPOSIO_API_KEY), or pass --from FILE with its tool definitions",
        dir.join(crate::lock::LOCK_FILE).display(),
        pinned_list(lock)
    )
}

/// The pinned toolkits, for messages: `github, gmail`, or `none`.
pub(crate) fn pinned_list(lock: &Lock) -> String {
    let pinned: Vec<&str> = lock.toolkits.keys().map(String::as_str).collect();
    if pinned.is_empty() { "none".to_owned() } else { pinned.join(", ") }
}
