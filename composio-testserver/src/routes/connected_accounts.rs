//! The connected account routes, the Connect Link, and the link page that plays the user.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::auth_configs::{self as configs, json_body, no_unknown_keys, opt_string};
use super::pagination::{page_answer, window};
use super::query::{query_all, query_get};
use super::reply::{api_error, bad_request, json_answer, raw_reply, response};
use super::{Answer, Refusal};
use crate::accounts::{AccountRec, Accounts, LinkRec, rfc3339};
use crate::state::{State, lock};
use crate::util::percent_encode_path;

const STATUSES: [&str; 7] = ["INITIALIZING", "INITIATED", "ACTIVE", "FAILED", "EXPIRED", "INACTIVE", "REVOKED"];

fn not_found(id: &str) -> Refusal {
    Box::new(api_error(404, 1201, "ConnectedAccount_NotFound", &format!("Connected account {id} not found"), &[]))
}

fn invalid(errors: Vec<String>) -> Refusal {
    bad_request("Validation error while processing request", errors)
}

pub(super) fn list(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let users = query_all(q, "user_ids");
    let toolkits: Vec<String> = query_all(q, "toolkit_slugs").iter().map(|t| t.to_lowercase()).collect();
    let configs = query_all(q, "auth_config_ids");
    let ids = query_all(q, "connected_account_ids");
    let statuses = query_all(q, "statuses");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
        return Err(invalid(vec![format!("statuses: unknown status {bad:?}")]));
    }
    let order_by = query_get(q, "order_by").unwrap_or("created_at");
    if !matches!(order_by, "created_at" | "updated_at") {
        return Err(invalid(vec![format!("order_by: expected created_at or updated_at, got {order_by:?}")]));
    }
    let direction = query_get(q, "order_direction").unwrap_or("desc");
    if !matches!(direction, "asc" | "desc") {
        return Err(invalid(vec![format!("order_direction: expected asc or desc, got {direction:?}")]));
    }
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    let mut found: Vec<&AccountRec> = store
        .accounts
        .values()
        .filter(|a| users.is_empty() || users.contains(&a.user_id))
        .filter(|a| toolkits.is_empty() || toolkits.contains(&a.toolkit))
        .filter(|a| configs.is_empty() || configs.contains(&a.auth_config_id))
        .filter(|a| ids.is_empty() || ids.contains(&a.id))
        .filter(|a| statuses.is_empty() || statuses.contains(&a.status))
        .collect();
    // Timestamps tie within a millisecond; the sequence breaks ties in creation order.
    match order_by {
        "updated_at" => found.sort_by(|a, b| (&a.updated_at, a.seq).cmp(&(&b.updated_at, b.seq))),
        _ => found.sort_by_key(|a| a.seq),
    }
    if direction == "desc" {
        found.reverse();
    }
    let w = window(q, found.len())?;
    let items: Vec<Value> = found[w.start..w.end].iter().map(|a| store.account_json(a, false)).collect();
    Ok(page_answer(items.iter(), &w))
}

pub(super) fn get(state: &State, id: &str) -> Result<Answer, Refusal> {
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    let account = store.accounts.get(id).ok_or_else(|| not_found(id))?;
    Ok(json_answer(200, &store.account_json(account, true)))
}

/// Checks the auth config a new account goes through: it exists and is enabled.
fn usable_config(store: &Accounts, id: &str) -> Result<(String, String), Refusal> {
    let config = store.auth_configs.get(id).ok_or_else(|| configs::not_found(id))?;
    if !config.enabled {
        return Err(Box::new(api_error(
            400,
            1302,
            "AuthConfig_Disabled",
            &format!("Auth config {id} is disabled"),
            &[],
        )));
    }
    Ok((config.toolkit.clone(), config.auth_scheme.clone()))
}

/// Refuses an alias the user already gave another account of the toolkit.
fn alias_free(store: &Accounts, user: &str, toolkit: &str, alias: Option<&str>) -> Result<(), Refusal> {
    let Some(alias) = alias else { return Ok(()) };
    let taken =
        store.accounts.values().any(|a| a.user_id == user && a.toolkit == toolkit && a.alias.as_deref() == Some(alias));
    if taken {
        return Err(Box::new(api_error(
            400,
            1202,
            "ConnectedAccount_AlreadyExists",
            &format!("A connected account with alias {alias:?} already exists for user {user} on {toolkit}"),
            &[],
        )));
    }
    Ok(())
}

fn callback_url(map: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, Refusal> {
    let url = opt_string(map, key, at)?;
    if let Some(url) = &url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(invalid(vec![format!("{at}{key}: expected an http(s) URL, got {url:?}")]));
    }
    Ok(url)
}

