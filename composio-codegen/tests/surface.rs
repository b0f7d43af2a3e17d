//! What users of generated code see and keep: output fields with a default, and type names
//! that stay put when other tools come and go.

use composio_codegen::__private::{Field, ToolkitIr, Ty, TypeKind, build as build_ir};
use composio_codegen::model;
use serde_json::{Value, json};

fn build(tools: Value) -> ToolkitIr {
    let defs = model::parse_document_owned("test", tools).unwrap();
    build_ir("fixture", "Fixture", "1", &defs, &mut Vec::new()).unwrap()
}

fn field<'a>(ir: &'a ToolkitIr, ty: &str, field: &str) -> &'a Field {
    let def = ir.types.iter().find(|t| t.name == ty).unwrap_or_else(|| panic!("no type {ty}"));
    let TypeKind::Struct(st) = &def.kind else { panic!("{ty} is not a struct") };
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

/// Every public name of a module as a user spells it: functions, types, fields and variants.
fn public_names(code: &str) -> std::collections::BTreeSet<String> {
    let file = syn::parse_file(code).unwrap();
    let mut names = std::collections::BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Fn(f) => {
                names.insert(format!("fn {}", f.sig.ident));
            }
            syn::Item::Struct(s) => {
                names.insert(format!("type {}", s.ident));
                for field in &s.fields {
                    let ty = &field.ty;
                    let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                    names.insert(format!("field {}.{ident}: {}", s.ident, quote::quote!(#ty)));
                }
            }
            syn::Item::Enum(e) => {
                names.insert(format!("type {}", e.ident));
                for v in &e.variants {
                    let fields = &v.fields;
                    names.insert(format!("variant {}::{}{}", e.ident, v.ident, quote::quote!(#fields)));
                }
            }
            syn::Item::Type(t) => {
                names.insert(format!("type {}", t.ident));
            }
            _ => {}
        }
    }
    names
}

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn committed_github_tools() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("schemas/github/20251027_00.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A schema cache holding `tools` as a newer github version, with the committed names record
/// (if any) beside it, as a checkout after `--update` has it.
fn cache_with(tools: &[Value]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("composio.lock"), "[toolkits]\ngithub = \"20260101_00\"\n").unwrap();
    std::fs::create_dir(dir.path().join("github")).unwrap();
    std::fs::write(dir.path().join("github/20260101_00.json"), serde_json::to_string(tools).unwrap()).unwrap();
    // The trigger types too, so the module compared is the committed one's whole surface.
    let triggers = root().join("schemas/github/20251027_00.triggers.json");
    std::fs::copy(triggers, dir.path().join("github/20260101_00.triggers.json")).unwrap();
    let record = root().join("schemas/github/names.toml");
    if record.exists() {
        std::fs::copy(record, dir.path().join("github/names.toml")).unwrap();
    }
    dir
}

fn github_module(cache: &std::path::Path) -> String {
    composio_codegen::Config::new().schema_cache(cache).generate(&["github"]).unwrap().remove(0).code
}

/// The public names of `before` that `after` lacks.
fn lost(before: &str, after: &str) -> Vec<String> {
    let after = public_names(after);
    public_names(before).into_iter().filter(|n| !after.contains(n)).collect()
}

#[test]
fn a_new_tool_that_sorts_first_renames_nothing() {
    let committed = std::fs::read_to_string(root().join("composio-typed/src/toolkits/github.rs")).unwrap();
    let mut tools = committed_github_tools();
    // A copy of an existing tool under a slug that sorts first: every shape it has is now also
    // used, first, by another tool.
    for template in ["GITHUB_CREATE_A_REFERENCE", "GITHUB_GET_AN_ISSUE", "GITHUB_CREATE_A_PULL_REQUEST"] {
        let mut copy = tools.iter().find(|t| t["slug"] == template).unwrap().clone();
        copy["slug"] = json!(template.replace("GITHUB_", "GITHUB_AAA_"));
        tools.push(copy);
    }
    let lost = lost(&committed, &github_module(cache_with(&tools).path()));
    assert!(lost.is_empty(), "renamed or lost: {lost:#?}");
}

#[test]
fn removing_a_tool_renames_nothing_else() {
    let committed = std::fs::read_to_string(root().join("composio-typed/src/toolkits/github.rs")).unwrap();
    // Each of these is one of the two users of a shape that the other user names.
    for gone in ["GITHUB_CREATE_AN_ISSUE", "GITHUB_LIST_REACTIONS_FOR_AN_ISSUE", "GITHUB_CREATE_A_MILESTONE"] {
        let tools: Vec<Value> = committed_github_tools().into_iter().filter(|t| t["slug"] != gone).collect();
        let after = github_module(cache_with(&tools).path());
        // Whatever remains keeps its name: nothing new appears.
        let before = public_names(&committed);
        let added: Vec<String> = public_names(&after).into_iter().filter(|n| !before.contains(n)).collect();
        assert!(added.is_empty(), "without {gone}, renamed: {added:#?}");
    }
}

#[test]
fn generation_writes_the_names_record_and_check_reports_it_stale() {
    let mut tools = committed_github_tools();
    let mut copy = tools.iter().find(|t| t["slug"] == "GITHUB_GET_AN_ISSUE").unwrap().clone();
    copy["slug"] = json!("GITHUB_AAA_GET_AN_ISSUE");
    tools.push(copy);
    let cache = cache_with(&tools);
    let out = tempfile::tempdir().unwrap();
    let mut config = composio_codegen::Config::new();
    config.schema_cache(cache.path()).out_dir(out.path());
    let record = cache.path().join("github/names.toml");

    // The new tool's uses are not in the committed record yet: the record is stale.
    assert_eq!(config.check(&["github"]).unwrap(), vec![record.clone(), out.path().join("github.rs")]);
    let written = config.write(&["github"]).unwrap();
    assert_eq!(written[0].names_record.as_deref(), Some(record.as_path()));
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("\"GITHUB_AAA_GET_AN_ISSUE/output/assignee\""), "{text}");
    assert!(config.check(&["github"]).unwrap().is_empty());
    // Unchanged, so not rewritten.
    assert_eq!(config.write(&["github"]).unwrap()[0].names_record, None);

    // A hand-edited name is honoured; the module is stale, and so is the record until it is
    // written back in sorted order.
    std::fs::write(&record, text.replace("SimpleUser = [", "GitHubUser = [")).unwrap();
    let module = config.generate(&["github"]).unwrap().remove(0);
    assert!(module.code.contains("pub struct GitHubUser {") && !module.code.contains("pub struct SimpleUser"));
    assert_eq!(config.check(&["github"]).unwrap(), vec![record.clone(), out.path().join("github.rs")]);
    config.write(&["github"]).unwrap();
    assert!(config.check(&["github"]).unwrap().is_empty());
    assert!(std::fs::read_to_string(&record).unwrap().contains("\nGitHubUser = ["));
}

fn toolkit(version: &str, tools: Value) -> composio_codegen::source::ToolkitSchemas {
    composio_codegen::source::ToolkitSchemas {
        toolkit: "fixture".into(),
        display_name: "Fixture".into(),
        version: version.into(),
        tools: model::parse_document_owned("test", tools).unwrap(),
        triggers: Vec::new(),
    }
}

fn drift(old: Value, new: Value) -> composio_codegen::drift::Comparison {
    let names = composio_codegen::NameRecord::default();
    composio_codegen::drift::compare_toolkits(&toolkit("1", old), &toolkit("2", new), &names).unwrap()
}

fn api(c: &composio_codegen::drift::Comparison) -> Vec<(String, String, bool)> {
    c.api.iter().map(|a| (a.item.clone(), a.change.to_string(), a.breaking)).collect()
}

fn owner_tool(title: &str, upload: bool) -> Value {
    json!([{
        "slug": "FIXTURE_GET_REPO",
        "input_parameters": {"type": "object", "properties": {
            "file": {"type": "object", "file_uploadable": upload, "properties": {
                "name": {"type": "string"}, "mimetype": {"type": "string"}, "s3key": {"type": "string"}
            }}
        }},
        "output_parameters": {"type": "object", "properties": {"data": {"type": "object", "properties": {
            "owner": {"title": title, "type": "object", "properties": {"login": {"type": "string"}}}
        }}}}
    }])
}

#[test]
fn drift_reports_a_title_change_that_renames_a_type_as_breaking() {
    let c = drift(owner_tool("SimpleUser", false), owner_tool("GitHubUser", false));
    assert_eq!(api(&c), [("type SimpleUser".to_owned(), "renamed to GitHubUser".to_owned(), true)]);
    assert!(c.is_breaking(), "{c}");
    assert!(c.to_string().contains("type SimpleUser: renamed to GitHubUser  [breaking]"), "{c}");
}

#[test]
fn drift_reports_a_file_uploadable_flip_as_breaking() {
    let c = drift(owner_tool("SimpleUser", false), owner_tool("SimpleUser", true));
    let flip = ("GetRepoInput.file".to_owned(), "Option<GetRepoFile> -> Option<FileInput>".to_owned(), true);
    assert!(api(&c).contains(&flip), "{c}");
    assert!(c.is_breaking(), "{c}");
}

#[test]
fn drift_reports_api_additions_as_not_breaking_and_a_new_required_argument_as_breaking() {
    let old = owner_tool("SimpleUser", false);
    let mut new = old.clone();
    new[0]["input_parameters"]["properties"]["page"] = json!({"type": "integer"});
    new.as_array_mut().unwrap().push(json!({"slug": "FIXTURE_A_NEW", "input_parameters": {"type": "object", "properties": {}}, "output_parameters": {}}));
    let c = drift(old.clone(), new);
    assert_eq!(
        api(&c),
        [
            ("fn a_new".to_owned(), "added".to_owned(), false),
            ("GetRepoInput.page".to_owned(), "added".to_owned(), false),
            ("type ANewInput".to_owned(), "added".to_owned(), false),
        ]
    );
    assert!(!c.is_breaking(), "{c}");

    let mut new = old.clone();
    new[0]["input_parameters"]["properties"]["repo"] = json!({"type": "string", "const": "x"});
    new[0]["input_parameters"]["properties"]["page"] = json!({"type": "integer"});
    new[0]["input_parameters"]["required"] = json!(["page"]);
    let c = drift(old, new);
    assert!(api(&c).contains(&("GetRepoInput.page".to_owned(), "added".to_owned(), true)), "{c}");
}
