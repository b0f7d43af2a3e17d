//! The Composio protocol as the server speaks it: listing, versions, toolkits, auth, errors,
//! execute validation, files.

mod common;

use common::{client, corpus_tool, github_google_tools, with_query};
use composio_testserver::{ExecuteReply, Route, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn corpus_server() -> TestServer {
    TestServer::builder().tools(github_google_tools()).start().await
}

async fn get_json(c: &reqwest::Client, s: &TestServer, path: &str) -> (StatusCode, Value) {
    let resp = c.get(s.url(path)).header("x-api-key", s.api_key()).send().await.expect("request");
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

async fn post_json(c: &reqwest::Client, s: &TestServer, path: &str, body: &Value) -> (StatusCode, Value) {
    let resp = c.post(s.url(path)).header("x-api-key", s.api_key()).json(body).send().await.expect("request");
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|t| t["slug"].as_str().expect("slug").to_string()).collect()
}

fn tool(slug: &str, toolkit: &str, version: &str) -> Value {
    json!({
        "slug": slug,
        "name": slug,
        "description": format!("{slug} description"),
        "toolkit": {"slug": toolkit, "name": toolkit, "logo": ""},
        "version": version,
        "input_parameters": {"type": "object", "properties": {}},
        "output_parameters": {},
        "tags": [],
    })
}

#[tokio::test]
async fn lists_all_github_tools_across_pages() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let mut expected: Vec<String> = github_google_tools()
        .iter()
        .map(|t| t["slug"].as_str().unwrap().to_string())
        .filter(|s| s.starts_with("GITHUB_"))
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 823);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut pairs = vec![("toolkit_slug", "github"), ("toolkit_versions", "20251027_00"), ("limit", "100")];
        if let Some(cur) = &cursor {
            pairs.push(("cursor", cur));
        }
        let page: Value = c
            .get(with_query(&s.url("/api/v3/tools"), &pairs))
            .header("x-api-key", s.api_key())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        assert_eq!(page["total_items"], 823);
        assert_eq!(page["total_pages"], 9);
        assert_eq!(page["current_page"], pages);
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), if pages < 9 { 100 } else { 23 });
        for t in items {
            assert_eq!(t["toolkit"]["slug"], "github");
            assert_eq!(t["version"], "20251027_00");
        }
        seen.extend(slugs(&page));
        match &page["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            Value::Null => break,
            other => panic!("next_cursor {other}"),
        }
    }
    assert_eq!(pages, 9);
    assert_eq!(seen, expected);
    assert_eq!(s.count(Route::ListTools), 9);
}

#[tokio::test]
async fn small_pages_are_stable_and_contiguous() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let (_, all) = get_json(&c, &s, "/api/v3.1/tools?toolkit_slug=github&limit=21").await;
    let first_21 = slugs(&all);
    let mut walked = Vec::new();
    let mut path = "/api/v3.1/tools?toolkit_slug=github&limit=7".to_string();
    for page_no in 1..=3 {
        let (status, page) = get_json(&c, &s, &path).await;
        assert_eq!(status, 200);
        assert_eq!(page["current_page"], page_no);
        assert_eq!(page["total_pages"], 823usize.div_ceil(7));
        walked.extend(slugs(&page));
        let next = page["next_cursor"].as_str().unwrap();
        path = format!("/api/v3.1/tools?toolkit_slug=github&limit=7&cursor={next}");
    }
    assert_eq!(walked, first_21);
    // The same request twice gives the same page.
    let (_, again) = get_json(&c, &s, "/api/v3.1/tools?toolkit_slug=github&limit=21").await;
    assert_eq!(slugs(&again), first_21);
}

#[tokio::test]
async fn limit_and_cursor_errors_are_400() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    for path in [
        "/api/v3/tools?limit=1001",
        "/api/v3/tools?limit=0",
        "/api/v3/tools?limit=ten",
        "/api/v3/tools?cursor=not-a-cursor!",
        "/api/v3/tools?important=maybe",
    ] {
        let (status, body) = get_json(&c, &s, path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["error"]["code"], 10400, "{path}");
        assert_eq!(body["error"]["slug"], "HTTP_BadRequest", "{path}");
        assert_eq!(body["error"]["status"], 400, "{path}");
        assert_eq!(body["error"]["errors"].as_array().unwrap().len(), 1, "{path}");
    }
    let (status, page) = get_json(&c, &s, "/api/v3.1/tools?limit=1000").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 930);
    assert_eq!(page["next_cursor"], Value::Null);
}

