//! JSON instances built from a tool's schemas, checked with the `jsonschema` crate.
//!
//! An instance holds the required properties, plus optional ones that carry a usable example.
//! Values come from the schema's own examples and defaults when they fit, else are made up to
//! satisfy the type, format and constraints. Every instance is validated against the source
//! schema, so a round trip through the generated types compares against a value the server
//! would accept.

use serde_json::{Map, Value, json};

/// An instance of a tool's arguments that validates against `input_parameters`.
pub fn input_instance(input_schema: &Value) -> Result<Value, String> {
    instance_of(input_schema, input_schema)
}

/// An instance of a tool's `data` payload that validates against its schema, or `None` when
/// the output has no `data` schema.
pub fn output_instance(output_schema: &Value) -> Option<Result<Value, String>> {
    let data = output_schema.pointer("/properties/data")?;
    // The payload schema is validated with the envelope's definitions in scope.
    let mut document = data.clone();
    for key in ["$defs", "definitions"] {
        if let (Value::Object(doc), Some(defs)) = (&mut document, output_schema.get(key)) {
            doc.insert(key.into(), defs.clone());
        }
    }
    Some(instance_of(&document, output_schema))
}

/// A value built for `schema` (with `root`'s definitions in scope), examples first; not
/// validated.
#[allow(dead_code, reason = "only the differential test builds single values")]
pub fn value_of(schema: &Value, root: &Value) -> Value {
    Builder { root, use_examples: true }.build(schema, 0)
}

fn instance_of(schema: &Value, root: &Value) -> Result<Value, String> {
    let validator =
        jsonschema::validator_for(&unique_lists(schema)).map_err(|e| format!("schema does not compile: {e}"))?;
    let mut last = String::new();
    for use_examples in [true, false] {
        let value = Builder { root, use_examples }.build(schema, 0);
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).take(3).collect();
        if errors.is_empty() {
            return Ok(value);
        }
        last = format!("{value} fails: {}", errors.join("; "));
    }
    Err(last)
}

/// Real schemas repeat entries in `required` (`["owner", "repo", "owner"]`), which the
/// meta-schema forbids and `jsonschema` refuses; a repeated entry means nothing more, so the
/// copy given to the validator lists each once.
pub fn unique_lists(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| match (key.as_str(), value) {
                    ("required" | "enum", Value::Array(items)) => {
                        let mut unique: Vec<Value> = Vec::new();
                        for item in items {
                            if !unique.contains(item) {
                                unique.push(item.clone());
                            }
                        }
                        (key.clone(), Value::Array(unique))
                    }
                    _ => (key.clone(), unique_lists(value)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(unique_lists).collect()),
        other => other.clone(),
    }
}

struct Builder<'a> {
    root: &'a Value,
    use_examples: bool,
}

