//! File routes: the upload request under `/api`, and the storage behind presigned URLs.

use bytes::Bytes;
use hyper::header::HeaderValue;
use serde_json::{Value, json};

use super::reply::{bad_request, json_answer, response};
use super::{Answer, Refusal};
use crate::state::{State, lock};
use crate::util::sanitize_key_part;

pub(super) fn upload_request(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| bad_request("Invalid JSON body", vec![format!("body: {e}")]))?;
    let fields = ["toolkit_slug", "tool_slug", "filename", "mimetype", "md5"];
    let missing: Vec<String> = fields
        .iter()
        .filter(|f| body.get(**f).and_then(Value::as_str).is_none_or(str::is_empty))
        .map(|f| format!("{f}: required, a non-empty string"))
        .collect();
    if !missing.is_empty() {
        return Err(bad_request("Validation error while processing request", missing));
    }
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let id = format!("file_{:08}", state.next_id());
    let metadata = json!({"storage_backend": "s3"});
    let mut files = lock(&state.files);
    if let Some(key) = files.by_md5.get(field("md5")).cloned()
        && files.uploaded.contains_key(&key)
    {
        let url = format!("{}/_s3/download/{key}", state.base_url);
        return Ok(json_answer(
            200,
            &json!({
                "id": id,
                "key": key,
                "existing_url": url,
                "existingUrl": url,
                "type": "existing",
                "metadata": metadata,
            }),
        ));
    }
    // Same md5 requested again before its PUT: hand out the same key again.
    let key = match files.by_md5.get(field("md5")) {
        Some(key) => key.clone(),
        None => {
            let key = format!(
                "uploads/{}/{}/{}-{}",
                sanitize_key_part(field("toolkit_slug")),
                sanitize_key_part(field("tool_slug")),
                state.next_id(),
                sanitize_key_part(field("filename")),
            );
            files.by_md5.insert(field("md5").to_string(), key.clone());
            key
        }
    };
    files.issued.insert(key.clone(), field("mimetype").to_string());
    let url = format!(
        "{}/_s3/upload/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=test",
        state.base_url
    );
    Ok(json_answer(
        200,
        &json!({
            "id": id,
            "key": key,
            "new_presigned_url": url,
            "newPresignedUrl": url,
            "type": "new",
            "metadata": metadata,
        }),
    ))
}

pub(super) fn file_put(state: &State, key: &str, body: &[u8]) -> Answer {
    let mut files = lock(&state.files);
    if !files.issued.contains_key(key) {
        // As S3 answers a URL whose signature does not match: the client mangled the URL.
        return s3_error(403, "AccessDenied", "No presigned upload URL was issued for this key");
    }
    files.uploaded.insert(key.to_string(), body.to_vec());
    let mut resp = response(200, "application/xml", Bytes::new());
    resp.headers_mut().insert("etag", HeaderValue::from_static("\"testserver\""));
    resp
}

pub(super) fn file_download(state: &State, key: &str) -> Answer {
    let files = lock(&state.files);
    if let Some(bytes) = files.downloads.get(key) {
        return response(200, "application/octet-stream", bytes.clone());
    }
    if let Some(bytes) = files.uploaded.get(key) {
        let mime = files.issued.get(key).map(String::as_str).unwrap_or("application/octet-stream");
        return response(200, mime, bytes.clone());
    }
    s3_error(404, "NoSuchKey", "The specified key does not exist.")
}

fn s3_error(status: u16, code: &str, message: &str) -> Answer {
    response(
        status,
        "application/xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
}
