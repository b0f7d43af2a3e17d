//! Rewrites a tool's input JSON Schema into what one provider accepts, or names the rule it
//! cannot meet.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value, json};

use super::formats::{KeyAlias, Provider, Strictness};

/// A tool that cannot be given to a provider as asked, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct FormatError {
    /// The tool's slug.
    pub tool: String,
    /// The provider format being built, if the failure is specific to one.
    pub provider: Option<Provider>,
    /// The rule the schema cannot meet.
    pub rule: Rule,
    /// Where in the input schema, as a JSON Pointer (`/properties/settings`); empty for the root.
    pub path: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.tool)?;
        if let Some(provider) = self.provider {
            write!(f, "no {provider} definition: ")?;
        }
        write!(f, "{}", self.rule)?;
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        Ok(())
    }
}

/// A provider rule a schema cannot be made to meet.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The tool has no slug to name it by.
    EmptyName,
    /// A schema is not a JSON object (or the root is not an object schema).
    NotAnObject,
    /// The root is a union (`anyOf`/`oneOf`) whose branches cannot be merged into one object.
    RootUnion,
    /// A free-form object (a map with no fixed properties), which strict mode and Gemini's
    /// `parameters` cannot express.
    FreeFormObject,
    /// A keyword the format cannot express at all.
    Unsupported(&'static str),
    /// A `$ref` that points nowhere in the schema.
    UnresolvedRef(String),
    /// A schema that refers to itself.
    Recursive,
    /// A schema without a type, which Gemini's `parameters` requires.
    Untyped,
    /// An array without `items`, which Gemini's `parameters` rejects.
    MissingItems,
    /// A renamed property key equals a key already in the same object.
    KeyCollision(String),
    /// More levels of object nesting than the provider allows.
    TooDeep {
        /// Levels in the schema.
        depth: usize,
        /// The provider's limit.
        max: usize,
    },
    /// More object properties in total than the provider allows.
    TooManyProperties {
        /// Properties in the schema.
        count: usize,
        /// The provider's limit.
        max: usize,
    },
    /// More enum values in total than the provider allows.
    TooManyEnumValues {
        /// Values in the schema.
        count: usize,
        /// The provider's limit.
        max: usize,
    },
    /// A string enum of more than 250 values whose values are too long in total.
    EnumTooLong {
        /// Characters in the enum.
        chars: usize,
        /// The provider's limit.
        max: usize,
    },
    /// Property names, definition names and enum values too long in total.
    NamesTooLong {
        /// Characters in the schema.
        chars: usize,
        /// The provider's limit.
        max: usize,
    },
    /// More optional parameters than Anthropic's strict mode allows.
    TooManyOptional {
        /// Optional parameters in the schema.
        count: usize,
        /// The provider's limit.
        max: usize,
    },
    /// More strict tools in one request than Anthropic allows.
    TooManyStrictTools {
        /// Strict tools in the request.
        count: usize,
        /// The provider's limit.
        max: usize,
    },
    /// More parameters with `anyOf` or a type union than Anthropic's strict mode allows.
    TooManyUnions {
        /// Such parameters in the schema.
        count: usize,
        /// The provider's limit.
        max: usize,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::EmptyName => f.write_str("the tool has no name"),
            Rule::NotAnObject => f.write_str("the schema is not an object schema"),
            Rule::RootUnion => f.write_str("the root is a union that cannot be merged"),
            Rule::FreeFormObject => f.write_str("a free-form object cannot be expressed"),
            Rule::Unsupported(keyword) => write!(f, "`{keyword}` is not supported"),
            Rule::UnresolvedRef(target) => write!(f, "`$ref` {target} points nowhere"),
            Rule::Recursive => f.write_str("recursive schemas are not supported"),
            Rule::Untyped => f.write_str("a schema without a type"),
            Rule::MissingItems => f.write_str("an array without `items`"),
            Rule::KeyCollision(key) => write!(f, "the alias `{key}` collides with another key"),
            Rule::TooDeep { depth, max } => write!(f, "{depth} levels of nesting (at most {max})"),
            Rule::TooManyProperties { count, max } => {
                write!(f, "{count} properties (at most {max})")
            }
            Rule::TooManyEnumValues { count, max } => {
                write!(f, "{count} enum values (at most {max})")
            }
            Rule::EnumTooLong { chars, max } => {
                write!(f, "an enum of {chars} characters (at most {max})")
            }
            Rule::NamesTooLong { chars, max } => {
                write!(f, "{chars} characters of names and values (at most {max})")
            }
            Rule::TooManyOptional { count, max } => {
                write!(f, "{count} optional parameters in strict mode (at most {max})")
            }
            Rule::TooManyStrictTools { count, max } => {
                write!(f, "{count} strict tools in one request (at most {max})")
            }
            Rule::TooManyUnions { count, max } => {
                write!(f, "{count} union parameters in strict mode (at most {max})")
            }
        }
    }
}

