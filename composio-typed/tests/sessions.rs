//! Sessions end to end against the local server, in both API generations: creation with every
//! option, reattaching, listings over several pages, typed and untyped calls through a
//! session, the typed meta tools, updates with their 409, the MCP config's redaction, and
//! connecting a toolkit through the session's Connect Link.

mod common;

use common::{API_KEY, builder, committed_tools, issue_json};
use composio_testserver::{ExecuteReply, Route, TestServer};
use composio_typed::accounts::NewAuthConfig;
use composio_typed::retry::ExecuteRetries;
use composio_typed::sessions::{
    ManageConnections, MultiAccount, Preload, SessionUpdate, Tag, TagFilter, ToolFilter, Workbench,
};
use composio_typed::toolkits::composio as meta;
use composio_typed::toolkits::github;
use composio_typed::{ApiPrefix, Client, ConnectionStatus, Error, LATEST};
use serde_json::{Value, json};

const PREFIXES: [ApiPrefix; 2] = [ApiPrefix::V3, ApiPrefix::V3_1];
const FAST_POLL: std::time::Duration = std::time::Duration::from_millis(10);

/// The committed meta tool cache, served as the catalogue's `composio` tools.
fn meta_tools() -> Vec<Value> {
    let path = format!("{}/../schemas/composio/{}.json", env!("CARGO_MANIFEST_DIR"), meta::VERSION);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Sixty toolkits besides github, gmail and composio, so the toolkit listing spans pages.
fn filler_toolkits() -> Vec<Value> {
    (0..60).map(|i| json!({"slug": format!("filler{i:02}"), "name": format!("Filler {i}")})).collect()
}

async fn server() -> TestServer {
    let server = TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .tools(committed_tools("gmail"))
        .tools(meta_tools())
        .toolkits(filler_toolkits())
        .start()
        .await;
    server.respond("GITHUB_GET_AN_ISSUE", |req| {
        let number = req.arguments["issue_number"].as_i64().unwrap_or(0);
        ExecuteReply::Data(issue_json(number, "from a session"))
    });
    server
}

fn client(server: &TestServer, prefix: ApiPrefix) -> Client {
    builder(server).api_prefix(prefix).build().unwrap()
}

fn last_body(server: &TestServer, route: Route) -> Value {
    server.requests_for(route).last().and_then(|r| r.json()).expect("a JSON request")
}

#[tokio::test]
async fn creates_a_session_with_every_option_in_both_generations() {
    let server = server().await;
    for prefix in PREFIXES {
        let client = client(&server, prefix);
        let session = client
            .session("user-42")
            .toolkits(["github", "gmail"])
            .tools("github", ToolFilter::Enable(vec!["GITHUB_GET_AN_ISSUE".into(), "GITHUB_CREATE_AN_ISSUE".into()]))
            .tools("gmail", ToolFilter::Tags(TagFilter { enable: vec![Tag::ReadOnly], disable: vec![] }))
            .tags(TagFilter { enable: vec![], disable: vec![Tag::Destructive] })
            .auth_config("github", "ac_gh1")
            .connected_account("github", "ca_gh1")
            .callback_url("https://app.example/callback")
            .workbench(Workbench {
                enable_proxy_execution: Some(false),
                auto_offload_threshold: Some(20_000),
                ..Workbench::default()
            })
            .create()
            .await
            .unwrap();

        let sent = last_body(&server, Route::SessionCreate);
        assert!(server.requests_for(Route::SessionCreate).last().unwrap().path.starts_with(prefix.as_str()));
        assert_eq!(sent["user_id"], "user-42");
        assert_eq!(sent["toolkits"], json!({"enable": ["github", "gmail"]}));
        assert_eq!(sent["tools"]["gmail"], json!({"tags": {"enable": ["readOnlyHint"]}}));
        assert_eq!(sent["tags"], json!({"disable": ["destructiveHint"]}));
        assert_eq!(sent["manage_connections"], json!({"callback_url": "https://app.example/callback"}));
        assert_eq!(sent["workbench"], json!({"enable_proxy_execution": false, "auto_offload_threshold": 20000}));
        let expected_accounts = match prefix {
            ApiPrefix::V3 => json!({"github": "ca_gh1"}),
            _ => json!({"github": ["ca_gh1"]}),
        };
        assert_eq!(sent["connected_accounts"], expected_accounts, "{prefix:?}");

        // The answer speaks `enabled`/`disabled`, and both shapes of accounts read as a list.
        assert!(session.id().starts_with("trs_"));
        assert_eq!(session.user_id(), "user-42");
        let config = session.config();
        assert_eq!(
            config.toolkits.as_ref().unwrap().enabled.as_deref(),
            Some(&["github".to_owned(), "gmail".to_owned()][..])
        );
        assert_eq!(config.tools["gmail"].tags.as_ref().unwrap().enabled, Some(vec!["readOnlyHint".to_owned()]));
        assert_eq!(config.connected_accounts["github"], vec!["ca_gh1".to_owned()]);
        assert_eq!(config.auth_configs["github"], "ac_gh1");
        assert_eq!(config.workbench.as_ref().unwrap().proxy_execution_enabled, Some(false));
        assert_eq!(
            config.manage_connections.as_ref().unwrap().callback_url.as_deref(),
            Some("https://app.example/callback")
        );
        assert_eq!(session.config_version(), (prefix == ApiPrefix::V3_1).then_some(1));
        assert!(session.meta_tools().iter().any(|t| t == "COMPOSIO_SEARCH_TOOLS"));
        assert!(session.mcp().unwrap().url.ends_with(&format!("/tool_router/{}/mcp", session.id())));
    }
}

#[tokio::test]
async fn v3_1_options_are_sent_on_v3_1_and_refused_on_v3_before_sending() {
    let server = server().await;
    let v31 = client(&server, ApiPrefix::V3_1)
        .session("user-42")
        .toolkits(["github"])
        .connected_account("github", "ca_a")
        .connected_account("github", "ca_b")
        .multi_account(MultiAccount {
            enable: Some(true),
            max_accounts_per_toolkit: Some(3),
            ..MultiAccount::default()
        })
        .preload(Preload::Tools(vec!["GITHUB_GET_AN_ISSUE".into()]))
        .search(true)
        .multi_execute(true)
        .manage_connections(ManageConnections {
            enable_wait_for_connections: Some(true),
            ..ManageConnections::default()
        })
        .create()
        .await
        .unwrap();
    assert_eq!(v31.config().connected_accounts["github"], vec!["ca_a".to_owned(), "ca_b".to_owned()]);
    assert_eq!(v31.config().multi_account.as_ref().unwrap().max_accounts_per_toolkit, Some(3));
    let sent = last_body(&server, Route::SessionCreate);
    assert_eq!(sent["preload"], json!({"tools": ["GITHUB_GET_AN_ISSUE"]}));
    assert_eq!(sent["execute"], json!({"enable_multi_execute": true}));

    let before = server.count(Route::SessionCreate);
    let v3 = client(&server, ApiPrefix::V3);
    let refused = v3.session("user-42").search(true).create().await;
    assert!(matches!(refused, Err(Error::Config(ref m)) if m.contains("`search`")), "{refused:?}");
    let two = v3.session("u").connected_account("github", "ca_a").connected_account("github", "ca_b").create().await;
    assert!(matches!(two, Err(Error::Config(_))), "{two:?}");
    assert_eq!(server.count(Route::SessionCreate), before, "nothing was sent");
}

#[tokio::test]
async fn platform_errors_arrive_typed_in_the_real_error_body() {
    let server = server().await;
    let client = client(&server, ApiPrefix::V3_1);
    let err = client.session("user-42").toolkits(["githubb"]).create().await.unwrap_err();
    match err {
        Error::Api(api) => {
            assert_eq!((api.status, api.error_slug.as_deref()), (400, Some("HTTP_BadRequest")));
            assert!(api.errors.iter().any(|e| e.as_str().unwrap().contains("githubb")), "{:?}", api.errors);
        }
        other => panic!("{other:?}"),
    }
    let typo = client.session("u").tools("github", ToolFilter::Enable(vec!["GITHUB_NOPE".into()])).create().await;
    assert_eq!(typo.unwrap_err().status(), Some(400));
    let missing = client.session_by_id("trs_missing").await.unwrap_err();
    assert_eq!(missing.status(), Some(404));
    let before = server.requests().len();
    assert!(matches!(client.session_by_id(" ").await, Err(Error::Config(_))));
    assert_eq!(server.requests().len(), before, "an empty id is refused before sending");
    // A creation is not repeated after a 5xx, even under the SDKs' policy: it may have opened
    // a session.
    server.fault(composio_testserver::FaultRule::new(
        Route::SessionCreate,
        composio_testserver::Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "busy"),
    ));
    let mut always = common::fast_retries();
    always.execute = ExecuteRetries::Always;
    let client = builder(&server).api_prefix(ApiPrefix::V3_1).retry_policy(always).build().unwrap();
    let before = server.count(Route::SessionCreate);
    let busy = client.session("u").create().await.unwrap_err();
    assert_eq!(busy.status(), Some(503), "{busy:?}");
    assert_eq!(server.count(Route::SessionCreate), before + 1);
}

