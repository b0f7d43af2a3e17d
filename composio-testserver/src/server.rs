//! The running server: builder, accept loop and per-connection handling.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::catalog::{Catalog, CatalogInput};
use crate::fault::{ActiveRule, FaultRule};
use crate::state::{State, lock};
use crate::util::percent_encode_path;
use crate::{ChatReply, ExecuteReply, ExecuteRequest, ExecutionSpan, RecordedRequest, Route};

/// Serves one TCP connection until it ends or a handler asks for it to be dropped.
async fn serve_connection(stream: TcpStream, state: Arc<State>) {
    // A handler that must close the socket without answering (DropConnection, the end of
    // TruncatedBody) notifies this; dropping the hyper connection future closes the socket
    // without writing anything more.
    let abort = Arc::new(Notify::new());
    let service = {
        let abort = abort.clone();
        service_fn(move |req| {
            let state = state.clone();
            let abort = abort.clone();
            async move { Ok::<_, Infallible>(crate::routes::handle(state, abort, req).await) }
        })
    };
    let conn = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        _ = abort.notified() => {}
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_connection(stream, state.clone()));
                }
                // Out of file descriptors and the like: back off rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    conns.shutdown().await;
}

/// A running Composio test server, bound to `127.0.0.1` on a free port.
///
/// Dropping it stops the server (open connections are closed); [`TestServer::shutdown`]
/// does the same and waits until the port is closed.
pub struct TestServer {
    state: Arc<State>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer").field("base_url", &self.state.base_url).finish_non_exhaustive()
    }
}

impl TestServer {
    /// A builder with the defaults: API key `test-api-key`, no tools, default version
    /// `20251027_00`, no faults.
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash or `/api` prefix.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `base_url()` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.state.base_url, path)
    }

    /// The API key every `/api` request must carry in `x-api-key`.
    pub fn api_key(&self) -> &str {
        &self.state.api_key
    }

    /// Every request received so far, in order, including those answered by a fault, by an
    /// auth error or with a 404.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.log).clone()
    }

    /// The requests received so far on one route, in order.
    pub fn requests_for(&self, route: Route) -> Vec<RecordedRequest> {
        lock(&self.state.log).iter().filter(|r| r.route == Some(route)).cloned().collect()
    }

    /// How many requests matched `route` so far (faulted, refused and failed ones included).
    /// Exact: a request is recorded before any answer is written.
    pub fn count(&self, route: Route) -> usize {
        lock(&self.state.log).iter().filter(|r| r.route == Some(route)).count()
    }

    /// Forgets the recorded requests (and so resets [`TestServer::count`]) and the execution
    /// spans. Fault rule counters are not reset.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
        lock(&self.state.executions).clear();
    }

    /// Sets the answers of the scripted chat model on `POST /v1/chat/completions`, replacing
    /// any earlier script: a request carrying `n` assistant messages gets `replies[n]` (so the
    /// first request gets the first reply), and a request past the end of the script a 400.
    /// The request must carry `Authorization: Bearer <api_key()>`.
    pub fn script_chat(&self, replies: impl IntoIterator<Item = ChatReply>) {
        *lock(&self.state.chat_script) = replies.into_iter().collect();
    }

    /// Every tool execution so far (`/tools/execute/…`, a session's `execute` and
    /// `execute_meta`), in the order they arrived, with the logical ticks of their start and
    /// end: [`ExecutionSpan::overlaps`] tells calls that ran side by side.
    pub fn execution_spans(&self) -> Vec<ExecutionSpan> {
        lock(&self.state.executions).spans()
    }

    /// From now on, executions of `slugs` (case-insensitive) wait until `until` of them are
    /// waiting together, then all go on; one that waits longer than `patience` goes on alone.
    /// A client that sends the calls side by side passes at once, one that sends them one at a
    /// time waits out the patience and shows no overlap in [`TestServer::execution_spans`].
    /// Replaces any earlier hold.
    pub fn hold_executions(&self, slugs: &[&str], until: usize, patience: Duration) {
        lock(&self.state.executions).set_hold(slugs, until, patience);
    }

    /// Adds a fault rule, after those already present.
    pub fn fault(&self, rule: FaultRule) {
        lock(&self.state.faults).push(ActiveRule::new(rule));
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Sets how execute requests for `slug` (case-insensitive) are answered once their
    /// arguments validated, replacing any earlier responder for it. Without one a tool
    /// answers success with `data: {}`. A responder that panics yields a 500.
    pub fn respond(&self, slug: &str, responder: impl Fn(&ExecuteRequest) -> ExecuteReply + Send + Sync + 'static) {
        self.state
            .responders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(slug.to_uppercase(), Arc::new(responder));
    }

    /// Serves `bytes` at a URL on this server and returns the URL (for `s3url` fields of
    /// `file_downloadable` outputs). Registering a key again replaces its bytes.
    pub fn register_download(&self, key: &str, bytes: Vec<u8>) -> String {
        lock(&self.state.files).downloads.insert(key.to_string(), bytes);
        format!("{}/_s3/download/{}", self.state.base_url, percent_encode_path(key))
    }

    /// The bytes PUT to the presigned upload URL of `key` (the `key` field of the
    /// `/files/upload/request` answer), if any.
    pub fn uploaded(&self, key: &str) -> Option<Vec<u8>> {
        lock(&self.state.files).uploaded.get(key).cloned()
    }

    /// Stops accepting, closes every open connection and waits until that is done; later
    /// requests get "connection refused".
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            // Aborting drops the listener and the set of connection tasks, which aborts them.
            task.abort();
        }
    }
}

