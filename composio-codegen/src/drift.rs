//! Drift: how the schemas the API serves differ from the committed cache.
//!
//! Two comparisons per toolkit: the cache against what the API serves for the **pinned**
//! version (a version should never change; if it did, the committed bindings no longer match
//! what runs), and against **latest** (what `--update` would bring). Each lists tools added and
//! removed and, per changed tool, the fields added, removed, retyped, newly required or no
//! longer required, and enum values gained or lost, by JSON pointer into the tool definition
//! (`/input_parameters/properties/labels/items`).
//!
//! A change is **breaking** when code generated from the cache may stop working against the
//! new schema. Inputs are what bindings send: a removed field, a newly required one, a narrowed
//! type or a lost enum value breaks them. Outputs are what bindings decode: a removed or no
//! longer required field that was required, or a widened type, breaks them (generated output
//! enums have a catch-all variant, so new enum values do not).
//!
//! Field-level changes compare the JSON. What regenerating would change in the module's API
//! (renamed types, a `title` or `file_uploadable` or `const` change, new required arguments)
//! comes from the generator itself: both sides are run through it and the results compared.
//! Fetching is the job of `live` (default feature).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::names::NameRecord;
use crate::source::ToolkitSchemas;
use crate::surface;
pub use crate::surface::{SurfaceChange, SurfaceKind};

/// Which drift makes [`DriftReport::fails`] true, for CI exit codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    /// Any difference, for the pinned version or for latest.
    #[default]
    Any,
    /// Only differences for the pinned version: a newer `latest` is reported, not failed on.
    Pinned,
    /// Only breaking changes, for the pinned version or for latest.
    Breaking,
}

/// The drift of every toolkit checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DriftReport {
    /// One entry per toolkit, in the order checked.
    pub toolkits: Vec<ToolkitDrift>,
}

/// The drift of one pinned toolkit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolkitDrift {
    /// Toolkit slug.
    pub toolkit: String,
    /// The version the lock pins.
    pub pinned: String,
    /// The version `latest` resolves to today.
    pub latest: String,
    /// The cache against what the API serves for the pinned version.
    pub against_pinned: Comparison,
    /// The cache against what the API serves for `latest`; `None` when latest is the pinned
    /// version.
    pub against_latest: Option<Comparison>,
}

/// The differences between the cached tools and the tools the API serves for one version.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// The version the API was asked for.
    pub version: String,
    /// The API no longer serves this version at all: every cached tool is listed as removed.
    pub withdrawn: bool,
    /// Tools the API serves that the cache does not have.
    pub added: Vec<String>,
    /// Tools in the cache that the API no longer serves (always breaking).
    pub removed: Vec<String>,
    /// Tools present in both whose definitions differ.
    pub changed: Vec<ToolChange>,
    /// What regenerating the module would change in its public API.
    pub api: Vec<SurfaceChange>,
}

/// How one tool's definition changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolChange {
    /// Tool slug.
    pub slug: String,
    /// Field-level changes of the input and output schemas.
    pub fields: Vec<FieldChange>,
    /// The tool became deprecated.
    pub newly_deprecated: bool,
    /// Something besides the fields the JSON comparison tracks changed: descriptions, titles,
    /// examples, tags, `const`, `file_uploadable`, metadata. Whether that changes the module's
    /// API as well is in [`Comparison::api`].
    pub other: bool,
}

/// One changed field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON pointer into the tool definition, `/input_parameters/properties/labels`.
    pub pointer: String,
    /// What happened.
    pub change: Change,
    /// Whether code generated from the cache may break (see the [module docs](self)).
    pub breaking: bool,
}

