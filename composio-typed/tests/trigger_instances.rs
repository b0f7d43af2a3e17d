//! Trigger instances against the local server: upsert with a typed config (the account
//! resolved for the user), list active with filters across pages, enable, disable, delete, and
//! the platform's 409s as typed outcomes.

mod common;

use common::{API_KEY, builder, committed_tools};
use composio_testserver::{Route, TestServer};
use composio_typed::accounts::{AuthScheme, ConnectionState, NewAuthConfig};
use composio_typed::toolkits::github;
use composio_typed::triggers::{ActiveTriggerQuery, Applied, TriggerType};
use composio_typed::{Client, Credentials, Error};
use serde_json::{Value, json};

/// The committed cache's github trigger types, as the server serves them.
fn github_trigger_types() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/github/20251027_00.triggers.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An active github account for `user`, made with an API key (active at once).
async fn active_account(client: &Client, user: &str, auth_config: &str) -> String {
    let request = client
        .for_user(user)
        .connected_accounts()
        .initiate(auth_config)
        .state(ConnectionState::api_key("ghp_trigger_test_key"))
        .await
        .unwrap();
    request.wait().await.unwrap().id
}

#[tokio::test]
async fn upsert_list_enable_disable_delete_with_typed_outcomes() {
    let server = TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .trigger_types(github_trigger_types())
        .start()
        .await;
    let client = builder(&server).build().unwrap();
    let config = client
        .auth_configs()
        .create("github", NewAuthConfig::custom(AuthScheme::ApiKey, Credentials::new()))
        .await
        .unwrap();
    let account = active_account(&client, "user-1", &config.id).await;

    // No account given: the user's active github account is found and used.
    let alice_client = client.for_user("user-1");
    let alice = alice_client.trigger_instances();
    let commit = github::CommitEventConfig::new("octocat", "hello-world");
    let id = alice.upsert::<github::CommitEventConfig>(&commit).await.unwrap();
    let sent = server.requests_for(Route::UpsertTriggerInstance).pop().unwrap();
    assert!(sent.path.ends_with("/trigger_instances/GITHUB_COMMIT_EVENT/upsert"), "{}", sent.path);
    assert_eq!(
        sent.json().unwrap(),
        json!({"connected_account_id": account, "trigger_config": {"owner": "octocat", "repo": "hello-world"},
               "toolkit_versions": {"github": github::VERSION}})
    );
    // The same type on the same account is the same instance, updated.
    let again = github::CommitEventConfig::new("octocat", "spoon-knife");
    assert_eq!(alice.upsert::<github::CommitEventConfig>(&again).await.unwrap(), id);

    // A user without an account of the toolkit is told so, before anything is created.
    let err = client.for_user("nobody").trigger_instances().upsert::<github::CommitEventConfig>(&commit).await;
    assert!(
        matches!(&err, Err(Error::NoConnectedAccount { user_id, toolkit }) if user_id == "nobody" && toolkit == "github")
    );

    // Enough instances for two pages (the server's default page is 20): six types, four users.
    for user in ["user-2", "user-3", "user-4"] {
        active_account(&client, user, &config.id).await;
    }
    for user in ["user-1", "user-2", "user-3", "user-4"] {
        let user_client = client.for_user(user);
        let instances = user_client.trigger_instances();
        instances.upsert::<github::CommitEventConfig>(&commit).await.unwrap();
        instances.upsert::<github::FollowerEventConfig>(&github::FollowerEventConfig::new()).await.unwrap();
        instances.upsert::<github::IssueAddedEventConfig>(&github::IssueAddedEventConfig::new("o", "r")).await.unwrap();
        instances.upsert::<github::LabelAddedEventConfig>(&github::LabelAddedEventConfig::new("o", "r")).await.unwrap();
        instances
            .upsert::<github::PullRequestEventConfig>(&github::PullRequestEventConfig::new("o", "r"))
            .await
            .unwrap();
        instances.upsert::<github::StarAddedEventConfig>(&github::StarAddedEventConfig::new("o", "r")).await.unwrap();
    }
    server.clear_requests();
    let all = alice.list_active(&ActiveTriggerQuery::new()).collect().await.unwrap();
    assert_eq!(all.len(), 24);
    assert_eq!(server.count(Route::ListTriggerInstances), 2, "every page is read");
    let commits =
        alice.list_active(&ActiveTriggerQuery::new().of::<github::CommitEventConfig>()).collect().await.unwrap();
    assert_eq!(commits.len(), 4);
    let mine = alice.list_active(&ActiveTriggerQuery::new().connected_account(&account)).collect().await.unwrap();
    assert_eq!(mine.len(), 6);
    let first = mine.iter().find(|i| i.id == id).unwrap();
    assert_eq!(first.trigger_slug, github::CommitEventConfig::SLUG);
    assert_eq!(first.trigger_config, json!({"owner": "octocat", "repo": "hello-world"}));
    assert_eq!(first.disabled_at, None);

    // Disable twice, enable twice, delete twice: the second of each is the platform's 409.
    assert_eq!(alice.disable(&id).await.unwrap(), Applied::Done);
    assert_eq!(alice.disable(&id).await.unwrap(), Applied::Already);
    let query = ActiveTriggerQuery::new().connected_account(&account);
    assert_eq!(alice.list_active(&query).collect().await.unwrap().len(), 5, "a disabled instance is not active");
    let with_disabled = alice.list_active(&query.clone().show_disabled(true)).collect().await.unwrap();
    assert!(with_disabled.iter().any(|i| i.id == id && i.disabled_at.is_some()));
    assert_eq!(alice.enable(&id).await.unwrap(), Applied::Done);
    assert_eq!(alice.enable(&id).await.unwrap(), Applied::Already);
    assert_eq!(alice.delete(&id).await.unwrap(), Applied::Done);
    assert_eq!(alice.delete(&id).await.unwrap(), Applied::Already);
    assert_eq!(server.count(Route::DeleteTriggerInstance), 2, "a 409 is an answer, not a failure to retry");
    let err = alice.disable("ti_missing").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn one_trigger_type_by_slug_in_any_case_and_a_missing_one_is_a_404() {
    let server = TestServer::builder().api_key(API_KEY).trigger_types(github_trigger_types()).start().await;
    let client = builder(&server).build().unwrap();
    let slug = <github::FollowerEventConfig as TriggerType>::SLUG;
    let versions = composio_typed::catalog::ToolkitVersions::All(github::VERSION.to_owned());
    let found = client.trigger_type(&slug.to_ascii_lowercase(), Some(&versions)).await.unwrap();
    assert_eq!(found["slug"], slug);
    assert_eq!(found["version"], github::VERSION);
    assert!(found["config"].is_object() && found["payload"].is_object(), "{found}");
    let missing = client.trigger_type("GITHUB_NO_SUCH_EVENT", None).await.unwrap_err();
    assert!(matches!(&missing, Error::Api(api) if api.status == 404), "{missing:?}");
    assert_eq!(server.count(Route::GetTriggerType), 2);
}
