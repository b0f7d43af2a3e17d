//! Tool definitions as Composio publishes them, and the grouping of tools into toolkits.
//!
//! Decoding is lenient where the platform is (unknown fields, missing `toolkit` or `version`)
//! and strict where the generator depends on a field (`slug`, `input_parameters`). Failures
//! carry a JSON pointer into the document they came from.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One tool definition: the parts of Composio's `Tool` object the generator uses.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    /// `GITHUB_CREATE_AN_ISSUE`.
    pub slug: String,
    /// Display name, `Create an issue`.
    pub name: String,
    /// What the tool does.
    pub description: String,
    /// The toolkit slug from the definition's `toolkit` field, when it has one.
    pub toolkit: Option<String>,
    /// The toolkit's display name, when the definition carries it.
    pub toolkit_name: Option<String>,
    /// The toolkit version the definition belongs to, when the definition carries it.
    pub version: Option<String>,
    /// Hints (`readOnlyHint`, …) and categories.
    pub tags: Vec<String>,
    /// Whether Composio marks the tool deprecated.
    pub deprecated: bool,
    /// The definition exactly as it was read: the schema cache stores it as served, and the
    /// schemas are read out of it rather than copied.
    pub raw: Value,
}

/// What a definition without `output_parameters` has for them.
static NO_SCHEMA: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::Object(Map::new()));

impl ToolDef {
    /// JSON Schema of the arguments (checked to be an object when the definition was read).
    pub fn input_parameters(&self) -> &Value {
        &self.raw["input_parameters"]
    }

    /// JSON Schema of the whole response envelope (`data`, `error`, `successful`); an empty
    /// schema when the definition has none.
    pub fn output_parameters(&self) -> &Value {
        match self.raw.get("output_parameters") {
            Some(schema @ Value::Object(_)) => schema,
            _ => &NO_SCHEMA,
        }
    }
}

/// Reads tool definitions out of a JSON document: an array of tools, one tool, or a paginated
/// `{"items": [...]}` answer of `GET /api/v3/tools`.
///
/// `origin` names the document in errors (a file path, a URL).
pub fn parse_document(origin: &str, doc: &Value) -> Result<Vec<ToolDef>> {
    parse_document_owned(origin, doc.clone())
}

/// [`parse_document`] for a document the caller no longer needs: each tool definition is
/// moved, not copied.
pub fn parse_document_owned(origin: &str, doc: Value) -> Result<Vec<ToolDef>> {
    let shape_error = || Error::Definition {
        origin: origin.to_owned(),
        pointer: String::new(),
        message: "expected a tool, an array of tools, or an object with an `items` array".into(),
    };
    // Pointers index into arrays (`/3`, `/items/3`); a single tool is the document itself.
    let (items, base, single) = match doc {
        Value::Array(items) => (items, "", false),
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => (items, "/items", false),
            other => {
                if let Some(value) = other {
                    map.insert("items".into(), value);
                }
                if !map.contains_key("slug") {
                    return Err(shape_error());
                }
                (vec![Value::Object(map)], "", true)
            }
        },
        _ => return Err(shape_error()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let pointer = if single { base.to_owned() } else { format!("{base}/{i}") };
            parse_tool(origin, &pointer, item)
        })
        .collect()
}