/// The kinds of field change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A new field (with everything under it).
    Added {
        /// Its type, `string|null`.
        ty: String,
        /// Whether its parent requires it.
        required: bool,
    },
    /// A field that is gone (with everything under it).
    Removed {
        /// Its former type.
        ty: String,
        /// Whether its parent required it.
        required: bool,
    },
    /// The field's type changed.
    Retyped {
        /// Old type.
        from: String,
        /// New type.
        to: String,
    },
    /// The parent now requires the field.
    NewlyRequired,
    /// The parent no longer requires the field.
    NoLongerRequired,
    /// The field's `enum` gained or lost values (JSON-encoded).
    EnumChanged {
        /// Values now allowed.
        added: Vec<String>,
        /// Values no longer allowed.
        removed: Vec<String>,
    },
}

impl Comparison {
    /// The comparison with a version the API no longer serves: for the cached tools (`old`),
    /// it is as if every one were removed.
    pub fn withdrawn(old: &[Value], version: &str) -> Comparison {
        let mut removed: Vec<String> = old.iter().filter_map(|t| t.get("slug")?.as_str().map(str::to_owned)).collect();
        removed.sort();
        Comparison { version: version.to_owned(), withdrawn: true, removed, ..Comparison::default() }
    }

    /// Whether anything differs.
    pub fn is_drift(&self) -> bool {
        self.withdrawn
            || !self.added.is_empty()
            || !self.removed.is_empty()
            || !self.changed.is_empty()
            || !self.api.is_empty()
    }

    /// Whether any difference is breaking.
    pub fn is_breaking(&self) -> bool {
        self.withdrawn
            || !self.removed.is_empty()
            || self.changed.iter().any(|c| c.fields.iter().any(|f| f.breaking))
            || self.api.iter().any(|c| c.breaking)
    }
}

impl ToolkitDrift {
    /// Whether this toolkit fails the check under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        let latest = self.against_latest.as_ref();
        match fail_on {
            FailOn::Any => self.against_pinned.is_drift() || latest.is_some_and(Comparison::is_drift),
            FailOn::Pinned => self.against_pinned.is_drift(),
            FailOn::Breaking => self.against_pinned.is_breaking() || latest.is_some_and(Comparison::is_breaking),
        }
    }
}

impl DriftReport {
    /// Whether any toolkit fails the check under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        self.toolkits.iter().any(|t| t.fails(fail_on))
    }
}

/// Compares a cached toolkit (`old`) with what the API serves (`new`): the JSON, and the API of
/// the module each generates with the cache's names record.
pub fn compare_toolkits(old: &ToolkitSchemas, new: &ToolkitSchemas, names: &NameRecord) -> crate::Result<Comparison> {
    // Trigger types are compared read as tools (config as input, payload as the output's
    // `data`), so a payload field removed or retyped is classified like a tool output's.
    let raw = |s: &ToolkitSchemas| -> Vec<Value> {
        s.tools.iter().map(|t| t.raw.clone()).chain(s.triggers.iter().map(|t| t.as_tool().raw)).collect()
    };
    let mut comparison = compare(&raw(old), &raw(new), &new.version);
    comparison.api = surface::compare(old, new, names)?;
    Ok(comparison)
}

/// Compares the cached tools (`old`) with the tools the API serves for `version` (`new`).
pub fn compare(old: &[Value], new: &[Value], version: &str) -> Comparison {
    let index = |tools: &[Value]| -> BTreeMap<String, Value> {
        tools.iter().filter_map(|t| t.get("slug").and_then(Value::as_str).map(|s| (s.to_owned(), t.clone()))).collect()
    };
    let (old, new) = (index(old), index(new));
    let added = new.keys().filter(|s| !old.contains_key(*s)).cloned().collect();
    let removed = old.keys().filter(|s| !new.contains_key(*s)).cloned().collect();
    let changed = old
        .iter()
        .filter_map(|(slug, before)| {
            let after = new.get(slug)?;
            compare_tool(slug, before, after)
        })
        .collect();
    Comparison { version: version.to_owned(), withdrawn: false, added, removed, changed, api: Vec::new() }
}

/// The fields that move with every release of a toolkit without changing the tool itself.
const VOLATILE: [&str; 2] = ["available_versions", "version"];

