//! Webhook bodies built from trigger type schemas, shared by the trigger tests.

use composio_typed::triggers::PayloadVersion;
use serde_json::{Value, json};

/// A value that fits `schema`: its first example, else its default, else one of its type.
pub fn sample(schema: &Value) -> Value {
    if let Some(example) = schema.get("examples").and_then(|e| e.get(0)) {
        return example.clone();
    }
    if let Some(default) = schema.get("default").filter(|d| !d.is_null()) {
        return default.clone();
    }
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let branch = branches.iter().find(|b| b.get("type").and_then(Value::as_str) != Some("null"));
        return branch.map(sample).unwrap_or(Value::Null);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!("text"),
        Some("integer") => json!(7),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        _ => {
            let props = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            Value::Object(props.iter().map(|(k, v)| (k.clone(), sample(v))).collect())
        }
    }
}

/// The body of one delivery of `slug` carrying `data`, in `version`.
pub fn body(version: PayloadVersion, slug: &str, data: &Value) -> Value {
    match version {
        PayloadVersion::V3 => {
            json!({"id": "msg_00000000-0000-4000-8000-000000000001", "type": "composio.trigger.message",
            "timestamp": "2026-01-01T00:00:00Z", "metadata": {"log_id": "log_1", "trigger_slug": slug,
            "trigger_id": "ti_1", "connected_account_id": "ca_1", "auth_config_id": "ac_1", "user_id": null},
            "data": data})
        }
        PayloadVersion::V2 => {
            let mut fields = data.as_object().cloned().unwrap_or_default();
            fields.insert("trigger_nano_id".into(), json!("ti_1"));
            fields.insert("connection_nano_id".into(), json!("ca_1"));
            fields.insert("user_id".into(), Value::Null);
            json!({"type": slug.to_ascii_lowercase(), "timestamp": "2026-01-01T00:00:00Z", "log_id": "log_1", "data": fields})
        }
        _ => {
            json!({"trigger_name": slug, "trigger_id": "ti_1", "connection_id": "ca_1", "log_id": "log_1", "payload": data})
        }
    }
}

/// The real trigger types of the corpus, or `None` when the corpus is absent.
pub fn real_trigger_types() -> Option<Vec<Value>> {
    if composio_testserver::corpus_missing() {
        return None;
    }
    let path = composio_testserver::corpus_dir().join("trigger-types.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap())
}
