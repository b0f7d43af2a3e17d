//! The public API of a generated module, and how it changes between two schema sets.
//!
//! Both sides go through the one dialect parser and [`typespace`] with the same names record,
//! exactly as regeneration would, so what is compared is what users of the module see:
//! functions, type names, fields with their Rust types and required-ness, enum variants.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::error::Result;
use crate::ir::{Fill, Role, ToolkitIr, Ty, TypeKind};
use crate::names::NameRecord;
use crate::source::ToolkitSchemas;
use crate::typespace;

/// One change to a module's public API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SurfaceChange {
    /// The item as users spell it: `fn create_an_issue`, `type Issue`, `Issue.state`,
    /// `State::Open`.
    pub item: String,
    /// What happened.
    pub change: SurfaceKind,
    /// Whether code using the module may stop compiling or stop decoding.
    pub breaking: bool,
}

/// The kinds of API change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SurfaceKind {
    /// A new item.
    Added,
    /// An item that is gone.
    Removed,
    /// A type that is still there under another name.
    Renamed {
        /// The new name.
        to: String,
    },
    /// An item whose signature changed: a field's type, a function's input or output.
    Changed {
        /// The old signature.
        from: String,
        /// The new one.
        to: String,
    },
    /// The new schemas do not generate at all.
    DoesNotGenerate {
        /// Why.
        error: String,
    },
}

/// What one module offers, by item.
#[derive(Debug, Default)]
struct Surface {
    /// `fn create_an_issue` → `CreateAnIssueInput -> Issue`.
    functions: BTreeMap<String, String>,
    /// Type name → whether it is an input type, and its members (`state` → `Option<State>`).
    types: BTreeMap<String, (bool, BTreeMap<String, String>)>,
    /// Type name → its uses, to tell a renamed type from a removed one.
    uses: BTreeMap<String, Vec<String>>,
}

/// The API changes between the modules generated from `old` and from `new`, both named with
/// `names` (the record regeneration would honour). New schemas that do not generate are one
/// breaking change; old ones that do not are an error (the committed module came from them).
pub fn compare(old: &ToolkitSchemas, new: &ToolkitSchemas, names: &NameRecord) -> Result<Vec<SurfaceChange>> {
    let build = |s: &ToolkitSchemas| {
        typespace::build_with_names(
            &s.toolkit,
            &s.display_name,
            &s.version,
            &s.tools,
            &s.triggers,
            names,
            &mut Vec::new(),
        )
    };
    let old = surface(&build(old)?);
    match build(new) {
        Ok(new) => Ok(diff(&old, &surface(&new))),
        Err(e) => Ok(vec![SurfaceChange {
            item: format!("mod {}", new.toolkit),
            change: SurfaceKind::DoesNotGenerate { error: e.to_string() },
            breaking: true,
        }]),
    }
}

fn surface(ir: &ToolkitIr) -> Surface {
    let mut s = Surface::default();
    for tool in &ir.tools {
        let signature = format!("{} -> {}", ir.types[tool.input].name, ty_text(ir, &tool.output));
        s.functions.insert(format!("fn {}", tool.function), signature);
    }
    for def in &ir.types {
        let mut members = BTreeMap::new();
        let input = def.role == Role::Input;
        match &def.kind {
            TypeKind::Struct(st) => {
                for f in &st.fields {
                    let mut text = ty_text(ir, &f.ty);
                    match &f.fill {
                        Some(Fill::Variant(_, variant)) => text.push_str(&format!(" = {variant}")),
                        Some(Fill::Literal(value)) => text.push_str(&format!(" = {value}")),
                        None => {}
                    }
                    // An input's required field is a constructor argument.
                    if input && f.required && f.fill.is_none() {
                        text.push_str(" (required)");
                    }
                    members.insert(format!(".{}", f.ident), text);
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.variants {
                    members.insert(format!("::{}", v.ident), format!("{:?}", v.value));
                }
            }
            TypeKind::Tagged(t) => {
                for v in &t.variants {
                    let payload = v.payload.map(|p| ir.types[p].name.clone()).unwrap_or_default();
                    members.insert(format!("::{}", v.ident), format!("{}={:?}({payload})", t.tag, v.value));
                }
            }
            TypeKind::Untagged(u) => {
                for v in &u.variants {
                    members.insert(format!("::{}", v.ident), ty_text(ir, &v.ty));
                }
            }
        }
        s.types.insert(def.name.clone(), (input, members));
    }
    for (id, uses) in typespace::use_keys(&ir.types, &ir.tools) {
        s.uses.insert(ir.types[id].name.clone(), uses);
    }
    s
}

/// A type expression as the generated code spells it.
fn ty_text(ir: &ToolkitIr, ty: &Ty) -> String {
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I64 => "i64".into(),
        Ty::U64 => "u64".into(),
        Ty::I128 => "i128".into(),
        Ty::F64 => "f64".into(),
        Ty::String => "String".into(),
        Ty::Any => "Value".into(),
        Ty::Object => "JsonObject".into(),
        Ty::Map(inner) => format!("BTreeMap<String, {}>", ty_text(ir, inner)),
        Ty::Vec(inner) => format!("Vec<{}>", ty_text(ir, inner)),
        Ty::Option(inner) => format!("Option<{}>", ty_text(ir, inner)),
        Ty::Boxed(inner) => format!("Box<{}>", ty_text(ir, inner)),
        Ty::Named(id) => ir.types[*id].name.clone(),
        Ty::FileUpload => "FileInput".into(),
        Ty::FileDownload => "FileDownload".into(),
    }
}

