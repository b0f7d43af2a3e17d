//! What generated code tells the runtime about each tool.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::files::FileInput;
use crate::validate::Violations;

/// Static facts about one tool, compiled into the generated code: the runtime needs no schema
/// fetch at call time.
#[derive(Debug, PartialEq, Eq)]
pub struct ToolMeta {
    /// `GITHUB_CREATE_AN_ISSUE`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// What the tool does, as published; the description a model reads.
    pub description: &'static str,
    /// Toolkit slug, `github`.
    pub toolkit: &'static str,
    /// The toolkit version the types were generated from.
    pub version: &'static str,
    /// Hints (`readOnlyHint`, `idempotentHint`, …) and categories.
    pub tags: &'static [&'static str],
    /// The tool's `input_parameters` JSON Schema, as published.
    pub input_schema: &'static str,
    /// The tool's `output_parameters` JSON Schema (the whole response envelope).
    pub output_schema: &'static str,
}

impl ToolMeta {
    /// Whether the tool carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(&tag)
    }

    /// Whether running the tool twice is harmless: it is marked `readOnlyHint` or
    /// `idempotentHint`. Only such tools are retried after an ambiguous failure.
    pub fn is_retry_safe(&self) -> bool {
        self.has_tag("readOnlyHint") || self.has_tag("idempotentHint")
    }

    /// The input schema, parsed.
    pub fn input_schema_json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_str(self.input_schema)
    }

    /// The output schema, parsed.
    pub fn output_schema_json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_str(self.output_schema)
    }
}

/// A tool's typed input. Generated code implements it for every tool's arguments struct;
/// [`crate::Client::call`] executes it.
pub trait Tool: Serialize + Send + 'static {
    /// The typed `data` payload of a successful run.
    type Output: DeserializeOwned + Send + 'static;

    /// Slug, toolkit, pinned version, tags and schemas.
    const META: &'static ToolMeta;

    /// Passes every file argument to `visit`, so the client can upload it before the call.
    /// Generated only for tools with `file_uploadable` parameters.
    fn visit_files(&mut self, visit: &mut dyn FnMut(&mut FileInput)) {
        let _ = visit;
    }

    /// Adds a violation to `v` for each schema constraint the arguments break (lengths,
    /// bounds, patterns, formats; see [`crate::validate`]). Calls run it before anything is
    /// sent. Generated only for tools whose arguments carry constraints.
    fn validate(&self, v: &mut Violations) {
        let _ = v;
    }
}