/// A new account waiting for its user at the link page.
fn new_pending(
    state: &State,
    store: &mut Accounts,
    user_id: &str,
    config_id: &str,
    (toolkit, scheme): (String, String),
    callback: Option<String>,
    alias: Option<String>,
) -> (String, String, SystemTime) {
    let seq = store.next();
    let id = format!("ca_test{seq:06}");
    let token = format!("ln_test{seq:06}");
    let expires_at = SystemTime::now() + store.link_lifetime;
    let redirect = format!("{}/link/{token}", state.base_url);
    let now = rfc3339(SystemTime::now());
    let mut val = Map::new();
    val.insert("redirectUrl".into(), json!(redirect));
    if let Some(cb) = &callback {
        val.insert("callback_url".into(), json!(cb));
    }
    let account = AccountRec {
        id: id.clone(),
        seq,
        user_id: user_id.to_string(),
        toolkit,
        auth_config_id: config_id.to_string(),
        auth_scheme: scheme,
        status: "INITIATED".into(),
        status_reason: None,
        alias,
        val,
        link: Some(LinkRec { token: token.clone(), expires_at, callback_url: callback, fail: None }),
        created_at: now.clone(),
        updated_at: now,
    };
    store.accounts.insert(id.clone(), account);
    store.links.insert(token, id.clone());
    (id, redirect, expires_at)
}

pub(super) fn link(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, false)?;
    no_unknown_keys(
        &body,
        &["auth_config_id", "user_id", "callback_url", "connection_data", "alias", "experimental"],
        "",
    )?;
    let mut errors = Vec::new();
    let config_id = opt_string(&body, "auth_config_id", "")?.filter(|s| !s.is_empty());
    if config_id.is_none() {
        errors.push("auth_config_id: required".to_string());
    }
    let user_id = opt_string(&body, "user_id", "")?.filter(|s| !s.is_empty());
    if user_id.is_none() {
        errors.push("user_id: required, at least 1 character".to_string());
    }
    let (Some(config_id), Some(user_id)) = (config_id, user_id) else {
        return Err(invalid(errors));
    };
    let callback = callback_url(&body, "callback_url", "")?;
    let alias = opt_string(&body, "alias", "")?;
    let mut store = lock(&state.accounts);
    let config = usable_config(&store, &config_id)?;
    alias_free(&store, &user_id, &config.0, alias.as_deref())?;
    let (id, redirect, expires_at) = new_pending(state, &mut store, &user_id, &config_id, config, callback, alias);
    let token = redirect.rsplit('/').next().unwrap_or_default().to_string();
    Ok(json_answer(
        201,
        &json!({
            "link_token": token,
            "redirect_url": redirect,
            "expires_at": rfc3339(expires_at),
            "connected_account_id": id,
        }),
    ))
}

/// A session's Connect Link (`POST …/session/{id}/link`): through the given auth config, or
/// the toolkit's first enabled one (404 when it has none). The session route answers no
/// `expires_at`.
pub(super) fn session_link(
    state: &State,
    user_id: &str,
    toolkit: &str,
    auth_config: Option<&str>,
    callback: Option<String>,
    alias: Option<String>,
) -> Result<Value, Refusal> {
    let mut store = lock(&state.accounts);
    let config_id = match auth_config {
        Some(id) => id.to_string(),
        None => store
            .auth_configs
            .values()
            .filter(|c| c.toolkit == toolkit && c.enabled)
            .min_by_key(|c| c.seq)
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                Box::new(api_error(
                    404,
                    1301,
                    "AuthConfig_NotFound",
                    &format!("No auth config for toolkit {toolkit}"),
                    &[],
                ))
            })?,
    };
    let config = usable_config(&store, &config_id)?;
    alias_free(&store, user_id, &config.0, alias.as_deref())?;
    let (id, redirect, _) = new_pending(state, &mut store, user_id, &config_id, config, callback, alias);
    let token = redirect.rsplit('/').next().unwrap_or_default().to_string();
    Ok(json!({"link_token": token, "redirect_url": redirect, "connected_account_id": id}))
}

/// The newest account of a user for a toolkit, with its status: the one a session uses when
/// its configuration names none.
pub(super) fn newest_account(state: &State, user_id: &str, toolkit: &str) -> Option<(String, String)> {
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    store
        .accounts
        .values()
        .filter(|a| a.user_id == user_id && a.toolkit == toolkit)
        .max_by_key(|a| a.seq)
        .map(|a| (a.id.clone(), a.status.clone()))
}

