//! A model's tool-call arguments, parsed into a typed input with errors a model can act on.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A model's arguments as they arrive: OpenAI sends a JSON string, Anthropic, Gemini and MCP
/// send an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Arguments {
    /// JSON text.
    Text(String),
    /// A JSON value.
    Json(Value),
}

impl From<Value> for Arguments {
    fn from(value: Value) -> Self {
        match value {
            Value::String(text) => Arguments::Text(text),
            other => Arguments::Json(other),
        }
    }
}

impl From<String> for Arguments {
    fn from(text: String) -> Self {
        Arguments::Text(text)
    }
}

impl From<&str> for Arguments {
    fn from(text: &str) -> Self {
        Arguments::Text(text.to_owned())
    }
}

/// Why a model's call was not run. Its `Display` is written for the model: it names the tool,
/// the JSON path of the problem and what was expected, so the model can correct the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgumentError {
    /// The tool name the model used (or the slug it maps to).
    pub tool: String,
    /// What is wrong.
    pub kind: ArgumentErrorKind,
}

/// What is wrong with a model's call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgumentErrorKind {
    /// No tool of that name was offered; the nearest names, if any are close.
    UnknownTool {
        /// Offered names within a small edit distance.
        did_you_mean: Vec<String>,
    },
    /// The arguments are not JSON.
    NotJson {
        /// The parser's message, with line and column.
        message: String,
    },
    /// The arguments are JSON but not an object.
    NotAnObject {
        /// The JSON type found (`array`, `number`, …).
        found: &'static str,
    },
    /// The arguments do not fit the tool's input: one problem per path.
    Invalid(Vec<Problem>),
}

/// One problem in a model's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a path into the arguments (`labels[2]`, `config.retries`); empty for the
    /// arguments object itself.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "`{}`: {}", self.path, self.message) }
    }
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tool = &self.tool;
        match &self.kind {
            ArgumentErrorKind::UnknownTool { did_you_mean } if did_you_mean.is_empty() => {
                write!(f, "there is no tool named `{tool}`")
            }
            ArgumentErrorKind::UnknownTool { did_you_mean } => {
                write!(f, "there is no tool named `{tool}`; did you mean `{}`?", did_you_mean.join("`, `"))
            }
            ArgumentErrorKind::NotJson { message } => write!(f, "{tool}: the arguments are not valid JSON: {message}"),
            ArgumentErrorKind::NotAnObject { found } => {
                write!(f, "{tool}: the arguments must be a JSON object, not {found}")
            }
            ArgumentErrorKind::Invalid(problems) => {
                write!(f, "{tool}: invalid arguments: ")?;
                for (index, problem) in problems.iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ArgumentError {}

impl ArgumentError {
    pub(crate) fn new(tool: &str, kind: ArgumentErrorKind) -> Self {
        ArgumentError { tool: tool.to_owned(), kind }
    }

    /// The problems of an [`ArgumentErrorKind::Invalid`] error; empty for the other kinds.
    pub fn problems(&self) -> &[Problem] {
        match &self.kind {
            ArgumentErrorKind::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

/// Parses a model's arguments into the typed input of tool `T`, rejecting unknown fields.
///
/// The arguments follow Composio's own normalisation: `null`, an empty or blank string mean no
/// arguments (`{}`); a string is parsed as JSON, and a string holding a JSON string (arguments
/// encoded twice) is parsed once more.
///
/// ```
/// # #[cfg(feature = "github")] {
/// use composio_typed::agents::parse_arguments;
/// use composio_typed::toolkits::github::CreateAnIssueInput;
///
/// let input: CreateAnIssueInput =
///     parse_arguments(r#"{"owner":"rust-lang","repo":"cargo","title":"Crash"}"#).unwrap();
/// assert_eq!(input.title, "Crash");
///
/// let error = parse_arguments::<CreateAnIssueInput>(r#"{"owner":"o","repo":"r","title":"t","labels":["a",3]}"#)
///     .unwrap_err();
/// assert_eq!(error.problems()[0].path, "labels[1]");
/// # }
/// ```
pub fn parse_arguments<T: crate::Tool + DeserializeOwned>(arguments: impl Into<Arguments>) -> Result<T, ArgumentError> {
    parse_for(T::META.slug, arguments.into())
}

/// [`parse_arguments`] for any deserialisable type, with errors naming `tool`.
pub(crate) fn parse_for<T: DeserializeOwned>(tool: &str, arguments: Arguments) -> Result<T, ArgumentError> {
    match arguments {
        Arguments::Text(text) => match unwrap_text(tool, &text)? {
            Unwrapped::Borrowed(text) => from_text(tool, text),
            Unwrapped::Owned(text) => from_text(tool, &text),
            Unwrapped::Value(value) => from_value(tool, value),
        },
        Arguments::Json(value) => from_value(tool, normalize_value(tool, value)?),
    }
}

/// The arguments as a JSON object, normalised as [`parse_arguments`] describes.
pub fn arguments_object(tool: &str, arguments: Arguments) -> Result<Map<String, Value>, ArgumentError> {
    let value = match arguments {
        Arguments::Text(text) => match unwrap_text(tool, &text)? {
            Unwrapped::Borrowed(text) => parse_json(tool, text)?,
            Unwrapped::Owned(text) => parse_json(tool, &text)?,
            Unwrapped::Value(value) => value,
        },
        Arguments::Json(value) => normalize_value(tool, value)?,
    };
    match value {
        Value::Object(object) => Ok(object),
        other => Err(ArgumentError::new(tool, ArgumentErrorKind::NotAnObject { found: json_type(&other) })),
    }
}

enum Unwrapped<'a> {
    Borrowed(&'a str),
    Owned(String),
    Value(Value),
}

/// The JSON text of the arguments object, with blank text as `{}` and one level of string
/// encoding removed.
fn unwrap_text<'a>(tool: &str, text: &'a str) -> Result<Unwrapped<'a>, ArgumentError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "null" {
        return Ok(Unwrapped::Value(Value::Object(Map::new())));
    }
    if trimmed.starts_with('"') {
        // A JSON string: arguments that were encoded twice.
        let inner: String = serde_json::from_str(trimmed).map_err(|e| not_json(tool, &e))?;
        if inner.trim().is_empty() {
            return Ok(Unwrapped::Value(Value::Object(Map::new())));
        }
        return Ok(Unwrapped::Owned(inner));
    }
    Ok(Unwrapped::Borrowed(trimmed))
}

fn normalize_value(tool: &str, value: Value) -> Result<Value, ArgumentError> {
    match value {
        Value::Null => Ok(Value::Object(Map::new())),
        Value::String(text) => match unwrap_text(tool, &text)? {
            Unwrapped::Borrowed(text) => parse_json(tool, text),
            Unwrapped::Owned(text) => parse_json(tool, &text),
            Unwrapped::Value(value) => Ok(value),
        },
        other => Ok(other),
    }
}

fn parse_json(tool: &str, text: &str) -> Result<Value, ArgumentError> {
    serde_json::from_str(text).map_err(|e| not_json(tool, &e))
}

fn not_json(tool: &str, error: &serde_json::Error) -> ArgumentError {
    ArgumentError::new(tool, ArgumentErrorKind::NotJson { message: error.to_string() })
}

fn from_text<T: DeserializeOwned>(tool: &str, text: &str) -> Result<T, ArgumentError> {
    // serde reads a struct from an array too; a model's arguments are an object or wrong.
    if !text.starts_with('{') {
        return Err(match serde_json::from_str::<Value>(text) {
            Ok(value) => ArgumentError::new(tool, ArgumentErrorKind::NotAnObject { found: json_type(&value) }),
            Err(syntax) => not_json(tool, &syntax),
        });
    }
    // Most calls are right: parse without tracking paths, and track them only to explain a
    // failure (tracking doubles the cost of a good call).
    if let Ok(value) = serde_json::from_str::<T>(text) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() { not_json(tool, &inner) } else { invalid(tool, &path, &inner) }
    })?;
    deserializer.end().map_err(|e| not_json(tool, &e))?;
    Ok(value)
}

