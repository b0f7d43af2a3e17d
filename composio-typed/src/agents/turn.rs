//! One model turn: the tool calls a provider's response asks for, run as one batch, and the
//! result messages in that provider's format.
//!
//! Every call is answered, exactly once and in the model's order: an unknown tool, arguments
//! that do not parse and a tool that fails all become error results the model reads, because
//! the providers refuse the next request when a call id has no reply (the failure of the
//! official OpenAI provider, which ran only the first of several parallel calls).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use serde_json::{Map, Value, json};

use super::arguments::Arguments;
use super::dispatch::{Executor, Outcome};
use super::formats::Provider;
use super::toolset::Prepared;

/// One tool call of a model turn.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    id: Option<String>,
    name: String,
    arguments: Arguments,
}

impl ToolCall {
    /// A call by its id (Gemini's calls may have none), the tool name the model used and its
    /// arguments (JSON text, or a value).
    pub fn new(id: Option<String>, name: impl Into<String>, arguments: impl Into<Arguments>) -> Self {
        ToolCall { id, name: name.into(), arguments: arguments.into() }
    }

    /// The call id the result must echo: OpenAI's `id`/`call_id`, Anthropic's `tool_use` id,
    /// Gemini's optional `functionCall.id`.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The tool name as the model sent it (a definition's name, possibly an alias).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The arguments as the model sent them.
    pub fn arguments(&self) -> &Arguments {
        &self.arguments
    }
}

/// A provider's response that does not have the shape its API documents. The path points into
/// the value given to [`Turn::parse`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed {provider} response: {}{message}", if .path.is_empty() { String::new() } else { format!("{}: ", .path) })]
pub struct TurnError {
    /// The format the response was read as.
    pub provider: Provider,
    /// Where the problem is (`choices[0].message.tool_calls[1].id`); empty for the whole value.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

/// What a model said in one turn: its tool calls, its text, and the messages that record the
/// turn in the conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    provider: Provider,
    calls: Vec<ToolCall>,
    text: Option<String>,
    assistant: Vec<Value>,
}

impl Turn {
    /// Reads a response of `provider`'s API. Either the whole response body or just the
    /// model's part of it:
    ///
    /// | provider | whole body | or |
    /// |---|---|---|
    /// | OpenAI Chat | `{choices:[{message}]}` | the `message` (`tool_calls[]` of `{id, function:{name, arguments}}`) |
    /// | OpenAI Responses | `{output:[…]}` | the `output` list (`function_call` items: `call_id`, `name`, `arguments`) |
    /// | Anthropic | the message `{content:[…]}` | the `content` list (`tool_use` blocks: `id`, `name`, `input`) |
    /// | Gemini | `{candidates:[{content}]}` | the `content` `{parts}`, or the `parts` list (`functionCall`: `name`, `args`, `id?`) |
    ///
    /// Arguments are taken as they come (a string, an object, or nothing) and checked when the
    /// call runs, so that a bad argument becomes an error result rather than a lost call. A
    /// call without an id (Gemini's may have none), a missing name or a response of another
    /// shape is a [`TurnError`], as is one id used twice.
    pub fn parse(provider: Provider, response: &Value) -> Result<Turn, TurnError> {
        let mut reader = Reader { provider, calls: Vec::new(), texts: Vec::new() };
        let assistant = match provider {
            Provider::OpenAiChat => reader.openai_chat(response)?,
            Provider::OpenAiResponses => reader.openai_responses(response)?,
            Provider::Anthropic => reader.anthropic(response)?,
            Provider::Gemini | Provider::GeminiOpenApi => reader.gemini(response)?,
            // An MCP client sends one `tools/call` at a time; there is no turn to read.
            Provider::Mcp => {
                return Err(TurnError {
                    provider,
                    path: String::new(),
                    message: "MCP has no model turns: its clients send one tools/call at a time (see composio-mcp)"
                        .into(),
                });
            }
        };
        let Reader { calls, texts, .. } = reader;
        for (index, call) in calls.iter().enumerate() {
            if let Some(id) = call.id()
                && calls[..index].iter().any(|earlier| earlier.id() == Some(id))
            {
                return Err(TurnError {
                    provider,
                    path: String::new(),
                    message: format!("call id `{id}` is used twice"),
                });
            }
        }
        let separator = if provider == Provider::Anthropic { "\n" } else { "" };
        let text = (!texts.is_empty()).then(|| texts.join(separator));
        Ok(Turn { provider, calls, text, assistant })
    }

