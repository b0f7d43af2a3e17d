//! Building answers: JSON, the API's error body, raw replies for faults.

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, TRANSFER_ENCODING};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::{Answer, Refusal};
use crate::body::RespBody;
use crate::fault::api_error_body;

pub(super) fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut resp = Response::new(RespBody::full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, v);
    }
    resp
}

pub(super) fn json_answer(status: u16, body: &Value) -> Answer {
    response(status, "application/json", body.to_string())
}

pub(super) fn api_error(status: u16, code: u32, slug: &str, message: &str, errors: &[String]) -> Answer {
    json_answer(status, &api_error_body(status, code, slug, message, errors))
}

pub(super) fn bad_request(message: &str, errors: Vec<String>) -> Refusal {
    Box::new(api_error(400, 10400, "HTTP_BadRequest", message, &errors))
}

pub(super) fn tool_not_found(slug: &str) -> Refusal {
    Box::new(api_error(404, 2401, "Tool_ToolNotFound", &format!("Tool {slug} not found"), &[]))
}

pub(super) fn trigger_type_not_found(slug: &str) -> Refusal {
    Box::new(api_error(404, 2901, "TriggerType_NotFound", &format!("Trigger type {slug} not found"), &[]))
}

pub(super) fn toolkit_not_found(message: &str) -> Refusal {
    Box::new(api_error(404, 2301, "Toolkit_ToolkitNotFound", message, &[]))
}

pub(super) fn raw_reply(status: u16, headers: &[(String, String)], body: String) -> Answer {
    let mut resp = Response::new(RespBody::full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) else {
            continue;
        };
        // hyper derives the framing from the body; a second, contradicting length would make
        // it refuse the response.
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        resp.headers_mut().append(name, value);
    }
    resp
}

pub(super) fn truncated(abort: Arc<Notify>) -> Answer {
    let full = json!({
        "data": {"message": "this body is cut off before its declared end"},
        "error": null,
        "successful": true,
        "log_id": "log_truncated",
    })
    .to_string();
    let sent = Bytes::from(full[..full.len() / 2].to_string());
    let mut resp = Response::new(RespBody::Truncated { data: Some(sent), abort, armed: false });
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
    resp
}