#[tokio::test]
async fn reattaches_by_id_and_lists_every_page() {
    let server = server().await;
    for prefix in PREFIXES {
        let client = client(&server, prefix);
        let session = client.session("user-7").connected_account("github", "ca_gh7").create().await.unwrap();
        let again = client.session_by_id(session.id()).await.unwrap();
        assert_eq!((again.id(), again.config(), again.user_id()), (session.id(), session.config(), "user-7"));

        // Sixty-three toolkits at fifty a page; 37 + 20 + 7 tools at fifty a page.
        server.clear_requests();
        let toolkits = again.toolkits().await.unwrap();
        assert_eq!(toolkits.len(), 63);
        assert_eq!(server.count(Route::SessionToolkits), 2);
        let github = toolkits.iter().find(|t| t.slug == "github").unwrap();
        let account = github.connected_account.as_ref().unwrap();
        assert_eq!((account.id.as_str(), account.is_active()), ("ca_gh7", true));
        assert!(github.is_ready());
        assert!(toolkits.iter().find(|t| t.slug == "gmail").unwrap().connected_account.is_none());
        let connected = again.connected_toolkits().await.unwrap();
        assert_eq!(connected.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["github"]);

        let tools = again.tools().await.unwrap();
        assert_eq!(tools.len(), 64);
        assert_eq!(server.count(Route::SessionTools), 2);
        let search = tools.iter().find(|t| t.slug == "COMPOSIO_SEARCH_TOOLS").unwrap();
        assert_eq!(search.toolkit.as_deref(), Some("composio"));
        assert!(search.input_parameters().is_some());
    }
}

