//! Sessions (Composio's "tool router"): a per-user set of toolkits, tools and meta tools,
//! with an MCP URL, that an agent works in.
//!
//! `client.session("user-42").toolkits(["github"]).create().await?` opens one. Through the
//! [`Session`] run typed calls ([`Session::call`]), untyped ones ([`Session::execute`]) and
//! the meta tools ([`Session::execute_meta`], or the typed `toolkits::composio` module).
//!
//! Sessions run every toolkit on its `latest` version: the session routes take no version.
//! Typed calls of pinned bindings through a session therefore need the `latest` opt-in
//! (per call, or [`crate::ClientBuilder::allow_latest`]); `composio-codegen --diff` is what
//! tells whether the pinned types still match `latest`. Meta tools have no pinned version
//! to drift from and run without an opt-in.
//!
//! Neither API generation's reference has a route that deletes a session, so there is none here.

mod config;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use tracing::Instrument;

use crate::accounts::{AuthScheme, ConnectionRequest, ConnectionStatus};
use crate::client::{ApiPrefix, Client};
use crate::error::{Error, Result, ToolFailure};
use crate::execute::{Execution, LATEST, decode, execute_span};
use crate::retry::Kind;
use crate::tool::Tool;
use crate::transport::{Request, encode_segment};
use crate::wire;

use config::Options;
pub use config::{
    ManageConnections, ManageConnectionsState, MultiAccount, MultiAccountState, Preload, SandboxSize, SessionConfig,
    Tag, TagFilter, Toggle, Toggled, ToolFilter, ToolFilterState, Workbench, WorkbenchState,
};

/// The toolkit slug of the meta tools (`COMPOSIO_SEARCH_TOOLS`, …), which run through the
/// session's meta route.
pub const META_TOOLKIT: &str = "composio";

/// The largest page the session listings ask for; the platform caps `GET …/toolkits` at 50.
const PAGE_SIZE: &str = "50";

impl Client {
    /// Starts configuring a session for `user_id`; [`SessionBuilder::create`] opens it.
    pub fn session(&self, user_id: impl Into<String>) -> SessionBuilder<'_> {
        SessionBuilder { client: self, user_id: user_id.into(), options: Options::default() }
    }

    /// Reattaches to a session opened earlier (`GET …/tool_router/session/{id}`).
    pub async fn session_by_id(&self, id: &str) -> Result<Session> {
        if id.trim().is_empty() {
            return Err(Error::Config("a session id is `trs_…`, not empty".into()));
        }
        let url = self.api_url(&session_path(id, ""));
        let answer = self.session_request(Request::api(Method::GET, url), Kind::Read, "composio.session.get").await?;
        Session::from_answer(self, &answer.body, answer.status)
    }

    /// One request of the session routes, with this crate's retry rules and redaction.
    async fn session_request(&self, request: Request, kind: Kind, name: &'static str) -> Result<SessionAnswer> {
        let span = tracing::info_span!(
            "composio.session",
            call = name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let answer = self.send(&request, kind, None).instrument(span).await.map_err(|e| self.redact(e))?;
        Ok(SessionAnswer { status: answer.status, body: answer.body })
    }
}

struct SessionAnswer {
    status: u16,
    body: bytes::Bytes,
}

fn session_path(id: &str, rest: &str) -> String {
    format!("/tool_router/session/{}{rest}", encode_segment(id))
}

/// Writes are not repeated after an ambiguous failure: a second creation would open a second
/// session, a second update would bump the version twice, a second link would start a second
/// account. Only what cannot have reached the platform (a 429, a refused connection) is
/// retried, whatever the execute policy says.
const WRITE: Kind = Kind::Write { idempotent: false };

/// Configures a session; see [`Client::session`].
#[must_use = "a session is opened by `create().await`"]
pub struct SessionBuilder<'a> {
    client: &'a Client,
    user_id: String,
    options: Options,
}