/// The legacy create: OAuth schemes wait for the user like a link; others start `ACTIVE`
/// with the state given.
pub(super) fn create(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, false)?;
    no_unknown_keys(&body, &["auth_config", "connection", "validate_credentials"], "")?;
    let config_id = body
        .get("auth_config")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| invalid(vec!["auth_config.id: required".into()]))?;
    let Some(Value::Object(connection)) = body.get("connection") else {
        return Err(invalid(vec!["connection: required, an object".into()]));
    };
    let at = "connection.";
    no_unknown_keys(
        connection,
        &["user_id", "callback_url", "state", "alias", "experimental", "data", "redirect_uri"],
        at,
    )?;
    let user_id = opt_string(connection, "user_id", at)?.unwrap_or_else(|| "default".into());
    let callback = callback_url(connection, "callback_url", at)?;
    let alias = opt_string(connection, "alias", at)?;
    let mut store = lock(&state.accounts);
    let (toolkit, scheme) = usable_config(&store, &config_id)?;
    alias_free(&store, &user_id, &toolkit, alias.as_deref())?;
    let given = match connection.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::Object(given)) => {
            let given_scheme = given.get("authScheme").and_then(Value::as_str).unwrap_or_default();
            if given_scheme != scheme {
                return Err(invalid(vec![format!(
                    "connection.state.authScheme: {given_scheme:?} does not match the auth config's {scheme}"
                )]));
            }
            match given.get("val") {
                Some(Value::Object(val)) => Some(val.clone()),
                _ => return Err(invalid(vec!["connection.state.val: required, an object".into()])),
            }
        }
        Some(other) => return Err(invalid(vec![format!("connection.state: expected an object, got {other}")])),
    };
    let oauth = matches!(scheme.as_str(), "OAUTH2" | "OAUTH1" | "DCR_OAUTH");
    if oauth {
        let (id, redirect, _) =
            new_pending(state, &mut store, &user_id, &config_id, (toolkit, scheme.clone()), callback, alias);
        let data = json!({"authScheme": scheme, "val": {"status": "INITIATED", "redirectUrl": redirect}});
        return Ok(json_answer(
            201,
            &json!({"id": id, "connectionData": data, "status": "INITIATED", "redirect_url": redirect,
                    "redirect_uri": redirect, "deprecated": {"uuid": id, "authConfigUuid": config_id}}),
        ));
    }
    let mut val = given.ok_or_else(|| invalid(vec![format!("connection.state: required for {scheme}")]))?;
    val.remove("status");
    let required = match scheme.as_str() {
        "BEARER_TOKEN" => Some("token"),
        "BASIC" => Some("username"),
        _ => None,
    };
    if let Some(field) = required
        && val.get(field).and_then(Value::as_str).is_none_or(str::is_empty)
    {
        return Err(invalid(vec![format!("connection.state.val.{field}: required for {scheme}")]));
    }
    let seq = store.next();
    let id = format!("ca_test{seq:06}");
    let now = rfc3339(SystemTime::now());
    let account = AccountRec {
        id: id.clone(),
        seq,
        user_id,
        toolkit,
        auth_config_id: config_id.clone(),
        auth_scheme: scheme.clone(),
        status: "ACTIVE".into(),
        status_reason: None,
        alias,
        val,
        link: None,
        created_at: now.clone(),
        updated_at: now,
    };
    store.accounts.insert(id.clone(), account);
    Ok(json_answer(
        201,
        &json!({"id": id, "connectionData": {"authScheme": scheme, "val": {"status": "ACTIVE"}}, "status": "ACTIVE",
                "redirect_url": null, "redirect_uri": null, "deprecated": {"uuid": id, "authConfigUuid": config_id}}),
    ))
}

pub(super) fn delete(state: &State, id: &str) -> Result<Answer, Refusal> {
    let mut store = lock(&state.accounts);
    let account = store.accounts.remove(id).ok_or_else(|| not_found(id))?;
    if let Some(link) = account.link {
        store.links.remove(&link.token);
    }
    Ok(json_answer(200, &json!({"success": true})))
}

pub(super) fn set_status(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, false)?;
    no_unknown_keys(&body, &["enabled"], "")?;
    let Some(enabled) = body.get("enabled").and_then(Value::as_bool) else {
        return Err(invalid(vec!["enabled: required, a boolean".into()]));
    };
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    let account = store.accounts.get_mut(id).ok_or_else(|| not_found(id))?;
    if !matches!(account.status.as_str(), "ACTIVE" | "INACTIVE") {
        return Err(bad_request(
            &format!("Connected account {id} is {} and cannot be enabled or disabled", account.status),
            vec![],
        ));
    }
    account.status = if enabled { "ACTIVE" } else { "INACTIVE" }.into();
    account.status_reason = Some("Connection status updated by user".into());
    account.updated_at = rfc3339(SystemTime::now());
    Ok(json_answer(200, &json!({"success": true})))
}