#[tokio::test]
async fn unknown_toolkit_and_unknown_version_list_nothing() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let (status, page) = get_json(&c, &s, "/api/v3.1/tools?toolkit_slug=nosuchkit").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["total_items"], 0);
    assert_eq!(page["next_cursor"], Value::Null);
    let (status, page) = get_json(&c, &s, "/api/v3.1/tools?toolkit_slug=github&toolkit_versions=20990101_00").await;
    assert_eq!(status, 200);
    assert_eq!(page["total_items"], 0);
}

#[tokio::test]
async fn corpus_tools_get_their_toolkit_from_the_slug_prefix() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    for (toolkit, n) in [
        ("github", 823),
        ("googledrive", 51),
        ("google_classroom", 31),
        ("google_admin", 14),
        ("google_maps", 7),
        ("google_analytics", 4),
    ] {
        let (_, page) = get_json(&c, &s, &format!("/api/v3.1/tools?toolkit_slug={toolkit}&limit=1")).await;
        assert_eq!(page["total_items"], n, "{toolkit}");
        assert_eq!(page["items"][0]["toolkit"]["slug"], toolkit);
        let (_, tk) = get_json(&c, &s, &format!("/api/v3/toolkits/{toolkit}")).await;
        assert_eq!(tk["meta"]["tools_count"], n, "{toolkit}");
    }
    let (_, list) = get_json(&c, &s, "/api/v3/toolkits").await;
    assert_eq!(
        slugs(&list),
        ["github", "google_admin", "google_analytics", "google_classroom", "google_maps", "googledrive"]
    );
    assert_eq!(list["total_items"], 6);
}

#[tokio::test]
async fn bracket_notation_picks_a_version_per_toolkit() {
    let s = TestServer::builder()
        .tools([
            tool("GITHUB_A", "github", "20250101_00"),
            tool("GITHUB_A", "github", "20250601_00"),
            tool("GMAIL_B", "gmail", "20250201_00"),
            tool("GMAIL_B", "gmail", "20250701_00"),
        ])
        .start()
        .await;
    let c = client();
    let version_of = |page: &Value, slug: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug)
            .map(|t| t["version"].as_str().unwrap().to_string())
    };

    // Encoded brackets, as a form encoder sends them.
    let url = with_query(
        &s.url("/api/v3/tools"),
        &[("toolkit_versions[github]", "20250101_00"), ("toolkit_versions[gmail]", "latest")],
    );
    let page: Value = c.get(url).header("x-api-key", s.api_key()).send().await.unwrap().json().await.unwrap();
    assert_eq!(version_of(&page, "GITHUB_A").as_deref(), Some("20250101_00"));
    assert_eq!(version_of(&page, "GMAIL_B").as_deref(), Some("20250701_00"));

    // Raw brackets in the URL, and a toolkit left out: v3 falls back to the base version,
    // which gmail does not have.
    let (_, page) = get_json(&c, &s, "/api/v3/tools?toolkit_versions[github]=latest").await;
    assert_eq!(slugs(&page), ["GITHUB_A"]);
    assert_eq!(version_of(&page, "GITHUB_A").as_deref(), Some("20250601_00"));

    // One string for every toolkit.
    let (_, page) = get_json(&c, &s, "/api/v3/tools?toolkit_versions=latest").await;
    assert_eq!(slugs(&page), ["GITHUB_A", "GMAIL_B"]);

    // A single tool honours bracket notation too, and `version` wins over it.
    let (_, t) = get_json(&c, &s, "/api/v3/tools/GITHUB_A?toolkit_versions[github]=20250601_00").await;
    assert_eq!(t["version"], "20250601_00");
    assert_eq!(t["available_versions"], json!(["20250601_00", "20250101_00"]));
    let (_, t) = get_json(&c, &s, "/api/v3/tools/GITHUB_A?version=20250101_00&toolkit_versions=latest").await;
    assert_eq!(t["version"], "20250101_00");
}

