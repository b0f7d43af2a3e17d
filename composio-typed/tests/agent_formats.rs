//! Model-API tool definitions against each provider's published rules (see
//! `shared/docs/llm-providers.md`), for the generated tools, runtime tools and every corpus tool.
//!
//! The validators below are written from the providers' rules, not from the builder's code, so a
//! builder bug shows up as a validation failure rather than being agreed with.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use composio_testserver::TestServer;
use composio_typed::Tool;
use composio_typed::agents::{Definition, Provider, Rule, Strictness, ToolSpec};
use composio_typed::toolkits::{composio, github, gmail};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Validators: each returns the first rule a definition breaks.

const JSON_TYPES: [&str; 7] = ["string", "number", "integer", "boolean", "object", "array", "null"];

/// `^[a-zA-Z0-9_-]{1,64}$`: OpenAI's function name rule and Anthropic's tool name rule.
fn openai_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Anthropic property keys: `^[a-zA-Z0-9_.-]{1,64}$`.
fn anthropic_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Gemini API function names: `a-zA-Z0-9_.:-`, at most 64, a letter or `_` first (Vertex).
fn gemini_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
}

/// Gemini parameter names: a letter or `_`, then `a-zA-Z0-9_`, at most 64.
fn gemini_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every subschema with its JSON Pointer, root first.
fn subschemas<'a>(schema: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    out.push((path.clone(), schema));
    let Some(m) = schema.as_object() else { return };
    for keyword in ["properties", "$defs", "definitions"] {
        if let Some(Value::Object(children)) = m.get(keyword) {
            for (key, child) in children {
                subschemas(child, format!("{path}/{keyword}/{key}"), out);
            }
        }
    }
    for keyword in ["items", "additionalProperties", "not"] {
        if let Some(child @ Value::Object(_)) = m.get(keyword) {
            subschemas(child, format!("{path}/{keyword}"), out);
        }
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = m.get(keyword) {
            for (i, branch) in branches.iter().enumerate() {
                subschemas(branch, format!("{path}/{keyword}/{i}"), out);
            }
        }
    }
}

fn all_schemas(schema: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    subschemas(schema, String::new(), &mut out);
    out
}

fn is_object_schema(m: &Map<String, Value>) -> bool {
    m.contains_key("properties")
        || match m.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
            _ => false,
        }
}

/// Draft 2020-12 well-formedness, as far as the providers check it: a root object schema,
/// known types, unique `required` entries, no OpenAPI `nullable`, resolvable `$ref`s.
fn json_schema_rules(root: &Value, key_rule: Option<fn(&str) -> bool>) -> Result<(), String> {
    if root.get("type") != Some(&json!("object")) {
        return Err("root type is not object".into());
    }
    for (path, schema) in all_schemas(root) {
        let Some(m) = schema.as_object() else {
            if schema.is_boolean() {
                continue;
            }
            return Err(format!("schema is not an object at {path}"));
        };
        match m.get("type") {
            None => {}
            Some(Value::String(t)) if JSON_TYPES.contains(&t.as_str()) => {}
            Some(Value::Array(types)) => {
                let unique: HashSet<String> = types.iter().map(Value::to_string).collect();
                if unique.len() != types.len()
                    || types.iter().any(|t| !t.as_str().is_some_and(|t| JSON_TYPES.contains(&t)))
                {
                    return Err(format!("bad type union at {path}"));
                }
            }
            Some(other) => return Err(format!("unknown type {other} at {path}")),
        }
        if let Some(required) = m.get("required") {
            let list = required.as_array().ok_or(format!("required is not an array at {path}"))?;
            let unique: HashSet<&str> = list.iter().filter_map(Value::as_str).collect();
            if unique.len() != list.len() {
                return Err(format!("duplicate required entries at {path}"));
            }
        }
        if m.contains_key("nullable") {
            return Err(format!("`nullable` is not JSON Schema at {path}"));
        }
        if let Some(Value::Array(values)) = m.get("enum")
            && values.is_empty()
        {
            return Err(format!("empty enum at {path}"));
        }
        if let Some(target) = m.get("$ref").and_then(Value::as_str) {
            let name = target.strip_prefix("#/$defs/").unwrap_or(target);
            if root.get("$defs").and_then(|d| d.get(name)).is_none() {
                return Err(format!("unresolved $ref {target} at {path}"));
            }
        }
        if let (Some(rule), Some(Value::Object(properties))) = (key_rule, m.get("properties"))
            && let Some(bad) = properties.keys().find(|k| !rule(k))
        {
            return Err(format!("property key `{bad}` breaks the key pattern at {path}"));
        }
    }
    Ok(())
}

