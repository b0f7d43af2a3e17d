//! The tools and toolkits the server knows, and how versions resolve.
//!
//! Version model: every tool object is one version of one tool (its `version` field, or the
//! builder's default version). A toolkit's available versions are the versions of its tools
//! plus the extra ones given with `Builder::toolkit_versions`. A toolkit version is a
//! snapshot: asking for tool `X` at toolkit version `V` gives `X`'s own version `V` if it has
//! one, else `X`'s newest version older than `V` — but only when `V` is one of the toolkit's
//! available versions (an unknown id finds nothing). `latest` is the newest version.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use serde_json::{Map, Value, json};

/// The base version, which v3 uses when a request names none.
pub(crate) const BASE_VERSION: &str = "00000000_00";
/// The keyword for the newest version.
pub(crate) const LATEST: &str = "latest";

/// The toolkits of the corpus file `tools-github-google-latest.json`, whose tools carry no
/// `toolkit` field: known up front so that `GOOGLE_CLASSROOM_X` resolves to
/// `google_classroom` and not to some shorter prefix.
const BUILTIN_TOOLKITS: [&str; 6] =
    ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics"];

/// Fixed timestamps, so that answers are deterministic.
const TIMESTAMP: &str = "2025-01-01T00:00:00.000Z";

/// What the builder collected.
pub(crate) struct CatalogInput {
    pub tools: Vec<Value>,
    pub default_version: String,
    pub extra_versions: Vec<(String, Vec<String>)>,
    pub toolkits: Vec<Value>,
}

/// One tool slug with all its versions.
pub(crate) struct ToolEntry {
    /// The toolkit slug, lower-case.
    pub toolkit: String,
    /// Version id → the Tool object as served, ascending by version id.
    pub versions: BTreeMap<String, Arc<Value>>,
}

/// One toolkit.
pub(crate) struct ToolkitEntry {
    pub slug: String,
    name: String,
    logo: String,
    /// The toolkit object given to `Builder::toolkits`, used as the base of answers.
    given: Option<Value>,
    /// Newest first, never empty.
    pub versions: Vec<String>,
    /// Upper-case tool slugs, sorted.
    tools: Vec<String>,
}

/// Tool and toolkit data, immutable once the server runs.
pub(crate) struct Catalog {
    /// Keyed by upper-case slug, so iteration is sorted by slug.
    tools: BTreeMap<String, ToolEntry>,
    /// Keyed by lower-case slug.
    toolkits: BTreeMap<String, ToolkitEntry>,
}

/// The version asked for by `toolkit_versions` (one string for all, or per toolkit).
#[derive(Default, Debug)]
pub(crate) struct VersionSpec {
    pub all: Option<String>,
    pub per_toolkit: HashMap<String, String>,
}

impl VersionSpec {
    /// The version requested for `toolkit`, or `fallback` when none was named.
    pub fn for_toolkit<'a>(&'a self, toolkit: &str, fallback: &'a str) -> &'a str {
        self.per_toolkit.get(toolkit).or(self.all.as_ref()).map(String::as_str).unwrap_or(fallback)
    }
}

/// Filters of `GET /tools`.
pub(crate) struct ToolFilter<'a> {
    pub toolkit_slug: Option<String>,
    pub tool_slugs: Option<Vec<String>>,
    pub versions: VersionSpec,
    pub fallback_version: &'a str,
    pub tags: Vec<String>,
    pub important: bool,
    pub search: Option<String>,
    pub include_deprecated: bool,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

fn is_deprecated(tool: &Value) -> bool {
    tool.get("is_deprecated").and_then(Value::as_bool) == Some(true)
        || tool.get("deprecated").and_then(|d| d.get("is_deprecated")).and_then(Value::as_bool) == Some(true)
}

/// The toolkit of a tool without a `toolkit` field: the longest known toolkit slug that is
/// the tool slug or a `_`-terminated prefix of it, else the part before the first `_`.
fn toolkit_from_prefix(slug_lower: &str, known: &BTreeSet<String>) -> String {
    known
        .iter()
        .filter(|tk| {
            slug_lower == tk.as_str()
                || (slug_lower.starts_with(tk.as_str()) && slug_lower.as_bytes().get(tk.len()) == Some(&b'_'))
        })
        .max_by_key(|tk| tk.len())
        .cloned()
        .unwrap_or_else(|| slug_lower.split('_').next().unwrap_or(slug_lower).to_string())
}