fn diff(old: &Surface, new: &Surface) -> Vec<SurfaceChange> {
    let mut out = Vec::new();
    let change = |item: String, change: SurfaceKind, breaking: bool| SurfaceChange { item, change, breaking };

    // A type that is gone by name but still has a use under another new name was renamed.
    let new_by_use: BTreeMap<&str, &str> =
        new.uses.iter().flat_map(|(name, uses)| uses.iter().map(move |u| (u.as_str(), name.as_str()))).collect();
    let mut renamed: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, uses) in &old.uses {
        if new.types.contains_key(name) {
            continue;
        }
        let target = uses.iter().filter_map(|u| new_by_use.get(u.as_str())).find(|n| !old.types.contains_key(**n));
        if let Some(target) = target {
            renamed.insert(name, target);
        }
    }
    let targets: BTreeSet<&str> = renamed.values().copied().collect();
    // Signatures mention type names: compare them with old names translated to new ones, so a
    // rename is reported once, not again at every field that uses the type.
    let translate = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            out.push_str(renamed.get(word.as_str()).copied().unwrap_or(&word));
            word.clear();
            out.push(c);
        }
        out.pop();
        out
    };

    for (item, before) in &old.functions {
        match new.functions.get(item) {
            None => out.push(change(item.clone(), SurfaceKind::Removed, true)),
            Some(after) if translate(before) != *after => {
                out.push(change(item.clone(), SurfaceKind::Changed { from: before.clone(), to: after.clone() }, true))
            }
            Some(_) => {}
        }
    }
    for item in new.functions.keys().filter(|f| !old.functions.contains_key(*f)) {
        out.push(change(item.clone(), SurfaceKind::Added, false));
    }

    for (name, (input, before)) in &old.types {
        let new_name = renamed.get(name.as_str()).copied().unwrap_or(name);
        let Some((_, after)) = new.types.get(new_name) else {
            out.push(change(format!("type {name}"), SurfaceKind::Removed, true));
            continue;
        };
        if new_name != name {
            out.push(change(format!("type {name}"), SurfaceKind::Renamed { to: new_name.to_owned() }, true));
        }
        for (member, was) in before {
            let item = format!("{new_name}{member}");
            match after.get(member) {
                None => out.push(change(item, SurfaceKind::Removed, true)),
                Some(now) if translate(was) != *now => {
                    out.push(change(item, SurfaceKind::Changed { from: was.clone(), to: now.clone() }, true))
                }
                Some(_) => {}
            }
        }
        for (member, now) in after.iter().filter(|(m, _)| !before.contains_key(*m)) {
            // A new required argument changes an input's constructor.
            let breaking = *input && now.ends_with(" (required)");
            out.push(change(format!("{new_name}{member}"), SurfaceKind::Added, breaking));
        }
    }
    for name in new.types.keys().filter(|n| !old.types.contains_key(*n) && !targets.contains(n.as_str())) {
        out.push(change(format!("type {name}"), SurfaceKind::Added, false));
    }
    out
}

impl fmt::Display for SurfaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SurfaceKind::Added => f.write_str("added"),
            SurfaceKind::Removed => f.write_str("removed"),
            SurfaceKind::Renamed { to } => write!(f, "renamed to {to}"),
            SurfaceKind::Changed { from, to } => write!(f, "{from} -> {to}"),
            SurfaceKind::DoesNotGenerate { error } => write!(f, "does not generate: {error}"),
        }
    }
}
