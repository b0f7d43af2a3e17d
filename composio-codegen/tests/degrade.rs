//! Degrade, never block: a valid JSON Schema the generator cannot fully type still generates,
//! the untypable part as JSON with a doc line and a warning naming the tool and the pointer,
//! and one bad tool never stops its toolkit.

use composio_codegen::{Config, Module};
use serde_json::{Value, json};

fn tool(slug: &str, input: Value) -> Value {
    json!({"slug": slug, "name": "Thing", "description": "Does a thing.", "input_parameters": input})
}

fn generate(tools: Value) -> Module {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tools.json");
    std::fs::write(&path, tools.to_string()).unwrap();
    Config::new().from_file(&path).generate(&["x"]).unwrap_or_else(|e| panic!("refused: {e}")).remove(0)
}

fn good() -> Value {
    tool("X_GOOD", json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}))
}

fn warned(module: &Module, slug: &str, pointer: &str) -> bool {
    module.warnings.iter().any(|w| w.slug == slug && w.pointer == pointer)
}

#[test]
fn a_required_name_absent_from_properties_is_a_required_json_field() {
    let module = generate(json!([
        good(),
        tool("X_BAD", json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "ghost"]})),
    ]));
    assert!(module.code.contains("pub ghost: Value,"), "{}", module.code);
    assert!(module.code.contains("pub fn new(a: impl Into<String>, ghost: Value)"), "{}", module.code);
    assert!(warned(&module, "X_BAD", "/input_parameters/required/1"), "{:?}", module.warnings);
    assert_eq!(module.tools.len(), 2, "the good tool is generated too");
}

#[test]
fn a_false_property_is_left_out_and_a_true_one_is_json() {
    let module = generate(json!([tool(
        "X_BAD",
        json!({"type": "object", "properties": {"never": false, "anything": true, "a": {"type": "string"}}})
    )]));
    assert!(!module.code.contains("pub never"), "{}", module.code);
    assert!(module.code.contains("pub anything: Option<Value>,"), "{}", module.code);
    assert!(warned(&module, "X_BAD", "/input_parameters/properties/never"), "{:?}", module.warnings);
}

#[test]
fn duplicate_required_entries_are_one_argument() {
    let module = generate(json!([tool(
        "X_DUP",
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "a"]})
    )]));
    assert!(module.code.contains("pub fn new(a: impl Into<String>) -> Self"), "{}", module.code);
}