#[tokio::test]
async fn typed_github_calls_run_through_the_session_on_latest_with_an_opt_in() {
    let server = server().await;
    for prefix in PREFIXES {
        let client = client(&server, prefix);
        let session = client
            .session("user-42")
            .toolkits(["github"])
            .connected_account("github", "ca_gh1")
            .create()
            .await
            .unwrap();
        let input = || github::GetAnIssueInput::new("octocat", "hello-world", 7);

        // The session runs `latest`, which the pinned types were not made for.
        let before = server.count(Route::SessionExecute);
        let refused = session.call(input()).await;
        assert!(
            matches!(refused, Err(Error::VersionRefused { ref toolkit, .. }) if toolkit == "github"),
            "{refused:?}"
        );
        assert_eq!(server.count(Route::SessionExecute), before);

        let issue = session.call(input()).allow_latest().send_with_details().await.unwrap();
        assert_eq!((issue.data.number, issue.data.title.as_str()), (7, "from a session"));
        assert_eq!(issue.version, LATEST);
        assert!(issue.log_id.is_some());
        let sent = last_body(&server, Route::SessionExecute);
        assert_eq!(
            sent,
            json!({"tool_slug": "GITHUB_GET_AN_ISSUE", "arguments": {"owner": "octocat", "repo": "hello-world", "issue_number": 7}})
        );
        assert!(server.requests_for(Route::SessionExecute).last().unwrap().path.starts_with(prefix.as_str()));
        // The server ran it as the session's user, through the session's account.
        let ran = server.requests_for(Route::SessionExecute).len();
        assert!(ran > 0);

        // Untyped, and a tool the session does not offer: the platform's 403.
        let data = session
            .execute("GITHUB_GET_AN_ISSUE", json!({"owner": "o", "repo": "r", "issue_number": 3}))
            .await
            .unwrap();
        assert_eq!(data["number"], 3);
        let denied = session.execute("GMAIL_FETCH_EMAILS", json!({})).await.unwrap_err();
        assert_eq!(denied.status(), Some(403), "{denied:?}");
    }
}