#[tokio::test]
async fn toolkit_latest_resolves_to_the_newest_version() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = TestServer::builder()
        .tools(github_google_tools())
        .toolkit_versions("github", &["20251201_00", "20250901_00"])
        .start()
        .await;
    let c = client();
    for path in [
        "/api/v3/toolkits/github?version=latest",
        "/api/v3.1/toolkits/github?version=latest",
        "/api/v3/toolkits/github",
        "/api/v3/toolkits/GitHub",
    ] {
        let (status, tk) = get_json(&c, &s, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(tk["slug"], "github");
        assert_eq!(tk["meta"]["version"], "20251201_00", "{path}");
        assert_eq!(tk["meta"]["available_versions"], json!(["20251201_00", "20251027_00", "20250901_00"]));
        // A snapshot newer than the tools still holds all of them.
        assert_eq!(tk["meta"]["tools_count"], 823);
    }
    let (_, tk) = get_json(&c, &s, "/api/v3/toolkits/github?version=20250901_00").await;
    assert_eq!(tk["meta"]["version"], "20250901_00");
    assert_eq!(tk["meta"]["tools_count"], 0);

    // Tools listed at the newest toolkit version are the 20251027_00 ones.
    let (_, page) = get_json(&c, &s, "/api/v3/tools?toolkit_slug=github&toolkit_versions=20251201_00&limit=1").await;
    assert_eq!(page["total_items"], 823);
    assert_eq!(page["items"][0]["version"], "20251027_00");

    let (status, err) = get_json(&c, &s, "/api/v3/toolkits/github?version=20990101_00").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["slug"], "Toolkit_ToolkitNotFound");
    let (status, err) = get_json(&c, &s, "/api/v3.1/toolkits/nosuchkit").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"]["slug"], "Toolkit_ToolkitNotFound");
    assert_eq!(err["error"]["status"], 404);
    assert_eq!(err["error"]["message"], "Toolkit nosuchkit not found");
    assert_eq!(s.count(Route::GetToolkit), 7);
}

#[tokio::test]
async fn toolkits_file_supplies_toolkit_objects() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = TestServer::builder()
        .toolkits_file(common::corpus_path("toolkits.json"))
        .tools(github_google_tools())
        .start()
        .await;
    let c = client();
    let (_, tk) = get_json(&c, &s, "/api/v3/toolkits/github").await;
    assert_eq!(tk["meta"]["tools_count"], 823);
    assert_eq!(tk["meta"]["version"], "20251027_00");
    assert!(tk["meta"]["categories"].is_array());
    // 530 from the file, plus google_classroom and google_admin, which it lacks.
    let (_, page) = get_json(&c, &s, "/api/v3/toolkits?limit=1000").await;
    assert_eq!(page["total_items"], 532);
    let (_, tk) = get_json(&c, &s, "/api/v3/toolkits/google_admin").await;
    assert_eq!(tk["meta"]["tools_count"], 14);
}