    /// The format the turn was read as.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The tool calls, in the model's order.
    pub fn calls(&self) -> &[ToolCall] {
        &self.calls
    }

    /// Whether the model asked for no tool: its text is the answer.
    pub fn is_final(&self) -> bool {
        self.calls.is_empty()
    }

    /// The model's text in this turn, if any.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The turn as the conversation records it, to append to the history before the results:
    /// OpenAI Chat's assistant message; the Responses `output` items (reasoning included, which
    /// the API wants back); Anthropic's `{role:"assistant", content}`; Gemini's model content
    /// (its `thoughtSignature`s must be sent back unchanged).
    pub fn assistant_messages(&self) -> &[Value] {
        &self.assistant
    }
}

struct Reader {
    provider: Provider,
    calls: Vec<ToolCall>,
    texts: Vec<String>,
}

impl Reader {
    fn error(&self, path: &str, message: impl Into<String>) -> TurnError {
        TurnError { provider: self.provider, path: path.to_owned(), message: message.into() }
    }

    /// The array at `key` of `value` (absent or `null` is empty).
    fn list<'v>(&self, value: &'v Value, key: &str, path: &str) -> Result<&'v [Value], TurnError> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(&join(path, key), "expected an array")),
        }
    }

    fn string(&self, value: &Value, key: &str, path: &str) -> Result<String, TurnError> {
        match value.get(key) {
            Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
            Some(Value::String(_)) => Err(self.error(&join(path, key), "is empty")),
            None | Some(Value::Null) => Err(self.error(&join(path, key), "missing")),
            Some(_) => Err(self.error(&join(path, key), "expected a string")),
        }
    }

    fn object<'v>(&self, value: &'v Value, path: &str) -> Result<&'v Map<String, Value>, TurnError> {
        value.as_object().ok_or_else(|| self.error(path, "expected a JSON object"))
    }

    /// The first element of the list at `key`, which must have one.
    fn first<'v>(&self, value: &'v Value, key: &str) -> Result<&'v Value, TurnError> {
        self.list(value, key, "")?.first().ok_or_else(|| self.error(key, "expected at least one entry"))
    }

    fn openai_chat(&mut self, response: &Value) -> Result<Vec<Value>, TurnError> {
        let (message, path) = if response.get("choices").is_some() {
            let choice = self.first(response, "choices")?;
            let message = choice.get("message").ok_or_else(|| self.error("choices[0].message", "missing"))?;
            (message, "choices[0].message")
        } else {
            (response, "")
        };
        self.object(message, path)?;
        let calls = self.list(message, "tool_calls", path)?;
        for (index, call) in calls.iter().enumerate() {
            let at = format!("{}[{index}]", join(path, "tool_calls"));
            self.object(call, &at)?;
            let id = self.string(call, "id", &at)?;
            let function = call.get("function").ok_or_else(|| self.error(&join(&at, "function"), "missing"))?;
            let at = join(&at, "function");
            self.object(function, &at)?;
            let name = self.string(function, "name", &at)?;
            let arguments = function.get("arguments").cloned().unwrap_or(Value::Null);
            self.calls.push(ToolCall::new(Some(id), name, arguments));
        }
        match message.get("content") {
            Some(Value::String(text)) if !text.is_empty() => self.texts.push(text.clone()),
            // Content parts: `{type:"text", text}`.
            Some(Value::Array(parts)) => {
                self.texts.extend(parts.iter().filter_map(|p| p.get("text")?.as_str()).map(str::to_owned));
            }
            _ => {}
        }
        // A clean assistant message: fields of the answer that a request does not take
        // (`annotations`, `refusal: null`) stay out.
        let mut assistant = Map::new();
        assistant.insert("role".into(), json!("assistant"));
        assistant.insert("content".into(), message.get("content").cloned().unwrap_or(Value::Null));
        if !calls.is_empty() {
            assistant.insert("tool_calls".into(), Value::Array(calls.to_vec()));
        }
        Ok(vec![Value::Object(assistant)])
    }

    fn openai_responses(&mut self, response: &Value) -> Result<Vec<Value>, TurnError> {
        let (items, path) = match response {
            Value::Array(items) => (items.as_slice(), ""),
            Value::Object(_) if response.get("output").is_some() => (self.list(response, "output", "")?, "output"),
            _ => return Err(self.error("", "expected a response with `output`, or its `output` list")),
        };
        for (index, item) in items.iter().enumerate() {
            let at = if path.is_empty() { format!("[{index}]") } else { format!("{path}[{index}]") };
            self.object(item, &at)?;
            match item.get("type").and_then(Value::as_str) {
                Some("function_call") => {
                    let id = self.string(item, "call_id", &at)?;
                    let name = self.string(item, "name", &at)?;
                    let arguments = item.get("arguments").cloned().unwrap_or(Value::Null);
                    self.calls.push(ToolCall::new(Some(id), name, arguments));
                }
                Some("message") => {
                    let parts = self.list(item, "content", &at)?;
                    self.texts.extend(
                        parts
                            .iter()
                            .filter(|p| p.get("type").and_then(Value::as_str) == Some("output_text"))
                            .filter_map(|p| p.get("text")?.as_str())
                            .map(str::to_owned),
                    );
                }
                _ => {}
            }
        }
        Ok(items.to_vec())
    }

    fn anthropic(&mut self, response: &Value) -> Result<Vec<Value>, TurnError> {
        let (blocks, path) = match response {
            Value::Array(blocks) => (blocks.as_slice(), ""),
            Value::Object(_) if response.get("content").is_some() => (self.list(response, "content", "")?, "content"),
            _ => return Err(self.error("", "expected a message with `content`, or its `content` list")),
        };
        for (index, block) in blocks.iter().enumerate() {
            let at = if path.is_empty() { format!("[{index}]") } else { format!("{path}[{index}]") };
            self.object(block, &at)?;
            match block.get("type").and_then(Value::as_str) {
                Some("tool_use") => {
                    let id = self.string(block, "id", &at)?;
                    let name = self.string(block, "name", &at)?;
                    let input = block.get("input").cloned().unwrap_or(Value::Null);
                    self.calls.push(ToolCall::new(Some(id), name, Arguments::Json(input)));
                }
                Some("text") => {
                    if let Some(text) = block.get("text").and_then(Value::as_str) {
                        self.texts.push(text.to_owned());
                    }
                }
                _ => {}
            }
        }
        Ok(vec![json!({"role": "assistant", "content": blocks})])
    }

    fn gemini(&mut self, response: &Value) -> Result<Vec<Value>, TurnError> {
        let (content, path) = if response.get("candidates").is_some() {
            let candidate = self.first(response, "candidates")?;
            let content = candidate.get("content").ok_or_else(|| self.error("candidates[0].content", "missing"))?;
            (content.clone(), "candidates[0].content")
        } else if let Value::Array(parts) = response {
            (json!({"role": "model", "parts": parts}), "")
        } else if response.get("parts").is_some() {
            (response.clone(), "")
        } else {
            return Err(self.error("", "expected a response with `candidates`, a `content` or its `parts`"));
        };
        self.object(&content, path)?;
        let parts = self.list(&content, "parts", path)?;
        let parts_path = if path.is_empty() && response.is_array() { String::new() } else { join(path, "parts") };
        for (index, part) in parts.iter().enumerate() {
            let at = format!("{parts_path}[{index}]");
            self.object(part, &at)?;
            if let Some(call) = part.get("functionCall") {
                let at = join(&at, "functionCall");
                self.object(call, &at)?;
                let name = self.string(call, "name", &at)?;
                let id = match call.get("id") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(id)) if id.is_empty() => None,
                    Some(Value::String(id)) => Some(id.clone()),
                    Some(_) => return Err(self.error(&join(&at, "id"), "expected a string")),
                };
                let args = call.get("args").cloned().unwrap_or(Value::Null);
                self.calls.push(ToolCall::new(id, name, Arguments::Json(args)));
            } else if part.get("thought").and_then(Value::as_bool) != Some(true)
                && let Some(text) = part.get("text").and_then(Value::as_str)
            {
                self.texts.push(text.to_owned());
            }
        }
        Ok(vec![content])
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// What became of one call of a turn.
#[derive(Debug)]
pub struct CallRecord {
    /// The call id, as the model sent it.
    pub id: Option<String>,
    /// The tool name the model used.
    pub name: String,
    /// The Composio slug the name maps to; `None` for a name the tool set does not offer.
    pub slug: Option<String>,
    /// The result.
    pub outcome: Outcome,
}

