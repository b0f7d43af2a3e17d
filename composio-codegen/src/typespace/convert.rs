//! Conversion: each tool's input and output schemas into type definitions, one schema node at a
//! time, with `$defs` reserved before they are filled so recursion needs no prediction.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::checks::check_of;
use super::{DocCx, MAX_DEPTH, TypeSpace};
use crate::error::Result;
use crate::ir::{
    Enum, Field, FieldDocs, Fill, Origin, Role, Struct, Tagged, TaggedVariant, ToolIr, Ty, TypeDef, TypeId, TypeKind,
    Untagged, UntaggedVariant, Variant,
};
use crate::model::ToolDef;
use crate::naming::{self, Claims};
use crate::schema::{self, Document, Kind, Schema, Warning};

impl TypeSpace {
    pub(super) fn tool(&mut self, tool: &ToolDef, function: String, warnings: &mut Vec<Warning>) -> Result<ToolIr> {
        self.tool_as(tool, function, ("Input", "Output"), warnings)
    }

    /// [`TypeSpace::tool`] with the suffixes of the two root types: a trigger type, read as a
    /// tool, names its config `…Config` and its payload `…Payload`.
    pub(super) fn tool_as(
        &mut self,
        tool: &ToolDef,
        function: String,
        (input_suffix, output_suffix): (&str, &str),
        warnings: &mut Vec<Warning>,
    ) -> Result<ToolIr> {
        let base = function.trim_start_matches('_').to_upper_camel_case();
        if !crate::model::is_plain_slug(&tool.slug) {
            warnings.push(Warning {
                slug: tool.slug.clone(),
                pointer: "/slug".to_owned(),
                message: format!(
                    "the slug holds characters other than letters, digits and `_`: its Rust name is \
                     `{function}`, and calls send the slug as it is"
                ),
                degraded: true,
            });
        }
        let input_doc = schema::parse_document(&tool.slug, "/input_parameters", tool.input_parameters(), warnings)?;
        let output_doc = schema::parse_document(&tool.slug, "/output_parameters", tool.output_parameters(), warnings)?;
        let mut cx = DocCx::new(&tool.slug, Role::Input, &input_doc);
        let input = self.input_root(&mut cx, &format!("{base}{input_suffix}"))?;
        warnings.append(&mut cx.warnings);

        let mut cx = DocCx::new(&tool.slug, Role::Output, &output_doc);
        let mut output_gave_up = None;
        let output = self.output_root(&mut cx, &format!("{base}{output_suffix}"), &mut output_gave_up)?;
        warnings.append(&mut cx.warnings);

        Ok(ToolIr {
            slug: tool.slug.clone(),
            name: tool.name.clone(),
            description: tool.description.clone(),
            tags: tool.tags.clone(),
            deprecated: tool.deprecated,
            function,
            input,
            output,
            input_schema: tool.input_parameters().to_string(),
            output_schema: tool.output_parameters().to_string(),
            output_gave_up,
        })
    }

    /// The input type: always a struct of its own, even without properties. An input schema
    /// that cannot be typed gives a struct holding the arguments as one JSON object.
    pub(super) fn input_root(&mut self, cx: &mut DocCx<'_>, name: &str) -> Result<TypeId> {
        let doc = cx.doc;
        let mut root = &doc.root;
        if let Kind::Ref(def) = &root.kind {
            root = &doc.defs[def];
        }
        // Reserved first, so the input precedes the types nested in it.
        let id = self.reserve();
        let st = match &root.kind {
            Kind::Object(object) => self.structure(cx, object)?,
            Kind::Map(_) | Kind::Any if root.gave_up.is_none() => Struct::default(),
            _ => {
                let reason = match &root.gave_up {
                    Some(reason) => reason.clone(),
                    None => {
                        let reason = "`input_parameters` must describe an object".to_owned();
                        cx.give_up(&root.pointer, reason.clone());
                        cx.gave_up = None;
                        reason
                    }
                };
                free_form_arguments(reason)
            }
        };
        self.types[id] = TypeDef {
            name: String::new(),
            role: Role::Input,
            description: root.description.clone(),
            origin: Origin { fixed: Some(name.to_owned()), title: root.title.clone(), ..Origin::default() },
            kind: TypeKind::Struct(st),
        };
        self.adopt(id);
        Ok(id)
    }