impl Builder<'_> {
    fn build(&self, schema: &Value, depth: usize) -> Value {
        let Some(s) = schema.as_object() else { return json!("x") };
        if let Some(target) = s.get("$ref").and_then(Value::as_str) {
            // A JSON pointer, so `#/definitions/…` and escaped names (`a~1b`) resolve too.
            let def = target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
                .cloned()
                .unwrap_or(Value::Bool(true));
            return self.build(&def, depth + 1);
        }
        if let Some(Value::Array(all)) = s.get("allOf")
            && let [only] = all.as_slice()
        {
            return self.build(only, depth + 1);
        }
        if let Some(value) = s.get("const") {
            return value.clone();
        }
        if self.use_examples {
            let examples = s.get("examples").and_then(Value::as_array).cloned().unwrap_or_default();
            let candidates = examples.iter().chain(s.get("default"));
            if let Some(found) = candidates.filter(|v| !v.is_null()).find(|v| self.fits(s, v)) {
                return found.clone();
            }
        }
        if let Some(Value::Array(values)) = s.get("enum")
            && let Some(first) = values.iter().find(|v| !v.is_null())
        {
            return first.clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = s.get(key) {
                let member = members.iter().find(|m| m.get("type").and_then(Value::as_str) != Some("null"));
                if let Some(member) = member {
                    return self.build(member, depth + 1);
                }
            }
        }
        match self.type_of(s) {
            "string" => self.string(s),
            "integer" => self.number(s, true),
            "number" => self.number(s, false),
            "boolean" => json!(true),
            "array" => {
                let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = s.get("maxItems").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
                let count = if depth > 6 { min } else { min.max(1).min(max) };
                let items = s.get("items").cloned().unwrap_or(Value::Bool(true));
                Value::Array((0..count).map(|_| self.build(&items, depth + 1)).collect())
            }
            "object" => self.object(s, depth),
            "null" => Value::Null,
            _ => json!("x"),
        }
    }

    fn type_of<'s>(&self, s: &'s Map<String, Value>) -> &'s str {
        match s.get("type") {
            Some(Value::String(t)) => t,
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
            _ if s.contains_key("properties") => "object",
            _ if s.contains_key("items") => "array",
            _ => "any",
        }
    }

    fn object(&self, s: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        let Some(Value::Object(props)) = s.get("properties") else { return Value::Object(out) };
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, prop) in props {
            let has_example = prop
                .get("examples")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|v| self.fits_value(prop, v)));
            if required.contains(&name.as_str()) || (self.use_examples && has_example && depth < 3) {
                out.insert(name.clone(), self.build(prop, depth + 1));
            }
        }
        Value::Object(out)
    }

    fn string(&self, s: &Map<String, Value>) -> Value {
        let base = match s.get("format").and_then(Value::as_str) {
            Some("date-time") => "2025-01-02T03:04:05Z".to_owned(),
            Some("date") => "2025-01-02".to_owned(),
            Some("email") => "someone@example.com".to_owned(),
            Some("uri" | "url") => "https://example.com/x".to_owned(),
            Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
            _ => "x".to_owned(),
        };
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
            return Value::String(matching(pattern));
        }
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s.get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
        let mut text = base;
        while text.chars().count() < min {
            text.push('x');
        }
        Value::String(text.chars().take(max.max(1)).collect())
    }

    fn number(&self, s: &Map<String, Value>, integer: bool) -> Value {
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        let mut value: f64 = if integer { 1.0 } else { 1.5 };
        if let Some(min) = bound("minimum") {
            value = value.max(min);
        }
        if let Some(min) = bound("exclusiveMinimum") {
            value = value.max(if integer { min.floor() + 1.0 } else { min + 0.25 });
        }
        if let Some(max) = bound("maximum") {
            value = value.min(max);
        }
        if let Some(max) = bound("exclusiveMaximum") {
            value = value.min(if integer { max.ceil() - 1.0 } else { max - 0.25 });
        }
        if let Some(step) = bound("multipleOf").filter(|s| *s > 0.0) {
            value = (value / step).ceil() * step;
        }
        if integer { json!(value as i64) } else { json!(value) }
    }

    /// Whether an example or default is usable as is: the right type and, for enums, a member.
    fn fits(&self, s: &Map<String, Value>, value: &Value) -> bool {
        let type_ok = match self.type_of(s) {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        let enum_ok = match s.get("enum") {
            Some(Value::Array(values)) => values.contains(value),
            _ => true,
        };
        type_ok && enum_ok
    }

    fn fits_value(&self, schema: &Value, value: &Value) -> bool {
        schema.as_object().is_some_and(|s| self.fits(s, value) && !value.is_null())
    }
}

/// A string matching a simple regular expression: literals, escapes, classes, groups with
/// alternatives (the first is taken) and quantifiers (the fewest repetitions above zero).
pub fn matching(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    sequence(&chars, &mut pos)
}

fn sequence(chars: &[char], pos: &mut usize) -> String {
    let mut out = String::new();
    while *pos < chars.len() {
        let atom = match chars[*pos] {
            '^' | '$' => {
                *pos += 1;
                continue;
            }
            ')' => return out,
            '|' => {
                // Later alternatives are skipped: the first one is taken.
                let mut depth = 0;
                while *pos < chars.len() {
                    match chars[*pos] {
                        '(' => depth += 1,
                        ')' if depth == 0 => return out,
                        ')' => depth -= 1,
                        '\\' => *pos += 1,
                        _ => {}
                    }
                    *pos += 1;
                }
                return out;
            }
            '(' => {
                *pos += 1;
                if chars.get(*pos) == Some(&'?') {
                    *pos += 2;
                }
                let inner = sequence(chars, pos);
                *pos += 1;
                inner
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'^');
                if negated {
                    *pos += 1;
                }
                let mut members = Vec::new();
                while *pos < chars.len() && chars[*pos] != ']' {
                    if chars[*pos] == '\\' {
                        *pos += 1;
                    }
                    members.push(chars[*pos]);
                    *pos += 1;
                }
                *pos += 1;
                let pick = if negated {
                    ['x', 'a', '1'].into_iter().find(|c| !members.contains(c)).unwrap_or('z')
                } else {
                    members.first().copied().unwrap_or('x')
                };
                pick.to_string()
            }
            '\\' => {
                *pos += 2;
                match chars.get(*pos - 1) {
                    Some('d') => "1".into(),
                    Some('w') => "x".into(),
                    Some('s') => " ".into(),
                    Some(c) => c.to_string(),
                    None => String::new(),
                }
            }
            '.' => {
                *pos += 1;
                "x".into()
            }
            c => {
                *pos += 1;
                c.to_string()
            }
        };
        out.push_str(&atom.repeat(repetitions(chars, pos)));
    }
    out
}

fn repetitions(chars: &[char], pos: &mut usize) -> usize {
    match chars.get(*pos) {
        Some('+' | '*' | '?') => {
            *pos += 1;
            1
        }
        Some('{') => {
            let end = chars[*pos..].iter().position(|c| *c == '}').map_or(chars.len(), |i| *pos + i);
            let inside: String = chars[*pos + 1..end].iter().collect();
            *pos = end + 1;
            inside.split(',').next().and_then(|n| n.trim().parse().ok()).unwrap_or(1).max(1)
        }
        _ => 1,
    }
}