#[test]
fn a_slug_that_is_not_an_identifier_gets_a_safe_name_and_keeps_its_slug() {
    let module = generate(json!([
        good(),
        tool("X_LIST-REPOS.v2", json!({"type": "object", "properties": {}})),
        tool("X_ÜBER_ΛΑΜΒΔΑ", json!({"type": "object", "properties": {}})),
    ]));
    let functions: Vec<&str> = module.tools.iter().map(|t| t.function.as_str()).collect();
    assert!(functions.contains(&"list_repos_v2"), "{functions:?}");
    assert!(module.code.contains("slug: \"X_LIST-REPOS.v2\""), "{}", module.code);
    assert!(module.code.contains("X_ÜBER_ΛΑΜΒΔΑ"), "the real slug is kept");
    assert!(functions.iter().all(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')), "{functions:?}");
}

#[test]
fn what_cannot_be_typed_becomes_json_with_a_reason() {
    let module = generate(json!([
        good(),
        tool(
            "X_ODD",
            json!({
                "type": "object",
                "properties": {
                    "merged": {"allOf": [{"type": "string"}, {"$ref": "#/$defs/B"}]},
                    "tuple": {"type": "array", "items": [{"type": "string"}]},
                    "dangling": {"$ref": "#/$defs/Missing"},
                    "fine": {"type": "integer"}
                },
                "$defs": {
                    "A": {"type": "object", "properties": {"a": {"type": "string"}}},
                    "B": {"type": "object", "properties": {"b": {"type": "string"}}}
                }
            })
        ),
    ]));
    for field in ["merged", "tuple", "dangling"] {
        assert!(module.code.contains(&format!("pub {field}: Option<Value>,")), "{field}: {}", module.code);
    }
    assert!(module.code.contains("pub fine: Option<i64>,"), "{}", module.code);
    assert!(module.code.contains("Typed as JSON"), "a doc line says why: {}", module.code);
    assert!(warned(&module, "X_ODD", "/input_parameters/properties/merged/allOf/0"), "{:?}", module.warnings);
    assert!(warned(&module, "X_ODD", "/input_parameters/properties/tuple/items"), "{:?}", module.warnings);
    assert!(warned(&module, "X_ODD", "/input_parameters/properties/dangling/$ref"), "{:?}", module.warnings);
}

#[test]
fn a_tool_whose_input_is_not_an_object_takes_free_form_arguments() {
    let module = generate(json!([good(), tool("X_STRING", json!({"type": "string"}))]));
    assert!(module.code.contains("#[serde(flatten)]"), "{}", module.code);
    assert!(module.code.contains("pub arguments: JsonObject,"), "{}", module.code);
    // It reads every key, none of them unknown.
    assert!(module.code.contains("::composio_typed::de::read_open_struct("), "{}", module.code);
    assert!(warned(&module, "X_STRING", "/input_parameters"), "{:?}", module.warnings);
}

#[test]
fn recursion_without_an_object_and_deep_nesting_degrade() {
    let mut defs = serde_json::Map::new();
    for i in 0..200 {
        defs.insert(
            format!("D{i}"),
            json!({"type": "object", "properties": {"n": {"$ref": format!("#/$defs/D{}", i + 1)}}}),
        );
    }
    defs.insert("D200".into(), json!({"type": "string"}));
    defs.insert("Loop".into(), json!({"type": "array", "items": {"$ref": "#/$defs/Loop"}}));
    let module = generate(json!([
        good(),
        tool(
            "X_DEEP",
            json!({"type": "object", "properties": {"d": {"$ref": "#/$defs/D0"}, "l": {"$ref": "#/$defs/Loop"}}, "$defs": defs})
        ),
    ]));
    assert_eq!(module.tools.len(), 2);
    assert!(
        module.warnings.iter().any(|w| w.slug == "X_DEEP" && w.message.contains("nest deeper")),
        "{:?}",
        module.warnings
    );
    assert!(
        module.warnings.iter().any(|w| w.slug == "X_DEEP" && w.message.contains("refers to itself")),
        "{:?}",
        module.warnings
    );
}

fn write(tools: &Value) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tools.json");
    std::fs::write(&path, tools.to_string()).unwrap();
    (dir, path)
}

#[test]
fn strict_turns_degradations_into_errors_and_nothing_else() {
    let (_dir, path) = write(&json!([
        good(),
        tool("X_BAD", json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["ghost"]})),
    ]));
    let err = Config::new().from_file(&path).strict(true).generate(&["x"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X_BAD: schema at /input_parameters/required/0: required property `ghost` is not declared in `properties`"
    );
    // A harmless oddity (a default outside its enum) stays a warning, even in strict mode.
    let (_dir, path) = write(&json!([tool(
        "X_ODD",
        json!({"type": "object", "properties": {"a": {"type": "string", "enum": ["x"], "default": "y"}}})
    )]));
    let module = Config::new().from_file(&path).strict(true).generate(&["x"]).unwrap().remove(0);
    assert!(module.warnings.iter().all(|w| !w.degraded) && !module.warnings.is_empty(), "{:?}", module.warnings);
}

#[test]
fn stats_tell_typed_free_form_and_given_up_apart() {
    let module = generate(json!([tool(
        "X_MIXED",
        json!({"type": "object", "properties": {
            "typed": {"type": "string"},
            "free": {"type": "object", "additionalProperties": true},
            "list": {"type": "array", "items": {"type": "strnig"}},
            "thing": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {}}}
        }, "required": ["ghost"]})
    )]));
    let stats = &module.stats;
    // typed, thing, thing.x; free, thing.y, the result (no output schema); list, ghost.
    assert_eq!((stats.typed, stats.free_form, stats.gave_up), (3, 3, 2), "{stats}");
    assert_eq!(stats.reasons.get("unknown type `strnig`"), Some(&1), "{stats}");
    assert_eq!(stats.reasons.get("required property `ghost` is not declared in `properties`"), Some(&1), "{stats}");
}

/// Characters rustc, clippy or a reviewer's editor would trip on when they sit in a source
/// file as they are: controls, bidi controls, invisible characters and line separators.
fn hazardous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || matches!(c, '\u{200B}' | '\u{00AD}' | '\u{2060}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{180E}')
}

