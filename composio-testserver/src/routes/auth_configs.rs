//! The auth config routes: list, create, get, update, enable/disable, delete.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::pagination::{page_answer, window};
use super::query::{query_all, query_bool, query_get};
use super::reply::{api_error, bad_request, json_answer};
use super::{Answer, Refusal};
use crate::accounts::{AuthConfigRec, rfc3339};
use crate::state::{State, lock};

/// The schemes `authScheme` accepts.
pub(super) const AUTH_SCHEMES: [&str; 14] = [
    "OAUTH2",
    "OAUTH1",
    "API_KEY",
    "BASIC",
    "BILLCOM_AUTH",
    "BEARER_TOKEN",
    "GOOGLE_SERVICE_ACCOUNT",
    "NO_AUTH",
    "BASIC_WITH_JWT",
    "CALCOM_AUTH",
    "SERVICE_ACCOUNT",
    "SAML",
    "DCR_OAUTH",
    "S2S_OAUTH2",
];

/// Keys of `auth_config` in a create body, besides the scheme a custom one adds.
const SHARED_KEYS: [&str; 7] = [
    "type",
    "name",
    "credentials",
    "tool_access_config",
    "restrict_to_following_tools",
    "shared_credentials",
    "is_enabled_for_tool_router",
];

pub(super) fn not_found(id: &str) -> Refusal {
    Box::new(api_error(404, 1301, "AuthConfig_NotFound", &format!("Auth config {id} not found"), &[]))
}

/// The JSON object of a body; an empty body is an empty object when `empty_ok`.
pub(super) fn json_body(body: &[u8], empty_ok: bool) -> Result<Map<String, Value>, Refusal> {
    if empty_ok && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_request("Invalid request body", vec!["body: expected a JSON object".into()])),
        Err(e) => Err(bad_request("Invalid JSON body", vec![format!("body: {e}")])),
    }
}

/// Refuses keys outside `allowed`, naming them under `at`.
pub(super) fn no_unknown_keys(map: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), Refusal> {
    let unknown: Vec<String> =
        map.keys().filter(|k| !allowed.contains(&k.as_str())).map(|k| format!("{at}{k}: unrecognized key")).collect();
    if unknown.is_empty() { Ok(()) } else { Err(bad_request("Validation error while processing request", unknown)) }
}

/// A field that must be a string if present.
pub(super) fn opt_string(map: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, Refusal> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad_request(
            "Validation error while processing request",
            vec![format!("{at}{key}: expected a string, got {other}")],
        )),
    }
}

fn opt_object<'a>(map: &'a Map<String, Value>, key: &str, at: &str) -> Result<Option<&'a Map<String, Value>>, Refusal> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(bad_request(
            "Validation error while processing request",
            vec![format!("{at}{key}: expected an object, got {other}")],
        )),
    }
}

fn tools_for_connection(access: Option<&Map<String, Value>>) -> Result<Vec<String>, Refusal> {
    match access.and_then(|a| a.get("tools_for_connected_account_creation")) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            Ok(items.iter().filter_map(Value::as_str).map(str::to_string).collect())
        }
        Some(other) => Err(bad_request(
            "Validation error while processing request",
            vec![format!(
                "auth_config.tool_access_config.tools_for_connected_account_creation: expected strings, got {other}"
            )],
        )),
    }
}

/// Credentials as listings show them: scopes as they are, every other value masked.
fn masked(credentials: &Map<String, Value>) -> Value {
    let shown = credentials.iter().map(|(k, v)| {
        let v = match k.as_str() {
            "scopes" | "user_scopes" => v.clone(),
            _ => json!("****"),
        };
        (k.clone(), v)
    });
    Value::Object(shown.collect())
}

pub(super) fn config_json(config: &AuthConfigRec, connections: usize) -> Value {
    json!({
        "id": config.id,
        "uuid": format!("00000000-0000-4000-9000-{:012x}", config.seq),
        "type": if config.managed { "default" } else { "custom" },
        "toolkit": {"slug": config.toolkit, "logo": format!("https://logos.composio.dev/api/{}", config.toolkit)},
        "name": config.name,
        "status": if config.enabled { "ENABLED" } else { "DISABLED" },
        "no_of_connections": connections,
        "tool_access_config": {
            "tools_for_connected_account_creation": config.tool_access,
            "tools_available_for_execution": [],
        },
        "auth_scheme": config.auth_scheme,
        "is_composio_managed": config.managed,
        "credentials": if config.managed { json!({}) } else { masked(&config.credentials) },
        "proxy_config": config.proxy_url.as_ref().map(|url| json!({"proxy_url": url, "proxy_auth_key": "****"})),
        "created_by": "test",
        "created_at": config.created_at,
        "last_updated_at": config.updated_at,
        "expected_input_fields": [],
        "restrict_to_following_tools": [],
    })
}

