//! The generator never panics, whatever the schemas say: random damage to real-looking tool
//! definitions ends in either a module that parses as Rust or an error naming the tool. Names
//! and keys are damaged too (tool and toolkit names, versions, property names, definition names,
//! enum values), since that is where schema text once escaped into code and doctests; a module
//! that is generated must hold no schema text outside literals and docs, and no doc that
//! rustdoc would run.
//!
//! Besides the hostile names, random text from the whole Unicode range (every plane, controls,
//! bidi controls, invisible characters, combining marks) goes into tool names, titles,
//! descriptions, property names, enum values and definition names. A small sample of the
//! modules generated from damaged schemas is compiled, with clippy and rustdoc warnings denied
//! (`a_sample_of_damaged_modules_compiles_cleanly`, ignored by default: `.ci/run` runs it).

#[path = "support/instance.rs"]
#[allow(dead_code, reason = "the scratch crate's support module refers to it")]
mod instance;
#[path = "support/scratch.rs"]
#[allow(dead_code, reason = "the round-trip half of the scratch crate is not used here")]
mod scratch;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use composio_codegen::EmitOptions;
use composio_codegen::model::{ToolDef, parse_document};
use composio_codegen::source::ToolkitSchemas;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use serde_json::{Value, json};

/// What the hostile names below try to smuggle into code. Naming never produces it (fields are
/// snake_case, types and variants PascalCase), so an identifier holding it came from text that
/// escaped its comment, doc or literal.
const MARK: &str = "injectedXyz";

