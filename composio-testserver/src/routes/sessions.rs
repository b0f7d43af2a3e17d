//! The session routes (`/tool_router/session…`): sessions with real state, their toolkits and
//! tools, execution through a session and the meta tools.
//!
//! Requests are checked as the platform documents them: unknown fields, both `enable` and
//! `disable`, the v3 and v3.1 shapes of `connected_accounts`, unknown toolkits and tool slugs
//! are 400s. A session answers its configuration in the answer spelling (`enabled`,
//! `disabled`, `proxy_execution_enabled`). v3.1 sessions carry a `config_version` that every
//! PATCH bumps; a PATCH with a stale `expected_config_version` is a 409. Meta tools are
//! executed over the catalogue when it holds their definitions (their arguments are then
//! validated against them) and answer small, plausible results.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::connected_accounts;
use super::pagination::{page_answer, window};
use super::query::query_bool;
use super::reply::{api_error, bad_request, json_answer};
use super::tools::execute_json;
use super::{Answer, ApiVersion, Refusal};
use crate::catalog::{LATEST, ToolFilter, VersionSpec};
use crate::state::{SessionRecord, State, lock};

/// The meta tools a session offers.
pub(crate) const META_TOOLS: &[&str] = &[
    "COMPOSIO_SEARCH_TOOLS",
    "COMPOSIO_MULTI_EXECUTE_TOOL",
    "COMPOSIO_MANAGE_CONNECTIONS",
    "COMPOSIO_WAIT_FOR_CONNECTIONS",
    "COMPOSIO_GET_TOOL_SCHEMAS",
    "COMPOSIO_REMOTE_WORKBENCH",
    "COMPOSIO_REMOTE_BASH_TOOL",
];

const TAGS: &[&str] = &["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"];

fn invalid(errors: Vec<String>) -> Refusal {
    bad_request("Validation error while processing request", errors)
}

fn not_found(id: &str) -> Refusal {
    Box::new(api_error(404, 4404, "ToolRouter_SessionNotFound", &format!("Session {id} not found"), &[]))
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(bad_request("Invalid request body", vec!["body: expected a JSON object".into()])),
        Err(e) => Err(bad_request("Invalid JSON body", vec![format!("body: {e}")])),
    }
}

fn strings(v: &Value, at: &str, errors: &mut Vec<String>) -> Vec<String> {
    match v.as_array() {
        Some(items) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).map(str::to_string).collect()
        }
        _ => {
            errors.push(format!("{at}: expected an array of strings"));
            Vec::new()
        }
    }
}

fn bool_at(v: &Value, at: &str, errors: &mut Vec<String>) {
    if !v.is_boolean() && !v.is_null() {
        errors.push(format!("{at}: expected a boolean"));
    }
}

/// `{enable: […]}` or `{disable: […]}`, exactly one; answered as `enabled`/`disabled`.
fn toggle(v: &Value, at: &str, errors: &mut Vec<String>) -> Option<(String, Vec<String>)> {
    let Some(o) = v.as_object() else {
        errors.push(format!("{at}: expected an object"));
        return None;
    };
    match (o.len(), o.iter().next()) {
        (1, Some((k, list))) if k == "enable" || k == "disable" => {
            let list = strings(list, &format!("{at}/{k}"), errors);
            Some((format!("{k}d"), list))
        }
        _ => {
            errors.push(format!("{at}: expected exactly one of `enable` or `disable`"));
            None
        }
    }
}

/// A tag filter: a list of tags, or `{enable?, disable?}`; answered as `{enabled, disabled}`.
fn tag_filter(v: &Value, at: &str, errors: &mut Vec<String>) -> Value {
    let check = |list: Vec<String>, at: &str, errors: &mut Vec<String>| {
        for tag in &list {
            if !TAGS.contains(&tag.as_str()) {
                errors.push(format!("{at}: unknown tag `{tag}`"));
            }
        }
        list
    };
    if v.is_array() {
        return json!({"enabled": check(strings(v, at, errors), at, errors)});
    }
    let Some(o) = v.as_object() else {
        errors.push(format!("{at}: expected an array of tags or an object"));
        return Value::Null;
    };
    let mut out = Map::new();
    for (k, list) in o {
        match k.as_str() {
            "enable" | "disable" => {
                let list = check(strings(list, &format!("{at}/{k}"), errors), at, errors);
                out.insert(format!("{k}d"), json!(list));
            }
            other => errors.push(format!("{at}: unknown field `{other}`")),
        }
    }
    Value::Object(out)
}

