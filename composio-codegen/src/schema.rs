//! The schema model: Composio's Pydantic-flavoured JSON Schema, parsed and normalised.
//!
//! Composio's dialect spells one idea many ways: `nullable: true` beside `type`, an
//! `anyOf` with a `{"type": "null"}` member, `type: ["string", "null"]`, `default: null`,
//! `items` that carry stray `properties`. This stage folds each of them into one form, so the
//! type IR never sees the dialect. Everything it cannot map is an error with the JSON pointer
//! of the offending schema; odd but harmless input (a default outside its enum, examples of
//! the wrong type) becomes a [`Warning`] instead.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A parsed schema with its annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// JSON pointer of this schema in the tool definition.
    pub pointer: String,
    /// `title`: Pydantic's model name, or the title-cased property name.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Whether `null` is a valid value.
    pub nullable: bool,
    /// A non-null `default` that fits the schema.
    pub default: Option<Value>,
    /// `examples` that fit the schema.
    pub examples: Vec<Value>,
    /// `format`, kept as documentation: formats stay strings.
    pub format: Option<String>,
    /// Numeric, length and pattern constraints, kept as documentation.
    pub constraints: Constraints,
    /// The shape.
    pub kind: Kind,
    /// Why this schema could not be typed, when it could not: its kind is then [`Kind::Any`].
    pub gave_up: Option<String>,
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Any JSON value.
    Any,
    /// Only `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// A string.
    String,
    /// One of these strings.
    StringEnum(Vec<String>),
    /// Exactly this value.
    Const(Value),
    /// An array of this.
    Array(Box<Schema>),
    /// An object with declared properties.
    Object(ObjectSchema),
    /// An object without declared properties: a map from names to this.
    Map(Box<Schema>),
    /// A reference to a definition in the same document's `$defs`.
    Ref(String),
    /// Exactly one of these objects, told apart by a discriminator property.
    Tagged(Tagged),
    /// Any of these, tried in order (`anyOf`, or a `oneOf` without discriminator).
    Union(Vec<Schema>),
    /// A file the caller uploads (`file_uploadable`: `{name, mimetype, s3key}`).
    FileUpload,
    /// A file the tool returns for download (`file_downloadable`: `{name, mimetype, s3url}`).
    FileDownload,
}

/// An object with declared properties.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectSchema {
    /// Properties in document order (Composio sorts them by name).
    pub properties: Vec<(String, Schema)>,
    /// Required property names, in the order the schema lists them: Pydantic's declaration
    /// order, which is the natural order of constructor arguments.
    pub required: Vec<String>,
}

/// A `oneOf` with a `discriminator`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// The discriminating property (`type`).
    pub property: String,
    /// Each variant with its tag value and the definition name the mapping gives it, if any.
    /// Composio's mappings point at `$defs` entries that do not exist; the variants are inline,
    /// so the names serve only as naming hints.
    pub variants: Vec<TaggedVariant>,
}

/// One variant of a [`Tagged`] union.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedVariant {
    /// The discriminator's value for this variant.
    pub tag: String,
    /// The name the mapping gives this variant (`Heading1BlockInput`).
    pub mapped_name: Option<String>,
    /// The variant's object schema, discriminator property included.
    pub schema: Schema,
}

/// Constraints that JSON Schema states and Rust types do not carry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// `minimum`.
    pub minimum: Option<Value>,
    /// `maximum`.
    pub maximum: Option<Value>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: Option<Value>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: Option<Value>,
    /// `multipleOf`.
    pub multiple_of: Option<Value>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `uniqueItems: true`.
    pub unique_items: bool,
    /// The constraints are those of one of several alternatives (`anyOf` members of the same
    /// Rust type), so they are documentation only: a value may meet another member's instead.
    pub alternatives: bool,
    /// The allowed values of a non-string `enum`, which stays its base type.
    pub allowed: Vec<Value>,
}

/// A parsed schema document (`input_parameters` or `output_parameters`) with its definitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The top-level schema.
    pub root: Schema,
    /// `$defs` (or `definitions`) by name.
    pub defs: BTreeMap<String, Schema>,
}

/// Something odd in a schema, reported and then worked around.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The tool.
    pub slug: String,
    /// Where in its definition.
    pub pointer: String,
    /// What was ignored and why.
    pub message: String,
    /// Whether the generated code is less typed than the schema because of it (a part typed
    /// as JSON, a property left out). Strict mode turns these into errors; the others (a
    /// default left out of the docs) never are.
    pub degraded: bool,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: schema at {}: {}", self.slug, self.pointer, self.message)
    }
}

