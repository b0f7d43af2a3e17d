//! Model turns end to end against the local server, for OpenAI Chat, OpenAI Responses,
//! Anthropic and Gemini: a response's calls are read, every one is run (read-only ones side by
//! side, the others alone and in order) and answered once, in the model's order, in the
//! provider's format; unknown tools, bad arguments and failing tools become error results.

mod common;

use std::time::Duration;

use common::{API_KEY, builder, client, committed_tools, issue_json};
use composio_testserver::{ExecuteReply, Route, TestServer};
use composio_typed::agents::{
    Arguments, Executor, Outcome, Prepared, Provider, Strictness, ToolCall, ToolSet, ToolSpec, Turn, TurnResults,
};
use composio_typed::toolkits::{composio as meta, github};
use serde_json::{Value, json};

const PROVIDERS: [Provider; 4] =
    [Provider::OpenAiChat, Provider::OpenAiResponses, Provider::Anthropic, Provider::Gemini];

/// A provider's response body asking for `calls` (id, tool name, arguments), shaped as its API
/// sends it. Gemini calls with an empty id carry none.
fn response(provider: Provider, calls: &[(&str, &str, Value)]) -> Value {
    match provider {
        Provider::OpenAiChat => {
            let calls: Vec<Value> = calls
                .iter()
                .map(|(id, name, args)| {
                    json!({"id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}})
                })
                .collect();
            json!({"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0,
                "message": {"role": "assistant", "content": null, "tool_calls": calls}, "finish_reason": "tool_calls"}]})
        }
        Provider::OpenAiResponses => {
            let mut output = vec![json!({"type": "reasoning", "id": "rs_1", "summary": []})];
            output.extend(calls.iter().map(|(id, name, args)| {
                json!({"type": "function_call", "id": format!("fc_{id}"), "call_id": id, "name": name,
                       "arguments": args.to_string(), "status": "completed"})
            }));
            json!({"id": "resp_1", "object": "response", "output": output})
        }
        Provider::Anthropic => {
            let mut content = vec![json!({"type": "text", "text": "Let me check."})];
            content.extend(
                calls.iter().map(|(id, name, args)| json!({"type": "tool_use", "id": id, "name": name, "input": args})),
            );
            json!({"id": "msg_1", "type": "message", "role": "assistant", "content": content, "stop_reason": "tool_use"})
        }
        _ => {
            let parts: Vec<Value> = calls
                .iter()
                .map(|(id, name, args)| {
                    let mut call = json!({"name": name, "args": args});
                    if !id.is_empty() {
                        call["id"] = json!(id);
                    }
                    json!({ "functionCall": call })
                })
                .collect();
            json!({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]})
        }
    }
}

/// A local Composio with the committed GitHub tools: `GITHUB_GET_AN_ISSUE` answers the issue
/// it is asked for, `GITHUB_CREATE_AN_ISSUE` fails as a tool (`successful: false`).
async fn github_server() -> TestServer {
    let server = TestServer::builder().api_key(API_KEY).tools(committed_tools("github")).start().await;
    server.respond("GITHUB_GET_AN_ISSUE", |req| {
        let number = req.arguments["issue_number"].as_i64().unwrap_or(0);
        ExecuteReply::Data(issue_json(number, &format!("issue {number}")))
    });
    server
        .respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Failure("Issues are disabled for this repository".into()));
    server
}

fn github_tools(provider: Provider) -> Prepared {
    let tools = ToolSet::new()
        .with_slugs(github::TOOLS, ["GITHUB_GET_AN_ISSUE", "GITHUB_CREATE_AN_ISSUE", "GITHUB_LIST_REPOSITORY_ISSUES"])
        .unwrap();
    let prepared = tools.prepare(provider, Strictness::Lenient);
    assert!(prepared.rejected().is_empty(), "{:?}", prepared.rejected());
    prepared
}

fn get_issue(number: i64) -> Value {
    json!({"owner": "octocat", "repo": "hello-world", "issue_number": number})
}

/// The `number` of the issue a successful result carries.
fn issue_number(outcome: &Outcome) -> Option<i64> {
    match outcome {
        Outcome::Success { data, .. } => data["number"].as_i64(),
        _ => None,
    }
}

