//! Writing the schema cache: canonical JSON files, and the order of writes that keeps the cache,
//! the modules and the lock consistent.
//!
//! A cache file is meant to be reviewed in a pull request, so its text depends only on the tools
//! it holds: pretty-printed with a 2-space indent, object keys sorted recursively, tools sorted by
//! slug, and a trailing newline. Two fetches of the same schemas give the same bytes, so an
//! update that changed nothing leaves no diff, and one that changed something shows exactly that.

#[cfg(feature = "live")]
use std::path::{Path, PathBuf};

use serde_json::Value;

// Only the live commands write the cache; the canonical text is also the form tests compare.
#[cfg(feature = "live")]
use crate::{
    error::{Error, Result},
    lock::Lock,
    output,
};

/// The canonical text of a cache file holding `tools`: 2-space indent, keys sorted at every level.
///
/// Tools are sorted by their `slug` (tools without one sort first, in their given order); the
/// order of the input never shows.
pub fn render_tools(tools: &[Value]) -> String {
    render_tool_refs(tools.iter().collect())
}

/// [`render_tools`] over borrowed tools, so callers holding them elsewhere need not clone.
pub fn render_tool_refs(mut tools: Vec<&Value>) -> String {
    tools.sort_by(|a, b| slug_of(a).cmp(slug_of(b)));
    let mut out = Vec::with_capacity(tools.len() * 4096);
    if tools.is_empty() {
        out.extend_from_slice(b"[]");
    } else {
        out.extend_from_slice(b"[\n");
        for (i, tool) in tools.iter().enumerate() {
            indent(&mut out, 1);
            write_value(&mut out, tool, 1);
            out.extend_from_slice(if i + 1 < tools.len() { b",\n" } else { b"\n" });
        }
        out.push(b']');
    }
    out.push(b'\n');
    into_string(out)
}

fn into_string(bytes: Vec<u8>) -> String {
    // Only serde_json's output and ASCII punctuation went in: always UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn slug_of(tool: &Value) -> &str {
    tool.get("slug").and_then(Value::as_str).unwrap_or("")
}

fn indent(out: &mut Vec<u8>, level: usize) {
    for _ in 0..level {
        out.extend_from_slice(b"  ");
    }
}

/// serde_json's pretty format, with keys sorted at every level whatever map type serde_json
/// was built with (another crate in the graph may turn on `preserve_order`).
fn write_value(out: &mut Vec<u8>, value: &Value, level: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.extend_from_slice(b"[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write_value(out, item, level + 1);
                out.extend_from_slice(if i + 1 < items.len() { b",\n" } else { b"\n" });
            }
            indent(out, level);
            out.push(b']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.extend_from_slice(b"{\n");
            for (i, (key, item)) in entries.iter().enumerate() {
                indent(out, level + 1);
                leaf(out, *key);
                out.extend_from_slice(b": ");
                write_value(out, item, level + 1);
                out.extend_from_slice(if i + 1 < entries.len() { b",\n" } else { b"\n" });
            }
            indent(out, level);
            out.push(b'}');
        }
        Value::Array(_) => out.extend_from_slice(b"[]"),
        Value::Object(_) => out.extend_from_slice(b"{}"),
        other => leaf(out, other),
    }
}

/// Strings, numbers, booleans and null exactly as serde_json escapes and formats them.
fn leaf<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing a string or a scalar into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A toolkit whose schemas were fetched, ready to be written into the cache.
#[cfg(feature = "live")]
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    /// Toolkit slug.
    pub toolkit: String,
    /// The concrete version fetched.
    pub version: String,
    /// The version the lock pinned before, if any.
    pub previous: Option<String>,
    /// The cache file's canonical text ([`render_tools`]).
    pub content: String,
    /// The trigger types file's canonical text, the same way; `None` when the version has no
    /// trigger types, and then no file is written.
    pub triggers: Option<String>,
}

/// What [`write_cache`] did.
#[cfg(feature = "live")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheWritten {
    /// Cache files written or left as they were: (path, whether it changed).
    pub files: Vec<(PathBuf, bool)>,
}