impl fmt::Display for CallRecord {
    /// One line for a log: `GITHUB_GET_AN_ISSUE (call_1): ok` or the error text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.slug.as_deref().unwrap_or(&self.name))?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        if self.outcome.is_error() { write!(f, ": {}", self.outcome.text()) } else { f.write_str(": ok") }
    }
}

/// The results of one turn: a record per call, in the model's order, and the messages that
/// carry them back to the model.
#[derive(Debug)]
pub struct TurnResults {
    provider: Provider,
    records: Vec<CallRecord>,
}

impl TurnResults {
    /// The provider the messages are formatted for.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// One record per call, in the model's order.
    pub fn records(&self) -> &[CallRecord] {
        &self.records
    }

    /// The records, by value.
    pub fn into_records(self) -> Vec<CallRecord> {
        self.records
    }

    /// Whether any call ended in an error.
    pub fn has_errors(&self) -> bool {
        self.records.iter().any(|r| r.outcome.is_error())
    }

    /// The results as the provider takes them, to append to the history after
    /// [`Turn::assistant_messages`]; nothing when the turn had no calls.
    ///
    /// - OpenAI Chat: one `{role:"tool", tool_call_id, content}` per call;
    /// - OpenAI Responses: one `{type:"function_call_output", call_id, output}` per call;
    /// - Anthropic: one user message, `{role:"user", content:[{type:"tool_result",
    ///   tool_use_id, content, is_error?}]}`, with `is_error: true` on failures;
    /// - Gemini: one content, `{role:"user", parts:[{functionResponse:{name, id?,
    ///   response:{output} or {error}}}]}`, echoing the call's `id` when it had one;
    /// - MCP: one `tools/call` result per call, `{content:[{type:"text", text}], isError,
    ///   structuredContent}`.
    ///
    /// The text of a result is [`Outcome::text`]: the `data` as JSON, or an error a model can
    /// act on (which path of the arguments is wrong, or what the tool said).
    pub fn messages(&self) -> Vec<Value> {
        if self.records.is_empty() {
            return Vec::new();
        }
        let id = |record: &CallRecord| Value::String(record.id.clone().unwrap_or_default());
        match self.provider {
            Provider::OpenAiChat => self
                .records
                .iter()
                .map(|r| json!({"role": "tool", "tool_call_id": id(r), "content": r.outcome.text()}))
                .collect(),
            Provider::OpenAiResponses => self
                .records
                .iter()
                .map(|r| json!({"type": "function_call_output", "call_id": id(r), "output": r.outcome.text()}))
                .collect(),
            Provider::Anthropic => {
                let blocks: Vec<Value> = self
                    .records
                    .iter()
                    .map(|r| {
                        let mut block =
                            json!({"type": "tool_result", "tool_use_id": id(r), "content": r.outcome.text()});
                        if r.outcome.is_error() {
                            block["is_error"] = Value::Bool(true);
                        }
                        block
                    })
                    .collect();
                vec![json!({"role": "user", "content": blocks})]
            }
            Provider::Gemini | Provider::GeminiOpenApi => {
                let parts: Vec<Value> = self
                    .records
                    .iter()
                    .map(|r| {
                        let mut response = Map::new();
                        response.insert("name".into(), json!(r.name));
                        if let Some(id) = &r.id {
                            response.insert("id".into(), json!(id));
                        }
                        response.insert("response".into(), r.outcome.json());
                        json!({"functionResponse": response})
                    })
                    .collect();
                vec![json!({"role": "user", "parts": parts})]
            }
            // One `tools/call` result per call: text content, `isError`, and the structured
            // `{output}` or `{error}`.
            Provider::Mcp => self
                .records
                .iter()
                .map(|r| {
                    let text = json!([{"type": "text", "text": r.outcome.text()}]);
                    json!({"content": text, "isError": r.outcome.is_error(), "structuredContent": r.outcome.json()})
                })
                .collect(),
        }
    }
}