#[tokio::test]
async fn tool_failures_and_the_account_choice_come_through_a_session() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |req| {
        ExecuteReply::Failure(format!("no access for {}", req.connected_account_id.clone().unwrap_or_default()))
    });
    let v31 = client(&server, ApiPrefix::V3_1).session("u").toolkits(["github"]).create().await.unwrap();
    let input = github::CreateAnIssueInput::new("octocat", "hello-world", "t");
    match v31.call(input.clone()).account("ca_work").allow_latest().await {
        Err(Error::ToolFailed(failure)) => assert_eq!(failure.message, "no access for ca_work"),
        other => panic!("{other:?}"),
    }
    assert_eq!(last_body(&server, Route::SessionExecute)["account"], "ca_work");
    let v3 = client(&server, ApiPrefix::V3).session("u").toolkits(["github"]).create().await.unwrap();
    let refused = v3.call(input).account("ca_work").allow_latest().await;
    assert!(matches!(refused, Err(Error::Config(_))), "{refused:?}");
}

#[tokio::test]
async fn the_typed_meta_tools_run_without_the_latest_opt_in() {
    let server = server().await;
    for prefix in PREFIXES {
        let client = client(&server, prefix);
        let session = client
            .session("user-42")
            .toolkits(["github", "gmail"])
            .connected_account("github", "ca_gh1")
            .create()
            .await
            .unwrap();

        let found = meta::search_tools(
            &session,
            meta::SearchToolsInput::new([meta::SearchQuery::new("get an issue from github")]),
        )
        .send_with_details()
        .await
        .unwrap();
        assert_eq!(found.version, LATEST);
        assert!(
            found.data.results[0].primary_tool_slugs.iter().any(|s| s == "GITHUB_GET_AN_ISSUE"),
            "{:?}",
            found.data
        );
        let sent = last_body(&server, Route::SessionExecuteMeta);
        assert_eq!(sent["slug"], "COMPOSIO_SEARCH_TOOLS");
        assert_eq!(sent["arguments"]["queries"][0]["use_case"], "get an issue from github");
        assert!(sent.get("version").is_none(), "the meta route takes no version");

        let call = meta::MultiExecuteToolItem::new(
            "GITHUB_GET_AN_ISSUE",
            json!({"owner": "octocat", "repo": "hello-world", "issue_number": 5}).as_object().unwrap().clone(),
        );
        let ran = session.call(meta::MultiExecuteToolInput::new([call], false)).await.unwrap();
        assert_eq!((ran.success_count, ran.results[0].tool_slug.as_str()), (Some(1), "GITHUB_GET_AN_ISSUE"));
        assert_eq!(ran.results[0].response.as_ref().unwrap()["data"]["number"], 5);

        let connections =
            meta::manage_connections(&session, meta::ManageConnectionsInput::new(["github", "gmail"])).await.unwrap();
        assert_eq!(connections.results["github"].status, meta::ConnectionResultStatus::Active);
        assert_eq!(connections.results["gmail"].status, meta::ConnectionResultStatus::Initiated);
        assert!(connections.results["gmail"].redirect_url.is_some());

        let waited = meta::wait_for_connections(
            &session,
            meta::WaitForConnectionsInput::new(["github"]).mode(meta::WaitForConnectionsMode::All),
        )
        .await
        .unwrap();
        assert_eq!(waited.results.unwrap()[0]["status"], "ACTIVE");

        let schemas =
            meta::get_tool_schemas(&session, meta::GetToolSchemasInput::new(["GITHUB_GET_AN_ISSUE"])).await.unwrap();
        assert!(schemas.tool_schemas.unwrap()["GITHUB_GET_AN_ISSUE"].input_schema.is_some());

        let bench = meta::remote_workbench(&session, meta::RemoteWorkbenchInput::new("print(1)")).await.unwrap();
        assert!(bench.stdout.unwrap().contains("8 characters"));
        let bash = meta::remote_bash_tool(&session, meta::RemoteBashToolInput::new("ls")).await.unwrap();
        assert_eq!(bash.stdout.as_deref(), Some("$ ls\n"));

        // Arguments are checked against the meta tool's schema, and the error is typed.
        let untyped = session.execute_meta("COMPOSIO_WAIT_FOR_CONNECTIONS", json!({"toolkits": []})).await.unwrap_err();
        assert_eq!(untyped.status(), Some(400), "{untyped:?}");
    }
}

