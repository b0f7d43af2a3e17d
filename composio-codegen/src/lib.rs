//! Typed Rust bindings for [Composio](https://composio.dev) toolkits, generated from the tools'
//! JSON Schemas.
//!
//! Every Composio tool publishes a JSON Schema for its arguments and its result. This crate
//! turns each tool of a pinned toolkit version into a Rust function with a typed, compile-time
//! checked input and a typed output, running on the [`composio-typed`] runtime.
//!
//! # Pipeline
//!
//! Each stage is one module with a narrow interface. Only the first stage and the entry points
//! are public: the others change with the generator.
//!
//! | stage | module | from → to |
//! |---|---|---|
//! | schema source | [`source`], [`model`] | committed cache, file or API → [`model::ToolDef`]s |
//! | schema model | `schema` | a tool's JSON Schema → a normalised schema tree |
//! | type IR | `typespace`, `ir`, `naming` | schemas → named, shared type definitions |
//! | Rust tokens | `emit` | IR → `proc_macro2` tokens |
//! | formatted file | `render`, `output` | tokens → prettyplease text → atomic write |
//!
//! [`Config`] runs the whole pipeline; [`generate_module`] runs it on definitions from any
//! [`source::SchemaSource`]. With the `live` feature, [`live`] fetches, pins, updates and
//! checks drift against the Composio API.
//!
//! # Use
//!
//! From the command line: `cargo run -p composio-codegen -- github gmail`. From a build
//! script, through [`Config`]:
//!
//! ```no_run
//! composio_codegen::Config::new().schema_cache("schemas").compile(&["github"]).unwrap();
//! ```
//!
//! [`composio-typed`]: https://docs.rs/composio-typed

mod cache_write;
pub mod config;
pub mod drift;
mod emit;
pub mod error;
#[cfg(feature = "live")]
pub mod fetch;
mod ir;
#[cfg(feature = "live")]
pub mod live;
pub mod lock;
pub mod model;
mod names;
mod naming;
mod output;
mod render;
mod schema;
pub mod source;
mod surface;
#[cfg(feature = "live")]
mod task;
mod typespace;

pub use config::{Config, Module, ToolSummary, Written, generate_module};
pub use emit::EmitOptions;
pub use error::{Error, Result};
pub use names::NameRecord;
pub use schema::Warning;

/// Pipeline stages that tests and benchmarks drive directly. Not part of the public API: it
/// changes whenever the pipeline does, without a major version.
#[doc(hidden)]
pub mod __private {
    pub use crate::cache_write::render_tools;
    pub use crate::ir::{Field, ToolkitIr, Ty, TypeKind};
    pub use crate::render::{header_hash, module_with_threads};
    pub use crate::typespace::build;
}