/// The id of every call a result message answers, in order, from the provider's messages.
fn answered_ids(provider: Provider, messages: &[Value]) -> Vec<String> {
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    match provider {
        Provider::OpenAiChat => messages.iter().map(|m| text(m, "tool_call_id")).collect(),
        Provider::OpenAiResponses => messages.iter().map(|m| text(m, "call_id")).collect(),
        Provider::Anthropic => {
            assert_eq!(messages.len(), 1, "one user message carries every result");
            messages[0]["content"].as_array().unwrap().iter().map(|b| text(b, "tool_use_id")).collect()
        }
        _ => {
            assert_eq!(messages.len(), 1, "one content carries every result");
            messages[0]["parts"].as_array().unwrap().iter().map(|p| text(&p["functionResponse"], "id")).collect()
        }
    }
}

#[tokio::test]
async fn every_call_of_a_turn_is_answered_once_in_order_for_every_provider() {
    let server = github_server().await;
    let client = client(&server);
    for provider in PROVIDERS {
        server.clear_requests();
        let tools = github_tools(provider);
        let body = response(
            provider,
            &[
                ("call_a", "GITHUB_GET_AN_ISSUE", get_issue(7)),
                ("call_b", "GITHUB_GET_AN_ISSUE", get_issue(8)),
                ("call_c", "GITHUB_GET_ISSUE", get_issue(9)),
                (
                    "call_d",
                    "GITHUB_CREATE_AN_ISSUE",
                    json!({"owner": "octocat", "repo": "hello-world", "title": "Crash", "labels": ["bug", 7]}),
                ),
                (
                    "call_e",
                    "GITHUB_CREATE_AN_ISSUE",
                    json!({"owner": "octocat", "repo": "hello-world", "title": "Crash"}),
                ),
            ],
        );
        let (turn, results) = tools.handle_turn(Executor::client(&client), &body).await.unwrap();
        assert_eq!(turn.calls().len(), 5, "{provider}");
        let records = results.records();
        let ids: Vec<_> = records.iter().map(|r| r.id.as_deref().unwrap_or_default()).collect();
        assert_eq!(ids, ["call_a", "call_b", "call_c", "call_d", "call_e"], "{provider}");

        // The two reads each got their own issue.
        assert_eq!(issue_number(&records[0].outcome), Some(7), "{provider}");
        assert_eq!(issue_number(&records[1].outcome), Some(8), "{provider}");
        // An unknown name: nothing sent, and the nearest offered name suggested.
        assert_eq!(records[2].slug, None);
        let unknown = records[2].outcome.text();
        assert!(
            unknown.ends_with("did you mean `GITHUB_GET_AN_ISSUE`? Call one of the tools offered."),
            "{provider}: {unknown}"
        );
        // A bad argument: nothing sent, and the path named.
        let bad = records[3].outcome.text();
        assert!(matches!(records[3].outcome, Outcome::InvalidArguments(_)), "{provider}");
        assert!(bad.contains("`labels[1]`") && bad.contains("expected a string"), "{provider}: {bad}");
        // The tool ran and said no.
        let failed = records[4].outcome.text();
        assert!(failed.contains("Issues are disabled for this repository"), "{provider}: {failed}");
        assert_eq!(records[4].slug.as_deref(), Some("GITHUB_CREATE_AN_ISSUE"));
        let errors: Vec<bool> = records.iter().map(|r| r.outcome.is_error()).collect();
        assert_eq!(errors, [false, false, true, true, true], "{provider}");

        // Exactly the three good calls reached Composio, with typed arguments.
        let executed = server.requests_for(Route::Execute);
        assert_eq!(executed.len(), 3, "{provider}");
        let mut numbers: Vec<i64> = executed
            .iter()
            .filter(|r| r.path.ends_with("GITHUB_GET_AN_ISSUE"))
            .map(|r| r.json().unwrap()["arguments"]["issue_number"].as_i64().expect("an integer, as typed"))
            .collect();
        numbers.sort();
        assert_eq!(numbers, [7, 8]);

        // The messages answer every id once, in the model's order.
        let messages = results.messages();
        assert_eq!(answered_ids(provider, &messages), ids, "{provider}");
        check_format(provider, &messages, &results);
        assert!(!turn.assistant_messages().is_empty());
    }
}

