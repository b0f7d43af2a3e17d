//! Schema model → type IR: conversion, sharing of repeated shapes, and global naming.
//!
//! Three passes over a whole toolkit:
//! 1. **Convert** each tool's input and output documents into [`TypeDef`]s. Nested shapes are
//!    interned by structure, so a shape that repeats across tools (`Direction`, a user object)
//!    becomes one type. A tool's own input and output types are never shared: the input type is
//!    the tool's identity in the API.
//! 2. **Name** every type once: first the names a [`NameRecord`] keeps for its uses, so names
//!    survive tools coming and going; then the rest in a fixed order (tools by slug, then
//!    depth-first), so names never depend on hash order and never collide.
//! 3. **Box** the fields that close a cycle of directly nested types (`$ref` recursion).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToUpperCamelCase;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ir::{
    Enum, Field, FieldDocs, Fill, Origin, Role, Struct, Tagged, TaggedVariant, ToolIr, ToolkitIr, Ty, TypeDef, TypeId,
    TypeKind, Untagged, UntaggedVariant, Variant, children, direct_children, ty_ids,
};
use crate::model::ToolDef;
use crate::names::NameRecord;
use crate::naming::{self, Claims};
use crate::schema::{self, Document, Kind, Schema, Warning};

/// Converts the tools of one toolkit (sorted by slug) into the IR, naming types from context
/// alone (no [`NameRecord`]).
pub fn build(
    toolkit: &str,
    display_name: &str,
    version: &str,
    tools: &[ToolDef],
    warnings: &mut Vec<Warning>,
) -> Result<ToolkitIr> {
    build_with_names(toolkit, display_name, version, tools, &NameRecord::default(), warnings)
}

/// [`build`], giving each type the name `names` records for one of its uses, when that name
/// is free, before any name is chosen from context.
pub fn build_with_names(
    toolkit: &str,
    display_name: &str,
    version: &str,
    tools: &[ToolDef],
    names: &NameRecord,
    warnings: &mut Vec<Warning>,
) -> Result<ToolkitIr> {
    let mut space = TypeSpace::default();
    let mut functions = Claims::default();
    let mut irs = Vec::with_capacity(tools.len());
    for tool in tools {
        let function = functions.claim(&naming::function_ident(&tool.slug, toolkit));
        irs.push(space.tool(tool, function, warnings)?);
    }
    space.drop_orphans(&mut irs);
    space.resolve_names(&irs, names);
    space.break_cycles();
    Ok(ToolkitIr {
        toolkit: toolkit.to_owned(),
        display_name: display_name.to_owned(),
        version: version.to_owned(),
        schema_hash: schema_hash(tools),
        tools: irs,
        types: space.types,
    })
}