impl Catalog {
    /// Builds the catalogue.
    ///
    /// # Panics
    /// On a tool that is not an object with a string `slug`, or a toolkit without a string
    /// `slug`: that is a mistake in the test's own setup, better reported at once.
    pub fn build(input: CatalogInput) -> Catalog {
        let mut known: BTreeSet<String> = BUILTIN_TOOLKITS.iter().map(|s| s.to_string()).collect();
        for tool in &input.tools {
            if let Some(tk) = str_at(tool, &["toolkit", "slug"]) {
                known.insert(tk.to_lowercase());
            }
        }
        for (tk, _) in &input.extra_versions {
            known.insert(tk.to_lowercase());
        }
        let mut given_toolkits: BTreeMap<String, Value> = BTreeMap::new();
        for tk in input.toolkits {
            let slug = str_at(&tk, &["slug"])
                .unwrap_or_else(|| panic!("composio-testserver: toolkit without a string `slug`: {tk}"))
                .to_lowercase();
            known.insert(slug.clone());
            given_toolkits.insert(slug, tk);
        }

        // Names and logos: a given toolkit object wins, then the first tool naming one.
        let mut names: HashMap<String, (String, String)> = HashMap::new();
        for (slug, tk) in &given_toolkits {
            let name = str_at(tk, &["name"]).unwrap_or(slug).trim().to_string();
            let logo = str_at(tk, &["meta", "logo"]).unwrap_or("").to_string();
            names.insert(slug.clone(), (name, logo));
        }
        for tool in &input.tools {
            if let Some(tk) = str_at(tool, &["toolkit", "slug"]) {
                let name = str_at(tool, &["toolkit", "name"]).unwrap_or(tk).to_string();
                let logo = str_at(tool, &["toolkit", "logo"]).unwrap_or("").to_string();
                names.entry(tk.to_lowercase()).or_insert((name, logo));
            }
        }

        let mut tools: BTreeMap<String, ToolEntry> = BTreeMap::new();
        for mut tool in input.tools {
            let Some(obj) = tool.as_object_mut() else {
                panic!("composio-testserver: a tool must be a JSON object, got {tool}");
            };
            let Some(slug) = obj.get("slug").and_then(Value::as_str).map(str::to_string) else {
                panic!("composio-testserver: tool without a string `slug`");
            };
            let version = match obj.get("version").and_then(Value::as_str) {
                Some(v) => v.to_string(),
                None => input.default_version.clone(),
            };
            obj.insert("version".into(), Value::String(version.clone()));
            let toolkit = match str_at(&Value::Object(obj.clone()), &["toolkit", "slug"]) {
                Some(tk) => tk.to_lowercase(),
                None => {
                    let tk = toolkit_from_prefix(&slug.to_lowercase(), &known);
                    let (name, logo) = names.get(&tk).cloned().unwrap_or_else(|| (tk.clone(), String::new()));
                    obj.insert("toolkit".into(), json!({"slug": tk, "name": name, "logo": logo}));
                    tk
                }
            };
            let entry = tools
                .entry(slug.to_uppercase())
                .or_insert_with(|| ToolEntry { toolkit: toolkit.clone(), versions: BTreeMap::new() });
            // A later object for the same slug and version replaces the earlier one.
            entry.versions.insert(version, Arc::new(tool));
        }

        // `available_versions` of a tool: the versions this server has of it, newest first.
        for entry in tools.values_mut() {
            let available: Vec<Value> = entry.versions.keys().rev().map(|v| Value::String(v.clone())).collect();
            for tool in entry.versions.values_mut() {
                if let Some(obj) = Arc::make_mut(tool).as_object_mut() {
                    obj.insert("available_versions".into(), Value::Array(available.clone()));
                }
            }
        }

        let mut toolkit_versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut toolkit_tools: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (slug, entry) in &tools {
            toolkit_versions.entry(entry.toolkit.clone()).or_default().extend(entry.versions.keys().cloned());
            toolkit_tools.entry(entry.toolkit.clone()).or_default().push(slug.clone());
        }
        for (tk, versions) in input.extra_versions {
            toolkit_versions.entry(tk.to_lowercase()).or_default().extend(versions);
        }
        for slug in given_toolkits.keys() {
            toolkit_versions.entry(slug.clone()).or_default();
        }

        let toolkits = toolkit_versions
            .into_iter()
            .map(|(slug, versions)| {
                let mut versions: Vec<String> = versions.into_iter().rev().collect();
                if versions.is_empty() {
                    versions.push(input.default_version.clone());
                }
                let (name, logo) = names.get(&slug).cloned().unwrap_or_else(|| (slug.clone(), String::new()));
                let entry = ToolkitEntry {
                    name,
                    logo,
                    given: given_toolkits.get(&slug).cloned(),
                    versions,
                    tools: toolkit_tools.remove(&slug).unwrap_or_default(),
                    slug: slug.clone(),
                };
                (slug, entry)
            })
            .collect();

        Catalog { tools, toolkits }
    }