/// Replacement schemas that have broken generators: wrong types, empty combinators, dangling
/// references, hostile names and values.
fn hazards() -> Vec<Value> {
    // A chain of definitions far deeper than real schemas nest, which JSON nesting limits
    // do not bound.
    let chain: serde_json::Map<String, Value> = (0..300)
        .map(|i| {
            (format!("D{i}"), json!({"type": "object", "properties": {"n": {"$ref": format!("#/$defs/D{}", i + 1)}}}))
        })
        .chain([("D300".to_owned(), json!({"type": "string"}))])
        .collect();
    let chain = json!({"type": "object", "properties": {"d": {"$ref": "#/$defs/D0"}}, "$defs": chain});
    vec![
        chain,
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
        // Discriminator names and values reach docs and attributes.
        json!({
            "discriminator": {"propertyName": "k\n~~~rust"},
            "oneOf": [{"type": "object", "properties": {"k\n~~~rust": {"const": "v\n```rust\ninjectedXyz()\n```"}, "x": {}}}],
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

/// Names meant to break out of a comment, doc, attribute or literal, or to upset rustdoc.
fn hostile_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "x\n~~~rust\ninjectedXyz()\n~~~",
        "GitHub)\npub fn injectedXyz() {}\n//",
        "a\r\npub fn injectedXyz() {}",
        "a\rpub fn injectedXyz() {}",
        "*/ pub fn injectedXyz() {} /*",
        "```rust\ninjectedXyz();\n```",
        "```\ninjectedXyz();",
        "\u{202e}injectedXyz\u{2066}\u{200f}\u{61c}\u{202a}",
        "\"]\npub fn injectedXyz() {}\n#[doc = \"",
        "\\\"injectedXyz\\",
        "#[injectedXyz]",
        "#![injectedXyz]",
        "[injectedXyz](https://x.dev) <injectedXyz> `injectedXyz",
        "a\n\n    injectedXyz();",
        "\tinjectedXyz",
        "~~~",
        "```",
        "\u{0}\u{7}\u{1b}[31m\u{7f}\u{85}\u{2028}",
        "",
        " ",
        "20251027_00",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    names.push("injectedXyz\n".repeat(100));
    names
}

/// Random text from the whole Unicode range: mostly characters that have broken generated
/// code or docs somewhere (controls, bidi controls, invisible characters, combining marks, line
/// separators, Markdown and Rust punctuation), and any scalar value of any plane.
fn random_text(rng: &mut fastrand::Rng) -> String {
    const SPECIAL: &[char] = &[
        '\u{0}',
        '\u{7}',
        '\t',
        '\n',
        '\r',
        '\u{1b}',
        '\u{7f}',
        '\u{85}',
        '\u{9b}',
        '\u{ad}',
        '\u{61c}',
        '\u{180e}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{200e}',
        '\u{200f}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{202b}',
        '\u{202c}',
        '\u{202d}',
        '\u{202e}',
        '\u{2060}',
        '\u{2063}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{feff}',
        '\u{fffd}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{e000}',
        '\u{10ffff}',
        '\u{1f600}',
        '\u{301}',
        '\u{20dd}',
        '`',
        '~',
        '#',
        '"',
        '\\',
        '[',
        ']',
        '<',
        '>',
        '*',
        '/',
        '{',
        '}',
        '\'',
        '-',
        '+',
        '_',
        '.',
        ' ',
    ];
    let len = rng.usize(0..16);
    (0..len)
        .map(|_| match rng.u8(0..4) {
            0 => SPECIAL[rng.usize(..SPECIAL.len())],
            1 => char::from(rng.u8(0x20..0x7f)),
            // Combining marks, which attach to whatever precedes them (even a quote).
            2 => char::from_u32(rng.u32(0x300..0x370)).unwrap_or('a'),
            // Any plane; surrogates are not characters, so they are skipped.
            _ => char::from_u32(rng.u32(0..=0x10_ffff)).unwrap_or('\u{fffd}'),
        })
        .collect()
}

/// Sets the `title` or `description` of a random schema in `tool` to `text`.
fn annotate_something(tool: &mut Value, text: &str, rng: &mut fastrand::Rng) {
    let part = if rng.bool() { "input_parameters" } else { "output_parameters" };
    let mut pointers = Vec::new();
    schema_pointers(&tool[part], format!("/{part}"), &mut pointers);
    let Some(at) = pointers.get(rng.usize(..pointers.len().max(1))) else { return };
    if let Some(Value::Object(schema)) = tool.pointer_mut(at) {
        let key = if rng.bool() { "title" } else { "description" };
        schema.insert(key.to_owned(), json!(text));
    }
}

/// A real tool with random damage: hazard schemas swapped in, names and texts replaced.
fn damaged(tools: &[Value], hazards: &[Value], names: &[String], rng: &mut fastrand::Rng) -> Value {
    let mut tool = tools[rng.usize(..tools.len())].clone();
    for _ in 0..rng.usize(0..3) {
        let part = if rng.bool() { "input_parameters" } else { "output_parameters" };
        let mut pointers = Vec::new();
        schema_pointers(&tool[part], format!("/{part}"), &mut pointers);
        if pointers.is_empty() {
            continue;
        }
        let target = pointers[rng.usize(..pointers.len())].clone();
        *tool.pointer_mut(&target).unwrap() = hazards[rng.usize(..hazards.len())].clone();
    }
    for _ in 0..rng.usize(0..4) {
        let name = if rng.bool() { names[rng.usize(..names.len())].clone() } else { random_text(rng) };
        match rng.u8(0..8) {
            0 => annotate_something(&mut tool, &name, rng),
            1 => tool["description"] = json!(name),
            2 if !name.is_empty() => tool["slug"] = json!(format!("GITHUB_{name}")),
            _ => rename_something(&mut tool, &name, rng),
        }
    }
    tool
}

/// Generates the module of one damaged tool, as the schema sources would hand it over.
fn generate(tool: &Value, options: &EmitOptions) -> composio_codegen::Result<composio_codegen::Module> {
    let defs: Vec<ToolDef> = parse_document("fuzz", tool)?;
    // As the schema sources do: the display name and version come from the definitions.
    let schemas = ToolkitSchemas {
        toolkit: "github".into(),
        display_name: defs.iter().find_map(|t| t.toolkit_name.clone()).unwrap_or_else(|| "GitHub".into()),
        version: defs.iter().find_map(|t| t.version.clone()).unwrap_or_else(|| "20251027_00".into()),
        tools: defs,
        triggers: Vec::new(),
    };
    composio_codegen::generate_module(&schemas, options)
}

/// Escapes a name for a JSON pointer or a `$ref` (RFC 6901).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Renames `$ref` targets from `from` to `to` everywhere in `value`.
fn retarget(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) if target == from => *target = to.to_owned(),
                    (_, child) => retarget(child, from, to),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, from, to)),
        _ => {}
    }
}

