//! Every one of the 954 real corpus tools (`shared/corpus/composio/`) served over MCP: names
//! within MCP's rule and short enough for Claude Code's prefix, input schemas that are valid
//! JSON Schema 2020-12 and meet Anthropic's rules, since Claude clients forward them there.
//! Without the corpus the test prints a note and passes without running.

use std::collections::HashSet;

use composio_mcp::McpServer;
use composio_typed::Client;
use composio_typed::agents::{ToolSet, ToolSpec};
use serde_json::Value;

/// MCP's tool name rule: 1 to 128 of `A-Za-z0-9_.-`.
fn mcp_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Anthropic's property key rule: `^[a-zA-Z0-9_.-]{1,64}$`.
fn anthropic_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The first break of Anthropic's rules for a tool's `input_schema`, anywhere in the schema.
fn anthropic_rules(schema: &Value, path: &str, root: bool) -> Result<(), String> {
    let Some(m) = schema.as_object() else { return Ok(()) };
    if root {
        if m.get("type") != Some(&Value::from("object")) {
            return Err("the root is not `type: object`".into());
        }
        if let Some(k) = ["anyOf", "oneOf", "allOf"].iter().find(|k| m.contains_key(**k)) {
            return Err(format!("`{k}` at the root"));
        }
    }
    if m.contains_key("nullable") {
        return Err(format!("{path}: OpenAPI `nullable` is not JSON Schema"));
    }
    if let Some(Value::Array(required)) = m.get("required") {
        let unique: HashSet<String> = required.iter().map(Value::to_string).collect();
        if unique.len() != required.len() {
            return Err(format!("{path}: repeated `required` entries"));
        }
    }
    if let Some(Value::Object(properties)) = m.get("properties") {
        for (key, child) in properties {
            if !anthropic_key(key) {
                return Err(format!("{path}: property key `{key}`"));
            }
            anthropic_rules(child, &format!("{path}/properties/{key}"), false)?;
        }
    }
    for keyword in ["items", "additionalProperties"] {
        if let Some(child) = m.get(keyword) {
            anthropic_rules(child, &format!("{path}/{keyword}"), false)?;
        }
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        for (i, branch) in m.get(keyword).and_then(Value::as_array).into_iter().flatten().enumerate() {
            anthropic_rules(branch, &format!("{path}/{keyword}/{i}"), false)?;
        }
    }
    for keyword in ["$defs", "definitions"] {
        for (name, def) in m.get(keyword).and_then(Value::as_object).into_iter().flatten() {
            anthropic_rules(def, &format!("{path}/{keyword}/{name}"), false)?;
        }
    }
    Ok(())
}

#[test]
fn every_corpus_tool_is_served_with_a_valid_name_and_a_2020_12_schema() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let tools = composio_testserver::corpus_tools();
    assert_eq!(tools.len(), 954);
    let set = tools.iter().fold(ToolSet::new(), |set, tool| set.with_spec(ToolSpec::from_tool_json(tool), false));
    assert_eq!(set.len(), 954, "slugs are unique");
    // Nothing is sent: the client only has to exist.
    let client = Client::builder().api_key("ak_unused").base_url("http://127.0.0.1:9").build().expect("client");
    let server = McpServer::builder(set, client).name("composio").build().expect("server");

    assert!(server.rejected().is_empty(), "tools left out: {:#?}", server.rejected());
    assert_eq!(server.tools().len(), 954);
    let mut names = HashSet::new();
    let mut problems = Vec::new();
    for tool in server.tools() {
        let name = tool.name.as_ref();
        assert!(names.insert(name.to_owned()), "two tools are named {name}");
        if !mcp_name(name) {
            problems.push(format!("{name}: breaks MCP's name rule"));
        }
        // Claude Code sends `mcp__<server>__<tool>` to Anthropic, which takes 64 characters.
        if format!("mcp__composio__{name}").len() > 64 {
            problems.push(format!("{name}: too long behind Claude Code's prefix"));
        }
        let schema = Value::Object((*tool.input_schema).clone());
        if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
            problems.push(format!("{name}: not JSON Schema 2020-12: {error} at {}", error.instance_path()));
        } else if let Err(error) = jsonschema::draft202012::new(&schema) {
            problems.push(format!("{name}: does not compile as 2020-12: {error}"));
        }
        if let Err(why) = anthropic_rules(&schema, "", true) {
            problems.push(format!("{name}: Anthropic would refuse it: {why}"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The checks above are not vacuous: the corpus as Composio serves it breaks them.
#[test]
fn the_corpus_served_unchanged_would_break_claude_clients() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let tools = composio_testserver::corpus_tools();
    let mut too_long = 0;
    let mut refused = 0;
    let mut not_2020_12 = 0;
    for tool in &tools {
        let spec = ToolSpec::from_tool_json(tool);
        too_long += usize::from(format!("mcp__composio__{}", spec.slug()).len() > 64);
        refused += usize::from(anthropic_rules(spec.input_schema(), "", true).is_err());
        not_2020_12 += usize::from(!jsonschema::draft202012::meta::is_valid(spec.input_schema()));
    }
    println!(
        "unchanged corpus: {too_long} names too long, {refused} schemas Anthropic refuses, {not_2020_12} not 2020-12"
    );
    assert_eq!((too_long, refused, not_2020_12), (174, 94, 1));
}
