//! Running a model's call: a generated tool, parsed into its typed input, or a tool known only
//! at run time, sent as JSON; either way one [`Outcome`] per call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::arguments::{ArgumentError, ArgumentErrorKind, Arguments, Problem, arguments_object, parse_for};
use crate::error::Error;
use crate::sessions::Session;
use crate::tool::{Tool, ToolMeta};
use crate::{Client, Execution};

type Run = for<'a> fn(Executor<'a>, Arguments) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A generated tool, ready for dispatch: its [`ToolMeta`] and a function that parses a model's
/// arguments into the typed input and runs it. Each generated module lists its tools in a
/// `TOOLS` table of these; put the ones a model may use in a [`super::ToolSet`].
#[derive(Clone, Copy)]
pub struct TypedTool {
    meta: &'static ToolMeta,
    run: Run,
}

impl TypedTool {
    /// The dispatch entry of the tool whose input is `T`.
    pub const fn of<T: Tool + DeserializeOwned>() -> Self {
        TypedTool { meta: T::META, run: run_typed::<T> }
    }

    /// The tool's facts.
    pub fn meta(&self) -> &'static ToolMeta {
        self.meta
    }

    /// Parses `arguments` into the typed input and runs the tool; an argument error is an
    /// [`Outcome::InvalidArguments`] and nothing is sent.
    pub async fn run(&self, executor: Executor<'_>, arguments: impl Into<Arguments>) -> Outcome {
        (self.run)(executor, arguments.into()).await
    }
}

impl fmt::Debug for TypedTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedTool").field(&self.meta.slug).finish()
    }
}

impl PartialEq for TypedTool {
    fn eq(&self, other: &Self) -> bool {
        self.meta.slug == other.meta.slug && self.meta.version == other.meta.version
    }
}

fn run_typed<'a, T: Tool + DeserializeOwned>(
    executor: Executor<'a>,
    arguments: Arguments,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    Box::pin(async move {
        match parse_for::<T>(T::META.slug, arguments) {
            Ok(input) => executor.typed(input).await,
            Err(error) => Outcome::InvalidArguments(error),
        }
    })
}

/// Where a model's calls run: through the client, for a user, or through a session.
#[derive(Clone, Copy, Debug)]
pub struct Executor<'a> {
    via: Via<'a>,
    user_id: Option<&'a str>,
    connected_account: Option<&'a str>,
    allow_latest: bool,
}