/// Writes the cache files of `entries` (each atomically; identical files are not touched).
///
/// Call it before the modules and the lock are written: a new version's file is unreferenced
/// until the lock names it, so stopping half-way leaves the previous state usable.
#[cfg(feature = "live")]
pub fn write_cache(cache_dir: &Path, entries: &[CacheEntry]) -> Result<CacheWritten> {
    let mut written = CacheWritten::default();
    for entry in entries {
        let path = Lock::schema_path(cache_dir, &entry.toolkit, &entry.version);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let changed = output::write_if_changed(&path, entry.content.as_bytes())?;
        written.files.push((path, changed));
        let trigger_path = Lock::trigger_schema_path(cache_dir, &entry.toolkit, &entry.version);
        match &entry.triggers {
            Some(content) => {
                let changed = output::write_if_changed(&trigger_path, content.as_bytes())?;
                written.files.push((trigger_path, changed));
            }
            // A version that lost its trigger types keeps no stale file that would still
            // generate them.
            None => match std::fs::remove_file(&trigger_path) {
                Ok(()) => written.files.push((trigger_path, true)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(trigger_path, e)),
            },
        }
    }
    Ok(written)
}

/// Pins every entry in `lock` and writes the lock (atomically, only if its text changed).
/// Returns whether it changed. This is the last write of an update. With no entries the lock
/// is left as it is, comments and all.
#[cfg(feature = "live")]
pub fn write_lock(cache_dir: &Path, lock: &mut Lock, entries: &[CacheEntry]) -> Result<bool> {
    if entries.is_empty() {
        return Ok(false);
    }
    for entry in entries {
        lock.toolkits.insert(entry.toolkit.clone(), entry.version.clone());
    }
    std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
    output::write_if_changed(&cache_dir.join(crate::lock::LOCK_FILE), lock.render().as_bytes())
}

/// Removes the cache files of versions the lock no longer pins, once the lock names the new
/// ones. Only the previous file of each entry is considered, never anything else in the
/// directory. Returns the files removed; a file that cannot be removed is only reported by the
/// caller, as it is merely stale.
#[cfg(feature = "live")]
pub fn prune_previous(cache_dir: &Path, lock: &Lock, entries: &[CacheEntry]) -> Vec<Result<PathBuf>> {
    let mut out = Vec::new();
    for entry in entries {
        let Some(previous) = &entry.previous else { continue };
        if lock.toolkits.get(&entry.toolkit) == Some(previous) {
            continue;
        }
        for path in [
            Lock::schema_path(cache_dir, &entry.toolkit, previous),
            Lock::trigger_schema_path(cache_dir, &entry.toolkit, previous),
        ] {
            match std::fs::remove_file(&path) {
                Ok(()) => out.push(Ok(path)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => out.push(Err(Error::io(path, e))),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lock::Lock;
    use serde_json::json;

    #[test]
    fn reproduces_the_committed_cache_byte_for_byte() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        let lock = Lock::read(&root).unwrap();
        assert!(!lock.toolkits.is_empty());
        for (toolkit, version) in &lock.toolkits {
            let path = Lock::schema_path(&root, toolkit, version);
            let committed = std::fs::read_to_string(&path).unwrap();
            let tools: Vec<Value> = serde_json::from_str(&committed).unwrap();
            let mut shuffled = tools.clone();
            shuffled.reverse();
            assert!(render_tools(&shuffled) == committed, "{} differs", path.display());
        }
    }

    #[test]
    fn sorts_keys_recursively_and_tools_by_slug() {
        let tools = vec![
            json!({"slug": "B", "z": [1, {"y": null, "x": "é\n"}], "a": {}}),
            json!({"slug": "A", "input_parameters": {"properties": {}, "type": "object"}, "n": 1.5}),
        ];
        let expected = "[\n  {\n    \"input_parameters\": {\n      \"properties\": {},\n      \"type\": \"object\"\n    },\n    \"n\": 1.5,\n    \"slug\": \"A\"\n  },\n  {\n    \"a\": {},\n    \"slug\": \"B\",\n    \"z\": [\n      1,\n      {\n        \"x\": \"é\\n\",\n        \"y\": null\n      }\n    ]\n  }\n]\n";
        assert_eq!(render_tools(&tools), expected);
        assert_eq!(render_tools(&[]), "[]\n");
    }
}