/// Composio's own annotations and OpenAPI leftovers, which no model API needs. `discriminator`
/// goes too: Composio's point at `$defs` entries that do not exist.
const EXTENSIONS: [&str; 7] = [
    "file_uploadable",
    "file_downloadable",
    "human_parameter_name",
    "human_parameter_description",
    "discriminator",
    "$schema",
    "$id",
];

/// OpenAI Structured Outputs' string formats.
const OPENAI_FORMATS: [&str; 9] =
    ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];
/// The string formats Anthropic's strict mode keeps (its SDK's `SupportedStringFormats`).
const ANTHROPIC_FORMATS: [&str; 10] =
    ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"];

const OPENAI_STRICT_KEYS: [&str; 20] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "anyOf",
    "description",
    "title",
    "$defs",
    "definitions",
    "$ref",
    "pattern",
    "format",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "minItems",
];
const ANTHROPIC_STRICT_KEYS: [&str; 15] = [
    "type",
    "anyOf",
    "allOf",
    "enum",
    "description",
    "title",
    "$defs",
    "definitions",
    "$ref",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "format",
];
/// Keywords whose meaning a description cannot carry: strict mode refuses them.
const STRUCTURAL: [&str; 8] =
    ["not", "if", "then", "else", "dependentSchemas", "dependentRequired", "patternProperties", "prefixItems"];
/// What Gemini's `Schema` message knows.
const GEMINI_KEYS: [&str; 20] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "anyOf",
    "items",
    "minimum",
    "maximum",
    "propertyOrdering",
];
/// Keywords dropped from Gemini's `parameters` without a note: references are inlined, and
/// the rest say nothing a model needs.
const GEMINI_DROPPED: [&str; 6] = ["$defs", "definitions", "additionalProperties", "$comment", "$anchor", "readOnly"];

/// OpenAI Structured Outputs' limits.
const OPENAI_MAX_DEPTH: usize = 10;
const OPENAI_MAX_PROPERTIES: usize = 5_000;
const OPENAI_MAX_ENUM_VALUES: usize = 1_000;
const OPENAI_MAX_NAME_CHARS: usize = 120_000;
const OPENAI_LONG_ENUM: usize = 250;
const OPENAI_LONG_ENUM_CHARS: usize = 15_000;
/// Anthropic strict tool use's limits, per request; one tool can use them all.
pub(super) const ANTHROPIC_MAX_OPTIONAL: usize = 24;
pub(super) const ANTHROPIC_MAX_UNIONS: usize = 16;

/// Longest name or key the providers take.
const MAX_NAME: usize = 64;
/// Longest tool name MCP allows.
const MCP_MAX_NAME: usize = 128;
/// Room an alias keeps for `_` and eight hex digits.
const ALIAS_SUFFIX: usize = 9;

type Failure = (Rule, String);

pub(super) struct Prepared {
    pub(super) schema: Value,
    pub(super) keys: Vec<KeyAlias>,
}