/// OpenAI Structured Outputs: the supported subset and its limits.
fn openai_strict_rules(root: &Value) -> Result<(), String> {
    const ALLOWED: [&str; 21] = [
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
        "$ref",
        "pattern",
        "format",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "minItems",
        "maxItems",
        "definitions",
    ];
    const FORMATS: [&str; 9] = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];
    if root.get("anyOf").is_some() {
        return Err("anyOf at the root".into());
    }
    let (mut properties, mut enum_values, mut chars, mut depth) = (0, 0, 0, 0);
    for (path, schema) in all_schemas(root) {
        let Some(m) = schema.as_object() else { continue };
        if let Some(bad) = m.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
            return Err(format!("keyword `{bad}` outside the strict subset at {path}"));
        }
        if let Some(format) = m.get("format").and_then(Value::as_str)
            && !FORMATS.contains(&format)
        {
            return Err(format!("format `{format}` at {path}"));
        }
        if is_object_schema(m) {
            if m.get("additionalProperties") != Some(&json!(false)) {
                return Err(format!("object without additionalProperties:false at {path}"));
            }
            let keys: HashSet<&str> = m
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let required: HashSet<&str> = m
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if keys != required {
                return Err(format!("not every property is required at {path}"));
            }
            properties += keys.len();
            chars += keys.iter().map(|k| k.len()).sum::<usize>();
            // Nesting: how many object schemas enclose this one, itself included.
            let level = path.split('/').filter(|s| *s == "properties" || *s == "items").count() + 1;
            depth = depth.max(level);
        }
        if let Some(Value::Array(values)) = m.get("enum") {
            enum_values += values.len();
            let total: usize = values.iter().filter_map(Value::as_str).map(str::len).sum();
            chars += total;
            if values.len() > 250 && total > 15_000 {
                return Err(format!("long enum over 15,000 characters at {path}"));
            }
        }
    }
    if properties > 5_000 || depth > 10 || enum_values > 1_000 || chars > 120_000 {
        return Err(format!(
            "limits: {properties} properties, depth {depth}, {enum_values} enum values, {chars} chars"
        ));
    }
    Ok(())
}

/// Anthropic strict tool use: the kept keywords, closed objects, and the per-request limits
/// (one tool may use them all).
fn anthropic_strict_rules(root: &Value) -> Result<(), String> {
    const ALLOWED: [&str; 15] = [
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
    const FORMATS: [&str; 10] =
        ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"];
    let (mut optional, mut unions) = (0, 0);
    for (path, schema) in all_schemas(root) {
        let Some(m) = schema.as_object() else { continue };
        if let Some(bad) = m.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
            return Err(format!("keyword `{bad}` outside the strict subset at {path}"));
        }
        if let Some(format) = m.get("format").and_then(Value::as_str)
            && !FORMATS.contains(&format)
        {
            return Err(format!("format `{format}` at {path}"));
        }
        if m.get("minItems").is_some_and(|n| n.as_u64().is_none_or(|n| n > 1)) {
            return Err(format!("minItems above 1 at {path}"));
        }
        if is_object_schema(m) {
            if m.get("additionalProperties") != Some(&json!(false)) {
                return Err(format!("object without additionalProperties:false at {path}"));
            }
            let required: Vec<&str> = m
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, child) in m.get("properties").and_then(Value::as_object).into_iter().flatten() {
                optional += usize::from(!required.contains(&key.as_str()));
                unions += usize::from(child.get("anyOf").is_some() || child.get("type").is_some_and(Value::is_array));
            }
        }
    }
    if optional > 24 {
        return Err(format!("{optional} optional parameters"));
    }
    if unions > 16 {
        return Err(format!("{unions} union parameters"));
    }
    Ok(())
}

/// Gemini's `parameters`: the protobuf `Schema` message, where anything unknown is a 400.
fn gemini_openapi_rules(root: &Value) -> Result<(), String> {
    const FIELDS: [&str; 21] = [
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
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "items",
        "minimum",
    ];
    const TYPES: [&str; 6] = ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT"];
    if root.get("type") != Some(&json!("OBJECT")) {
        return Err("root type is not OBJECT".into());
    }
    for (path, schema) in all_schemas(root) {
        let m = schema.as_object().ok_or(format!("schema is not an object at {path}"))?;
        if let Some(bad) = m.keys().find(|k| !FIELDS.contains(&k.as_str()) && *k != "maximum") {
            return Err(format!("unknown field `{bad}` at {path}"));
        }
        let kind = match m.get("type") {
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => t.as_str(),
            Some(other) => return Err(format!("type {other} at {path}")),
            None if m.contains_key("anyOf") => "",
            None => return Err(format!("no type at {path}")),
        };
        if kind == "OBJECT" {
            let properties = m.get("properties").and_then(Value::as_object).filter(|p| !p.is_empty());
            let Some(properties) = properties else {
                return Err(format!("OBJECT with no properties at {path}"));
            };
            if let Some(bad) = properties.keys().find(|k| !gemini_key(k)) {
                return Err(format!("parameter name `{bad}` at {path}"));
            }
            for entry in m.get("required").and_then(Value::as_array).into_iter().flatten() {
                if !entry.as_str().is_some_and(|k| properties.contains_key(k)) {
                    return Err(format!("required {entry} is not a property at {path}"));
                }
            }
        }
        if kind == "ARRAY" && !m.contains_key("items") {
            return Err(format!("ARRAY without items at {path}"));
        }
        if let Some(values) = m.get("enum")
            && !values.as_array().is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_string))
        {
            return Err(format!("enum of non-strings at {path}"));
        }
        if let Some(format) = m.get("format").and_then(Value::as_str) {
            let fits = matches!(
                (kind, format),
                ("NUMBER", "float" | "double") | ("INTEGER", "int32" | "int64") | ("STRING", "enum" | "date-time")
            );
            if !fits {
                return Err(format!("format `{format}` on {kind} at {path}"));
            }
        }
    }
    Ok(())
}