    /// The type of the envelope's `data` payload. An inline object gets the tool's own output
    /// type; a free-form object stays `JsonObject`; a `$ref` uses the definition's type.
    pub(super) fn output_root(&mut self, cx: &mut DocCx<'_>, name: &str, gave_up: &mut Option<String>) -> Result<Ty> {
        let doc = cx.doc;
        let data = match &doc.root.kind {
            Kind::Object(envelope) => envelope.properties.iter().find(|(n, _)| n == "data").map(|(_, s)| s.clone()),
            _ => None,
        };
        let Some(data) = data else {
            gave_up.clone_from(&doc.root.gave_up);
            return Ok(Ty::Any);
        };
        let Kind::Object(object) = &data.kind else {
            cx.gave_up = None;
            let ty = self.ty(cx, &data, "data")?;
            *gave_up = cx.gave_up.take().or_else(|| gave_up_in(&data).map(str::to_owned));
            return Ok(ty);
        };
        let id = self.reserve();
        let st = self.structure(cx, object)?;
        self.types[id] = TypeDef {
            name: String::new(),
            role: Role::Output,
            description: data.description.clone(),
            origin: Origin { fixed: Some(name.to_owned()), title: data.title.clone(), ..Origin::default() },
            kind: TypeKind::Struct(st),
        };
        self.adopt(id);
        Ok(if data.nullable { Ty::Named(id).nullable() } else { Ty::Named(id) })
    }

    /// The Rust type of a schema. `role_in_parent` names the value in its parent (`labels`,
    /// `labels_item`) for types that need a name.
    pub(super) fn ty(&mut self, cx: &mut DocCx<'_>, s: &Schema, role_in_parent: &str) -> Result<Ty> {
        if cx.depth >= MAX_DEPTH {
            return Ok(cx.give_up(&s.pointer, format!("schemas nest deeper than {MAX_DEPTH} levels")));
        }
        cx.depth += 1;
        let ty = self.ty_at_depth(cx, s, role_in_parent);
        cx.depth -= 1;
        ty
    }

    pub(super) fn ty_at_depth(&mut self, cx: &mut DocCx<'_>, s: &Schema, role_in_parent: &str) -> Result<Ty> {
        let ty = match &s.kind {
            Kind::Any | Kind::Null => Ty::Any,
            Kind::Boolean => Ty::Bool,
            Kind::Integer => integer_ty(&s.constraints),
            Kind::Number => Ty::F64,
            Kind::String => Ty::String,
            Kind::Const(Value::String(value)) => {
                self.named(cx, s, role_in_parent, TypeKind::Enum(enum_of(std::slice::from_ref(value))))
            }
            Kind::Const(Value::Bool(_)) => Ty::Bool,
            Kind::Const(Value::Number(n)) if n.is_i64() => Ty::I64,
            Kind::Const(Value::Number(n)) if n.is_u64() => Ty::U64,
            Kind::Const(Value::Number(_)) => Ty::F64,
            Kind::Const(_) => Ty::Any,
            Kind::StringEnum(values) => self.named(cx, s, role_in_parent, TypeKind::Enum(enum_of(values))),
            Kind::Array(items) => Ty::Vec(Box::new(self.ty(cx, items, &format!("{role_in_parent}_item"))?)),
            Kind::Map(values) => match values.kind {
                Kind::Any if !values.nullable => Ty::Object,
                _ => Ty::Map(Box::new(self.ty(cx, values, &format!("{role_in_parent}_value"))?)),
            },
            Kind::Object(object) => {
                let st = self.structure(cx, object)?;
                self.named(cx, s, role_in_parent, TypeKind::Struct(st))
            }
            Kind::Ref(name) => self.def(cx, name, role_in_parent)?,
            Kind::Tagged(tagged) => {
                let tagged = self.tagged(cx, tagged, role_in_parent)?;
                self.named(cx, s, role_in_parent, TypeKind::Tagged(tagged))
            }
            Kind::Union(members) => {
                let untagged = self.untagged(cx, members, role_in_parent)?;
                self.named(cx, s, role_in_parent, TypeKind::Untagged(untagged))
            }
            Kind::FileUpload if cx.role == Role::Input => Ty::FileUpload,
            Kind::FileDownload if cx.role == Role::Output => Ty::FileDownload,
            // A file marker on the wrong side is an ordinary object.
            Kind::FileUpload | Kind::FileDownload => Ty::Object,
        };
        Ok(if s.nullable { ty.nullable() } else { ty })
    }

