//! Sharing: a shape that repeats across tools becomes one type; slots reserved for definitions
//! that turned out to share are dropped afterwards.

use std::collections::BTreeSet;

use super::TypeSpace;
use super::names::model_title;
use crate::ir::{Fill, Origin, Role, Struct, ToolIr, Ty, TypeDef, TypeId, TypeKind, children};

impl TypeSpace {
    pub(super) fn reserve(&mut self) -> TypeId {
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
    pub(super) fn intern(&mut self, def: TypeDef) -> TypeId {
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
    pub(super) fn find_shared(&mut self, def: &TypeDef) -> Option<TypeId> {
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
    pub(super) fn register(&mut self, id: TypeId) {
        let def = &self.types[id];
        let shape = shape_key(def);
        let key = format!("{:?}|{shape}", model_title(&def.origin));
        self.interned.insert(key, id);
        self.by_shape.entry(shape).or_insert(id);
    }

    /// Records `parent` as the naming context of the types it nests that have none yet.
    pub(super) fn adopt(&mut self, parent: TypeId) {
        for child in children(&self.types[parent].kind) {
            if child != parent && self.types[child].origin.parent.is_none() && self.types[child].origin.fixed.is_none()
            {
                self.types[child].origin.parent = Some(parent);
            }
        }
    }

    /// Whether a type of this kind contains type `target`, through any nesting.
    pub(super) fn reaches(&self, kind: &TypeKind, target: TypeId) -> bool {
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
    pub(super) fn drop_orphans(&mut self, tools: &mut [ToolIr]) {
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
}

pub(super) fn renumber(ty: &mut Ty, map: &impl Fn(TypeId) -> TypeId) {
    match ty {
        Ty::Named(id) => *id = map(*id),
        Ty::Map(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Boxed(inner) => renumber(inner, map),
        _ => {}
    }
}

/// The structural identity of a type: everything that shows in its Rust definition except
/// documentation and its name.
pub(super) fn shape_key(def: &TypeDef) -> String {
    let shape = match &def.kind {
        TypeKind::Struct(st) => {
            let fields: Vec<String> = st
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}:{}:{:?}:{}:{}:{:?}:{:?}",
                        f.json_name, f.ident, f.ty, f.required, f.defaulted, f.fill, f.check
                    )
                })
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
            let variants: Vec<String> =
                u.variants.iter().map(|v| format!("{}={:?}:{:?}", v.ident, v.ty, v.check)).collect();
            format!("untagged[{}]", variants.join(","))
        }
    };
    format!("{:?}|{shape}", def.role)
}
