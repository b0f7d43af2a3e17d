//! `composio-codegen`: generate typed Rust modules for Composio toolkits.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use composio_codegen::config::{DEFAULT_OUT_DIR, DEFAULT_SCHEMA_CACHE};
use composio_codegen::drift::FailOn;
use composio_codegen::{Config, Error};

#[cfg(feature = "live")]
mod progress;

// Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc cuts
// the CLI's wall time by about a third against the system allocator (see BENCHMARKS.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate typed Rust bindings for Composio toolkits.
///
/// Each toolkit becomes one formatted module, `<OUT>/<toolkit>.rs`, with a typed input struct,
/// a typed output and a function per tool, pinned to the toolkit version its schemas came
/// from. Pinned toolkits (`schemas/composio.lock`) are generated from the committed cache
/// (`schemas/<toolkit>/<version>.json`) with no network and no API key. A toolkit that is not
/// pinned is fetched from the Composio API at its latest version when COMPOSIO_API_KEY is set,
/// then pinned: its cache file and the lock are written, then its module.
#[derive(Debug, Parser)]
#[command(version, after_help = EXAMPLES)]
struct Cli {
    /// Toolkits to generate, by slug (`github`, `gmail`, `google_classroom`). Optional with
    /// --update and --diff (then: every pinned toolkit) and with --pin.
    #[arg(value_name = "TOOLKIT")]
    toolkits: Vec<String>,

    /// Read tool definitions from this JSON file instead of the schema cache: an array of
    /// tools, one tool, or a `{"items": [...]}` page of `GET /api/v3/tools`. Repeat to read
    /// several files. A tool without a `toolkit` field belongs to the requested toolkit whose
    /// slug is the longest prefix of its own. Trigger type definitions (`GET
    /// /api/v3/triggers_types`) are read the same way, in their own files or beside tools.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["update", "diff"])]
    from: Vec<PathBuf>,

    /// Directory to write `<toolkit>.rs` modules into.
    #[arg(long, value_name = "DIR", env = "COMPOSIO_CODEGEN_OUT", default_value = DEFAULT_OUT_DIR)]
    out: PathBuf,

    /// Schema cache directory, holding `composio.lock`.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SCHEMA_CACHE)]
    schemas: PathBuf,

    /// Write nothing; exit with status 1 and name each module that is missing or stale (2 on
    /// an error). Never touches the network.
    #[arg(long, conflicts_with_all = ["update", "diff"])]
    check: bool,

    /// Fetch the latest version of the named toolkits (every pinned toolkit when none is
    /// named), pin it, rewrite their cache files and regenerate their modules. Needs
    /// COMPOSIO_API_KEY.
    #[arg(long, conflicts_with = "diff")]
    update: bool,

    /// Without --from: fetch VERSION of TOOLKIT (an id like 20251027_00, or `latest`), pin it,
    /// write its cache file and generate it; needs COMPOSIO_API_KEY. With --from: only label
    /// the version of definitions that carry none. Repeatable.
    #[arg(long, value_name = "TOOLKIT=VERSION", value_parser = parse_pin)]
    pin: Vec<(String, String)>,

    /// Check drift, writing nothing: compare each named toolkit's cache (every pinned toolkit
    /// when none is named) with what the API serves for its pinned version and for `latest`,
    /// listing tools added and removed, fields added, removed, retyped or newly required, and
    /// what regenerating would change in the module's API (functions, type names, field types).
    /// Exit status 0: no drift; 1: drift (see --fail-on); 2: an error. Needs COMPOSIO_API_KEY.
    #[arg(long, conflicts_with = "pin")]
    diff: bool,

    /// With --diff, which drift exits with status 1: `any` difference, only differences of the
    /// `pinned` version (a newer latest is reported, not failed on), or only `breaking` ones.
    #[arg(long, value_name = "WHEN", default_value = "any", value_parser = parse_fail_on, requires = "diff")]
    fail_on: FailOn,