/// The setters the builder and an update share: everything but the user.
macro_rules! option_setters {
    () => {
        /// Offers only these toolkits (`toolkits: {enable: […]}`).
        pub fn toolkits<I: IntoIterator<Item = S>, S: Into<String>>(mut self, toolkits: I) -> Self {
            self.options.toolkits = Some(Toggle::Enable(toolkits.into_iter().map(Into::into).collect()));
            self
        }

        /// Offers every toolkit but these (`toolkits: {disable: […]}`).
        pub fn disable_toolkits<I: IntoIterator<Item = S>, S: Into<String>>(mut self, toolkits: I) -> Self {
            self.options.toolkits = Some(Toggle::Disable(toolkits.into_iter().map(Into::into).collect()));
            self
        }

        /// Which tools of `toolkit` are offered.
        pub fn tools(mut self, toolkit: impl Into<String>, filter: ToolFilter) -> Self {
            self.options.tools.insert(toolkit.into(), filter);
            self
        }

        /// Tag filters over every toolkit.
        pub fn tags(mut self, tags: TagFilter) -> Self {
            self.options.tags = Some(tags);
            self
        }

        /// The auth config (`ac_…`) to use for `toolkit`.
        pub fn auth_config(mut self, toolkit: impl Into<String>, auth_config: impl Into<String>) -> Self {
            self.options.auth_configs.insert(toolkit.into(), auth_config.into());
            self
        }

        /// Adds a connected account (`ca_…`) to use for `toolkit`. v3 takes one per toolkit;
        /// v3.1 takes several in multi-account sessions.
        pub fn connected_account(mut self, toolkit: impl Into<String>, account: impl Into<String>) -> Self {
            self.options.connected_accounts.entry(toolkit.into()).or_default().push(account.into());
            self
        }

        /// How the agent may manage connections.
        pub fn manage_connections(mut self, manage: ManageConnections) -> Self {
            self.options.manage_connections = Some(manage);
            self
        }

        /// The remote workbench.
        pub fn workbench(mut self, workbench: Workbench) -> Self {
            self.options.workbench = Some(workbench);
            self
        }

        /// v3.1: several accounts per toolkit.
        pub fn multi_account(mut self, multi: MultiAccount) -> Self {
            self.options.multi_account = Some(multi);
            self
        }

        /// v3.1: tool schemas handed out up front.
        pub fn preload(mut self, preload: Preload) -> Self {
            self.options.preload = Some(preload);
            self
        }

        /// v3.1: whether the search route and meta tool are on.
        pub fn search(mut self, enable: bool) -> Self {
            self.options.search = Some(enable);
            self
        }

        /// v3.1: whether `COMPOSIO_MULTI_EXECUTE_TOOL` is offered (`execute.enable_multi_execute`).
        pub fn multi_execute(mut self, enable: bool) -> Self {
            self.options.multi_execute = Some(enable);
            self
        }
    };
}

impl<'a> SessionBuilder<'a> {
    option_setters!();

    /// Sends the callback URL for connections made in the session, keeping the rest of
    /// [`SessionBuilder::manage_connections`].
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.options.manage_connections.get_or_insert_with(ManageConnections::default).callback_url = Some(url.into());
        self
    }

    /// Opens the session (`POST …/tool_router/session`). Options the client's API prefix
    /// does not have are refused with [`Error::Config`] before anything is sent.
    pub async fn create(self) -> Result<Session> {
        let SessionBuilder { client, user_id, options } = self;
        let mut body = options.body(client.inner.prefix)?;
        body.insert("user_id".into(), Value::String(user_id));
        let request = Request::api(Method::POST, client.api_url("/tool_router/session")).json(encode(&body)?);
        let answer = client.session_request(request, WRITE, "composio.session.create").await?;
        Session::from_answer(client, &answer.body, answer.status)
    }
}

/// A change to a session's configuration (v3.1 `PATCH`); see [`Session::update`]. Only what
/// is set is sent; the rest stays as it is.
#[derive(Clone, Debug, Default)]
#[must_use = "an update does nothing until passed to `Session::update`"]
pub struct SessionUpdate {
    options: Options,
    expected_version: Option<u64>,
}

impl SessionUpdate {
    /// An empty update.
    pub fn new() -> Self {
        SessionUpdate::default()
    }

    option_setters!();

    /// Applies the update only if the session is still at this config version; otherwise
    /// the platform answers 409 and [`Session::update`] returns [`Error::SessionConflict`].
    /// Sent as `expected_config_version`, the field the official SDK uses.
    pub fn expected_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }
}

