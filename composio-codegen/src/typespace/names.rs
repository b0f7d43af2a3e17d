//! Naming: every type gets its name once, the recorded names first, then the rest in a fixed
//! order; and the names record that keeps them across updates.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::TypeSpace;
use crate::ir::{Origin, ToolIr, ToolkitIr, Ty, TypeDef, TypeId, TypeKind, children, ty_ids};
use crate::names::NameRecord;
use crate::naming::{self, Claims};

impl TypeSpace {
    /// Gives every type its name: tool types first (`CreateAnIssueInput`), then the names the
    /// record keeps, then nested types in the order tools and fields are met. Recorded names
    /// go before any chosen from context, so a new tool cannot take one.
    pub(super) fn resolve_names(&mut self, tools: &[ToolIr], record: &NameRecord) {
        let mut claims = Claims::default();
        for name in &self.reserved {
            claims.claim(name);
        }
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

    pub(super) fn preorder(&self, id: TypeId, seen: &mut BTreeSet<TypeId>, order: &mut Vec<TypeId>) {
        if !seen.insert(id) {
            return;
        }
        order.push(id);
        for child in children(&self.types[id].kind) {
            self.preorder(child, seen, order);
        }
    }

    /// How many tools use each type.
    pub(super) fn users(&self, tools: &[ToolIr]) -> HashMap<TypeId, usize> {
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

    pub(super) fn pick_name(&self, id: TypeId, users: usize, claims: &mut Claims) -> String {
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
}

/// A title is a model name worth using (`IssueUser`, `BlockColor`) unless it is just the
/// property name title-cased (`Labels`, `Response Data`), which Pydantic gives every field.
pub(super) fn is_model_title(title: &str, role: &str) -> bool {
    let looks_like_model = !title.contains(char::is_whitespace) && title.starts_with(|c: char| c.is_ascii_uppercase());
    let from_field = naming::pascal(title) == naming::pascal(role);
    let envelope = title.ends_with("Request") || title.ends_with("ResponseWrapper") || title == "Data";
    looks_like_model && !from_field && !envelope
}

/// The title that names a model, not a field: `None` for Pydantic's title-cased field names.
pub(super) fn model_title(origin: &Origin) -> Option<String> {
    let title = origin.title.as_deref()?;
    let role = origin.role_in_parent.as_deref().unwrap_or_default();
    let role = role.trim_end_matches("_item").trim_end_matches("_value");
    is_model_title(title, role).then(|| title.to_owned())
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