    /// With --diff, print the report as JSON instead of text.
    #[arg(long, requires = "diff")]
    json: bool,

    /// Refuse any schema the generator can only partly type (exit status 2), instead of
    /// generating it with the untypable parts as JSON and a warning.
    #[arg(long)]
    strict: bool,

    /// Write nothing; print per toolkit how many positions (fields, list items, map values,
    /// results) are typed, JSON because the schema is free-form, or JSON because the generator
    /// gave up, with the reasons. Never touches the network: pinned toolkits or --from only.
    #[arg(long, conflicts_with_all = ["update", "diff", "check"])]
    stats: bool,

    /// Derive Serialize on outputs too (inputs always derive both; slower to compile): lets
    /// you forward typed results as JSON.
    #[arg(long)]
    serde_both_ways: bool,

    /// Requests to the API in flight at once, across toolkits and pages.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,

    /// Tools per page of `GET /api/v3/tools` (1 to 1000). For tests and slow links.
    #[arg(long, value_name = "N", default_value_t = 1000, hide = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    page_size: u32,
}

const EXAMPLES: &str = "\
Examples:
  composio-codegen github gmail              generate from the committed cache; a toolkit that is
                                             not pinned is fetched and pinned (COMPOSIO_API_KEY)
  composio-codegen --update                  move every pinned toolkit to its latest version
  composio-codegen --update github           the same, for github only
  composio-codegen --pin github=20251027_00  fetch, pin and generate that version of github
  composio-codegen --check github gmail      fail if the committed modules are stale
  composio-codegen --stats github gmail      how much of each module is typed, and why not
  composio-codegen --diff --fail-on breaking fail CI on a breaking schema change
  composio-codegen --from tools.json --pin github=20251027_00 --out src/toolkits github

