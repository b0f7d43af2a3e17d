//! The generator never panics, whatever the schemas say: random damage to real-looking tool
//! definitions ends in either a module that parses as Rust or an error naming the tool.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use composio_codegen::EmitOptions;
use composio_codegen::model::{ToolDef, parse_document};
use composio_codegen::source::ToolkitSchemas;
use serde_json::{Value, json};

/// Replacement schemas that have broken generators: wrong types, empty combinators, dangling
/// references, hostile names and values.
fn hazards() -> Vec<Value> {
    vec![
        json!({"type": "strnig"}),
        json!({"type": 42}),
        json!({"type": ["null"]}),
        json!({"type": ["string", "integer", "null"]}),
        json!({"enum": []}),
        json!({"enum": [1, "a", null]}),
        json!({"type": "string", "enum": ["+1", "-1", "", "a-b", "a_b", "Self", "self", "Unknown"]}),
        json!({"$ref": "#/$defs/Missing"}),
        json!({"$ref": "https://example.com/schema.json"}),
        json!({"properties": "not an object"}),
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}),
        json!({"type": "object", "properties": {"type": {}, "new": {}, "fooBar": {}, "foo_bar": {}, "": {}, "9": {}}}),
        json!({"anyOf": []}),
        json!({"anyOf": [{"type": "null"}]}),
        json!({"oneOf": [{"type": "string"}, {"type": "object", "properties": {"x": {"type": "integer"}}}]}),
        json!({"allOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"allOf": [{"properties": {"a": {}}}, {"properties": {"a": {}}}]}),
        json!({"discriminator": {"propertyName": "kind"}, "oneOf": [{"type": "object", "properties": {"x": {}}}]}),
        json!({"type": "array", "items": [{"type": "string"}]}),
        json!({"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/Missing"}}}),
        json!({"const": {"nested": [1, 2]}}),
        json!({"type": "integer", "minimum": "low", "maxLength": -1}),
        json!({"description": "\"]\n```rust\npanic!()\n```\n*/ #[doc", "title": "Option", "type": "object", "properties": {"x": {}}}),
        // Recursion the converter once missed: a definition under `definitions` beside `$defs`
        // that contains itself, and one whose name holds `/` (referenced as `a~1b`).
        json!({
            "type": "object",
            "properties": {"data": {"$ref": "#/definitions/Node"}, "other": {"$ref": "#/$defs/Leaf"}},
            "$defs": {"Leaf": {"type": "object", "properties": {"x": {"type": "string"}}}},
            "definitions": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/Node"}}}},
        }),
        json!({
            "type": "object",
            "properties": {"data": {"$ref": "#/$defs/a~1b"}, "tilde": {"$ref": "#/$defs/c~0d"}},
            "$defs": {
                "a/b": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/a~1b"}}}},
                "c~d": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"d": {"$ref": "#/$defs/c~0d"}}}]},
            },
        }),
        json!(true),
        json!(false),
        json!(null),
        json!("string"),
    ]
}

/// Every object schema inside `value`, as JSON pointers.
fn schema_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        out.push(at.clone());
        for (key, child) in map {
            let escaped = key.replace('~', "~0").replace('/', "~1");
            match key.as_str() {
                "properties" | "$defs" => {
                    if let Value::Object(props) = child {
                        for (name, schema) in props {
                            let name = name.replace('~', "~0").replace('/', "~1");
                            schema_pointers(schema, format!("{at}/{escaped}/{name}"), out);
                        }
                    }
                }
                "items" | "additionalProperties" => schema_pointers(child, format!("{at}/{escaped}"), out),
                "anyOf" | "oneOf" | "allOf" => {
                    if let Value::Array(members) = child {
                        for (i, m) in members.iter().enumerate() {
                            schema_pointers(m, format!("{at}/{escaped}/{i}"), out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn random_damage_never_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read_to_string(root.join("schemas/github/20251027_00.json")).unwrap();
    let tools: Value = serde_json::from_str(&text).unwrap();
    let tools = tools.as_array().unwrap();
    let hazards = hazards();
    let mut rng = fastrand::Rng::with_seed(0x00c0_ffee);
    let (mut generated, mut refused) = (0, 0);
    for round in 0..1500 {
        let mut tool = tools[rng.usize(..tools.len())].clone();
        for _ in 0..rng.usize(1..4) {
            let part = if rng.bool() { "input_parameters" } else { "output_parameters" };
            let mut pointers = Vec::new();
            schema_pointers(&tool[part], format!("/{part}"), &mut pointers);
            if pointers.is_empty() {
                continue;
            }
            let target = pointers[rng.usize(..pointers.len())].clone();
            *tool.pointer_mut(&target).unwrap() = hazards[rng.usize(..hazards.len())].clone();
        }
        let slug = tool["slug"].as_str().unwrap().to_owned();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let defs: Vec<ToolDef> = parse_document("fuzz", &tool)?;
            let schemas = ToolkitSchemas {
                toolkit: "github".into(),
                display_name: "GitHub".into(),
                version: "20251027_00".into(),
                tools: defs,
            };
            composio_codegen::generate_module(&schemas, &EmitOptions::default())
        }));
        match outcome {
            Err(_) => panic!("round {round}: the generator panicked on {tool}"),
            Ok(Ok(module)) => {
                generated += 1;
                assert!(syn::parse_file(&module.code).is_ok(), "round {round}: output does not parse");
            }
            Ok(Err(e)) => {
                refused += 1;
                let message = e.to_string();
                assert!(message.contains(&slug), "round {round}: the error does not name the tool: {message}");
            }
        }
    }
    assert!(generated > 100 && refused > 100, "both outcomes are exercised: {generated} generated, {refused} refused");
}