fn from_value<T: DeserializeOwned>(tool: &str, value: Value) -> Result<T, ArgumentError> {
    if !value.is_object() {
        return Err(ArgumentError::new(tool, ArgumentErrorKind::NotAnObject { found: json_type(&value) }));
    }
    if let Ok(parsed) = T::deserialize(&value) {
        return Ok(parsed);
    }
    serde_path_to_error::deserialize::<_, T>(&value).map_err(|e| {
        let path = e.path().to_string();
        invalid(tool, &path, &e.into_inner())
    })
}

fn invalid(tool: &str, path: &str, error: &serde_json::Error) -> ArgumentError {
    // serde_json appends " at line 1 column 42", which means nothing to a model that sent an
    // object; the path says where.
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) if error.line() > 0 => &message[..cut],
        _ => &message,
    };
    // A generated input reads its fields as values first, so the path tracked here ends at
    // the input; the rest of it comes inside the error.
    let (inner, message) = crate::de::split_path(message);
    let problem = Problem { path: crate::de::join_path(path, inner), message: message.to_owned() };
    ArgumentError::new(tool, ArgumentErrorKind::Invalid(vec![problem]))
}

pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Input {
        title: String,
        #[serde(default)]
        labels: Option<Vec<String>>,
        #[serde(default)]
        nested: Option<Nested>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Nested {
        count: u32,
    }

    fn parse(arguments: impl Into<Arguments>) -> Result<Input, ArgumentError> {
        parse_for("TOOL", arguments.into())
    }

    #[test]
    fn text_objects_and_values_parse_alike() {
        let want = Input { title: "t".into(), labels: Some(vec!["a".into()]), nested: None };
        assert_eq!(parse(r#"{"title":"t","labels":["a"]}"#).unwrap(), want);
        assert_eq!(parse(serde_json::json!({"title":"t","labels":["a"]})).unwrap(), want);
    }

    #[test]
    fn arguments_encoded_twice_are_unwrapped_once() {
        let twice = serde_json::to_string(r#"{"title":"t"}"#).unwrap();
        assert_eq!(parse(twice.as_str()).unwrap().title, "t");
        assert_eq!(parse(Value::String(twice)).unwrap().title, "t");
    }

    #[test]
    fn blank_or_null_arguments_are_an_empty_object() {
        for blank in ["", "  ", "null", "\"\""] {
            let error = parse(blank).unwrap_err();
            assert_eq!(error.problems()[0].message, "missing field `title`", "{blank:?}");
        }
        let object = arguments_object("TOOL", Arguments::Json(Value::Null)).unwrap();
        assert!(object.is_empty());
    }

    #[test]
    fn errors_name_the_path_in_words_a_model_can_use() {
        let error = parse(r#"{"title":"t","labels":["a",3]}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "TOOL: invalid arguments: `labels[1]`: invalid type: integer `3`, expected a string"
        );
        let error = parse(serde_json::json!({"title":"t","nested":{"count":-1}})).unwrap_err();
        assert_eq!(error.problems()[0].path, "nested.count");
        let error = parse(r#"{"title":"t","titel":"x"}"#).unwrap_err();
        assert!(error.to_string().contains("unknown field `titel`, expected one of `title`"), "{error}");
    }

    #[test]
    fn non_objects_and_broken_json_are_told_apart() {
        assert_eq!(parse("[1]").unwrap_err().kind, ArgumentErrorKind::NotAnObject { found: "an array" });
        assert_eq!(parse(serde_json::json!(7)).unwrap_err().kind, ArgumentErrorKind::NotAnObject { found: "a number" });
        assert!(matches!(parse(r#"{"title":"#).unwrap_err().kind, ArgumentErrorKind::NotJson { .. }));
        assert!(matches!(parse(r#"{"title":"t"} trailing"#).unwrap_err().kind, ArgumentErrorKind::NotJson { .. }));
    }
}

#[cfg(all(test, feature = "github"))]
mod generated {
    use serde_json::json;

    use super::*;
    use crate::toolkits::github::{
        CreateARepositoryForTheAuthenticatedUserInput, CreateARepositoryRulesetInput, CreateAnIssueInput,
    };

    #[test]
    fn paths_run_through_arrays_tagged_enums_and_nested_inputs() {
        let arguments = json!({
            "owner": "o", "repo": "r", "name": "n", "enforcement": "active",
            "rules": [{"type": "required_status_checks", "parameters": {
                "strict_required_status_checks_policy": true,
                "required_status_checks": [{"context": "ci"}, {"context": 3}]
            }}]
        });
        let path = "rules[0].parameters.required_status_checks[1].context";
        for arguments in [Arguments::Json(arguments.clone()), Arguments::Text(arguments.to_string())] {
            let error = parse_arguments::<CreateARepositoryRulesetInput>(arguments).unwrap_err();
            assert_eq!(error.problems()[0].path, path, "{error}");
            assert_eq!(error.problems()[0].message, "invalid type: integer `3`, expected a string");
        }
    }

    #[test]
    fn unknown_and_missing_fields_use_serde_words() {
        let error =
            parse_arguments::<CreateAnIssueInput>(r#"{"owner":"o","repo":"r","title":"t","titel":"x"}"#).unwrap_err();
        assert_eq!(
            error.problems()[0].message,
            "unknown field `titel`, expected one of `assignee`, `assignees`, `body`, `labels`, `milestone`, `owner`, `repo`, `title`"
        );
        let error = parse_arguments::<CreateAnIssueInput>(r#"{"repo":"r","title":"t"}"#).unwrap_err();
        assert_eq!(error.problems()[0], Problem { path: String::new(), message: "missing field `owner`".into() });
    }

    #[test]
    fn an_input_is_an_object_in_every_format() {
        // serde's derive reads a struct from a sequence too; an input is only ever an object.
        let fields = json!([null, null, null, null, null, "o", "r", "t"]);
        assert!(serde_json::from_value::<CreateAnIssueInput>(fields.clone()).is_err());
        assert!(serde_json::from_str::<CreateAnIssueInput>(&fields.to_string()).is_err());
        let input: CreateAnIssueInput =
            serde_json::from_value(json!({"owner": "o", "repo": "r", "title": "t", "body": null})).unwrap();
        assert_eq!(input, CreateAnIssueInput::new("o", "r", "t"));
    }

    #[test]
    fn inputs_of_more_than_sixteen_fields_read_every_field() {
        type Input = CreateARepositoryForTheAuthenticatedUserInput;
        let input: Input = parse_arguments(r#"{"name":"n","allow_auto_merge":true,"team_id":7}"#).unwrap();
        assert_eq!((input.name.as_str(), input.allow_auto_merge, input.team_id), ("n", Some(true), Some(7)));
        let error = parse_arguments::<Input>(r#"{"name":"n","team_id":"seven"}"#).unwrap_err();
        assert_eq!(error.problems()[0].path, "team_id");
        let error = parse_arguments::<Input>(r#"{"private":true}"#).unwrap_err();
        assert_eq!(error.problems()[0].message, "missing field `name`");
    }
}
