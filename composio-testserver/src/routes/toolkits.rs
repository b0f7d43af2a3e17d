//! The toolkit routes: list and get.

use serde_json::Value;

use super::pagination::{page_answer, window};
use super::query::query_get;
use super::reply::{json_answer, toolkit_not_found};
use super::{Answer, Refusal};
use crate::catalog::{BASE_VERSION, LATEST};
use crate::state::State;

pub(super) fn list_toolkits(state: &State, q: &[(String, String)]) -> Result<Answer, Refusal> {
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
pub(super) fn get_toolkit(state: &State, slug: &str, q: &[(String, String)]) -> Result<Answer, Refusal> {
    let Some(tk) = state.catalog.toolkit(slug) else {
        return Err(toolkit_not_found(&format!("Toolkit {slug} not found")));
    };
    let requested = query_get(q, "version").unwrap_or(LATEST);
    let Some(version) = state.catalog.toolkit_version(tk, requested) else {
        return Err(toolkit_not_found(&format!("Toolkit {slug} has no version {requested}")));
    };
    Ok(json_answer(200, &state.catalog.toolkit_json(tk, version, true)))
}
