//! The trigger type routes: `GET /triggers_types`, filtered by toolkit and version, and
//! `GET /triggers_types/{slug}`.

use serde_json::Value;

use super::pagination::{page_answer, window};
use super::query::{query_all, version_spec};
use super::reply::{json_answer, trigger_type_not_found};
use super::{Answer, ApiVersion, Refusal};
use crate::state::State;

/// Trigger types sorted by slug, of the `toolkit_slugs` asked (all without the filter), at the
/// version asked for their toolkit. A definition without a `version` is served at any.
pub(super) fn list_trigger_types(state: &State, api: ApiVersion, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let toolkits: Vec<String> = query_all(q, "toolkit_slugs").iter().map(|t| t.to_ascii_lowercase()).collect();
    let versions = version_spec(q)?;
    let text = |t: &Value, pointer: &str| t.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    let mut items: Vec<&Value> = state
        .trigger_types
        .iter()
        .filter(|t| {
            let toolkit = text(t, "/toolkit/slug").unwrap_or_default().to_ascii_lowercase();
            if !toolkits.is_empty() && !toolkits.contains(&toolkit) {
                return false;
            }
            let wanted = versions.for_toolkit(&toolkit, api.default_version());
            text(t, "/version").is_none_or(|v| wanted == "latest" || v == wanted)
        })
        .collect();
    items.sort_by_key(|t| text(t, "/slug").unwrap_or_default());
    let w = window(q, items.len())?;
    Ok(page_answer(items[w.start..w.end].iter().copied(), &w))
}

/// `GET /triggers_types/{slug}`: the slug is case-insensitive; the version is the one
/// `toolkit_versions` names for the trigger's toolkit, else the API's default.
pub(super) fn get_trigger_type(
    state: &State,
    api: ApiVersion,
    slug: &str,
    q: &[(String, String)],
) -> Result<Answer, Refusal> {
    let versions = version_spec(q)?;
    let text = |t: &Value, pointer: &str| t.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    let mut matching = state
        .trigger_types
        .iter()
        .filter(|t| text(t, "/slug").is_some_and(|s| s.eq_ignore_ascii_case(slug)))
        .peekable();
    let toolkit = match matching.peek() {
        Some(t) => text(t, "/toolkit/slug").unwrap_or_default().to_ascii_lowercase(),
        None => return Err(trigger_type_not_found(slug)),
    };
    let wanted = versions.for_toolkit(&toolkit, api.default_version());
    let found = matching.rfind(|t| text(t, "/version").is_none_or(|v| wanted == "latest" || v == wanted));
    match found {
        Some(t) => Ok(json_answer(200, t)),
        None => Err(trigger_type_not_found(slug)),
    }
}