#[tokio::test]
async fn prefixes_differ_only_in_the_default_version() {
    let s = TestServer::builder()
        .tools([
            tool("GITHUB_OLD", "github", "00000000_00"),
            tool("GITHUB_OLD", "github", "20251027_00"),
            tool("GITHUB_NEW", "github", "20251027_00"),
        ])
        .start()
        .await;
    let c = client();
    // v3 without a version: the base version, where GITHUB_NEW does not exist yet.
    let (_, page) = get_json(&c, &s, "/api/v3/tools").await;
    assert_eq!(slugs(&page), ["GITHUB_OLD"]);
    assert_eq!(page["items"][0]["version"], "00000000_00");
    let (status, _) = get_json(&c, &s, "/api/v3/tools/GITHUB_NEW").await;
    assert_eq!(status, 404);
    let (status, body) =
        post_json(&c, &s, "/api/v3/tools/execute/GITHUB_NEW", &json!({"arguments": {}, "user_id": "u"})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["slug"], "Tool_ToolNotFound");

    // v3.1 without a version: latest.
    let (_, page) = get_json(&c, &s, "/api/v3.1/tools").await;
    assert_eq!(slugs(&page), ["GITHUB_NEW", "GITHUB_OLD"]);
    assert_eq!(page["items"][1]["version"], "20251027_00");
    let (status, body) =
        post_json(&c, &s, "/api/v3.1/tools/execute/GITHUB_NEW", &json!({"arguments": {}, "user_id": "u"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["successful"], true);

    // With an explicit version both answer the same.
    for prefix in ["/api/v3", "/api/v3.1"] {
        let (status, t) = get_json(&c, &s, &format!("{prefix}/tools/GITHUB_OLD?version=00000000_00")).await;
        assert_eq!(status, 200);
        assert_eq!(t["version"], "00000000_00");
        let (status, body) = post_json(
            &c,
            &s,
            &format!("{prefix}/tools/execute/GITHUB_NEW"),
            &json!({"arguments": {}, "user_id": "u", "version": "20251027_00"}),
        )
        .await;
        assert_eq!((status.as_u16(), &body["successful"]), (200, &json!(true)));
    }
    assert_eq!(s.count(Route::Execute), 4);
    assert_eq!(s.count(Route::GetTool), 3);
}

#[tokio::test]
async fn missing_or_wrong_api_key_is_401() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = TestServer::builder().api_key("sk_right_key_1234").tools(github_google_tools()).start().await;
    let c = client();
    let resp = c.get(s.url("/api/v3/tools")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["slug"], "Auth_NoAuthProvided");
    assert_eq!(body["error"]["code"], 906);
    assert_eq!(body["error"]["status"], 401);
    assert!(body["error"]["request_id"].is_string());

    let resp = c
        .post(s.url("/api/v3.1/tools/execute/GITHUB_ACCEPT_A_REPOSITORY_INVITATION"))
        .header("x-api-key", "ak_wrong_key_9876")
        .json(&json!({"arguments": {"invitation_id": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["slug"], "APIKey_InvalidAPIKey");
    assert_eq!(body["error"]["code"], 801);
    assert_eq!(body["error"]["message"], "Invalid API key: ak_**9876");

    let resp = c.get(s.url("/api/v3/tools/enum")).header("x-api-key", "sk_right_key_1234").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // Refused requests are recorded and counted like any other.
    assert_eq!(s.count(Route::ListTools), 1);
    assert_eq!(s.count(Route::Execute), 1);
    assert_eq!(s.requests().len(), 3);
    assert_eq!(s.requests()[1].header("X-API-KEY"), Some("ak_wrong_key_9876"));
}

#[tokio::test]
async fn unknown_tools_and_routes_are_404() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let (status, body) = get_json(&c, &s, "/api/v3.1/tools/NOPE_NOTHING").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error": {
            "message": "Tool NOPE_NOTHING not found",
            "code": 2401,
            "slug": "Tool_ToolNotFound",
            "status": 404,
            "request_id": body["error"]["request_id"],
            "suggested_fix": "",
            "errors": [],
        }})
    );
    let (status, body) = post_json(&c, &s, "/api/v3.1/tools/execute/NOPE_NOTHING", &json!({"arguments": {}})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["slug"], "Tool_ToolNotFound");
    let (status, body) = get_json(&c, &s, "/api/v2/actions").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["slug"], "HTTP_NotFound");
    assert_eq!(s.requests().last().unwrap().route, None);
    // Lower-case slugs find the tool.
    let (status, t) = get_json(&c, &s, "/api/v3.1/tools/github_accept_a_repository_invitation").await;
    assert_eq!(status, 200);
    assert_eq!(t["slug"], "GITHUB_ACCEPT_A_REPOSITORY_INVITATION");
}

#[tokio::test]
async fn tools_enum_lists_every_slug() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let (status, list) = get_json(&c, &s, "/api/v3/tools/enum").await;
    assert_eq!(status, 200);
    let list: Vec<String> = serde_json::from_value(list).unwrap();
    assert_eq!(list.len(), 930);
    assert!(list.windows(2).all(|w| w[0] < w[1]));
    assert!(list.contains(&"GOOGLE_MAPS_GET_ROUTE".to_string()));
    assert_eq!(s.count(Route::ToolsEnum), 1);
}