    pub(super) fn named(&mut self, cx: &DocCx<'_>, s: &Schema, role_in_parent: &str, kind: TypeKind) -> Ty {
        let def = TypeDef {
            name: String::new(),
            role: cx.role,
            description: s.description.clone(),
            origin: Origin {
                title: s.title.clone(),
                role_in_parent: Some(role_in_parent.to_owned()),
                ..Origin::default()
            },
            kind,
        };
        Ty::Named(self.intern(def))
    }

    pub(super) fn structure(&mut self, cx: &mut DocCx<'_>, object: &schema::ObjectSchema) -> Result<Struct> {
        let names: Vec<&str> = object.properties.iter().map(|(n, _)| n.as_str()).collect();
        let idents = naming::assign_unique(&names, naming::field_ident, &mut Claims::default());
        let mut fields = Vec::with_capacity(names.len());
        for ((name, prop), ident) in object.properties.iter().zip(idents) {
            let required = object.required.contains(name);
            cx.gave_up = None;
            let ty = self.ty(cx, prop, name)?;
            let gave_up = cx.gave_up.take().or_else(|| gave_up_in(prop).map(str::to_owned));
            let fill = if required { self.fill(prop, &ty) } else { None };
            // Only outputs: an absent input is left out so the server applies its default.
            let defaulted = !required
                && cx.role == Role::Output
                && prop.default.as_ref().is_some_and(|default| is_rust_default(default, &ty));
            let ty = if required || defaulted { ty } else { ty.optional() };
            let check = check_of(cx, prop, &ty);
            fields.push(Field {
                json_name: name.clone(),
                ident,
                docs: field_docs(prop, &ty),
                ty,
                required,
                defaulted,
                fill,
                gave_up,
                flatten: false,
                check,
            });
        }
        Ok(Struct { fields, required_order: object.required.clone() })
    }

    /// A required property with a single possible value needs no constructor argument.
    pub(super) fn fill(&self, prop: &Schema, ty: &Ty) -> Option<Fill> {
        let Kind::Const(value) = &prop.kind else { return None };
        match (value, ty) {
            (Value::String(_), Ty::Named(id)) => match &self.types[*id].kind {
                TypeKind::Enum(e) => Some(Fill::Variant(*id, e.variants[0].ident.clone())),
                _ => None,
            },
            (Value::Bool(_) | Value::Number(_), Ty::Bool | Ty::I64 | Ty::U64 | Ty::F64) => {
                Some(Fill::Literal(value.clone()))
            }
            _ => None,
        }
    }

    pub(super) fn tagged(
        &mut self,
        cx: &mut DocCx<'_>,
        tagged: &schema::Tagged,
        role_in_parent: &str,
    ) -> Result<Tagged> {
        let mut claims = Claims::default();
        let mut variants = Vec::with_capacity(tagged.variants.len());
        for variant in &tagged.variants {
            let Kind::Object(object) = &variant.schema.kind else {
                unreachable!("the schema stage only accepts object members")
            };
            let rest = schema::ObjectSchema {
                properties: object.properties.iter().filter(|(n, _)| *n != tagged.property).cloned().collect(),
                required: object.required.iter().filter(|n| **n != tagged.property).cloned().collect(),
            };
            let payload = if rest.properties.is_empty() {
                None
            } else {
                let st = self.structure(cx, &rest)?;
                let def = TypeDef {
                    name: String::new(),
                    role: cx.role,
                    description: variant.schema.description.clone(),
                    origin: Origin {
                        title: variant.schema.title.clone(),
                        given: variant.mapped_name.clone(),
                        role_in_parent: Some(format!("{role_in_parent}_{}", variant.tag)),
                        ..Origin::default()
                    },
                    kind: TypeKind::Struct(st),
                };
                Some(self.intern(def))
            };
            variants.push(TaggedVariant {
                ident: claims.claim(&naming::variant_ident(&variant.tag)),
                value: variant.tag.clone(),
                payload,
            });
        }
        Ok(Tagged { tag: tagged.property.clone(), variants })
    }

