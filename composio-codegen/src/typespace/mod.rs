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

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::ir::{Role, ToolkitIr, TriggerIr, Ty, TypeDef, TypeId};
use crate::model::{ToolDef, TriggerDef};
use crate::names::NameRecord;
use crate::naming::{self, Claims};
use crate::schema::{Document, Warning};

mod checks;
mod convert;
mod cycles;
mod intern;
mod names;

pub use names::name_record;
pub(crate) use names::use_keys;

/// Converts the tools of one toolkit (sorted by slug) into the IR, naming types from context
/// alone (no [`NameRecord`]).
pub fn build(
    toolkit: &str,
    display_name: &str,
    version: &str,
    tools: &[ToolDef],
    warnings: &mut Vec<Warning>,
) -> Result<ToolkitIr> {
    build_with_names(toolkit, display_name, version, tools, &[], &NameRecord::default(), warnings)
}

/// The name of the enum of a toolkit's events (`github::Event`).
const EVENTS_ENUM: &str = "Event";

/// [`build`], giving each type the name `names` records for one of its uses, when that name
/// is free, before any name is chosen from context.
pub fn build_with_names(
    toolkit: &str,
    display_name: &str,
    version: &str,
    tools: &[ToolDef],
    triggers: &[TriggerDef],
    names: &NameRecord,
    warnings: &mut Vec<Warning>,
) -> Result<ToolkitIr> {
    let mut space = TypeSpace::default();
    // The events enum takes its name before any type, so no schema title can take it.
    if !triggers.is_empty() {
        space.reserved.push(EVENTS_ENUM.to_owned());
    }
    let mut functions = Claims::default();
    // Every module has its own `authorize` (emit/mod.rs); a tool of that name gets `authorize_2`.
    functions.claim("authorize");
    let mut irs = Vec::with_capacity(tools.len());
    for tool in tools {
        let function = functions.claim(&naming::function_ident(&tool.slug, toolkit));
        irs.push(space.tool(tool, function, warnings)?);
    }
    // Trigger types go through the same conversion and naming as tools, read as tools whose
    // input is the config and whose `data` is the payload; their variant names never meet a
    // function name, so they have claims of their own.
    let mut variants = Claims::default();
    let mut trigger_tools = Vec::with_capacity(triggers.len());
    for trigger in triggers {
        let base = naming::function_ident(&trigger.slug, toolkit);
        trigger_tools.push(space.tool_as(&trigger.as_tool(), base, ("Config", "Payload"), warnings)?);
    }
    let tool_count = irs.len();
    irs.extend(trigger_tools);
    space.drop_orphans(&mut irs);
    space.resolve_names(&irs, names);
    space.break_cycles();
    let trigger_irs = irs.split_off(tool_count);
    let hash = schema_hash(tools, triggers);
    let triggers = triggers
        .iter()
        .zip(trigger_irs)
        .map(|(def, ir)| TriggerIr {
            slug: ir.slug,
            name: ir.name,
            description: ir.description,
            kind: def.kind.clone(),
            variant: variants.claim(&naming::type_ident(&ir.function)),
            config: ir.input,
            payload: ir.output,
            config_schema: def.config().to_string(),
            payload_schema: def.payload().to_string(),
            payload_gave_up: ir.output_gave_up,
        })
        .collect();
    Ok(ToolkitIr {
        toolkit: toolkit.to_owned(),
        display_name: display_name.to_owned(),
        version: version.to_owned(),
        schema_hash: hash,
        tools: irs,
        triggers,
        events_enum: space.reserved.first().cloned(),
        types: space.types,
    })
}