/// Checks the configuration fields of a create or PATCH body and turns them into the answer
/// spelling. `user_id` is the caller's business.
fn config_of(state: &State, api: ApiVersion, body: &Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    let mut errors = Vec::new();
    let mut config = Map::new();
    let v31 = api == ApiVersion::V31;
    let known_toolkit = |slug: &str| state.catalog.toolkit(slug).is_some();
    for (key, v) in body {
        let at = format!("body/{key}");
        match key.as_str() {
            "user_id" | "expected_config_version" => {}
            "toolkits" => {
                if let Some((k, list)) = toggle(v, &at, &mut errors) {
                    for tk in list.iter().filter(|tk| !known_toolkit(tk)) {
                        errors.push(format!("{at}: unknown toolkit `{tk}`"));
                    }
                    config.insert(key.clone(), json!({ k: list }));
                }
            }
            "tools" => {
                let Some(o) = v.as_object() else {
                    errors.push(format!("{at}: expected an object"));
                    continue;
                };
                let mut out = Map::new();
                for (tk, filter) in o {
                    let at = format!("{at}/{tk}");
                    if !known_toolkit(tk) {
                        errors.push(format!("{at}: unknown toolkit `{tk}`"));
                    }
                    if let Some(tags) = filter.get("tags").filter(|_| filter.as_object().is_some_and(|f| f.len() == 1))
                    {
                        out.insert(tk.clone(), json!({"tags": tag_filter(tags, &format!("{at}/tags"), &mut errors)}));
                    } else if let Some((k, list)) = toggle(filter, &at, &mut errors) {
                        for slug in &list {
                            let ok = state.catalog.tool(slug).is_some_and(|t| t.toolkit == tk.to_lowercase());
                            if !ok {
                                errors.push(format!("{at}: unknown tool `{slug}` for toolkit `{tk}`"));
                            }
                        }
                        out.insert(tk.clone(), json!({ k: list }));
                    }
                }
                config.insert(key.clone(), Value::Object(out));
            }
            "tags" => {
                let tags = tag_filter(v, &at, &mut errors);
                config.insert(key.clone(), tags);
            }
            "auth_configs" => match v.as_object() {
                Some(o) if o.values().all(|id| id.as_str().is_some_and(|s| s.starts_with("ac_"))) => {
                    config.insert(key.clone(), v.clone());
                }
                _ => errors.push(format!("{at}: expected an object of `ac_…` ids")),
            },
            "connected_accounts" => match v.as_object() {
                Some(o) => {
                    let mut out = Map::new();
                    for (tk, ids) in o {
                        let at = format!("{at}/{tk}");
                        let list = match (v31, ids) {
                            (false, Value::String(id)) => vec![id.clone()],
                            (false, _) => {
                                errors.push(format!("{at}: expected a string (one account per toolkit in v3)"));
                                continue;
                            }
                            (true, Value::Array(_)) => strings(ids, &at, &mut errors),
                            (true, _) => {
                                errors.push(format!("{at}: expected an array of account ids"));
                                continue;
                            }
                        };
                        if list.iter().any(|id| !id.starts_with("ca_")) {
                            errors.push(format!("{at}: expected `ca_…` ids"));
                        }
                        out.insert(tk.clone(), if v31 { json!(list) } else { json!(list.first()) });
                    }
                    config.insert(key.clone(), Value::Object(out));
                }
                None => errors.push(format!("{at}: expected an object")),
            },
            "manage_connections" => {
                let mut allowed = vec!["enable", "callback_url"];
                if v31 {
                    allowed.extend(["enable_connection_removal", "enable_wait_for_connections"]);
                }
                let mut out = Map::new();
                for (k, x) in v.as_object().into_iter().flatten() {
                    match k.as_str() {
                        "callback_url" if x.as_str().is_some_and(|u| u.starts_with("http")) => {}
                        "callback_url" => errors.push(format!("{at}/callback_url: expected a URI")),
                        k if allowed.contains(&k) => bool_at(x, &format!("{at}/{k}"), &mut errors),
                        other => errors.push(format!("{at}: unknown field `{other}`")),
                    }
                    out.insert(if k == "enable" { "enabled".into() } else { k.clone() }, x.clone());
                }
                config.insert(key.clone(), Value::Object(out));
            }
            "workbench" => {
                let mut out = Map::new();
                for (k, x) in v.as_object().into_iter().flatten() {
                    match k.as_str() {
                        "enable_proxy_execution" => {
                            bool_at(x, &format!("{at}/{k}"), &mut errors);
                            out.insert("proxy_execution_enabled".into(), x.clone());
                        }
                        "auto_offload_threshold" if x.as_f64().is_some_and(|n| n >= 0.0) => {
                            out.insert(k.clone(), x.clone());
                        }
                        "enable" if v31 => {
                            bool_at(x, &format!("{at}/{k}"), &mut errors);
                            out.insert(k.clone(), x.clone());
                        }
                        "sandbox_size"
                            if v31 && ["standard", "medium", "large", "xlarge"].contains(&x.as_str().unwrap_or("")) =>
                        {
                            out.insert(k.clone(), x.clone());
                        }
                        other => errors.push(format!("{at}: invalid field `{other}`")),
                    }
                }
                config.insert(key.clone(), Value::Object(out));
            }
            "multi_account" if v31 => {
                if let Some(n) = v.get("max_accounts_per_toolkit")
                    && !n.as_u64().is_some_and(|n| (2..=10).contains(&n))
                {
                    errors.push(format!("{at}/max_accounts_per_toolkit: must be between 2 and 10"));
                }
                config.insert(key.clone(), v.clone());
            }
            "preload" if v31 => {
                match v.get("tools") {
                    Some(Value::String(all)) if all == "all" => {}
                    Some(list @ Value::Array(_)) => {
                        strings(list, &format!("{at}/tools"), &mut errors);
                    }
                    _ => errors.push(format!("{at}/tools: expected an array of slugs or \"all\"")),
                }
                config.insert(key.clone(), v.clone());
            }
            "search" | "execute" if v31 => {
                config.insert(key.clone(), v.clone());
            }
            other => errors.push(format!("body: unknown field `{other}`")),
        }
    }
    if errors.is_empty() { Ok(config) } else { Err(invalid(errors)) }
}

