//! Boundary instances for the differential test: for each constraint of a tool's input schema,
//! an arguments instance with a value just inside and one just outside it, placed at the
//! constrained value's path in a valid base instance.
//!
//! The walk follows the schema as the generator reads it: `$ref`s, single `allOf`s and
//! nullable `anyOf`s are one value whose keywords add up (the outer one wins where both state
//! one), array items, map values, object properties and the members of unions. Constraints
//! the generated check does not claim are not probed but counted, by reason: patterns the
//! `regex` crate cannot run, formats other than the checked ones, constraints on enums, on
//! untyped values and on same-typed `anyOf` alternatives.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::instance::{matching, value_of};

/// One instance to judge.
pub struct Probe {
    /// The tool.
    pub slug: String,
    /// The keyword whose boundary it probes.
    pub keyword: &'static str,
    /// The arguments.
    pub instance: Value,
}

/// How to reach a value from the root of the arguments, building what is missing.
#[derive(Clone)]
enum Step {
    /// A property, built from its schema when absent.
    Key(String, Value),
    /// Item 0 of an array, built from the array's schema when absent or empty.
    Item(Value),
    /// The value under a fixed key of a map, built from the value schema.
    MapValue(Value),
    /// The value itself, replaced by an instance of one union member.
    Variant(Value),
}

/// Every probe of one tool; `skipped` counts the constraints not probed, by reason.
pub fn probes(slug: &str, schema: &Value, base: &Value, skipped: &mut BTreeMap<String, usize>) -> Vec<Probe> {
    let mut walk = Walk { slug, root: schema, base, out: Vec::new(), skipped };
    walk.node(schema, &[], 0);
    walk.out
}

struct Walk<'a> {
    slug: &'a str,
    root: &'a Value,
    base: &'a Value,
    out: Vec<Probe>,
    skipped: &'a mut BTreeMap<String, usize>,
}

const CONSTRAINT_KEYS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// A schema with its constraint keywords gathered along `$ref`s, single `allOf`s and
/// nullable unions, or the members of a union that stays one.
enum Resolved {
    One(Map<String, Value>),
    Union(Vec<Value>),
}