pub(super) fn list(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let toolkits: Vec<String> = query_all(q, "toolkit_slug").iter().map(|t| t.to_lowercase()).collect();
    let managed = match query_get(q, "is_composio_managed") {
        None => None,
        Some(_) => Some(query_bool(q, "is_composio_managed", false)?),
    };
    let show_disabled = query_bool(q, "show_disabled", false)?;
    let search = query_get(q, "search").map(str::to_lowercase);
    let store = lock(&state.accounts);
    let mut configs: Vec<&AuthConfigRec> = store
        .auth_configs
        .values()
        .filter(|c| toolkits.is_empty() || toolkits.contains(&c.toolkit))
        .filter(|c| managed.is_none_or(|m| m == c.managed))
        .filter(|c| show_disabled || c.enabled)
        .filter(|c| search.as_ref().is_none_or(|s| c.name.to_lowercase().contains(s) || c.id.to_lowercase() == *s))
        .collect();
    // Newest first.
    configs.sort_by_key(|c| std::cmp::Reverse(c.seq));
    let w = window(q, configs.len())?;
    let items: Vec<Value> = configs[w.start..w.end]
        .iter()
        .map(|c| config_json(c, store.accounts.values().filter(|a| a.auth_config_id == c.id).count()))
        .collect();
    Ok(page_answer(items.iter(), &w))
}

pub(super) fn get(state: &State, id: &str) -> Result<Answer, Refusal> {
    let store = lock(&state.accounts);
    let config = store.auth_configs.get(id).ok_or_else(|| not_found(id))?;
    let connections = store.accounts.values().filter(|a| a.auth_config_id == id).count();
    Ok(json_answer(200, &config_json(config, connections)))
}

pub(super) fn create(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, false)?;
    no_unknown_keys(&body, &["toolkit", "auth_config"], "")?;
    let toolkit = opt_object(&body, "toolkit", "")?
        .and_then(|t| t.get("slug"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad_request("Validation error while processing request", vec!["toolkit.slug: required".into()]))?
        .to_lowercase();
    if state.catalog.toolkit(&toolkit).is_none() {
        return Err(bad_request(
            &format!("Toolkit {toolkit} not found"),
            vec![format!("toolkit.slug: no toolkit `{toolkit}`")],
        ));
    }
    let default = Map::from_iter([("type".to_string(), json!("use_composio_managed_auth"))]);
    let config = opt_object(&body, "auth_config", "")?.unwrap_or(&default);
    let at = "auth_config.";
    let managed = match config.get("type").and_then(Value::as_str) {
        Some("use_composio_managed_auth") => true,
        Some("use_custom_auth") => false,
        other => {
            return Err(bad_request(
                "Validation error while processing request",
                vec![format!(
                    "auth_config.type: expected \"use_composio_managed_auth\" or \"use_custom_auth\", got {other:?}"
                )],
            ));
        }
    };
    let mut allowed = SHARED_KEYS.to_vec();
    if !managed {
        allowed.extend(["authScheme", "proxy_config"]);
    }
    no_unknown_keys(config, &allowed, at)?;
    let credentials = opt_object(config, "credentials", at)?.cloned().unwrap_or_default();
    let auth_scheme = if managed {
        "OAUTH2".to_string()
    } else {
        let scheme = opt_string(config, "authScheme", at)?.ok_or_else(|| {
            bad_request("Validation error while processing request", vec!["auth_config.authScheme: required".into()])
        })?;
        if !AUTH_SCHEMES.contains(&scheme.as_str()) {
            return Err(bad_request(
                "Validation error while processing request",
                vec![format!("auth_config.authScheme: unknown scheme {scheme:?}")],
            ));
        }
        if scheme == "OAUTH2" {
            let missing: Vec<String> = ["client_id", "client_secret"]
                .iter()
                .filter(|k| credentials.get(**k).and_then(Value::as_str).is_none_or(str::is_empty))
                .map(|k| format!("auth_config.credentials.{k}: required for OAUTH2"))
                .collect();
            if !missing.is_empty() {
                return Err(bad_request("Missing required credential fields", missing));
            }
        }
        scheme
    };
    let proxy_url = match opt_object(config, "proxy_config", at)? {
        None => None,
        Some(proxy) => Some(opt_string(proxy, "proxy_url", "auth_config.proxy_config.")?.ok_or_else(|| {
            bad_request(
                "Validation error while processing request",
                vec!["auth_config.proxy_config.proxy_url: required".into()],
            )
        })?),
    };
    let tool_access = tools_for_connection(opt_object(config, "tool_access_config", at)?)?;
    let name = opt_string(config, "name", at)?;
    let mut store = lock(&state.accounts);
    let seq = store.next();
    let id = format!("ac_test{seq:06}");
    let now = rfc3339(SystemTime::now());
    let record = AuthConfigRec {
        id: id.clone(),
        seq,
        name: name.unwrap_or_else(|| format!("{toolkit} auth config {seq}")),
        toolkit: toolkit.clone(),
        managed,
        auth_scheme: auth_scheme.clone(),
        enabled: true,
        credentials,
        tool_access,
        proxy_url,
        created_at: now.clone(),
        updated_at: now,
    };
    store.auth_configs.insert(id.clone(), record);
    Ok(json_answer(
        201,
        &json!({
            "toolkit": {"slug": toolkit},
            "auth_config": {
                "id": id,
                "auth_scheme": auth_scheme,
                "is_composio_managed": managed,
                "restrict_to_following_tools": [],
            },
        }),
    ))
}

