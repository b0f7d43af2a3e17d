//! Reading query parameters the way the API does.

use super::Refusal;
use super::reply::bad_request;
use crate::catalog::VersionSpec;

pub(super) fn query_get<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// Every value of a repeatable parameter: `name=a&name=b`, `name[]=a`, `name=a,b`.
pub(super) fn query_all(q: &[(String, String)], name: &str) -> Vec<String> {
    let bracket = format!("{name}[]");
    q.iter()
        .filter(|(k, _)| *k == name || *k == bracket)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn query_bool(q: &[(String, String)], name: &str, default: bool) -> Result<bool, Refusal> {
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
pub(super) fn version_spec(q: &[(String, String)]) -> Result<VersionSpec, Refusal> {
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
