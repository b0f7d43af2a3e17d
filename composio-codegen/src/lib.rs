#![doc = include_str!("../README.md")]

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
mod stats;
mod surface;
#[cfg(feature = "live")]
mod task;
mod typespace;

pub use config::{Config, Module, ToolSummary, Written, generate_module};
pub use emit::EmitOptions;
pub use error::{Error, Result};
pub use names::NameRecord;
pub use schema::Warning;
pub use stats::Stats;

/// Pipeline stages that tests and benchmarks drive directly. Not part of the public API: it
/// changes whenever the pipeline does, without a major version.
#[doc(hidden)]
pub mod __private {
    pub use crate::cache_write::render_tools;
    pub use crate::ir::{Field, ToolkitIr, Ty, TypeKind};
    pub use crate::render::{header_hash, module_with_threads};
    pub use crate::typespace::build;
}