/// Changes one name or key of `tool` to `name`.
fn rename_something(tool: &mut Value, name: &str, rng: &mut fastrand::Rng) {
    let part = if rng.bool() { "input_parameters" } else { "output_parameters" };
    match rng.usize(0..6) {
        0 => tool["name"] = json!(name),
        1 => tool["toolkit"] = json!({"slug": "github", "name": name}),
        2 => tool["version"] = json!(name),
        3 => {
            // A property name, and the `required` entry that names it.
            let mut pointers = Vec::new();
            schema_pointers(&tool[part], format!("/{part}"), &mut pointers);
            let with_props: Vec<String> = pointers
                .into_iter()
                .filter(|p| tool.pointer(p).and_then(|s| s.get("properties")).is_some_and(Value::is_object))
                .collect();
            let Some(at) = with_props.get(rng.usize(..with_props.len().max(1))) else { return };
            let schema = tool.pointer_mut(at).unwrap();
            let props = schema["properties"].as_object_mut().unwrap();
            let Some(old) = props.keys().nth(rng.usize(..props.len().max(1))).cloned() else { return };
            let value = props.remove(&old).unwrap();
            props.insert(name.to_owned(), value);
            if let Some(Value::Array(required)) = schema.get_mut("required") {
                required.iter_mut().filter(|r| r.as_str() == Some(&old)).for_each(|r| *r = json!(name));
            }
        }
        4 => {
            // A definition name, and every reference to it.
            let doc = &mut tool[part];
            let Some(defs) = doc.get_mut("$defs").and_then(Value::as_object_mut) else { return };
            let Some(old) = defs.keys().nth(rng.usize(..defs.len().max(1))).cloned() else { return };
            let value = defs.remove(&old).unwrap();
            defs.insert(name.to_owned(), value);
            retarget(doc, &format!("#/$defs/{}", escape(&old)), &format!("#/$defs/{}", escape(name)));
        }
        _ => {
            // A string enum value.
            let mut pointers = Vec::new();
            schema_pointers(&tool[part], format!("/{part}"), &mut pointers);
            let enums: Vec<String> = pointers
                .into_iter()
                .filter(|p| {
                    tool.pointer(p).and_then(|s| s.get("enum")).and_then(Value::as_array).is_some_and(|e| !e.is_empty())
                })
                .collect();
            let Some(at) = enums.get(rng.usize(..enums.len().max(1))) else { return };
            let values = tool.pointer_mut(&format!("{at}/enum")).unwrap().as_array_mut().unwrap();
            let i = rng.usize(..values.len());
            values[i] = json!(name);
        }
    }
}

/// Whether `c` reorders displayed text (Unicode bidi controls): rustc rejects them in
/// literals and comments, and they make code read differently than it compiles.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is a control character (a line break aside) or an invisible one: written as it
/// is into source, it breaks a line, a lint or what a reviewer sees.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{200B}' | '\u{00AD}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{2028}' | '\u{2029}'
        )
}

