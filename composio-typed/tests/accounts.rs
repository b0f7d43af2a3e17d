//! Connecting users' apps, through the public API against the local server, in both API
//! generations: auth configs, Connect Links, waiting, callbacks, several accounts per user,
//! and secrets that never show.

mod common;

use std::time::{Duration, Instant};

use common::{API_KEY, builder, client, committed_tools, server, visit};
use composio_testserver::{Fault, FaultRule, Route, TestServer};
use composio_typed::accounts::{
    AccountQuery, AuthConfigKind, AuthConfigQuery, AuthConfigStatus, AuthConfigUpdate, AuthScheme, CallbackStatus,
    ConnectionState, NewAuthConfig, OrderBy, OrderDirection,
};
use composio_typed::toolkits::github;
use composio_typed::{ApiPrefix, Callback, Client, ConnectionStatus, Credentials, Error, Secret};
use serde_json::json;

const FAST_POLL: Duration = Duration::from_millis(10);

fn client_for(server: &TestServer, prefix: ApiPrefix, user: &str) -> Client {
    builder(server).api_prefix(prefix).build().expect("client").for_user(user)
}

fn oauth_credentials() -> Credentials {
    Credentials::new()
        .set("client_id", "Iv1.client-id-0001")
        .set("client_secret", "cs_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0")
        .scopes(["repo", "user"])
}

fn user_json() -> serde_json::Value {
    json!({"login": "octocat", "id": 583231, "html_url": "https://github.com/octocat", "type": "User",
           "created_at": "2011-01-25T18:44:36Z"})
}

