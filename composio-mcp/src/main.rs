//! `composio-mcp`: serves chosen Composio tools as an MCP server over stdio or streamable HTTP.

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use composio_mcp::{McpServer, Naming};
use composio_typed::ClientBuilder;
use composio_typed::agents::{ToolSet, TypedTool};

/// The toolkits this build serves: one cargo feature each.
const TOOLKITS: &[(&str, &[TypedTool])] = &[
    #[cfg(feature = "github")]
    ("github", composio_typed::toolkits::github::TOOLS),
    #[cfg(feature = "gmail")]
    ("gmail", composio_typed::toolkits::gmail::TOOLS),
];

/// Clients degrade past about 40 tools (Cursor warns there, and every tool's schema costs
/// context on each turn), so a larger selection needs `--max-tools`.
const DEFAULT_MAX_TOOLS: usize = 40;

/// Tools Composio marks as unfit for MCP; served only when named with `--tools`.
const MCP_IGNORE: &str = "mcpIgnore";

/// Serve typed Composio tools over the Model Context Protocol. Every call's arguments are
/// checked against the tool's input type before anything is sent to Composio.
///
/// COMPOSIO_API_KEY (required) and COMPOSIO_BASE_URL (optional) are read from the environment.
#[derive(Debug, Parser)]
#[command(name = "composio-mcp", version)]
struct Cli {
    /// Toolkit to serve tools from; repeat or separate with commas.
    #[arg(long = "toolkit", required = true, value_delimiter = ',')]
    toolkits: Vec<String>,

    /// Tools to serve, by slug (`GITHUB_CREATE_AN_ISSUE`, or `CREATE_AN_ISSUE` within the
    /// toolkit); separate with commas.
    #[arg(long, value_delimiter = ',')]
    tools: Vec<String>,

    /// Serve the toolkits' tools that carry every one of these tags (`readOnlyHint`); with
    /// `--tools`, keep only the named tools that carry them.
    #[arg(long, value_delimiter = ',')]
    tags: Vec<String>,

    /// Serve every tool of the toolkits (still bounded by --max-tools).
    #[arg(long, conflicts_with_all = ["tools", "tags"])]
    all: bool,

    /// Refuse a selection of more tools than this.
    #[arg(long, default_value_t = DEFAULT_MAX_TOOLS)]
    max_tools: usize,

    /// The transport: `stdio` for a client that starts the server, `http` for streamable HTTP.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    transport: Transport,

    /// Address to listen on with `--transport http`.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: String,

    /// `Host` header values accepted over HTTP besides loopback (DNS-rebinding protection).
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,

    /// The Composio user the calls run for.
    #[arg(long, env = "COMPOSIO_USER_ID")]
    user_id: Option<String>,

    /// The connected account the calls use.
    #[arg(long)]
    connected_account: Option<String>,

    /// The server's name, as clients show it; the toolkit by default (`composio` for several).
    #[arg(long)]
    name: Option<String>,

    /// Serve tools under their Composio slugs instead of short lower-case names.
    #[arg(long)]
    slug_names: bool,

    /// Log every call at debug level too.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transport {
    Stdio,
    Http,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Standard output carries the stdio transport: logs go to standard error only.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(if cli.verbose { tracing::Level::DEBUG } else { tracing::Level::INFO })
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("composio-mcp: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    // The selection is checked before the environment, so a wrong command line says so
    // whether or not a key is set.
    let set = select(&cli)?;
    let builder = ClientBuilder::from_env().map_err(|e| format!("configuration: {e}"))?;
    let client = builder.build().map_err(|e| format!("configuration: {e}"))?;
    let name = cli.name.clone().unwrap_or_else(|| match cli.toolkits.as_slice() {
        [one] => one.to_ascii_lowercase(),
        _ => "composio".to_owned(),
    });
    let mut server =
        McpServer::builder(set, client).name(name).naming(if cli.slug_names { Naming::Slug } else { Naming::Short });
    if let Some(user_id) = &cli.user_id {
        server = server.user_id(user_id);
    }
    if let Some(account) = &cli.connected_account {
        server = server.connected_account(account);
    }
    let server = server.build().map_err(|e| e.to_string())?;
    tracing::info!(tools = ?server.tools().iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(), "serving");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        match cli.transport {
            Transport::Stdio => server.serve_stdio().await.map_err(|e| format!("stdio transport: {e}")),
            Transport::Http => {
                let listener = tokio::net::TcpListener::bind(&cli.bind)
                    .await
                    .map_err(|e| format!("cannot listen on {}: {e}", cli.bind))?;
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                server.serve_http(listener, &cli.allowed_hosts, shutdown).await.map_err(|e| format!("http: {e}"))
            }
        }
    })
}

