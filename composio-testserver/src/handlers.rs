//! Request handling: recording, faults, routing and the protocol itself.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, TRANSFER_ENCODING};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::catalog::{BASE_VERSION, LATEST, ToolFilter, VersionSpec};
use crate::fault::{Fault, HTML_ERROR_PAGE, api_error_body, select_fault};
use crate::server::{RespBody, State, lock};
use crate::util::{base64_decode, base64_encode, parse_query, percent_decode, sanitize_key_part};
use crate::{ExecuteReply, ExecuteRequest, RecordedRequest, Route};

type Answer = Response<RespBody>;
/// An error answer on its way out through `?`; boxed because a `Response` is large.
type Refusal = Box<Answer>;

/// Default page size of the list routes (the spec names none).
const DEFAULT_LIMIT: usize = 20;
/// The spec's maximum page size.
const MAX_LIMIT: usize = 1000;
/// At most this many schema violations are listed in a 400 body.
const MAX_REPORTED_ERRORS: usize = 20;

/// The two API prefixes; they differ only in the version used when a request names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V3,
    V31,
}

impl ApiVersion {
    fn default_version(self) -> &'static str {
        match self {
            ApiVersion::V3 => BASE_VERSION,
            ApiVersion::V31 => LATEST,
        }
    }
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub route: Route,
    /// `None` for the storage routes, which are not under `/api`.
    pub api: Option<ApiVersion>,
    /// The decoded path parameter: tool slug, toolkit slug or file key.
    pub param: Option<String>,
}

pub(crate) fn classify(method: &Method, path: &str) -> Option<Target> {
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let storage = |route, rest: &str| {
        (!rest.is_empty()).then(|| Target { route, api: None, param: Some(percent_decode(rest, false)) })
    };
    if let Some(rest) = path.strip_prefix("/_s3/upload/") {
        return if method == Method::PUT { storage(Route::FilePut, rest) } else { None };
    }
    if let Some(rest) = path.strip_prefix("/_s3/download/") {
        return if method == Method::GET { storage(Route::FileDownload, rest) } else { None };
    }
    let (api, rest) = if let Some(rest) = path.strip_prefix("/api/v3.1/") {
        (ApiVersion::V31, rest)
    } else if let Some(rest) = path.strip_prefix("/api/v3/") {
        (ApiVersion::V3, rest)
    } else {
        return None;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let (route, param) = match (method.as_str(), segments.as_slice()) {
        ("GET", ["tools"]) => (Route::ListTools, None),
        ("GET", ["tools", "enum"]) => (Route::ToolsEnum, None),
        ("GET", ["tools", slug]) if !slug.is_empty() => (Route::GetTool, Some(*slug)),
        ("POST", ["tools", "execute", slug]) if !slug.is_empty() => (Route::Execute, Some(*slug)),
        ("GET", ["toolkits"]) => (Route::ListToolkits, None),
        ("GET", ["toolkits", slug]) if !slug.is_empty() => (Route::GetToolkit, Some(*slug)),
        ("POST", ["files", "upload", "request"]) => (Route::FileUploadRequest, None),
        _ => return None,
    };
    Some(Target { route, api: Some(api), param: param.map(|p| percent_decode(p, false)) })
}

/// Handles one request: reads it fully, records it, applies a fault or answers normally.
pub(crate) async fn handle(state: Arc<State>, abort: Arc<Notify>, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        // The client stopped sending mid-body; whatever we answer is unlikely to arrive.
        Err(_) => {
            return api_error(400, 10400, "HTTP_BadRequest", "Incomplete request body", &[]);
        }
    };
    let path = parts.uri.path().to_string();
    let target = classify(&parts.method, &path);
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        route: target.as_ref().map(|t| t.route),
    };
    // Recorded before any answer is produced, so `count` is exact once a client has its
    // response (or its connection error).
    lock(&state.log).push(recorded.clone());

    let fault = target.as_ref().and_then(|t| select_fault(&mut lock(&state.faults), t.route, t.param.as_deref()));
    if let Some(fault) = fault {
        match fault {
            Fault::Reply { status, headers, body } => return raw_reply(status, &headers, body),
            Fault::Delay(delay) => tokio::time::sleep(delay).await,
            Fault::TruncatedBody => return truncated(abort),
            Fault::NonJsonBody => {
                return response(200, "text/html; charset=utf-8", HTML_ERROR_PAGE);
            }
            Fault::DropConnection => {
                // The connection task drops the socket on this signal; this future is
                // dropped with it and never answers.
                abort.notify_one();
                return std::future::pending().await;
            }
            Fault::ToolFailure(message) => {
                return json_answer(200, &execute_envelope(&state, json!({}), Some(&message)));
            }
        }
    }

    let Some(target) = target else {
        return api_error(404, 10404, "HTTP_NotFound", "Route not found", &[]);
    };
    dispatch(&state, target, &recorded).unwrap_or_else(|refusal| *refusal)
}