/// Parses one schema document of one tool. `pointer` is where the document sits in the tool
/// definition (`/input_parameters`).
pub fn parse_document(slug: &str, pointer: &str, value: &Value, warnings: &mut Vec<Warning>) -> Result<Document> {
    let mut parser = Parser {
        slug,
        warnings,
        document: value,
        document_pointer: pointer,
        merging: Vec::new(),
        merged: BTreeMap::new(),
    };
    let mut defs = BTreeMap::new();
    let mut def_names = Vec::new();
    for key in ["$defs", "definitions"] {
        match value.get(key) {
            None => {}
            Some(Value::Object(map)) => def_names.extend(map.keys().map(|name| (key, name.clone()))),
            // Definitions that are not an object cannot be referenced: references to them
            // dangle, and degrade as any dangling reference does.
            Some(_) => parser.degrade(&format!("{pointer}/{key}"), format!("`{key}` must be an object")),
        }
    }
    for (key, name) in &def_names {
        let def_pointer = format!("{pointer}/{key}/{}", escape_pointer(name));
        let schema = parser.parse(&value[*key][name.as_str()], &def_pointer, Context::default())?;
        defs.insert(name.clone(), schema);
    }
    let root = parser.parse(value, pointer, Context::default())?;
    let mut doc = Document { root, defs };
    let names: BTreeSet<String> = doc.defs.keys().cloned().collect();
    drop_dangling_refs(&mut doc.root, &names, &mut parser);
    for def in doc.defs.values_mut() {
        drop_dangling_refs(def, &names, &mut parser);
    }
    Ok(doc)
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[derive(Clone, Copy, Default)]
struct Context {
    /// A parent marked the value `file_uploadable`, so object members of an `anyOf` are files.
    file_upload: bool,
}

struct Parser<'a> {
    slug: &'a str,
    warnings: &'a mut Vec<Warning>,
    /// The whole document and its pointer, where `allOf` finds the definitions it merges.
    document: &'a Value,
    document_pointer: &'a str,
    /// Definitions being merged into an `allOf`, innermost last: one met again contains itself.
    merging: Vec<String>,
    /// Definitions already parsed for merging, so a definition many `allOf`s share is parsed
    /// once, not once per path to it (which grows exponentially with nesting).
    merged: BTreeMap<(String, bool), Result<Kind, (String, String)>>,
}

/// How many definitions an `allOf` may merge through, one inside another: each level is a
/// recursion the JSON parser's nesting limit does not bound.
const MAX_MERGE_DEPTH: usize = 32;