    /// A tool by slug (case-insensitive).
    pub fn tool(&self, slug: &str) -> Option<&ToolEntry> {
        self.tools.get(&slug.to_uppercase())
    }

    /// A toolkit by slug (case-insensitive).
    pub fn toolkit(&self, slug: &str) -> Option<&ToolkitEntry> {
        self.toolkits.get(&slug.to_lowercase())
    }

    /// All tool slugs, sorted.
    pub fn tool_slugs(&self) -> Vec<String> {
        self.tools
            .values()
            .filter_map(|e| e.versions.values().next_back())
            .filter_map(|t| t.get("slug").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// The concrete version of a toolkit that `requested` names, if the toolkit has it.
    pub fn toolkit_version<'a>(&self, tk: &'a ToolkitEntry, requested: &str) -> Option<&'a str> {
        if requested == LATEST {
            return tk.versions.first().map(String::as_str);
        }
        tk.versions.iter().find(|v| v.as_str() == requested).map(String::as_str)
    }

    /// A tool at a requested version (see the module doc): the concrete version and the Tool.
    pub fn tool_at<'a>(&self, tool: &'a ToolEntry, requested: &str) -> Option<(&'a str, &'a Arc<Value>)> {
        if requested == LATEST {
            return tool.versions.iter().next_back().map(|(k, v)| (k.as_str(), v));
        }
        if let Some((k, v)) = tool.versions.get_key_value(requested) {
            return Some((k.as_str(), v));
        }
        let tk = self.toolkits.get(&tool.toolkit)?;
        self.toolkit_version(tk, requested)?;
        tool.versions
            .range::<str, _>((Bound::Unbounded, Bound::Excluded(requested)))
            .next_back()
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The tools that `GET /tools` answers, sorted by slug.
    pub fn list_tools(&self, filter: &ToolFilter<'_>) -> Vec<Arc<Value>> {
        let wanted: Option<BTreeSet<String>> =
            filter.tool_slugs.as_ref().map(|slugs| slugs.iter().map(|s| s.to_uppercase()).collect());
        let toolkit = filter.toolkit_slug.as_ref().map(|s| s.to_lowercase());
        let search = filter.search.as_ref().map(|s| s.to_lowercase());
        let mut out = Vec::new();
        for (slug, entry) in &self.tools {
            if let Some(wanted) = &wanted {
                // The spec: `tool_slugs` overrides the other filters.
                if !wanted.contains(slug) {
                    continue;
                }
            } else if toolkit.as_ref().is_some_and(|tk| *tk != entry.toolkit) {
                continue;
            }
            let requested = filter.versions.for_toolkit(&entry.toolkit, filter.fallback_version);
            let Some((_, tool)) = self.tool_at(entry, requested) else {
                continue;
            };
            if wanted.is_none() && !self.passes_filters(tool, filter, search.as_deref()) {
                continue;
            }
            out.push(tool.clone());
        }
        out
    }

    fn passes_filters(&self, tool: &Value, filter: &ToolFilter<'_>, search: Option<&str>) -> bool {
        let tags: Vec<&str> = tool
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !filter.include_deprecated && is_deprecated(tool) {
            return false;
        }
        if filter.important && !tags.iter().any(|t| t.eq_ignore_ascii_case("important")) {
            return false;
        }
        // Several tags: a tool with any one of them matches.
        if !filter.tags.is_empty() && !filter.tags.iter().any(|want| tags.iter().any(|t| t.eq_ignore_ascii_case(want)))
        {
            return false;
        }
        if let Some(q) = search {
            let hit = ["slug", "name", "description"]
                .iter()
                .any(|field| tool.get(field).and_then(Value::as_str).is_some_and(|s| s.to_lowercase().contains(q)));
            if !hit {
                return false;
            }
        }
        true
    }

    /// All toolkits matching a search string (on slug and name), sorted by slug.
    pub fn list_toolkits(&self, search: Option<&str>) -> Vec<&ToolkitEntry> {
        let q = search.map(str::to_lowercase);
        self.toolkits
            .values()
            .filter(|tk| match &q {
                None => true,
                Some(q) => tk.slug.contains(q.as_str()) || tk.name.to_lowercase().contains(q.as_str()),
            })
            .collect()
    }

    /// A toolkit object at a concrete version: the given toolkit object if any, completed with
    /// the fields the spec requires, and `meta.version`, `meta.available_versions`,
    /// `meta.tools_count` computed from the tools.
    pub fn toolkit_json(&self, tk: &ToolkitEntry, version: &str, detail: bool) -> Value {
        let tools_count =
            tk.tools.iter().filter(|s| self.tools.get(*s).is_some_and(|e| self.tool_at(e, version).is_some())).count();
        let mut obj = match &tk.given {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        let defaults = [
            ("slug", json!(tk.slug)),
            ("name", json!(tk.name)),
            ("auth_schemes", json!([])),
            ("composio_managed_auth_schemes", json!([])),
            ("is_local_toolkit", json!(false)),
            ("no_auth", json!(false)),
        ];
        for (k, v) in defaults {
            obj.entry(k).or_insert(v);
        }
        if detail {
            obj.entry("enabled").or_insert(json!(true));
            obj.entry("deprecated").or_insert(json!({
                "toolkitId": format!("tk_{}", tk.slug),
                "rawProxyInfoByAuthSchemes": [],
            }));
        } else {
            obj.entry("deprecated").or_insert(json!({"toolkitId": format!("tk_{}", tk.slug)}));
        }
        let meta = obj.entry("meta").or_insert_with(|| json!({}));
        if !meta.is_object() {
            *meta = json!({});
        }
        if let Some(meta) = meta.as_object_mut() {
            let meta_defaults = [
                ("created_at", json!(TIMESTAMP)),
                ("updated_at", json!(TIMESTAMP)),
                ("description", json!(format!("{} toolkit", tk.name))),
                ("logo", json!(tk.logo)),
                ("app_url", Value::Null),
                ("categories", json!([])),
                ("triggers_count", json!(0)),
            ];
            for (k, v) in meta_defaults {
                meta.entry(k).or_insert(v);
            }
            if !tk.tools.is_empty() || !meta.contains_key("tools_count") {
                meta.insert("tools_count".into(), json!(tools_count));
            }
            meta.insert("version".into(), json!(version));
            meta.insert("available_versions".into(), json!(tk.versions));
        }
        Value::Object(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(slug: &str, version: Option<&str>) -> Value {
        let mut t = json!({"slug": slug, "name": slug, "input_parameters": {}, "tags": []});
        if let Some(v) = version {
            t["version"] = json!(v);
        }
        t
    }

    fn catalog(tools: Vec<Value>, extra: Vec<(String, Vec<String>)>) -> Catalog {
        Catalog::build(CatalogInput {
            tools,
            default_version: "20251027_00".into(),
            extra_versions: extra,
            toolkits: vec![],
        })
    }

    #[test]
    fn prefix_toolkits() {
        let c = catalog(
            vec![
                tool("GOOGLE_CLASSROOM_LIST", None),
                tool("GOOGLEDRIVE_FIND", None),
                tool("GITHUB_STAR", None),
                tool("SLACK_SEND", None),
            ],
            vec![],
        );
        assert_eq!(c.tool("google_classroom_list").unwrap().toolkit, "google_classroom");
        assert_eq!(c.tool("GOOGLEDRIVE_FIND").unwrap().toolkit, "googledrive");
        assert_eq!(c.tool("GITHUB_STAR").unwrap().toolkit, "github");
        assert_eq!(c.tool("SLACK_SEND").unwrap().toolkit, "slack");
        let t = &c.tool("GITHUB_STAR").unwrap().versions["20251027_00"];
        assert_eq!(t["toolkit"]["slug"], "github");
        assert_eq!(t["version"], "20251027_00");
        assert_eq!(t["available_versions"], json!(["20251027_00"]));
    }

    #[test]
    fn snapshot_resolution() {
        let c = catalog(
            vec![
                tool("GITHUB_A", Some("20250101_00")),
                tool("GITHUB_A", Some("20250601_00")),
                tool("GITHUB_B", Some("20250601_00")),
            ],
            vec![("github".into(), vec!["20250301_00".into(), "20251231_00".into()])],
        );
        let a = c.tool("GITHUB_A").unwrap();
        let b = c.tool("GITHUB_B").unwrap();
        let at = |e, v| c.tool_at(e, v).map(|(k, _)| k.to_string());
        assert_eq!(at(a, "latest").as_deref(), Some("20250601_00"));
        assert_eq!(at(a, "20250301_00").as_deref(), Some("20250101_00"));
        assert_eq!(at(a, "20251231_00").as_deref(), Some("20250601_00"));
        assert_eq!(at(a, "20250401_00"), None, "not a version of the toolkit");
        assert_eq!(at(b, "20250301_00"), None, "added later");
        assert_eq!(at(b, BASE_VERSION), None);
        let tk = c.toolkit("GitHub").unwrap();
        assert_eq!(tk.versions, ["20251231_00", "20250601_00", "20250301_00", "20250101_00"]);
        assert_eq!(c.toolkit_version(tk, "latest"), Some("20251231_00"));
        let j = c.toolkit_json(tk, "20250301_00", true);
        assert_eq!(j["meta"]["tools_count"], 1);
        assert_eq!(j["meta"]["version"], "20250301_00");
    }
}
