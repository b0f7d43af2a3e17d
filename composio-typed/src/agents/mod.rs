//! Tool definitions for model APIs: OpenAI Chat Completions and Responses, Anthropic Messages,
//! and Gemini (`parametersJsonSchema` and the OpenAPI-subset `parameters`).
//!
//! A [`ToolSpec`] is a tool as a model sees it: a slug, a description and an input JSON Schema,
//! taken from a generated tool's [`ToolMeta`] or from a tool known only at run time (a session's
//! tools, a tool fetched from the API). Each provider method returns a [`Definition`]: the JSON
//! the provider accepts, plus the aliases it had to give names and property keys that break the
//! provider's rules, so a model's call can be translated back exactly. A schema that cannot meet
//! a provider's rules gives a [`FormatError`] naming the [`Rule`], never a definition the API
//! would reject (Anthropic and OpenAI reject the whole request for one bad tool).
//!
//! For dispatch, each generated module lists its tools in `TOOLS`, a table of [`TypedTool`]s.
//! A [`ToolSet`] selects the tools an agent may use, from generated toolkits and from tools known
//! only at run time; [`ToolSet::prepare`] gives the definitions for one provider, and
//! [`Prepared::call`] runs a model's call: the arguments are parsed into the typed input
//! ([`parse_arguments`]), unknown fields rejected, and every problem becomes an [`Outcome`] the
//! model can read and act on.
//!
//! A whole model turn goes through [`Prepared::handle_turn`]: it reads the provider's response
//! ([`Turn`]), runs every call (read-only tools side by side, the others one at a time, in the
//! model's order) and gives one result per call ([`TurnResults`]), with the messages that carry
//! them back in the provider's format.

mod arguments;
mod dispatch;
mod formats;
mod schema;
mod toolset;
mod turn;

use serde_json::Value;

use crate::sessions::SessionTool;
use crate::tool::ToolMeta;

pub use arguments::{ArgumentError, ArgumentErrorKind, Arguments, Problem, arguments_object, parse_arguments};
pub use dispatch::{Executor, Outcome, TypedTool};
pub use formats::{Definition, KeyAlias, Provider, Strictness, anthropic_strict_budget};
pub use schema::{FormatError, Rule};
pub use toolset::{Prepared, READ_ONLY, ToolSet, UnknownSlug};
pub use turn::{CallRecord, ToolCall, Turn, TurnError, TurnResults};

/// A tool as a model sees it: its slug, a description and its input JSON Schema.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSpec {
    slug: String,
    description: Option<String>,
    input_schema: Value,
}

impl ToolSpec {
    /// A tool known only at run time, by its slug, description and input JSON Schema.
    pub fn new(slug: impl Into<String>, description: Option<String>, input_schema: Value) -> Self {
        ToolSpec { slug: slug.into(), description, input_schema }
    }

    /// A generated tool, described by its published description (or, when it has none, its
    /// display name and the input schema's description).
    pub fn from_meta(meta: &ToolMeta) -> Result<Self, FormatError> {
        let schema = meta.input_schema_json().map_err(|_| FormatError {
            tool: meta.slug.to_owned(),
            provider: None,
            rule: Rule::NotAnObject,
            path: String::new(),
        })?;
        let description = match schema.get("description").and_then(Value::as_str) {
            _ if !meta.description.trim().is_empty() => meta.description.to_owned(),
            Some(extra) if !extra.is_empty() => format!("{}: {extra}", meta.name),
            _ => meta.name.to_owned(),
        };
        Ok(ToolSpec::new(meta.slug, Some(description), schema))
    }

    /// A tool object as the API serves it (`slug`, `description`, and `input_parameters` or
    /// `inputParameters`), e.g. from `GET /api/v3/tools`. A missing schema means no arguments.
    pub fn from_tool_json(tool: &Value) -> Self {
        let slug = tool.get("slug").and_then(Value::as_str).unwrap_or_default();
        let description = tool
            .get("description")
            .and_then(Value::as_str)
            .or_else(|| tool.get("name").and_then(Value::as_str))
            .map(str::to_owned);
        let schema =
            tool.get("input_parameters").or_else(|| tool.get("inputParameters")).cloned().unwrap_or(Value::Null);
        ToolSpec::new(slug, description, schema)
    }

    /// A tool a session serves ([`crate::Session::tools`]).
    pub fn from_session_tool(tool: &SessionTool) -> Self {
        let mut spec = ToolSpec::from_tool_json(&tool.raw);
        spec.slug.clone_from(&tool.slug);
        spec
    }

    /// Replaces the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The Composio slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The description, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The input schema, as given.
    pub fn input_schema(&self) -> &Value {
        &self.input_schema
    }

    /// An OpenAI Chat Completions tool: `{type:"function", function:{name, description,
    /// parameters, strict?}}`.
    pub fn openai_chat(&self, strictness: Strictness) -> Result<Definition, FormatError> {
        formats::build(self, Provider::OpenAiChat, strictness)
    }

    /// An OpenAI Responses tool: `{type:"function", name, description, parameters, strict}`.
    /// `strict` is always sent, because the Responses API makes an omitted `strict` strict.
    pub fn openai_responses(&self, strictness: Strictness) -> Result<Definition, FormatError> {
        formats::build(self, Provider::OpenAiResponses, strictness)
    }

    /// An Anthropic Messages tool: `{name, description, input_schema, strict?}`.
    pub fn anthropic(&self, strictness: Strictness) -> Result<Definition, FormatError> {
        formats::build(self, Provider::Anthropic, strictness)
    }

    /// A Gemini function declaration with `parametersJsonSchema` (plain JSON Schema).
    pub fn gemini(&self) -> Result<Definition, FormatError> {
        formats::build(self, Provider::Gemini, Strictness::Lenient)
    }

    /// A Gemini function declaration with `parameters`, the OpenAPI-3.0 subset Gemini parses
    /// as a protobuf message (unknown keywords are rejected there, so they are dropped or moved
    /// into descriptions).
    pub fn gemini_openapi(&self) -> Result<Definition, FormatError> {
        formats::build(self, Provider::GeminiOpenApi, Strictness::Lenient)
    }

    /// The definition for `provider`; Gemini has no strict mode and ignores `strictness`.
    pub fn definition(&self, provider: Provider, strictness: Strictness) -> Result<Definition, FormatError> {
        formats::build(self, provider, strictness)
    }
}

/// The definition a model's call names: tool names may be aliases, so look the call's name up
/// here and run [`Definition::slug`] with [`Definition::restore_arguments`].
pub fn find_by_name<'a>(definitions: &'a [Definition], name: &str) -> Option<&'a Definition> {
    definitions.iter().find(|d| d.name() == name)
}

/// Wraps Gemini function declarations in the request's `tools` entry:
/// `{functionDeclarations: [...]}`.
pub fn gemini_tool(declarations: &[Definition]) -> Value {
    let list: Vec<Value> = declarations.iter().map(|d| d.json().clone()).collect();
    serde_json::json!({ "functionDeclarations": list })
}
