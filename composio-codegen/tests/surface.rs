//! What users of generated code see and keep: output fields with a default, and type names
//! that stay put when other tools come and go.

use composio_codegen::ir::{ToolkitIr, Ty};
use composio_codegen::{model, typespace};
use serde_json::{Value, json};

fn build(tools: Value) -> ToolkitIr {
    let defs = model::parse_document_owned("test", tools).unwrap();
    typespace::build("fixture", "Fixture", "1", &defs, &mut Vec::new()).unwrap()
}

fn field<'a>(ir: &'a ToolkitIr, ty: &str, field: &str) -> &'a composio_codegen::ir::Field {
    let def = ir.types.iter().find(|t| t.name == ty).unwrap_or_else(|| panic!("no type {ty}"));
    let composio_codegen::ir::TypeKind::Struct(st) = &def.kind else { panic!("{ty} is not a struct") };
    st.fields.iter().find(|f| f.json_name == field).unwrap_or_else(|| panic!("no field {ty}.{field}"))
}

#[test]
fn output_fields_with_a_default_that_fits_are_not_options() {
    let ir = build(json!([{
        "slug": "FIXTURE_GET",
        "input_parameters": {"type": "object", "properties": {}},
        "output_parameters": {"type": "object", "required": ["data"], "properties": {"data": {
            "type": "object",
            "properties": {
                "labels": {"type": "array", "items": {"type": "string"}, "default": []},
                "locked": {"type": "boolean", "default": false},
                "count": {"type": "integer", "default": 0},
                "ratio": {"type": "number", "default": 0.0},
                "note": {"type": "string", "default": ""},
                "extra": {"type": "object", "additionalProperties": true, "default": {}},
                "page": {"type": "integer", "default": 1},
                "flag": {"type": "boolean", "default": true},
                "maybe": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": []},
                "plain": {"type": "string"}
            }
        }}}
    }]));
    let ty = |name: &str| field(&ir, "GetOutput", name).ty.clone();
    assert_eq!(ty("labels"), Ty::Vec(Box::new(Ty::String)));
    assert_eq!(ty("locked"), Ty::Bool);
    assert_eq!(ty("count"), Ty::I64);
    assert_eq!(ty("ratio"), Ty::F64);
    assert_eq!(ty("note"), Ty::String);
    assert_eq!(ty("extra"), Ty::Object);
    // A default the type's own `Default` does not produce, a nullable field and a field
    // without a default stay `Option`.
    assert_eq!(ty("page"), Ty::Option(Box::new(Ty::I64)));
    assert_eq!(ty("flag"), Ty::Option(Box::new(Ty::Bool)));
    assert_eq!(ty("maybe"), Ty::Option(Box::new(Ty::Vec(Box::new(Ty::String)))));
    assert_eq!(ty("plain"), Ty::Option(Box::new(Ty::String)));
    assert!(field(&ir, "GetOutput", "labels").defaulted && !field(&ir, "GetOutput", "page").defaulted);
}

#[test]
fn input_fields_with_a_default_stay_options_so_the_server_applies_it() {
    let ir = build(json!([{
        "slug": "FIXTURE_LIST",
        "input_parameters": {"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "string"}, "default": []}}},
        "output_parameters": {"type": "object", "properties": {"data": {"type": "object"}}}
    }]));
    assert_eq!(field(&ir, "ListInput", "labels").ty, Ty::Option(Box::new(Ty::Vec(Box::new(Ty::String)))));
}