/// The model-facing tool name: the slug, or a deterministic alias when the slug breaks the
/// provider's name rule (`[a-zA-Z0-9_-]{1,64}`; Gemini also wants a letter or `_` first; MCP
/// allows `.` too, and 128 characters).
pub(super) fn tool_name(slug: &str, provider: Provider) -> String {
    let gemini = matches!(provider, Provider::Gemini | Provider::GeminiOpenApi);
    let alias = if provider == Provider::Mcp {
        alias_if_needed(slug, |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'), false, MCP_MAX_NAME)
    } else {
        alias_if_needed(slug, |c| c.is_ascii_alphanumeric() || c == '_' || c == '-', gemini, MAX_NAME)
    };
    alias.unwrap_or_else(|| slug.to_owned())
}

/// `None` when `name` already meets the rule; otherwise the name with disallowed characters
/// replaced, cut to leave room for the suffix, and suffixed with a hash of the whole original,
/// so two names that share a prefix still get different aliases.
fn alias_if_needed(name: &str, allowed: impl Fn(char) -> bool, letter_first: bool, max: usize) -> Option<String> {
    let first_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let valid = !name.is_empty()
        && name.len() <= max
        && name.chars().all(&allowed)
        && (!letter_first || first_ok(name.chars().next()));
    if valid {
        return None;
    }
    let mut alias: String = name.chars().map(|c| if allowed(c) { c } else { '_' }).collect();
    if letter_first && !first_ok(alias.chars().next()) {
        alias.insert(0, '_');
    }
    // Every character is ASCII now, so byte truncation is on a character boundary.
    alias.truncate(max - ALIAS_SUFFIX);
    Some(format!("{alias}_{:08x}", fnv1a(name) as u32))
}

/// FNV-1a: a stable hash, so aliases do not change between runs, versions or platforms.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

pub(super) fn prepare(schema: &Value, provider: Provider, strictness: Strictness) -> Result<Prepared, Failure> {
    let root = root_object(schema)?;
    let mut cx = Context {
        provider,
        strict: strictness == Strictness::Strict,
        keys: Vec::new(),
        defs: root
            .get("$defs")
            .or_else(|| root.get("definitions"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        inlining: Vec::new(),
    };
    cx.check_refs(&Value::Object(root.clone()), String::new())?;
    let root = Value::Object(root);
    let schema = if provider == Provider::GeminiOpenApi {
        cx.openapi_node(&root, String::new(), true)?
    } else {
        cx.json_node(&root, String::new(), true)?
    };
    if cx.strict {
        cx.check_limits(&schema)?;
    }
    Ok(Prepared { schema, keys: cx.keys })
}

/// The root as an object schema: a missing schema is "no arguments", and a root union of object
/// schemas becomes one object (Anthropic refuses `anyOf`/`oneOf`/`allOf` at the root, OpenAI
/// strict refuses a union root): its properties are every branch's, and only what every branch
/// requires stays required.
fn root_object(schema: &Value) -> Result<Map<String, Value>, Failure> {
    let mut root = match schema {
        Value::Null => return Ok(json_object(json!({"type": "object", "properties": {}}))),
        Value::Object(object) => object.clone(),
        _ => return Err((Rule::NotAnObject, String::new())),
    };
    for keyword in ["anyOf", "oneOf", "allOf"] {
        let Some(branches) = root.remove(keyword) else { continue };
        let branches = branches.as_array().cloned().unwrap_or_default();
        let mut properties = root.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut required: Option<Vec<Value>> = None;
        for branch in &branches {
            let branch_properties = branch.get("properties").and_then(Value::as_object);
            let is_object = branch.get("type").is_none_or(|t| t == "object");
            let Some(branch_properties) = branch_properties.filter(|_| is_object) else {
                return Err((Rule::RootUnion, format!("/{keyword}")));
            };
            for (key, value) in branch_properties {
                properties.entry(key.clone()).or_insert_with(|| value.clone());
            }
            let branch_required = branch.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            required = Some(match required {
                // Under allOf every branch's requirement holds; under a union only the shared ones.
                Some(so_far) if keyword == "allOf" => so_far.into_iter().chain(branch_required).collect(),
                Some(so_far) => so_far.into_iter().filter(|k| branch_required.contains(k)).collect(),
                None => branch_required,
            });
        }
        let mut all_required = root.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
        all_required.extend(required.unwrap_or_default());
        root.insert("properties".into(), Value::Object(properties));
        root.insert("required".into(), Value::Array(all_required));
    }
    match root.get("type") {
        None => {
            root.insert("type".into(), json!("object"));
        }
        Some(t) if t == "object" => {}
        Some(_) => return Err((Rule::NotAnObject, String::new())),
    }
    if !root.contains_key("properties") {
        let free = root.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false));
        if !free {
            root.insert("properties".into(), json!({}));
        }
    }
    Ok(root)
}

fn json_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}

struct Context {
    provider: Provider,
    strict: bool,
    keys: Vec<KeyAlias>,
    defs: Map<String, Value>,
    /// The definitions being inlined, outermost first, to catch recursion.
    inlining: Vec<String>,
}

