//! The webhook subscription routes: one subscription per project, with a secret; create, list,
//! get, update, rotate the secret, delete, and the event types.

use serde_json::{Value, json};

use super::pagination::{page_answer, window};
use super::reply::{api_error, bad_request, json_answer};
use super::{Answer, Refusal};
use crate::state::{State, SubscriptionRec, lock};

/// The event types the platform documents, with the versions each comes in.
const EVENT_TYPES: &[(&str, &str)] = &[
    ("composio.trigger.message", "A trigger fired."),
    ("composio.connected_account.expired", "A connected account expired."),
    ("composio.trigger.disabled", "Composio disabled a trigger instance."),
];

const VERSIONS: &[&str] = &["V1", "V2", "V3"];

fn not_found(id: &str) -> Refusal {
    Box::new(api_error(404, 4404, "WebhookSubscription_NotFound", &format!("Webhook subscription {id} not found"), &[]))
}

fn check_fields(body: &Value, all_required: bool) -> Result<(), Refusal> {
    let mut errors = Vec::new();
    match body.get("webhook_url") {
        Some(Value::String(url)) if url.starts_with("http://") || url.starts_with("https://") => {}
        None if !all_required => {}
        _ => errors.push("webhook_url: expected an http(s) URL".to_owned()),
    }
    match body.get("enabled_events") {
        Some(Value::Array(events))
            if events.iter().all(|e| e.as_str().is_some_and(|e| EVENT_TYPES.iter().any(|(t, _)| *t == e))) => {}
        None if !all_required => {}
        _ => errors.push("enabled_events: expected an array of known event types".to_owned()),
    }
    match body.get("version") {
        None | Some(Value::Null) => {}
        Some(Value::String(v)) if VERSIONS.contains(&v.as_str()) => {}
        _ => errors.push("version: expected V1, V2 or V3".to_owned()),
    }
    if errors.is_empty() { Ok(()) } else { Err(bad_request("Invalid request body", errors)) }
}

fn parse(body: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice(body).map_err(|e| bad_request("Invalid JSON body", vec![e.to_string()]))
}

fn new_secret(state: &State) -> String {
    format!("whsec_test_{:016x}{:08x}", state.next_id().wrapping_mul(0x9e37_79b9_7f4a_7c15), state.next_id())
}

pub(super) fn create(state: &State, body: &[u8]) -> Result<Answer, Refusal> {
    let body = parse(body)?;
    check_fields(&body, true)?;
    let mut subscriptions = lock(&state.subscriptions);
    if !subscriptions.is_empty() {
        return Err(Box::new(api_error(
            409,
            4409,
            "WebhookSubscription_AlreadyExists",
            "The project already has a webhook subscription",
            &[],
        )));
    }
    let record = SubscriptionRec {
        id: format!("whs_{:08}", state.next_id()),
        webhook_url: body["webhook_url"].as_str().unwrap_or_default().to_owned(),
        enabled_events: body["enabled_events"].as_array().cloned().unwrap_or_default(),
        version: body["version"].as_str().unwrap_or("V3").to_owned(),
        secret: new_secret(state),
    };
    let answer = record.json();
    subscriptions.push(record);
    Ok(json_answer(201, &answer))
}

pub(super) fn list(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let items: Vec<Value> = lock(&state.subscriptions).iter().map(SubscriptionRec::json).collect();
    let w = window(q, items.len())?;
    Ok(page_answer(items[w.start..w.end].iter(), &w))
}

pub(super) fn get(state: &State, id: &str) -> Result<Answer, Refusal> {
    let subscriptions = lock(&state.subscriptions);
    let record = subscriptions.iter().find(|s| s.id == id).ok_or_else(|| not_found(id))?;
    Ok(json_answer(200, &record.json()))
}

pub(super) fn update(state: &State, id: &str, body: &[u8]) -> Result<Answer, Refusal> {
    let body = parse(body)?;
    if !["webhook_url", "enabled_events", "version"].iter().any(|k| body.get(k).is_some()) {
        return Err(bad_request("Invalid request body", vec!["At least one field must be provided".into()]));
    }
    check_fields(&body, false)?;
    let mut subscriptions = lock(&state.subscriptions);
    let record = subscriptions.iter_mut().find(|s| s.id == id).ok_or_else(|| not_found(id))?;
    if let Some(url) = body["webhook_url"].as_str() {
        record.webhook_url = url.to_owned();
    }
    if let Some(events) = body["enabled_events"].as_array() {
        record.enabled_events = events.clone();
    }
    if let Some(version) = body["version"].as_str() {
        record.version = version.to_owned();
    }
    Ok(json_answer(200, &record.json()))
}

pub(super) fn rotate(state: &State, id: &str) -> Result<Answer, Refusal> {
    let secret = new_secret(state);
    let mut subscriptions = lock(&state.subscriptions);
    let record = subscriptions.iter_mut().find(|s| s.id == id).ok_or_else(|| not_found(id))?;
    record.secret = secret;
    Ok(json_answer(200, &json!({"id": record.id, "secret": record.secret})))
}

pub(super) fn delete(state: &State, id: &str) -> Result<Answer, Refusal> {
    let mut subscriptions = lock(&state.subscriptions);
    let before = subscriptions.len();
    subscriptions.retain(|s| s.id != id);
    if subscriptions.len() == before {
        return Err(not_found(id));
    }
    Ok(json_answer(200, &json!({"success": true})))
}

pub(super) fn event_types() -> Answer {
    let items: Vec<Value> = EVENT_TYPES
        .iter()
        .map(|(event_type, description)| {
            json!({"event_type": event_type, "description": description, "supported_versions": VERSIONS})
        })
        .collect();
    json_answer(200, &json!({ "items": items }))
}