fn compare_tool(slug: &str, before: &Value, after: &Value) -> Option<ToolChange> {
    let strip = |tool: &Value| -> Value {
        let mut tool = tool.clone();
        if let Some(obj) = tool.as_object_mut() {
            for key in VOLATILE {
                obj.remove(key);
            }
        }
        tool
    };
    let (before_s, after_s) = (strip(before), strip(after));
    if before_s == after_s {
        return None;
    }
    let mut fields = Vec::new();
    for (root, side) in [("/input_parameters", Side::Input), ("/output_parameters", Side::Output)] {
        let key = &root[1..];
        let old = flatten(before.get(key), root);
        let new = flatten(after.get(key), root);
        fields.extend(diff_fields(&old, &new, side));
    }
    let deprecated = |t: &Value| {
        t.get("is_deprecated").and_then(Value::as_bool).unwrap_or(false)
            || t.pointer("/deprecated/is_deprecated").and_then(Value::as_bool).unwrap_or(false)
    };
    let newly_deprecated = !deprecated(before) && deprecated(after);
    let other = fields.is_empty() && !newly_deprecated;
    Some(ToolChange { slug: slug.to_owned(), fields, newly_deprecated, other })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

/// What the diff needs to know of one field.
#[derive(Clone, Debug, PartialEq)]
struct Field {
    types: BTreeSet<String>,
    required: bool,
    enum_values: Option<BTreeSet<String>>,
}

impl Field {
    fn of(schema: &Value, required: bool) -> Field {
        let enum_values = schema.get("enum").and_then(Value::as_array).map(|values| {
            values.iter().map(|v| serde_json::to_string(v).unwrap_or_default()).collect::<BTreeSet<String>>()
        });
        Field { types: type_set(schema), required, enum_values }
    }

    fn ty(&self) -> String {
        join(&self.types)
    }
}

fn join(types: &BTreeSet<String>) -> String {
    types.iter().map(String::as_str).collect::<Vec<_>>().join("|")
}

/// The JSON types a schema admits, flattening the Pydantic dialect's spellings of the same
/// thing (`nullable`, `anyOf` with `{type: null}`, `type` arrays) so that they compare equal.
fn type_set(schema: &Value) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    match schema.get("type") {
        Some(Value::String(t)) => {
            set.insert(t.clone());
        }
        Some(Value::Array(ts)) => set.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned)),
        _ => {}
    }
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        set.insert("null".to_owned());
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(variants) = schema.get(key).and_then(Value::as_array) {
            for v in variants {
                set.extend(type_set(v));
            }
        }
    }
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        set.insert(format!("$ref:{target}"));
    }
    if set.remove("array") {
        let items = schema.get("items").filter(|i| i.is_object()).map(|i| join(&type_set(i)));
        set.insert(match items {
            Some(items) => format!("array<{items}>"),
            None => "array".to_owned(),
        });
    }
    if set.is_empty() {
        if schema.get("properties").is_some() {
            set.insert("object".to_owned());
        } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            set.extend(values.iter().map(json_type));
        } else if let Some(value) = schema.get("const") {
            set.insert(json_type(value));
        } else {
            set.insert("any".to_owned());
        }
    }
    set
}

fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_owned()
}

/// Every named field under a schema, by JSON pointer: properties at any depth, and the
/// `$defs` entries that newer schemas point into.
fn flatten(schema: Option<&Value>, root: &str) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    if let Some(schema) = schema {
        walk(schema, root, &mut out);
    }
    out
}

