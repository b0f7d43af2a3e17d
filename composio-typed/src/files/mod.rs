//! Files: arguments to upload (`file_uploadable`) and results to download
//! (`file_downloadable`).
//!
//! A file argument is a local path or bytes in the typed API. Before the call, the client asks
//! Composio for an upload slot (`POST /files/upload/request` with the name, MIME type and MD5),
//! PUTs the bytes to the presigned URL unless Composio already has them, and sends
//! `{name, mimetype, s3key}` in their place.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod download;
mod upload;

/// A file argument: a local path, bytes in memory, or a file already uploaded.
#[derive(Clone, PartialEq, Eq)]
pub struct FileInput {
    source: Source,
}

#[derive(Clone, PartialEq, Eq)]
enum Source {
    Path { path: PathBuf, mimetype: Option<String> },
    Bytes { name: String, mimetype: Option<String>, bytes: Arc<[u8]> },
    Uploaded(UploadedFile),
}

/// A file Composio holds: what a `file_uploadable` argument is on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// File name.
    pub name: String,
    /// MIME type.
    pub mimetype: String,
    /// Storage key returned by the upload request.
    pub s3key: String,
}

impl FileInput {
    /// A local file, read and uploaded when the call is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        FileInput { source: Source::Path { path: path.into(), mimetype: None } }
    }

    /// Bytes in memory, uploaded under `name` when the call is sent.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        FileInput { source: Source::Bytes { name: name.into(), mimetype: None, bytes: bytes.into().into() } }
    }

    /// A file uploaded before, sent as is.
    pub fn uploaded(file: UploadedFile) -> Self {
        FileInput { source: Source::Uploaded(file) }
    }

    /// Sets the MIME type instead of guessing it from the file name.
    pub fn mimetype(mut self, mimetype: impl Into<String>) -> Self {
        match &mut self.source {
            Source::Path { mimetype: m, .. } | Source::Bytes { mimetype: m, .. } => *m = Some(mimetype.into()),
            Source::Uploaded(file) => file.mimetype = mimetype.into(),
        }
        self
    }

    /// The uploaded file, once the client has uploaded it.
    pub fn as_uploaded(&self) -> Option<&UploadedFile> {
        match &self.source {
            Source::Uploaded(file) => Some(file),
            _ => None,
        }
    }
}

impl fmt::Debug for FileInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Path { path, .. } => f.debug_tuple("FileInput::Path").field(path).finish(),
            Source::Bytes { name, bytes, .. } => write!(f, "FileInput::Bytes({name:?}, {} bytes)", bytes.len()),
            Source::Uploaded(file) => f.debug_tuple("FileInput::Uploaded").field(file).finish(),
        }
    }
}

impl From<PathBuf> for FileInput {
    fn from(path: PathBuf) -> Self {
        FileInput::path(path)
    }
}

impl From<&Path> for FileInput {
    fn from(path: &Path) -> Self {
        FileInput::path(path)
    }
}

impl From<&str> for FileInput {
    /// A path.
    fn from(path: &str) -> Self {
        FileInput::path(path)
    }
}

impl From<String> for FileInput {
    /// A path.
    fn from(path: String) -> Self {
        FileInput::path(path)
    }
}

impl From<UploadedFile> for FileInput {
    fn from(file: UploadedFile) -> Self {
        FileInput::uploaded(file)
    }
}

impl Serialize for FileInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.source {
            Source::Uploaded(file) => file.serialize(serializer),
            _ => Err(serde::ser::Error::custom(
                "a local file argument must be uploaded first: send the call through composio_typed::Client",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for FileInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        UploadedFile::deserialize(deserializer).map(FileInput::uploaded)
    }
}

/// Reaches every [`FileInput`] inside a value. Generated code implements it for types that
/// carry files.
pub trait VisitFiles {
    /// Calls `visit` with each file argument inside `self`, in a fixed order.
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput));
}

impl VisitFiles for FileInput {
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        visit(self);
    }
}

impl<T: VisitFiles> VisitFiles for Option<T> {
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        if let Some(inner) = self {
            inner.visit_files(visit);
        }
    }
}

impl<T: VisitFiles> VisitFiles for Vec<T> {
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        self.iter_mut().for_each(|item| item.visit_files(visit));
    }
}

impl<T: VisitFiles> VisitFiles for Box<T> {
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        (**self).visit_files(visit);
    }
}

impl<T: VisitFiles> VisitFiles for BTreeMap<String, T> {
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        self.values_mut().for_each(|item| item.visit_files(visit));
    }
}

/// A file a tool returned (`file_downloadable`): save it with [`Client::download`](crate::Client::download).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDownload {
    /// File name as the tool gave it.
    pub name: String,
    /// MIME type.
    pub mimetype: String,
    /// Where to fetch it.
    pub s3url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_refuse_to_serialize() {
        assert!(serde_json::to_value(FileInput::path("a.txt")).is_err());
        let done = UploadedFile { name: "a.txt".into(), mimetype: "text/plain".into(), s3key: "k".into() };
        assert_eq!(
            serde_json::to_value(FileInput::uploaded(done)).unwrap(),
            serde_json::json!({"name": "a.txt", "mimetype": "text/plain", "s3key": "k"})
        );
    }
}