impl Context {
    /// The alias a property key needs under the provider's key rule, if any. Anthropic:
    /// `^[a-zA-Z0-9_.-]{1,64}$` (MCP too); Gemini: a letter or `_`, then `[a-zA-Z0-9_]`, at most 64.
    fn key_alias(&self, key: &str) -> Option<String> {
        match self.provider {
            Provider::OpenAiChat | Provider::OpenAiResponses => None,
            // MCP schemas reach Anthropic through Claude clients, so its key rule holds there.
            Provider::Anthropic | Provider::Mcp => {
                alias_if_needed(key, |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'), false, MAX_NAME)
            }
            Provider::Gemini | Provider::GeminiOpenApi => {
                alias_if_needed(key, |c| c.is_ascii_alphanumeric() || c == '_', true, MAX_NAME)
            }
        }
    }

    /// Renames the keys of `properties` that break the key rule, records the aliases, and
    /// returns the renaming so `required` can follow it.
    fn rename_keys(&mut self, properties: &Map<String, Value>, path: &str) -> Result<Vec<(String, String)>, Failure> {
        let mut renamed = Vec::new();
        let mut taken: HashSet<String> = properties.keys().cloned().collect();
        for key in properties.keys() {
            let Some(alias) = self.key_alias(key) else { continue };
            if !taken.insert(alias.clone()) {
                return Err((Rule::KeyCollision(alias), path.to_owned()));
            }
            // One alias table serves the whole tool, so an alias must mean one key everywhere.
            match self.keys.iter().find(|k| k.alias == alias) {
                Some(known) if known.original != *key => {
                    return Err((Rule::KeyCollision(alias), path.to_owned()));
                }
                Some(_) => {}
                None => self.keys.push(KeyAlias { alias: alias.clone(), original: key.clone() }),
            }
            renamed.push((key.clone(), alias));
        }
        Ok(renamed)
    }

    fn check_refs(&self, schema: &Value, path: String) -> Result<(), Failure> {
        match schema {
            Value::Object(object) => {
                // A property may be named `$ref`; only a string is a reference.
                if let Some(target) = object.get("$ref").and_then(Value::as_str)
                    && target != "#"
                    && self.def_name(target).is_none()
                {
                    return Err((Rule::UnresolvedRef(target.to_owned()), path));
                }
                for (key, value) in object {
                    if matches!(key.as_str(), "enum" | "const" | "examples" | "default" | "example") {
                        continue;
                    }
                    self.check_refs(value, format!("{path}/{}", pointer_escape(key)))?;
                }
                Ok(())
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_refs(item, format!("{path}/{i}"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn def_name<'a>(&self, target: &'a str) -> Option<&'a str> {
        let name = target.strip_prefix("#/$defs/").or_else(|| target.strip_prefix("#/definitions/"))?;
        self.defs.contains_key(name).then_some(name)
    }

    /// One schema for the JSON Schema formats (OpenAI, Anthropic, Gemini `parametersJsonSchema`).
    fn json_node(&mut self, schema: &Value, path: String, root: bool) -> Result<Value, Failure> {
        let mut m = match schema {
            Value::Object(object) => object.clone(),
            Value::Bool(true) => Map::new(),
            _ => return Err((Rule::NotAnObject, path)),
        };
        for key in EXTENSIONS {
            m.remove(key);
        }
        drop_stray_properties(&mut m);
        if let Some(value) = m.remove("const") {
            m.entry("enum").or_insert_with(|| json!([value]));
        }
        let nullable = m.remove("nullable") == Some(Value::Bool(true));
        if self.strict && !root && m.contains_key("$ref") {
            // OpenAI inlines a `$ref` with sibling keywords; keeping only the reference is the
            // same schema for a model once the annotations are gone.
            m.retain(|k, _| k == "$ref" || k == "description");
        }

        // Children first, so a parent's strictness sees their final form.
        if let Some(Value::Object(properties)) = m.remove("properties") {
            let renamed = self.rename_keys(&properties, &path)?;
            let mut out = Map::new();
            for (key, value) in &properties {
                let child = self.json_node(value, format!("{path}/properties/{}", pointer_escape(key)), false)?;
                let key = renamed.iter().find(|(o, _)| o == key).map_or(key, |(_, a)| a);
                out.insert(key.clone(), child);
            }
            rename_required(&mut m, &renamed);
            m.insert("properties".into(), Value::Object(out));
        }
        for keyword in ["items", "additionalProperties", "not", "contains", "propertyNames"] {
            if let Some(child @ Value::Object(_)) = m.get(keyword) {
                let child = self.json_node(&child.clone(), format!("{path}/{keyword}"), false)?;
                m.insert(keyword.into(), child);
            }
        }
        for keyword in ["anyOf", "oneOf", "allOf", "prefixItems"] {
            if let Some(Value::Array(branches)) = m.get(keyword) {
                let mut out = Vec::new();
                for (i, branch) in branches.clone().iter().enumerate() {
                    out.push(self.json_node(branch, format!("{path}/{keyword}/{i}"), false)?);
                }
                m.insert(keyword.into(), Value::Array(out));
            }
        }
        for keyword in ["$defs", "definitions"] {
            if let Some(Value::Object(defs)) = m.get(keyword) {
                let mut out = Map::new();
                for (name, def) in defs.clone() {
                    let child = self.json_node(&def, format!("{path}/{keyword}/{}", pointer_escape(&name)), false)?;
                    out.insert(name, child);
                }
                m.insert(keyword.into(), Value::Object(out));
            }
        }
        dedup_required(&mut m);
        if nullable {
            make_nullable(&mut m);
        }
        if self.strict {
            self.make_strict(&mut m, &path, root)?;
        }
        Ok(Value::Object(m))
    }

    fn make_strict(&mut self, m: &mut Map<String, Value>, path: &str, root: bool) -> Result<(), Failure> {
        let openai = matches!(self.provider, Provider::OpenAiChat | Provider::OpenAiResponses);
        if let Some(keyword) = STRUCTURAL.iter().find(|k| m.contains_key(**k)) {
            return Err((Rule::Unsupported(keyword), path.to_owned()));
        }
        if openai && m.contains_key("allOf") {
            return Err((Rule::Unsupported("allOf"), path.to_owned()));
        }
        if let Some(branches) = m.remove("oneOf") {
            m.insert("anyOf".into(), branches);
        }
        let is_object = m.contains_key("properties") || has_type(m, "object");
        if is_object {
            let free = m.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false));
            let empty = m.get("properties").and_then(Value::as_object).is_none_or(Map::is_empty);
            if free || (empty && !root) {
                return Err((Rule::FreeFormObject, path.to_owned()));
            }
            m.entry("properties").or_insert_with(|| json!({}));
            m.insert("additionalProperties".into(), Value::Bool(false));
            if openai {
                let required: Vec<String> = string_list(m.get("required"));
                let keys: Vec<String> = m
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                if let Some(Value::Object(properties)) = m.get_mut("properties") {
                    for (key, child) in properties.iter_mut() {
                        if !required.contains(key)
                            && let Value::Object(child) = child
                        {
                            make_nullable(child);
                        }
                    }
                }
                m.insert("required".into(), json!(keys));
            }
        }
        let (allowed, formats): (&[&str], &[&str]) =
            if openai { (&OPENAI_STRICT_KEYS, &OPENAI_FORMATS) } else { (&ANTHROPIC_STRICT_KEYS, &ANTHROPIC_FORMATS) };
        let mut notes = Map::new();
        let keys: Vec<String> = m.keys().cloned().collect();
        for key in keys {
            let keep = match key.as_str() {
                "format" => m.get(&key).and_then(Value::as_str).is_some_and(|f| formats.contains(&f)),
                // Anthropic keeps `minItems` only when it is 0 or 1.
                "minItems" if !openai => m.get(&key).and_then(Value::as_u64).is_some_and(|n| n <= 1),
                "maxItems" => openai,
                // `default: null` says nothing beyond "optional".
                "default" if m.get(&key).is_some_and(Value::is_null) => {
                    m.remove(&key);
                    continue;
                }
                key => allowed.contains(&key),
            };
            if !keep && let Some(value) = m.remove(&key) {
                notes.insert(key, value);
            }
        }
        append_notes(m, notes);
        Ok(())
    }

    /// One schema for Gemini's OpenAPI-subset `parameters`.
    fn openapi_node(&mut self, schema: &Value, path: String, root: bool) -> Result<Value, Failure> {
        let mut m = match schema {
            Value::Object(object) => object.clone(),
            _ => return Err((Rule::NotAnObject, path)),
        };
        for key in EXTENSIONS {
            m.remove(key);
        }
        drop_stray_properties(&mut m);
        if let Some(target) = m.remove("$ref") {
            let target = target.as_str().unwrap_or_default().to_owned();
            let name =
                self.def_name(&target).ok_or_else(|| (Rule::UnresolvedRef(target.clone()), path.clone()))?.to_owned();
            if self.inlining.contains(&name) {
                return Err((Rule::Recursive, path));
            }
            // Gemini's `parameters` has no references: the definition is inlined, with the
            // referring schema's own keywords over it.
            let mut inlined = self.defs.get(&name).and_then(Value::as_object).cloned().unwrap_or_default();
            inlined.extend(m);
            self.inlining.push(name);
            let out = self.openapi_node(&Value::Object(inlined), path, root);
            self.inlining.pop();
            return out;
        }
        if let Some(value) = m.remove("const") {
            m.entry("enum").or_insert_with(|| json!([value]));
        }
        let mut nullable = m.remove("nullable") == Some(Value::Bool(true));
        let mut notes = Map::new();

        if let Some(Value::Array(branches)) = m.remove("allOf") {
            if branches.len() != 1 {
                return Err((Rule::Unsupported("allOf"), path));
            }
            for (key, value) in branches[0].as_object().cloned().unwrap_or_default() {
                m.entry(key).or_insert(value);
            }
        }
        if let Some(branches) = m.remove("oneOf") {
            m.insert("anyOf".into(), branches);
        }
        match m.remove("type") {
            Some(Value::String(t)) if t == "null" => nullable = true,
            Some(Value::String(t)) => {
                m.insert("type".into(), json!(t.to_uppercase()));
            }
            Some(Value::Array(types)) => {
                let mut kinds: Vec<String> = Vec::new();
                for t in types.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        nullable = true;
                    } else {
                        kinds.push(t.to_uppercase());
                    }
                }
                match kinds.as_slice() {
                    [] => {}
                    [one] => {
                        m.insert("type".into(), json!(one));
                    }
                    many => {
                        let branches: Vec<Value> = many.iter().map(|t| json!({"type": t})).collect();
                        m.insert("anyOf".into(), Value::Array(branches));
                    }
                }
            }
            Some(_) => return Err((Rule::Untyped, path)),
            None => {}
        }
        if let Some(Value::Array(branches)) = m.remove("anyOf") {
            let mut out = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                // Gemini has no null type: a `{type:"null"}` branch is `nullable` on the node.
                if branch.get("type").is_some_and(|t| t == "null") {
                    nullable = true;
                    continue;
                }
                out.push(self.openapi_node(branch, format!("{path}/anyOf/{i}"), false)?);
            }
            match out.len() {
                0 => {}
                1 if !m.contains_key("type") => {
                    // A nullable single type is written `anyOf:[{T},{null}]` in Composio's
                    // dialect; Gemini's form is the type itself with `nullable`.
                    if let Some(Value::Object(only)) = out.pop() {
                        for (key, value) in only {
                            if key == "description" && m.contains_key("description") {
                                continue;
                            }
                            m.entry(key).or_insert(value);
                        }
                    }
                }
                _ => {
                    m.insert("anyOf".into(), Value::Array(out));
                }
            }
        }
        if let Some(Value::Array(values)) = m.remove("enum") {
            let values: Vec<Value> = values
                .into_iter()
                .filter(|v| {
                    let null = v.is_null();
                    nullable |= null;
                    !null
                })
                .collect();
            if values.iter().all(Value::is_string) && !values.is_empty() {
                m.entry("type").or_insert_with(|| json!("STRING"));
                m.insert("enum".into(), Value::Array(values));
            } else if !values.is_empty() {
                // Gemini's enum holds strings only; other values go to the description.
                notes.insert("enum".into(), Value::Array(values));
            }
        }
        if let Some(Value::Object(properties)) = m.remove("properties") {
            let renamed = self.rename_keys(&properties, &path)?;
            let mut out = Map::new();
            for (key, value) in &properties {
                let child = self.openapi_node(value, format!("{path}/properties/{}", pointer_escape(key)), false)?;
                let key = renamed.iter().find(|(o, _)| o == key).map_or(key, |(_, a)| a);
                out.insert(key.clone(), child);
            }
            rename_required(&mut m, &renamed);
            m.insert("properties".into(), Value::Object(out));
        }
        if let Some(items) = m.remove("items") {
            let items = self.openapi_node(&items, format!("{path}/items"), false)?;
            m.insert("items".into(), items);
        }
        if !m.contains_key("type") && !m.contains_key("anyOf") {
            let inferred = if m.contains_key("properties") {
                "OBJECT"
            } else if m.contains_key("items") {
                "ARRAY"
            } else {
                return Err((Rule::Untyped, path));
            };
            m.insert("type".into(), json!(inferred));
        }
        match m.get("type").and_then(Value::as_str) {
            Some("OBJECT") => {
                let empty = m.get("properties").and_then(Value::as_object).is_none_or(Map::is_empty);
                if empty && !root {
                    return Err((Rule::FreeFormObject, path));
                }
                m.entry("properties").or_insert_with(|| json!({}));
            }
            Some("ARRAY") if !m.contains_key("items") => return Err((Rule::MissingItems, path)),
            _ => {}
        }
        dedup_required(&mut m);
        // Gemini rejects `required` names that are not properties.
        let known: Vec<String> =
            m.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
        if let Some(Value::Array(required)) = m.get_mut("required") {
            required.retain(|k| k.as_str().is_some_and(|k| known.iter().any(|p| p == k)));
            if required.is_empty() {
                m.remove("required");
            }
        }
        if let Some(format) = m.get("format").and_then(Value::as_str) {
            let kind = m.get("type").and_then(Value::as_str).unwrap_or_default();
            let fits = matches!(
                (kind, format),
                ("NUMBER", "float" | "double") | ("INTEGER", "int32" | "int64") | ("STRING", "enum" | "date-time")
            );
            if !fits && let Some(format) = m.remove("format") {
                notes.insert("format".into(), format);
            }
        }
        let keys: Vec<String> = m.keys().cloned().collect();
        for key in keys {
            if GEMINI_KEYS.contains(&key.as_str()) {
                continue;
            }
            let value = m.remove(&key);
            if GEMINI_DROPPED.contains(&key.as_str()) {
                continue;
            }
            if let Some(value) = value.filter(|v| !v.is_null()) {
                notes.insert(key, value);
            }
        }
        if nullable {
            m.insert("nullable".into(), Value::Bool(true));
        }
        append_notes(&mut m, notes);
        Ok(Value::Object(m))
    }

    /// The provider's whole-schema limits, on the strict schema about to be sent.
    fn check_limits(&self, schema: &Value) -> Result<(), Failure> {
        let stats = Stats::of(schema);
        let over = |count: usize, max: usize| count > max;
        match self.provider {
            Provider::OpenAiChat | Provider::OpenAiResponses => {
                if over(stats.depth, OPENAI_MAX_DEPTH) {
                    return Err((Rule::TooDeep { depth: stats.depth, max: OPENAI_MAX_DEPTH }, String::new()));
                }
                if over(stats.properties, OPENAI_MAX_PROPERTIES) {
                    return Err((
                        Rule::TooManyProperties { count: stats.properties, max: OPENAI_MAX_PROPERTIES },
                        String::new(),
                    ));
                }
                if over(stats.enum_values, OPENAI_MAX_ENUM_VALUES) {
                    return Err((
                        Rule::TooManyEnumValues { count: stats.enum_values, max: OPENAI_MAX_ENUM_VALUES },
                        String::new(),
                    ));
                }
                if over(stats.long_enum_chars, OPENAI_LONG_ENUM_CHARS) {
                    return Err((
                        Rule::EnumTooLong { chars: stats.long_enum_chars, max: OPENAI_LONG_ENUM_CHARS },
                        String::new(),
                    ));
                }
                if over(stats.name_chars, OPENAI_MAX_NAME_CHARS) {
                    return Err((
                        Rule::NamesTooLong { chars: stats.name_chars, max: OPENAI_MAX_NAME_CHARS },
                        String::new(),
                    ));
                }
            }
            Provider::Anthropic => {
                if self.has_recursion() || refers_to_root(schema) {
                    return Err((Rule::Recursive, String::new()));
                }
                if over(stats.optional, ANTHROPIC_MAX_OPTIONAL) {
                    return Err((
                        Rule::TooManyOptional { count: stats.optional, max: ANTHROPIC_MAX_OPTIONAL },
                        String::new(),
                    ));
                }
                if over(stats.unions, ANTHROPIC_MAX_UNIONS) {
                    return Err((
                        Rule::TooManyUnions { count: stats.unions, max: ANTHROPIC_MAX_UNIONS },
                        String::new(),
                    ));
                }
            }
            Provider::Gemini | Provider::GeminiOpenApi | Provider::Mcp => {}
        }
        Ok(())
    }

    /// Whether some definition reaches itself through `$ref`s.
    fn has_recursion(&self) -> bool {
        fn refs(value: &Value, out: &mut Vec<String>) {
            match value {
                Value::Object(object) => {
                    if let Some(target) = object.get("$ref").and_then(Value::as_str) {
                        out.push(target.to_owned());
                    }
                    object.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let edges = |name: &str| {
            let mut out = Vec::new();
            if let Some(def) = self.defs.get(name) {
                refs(def, &mut out);
            }
            out.iter().filter_map(|t| self.def_name(t).map(str::to_owned)).collect::<Vec<_>>()
        };
        self.defs.keys().any(|start| {
            let mut seen = HashSet::new();
            let mut stack = edges(start);
            while let Some(next) = stack.pop() {
                if next == *start {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.extend(edges(&next));
                }
            }
            false
        })
    }
}

#[derive(Default)]
pub(super) struct Stats {
    depth: usize,
    properties: usize,
    enum_values: usize,
    name_chars: usize,
    long_enum_chars: usize,
    pub(super) optional: usize,
    pub(super) unions: usize,
}

/// Anthropic strict tool use's limits for one request.
pub(super) const ANTHROPIC_MAX_STRICT_TOOLS: usize = 20;

impl Stats {
    pub(super) fn of(schema: &Value) -> Stats {
        let mut stats = Stats::default();
        stats.walk(schema, 1);
        stats
    }

    fn walk(&mut self, schema: &Value, depth: usize) {
        let Value::Object(m) = schema else { return };
        self.depth = self.depth.max(depth);
        if let Some(Value::Array(values)) = m.get("enum") {
            self.enum_values += values.len();
            let chars: usize = values.iter().filter_map(Value::as_str).map(str::len).sum();
            self.name_chars += chars;
            if values.len() > OPENAI_LONG_ENUM {
                self.long_enum_chars = self.long_enum_chars.max(chars);
            }
        }
        if let Some(Value::Object(properties)) = m.get("properties") {
            let required = string_list(m.get("required"));
            for (key, child) in properties {
                self.properties += 1;
                self.name_chars += key.len();
                if !required.contains(key) {
                    self.optional += 1;
                }
                let union = child.get("anyOf").is_some() || child.get("type").is_some_and(Value::is_array);
                if union {
                    self.unions += 1;
                }
                self.walk(child, depth + 1);
            }
        }
        for keyword in ["$defs", "definitions"] {
            if let Some(Value::Object(defs)) = m.get(keyword) {
                for (name, def) in defs {
                    self.name_chars += name.len();
                    self.walk(def, depth);
                }
            }
        }
        if let Some(items) = m.get("items") {
            self.walk(items, depth + 1);
        }
        if let Some(Value::Array(branches)) = m.get("anyOf") {
            for branch in branches {
                self.walk(branch, depth);
            }
        }
    }
}

/// Composio writes `{type:"string", properties:{}}` for plain strings: the empty `properties`
/// of a non-object type is noise, and would make the schema look like a free-form object.
fn drop_stray_properties(m: &mut Map<String, Value>) {
    let typed_other = m.contains_key("type") && !has_type(m, "object");
    let empty = m.get("properties").and_then(Value::as_object).is_some_and(Map::is_empty);
    if typed_other && empty {
        m.remove("properties");
    }
}

/// Whether a `$ref: "#"` makes the schema contain itself.
fn refers_to_root(schema: &Value) -> bool {
    match schema {
        Value::Object(object) => object.get("$ref").is_some_and(|t| t == "#") || object.values().any(refers_to_root),
        Value::Array(items) => items.iter().any(refers_to_root),
        _ => false,
    }
}

fn has_type(m: &Map<String, Value>, kind: &str) -> bool {
    match m.get("type") {
        Some(Value::String(t)) => t == kind,
        Some(Value::Array(types)) => types.iter().any(|t| t == kind),
        _ => false,
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Drops repeated `required` entries: draft 2020-12 wants them unique, and Anthropic rejects
/// the whole request over one repeat.
fn dedup_required(m: &mut Map<String, Value>) {
    if let Some(Value::Array(required)) = m.get_mut("required") {
        let mut seen = HashSet::new();
        required.retain(|key| seen.insert(key.to_string()));
    }
}

fn rename_required(m: &mut Map<String, Value>, renamed: &[(String, String)]) {
    if let Some(Value::Array(required)) = m.get_mut("required") {
        for entry in required.iter_mut() {
            if let Some((_, alias)) = renamed.iter().find(|(o, _)| entry == o) {
                *entry = json!(alias);
            }
        }
    }
}

/// OpenAPI's `nullable: true` as JSON Schema: `null` joins the type (and the enum, which would
/// otherwise still refuse it).
fn make_nullable(m: &mut Map<String, Value>) {
    match m.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            m.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push(json!("null"));
            }
        }
        Some(_) => {}
        None => {
            if let Some(Value::Array(branches)) = m.get_mut("anyOf") {
                let has_null = branches.iter().any(|b| b.get("type").is_some_and(|t| t == "null"));
                if !has_null {
                    branches.push(json!({"type": "null"}));
                }
            } else if m.contains_key("$ref") {
                let reference = m.remove("$ref").unwrap_or_default();
                m.insert("anyOf".into(), json!([{"$ref": reference}, {"type": "null"}]));
            }
        }
    }
    if let Some(Value::Array(values)) = m.get_mut("enum")
        && !values.iter().any(Value::is_null)
    {
        values.push(Value::Null);
    }
}

/// Keywords a format cannot carry go into the description, as Anthropic's own SDK does, so the
/// model still reads the bound or the example.
fn append_notes(m: &mut Map<String, Value>, notes: Map<String, Value>) {
    if notes.is_empty() {
        return;
    }
    let notes = Value::Object(notes).to_string();
    let description = match m.get("description").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => format!("{text} {notes}"),
        _ => notes,
    };
    m.insert("description".into(), json!(description));
}