/// Checks one definition against its provider's rules.
fn validate(definition: &Definition) -> Result<(), String> {
    validate_json(definition.provider(), definition.strictness(), definition.json())
}

/// Checks a tool definition, however it was made, against a provider's rules.
fn validate_json(provider: Provider, strictness: Strictness, json: &Value) -> Result<(), String> {
    let strict = strictness == Strictness::Strict;
    match provider {
        Provider::OpenAiChat => {
            if json["type"] != "function" {
                return Err("type is not function".into());
            }
            let function = &json["function"];
            let name = function["name"].as_str().unwrap_or_default();
            if !openai_name(name) {
                return Err(format!("name `{name}`"));
            }
            let parameters = &function["parameters"];
            json_schema_rules(parameters, None)?;
            if strict {
                if function["strict"] != true {
                    return Err("strict is not set".into());
                }
                openai_strict_rules(parameters)?;
            }
        }
        Provider::OpenAiResponses => {
            if json["type"] != "function" || json.get("function").is_some() {
                return Err("not a flat function tool".into());
            }
            let name = json["name"].as_str().unwrap_or_default();
            if !openai_name(name) {
                return Err(format!("name `{name}`"));
            }
            // An omitted `strict` means strict on Responses, so it must always be explicit.
            if json["strict"] != Value::Bool(strict) {
                return Err("strict is not explicit".into());
            }
            json_schema_rules(&json["parameters"], None)?;
            if strict {
                openai_strict_rules(&json["parameters"])?;
            }
        }
        Provider::Anthropic => {
            let name = json["name"].as_str().unwrap_or_default();
            if !openai_name(name) {
                return Err(format!("name `{name}`"));
            }
            let schema = &json["input_schema"];
            for keyword in ["anyOf", "oneOf", "allOf"] {
                if schema.get(keyword).is_some() {
                    return Err(format!("{keyword} at the root"));
                }
            }
            json_schema_rules(schema, Some(anthropic_key))?;
            if strict {
                if json["strict"] != true {
                    return Err("strict is not set".into());
                }
                anthropic_strict_rules(schema)?;
            }
        }
        Provider::Gemini => {
            let name = json["name"].as_str().unwrap_or_default();
            if !gemini_name(name) {
                return Err(format!("name `{name}`"));
            }
            if json.get("parameters").is_some() {
                return Err("parameters and parametersJsonSchema are exclusive".into());
            }
            json_schema_rules(&json["parametersJsonSchema"], Some(gemini_key))?;
        }
        Provider::GeminiOpenApi => {
            let name = json["name"].as_str().unwrap_or_default();
            if !gemini_name(name) {
                return Err(format!("name `{name}`"));
            }
            if let Some(parameters) = json.get("parameters") {
                gemini_openapi_rules(parameters)?;
            }
        }
        other => return Err(format!("no validator for {other}")),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tests.

const VARIANTS: [(Provider, Strictness); 8] = [
    (Provider::OpenAiChat, Strictness::Lenient),
    (Provider::OpenAiChat, Strictness::Strict),
    (Provider::OpenAiResponses, Strictness::Lenient),
    (Provider::OpenAiResponses, Strictness::Strict),
    (Provider::Anthropic, Strictness::Lenient),
    (Provider::Anthropic, Strictness::Strict),
    (Provider::Gemini, Strictness::Lenient),
    (Provider::GeminiOpenApi, Strictness::Lenient),
];

fn variant_name(provider: Provider, strictness: Strictness) -> String {
    match strictness {
        Strictness::Strict => format!("{provider} strict"),
        Strictness::Lenient => provider.to_string(),
    }
}

/// A short rule name for the counts.
fn rule_name(rule: &Rule) -> String {
    let text = format!("{rule:?}");
    text.split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}

/// Parameters, at any depth, whose schema is an `anyOf` or a type union (Anthropic's count).
fn union_parameters(schema: &Value) -> usize {
    all_schemas(schema)
        .iter()
        .filter_map(|(_, s)| s.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.values())
        .filter(|p| p.get("anyOf").is_some() || p.get("type").is_some_and(Value::is_array))
        .count()
}

/// A variant's expected count of passing tools, and of refused ones by rule.
type Expected = (&'static str, usize, &'static [(&'static str, usize)]);

/// The top-level property keys of a definition's schema, mapped back to Composio's keys.
fn root_keys(definition: &Definition) -> Vec<String> {
    let json = definition.json();
    let schema = json
        .pointer("/function/parameters")
        .or_else(|| json.get("parameters"))
        .or_else(|| json.get("input_schema"))
        .or_else(|| json.get("parametersJsonSchema"));
    let keys: Map<String, Value> = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().map(|k| (k.clone(), json!(0))).collect())
        .unwrap_or_default();
    let restored = definition.restore_arguments(Value::Object(keys));
    let mut keys: Vec<String> = restored.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

#[test]
fn every_corpus_tool_passes_each_provider_or_is_refused_with_a_rule() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let tools = composio_testserver::corpus_tools();
    assert_eq!(tools.len(), 954);
    let mut passed: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut invalid = Vec::new();
    let mut names: HashMap<String, HashSet<String>> = HashMap::new();
    let mut aliased_keys = 0;
    let mut all_required_over_union_limit = 0;
    for tool in &tools {
        let spec = ToolSpec::from_tool_json(tool);
        let mut original: Vec<String> =
            spec.input_schema()["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
        original.sort();
        for (provider, strictness) in VARIANTS {
            let variant = variant_name(provider, strictness);
            match spec.definition(provider, strictness) {
                Ok(definition) => {
                    if let Err(why) = validate(&definition) {
                        invalid.push(format!("{variant}: {}: {why}", spec.slug()));
                        continue;
                    }
                    // No provider's form may lose an argument: aliased keys map back exactly.
                    if provider != Provider::GeminiOpenApi || !original.is_empty() {
                        assert_eq!(root_keys(&definition), original, "{variant}: {}", spec.slug());
                    }
                    let fresh = names.entry(variant.clone()).or_default().insert(definition.name().to_owned());
                    assert!(fresh, "{variant}: two tools are named {}", definition.name());
                    assert_eq!(definition.slug(), spec.slug());
                    if provider == Provider::OpenAiChat && strictness == Strictness::Strict {
                        let unions = union_parameters(&definition.json()["function"]["parameters"]);
                        all_required_over_union_limit += usize::from(unions > 16);
                    }
                    if provider == Provider::Anthropic && strictness == Strictness::Lenient {
                        aliased_keys += definition.key_aliases().len();
                    }
                    *passed.entry(variant).or_default() += 1;
                }
                Err(error) => {
                    assert_eq!(error.tool, spec.slug());
                    *refused.entry(variant).or_default().entry(rule_name(&error.rule)).or_default() += 1;
                }
            }
        }
    }
    println!("corpus: {} tools", tools.len());
    for (provider, strictness) in VARIANTS {
        let variant = variant_name(provider, strictness);
        println!(
            "{variant:<40} passed {:>4}  refused {:?}",
            passed.get(&variant).copied().unwrap_or_default(),
            refused.get(&variant).cloned().unwrap_or_default()
        );
    }
    println!("Anthropic key aliases: {aliased_keys}");
    // Why Anthropic's strict form keeps optional parameters optional instead of OpenAI's
    // required-and-nullable: every nullable parameter would count against its limit of 16
    // union parameters (7 corpus tools exceed it, against 4 over its 24 optional ones), and
    // both limits are for a whole request, so each tool should spend the larger budget.
    println!("all-required-nullable schemas over Anthropic's 16 unions: {all_required_over_union_limit}");
    assert_eq!(all_required_over_union_limit, 7);
    assert!(invalid.is_empty(), "definitions the providers would reject:\n{}", invalid.join("\n"));

    // Free-form objects (maps, `type:object` without properties) cannot be closed with
    // `additionalProperties:false`; four tools have more than 24 optional parameters (counted
    // at every depth); Gemini's `parameters` cannot send an OBJECT without properties.
    let expected: [Expected; 8] = [
        ("OpenAI Chat Completions", 954, &[]),
        ("OpenAI Chat Completions strict", 925, &[("FreeFormObject", 29)]),
        ("OpenAI Responses", 954, &[]),
        ("OpenAI Responses strict", 925, &[("FreeFormObject", 29)]),
        ("Anthropic Messages", 954, &[]),
        ("Anthropic Messages strict", 921, &[("FreeFormObject", 29), ("TooManyOptional", 4)]),
        ("Gemini (parametersJsonSchema)", 954, &[]),
        ("Gemini (parameters)", 926, &[("FreeFormObject", 28)]),
    ];
    assert_eq!(aliased_keys, 5, "the five over-long GitHub keys");
    for (variant, pass, refusals) in expected {
        assert_eq!(passed.get(variant).copied().unwrap_or_default(), pass, "{variant} passed");
        let want: BTreeMap<String, usize> = refusals.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
        assert_eq!(refused.get(variant).cloned().unwrap_or_default(), want, "{variant} refused");
    }
}

/// Every committed generated tool, by its `ToolMeta`.
fn committed_metas() -> Vec<&'static composio_typed::ToolMeta> {
    [github::TOOLS, gmail::TOOLS, composio::TOOLS].into_iter().flatten().map(|tool| tool.meta()).collect()
}

#[test]
fn every_generated_tool_makes_a_valid_definition_for_every_provider() {
    let mut refused = Vec::new();
    for meta in committed_metas() {
        let spec = ToolSpec::from_meta(meta).unwrap();
        assert_eq!(spec.description(), Some(meta.description), "{}", meta.slug);
        for (provider, strictness) in VARIANTS {
            match spec.definition(provider, strictness) {
                Ok(definition) => {
                    validate(&definition).unwrap_or_else(|why| panic!("{}: {why}", meta.slug));
                    assert_eq!(definition.name(), meta.slug);
                }
                Err(error) => {
                    refused.push(format!("{} {}", variant_name(provider, strictness), rule_name(&error.rule)))
                }
            }
        }
    }
    // The free-form `inputs` map of a workflow dispatch, `config` of a webhook, and the like.
    assert!(refused.iter().all(|r| r.ends_with("FreeFormObject")), "{refused:?}");
}

#[test]
fn the_create_an_issue_definitions_have_each_providers_shape() {
    let spec = ToolSpec::from_meta(github::CreateAnIssueInput::META).unwrap();
    let chat = spec.openai_chat(Strictness::Lenient).unwrap().into_json();
    assert_eq!(chat["type"], "function");
    assert_eq!(chat["function"]["name"], "GITHUB_CREATE_AN_ISSUE");
    assert!(chat["function"].get("strict").is_none());

    let strict = spec.openai_chat(Strictness::Strict).unwrap().into_json();
    let parameters = &strict["function"]["parameters"];
    assert_eq!(strict["function"]["strict"], true);
    assert_eq!(parameters["additionalProperties"], false);
    // Optional arguments stay, required and nullable: a model's `null` means "not given".
    let required: Vec<&str> = parameters["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(required.contains(&"body") && required.contains(&"labels"));
    assert!(parameters["properties"]["body"]["type"].as_array().unwrap().contains(&json!("null")));
    assert_eq!(parameters["properties"]["owner"]["type"], "string");

    let responses = spec.openai_responses(Strictness::Lenient).unwrap().into_json();
    assert_eq!((responses["name"].as_str(), &responses["strict"]), (Some("GITHUB_CREATE_AN_ISSUE"), &json!(false)));

    let anthropic = spec.anthropic(Strictness::Strict).unwrap().into_json();
    assert_eq!(anthropic["input_schema"]["additionalProperties"], false);
    assert_eq!(anthropic["strict"], true);
    // Anthropic's strict mode keeps optionality in `required`, unlike OpenAI's.
    let required = anthropic["input_schema"]["required"].as_array().unwrap();
    assert!(!required.contains(&json!("body")));

    let gemini = spec.gemini_openapi().unwrap();
    let parameters = &gemini.json()["parameters"];
    assert_eq!(parameters["type"], "OBJECT");
    assert_eq!(parameters["properties"]["labels"]["type"], "ARRAY");
    let tools = composio_typed::agents::gemini_tool(&[gemini.clone(), spec.gemini().unwrap()]);
    assert_eq!(tools["functionDeclarations"].as_array().map(Vec::len), Some(2));
}

#[test]
fn corpus_defects_are_fixed_and_aliases_map_back_exactly() {
    let long_key = "required__pull__request__reviews__bypass__pull__request__allowances__users";
    let schema = json!({
        "type": "object",
        "properties": {
            "owner": {"type": "string"},
            "note": {"type": "string", "nullable": true, "enum": ["a", "b"]},
            "$top": {"type": "integer"},
            long_key: {"type": "object", "properties": {"inner": {"type": "string"}}},
        },
        "required": ["owner", "owner", "$top"],
    });
    let slug = "GITHUB_REMOVE_INTERACTION_RESTRICTIONS_FROM_YOUR_PUBLIC_REPOSITORIES";
    let spec = ToolSpec::new(slug, Some("Removes restrictions.".into()), schema);
    for (provider, strictness) in VARIANTS {
        let Ok(definition) = spec.definition(provider, strictness) else { continue };
        validate(&definition).unwrap_or_else(|why| panic!("{provider}: {why}"));
        assert!(definition.name().len() <= 64);
        assert_eq!(definition.slug(), slug);
    }
    let anthropic = spec.anthropic(Strictness::Lenient).unwrap();
    let schema = &anthropic.json()["input_schema"];
    assert_eq!(schema["required"].as_array().unwrap().len(), 2, "the repeated `owner` is gone");
    assert_eq!(schema["properties"]["note"]["type"], json!(["string", "null"]));
    assert_eq!(schema["properties"]["note"]["enum"], json!(["a", "b", null]));
    // `$top` breaks `^[a-zA-Z0-9_.-]{1,64}$` by its `$`, the other by its length.
    assert_eq!(anthropic.key_aliases().len(), 2);

    // The model's call, in aliased keys, comes back in Composio's keys.
    let gemini = spec.gemini().unwrap();
    let aliases: HashMap<&str, &str> =
        gemini.key_aliases().iter().map(|k| (k.original.as_str(), k.alias.as_str())).collect();
    assert_eq!(aliases.len(), 2);
    let call = json!({"owner": "o", aliases["$top"]: 5, aliases[long_key]: {"inner": "x"}});
    let restored = gemini.restore_arguments(call);
    assert_eq!(restored, json!({"owner": "o", "$top": 5, long_key: {"inner": "x"}}));

    // Gemini's OpenAPI form keeps `nullable` (it is OpenAPI) and has no type unions.
    let openapi = spec.gemini_openapi().unwrap();
    let note = &openapi.json()["parameters"]["properties"]["note"];
    assert_eq!((note["type"].as_str(), &note["nullable"]), (Some("STRING"), &json!(true)));
    assert_eq!(note["enum"], json!(["a", "b"]));
}

#[test]
fn schemas_that_cannot_be_strict_name_the_rule() {
    let refuse = |schema: Value, provider: Provider| -> Rule {
        ToolSpec::new("T", None, schema).definition(provider, Strictness::Strict).unwrap_err().rule
    };
    let map = json!({"type": "object", "properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}}});
    assert_eq!(refuse(map.clone(), Provider::OpenAiChat), Rule::FreeFormObject);
    assert_eq!(refuse(map, Provider::Anthropic), Rule::FreeFormObject);

    let mut deep = json!({"type": "string"});
    for _ in 0..11 {
        deep = json!({"type": "object", "properties": {"x": deep}, "required": ["x"]});
    }
    assert!(matches!(refuse(deep, Provider::OpenAiResponses), Rule::TooDeep { depth: 12, max: 10 }));

    let wide: Map<String, Value> = (0..25).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
    let wide = json!({"type": "object", "properties": wide});
    assert_eq!(refuse(wide.clone(), Provider::Anthropic), Rule::TooManyOptional { count: 25, max: 24 });
    assert!(ToolSpec::new("T", None, wide).openai_chat(Strictness::Strict).is_ok(), "OpenAI has no such limit");

    let unions: Map<String, Value> =
        (0..17).map(|i| (format!("p{i}"), json!({"type": ["string", "integer"]}))).collect();
    let required: Vec<String> = unions.keys().cloned().collect();
    let unions = json!({"type": "object", "properties": unions, "required": required});
    assert_eq!(refuse(unions, Provider::Anthropic), Rule::TooManyUnions { count: 17, max: 16 });

    let many: Vec<String> = (0..1001).map(|i| format!("v{i}")).collect();
    let many = json!({"type": "object", "properties": {"v": {"type": "string", "enum": many}}});
    assert!(matches!(refuse(many, Provider::OpenAiChat), Rule::TooManyEnumValues { max: 1000, .. }));

    let recursive = json!({"type": "object", "properties": {"node": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}}});
    assert_eq!(refuse(recursive.clone(), Provider::Anthropic), Rule::Recursive);
    let error = ToolSpec::new("T", None, recursive).gemini_openapi().unwrap_err();
    assert_eq!((error.rule, error.path.as_str()), (Rule::Recursive, "/properties/node/properties/next"));

    let to_root = json!({"type": "object", "properties": {"child": {"$ref": "#"}}});
    assert_eq!(refuse(to_root, Provider::Anthropic), Rule::Recursive);
    let named_ref = json!({"type": "object", "properties": {"$ref": {"type": "string"}}});
    assert!(ToolSpec::new("T", None, named_ref).openai_chat(Strictness::Strict).is_ok(), "a property named `$ref`");

    let dangling = json!({"type": "object", "properties": {"x": {"$ref": "#/$defs/Missing"}}});
    let error = ToolSpec::new("T", None, dangling).anthropic(Strictness::Lenient).unwrap_err();
    assert_eq!(error.rule, Rule::UnresolvedRef("#/$defs/Missing".into()));
    assert_eq!(
        error.to_string(),
        "T: no Anthropic Messages definition: `$ref` #/$defs/Missing points nowhere (at `/properties/x`)"
    );
}

#[test]
fn a_root_union_becomes_one_object_for_every_provider() {
    let schema = json!({"anyOf": [
        {"type": "object", "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}, "required": ["id", "kind"]},
        {"type": "object", "properties": {"url": {"type": "string"}, "kind": {"type": "string"}}, "required": ["url", "kind"]},
    ]});
    let spec = ToolSpec::new("T", None, schema);
    for (provider, strictness) in VARIANTS {
        let definition = spec.definition(provider, strictness).unwrap();
        validate(&definition).unwrap_or_else(|why| panic!("{provider}: {why}"));
    }
    let schema = spec.anthropic(Strictness::Lenient).unwrap().into_json()["input_schema"].clone();
    assert_eq!(schema["required"], json!(["kind"]), "only what every branch requires");
    let scalar = ToolSpec::new("T", None, json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
    assert_eq!(scalar.anthropic(Strictness::Lenient).unwrap_err().rule, Rule::RootUnion);
}

/// The validators must catch what the providers reject: otherwise the corpus test proves nothing.
#[test]
fn the_validators_reject_what_the_providers_reject() {
    let chat = |name: &str, parameters: Value| json!({"type": "function", "function": {"name": name, "parameters": parameters}});
    let ok = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});
    assert!(validate_json(Provider::OpenAiChat, Strictness::Lenient, &chat("ok", ok.clone())).is_ok());
    let long = "X".repeat(65);
    let cases = [
        (Provider::OpenAiChat, Strictness::Lenient, chat(&long, ok.clone()), "name"),
        (Provider::OpenAiChat, Strictness::Lenient, chat("a.b", ok.clone()), "name"),
        (Provider::OpenAiChat, Strictness::Strict, chat("t", ok.clone()), "strict is not set"),
        (
            Provider::OpenAiChat,
            Strictness::Strict,
            json!({"type": "function", "function": {"name": "t", "strict": true, "parameters": ok}}),
            "additionalProperties:false",
        ),
        (
            Provider::OpenAiChat,
            Strictness::Strict,
            json!({"type": "function", "function": {"name": "t", "strict": true, "parameters":
                {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}}}),
            "not every property is required",
        ),
        (
            Provider::OpenAiChat,
            Strictness::Strict,
            json!({"type": "function", "function": {"name": "t", "strict": true, "parameters":
                {"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}, "required": ["a"], "additionalProperties": false}}}),
            "format `uri`",
        ),
        (
            Provider::OpenAiResponses,
            Strictness::Lenient,
            json!({"type": "function", "name": "t", "parameters": {"type": "object"}}),
            "strict is not explicit",
        ),
        (
            Provider::Anthropic,
            Strictness::Lenient,
            json!({"name": "t", "input_schema": {"type": "object", "required": ["a", "a"]}}),
            "duplicate required",
        ),
        (
            Provider::Anthropic,
            Strictness::Lenient,
            json!({"name": "t", "input_schema": {"type": "object", "properties": {"$top": {}}}}),
            "key pattern",
        ),
        (
            Provider::Anthropic,
            Strictness::Lenient,
            json!({"name": "t", "input_schema": {"type": "object", "anyOf": []}}),
            "at the root",
        ),
        (
            Provider::Anthropic,
            Strictness::Lenient,
            json!({"name": "t", "input_schema": {"type": "object", "properties": {"a": {"type": "string", "nullable": true}}}}),
            "nullable",
        ),
        (
            Provider::Anthropic,
            Strictness::Strict,
            json!({"name": "t", "strict": true, "input_schema": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string", "maxLength": 3}}}}),
            "`maxLength`",
        ),
        (
            Provider::Gemini,
            Strictness::Lenient,
            json!({"name": "9t", "parametersJsonSchema": {"type": "object"}}),
            "name",
        ),
        (
            Provider::Gemini,
            Strictness::Lenient,
            json!({"name": "t", "parametersJsonSchema": {"type": "object", "properties": {"a-b": {}}}}),
            "key pattern",
        ),
        (
            Provider::GeminiOpenApi,
            Strictness::Lenient,
            json!({"name": "t", "parameters": {"type": "OBJECT", "properties": {"a": {"type": ["STRING", "NULL"]}}}}),
            "type",
        ),
        (
            Provider::GeminiOpenApi,
            Strictness::Lenient,
            json!({"name": "t", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "OBJECT"}}}}),
            "no properties",
        ),
        (
            Provider::GeminiOpenApi,
            Strictness::Lenient,
            json!({"name": "t", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "STRING", "examples": ["x"]}}}}),
            "unknown field",
        ),
        (
            Provider::GeminiOpenApi,
            Strictness::Lenient,
            json!({"name": "t", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "ARRAY"}}}}),
            "without items",
        ),
    ];
    for (provider, strictness, json, expected) in cases {
        let error = validate_json(provider, strictness, &json).expect_err(expected);
        assert!(error.contains(expected), "{provider}: `{error}` should mention `{expected}`");
    }
}

/// What sending Composio's schemas unchanged would do, as the official providers do: the
/// fixes above are needed, and the validators see why.
#[test]
fn the_corpus_sent_unchanged_breaks_the_providers() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let mut rejected: BTreeMap<&str, usize> = BTreeMap::new();
    for tool in composio_testserver::corpus_tools() {
        let (slug, schema) = (tool["slug"].as_str().unwrap_or_default(), &tool["input_parameters"]);
        let raw = [
            (
                "anthropic",
                validate_json(Provider::Anthropic, Strictness::Lenient, &json!({"name": slug, "input_schema": schema})),
            ),
            (
                "gemini",
                validate_json(
                    Provider::GeminiOpenApi,
                    Strictness::Lenient,
                    &json!({"name": slug, "parameters": schema}),
                ),
            ),
            (
                "openai",
                validate_json(
                    Provider::OpenAiChat,
                    Strictness::Lenient,
                    &json!({"type": "function", "function": {"name": slug, "parameters": schema}}),
                ),
            ),
        ];
        for (provider, verdict) in raw {
            *rejected.entry(provider).or_default() += usize::from(verdict.is_err());
        }
    }
    println!("corpus sent unchanged, rejected: {rejected:?}");
    // `nullable` (91 tools) alone breaks draft 2020-12; lowercase types break Gemini's proto.
    assert_eq!((rejected["anthropic"], rejected["openai"]), (98, 96), "{rejected:?}");
    assert_eq!(rejected["gemini"], 954);
}

#[tokio::test]
async fn a_sessions_tools_make_valid_definitions_without_generated_code() {
    let server = TestServer::builder().api_key(common::API_KEY).tools(common::committed_tools("github")).start().await;
    let client = common::builder(&server).build().unwrap();
    let session = client.session("user-9").toolkits(["github"]).create().await.unwrap();
    let tools = session.tools().await.unwrap();
    assert!(!tools.is_empty());
    for tool in &tools {
        let spec = ToolSpec::from_session_tool(tool);
        assert_eq!(spec.slug(), tool.slug);
        for (provider, strictness) in VARIANTS {
            if let Ok(definition) = spec.definition(provider, strictness) {
                validate(&definition).unwrap_or_else(|why| panic!("{}: {why}", tool.slug));
            }
        }
        let chat = spec.openai_chat(Strictness::Lenient).unwrap();
        assert_eq!(chat.json()["function"]["name"], tool.slug.as_str());
        assert!(chat.json()["function"]["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[test]
fn anthropic_strict_tools_share_one_request_budget() {
    let tool = |slug: &str, optional: usize| {
        let properties: Map<String, Value> =
            (0..optional).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
        ToolSpec::new(slug, None, json!({"type": "object", "properties": properties}))
            .anthropic(Strictness::Strict)
            .unwrap()
    };
    let fits = [tool("A", 12), tool("B", 12)];
    assert!(composio_typed::agents::anthropic_strict_budget(&fits).is_ok());
    let over = [tool("A", 12), tool("B", 12), tool("C", 1)];
    let error = composio_typed::agents::anthropic_strict_budget(&over).unwrap_err();
    assert_eq!(error.rule, Rule::TooManyOptional { count: 25, max: 24 });
    let many: Vec<Definition> = (0..21).map(|i| tool(&format!("T{i}"), 0)).collect();
    let error = composio_typed::agents::anthropic_strict_budget(&many).unwrap_err();
    assert_eq!(error.rule, Rule::TooManyStrictTools { count: 21, max: 20 });
    // Lenient definitions do not count.
    let lenient = ToolSpec::new("L", None, json!({"type": "object", "properties": {"x": {"type": "string"}}}));
    let mixed = [tool("A", 12), tool("B", 12), lenient.anthropic(Strictness::Lenient).unwrap()];
    assert!(composio_typed::agents::anthropic_strict_budget(&mixed).is_ok());
}

#[test]
fn malformed_schemas_are_refused_or_passed_never_a_panic() {
    let garbage = [
        json!(null),
        json!(5),
        json!("object"),
        json!({"type": 7}),
        json!({"type": "object", "properties": "x", "required": "y"}),
        json!({"type": "object", "properties": {"a": 5, "b": {"items": 3, "type": "array"}}}),
        json!({"type": "object", "properties": {"a": {"anyOf": "x", "oneOf": [1], "allOf": [{}, {}]}}}),
        json!({"type": "object", "properties": {"a": {"$ref": 4}, "": {"type": "string"}}}),
        json!({"type": "object", "properties": {"a": {"enum": [], "nullable": true}}}),
        json!({"anyOf": [{"type": "object"}, 3]}),
    ];
    for schema in garbage {
        let spec = ToolSpec::new("T", None, schema.clone());
        for (provider, strictness) in VARIANTS {
            if let Ok(definition) = spec.definition(provider, strictness) {
                // What is built is still JSON a request can carry.
                assert!(definition.json().is_object(), "{provider}: {schema}");
            }
        }
    }
    assert_eq!(ToolSpec::new("", None, json!(null)).gemini().unwrap_err().rule, Rule::EmptyName);
}

#[test]
fn an_openai_strict_call_loses_the_nulls_that_stand_for_omitted_arguments() {
    let spec = ToolSpec::from_meta(github::CreateAnIssueInput::META).unwrap();
    let strict = spec.openai_chat(Strictness::Strict).unwrap();
    let call = json!({"owner": "o", "repo": "r", "title": "t", "body": null, "labels": ["bug"], "assignees": null});
    let restored = strict.restore_arguments(call.clone());
    assert_eq!(restored, json!({"owner": "o", "repo": "r", "title": "t", "labels": ["bug"]}));
    // Lenient definitions pass a `null` through: the model chose to send it.
    assert_eq!(spec.openai_chat(Strictness::Lenient).unwrap().restore_arguments(call.clone()), call);

    // A property that is itself nullable keeps its `null`.
    let spec = ToolSpec::new(
        "T",
        None,
        json!({"type": "object", "properties": {
            "a": {"type": "string", "nullable": true},
            "b": {"type": "string"},
            "c": {"type": "array", "items": {"type": "object", "properties": {"d": {"type": "integer"}}}},
        }}),
    );
    let strict = spec.openai_responses(Strictness::Strict).unwrap();
    let restored = strict.restore_arguments(json!({"a": null, "b": null, "c": [{"d": null}]}));
    assert_eq!(restored, json!({"a": null, "c": [{}]}));
}

#[test]
fn a_models_call_finds_its_tool_by_the_alias_and_a_broken_meta_is_an_error() {
    let long = "GITHUB_REMOVE_INTERACTION_RESTRICTIONS_FROM_YOUR_PUBLIC_REPOSITORIES";
    let definitions = [
        ToolSpec::new(long, None, json!(null)).anthropic(Strictness::Lenient).unwrap(),
        ToolSpec::from_meta(github::GetAnIssueInput::META).unwrap().anthropic(Strictness::Lenient).unwrap(),
    ];
    let alias = definitions[0].name().to_owned();
    assert_ne!(alias, long);
    let found = composio_typed::agents::find_by_name(&definitions, &alias).unwrap();
    assert_eq!(found.slug(), long);
    assert!(composio_typed::agents::find_by_name(&definitions, long).is_none(), "the model never sees the slug");

    static BROKEN: composio_typed::ToolMeta = composio_typed::ToolMeta {
        slug: "X_BROKEN",
        name: "Broken",
        description: "",
        toolkit: "x",
        version: "1",
        tags: &[],
        input_schema: "{not json",
        output_schema: "{}",
    };
    let error = ToolSpec::from_meta(&BROKEN).unwrap_err();
    assert_eq!((error.tool.as_str(), error.rule, error.provider), ("X_BROKEN", Rule::NotAnObject, None));
}