pub(super) fn update(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, false)?;
    let mut store = lock(&state.accounts);
    let config = store.auth_configs.get_mut(id).ok_or_else(|| not_found(id))?;
    let kind = body.get("type").and_then(Value::as_str);
    let shared = ["type", "tool_access_config", "shared_credentials", "restrict_to_following_tools"];
    match kind {
        Some("custom") => {
            let mut allowed = shared.to_vec();
            allowed.extend(["credentials", "proxy_config"]);
            no_unknown_keys(&body, &allowed, "")?;
            let credentials = opt_object(&body, "credentials", "")?.cloned().ok_or_else(|| {
                bad_request("Validation error while processing request", vec!["credentials: required".into()])
            })?;
            if config.managed {
                return Err(bad_request(
                    "Cannot update a Composio-managed auth config with type custom",
                    vec!["type: this auth config is `default`".into()],
                ));
            }
            config.credentials = credentials;
        }
        Some("default") => {
            let mut allowed = shared.to_vec();
            allowed.push("scopes");
            no_unknown_keys(&body, &allowed, "")?;
            if !config.managed {
                return Err(bad_request(
                    "Cannot update a custom auth config with type default",
                    vec!["type: this auth config is `custom`".into()],
                ));
            }
            match body.get("scopes") {
                None | Some(Value::Null) => {}
                Some(scopes @ (Value::String(_) | Value::Array(_))) => {
                    config.credentials.insert("scopes".into(), scopes.clone());
                }
                Some(other) => {
                    return Err(bad_request(
                        "Validation error while processing request",
                        vec![format!("scopes: expected a string or strings, got {other}")],
                    ));
                }
            }
        }
        other => {
            return Err(bad_request(
                "Validation error while processing request",
                vec![format!("type: expected \"custom\" or \"default\", got {other:?}")],
            ));
        }
    }
    if let Some(access) = opt_object(&body, "tool_access_config", "")? {
        config.tool_access = tools_for_connection(Some(access))?;
    }
    config.updated_at = rfc3339(SystemTime::now());
    Ok(json_answer(200, &json!({})))
}

pub(super) fn set_status(state: &State, id: &str, path: &str) -> Result<Answer, Refusal> {
    let status = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let enabled = match status {
        "ENABLED" => true,
        "DISABLED" => false,
        other => {
            return Err(bad_request(
                "Validation error while processing request",
                vec![format!("status: expected \"ENABLED\" or \"DISABLED\", got {other:?}")],
            ));
        }
    };
    let mut store = lock(&state.accounts);
    let config = store.auth_configs.get_mut(id).ok_or_else(|| not_found(id))?;
    config.enabled = enabled;
    config.updated_at = rfc3339(SystemTime::now());
    Ok(json_answer(200, &json!({})))
}

pub(super) fn delete(state: &State, id: &str) -> Result<Answer, Refusal> {
    let mut store = lock(&state.accounts);
    store.auth_configs.remove(id).ok_or_else(|| not_found(id))?;
    Ok(json_answer(200, &json!({})))
}
