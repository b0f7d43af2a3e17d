//! The trigger instance routes: upsert, list active, enable/disable, delete; with the
//! platform's 409 for a state already reached and for a second delete.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::pagination::{page_answer, window};
use super::query::{query_all, query_bool};
use super::reply::{api_error, bad_request, json_answer};
use super::{Answer, Refusal};
use crate::accounts::rfc3339;
use crate::state::{InstanceRec, State, lock};

fn not_found(id: &str) -> Refusal {
    Box::new(api_error(404, 4404, "TriggerInstance_NotFound", &format!("Trigger instance {id} not found"), &[]))
}

fn conflict(message: &str) -> Refusal {
    Box::new(api_error(409, 4409, "TriggerInstance_Conflict", message, &[]))
}

/// `POST /trigger_instances/{slug}/upsert`: one instance per trigger type and account.
pub(super) fn upsert(state: &State, slug: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| bad_request("Invalid JSON body", vec![e.to_string()]))?;
    let slug = slug.to_ascii_uppercase();
    let Some(trigger_type) = state.trigger_types.iter().find(|t| t["slug"] == slug.as_str()) else {
        return Err(Box::new(api_error(
            404,
            4404,
            "TriggerType_NotFound",
            &format!("Trigger type {slug} not found"),
            &[],
        )));
    };
    let Some(account_id) = body["connected_account_id"].as_str() else {
        return Err(bad_request("Invalid request body", vec!["connected_account_id: required".into()]));
    };
    let (user_id, toolkit) = {
        let accounts = lock(&state.accounts);
        let Some(account) = accounts.accounts.get(account_id) else {
            return Err(Box::new(api_error(
                404,
                4404,
                "ConnectedAccount_NotFound",
                &format!("Connected account {account_id} not found"),
                &[],
            )));
        };
        (account.user_id.clone(), account.toolkit.clone())
    };
    if trigger_type.pointer("/toolkit/slug").and_then(Value::as_str).is_some_and(|t| !t.eq_ignore_ascii_case(&toolkit))
    {
        return Err(bad_request("Invalid request body", vec![format!("{account_id} is not a {slug} account")]));
    }
    let config = match &body["trigger_config"] {
        Value::Null => json!({}),
        Value::Object(_) => body["trigger_config"].clone(),
        _ => return Err(bad_request("Invalid request body", vec!["trigger_config: expected an object".into()])),
    };
    let now = rfc3339(SystemTime::now());
    let mut instances = lock(&state.trigger_instances);
    let existing = instances.iter_mut().find(|i| !i.deleted && i.slug == slug && i.connected_account_id == account_id);
    let id = match existing {
        Some(instance) => {
            instance.config = config;
            instance.updated_at = now;
            instance.id.clone()
        }
        None => {
            let id = format!("ti_{:08}", state.next_id());
            instances.push(InstanceRec {
                id: id.clone(),
                slug,
                connected_account_id: account_id.to_owned(),
                user_id,
                config,
                disabled_at: None,
                updated_at: now,
                deleted: false,
            });
            id
        }
    };
    Ok(json_answer(200, &json!({ "trigger_id": id })))
}

/// `GET /trigger_instances/active`, filtered, enabled ones only unless `show_disabled`.
pub(super) fn list_active(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let filter = |name: &str| query_all(q, name);
    let (accounts, ids, slugs, users) =
        (filter("connected_account_ids"), filter("trigger_ids"), filter("trigger_names"), filter("user_ids"));
    let show_disabled = query_bool(q, "show_disabled", false)?;
    let keep = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let instances = lock(&state.trigger_instances);
    let items: Vec<Value> = instances
        .iter()
        .filter(|i| !i.deleted && (show_disabled || i.disabled_at.is_none()))
        .filter(|i| keep(&accounts, &i.connected_account_id) && keep(&ids, &i.id) && keep(&slugs, &i.slug))
        .filter(|i| keep(&users, &i.user_id))
        .map(|i| {
            json!({"id": i.id, "trigger_name": i.slug, "connected_account_id": i.connected_account_id,
                   "user_id": i.user_id, "trigger_config": i.config, "disabled_at": i.disabled_at,
                   "updated_at": i.updated_at, "state": {}})
        })
        .collect();
    let w = window(q, items.len())?;
    Ok(page_answer(items[w.start..w.end].iter(), &w))
}

/// `PATCH /trigger_instances/manage/{id}` with `{"status": "enable" | "disable"}`.
pub(super) fn set_status(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| bad_request("Invalid JSON body", vec![e.to_string()]))?;
    let enable = match body["status"].as_str() {
        Some("enable") => true,
        Some("disable") => false,
        _ => {
            return Err(bad_request("Invalid request body", vec!["status: expected \"enable\" or \"disable\"".into()]));
        }
    };
    let mut instances = lock(&state.trigger_instances);
    let Some(instance) = instances.iter_mut().find(|i| i.id == id && !i.deleted) else { return Err(not_found(id)) };
    match (enable, instance.disabled_at.is_none()) {
        (true, true) => return Err(conflict("Trigger instance already enabled")),
        (false, false) => return Err(conflict("Trigger instance already disabled")),
        (true, false) => instance.disabled_at = None,
        (false, true) => instance.disabled_at = Some(rfc3339(SystemTime::now())),
    }
    Ok(json_answer(200, &json!({"status": "success"})))
}

/// `DELETE /trigger_instances/manage/{id}`; a second delete is a 409.
pub(super) fn delete(state: &State, id: &str) -> Result<Answer, Refusal> {
    let mut instances = lock(&state.trigger_instances);
    let Some(instance) = instances.iter_mut().find(|i| i.id == id) else { return Err(not_found(id)) };
    if instance.deleted {
        return Err(conflict("Trigger instance already deleted"));
    }
    instance.deleted = true;
    Ok(json_answer(200, &json!({"trigger_id": id})))
}
