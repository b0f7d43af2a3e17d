//! Configuration: the builder, the environment, version pinning and the `latest` guard.

mod common;

use common::{API_KEY, builder, client, issue_json, server};
use composio_testserver::{ExecuteReply, Route};
use composio_typed::toolkits::github;
use composio_typed::{ApiKey, Client, ClientBuilder, Error};
use serde_json::json;

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn config_error(result: composio_typed::Result<Client>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(client) => panic!("expected an error, got {client:?}"),
    }
}

#[test]
fn from_vars_reads_key_base_url_and_toolkit_versions() {
    let client = ClientBuilder::from_vars(vars(&[
        ("COMPOSIO_API_KEY", " ak_env_key "),
        ("COMPOSIO_BASE_URL", "http://127.0.0.1:9/"),
        ("COMPOSIO_TOOLKIT_VERSION_GITHUB", "20250909_00"),
        ("COMPOSIO_TOOLKIT_VERSION_GOOGLE_DRIVE", "20251001_01"),
        ("COMPOSIO_TOOLKIT_VERSION_GMAIL", ""),
        ("UNRELATED", "x"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_eq!(client.toolkit_version("github"), Some("20250909_00"));
    assert_eq!(client.toolkit_version("google_drive"), Some("20251001_01"));
    // An empty variable is unset, not a broken version.
    assert_eq!(client.toolkit_version("gmail"), None);
    assert_eq!(client.user_id(), "default");
}

#[test]
fn from_vars_needs_a_key() {
    for env in [vars(&[]), vars(&[("COMPOSIO_API_KEY", "  ")])] {
        let err = ClientBuilder::from_vars(env).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m == "COMPOSIO_API_KEY is not set"), "{err:?}");
    }
    let client = ClientBuilder::from_vars(vars(&[("COMPOSIO_API_KEY", "k"), ("COMPOSIO_BASE_URL", "")]))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://backend.composio.dev");
}

/// `from_env` reads the real process environment, which a test cannot set safely while other
/// tests run; so the test runs itself again as a child process with the variables set.
#[test]
fn from_env_reads_the_process_environment() {
    if std::env::var_os("COMPOSIO_TYPED_FROM_ENV_CHILD").is_some() {
        let client = Client::from_env().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:1");
        assert_eq!(client.toolkit_version("github"), Some("20250101_00"));
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "from_env_reads_the_process_environment", "--test-threads=1"])
        .env("COMPOSIO_TYPED_FROM_ENV_CHILD", "1")
        .env("COMPOSIO_API_KEY", "ak_child")
        .env("COMPOSIO_BASE_URL", "http://127.0.0.1:1")
        .env("COMPOSIO_TOOLKIT_VERSION_GITHUB", "20250101_00")
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn build_refuses_bad_configuration() {
    assert_eq!(config_error(Client::builder().build()), "no API key: set COMPOSIO_API_KEY or call api_key()");
    let ok = || Client::builder().api_key("k");
    assert_eq!(config_error(ok().base_url("ftp://host").build()), "base URL `ftp://host` is not an http(s) URL");
    assert!(config_error(ok().base_url("not a url").build()).starts_with("base URL `not a url`"));
    assert_eq!(config_error(ok().header("bad header", "v").build()), "`bad header` is not a valid header name");
    assert_eq!(config_error(ok().header("x-ok", "line\nbreak").build()), "header `x-ok` has an invalid value");
    assert_eq!(
        config_error(ok().toolkit_version("github", " ").build()),
        "empty version configured for toolkit `github`"
    );
    assert_eq!(config_error(Client::builder().api_key("").build()), "the API key is empty or not a valid header value");
    // Headers the client owns cannot be replaced: a custom `x-api-key` would bypass the key's
    // redaction, and a second content type would make the body ambiguous.
    for name in ["x-api-key", "X-API-Key", "content-type", "content-length", "host"] {
        assert_eq!(
            config_error(ok().header(name, "v").build()),
            format!("header `{name}` is set by the client and cannot be configured")
        );
    }
}

#[tokio::test]
async fn custom_headers_and_user_agent_are_sent_with_api_requests() {
    let server = server().await;
    let client =
        builder(&server).header("x-tenant", "acme").header("x-trace", "t-1").user_agent("my-agent/2").build().unwrap();
    client.tool("GITHUB_GET_AN_ISSUE", "20251027_00").await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/api/v3/tools/GITHUB_GET_AN_ISSUE");
    assert_eq!(sent.query_param("version"), Some("20251027_00"));
    assert_eq!(
        (sent.header("x-tenant"), sent.header("x-trace"), sent.header("user-agent"), sent.header("x-api-key")),
        (Some("acme"), Some("t-1"), Some("my-agent/2"), Some(API_KEY))
    );
}

#[test]
fn debug_never_shows_the_key() {
    let builder = Client::builder().api_key(API_KEY).header("authorization", "Bearer secret-header-value");
    let client = builder.clone().build().unwrap();
    for text in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", ApiKey::new(API_KEY)),
        ApiKey::new(API_KEY).to_string(),
    ] {
        assert!(!text.contains(API_KEY), "{text}");
        assert!(!text.contains("secret-header-value"), "{text}");
    }
    assert!(format!("{client:?}").contains("<redacted>"));
}

// --- versions ------------------------------------------------------------------------------------

async fn issue_server() -> composio_testserver::TestServer {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(issue_json(7, "t")));
    server
}