fn parse_tool(origin: &str, pointer: &str, value: Value) -> Result<ToolDef> {
    let fail = |field: &str, message: &str| Error::Definition {
        origin: origin.to_owned(),
        pointer: format!("{pointer}{field}"),
        message: message.to_owned(),
    };
    let obj = value.as_object().ok_or_else(|| fail("", "a tool must be a JSON object"))?;
    let slug = match obj.get("slug") {
        // Any other slug is still the tool's identity on the wire: the generator gives it a
        // safe Rust name and warns (see `is_plain_slug`), and every place the slug lands
        // escapes it.
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(fail("/slug", "the slug is empty")),
        _ => return Err(fail("/slug", "missing string field `slug`")),
    };
    // From here on the slug names the tool, so errors say which tool is broken.
    let fail = |field: &str, message: &str| Error::Definition {
        origin: origin.to_owned(),
        pointer: format!("{pointer}{field}"),
        message: format!("{slug}: {message}"),
    };
    let text = |field: &str| -> Result<Option<String>> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(fail(&format!("/{field}"), &format!("`{field}` must be a string"))),
        }
    };
    let name = text("name")?.unwrap_or_else(|| slug.clone());
    let description = text("description")?.unwrap_or_default();
    let version = text("version")?;
    if let Some(v) = version.as_deref().filter(|v| !crate::lock::valid_version(v)) {
        return Err(fail("/version", &format!("{v:?} is not a toolkit version id")));
    }
    let (toolkit, toolkit_name) = match obj.get("toolkit") {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(s)) => (Some(s.to_ascii_lowercase()), None),
        Some(Value::Object(tk)) => match tk.get("slug") {
            Some(Value::String(s)) => {
                let name = tk.get("name").and_then(Value::as_str);
                // The display name lands in the module header, a `//` comment: a line break
                // there would turn the rest of the name into code. Display names are one-line
                // labels, so such a name means a broken or hostile definition, and refusing it
                // (rather than quietly cleaning it) keeps the header's provenance truthful.
                if let Some(bad) = name.and_then(|n| n.chars().find(|&c| c.is_control() || is_bidi_control(c))) {
                    return Err(fail(
                        "/toolkit/name",
                        &format!("the toolkit name holds the control character U+{:04X}", u32::from(bad)),
                    ));
                }
                (Some(s.to_ascii_lowercase()), name.map(str::to_owned))
            }
            _ => return Err(fail("/toolkit/slug", "`toolkit` must carry a string `slug`")),
        },
        Some(_) => return Err(fail("/toolkit", "`toolkit` must be an object or a string")),
    };
    match obj.get("input_parameters") {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(fail("/input_parameters", "`input_parameters` must be a JSON Schema object")),
        None => return Err(fail("/input_parameters", "missing `input_parameters`")),
    }
    match obj.get("output_parameters") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(_) => return Err(fail("/output_parameters", "`output_parameters` must be a JSON Schema object")),
    }
    let tags = match obj.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, t)| {
                t.as_str().map(str::to_owned).ok_or_else(|| fail(&format!("/tags/{i}"), "tags must be strings"))
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(fail("/tags", "`tags` must be an array of strings")),
    };
    let deprecated = obj.get("is_deprecated").and_then(Value::as_bool).unwrap_or(false)
        || value.pointer("/deprecated/is_deprecated").and_then(Value::as_bool).unwrap_or(false);
    Ok(ToolDef { slug, name, description, toolkit, toolkit_name, version, tags, deprecated, raw: value })
}

/// One trigger type definition: the parts of Composio's trigger type object the generator
/// uses. Its `config` and `payload` are JSON Schemas of the same dialect as tool schemas.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerDef {
    /// `GITHUB_COMMIT_EVENT`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it reports.
    pub description: String,
    /// `webhook` or `poll`, when the definition says.
    pub kind: Option<String>,
    /// The toolkit slug from the definition's `toolkit` field, when it has one.
    pub toolkit: Option<String>,
    /// The toolkit version the definition belongs to, when it carries it.
    pub version: Option<String>,
    /// The definition exactly as it was read, as the schema cache stores it.
    pub raw: Value,
}

impl TriggerDef {
    /// JSON Schema of an instance's config (an empty schema when the definition has none).
    pub fn config(&self) -> &Value {
        match self.raw.get("config") {
            Some(schema @ Value::Object(_)) => schema,
            _ => &NO_SCHEMA,
        }
    }

    /// JSON Schema of a firing's `data` (an empty schema when the definition has none).
    pub fn payload(&self) -> &Value {
        match self.raw.get("payload") {
            Some(schema @ Value::Object(_)) => schema,
            _ => &NO_SCHEMA,
        }
    }

    /// The definition as a tool, so the type pipeline converts its config as an input and its
    /// payload as the `data` of an output.
    pub(crate) fn as_tool(&self) -> ToolDef {
        // A payload schema without properties (some trigger types publish `properties: {}`)
        // says nothing about `data`: no `data` in the envelope makes it free-form JSON rather
        // than an empty struct that would drop every field.
        let described = self.payload().get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        let output = if described {
            serde_json::json!({"type": "object", "properties": {"data": self.payload()}})
        } else {
            Value::Object(Map::new())
        };
        let raw = serde_json::json!({
            "slug": self.slug,
            "input_parameters": self.config(),
            "output_parameters": output,
        });
        ToolDef {
            slug: self.slug.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            toolkit: self.toolkit.clone(),
            toolkit_name: None,
            version: self.version.clone(),
            tags: Vec::new(),
            deprecated: false,
            raw,
        }
    }
}