impl Parser<'_> {
    fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::schema(self.slug, pointer, message)
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            slug: self.slug.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
            degraded: false,
        });
    }

    /// Reports a problem the generated code works around by typing less.
    fn degrade(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            slug: self.slug.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
            degraded: true,
        });
    }

    /// Parses a schema; one it cannot map becomes "any JSON value", with the reason kept for
    /// the docs and reported. The error is caught by the innermost schema that raised it, so
    /// only the part that cannot be typed is lost.
    fn parse(&mut self, value: &Value, pointer: &str, ctx: Context) -> Result<Schema> {
        match self.parse_exact(value, pointer, ctx) {
            Err(Error::Schema { pointer: at, message, .. }) => {
                self.degrade(&at, message.clone());
                let mut schema = bare(pointer, Kind::Any);
                // Keep what the schema says about itself: the docs still read as written.
                schema.title = value.get("title").and_then(Value::as_str).map(str::to_owned);
                schema.description = value.get("description").and_then(Value::as_str).map(str::to_owned);
                schema.gave_up = Some(message);
                Ok(schema)
            }
            other => other,
        }
    }

    fn parse_exact(&mut self, value: &Value, pointer: &str, ctx: Context) -> Result<Schema> {
        let obj = match value {
            Value::Object(obj) => obj,
            Value::Bool(true) => return Ok(bare(pointer, Kind::Any)),
            Value::Bool(false) => return Err(self.error(pointer, "the schema `false` accepts no value")),
            _ => return Err(self.error(pointer, "a schema must be an object or a boolean")),
        };
        let mut schema = Schema {
            pointer: pointer.to_owned(),
            title: self.text(obj, "title", pointer)?,
            description: self.text(obj, "description", pointer)?,
            nullable: obj.get("nullable").and_then(Value::as_bool).unwrap_or(false),
            default: None,
            examples: Vec::new(),
            format: self.text(obj, "format", pointer)?,
            constraints: self.constraints(obj, pointer)?,
            kind: Kind::Any,
            gave_up: None,
        };
        let file_upload = ctx.file_upload || flag(obj, "file_uploadable");
        schema.kind = self.kind(obj, pointer, &mut schema, Context { file_upload })?;
        if matches!(schema.kind, Kind::Null) {
            schema.nullable = true;
        }
        self.check_default(obj, pointer, &mut schema);
        self.check_examples(obj, &mut schema);
        Ok(schema)
    }

    fn text(&self, obj: &Map<String, Value>, key: &str, pointer: &str) -> Result<Option<String>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.error(&format!("{pointer}/{key}"), format!("`{key}` must be a string"))),
        }
    }

    fn constraints(&self, obj: &Map<String, Value>, pointer: &str) -> Result<Constraints> {
        let number = |key: &str| -> Result<Option<Value>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v @ Value::Number(_)) => Ok(Some(v.clone())),
                // Draft 4 spells exclusive bounds as booleans beside minimum/maximum.
                Some(Value::Bool(_)) if key.starts_with("exclusive") => Ok(None),
                Some(_) => Err(self.error(&format!("{pointer}/{key}"), format!("`{key}` must be a number"))),
            }
        };
        let count = |key: &str| -> Result<Option<u64>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                    self.error(&format!("{pointer}/{key}"), format!("`{key}` must be a non-negative integer"))
                }),
            }
        };
        let exclusive = |key: &str, bound: &str| -> Result<Option<Value>> {
            if obj.get(key).and_then(Value::as_bool) == Some(true) { number(bound) } else { number(key) }
        };
        Ok(Constraints {
            minimum: if flag(obj, "exclusiveMinimum") { None } else { number("minimum")? },
            maximum: if flag(obj, "exclusiveMaximum") { None } else { number("maximum")? },
            exclusive_minimum: exclusive("exclusiveMinimum", "minimum")?,
            exclusive_maximum: exclusive("exclusiveMaximum", "maximum")?,
            multiple_of: number("multipleOf")?,
            min_length: count("minLength")?,
            max_length: count("maxLength")?,
            min_items: count("minItems")?,
            max_items: count("maxItems")?,
            pattern: self.text(obj, "pattern", pointer)?,
            unique_items: flag(obj, "uniqueItems"),
            alternatives: false,
            allowed: Vec::new(),
        })
    }

    fn kind(&mut self, obj: &Map<String, Value>, pointer: &str, schema: &mut Schema, ctx: Context) -> Result<Kind> {
        if let Some(target) = obj.get("$ref") {
            let target =
                target.as_str().ok_or_else(|| self.error(&format!("{pointer}/$ref"), "`$ref` must be a string"))?;
            return self.reference(target, &format!("{pointer}/$ref")).map(Kind::Ref);
        }
        if let Some(all) = obj.get("allOf") {
            return self.all_of(all, pointer, schema, ctx);
        }
        if obj.contains_key("oneOf") && obj.contains_key("discriminator") {
            return self.tagged(obj, pointer);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(members) = obj.get(key) {
                return self.union(members, &format!("{pointer}/{key}"), schema, ctx);
            }
        }
        let types = self.types(obj, pointer, schema)?;
        match types.as_slice() {
            [] => Ok(self.untyped(obj, pointer, schema, ctx)?),
            [single] => self.typed(single, obj, pointer, schema, ctx),
            several => {
                // `type: ["string", "integer"]`: a union of the plain types.
                let members = several
                    .iter()
                    .map(|t| Ok(bare(pointer, self.typed(t, obj, pointer, &mut bare(pointer, Kind::Any), ctx)?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Kind::Union(members))
            }
        }
    }

    /// The `type` keyword as a list without `null`, which becomes `nullable`.
    fn types(&self, obj: &Map<String, Value>, pointer: &str, schema: &mut Schema) -> Result<Vec<String>> {
        let at = format!("{pointer}/type");
        let mut types: Vec<String> = match obj.get("type") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .map(|t| t.as_str().map(str::to_owned).ok_or_else(|| self.error(&at, "`type` entries must be strings")))
                .collect::<Result<_>>()?,
            Some(_) => return Err(self.error(&at, "`type` must be a string or an array of strings")),
        };
        if types.len() > 1 && types.iter().any(|t| t == "null") {
            types.retain(|t| t != "null");
            schema.nullable = true;
        }
        for t in &types {
            if !["string", "integer", "number", "boolean", "array", "object", "null"].contains(&t.as_str()) {
                return Err(self.error(&at, format!("unknown type `{t}`")));
            }
        }
        Ok(types)
    }

    fn typed(
        &mut self,
        ty: &str,
        obj: &Map<String, Value>,
        pointer: &str,
        schema: &mut Schema,
        ctx: Context,
    ) -> Result<Kind> {
        if let Some(value) = obj.get("const") {
            return Ok(Kind::Const(value.clone()));
        }
        match ty {
            "string" => self.string(obj, pointer, schema),
            "integer" | "number" | "boolean" => {
                if let Some(values) = obj.get("enum").and_then(Value::as_array) {
                    schema.constraints.allowed = values.iter().filter(|v| !v.is_null()).cloned().collect();
                    if values.iter().any(Value::is_null) {
                        schema.nullable = true;
                    }
                }
                Ok(match ty {
                    "integer" => Kind::Integer,
                    "number" => Kind::Number,
                    _ => Kind::Boolean,
                })
            }
            "array" => {
                let items = match obj.get("items") {
                    None | Some(Value::Null) => bare(&format!("{pointer}/items"), Kind::Any),
                    Some(items @ (Value::Object(_) | Value::Bool(_))) => {
                        self.parse(items, &format!("{pointer}/items"), ctx)?
                    }
                    Some(_) => {
                        return Err(
                            self.error(&format!("{pointer}/items"), "tuple-style `items` arrays are not supported")
                        );
                    }
                };
                Ok(Kind::Array(Box::new(items)))
            }
            "object" => self.object(obj, pointer, ctx),
            _ => Ok(Kind::Null),
        }
    }

    fn string(&mut self, obj: &Map<String, Value>, pointer: &str, schema: &mut Schema) -> Result<Kind> {
        let Some(values) = obj.get("enum") else { return Ok(Kind::String) };
        let at = format!("{pointer}/enum");
        let values = values.as_array().ok_or_else(|| self.error(&at, "`enum` must be an array"))?;
        let mut strings: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match v {
                Value::String(s) if !strings.contains(s) => strings.push(s.clone()),
                Value::String(_) => {}
                Value::Null => schema.nullable = true,
                _ => return Err(self.error(&format!("{at}/{i}"), "a string enum may only hold strings and null")),
            }
        }
        if strings.is_empty() {
            return Err(self.error(&at, "`enum` has no string values"));
        }
        Ok(Kind::StringEnum(strings))
    }

    fn object(&mut self, obj: &Map<String, Value>, pointer: &str, ctx: Context) -> Result<Kind> {
        let properties = match obj.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(p)) => p.clone(),
            Some(_) => return Err(self.error(&format!("{pointer}/properties"), "`properties` must be an object")),
        };
        if flag(obj, "file_downloadable") && properties.contains_key("s3url") {
            return Ok(Kind::FileDownload);
        }
        if ctx.file_upload && properties.contains_key("s3key") {
            return Ok(Kind::FileUpload);
        }
        if properties.is_empty() {
            let values =
                match obj.get("additionalProperties").or_else(|| obj.get("patternProperties").and_then(single_value)) {
                    Some(v @ Value::Object(_)) => {
                        self.parse(v, &format!("{pointer}/additionalProperties"), Context::default())?
                    }
                    _ => bare(&format!("{pointer}/additionalProperties"), Kind::Any),
                };
            return Ok(Kind::Map(Box::new(values)));
        }
        // A property whose schema is `false` can never be sent or received: it is left out.
        let mut properties = properties;
        let never: Vec<String> =
            properties.iter().filter(|(_, v)| **v == Value::Bool(false)).map(|(k, _)| k.clone()).collect();
        for name in &never {
            properties.remove(name);
            self.degrade(
                &format!("{pointer}/properties/{}", escape_pointer(name)),
                format!("the property `{name}` has the schema `false` (no value is valid): it is left out"),
            );
        }
        let mut undeclared = Vec::new();
        let required = match obj.get("required") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => {
                let mut names: Vec<String> = Vec::new();
                for (i, r) in list.iter().enumerate() {
                    let at = format!("{pointer}/required/{i}");
                    let name = r.as_str().ok_or_else(|| self.error(&at, "`required` entries must be strings"))?;
                    if names.iter().any(|n| n == name) || never.iter().any(|n| n == name) {
                        continue;
                    }
                    if !properties.contains_key(name) {
                        // Required but undescribed: any JSON value, and still required.
                        let message = format!("required property `{name}` is not declared in `properties`");
                        self.degrade(&at, message.clone());
                        let mut schema = bare(&at, Kind::Any);
                        schema.gave_up = Some(message);
                        undeclared.push((name.to_owned(), schema));
                    }
                    names.push(name.to_owned());
                }
                names
            }
            Some(_) => return Err(self.error(&format!("{pointer}/required"), "`required` must be an array")),
        };
        let mut props = Vec::with_capacity(properties.len() + undeclared.len());
        for (name, value) in &properties {
            let at = format!("{pointer}/properties/{}", escape_pointer(name));
            props.push((name.clone(), self.parse(value, &at, Context::default())?));
        }
        props.extend(undeclared);
        Ok(Kind::Object(ObjectSchema { properties: props, required }))
    }

    /// A schema without `type`: inferred from the keywords it does have.
    fn untyped(&mut self, obj: &Map<String, Value>, pointer: &str, schema: &mut Schema, ctx: Context) -> Result<Kind> {
        if obj.contains_key("const") {
            return Ok(Kind::Const(obj["const"].clone()));
        }
        if obj.contains_key("properties") {
            return self.object(obj, pointer, ctx);
        }
        if obj.contains_key("items") {
            return self.typed("array", obj, pointer, schema, ctx);
        }
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            if values.iter().all(|v| v.is_string() || v.is_null()) {
                return self.string(obj, pointer, schema);
            }
            schema.constraints.allowed = values.clone();
        }
        Ok(Kind::Any)
    }

    fn reference(&self, target: &str, pointer: &str) -> Result<String> {
        ["#/$defs/", "#/definitions/"]
            .iter()
            .find_map(|prefix| target.strip_prefix(prefix))
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .map(|name| name.replace("~1", "/").replace("~0", "~"))
            .ok_or_else(|| {
                self.error(pointer, format!("unsupported reference `{target}`: only `#/$defs/<name>` is resolved"))
            })
    }

    fn all_of(&mut self, all: &Value, pointer: &str, schema: &mut Schema, ctx: Context) -> Result<Kind> {
        let at = format!("{pointer}/allOf");
        let members = all.as_array().ok_or_else(|| self.error(&at, "`allOf` must be an array"))?;
        let mut parsed = members
            .iter()
            .enumerate()
            .map(|(i, m)| self.parse(m, &format!("{at}/{i}"), ctx))
            .collect::<Result<Vec<_>>>()?;
        if parsed.len() == 1 {
            let only = parsed.remove(0);
            absorb(schema, &only);
            return Ok(only.kind);
        }
        let mut merged = ObjectSchema { properties: Vec::new(), required: Vec::new() };
        for (i, member) in parsed.into_iter().enumerate() {
            let member_at = format!("{at}/{i}");
            let kind = match member.kind {
                Kind::Ref(name) => self.merged_definition(&name, &member_at, ctx)?,
                other => other,
            };
            let Kind::Object(object) = kind else {
                return Err(self.error(&member_at, "`allOf` is only supported over objects"));
            };
            for (name, prop) in object.properties {
                match merged.properties.iter().find(|(n, _)| *n == name) {
                    None => merged.properties.push((name, prop)),
                    // Members often repeat a shared property (an id): one is enough.
                    Some((_, first)) if same_shape(first, &prop) => {}
                    Some(_) => {
                        return Err(self.error(&member_at, format!("`allOf` members declare `{name}` differently")));
                    }
                }
            }
            for name in object.required {
                if !merged.required.contains(&name) {
                    merged.required.push(name);
                }
            }
        }
        merged.properties.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Kind::Object(merged))
    }

    /// The definition an `allOf` member refers to, parsed in place so its properties can be
    /// merged with the other members'.
    fn merged_definition(&mut self, name: &str, at: &str, ctx: Context) -> Result<Kind> {
        let found = ["$defs", "definitions"]
            .into_iter()
            .find_map(|key| self.document.get(key).and_then(|defs| defs.get(name)).map(|def| (key, def)));
        let Some((key, def)) = found else {
            return Err(self.error(at, format!("`#/$defs/{name}` does not exist in this schema")));
        };
        if self.merging.iter().any(|n| n == name) {
            return Err(self.error(at, format!("`allOf` merges `{name}` into itself")));
        }
        if self.merging.len() >= MAX_MERGE_DEPTH {
            return Err(self.error(at, format!("`allOf` merges definitions nested deeper than {MAX_MERGE_DEPTH}")));
        }
        let memo = (name.to_owned(), ctx.file_upload);
        if let Some(done) = self.merged.get(&memo) {
            return done.clone().map_err(|(pointer, message)| self.error(&pointer, message));
        }
        self.merging.push(name.to_owned());
        let def_at = format!("{}/{key}/{}", self.document_pointer, escape_pointer(name));
        let parsed = self.parse_exact(def, &def_at, ctx).map(|s| s.kind);
        self.merging.pop();
        let parsed = match parsed {
            Ok(kind) => Ok(kind),
            Err(Error::Schema { pointer, message, .. }) => Err((pointer, message)),
            Err(other) => return Err(other),
        };
        // Kept whatever the stack was: a result that a cycle or the depth limit shaped is then
        // reused elsewhere, which is still deterministic, and every definition is parsed once.
        self.merged.insert(memo, parsed.clone());
        parsed.map_err(|(pointer, message)| self.error(&pointer, message))
    }

    fn union(&mut self, members: &Value, at: &str, schema: &mut Schema, ctx: Context) -> Result<Kind> {
        let list = members.as_array().ok_or_else(|| self.error(at, "must be an array of schemas"))?;
        let mut parsed = Vec::new();
        for (i, m) in list.iter().enumerate() {
            let member = self.parse(m, &format!("{at}/{i}"), ctx)?;
            if matches!(member.kind, Kind::Null) {
                schema.nullable = true;
            } else {
                if member.nullable {
                    schema.nullable = true;
                }
                parsed.push(member);
            }
        }
        // Members that differ only in annotations (two string formats) are one type to Rust.
        let mut distinct: Vec<Schema> = Vec::new();
        for member in parsed {
            match distinct.iter_mut().find(|d| same_shape(d, &member)) {
                // The value may meet either member's constraints: they cannot be checked as
                // one set.
                Some(kept) if kept.constraints != member.constraints || kept.format != member.format => {
                    kept.constraints.alternatives = true;
                }
                Some(_) => {}
                None => distinct.push(member),
            }
        }
        match distinct.len() {
            0 => Ok(Kind::Null),
            1 => {
                let only = distinct.remove(0);
                absorb(schema, &only);
                Ok(only.kind)
            }
            _ => Ok(Kind::Union(distinct)),
        }
    }

    fn tagged(&mut self, obj: &Map<String, Value>, pointer: &str) -> Result<Kind> {
        let at = format!("{pointer}/discriminator");
        let disc =
            obj["discriminator"].as_object().ok_or_else(|| self.error(&at, "`discriminator` must be an object"))?;
        let property = disc
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(&format!("{at}/propertyName"), "missing string `propertyName`"))?
            .to_owned();
        let mapping: BTreeMap<String, String> = disc
            .get("mapping")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        let one_of = format!("{pointer}/oneOf");
        let members = obj["oneOf"].as_array().ok_or_else(|| self.error(&one_of, "`oneOf` must be an array"))?;
        let mut variants = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_at = format!("{one_of}/{i}");
            let schema = self.parse(member, &member_at, Context::default())?;
            let Kind::Object(object) = &schema.kind else {
                return Err(self.error(&member_at, "a discriminated `oneOf` member must be an object"));
            };
            let Some((_, tag_schema)) = object.properties.iter().find(|(n, _)| *n == property) else {
                return Err(self.error(&member_at, format!("member does not declare the discriminator `{property}`")));
            };
            let tag = match (&tag_schema.kind, &tag_schema.default) {
                (Kind::Const(Value::String(s)), _) => s.clone(),
                (Kind::StringEnum(values), _) if values.len() == 1 => values[0].clone(),
                (_, Some(Value::String(s))) => s.clone(),
                _ => {
                    return Err(self.error(
                        &tag_schema.pointer,
                        format!("cannot tell this member's `{property}` value: expected a `const`, a one-value `enum` or a default"),
                    ));
                }
            };
            if variants.iter().any(|v: &TaggedVariant| v.tag == tag) {
                return Err(self.error(&member_at, format!("two members share the discriminator value `{tag}`")));
            }
            let mapped_name = mapping.get(&tag).and_then(|target| target.rsplit('/').next()).map(str::to_owned);
            variants.push(TaggedVariant { tag, mapped_name, schema });
        }
        if variants.is_empty() {
            return Err(self.error(&one_of, "`oneOf` has no members"));
        }
        Ok(Kind::Tagged(Tagged { property, variants }))
    }

    /// Keeps a default only when it fits, so documentation never states an impossible default.
    fn check_default(&mut self, obj: &Map<String, Value>, pointer: &str, schema: &mut Schema) {
        match obj.get("default") {
            None | Some(Value::Null) => {}
            Some(value) if fits(schema, value) => schema.default = Some(value.clone()),
            Some(value) => {
                self.warn(pointer, format!("default {value} does not fit the schema; it is left out of the docs"))
            }
        }
    }

    fn check_examples(&mut self, obj: &Map<String, Value>, schema: &mut Schema) {
        let examples: Vec<Value> = match obj.get("examples") {
            Some(Value::Array(list)) => list.clone(),
            Some(Value::Null) | None => obj.get("example").into_iter().cloned().collect(),
            Some(other) => vec![other.clone()],
        };
        // Composio's examples are often strings for other types (`"True"`, `"['INBOX']"`):
        // only examples that really are values of the type are worth showing.
        schema.examples = examples.into_iter().filter(|e| !e.is_null() && fits(schema, e)).collect();
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The one schema of a `patternProperties` object with a single pattern.
fn single_value(v: &Value) -> Option<&Value> {
    let map = v.as_object()?;
    if map.len() == 1 { map.values().next() } else { None }
}

fn bare(pointer: &str, kind: Kind) -> Schema {
    Schema {
        pointer: pointer.to_owned(),
        title: None,
        description: None,
        nullable: false,
        default: None,
        examples: Vec::new(),
        format: None,
        constraints: Constraints::default(),
        kind,
        gave_up: None,
    }
}

/// Takes over the annotations of a schema that stands in for `outer` (the one non-null member
/// of an `anyOf`); the outer schema's own annotations win.
fn absorb(outer: &mut Schema, inner: &Schema) {
    outer.nullable |= inner.nullable;
    if outer.title.is_none() {
        outer.title.clone_from(&inner.title);
    }
    if outer.description.is_none() {
        outer.description.clone_from(&inner.description);
    }
    if outer.format.is_none() {
        outer.format.clone_from(&inner.format);
    }
    // Both schemas' keywords apply to the value; where both state one, the outer one is kept.
    let (o, i) = (&mut outer.constraints, &inner.constraints);
    for (mine, theirs) in [
        (&mut o.minimum, &i.minimum),
        (&mut o.maximum, &i.maximum),
        (&mut o.exclusive_minimum, &i.exclusive_minimum),
        (&mut o.exclusive_maximum, &i.exclusive_maximum),
        (&mut o.multiple_of, &i.multiple_of),
    ] {
        if mine.is_none() {
            mine.clone_from(theirs);
        }
    }
    for (mine, theirs) in [
        (&mut o.min_length, i.min_length),
        (&mut o.max_length, i.max_length),
        (&mut o.min_items, i.min_items),
        (&mut o.max_items, i.max_items),
    ] {
        if mine.is_none() {
            *mine = theirs;
        }
    }
    if o.pattern.is_none() {
        o.pattern.clone_from(&i.pattern);
    }
    o.unique_items |= i.unique_items;
    o.alternatives |= i.alternatives;
    if o.allowed.is_empty() {
        o.allowed.clone_from(&i.allowed);
    }
    if outer.examples.is_empty() {
        outer.examples.clone_from(&inner.examples);
    }
    if outer.default.is_none() {
        outer.default.clone_from(&inner.default);
    }
    if outer.gave_up.is_none() {
        outer.gave_up.clone_from(&inner.gave_up);
    }
}

/// Whether two schemas map to the same Rust type, whatever their annotations.
fn same_shape(a: &Schema, b: &Schema) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Array(x), Kind::Array(y)) | (Kind::Map(x), Kind::Map(y)) => same_shape(x, y),
        (Kind::Object(_), _) | (Kind::Tagged(_), _) | (Kind::Union(_), _) => false,
        (x, y) => x == y,
    }
}