#[test]
fn schema_text_never_lands_raw_in_the_module() {
    let text =
        "a\u{202e}b\u{2066}c\u{200b}d\u{ad}e\u{2060}f\u{feff}g\u{2028}h\u{2029}i\u{7f}j\u{85}k\u{9b}l\tm\u{1b}n\"#o";
    let mut t = tool(
        &format!("X_TEXT{text}"),
        json!({"type": "object", "title": text, "description": text, "properties": {
            text: {"type": "string", "description": text, "title": text, "enum": [text, "plain"], "examples": [text]},
            "b": {"type": "object", "properties": {"k": {"const": text}}, "description": text},
        }, "$defs": {text: {"type": "string"}}}),
    );
    t["name"] = json!(text);
    t["description"] = json!(text);
    t["tags"] = json!([text]);
    t["output_parameters"] = json!({"type": "object", "properties": {"data": {"type": "object", "description": text,
        "properties": {text: {"type": "string", "enum": [text]}}}}});
    // Without a bidi control, the schemas stay raw strings: invisible characters must not.
    let quiet = "x\u{200b}\u{ad}\u{2060}\u{feff}\u{2028}\u{7f}\u{85}\"#y";
    let z = tool(
        "X_ZW",
        json!({"type": "object", "description": quiet, "properties": {"a": {"type": "string", "enum": [quiet]}}}),
    );
    let module = generate(json!([t, z]));
    let found: Vec<String> =
        module.code.lines().filter(|l| l.chars().any(hazardous)).map(|l| l.escape_debug().to_string()).collect();
    assert!(found.is_empty(), "hazardous characters in:\n{}", found.join("\n"));
    // The schemas in `ToolMeta` are still the schemas, escapes and all.
    let file = syn::parse_file(&module.code).unwrap();
    let mut schemas = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        for impl_item in &imp.items {
            let syn::ImplItem::Const(c) = impl_item else { continue };
            let syn::Expr::Reference(r) = &c.expr else { continue };
            let syn::Expr::Struct(s) = &*r.expr else { continue };
            for field in &s.fields {
                if let (syn::Member::Named(name), syn::Expr::Lit(lit)) = (&field.member, &field.expr)
                    && name.to_string().ends_with("_schema")
                    && let syn::Lit::Str(value) = &lit.lit
                {
                    schemas.push(serde_json::from_str::<Value>(&value.value()).unwrap());
                }
            }
        }
    }
    assert_eq!(
        schemas,
        [t["input_parameters"].clone(), t["output_parameters"].clone(), z["input_parameters"].clone(), json!({})]
    );
    let raw = r####"input_schema: r##"{"description":"x\u200b\u00ad\u2060\ufeff\u2028\u007f\u0085\"#y""####;
    assert!(module.code.contains(raw), "{}", module.code);
}

/// The goal of issue 10: on the 954 real tools, the generator never gives up on a schema.
#[test]
fn the_corpus_generates_without_giving_up_anywhere() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let dir = composio_testserver::corpus_dir();
    let big = dir.join("tools-github-google-latest.json");
    let mut runs: Vec<(Vec<std::path::PathBuf>, &str)> =
        ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics"]
            .into_iter()
            .map(|t| (vec![big.clone()], t))
            .collect();
    runs.push((vec![dir.join("tools-gmail-2025.json")], "gmail"));
    let mut notion: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("notion-")))
        .collect();
    notion.sort();
    runs.push((notion, "notion"));
    let mut total = composio_codegen::Stats::default();
    let mut tools = 0;
    for (files, toolkit) in &runs {
        let mut config = Config::new();
        for file in files {
            config.from_file(file);
        }
        let module = config.generate(&[toolkit]).unwrap().remove(0);
        println!("{toolkit} ({} tools): {}", module.tools.len(), module.stats);
        tools += module.tools.len();
        total.add(&module.stats);
    }
    println!("corpus ({tools} tools): {total}");
    assert_eq!(tools, 954, "the corpus holds 954 tool definitions");
    assert_eq!(total.gave_up, 0, "{total}");
}

#[test]
fn all_of_over_references_merges_the_definitions() {
    let module = generate(json!([tool(
        "X_MERGE",
        json!({
            "type": "object",
            "properties": {
                "both": {"allOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/definitions/B"}, {"properties": {"c": {"type": "boolean"}}}]},
                "looped": {"allOf": [{"$ref": "#/$defs/L"}, {"$ref": "#/$defs/A"}]}
            },
            "required": ["both"],
            "$defs": {
                "A": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                "L": {"allOf": [{"$ref": "#/$defs/L"}, {"$ref": "#/$defs/A"}]}
            },
            "definitions": {"B": {"type": "object", "properties": {"b": {"type": "integer"}, "a": {"type": "string"}}, "required": ["a"]}}
        })
    )]));
    assert!(module.code.contains("pub both: MergeBoth,"), "{}", module.code);
    for field in ["pub a: String,", "pub b: Option<i64>,", "pub c: Option<bool>,"] {
        assert!(module.code.contains(field), "{field}: {}", module.code);
    }
    // A definition that merges itself cannot be inlined: it is JSON, with a warning.
    assert!(module.code.contains("pub looped: Option<Value>,"), "{}", module.code);
    assert!(module.warnings.iter().any(|w| w.message.contains("`L`")), "{:?}", module.warnings);
}