/// How to reach a session over MCP: the URL and the header to send. The header carries the
/// API key, so `Debug` redacts it; hand it to the MCP client only.
#[derive(Clone)]
pub struct McpServer {
    /// The transport, `http` (Streamable HTTP).
    pub kind: String,
    /// The endpoint.
    pub url: String,
    api_key: String,
}

impl McpServer {
    /// The headers an MCP client must send: `x-api-key` with the API key.
    pub fn headers(&self) -> [(&'static str, &str); 1] {
        [("x-api-key", self.api_key.as_str())]
    }
}

impl fmt::Debug for McpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpServer")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("headers", &[("x-api-key", "<redacted>")])
            .finish()
    }
}

/// A warning the platform attached to a session (`PRELOAD_TOOLS_HIGH_CONTEXT_USAGE`, …).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SessionWarning {
    /// The warning's code.
    #[serde(default)]
    pub code: String,
    /// What it says.
    #[serde(default)]
    pub message: String,
}

/// The session answer as sent; everything optional but the id, judged in `from_answer`.
#[derive(Deserialize)]
struct WireSession {
    session_id: Option<String>,
    #[serde(default)]
    mcp: Option<WireMcp>,
    #[serde(default)]
    tool_router_tools: Vec<String>,
    #[serde(default)]
    config: Option<SessionConfig>,
    #[serde(default)]
    config_version: Option<u64>,
    #[serde(default)]
    warnings: Vec<SessionWarning>,
}

#[derive(Deserialize)]
struct WireMcp {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    url: String,
}

