// The guide's examples call the committed modules, so it is the crate's documentation (and its
// doctests) when they are compiled in, as on docs.rs; without them, a pointer to it.
#![cfg_attr(all(feature = "github", feature = "gmail", feature = "composio"), doc = include_str!("../README.md"))]
#![cfg_attr(
    not(all(feature = "github", feature = "gmail", feature = "composio")),
    doc = "The runtime of typed Composio bindings: the `Client`, the `Tool` trait generated code \
           implements and the `Error` every call returns. The guide, `README.md`, is these docs \
           with the `github`, `gmail` and `composio` features on, as on docs.rs."
)]

// Generated modules name this crate by its absolute path, `::composio_typed`, so that they
// compile unchanged inside any crate; the committed ones live inside this very crate.
extern crate self as composio_typed;

pub mod accounts;
pub mod agents;
pub mod catalog;
mod client;
pub mod de;
mod error;
mod execute;
mod files;
pub mod retry;
mod secret;
pub mod sessions;
mod tool;
pub mod toolkits;
mod transport;
pub mod triggers;
pub mod validate;
mod wire;

pub use accounts::{Callback, ConnectedAccount, ConnectionRequest, ConnectionStatus};
pub use agents::TypedTool;
pub use client::{ApiPrefix, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_ID};
pub use error::{ApiError, DecodeError, Error, Result, ToolFailure};
pub use execute::{Call, Execution, LATEST, UntypedCall};
pub use files::{FileDownload, FileInput, UploadedFile, VisitFiles};
pub use secret::{ApiKey, Credentials, OpaqueFields, Secret};
pub use sessions::{Session, SessionCall};
pub use tool::{Tool, ToolMeta};

pub use serde;
pub use serde_json;
/// Any JSON value.
pub use serde_json::Value;

/// A free-form JSON object: what tools without a typed result return.
pub type JsonObject = serde_json::Map<String, Value>;