#[tokio::test]
async fn list_filters() {
    let mut a = tool("GITHUB_STAR_REPO", "github", "20251027_00");
    a["tags"] = json!(["important", "repos"]);
    let mut b = tool("GITHUB_LIST_ISSUES", "github", "20251027_00");
    b["tags"] = json!(["issues"]);
    b["description"] = json!("Lists the issues of a repository");
    let mut d = tool("GITHUB_OLD_THING", "github", "20251027_00");
    d["is_deprecated"] = json!(true);
    let s = TestServer::builder().tools([a, b, d]).start().await;
    let c = client();
    let q = |extra: &str| format!("/api/v3.1/tools?toolkit_slug=github{extra}");
    let (_, p) = get_json(&c, &s, &q("&important=true")).await;
    assert_eq!(slugs(&p), ["GITHUB_STAR_REPO"]);
    let (_, p) = get_json(&c, &s, &q("&important=false")).await;
    assert_eq!(slugs(&p).len(), 3);
    let (_, p) = get_json(&c, &s, &q("&tags=issues&tags=repos")).await;
    assert_eq!(slugs(&p), ["GITHUB_LIST_ISSUES", "GITHUB_STAR_REPO"]);
    let (_, p) = get_json(&c, &s, &q("&tags=issues")).await;
    assert_eq!(slugs(&p), ["GITHUB_LIST_ISSUES"]);
    let (_, p) = get_json(&c, &s, &q("&search=ISSUES+of")).await;
    assert_eq!(slugs(&p), ["GITHUB_LIST_ISSUES"]);
    let (_, p) = get_json(&c, &s, &q("&query=star")).await;
    assert_eq!(slugs(&p), ["GITHUB_STAR_REPO"]);
    let (_, p) = get_json(&c, &s, &q("&include_deprecated=false")).await;
    assert_eq!(slugs(&p), ["GITHUB_LIST_ISSUES", "GITHUB_STAR_REPO"]);
    // `tool_slugs` overrides the other filters.
    let (_, p) = get_json(
        &c,
        &s,
        "/api/v3.1/tools?tool_slugs=github_old_thing,GITHUB_STAR_REPO&toolkit_slug=gmail&important=true",
    )
    .await;
    assert_eq!(slugs(&p), ["GITHUB_OLD_THING", "GITHUB_STAR_REPO"]);
}

