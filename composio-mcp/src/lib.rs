#![doc = include_str!("../README.md")]

mod names;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use composio_typed::Client;
use composio_typed::ToolMeta;
use composio_typed::agents::{Arguments, Executor, FormatError, Outcome, Prepared, Provider, Strictness, ToolSet};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};

pub use names::Naming;

/// The path the streamable HTTP transport answers on.
pub const HTTP_PATH: &str = "/mcp";

/// An MCP server over a [`ToolSet`]: `tools/list` gives the set's tools, `tools/call` runs them
/// through the typed dispatch, so a call's arguments are checked against the tool's Rust input
/// type before anything is sent to Composio.
///
/// Cheap to clone: every clone shares one prepared set and one client (the HTTP transport
/// makes a handler per session).
#[derive(Clone)]
pub struct McpServer {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    prepared: Prepared,
    /// One per definition, in the same order.
    tools: Vec<Tool>,
    /// Served name, definition name and slug, each to its index in `tools`.
    by_name: HashMap<String, usize>,
    client: Client,
    user_id: Option<String>,
    connected_account: Option<String>,
}

impl fmt::Debug for McpServer {
    // The client is left out: it holds the API key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpServer")
            .field("name", &self.inner.name)
            .field("tools", &self.inner.tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>())
            .field("user_id", &self.inner.user_id)
            .finish_non_exhaustive()
    }
}

/// Builds an [`McpServer`]; see [`McpServer::builder`].
#[must_use]
pub struct McpServerBuilder {
    tools: ToolSet,
    client: Client,
    name: String,
    naming: Naming,
    user_id: Option<String>,
    connected_account: Option<String>,
}

impl fmt::Debug for McpServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpServerBuilder")
            .field("tools", &self.tools.slugs().collect::<Vec<_>>())
            .field("name", &self.name)
            .field("naming", &self.naming)
            .finish_non_exhaustive()
    }
}

/// Why a server could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The set has no tools.
    #[error("the tool set is empty: select at least one tool")]
    NoTools,
    /// No tool of the set has a schema MCP clients accept.
    #[error("no tool of the set can be served: {}", list(.0))]
    AllRejected(Vec<FormatError>),
}