/// An open session. Cheap to clone; the client inside shares its connection pool.
#[derive(Clone)]
pub struct Session {
    client: Client,
    id: String,
    mcp: Option<McpServer>,
    meta_tools: Vec<String>,
    config: SessionConfig,
    config_version: Option<u64>,
    warnings: Vec<SessionWarning>,
    raw: Value,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("mcp", &self.mcp)
            .field("meta_tools", &self.meta_tools)
            .field("config", &self.config)
            .field("config_version", &self.config_version)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Session {
    fn from_answer(client: &Client, body: &[u8], status: u16) -> Result<Session> {
        let raw = Value::Object(wire::json_object(status, body, None)?);
        let wire: WireSession = serde_json::from_value(raw.clone())
            .map_err(|e| wire::invalid(None, status, &format!("not a session: {e}"), body))?;
        let Some(id) = wire.session_id.filter(|id| !id.is_empty()) else {
            return Err(wire::invalid(None, status, "a session without a `session_id`", body));
        };
        let api_key = client.inner.api_key.to_str().unwrap_or_default().to_owned();
        let mcp = wire.mcp.map(|m| McpServer { kind: m.kind.unwrap_or_else(|| "http".into()), url: m.url, api_key });
        let config = wire.config.unwrap_or_default();
        // Tools run as the session's user; a client for that user keeps execute bodies and
        // uploads consistent with it.
        let client = match &config.user_id {
            Some(user) if user.as_str() != client.user_id() => client.for_user(user.clone()),
            _ => client.clone(),
        };
        Ok(Session {
            client,
            id,
            mcp,
            meta_tools: wire.tool_router_tools,
            config,
            config_version: wire.config_version,
            warnings: wire.warnings,
            raw,
        })
    }

    /// The session id, `trs_…`; [`Client::session_by_id`] reattaches to it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The user the session acts for.
    pub fn user_id(&self) -> &str {
        self.config.user_id.as_deref().unwrap_or(self.client.user_id())
    }

    /// The MCP endpoint, when the platform sent one.
    pub fn mcp(&self) -> Option<&McpServer> {
        self.mcp.as_ref()
    }

    /// The meta tools the session offers (`COMPOSIO_SEARCH_TOOLS`, …).
    pub fn meta_tools(&self) -> &[String] {
        &self.meta_tools
    }

    /// The configuration as the platform reported it last.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The config version (v3.1; incremented by every update). `None` on v3.
    pub fn config_version(&self) -> Option<u64> {
        self.config_version
    }

    /// Warnings the platform attached.
    pub fn warnings(&self) -> &[SessionWarning] {
        &self.warnings
    }

    /// The whole last answer, for fields this crate does not type.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The client the session's requests go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Reads the session again, picking up changes made elsewhere.
    pub async fn refresh(&mut self) -> Result<()> {
        *self = self.client.session_by_id(&self.id).await?;
        Ok(())
    }

    /// Changes the configuration (v3.1 `PATCH`), and this session with it. A 409 (the session
    /// changed since [`SessionUpdate::expected_version`]) is [`Error::SessionConflict`] and
    /// is never retried: read the session again and decide.
    pub async fn update(&mut self, update: SessionUpdate) -> Result<()> {
        let prefix = self.client.inner.prefix;
        if prefix != ApiPrefix::V3_1 {
            return Err(Error::Config("updating a session needs the v3.1 API: use ApiPrefix::V3_1".into()));
        }
        let mut body = update.options.body(prefix)?;
        if let Some(version) = update.expected_version {
            body.insert("expected_config_version".into(), json!(version));
        }
        let url = self.client.api_url(&session_path(&self.id, ""));
        let request = Request::api(Method::PATCH, url).json(encode(&body)?);
        let answer = match self.client.session_request(request, WRITE, "composio.session.update").await {
            Err(Error::Api(error)) if error.status == 409 => {
                return Err(Error::SessionConflict { session_id: self.id.clone(), error });
            }
            other => other?,
        };
        let client = self.client.clone();
        *self = Session::from_answer(&client, &answer.body, answer.status)?;
        Ok(())
    }

    /// Every toolkit of the session with its connection state, following every page.
    pub async fn toolkits(&self) -> Result<Vec<SessionToolkit>> {
        self.toolkits_where(&[]).await
    }

    /// The session's toolkits that have an active connection.
    pub async fn connected_toolkits(&self) -> Result<Vec<SessionToolkit>> {
        self.toolkits_where(&[("is_connected", "true")]).await
    }

    async fn toolkits_where(&self, filter: &[(&str, &str)]) -> Result<Vec<SessionToolkit>> {
        let items = self.all_pages("/toolkits", filter, "composio.session.toolkits").await?;
        items
            .into_iter()
            .map(|item| {
                serde_json::from_value(item).map_err(|e| Error::InvalidResponse {
                    slug: None,
                    status: 200,
                    message: format!("a session toolkit that does not read: {e}"),
                    body: String::new(),
                })
            })
            .collect()
    }

    /// The session's tool definitions (meta tools included), following every page: their
    /// schemas as the session runs them, on `latest`.
    pub async fn tools(&self) -> Result<Vec<SessionTool>> {
        let items = self.all_pages("/tools", &[], "composio.session.tools").await?;
        Ok(items.into_iter().map(SessionTool::from_json).collect())
    }

    async fn all_pages(&self, route: &str, filter: &[(&str, &str)], name: &'static str) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let base = self.client.api_url(&session_path(&self.id, route));
            let mut url = Url::parse(&base).map_err(|e| Error::Config(format!("URL for {route}: {e}")))?;
            {
                let mut pairs = url.query_pairs_mut();
                pairs.append_pair("limit", PAGE_SIZE);
                pairs.extend_pairs(filter);
                if let Some(cursor) = &cursor {
                    pairs.append_pair("cursor", cursor);
                }
            }
            let answer = self.client.session_request(Request::api(Method::GET, url.into()), Kind::Read, name).await?;
            let mut page = wire::json_object(answer.status, &answer.body, None)?;
            match page.remove("items") {
                Some(Value::Array(page_items)) => items.extend(page_items),
                _ => return Err(wire::invalid(None, answer.status, "a page without an `items` array", &answer.body)),
            }
            match page.get("next_cursor").and_then(Value::as_str).filter(|c| !c.is_empty()) {
                // A cursor that comes back would loop forever: the listing is broken.
                Some(next) if !seen.insert(next.to_owned()) => {
                    return Err(wire::invalid(None, answer.status, &format!("repeated cursor `{next}`"), b""));
                }
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(items),
            }
        }
    }