/// `sha256:<hex>` over exactly what the generator reads from each tool and trigger type, so
/// the hash changes when and only when the source of the output changes. A toolkit without
/// trigger types hashes as it did before they existed.
pub fn schema_hash(tools: &[ToolDef], triggers: &[TriggerDef]) -> String {
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
    for trigger in triggers {
        let consumed = serde_json::json!({
            "trigger": trigger.slug,
            "name": trigger.name,
            "description": trigger.description,
            "type": trigger.kind,
            "config": trigger.config(),
            "payload": trigger.payload(),
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
    /// Names claimed before any type's: the events enum.
    reserved: Vec<String>,
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
    /// Why the last position converted could not be typed, when conversion itself gave up
    /// (nesting too deep, a definition that is itself): taken by the field that holds it.
    gave_up: Option<String>,
    /// What conversion worked around or found odd (a pattern the check cannot run),
    /// reported with the parser's warnings.
    warnings: Vec<Warning>,
}

/// How deeply schemas may nest, counting through `$ref`s. Conversion recurses once per level;
/// a chain of definitions is not bounded by the JSON parser's own nesting limit, and a stack
/// overflow would abort the process instead of naming the tool. Real schemas nest a few
/// levels deep.
const MAX_DEPTH: usize = 128;

impl<'a> DocCx<'a> {
    /// Records that the position being converted could not be typed: it becomes JSON.
    fn give_up(&mut self, pointer: &str, message: String) -> Ty {
        self.warnings.push(Warning {
            slug: self.slug.to_owned(),
            pointer: pointer.to_owned(),
            message: message.clone(),
            degraded: true,
        });
        self.gave_up.get_or_insert(message);
        Ty::Any
    }

    fn new(slug: &'a str, role: Role, doc: &'a Document) -> Self {
        DocCx {
            slug,
            role,
            doc,
            defs: HashMap::new(),
            converting: BTreeSet::new(),
            depth: 0,
            gave_up: None,
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::TypeKind;
    use serde_json::Value;
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
    fn a_long_chain_of_definitions_degrades_not_a_stack_overflow() {
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
        let mut warnings = Vec::new();
        build("x", "X", "1", &tools, &mut warnings).unwrap();
        let warning = warnings.iter().find(|w| w.message.contains("nest deeper")).expect("a warning");
        assert!(warning.slug == "X_GET" && warning.degraded, "{warning:?}");
    }

    #[test]
    fn integer_bounds_beyond_i64_pick_a_type_that_holds_every_value() {
        let cases = [
            (json!({"minimum": 0, "maximum": 100}), Ty::I64),
            (json!({"minimum": i64::MIN, "maximum": i64::MAX}), Ty::I64),
            (json!({"minimum": 0, "maximum": u64::MAX}), Ty::U64),
            (json!({"exclusiveMinimum": -1, "maximum": 1.8e19}), Ty::U64),
            (json!({"minimum": i64::MAX as u64 + 1}), Ty::U64),
            (json!({"minimum": -1, "maximum": u64::MAX}), Ty::I128),
            (json!({"maximum": u64::MAX}), Ty::F64),
            (json!({"minimum": -1e30}), Ty::F64),
            (json!({"minimum": 0, "maximum": 1e30}), Ty::F64),
        ];
        for (bounds, expected) in cases {
            let mut prop = json!({"type": "integer"});
            prop.as_object_mut().unwrap().extend(bounds.as_object().unwrap().clone());
            let ir = build_output(json!({"Root": {"type": "object", "properties": {"n": prop}}})).unwrap();
            let (_, ty) = fields(&ir, "Root").remove(0);
            assert_eq!(ty, Ty::Option(Box::new(expected)), "{bounds}");
        }
    }

    /// The runtime reads results through `serde_json::Value`: the chosen types must carry their
    /// boundary values through it both ways.
    #[test]
    fn boundary_values_round_trip_through_json_values() {
        fn round_trip<T>(value: T)
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Copy,
        {
            let json = serde_json::to_value(value).unwrap();
            let text = serde_json::to_string(&json).unwrap();
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(serde_json::from_value::<T>(parsed).unwrap(), value);
        }
        round_trip(u64::MAX);
        round_trip(0_u64);
        round_trip(i128::from(u64::MAX));
        round_trip(i128::from(i64::MIN));
        round_trip(-1_i128);
        round_trip(-1e30_f64);
        round_trip(1.8e19_f64);
    }
}