    pub(super) fn untagged(
        &mut self,
        cx: &mut DocCx<'_>,
        members: &[Schema],
        role_in_parent: &str,
    ) -> Result<Untagged> {
        let mut variants = Vec::with_capacity(members.len());
        for (i, member) in members.iter().enumerate() {
            let label = member_label(member);
            let ty = self.ty(cx, member, &format!("{role_in_parent}_{label}"))?;
            let check = check_of(cx, member, &ty);
            variants.push((i, label, ty, check));
        }
        // Decoding tries variants in order: the narrower types go first, so `1` stays an
        // integer and `"x"` is not swallowed by a catch-all.
        variants.sort_by_key(|(i, _, ty, _)| (decode_rank(ty.strip_option()), *i));
        let mut claims = Claims::default();
        Ok(Untagged {
            variants: variants
                .into_iter()
                .map(|(_, label, ty, check)| UntaggedVariant {
                    ident: claims.claim(&naming::variant_ident(&label)),
                    ty,
                    check,
                })
                .collect(),
        })
    }

    /// The type of a `$defs` (or `definitions`) entry, converted once per document.
    /// Definitions that become named types are shared across tools when their whole
    /// definition closure is identical, and, when they do not contain themselves, with any
    /// type of the same shape.
    pub(super) fn def(&mut self, cx: &mut DocCx<'_>, name: &str, role_in_parent: &str) -> Result<Ty> {
        if let Some(ty) = cx.defs.get(name) {
            return Ok(ty.clone());
        }
        let doc = cx.doc;
        let def = &doc.defs[name];
        let named = matches!(def.kind, Kind::Object(_) | Kind::StringEnum(_) | Kind::Tagged(_) | Kind::Union(_));
        if !named {
            if !cx.converting.insert(name.to_owned()) {
                // No Rust type is its own list or map without a struct between: JSON it is.
                return Ok(
                    cx.give_up(&def.pointer, format!("`{name}` refers to itself without passing through an object"))
                );
            }
            let ty = self.ty(cx, def, role_in_parent)?;
            cx.converting.remove(name);
            cx.defs.insert(name.to_owned(), ty.clone());
            return Ok(ty);
        }
        // Reserve, then fill: the id is known before the body is converted, so a reference
        // back to this definition, however spelled, finds it, and recursion never has to be
        // predicted.
        let key = format!("def|{:?}|{name}|{}", cx.role, def_closure(doc, name));
        if let Some(&id) = self.interned.get(&key) {
            let ty = nullable_if(Ty::Named(id), def.nullable);
            cx.defs.insert(name.to_owned(), ty.clone());
            return Ok(ty);
        }
        let reserved = self.reserve();
        cx.defs.insert(name.to_owned(), nullable_if(Ty::Named(reserved), def.nullable));
        let kind = match &def.kind {
            Kind::Object(object) => TypeKind::Struct(self.structure(cx, object)?),
            Kind::StringEnum(values) => TypeKind::Enum(enum_of(values)),
            Kind::Tagged(tagged) => TypeKind::Tagged(self.tagged(cx, tagged, name)?),
            Kind::Union(members) => TypeKind::Untagged(self.untagged(cx, members, name)?),
            _ => unreachable!("checked above"),
        };
        let filled = TypeDef {
            name: String::new(),
            role: cx.role,
            description: def.description.clone(),
            origin: Origin {
                title: def.title.clone(),
                given: Some(name.to_owned()),
                role_in_parent: Some(role_in_parent.to_owned()),
                ..Origin::default()
            },
            kind,
        };
        // A definition that does not contain itself is shared like any inline shape of the
        // same structure, met before or after it; the reserved slot is then left unused.
        let recursive = self.reaches(&filled.kind, reserved);
        let shared = if recursive { None } else { self.find_shared(&filled) };
        let id = match shared {
            Some(existing) => {
                self.orphans.push(reserved);
                self.types[existing].origin.given.get_or_insert_with(|| name.to_owned());
                existing
            }
            None => {
                self.types[reserved] = filled;
                if !recursive {
                    self.register(reserved);
                }
                self.adopt(reserved);
                reserved
            }
        };
        self.interned.insert(key, id);
        let ty = nullable_if(Ty::Named(id), def.nullable);
        cx.defs.insert(name.to_owned(), ty.clone());
        Ok(ty)
    }
}