/// The doc strings of `tokens`, grouped into runs of adjacent `#[doc = …]` attributes (the
/// docs of one item), at every nesting level.
fn doc_blocks(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut run: Vec<String> = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let doc = match (&trees[i], trees.get(i + 1)) {
            (TokenTree::Punct(p), Some(TokenTree::Group(g)))
                if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket =>
            {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                match inner.as_slice() {
                    [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
                        if name == "doc" && eq.as_char() == '=' =>
                    {
                        Some(
                            syn::parse_str::<syn::LitStr>(&lit.to_string())
                                .expect("a doc attribute holds a string")
                                .value(),
                        )
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(doc) = doc {
            run.push(doc);
            i += 2;
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        if let TokenTree::Group(g) = &trees[i] {
            doc_blocks(g.stream(), out);
        }
        i += 1;
    }
    if !run.is_empty() {
        out.push(run);
    }
}

/// Every identifier in `tokens`, at every nesting level.
fn idents(tokens: TokenStream, out: &mut Vec<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => out.push(ident.to_string()),
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Why a doc block would be compiled and run by rustdoc (or rejected by it), if it would.
fn doctest_hazard(block: &[String]) -> Option<String> {
    let mut fence: Option<String> = None;
    for attr in block {
        for raw in attr.split('\n') {
            if let Some(c) = raw.chars().find(|&c| is_bidi(c) || (c.is_control() && c != '\t')) {
                return Some(format!("U+{:04X} in {raw:?}", u32::from(c)));
            }
            let line = raw.strip_prefix(' ').unwrap_or(raw);
            let trimmed = line.trim_start();
            let ticks = trimmed.chars().take_while(|&c| c == '`').count();
            let tildes = trimmed.chars().take_while(|&c| c == '~').count();
            let marker = if ticks >= 3 {
                "`".repeat(ticks)
            } else if tildes >= 3 {
                "~".repeat(tildes)
            } else {
                String::new()
            };
            match &fence {
                Some(open) if !marker.is_empty() && marker.starts_with(open.as_str()) => fence = None,
                Some(_) => {}
                None if !marker.is_empty() => {
                    if trimmed[marker.len()..].trim() != "text" {
                        return Some(format!("a fence rustdoc would run: {raw:?}"));
                    }
                    fence = Some(marker);
                }
                None if line.starts_with("    ") && !line.trim().is_empty() => {
                    return Some(format!("an indented code block: {raw:?}"));
                }
                None => {}
            }
        }
    }
    None
}

/// Checks a generated module for schema text outside comments, docs and literals, and for
/// docs rustdoc would run.
fn check_module(round: usize, code: &str) {
    assert!(syn::parse_file(code).is_ok(), "round {round}: output does not parse");
    assert!(!code.chars().any(is_bidi), "round {round}: a bidi control reached the module");
    if let Some(line) = code.lines().find(|l| l.chars().any(is_hidden)) {
        panic!(
            "round {round}: a control or invisible character reached the module: {:?}",
            line.escape_debug().to_string()
        );
    }
    let tokens: TokenStream = code.parse().expect("the module tokenizes");
    let mut names = Vec::new();
    idents(tokens.clone(), &mut names);
    assert!(!names.iter().any(|n| n.contains(MARK)), "round {round}: schema text became code:\n{code}");
    let mut blocks = Vec::new();
    doc_blocks(tokens, &mut blocks);
    for block in &blocks {
        if let Some(hazard) = doctest_hazard(block) {
            panic!("round {round}: {hazard} in the docs\n{block:#?}");
        }
    }
}

#[test]
fn the_checks_catch_what_they_look_for() {
    check_module(0, "/// ```text\n/// a\n/// ```\n/// ~~~text\n///     indented inside\n/// ~~~\npub struct A;\n");
    let caught = |code: &str| catch_unwind(|| check_module(0, code)).is_err();
    assert!(caught("// header\npub fn injectedXyz() {}\n"));
    assert!(caught("/// x\n/// ~~~rust\n/// panic!()\n/// ~~~\npub struct A;\n"));
    assert!(caught("/// ```\n/// panic!()\n/// ```\npub struct A;\n"));
    assert!(caught("impl A {\n    /// x\n    ///\n    ///     panic!()\n    pub fn f() {}\n}\n"));
    assert!(caught("#[doc = \" a\\n ```rust\\n b\\n ```\"]\npub struct A;\n"));
    assert!(caught("/// a \u{202e} b\npub struct A;\n"));
    assert!(caught("pub const A: &str = \"a\u{200b}b\";\n"));
    assert!(caught("/// a\u{2028}b\npub struct A;\n"));
}

fn github_tools() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read_to_string(root.join("schemas/github/20251027_00.json")).unwrap();
    let tools: Value = serde_json::from_str(&text).unwrap();
    tools.as_array().unwrap().clone()
}

#[test]
fn random_damage_never_panics() {
    let tools = github_tools();
    let hazards = hazards();
    let names = hostile_names();
    let mut rng = fastrand::Rng::with_seed(0x00c0_ffee);
    let (mut generated, mut refused, mut degraded) = (0, 0, 0);
    for round in 0..1500 {
        let tool = damaged(&tools, &hazards, &names, &mut rng);
        let slug = tool["slug"].as_str().unwrap().to_owned();
        let outcome = catch_unwind(AssertUnwindSafe(|| generate(&tool, &EmitOptions::default())));
        match outcome {
            Err(_) => panic!("round {round}: the generator panicked on {tool}"),
            Ok(Ok(module)) => {
                generated += 1;
                degraded += usize::from(module.warnings.iter().any(|w| w.degraded));
                check_module(round, &module.code);
                // Damaged or not, the same schema gives the same bytes; every tenth round, to
                // keep the test quick.
                if round % 10 == 0 {
                    let again = generate(&tool, &EmitOptions::default()).expect("it generated the first time");
                    assert!(again.code == module.code, "round {round}: a second run differs on {tool}");
                }
            }
            Ok(Err(e)) => {
                refused += 1;
                let message = e.to_string();
                assert!(message.contains(&slug), "round {round}: the error does not name the tool: {message}");
            }
        }
    }
    println!("{generated} generated ({degraded} degraded), {refused} refused");
    // Schema damage degrades; only a broken definition (a toolkit name with a control
    // character, a version that is not one) is refused.
    assert!(
        generated > 1000 && degraded > 300 && refused > 20,
        "every outcome is exercised: {generated} generated ({degraded} degraded), {refused} refused"
    );
}

/// How many damaged modules the compile check builds: each costs a few seconds of rustc and
/// clippy, and CI time matters more than a larger sample.
const COMPILED_SAMPLE: usize = 4;

#[test]
#[ignore = "compiles generated code (about a minute): run explicitly by .ci/run"]
fn a_sample_of_damaged_modules_compiles_cleanly() {
    let tools = github_tools();
    let hazards = hazards();
    let names = hostile_names();
    // A seed of its own: the sample does not shift when the no-panic rounds change.
    let mut rng = fastrand::Rng::with_seed(0x5eed_c0de);
    let both = EmitOptions { serde_both_ways: true };
    let mut modules = Vec::new();
    // Every hazard at once, as properties of one tool's input and output.
    let props: serde_json::Map<String, Value> =
        hazards.iter().enumerate().map(|(i, h)| (format!("h{i}"), h.clone())).collect();
    let all = json!({
        "slug": "GITHUB_EVERY_HAZARD",
        "name": random_text(&mut rng),
        "input_parameters": {"type": "object", "properties": props, "required": ["h0", "ghost"]},
        "output_parameters": {"type": "object", "properties": {"data": {"type": "object", "properties": props}}},
    });
    // A tool whose input cannot be typed at all, whose function would be named like a primitive.
    let str_tool = json!({"slug": "GITHUB_STR", "input_parameters": {"type": "string"}});
    let mut picked = vec![all, str_tool];
    // Damaged tools that degrade, so the sample exercises what degrading emits.
    while picked.len() < COMPILED_SAMPLE + 2 {
        let tool = damaged(&tools, &hazards, &names, &mut rng);
        if generate(&tool, &EmitOptions::default()).is_ok_and(|m| m.warnings.iter().any(|w| w.degraded)) {
            picked.push(tool);
        }
    }
    for (i, tool) in picked.iter().enumerate() {
        let plain = generate(tool, &EmitOptions::default()).unwrap_or_else(|e| panic!("sample {i}: {e}"));
        let both_ways = generate(tool, &both).unwrap_or_else(|e| panic!("sample {i}: {e}"));
        modules.push(scratch::ModuleSource {
            name: format!("damaged_{i}"),
            plain: plain.code,
            both_ways: both_ways.code,
        });
    }
    let crate_ = scratch::Scratch::new("damaged", &modules, &[]);
    let (ok, log) = crate_.cargo(&["clippy", "--lib", "--", "-D", "warnings"]);
    assert!(ok, "damaged modules do not compile clippy-clean:\n{log}");
    let (ok, log) = crate_.cargo(&["doc", "--no-deps"]);
    assert!(ok, "damaged modules' docs have warnings:\n{log}");
}