/// Configures a [`TestServer`].
#[derive(Debug)]
pub struct Builder {
    api_key: String,
    tools: Vec<Value>,
    default_version: String,
    extra_versions: Vec<(String, Vec<String>)>,
    toolkits: Vec<Value>,
    toolkit_files: Vec<PathBuf>,
    faults: Vec<FaultRule>,
    link_lifetime: Duration,
    trigger_types: Vec<Value>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            api_key: "test-api-key".into(),
            tools: Vec::new(),
            default_version: "20251027_00".into(),
            extra_versions: Vec::new(),
            toolkits: Vec::new(),
            toolkit_files: Vec::new(),
            faults: Vec::new(),
            link_lifetime: crate::accounts::LINK_LIFETIME,
            trigger_types: Vec::new(),
        }
    }
}

impl Builder {
    /// The API key to require (default `test-api-key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Adds Composio Tool objects (each one version of one tool). A tool without `version`
    /// gets the default version; one without `toolkit` gets the toolkit its slug prefix
    /// names. Can be called several times.
    ///
    /// `start` panics on a tool that is not an object with a string `slug`.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Value>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// The version given to tools that carry no `version` field (default `20251027_00`).
    pub fn default_version(mut self, v: impl Into<String>) -> Self {
        self.default_version = v.into();
        self
    }

    /// Extra versions `toolkit` reports in `meta.available_versions` besides those of its
    /// tools (the list is merged and sorted newest first). They are real snapshot versions:
    /// asking for one gives each tool's newest version not newer than it.
    pub fn toolkit_versions(mut self, toolkit: &str, versions: &[&str]) -> Self {
        self.extra_versions.push((toolkit.to_string(), versions.iter().map(|v| v.to_string()).collect()));
        self
    }

    /// Adds toolkit objects (as in `GET /toolkits` items: `slug`, `name`, `meta`, …). They are
    /// served by the toolkit routes, completed with versions and counts, and their slugs
    /// join the known toolkits used to derive a tool's toolkit from its slug.
    ///
    /// `start` panics on a toolkit without a string `slug`.
    pub fn toolkits(mut self, toolkits: impl IntoIterator<Item = Value>) -> Self {
        self.toolkits.extend(toolkits);
        self
    }

    /// Like [`Builder::toolkits`] with the items of a JSON file (an array of toolkits, or an
    /// object with an `items` array, e.g. the corpus `toolkits.json`), read by `start`.
    ///
    /// `start` panics if the file cannot be read or parsed.
    pub fn toolkits_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.toolkit_files.push(path.into());
        self
    }

    /// Adds a fault rule, active from the first request.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// How long a Connect Link stays valid (10 minutes by default, as on the platform); an
    /// account whose link runs out becomes `EXPIRED`.
    pub fn link_lifetime(mut self, lifetime: Duration) -> Self {
        self.link_lifetime = lifetime;
        self
    }

    /// Trigger type definitions to serve on `GET /triggers_types`, as the API shapes them
    /// (`slug`, `toolkit.slug`, `version`, `config`, `payload`, …). None by default.
    pub fn trigger_types(mut self, trigger_types: impl IntoIterator<Item = Value>) -> Self {
        self.trigger_types.extend(trigger_types);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on the current tokio runtime.
    ///
    /// # Panics
    /// If no port can be bound, or on invalid builder input (see the methods above).
    pub async fn start(self) -> TestServer {
        let mut toolkits = self.toolkits;
        for path in &self.toolkit_files {
            toolkits.extend(read_toolkits_file(path));
        }
        let catalog = Catalog::build(CatalogInput {
            tools: self.tools,
            default_version: self.default_version,
            extra_versions: self.extra_versions,
            toolkits,
        });
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("composio-testserver: cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("composio-testserver: bound socket has no address");
        let faults = self.faults.into_iter().map(ActiveRule::new).collect();
        let mut state = State::new(self.api_key, format!("http://{addr}"), catalog, faults);
        state.trigger_types = self.trigger_types;
        let state = Arc::new(state);
        lock(&state.accounts).link_lifetime = self.link_lifetime;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, state.clone(), stop_rx));
        TestServer { state, stop, task: Some(task) }
    }
}

fn read_toolkits_file(path: &PathBuf) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("composio-testserver: cannot read toolkits file {}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("composio-testserver: toolkits file {} is not JSON: {e}", path.display()));
    match value {
        Value::Array(items) => items,
        Value::Object(mut obj) => match obj.remove("items") {
            Some(Value::Array(items)) => items,
            _ => panic!("composio-testserver: toolkits file {} has no `items` array", path.display()),
        },
        _ => panic!("composio-testserver: toolkits file {} is neither an array nor an object", path.display()),
    }
}