fn session_json(state: &State, api: ApiVersion, id: &str, record: &SessionRecord) -> Value {
    let mut config = record.config.clone();
    config.insert("user_id".into(), json!(record.user_id));
    let mut answer = json!({
        "session_id": id,
        "mcp": {"type": "http", "url": format!("{}/tool_router/{id}/mcp", state.base_url)},
        "tool_router_tools": META_TOOLS,
        "config": config,
        "warnings": [],
    });
    if api == ApiVersion::V31 {
        answer["config_version"] = json!(record.version);
    }
    answer
}

pub(super) fn create(state: &State, api: ApiVersion, body: &[u8]) -> Result<Answer, Refusal> {
    let body = parse_object(body)?;
    let user_id = match body.get("user_id") {
        Some(Value::String(u)) if !u.trim().is_empty() => u.clone(),
        _ => return Err(invalid(vec!["body/user_id: required, a non-empty string".into()])),
    };
    if body.contains_key("expected_config_version") {
        return Err(invalid(vec!["body: unknown field `expected_config_version`".into()]));
    }
    let config = config_of(state, api, &body)?;
    let id = format!("trs_{:08x}", state.next_id());
    let record = SessionRecord { user_id, config, version: 1 };
    let answer = session_json(state, api, &id, &record);
    lock(&state.sessions).insert(id, record);
    Ok(json_answer(201, &answer))
}

fn record(state: &State, id: &str) -> Result<SessionRecord, Refusal> {
    if !id.starts_with("trs_") {
        return Err(bad_request("Invalid session id", vec![format!("session_id: expected `trs_…`, got {id:?}")]));
    }
    lock(&state.sessions).get(id).cloned().ok_or_else(|| not_found(id))
}

pub(super) fn get(state: &State, api: ApiVersion, id: &str) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    Ok(json_answer(200, &session_json(state, api, id, &record)))
}