impl Walk<'_> {
    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    fn resolve(&self, schema: &Value) -> Resolved {
        let mut merged = Map::new();
        let mut current = schema.clone();
        for _ in 0..16 {
            let Some(obj) = current.as_object().cloned() else { break };
            for (key, value) in &obj {
                if !merged.contains_key(key) && key != "$ref" && key != "allOf" && key != "anyOf" && key != "oneOf" {
                    merged.insert(key.clone(), value.clone());
                }
            }
            if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
                current = target.strip_prefix('#').and_then(|p| self.root.pointer(p)).cloned().unwrap_or(json!({}));
                continue;
            }
            if let Some(Value::Array(all)) = obj.get("allOf")
                && all.len() == 1
            {
                current = all[0].clone();
                continue;
            }
            let members = ["anyOf", "oneOf"].iter().find_map(|k| obj.get(*k)).and_then(Value::as_array);
            if let Some(members) = members {
                let non_null: Vec<Value> =
                    members.iter().filter(|m| m.get("type").and_then(Value::as_str) != Some("null")).cloned().collect();
                if non_null.len() == 1 {
                    current = non_null[0].clone();
                    continue;
                }
                return Resolved::Union(non_null);
            }
            break;
        }
        Resolved::One(merged)
    }

    fn node(&mut self, schema: &Value, steps: &[Step], depth: usize) {
        if depth > 10 {
            return;
        }
        let s = match self.resolve(schema) {
            Resolved::One(s) => s,
            Resolved::Union(members) => {
                // Members of the same type are alternatives whose constraints stay unchecked.
                let types: Vec<Option<&str>> = members.iter().map(|m| self.type_of(m)).collect();
                let distinct = types
                    .iter()
                    .enumerate()
                    .all(|(i, t)| t.is_none_or(|t| t == "object" || !types[..i].contains(&Some(t))));
                for member in &members {
                    if !distinct && has_constraints(member) {
                        self.skip("constraint of a same-typed anyOf alternative");
                        continue;
                    }
                    let mut next = steps.to_vec();
                    next.push(Step::Variant(member.clone()));
                    self.node(member, &next, depth + 1);
                }
                return;
            }
        };
        let ty = ty_of(&s);
        let constrained = CONSTRAINT_KEYS.iter().any(|k| s.contains_key(*k));
        if s.contains_key("enum") || s.contains_key("const") {
            if constrained {
                self.skip("constraint on an enum or const");
            }
            return;
        }
        match ty.as_deref() {
            Some("string") => self.string(&s, steps),
            Some("integer") => self.number(&s, steps, true),
            Some("number") => self.number(&s, steps, false),
            Some("array") => {
                self.array(&s, steps);
                let items = s.get("items").cloned().unwrap_or(json!({}));
                let mut next = steps.to_vec();
                next.push(Step::Item(Value::Object(s.clone())));
                self.node(&items, &next, depth + 1);
            }
            Some("object") | None if s.contains_key("properties") => {
                if let Some(Value::Object(props)) = s.get("properties") {
                    for (name, prop) in props {
                        let mut next = steps.to_vec();
                        next.push(Step::Key(name.clone(), prop.clone()));
                        self.node(prop, &next, depth + 1);
                    }
                }
            }
            Some("object") => {
                if let Some(values @ Value::Object(_)) = s.get("additionalProperties") {
                    let mut next = steps.to_vec();
                    next.push(Step::MapValue(values.clone()));
                    self.node(values, &next, depth + 1);
                }
            }
            _ if constrained => self.skip("constraint on an untyped value"),
            _ => {}
        }
    }

    fn type_of<'v>(&self, schema: &'v Value) -> Option<&'v str> {
        match schema.get("type") {
            Some(Value::String(t)) => Some(t),
            _ if schema.get("properties").is_some() => Some("object"),
            _ => None,
        }
    }

    fn emit(&mut self, keyword: &'static str, steps: &[Step], value: Value) {
        let mut instance = self.base.clone();
        place(&mut instance, steps, value, self.root);
        self.out.push(Probe { slug: self.slug.to_owned(), keyword, instance });
    }

    fn string(&mut self, s: &Map<String, Value>, steps: &[Step]) {
        let count = |k: &str| s.get(k).and_then(Value::as_u64).map(|n| n.min(5000) as usize);
        if let Some(n) = count("minLength") {
            self.emit("minLength", steps, json!("é".repeat(n)));
            self.emit("minLength", steps, json!("x".repeat(n)));
            if n > 0 {
                self.emit("minLength", steps, json!("é".repeat(n - 1)));
            }
        }
        if let Some(n) = count("maxLength") {
            self.emit("maxLength", steps, json!("é".repeat(n)));
            self.emit("maxLength", steps, json!("é".repeat(n + 1)));
            self.emit("maxLength", steps, json!("x".repeat(n + 1)));
        }
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
            if composio_typed_pattern(pattern).is_none() {
                self.skip("pattern the regex crate cannot run");
            } else {
                let mut positives: Vec<Value> = s
                    .get("examples")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|e| e.is_string())
                    .cloned()
                    .collect();
                positives.push(json!(matching(pattern)));
                for value in positives.into_iter().chain([json!(""), json!("\u{1}!"), json!("é")]) {
                    self.emit("pattern", steps, value);
                }
            }
        }
        if let Some(format) = s.get("format").and_then(Value::as_str) {
            match format_samples(format) {
                Some(samples) => samples.iter().for_each(|sample| self.emit("format", steps, json!(sample))),
                None => self.skip(format!("format `{format}`")),
            }
        }
    }

    fn number(&mut self, s: &Map<String, Value>, steps: &[Step], integer: bool) {
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        let mut values: Vec<(&'static str, f64)> = Vec::new();
        let below = |x: f64| if integer { x.ceil() - 1.0 } else { next_down(x) };
        let above = |x: f64| if integer { x.floor() + 1.0 } else { next_up(x) };
        if let Some(m) = bound("minimum") {
            values.extend([("minimum", if integer { m.ceil() } else { m }), ("minimum", below(m))]);
        }
        if let Some(m) = bound("maximum") {
            values.extend([("maximum", if integer { m.floor() } else { m }), ("maximum", above(m))]);
        }
        if let Some(m) = bound("exclusiveMinimum") {
            values.extend([("exclusiveMinimum", above(m)), ("exclusiveMinimum", if integer { m.floor() } else { m })]);
        }
        if let Some(m) = bound("exclusiveMaximum") {
            values.extend([("exclusiveMaximum", below(m)), ("exclusiveMaximum", if integer { m.ceil() } else { m })]);
        }
        if let Some(d) = bound("multipleOf").filter(|d| *d > 0.0) {
            values.extend([
                ("multipleOf", d * 3.0),
                ("multipleOf", d * 7.0),
                ("multipleOf", 0.0),
                ("multipleOf", d + 1.0),
            ]);
            if !integer {
                values.push(("multipleOf", d * 1.5));
            }
        }
        for (keyword, value) in values {
            let json = if integer {
                if !(-9.2e18..9.2e18).contains(&value) {
                    self.skip("integer bound beyond i64");
                    continue;
                }
                json!(value as i64)
            } else {
                json!(value)
            };
            self.emit(keyword, steps, json);
        }
    }

    fn array(&mut self, s: &Map<String, Value>, steps: &[Step]) {
        let items = s.get("items").cloned().unwrap_or(json!({}));
        let item = value_of(&items, self.root);
        let count = |k: &str| s.get(k).and_then(Value::as_u64).map(|n| n.min(64) as usize);
        if let Some(n) = count("minItems") {
            self.emit("minItems", steps, json!(vec![item.clone(); n]));
            if n > 0 {
                self.emit("minItems", steps, json!(vec![item.clone(); n - 1]));
            }
        }
        if let Some(n) = count("maxItems") {
            self.emit("maxItems", steps, json!(vec![item.clone(); n]));
            self.emit("maxItems", steps, json!(vec![item.clone(); n + 1]));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            self.emit("uniqueItems", steps, json!([item.clone()]));
            self.emit("uniqueItems", steps, json!([item.clone(), item.clone()]));
        }
    }
}