/// The provider-specific parts of the result messages: the error flags and the texts.
fn check_format(provider: Provider, messages: &[Value], results: &TurnResults) {
    let records = results.records();
    match provider {
        Provider::OpenAiChat => {
            for (message, record) in messages.iter().zip(records) {
                assert_eq!(message["role"], "tool");
                assert_eq!(message["content"], record.outcome.text());
            }
        }
        Provider::OpenAiResponses => {
            for (item, record) in messages.iter().zip(records) {
                assert_eq!(item["type"], "function_call_output");
                assert_eq!(item["output"], record.outcome.text());
            }
        }
        Provider::Anthropic => {
            assert_eq!(messages[0]["role"], "user");
            let blocks = messages[0]["content"].as_array().unwrap();
            for (block, record) in blocks.iter().zip(records) {
                assert_eq!(block["type"], "tool_result");
                assert_eq!(block["content"], record.outcome.text());
                // Set on failures, absent otherwise: the official provider never set it.
                assert_eq!(block.get("is_error") == Some(&json!(true)), record.outcome.is_error(), "{block}");
                assert_eq!(block.get("is_error").is_some(), record.outcome.is_error(), "{block}");
            }
        }
        _ => {
            assert_eq!(messages[0]["role"], "user");
            let parts = messages[0]["parts"].as_array().unwrap();
            for (part, record) in parts.iter().zip(records) {
                let response = &part["functionResponse"];
                assert_eq!(response["name"], record.name.as_str());
                if record.outcome.is_error() {
                    assert_eq!(response["response"]["error"], record.outcome.text());
                    assert!(response["response"].get("output").is_none());
                } else {
                    assert_eq!(response["response"]["output"]["number"], issue_number(&record.outcome).unwrap());
                }
            }
        }
    }
}

#[tokio::test]
async fn gemini_calls_without_ids_are_answered_by_name_in_order() {
    let server = github_server().await;
    let client = client(&server);
    let tools = github_tools(Provider::Gemini);
    let body = response(
        Provider::Gemini,
        &[("", "GITHUB_GET_AN_ISSUE", get_issue(3)), ("fc_2", "GITHUB_GET_AN_ISSUE", get_issue(4))],
    );
    let (_, results) = tools.handle_turn(Executor::client(&client), &body).await.unwrap();
    let parts = results.messages()[0]["parts"].as_array().unwrap().clone();
    assert!(parts[0]["functionResponse"].get("id").is_none(), "no id to echo");
    assert_eq!(parts[1]["functionResponse"]["id"], "fc_2");
    assert_eq!(parts[0]["functionResponse"]["response"]["output"]["number"], 3);
    assert_eq!(parts[1]["functionResponse"]["response"]["output"]["number"], 4);
}

