//! The provider envelopes around a prepared schema, and the aliases that map back.

use std::fmt;

use serde_json::{Map, Value, json};

use super::ToolSpec;
use super::schema::{self, FormatError, Rule};

/// A model API whose tool format this module produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// OpenAI Chat Completions `tools[]`.
    OpenAiChat,
    /// OpenAI Responses `tools[]`.
    OpenAiResponses,
    /// Anthropic Messages `tools[]`.
    Anthropic,
    /// Gemini `functionDeclarations[]` with `parametersJsonSchema`.
    Gemini,
    /// Gemini `functionDeclarations[]` with the OpenAPI-subset `parameters`.
    GeminiOpenApi,
    /// Model Context Protocol `tools/list` entries: `{name, description, inputSchema}`. Names
    /// are 1–128 characters of `A-Za-z0-9_.-`; schemas are prepared as for Anthropic (lenient),
    /// because Claude clients forward an MCP server's schemas to Anthropic unchanged.
    Mcp,
}

impl Provider {
    /// Every provider format, in a stable order.
    pub const ALL: [Provider; 6] = [
        Provider::OpenAiChat,
        Provider::OpenAiResponses,
        Provider::Anthropic,
        Provider::Gemini,
        Provider::GeminiOpenApi,
        Provider::Mcp,
    ];

    /// Whether the provider has a strict (constrained decoding) mode.
    pub fn has_strict_mode(self) -> bool {
        matches!(self, Provider::OpenAiChat | Provider::OpenAiResponses | Provider::Anthropic)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::OpenAiChat => "OpenAI Chat Completions",
            Provider::OpenAiResponses => "OpenAI Responses",
            Provider::Anthropic => "Anthropic Messages",
            Provider::Gemini => "Gemini (parametersJsonSchema)",
            Provider::GeminiOpenApi => "Gemini (parameters)",
            Provider::Mcp => "MCP",
        })
    }
}

/// Whether to ask the provider for strict schema adherence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strictness {
    /// The schema as a hint: OpenAI Chat's and Anthropic's default.
    #[default]
    Lenient,
    /// Constrained decoding: every object closed with `additionalProperties: false`; for
    /// OpenAI every property required, optional ones nullable (a model's `null` means
    /// "not given"). Schemas that cannot be made strict give a [`FormatError`].
    Strict,
}

/// A property key renamed for a provider, and the key Composio expects.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyAlias {
    /// The key the model sees and sends.
    pub alias: String,
    /// The key in the tool's schema.
    pub original: String,
}

/// One tool's definition for one provider, with the aliases it needed.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    provider: Provider,
    strictness: Strictness,
    name: String,
    slug: String,
    keys: Vec<KeyAlias>,
    json: Value,
    /// The schema as given, kept for OpenAI strict definitions only: it tells which `null`s
    /// stand for omitted optional arguments.
    original: Option<Value>,
}

impl Definition {
    /// The provider the definition is for.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Whether it asks for strict adherence.
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// The tool name the model sees and calls: the slug, or a short alias when the slug breaks
    /// the provider's name rule.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Composio slug the name maps back to.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// Property keys renamed for the provider. Empty for almost every tool.
    pub fn key_aliases(&self) -> &[KeyAlias] {
        &self.keys
    }

    /// The definition, ready to put in the request's tools list.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// The definition, by value.
    pub fn into_json(self) -> Value {
        self.json
    }

    /// Translates a model's arguments for this tool back to what Composio expects: aliased keys
    /// become the schema's keys again (aliases embed a hash of the key they replace, so a key
    /// equal to an alias is that key's alias), and for an OpenAI strict definition a `null`
    /// given for an optional, non-nullable property is removed, since strict mode makes the
    /// model send `null` for every argument it leaves out.
    pub fn restore_arguments(&self, arguments: Value) -> Value {
        let arguments = if self.keys.is_empty() { arguments } else { restore(arguments, &self.keys) };
        match &self.original {
            Some(schema) => drop_omitted(arguments, schema),
            None => arguments,
        }
    }
}

/// Removes the `null`s strict mode put in place of omitted optional arguments, guided by the
/// original schema: a `null` stays where the schema requires the property or allows `null`.
fn drop_omitted(value: Value, schema: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let Some(properties) = properties else { return Value::Object(object) };
            Value::Object(
                object
                    .into_iter()
                    .filter_map(|(key, value)| match properties.get(&key) {
                        Some(property) if value.is_null() => {
                            let keep = required.contains(&key.as_str()) || allows_null(property);
                            keep.then_some((key, value))
                        }
                        Some(property) => {
                            let value = drop_omitted(value, property);
                            Some((key, value))
                        }
                        None => Some((key, value)),
                    })
                    .collect(),
            )
        }
        Value::Array(items) => match schema.get("items") {
            Some(item) => Value::Array(items.into_iter().map(|v| drop_omitted(v, item)).collect()),
            None => Value::Array(items),
        },
        other => other,
    }
}