fn list(errors: &[FormatError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl McpServerBuilder {
    /// The server's name, as clients show it (`github`). Claude Code prefixes each tool with
    /// `mcp__<name>__`, so the name also sets how long tool names may be under
    /// [`Naming::Short`]. Defaults to `composio`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// How tools are named; [`Naming::Short`] by default.
    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = naming;
        self
    }

    /// The user the calls run for, when the client has none or another.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The connected account the calls use.
    pub fn connected_account(mut self, account: impl Into<String>) -> Self {
        self.connected_account = Some(account.into());
        self
    }

    /// Prepares the set's definitions. Tools whose schema cannot be served are left out and
    /// logged (see [`McpServer::rejected`]); a set with nothing left to serve is an error.
    pub fn build(self) -> Result<McpServer, BuildError> {
        if self.tools.is_empty() {
            return Err(BuildError::NoTools);
        }
        let prepared = self.tools.prepare(Provider::Mcp, Strictness::Lenient);
        if prepared.definitions().is_empty() {
            return Err(BuildError::AllRejected(prepared.rejected().to_vec()));
        }
        for rejected in prepared.rejected() {
            tracing::warn!(tool = %rejected.tool, reason = %rejected.rule, "tool left out");
        }
        let slugs: Vec<&str> = prepared.definitions().iter().map(|d| d.slug()).collect();
        let served = names::served_names(&slugs, &self.name, self.naming);
        let mut tools = Vec::with_capacity(served.len());
        let mut by_name = HashMap::new();
        for (index, (definition, name)) in prepared.definitions().iter().zip(served).enumerate() {
            let json = definition.json();
            let schema: JsonObject = json.get("inputSchema").and_then(Value::as_object).cloned().unwrap_or_default();
            let description = json.get("description").and_then(Value::as_str).map(|d| Cow::Owned(d.to_owned()));
            let mut tool = Tool::new_with_raw(name.clone(), description, Arc::new(schema));
            if let Some(meta) = prepared.meta(definition.name()) {
                tool = tool.with_title(meta.name).with_annotations(annotations(meta));
            } else if prepared.is_read_only(definition.name()) {
                tool = tool.with_annotations(ToolAnnotations::new().read_only(true));
            }
            // The served name first: a slug or a definition name never shadows another tool's
            // served name.
            by_name.insert(name, index);
            by_name.entry(definition.name().to_owned()).or_insert(index);
            by_name.entry(definition.slug().to_owned()).or_insert(index);
            tools.push(tool);
        }
        Ok(McpServer {
            inner: Arc::new(Inner {
                name: self.name,
                prepared,
                tools,
                by_name,
                client: self.client,
                user_id: self.user_id,
                connected_account: self.connected_account,
            }),
        })
    }
}

/// The MCP hints Composio publishes as tags under the same names. A hint the tool does not
/// carry is left unset, so the protocol's defaults apply (not read-only, possibly destructive,
/// not idempotent, open world): absence of a tag is not a promise.
fn annotations(meta: &ToolMeta) -> ToolAnnotations {
    let hint = |tag: &str| meta.has_tag(tag).then_some(true);
    ToolAnnotations::from_raw(
        None,
        hint("readOnlyHint"),
        hint("destructiveHint"),
        hint("idempotentHint"),
        hint("openWorldHint"),
    )
}

impl McpServer {
    /// A server for `tools`, whose calls run through `client`.
    pub fn builder(tools: ToolSet, client: Client) -> McpServerBuilder {
        McpServerBuilder {
            tools,
            client,
            name: "composio".to_owned(),
            naming: Naming::default(),
            user_id: None,
            connected_account: None,
        }
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The tools `tools/list` answers with.
    pub fn tools(&self) -> &[Tool] {
        &self.inner.tools
    }

    /// The tools of the set left out, each with the rule its schema cannot meet.
    pub fn rejected(&self) -> &[FormatError] {
        self.inner.prepared.rejected()
    }

    /// Runs one `tools/call`. An unknown name is the only protocol error; bad arguments and
    /// failed runs are results with `isError: true`, which the model reads and can correct.
    pub async fn call(&self, name: &str, arguments: Option<JsonObject>) -> Result<CallToolResult, ErrorData> {
        let inner = &*self.inner;
        let Some(&index) = inner.by_name.get(name) else {
            return Err(unknown_tool(name, &inner.tools));
        };
        let definition = &inner.prepared.definitions()[index];
        let mut executor = Executor::client(&inner.client);
        if let Some(user_id) = &inner.user_id {
            executor = executor.user_id(user_id);
        }
        if let Some(account) = &inner.connected_account {
            executor = executor.connected_account(account);
        }
        let arguments = Arguments::Json(arguments.map_or(Value::Null, Value::Object));
        let outcome = inner.prepared.call(executor, definition.name(), arguments).await;
        match &outcome {
            Outcome::Success { log_id, .. } => {
                tracing::info!(tool = definition.slug(), log_id = log_id.as_deref(), "tool ran");
            }
            Outcome::InvalidArguments(error) => {
                tracing::info!(tool = definition.slug(), %error, "arguments rejected, nothing sent");
            }
            Outcome::Failed(error) => tracing::warn!(tool = definition.slug(), %error, "tool failed"),
        }
        Ok(result_of(&outcome))
    }

    /// Serves MCP over standard input and output until the client closes them. Standard
    /// output belongs to the protocol: log to standard error only.
    pub async fn serve_stdio(self) -> std::io::Result<()> {
        self.serve_transport(rmcp::transport::stdio()).await
    }

    /// Serves MCP over any byte stream pair (a socket, a pipe, [`tokio::io::duplex`]), until
    /// the peer closes it.
    pub async fn serve_transport<R, W>(self, transport: (R, W)) -> std::io::Result<()>
    where
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
        W: tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let running = self.serve(transport).await.map_err(std::io::Error::other)?;
        running.waiting().await.map_err(std::io::Error::other)?;
        Ok(())
    }

    /// The streamable HTTP transport as a tower service, to mount at [`HTTP_PATH`] in an
    /// existing router. `allowed_hosts` are the `Host` values accepted besides loopback
    /// (DNS-rebinding protection).
    pub fn http_service(&self, allowed_hosts: &[String]) -> StreamableHttpService<McpServer, LocalSessionManager> {
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(str::to_owned).to_vec();
        hosts.extend(allowed_hosts.iter().cloned());
        let config = StreamableHttpServerConfig::default().with_allowed_hosts(hosts);
        let server = self.clone();
        StreamableHttpService::new(move || Ok(server.clone()), Arc::default(), config)
    }

    /// Serves MCP over streamable HTTP at `http://<listener>/mcp` until `shutdown` completes.
    /// Sessions still open then are ended, rather than waited for: a client keeps its event
    /// stream open for as long as it runs.
    pub async fn serve_http(
        self,
        listener: tokio::net::TcpListener,
        allowed_hosts: &[String],
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let address: Option<SocketAddr> = listener.local_addr().ok();
        let service = self.http_service(allowed_hosts);
        let sessions = service.config.cancellation_token.clone();
        let router = axum::Router::new().nest_service(HTTP_PATH, service);
        if let Some(address) = address {
            tracing::info!(url = %format!("http://{address}{HTTP_PATH}"), "serving MCP over streamable HTTP");
        }
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                sessions.cancel();
            })
            .await
    }
}

/// An unknown tool is a protocol error under the 2025-11-25 specification (its example answers
/// `-32602` "Unknown tool"), unlike bad arguments: no tool ran or could run. The data lists the
/// names the server does offer, so a client can show them.
fn unknown_tool(name: &str, tools: &[Tool]) -> ErrorData {
    let offered: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    ErrorData::invalid_params(format!("Unknown tool: {name}"), Some(json!({ "tools": offered })))
}

/// A call's outcome as a tool result. Success carries the `data` as structured content
/// (`{"output": data}`, an object whatever the data is, as structured content must be) and the
/// same JSON as text, for clients that read only text. Failures are `isError` results with
/// text that names the problem (the JSON path of a bad argument, or the tool's error).
fn result_of(outcome: &Outcome) -> CallToolResult {
    if outcome.is_error() {
        return CallToolResult::error(vec![ContentBlock::text(outcome.text())]);
    }
    let structured = outcome.json();
    let mut result = CallToolResult::success(vec![ContentBlock::text(structured.to_string())]);
    result.structured_content = Some(structured);
    result
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        // Without the tools capability rmcp answers `tools/list` with method_not_found.
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new(self.inner.name.clone(), env!("CARGO_PKG_VERSION"))
                    .with_title(format!("Composio tools ({})", self.inner.name)),
            )
            .with_instructions(
                "Composio tools. Arguments are checked against each tool's input schema before \
                 anything is sent; an error result names the path of each wrong argument, so \
                 correct it and call again.",
            )
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        // One page: a server serves tens of tools at most, so it issues no cursor, and one it
        // never issued is invalid params, as the specification's pagination section asks.
        if let Some(cursor) = request.and_then(|r| r.cursor) {
            return Err(ErrorData::invalid_params(format!("unknown cursor `{cursor}`: tools/list has one page"), None));
        }
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.call(&request.name, request.arguments).await.map(CallToolResponse::from)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.by_name.get(name).map(|&index| self.inner.tools[index].clone())
    }
}
