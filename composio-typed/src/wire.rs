//! Decoding the platform's answers, leniently where the platform is inconsistent.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{ApiError, Error, Result};

/// The execute answer: `{data, error, successful, log_id, session_info}`. `data` stays raw
/// JSON: the typed path decodes it straight into the generated type, without building a
/// `Value` tree first.
pub(crate) struct Envelope {
    pub(crate) data: Box<RawValue>,
    pub(crate) error: Option<String>,
    pub(crate) successful: bool,
    pub(crate) log_id: Option<String>,
}

/// The envelope as sent. Every field is optional and loosely typed, so that an odd answer is
/// judged here rather than failing serde; unknown fields (`session_info`, the misspelt
/// `successfull`) are skipped without being built.
#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    successful: Option<Value>,
    #[serde(default)]
    log_id: Option<Value>,
}

/// Reads an execute answer. A missing `successful` is inferred from `error`; the misspelt
/// `successfull` some toolkits add is ignored; unknown fields are ignored.
pub(crate) fn envelope(status: u16, body: &[u8], slug: &str) -> Result<Envelope> {
    // serde would also read a struct from a JSON array; the envelope is always an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(match serde_json::from_slice::<Value>(body) {
            Ok(_) => invalid(Some(slug), status, "expected a JSON object", body),
            Err(e) => invalid(Some(slug), status, &format!("not JSON: {e}"), body),
        });
    }
    let wire: WireEnvelope<'_> =
        serde_json::from_slice(body).map_err(|e| invalid(Some(slug), status, &format!("not JSON: {e}"), body))?;
    let error = match wire.error {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    };
    let successful = match wire.successful {
        Some(Value::Bool(b)) => b,
        None | Some(Value::Null) => error.is_none(),
        Some(_) => return Err(invalid(Some(slug), status, "`successful` is not a boolean", body)),
    };
    let data = match wire.data {
        Some(raw) => raw.to_owned(),
        None => RawValue::NULL.to_owned(),
    };
    let log_id = match wire.log_id {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(Envelope { data, error, successful, log_id })
}

/// Parses a body that must be a JSON object.
pub(crate) fn json_object(status: u16, body: &[u8], slug: Option<&str>) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(invalid(slug, status, "expected a JSON object", body)),
        Err(e) => Err(invalid(slug, status, &format!("not JSON: {e}"), body)),
    }
}

pub(crate) fn invalid(slug: Option<&str>, status: u16, message: &str, body: &[u8]) -> Error {
    Error::InvalidResponse { slug: slug.map(str::to_owned), status, message: message.to_owned(), body: snippet(body) }
}

/// The start of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    text.into_owned()
}

/// Reads an error answer in any of its shapes: `{"error": {...}}`, a flat
/// `{"message": ...}`, the headerless 429 `{"code": 10429, "slug": ...}`, `error_code`
/// instead of `code`, or no JSON at all.
pub(crate) fn api_error(
    status: u16,
    header_request_id: Option<String>,
    body: &[u8],
    tool: Option<String>,
    may_have_run: bool,
) -> ApiError {
    let parsed: Option<Map<String, Value>> = serde_json::from_slice::<Value>(body).ok().and_then(|v| match v {
        Value::Object(o) => Some(o),
        _ => None,
    });
    let (outer, inner) = match &parsed {
        Some(o) => match o.get("error") {
            Some(Value::Object(e)) => (Some(o), Some(e)),
            _ => (Some(o), None),
        },
        None => (None, None),
    };
    let field = |name: &str| inner.and_then(|e| e.get(name)).or_else(|| outer.and_then(|o| o.get(name)));
    let text = |name: &str| field(name).and_then(Value::as_str).map(str::to_owned);
    let code = ["code", "error_code"].iter().find_map(|name| match field(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let message = text("message")
        .or_else(|| outer.and_then(|o| o.get("error")).and_then(Value::as_str).map(str::to_owned))
        .or_else(|| text("detail"))
        .unwrap_or_else(|| {
            let reason =
                reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
            let body = snippet(body);
            if body.trim().is_empty() || parsed.is_some() {
                reason.to_owned()
            } else {
                format!("{reason}: {}", body.trim())
            }
        });
    let request_id = text("request_id").or(header_request_id);
    ApiError {
        status,
        message,
        code,
        error_slug: text("slug"),
        request_id,
        suggested_fix: text("suggested_fix"),
        errors: field("errors").and_then(Value::as_array).cloned().unwrap_or_default(),
        tool,
        may_have_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(status: u16, body: &str) -> ApiError {
        api_error(status, None, body.as_bytes(), None, false)
    }

    #[test]
    fn nested_error_body() {
        let e = decode(
            404,
            r#"{"error":{"message":"Tool X not found","code":2401,"slug":"Tool_ToolNotFound","status":404,"request_id":"r1","suggested_fix":"Check your input."}}"#,
        );
        assert_eq!(
            (e.code, e.error_slug.as_deref(), e.request_id.as_deref()),
            (Some(2401), Some("Tool_ToolNotFound"), Some("r1"))
        );
        assert_eq!(e.message, "Tool X not found");
        assert_eq!(e.suggested_fix.as_deref(), Some("Check your input."));
    }

    #[test]
    fn legacy_flat_and_edge_bodies() {
        assert_eq!(decode(400, r#"{"error":{"message":"bad","error_code":"1700"}}"#).code, Some(1700));
        assert_eq!(decode(429, r#"{"message":"Rate limit exceeded"}"#).message, "Rate limit exceeded");
        let edge = decode(429, r#"{"code":10429,"slug":"HTTP_TooManyRequests"}"#);
        assert_eq!(
            (edge.code, edge.error_slug.as_deref(), edge.message.as_str()),
            (Some(10429), Some("HTTP_TooManyRequests"), "Too Many Requests")
        );
        assert_eq!(decode(502, "<html>bad gateway</html>").message, "Bad Gateway: <html>bad gateway</html>");
    }

    #[test]
    fn envelope_is_lenient() {
        let e = envelope(200, br#"{"data":{"a":1},"successfull":true,"successful":true,"extra":[1,{"b":2}]}"#, "T")
            .unwrap();
        assert!(e.successful);
        assert_eq!(e.data.get(), r#"{"a":1}"#);
        let e = envelope(200, br#"{"data":{},"error":"boom","successful":false,"log_id":"log_1"}"#, "T").unwrap();
        assert_eq!((e.successful, e.error.as_deref(), e.log_id.as_deref()), (false, Some("boom"), Some("log_1")));
        // Only the misspelt flag: success is inferred from the absent error.
        let e = envelope(200, br#" {"data":[1],"successfull":false,"error":null}"#, "T").unwrap();
        assert!(e.successful);
        let e = envelope(200, br#"{"error":{"code":7},"log_id":12}"#, "T").unwrap();
        assert_eq!(
            (e.successful, e.error.as_deref(), e.log_id, e.data.get()),
            (false, Some(r#"{"code":7}"#), None, "null")
        );
    }

    #[test]
    fn envelope_refuses_what_is_not_an_envelope() {
        let message = |body: &[u8]| match envelope(200, body, "T") {
            Err(Error::InvalidResponse { message, .. }) => message,
            other => panic!("{}", other.is_ok()),
        };
        assert!(message(b"<html>").starts_with("not JSON"));
        assert_eq!(message(br#"[{"data":1}]"#), "expected a JSON object");
        assert!(message(br#"{"data":{"a":1}"#).starts_with("not JSON"));
        assert_eq!(message(br#"{"successful":"yes"}"#), "`successful` is not a boolean");
    }
}
