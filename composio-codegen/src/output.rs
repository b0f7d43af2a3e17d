//! Formatted files → disk, atomically.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Replaces `path` with `content` unless it already holds exactly that. Returns whether the
/// file changed.
///
/// The content goes to a temporary file in the same directory, which is then renamed over the
/// target: a crash or a full disk never leaves a half-written file behind.
pub fn write_if_changed(path: &Path, content: &[u8]) -> Result<bool> {
    if std::fs::read(path).is_ok_and(|existing| existing == content) {
        return Ok(false);
    }
    write_atomic(path, content)?;
    Ok(true)
}

/// Writes `content` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::Builder::new().prefix(".composio-codegen-").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(content).map_err(|e| Error::io(tmp.path(), e))?;
    // Temporary files are private (0600); a module file should read like any other source.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        let perms = std::fs::Permissions::from_mode(mode);
        tmp.as_file().set_permissions(perms).map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