/// Reads trigger type definitions out of a JSON document: an array, one definition, or a
/// paginated `{"items": [...]}` answer of `GET /api/v3/triggers_types`. `origin` names the
/// document in errors.
pub fn parse_trigger_document(origin: &str, doc: Value) -> Result<Vec<TriggerDef>> {
    let (items, base) = match doc {
        Value::Array(items) => (items, ""),
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => (items, "/items"),
            _ if map.contains_key("slug") => (vec![Value::Object(map)], ""),
            _ => {
                return Err(Error::Definition {
                    origin: origin.to_owned(),
                    pointer: String::new(),
                    message: "expected a trigger type, an array of them, or an object with an `items` array".into(),
                });
            }
        },
        _ => {
            return Err(Error::Definition {
                origin: origin.to_owned(),
                pointer: String::new(),
                message: "expected a trigger type, an array of them, or an object with an `items` array".into(),
            });
        }
    };
    items.into_iter().enumerate().map(|(i, item)| parse_trigger(origin, &format!("{base}/{i}"), item)).collect()
}

fn parse_trigger(origin: &str, pointer: &str, value: Value) -> Result<TriggerDef> {
    // The fields a trigger shares with a tool (slug, name, description, toolkit, version) are
    // checked by the tool reader, so both refuse the same broken or hostile values.
    let mut as_tool = value.clone();
    if let Value::Object(map) = &mut as_tool {
        map.insert("input_parameters".into(), Value::Object(Map::new()));
    }
    let tool = parse_tool(origin, pointer, as_tool)?;
    let fail = |field: &str, message: &str| Error::Definition {
        origin: origin.to_owned(),
        pointer: format!("{pointer}{field}"),
        message: format!("{}: {message}", tool.slug),
    };
    for field in ["config", "payload"] {
        match value.get(field) {
            None | Some(Value::Null | Value::Object(_)) => {}
            Some(_) => return Err(fail(&format!("/{field}"), &format!("`{field}` must be a JSON Schema object"))),
        }
    }
    let kind = match value.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => Some(k.clone()),
        Some(_) => return Err(fail("/type", "`type` must be a word like `webhook` or `poll`")),
    };
    Ok(TriggerDef {
        slug: tool.slug,
        name: tool.name,
        description: tool.description,
        kind,
        toolkit: tool.toolkit,
        version: tool.version,
        raw: value,
    })
}

/// Whether `c` reorders the text around it when displayed (Unicode bidi embeddings,
/// overrides, isolates and marks): in code or docs it can make what a reviewer sees differ
/// from what the compiler reads.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is invisible yet not whitespace (zero-width spaces and joiners' kin, the soft
/// hyphen, the byte-order mark): clippy denies some in literals (`invisible_characters`), and
/// in docs or names they only hide what a reader sees.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{00AD}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}')
}

