//! Typed Rust bindings for [Composio](https://composio.dev) toolkits, generated from the tools'
//! JSON Schemas.
//!
//! Every Composio tool publishes a JSON Schema for its arguments and its result. This crate
//! turns each tool of a pinned toolkit version into a Rust function with a typed, compile-time
//! checked input and a typed output, running on the [`composio-typed`] runtime.
//!
//! # Pipeline
//!
//! Each stage is one module with a narrow interface:
//!
//! | stage | module | from → to |
//! |---|---|---|
//! | schema source | [`source`] | committed cache, file or API → [`model::ToolDef`]s |
//! | schema model | [`schema`] | a tool's JSON Schema → normalised [`schema::Schema`] |
//! | type IR | [`typespace`], [`ir`] | schemas → named, shared [`ir::TypeDef`]s |
//! | Rust tokens | [`emit`] | IR → `proc_macro2` tokens |
//! | formatted file | [`render`], [`output`] | tokens → prettyplease text → atomic write |
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

pub mod cache_write;
pub mod config;
pub mod drift;
pub mod emit;
pub mod error;
#[cfg(feature = "live")]
pub mod fetch;
pub mod ir;
#[cfg(feature = "live")]
pub mod live;
pub mod lock;
pub mod model;
pub mod naming;
pub mod output;
pub mod render;
pub mod schema;
pub mod source;
pub mod typespace;

pub use config::{Config, Module, ToolSummary, Written};
pub use error::{Error, Result};
