//! A scripted, OpenAI-compatible `POST /v1/chat/completions`: a model whose answers the test
//! writes in advance, so an agent loop runs offline.
//!
//! The reply to a request is the script's entry at the number of assistant messages the
//! request carries (the first request gets the first entry). Before answering, the history is
//! checked as OpenAI checks it: an assistant message with `tool_calls` must be followed by one
//! `tool` message per `tool_call_id`, and a `tool` message must answer a call of the assistant
//! message before it; otherwise a 400 with OpenAI's error shape. A loop that drops a call
//! therefore fails here exactly as it would against the real API.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::reply::json_answer;
use super::{Answer, Refusal};
use crate::RecordedRequest;
use crate::state::{State, lock};

/// One tool call of a scripted model turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedCall {
    /// The call id (`call_…`); the loop must answer it with a `tool` message.
    pub id: String,
    /// The tool name, as offered in the request's `tools`.
    pub name: String,
    /// The arguments, as JSON text: sent as they are, so they may be wrong on purpose.
    pub arguments: String,
}

impl ScriptedCall {
    /// A call of `name` with `arguments` (JSON text), answered under `id`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, arguments: impl Into<String>) -> Self {
        ScriptedCall { id: id.into(), name: name.into(), arguments: arguments.into() }
    }
}

/// One scripted answer of the chat endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatReply {
    /// An assistant message with these calls (all in one turn, as parallel calls come),
    /// `finish_reason: "tool_calls"`.
    ToolCalls(Vec<ScriptedCall>),
    /// An assistant message with this text, `finish_reason: "stop"`.
    Text(String),
}

/// OpenAI's error body: `{"error": {message, type, param, code}}`.
fn openai_error(status: u16, message: &str, param: Option<&str>, code: Option<&str>) -> Refusal {
    let error = json!({"message": message, "type": "invalid_request_error", "param": param, "code": code});
    Box::new(json_answer(status, &json!({ "error": error })))
}

fn check_bearer(state: &State, req: &RecordedRequest) -> Result<(), Refusal> {
    let token = req.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    match token {
        None | Some("") => Err(openai_error(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header \
             using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            None,
            None,
        )),
        Some(key) if key == state.api_key => Ok(()),
        Some(key) => {
            let masked = if key.len() >= 8 && key.is_ascii() {
                format!("{}***{}", &key[..3], &key[key.len() - 4..])
            } else {
                "***".to_string()
            };
            Err(openai_error(401, &format!("Incorrect API key provided: {masked}."), None, Some("invalid_api_key")))
        }
    }
}

const ROLES: [&str; 6] = ["system", "developer", "user", "assistant", "tool", "function"];

/// Checks the conversation as OpenAI does and returns how many assistant turns it holds.
fn check_messages(messages: &[Value]) -> Result<usize, Refusal> {
    if messages.is_empty() {
        return Err(openai_error(400, "[] is too short - 'messages'", Some("messages"), None));
    }
    let mut assistant_turns = 0;
    // The call ids of the latest assistant message with tool_calls still to be answered, and
    // those already answered, while only tool messages have followed it.
    let mut open: Option<(usize, Vec<String>)> = None;
    let mut answered: BTreeSet<String> = BTreeSet::new();
    for (index, message) in messages.iter().enumerate() {
        let at = |key: &str| format!("messages.[{index}].{key}");
        let Some(object) = message.as_object() else {
            return Err(openai_error(
                400,
                &format!("Invalid type for 'messages.[{index}]': expected an object, but got {}.", kind(message)),
                Some(&format!("messages.[{index}]")),
                Some("invalid_type"),
            ));
        };
        let role = object.get("role").and_then(Value::as_str).unwrap_or_default();
        if !ROLES.contains(&role) {
            return Err(openai_error(
                400,
                &format!(
                    "Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', \
                     'function', and 'developer'."
                ),
                Some(&at("role")),
                Some("invalid_value"),
            ));
        }
        if role == "tool" {
            let Some(id) = object.get("tool_call_id").and_then(Value::as_str) else {
                return Err(openai_error(
                    400,
                    &format!("Missing required parameter: 'messages.[{index}].tool_call_id'."),
                    Some(&at("tool_call_id")),
                    Some("missing_required_parameter"),
                ));
            };
            if !matches!(object.get("content"), Some(Value::String(_) | Value::Array(_))) {
                return Err(openai_error(
                    400,
                    &format!("Invalid type for 'messages.[{index}].content': expected a string or an array."),
                    Some(&at("content")),
                    Some("invalid_type"),
                ));
            }
            match &open {
                Some((_, ids)) if ids.iter().any(|i| i == id) => {
                    answered.insert(id.to_owned());
                }
                _ => {
                    return Err(openai_error(
                        400,
                        "Invalid parameter: messages with role 'tool' must be a response to a preceeding \
                         message with 'tool_calls'.",
                        Some(&at("role")),
                        None,
                    ));
                }
            }
            continue;
        }
        close(&mut open, &mut answered)?;
        if role == "assistant" {
            assistant_turns += 1;
            let ids: Vec<String> = object
                .get("tool_calls")
                .and_then(Value::as_array)
                .map(|calls| calls.iter().filter_map(|c| c.get("id")?.as_str()).map(str::to_owned).collect())
                .unwrap_or_default();
            if !ids.is_empty() {
                open = Some((index, ids));
            }
        }
    }
    close(&mut open, &mut answered)?;
    Ok(assistant_turns)
}

