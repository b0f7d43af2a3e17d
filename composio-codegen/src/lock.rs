//! The lock file: which version of each toolkit the committed bindings are pinned to.
//!
//! It lives beside the schema cache as `composio.lock`, a small TOML file meant for review:
//!
//! ```toml
//! [toolkits]
//! github = "20251027_00"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The lock file's name inside the schema cache directory.
pub const LOCK_FILE: &str = "composio.lock";

/// Pinned toolkit versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Toolkit slug → version id.
    #[serde(default)]
    pub toolkits: BTreeMap<String, String>,
}

impl Lock {
    /// Reads the lock of a schema cache; a missing file is an empty lock.
    pub fn read(cache_dir: &Path) -> Result<Lock> {
        let path = cache_dir.join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let lock: Lock =
            toml::from_str(&text).map_err(|e| Error::Lock { path: path.clone(), message: e.to_string() })?;
        for (toolkit, version) in &lock.toolkits {
            if !crate::model::valid_toolkit_slug(toolkit) || !valid_version(version) || version == "latest" {
                return Err(Error::Lock {
                    path,
                    message: format!("`{toolkit} = \"{version}\"` is not a toolkit pinned to a concrete version id"),
                });
            }
        }
        Ok(lock)
    }

    /// The lock file's text.
    pub fn render(&self) -> String {
        let mut text = String::from(
            "# Composio toolkit versions pinned for code generation.\n\
             # Managed by composio-codegen (--pin, --update); each toolkit's tool schemas are in\n\
             # <toolkit>/<version>.json beside this file.\n\n[toolkits]\n",
        );
        for (toolkit, version) in &self.toolkits {
            text.push_str(&format!("{toolkit} = \"{version}\"\n"));
        }
        text
    }

    /// Where a pinned toolkit's schemas live in the cache.
    pub fn schema_path(cache_dir: &Path, toolkit: &str, version: &str) -> PathBuf {
        cache_dir.join(toolkit).join(format!("{version}.json"))
    }

    /// Where the cache keeps the trigger types of a toolkit version: beside its tools, so the
    /// pin covers both.
    pub fn trigger_schema_path(cache_dir: &Path, toolkit: &str, version: &str) -> PathBuf {
        cache_dir.join(toolkit).join(format!("{version}.triggers.json"))
    }
}

/// Whether `version` looks like a Composio toolkit version: `YYYYMMDD_NN`, or the older `0_1`
/// style, or `latest`.
pub fn valid_version(version: &str) -> bool {
    version == "latest"
        || (!version.is_empty()
            && version.len() <= 32
            && version.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
}

/// Checks pins given in code or on the command line (`Config::pin`, `--pin`): each names a
/// toolkit slug and a version id, as the lock file would.
pub fn check_pins(pins: &BTreeMap<String, String>) -> Result<()> {
    for (toolkit, version) in pins {
        if !crate::model::valid_toolkit_slug(toolkit) || !valid_version(version) {
            return Err(Error::Usage(format!(
                "the pin {toolkit:?} = {version:?} is not a toolkit slug and a version id, like github = \"20251027_00\""
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let mut lock = Lock::default();
        lock.toolkits.insert("github".into(), "20251027_00".into());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), lock.render()).unwrap();
        assert_eq!(Lock::read(dir.path()).unwrap(), lock);
    }

    #[test]
    fn refuses_latest_and_junk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "[toolkits]\ngithub = \"latest\"\n").unwrap();
        assert!(Lock::read(dir.path()).unwrap_err().to_string().contains("concrete version"));
        std::fs::write(dir.path().join(LOCK_FILE), "[toolkit]\n").unwrap();
        assert!(Lock::read(dir.path()).is_err());
    }
}
