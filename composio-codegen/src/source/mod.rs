//! Schema sources: where tool definitions come from.
//!
//! Every source answers the same question, "the definitions of these toolkits", so the rest of
//! the pipeline does not care whether they came from the committed cache, a file, or the API
//! (`ApiSource`, with the default `live` feature).

#[cfg(feature = "live")]
mod api;
mod cache;
mod file;

#[cfg(feature = "live")]
pub use api::{ApiSource, Fetched, LATEST, Resolved};
pub use cache::SchemaCache;
#[cfg(feature = "live")]
pub(crate) use cache::pinned_list;
pub use file::FileSource;

use crate::error::Result;
use crate::model::{ToolDef, TriggerDef};

/// The tool definitions of one toolkit at one version.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolkitSchemas {
    /// Toolkit slug, `github`.
    pub toolkit: String,
    /// Display name, `GitHub`.
    pub display_name: String,
    /// The version the definitions belong to.
    pub version: String,
    /// Definitions sorted by slug.
    pub tools: Vec<ToolDef>,
    /// Trigger type definitions of the same version, sorted by slug; empty when the source has
    /// none.
    pub triggers: Vec<TriggerDef>,
}

/// A place tool definitions can be read from.
pub trait SchemaSource {
    /// The definitions of each requested toolkit, in the order asked. A toolkit the source
    /// does not know is an error that says what to do.
    fn load(&self, toolkits: &[String]) -> Result<Vec<ToolkitSchemas>>;
}

/// The display name of a toolkit: what its definitions say, else the slug.
fn display_name(toolkit: &str, tools: &[ToolDef]) -> String {
    tools.iter().find_map(|t| t.toolkit_name.clone()).unwrap_or_else(|| toolkit.to_owned())
}