pub(super) fn patch(state: &State, api: ApiVersion, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    if api == ApiVersion::V3 {
        return Err(Box::new(api_error(404, 10404, "HTTP_NotFound", "Route not found", &[])));
    }
    record(state, id)?;
    let body = parse_object(body)?;
    if body.contains_key("user_id") {
        return Err(invalid(vec!["body: `user_id` cannot be changed".into()]));
    }
    let expected = match body.get("expected_config_version") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(v.as_u64().ok_or_else(|| invalid(vec!["body/expected_config_version: expected an integer".into()]))?)
        }
    };
    let changes = config_of(state, api, &body)?;
    let mut sessions = lock(&state.sessions);
    let Some(record) = sessions.get_mut(id) else {
        return Err(not_found(id));
    };
    if let Some(expected) = expected
        && expected != record.version
    {
        let message =
            format!("Session config changed: expected version {expected}, current version {}", record.version);
        return Err(Box::new(api_error(409, 4409, "ToolRouter_SessionConfigConflict", &message, &[])));
    }
    record.config.extend(changes);
    record.version += 1;
    let record = record.clone();
    drop(sessions);
    Ok(json_answer(200, &session_json(state, api, id, &record)))
}

/// The toolkits a session offers: its allowlist, or every known toolkit but its denylist.
fn session_toolkits(state: &State, record: &SessionRecord) -> Vec<String> {
    let all = || state.catalog.list_toolkits(None).into_iter().map(|tk| tk.slug.clone());
    let list = |k: &str| -> Option<BTreeSet<String>> {
        let items = record.config.get("toolkits")?.get(k)?.as_array()?;
        Some(items.iter().filter_map(Value::as_str).map(str::to_lowercase).collect())
    };
    match (list("enabled"), list("disabled")) {
        (Some(enabled), _) => enabled.into_iter().collect(),
        (None, Some(disabled)) => all().filter(|tk| !disabled.contains(tk)).collect(),
        (None, None) => all().collect(),
    }
}

/// The account a session uses for a toolkit, with its status: the one its configuration
/// names (taken as `ACTIVE`), else the user's newest account for the toolkit.
fn account_of(state: &State, record: &SessionRecord, toolkit: &str) -> Option<(String, String)> {
    let configured = record.config.get("connected_accounts").and_then(|a| a.get(toolkit)).and_then(|a| match a {
        Value::String(id) => Some(id.clone()),
        Value::Array(ids) => ids.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    });
    match configured {
        Some(id) => Some((id, "ACTIVE".into())),
        None => connected_accounts::newest_account(state, &record.user_id, toolkit),
    }
}

fn is_active(account: Option<&(String, String)>) -> bool {
    account.is_some_and(|(_, status)| status == "ACTIVE")
}

pub(super) fn toolkits(state: &State, id: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    let only_connected = query_bool(q, "is_connected", false)?;
    let items: Vec<Value> = session_toolkits(state, &record)
        .into_iter()
        .map(|tk| {
            let auth_config = record.config.get("auth_configs").and_then(|a| a.get(&tk)).cloned();
            let connected = account_of(state, &record, &tk).map(|(ca, status)| {
                json!({
                    "id": ca,
                    "user_id": record.user_id,
                    "status": status,
                    "created_at": "2025-01-01T00:00:00.000Z",
                    "auth_config": {
                        "id": auth_config.clone().unwrap_or_else(|| json!(format!("ac_{tk}"))),
                        "auth_scheme": "OAUTH2",
                        "is_composio_managed": auth_config.is_none(),
                    },
                })
            });
            json!({
                "name": tk,
                "slug": tk,
                "enabled": true,
                "is_no_auth": false,
                "composio_managed_auth_schemes": ["OAUTH2"],
                "meta": {"logo": format!("https://logos.composio.dev/api/{tk}"), "description": ""},
                "connected_account": connected,
            })
        })
        .filter(|item| !only_connected || !item["connected_account"].is_null())
        .collect();
    let w = window(q, items.len())?;
    Ok(page_answer(items[w.start..w.end].iter(), &w))
}