impl Prepared {
    /// Reads a response of this provider's API: [`Turn::parse`] with [`Prepared::provider`].
    pub fn parse_turn(&self, response: &Value) -> Result<Turn, TurnError> {
        Turn::parse(self.provider(), response)
    }

    /// Runs every call of a turn and gives one result per call, in the model's order, as
    /// [`Prepared::run_calls`] does.
    pub async fn run_turn(&self, executor: Executor<'_>, turn: &Turn) -> TurnResults {
        self.run_calls(executor, turn.calls()).await
    }

    /// Reads a response ([`Prepared::parse_turn`]) and runs its calls ([`Prepared::run_turn`]).
    /// Only a response of another shape is an error; every call in it gets a result.
    pub async fn handle_turn(
        &self,
        executor: Executor<'_>,
        response: &Value,
    ) -> Result<(Turn, TurnResults), TurnError> {
        let turn = self.parse_turn(response)?;
        let results = self.run_turn(executor, &turn).await;
        Ok((turn, results))
    }

    /// Runs calls as one batch: each consecutive run of read-only calls
    /// ([`Prepared::is_read_only`]) side by side, every other call alone and in order, so a
    /// write waits for the reads before it and the reads after it wait for the write. Results
    /// come in the calls' order, one per call; an unknown tool, bad arguments and a failing
    /// tool are error results ([`Prepared::call`]).
    pub async fn run_calls(&self, executor: Executor<'_>, calls: &[ToolCall]) -> TurnResults {
        let mut outcomes = Vec::with_capacity(calls.len());
        let mut rest = calls;
        while let Some(first) = rest.first() {
            let reads = rest.iter().take_while(|c| self.is_read_only(c.name())).count();
            if reads == 0 {
                outcomes.push(self.call(executor, first.name(), first.arguments().clone()).await);
                rest = &rest[1..];
            } else {
                let batch = rest[..reads].iter().map(|c| self.call(executor, c.name(), c.arguments().clone()));
                outcomes.extend(join_all(batch.collect()).await);
                rest = &rest[reads..];
            }
        }
        let records = calls
            .iter()
            .zip(outcomes)
            .map(|(call, outcome)| CallRecord {
                id: call.id.clone(),
                name: call.name.clone(),
                slug: self.definition(call.name()).map(|d| d.slug().to_owned()),
                outcome,
            })
            .collect();
        TurnResults { provider: self.provider(), records }
    }
}