/// The typed meta inputs validate against the real published input schemas, when the corpus
/// is beside the repository.
#[tokio::test]
async fn typed_meta_inputs_fit_the_real_schemas() {
    if composio_testserver::corpus_missing() {
        return;
    }
    let path = composio_testserver::corpus_dir().join("meta-tools-input-schemas.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let real: Vec<Value> = serde_json::from_str(&text).unwrap();
    let tools = real.into_iter().map(|t| {
        json!({"slug": t["slug"], "name": t["name"], "tags": t["tags"], "input_parameters": t["inputParameters"],
               "toolkit": {"slug": "composio", "name": "Composio"}})
    });
    let server = TestServer::builder().api_key(API_KEY).tools(committed_tools("github")).tools(tools).start().await;
    let session = client(&server, ApiPrefix::V3_1).session("u").toolkits(["github"]).create().await.unwrap();
    let query = meta::SearchQuery::new("star a repository").known_fields("repo:hello-world");
    meta::search_tools(
        &session,
        meta::SearchToolsInput::new([query]).session(meta::SearchSession::new().generate_id(true)).model("m"),
    )
    .await
    .unwrap();
    let item = meta::MultiExecuteToolItem::new("GITHUB_GET_AN_ISSUE", serde_json::Map::new());
    meta::multi_execute_tool(
        &session,
        meta::MultiExecuteToolInput::new([item], true)
            .thought("t")
            .current_step("S")
            .current_step_metric("0/1")
            .session_id("s"),
    )
    .await
    .unwrap();
    meta::manage_connections(
        &session,
        meta::ManageConnectionsInput::new(["github"]).reinitiate_all(true).session_id("s"),
    )
    .await
    .unwrap();
    meta::wait_for_connections(
        &session,
        meta::WaitForConnectionsInput::new(["github"]).mode(meta::WaitForConnectionsMode::Any),
    )
    .await
    .unwrap();
    meta::get_tool_schemas(
        &session,
        meta::GetToolSchemasInput::new(["GITHUB_GET_AN_ISSUE"])
            .include([meta::GetToolSchemasIncludeItem::OutputSchema]),
    )
    .await
    .unwrap();
    meta::remote_workbench(
        &session,
        meta::RemoteWorkbenchInput::new("1").thought("t").current_step("S").current_step_metric("1/1"),
    )
    .await
    .unwrap();
    meta::remote_bash_tool(&session, meta::RemoteBashToolInput::new("ls").session_id("s")).await.unwrap();
    assert_eq!(server.count(Route::SessionExecuteMeta), 7);
}

#[tokio::test]
async fn updates_bump_the_version_and_a_conflict_is_typed_and_never_retried() {
    let server = server().await;
    // Even the SDKs' policy of repeating everything leaves a 409 alone.
    let mut policy = common::fast_retries();
    policy.execute = ExecuteRetries::Always;
    let client = builder(&server).api_prefix(ApiPrefix::V3_1).retry_policy(policy).build().unwrap();
    let mut session = client.session("user-42").toolkits(["github"]).create().await.unwrap();
    assert_eq!(session.config_version(), Some(1));

    session.update(SessionUpdate::new().toolkits(["github", "gmail"]).expected_version(1)).await.unwrap();
    assert_eq!(session.config_version(), Some(2));
    assert_eq!(session.config().toolkits.as_ref().unwrap().enabled.as_ref().unwrap().len(), 2);
    let sent = last_body(&server, Route::SessionUpdate);
    assert_eq!(sent, json!({"toolkits": {"enable": ["github", "gmail"]}, "expected_config_version": 1}));
    // Another holder of the session sees the change.
    let mut other = client.session_by_id(session.id()).await.unwrap();
    assert_eq!(other.config_version(), Some(2));

    let before = server.count(Route::SessionUpdate);
    let stale = other.update(SessionUpdate::new().disable_toolkits(["gmail"]).expected_version(1)).await.unwrap_err();
    match &stale {
        Error::SessionConflict { session_id, error } => {
            assert_eq!((session_id.as_str(), error.status), (session.id(), 409));
            assert_eq!(error.error_slug.as_deref(), Some("ToolRouter_SessionConfigConflict"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stale.status(), Some(409));
    assert_eq!(server.count(Route::SessionUpdate), before + 1, "a conflict is not retried");
    other.refresh().await.unwrap();
    assert_eq!(other.config_version(), Some(2));

    let v3 = client_v3(&server).session("u").create().await.unwrap();
    let mut v3 = v3;
    assert!(matches!(v3.update(SessionUpdate::new().search(true)).await, Err(Error::Config(_))));
}

fn client_v3(server: &TestServer) -> Client {
    client(server, ApiPrefix::V3)
}

#[tokio::test]
async fn the_mcp_config_keeps_the_api_key_out_of_debug() {
    let server = server().await;
    let session = client(&server, ApiPrefix::V3_1).session("user-42").create().await.unwrap();
    let mcp = session.mcp().unwrap();
    assert_eq!(mcp.kind, "http");
    assert_eq!(mcp.headers(), [("x-api-key", API_KEY)]);
    for text in [format!("{mcp:?}"), format!("{session:?}"), format!("{mcp:#?}")] {
        assert!(!text.contains(API_KEY), "{text}");
        assert!(text.contains("<redacted>") && text.contains(&mcp.url), "{text}");
    }
}

#[tokio::test]
async fn authorize_links_follows_waits_then_the_session_runs_through_the_new_account() {
    for prefix in PREFIXES {
        let server = server().await;
        let client = client(&server, prefix).for_user("user-42");
        // No auth config for github yet: the platform's 404.
        let session = client.session("user-42").toolkits(["github", "gmail"]).create().await.unwrap();
        let missing = session.authorize("github").await.unwrap_err();
        assert_eq!(missing.status(), Some(404), "{missing:?}");

        let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
        let request = session.authorize("github").callback_url("https://app.example/done").await.unwrap();
        let sent = server.requests_for(Route::SessionLink).pop().unwrap();
        assert_eq!(sent.path, format!("{}/tool_router/session/{}/link", prefix.as_str(), session.id()));
        assert_eq!(sent.json().unwrap(), json!({"toolkit": "github", "callback_url": "https://app.example/done"}));
        let link = request.redirect_url().unwrap().to_owned();

        // Before the user finishes, the session shows the account waiting.
        let waiting = session.toolkits().await.unwrap();
        let github = waiting.iter().find(|t| t.slug == "github").unwrap();
        assert_eq!(github.connected_account.as_ref().unwrap().status, ConnectionStatus::Initiated);
        assert!(!github.is_ready());

        // The user finishes at the link; the callback gets the account.
        let (status, location) = common::visit(&link).await;
        assert_eq!(status, 302);
        assert!(location.unwrap().contains(request.connected_account_id()));
        let account = request.clone().poll_interval(FAST_POLL).wait().await.unwrap();
        assert_eq!(
            (account.id.as_str(), account.status.clone()),
            (request.connected_account_id(), ConnectionStatus::Active)
        );
        assert_eq!(account.auth_config.id, config.id);

        let ready = session.connected_toolkits().await.unwrap();
        assert_eq!(ready.len(), 1);
        assert!(ready[0].is_ready());
        session.call(github::GetAnIssueInput::new("octocat", "hello-world", 1)).allow_latest().await.unwrap();
        let ran = server.requests_for(Route::Execute);
        assert!(ran.is_empty(), "session calls use the session route, not /tools/execute");

        // A session that names its github account refuses a second link for it.
        let pinned = client.session("user-42").connected_account("github", "ca_pinned").create().await.unwrap();
        let refused = pinned.authorize("github").await.unwrap_err();
        assert_eq!(refused.status(), Some(400), "{refused:?}");
        let alias = session.authorize("github").alias("work").await;
        match prefix {
            ApiPrefix::V3 => assert!(matches!(alias, Err(Error::Config(_))), "{alias:?}"),
            _ => assert_eq!(server.requests_for(Route::SessionLink).pop().unwrap().json().unwrap()["alias"], "work"),
        }
    }
}