    /// Starts connecting the session's user to `toolkit` through a Connect Link
    /// (`POST …/session/{id}/link`), with the session's auth config for it, or the
    /// toolkit's. Send the user to the request's `redirect_url`, then `wait` for the account.
    /// The platform refuses (400) when the session already names an account for the toolkit,
    /// and answers 404 when the toolkit has no auth config.
    pub fn authorize(&self, toolkit: impl Into<String>) -> SessionAuthorize<'_> {
        SessionAuthorize { session: self, toolkit: toolkit.into(), callback_url: None, alias: None }
    }

    /// Prepares an untyped call of any tool the session allows (`POST …/execute`).
    pub fn execute(&self, slug: impl Into<String>, arguments: Value) -> SessionExecute<'_> {
        SessionExecute { session: self, slug: slug.into(), arguments, meta: false, account: None, retry_safe: false }
    }

    /// Prepares an untyped call of a meta tool (`POST …/execute_meta`), such as
    /// `COMPOSIO_SEARCH_TOOLS`.
    pub fn execute_meta(&self, slug: impl Into<String>, arguments: Value) -> SessionExecute<'_> {
        SessionExecute { session: self, slug: slug.into(), arguments, meta: true, account: None, retry_safe: false }
    }

    /// Prepares a typed call through the session: the same input, output and errors as
    /// [`Client::call`]. Meta tools (toolkit `composio`) go through the meta route, the rest
    /// through the session's execute route, on `latest` (see the module docs).
    pub fn call<T: Tool>(&self, input: T) -> SessionCall<'_, T> {
        SessionCall { session: self, input, account: None, allow_latest: false, skip_validation: false }
    }

    /// The one request of a session execution.
    async fn run(
        &self,
        slug: &str,
        meta: bool,
        arguments: &RawValue,
        account: Option<&str>,
        retry_safe: bool,
    ) -> Result<RawRun> {
        if account.is_some() && self.client.inner.prefix != ApiPrefix::V3_1 {
            return Err(Error::Config("choosing the account of a session call needs the v3.1 API".into()));
        }
        let (route, body) = if meta {
            ("/execute_meta", serde_json::to_vec(&MetaBody { slug, arguments }))
        } else {
            ("/execute", serde_json::to_vec(&ExecuteBody { tool_slug: slug, arguments, account }))
        };
        let body = body.map_err(|e| Error::Encode { slug: slug.to_owned(), message: e.to_string() })?;
        let url = self.client.api_url(&session_path(&self.id, route));
        let request = Request::api(Method::POST, url).json(body);
        let answer = self.client.send(&request, Kind::Execute { retry_safe }, Some(slug)).await?;
        let envelope = wire::envelope(answer.status, &answer.body, slug)?;
        if let Some(log_id) = &envelope.log_id {
            tracing::Span::current().record("log_id", log_id.as_str());
        }
        if !envelope.successful {
            return Err(Error::ToolFailed(ToolFailure {
                slug: slug.to_owned(),
                message: envelope.error.unwrap_or_else(|| "the tool reported failure without a message".into()),
                log_id: envelope.log_id,
                data: serde_json::from_str(envelope.data.get()).unwrap_or(Value::Null),
            }));
        }
        Ok(RawRun { data: envelope.data, log_id: envelope.log_id, attempts: answer.attempts })
    }
}

struct RawRun {
    data: Box<RawValue>,
    log_id: Option<String>,
    attempts: u32,
}

#[derive(serde::Serialize)]
struct ExecuteBody<'a> {
    tool_slug: &'a str,
    arguments: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct MetaBody<'a> {
    slug: &'a str,
    arguments: &'a RawValue,
}

fn encode(body: &Map<String, Value>) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::Encode { slug: "session".into(), message: e.to_string() })
}

/// The version a session execution reports. The session routes take no version and their
/// answers name none; sessions run `latest`.
fn session_version() -> String {
    LATEST.to_owned()
}

/// An untyped call through a session: JSON arguments in, JSON `data` out.
#[must_use = "a call does nothing until it is awaited"]
pub struct SessionExecute<'a> {
    session: &'a Session,
    slug: String,
    arguments: Value,
    meta: bool,
    account: Option<String>,
    retry_safe: bool,
}

