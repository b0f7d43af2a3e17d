//! Bindings generated from the committed schema cache (`schemas/`), one cargo feature each.
//!
//! Regenerate with `cargo run -p composio-codegen -- github gmail`; a test fails when these
//! files differ from what the cache generates. The modules are formatted by the generator
//! (prettyplease), so rustfmt is told to leave them alone.

/// Composio's meta tools, run through a [`crate::Session`] on `latest`: search tools, run
/// several tools, manage and wait for connections, tool schemas, the remote workbench and bash.
#[cfg(feature = "composio")]
#[rustfmt::skip]
pub mod composio;

/// GitHub: repositories, issues, pull requests, reviews and more.
#[cfg(feature = "github")]
#[rustfmt::skip]
pub mod github;

/// Gmail: messages, drafts, threads, labels and attachments.
#[cfg(feature = "gmail")]
#[rustfmt::skip]
pub mod gmail;