pub(super) fn tools(state: &State, id: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    let mut items: Vec<Value> = Vec::new();
    for slug in META_TOOLS {
        if let Some((_, tool)) = state.catalog.tool(slug).and_then(|e| state.catalog.tool_at(e, LATEST)) {
            items.push((**tool).clone());
        }
    }
    for tk in session_toolkits(state, &record).into_iter().filter(|tk| tk != "composio") {
        let filter = ToolFilter {
            toolkit_slug: Some(tk),
            tool_slugs: None,
            versions: VersionSpec::default(),
            fallback_version: LATEST,
            tags: Vec::new(),
            important: false,
            search: None,
            include_deprecated: false,
        };
        items.extend(state.catalog.list_tools(&filter).into_iter().map(|t| (*t).clone()));
    }
    let w = window(q, items.len())?;
    Ok(page_answer(items[w.start..w.end].iter(), &w))
}

pub(super) fn link(state: &State, api: ApiVersion, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    let body = parse_object(body)?;
    let mut errors = Vec::new();
    for key in body.keys() {
        let allowed = key == "toolkit"
            || key == "callback_url"
            || (api == ApiVersion::V31 && (key == "alias" || key == "experimental"));
        if !allowed {
            errors.push(format!("body: unknown field `{key}`"));
        }
    }
    let toolkit = body.get("toolkit").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    if toolkit.is_empty() {
        errors.push("body/toolkit: required".into());
    } else if !session_toolkits(state, &record).contains(&toolkit) {
        errors.push(format!("body/toolkit: `{toolkit}` is not a toolkit of session {id}"));
    }
    let text = |k: &str, errors: &mut Vec<String>| match body.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v.clone()),
        Some(_) => {
            errors.push(format!("body/{k}: expected a string"));
            None
        }
    };
    let callback = text("callback_url", &mut errors);
    if callback.as_deref().is_some_and(|u| !u.starts_with("http://") && !u.starts_with("https://")) {
        errors.push("body/callback_url: expected a URI".into());
    }
    let alias = text("alias", &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if record.config.get("connected_accounts").and_then(|a| a.get(&toolkit)).is_some() {
        let message = format!("A connected account is already defined for toolkit {toolkit} in session {id}");
        return Err(Box::new(api_error(400, 4400, "ToolRouter_ConnectedAccountAlreadyDefined", &message, &[])));
    }
    let auth_config = record.config.get("auth_configs").and_then(|a| a.get(&toolkit)).and_then(Value::as_str);
    let answer = connected_accounts::session_link(state, &record.user_id, &toolkit, auth_config, callback, alias)?;
    Ok(json_answer(201, &answer))
}

/// The execute answer of a session: `{data, error, log_id}`.
fn session_envelope(mut envelope: Value) -> Value {
    if let Some(o) = envelope.as_object_mut() {
        o.retain(|k, _| matches!(k.as_str(), "data" | "error" | "log_id"));
    }
    envelope
}

/// Runs a catalogue tool for a session: on `latest`, as the session's user, through the given
/// account or the session's.
fn run_tool(
    state: &State,
    record: &SessionRecord,
    slug: &str,
    arguments: Value,
    account: Option<&str>,
) -> Result<(u16, Value), Refusal> {
    let toolkit = state.catalog.tool(slug).map(|t| t.toolkit.clone()).unwrap_or_default();
    let account = account.map(str::to_string).or_else(|| account_of(state, record, &toolkit).map(|(id, _)| id));
    let body = json!({
        "arguments": arguments,
        "user_id": record.user_id,
        "connected_account_id": account,
        "version": LATEST,
    });
    execute_json(state, ApiVersion::V31, slug, body.to_string().as_bytes())
}