/// Whether `value` is an instance of `schema`'s shape, as far as the shape alone can tell.
pub fn fits(schema: &Schema, value: &Value) -> bool {
    if value.is_null() {
        return schema.nullable || matches!(schema.kind, Kind::Any | Kind::Null);
    }
    match &schema.kind {
        Kind::Any | Kind::Ref(_) | Kind::Tagged(_) => true,
        Kind::Null => false,
        Kind::Boolean => value.is_boolean(),
        Kind::Integer => value.is_i64() || value.is_u64(),
        Kind::Number => value.is_number(),
        Kind::String => value.is_string(),
        Kind::StringEnum(values) => value.as_str().is_some_and(|s| values.iter().any(|v| v == s)),
        Kind::Const(c) => c == value,
        Kind::Array(items) => value.as_array().is_some_and(|list| list.iter().all(|v| fits(items, v))),
        Kind::Map(values) => value.as_object().is_some_and(|m| m.values().all(|v| fits(values, v))),
        Kind::Object(object) => value.as_object().is_some_and(|m| {
            object.required.iter().all(|r| m.contains_key(r))
                && object.properties.iter().all(|(name, s)| m.get(name).is_none_or(|v| fits(s, v)))
        }),
        Kind::Union(members) => members.iter().any(|m| fits(m, value)),
        Kind::FileUpload | Kind::FileDownload => value.is_object(),
    }
}