/// Whether `c`, written as it is into one line of generated source, could break or disguise
/// it: a control character (line breaks included), a bidi control, an invisible character, or a line or
/// paragraph separator (which some editors show as a line break rustc does not see).
pub(crate) fn is_hazard(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whether a slug is made of letters, digits and `_` only, as Composio's slugs are. Others
/// are accepted, with a warning.
pub(crate) fn is_plain_slug(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is usable as a toolkit slug: lower-case letters, digits and `_`.
pub fn valid_toolkit_slug(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// The toolkit a tool belongs to among `candidates`: its own `toolkit` field when present,
/// else the candidate whose upper-cased slug is the longest prefix of the tool slug
/// (`GOOGLE_CLASSROOM_LIST_COURSES` → `google_classroom`, not `google`).
pub fn toolkit_of<'a>(tool: &ToolDef, candidates: &'a [String]) -> Option<&'a str> {
    if let Some(own) = &tool.toolkit {
        return candidates.iter().find(|c| *c == own).map(String::as_str);
    }
    candidates
        .iter()
        .filter(|c| {
            let prefix = format!("{}_", c.to_ascii_uppercase());
            tool.slug.starts_with(&prefix)
        })
        .max_by_key(|c| c.len())
        .map(String::as_str)
}

/// Groups tools by toolkit. Only the `wanted` toolkits are kept; each keeps its tools sorted by
/// slug, so the order of the input never shows in the output.
pub fn group_by_toolkit(tools: Vec<ToolDef>, wanted: &[String]) -> BTreeMap<String, Vec<ToolDef>> {
    let mut groups: BTreeMap<String, Vec<ToolDef>> = wanted.iter().map(|w| (w.clone(), Vec::new())).collect();
    for tool in tools {
        if let Some(toolkit) = toolkit_of(&tool, wanted) {
            let toolkit = toolkit.to_owned();
            groups.entry(toolkit).or_default().push(tool);
        }
    }
    for tools in groups.values_mut() {
        tools.sort_by(|a, b| a.slug.cmp(&b.slug));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(slug: &str) -> Value {
        json!({"slug": slug, "input_parameters": {"type": "object", "properties": {}}})
    }

    #[test]
    fn reads_all_three_document_shapes() {
        let one = parse_document("t", &tool("A_B")).unwrap();
        let many = parse_document("t", &json!([tool("A_B"), tool("A_C")])).unwrap();
        let page = parse_document("t", &json!({"items": [tool("A_B")], "next_cursor": null})).unwrap();
        assert_eq!((one.len(), many.len(), page.len()), (1, 2, 1));
    }

    #[test]
    fn errors_point_at_the_broken_field() {
        let err = parse_document("f.json", &json!({"items": [tool("A_B"), {"slug": "A_C"}]})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: tool definition at /items/1/input_parameters: A_C: missing `input_parameters`"
        );
    }

    #[test]
    fn a_toolkit_name_with_a_control_character_is_refused() {
        for name in ["GitHub)\npub fn evil() {}\n//", "Git\rHub", "Git\u{202e}Hub", "Git\u{7f}"] {
            let mut t = tool("A_B");
            t["toolkit"] = json!({"slug": "a", "name": name});
            let err = parse_document("f.json", &json!([t])).unwrap_err().to_string();
            assert!(err.contains("/0/toolkit/name") && err.contains("A_B"), "{err}");
        }
        let mut t = tool("A_B");
        t["toolkit"] = json!({"slug": "a", "name": "GitHub Enterprise (beta)"});
        assert_eq!(parse_document("f.json", &t).unwrap()[0].toolkit_name.as_deref(), Some("GitHub Enterprise (beta)"));
    }

    #[test]
    fn a_version_that_is_not_a_version_id_is_refused() {
        let mut t = tool("A_B");
        t["version"] = json!("20251027_00\npub fn evil() {}");
        let err = parse_document("f.json", &t).unwrap_err().to_string();
        assert!(err.contains("/version") && err.contains("A_B"), "{err}");
        t["version"] = json!("20251027_00");
        assert_eq!(parse_document("f.json", &t).unwrap()[0].version.as_deref(), Some("20251027_00"));
    }

    #[test]
    fn trigger_types_are_read_and_checked_like_tools() {
        let doc = json!({"items": [{"slug": "X_FIRED", "type": "webhook", "toolkit": {"slug": "x"},
            "config": {"type": "object"}, "payload": {"properties": {}}}], "next_cursor": null});
        let triggers = parse_trigger_document("t", doc).unwrap();
        assert_eq!((triggers[0].slug.as_str(), triggers[0].kind.as_deref()), ("X_FIRED", Some("webhook")));
        assert_eq!(triggers[0].as_tool().output_parameters(), &json!({}), "an empty payload is free-form");
        let err = parse_trigger_document("t", json!([{"slug": "X_A", "payload": []}])).unwrap_err().to_string();
        assert!(err.contains("/0/payload") && err.contains("X_A"), "{err}");
        let err = parse_trigger_document("t", json!([{"slug": "X_A", "version": "1\npub fn evil"}])).unwrap_err();
        assert!(err.to_string().contains("/0/version"), "{err}");
    }

    #[test]
    fn longest_prefix_wins() {
        let candidates = vec!["google".to_owned(), "google_classroom".to_owned()];
        let t = parse_document("t", &tool("GOOGLE_CLASSROOM_LIST_COURSES")).unwrap().remove(0);
        assert_eq!(toolkit_of(&t, &candidates), Some("google_classroom"));
        let t = parse_document("t", &tool("GOOGLEDRIVE_LIST")).unwrap().remove(0);
        assert_eq!(toolkit_of(&t, &candidates), None);
    }
}