impl<'a> SessionExecute<'a> {
    /// v3.1: runs through this connected account (an id or an alias).
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Declares that running the tool twice is harmless, so ambiguous failures may be
    /// retried. Off by default.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = safe;
        self
    }

    /// Sends the call; the `data` with the execution's details. `version` is `latest`.
    pub async fn send_with_details(self) -> Result<Execution<Value>> {
        let SessionExecute { session, slug, arguments, meta, account, retry_safe } = self;
        let span = execute_span(&slug);
        span.record("version", LATEST);
        async {
            let arguments = serde_json::value::to_raw_value(&arguments)
                .map_err(|e| Error::Encode { slug: slug.clone(), message: e.to_string() })?;
            let raw = session.run(&slug, meta, &arguments, account.as_deref(), retry_safe).await?;
            let data = serde_json::from_str(raw.data.get()).map_err(|e| Error::InvalidResponse {
                slug: Some(slug.clone()),
                status: 200,
                message: format!("`data` is not JSON: {e}"),
                body: String::new(),
            })?;
            Ok(Execution { data, log_id: raw.log_id, version: session_version(), attempts: raw.attempts })
        }
        .instrument(span)
        .await
        .map_err(|e| session.client.redact(e))
    }

    /// Sends the call; the `data`.
    pub async fn send(self) -> Result<Value> {
        self.send_with_details().await.map(|e| e.data)
    }
}

impl<'a> IntoFuture for SessionExecute<'a> {
    type Output = Result<Value>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A typed call through a session; `.await` it, or adjust it first.
#[must_use = "a call does nothing until it is awaited"]
pub struct SessionCall<'a, T: Tool> {
    session: &'a Session,
    input: T,
    account: Option<String>,
    allow_latest: bool,
    skip_validation: bool,
}

impl<'a, T: Tool> SessionCall<'a, T> {
    /// v3.1: runs through this connected account (an id or an alias).
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Allows this call to run on `latest`, which every session call does: the types were
    /// generated for [`crate::ToolMeta::version`]. Not needed for meta tools.
    pub fn allow_latest(mut self) -> Self {
        self.allow_latest = true;
        self
    }

    /// Sends the arguments without checking them against the schema's constraints first
    /// (see [`crate::validate`]); the server still checks them.
    pub fn skip_validation(mut self) -> Self {
        self.skip_validation = true;
        self
    }

    /// Sends the call; the typed output with the execution's details. `version` is `latest`.
    pub async fn send_with_details(self) -> Result<Execution<T::Output>> {
        self.send_decoding(decode::<T::Output>).await
    }

    /// Sends the call; the `data` as JSON, not decoded into the typed output (for a model).
    pub async fn send_json(self) -> Result<Execution<Value>> {
        self.send_decoding(decode::<Value>).await
    }

    async fn send_decoding<O>(self, decode: fn(&str, &RawValue) -> Result<O>) -> Result<Execution<O>> {
        let SessionCall { session, mut input, account, allow_latest, skip_validation } = self;
        let meta = T::META;
        let span = execute_span(meta.slug);
        span.record("version", LATEST);
        let client = &session.client;
        async move {
            let is_meta = meta.toolkit.eq_ignore_ascii_case(META_TOOLKIT);
            if !(is_meta || allow_latest || client.inner.allow_latest) {
                return Err(Error::VersionRefused { slug: meta.slug.to_owned(), toolkit: meta.toolkit.to_owned() });
            }
            let arguments = client.prepared_arguments(meta, &mut input, !skip_validation).await?;
            let raw = session.run(meta.slug, is_meta, &arguments, account.as_deref(), meta.is_retry_safe()).await?;
            Ok(Execution {
                data: decode(meta.slug, &raw.data)?,
                log_id: raw.log_id,
                version: session_version(),
                attempts: raw.attempts,
            })
        }
        .instrument(span)
        .await
        .map_err(|e| client.redact(e))
    }

    /// Sends the call; the typed output.
    pub async fn send(self) -> Result<T::Output> {
        self.send_with_details().await.map(|e| e.data)
    }
}

impl<'a, T: Tool> IntoFuture for SessionCall<'a, T> {
    type Output = Result<T::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T::Output>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A Connect Link for a toolkit of a session; `.await` it for the [`ConnectionRequest`].
#[must_use = "nothing is sent until it is awaited"]
pub struct SessionAuthorize<'a> {
    session: &'a Session,
    toolkit: String,
    callback_url: Option<String>,
    alias: Option<String>,
}