/// A `$ref` to a definition the document does not hold becomes "any JSON value", reported.
fn drop_dangling_refs(schema: &mut Schema, defs: &BTreeSet<String>, parser: &mut Parser<'_>) {
    match &mut schema.kind {
        Kind::Ref(name) if !defs.contains(name.as_str()) => {
            let message = format!("`#/$defs/{name}` does not exist in this schema");
            parser.degrade(&format!("{}/$ref", schema.pointer), message.clone());
            schema.kind = Kind::Any;
            schema.gave_up = Some(message);
        }
        Kind::Array(inner) | Kind::Map(inner) => drop_dangling_refs(inner, defs, parser),
        Kind::Object(object) => object.properties.iter_mut().for_each(|(_, s)| drop_dangling_refs(s, defs, parser)),
        Kind::Tagged(tagged) => {
            tagged.variants.iter_mut().for_each(|v| drop_dangling_refs(&mut v.schema, defs, parser))
        }
        Kind::Union(members) => members.iter_mut().for_each(|m| drop_dangling_refs(m, defs, parser)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Schema {
        parse_document("T", "", &v, &mut Vec::new()).unwrap().root
    }

    #[test]
    fn nullable_spellings_agree() {
        let forms = [
            json!({"type": "string", "nullable": true, "default": null}),
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "default": null}),
            json!({"type": "string", "anyOf": [{"type": "string"}, {"type": "null"}]}),
            json!({"type": ["string", "null"]}),
        ];
        for form in forms {
            let s = parse(form.clone());
            assert!(s.nullable, "{form}");
            assert_eq!(s.kind, Kind::String, "{form}");
            assert_eq!(s.default, None);
        }
    }

    #[test]
    fn stray_properties_on_strings_are_ignored() {
        let s = parse(json!({"type": "array", "items": {"properties": {}, "type": "string"}}));
        assert!(matches!(s.kind, Kind::Array(ref items) if items.kind == Kind::String));
    }

    #[test]
    fn examples_of_the_wrong_type_are_dropped() {
        let s = parse(json!({"type": "boolean", "examples": ["True", true]}));
        assert_eq!(s.examples, vec![json!(true)]);
    }

    #[test]
    fn a_default_outside_the_enum_is_a_warning() {
        let mut warnings = Vec::new();
        let doc = parse_document("T", "/x", &json!({"type": "string", "enum": ["a"], "default": "b"}), &mut warnings)
            .unwrap();
        assert_eq!(doc.root.default, None);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pointer, "/x");
    }

    #[test]
    fn what_cannot_be_mapped_degrades_with_slug_and_pointer() {
        let mut warnings = Vec::new();
        let doc = parse_document(
            "GITHUB_X",
            "/input_parameters",
            &json!({"type": "object", "properties": {"a/b": {"type": "strin", "description": "kept"}}}),
            &mut warnings,
        )
        .unwrap();
        let Kind::Object(object) = &doc.root.kind else { panic!("{:?}", doc.root.kind) };
        let (_, ab) = &object.properties[0];
        assert_eq!(
            (&ab.kind, ab.gave_up.as_deref(), ab.description.as_deref()),
            (&Kind::Any, Some("unknown type `strin`"), Some("kept"))
        );
        assert_eq!(
            warnings[0].to_string(),
            "GITHUB_X: schema at /input_parameters/properties/a~1b/type: unknown type `strin`"
        );
        assert!(warnings[0].degraded);
        let mut warnings = Vec::new();
        let doc = parse_document("GITHUB_X", "/output_parameters", &json!({"$ref": "#/$defs/Missing"}), &mut warnings)
            .unwrap();
        assert_eq!(doc.root.kind, Kind::Any);
        assert_eq!(
            warnings[0].to_string(),
            "GITHUB_X: schema at /output_parameters/$ref: `#/$defs/Missing` does not exist in this schema"
        );
    }

    #[test]
    fn all_of_chains_are_parsed_once_per_definition_and_bounded() {
        // Each definition merges the next one twice: parsed per path, this would take 2^60 steps.
        let mut defs = Map::new();
        for i in 0..60 {
            let next = json!({"$ref": format!("#/$defs/D{}", i + 1)});
            defs.insert(format!("D{i}"), json!({"allOf": [next.clone(), next]}));
        }
        defs.insert("D60".into(), json!({"type": "object", "properties": {"x": {"type": "string"}}}));
        let doc = json!({"type": "object", "properties": {"d": {"$ref": "#/$defs/D0"}}, "$defs": defs});
        let mut warnings = Vec::new();
        parse_document("T", "", &doc, &mut warnings).unwrap();
        assert!(warnings.iter().any(|w| w.message.contains("nested deeper than 32")), "{warnings:?}");
    }

    #[test]
    fn discriminator_with_dangling_mapping_uses_inline_members() {
        let s = parse(json!({
            "discriminator": {"propertyName": "type", "mapping": {"a": "#/$defs/AThing"}},
            "oneOf": [
                {"type": "object", "properties": {"type": {"const": "a"}, "x": {"type": "string"}}},
                {"type": "object", "properties": {"type": {"type": "string", "enum": ["b"]}}}
            ]
        }));
        let Kind::Tagged(t) = s.kind else { panic!("not tagged") };
        assert_eq!(t.variants[0].mapped_name.as_deref(), Some("AThing"));
        assert_eq!(t.variants[1].tag, "b");
    }
}
