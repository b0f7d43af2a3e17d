//! The runtime of typed Composio bindings.
//!
//! [`composio-codegen`] turns each tool of a pinned Composio toolkit into a typed input struct,
//! a typed output and a function; this crate runs them. It holds the [`Client`] (a thin
//! `reqwest` client on rustls), the [`Tool`] trait generated code implements, the [`Error`]
//! every call returns, and the generated modules committed with it, one cargo feature per
//! toolkit.
//!
//! ```no_run
//! # #[cfg(feature = "github")]
//! # async fn demo() -> composio_typed::Result<()> {
//! use composio_typed::{Client, toolkits::github};
//!
//! let client = Client::from_env()?.for_user("user-42");
//! let issue = github::create_an_issue(
//!     &client,
//!     github::CreateAnIssueInput::new("octocat", "hello-world", "Found a bug").labels(["bug"]),
//! )
//! .await?;
//! # Ok(()) }
//! ```
//!
//! Generated code depends on this crate alone: it re-exports [`serde`] and [`serde_json`].
//!
//! [`composio-codegen`]: https://docs.rs/composio-codegen

// Generated modules name this crate by its absolute path, `::composio_typed`, so that they
// compile unchanged inside any crate; the committed ones live inside this very crate.
extern crate self as composio_typed;

pub mod catalog;
mod client;
pub mod de;
mod error;
mod execute;
mod files;
pub mod retry;
mod secret;
mod tool;
pub mod toolkits;
mod transport;
mod wire;

pub use client::{ApiPrefix, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_ID};
pub use error::{ApiError, DecodeError, Error, Result, ToolFailure};
pub use execute::{Call, Execution, LATEST, UntypedCall};
pub use files::{FileDownload, FileInput, UploadedFile, VisitFiles};
pub use secret::ApiKey;
pub use tool::{Tool, ToolMeta};

pub use serde;
pub use serde_json;
/// Any JSON value.
pub use serde_json::Value;

/// A free-form JSON object: what tools without a typed result return.
pub type JsonObject = serde_json::Map<String, Value>;