fn get(client: &Client) -> composio_typed::Call<'_, github::GetAnIssueInput> {
    github::get_an_issue(client, github::GetAnIssueInput::new("o", "r", 7))
}

fn sent_versions(server: &composio_testserver::TestServer) -> Vec<String> {
    server
        .requests_for(Route::Execute)
        .iter()
        .map(|r| r.json().unwrap()["version"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn generated_calls_send_their_pinned_version_unless_overridden_explicitly() {
    let server = common::server_with_newer_github().await;
    let client = client(&server);

    let pinned = get(&client).send_with_details().await.unwrap();
    assert_eq!(pinned.version, github::VERSION);
    let per_call = get(&client).version("20251201_00").send_with_details().await.unwrap();
    assert_eq!(per_call.version, "20251201_00");
    let configured = builder(&server).toolkit_version("GitHub", "20251201_00").build().unwrap();
    assert_eq!(get(&configured).send_with_details().await.unwrap().version, "20251201_00");
    // The per-call override beats the client's configuration.
    get(&configured).version(github::VERSION).await.unwrap();
    assert_eq!(sent_versions(&server), [github::VERSION, "20251201_00", "20251201_00", github::VERSION]);
}

#[tokio::test]
async fn latest_is_refused_before_sending_unless_opted_in() {
    let server = issue_server().await;
    let client = client(&server);

    let refused = [
        get(&client).version("latest").await.unwrap_err(),
        get(&builder(&server).toolkit_version("github", "latest").build().unwrap()).await.unwrap_err(),
        // An untyped call names no pinned version: without one it would run on `latest`.
        client.execute("GITHUB_GET_AN_ISSUE", json!({"owner": "o", "repo": "r", "issue_number": 7})).await.unwrap_err(),
    ];
    for err in &refused {
        let Error::VersionRefused { slug, toolkit } = err else { panic!("expected VersionRefused, got {err:?}") };
        assert_eq!((slug.as_str(), toolkit.as_str()), ("GITHUB_GET_AN_ISSUE", "github"));
        assert!(!err.may_have_run());
    }
    assert_eq!(server.count(Route::Execute), 0, "a refused call sends nothing");

    get(&client).version("latest").allow_latest().await.unwrap();
    get(&builder(&server).allow_latest(true).toolkit_version("github", "latest").build().unwrap()).await.unwrap();
    client
        .execute("GITHUB_GET_AN_ISSUE", json!({"owner": "o", "repo": "r", "issue_number": 7}))
        .allow_latest()
        .await
        .unwrap();
    assert_eq!(sent_versions(&server), ["latest", "latest", "latest"]);
}

#[tokio::test]
async fn an_untyped_call_uses_the_version_configured_for_its_toolkit() {
    let server = issue_server().await;
    let client = builder(&server).toolkit_version("github", "20251027_00").build().unwrap();
    let args = json!({"owner": "o", "repo": "r", "issue_number": 7});
    // The toolkit named explicitly, and inferred from the slug's prefix.
    client.execute("GITHUB_GET_AN_ISSUE", args.clone()).toolkit("github").await.unwrap();
    client.execute("GITHUB_GET_AN_ISSUE", args).await.unwrap();
    assert_eq!(sent_versions(&server), ["20251027_00", "20251027_00"]);
}
