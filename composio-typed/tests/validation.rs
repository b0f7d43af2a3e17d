//! The argument check before sending: a typed input that breaks its schema's constraints is
//! refused with every violation's JSON path, and nothing reaches the server; the check can be
//! turned off per call and per client, and session calls run it too.

mod common;

use common::{builder, client, issue_json, server};
use composio_testserver::{ExecuteReply, Route};
use composio_typed::toolkits::composio as meta;
use composio_typed::toolkits::github::{
    self, CommitMessagePatternRule, CommitMessagePatternRuleParameters, CommitMessagePatternRuleParametersOperator,
    CreateAMilestoneInput, CreateARepositoryRulesetEnforcement, CreateARepositoryRulesetInput,
    CreateARepositoryRulesetRulesItem, PullRequestRule, PullRequestRuleParameters, RequiredStatusChecksRule,
    RequiredStatusChecksRuleParameters, StatusCheckConfiguration,
};
use composio_typed::validate::Violations;
use composio_typed::{Error, Tool};
use serde_json::json;

/// The (path, keyword) pairs of an `InvalidArguments` error.
fn violations(error: &Error) -> Vec<(String, &'static str)> {
    match error {
        Error::InvalidArguments { violations, .. } => violations.iter().map(|v| (v.path.clone(), v.keyword)).collect(),
        other => panic!("expected InvalidArguments, got {other:?}"),
    }
}

fn ruleset(rules: Vec<CreateARepositoryRulesetRulesItem>) -> CreateARepositoryRulesetInput {
    CreateARepositoryRulesetInput::new("o", "r", "protect", CreateARepositoryRulesetEnforcement::Active).rules(rules)
}

fn pull_request(count: i64) -> CreateARepositoryRulesetRulesItem {
    CreateARepositoryRulesetRulesItem::PullRequest(Box::new(PullRequestRule::new(PullRequestRuleParameters::new(
        count, false, false, false, false,
    ))))
}

fn status_checks(contexts: &[&str]) -> CreateARepositoryRulesetRulesItem {
    let checks = contexts.iter().map(|c| StatusCheckConfiguration::new(*c));
    CreateARepositoryRulesetRulesItem::RequiredStatusChecks(Box::new(RequiredStatusChecksRule::new(
        RequiredStatusChecksRuleParameters::new(checks, true),
    )))
}

fn commit_pattern(pattern: &str) -> CreateARepositoryRulesetRulesItem {
    CreateARepositoryRulesetRulesItem::CommitMessagePattern(Box::new(CommitMessagePatternRule::new(
        CommitMessagePatternRuleParameters::new(CommitMessagePatternRuleParametersOperator::Contains, pattern),
    )))
}

#[tokio::test]
async fn a_broken_format_is_refused_with_its_path_and_nothing_is_sent() {
    let server = server().await;
    let client = client(&server);
    let input = CreateAMilestoneInput::new("o", "r", "2.0").due_on("next-tuesday-s3cr3t");

    let err = github::create_a_milestone(&client, input).await.unwrap_err();

    assert_eq!(violations(&err), vec![("due_on".to_owned(), "format")]);
    assert!(server.requests().is_empty(), "nothing may be sent: {:#?}", server.requests());
    assert!(!err.may_have_run());
    let text = err.to_string();
    assert!(text.starts_with("GITHUB_CREATE_A_MILESTONE: invalid arguments"), "{text}");
    assert!(text.contains("due_on: must be a valid `date-time`"), "{text}");
    assert!(!text.contains("s3cr3t") && !format!("{err:?}").contains("s3cr3t"), "a value may be a secret: {err:?}");
}

#[tokio::test]
async fn every_violation_is_listed_with_its_nested_path() {
    let server = server().await;
    let client = client(&server);
    let input = ruleset(vec![
        pull_request(11),
        status_checks(&[]),
        status_checks(&["ci", ""]),
        commit_pattern(""),
        pull_request(-1),
        commit_pattern(&"x".repeat(1025)),
    ]);

    let err = github::create_a_repository_ruleset(&client, input).await.unwrap_err();

    assert_eq!(
        violations(&err),
        vec![
            ("rules[0].parameters.required_approving_review_count".to_owned(), "maximum"),
            ("rules[1].parameters.required_status_checks".to_owned(), "minItems"),
            ("rules[2].parameters.required_status_checks[1].context".to_owned(), "minLength"),
            ("rules[3].parameters.pattern".to_owned(), "minLength"),
            ("rules[4].parameters.required_approving_review_count".to_owned(), "minimum"),
            ("rules[5].parameters.pattern".to_owned(), "maxLength"),
        ]
    );
    assert!(server.requests().is_empty(), "nothing may be sent: {:#?}", server.requests());
}

#[tokio::test]
async fn inputs_just_inside_their_bounds_are_sent() {
    let server = server().await;
    server.respond("GITHUB_CREATE_A_REPOSITORY_RULESET", |_| ExecuteReply::Data(json!({"id": 1})));
    let client = client(&server);
    let input = ruleset(vec![
        pull_request(10),
        pull_request(0),
        status_checks(&["c"]),
        commit_pattern("x"),
        commit_pattern(&"é".repeat(1024)),
    ]);

    github::create_a_repository_ruleset(&client, input).await.expect("a valid input is sent");

    assert_eq!(server.requests_for(Route::Execute).len(), 1);
}

#[tokio::test]
async fn the_check_is_turned_off_per_call_and_per_client() {
    let server = server().await;
    server.respond("GITHUB_CREATE_A_MILESTONE", |_| ExecuteReply::Data(json!({"number": 1})));
    let input = || CreateAMilestoneInput::new("o", "r", "2.0").due_on("soon");

    github::create_a_milestone(&client(&server), input()).skip_validation().await.expect("sent unchecked");
    assert_eq!(server.requests_for(Route::Execute).len(), 1);

    let unchecked = builder(&server).validate(false).build().unwrap();
    github::create_a_milestone(&unchecked, input()).await.expect("sent unchecked");
    assert_eq!(server.requests_for(Route::Execute).len(), 2);
    assert_eq!(server.requests_for(Route::Execute)[1].json().unwrap()["arguments"]["due_on"], "soon");
}

#[tokio::test]
async fn session_calls_check_their_arguments_too() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(1, "t")));
    let client = client(&server);
    let session = client.session("user-42").create().await.unwrap();
    let before = server.requests().len();

    let err = meta::search_tools(&session, meta::SearchToolsInput::new(Vec::new())).await.unwrap_err();
    assert_eq!(violations(&err), vec![("queries".to_owned(), "minItems")]);

    let err = session
        .call(CreateAMilestoneInput::new("o", "r", "2.0").due_on("2026-02-30T00:00:00Z"))
        .allow_latest()
        .await
        .unwrap_err();
    assert_eq!(violations(&err), vec![("due_on".to_owned(), "format")]);
    assert_eq!(server.requests().len(), before, "nothing may be sent: {:#?}", server.requests());

    session
        .call(CreateAMilestoneInput::new("o", "r", "2.0").due_on("soon"))
        .allow_latest()
        .skip_validation()
        .await
        .expect("sent unchecked");
    assert_eq!(server.requests().len(), before + 1);
}

#[test]
fn inputs_without_constraints_check_nothing() {
    let mut v = Violations::default();
    github::CreateAnIssueInput::new("", "", "").validate(&mut v);
    assert!(v.is_empty());
}
