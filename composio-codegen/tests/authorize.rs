//! Every generated module has `authorize(&client)`, and a tool that would take the name
//! yields it.

use composio_codegen::Config;
use serde_json::json;

#[test]
fn a_tool_named_authorize_leaves_the_module_helper_its_name() {
    let tool = |slug: &str| {
        json!({
            "slug": slug,
            "name": "Authorize",
            "description": "A tool whose name meets the helper's.",
            "input_parameters": {"type": "object", "title": "Request", "properties": {}},
            "output_parameters": {"type": "object", "properties": {"data": {"type": "object"}, "successful": {"type": "boolean"}}},
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.json");
    std::fs::write(&path, json!([tool("FIXTURE_AUTHORIZE"), tool("FIXTURE_STAR")]).to_string()).unwrap();
    let code = Config::new().from_file(&path).generate(&["fixture"]).unwrap().remove(0).code;
    assert_eq!(code.matches("pub async fn authorize(").count(), 1, "{code}");
    assert!(code.contains("client.authorize(TOOLKIT).await"));
    assert!(code.contains("pub fn authorize_2(\n    client: &Client,"), "{code}");
    assert!(code.contains("pub fn star(client: &Client, input:"));
}
