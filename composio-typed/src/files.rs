//! Files: arguments to upload (`file_uploadable`) and results to download
//! (`file_downloadable`).
//!
//! A file argument is a local path or bytes in the typed API. Before the call, the client asks
//! Composio for an upload slot (`POST /files/upload/request` with the name, MIME type and MD5),
//! PUTs the bytes to the presigned URL unless Composio already has them, and sends
//! `{name, mimetype, s3key}` in their place.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
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
        let md5 = md5_hex(pending.bytes.clone()).await;
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
        // `Vec::from` takes over the body's buffer when nothing else shares it; `to_vec` copied.
        self.download_body(file).await.map(Vec::from)
    }

    async fn download_body(&self, file: &FileDownload) -> Result<Bytes> {
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
        Ok(answer.body)
    }

    /// Saves a file a tool returned into `dir` under its own name, and returns the path written.
    ///
    /// The name is reduced to one plain file name that is valid on every platform, so a hostile
    /// name cannot escape `dir`: its last component only, with `:` and the other characters
    /// Windows reserves replaced by `_`, trailing dots and spaces dropped, device names such as
    /// `CON` or `nul.txt` prefixed with `_`, and at most 200 bytes. A file of that name already
    /// in `dir` is replaced.
    pub async fn download(&self, file: &FileDownload, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let bytes = self.download_body(file).await?;
        let name = safe_file_name(&file.name);
        let path = dir.join(&name);
        let tmp = dir.join(part_file_name(&name));
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

/// Files larger than this are hashed on tokio's blocking pool. MD5 runs at about 0.5 GB/s, so a
/// 100 MB attachment would hold an executor thread, and every task waiting on it, for 200 ms;
/// below 1 MB the trip to another thread costs more than the hash.
const HASH_IN_PLACE_MAX: usize = 1 << 20;

/// The MD5 of an upload, in hex, as the upload request wants it.
async fn md5_hex(bytes: Arc<[u8]>) -> String {
    if bytes.len() <= HASH_IN_PLACE_MAX {
        return hex(&Md5::digest(&bytes));
    }
    let shared = bytes.clone();
    match tokio::task::spawn_blocking(move || Md5::digest(&shared)).await {
        Ok(digest) => hex(&digest),
        // The runtime is shutting down and dropped the task: hash here rather than fail.
        Err(_) => hex(&Md5::digest(&bytes)),
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

/// Longest name kept, in bytes: the temporary `.{name}.part-{16 hex digits}` written beside the
/// file must stay within the 255 bytes file systems allow for one name.
const MAX_NAME_BYTES: usize = 200;

/// An extension longer than this is not kept whole when a long name is cut.
const MAX_EXTENSION_BYTES: usize = 16;

/// Names Windows reserves for devices: as the part before the first dot, in any case, they open
/// the device instead of a file (`nul.txt` is `NUL`).
const RESERVED_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹",
    "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²",
    "LPT³",
];

/// A name a tool gave, reduced to one plain file name on every platform: its last component,
/// without control characters, without the characters Windows gives a meaning (`:` makes
/// `C:evil` relative to another drive's directory, or opens a data stream), without the
/// trailing dots and spaces Windows drops, not a device name, and short enough for its
/// temporary name.
fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let replaced: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, ':' | '<' | '>' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let trimmed = replaced.trim().trim_end_matches(['.', ' ']);
    let mut safe = cut(trimmed);
    let stem = safe.split('.').next().unwrap_or_default().trim_end();
    if RESERVED_NAMES.iter().any(|reserved| stem.eq_ignore_ascii_case(reserved)) {
        safe.insert(0, '_');
    }
    let mut parts = Path::new(&safe).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => safe,
        _ => "download".to_owned(),
    }
}

/// `name` cut to [`MAX_NAME_BYTES`] on a character boundary, keeping a short extension.
fn cut(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= MAX_EXTENSION_BYTES => name.split_at(dot),
        _ => (name, ""),
    };
    let mut keep = MAX_NAME_BYTES - extension.len();
    while !stem.is_char_boundary(keep) {
        keep -= 1;
    }
    let stem = stem[..keep].trim_end_matches(['.', ' ']);
    format!("{stem}{extension}")
}

