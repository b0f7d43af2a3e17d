//! The tool routes: list, get, execute.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use serde_json::{Value, json};

use super::pagination::{page_answer, window};
use super::query::{query_all, query_bool, query_get, version_spec};
use super::reply::{api_error, bad_request, json_answer, tool_not_found};
use super::{Answer, ApiVersion, Refusal};
use crate::catalog::ToolFilter;
use crate::state::{State, lock};
use crate::{ExecuteReply, ExecuteRequest};

/// At most this many schema violations are listed in a 400 body.
const MAX_REPORTED_ERRORS: usize = 20;

pub(super) fn list_tools(state: &State, api: ApiVersion, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let tool_slugs = query_all(q, "tool_slugs");
    let filter = ToolFilter {
        toolkit_slug: query_get(q, "toolkit_slug").map(str::to_string),
        tool_slugs: (!tool_slugs.is_empty()).then_some(tool_slugs),
        versions: version_spec(q)?,
        fallback_version: api.default_version(),
        tags: query_all(q, "tags"),
        important: query_bool(q, "important", false)?,
        search: query_get(q, "search").or_else(|| query_get(q, "query")).map(str::to_string),
        include_deprecated: query_bool(q, "include_deprecated", true)?,
    };
    let tools = state.catalog.list_tools(&filter);
    let w = window(q, tools.len())?;
    Ok(page_answer(tools[w.start..w.end].iter().map(|t| &**t), &w))
}

pub(super) fn get_tool(state: &State, api: ApiVersion, slug: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let Some(entry) = state.catalog.tool(slug) else {
        return Err(tool_not_found(slug));
    };
    let spec = version_spec(q)?;
    let requested = match query_get(q, "version") {
        Some(v) => v,
        None => spec.for_toolkit(&entry.toolkit, api.default_version()),
    };
    match state.catalog.tool_at(entry, requested) {
        Some((_, tool)) => Ok(json_answer(200, tool)),
        None => Err(tool_not_found(slug)),
    }
}

pub(super) fn execute_envelope(state: &State, data: Value, error: Option<&str>) -> Value {
    json!({
        "data": data,
        "error": error,
        "successful": error.is_none(),
        "log_id": format!("log_{:012}", state.next_id()),
        "session_info": null,
    })
}

fn validate(state: &State, slug: &str, version: &str, schema: &Value, args: &Value) -> Vec<String> {
    if !schema.is_object() {
        return Vec::new();
    }
    let key = (slug.to_string(), version.to_string());
    let cached = lock(&state.validators).get(&key).cloned();
    let validator = match cached {
        Some(v) => v,
        None => {
            // Compiled outside the lock: a big schema takes a while, and requests for other
            // tools need not wait. Two racing compilations of one schema are harmless.
            let compiled = Arc::new(jsonschema::validator_for(schema).ok());
            lock(&state.validators).entry(key).or_insert(compiled).clone()
        }
    };
    let Some(validator) = validator.as_ref() else {
        return Vec::new();
    };
    validator
        .iter_errors(args)
        .take(MAX_REPORTED_ERRORS)
        .map(|e| format!("arguments{}: {}", e.instance_path().as_str(), e))
        .collect()
}

pub(super) fn execute(state: &State, api: ApiVersion, slug: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let (status, body) = execute_json(state, api, slug, body)?;
    Ok(json_answer(status, &body))
}

/// An execution's status and JSON answer; the session routes wrap it in their own envelope.
pub(super) fn execute_json(state: &State, api: ApiVersion, slug: &str, body: &[u8]) -> Result<(u16, Value), Refusal> {
    // An unknown slug is a 404 whatever the body says.
    let Some(entry) = state.catalog.tool(slug) else {
        return Err(tool_not_found(slug));
    };
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| bad_request("Invalid JSON body", vec![format!("body: {e}")]))?
    };
    if !body.is_object() {
        return Err(bad_request("Invalid request body", vec!["body: expected a JSON object".into()]));
    }
    let present = |k: &str| body.get(k).is_some_and(|v| !v.is_null());
    if present("arguments") && present("text") {
        return Err(bad_request(
            "Validation error while processing request",
            vec!["Only one of 'text' or 'arguments' must be provided".into()],
        ));
    }
    let requested = match body.get("version") {
        None | Some(Value::Null) => api.default_version(),
        Some(Value::String(v)) if !v.is_empty() => v.as_str(),
        Some(other) => {
            return Err(bad_request("Invalid request body", vec![format!("version: expected a string, got {other}")]));
        }
    };
    let Some((version, tool)) = state.catalog.tool_at(entry, requested) else {
        return Err(tool_not_found(slug));
    };
    let canonical_slug = tool.get("slug").and_then(Value::as_str).unwrap_or(slug).to_string();
    let arguments = match body.get("arguments") {
        None | Some(Value::Null) => json!({}),
        Some(a) => a.clone(),
    };
    // With `text` the platform itself turns prose into arguments, so there is nothing to
    // check here.
    if !present("text") {
        let schema = tool.get("input_parameters").unwrap_or(&Value::Null);
        let errors = validate(state, &slug.to_uppercase(), version, schema, &arguments);
        if !errors.is_empty() {
            return Err(bad_request("Validation error while processing request", errors));
        }
    }
    let string_field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let request = ExecuteRequest {
        slug: canonical_slug,
        version: version.to_string(),
        user_id: string_field("user_id"),
        connected_account_id: string_field("connected_account_id"),
        arguments,
        body: body.clone(),
    };
    let responder = state.responders.read().unwrap_or_else(|e| e.into_inner()).get(&slug.to_uppercase()).cloned();
    let reply = match responder {
        None => ExecuteReply::Data(json!({})),
        Some(responder) => match catch_unwind(AssertUnwindSafe(|| responder(&request))) {
            Ok(reply) => reply,
            Err(_) => {
                return Err(Box::new(api_error(
                    500,
                    10500,
                    "HTTP_InternalServerError",
                    &format!("The test responder for {slug} panicked"),
                    &[],
                )));
            }
        },
    };
    Ok(match reply {
        ExecuteReply::Data(data) => (200, execute_envelope(state, data, None)),
        ExecuteReply::Failure(msg) => (200, execute_envelope(state, json!({}), Some(&msg))),
        ExecuteReply::Raw { status, body } => (status, body),
    })
}
