//! Build-script mode, as a user's crate would use it: the GitHub and Gmail bindings are
//! generated into `OUT_DIR` from the committed schema cache at build time, with no network.
//! `src/lib.rs` includes them; a test checks they equal the committed modules.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let result = composio_codegen::Config::new().schema_cache(root.join("schemas")).compile(&["github", "gmail"]);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("composio-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