Environment:
  COMPOSIO_API_KEY      API key for fetching (never printed)
  COMPOSIO_BASE_URL     API host (default https://backend.composio.dev)
  COMPOSIO_CODEGEN_OUT  the default of --out

Exit status:
  0    success; with --check: every module is current; with --diff: no drift
  1    a finding: with --check, stale modules; with --diff, drift
  2    an error, in every mode: bad arguments, an unreadable cache or lock, a schema that is
       not JSON Schema (with --strict: any schema the generator cannot fully type),
       network, auth, an unknown toolkit
  130  interrupted (Ctrl-C) while fetching; nothing was written";

/// The exit status of an error, whatever the mode: CI can tell a broken setup (2) from a
/// finding (1: stale modules, drift), and 2 is also what clap uses for bad arguments.
const ERROR: u8 = 2;
/// The exit status of a finding: `--check` found stale modules, `--diff` found drift.
const FINDING: u8 = 1;

fn parse_pin(text: &str) -> Result<(String, String), String> {
    let (toolkit, version) = text.split_once('=').ok_or("expected TOOLKIT=VERSION, like github=20251027_00")?;
    if toolkit.is_empty() || version.is_empty() {
        return Err("expected TOOLKIT=VERSION, like github=20251027_00".into());
    }
    // The version becomes the module's `VERSION` and a header comment line: only version ids.
    if !composio_codegen::model::valid_toolkit_slug(toolkit) {
        return Err(format!("{toolkit:?} is not a toolkit slug, like github"));
    }
    if !composio_codegen::lock::valid_version(version) {
        return Err(format!("{version:?} is not a version id, like 20251027_00"));
    }
    Ok((toolkit.to_owned(), version.to_owned()))
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    match text {
        "any" => Ok(FailOn::Any),
        "pinned" => Ok(FailOn::Pinned),
        "breaking" => Ok(FailOn::Breaking),
        _ => Err("expected `any`, `pinned` or `breaking`".into()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {}", terminal_lines(&message));
            ExitCode::from(ERROR)
        }
    }
}

fn config(cli: &Cli) -> Config {
    let mut config = Config::new();
    config.schema_cache(&cli.schemas).out_dir(&cli.out).serde_both_ways(cli.serde_both_ways).strict(cli.strict);
    for from in &cli.from {
        config.from_file(from);
    }
    config
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    let mut config = config(cli);
    if !cli.from.is_empty() {
        for (toolkit, version) in &cli.pin {
            config.pin(toolkit, version);
        }
    } else if cli.check && !cli.pin.is_empty() {
        return Err("--check never fetches, and --pin without --from fetches: run them separately".into());
    }
    if cli.check || cli.stats || !cli.from.is_empty() {
        return from_cache_or_files(cli, &config).map_err(|e| e.to_string());
    }
    #[cfg(feature = "live")]
    {
        live::run(cli, config)
    }
    #[cfg(not(feature = "live"))]
    {
        if cli.diff || cli.update || !cli.pin.is_empty() {
            return Err("this composio-codegen was built without the `live` feature, so it cannot fetch: \
                        rebuild it with default features for --update, --pin and --diff"
                .into());
        }
        from_cache_or_files(cli, &config).map_err(|e| e.to_string())
    }
}

/// Generation (or `--check`) with no network: from the cache, or from `--from` files.
fn from_cache_or_files(cli: &Cli, config: &Config) -> Result<ExitCode, Error> {
    let modules = config.generate(&cli.toolkits)?;
    report_warnings(&modules);
    if cli.stats {
        let mut total = composio_codegen::Stats::default();
        for module in &modules {
            println!("{} ({} tools, version {}): {}", module.toolkit, module.tools.len(), module.version, module.stats);
            total.add(&module.stats);
        }
        if modules.len() > 1 {
            println!("total: {total}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if cli.check {
        let stale = config.stale_modules(&modules)?;
        for path in &stale {
            eprintln!("stale: {} (regenerate with `composio-codegen {}`)", path.display(), cli.toolkits.join(" "));
        }
        return Ok(if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(FINDING) });
    }
    let written = config.write_modules(&modules)?;
    for file in &written {
        print_written(file);
    }
    report_undeclared(config, &written);
    Ok(ExitCode::SUCCESS)
}

/// A hint for each module written beside a `mod.rs` that does not declare it yet.
fn report_undeclared(config: &Config, written: &[composio_codegen::Written]) {
    let Some((mod_rs, undeclared)) = config.undeclared_modules(written) else { return };
    for toolkit in undeclared {
        eprintln!("hint: {} does not declare `{toolkit}`; add `pub mod {toolkit};` to use it", mod_rs.display());
    }
}

fn print_written(written: &composio_codegen::Written) {
    let state = if written.changed { "wrote" } else { "unchanged" };
    println!("{state} {} ({} tools, version {})", written.path.display(), written.tools, written.version);
    if let Some(record) = &written.names_record {
        println!("wrote {}", record.display());
    }
}

fn report_warnings(modules: &[composio_codegen::Module]) {
    for warning in modules.iter().flat_map(|m| &m.warnings) {
        eprintln!("warning: {}", terminal_text(&warning.to_string()));
    }
}

/// Messages quote schema text: control characters are shown escaped, so none can move the
/// cursor, recolour the terminal or start a line that looks like another message.
fn terminal_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// [`terminal_text`] line by line: the generator's own guidance spans lines.
fn terminal_lines(text: &str) -> String {
    text.split('\n').map(terminal_text).collect::<Vec<_>>().join("\n")
}

#[cfg(feature = "live")]
mod live {
    use std::io::IsTerminal;
    use std::process::ExitCode;
    use std::sync::Arc;

    use composio_codegen::Config;
    use composio_codegen::fetch::{FetchError, FetchOptions, Progress};
    use composio_codegen::live::{Live, LiveOptions, Pinned, Plan};

    use super::progress::{BarProgress, LineProgress};
    use super::{Cli, print_written, report_warnings};

    pub(super) fn run(cli: &Cli, config: Config) -> Result<ExitCode, String> {
        let progress: Arc<dyn Progress> =
            if std::io::stderr().is_terminal() { Arc::new(BarProgress::new()) } else { Arc::new(LineProgress::new()) };
        let options = LiveOptions {
            fetch: FetchOptions { page_size: cli.page_size, concurrency: usize::from(cli.jobs) },
            progress,
            ..LiveOptions::from_env()
        };
        let live = Live::new(config, options);
        let plan = if cli.diff {
            None
        } else {
            Some(live.plan(&cli.toolkits, cli.update, &cli.pin).map_err(|e| e.to_string())?)
        };
        if let Some(plan) = &plan
            && !plan.fetches()
        {
            // Everything is pinned: the cache alone, no client, no network, no async runtime
            // whose worker would block on the generation.
            return super::from_cache_or_files(cli, live.config()).map_err(|e| e.to_string());
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        match plan {
            None => runtime.block_on(diff(cli, &live)).map_err(|e| e.to_string()),
            Some(plan) => runtime.block_on(sync(&live, &plan)).map_err(|e| e.to_string()),
        }
    }

    async fn diff(cli: &Cli, live: &Live) -> Result<ExitCode, FetchError> {
        let report = live.drift(&cli.toolkits).await?;
        if cli.json {
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| FetchError::Internal(format!("cannot encode the report: {e}")))?;
            println!("{json}");
        } else {
            print!("{report}");
        }
        let failed: Vec<&str> =
            report.toolkits.iter().filter(|t| t.fails(cli.fail_on)).map(|t| t.toolkit.as_str()).collect();
        if failed.is_empty() {
            eprintln!("no drift that fails the check (--fail-on {})", fail_on_name(cli.fail_on));
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!("drift in {} (--fail-on {})", failed.join(", "), fail_on_name(cli.fail_on));
            Ok(ExitCode::from(super::FINDING))
        }
    }

    fn fail_on_name(fail_on: composio_codegen::drift::FailOn) -> &'static str {
        use composio_codegen::drift::FailOn;
        match fail_on {
            FailOn::Any => "any",
            FailOn::Pinned => "pinned",
            FailOn::Breaking => "breaking",
        }
    }

    /// The conventional exit status of a process stopped by SIGINT (128 + 2).
    const INTERRUPTED: u8 = 130;

    async fn sync(live: &Live, plan: &Plan) -> Result<ExitCode, FetchError> {
        // Listening for Ctrl-C replaces the default "terminate" for the rest of the process, so
        // an interrupt while fetching stops with a clear message before anything is written, and
        // one during the write (milliseconds) no longer cuts it short between cache and lock.
        let prepared = tokio::select! {
            prepared = live.prepare(plan) => prepared?,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: nothing was written; the lock, cache and modules are as they were");
                return Ok(ExitCode::from(INTERRUPTED));
            }
        };
        report_warnings(&prepared.modules);
        let synced = live.write(prepared)?;
        for Pinned { toolkit, previous, version, tools } in &synced.pins {
            match previous {
                None => println!("pinned {toolkit} {version} ({tools} tools)"),
                Some(previous) if previous == version => println!("refreshed {toolkit} {version} ({tools} tools)"),
                Some(previous) => println!("updated {toolkit} {previous} -> {version} ({tools} tools)"),
            }
        }
        for (path, changed) in &synced.cache_files {
            println!("{} {}", if *changed { "wrote" } else { "unchanged" }, path.display());
        }
        for written in &synced.modules {
            print_written(written);
        }
        super::report_undeclared(live.config(), &synced.modules);
        if synced.lock.1 {
            println!("wrote {}", synced.lock.0.display());
        }
        for path in &synced.removed {
            println!("removed {} (no longer pinned)", path.display());
        }
        for message in &synced.stale {
            eprintln!("warning: could not remove a cache file no longer pinned: {message}");
        }
        Ok(ExitCode::SUCCESS)
    }
}