/// `sha256:<hex>` over exactly what the generator reads from each tool, so the hash changes
/// when and only when the source of the output changes.
pub fn schema_hash(tools: &[ToolDef]) -> String {
    let mut hasher = Sha256::new();
    for tool in tools {
        let consumed = serde_json::json!({
            "slug": tool.slug,
            "name": tool.name,
            "description": tool.description,
            "tags": tool.tags,
            "deprecated": tool.deprecated,
            "input_parameters": tool.input_parameters(),
            "output_parameters": tool.output_parameters(),
        });
        hasher.update(consumed.to_string().as_bytes());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[derive(Default)]
struct TypeSpace {
    types: Vec<TypeDef>,
    /// Model title and structure → the type first built with them.
    interned: HashMap<String, TypeId>,
    /// Structure alone → the first type of that structure.
    by_shape: HashMap<String, TypeId>,
    /// Slots reserved for a definition that turned out to share an existing type; dropped
    /// once the toolkit is converted.
    orphans: Vec<TypeId>,
}

/// One schema document being converted.
struct DocCx<'a> {
    slug: &'a str,
    role: Role,
    doc: &'a Document,
    /// Types of the `$defs` converted so far (or being converted, for recursion).
    defs: HashMap<String, Ty>,
    /// Unnamed definitions being converted, to refuse recursion without indirection.
    converting: BTreeSet<String>,
    /// How many schemas enclose the one being converted, counting through `$ref`s.
    depth: usize,
}

/// How deeply schemas may nest, counting through `$ref`s. Conversion recurses once per level;
/// a chain of definitions is not bounded by the JSON parser's own nesting limit, and a stack
/// overflow would abort the process instead of naming the tool. Real schemas nest a few
/// levels deep.
const MAX_DEPTH: usize = 128;

impl TypeSpace {
    fn tool(&mut self, tool: &ToolDef, function: String, warnings: &mut Vec<Warning>) -> Result<ToolIr> {
        let base = function.trim_start_matches('_').to_upper_camel_case();
        let input_doc = schema::parse_document(&tool.slug, "/input_parameters", tool.input_parameters(), warnings)?;
        let output_doc = schema::parse_document(&tool.slug, "/output_parameters", tool.output_parameters(), warnings)?;

        let mut cx = DocCx::new(&tool.slug, Role::Input, &input_doc);
        let input = self.input_root(&mut cx, &format!("{base}Input"))?;

        let mut cx = DocCx::new(&tool.slug, Role::Output, &output_doc);
        let output = self.output_root(&mut cx, &format!("{base}Output"))?;

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
        })
    }

    /// The input type: always a struct of its own, even without properties.
    fn input_root(&mut self, cx: &mut DocCx<'_>, name: &str) -> Result<TypeId> {
        let doc = cx.doc;
        let mut root = &doc.root;
        if let Kind::Ref(def) = &root.kind {
            root = &doc.defs[def];
        }
        let object = match &root.kind {
            Kind::Object(object) => object.clone(),
            Kind::Map(_) | Kind::Any => schema::ObjectSchema { properties: Vec::new(), required: Vec::new() },
            _ => return Err(Error::schema(cx.slug, &root.pointer, "`input_parameters` must describe an object")),
        };
        let id = self.reserve();
        let st = self.structure(cx, &object)?;
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
    fn output_root(&mut self, cx: &mut DocCx<'_>, name: &str) -> Result<Ty> {
        let doc = cx.doc;
        let data = match &doc.root.kind {
            Kind::Object(envelope) => envelope.properties.iter().find(|(n, _)| n == "data").map(|(_, s)| s.clone()),
            _ => None,
        };
        let Some(data) = data else { return Ok(Ty::Any) };
        let Kind::Object(object) = &data.kind else {
            return self.ty(cx, &data, "data");
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

    fn reserve(&mut self) -> TypeId {
        self.types.push(TypeDef {
            name: String::new(),
            role: Role::Input,
            description: None,
            origin: Origin::default(),
            kind: TypeKind::Struct(Struct::default()),
        });
        self.types.len() - 1
    }

    /// Adds a type unless one of the same shape and role exists; returns the shared id.
    ///
    /// A shape is identified by its structure and, when it has one, its model title: `Team`
    /// and `Label` with the same fields stay two types. A shape whose title only repeats its
    /// property name (Pydantic titles every field) joins a same-shaped type of any title.
    fn intern(&mut self, def: TypeDef) -> TypeId {
        if let Some(id) = self.find_shared(&def) {
            return id;
        }
        self.types.push(def);
        let id = self.types.len() - 1;
        self.register(id);
        self.adopt(id);
        id
    }

    /// The existing type `def` joins, if any (see [`TypeSpace::intern`]).
    fn find_shared(&mut self, def: &TypeDef) -> Option<TypeId> {
        let shape = shape_key(def);
        let title = model_title(&def.origin);
        let key = format!("{title:?}|{shape}");
        if let Some(&id) = self.interned.get(&key) {
            return Some(id);
        }
        let &id = self.by_shape.get(&shape)?;
        let existing = model_title(&self.types[id].origin);
        match (&title, existing) {
            (None, _) => Some(id),
            (Some(_), None) => {
                // The first one met had no name of its own; this one does.
                self.types[id].origin.title.clone_from(&def.origin.title);
                self.types[id].origin.role_in_parent.clone_from(&def.origin.role_in_parent);
                self.interned.insert(key, id);
                Some(id)
            }
            (Some(_), Some(_)) => None,
        }
    }

    /// Makes type `id` findable by later shapes that equal it.
    fn register(&mut self, id: TypeId) {
        let def = &self.types[id];
        let shape = shape_key(def);
        let key = format!("{:?}|{shape}", model_title(&def.origin));
        self.interned.insert(key, id);
        self.by_shape.entry(shape).or_insert(id);
    }

    /// Records `parent` as the naming context of the types it nests that have none yet.
    fn adopt(&mut self, parent: TypeId) {
        for child in children(&self.types[parent].kind) {
            if child != parent && self.types[child].origin.parent.is_none() && self.types[child].origin.fixed.is_none()
            {
                self.types[child].origin.parent = Some(parent);
            }
        }
    }

    /// The Rust type of a schema. `role_in_parent` names the value in its parent (`labels`,
    /// `labels_item`) for types that need a name.
    fn ty(&mut self, cx: &mut DocCx<'_>, s: &Schema, role_in_parent: &str) -> Result<Ty> {
        if cx.depth >= MAX_DEPTH {
            return Err(Error::schema(cx.slug, &s.pointer, format!("schemas nest deeper than {MAX_DEPTH} levels")));
        }
        cx.depth += 1;
        let ty = self.ty_at_depth(cx, s, role_in_parent);
        cx.depth -= 1;
        ty
    }

    fn ty_at_depth(&mut self, cx: &mut DocCx<'_>, s: &Schema, role_in_parent: &str) -> Result<Ty> {
        let ty = match &s.kind {
            Kind::Any | Kind::Null => Ty::Any,
            Kind::Boolean => Ty::Bool,
            Kind::Integer => Ty::I64,
            Kind::Number => Ty::F64,
            Kind::String => Ty::String,
            Kind::Const(Value::String(value)) => {
                self.named(cx, s, role_in_parent, TypeKind::Enum(enum_of(std::slice::from_ref(value))))
            }
            Kind::Const(Value::Bool(_)) => Ty::Bool,
            Kind::Const(Value::Number(n)) if n.is_i64() || n.is_u64() => Ty::I64,
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

    fn named(&mut self, cx: &DocCx<'_>, s: &Schema, role_in_parent: &str, kind: TypeKind) -> Ty {
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

    fn structure(&mut self, cx: &mut DocCx<'_>, object: &schema::ObjectSchema) -> Result<Struct> {
        let names: Vec<&str> = object.properties.iter().map(|(n, _)| n.as_str()).collect();
        let idents = naming::assign_unique(&names, naming::field_ident, &mut Claims::default());
        let mut fields = Vec::with_capacity(names.len());
        for ((name, prop), ident) in object.properties.iter().zip(idents) {
            let required = object.required.contains(name);
            let ty = self.ty(cx, prop, name)?;
            let fill = if required { self.fill(prop, &ty) } else { None };
            // Only outputs: an absent input is left out so the server applies its default.
            let defaulted = !required
                && cx.role == Role::Output
                && prop.default.as_ref().is_some_and(|default| is_rust_default(default, &ty));
            let ty = if required || defaulted { ty } else { ty.optional() };
            fields.push(Field {
                json_name: name.clone(),
                ident,
                docs: field_docs(prop, &ty),
                ty,
                required,
                defaulted,
                fill,
            });
        }
        Ok(Struct { fields, required_order: object.required.clone() })
    }

    /// A required property with a single possible value needs no constructor argument.
    fn fill(&self, prop: &Schema, ty: &Ty) -> Option<Fill> {
        let Kind::Const(value) = &prop.kind else { return None };
        match (value, ty) {
            (Value::String(_), Ty::Named(id)) => match &self.types[*id].kind {
                TypeKind::Enum(e) => Some(Fill::Variant(*id, e.variants[0].ident.clone())),
                _ => None,
            },
            (Value::Bool(_) | Value::Number(_), Ty::Bool | Ty::I64 | Ty::F64) => Some(Fill::Literal(value.clone())),
            _ => None,
        }
    }

    fn tagged(&mut self, cx: &mut DocCx<'_>, tagged: &schema::Tagged, role_in_parent: &str) -> Result<Tagged> {
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

    fn untagged(&mut self, cx: &mut DocCx<'_>, members: &[Schema], role_in_parent: &str) -> Result<Untagged> {
        let mut variants = Vec::with_capacity(members.len());
        for (i, member) in members.iter().enumerate() {
            let label = member_label(member);
            let ty = self.ty(cx, member, &format!("{role_in_parent}_{label}"))?;
            variants.push((i, label, ty));
        }
        // Decoding tries variants in order: the narrower types go first, so `1` stays an
        // integer and `"x"` is not swallowed by a catch-all.
        variants.sort_by_key(|(i, _, ty)| (decode_rank(ty.strip_option()), *i));
        let mut claims = Claims::default();
        Ok(Untagged {
            variants: variants
                .into_iter()
                .map(|(_, label, ty)| UntaggedVariant { ident: claims.claim(&naming::variant_ident(&label)), ty })
                .collect(),
        })
    }

    /// The type of a `$defs` (or `definitions`) entry, converted once per document.
    /// Definitions that become named types are shared across tools when their whole
    /// definition closure is identical, and, when they do not contain themselves, with any
    /// type of the same shape.
    fn def(&mut self, cx: &mut DocCx<'_>, name: &str, role_in_parent: &str) -> Result<Ty> {
        if let Some(ty) = cx.defs.get(name) {
            return Ok(ty.clone());
        }
        let doc = cx.doc;
        let def = &doc.defs[name];
        let named = matches!(def.kind, Kind::Object(_) | Kind::StringEnum(_) | Kind::Tagged(_) | Kind::Union(_));
        if !named {
            if !cx.converting.insert(name.to_owned()) {
                return Err(Error::schema(
                    cx.slug,
                    &def.pointer,
                    format!("`{name}` refers to itself without passing through an object"),
                ));
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

    /// Whether a type of this kind contains type `target`, through any nesting.
    fn reaches(&self, kind: &TypeKind, target: TypeId) -> bool {
        let mut stack = children(kind);
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if id == target {
                return true;
            }
            if seen.insert(id) {
                stack.extend(children(&self.types[id].kind));
            }
        }
        false
    }

    /// Removes the slots of [`TypeSpace::orphans`] and renumbers the types after them, so
    /// every type in the IR is used.
    fn drop_orphans(&mut self, tools: &mut [ToolIr]) {
        if self.orphans.is_empty() {
            return;
        }
        let mut remap: Vec<Option<TypeId>> = vec![Some(0); self.types.len()];
        for &orphan in &self.orphans {
            remap[orphan] = None;
        }
        for (next, slot) in remap.iter_mut().flatten().enumerate() {
            *slot = next;
        }
        // Nothing refers to an orphan (it never held a type), so every id below maps.
        let map = |id: TypeId| remap[id].unwrap_or(id);
        let types = std::mem::take(&mut self.types);
        self.types = types.into_iter().enumerate().filter(|(id, _)| remap[*id].is_some()).map(|(_, t)| t).collect();
        for def in &mut self.types {
            def.origin.parent = def.origin.parent.map(map);
            match &mut def.kind {
                TypeKind::Struct(st) => {
                    for field in &mut st.fields {
                        renumber(&mut field.ty, &map);
                        if let Some(Fill::Variant(id, _)) = &mut field.fill {
                            *id = map(*id);
                        }
                    }
                }
                TypeKind::Enum(_) => {}
                TypeKind::Tagged(t) => t.variants.iter_mut().for_each(|v| v.payload = v.payload.map(map)),
                TypeKind::Untagged(u) => u.variants.iter_mut().for_each(|v| renumber(&mut v.ty, &map)),
            }
        }
        for tool in tools {
            tool.input = map(tool.input);
            renumber(&mut tool.output, &map);
        }
        self.orphans.clear();
    }

    /// Gives every type its name: tool types first (`CreateAnIssueInput`), then the names the
    /// record keeps, then nested types in the order tools and fields are met. Recorded names
    /// go before any chosen from context, so a new tool cannot take one.
    fn resolve_names(&mut self, tools: &[ToolIr], record: &NameRecord) {
        let mut claims = Claims::default();
        for def in &mut self.types {
            if let Some(fixed) = &def.origin.fixed {
                def.name = claims.claim(&naming::type_ident(fixed));
            }
        }
        let users = self.users(tools);
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for tool in tools {
            self.preorder(tool.input, &mut seen, &mut order);
            for id in ty_ids(&tool.output) {
                self.preorder(id, &mut seen, &mut order);
            }
        }
        if !record.types.is_empty() {
            let uses = use_keys(&self.types, tools);
            let recorded = record.by_use();
            for &id in &order {
                if !self.types[id].name.is_empty() {
                    continue;
                }
                let mut names = uses.get(&id).into_iter().flatten().filter_map(|u| recorded.get(u.as_str()));
                if let Some(name) = names.find(|name| !claims.is_taken(name)) {
                    self.types[id].name = claims.claim(name);
                }
            }
        }
        for id in order {
            if self.types[id].name.is_empty() {
                self.types[id].name = self.pick_name(id, users.get(&id).copied().unwrap_or(0), &mut claims);
            }
        }
    }

    fn preorder(&self, id: TypeId, seen: &mut BTreeSet<TypeId>, order: &mut Vec<TypeId>) {
        if !seen.insert(id) {
            return;
        }
        order.push(id);
        for child in children(&self.types[id].kind) {
            self.preorder(child, seen, order);
        }
    }

    /// How many tools use each type.
    fn users(&self, tools: &[ToolIr]) -> HashMap<TypeId, usize> {
        let mut users = HashMap::new();
        for tool in tools {
            let mut seen = BTreeSet::new();
            let mut order = Vec::new();
            self.preorder(tool.input, &mut seen, &mut order);
            for id in ty_ids(&tool.output) {
                self.preorder(id, &mut seen, &mut order);
            }
            for id in order {
                *users.entry(id).or_insert(0) += 1;
            }
        }
        users
    }

    fn pick_name(&self, id: TypeId, users: usize, claims: &mut Claims) -> String {
        let origin = &self.types[id].origin;
        let role = origin.role_in_parent.as_deref().unwrap_or("value");
        let context = match origin.parent {
            Some(parent) => {
                let parent = &self.types[parent];
                let base = match parent.origin.fixed {
                    Some(_) => parent.name.strip_suffix("Input").unwrap_or(&parent.name),
                    None => &parent.name,
                };
                naming::type_ident(&format!("{base}_{role}"))
            }
            None => naming::type_ident(role),
        };
        let mut candidates = Vec::new();
        if let Some(given) = &origin.given {
            candidates.push(naming::type_ident(given));
        }
        if let Some(title) = origin.title.as_deref().filter(|t| is_model_title(t, role)) {
            candidates.push(naming::type_ident(title));
        }
        if users > 1 {
            let plain = role.trim_end_matches("_item").trim_end_matches("_value");
            candidates.push(naming::type_ident(origin.title.as_deref().unwrap_or(plain)));
        }
        candidates.push(context.clone());
        candidates
            .into_iter()
            .find(|c| !claims.is_taken(c))
            .map(|c| claims.claim(&c))
            .unwrap_or_else(|| claims.claim(&context))
    }

    /// Wraps in `Box` every field or variant that closes a cycle of directly nested types.
    fn break_cycles(&mut self) {
        for id in 0..self.types.len() {
            let slots = match &self.types[id].kind {
                TypeKind::Struct(st) => st.fields.len(),
                TypeKind::Untagged(u) => u.variants.len(),
                _ => 0,
            };
            for slot in 0..slots {
                let ty = match &self.types[id].kind {
                    TypeKind::Struct(st) => &st.fields[slot].ty,
                    TypeKind::Untagged(u) => &u.variants[slot].ty,
                    _ => unreachable!(),
                };
                let Ty::Named(target) = ty.strip_option() else { continue };
                if !self.reaches_directly(*target, id) {
                    continue;
                }
                let boxed = box_named(ty.clone());
                match &mut self.types[id].kind {
                    TypeKind::Struct(st) => st.fields[slot].ty = boxed,
                    TypeKind::Untagged(u) => u.variants[slot].ty = boxed,
                    _ => unreachable!(),
                }
            }
        }
    }

    /// Whether `from` contains `to` without indirection (no `Vec`, map or `Box` between).
    fn reaches_directly(&self, from: TypeId, to: TypeId) -> bool {
        let mut stack = vec![from];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if id == to {
                return true;
            }
            if seen.insert(id) {
                stack.extend(direct_children(&self.types[id].kind));
            }
        }
        false
    }
}

impl<'a> DocCx<'a> {
    fn new(slug: &'a str, role: Role, doc: &'a Document) -> Self {
        DocCx { slug, role, doc, defs: HashMap::new(), converting: BTreeSet::new(), depth: 0 }
    }
}

fn nullable_if(ty: Ty, nullable: bool) -> Ty {
    if nullable { ty.nullable() } else { ty }
}

fn box_named(ty: Ty) -> Ty {
    match ty {
        Ty::Option(inner) => Ty::Option(Box::new(box_named(*inner))),
        named => Ty::Boxed(Box::new(named)),
    }
}

fn renumber(ty: &mut Ty, map: &impl Fn(TypeId) -> TypeId) {
    match ty {
        Ty::Named(id) => *id = map(*id),
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => renumber(inner, map),
        _ => {}
    }
}

fn enum_of(values: &[String]) -> Enum {
    let raws: Vec<&str> = values.iter().map(String::as_str).collect();
    let idents = naming::assign_unique(&raws, naming::variant_ident, &mut Claims::default());
    Enum { variants: values.iter().zip(idents).map(|(value, ident)| Variant { ident, value: value.clone() }).collect() }
}

/// A short label for an untagged member, used for its variant name.
fn member_label(s: &Schema) -> String {
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

fn decode_rank(ty: &Ty) -> u8 {
    match ty {
        Ty::Bool => 0,
        Ty::I64 => 1,
        Ty::F64 => 2,
        Ty::String => 3,
        Ty::Named(_) | Ty::Boxed(_) | Ty::FileUpload | Ty::FileDownload => 4,
        Ty::Vec(_) => 5,
        Ty::Map(_) => 6,
        Ty::Object => 7,
        Ty::Option(_) | Ty::Any => 8,
    }
}

/// A title is a model name worth using (`IssueUser`, `BlockColor`) unless it is just the
/// property name title-cased (`Labels`, `Response Data`), which Pydantic gives every field.
fn is_model_title(title: &str, role: &str) -> bool {
    let looks_like_model = !title.contains(char::is_whitespace) && title.starts_with(|c: char| c.is_ascii_uppercase());
    let from_field = naming::pascal(title) == naming::pascal(role);
    let envelope = title.ends_with("Request") || title.ends_with("ResponseWrapper") || title == "Data";
    looks_like_model && !from_field && !envelope
}

/// The title that names a model, not a field: `None` for Pydantic's title-cased field names.
fn model_title(origin: &Origin) -> Option<String> {
    let title = origin.title.as_deref()?;
    let role = origin.role_in_parent.as_deref().unwrap_or_default();
    let role = role.trim_end_matches("_item").trim_end_matches("_value");
    is_model_title(title, role).then(|| title.to_owned())
}

/// The definitions `name` depends on, as parsed: two documents share a definition's type only
/// if everything it reaches is identical too. Read from the parsed [`Document`], whose
/// references are already unescaped and whose definitions merge `$defs` and `definitions`.
fn def_closure(doc: &Document, name: &str) -> String {
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
fn collect_refs<'d>(s: &'d Schema, out: &mut Vec<&'d str>) {
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

/// The structural identity of a type: everything that shows in its Rust definition except
/// documentation and its name.
fn shape_key(def: &TypeDef) -> String {
    let shape = match &def.kind {
        TypeKind::Struct(st) => {
            let fields: Vec<String> = st
                .fields
                .iter()
                .map(|f| format!("{}:{}:{:?}:{}:{}:{:?}", f.json_name, f.ident, f.ty, f.required, f.defaulted, f.fill))
                .collect();
            format!("struct[{}]", fields.join(","))
        }
        TypeKind::Enum(e) => {
            format!("enum[{}]", e.variants.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join("\u{1f}"))
        }
        TypeKind::Tagged(t) => {
            let variants: Vec<String> = t.variants.iter().map(|v| format!("{}={:?}", v.value, v.payload)).collect();
            format!("tagged[{}|{}]", t.tag, variants.join(","))
        }
        TypeKind::Untagged(u) => {
            let variants: Vec<String> = u.variants.iter().map(|v| format!("{}={:?}", v.ident, v.ty)).collect();
            format!("untagged[{}]", variants.join(","))
        }
    };
    format!("{:?}|{shape}", def.role)
}

/// The names record of a built toolkit: each type not named after its tool, with its uses.
pub fn name_record(ir: &ToolkitIr) -> NameRecord {
    let uses = use_keys(&ir.types, &ir.tools);
    let types = uses
        .into_iter()
        .filter(|(id, _)| ir.types[*id].origin.fixed.is_none())
        .map(|(id, uses)| (ir.types[id].name.clone(), uses))
        .collect();
    NameRecord { types }
}

/// Every use of each type: per tool that reaches it (in slug order), the first path on which
/// it does, `GITHUB_CREATE_AN_ISSUE/output/user` or `GITHUB_X/input/labels[]`. A path is the
/// JSON property names down from the tool's input or output, `[]` for array items, `{}` for
/// map values, `=tag` for a tagged variant and `|Variant` for an untagged one.
pub(crate) fn use_keys(types: &[TypeDef], tools: &[ToolIr]) -> BTreeMap<TypeId, Vec<String>> {
    fn walk_ty(types: &[TypeDef], ty: &Ty, path: String, seen: &mut BTreeSet<TypeId>, out: &mut Vec<(TypeId, String)>) {
        match ty {
            Ty::Named(id) => walk(types, *id, path, seen, out),
            Ty::Option(inner) | Ty::Boxed(inner) => walk_ty(types, inner, path, seen, out),
            Ty::Vec(inner) => walk_ty(types, inner, format!("{path}[]"), seen, out),
            Ty::Map(inner) => walk_ty(types, inner, format!("{path}{{}}"), seen, out),
            _ => {}
        }
    }
    fn walk(types: &[TypeDef], id: TypeId, path: String, seen: &mut BTreeSet<TypeId>, out: &mut Vec<(TypeId, String)>) {
        if !seen.insert(id) {
            return;
        }
        match &types[id].kind {
            TypeKind::Struct(st) => {
                for f in &st.fields {
                    walk_ty(types, &f.ty, format!("{path}/{}", f.json_name), seen, out);
                }
            }
            TypeKind::Enum(_) => {}
            TypeKind::Tagged(t) => {
                for v in &t.variants {
                    if let Some(payload) = v.payload {
                        walk(types, payload, format!("{path}={}", v.value), seen, out);
                    }
                }
            }
            TypeKind::Untagged(u) => {
                for v in &u.variants {
                    walk_ty(types, &v.ty, format!("{path}|{}", v.ident), seen, out);
                }
            }
        }
        out.push((id, path));
    }
    let mut uses: BTreeMap<TypeId, Vec<String>> = BTreeMap::new();
    for tool in tools {
        let (mut seen, mut found) = (BTreeSet::new(), Vec::new());
        walk(types, tool.input, format!("{}/input", tool.slug), &mut seen, &mut found);
        walk_ty(types, &tool.output, format!("{}/output", tool.slug), &mut seen, &mut found);
        for (id, path) in found {
            uses.entry(id).or_default().push(path);
        }
    }
    uses
}

fn field_docs(s: &Schema, ty: &Ty) -> FieldDocs {
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
    if let Some(n) = c.min_length {
        constraints.push(format!("at least {n} characters"));
    }
    if let Some(n) = c.max_length {
        constraints.push(format!("at most {n} characters"));
    }
    if let Some(n) = c.min_items {
        constraints.push(format!("at least {n} items"));
    }
    if let Some(n) = c.max_items {
        constraints.push(format!("at most {n} items"));
    }
    if let Some(p) = &c.pattern {
        constraints.push(format!("matches `{p}`"));
    }
    if !c.allowed.is_empty() {
        let allowed: Vec<String> = c.allowed.iter().map(|v| format!("`{v}`")).collect();
        constraints.push(format!("one of {}", allowed.join(", ")));
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
fn is_rust_default(value: &Value, ty: &Ty) -> bool {
    match (value, ty) {
        (Value::Array(items), Ty::Vec(_)) => items.is_empty(),
        (Value::Object(map), Ty::Object | Ty::Map(_)) => map.is_empty(),
        (Value::Bool(b), Ty::Bool) => !b,
        (Value::Number(n), Ty::I64) => n.as_i64() == Some(0),
        (Value::Number(n), Ty::F64) => n.as_f64() == Some(0.0),
        (Value::String(s), Ty::String) => s.is_empty(),
        _ => false,
    }
}

fn contains_file(ty: &Ty) -> bool {
    match ty {
        Ty::FileUpload => true,
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => contains_file(inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build_output(output: Value) -> Result<ToolkitIr> {
        let tool = json!({
            "slug": "X_GET",
            "input_parameters": {"type": "object", "properties": {}},
            "output_parameters": {"type": "object", "properties": {"data": {"$ref": "#/$defs/Root"}}, "$defs": output},
        });
        let tools = crate::model::parse_document("t", &tool)?;
        build("x", "X", "1", &tools, &mut Vec::new())
    }

    /// The field types of the struct named `name`.
    fn fields(ir: &ToolkitIr, name: &str) -> Vec<(String, Ty)> {
        let def = ir.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"));
        let TypeKind::Struct(st) = &def.kind else { panic!("{name} is not a struct") };
        st.fields.iter().map(|f| (f.json_name.clone(), f.ty.clone())).collect()
    }

    #[test]
    fn recursion_under_definitions_beside_defs_is_converted() {
        let tool = json!({
            "slug": "X_GET",
            "input_parameters": {"type": "object", "properties": {}},
            "output_parameters": {
                "type": "object",
                "properties": {"data": {"$ref": "#/definitions/Node"}},
                "$defs": {"Other": {"type": "object", "properties": {"a": {"type": "string"}}}},
                "definitions": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/Node"}}}},
            },
        });
        let tools = crate::model::parse_document("t", &tool).unwrap();
        let ir = build("x", "X", "1", &tools, &mut Vec::new()).unwrap();
        let id = ir.types.iter().position(|t| t.name == "Node").unwrap();
        assert_eq!(
            fields(&ir, "Node"),
            [("next".to_owned(), Ty::Option(Box::new(Ty::Boxed(Box::new(Ty::Named(id))))))]
        );
    }

    #[test]
    fn recursion_through_an_escaped_definition_name_is_converted() {
        let ir = build_output(json!({
            "Root": {"type": "object", "properties": {"child": {"$ref": "#/$defs/a~1b"}}},
            "a/b": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/a~1b"}}}},
        }))
        .unwrap();
        let (_, ty) = fields(&ir, "Root").remove(0);
        let Ty::Option(inner) = ty else { panic!("{ty:?}") };
        let Ty::Named(ab) = *inner else { panic!("{inner:?}") };
        assert_eq!(
            fields(&ir, &ir.types[ab].name.clone()),
            [("kids".to_owned(), Ty::Option(Box::new(Ty::Vec(Box::new(Ty::Named(ab))))))]
        );
    }

    #[test]
    fn a_definition_shares_an_inline_shape_met_before_it() {
        let thing = json!({"type": "object", "title": "Thing", "properties": {"x": {"type": "integer"}}});
        let tools = json!([
            {"slug": "X_A", "input_parameters": {"type": "object", "properties": {}},
             "output_parameters": {"type": "object", "properties": {"data": {"type": "object", "properties": {"t": thing}}}}},
            {"slug": "X_B", "input_parameters": {"type": "object", "properties": {}},
             "output_parameters": {"type": "object", "properties": {"data": {"$ref": "#/$defs/Thing"}}, "$defs": {"Thing": thing}}},
        ]);
        let tools = crate::model::parse_document("t", &tools).unwrap();
        let ir = build("x", "X", "1", &tools, &mut Vec::new()).unwrap();
        let things: Vec<&str> = ir.types.iter().map(|t| t.name.as_str()).filter(|n| n.contains("Thing")).collect();
        assert_eq!(things, ["Thing"]);
        assert!(ir.types.iter().all(|t| !t.name.is_empty()), "an unused slot stayed in the IR");
        assert_eq!(ir.tools[1].output, Ty::Named(ir.types.iter().position(|t| t.name == "Thing").unwrap()));
        crate::render::module(&ir, &crate::emit::EmitOptions::default()).unwrap();
    }

    #[test]
    fn a_long_chain_of_definitions_is_refused_not_a_stack_overflow() {
        let n = 400;
        let mut defs = serde_json::Map::new();
        for i in 0..n {
            let next =
                if i + 1 < n { json!({"$ref": format!("#/$defs/D{}", i + 1)}) } else { json!({"type": "string"}) };
            defs.insert(format!("D{i}"), json!({"type": "object", "properties": {"n": next}}));
        }
        let tool = json!({
            "slug": "X_GET",
            "input_parameters": {"type": "object", "properties": {"d": {"$ref": "#/$defs/D0"}}, "$defs": defs},
        });
        let tools = crate::model::parse_document("t", &tool).unwrap();
        let err = build("x", "X", "1", &tools, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("X_GET") && err.contains("nest deeper"), "{err}");
    }
}