fn dispatch(state: &State, target: Target, req: &RecordedRequest) -> Result<Answer, Refusal> {
    if target.api.is_some() {
        check_auth(state, req)?;
    }
    let api = target.api.unwrap_or(ApiVersion::V31);
    let param = target.param.unwrap_or_default();
    match target.route {
        Route::ListTools => list_tools(state, api, &req.query),
        Route::GetTool => get_tool(state, api, &param, &req.query),
        Route::ToolsEnum => Ok(json_answer(200, &json!(state.catalog.tool_slugs()))),
        Route::Execute => execute(state, api, &param, &req.body),
        Route::ListToolkits => list_toolkits(state, &req.query),
        Route::GetToolkit => get_toolkit(state, &param, &req.query),
        Route::FileUploadRequest => upload_request(state, &req.body),
        Route::FilePut => Ok(file_put(state, &param, &req.body)),
        Route::FileDownload => Ok(file_download(state, &param)),
    }
}

// ---------------------------------------------------------------------------------------
// Responses

fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut resp = Response::new(RespBody::full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, v);
    }
    resp
}

fn json_answer(status: u16, body: &Value) -> Answer {
    response(status, "application/json", body.to_string())
}

fn api_error(status: u16, code: u32, slug: &str, message: &str, errors: &[String]) -> Answer {
    json_answer(status, &api_error_body(status, code, slug, message, errors))
}

fn bad_request(message: &str, errors: Vec<String>) -> Refusal {
    Box::new(api_error(400, 10400, "HTTP_BadRequest", message, &errors))
}

fn tool_not_found(slug: &str) -> Refusal {
    Box::new(api_error(404, 2401, "Tool_ToolNotFound", &format!("Tool {slug} not found"), &[]))
}

fn toolkit_not_found(message: &str) -> Refusal {
    Box::new(api_error(404, 2301, "Toolkit_ToolkitNotFound", message, &[]))
}