#[tokio::test]
async fn execute_validates_arguments_against_the_schema() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let path = "/api/v3.1/tools/execute/GITHUB_ACCEPT_A_REPOSITORY_INVITATION";

    let (status, body) = post_json(
        &c,
        &s,
        path,
        &json!({"arguments": {"invitation_id": "abc"}, "user_id": "u1", "version": "20251027_00"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["slug"], "HTTP_BadRequest");
    assert_eq!(body["error"]["code"], 10400);
    let errors = body["error"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].as_str().unwrap().starts_with("arguments/invitation_id: "), "{errors:?}");

    let (status, body) = post_json(&c, &s, path, &json!({"arguments": {}, "user_id": "u1"})).await;
    assert_eq!(status, 400);
    let errors = body["error"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    let e = errors[0].as_str().unwrap();
    assert!(e.starts_with("arguments: ") && e.contains("invitation_id"), "{e}");

    let (status, body) =
        post_json(&c, &s, path, &json!({"arguments": {"invitation_id": 7}, "user_id": "u1", "version": "latest"}))
            .await;
    assert_eq!(status, 200);
    assert_eq!(body["successful"], true);
    assert_eq!(body["data"], json!({}));
    assert_eq!(body["error"], Value::Null);
    assert!(body["log_id"].as_str().unwrap().starts_with("log_"));
    assert_eq!(body["session_info"], Value::Null);

    let (status, body) =
        post_json(&c, &s, path, &json!({"arguments": {"invitation_id": 7}, "text": "accept it"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["errors"][0], "Only one of 'text' or 'arguments' must be provided");

    let resp = c.post(s.url(path)).header("x-api-key", s.api_key()).body("{not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);

    assert_eq!(s.count(Route::Execute), 5);
    let recorded = &s.requests_for(Route::Execute)[2];
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.path, path);
    assert_eq!(recorded.json().unwrap()["arguments"]["invitation_id"], 7);
    assert_eq!(recorded.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn notion_schemas_with_defs_and_one_of_validate() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = TestServer::builder()
        .tools([corpus_tool("notion-archive-page.json"), corpus_tool("notion-append-text-blocks.json")])
        .start()
        .await;
    let c = client();
    let (status, body) = post_json(
        &c,
        &s,
        "/api/v3/tools/execute/NOTION_ARCHIVE_NOTION_PAGE",
        &json!({"arguments": {"page_id": "abc", "archive": true}, "version": "20260113_00"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post_json(
        &c,
        &s,
        "/api/v3/tools/execute/NOTION_ARCHIVE_NOTION_PAGE",
        &json!({"arguments": {"page_id": 5, "archive": "yes"}, "version": "20260113_00"}),
    )
    .await;
    assert_eq!(status, 400);
    let mut errors: Vec<String> = serde_json::from_value(body["error"]["errors"].clone()).unwrap();
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("arguments/archive: "));
    assert!(errors[1].starts_with("arguments/page_id: "));
    // The tool's toolkit comes from its own `toolkit` field.
    let (_, tk) = get_json(&c, &s, "/api/v3/toolkits/notion").await;
    assert_eq!(tk["meta"]["version"], "20260113_00");
    assert_eq!(tk["meta"]["tools_count"], 2);
}

#[tokio::test]
async fn responders_shape_execute_answers() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let slug = "GITHUB_ACCEPT_A_REPOSITORY_INVITATION";
    s.respond(slug, |req| {
        ExecuteReply::Data(json!({
            "slug": req.slug,
            "version": req.version,
            "args": req.arguments,
            "user": req.user_id,
        }))
    });
    let path = format!("/api/v3.1/tools/execute/{slug}");
    let (status, body) =
        post_json(&c, &s, &path, &json!({"arguments": {"invitation_id": 3}, "user_id": "alice", "version": "latest"}))
            .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        json!({"slug": slug, "version": "20251027_00", "args": {"invitation_id": 3}, "user": "alice"})
    );

    s.respond(slug, |_| ExecuteReply::Failure("Not Found: invitation".into()));
    let (status, body) = post_json(&c, &s, &path, &json!({"arguments": {"invitation_id": 3}})).await;
    assert_eq!(status, 200);
    assert_eq!(body["successful"], false);
    assert_eq!(body["error"], "Not Found: invitation");
    assert_eq!(body["data"], json!({}));

    s.respond(&slug.to_lowercase(), |_| ExecuteReply::Raw {
        status: 410,
        body: json!({"error": {"message": "gone", "code": 1, "status": 410}}),
    });
    let (status, body) = post_json(&c, &s, &path, &json!({"arguments": {"invitation_id": 3}})).await;
    assert_eq!(status, 410);
    assert_eq!(body["error"]["message"], "gone");

    s.respond(slug, |_| panic!("responder bug"));
    let (status, body) = post_json(&c, &s, &path, &json!({"arguments": {"invitation_id": 3}})).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["slug"], "HTTP_InternalServerError");
}

#[tokio::test]
async fn upload_request_put_and_existing() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let req = json!({
        "toolkit_slug": "googledrive",
        "tool_slug": "GOOGLEDRIVE_UPLOAD_FILE",
        "filename": "report 2025.pdf",
        "mimetype": "application/pdf",
        "md5": "9e107d9d372bb6826bd81d3542a419d6",
    });
    let (status, first) = post_json(&c, &s, "/api/v3/files/upload/request", &req).await;
    assert_eq!(status, 200);
    assert_eq!(first["type"], "new");
    assert_eq!(first["metadata"]["storage_backend"], "s3");
    let key = first["key"].as_str().unwrap().to_string();
    assert!(key.ends_with("report_2025.pdf"), "{key}");
    let url = first["new_presigned_url"].as_str().unwrap().to_string();
    assert_eq!(first["newPresignedUrl"], url.as_str());
    assert!(url.starts_with(&format!("{}/_s3/upload/", s.base_url())), "{url}");

    // The presigned URL needs no API key.
    let bytes = b"%PDF-1.4 fake".to_vec();
    let resp = c.put(&url).body(bytes.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(s.uploaded(&key), Some(bytes.clone()));

    let (status, second) = post_json(&c, &s, "/api/v3.1/files/upload/request", &req).await;
    assert_eq!(status, 200);
    assert_eq!(second["type"], "existing");
    assert_eq!(second["key"], key.as_str());
    let existing = second["existing_url"].as_str().unwrap();
    assert_eq!(second["existingUrl"], existing);
    let resp = c.get(existing).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);

    // A PUT to a key that was never handed out is refused like a bad signature.
    let resp = c.put(s.url("/_s3/upload/uploads/forged.txt")).body("x").send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(s.uploaded("uploads/forged.txt"), None);

    let (status, body) =
        post_json(&c, &s, "/api/v3/files/upload/request", &json!({"toolkit_slug": "googledrive", "filename": "a.txt"}))
            .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["errors"].as_array().unwrap().len(), 3);

    assert_eq!(s.count(Route::FileUploadRequest), 3);
    assert_eq!(s.count(Route::FilePut), 2);
    assert_eq!(s.count(Route::FileDownload), 1);
    assert_eq!(s.requests_for(Route::FilePut)[0].body, bytes);
}

#[tokio::test]
async fn registered_downloads_are_served() {
    let s = TestServer::builder().start().await;
    let c = client();
    let url = s.register_download("outputs/chart 1.png", vec![1, 2, 3, 255]);
    assert_eq!(url, format!("{}/_s3/download/outputs/chart%201.png", s.base_url()));
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &[1, 2, 3, 255]);
    let resp = c.get(s.url("/_s3/download/missing")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(s.count(Route::FileDownload), 2);
}

#[tokio::test]
async fn recorded_requests_keep_query_and_headers() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    let url = with_query(&s.url("/api/v3/tools"), &[("toolkit_versions[github]", "a b"), ("limit", "2")]);
    c.get(url).header("x-api-key", s.api_key()).header("X-Custom", "yes").send().await.unwrap();
    let r = &s.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/api/v3/tools");
    assert_eq!(
        r.query,
        vec![("toolkit_versions[github]".to_string(), "a b".to_string()), ("limit".to_string(), "2".to_string())]
    );
    assert_eq!(r.query_param("limit"), Some("2"));
    assert_eq!(r.header("x-custom"), Some("yes"));
    assert!(r.headers.iter().all(|(k, _)| k == &k.to_lowercase()));
    assert_eq!(r.route, Some(Route::ListTools));
    s.clear_requests();
    assert!(s.requests().is_empty());
    assert_eq!(s.count(Route::ListTools), 0);
}