#[tokio::test]
async fn create_link_follow_wait_call_and_delete_in_both_generations() {
    for (prefix, path) in [(ApiPrefix::V3, "/api/v3"), (ApiPrefix::V3_1, "/api/v3.1")] {
        let server = server().await;
        server.respond("GITHUB_GET_THE_AUTHENTICATED_USER", |_| composio_testserver::ExecuteReply::Data(user_json()));
        let client = client_for(&server, prefix, "user-42");

        let config = client
            .auth_configs()
            .create("github", NewAuthConfig::custom(AuthScheme::OAuth2, oauth_credentials()).name("our app"))
            .await
            .expect("auth config");
        assert!(config.id.starts_with("ac_"));
        assert_eq!((config.toolkit.as_str(), config.is_composio_managed), ("github", Some(false)));
        let sent = server.requests_for(Route::CreateAuthConfig).pop().unwrap();
        assert_eq!(sent.path, format!("{path}/auth_configs"));
        assert_eq!(
            sent.json().unwrap(),
            json!({"toolkit": {"slug": "github"}, "auth_config": {
                "type": "use_custom_auth", "authScheme": "OAUTH2", "name": "our app",
                "credentials": {"client_id": "Iv1.client-id-0001",
                                "client_secret": "cs_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                                "scopes": ["repo", "user"]}}})
        );

        let request = client
            .connected_accounts()
            .link(&config.id)
            .callback_url("https://app.example/done?from=onboarding")
            .await
            .expect("link");
        let sent = server.requests_for(Route::CreateLink).pop().unwrap();
        assert_eq!(sent.path, format!("{path}/connected_accounts/link"));
        assert_eq!(
            sent.json().unwrap(),
            json!({"auth_config_id": config.id, "user_id": "user-42",
                   "callback_url": "https://app.example/done?from=onboarding"})
        );
        let id = request.connected_account_id().to_owned();
        assert!(request.expires_at().is_some());
        let pending = client.connected_accounts().get(&id).await.unwrap();
        assert_eq!(pending.status, ConnectionStatus::Initiated);

        let (status, location) = visit(request.redirect_url().expect("a link")).await;
        assert_eq!(status, 302);
        let location = location.expect("a redirect to the callback");
        assert!(location.starts_with("https://app.example/done?from=onboarding&status=success&connected_account_id="));

        let callback = Callback::parse(&location).unwrap();
        assert_eq!(callback.status, CallbackStatus::Success);
        assert_eq!(callback.param("from"), Some("onboarding"));
        assert_eq!(callback.confirm(&client).await.unwrap().id, id);

        let account = request.clone().poll_interval(FAST_POLL).wait().await.expect("active");
        assert_eq!((account.status.clone(), account.user_id.as_deref()), (ConnectionStatus::Active, Some("user-42")));
        assert_eq!(account.toolkit.slug, "github");
        let Some(ConnectionState::OAuth2(state)) = &account.state else { panic!("{account:?}") };
        assert!(state.access_token.as_ref().is_some_and(|t| t.expose_secret().starts_with("gho_")));

        let user = github::get_the_authenticated_user(&client, github::GetTheAuthenticatedUserInput::new())
            .connected_account(&account.id)
            .await
            .expect("typed call");
        assert_eq!(user.login, "octocat");
        let executed = server.requests_for(Route::Execute).pop().unwrap().json().unwrap();
        assert_eq!(
            (executed["connected_account_id"].as_str(), executed["user_id"].as_str()),
            (Some(id.as_str()), Some("user-42"))
        );

        client.connected_accounts().delete(&id).await.expect("delete");
        match client.connected_accounts().get(&id).await {
            Err(Error::Api(e)) => {
                assert_eq!((e.status, e.error_slug.as_deref()), (404, Some("ConnectedAccount_NotFound")))
            }
            other => panic!("{other:?}"),
        }
        client.auth_configs().delete(&config.id).await.expect("delete config");
        assert!(matches!(client.auth_configs().get(&config.id).await, Err(Error::Api(e)) if e.status == 404));
        assert!(
            server
                .requests()
                .iter()
                .filter(|r| r.route.is_some_and(|r| r != Route::LinkPage))
                .all(|r| r.path.starts_with(path))
        );
    }
}

#[tokio::test]
async fn a_failed_link_ends_the_wait_at_once_with_its_reason() {
    let server = server().await;
    let client = client_for(&server, ApiPrefix::V3_1, "user-1");
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let request = client
        .connected_accounts()
        .link(&config.id)
        .callback_url("https://app.example/cb")
        .await
        .unwrap()
        .poll_interval(Duration::from_secs(30));
    assert!(server.fail_link(request.connected_account_id(), "OAuth callback failed during token exchange"));

    let (status, location) = visit(request.redirect_url().unwrap()).await;
    assert_eq!(status, 302);
    let callback = Callback::parse(&location.unwrap()).unwrap();
    assert_eq!(callback.status, CallbackStatus::Failed);

    // The poll pause is 30 s: only a wait that stops at FAILED returns quickly.
    let started = Instant::now();
    let err = request.wait().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::ConnectionFailed { connected_account_id, status, status_reason } => {
            assert_eq!(connected_account_id, request.connected_account_id());
            assert_eq!(*status, ConnectionStatus::Failed);
            assert_eq!(status_reason.as_deref(), Some("OAuth callback failed during token exchange"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("OAuth callback failed during token exchange"));
    assert!(matches!(
        callback.confirm(&client).await,
        Err(Error::ConnectionFailed { status: ConnectionStatus::Failed, .. })
    ));
}

#[tokio::test]
async fn a_forged_success_callback_is_not_trusted() {
    let server = server().await;
    let client = client_for(&server, ApiPrefix::V3, "user-1");
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let request = client.connected_accounts().link(&config.id).await.unwrap();
    let forged =
        format!("https://app.example/cb?status=success&connected_account_id={}", request.connected_account_id());
    match Callback::parse(&forged).unwrap().confirm(&client).await {
        Err(Error::ConnectionFailed { status, .. }) => assert_eq!(status, ConnectionStatus::Initiated),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_expired_link_ends_the_wait_and_answers_410() {
    let server = server().await;
    let client = client_for(&server, ApiPrefix::V3, "user-1");
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let request = client.connected_accounts().link(&config.id).await.unwrap();
    assert!(server.expire_link(request.connected_account_id()));
    assert_eq!(visit(request.redirect_url().unwrap()).await.0, 410);
    match request.poll_interval(FAST_POLL).wait().await {
        Err(Error::ConnectionFailed { status, status_reason, .. }) => {
            assert_eq!(status, ConnectionStatus::Expired);
            assert!(status_reason.unwrap().contains("10 minutes"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_wait_times_out_and_never_outlasts_the_link() {
    let server = server().await;
    let client = client_for(&server, ApiPrefix::V3, "user-1");
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let request = client.connected_accounts().link(&config.id).await.unwrap().poll_interval(FAST_POLL);
    match request.wait_for(Duration::from_millis(150)).await {
        Err(Error::ConnectionTimeout { last_status, waited, link_expired, .. }) => {
            assert_eq!(last_status, ConnectionStatus::Initiated);
            assert!(!link_expired);
            assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(3), "{waited:?}");
        }
        other => panic!("{other:?}"),
    }

    // A link that lives 400 ms: a 60 s wait ends with it, not 60 s later.
    let short = TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .link_lifetime(Duration::from_millis(400))
        .start()
        .await;
    let client = client_for(&short, ApiPrefix::V3_1, "user-1");
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let request = client.connected_accounts().link(&config.id).await.unwrap().poll_interval(FAST_POLL);
    let started = Instant::now();
    let err = request.wait().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // Whichever side notices first: the client's deadline, or the server's expiry.
    match err {
        Error::ConnectionTimeout { link_expired, .. } => assert!(link_expired),
        Error::ConnectionFailed { status, .. } => assert_eq!(status, ConnectionStatus::Expired),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn auth_configs_list_every_page_with_filters_and_change() {
    let server = server().await;
    let client = client(&server);
    let configs = client.auth_configs();
    let managed = configs.create("github", NewAuthConfig::composio_managed().name("Managed GitHub")).await.unwrap();
    let custom =
        configs.create("github", NewAuthConfig::custom(AuthScheme::OAuth2, oauth_credentials())).await.unwrap();
    let api_key = configs
        .create("gmail", NewAuthConfig::custom(AuthScheme::ApiKey, Credentials::new()).name("Gmail keys"))
        .await
        .unwrap();

    // Page size 1: three pages, walked to the end.
    let all = configs.list(&AuthConfigQuery::new().page_size(1)).collect().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(server.count(Route::ListAuthConfigs), 3);
    let listed_managed = all.iter().find(|c| c.id == managed.id).unwrap();
    assert_eq!(
        (&listed_managed.kind, listed_managed.is_composio_managed),
        (&AuthConfigKind::ComposioManaged, Some(true))
    );
    let listed_custom = all.iter().find(|c| c.id == custom.id).unwrap();
    assert_eq!(listed_custom.kind, AuthConfigKind::Custom);
    assert_eq!(listed_custom.auth_scheme, Some(AuthScheme::OAuth2));

    let ids = |list: Vec<composio_typed::accounts::AuthConfig>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let github = configs.list(&AuthConfigQuery::new().toolkit("github")).collect().await.unwrap();
    assert_eq!(ids(github).len(), 2);
    let only_custom = configs.list(&AuthConfigQuery::new().composio_managed(false)).collect().await.unwrap();
    assert_eq!(ids(only_custom), [api_key.id.clone(), custom.id.clone()]);
    let searched = configs.list(&AuthConfigQuery::new().search("gmail keys")).collect().await.unwrap();
    assert_eq!(ids(searched), [api_key.id.as_str()]);
    let sent = server.requests_for(Route::ListAuthConfigs).pop().unwrap();
    assert_eq!(sent.query_param("search"), Some("gmail keys"));

    configs.disable(&managed.id).await.unwrap();
    assert_eq!(configs.get(&managed.id).await.unwrap().status, AuthConfigStatus::Disabled);
    assert_eq!(configs.list(&AuthConfigQuery::new()).collect().await.unwrap().len(), 2);
    let shown = configs.list(&AuthConfigQuery::new().show_disabled(true)).collect().await.unwrap();
    assert_eq!(shown.len(), 3);
    // A disabled config connects nobody.
    let refused = client.connected_accounts().link(&managed.id).allow_multiple(true).await.unwrap_err();
    assert!(
        matches!(&refused, Error::Api(e) if e.status == 400 && e.error_slug.as_deref() == Some("AuthConfig_Disabled")),
        "{refused:?}"
    );
    configs.enable(&managed.id).await.unwrap();
    assert!(configs.get(&managed.id).await.unwrap().is_enabled());

    let rotated = Credentials::new().set("client_id", "Iv1.new").set("client_secret", "cs_rotated_0000000000");
    configs
        .update(
            &custom.id,
            &AuthConfigUpdate::Custom { credentials: rotated, proxy_config: None, tool_access_config: None },
        )
        .await
        .unwrap();
    assert_eq!(server.auth_config_credentials(&custom.id).unwrap()["client_secret"], "cs_rotated_0000000000");
    // The update's `type` must match the config's: the server says so, typed.
    let wrong = AuthConfigUpdate::ComposioManaged { scopes: Some(vec!["repo".into()]), tool_access_config: None };
    assert!(matches!(configs.update(&custom.id, &wrong).await, Err(Error::Api(e)) if e.status == 400));
    configs.update(&managed.id, &wrong).await.unwrap();

    configs.delete(&api_key.id).await.unwrap();
    assert!(matches!(configs.delete(&api_key.id).await, Err(Error::Api(e)) if e.status == 404));
}

#[tokio::test]
async fn the_server_refuses_what_the_platform_refuses_with_typed_errors() {
    let server = server().await;
    let client = client(&server);
    // A custom OAuth2 config without its client secret.
    let incomplete = Credentials::new().set("client_id", "Iv1.only-the-id");
    let err = client
        .auth_configs()
        .create("github", NewAuthConfig::custom(AuthScheme::OAuth2, incomplete))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(e) if e.status == 400 && e.errors.iter().any(|v| v.as_str().unwrap().contains("client_secret"))),
        "{err:?}"
    );
    // A link through an auth config that does not exist.
    let err = client.connected_accounts().link("ac_missing").allow_multiple(true).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(e) if e.status == 404 && e.error_slug.as_deref() == Some("AuthConfig_NotFound")),
        "{err:?}"
    );
    // Without allow_multiple the toolkit is looked up first: the same 404, before any link.
    let err = client.connected_accounts().link("ac_missing").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(server.count(Route::CreateLink), 1);
    // Two accounts of one user may not share an alias.
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    client.connected_accounts().link(&config.id).alias("work").await.unwrap();
    let err = client.connected_accounts().link(&config.id).alias("work").allow_multiple(true).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(e) if e.status == 400 && e.error_slug.as_deref() == Some("ConnectedAccount_AlreadyExists")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_second_account_for_one_user_is_refused_unless_asked_for() {
    let server = server().await;
    server.respond("GITHUB_GET_THE_AUTHENTICATED_USER", |_| composio_testserver::ExecuteReply::Data(user_json()));
    let client = client_for(&server, ApiPrefix::V3_1, "user-7");

    // No auth config yet: the generated module's authorize creates the Composio-managed one.
    let first = github::authorize(&client).await.expect("first link");
    assert_eq!(server.count(Route::CreateAuthConfig), 1);
    let created = server.requests_for(Route::CreateAuthConfig).pop().unwrap().json().unwrap();
    assert_eq!(created["auth_config"]["type"], "use_composio_managed_auth");
    visit(first.redirect_url().unwrap()).await;
    let first = first.poll_interval(FAST_POLL).wait().await.unwrap();

    match client.authorize("github").await {
        Err(Error::AccountExists { user_id, toolkit, existing }) => {
            assert_eq!((user_id.as_str(), toolkit.as_str()), ("user-7", "github"));
            assert_eq!(existing, [first.id.as_str()]);
        }
        other => panic!("{other:?}"),
    }
    // The same check guards a plain link, and no link was created by the refusals.
    let config_id = first.auth_config.id.clone();
    assert!(matches!(client.connected_accounts().link(&config_id).await, Err(Error::AccountExists { .. })));
    assert_eq!(server.count(Route::CreateLink), 1);
    // Another user is not affected.
    client.for_user("user-8").authorize("github").await.expect("another user");

    let second = client.authorize("github").allow_multiple(true).alias("work").await.expect("second link");
    assert_eq!(server.count(Route::CreateAuthConfig), 1, "the existing auth config is reused");
    visit(second.redirect_url().unwrap()).await;
    let second = second.poll_interval(FAST_POLL).wait().await.unwrap();
    assert_eq!(second.alias.as_deref(), Some("work"));

    let mine = client
        .connected_accounts()
        .list(&AccountQuery::new().user("user-7").toolkit("github"))
        .collect()
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [second.id.as_str(), first.id.as_str()]);

    // Each call picks its account.
    for account in [&first, &second] {
        github::get_the_authenticated_user(&client, github::GetTheAuthenticatedUserInput::new())
            .connected_account(&account.id)
            .await
            .unwrap();
        let sent = server.requests_for(Route::Execute).pop().unwrap().json().unwrap();
        assert_eq!(sent["connected_account_id"], account.id.as_str());
    }
}

#[tokio::test]
async fn accounts_list_filter_order_disable_refresh_and_initiate() {
    let server = server().await;
    let client = client_for(&server, ApiPrefix::V3, "user-1");
    let github_config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    let key_config = client
        .auth_configs()
        .create("gmail", NewAuthConfig::custom(AuthScheme::ApiKey, Credentials::new()))
        .await
        .unwrap();

    // The legacy create with an API key: active at once, no link.
    let keyed = client
        .connected_accounts()
        .initiate(&key_config.id)
        .state(ConnectionState::api_key("gm_key_5a5a5a5a5a5a5a5a"))
        .await
        .unwrap();
    assert_eq!(keyed.redirect_url(), None);
    let sent = server.requests_for(Route::CreateConnectedAccount).pop().unwrap().json().unwrap();
    assert_eq!(
        sent,
        json!({"auth_config": {"id": key_config.id}, "connection": {"user_id": "user-1", "state":
               {"authScheme": "API_KEY", "val": {"status": "ACTIVE", "api_key": "gm_key_5a5a5a5a5a5a5a5a"}}}})
    );
    let keyed = keyed.wait().await.unwrap();
    let Some(ConnectionState::ApiKey(state)) = &keyed.state else { panic!("{keyed:?}") };
    assert_eq!(state.api_key.as_ref().map(Secret::expose_secret), Some("gm_key_5a5a5a5a5a5a5a5a"));
    // The legacy create for OAuth answers a redirect, like a link.
    let oauth = client.connected_accounts().initiate(&github_config.id).await.unwrap();
    assert!(oauth.redirect_url().is_some_and(|u| u.contains("/link/")));
    let pending = client.for_user("user-2").connected_accounts().link(&github_config.id).await.unwrap();

    let accounts = client.connected_accounts();
    let oldest_first = accounts
        .list(&AccountQuery::new().order(OrderBy::CreatedAt, OrderDirection::Asc).page_size(1))
        .collect()
        .await
        .unwrap();
    let ids: Vec<&str> = oldest_first.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [keyed.id.as_str(), oauth.connected_account_id(), pending.connected_account_id()]);
    let sent = server.requests_for(Route::ListConnectedAccounts).pop().unwrap();
    assert_eq!((sent.query_param("order_by"), sent.query_param("order_direction")), (Some("created_at"), Some("asc")));
    let initiated =
        accounts.list(&AccountQuery::new().status(ConnectionStatus::Initiated).user("user-1")).collect().await.unwrap();
    assert_eq!(initiated.len(), 1);
    let by_config = accounts
        .list(
            &AccountQuery::new()
                .auth_config(&github_config.id)
                .status(ConnectionStatus::Initiated)
                .status(ConnectionStatus::Active),
        )
        .collect()
        .await
        .unwrap();
    assert_eq!(by_config.len(), 2);
    assert_eq!(
        server.requests_for(Route::ListConnectedAccounts).pop().unwrap().query_param("statuses"),
        Some("INITIATED,ACTIVE")
    );
    let mut pages = accounts.list(&AccountQuery::new().id(&keyed.id).id(pending.connected_account_id()));
    assert!(pages.try_next().await.unwrap().is_some());
    assert!(pages.try_next().await.unwrap().is_some());
    assert!(pages.try_next().await.unwrap().is_none());

    accounts.disable(&keyed.id).await.unwrap();
    let disabled = accounts.get(&keyed.id).await.unwrap();
    assert_eq!((disabled.status, disabled.is_disabled), (ConnectionStatus::Inactive, true));
    accounts.enable(&keyed.id).await.unwrap();
    assert!(accounts.get(&keyed.id).await.unwrap().is_active());
    let body = server.requests_for(Route::SetConnectedAccountStatus).pop().unwrap().json().unwrap();
    assert_eq!(body, json!({"enabled": true}));

    // Refreshing an API key account keeps it; an OAuth one gets a new login to wait on.
    assert_eq!(accounts.refresh(&keyed.id, None).await.unwrap().status, ConnectionStatus::Active);
    visit(oauth.redirect_url().unwrap()).await;
    oauth.clone().poll_interval(FAST_POLL).wait().await.unwrap();
    let refreshed = accounts.refresh(oauth.connected_account_id(), Some("https://app.example/again")).await.unwrap();
    assert_eq!(refreshed.status, ConnectionStatus::Initiated);
    let again = refreshed.into_request(&client).poll_interval(FAST_POLL);
    let (status, location) = visit(again.redirect_url().unwrap()).await;
    assert_eq!(status, 302);
    assert!(location.unwrap().starts_with("https://app.example/again?status=success"));
    assert!(again.wait().await.unwrap().is_active());
}

#[tokio::test]
async fn a_link_post_is_not_repeated_after_an_ambiguous_failure_but_reads_are() {
    let server = server().await;
    let client = client(&server);
    let config = client.auth_configs().create("github", NewAuthConfig::composio_managed()).await.unwrap();
    server.fault(FaultRule::new(Route::CreateLink, Fault::api_error(502, 10502, "HTTP_BadGateway", "upstream")));
    let err = client.connected_accounts().link(&config.id).allow_multiple(true).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.may_have_run(), "a 5xx after a create was sent leaves the account unknown: {err}");
    assert!(err.to_string().ends_with("; it may have taken effect"), "{err}");
    assert_eq!(server.count(Route::CreateLink), 1, "a create that may have happened is not sent again");
    // A 429 was refused before it was handled: that one is repeated.
    server.fault(FaultRule::new(Route::CreateLink, Fault::rate_limited(0)));
    client.connected_accounts().link(&config.id).allow_multiple(true).await.expect("retried after the 429");
    assert_eq!(server.count(Route::CreateLink), 3);
    server.fault(FaultRule::new(Route::GetAuthConfig, Fault::api_error(503, 10503, "HTTP_Unavailable", "busy")));
    client.auth_configs().get(&config.id).await.expect("a read is retried");
    assert_eq!(server.count(Route::GetAuthConfig), 2);
}

#[tokio::test]
async fn credentials_and_tokens_never_show_in_debug_errors_or_traces() {
    const CLIENT_SECRET: &str = "cs_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let server = server().await;
    let (capture, _guard) = common::capture();
    let client = client_for(&server, ApiPrefix::V3_1, "user-42");

    let config = NewAuthConfig::custom(AuthScheme::OAuth2, oauth_credentials());
    let credentials = oauth_credentials();
    let secret = Secret::new(CLIENT_SECRET);
    for shown in [
        format!("{config:?}"),
        format!("{credentials:?}"),
        format!("{credentials}"),
        format!("{secret:?}"),
        secret.to_string(),
    ] {
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    }
    assert!(format!("{credentials:?}").contains("client_secret"), "the keys stay readable");

    // A server that echoes the secret back in its error.
    server.fault(FaultRule::new(
        Route::CreateAuthConfig,
        Fault::api_error(400, 10400, "HTTP_BadRequest", &format!("bad client_secret {CLIENT_SECRET}")),
    ));
    let err = client.auth_configs().create("github", config.clone()).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(CLIENT_SECRET), "{err:?}");
    assert!(format!("{err}").contains("<redacted>"));

    let created = client.auth_configs().create("github", config).await.unwrap();
    let listed = client.auth_configs().get(&created.id).await.unwrap();
    assert!(!format!("{listed:?}").contains(CLIENT_SECRET));
    let request = client.connected_accounts().link(&created.id).await.unwrap();
    visit(request.redirect_url().unwrap()).await;
    let account = request.poll_interval(FAST_POLL).wait().await.unwrap();
    let Some(ConnectionState::OAuth2(state)) = &account.state else { panic!() };
    let token = state.access_token.as_ref().unwrap().expose_secret().to_owned();
    let refresh = state.refresh_token.as_ref().unwrap().expose_secret().to_owned();
    let shown = format!("{account:?} {account:#?}");
    assert!(!shown.contains(&token) && !shown.contains(&refresh), "{shown}");

    // An API key given to the legacy create, echoed by the server.
    let key_config = client
        .auth_configs()
        .create("gmail", NewAuthConfig::custom(AuthScheme::ApiKey, Credentials::new()))
        .await
        .unwrap();
    server.fault(FaultRule::new(
        Route::CreateConnectedAccount,
        Fault::api_error(400, 10400, "HTTP_BadRequest", "key gm_key_echoed_0123456789 is invalid"),
    ));
    let err = client
        .connected_accounts()
        .initiate(&key_config.id)
        .state(ConnectionState::api_key("gm_key_echoed_0123456789"))
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("gm_key_echoed_0123456789"), "{err:?}");

    let traced = capture.all_text();
    assert!(traced.contains("composio.platform"), "the calls are traced: {traced}");
    for secret in [CLIENT_SECRET, token.as_str(), refresh.as_str(), "gm_key_echoed_0123456789", API_KEY] {
        assert!(!traced.contains(secret), "{secret} in {traced}");
    }
}
