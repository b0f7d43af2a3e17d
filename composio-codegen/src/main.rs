//! `composio-codegen`: generate typed Rust modules for Composio toolkits.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use composio_codegen::config::{DEFAULT_OUT_DIR, DEFAULT_SCHEMA_CACHE};
use composio_codegen::{Config, Error};

/// Generate typed Rust bindings for Composio toolkits.
///
/// Each toolkit becomes one formatted module, `<OUT>/<toolkit>.rs`, with a typed input struct,
/// a typed output and a function per tool, pinned to the toolkit version its schemas came
/// from. By default the schemas are read from the committed cache (`schemas/composio.lock`
/// and `schemas/<toolkit>/<version>.json`), so generation needs no network and no API key.
#[derive(Debug, Parser)]
#[command(version, after_help = EXAMPLES)]
struct Cli {
    /// Toolkits to generate, by slug (`github`, `gmail`, `google_classroom`).
    #[arg(required = true, value_name = "TOOLKIT")]
    toolkits: Vec<String>,

    /// Read tool definitions from this JSON file instead of the schema cache: an array of
    /// tools, one tool, or a `{"items": [...]}` page of `GET /api/v3/tools`. Repeat to read
    /// several files. A tool without a `toolkit` field belongs to the requested toolkit whose
    /// slug is the longest prefix of its own.
    #[arg(long, value_name = "FILE")]
    from: Vec<PathBuf>,

    /// Directory to write `<toolkit>.rs` modules into.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_OUT_DIR)]
    out: PathBuf,

    /// Schema cache directory, holding `composio.lock`.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SCHEMA_CACHE)]
    schemas: PathBuf,

    /// Write nothing; exit with status 1 and name each module that is missing or stale.
    #[arg(long)]
    check: bool,

    /// Version for toolkits whose definitions (from --from) carry none, as TOOLKIT=VERSION.
    #[arg(long, value_name = "TOOLKIT=VERSION", value_parser = parse_pin)]
    pin: Vec<(String, String)>,

    /// Derive both Serialize and Deserialize on every generated type (slower to compile):
    /// lets you decode LLM-produced arguments into the typed input, or re-encode results.
    #[arg(long)]
    serde_both_ways: bool,
}

const EXAMPLES: &str = "\
Examples:
  composio-codegen github gmail              regenerate from the committed cache
  composio-codegen --check github gmail      fail if the committed modules are stale
  composio-codegen --from tools.json --pin github=20251027_00 --out src/toolkits github";

fn parse_pin(text: &str) -> Result<(String, String), String> {
    let (toolkit, version) = text.split_once('=').ok_or("expected TOOLKIT=VERSION, like github=20251027_00")?;
    if toolkit.is_empty() || version.is_empty() {
        return Err("expected TOOLKIT=VERSION, like github=20251027_00".into());
    }
    Ok((toolkit.to_owned(), version.to_owned()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let mut config = Config::new();
    config.schema_cache(&cli.schemas).out_dir(&cli.out).serde_both_ways(cli.serde_both_ways);
    for from in &cli.from {
        config.from_file(from);
    }
    for (toolkit, version) in &cli.pin {
        config.pin(toolkit, version);
    }
    let modules = config.generate(&cli.toolkits)?;
    report_warnings(&modules);
    if cli.check {
        let stale = config.stale_modules(&modules)?;
        for path in &stale {
            eprintln!("stale: {} (regenerate with `composio-codegen {}`)", path.display(), cli.toolkits.join(" "));
        }
        return Ok(if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    for written in config.write_modules(&modules)? {
        let state = if written.changed { "wrote" } else { "unchanged" };
        println!("{state} {} ({} tools, version {})", written.path.display(), written.tools, written.version);
    }
    Ok(ExitCode::SUCCESS)
}

fn report_warnings(modules: &[composio_codegen::Module]) {
    for warning in modules.iter().flat_map(|m| &m.warnings) {
        eprintln!("warning: {warning}");
    }
}