pub(super) fn execute(state: &State, api: ApiVersion, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    let body = parse_object(body)?;
    let mut errors = Vec::new();
    for key in body.keys() {
        let allowed = matches!(key.as_str(), "tool_slug" | "arguments")
            || (api == ApiVersion::V31 && matches!(key.as_str(), "account" | "enable_auto_workbench_offload"));
        if !allowed {
            errors.push(format!("body: unknown field `{key}`"));
        }
    }
    let slug = body.get("tool_slug").and_then(Value::as_str).unwrap_or_default().to_string();
    if slug.is_empty() {
        errors.push("body/tool_slug: required".into());
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let toolkit = state.catalog.tool(&slug).map(|t| t.toolkit.clone());
    match toolkit {
        None => {
            return Err(Box::new(api_error(404, 2401, "Tool_ToolNotFound", &format!("Tool {slug} not found"), &[])));
        }
        Some(tk) if !session_toolkits(state, &record).contains(&tk) => {
            let message = format!("Tool {slug} is not allowed in session {id}");
            return Err(Box::new(api_error(403, 4403, "ToolRouter_ToolNotAllowed", &message, &[])));
        }
        Some(_) => {}
    }
    let arguments = body.get("arguments").cloned().unwrap_or_else(|| json!({}));
    let (status, envelope) = run_tool(state, &record, &slug, arguments, body.get("account").and_then(Value::as_str))?;
    Ok(json_answer(status, &session_envelope(envelope)))
}

pub(super) fn execute_meta(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let record = record(state, id)?;
    let body = parse_object(body)?;
    let slug = body.get("slug").and_then(Value::as_str).unwrap_or_default().to_uppercase();
    if let Some(key) = body.keys().find(|k| !matches!(k.as_str(), "slug" | "arguments" | "experimental")) {
        return Err(invalid(vec![format!("body: unknown field `{key}`")]));
    }
    if !META_TOOLS.contains(&slug.as_str()) {
        return Err(invalid(vec![format!("body/slug: expected one of {}", META_TOOLS.join(", "))]));
    }
    let arguments = body.get("arguments").cloned().unwrap_or_else(|| json!({}));
    // The catalogue's definition, when given, checks the arguments as the platform does; a
    // responder registered for the slug then answers instead of the built-in answer.
    if state.catalog.tool(&slug).is_some() {
        let (status, envelope) = run_tool(state, &record, &slug, arguments.clone(), None)?;
        if status != 200 || has_responder(state, &slug) {
            return Ok(json_answer(status, &session_envelope(envelope)));
        }
    }
    let data = meta_answer(state, id, &record, &slug, &arguments);
    let log_id = format!("log_{:012}", state.next_id());
    Ok(json_answer(200, &json!({"data": data, "error": null, "log_id": log_id})))
}

fn has_responder(state: &State, slug: &str) -> bool {
    state.responders.read().unwrap_or_else(|e| e.into_inner()).contains_key(slug)
}

fn texts(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The session's tools that best fit a use case: the most words of the use case among the
/// words of the slug, then the shortest slug; at most three.
fn rank_tools(all: &[String], toolkits: &[String], use_case: &str) -> Vec<String> {
    let words: BTreeSet<String> = use_case
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && !toolkits.iter().any(|tk| tk.eq_ignore_ascii_case(w)))
        .map(str::to_uppercase)
        .collect();
    let mut scored: Vec<(usize, usize, &String)> = all
        .iter()
        .filter_map(|slug| {
            let tk = toolkits.iter().find(|tk| slug.to_lowercase().starts_with(&format!("{tk}_")))?;
            let parts: Vec<&str> = slug[tk.len() + 1..].split('_').collect();
            let score = parts.iter().filter(|p| words.contains(**p)).count();
            (score > 0).then_some((score, parts.len(), slug))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    scored.into_iter().take(3).map(|(_, _, slug)| slug.clone()).collect()
}

/// A small, plausible answer of each meta tool, from the session's state.
fn meta_answer(state: &State, id: &str, record: &SessionRecord, slug: &str, args: &Value) -> Value {
    let toolkits = session_toolkits(state, record);
    let status_of = |tk: &str| if is_active(account_of(state, record, tk).as_ref()) { "active" } else { "initiated" };
    match slug {
        "COMPOSIO_SEARCH_TOOLS" => {
            let queries = args.get("queries").and_then(Value::as_array).cloned().unwrap_or_default();
            let all = state.catalog.tool_slugs();
            let results: Vec<Value> = queries
                .iter()
                .enumerate()
                .map(|(index, q)| {
                    let use_case = q.get("use_case").and_then(Value::as_str).unwrap_or_default();
                    let hits = rank_tools(&all, &toolkits, use_case);
                    json!({
                        "index": index + 1,
                        "use_case": use_case,
                        "primary_tool_slugs": hits,
                        "related_tool_slugs": [],
                        "toolkits": toolkits,
                    })
                })
                .collect();
            json!({
                "results": results,
                "tool_schemas": {},
                "toolkit_connection_statuses": toolkits.iter().map(|tk| json!({
                    "toolkit": tk, "has_active_connection": status_of(tk) == "active",
                })).collect::<Vec<_>>(),
                "time_info": {"current_time_utc": "2025-01-01T00:00:00Z"},
                "session": {"id": id, "instructions": "Use the session id in later calls."},
                "next_steps_guidance": ["Call COMPOSIO_MULTI_EXECUTE_TOOL with the primary tools."],
            })
        }
        "COMPOSIO_MULTI_EXECUTE_TOOL" => {
            let tools = args.get("tools").and_then(Value::as_array).cloned().unwrap_or_default();
            let mut ok = 0;
            let results: Vec<Value> = tools
                .iter()
                .enumerate()
                .map(|(index, call)| {
                    let slug = call.get("tool_slug").and_then(Value::as_str).unwrap_or_default();
                    let arguments = call.get("arguments").cloned().unwrap_or_else(|| json!({}));
                    match run_tool(state, record, slug, arguments, None) {
                        Ok((200, envelope)) => {
                            ok += 1;
                            json!({"tool_slug": slug, "index": index, "error": null, "response": envelope})
                        }
                        Ok((_, body)) => json!({"tool_slug": slug, "index": index, "error": body["error"]["message"], "response": null}),
                        Err(_) => json!({"tool_slug": slug, "index": index, "error": "the tool could not run", "response": null}),
                    }
                })
                .collect();
            json!({"results": results, "total_count": tools.len(), "success_count": ok, "error_count": tools.len() - ok})
        }
        "COMPOSIO_MANAGE_CONNECTIONS" => {
            let mut results = Map::new();
            for tk in texts(args.get("toolkits")) {
                let status = status_of(&tk);
                let mut entry = json!({"toolkit": tk, "status": status, "has_active_connection": status == "active"});
                if status == "active" {
                    entry["connected_account_id"] = json!(account_of(state, record, &tk).map(|(id, _)| id));
                } else {
                    entry["redirect_url"] = json!(format!("{}/link/lk_{tk}", state.base_url));
                }
                results.insert(tk, entry);
            }
            json!({"message": "Connection status for the requested toolkits", "results": results})
        }
        "COMPOSIO_WAIT_FOR_CONNECTIONS" => {
            let results: Vec<Value> = texts(args.get("toolkits"))
                .into_iter()
                .map(|tk| {
                    let status = if !toolkits.contains(&tk) {
                        "NOT_FOUND"
                    } else if status_of(&tk) == "active" {
                        "ACTIVE"
                    } else {
                        "INITIATED"
                    };
                    json!({"toolkit": tk, "status": status})
                })
                .collect();
            let done = results.iter().all(|r| r["status"] == "ACTIVE");
            json!({"results": results, "all_connected": done})
        }
        "COMPOSIO_GET_TOOL_SCHEMAS" => {
            let mut schemas = Map::new();
            for slug in texts(args.get("tool_slugs")) {
                if let Some((_, tool)) = state.catalog.tool(&slug).and_then(|e| state.catalog.tool_at(e, LATEST)) {
                    schemas.insert(
                        slug.clone(),
                        json!({
                            "tool_slug": slug,
                            "toolkit": state.catalog.tool(&slug).map(|e| e.toolkit.clone()),
                            "description": tool.get("description"),
                            "input_schema": tool.get("input_parameters"),
                        }),
                    );
                }
            }
            json!({"tool_schemas": schemas})
        }
        "COMPOSIO_REMOTE_WORKBENCH" => json!({
            "stdout": format!("ran {} characters of Python\n", args.get("code_to_execute").and_then(Value::as_str).map_or(0, str::len)),
            "stderr": "",
            "results": [],
        }),
        "COMPOSIO_REMOTE_BASH_TOOL" => json!({
            "stdout": format!("$ {}\n", args.get("command").and_then(Value::as_str).unwrap_or_default()),
            "stderr": "",
            "exit_code": 0,
        }),
        _ => json!({}),
    }
}
