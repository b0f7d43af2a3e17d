//! Composio bindings generated at build time.
//!
//! This crate shows the build-script mode of `composio-codegen`: its `build.rs` generates the
//! modules into `OUT_DIR` from the committed schema cache, and they are included here. The
//! same modules are committed in `composio-typed` behind the `github` and `gmail` features;
//! both ways give byte-identical code.
//!
//! The repository README follows; its Rust examples are compiled as this crate's doctests.
#![doc = include_str!("../README.md")]

/// GitHub tools, generated from `schemas/github/<version>.json`.
pub mod github {
    include!(concat!(env!("OUT_DIR"), "/github.rs"));
}

/// Gmail tools, generated from `schemas/gmail/<version>.json`.
pub mod gmail {
    include!(concat!(env!("OUT_DIR"), "/gmail.rs"));
}