pub(super) fn nullable_if(ty: Ty, nullable: bool) -> Ty {
    if nullable { ty.nullable() } else { ty }
}

pub(super) fn box_named(ty: Ty) -> Ty {
    match ty {
        Ty::Option(inner) => Ty::Option(Box::new(box_named(*inner))),
        named => Ty::Boxed(Box::new(named)),
    }
}

pub(super) fn enum_of(values: &[String]) -> Enum {
    let raws: Vec<&str> = values.iter().map(String::as_str).collect();
    let idents = naming::assign_unique(&raws, naming::variant_ident, &mut Claims::default());
    Enum { variants: values.iter().zip(idents).map(|(value, ident)| Variant { ident, value: value.clone() }).collect() }
}

/// A short label for an untagged member, used for its variant name.
pub(super) fn member_label(s: &Schema) -> String {
    match &s.kind {
        Kind::Boolean | Kind::Const(Value::Bool(_)) => "bool".into(),
        Kind::Integer => "integer".into(),
        Kind::Number => "number".into(),
        Kind::String | Kind::StringEnum(_) | Kind::Const(Value::String(_)) => match &s.title {
            Some(t) if matches!(s.kind, Kind::StringEnum(_)) => t.clone(),
            _ => "string".into(),
        },
        Kind::Array(items) => format!("{}_list", member_label(items)),
        Kind::Map(_) => "map".into(),
        Kind::FileUpload | Kind::FileDownload => "file".into(),
        Kind::Ref(name) => name.clone(),
        Kind::Object(_) | Kind::Tagged(_) | Kind::Union(_) => s.title.clone().unwrap_or_else(|| "object".into()),
        Kind::Any | Kind::Null | Kind::Const(_) => "value".into(),
    }
}

pub(super) fn decode_rank(ty: &Ty) -> u8 {
    match ty {
        Ty::Bool => 0,
        Ty::I64 | Ty::U64 | Ty::I128 => 1,
        Ty::F64 => 2,
        Ty::String => 3,
        Ty::Named(_) | Ty::Boxed(_) | Ty::FileUpload | Ty::FileDownload => 4,
        Ty::Vec(_) => 5,
        Ty::Map(_) => 6,
        Ty::Object => 7,
        Ty::Option(_) | Ty::Any => 8,
    }
}

/// The definitions `name` depends on, as parsed: two documents share a definition's type only
/// if everything it reaches is identical too. Read from the parsed [`Document`], whose
/// references are already unescaped and whose definitions merge `$defs` and `definitions`.
pub(super) fn def_closure(doc: &Document, name: &str) -> String {
    let mut pending = vec![name];
    let mut closure = BTreeMap::new();
    while let Some(next) = pending.pop() {
        if closure.contains_key(next) {
            continue;
        }
        let Some(def) = doc.defs.get(next) else { continue };
        collect_refs(def, &mut pending);
        closure.insert(next, def);
    }
    format!("{closure:?}")
}