/// OAuth accounts get a new link; the others keep their credentials and stay as they are.
pub(super) fn refresh(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body = json_body(body, true)?;
    no_unknown_keys(&body, &["redirect_url", "validate_credentials"], "")?;
    let callback = callback_url(&body, "redirect_url", "")?;
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    let lifetime = store.link_lifetime;
    let next = store.next();
    let account = store.accounts.get_mut(id).ok_or_else(|| not_found(id))?;
    if !matches!(account.auth_scheme.as_str(), "OAUTH2" | "OAUTH1" | "DCR_OAUTH") {
        return Ok(json_answer(200, &json!({"id": id, "status": account.status, "redirect_url": null})));
    }
    let token = format!("ln_test{next:06}");
    let redirect = format!("{}/link/{token}", state.base_url);
    account.status = "INITIATED".into();
    account.status_reason = None;
    account.val = Map::from_iter([("redirectUrl".to_string(), json!(redirect))]);
    let old = account.link.replace(LinkRec {
        token: token.clone(),
        expires_at: SystemTime::now() + lifetime,
        callback_url: callback,
        fail: None,
    });
    account.updated_at = rfc3339(SystemTime::now());
    if let Some(old) = old {
        store.links.remove(&old.token);
    }
    store.links.insert(token, id.to_string());
    Ok(json_answer(200, &json!({"id": id, "status": "INITIATED", "redirect_url": redirect})))
}

/// `GET /link/{token}`: the user opens the link and finishes (or fails) the login.
pub(super) fn link_page(state: &State, token: &str) -> Answer {
    let mut store = lock(&state.accounts);
    store.sweep(SystemTime::now());
    let Some(id) = store.links.get(token).cloned() else {
        return api_error(404, 1203, "ConnectedAccount_LinkNotFound", "This link does not exist", &[]);
    };
    let Some(account) = store.accounts.get_mut(&id) else {
        return api_error(404, 1203, "ConnectedAccount_LinkNotFound", "This link does not exist", &[]);
    };
    let Some(link) = account.link.clone() else {
        return api_error(404, 1203, "ConnectedAccount_LinkNotFound", "This link does not exist", &[]);
    };
    match account.status.as_str() {
        "INITIATED" => {}
        "EXPIRED" => {
            return api_error(410, 1204, "ConnectedAccount_LinkExpired", "This link has expired", &[]);
        }
        other => {
            return api_error(
                400,
                1205,
                "ConnectedAccount_LinkUsed",
                &format!("This link was already used ({other})"),
                &[],
            );
        }
    }
    let now = rfc3339(SystemTime::now());
    let status = match link.fail {
        Some(reason) => {
            account.status = "FAILED".into();
            account.status_reason = Some(reason);
            account.val = Map::from_iter([
                ("error".to_string(), json!("access_denied")),
                ("error_description".to_string(), json!("The user or the provider refused the authorization")),
            ]);
            "failed"
        }
        None => {
            account.status = "ACTIVE".into();
            account.status_reason = None;
            account.val = Map::from_iter([
                ("access_token".to_string(), json!(format!("gho_test_access_{}", account.seq))),
                ("refresh_token".to_string(), json!(format!("ghr_test_refresh_{}", account.seq))),
                ("token_type".to_string(), json!("bearer")),
                ("expires_in".to_string(), json!(28_800)),
                ("scope".to_string(), json!("repo,user")),
            ]);
            "success"
        }
    };
    account.updated_at = now;
    match link.callback_url {
        Some(callback) => {
            // The parameters go into the query, before any fragment.
            let (base, fragment) = match callback.split_once('#') {
                Some((base, fragment)) => (base, format!("#{fragment}")),
                None => (callback.as_str(), String::new()),
            };
            let separator = if base.contains('?') { '&' } else { '?' };
            let location = format!(
                "{base}{separator}status={status}&connected_account_id={}{fragment}",
                percent_encode_path(&account.id)
            );
            raw_reply(302, &[("location".into(), location)], String::new())
        }
        None => response(
            200,
            "text/html; charset=utf-8",
            format!("<html><body>Connection {status}. You can close this window.</body></html>"),
        ),
    }
}