/// Polls every future until all are done and gives their outputs in the given order. The
/// futures borrow the tool set and the executor, so they cannot be spawned as tasks; a local
/// join also keeps an executor crate out of the dependencies. Every pending future is polled on
/// each wake-up, which is cheap for the handful of calls a turn holds.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    enum Slot<F: Future> {
        Running(Pin<Box<F>>),
        Done(F::Output),
    }
    let mut slots: Vec<Slot<F>> = futures.into_iter().map(|f| Slot::Running(Box::pin(f))).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut slots {
            if let Slot::Running(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(output) => *slot = Slot::Done(output),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    slots
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Done(output) => Some(output),
            Slot::Running(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::ArgumentError;
    use crate::agents::ArgumentErrorKind;

    fn calls(turn: &Turn) -> Vec<(Option<&str>, &str, &Arguments)> {
        turn.calls().iter().map(|c| (c.id(), c.name(), c.arguments())).collect()
    }

    #[test]
    fn openai_chat_calls_from_the_body_or_the_message() {
        let message = json!({"role": "assistant", "content": null, "refusal": null, "annotations": [], "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "A", "arguments": "{\"x\":1}"}},
            {"id": "call_2", "type": "function", "function": {"name": "B", "arguments": ""}},
        ]});
        let body =
            json!({"id": "chatcmpl-1", "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]});
        for value in [&body, &message] {
            let turn = Turn::parse(Provider::OpenAiChat, value).unwrap();
            assert_eq!(
                calls(&turn),
                [
                    (Some("call_1"), "A", &Arguments::Text("{\"x\":1}".into())),
                    (Some("call_2"), "B", &Arguments::Text(String::new()))
                ]
            );
            assert!(!turn.is_final());
            let assistant = &turn.assistant_messages()[0];
            assert_eq!(assistant["tool_calls"], message["tool_calls"]);
            assert!(assistant.get("annotations").is_none() && assistant.get("refusal").is_none());
        }
        let text = json!({"choices": [{"message": {"role": "assistant", "content": "Done."}}]});
        let turn = Turn::parse(Provider::OpenAiChat, &text).unwrap();
        assert!(turn.is_final());
        assert_eq!(turn.text(), Some("Done."));
        assert_eq!(turn.assistant_messages(), [json!({"role": "assistant", "content": "Done."})]);
    }

    #[test]
    fn responses_calls_from_the_body_or_the_output() {
        let output = json!([
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "A", "arguments": "{}"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Looking."}]},
        ]);
        for value in [&json!({"id": "resp_1", "output": output}), &output] {
            let turn = Turn::parse(Provider::OpenAiResponses, value).unwrap();
            assert_eq!(calls(&turn), [(Some("call_1"), "A", &Arguments::Text("{}".into()))]);
            assert_eq!(turn.text(), Some("Looking."));
            // Reasoning items go back with the calls.
            assert_eq!(turn.assistant_messages(), output.as_array().unwrap().as_slice());
        }
    }

    #[test]
    fn anthropic_calls_from_the_message_or_the_content() {
        let content = json!([
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_1", "name": "A", "input": {"x": 1}},
            {"type": "tool_use", "id": "toolu_2", "name": "B", "input": {}},
        ]);
        let message = json!({"id": "msg_1", "type": "message", "role": "assistant", "content": content,
                             "stop_reason": "tool_use"});
        for value in [&message, &content] {
            let turn = Turn::parse(Provider::Anthropic, value).unwrap();
            assert_eq!(
                calls(&turn),
                [
                    (Some("toolu_1"), "A", &Arguments::Json(json!({"x": 1}))),
                    (Some("toolu_2"), "B", &Arguments::Json(json!({})))
                ]
            );
            assert_eq!(turn.text(), Some("Let me look."));
            assert_eq!(turn.assistant_messages(), [json!({"role": "assistant", "content": content})]);
        }
    }

    #[test]
    fn gemini_calls_from_the_body_the_content_or_the_parts() {
        let parts = json!([
            {"functionCall": {"name": "A", "args": {"x": 1}, "id": "fc_1"}, "thoughtSignature": "c2ln"},
            {"functionCall": {"name": "B"}},
            {"text": "thinking", "thought": true},
        ]);
        let content = json!({"role": "model", "parts": parts});
        let body = json!({"candidates": [{"content": content, "finishReason": "STOP"}]});
        for value in [&body, &content, &parts] {
            let turn = Turn::parse(Provider::Gemini, value).unwrap();
            assert_eq!(
                calls(&turn),
                [(Some("fc_1"), "A", &Arguments::Json(json!({"x": 1}))), (None, "B", &Arguments::Json(Value::Null))]
            );
            assert_eq!(turn.text(), None, "thoughts are not the answer");
            // The thought signature goes back unchanged.
            assert_eq!(turn.assistant_messages(), std::slice::from_ref(&content));
        }
    }

    #[test]
    fn malformed_responses_are_errors_that_say_where() {
        let cases = [
            (Provider::OpenAiChat, json!({"choices": []}), "choices: expected at least one entry"),
            (Provider::OpenAiChat, json!({"choices": [{}]}), "choices[0].message: missing"),
            (Provider::OpenAiChat, json!({"tool_calls": {}}), "tool_calls: expected an array"),
            (
                Provider::OpenAiChat,
                json!({"choices": [{"message": {"tool_calls": [{"function": {"name": "A"}}]}}]}),
                "choices[0].message.tool_calls[0].id: missing",
            ),
            (
                Provider::OpenAiChat,
                json!({"tool_calls": [{"id": "c", "function": {"name": 3}}]}),
                "tool_calls[0].function.name: expected a string",
            ),
            (Provider::OpenAiChat, json!("text"), "expected a JSON object"),
            (Provider::OpenAiResponses, json!({"id": "r"}), "expected a response with `output`"),
            (Provider::OpenAiResponses, json!([{"type": "function_call", "name": "A"}]), "[0].call_id: missing"),
            (Provider::Anthropic, json!({"content": [7]}), "content[0]: expected a JSON object"),
            (Provider::Anthropic, json!([{"type": "tool_use", "id": "t", "name": ""}]), "[0].name: is empty"),
            (
                Provider::Gemini,
                json!({"candidates": [{"content": {"parts": [{"functionCall": {}}]}}]}),
                "candidates[0].content.parts[0].functionCall.name: missing",
            ),
            (
                Provider::Gemini,
                json!([{"functionCall": {"name": "A", "id": 1}}]),
                "[0].functionCall.id: expected a string",
            ),
            (Provider::Gemini, json!(null), "expected a response with `candidates`"),
            (
                Provider::Anthropic,
                json!([{"type": "tool_use", "id": "t", "name": "A"}, {"type": "tool_use", "id": "t", "name": "B"}]),
                "call id `t` is used twice",
            ),
        ];
        for (provider, value, want) in cases {
            let error = Turn::parse(provider, &value).unwrap_err();
            assert_eq!(error.provider, provider);
            assert!(error.to_string().contains(want), "{value}: {error}");
        }
    }

    fn record(id: Option<&str>, name: &str, outcome: Outcome) -> CallRecord {
        CallRecord { id: id.map(str::to_owned), name: name.to_owned(), slug: Some(name.to_owned()), outcome }
    }

    fn two_results(provider: Provider) -> TurnResults {
        let bad = ArgumentError::new("B", ArgumentErrorKind::NotAnObject { found: "an array" });
        TurnResults {
            provider,
            records: vec![
                record(Some("c1"), "A", Outcome::Success { data: json!({"n": 1}), log_id: None }),
                record(Some("c2"), "B", Outcome::InvalidArguments(bad)),
            ],
        }
    }

    const BAD: &str =
        "Error: B: the arguments must be a JSON object, not an array. Correct the arguments and call the tool again.";

    #[test]
    fn results_in_each_providers_format() {
        assert_eq!(
            two_results(Provider::OpenAiChat).messages(),
            [
                json!({"role": "tool", "tool_call_id": "c1", "content": "{\"n\":1}"}),
                json!({"role": "tool", "tool_call_id": "c2", "content": BAD}),
            ]
        );
        assert_eq!(
            two_results(Provider::OpenAiResponses).messages(),
            [
                json!({"type": "function_call_output", "call_id": "c1", "output": "{\"n\":1}"}),
                json!({"type": "function_call_output", "call_id": "c2", "output": BAD}),
            ]
        );
        assert_eq!(
            two_results(Provider::Anthropic).messages(),
            [json!({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "c1", "content": "{\"n\":1}"},
                {"type": "tool_result", "tool_use_id": "c2", "content": BAD, "is_error": true},
            ]})]
        );
        let mut gemini = two_results(Provider::Gemini);
        gemini.records[1].id = None;
        assert_eq!(
            gemini.messages(),
            [json!({"role": "user", "parts": [
                {"functionResponse": {"name": "A", "id": "c1", "response": {"output": {"n": 1}}}},
                {"functionResponse": {"name": "B", "response": {"error": BAD}}},
            ]})]
        );
        assert!(TurnResults { provider: Provider::Anthropic, records: Vec::new() }.messages().is_empty());
        assert_eq!(two_results(Provider::Anthropic).records()[1].to_string(), format!("B (c2): {BAD}"));
    }

    /// Each future can finish only once the next one has started: run one at a time, the
    /// first would wait forever.
    #[tokio::test]
    async fn join_all_runs_side_by_side_and_keeps_the_order() {
        let mut senders = Vec::new();
        let mut receivers = Vec::new();
        for _ in 0..4 {
            let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
            senders.push(sender);
            receivers.push(Some(receiver));
        }
        let futures: Vec<_> = senders
            .into_iter()
            .enumerate()
            .map(|(index, started)| {
                let next = receivers.get_mut(index + 1).and_then(Option::take);
                async move {
                    let _ = started.send(());
                    // Finishing in reverse: each waits until the next one has started.
                    if let Some(next) = next {
                        let _ = next.await;
                    }
                    index
                }
            })
            .collect();
        let order = tokio::time::timeout(std::time::Duration::from_secs(10), join_all(futures)).await;
        assert_eq!(order.expect("the futures ran side by side"), [0, 1, 2, 3]);
    }
}