/// The tool set the command line asks for, or what is wrong with it.
fn select(cli: &Cli) -> Result<ToolSet, String> {
    let mut toolkits = Vec::new();
    for wanted in &cli.toolkits {
        let found = TOOLKITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(wanted.trim()));
        let Some(&(name, tools)) = found else {
            let known: Vec<&str> = TOOLKITS.iter().map(|(name, _)| *name).collect();
            return Err(format!("unknown toolkit `{wanted}`; this build serves: {}", known.join(", ")));
        };
        toolkits.push((name, tools));
    }
    if cli.tools.is_empty() && cli.tags.is_empty() && !cli.all {
        return Err(format!(
            "choose the tools to serve with --tools SLUG,… or --tags readOnlyHint (or --all): clients \
             degrade past about {DEFAULT_MAX_TOOLS} tools"
        ));
    }
    let has_tags = |tool: &TypedTool| cli.tags.iter().all(|tag| tool.meta().has_tag(tag.trim()));
    let mut set = ToolSet::new();
    if cli.tools.is_empty() {
        for &(_, tools) in &toolkits {
            set = set.with_matching(tools, |meta| {
                !meta.has_tag(MCP_IGNORE) && cli.tags.iter().all(|tag| meta.has_tag(tag.trim()))
            });
        }
    } else {
        for slug in &cli.tools {
            let slug = slug.trim();
            let tool = toolkits.iter().find_map(|&(name, tools)| find(tools, name, slug));
            let Some(tool) = tool else {
                return Err(format!("no tool `{slug}` in {}", cli.toolkits.join(", ")));
            };
            if has_tags(tool) {
                set = set.with_matching(std::slice::from_ref(tool), |_| true);
            }
        }
    }
    if set.is_empty() {
        return Err("the selection matches no tool".to_owned());
    }
    if set.len() > cli.max_tools {
        return Err(format!(
            "{} tools selected, more than --max-tools {}: narrow the selection, or raise the limit \
             (clients degrade past about {DEFAULT_MAX_TOOLS} tools)",
            set.len(),
            cli.max_tools
        ));
    }
    Ok(set)
}

/// A toolkit's tool by its slug, with or without the toolkit prefix, in any case.
fn find<'a>(tools: &'a [TypedTool], toolkit: &str, slug: &str) -> Option<&'a TypedTool> {
    let prefixed = format!("{toolkit}_{slug}");
    tools.iter().find(|t| t.meta().slug.eq_ignore_ascii_case(slug) || t.meta().slug.eq_ignore_ascii_case(&prefixed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selected(args: &[&str]) -> Result<Vec<String>, String> {
        let cli = Cli::try_parse_from(["composio-mcp"].iter().chain(args)).map_err(|e| e.to_string())?;
        select(&cli).map(|set| set.slugs().map(str::to_owned).collect())
    }

    #[test]
    fn tools_composio_marks_mcp_ignore_are_served_only_when_named() {
        let all = selected(&["--toolkit", "github", "--all", "--max-tools", "100"]).unwrap();
        assert!(!all.is_empty());
        assert!(!all.iter().any(|s| s == "GITHUB_MERGE_A_PULL_REQUEST"), "{all:?}");
        let read_only = selected(&["--toolkit", "github", "--tags", "readOnlyHint"]).unwrap();
        assert!(read_only.iter().any(|s| s == "GITHUB_GET_A_REPOSITORY"), "{read_only:?}");
        assert!(!read_only.iter().any(|s| s == "GITHUB_LIST_ORGANIZATION_REPOSITORIES"), "{read_only:?}");
        let named = selected(&["--toolkit", "github", "--tools", "merge_a_pull_request"]).unwrap();
        assert_eq!(named, ["GITHUB_MERGE_A_PULL_REQUEST"]);
    }

    #[test]
    fn slugs_are_found_in_any_case_with_or_without_the_prefix_across_toolkits() {
        let set = selected(&["--toolkit", "github,gmail", "--tools", "github_create_an_issue, FETCH_EMAILS"]).unwrap();
        assert_eq!(set, ["GITHUB_CREATE_AN_ISSUE", "GMAIL_FETCH_EMAILS"]);
    }
}