/// Each pair of reads is held by the server until both are in flight, so the pair completes
/// at once only when the client sent them side by side; the spans' logical ticks then show
/// the write waiting for the reads before it and the reads after it waiting for the write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_side_by_side_and_a_write_runs_alone_between_them() {
    let server = github_server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(100, "created")));
    server.hold_executions(&["GITHUB_GET_AN_ISSUE"], 2, Duration::from_secs(20));
    let client = client(&server);
    let tools = github_tools(Provider::OpenAiChat);
    assert!(tools.is_read_only("GITHUB_GET_AN_ISSUE") && !tools.is_read_only("GITHUB_CREATE_AN_ISSUE"));
    let body = response(
        Provider::OpenAiChat,
        &[
            ("r1", "GITHUB_GET_AN_ISSUE", get_issue(1)),
            ("r2", "GITHUB_GET_AN_ISSUE", get_issue(2)),
            ("w", "GITHUB_CREATE_AN_ISSUE", json!({"owner": "octocat", "repo": "hello-world", "title": "New"})),
            ("r3", "GITHUB_GET_AN_ISSUE", get_issue(3)),
            ("r4", "GITHUB_GET_AN_ISSUE", get_issue(4)),
        ],
    );
    let started = std::time::Instant::now();
    let (_, results) = tools.handle_turn(Executor::client(&client), &body).await.unwrap();
    let numbers: Vec<_> = results.records().iter().map(|r| issue_number(&r.outcome)).collect();
    assert_eq!(numbers, [Some(1), Some(2), Some(100), Some(3), Some(4)], "results in the model's order");

    let spans = server.execution_spans();
    assert_eq!(spans.len(), 5);
    let write = spans.iter().position(|s| s.slug == "GITHUB_CREATE_AN_ISSUE").expect("the write ran");
    assert_eq!(write, 2, "the write arrived after both reads before it: {spans:#?}");
    let (before, after) = (&spans[..2], &spans[3..]);
    assert!(before[0].overlaps(&before[1]), "the first two reads ran side by side: {spans:#?}");
    assert!(after[0].overlaps(&after[1]), "the last two reads ran side by side: {spans:#?}");
    for read in before {
        assert!(read.ended_before(&spans[write]), "the write waited for the reads before it: {spans:#?}");
    }
    for read in after {
        assert!(spans[write].ended_before(read), "the reads after the write waited for it: {spans:#?}");
    }
    // Not a timing assertion: a client that sent the reads one at a time would have waited out
    // the hold's patience, and failed the overlaps above as well.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn aliased_property_keys_round_trip_for_anthropic_and_gemini() {
    // An OData-style tool: `$top` breaks Anthropic's and Gemini's key rules, `@odata.filter`
    // both as well; the model sees aliases and Composio gets the original keys back.
    let tool = json!({
        "slug": "OUTLOOK_LIST_MESSAGES",
        "name": "List messages",
        "description": "Lists the messages of a mailbox.",
        "toolkit": {"slug": "outlook"},
        "input_parameters": {
            "type": "object",
            "properties": {
                "$top": {"type": "integer", "description": "How many messages."},
                "@odata.filter": {"type": "string", "description": "An OData filter."},
                "folder": {"type": "string"}
            },
            "required": ["folder"]
        }
    });
    let server = TestServer::builder().api_key(API_KEY).tools([tool.clone()]).start().await;
    server.respond("OUTLOOK_LIST_MESSAGES", |req| ExecuteReply::Data(json!({"received": req.arguments})));
    // Tools known only at run time carry no pinned version: the client names one.
    let client = builder(&server).toolkit_version("outlook", "20251027_00").build().unwrap();
    for provider in [Provider::Anthropic, Provider::Gemini] {
        let tools =
            ToolSet::new().with_spec(ToolSpec::from_tool_json(&tool), true).prepare(provider, Strictness::Lenient);
        let definition = tools.definition("OUTLOOK_LIST_MESSAGES").expect("offered under its slug");
        let alias = |original: &str| {
            definition.key_aliases().iter().find(|k| k.original == original).map(|k| k.alias.clone()).unwrap()
        };
        let (top, filter) = (alias("$top"), alias("@odata.filter"));
        assert_ne!(top, "$top");
        let schema = if provider == Provider::Anthropic { "input_schema" } else { "parametersJsonSchema" };
        assert!(definition.json()[schema]["properties"].get(&top).is_some(), "{provider}: the model sees the alias");

        let arguments = json!({ top.as_str(): 5, filter.as_str(): "isRead eq false", "folder": "inbox" });
        let body = response(provider, &[("call_1", "OUTLOOK_LIST_MESSAGES", arguments)]);
        let (_, results) = tools.handle_turn(Executor::client(&client), &body).await.unwrap();
        let record = &results.records()[0];
        assert!(!record.outcome.is_error(), "{provider}: {}", record.outcome.text());
        let sent = server.requests_for(Route::Execute).last().unwrap().json().unwrap();
        assert_eq!(
            sent["arguments"],
            json!({"$top": 5, "@odata.filter": "isRead eq false", "folder": "inbox"}),
            "{provider}: Composio gets its own keys"
        );
    }
}