#[derive(Clone, Copy, Debug)]
enum Via<'a> {
    Client(&'a Client),
    Session(&'a Session),
}

impl<'a> Executor<'a> {
    /// Calls run through `client` (`POST /tools/execute/{slug}`), on the versions the types
    /// were generated from, for the client's user unless [`Executor::user_id`] names another.
    pub fn client(client: &'a Client) -> Self {
        Executor { via: Via::Client(client), user_id: None, connected_account: None, allow_latest: false }
    }

    /// Calls run through `session`: meta tools on its meta route, the rest on its execute
    /// route. Sessions run `latest`, so generated tools other than meta tools need
    /// [`Executor::allow_latest`] (as [`crate::SessionCall::allow_latest`]).
    pub fn session(session: &'a Session) -> Self {
        Executor { via: Via::Session(session), user_id: None, connected_account: None, allow_latest: false }
    }

    /// The user the calls run for (client calls only; a session has its user).
    pub fn user_id(mut self, user_id: &'a str) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// The connected account the calls use (client calls), or the account id or alias (v3.1
    /// session calls).
    pub fn connected_account(mut self, account: &'a str) -> Self {
        self.connected_account = Some(account);
        self
    }

    /// Lets generated tools run through a session, on `latest`.
    pub fn allow_latest(mut self) -> Self {
        self.allow_latest = true;
        self
    }

    async fn typed<T: Tool>(self, input: T) -> Outcome {
        let result = match self.via {
            Via::Client(client) => {
                let mut call = client.call(input);
                if let Some(user) = self.user_id {
                    call = call.user_id(user);
                }
                if let Some(account) = self.connected_account {
                    call = call.connected_account(account);
                }
                call.send_json().await
            }
            Via::Session(session) => {
                let mut call = session.call(input);
                if let Some(account) = self.connected_account {
                    call = call.account(account);
                }
                if self.allow_latest {
                    call = call.allow_latest();
                }
                call.send_json().await
            }
        };
        Outcome::from_result(result)
    }

    /// Runs a tool known only by its slug, with JSON arguments: the same handling as a
    /// generated tool's, without the typed check.
    pub async fn untyped(self, slug: &str, arguments: impl Into<Arguments>, retry_safe: bool) -> Outcome {
        let arguments = match arguments_object(slug, arguments.into()) {
            Ok(object) => Value::Object(object),
            Err(error) => return Outcome::InvalidArguments(error),
        };
        let result = match self.via {
            Via::Client(client) => {
                let mut call = client.execute(slug, arguments).retry_safe(retry_safe);
                if let Some(user) = self.user_id {
                    call = call.user_id(user);
                }
                if let Some(account) = self.connected_account {
                    call = call.connected_account(account);
                }
                call.send_with_details().await
            }
            Via::Session(session) => {
                let mut call = if session.meta_tools().iter().any(|m| m == slug) {
                    session.execute_meta(slug, arguments)
                } else {
                    session.execute(slug, arguments)
                };
                if let Some(account) = self.connected_account {
                    call = call.account(account);
                }
                call.retry_safe(retry_safe).send_with_details().await
            }
        };
        Outcome::from_result(result)
    }
}

/// What became of one model call.
#[derive(Debug)]
pub enum Outcome {
    /// The tool ran: its `data`.
    Success {
        /// The `data` of the result, as JSON.
        data: Value,
        /// Composio's log id of the execution.
        log_id: Option<String>,
    },
    /// The call was not run: its name or arguments are wrong.
    InvalidArguments(ArgumentError),
    /// The call was sent and failed: the tool reported failure, or the API or network did.
    Failed(Error),
}

impl Outcome {
    fn from_result(result: crate::Result<Execution<Value>>) -> Outcome {
        match result {
            Ok(execution) => Outcome::Success { data: execution.data, log_id: execution.log_id },
            // Broken constraints are found before sending, like a type error: the model's to fix.
            Err(Error::InvalidArguments { slug, violations }) => {
                let problems =
                    violations.iter().map(|v| Problem { path: v.path.clone(), message: v.message.clone() }).collect();
                Outcome::InvalidArguments(ArgumentError::new(&slug, ArgumentErrorKind::Invalid(problems)))
            }
            Err(error) => Outcome::Failed(error),
        }
    }

    /// Whether the model should see this as an error.
    pub fn is_error(&self) -> bool {
        !matches!(self, Outcome::Success { .. })
    }

    /// The result as a model reads it: the `data` as compact JSON, or the error in words that
    /// say what to do. Errors never carry secrets: the client's errors are redacted.
    pub fn text(&self) -> String {
        match self {
            Outcome::Success { data, .. } => data.to_string(),
            // An unknown name is not fixed by other arguments: point at the offered tools.
            Outcome::InvalidArguments(error @ ArgumentError { kind: ArgumentErrorKind::UnknownTool { .. }, .. }) => {
                let stop = if error.to_string().ends_with('?') { "" } else { "." };
                format!("Error: {error}{stop} Call one of the tools offered.")
            }
            Outcome::InvalidArguments(error) => {
                format!("Error: {error}. Correct the arguments and call the tool again.")
            }
            Outcome::Failed(Error::ToolFailed(failure)) => format!("Error: the tool failed: {}", failure.message),
            Outcome::Failed(error) => format!("Error: {error}"),
        }
    }

    /// The result as a JSON object, for formats that take one (Gemini's `response`, MCP's
    /// structured content): `{"output": data}` or `{"error": text}`.
    pub fn json(&self) -> Value {
        let mut object = Map::new();
        match self {
            Outcome::Success { data, .. } => object.insert("output".into(), data.clone()),
            _ => object.insert("error".into(), Value::String(self.text())),
        };
        Value::Object(object)
    }
}