fn has_constraints(schema: &Value) -> bool {
    schema.as_object().is_some_and(|s| CONSTRAINT_KEYS.iter().any(|k| s.contains_key(*k)))
}

fn ty_of(s: &Map<String, Value>) -> Option<String> {
    match s.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).find(|t| *t != "null").map(str::to_owned),
        _ if s.contains_key("properties") => Some("object".into()),
        _ if s.contains_key("items") => Some("array".into()),
        _ => None,
    }
}

/// Puts `value` at the end of `steps`, building the values on the way that are missing.
fn place(instance: &mut Value, steps: &[Step], value: Value, root: &Value) {
    let mut current = instance;
    for step in steps {
        current = match step {
            Step::Key(name, schema) => {
                if !current.is_object() {
                    *current = json!({});
                }
                let map = current.as_object_mut().expect("made an object");
                map.entry(name.clone()).or_insert_with(|| value_of(schema, root))
            }
            Step::Item(array) => {
                if current.as_array().is_none_or(|a| a.is_empty()) {
                    let built = value_of(array, root);
                    *current = if built.as_array().is_some_and(|a| !a.is_empty()) {
                        built
                    } else {
                        json!([value_of(array.get("items").unwrap_or(&json!({})), root)])
                    };
                }
                &mut current.as_array_mut().expect("made an array")[0]
            }
            Step::MapValue(schema) => {
                if !current.is_object() {
                    *current = json!({});
                }
                let map = current.as_object_mut().expect("made an object");
                map.entry("probe_key").or_insert_with(|| value_of(schema, root))
            }
            Step::Variant(member) => {
                *current = value_of(member, root);
                // A discriminator the member does not require is still what picks the
                // variant: the tag goes in.
                if let (Some(map), Some(Value::Object(props))) = (current.as_object_mut(), member.get("properties")) {
                    for (name, prop) in props {
                        if let Some(tag) = prop.get("const") {
                            map.entry(name.clone()).or_insert_with(|| tag.clone());
                        }
                    }
                }
                current
            }
        };
    }
    *current = value;
}

fn next_up(x: f64) -> f64 {
    let bits = x.to_bits();
    if x == 0.0 {
        return f64::from_bits(1);
    }
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Valid and invalid samples of a checked format.
fn format_samples(format: &str) -> Option<&'static [&'static str]> {
    Some(match format {
        "date" => &["2024-02-29", "2023-02-29", "2024-1-01", "2024-13-01", "2024-04-31", "２０２４-01-01"],
        "date-time" => &[
            "2024-01-01T00:00:00Z",
            "2024-01-01t10:20:30.5+02:00",
            "2024-12-31T23:59:60Z",
            "2024-12-31T22:59:60Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T24:00:00Z",
        ],
        "time" => &["12:00:00Z", "12:00:00.123-05:30", "12:00:00", "23:59:60+00:00", "12:60:00Z"],
        "ipv4" => &["192.168.0.1", "192.168.000.1", "256.0.0.1", "1.2.3"],
        "ipv6" => &["::1", "2001:db8::8a2e:370:7334", "1::2::3", "::ffff:1.2.3.4", "12345::"],
        "uuid" => &[
            "123e4567-e89b-12d3-a456-426614174000",
            "123E4567-E89B-12D3-A456-426614174000",
            "123e4567e89b12d3a456426614174000",
            "123e4567-e89b-12d3-a456-42661417400g",
        ],
        _ => return None,
    })
}

/// The pattern as the generated check runs it, or `None` when the generator leaves it out.
pub fn composio_typed_pattern(pattern: &str) -> Option<String> {
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    regex::Regex::new(&translated).ok()?;
    Some(translated.into_owned())
}