fn walk(node: &Value, pointer: &str, out: &mut BTreeMap<String, Field>) {
    let Some(obj) = node.as_object() else { return };
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        let required: BTreeSet<&str> =
            obj.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (name, sub) in props {
            let child = format!("{pointer}/properties/{}", escape(name));
            out.insert(child.clone(), Field::of(sub, required.contains(name.as_str())));
            walk(sub, &child, out);
        }
    }
    match obj.get("items") {
        Some(items @ Value::Object(_)) => walk(items, &format!("{pointer}/items"), out),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{pointer}/items/{i}"), out);
            }
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(variants) = obj.get(key).and_then(Value::as_array) {
            for (i, v) in variants.iter().enumerate() {
                walk(v, &format!("{pointer}/{key}/{i}"), out);
            }
        }
    }
    if let Some(extra @ Value::Object(_)) = obj.get("additionalProperties") {
        walk(extra, &format!("{pointer}/additionalProperties"), out);
    }
    for key in ["$defs", "definitions"] {
        if let Some(defs) = obj.get(key).and_then(Value::as_object) {
            for (name, def) in defs {
                let child = format!("{pointer}/{key}/{}", escape(name));
                out.insert(child.clone(), Field::of(def, false));
                walk(def, &child, out);
            }
        }
    }
}