#[tokio::test]
async fn hostile_input_gets_4xx_not_a_crash() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let s = corpus_server().await;
    let c = client();
    for (path, want) in [
        ("/api/v3/tools?limit=1e400", 400),
        ("/api/v3/tools?limit=99999999999999999999999", 400),
        ("/api/v3/tools?cursor=%FF%FE", 400),
        ("/api/v3/tools?toolkit_versions[]=x", 400),
        ("/api/v3/tools?include_deprecated=1", 400),
        ("/api/v3/tools/%FF%00", 404),
        ("/api/v3/toolkits/%", 404),
        ("/api/v3/tools?%%%=%%%&&&=", 200),
    ] {
        let resp = c.get(s.url(path)).header("x-api-key", s.api_key()).send().await.unwrap();
        assert_eq!(resp.status(), want, "{path}");
        let body: Value = resp.json().await.unwrap();
        if want != 200 {
            assert!(body["error"]["message"].is_string(), "{path}");
        }
    }
    let exec = "/api/v3.1/tools/execute/GITHUB_ACCEPT_A_REPOSITORY_INVITATION";
    for body in [
        json!([1, 2]),
        json!({"version": 5, "arguments": {"invitation_id": 1}}),
        json!({"arguments": "invitation_id=1"}),
        json!(null),
    ] {
        let (status, answer) = post_json(&c, &s, exec, &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["code"], 10400);
    }
    let (status, _) = post_json(
        &c,
        &s,
        "/api/v3/files/upload/request",
        &json!({"toolkit_slug": 1, "tool_slug": [], "filename": null, "mimetype": {}, "md5": 5}),
    )
    .await;
    assert_eq!(status, 400);
    // Still serving normally afterwards.
    let (status, _) = get_json(&c, &s, "/api/v3/tools/enum").await;
    assert_eq!(status, 200);
}