fn allows_null(schema: &Value) -> bool {
    let is_null = |t: &Value| t == "null";
    schema.get("nullable") == Some(&Value::Bool(true))
        || match schema.get("type") {
            Some(Value::Array(types)) => types.iter().any(is_null),
            Some(t) => is_null(t),
            None => !schema
                .as_object()
                .is_some_and(|m| m.contains_key("anyOf") || m.contains_key("enum") || m.contains_key("$ref")),
        }
        || ["anyOf", "oneOf"]
            .iter()
            .any(|k| schema.get(*k).and_then(Value::as_array).is_some_and(|b| b.iter().any(allows_null)))
        || schema.get("enum").and_then(Value::as_array).is_some_and(|v| v.iter().any(Value::is_null))
}

fn restore(value: Value, keys: &[KeyAlias]) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| {
                    let key = match keys.iter().find(|k| k.alias == key) {
                        Some(alias) => alias.original.clone(),
                        None => key,
                    };
                    (key, restore(value, keys))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| restore(v, keys)).collect()),
        other => other,
    }
}

pub(super) fn build(spec: &ToolSpec, provider: Provider, strictness: Strictness) -> Result<Definition, FormatError> {
    let strictness = if provider.has_strict_mode() { strictness } else { Strictness::Lenient };
    let fail =
        |rule: Rule| FormatError { tool: spec.slug.clone(), provider: Some(provider), rule, path: String::new() };
    if spec.slug.is_empty() {
        return Err(fail(Rule::EmptyName));
    }
    let name = schema::tool_name(&spec.slug, provider);
    let prepared = schema::prepare(&spec.input_schema, provider, strictness)
        .map_err(|(rule, path)| FormatError { path, ..fail(rule) })?;
    let strict = strictness == Strictness::Strict;
    let mut object = Map::new();
    match provider {
        Provider::OpenAiChat => {
            let mut function = Map::new();
            function.insert("name".into(), json!(name));
            insert_description(&mut function, spec);
            function.insert("parameters".into(), prepared.schema);
            if strict {
                function.insert("strict".into(), json!(true));
            }
            object.insert("type".into(), json!("function"));
            object.insert("function".into(), Value::Object(function));
        }
        Provider::OpenAiResponses => {
            object.insert("type".into(), json!("function"));
            object.insert("name".into(), json!(name));
            insert_description(&mut object, spec);
            object.insert("parameters".into(), prepared.schema);
            object.insert("strict".into(), json!(strict));
        }
        Provider::Anthropic => {
            object.insert("name".into(), json!(name));
            insert_description(&mut object, spec);
            object.insert("input_schema".into(), prepared.schema);
            if strict {
                object.insert("strict".into(), json!(true));
            }
        }
        Provider::Gemini => {
            object.insert("name".into(), json!(name));
            insert_description(&mut object, spec);
            object.insert("parametersJsonSchema".into(), prepared.schema);
        }
        Provider::GeminiOpenApi => {
            object.insert("name".into(), json!(name));
            insert_description(&mut object, spec);
            // Gemini rejects an OBJECT with no properties; a tool without arguments sends none.
            let empty = prepared.schema.get("properties").and_then(Value::as_object).is_none_or(Map::is_empty);
            if !empty {
                object.insert("parameters".into(), prepared.schema);
            }
        }
        Provider::Mcp => {
            object.insert("name".into(), json!(name));
            insert_description(&mut object, spec);
            object.insert("inputSchema".into(), prepared.schema);
        }
    }
    Ok(Definition {
        provider,
        strictness,
        name,
        slug: spec.slug.clone(),
        keys: prepared.keys,
        json: Value::Object(object),
        original: (strict && matches!(provider, Provider::OpenAiChat | Provider::OpenAiResponses))
            .then(|| spec.input_schema.clone()),
    })
}

fn insert_description(object: &mut Map<String, Value>, spec: &ToolSpec) {
    if let Some(description) = spec.description.as_deref().filter(|d| !d.trim().is_empty()) {
        object.insert("description".into(), json!(description));
    }
}

/// Checks Anthropic's per-request budget of strict tools: at most 20 strict tools, 24 optional
/// parameters and 16 union parameters across all of them. Each definition fits on its own, but
/// a tool set can still overrun the request's budget; send the tools that do not fit lenient.
/// Non-strict and non-Anthropic definitions are not counted.
pub fn anthropic_strict_budget(definitions: &[Definition]) -> Result<(), FormatError> {
    let strict = definitions.iter().filter(|d| d.provider == Provider::Anthropic && d.strictness == Strictness::Strict);
    let (mut tools, mut optional, mut unions) = (0, 0, 0);
    let fail = |rule: Rule| FormatError {
        tool: "(request)".to_owned(),
        provider: Some(Provider::Anthropic),
        rule,
        path: String::new(),
    };
    for definition in strict {
        let stats = schema::Stats::of(&definition.json["input_schema"]);
        tools += 1;
        optional += stats.optional;
        unions += stats.unions;
    }
    if tools > schema::ANTHROPIC_MAX_STRICT_TOOLS {
        return Err(fail(Rule::TooManyStrictTools { count: tools, max: schema::ANTHROPIC_MAX_STRICT_TOOLS }));
    }
    if optional > schema::ANTHROPIC_MAX_OPTIONAL {
        return Err(fail(Rule::TooManyOptional { count: optional, max: schema::ANTHROPIC_MAX_OPTIONAL }));
    }
    if unions > schema::ANTHROPIC_MAX_UNIONS {
        return Err(fail(Rule::TooManyUnions { count: unions, max: schema::ANTHROPIC_MAX_UNIONS }));
    }
    Ok(())
}