/// JSON pointer escaping of one reference token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn diff_fields(old: &BTreeMap<String, Field>, new: &BTreeMap<String, Field>, side: Side) -> Vec<FieldChange> {
    let input = side == Side::Input;
    let added: BTreeSet<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let removed: BTreeSet<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    // Everything under an added or removed field came or went with it: report the top one.
    let under = |set: &BTreeSet<&String>, pointer: &str| {
        set.iter()
            .any(|p| pointer.len() > p.len() && pointer.starts_with(p.as_str()) && pointer[p.len()..].starts_with('/'))
    };
    let mut out = Vec::new();
    for (pointer, field) in new {
        let Some(before) = old.get(pointer) else {
            if !under(&added, pointer) {
                out.push(FieldChange {
                    pointer: pointer.clone(),
                    change: Change::Added { ty: field.ty(), required: field.required },
                    breaking: input && field.required,
                });
            }
            continue;
        };
        if before.types != field.types {
            let widened = field.types.contains("any") || before.types.is_subset(&field.types);
            let narrowed = before.types.contains("any") || field.types.is_subset(&before.types);
            out.push(FieldChange {
                pointer: pointer.clone(),
                change: Change::Retyped { from: before.ty(), to: field.ty() },
                breaking: if input { !widened } else { !narrowed },
            });
        }
        if !before.required && field.required {
            out.push(FieldChange { pointer: pointer.clone(), change: Change::NewlyRequired, breaking: input });
        }
        if before.required && !field.required {
            out.push(FieldChange { pointer: pointer.clone(), change: Change::NoLongerRequired, breaking: !input });
        }
        if before.enum_values != field.enum_values {
            // No `enum` at all admits every value.
            let (added, removed) = match (&before.enum_values, &field.enum_values) {
                (Some(was), Some(now)) => {
                    (now.difference(was).cloned().collect(), was.difference(now).cloned().collect())
                }
                (None, _) => (Vec::new(), vec!["(any other value)".to_owned()]),
                (_, None) => (vec!["(any value)".to_owned()], Vec::new()),
            };
            out.push(FieldChange {
                pointer: pointer.clone(),
                breaking: input && !removed.is_empty(),
                change: Change::EnumChanged { added, removed },
            });
        }
    }
    for pointer in &removed {
        if under(&removed, pointer) {
            continue;
        }
        let field = &old[*pointer];
        out.push(FieldChange {
            pointer: (*pointer).clone(),
            change: Change::Removed { ty: field.ty(), required: field.required },
            breaking: input || field.required,
        });
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added { ty, required } => {
                write!(f, "added ({ty}{})", if *required { ", required" } else { "" })
            }
            Change::Removed { ty, required } => {
                write!(f, "removed (was {ty}{})", if *required { ", required" } else { "" })
            }
            Change::Retyped { from, to } => write!(f, "retyped {from} -> {to}"),
            Change::NewlyRequired => f.write_str("newly required"),
            Change::NoLongerRequired => f.write_str("no longer required"),
            Change::EnumChanged { added, removed } => {
                f.write_str("enum")?;
                if !added.is_empty() {
                    write!(f, " +[{}]", added.join(", "))?;
                }
                if !removed.is_empty() {
                    write!(f, " -[{}]", removed.join(", "))?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Comparison {
    /// A summary line, then one line per tool and field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_drift() {
            return writeln!(f, "no drift");
        }
        let plural = |n: usize| if n == 1 { "tool" } else { "tools" };
        if self.withdrawn {
            // Listing every cached tool as removed would bury the one fact that matters.
            let n = self.removed.len();
            return writeln!(
                f,
                "version {} is no longer served by the API: all {n} cached {} are gone (BREAKING)",
                self.version,
                plural(n)
            );
        }
        writeln!(
            f,
            "{} {} added, {} removed, {} changed{}",
            self.added.len(),
            plural(self.added.len()),
            self.removed.len(),
            self.changed.len(),
            if self.is_breaking() { " (BREAKING)" } else { "" }
        )?;
        for slug in &self.added {
            writeln!(f, "    + {slug}")?;
        }
        for slug in &self.removed {
            writeln!(f, "    - {slug}  [breaking]")?;
        }
        for tool in &self.changed {
            writeln!(f, "    ~ {}", tool.slug)?;
            for field in &tool.fields {
                let mark = if field.breaking { "  [breaking]" } else { "" };
                writeln!(f, "        {}: {}{mark}", field.pointer, field.change)?;
            }
            if tool.newly_deprecated {
                writeln!(f, "        deprecated")?;
            }
            if tool.other {
                writeln!(f, "        descriptions, examples or metadata changed")?;
            }
        }
        if !self.api.is_empty() {
            writeln!(f, "    module API after regenerating:")?;
        }
        for change in &self.api {
            let mark = if change.breaking { "  [breaking]" } else { "" };
            writeln!(f, "        {}: {}{mark}", change.item, change.change)?;
        }
        Ok(())
    }
}

impl fmt::Display for ToolkitDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: pinned {}, latest {}", self.toolkit, self.pinned, self.latest)?;
        write!(f, "  cache vs API at {} (pinned): {}", self.pinned, self.against_pinned)?;
        match &self.against_latest {
            Some(latest) => write!(f, "  cache vs API at {} (latest): {latest}", self.latest),
            None => writeln!(f, "  latest is the pinned version"),
        }
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for toolkit in &self.toolkits {
            write!(f, "{toolkit}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(slug: &str, props: Value, required: &[&str]) -> Value {
        json!({
            "slug": slug,
            "input_parameters": {"type": "object", "properties": props, "required": required},
            "output_parameters": {"properties": {"data": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}}},
            "available_versions": ["1"],
        })
    }

    fn changes(c: &Comparison) -> Vec<(String, String, bool)> {
        c.changed
            .iter()
            .flat_map(|t| t.fields.iter().map(|f| (f.pointer.clone(), f.change.to_string(), f.breaking)))
            .collect()
    }

    #[test]
    fn identical_modulo_volatile_fields_is_no_drift() {
        let a = tool("A_X", json!({"q": {"type": "string"}}), &[]);
        let mut b = a.clone();
        b["available_versions"] = json!(["2", "1"]);
        b["version"] = json!("2");
        assert!(!compare(&[a], &[b], "2").is_drift());
    }

    #[test]
    fn field_changes_by_pointer_with_breaking_classification() {
        let old = tool(
            "A_X",
            json!({
                "owner": {"type": "string"},
                "labels": {"type": "array", "items": {"type": "string"}},
                "state": {"type": "string", "enum": ["open", "closed"]},
                "page": {"type": "integer"},
                "filter": {"type": "object", "properties": {"since": {"type": "string"}}},
                "gone": {"type": "boolean"},
            }),
            &["owner"],
        );
        let new = tool(
            "A_X",
            json!({
                "owner": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "labels": {"type": "array", "items": {"type": "integer"}},
                "state": {"type": "string", "enum": ["open", "all"]},
                "page": {"type": "integer"},
                "filter": {"type": "object", "properties": {"since": {"type": "string"}, "until": {"type": "string"}}, "required": ["since"]},
                "extra": {"type": "object", "properties": {"deep": {"type": "string"}}, "required": ["deep"]},
            }),
            &["owner", "page"],
        );
        let c = compare(&[old], &[new], "2");
        let p = "/input_parameters/properties";
        assert_eq!(
            changes(&c),
            vec![
                (format!("{p}/extra"), "added (object)".to_owned(), false),
                (format!("{p}/filter/properties/since"), "newly required".to_owned(), true),
                (format!("{p}/filter/properties/until"), "added (string)".to_owned(), false),
                (format!("{p}/gone"), "removed (was boolean)".to_owned(), true),
                (format!("{p}/labels"), "retyped array<string> -> array<integer>".to_owned(), true),
                (format!("{p}/owner"), "retyped string -> null|string".to_owned(), false),
                (format!("{p}/page"), "newly required".to_owned(), true),
                (format!("{p}/state"), "enum +[\"all\"] -[\"closed\"]".to_owned(), true),
            ]
        );
        assert!(c.is_breaking());
    }

    #[test]
    fn output_side_breaks_the_other_way() {
        let old = tool("A_X", json!({}), &[]);
        let mut new = old.clone();
        new["output_parameters"]["properties"]["data"]["properties"]["id"] = json!({"type": ["integer", "string"]});
        new["output_parameters"]["properties"]["data"]["properties"]["name"] = json!({"type": "string"});
        new["output_parameters"]["properties"]["data"]["required"] = json!([]);
        let c = compare(&[old], &[new], "2");
        let d = "/output_parameters/properties/data/properties";
        assert_eq!(
            changes(&c),
            vec![
                (format!("{d}/id"), "retyped integer -> integer|string".to_owned(), true),
                (format!("{d}/id"), "no longer required".to_owned(), true),
                (format!("{d}/name"), "added (string)".to_owned(), false),
            ]
        );
    }

    #[test]
    fn tools_added_removed_and_docs_only() {
        let a = tool("A_A", json!({}), &[]);
        let mut a2 = a.clone();
        a2["description"] = json!("new words");
        let b = tool("A_B", json!({}), &[]);
        let c = tool("A_C", json!({}), &[]);
        let cmp = compare(&[a, b], &[a2, c], "2");
        assert_eq!(cmp.added, ["A_C"]);
        assert_eq!(cmp.removed, ["A_B"]);
        assert_eq!(cmp.changed.len(), 1);
        assert!(cmp.changed[0].other && cmp.changed[0].fields.is_empty());
        assert!(cmp.is_breaking());
        let text = cmp.to_string();
        assert!(text.starts_with("1 tool added, 1 removed, 1 changed (BREAKING)\n"), "{text}");
        assert!(text.contains("    - A_B  [breaking]\n"), "{text}");
    }

    #[test]
    fn fail_on_modes() {
        let same = Comparison { version: "1".into(), ..Comparison::default() };
        let newer = Comparison { version: "2".into(), added: vec!["A_N".into()], ..Comparison::default() };
        let mut drift = ToolkitDrift {
            toolkit: "a".into(),
            pinned: "1".into(),
            latest: "2".into(),
            against_pinned: same,
            against_latest: Some(newer),
        };
        assert!(drift.fails(FailOn::Any));
        assert!(!drift.fails(FailOn::Pinned));
        assert!(!drift.fails(FailOn::Breaking));

        // Even an empty cache breaks when its version is gone.
        drift.against_pinned = Comparison::withdrawn(&[], "1");
        assert!(drift.fails(FailOn::Pinned));
        assert!(drift.fails(FailOn::Breaking));
    }

    #[test]
    fn a_withdrawn_version_removes_every_cached_tool_and_says_so_in_one_line() {
        let cmp = Comparison::withdrawn(&[tool("A_B", json!({}), &[]), tool("A_A", json!({}), &[])], "1");
        assert_eq!(cmp.removed, ["A_A", "A_B"]);
        assert!(cmp.is_breaking());
        assert_eq!(
            cmp.to_string(),
            "version 1 is no longer served by the API: all 2 cached tools are gone (BREAKING)\n"
        );
    }
}