impl<'a> SessionAuthorize<'a> {
    /// Where Composio sends the user after the login, with `status` and
    /// `connected_account_id` appended.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// v3.1: a name for the new account, unique per user and toolkit.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Creates the link.
    pub async fn send(self) -> Result<ConnectionRequest> {
        let SessionAuthorize { session, toolkit, callback_url, alias } = self;
        let client = &session.client;
        if alias.is_some() && client.inner.prefix != ApiPrefix::V3_1 {
            return Err(Error::Config("an alias for a session's connection needs the v3.1 API".into()));
        }
        let mut body = Map::new();
        body.insert("toolkit".into(), Value::String(toolkit));
        if let Some(url) = callback_url {
            body.insert("callback_url".into(), Value::String(url));
        }
        if let Some(alias) = alias {
            body.insert("alias".into(), Value::String(alias));
        }
        let url = client.api_url(&session_path(&session.id, "/link"));
        let request = Request::api(Method::POST, url).json(encode(&body)?);
        let answer = client.session_request(request, WRITE, "composio.session.link").await?;
        let link: WireLink = serde_json::from_slice(&answer.body)
            .map_err(|e| wire::invalid(None, answer.status, &format!("not a link: {e}"), &answer.body))?;
        Ok(ConnectionRequest::new(client, link.connected_account_id, link.redirect_url, link.expires_at))
    }
}

impl<'a> IntoFuture for SessionAuthorize<'a> {
    type Output = Result<ConnectionRequest>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ConnectionRequest>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The link answer; `expires_at` is not documented for the session route but read if sent.
#[derive(Deserialize)]
struct WireLink {
    connected_account_id: String,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    expires_at: Option<String>,
}

/// The auth config behind a session toolkit's connection.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SessionAuthConfig {
    /// `ac_…`.
    pub id: String,
    /// Its scheme.
    #[serde(default)]
    pub auth_scheme: Option<AuthScheme>,
    /// Whether Composio manages it.
    #[serde(default)]
    pub is_composio_managed: Option<bool>,
}

/// The connected account a session uses for a toolkit.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SessionConnection {
    /// `ca_…`.
    pub id: String,
    /// Its user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Where the connection stands.
    #[serde(default)]
    pub status: ConnectionStatus,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Its auth config.
    #[serde(default)]
    pub auth_config: Option<SessionAuthConfig>,
}

impl SessionConnection {
    /// Whether the account can be used now.
    pub fn is_active(&self) -> bool {
        self.status == ConnectionStatus::Active
    }
}

/// A toolkit of a session and its connection state.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SessionToolkit {
    /// `github`.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Whether the session offers it.
    #[serde(default)]
    pub enabled: bool,
    /// Whether it needs no connection at all.
    #[serde(default)]
    pub is_no_auth: bool,
    /// Auth schemes Composio can manage for it.
    #[serde(default)]
    pub composio_managed_auth_schemes: Vec<String>,
    /// The account the session uses, if one is connected.
    #[serde(default)]
    pub connected_account: Option<SessionConnection>,
}

impl SessionToolkit {
    /// Whether the toolkit can run now: it needs no auth, or its account is active.
    pub fn is_ready(&self) -> bool {
        self.is_no_auth || self.connected_account.as_ref().is_some_and(SessionConnection::is_active)
    }
}

/// A tool definition as a session serves it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SessionTool {
    /// `GITHUB_CREATE_AN_ISSUE`.
    pub slug: String,
    /// The toolkit's slug.
    pub toolkit: Option<String>,
    /// The concrete version the session serves it at.
    pub version: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// The whole definition, schemas included.
    pub raw: Value,
}

impl SessionTool {
    fn from_json(raw: Value) -> SessionTool {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        SessionTool {
            slug: text(raw.get("slug")).unwrap_or_default(),
            toolkit: text(raw.get("toolkit").and_then(|t| t.get("slug"))),
            version: text(raw.get("version")),
            tags: raw
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            raw,
        }
    }

    /// The input schema.
    pub fn input_parameters(&self) -> Option<&Value> {
        self.raw.get("input_parameters")
    }
}