/// The committed meta tool cache, served as the catalogue's `composio` tools.
fn meta_tools() -> Vec<Value> {
    let path = format!("{}/../schemas/composio/{}.json", env!("CARGO_MANIFEST_DIR"), meta::VERSION);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn a_session_runs_its_own_tools_and_meta_tools_from_a_model_turn() {
    let server =
        TestServer::builder().api_key(API_KEY).tools(committed_tools("github")).tools(meta_tools()).start().await;
    server.respond("GITHUB_GET_AN_ISSUE", |req| {
        let number = req.arguments["issue_number"].as_i64().unwrap_or(0);
        ExecuteReply::Data(issue_json(number, "through a session"))
    });
    let client = client(&server);
    let session = client.session("user-42").toolkits(["github"]).create().await.unwrap();

    // The session's tools, meta tools included, with no generated code; one generated tool
    // replaces its run-time twin, so its arguments are checked locally.
    let served = session.tools().await.unwrap();
    let tools = ToolSet::new()
        .with_session_tools(&served)
        .retain(|slug| slug.starts_with("COMPOSIO_") || slug == "GITHUB_GET_AN_ISSUE")
        .with_slugs(github::TOOLS, ["GITHUB_GET_AN_ISSUE"])
        .unwrap();
    assert!(tools.contains("COMPOSIO_SEARCH_TOOLS") && tools.contains("COMPOSIO_MANAGE_CONNECTIONS"));
    let prepared = tools.prepare(Provider::Anthropic, Strictness::Lenient);

    let body = response(
        Provider::Anthropic,
        &[
            ("toolu_1", "COMPOSIO_SEARCH_TOOLS", json!({"queries": [{"use_case": "read a GitHub issue"}]})),
            ("toolu_2", "GITHUB_GET_AN_ISSUE", get_issue(12)),
            (
                "toolu_3",
                "GITHUB_GET_AN_ISSUE",
                json!({"owner": "octocat", "repo": "hello-world", "issue_number": "12"}),
            ),
            ("toolu_4", "COMPOSIO_SEARCH_TOOLS", json!({"queries": "not a list"})),
        ],
    );
    let executor = Executor::session(&session).allow_latest();
    let (_, results) = prepared.handle_turn(executor, &body).await.unwrap();
    let records = results.records();
    assert_eq!(records.len(), 4);

    // The meta tool ran on the session's meta route (reads run side by side, so the two meta
    // calls may arrive in either order).
    assert!(!records[0].outcome.is_error(), "{}", records[0].outcome.text());
    let meta_calls = server.requests_for(Route::SessionExecuteMeta);
    let good = meta_calls.iter().filter_map(|r| r.json()).find(|b| b["arguments"]["queries"].is_array());
    assert_eq!(good.expect("the valid meta call was sent")["slug"], "COMPOSIO_SEARCH_TOOLS");
    // The generated tool ran on the session's execute route, typed.
    assert_eq!(issue_number(&records[1].outcome), Some(12));
    let executed = server.requests_for(Route::SessionExecute);
    assert_eq!(executed.len(), 1, "the mistyped call was stopped locally");
    assert_eq!(executed[0].json().unwrap()["arguments"]["issue_number"], 12);
    // A typed check names the path; a run-time tool's bad arguments are refused by Composio,
    // and come back as an error result all the same.
    assert!(records[2].outcome.text().contains("`issue_number`"), "{}", records[2].outcome.text());
    assert!(records[3].outcome.is_error());
    assert_eq!(meta_calls.len(), 2, "the run-time tool's arguments are Composio's to check");

    let message = &results.messages()[0];
    let flags: Vec<bool> =
        message["content"].as_array().unwrap().iter().map(|b| b.get("is_error") == Some(&json!(true))).collect();
    assert_eq!(flags, [false, false, true, true]);
}

#[tokio::test]
async fn a_malformed_response_is_an_error_and_runs_nothing() {
    let server = github_server().await;
    let client = client(&server);
    for provider in PROVIDERS {
        let tools = github_tools(provider);
        for body in [json!(42), json!({"choices": "x", "output": 1, "content": 2, "candidates": {}})] {
            let error = tools.handle_turn(Executor::client(&client), &body).await.unwrap_err();
            assert_eq!(error.provider, provider);
        }
        // A call with no id cannot be answered (Gemini's may have none).
        if provider != Provider::Gemini {
            let mut body = response(provider, &[("x", "GITHUB_GET_AN_ISSUE", get_issue(1))]);
            strip_ids(&mut body);
            let error = tools.handle_turn(Executor::client(&client), &body).await.unwrap_err();
            assert!(error.to_string().contains("missing"), "{provider}: {error}");
        }
    }
    assert_eq!(server.count(Route::Execute), 0);
}

fn strip_ids(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.remove("id");
            object.remove("call_id");
            object.values_mut().for_each(strip_ids);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_ids),
        _ => {}
    }
}

#[tokio::test]
async fn calls_built_by_hand_run_as_parsed_ones_do() {
    let server = github_server().await;
    let client = client(&server);
    let tools = github_tools(Provider::OpenAiChat);
    let calls = [
        ToolCall::new(Some("a".into()), "GITHUB_GET_AN_ISSUE", get_issue(5).to_string()),
        ToolCall::new(Some("b".into()), "GITHUB_GET_AN_ISSUE", Arguments::Json(get_issue(6))),
    ];
    let results = tools.run_calls(Executor::client(&client), &calls).await;
    let numbers: Vec<_> = results.records().iter().map(|r| issue_number(&r.outcome)).collect();
    assert_eq!(numbers, [Some(5), Some(6)]);
    let turn = Turn::parse(Provider::OpenAiChat, &response(Provider::OpenAiChat, &[])).unwrap();
    assert!(turn.is_final());
    assert!(tools.run_turn(Executor::client(&client), &turn).await.messages().is_empty());
}