/// The end of the tool messages after an assistant message with calls: each call needs one.
fn close(open: &mut Option<(usize, Vec<String>)>, answered: &mut BTreeSet<String>) -> Result<(), Refusal> {
    if let Some((index, ids)) = open.take() {
        let missing: Vec<&str> = ids.iter().filter(|id| !answered.contains(*id)).map(String::as_str).collect();
        answered.clear();
        if !missing.is_empty() {
            return Err(openai_error(
                400,
                &format!(
                    "An assistant message with 'tool_calls' must be followed by tool messages responding to each \
                     'tool_call_id'. The following tool_call_ids did not have response messages: {}",
                    missing.join(", ")
                ),
                Some(&format!("messages.[{index}].role")),
                None,
            ));
        }
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn completions(state: &State, req: &RecordedRequest) -> Result<Answer, Refusal> {
    check_bearer(state, req)?;
    let body: Map<String, Value> = match serde_json::from_slice(&req.body) {
        Ok(Value::Object(body)) => body,
        _ => {
            return Err(openai_error(
                400,
                "We could not parse the JSON body of your request. The body must be a JSON object.",
                None,
                None,
            ));
        }
    };
    let Some(model) = body.get("model").and_then(Value::as_str).filter(|m| !m.is_empty()) else {
        return Err(openai_error(400, "you must provide a model parameter", None, None));
    };
    let Some(messages) = body.get("messages").and_then(Value::as_array) else {
        return Err(openai_error(
            400,
            "Missing required parameter: 'messages'.",
            Some("messages"),
            Some("missing_required_parameter"),
        ));
    };
    let turn = check_messages(messages)?;
    let reply = {
        let script = lock(&state.chat_script);
        match script.get(turn) {
            Some(reply) => reply.clone(),
            None => {
                let message = format!(
                    "composio-testserver: the chat script has {} replies; this request, after {turn} assistant \
                     messages, asks for reply {}",
                    script.len(),
                    turn + 1
                );
                return Err(openai_error(400, &message, Some("messages"), Some("script_exhausted")));
            }
        }
    };
    let (message, finish_reason) = match reply {
        ChatReply::ToolCalls(calls) => {
            let calls: Vec<Value> = calls
                .iter()
                .map(
                    |c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}),
                )
                .collect();
            (json!({"role": "assistant", "content": null, "tool_calls": calls, "refusal": null}), "tool_calls")
        }
        ChatReply::Text(text) => (json!({"role": "assistant", "content": text, "refusal": null}), "stop"),
    };
    let created = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    Ok(json_answer(
        200,
        &json!({
            "id": format!("chatcmpl-test{:08}", state.next_id()),
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(messages: Value) -> bool {
        check_messages(messages.as_array().map(Vec::as_slice).unwrap_or_default()).is_err()
    }

    fn calls(ids: &[&str]) -> Value {
        let calls: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "type": "function", "function": {"name": "T", "arguments": "{}"}}))
            .collect();
        json!({"role": "assistant", "content": null, "tool_calls": calls})
    }

    fn tool(id: &str) -> Value {
        json!({"role": "tool", "tool_call_id": id, "content": "ok"})
    }

    #[test]
    fn counts_assistant_turns_of_a_complete_history() {
        let user = json!({"role": "user", "content": "hi"});
        assert_eq!(check_messages(std::slice::from_ref(&user)).ok(), Some(0));
        let history = [user.clone(), calls(&["a", "b"]), tool("b"), tool("a")];
        assert_eq!(check_messages(&history).ok(), Some(1));
        let history = [user, calls(&["a"]), tool("a"), json!({"role": "assistant", "content": "done"})];
        assert_eq!(check_messages(&history).ok(), Some(2));
    }

    #[test]
    fn refuses_a_call_without_a_reply_and_a_reply_without_a_call() {
        let user = || json!({"role": "user", "content": "hi"});
        assert!(refused(json!([user(), calls(&["a", "b"]), tool("a")])), "b has no reply");
        assert!(refused(json!([user(), calls(&["a"]), user(), tool("a")])), "the reply comes too late");
        assert!(refused(json!([user(), tool("a")])), "no call to answer");
        assert!(refused(json!([user(), calls(&["a"]), tool("x")])), "an id that was never used");
        assert!(refused(json!([])));
        assert!(refused(json!([{"role": "robot", "content": "hi"}])));
        assert!(refused(json!([user(), calls(&["a"]), {"role": "tool", "content": "ok"}])));
    }
}