/// The definitions a schema refers to, directly or through nested schemas.
pub(super) fn collect_refs<'d>(s: &'d Schema, out: &mut Vec<&'d str>) {
    match &s.kind {
        Kind::Ref(name) => out.push(name),
        Kind::Array(inner) | Kind::Map(inner) => collect_refs(inner, out),
        Kind::Object(object) => object.properties.iter().for_each(|(_, p)| collect_refs(p, out)),
        Kind::Tagged(tagged) => tagged.variants.iter().for_each(|v| collect_refs(&v.schema, out)),
        Kind::Union(members) => members.iter().for_each(|m| collect_refs(m, out)),
        Kind::Any
        | Kind::Null
        | Kind::Boolean
        | Kind::Integer
        | Kind::Number
        | Kind::String
        | Kind::StringEnum(_)
        | Kind::Const(_)
        | Kind::FileUpload
        | Kind::FileDownload => {}
    }
}

/// Bounds on a count in words: "exactly 6 characters", "at least 1 item", "at most 3 items".
fn counted(constraints: &mut Vec<String>, min: Option<u64>, max: Option<u64>, noun: &str) {
    let words = |n: u64| if n == 1 { format!("{n} {noun}") } else { format!("{n} {noun}s") };
    match (min, max) {
        (Some(min), Some(max)) if min == max => constraints.push(format!("exactly {}", words(min))),
        (min, max) => {
            if let Some(min) = min {
                constraints.push(format!("at least {}", words(min)));
            }
            if let Some(max) = max {
                constraints.push(format!("at most {}", words(max)));
            }
        }
    }
}

pub(super) fn field_docs(s: &Schema, ty: &Ty) -> FieldDocs {
    let c = &s.constraints;
    let mut constraints = Vec::new();
    let num = |v: &Value| v.to_string();
    if let Some(v) = &c.minimum {
        constraints.push(format!("at least {}", num(v)));
    }
    if let Some(v) = &c.exclusive_minimum {
        constraints.push(format!("greater than {}", num(v)));
    }
    if let Some(v) = &c.maximum {
        constraints.push(format!("at most {}", num(v)));
    }
    if let Some(v) = &c.exclusive_maximum {
        constraints.push(format!("less than {}", num(v)));
    }
    if let Some(v) = &c.multiple_of {
        constraints.push(format!("a multiple of {}", num(v)));
    }
    counted(&mut constraints, c.min_length, c.max_length, "character");
    counted(&mut constraints, c.min_items, c.max_items, "item");
    if let Some(p) = &c.pattern {
        constraints.push(format!("matches `{p}`"));
    }
    if !c.allowed.is_empty() {
        let allowed: Vec<String> = c.allowed.iter().map(|v| format!("`{v}`")).collect();
        constraints.push(format!("one of {}", allowed.join(", ")));
    }
    if s.kind == Kind::Integer && *ty.strip_option() == Ty::F64 {
        constraints
            .push("a whole number (its bounds are beyond what JSON carries as an integer, so it is an `f64`)".into());
    }
    FieldDocs {
        description: s.description.clone(),
        default: s.default.clone(),
        format: s.format.clone(),
        constraints,
        examples: s.examples.iter().take(2).cloned().collect(),
        file_upload: contains_file(ty),
    }
}

/// Whether `value` is what `Default` gives for `ty`, so `#[serde(default)]` reproduces the
/// server's default without a generated function per field. Other defaults (`1`, `true`,
/// `"open"`) keep the field an `Option`: a default function each would cost more code and
/// compile time than `unwrap_or` costs callers. A nullable type is never defaulted: there
/// `null` means something.
pub(super) fn is_rust_default(value: &Value, ty: &Ty) -> bool {
    match (value, ty) {
        (Value::Array(items), Ty::Vec(_)) => items.is_empty(),
        (Value::Object(map), Ty::Object | Ty::Map(_)) => map.is_empty(),
        (Value::Bool(b), Ty::Bool) => !b,
        (Value::Number(n), Ty::I64 | Ty::U64 | Ty::I128) => n.as_i64() == Some(0),
        (Value::Number(n), Ty::F64) => n.as_f64() == Some(0.0),
        (Value::String(s), Ty::String) => s.is_empty(),
        _ => false,
    }
}

