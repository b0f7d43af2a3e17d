//! A selection of tools for one agent, and its definitions for one provider.

use std::collections::HashMap;

use serde_json::Value;

use super::arguments::{ArgumentError, ArgumentErrorKind, Arguments, arguments_object};
use super::dispatch::{Executor, Outcome, TypedTool};
use super::formats::{Definition, Provider, Strictness};
use super::schema::FormatError;
use super::{ToolSpec, gemini_tool};
use crate::sessions::SessionTool;
use crate::tool::ToolMeta;

/// The tag of tools that only read: their calls in one turn may run side by side.
pub const READ_ONLY: &str = "readOnlyHint";

/// The tools one agent may use, from any number of generated toolkits and of tools known only
/// at run time. No model takes 823 GitHub tools at once, so select: by slug, by a predicate on
/// [`ToolMeta`] (toolkit, tags such as `readOnlyHint`), or whole toolkits.
///
/// ```
/// # #[cfg(all(feature = "github", feature = "gmail"))] {
/// use composio_typed::agents::ToolSet;
/// use composio_typed::toolkits::{github, gmail};
///
/// let tools = ToolSet::new()
///     .with_slugs(github::TOOLS, ["GITHUB_CREATE_AN_ISSUE", "GITHUB_GET_A_REPOSITORY"])
///     .unwrap()
///     .with_matching(gmail::TOOLS, |meta| meta.has_tag("readOnlyHint"));
/// assert!(tools.contains("GITHUB_CREATE_AN_ISSUE"));
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ToolSet {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
enum Entry {
    Typed(TypedTool),
    Dynamic { spec: ToolSpec, read_only: bool },
}

impl Entry {
    fn slug(&self) -> &str {
        match self {
            Entry::Typed(tool) => tool.meta().slug,
            Entry::Dynamic { spec, .. } => spec.slug(),
        }
    }
}

/// A slug asked for that the toolkit does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no tool `{slug}` in the given toolkit")]
pub struct UnknownSlug {
    /// The slug.
    pub slug: String,
}

impl ToolSet {
    /// An empty set.
    pub fn new() -> Self {
        ToolSet::default()
    }

    /// Adds every tool of a generated toolkit (`github::TOOLS`).
    pub fn with_toolkit(self, tools: &'static [TypedTool]) -> Self {
        self.with_matching(tools, |_| true)
    }

    /// Adds the tools of a generated toolkit for which `keep` is true.
    pub fn with_matching(mut self, tools: &'static [TypedTool], keep: impl Fn(&ToolMeta) -> bool) -> Self {
        for tool in tools.iter().filter(|t| keep(t.meta())) {
            self.push(Entry::Typed(*tool));
        }
        self
    }

    /// Adds the named tools of a generated toolkit; a slug it does not have is an error.
    pub fn with_slugs<I, S>(mut self, tools: &'static [TypedTool], slugs: I) -> Result<Self, UnknownSlug>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for slug in slugs {
            let slug = slug.as_ref();
            let tool = tools
                .iter()
                .find(|t| t.meta().slug.eq_ignore_ascii_case(slug))
                .ok_or_else(|| UnknownSlug { slug: slug.to_owned() })?;
            self.push(Entry::Typed(*tool));
        }
        Ok(self)
    }

    /// Adds a tool known only at run time (from the API, or a session): its calls are sent as
    /// JSON, unchecked. `read_only` lets its calls run beside other read-only ones.
    pub fn with_spec(mut self, spec: ToolSpec, read_only: bool) -> Self {
        self.push(Entry::Dynamic { spec, read_only });
        self
    }

    /// Adds a session's tools ([`crate::Session::tools`]), meta tools included: an agent on a
    /// session gets them without generated code. Run their calls with
    /// [`Executor::session`].
    pub fn with_session_tools(mut self, tools: &[SessionTool]) -> Self {
        for tool in tools {
            let read_only = tool.tags.iter().any(|t| t == READ_ONLY);
            self.push(Entry::Dynamic { spec: ToolSpec::from_session_tool(tool), read_only });
        }
        self
    }

    /// Keeps only the tools for which `keep` is true, given the slug.
    pub fn retain(mut self, keep: impl Fn(&str) -> bool) -> Self {
        self.entries.retain(|e| keep(e.slug()));
        self
    }

    /// A later tool of the same slug replaces an earlier one, so a set never offers a name twice.
    fn push(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.slug() == entry.slug()) {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    /// The number of tools.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the set has the tool.
    pub fn contains(&self, slug: &str) -> bool {
        self.entries.iter().any(|e| e.slug() == slug)
    }

    /// The slugs, in the order the tools were added.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Entry::slug)
    }

    /// The definitions for `provider`, with what it takes to dispatch that provider's calls.
    /// A tool whose schema cannot meet the provider's rules is left out and listed in
    /// [`Prepared::rejected`], so one bad schema never makes the provider refuse the request.
    pub fn prepare(&self, provider: Provider, strictness: Strictness) -> Prepared {
        let mut prepared = Prepared {
            provider,
            definitions: Vec::with_capacity(self.entries.len()),
            entries: Vec::with_capacity(self.entries.len()),
            by_name: HashMap::with_capacity(self.entries.len()),
            rejected: Vec::new(),
        };
        for entry in &self.entries {
            let spec = match entry {
                Entry::Typed(tool) => match ToolSpec::from_meta(tool.meta()) {
                    Ok(spec) => spec,
                    Err(error) => {
                        prepared.rejected.push(error);
                        continue;
                    }
                },
                Entry::Dynamic { spec, .. } => spec.clone(),
            };
            match spec.definition(provider, strictness) {
                Ok(definition) => {
                    prepared.by_name.insert(definition.name().to_owned(), prepared.definitions.len());
                    prepared.definitions.push(definition);
                    prepared.entries.push(entry.clone());
                }
                Err(error) => prepared.rejected.push(error),
            }
        }
        prepared
    }
}