/// A key as a JSON Pointer segment.
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_name_is_kept_and_a_long_one_gets_a_stable_short_alias() {
        assert_eq!(tool_name("GITHUB_CREATE_AN_ISSUE", Provider::Anthropic), "GITHUB_CREATE_AN_ISSUE");
        let slug = "GITHUB_REMOVE_INTERACTION_RESTRICTIONS_FROM_YOUR_PUBLIC_REPOSITORIES";
        let alias = tool_name(slug, Provider::OpenAiChat);
        assert_eq!(alias.len(), 64);
        assert!(alias.starts_with(&slug[..55]));
        assert_eq!(alias, tool_name(slug, Provider::OpenAiChat));
        let other = tool_name(&format!("{slug}_X"), Provider::OpenAiChat);
        assert_ne!(alias, other, "a shared prefix must not give a shared alias");
    }

    #[test]
    fn gemini_names_and_keys_start_with_a_letter_or_underscore() {
        assert_eq!(tool_name("1PASSWORD_LIST", Provider::Gemini).chars().next(), Some('_'));
        let cx =
            Context { provider: Provider::Gemini, strict: false, keys: vec![], defs: Map::new(), inlining: vec![] };
        assert!(cx.key_alias("$top").is_some_and(|a| a.starts_with("_top_")));
        assert_eq!(cx.key_alias("owner"), None);
    }

    #[test]
    fn nullable_becomes_a_union_and_the_enum_accepts_null() {
        let mut m = json_object(json!({"type": "string", "enum": ["a"]}));
        make_nullable(&mut m);
        assert_eq!(Value::Object(m), json!({"type": ["string", "null"], "enum": ["a", null]}));
    }

    #[test]
    fn mcp_names_allow_dots_and_128_characters_and_keys_follow_anthropic() {
        assert_eq!(tool_name("github.create_issue", Provider::Mcp), "github.create_issue");
        let long = "A".repeat(100);
        assert_eq!(tool_name(&long, Provider::Mcp), long);
        let alias = tool_name(&"A".repeat(130), Provider::Mcp);
        assert_eq!(alias.len(), 128);
        assert_ne!(alias, tool_name(&"A".repeat(131), Provider::Mcp));
        assert!(tool_name("has space", Provider::Mcp).starts_with("has_space_"));
        let cx = Context { provider: Provider::Mcp, strict: false, keys: vec![], defs: Map::new(), inlining: vec![] };
        assert!(cx.key_alias("$top").is_some_and(|a| a.starts_with("_top_")));
        assert_eq!(cx.key_alias("per.page"), None);
    }

    #[test]
    fn an_mcp_definition_is_name_description_and_a_fixed_input_schema() {
        let spec = crate::agents::ToolSpec::new(
            "GITHUB_LIST_THINGS",
            Some("Lists things.".into()),
            json!({
                "properties": {"$top": {"type": "integer", "nullable": true}, "owner": {"type": "string"}},
                "required": ["owner", "owner"],
            }),
        );
        let definition = spec.definition(Provider::Mcp, Strictness::Strict).unwrap();
        assert_eq!(definition.strictness(), Strictness::Lenient, "MCP has no strict mode");
        let top = definition.key_aliases()[0].alias.clone();
        assert_eq!(
            definition.json(),
            &json!({
                "name": "GITHUB_LIST_THINGS",
                "description": "Lists things.",
                "inputSchema": {
                    "type": "object",
                    "properties": {top.clone(): {"type": ["integer", "null"]}, "owner": {"type": "string"}},
                    "required": ["owner"],
                },
            })
        );
        assert_eq!(definition.restore_arguments(json!({top: 3})), json!({"$top": 3}));
    }
}