fn raw_reply(status: u16, headers: &[(String, String)], body: String) -> Answer {
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

fn truncated(abort: Arc<Notify>) -> Answer {
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

fn s3_error(status: u16, code: &str, message: &str) -> Answer {
    response(
        status,
        "application/xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
}

// ---------------------------------------------------------------------------------------
// Query helpers

fn query_get<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// Every value of a repeatable parameter: `name=a&name=b`, `name[]=a`, `name=a,b`.
fn query_all(q: &[(String, String)], name: &str) -> Vec<String> {
    let bracket = format!("{name}[]");
    q.iter()
        .filter(|(k, _)| *k == name || *k == bracket)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

fn query_bool(q: &[(String, String)], name: &str, default: bool) -> Result<bool, Refusal> {
    match query_get(q, name) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(bad_request(
            "Invalid query parameters",
            vec![format!("{name}: expected \"true\" or \"false\", got {v:?}")],
        )),
    }
}

/// `toolkit_versions=V` (all toolkits) and/or `toolkit_versions[slug]=V` (one toolkit).
fn version_spec(q: &[(String, String)]) -> Result<VersionSpec, Refusal> {
    let mut spec = VersionSpec::default();
    for (k, v) in q {
        if v.is_empty() {
            continue;
        }
        if k == "toolkit_versions" {
            spec.all = Some(v.clone());
        } else if let Some(inner) = k.strip_prefix("toolkit_versions[").and_then(|r| r.strip_suffix(']')) {
            if inner.is_empty() {
                return Err(bad_request(
                    "Invalid query parameters",
                    vec!["toolkit_versions[]: a toolkit slug is required inside the brackets".into()],
                ));
            }
            spec.per_toolkit.insert(inner.to_lowercase(), v.clone());
        }
    }
    Ok(spec)
}

/// One page of a list: `[start, end)` of the sorted items, and the fields around `items`.
struct Window {
    start: usize,
    end: usize,
    page: u64,
    total_pages: u64,
    total: usize,
    next_cursor: Option<String>,
}

fn encode_cursor(page: u64, limit: usize) -> String {
    base64_encode(json!({"page": page, "limit": limit}).to_string().as_bytes())
}

/// The cursor is, as the spec describes, base64 of the page number and the page size; the
/// size in the cursor wins over `limit`, so a client that changes `limit` mid-way still
/// walks consistent pages.
fn window(q: &[(String, String)], total: usize) -> Result<Window, Refusal> {
    let mut limit = match query_get(q, "limit") {
        None | Some("null") => DEFAULT_LIMIT,
        Some(raw) => {
            let n: f64 = raw.trim().parse().map_err(|_| {
                bad_request("Invalid query parameters", vec![format!("limit: expected a number, got {raw:?}")])
            })?;
            if !n.is_finite() || n.fract() != 0.0 || n < 1.0 {
                return Err(bad_request(
                    "Invalid query parameters",
                    vec![format!("limit: must be a positive integer, got {raw}")],
                ));
            }
            if n > MAX_LIMIT as f64 {
                return Err(bad_request(
                    "Invalid query parameters",
                    vec![format!("limit: max allowed is {MAX_LIMIT}, got {raw}")],
                ));
            }
            n as usize
        }
    };
    let mut page = 1u64;
    if let Some(cursor) = query_get(q, "cursor") {
        let decoded = base64_decode(cursor).and_then(|b| serde_json::from_slice::<Value>(&b).ok()).and_then(|v| {
            let p = v.get("page")?.as_u64()?;
            let l = v.get("limit")?.as_u64()?;
            (p >= 1 && (1..=MAX_LIMIT as u64).contains(&l)).then_some((p, l as usize))
        });
        let Some((p, l)) = decoded else {
            return Err(bad_request(
                "Invalid query parameters",
                vec![format!("cursor: not a cursor this server produced: {cursor:?}")],
            ));
        };
        page = p;
        limit = l;
    }
    let start = usize::try_from(page - 1).ok().and_then(|p| p.checked_mul(limit)).unwrap_or(usize::MAX).min(total);
    let end = start.saturating_add(limit).min(total);
    let total_pages = (total.div_ceil(limit) as u64).max(1);
    Ok(Window {
        start,
        end,
        page,
        total_pages,
        total,
        next_cursor: (end < total).then(|| encode_cursor(page + 1, limit)),
    })
}

/// Writes a paginated answer without cloning the items into one big `Value`.
fn page_answer<'a>(items: impl Iterator<Item = &'a Value>, w: &Window) -> Answer {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"items\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing a `Value` to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, item);
    }
    let tail = json!({
        "next_cursor": w.next_cursor,
        "total_pages": w.total_pages,
        "current_page": w.page,
        "total_items": w.total,
    })
    .to_string();
    out.extend_from_slice(b"],");
    out.extend_from_slice(&tail.as_bytes()[1..]);
    response(200, "application/json", out)
}

// ---------------------------------------------------------------------------------------
// Routes

fn check_auth(state: &State, req: &RecordedRequest) -> Result<(), Refusal> {
    match req.header("x-api-key") {
        None | Some("") => Err(Box::new(api_error(401, 906, "Auth_NoAuthProvided", "No authentication provided", &[]))),
        Some(key) if key == state.api_key => Ok(()),
        Some(key) => {
            let masked = if key.len() >= 8 && key.is_ascii() {
                format!("{}**{}", &key[..3], &key[key.len() - 4..])
            } else {
                "**".to_string()
            };
            Err(Box::new(api_error(401, 801, "APIKey_InvalidAPIKey", &format!("Invalid API key: {masked}"), &[])))
        }
    }
}

fn list_tools(state: &State, api: ApiVersion, q: &[(String, String)]) -> Result<Answer, Refusal> {
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

fn get_tool(state: &State, api: ApiVersion, slug: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
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

fn list_toolkits(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let toolkits = state.catalog.list_toolkits(query_get(q, "search"));
    let w = window(q, toolkits.len())?;
    let items: Vec<Value> = toolkits[w.start..w.end]
        .iter()
        .map(|tk| {
            let latest = state.catalog.toolkit_version(tk, LATEST).unwrap_or(BASE_VERSION);
            state.catalog.toolkit_json(tk, latest, false)
        })
        .collect();
    Ok(page_answer(items.iter(), &w))
}

/// The spec gives `version` of this route the default `latest`, on both prefixes.
fn get_toolkit(state: &State, slug: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let Some(tk) = state.catalog.toolkit(slug) else {
        return Err(toolkit_not_found(&format!("Toolkit {slug} not found")));
    };
    let requested = query_get(q, "version").unwrap_or(LATEST);
    let Some(version) = state.catalog.toolkit_version(tk, requested) else {
        return Err(toolkit_not_found(&format!("Toolkit {slug} has no version {requested}")));
    };
    Ok(json_answer(200, &state.catalog.toolkit_json(tk, version, true)))
}

fn execute_envelope(state: &State, data: Value, error: Option<&str>) -> Value {
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

fn execute(state: &State, api: ApiVersion, slug: &str, body: &[u8]) -> Result<Answer, Refusal> {
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
        ExecuteReply::Data(data) => json_answer(200, &execute_envelope(state, data, None)),
        ExecuteReply::Failure(msg) => json_answer(200, &execute_envelope(state, json!({}), Some(&msg))),
        ExecuteReply::Raw { status, body } => json_answer(status, &body),
    })
}

fn upload_request(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
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

fn file_put(state: &State, key: &str, body: &[u8]) -> Answer {
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

fn file_download(state: &State, key: &str) -> Answer {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(method: Method, path: &str) -> Option<(Route, Option<ApiVersion>, Option<String>)> {
        classify(&method, path).map(|t| (t.route, t.api, t.param))
    }

    #[test]
    fn classifies_routes() {
        use ApiVersion::*;
        assert_eq!(route_of(Method::GET, "/api/v3/tools"), Some((Route::ListTools, Some(V3), None)));
        assert_eq!(route_of(Method::GET, "/api/v3.1/tools/"), Some((Route::ListTools, Some(V31), None)));
        assert_eq!(route_of(Method::GET, "/api/v3/tools/enum"), Some((Route::ToolsEnum, Some(V3), None)));
        assert_eq!(
            route_of(Method::GET, "/api/v3/tools/GITHUB%5FX"),
            Some((Route::GetTool, Some(V3), Some("GITHUB_X".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3.1/tools/execute/GITHUB_X"),
            Some((Route::Execute, Some(V31), Some("GITHUB_X".into())))
        );
        assert_eq!(route_of(Method::GET, "/api/v3.1/tools/execute/GITHUB_X"), None);
        assert_eq!(
            route_of(Method::GET, "/api/v3/toolkits/github"),
            Some((Route::GetToolkit, Some(V3), Some("github".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3/files/upload/request"),
            Some((Route::FileUploadRequest, Some(V3), None))
        );
        assert_eq!(
            route_of(Method::PUT, "/_s3/upload/a/b%20c.txt"),
            Some((Route::FilePut, None, Some("a/b c.txt".into())))
        );
        assert_eq!(route_of(Method::GET, "/_s3/download/k"), Some((Route::FileDownload, None, Some("k".into()))));
        assert_eq!(route_of(Method::GET, "/api/v2/tools"), None);
        assert_eq!(route_of(Method::GET, "/"), None);
        assert_eq!(route_of(Method::GET, "/api/v3/tools/a/b"), None);
    }

    #[test]
    fn windows() {
        let q = |s: &str| parse_query(s);
        let w = window(&q("limit=10"), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page, w.total_pages), (0, 10, 1, 3));
        let cursor = w.next_cursor.unwrap();
        let w = window(&q(&format!("limit=10&cursor={cursor}")), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page), (10, 20, 2));
        let cursor = w.next_cursor.unwrap();
        let w = window(&q(&format!("cursor={cursor}")), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page), (20, 25, 3));
        assert!(w.next_cursor.is_none());
        let w = window(&q(""), 0).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.total_pages), (0, 0, 1));
        for bad in ["limit=1001", "limit=0", "limit=-3", "limit=2.5", "limit=abc", "cursor=!!", "cursor=e30"] {
            assert!(window(&q(bad), 5).is_err(), "{bad}");
        }
        let huge = encode_cursor(u64::MAX, 1000);
        let w = window(&q(&format!("cursor={huge}")), 5).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end), (5, 5));
    }
}