pub(super) fn contains_file(ty: &Ty) -> bool {
    match ty {
        Ty::FileUpload => true,
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => contains_file(inner),
        _ => false,
    }
}

/// The integer type that holds every value a schema's bounds allow. Bounds within `i64` (or
/// none) keep `i64`; beyond it, `u64` when nothing below 0 is allowed, `i128` when the bounds
/// stay within what JSON parsers carry exactly (`i64::MIN` to `u64::MAX`), else `f64`, which
/// at least holds every value approximately, as JSON parsers do.
pub(super) fn integer_ty(c: &schema::Constraints) -> Ty {
    // The least (or greatest) whole number a bound allows; `None` beyond i128.
    fn bound(v: &Value, lower: bool, exclusive: bool) -> Option<i128> {
        let step = match (exclusive, lower) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        };
        if let Some(i) = v.as_i64() {
            return Some(i128::from(i) + step);
        }
        if let Some(u) = v.as_u64() {
            return Some(i128::from(u) + step);
        }
        let f = v.as_f64()?;
        let whole = match (lower, exclusive) {
            (true, false) => f.ceil(),
            (true, true) => f.floor() + 1.0,
            (false, false) => f.floor(),
            (false, true) => f.ceil() - 1.0,
        };
        // Float to int casts saturate: only values well inside i128 are taken as they are.
        (whole.abs() < 1e38).then_some(whole as i128)
    }
    const BEYOND: Option<Option<i128>> = Some(None);
    let lower = match (&c.minimum, &c.exclusive_minimum) {
        (Some(v), _) => Some(bound(v, true, false)),
        (None, Some(v)) => Some(bound(v, true, true)),
        (None, None) => None,
    };
    let upper = match (&c.maximum, &c.exclusive_maximum) {
        (Some(v), _) => Some(bound(v, false, false)),
        (None, Some(v)) => Some(bound(v, false, true)),
        (None, None) => None,
    };
    if lower == BEYOND || upper == BEYOND {
        return Ty::F64;
    }
    let (lower, upper) = (lower.flatten(), upper.flatten());
    let at_least = |min: i128| lower.is_some_and(|l| l >= min);
    let at_most = |max: i128| upper.is_none_or(|u| u <= max);
    let i64_min = i128::from(i64::MIN);
    let in_i64 = |b: Option<i128>| b.is_none_or(|b| i64::try_from(b).is_ok());
    if in_i64(lower) && in_i64(upper) {
        Ty::I64
    } else if at_least(0) && at_most(i128::from(u64::MAX)) {
        Ty::U64
    } else if at_least(i64_min) && at_most(i128::from(u64::MAX)) {
        Ty::I128
    } else {
        Ty::F64
    }
}

/// The one field of the input of a tool whose input schema cannot be typed: the arguments as
/// a JSON object, flattened so they are sent as the whole argument object.
fn free_form_arguments(reason: String) -> Struct {
    let docs = FieldDocs {
        description: Some("The arguments, as a JSON object: the tool's input schema could not be typed.".into()),
        ..FieldDocs::default()
    };
    Struct {
        fields: vec![Field {
            json_name: "arguments".into(),
            ident: "arguments".into(),
            ty: Ty::Object,
            required: true,
            defaulted: false,
            fill: None,
            docs,
            gave_up: Some(reason),
            flatten: true,
            check: None,
        }],
        required_order: vec!["arguments".into()],
    }
}

/// Why a schema, or a list item, map value or union member inside it, could not be typed.
/// Object properties are their own fields and answer for themselves.
pub(super) fn gave_up_in(s: &Schema) -> Option<&str> {
    if let Some(reason) = &s.gave_up {
        return Some(reason);
    }
    match &s.kind {
        Kind::Array(inner) | Kind::Map(inner) => gave_up_in(inner),
        Kind::Union(members) => members.iter().find_map(gave_up_in),
        _ => None,
    }
}
