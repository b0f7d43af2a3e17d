//! The names record: the Rust names of a toolkit's shared types, kept across regenerations.
//!
//! Type names are chosen from context (titles, parents, how many tools share a shape), so
//! without a record a tool added or removed upstream could rename types other tools use. The
//! record, `<toolkit>/names.toml` in the schema cache, lists each type's name with its uses,
//! one per tool (tool slug and path, `GITHUB_CREATE_AN_ISSUE/output/user`); the generator
//! gives a type the recorded name of any use it still has. It belongs to the toolkit, not to
//! a version, so names survive `--update`.
//!
//! The CLI's generation runs write it (only when it changed, atomically); `--check` reports
//! a stale one; build scripts only read it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The record's file name inside `<cache>/<toolkit>/`.
pub const NAMES_FILE: &str = "names.toml";

/// Rust type name → its uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRecord {
    /// `SimpleUser` → `["GITHUB_CREATE_AN_ISSUE/output/assignee", …]`.
    #[serde(default)]
    pub types: BTreeMap<String, Vec<String>>,
}

impl NameRecord {
    /// Where a toolkit's record lives in a schema cache.
    pub fn path(cache_dir: &Path, toolkit: &str) -> PathBuf {
        cache_dir.join(toolkit).join(NAMES_FILE)
    }

    /// Reads a toolkit's record; a missing file is an empty record. A name that is not a
    /// plain Rust type name is an error: it would end up in generated code.
    pub fn read(cache_dir: &Path, toolkit: &str) -> Result<NameRecord> {
        let path = Self::path(cache_dir, toolkit);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(NameRecord::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let record: NameRecord =
            toml::from_str(&text).map_err(|e| Error::Lock { path: path.clone(), message: e.to_string() })?;
        if let Some(name) = record.types.keys().find(|name| !crate::naming::is_type_name(name)) {
            return Err(Error::Lock {
                path,
                message: format!("`{name}` is not a Rust type name generated code can use"),
            });
        }
        Ok(record)
    }

    /// Use → recorded name.
    pub fn by_use(&self) -> HashMap<&str, &str> {
        self.types.iter().flat_map(|(name, uses)| uses.iter().map(move |u| (u.as_str(), name.as_str()))).collect()
    }

    /// The record's text: sorted, so the same names always give the same bytes.
    pub fn render(&self, toolkit: &str) -> String {
        let mut text = format!(
            "# Rust names of the shared types of the `{toolkit}` module, kept so that a tool added or\n\
             # removed upstream renames nothing else. Managed by composio-codegen: each name lists\n\
             # its uses, one per tool (tool slug and path). Edit a name to rename a type.\n\n[types]\n"
        );
        for (name, uses) in &self.types {
            // TOML basic strings share JSON's escapes for everything a use can hold.
            let uses: Vec<String> = uses.iter().map(|u| serde_json::to_string(u).unwrap_or_default()).collect();
            match uses.as_slice() {
                [one] => text.push_str(&format!("{name} = [{one}]\n")),
                _ => text.push_str(&format!("{name} = [\n    {},\n]\n", uses.join(",\n    "))),
            }
        }
        text
    }

    /// Writes the record unless the file already holds exactly it; returns whether it changed.
    pub fn write(&self, cache_dir: &Path, toolkit: &str) -> Result<bool> {
        let path = Self::path(cache_dir, toolkit);
        // A toolkit without nested types needs no record file.
        if self.types.is_empty() && !path.exists() {
            return Ok(false);
        }
        let dir = cache_dir.join(toolkit);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir, e))?;
        crate::output::write_if_changed(&path, self.render(toolkit).as_bytes())
    }

    /// Whether the file on disk differs from this record (a missing file differs unless the
    /// record is empty).
    pub fn is_stale(&self, cache_dir: &Path, toolkit: &str) -> Result<bool> {
        let path = Self::path(cache_dir, toolkit);
        match std::fs::read(&path) {
            Ok(existing) => Ok(existing != self.render(toolkit).as_bytes()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(!self.types.is_empty()),
            Err(e) => Err(Error::io(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text_with_odd_keys() {
        let mut record = NameRecord::default();
        record.types.insert("SimpleUser".into(), vec!["A_X/output/we\"ird key\\/items".into(), "A_Y/output/u".into()]);
        record.types.insert("State".into(), vec!["A_X/input/state".into()]);
        let dir = tempfile::tempdir().unwrap();
        assert!(record.write(dir.path(), "a").unwrap());
        assert!(!record.write(dir.path(), "a").unwrap());
        assert_eq!(NameRecord::read(dir.path(), "a").unwrap(), record);
        assert!(!record.is_stale(dir.path(), "a").unwrap());
    }

    #[test]
    fn refuses_a_name_that_is_not_a_type_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(NameRecord::path(dir.path(), "a"), "[types]\n\"fn main() {}\" = [\"A_X/input/q\"]\n").unwrap();
        assert!(NameRecord::read(dir.path(), "a").unwrap_err().to_string().contains("not a Rust type name"));
    }
}
