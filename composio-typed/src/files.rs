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

use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::tool::{Tool, ToolMeta};
use crate::transport::Request;
use crate::wire;

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

/// A file a tool returned (`file_downloadable`): save it with [`Client::download`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDownload {
    /// File name as the tool gave it.
    pub name: String,
    /// MIME type.
    pub mimetype: String,
    /// Where to fetch it.
    pub s3url: String,
}

/// A file ready to upload: bytes, name and type.
struct Pending {
    name: String,
    mimetype: String,
    bytes: Arc<[u8]>,
}

impl Client {
    /// Uploads every local file argument of `input` and puts the uploaded references in their
    /// place. Tools without file parameters skip this entirely.
    pub(crate) async fn upload_files<T: Tool>(&self, meta: &ToolMeta, input: &mut T) -> Result<()> {
        let mut local = Vec::new();
        input.visit_files(&mut |file| {
            if file.as_uploaded().is_none() {
                local.push(file.clone());
            }
        });
        if local.is_empty() {
            return Ok(());
        }
        let mut uploaded = Vec::with_capacity(local.len());
        for file in local {
            uploaded.push(self.upload(meta.toolkit, meta.slug, file).await?);
        }
        let mut uploaded = uploaded.into_iter();
        input.visit_files(&mut |file| {
            if file.as_uploaded().is_none()
                && let Some(done) = uploaded.next()
            {
                *file = FileInput::uploaded(done);
            }
        });
        Ok(())
    }

    /// Uploads one file for a tool and returns the reference to send in its place.
    pub async fn upload(&self, toolkit: &str, tool: &str, file: FileInput) -> Result<UploadedFile> {
        let pending = match file.source {
            Source::Uploaded(done) => return Ok(done),
            Source::Path { path, mimetype } => {
                let bytes = tokio::fs::read(&path)
                    .await
                    .map_err(|e| Error::File { path: path.display().to_string(), message: e.to_string() })?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
                let mimetype = mimetype.unwrap_or_else(|| guess_mimetype(&name));
                Pending { name, mimetype, bytes: bytes.into() }
            }
            Source::Bytes { name, mimetype, bytes } => {
                let mimetype = mimetype.unwrap_or_else(|| guess_mimetype(&name));
                Pending { name, mimetype, bytes }
            }
        };
        let md5 = hex(&Md5::digest(&pending.bytes));
        let span = tracing::info_span!(
            "composio.upload",
            tool,
            file = %pending.name,
            bytes = pending.bytes.len(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        self.upload_pending(toolkit, tool, pending, md5).instrument(span).await.map_err(|e| self.redact(e))
    }

    async fn upload_pending(&self, toolkit: &str, tool: &str, pending: Pending, md5: String) -> Result<UploadedFile> {
        // Checked before asking for a slot: storage gets the type as the PUT's content type.
        let content_type = HeaderValue::from_str(&pending.mimetype).map_err(|_| Error::File {
            path: pending.name.clone(),
            message: format!("`{}` is not a valid MIME type", pending.mimetype),
        })?;
        let body = serde_json::json!({
            "toolkit_slug": toolkit,
            "tool_slug": tool,
            "filename": pending.name,
            "mimetype": pending.mimetype,
            "md5": md5,
        });
        let request =
            Request::api(Method::POST, self.api_url("/files/upload/request")).json(body.to_string().into_bytes());
        // Asking for an upload slot twice is harmless: it is retried like a read.
        let answer = self.send(&request, Kind::Read, None).await?;
        let slot = wire::json_object(answer.status, &answer.body, None)?;
        let text = |names: &[&str]| names.iter().find_map(|n| slot.get(*n).and_then(Value::as_str)).map(str::to_owned);
        let key = text(&["key"])
            .ok_or_else(|| wire::invalid(None, answer.status, "upload answer without `key`", &answer.body))?;
        if slot.get("type").and_then(Value::as_str) != Some("existing") {
            let url = text(&["new_presigned_url", "newPresignedUrl"]).ok_or_else(|| {
                wire::invalid(None, answer.status, "upload answer without a presigned URL", &answer.body)
            })?;
            let mut put = Request::storage(Method::PUT, url);
            put.body = Some((Bytes::from_owner(pending.bytes.clone()), content_type));
            if slot.get("metadata").and_then(|m| m.get("storage_backend")).and_then(Value::as_str)
                == Some("azure_blob_storage")
            {
                put.headers.push(("x-ms-blob-type", "BlockBlob".into()));
            }
            self.send(&put, Kind::Read, None).await?;
        }
        Ok(UploadedFile { name: pending.name, mimetype: pending.mimetype, s3key: key })
    }

    /// The bytes of a file a tool returned.
    pub async fn download_bytes(&self, file: &FileDownload) -> Result<Vec<u8>> {
        let span = tracing::info_span!(
            "composio.download",
            file = %file.name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        // A presigned URL: the API key must not travel to storage.
        let request = Request::storage(Method::GET, file.s3url.clone());
        let answer = self.send(&request, Kind::Read, None).instrument(span).await.map_err(|e| self.redact(e))?;
        Ok(answer.body.to_vec())
    }

    /// Saves a file a tool returned into `dir` under its own name (reduced to a plain file
    /// name, so a hostile name cannot escape `dir`), and returns the path written.
    pub async fn download(&self, file: &FileDownload, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let bytes = self.download_bytes(file).await?;
        let path = dir.join(safe_file_name(&file.name));
        let tmp = dir.join(format!(".{}.part-{:016x}", safe_file_name(&file.name), fastrand::u64(..)));
        let io = |e: std::io::Error, p: &Path| Error::File { path: p.display().to_string(), message: e.to_string() };
        tokio::fs::create_dir_all(dir).await.map_err(|e| io(e, dir))?;
        tokio::fs::write(&tmp, &bytes).await.map_err(|e| io(e, &tmp))?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e, &path));
        }
        Ok(path)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn guess_mimetype(name: &str) -> String {
    mime_guess::from_path(name).first_or_octet_stream().essence_str().to_owned()
}

/// The last component of a name, without separators or dot-only names.
fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') { "download".to_owned() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside_the_directory() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\x.txt"), "x.txt");
        assert_eq!(safe_file_name(".."), "download");
        assert_eq!(safe_file_name("report.pdf"), "report.pdf");
    }

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
