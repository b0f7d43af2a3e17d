//! The checks of input values: which of a schema's constraints the generated code verifies
//! before a call is sent, shaped like the value's Rust type.

use serde_json::Value;

use super::DocCx;
use crate::ir::{CHECKED_FORMATS, Check, Role, Rule, Ty};
use crate::schema::{Kind, Schema, Warning};

/// How many `$ref`s a check follows from one schema; definitions that refer to each other
/// without a type in between are refused earlier, so this only bounds the walk.
const MAX_REFS: usize = 16;

/// The check of a value of type `ty` described by `s`; `None` for outputs and for values
/// without checked constraints. Constraints of a generated type are checked by that type's
/// own check, so a `Ty::Named` value contributes nothing here.
pub(super) fn check_of(cx: &mut DocCx<'_>, s: &Schema, ty: &Ty) -> Option<Check> {
    if cx.role != Role::Input {
        return None;
    }
    // A `$ref` and the schema that holds it both apply: collect the rules along the chain.
    let mut chain = vec![s];
    let mut last = s;
    while let Kind::Ref(name) = &last.kind {
        match cx.doc.defs.get(name) {
            Some(def) if chain.len() <= MAX_REFS => {
                chain.push(def);
                last = def;
            }
            _ => return None,
        }
    }
    let ty = strip(ty);
    let mut rules = Vec::new();
    for schema in &chain {
        rules_of(cx, schema, ty, &mut rules);
    }
    let items = match (ty, &last.kind) {
        (Ty::Vec(inner), Kind::Array(items)) | (Ty::Map(inner), Kind::Map(items)) => {
            check_of(cx, items, inner).map(Box::new)
        }
        _ => None,
    };
    (!rules.is_empty() || items.is_some()).then_some(Check { rules, items })
}

fn strip(ty: &Ty) -> &Ty {
    match ty {
        Ty::Option(inner) | Ty::Boxed(inner) => strip(inner),
        other => other,
    }
}

/// The rules of one schema that apply to a value of type `ty`: JSON Schema ignores a keyword
/// on a value of another type (`minLength` on a number), and so does the check.
fn rules_of(cx: &mut DocCx<'_>, s: &Schema, ty: &Ty, rules: &mut Vec<Rule>) {
    let c = &s.constraints;
    if c.alternatives {
        return;
    }
    let number = |v: &Option<Value>| match v {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    };
    match ty {
        Ty::I64 | Ty::F64 => {
            rules.extend(number(&c.minimum).map(Rule::Minimum));
            rules.extend(number(&c.maximum).map(Rule::Maximum));
            rules.extend(number(&c.exclusive_minimum).map(Rule::ExclusiveMinimum));
            rules.extend(number(&c.exclusive_maximum).map(Rule::ExclusiveMaximum));
            rules.extend(number(&c.multiple_of).filter(|n| n.as_f64().is_some_and(|d| d > 0.0)).map(Rule::MultipleOf));
        }
        Ty::String => {
            rules.extend(c.min_length.map(Rule::MinLength));
            rules.extend(c.max_length.map(Rule::MaxLength));
            if let Some(pattern) = &c.pattern {
                match translate_pattern(pattern) {
                    Ok(translated) => rules.push(Rule::Pattern(translated)),
                    Err(why) => cx.warnings.push(Warning {
                        slug: cx.slug.to_owned(),
                        pointer: format!("{}/pattern", s.pointer),
                        message: format!("pattern is not checked before sending: {why}; the server still checks it"),
                        degraded: false,
                    }),
                }
            }
            if let Some(format) = s.format.as_deref().filter(|f| CHECKED_FORMATS.contains(f)) {
                rules.push(Rule::Format(format.to_owned()));
            }
        }
        Ty::Vec(_) => {
            rules.extend(c.min_items.map(Rule::MinItems));
            rules.extend(c.max_items.map(Rule::MaxItems));
            if c.unique_items {
                rules.push(Rule::UniqueItems);
            }
        }
        _ => {}
    }
}