/// A [`ToolSet`] made ready for one provider: the definitions to send, and the dispatch of the
/// calls that come back, with names and keys translated from their aliases.
#[derive(Clone, Debug)]
pub struct Prepared {
    provider: Provider,
    definitions: Vec<Definition>,
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
    rejected: Vec<FormatError>,
}

impl Prepared {
    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The definitions, one per tool that meets the provider's rules.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The tools left out, each with the rule it cannot meet.
    pub fn rejected(&self) -> &[FormatError] {
        &self.rejected
    }

    /// The request's `tools` value: the list of definitions, or for Gemini the one
    /// `{functionDeclarations: […]}` entry in a list.
    pub fn tools_json(&self) -> Value {
        match self.provider {
            Provider::Gemini | Provider::GeminiOpenApi => Value::Array(vec![gemini_tool(&self.definitions)]),
            _ => Value::Array(self.definitions.iter().map(|d| d.json().clone()).collect()),
        }
    }

    /// The definition the model's `name` refers to.
    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.by_name.get(name).map(|&index| &self.definitions[index])
    }

    /// The facts of the named tool when it is a generated one (its tags, display name,
    /// toolkit); `None` for a tool known only at run time or a name not offered.
    pub fn meta(&self, name: &str) -> Option<&'static ToolMeta> {
        self.by_name.get(name).and_then(|&index| match &self.entries[index] {
            Entry::Typed(tool) => Some(tool.meta()),
            Entry::Dynamic { .. } => None,
        })
    }

    /// Whether the named tool only reads, so its call may run beside other read-only calls.
    pub fn is_read_only(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|&index| match &self.entries[index] {
            Entry::Typed(tool) => tool.meta().has_tag(READ_ONLY),
            Entry::Dynamic { read_only, .. } => *read_only,
        })
    }

    /// Runs one model call: finds the tool by the name the model used, restores aliased keys,
    /// parses the arguments (into the typed input, for a generated tool) and runs it. Every
    /// problem becomes an [`Outcome`] the model can read; nothing panics.
    pub async fn call(&self, executor: Executor<'_>, name: &str, arguments: impl Into<Arguments>) -> Outcome {
        let Some(&index) = self.by_name.get(name) else {
            let did_you_mean = nearest(name, self.definitions.iter().map(Definition::name));
            return Outcome::InvalidArguments(ArgumentError::new(
                name,
                ArgumentErrorKind::UnknownTool { did_you_mean },
            ));
        };
        let definition = &self.definitions[index];
        let arguments = arguments.into();
        let needs_restoring = !definition.key_aliases().is_empty() || definition.strictness() == Strictness::Strict;
        let arguments = if needs_restoring {
            match arguments_object(definition.slug(), arguments) {
                Ok(object) => Arguments::Json(definition.restore_arguments(Value::Object(object))),
                Err(error) => return Outcome::InvalidArguments(error),
            }
        } else {
            arguments
        };
        match &self.entries[index] {
            Entry::Typed(tool) => tool.run(executor, arguments).await,
            Entry::Dynamic { spec, read_only } => {
                // Read-only tools are harmless to repeat; nothing else is retried after an
                // ambiguous failure.
                executor.untyped(spec.slug(), arguments, *read_only).await
            }
        }
    }
}

/// Offered names close to `name`: the model most likely mistyped one of them.
fn nearest<'a>(name: &str, offered: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let budget = (name.len() / 4).clamp(1, 4);
    let mut close: Vec<(usize, &str)> = offered
        .filter_map(|candidate| {
            let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
            (distance <= budget).then_some((distance, candidate))
        })
        .collect();
    close.sort();
    close.into_iter().take(3).map(|(_, name)| name.to_owned()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let offered = ["GITHUB_CREATE_AN_ISSUE", "GITHUB_GET_A_REPOSITORY", "GMAIL_SEND_EMAIL"];
        assert_eq!(nearest("GITHUB_CREATE_ISSUE", offered.into_iter()), ["GITHUB_CREATE_AN_ISSUE"]);
        assert_eq!(nearest("github_create_an_issue", offered.into_iter()), ["GITHUB_CREATE_AN_ISSUE"]);
        assert!(nearest("DELETE_EVERYTHING", offered.into_iter()).is_empty());
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