/// The temporary name a download is written under before it is renamed into place.
fn part_file_name(name: &str) -> String {
    format!(".{name}.part-{:016x}", fastrand::u64(..))
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
        // Windows: a drive prefix without a root replaces the directory in `dir.join(name)`, and
        // `:` also opens an alternate data stream.
        assert_eq!(safe_file_name("C:evil.txt"), "C_evil.txt");
        assert_eq!(safe_file_name("a:b"), "a_b");
        assert_eq!(safe_file_name("C:"), "C_");
        assert_eq!(safe_file_name("C:\\Windows\\evil.dll"), "evil.dll");
        assert_eq!(safe_file_name("\\\\?\\C:\\x.txt"), "x.txt");
        assert_eq!(safe_file_name("x<y>z|?*\"w"), "x_y_z____w");
        // Windows: device names, with or without an extension, in any case, name no file.
        assert_eq!(safe_file_name("CON"), "_CON");
        assert_eq!(safe_file_name("nul.txt"), "_nul.txt");
        assert_eq!(safe_file_name("Com1.tar.gz"), "_Com1.tar.gz");
        assert_eq!(safe_file_name("lpt9"), "_lpt9");
        assert_eq!(safe_file_name("aux .txt"), "_aux .txt");
        assert_eq!(safe_file_name("CONSOLE.txt"), "CONSOLE.txt");
        assert_eq!(safe_file_name("com10"), "com10");
        // Windows drops trailing dots and spaces, so `name. ` would be written as `name`.
        assert_eq!(safe_file_name("name. "), "name");
        assert_eq!(safe_file_name("report.pdf..."), "report.pdf");
        assert_eq!(safe_file_name(". ."), "download");
        for name in [
            "C:evil.txt",
            "CON",
            "nul.txt",
            "a:b",
            "name. ",
            "../x",
            "..\\..\\x",
            "/",
            "\\",
            "",
            " ",
            ". .",
            "con.",
            "x\u{0}y",
            "dir/..",
            "C:..",
        ] {
            let safe = safe_file_name(name);
            let mut parts = Path::new(&safe).components();
            assert!(matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None)), "{name:?} -> {safe:?}");
            assert!(!safe.contains([':', '/', '\\']), "{name:?} -> {safe:?}");
        }
    }

    #[test]
    fn long_names_are_cut_so_the_temporary_name_fits_name_max() {
        let long = format!("{}.pdf", "a".repeat(300));
        let safe = safe_file_name(&long);
        assert!(safe.ends_with(".pdf") && safe.starts_with("aaa"), "{safe}");
        assert!(part_file_name(&safe).len() <= 255, "{} bytes", safe.len());
        // Cut on a character boundary, and the cut leaves no trailing dot or space.
        let wide = "é".repeat(200);
        let safe = safe_file_name(&wide);
        assert!(part_file_name(&safe).len() <= 255, "{} bytes", safe.len());
        assert!(safe.chars().all(|c| c == 'é'));
        let dotted = format!("{}. {}", "b".repeat(199), "c".repeat(100));
        assert!(!safe_file_name(&dotted).ends_with(['.', ' ']), "{}", safe_file_name(&dotted));
    }

    #[tokio::test]
    async fn a_large_file_is_hashed_off_the_executor_thread() {
        use std::sync::atomic::{AtomicBool, Ordering};

        // On this current-thread runtime the spawned task runs only if hashing yields the thread.
        let hash_while_polling = |bytes: Vec<u8>| async move {
            let ran = Arc::new(AtomicBool::new(false));
            let flag = ran.clone();
            let other = tokio::spawn(async move { flag.store(true, Ordering::SeqCst) });
            let md5 = md5_hex(bytes.into()).await;
            let ran = ran.load(Ordering::SeqCst);
            other.await.unwrap();
            (md5, ran)
        };
        let (md5, ran) = hash_while_polling(vec![0u8; 32 << 20]).await;
        assert_eq!(md5, hex(&Md5::digest(vec![0u8; 32 << 20])));
        assert!(ran, "32 MB were hashed on the executor thread");
        // Small files are hashed in place: a trip to the blocking pool would cost more.
        let (md5, ran) = hash_while_polling(b"hello".to_vec()).await;
        assert_eq!(md5, "5d41402abc4b2a76b9719d911017c592");
        assert!(!ran);
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
