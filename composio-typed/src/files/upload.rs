//! Uploading a file argument: an upload slot from Composio, the bytes to its presigned URL.

use std::sync::Arc;

use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::Value;
use tracing::Instrument;

use super::{FileInput, Source, UploadedFile};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::Request;
use crate::wire;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