/// An ECMA-262 pattern in the `regex` crate's syntax, as `jsonschema` translates it (`\d` is
/// `[0-9]`, `.` stops at line terminators), compiled here with the crate the runtime uses so
/// that it cannot fail there.
pub(crate) fn translate_pattern(pattern: &str) -> Result<String, String> {
    let translated = jsonschema_regex::to_rust_regex(pattern)
        .map_err(|()| "the regex crate cannot express it (lookaround, backreference or invalid syntax)".to_owned())?;
    regex::Regex::new(&translated).map_err(|e| format!("the regex crate rejects it: {e}"))?;
    Ok(translated.into_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::ir::{ToolkitIr, TypeKind};

    fn build_input(input: Value, warnings: &mut Vec<Warning>) -> ToolkitIr {
        let tool = json!({
            "slug": "X_RUN",
            "input_parameters": input,
            "output_parameters": {"type": "object", "properties": {"data": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}}},
        });
        let tools = crate::model::parse_document("t", &tool).unwrap();
        crate::typespace::build("x", "X", "1", &tools, warnings).unwrap()
    }

    fn field_checks(ir: &ToolkitIr, name: &str) -> Vec<(String, Option<Check>)> {
        let def = ir.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"));
        let TypeKind::Struct(st) = &def.kind else { panic!("{name} is not a struct") };
        st.fields.iter().map(|f| (f.json_name.clone(), f.check.clone())).collect()
    }

    #[test]
    fn inputs_carry_checks_through_refs_and_items_and_outputs_none() {
        let mut warnings = Vec::new();
        let ir = build_input(
            json!({
                "type": "object",
                "$defs": {"Short": {"type": "string", "maxLength": 3}},
                "properties": {
                    "name": {"$ref": "#/$defs/Short", "minLength": 1},
                    "tags": {"type": "array", "uniqueItems": true, "items": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}},
                    "either": {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "string", "format": "date"}]},
                    "size": {"type": "integer", "minLength": 4},
                },
            }),
            &mut warnings,
        );
        let checks = field_checks(&ir, "RunInput");
        let by_name = |name: &str| checks.iter().find(|(n, _)| n == name).and_then(|(_, c)| c.clone());
        assert_eq!(by_name("name"), Some(Check { rules: vec![Rule::MinLength(1), Rule::MaxLength(3)], items: None }));
        assert_eq!(
            by_name("tags"),
            Some(Check {
                rules: vec![Rule::UniqueItems],
                items: Some(Box::new(Check { rules: vec![Rule::Format("uuid".into())], items: None })),
            })
        );
        // Either member's constraints may hold, so neither set is checked alone; and a keyword
        // of another type is no constraint at all.
        assert_eq!(by_name("either"), None);
        assert_eq!(by_name("size"), None);
        let output = ir.types.iter().find(|t| t.name == "RunOutput").unwrap();
        let TypeKind::Struct(st) = &output.kind else { panic!() };
        assert!(st.fields.iter().all(|f| f.check.is_none()), "outputs are never checked");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_pattern_the_regex_crate_cannot_run_is_a_warning_not_a_check() {
        let mut warnings = Vec::new();
        let ir = build_input(
            json!({"type": "object", "properties": {"branch": {"type": "string", "pattern": "^(?!refs/).+$"}}}),
            &mut warnings,
        );
        assert_eq!(field_checks(&ir, "RunInput"), vec![("branch".to_owned(), None)]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].pointer, "/input_parameters/properties/branch/pattern");
        assert!(warnings[0].message.contains("not checked before sending"), "{}", warnings[0]);
    }

    #[test]
    fn patterns_translate_like_jsonschema() {
        assert_eq!(translate_pattern(r"^\d+$").as_deref(), Ok("^[0-9]+$"));
        assert!(translate_pattern(r"^(?!x).*$").is_err());
        assert!(translate_pattern(r"(a)\1").is_err());
    }
}
