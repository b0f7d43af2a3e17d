//! The generator's one error type.
//!
//! Every failure caused by input names where the input was: the tool slug and JSON pointer for
//! a schema, the file for I/O and JSON, the toolkit for a lookup. Nothing in the generator
//! panics on bad input.

use std::path::PathBuf;

/// Result alias for the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while generating bindings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A tool's schema uses something the generator cannot map to Rust.
    #[error("{slug}: schema at {pointer}: {message}")]
    Schema {
        /// The tool whose schema failed.
        slug: String,
        /// JSON pointer into the tool definition (`/input_parameters/properties/labels`).
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// A tool definition is not shaped like a Composio tool.
    #[error("{origin}: tool definition at {pointer}: {message}")]
    Definition {
        /// Where the definitions came from (a file path, or the API).
        origin: String,
        /// JSON pointer into the document (`/items/3/slug`).
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// A requested toolkit is neither pinned in the lock nor present in the input.
    #[error("unknown toolkit `{toolkit}`: {hint}")]
    UnknownToolkit {
        /// The toolkit slug as given.
        toolkit: String,
        /// What to do about it.
        hint: String,
    },
    /// A command-line or configuration value is invalid.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    #[error("{}: invalid JSON: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },
    /// The lock file is malformed.
    #[error("{}: {message}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A [`SchemaSource`](crate::source::SchemaSource) failed to read definitions, for a reason
    /// of its own: the API's source, for example, when a request fails. The boxed error is the
    /// source's own type (downcast it to `composio_codegen::fetch::FetchError` for the API's);
    /// keeping it opaque here keeps this error free of the fetch error, which wraps it.
    #[error(transparent)]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// The generated tokens did not parse as Rust: a generator bug, reported, not panicked.
    #[error("internal error: generated code for toolkit `{toolkit}` does not parse: {message}")]
    Render {
        /// The toolkit being generated.
        toolkit: String,
        /// The parser's message.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn schema(slug: &str, pointer: &str, message: impl Into<String>) -> Self {
        Error::Schema { slug: slug.to_owned(), pointer: pointer.to_owned(), message: message.into() }
    }
}
