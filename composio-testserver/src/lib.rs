//! A local HTTP server that speaks the Composio REST protocol, for tests and benchmarks.
//!
//! It serves the tool and toolkit routes under both `/api/v3` and `/api/v3.1`, executes tools
//! by validating the arguments against the tool's `input_parameters` and calling a per-tool
//! responder, hands out presigned upload URLs on itself, records every request, and injects
//! faults (error bodies, 429s, delays, truncated bodies, non-JSON bodies, dropped
//! connections) on demand.
//!
//! ```no_run
//! # async fn demo() {
//! use composio_testserver::{ExecuteReply, Fault, FaultRule, Route, TestServer};
//! use serde_json::json;
//!
//! let server = TestServer::builder()
//!     .tools([json!({"slug": "GITHUB_STAR_A_REPO", "name": "Star", "input_parameters": {}})])
//!     .fault(FaultRule::new(Route::Execute, Fault::rate_limited(1)))
//!     .start()
//!     .await;
//! server.respond("GITHUB_STAR_A_REPO", |_req| ExecuteReply::Data(json!({"ok": true})));
//! let url = format!("{}/api/v3.1/tools/execute/GITHUB_STAR_A_REPO", server.base_url());
//! // ... point the client under test at `url` with `server.api_key()` ...
//! assert_eq!(server.count(Route::Execute), 0);
//! # }
//! ```
//!
//! # Behaviour where the real API is unspecified
//! - **Versions.** A request that names no version gets `00000000_00` on `/api/v3` and
//!   `latest` on `/api/v3.1`, except `GET /toolkits/{slug}`, whose spec'd default is `latest`
//!   on both. A toolkit's versions are the versions of its tools plus
//!   [`Builder::toolkit_versions`]; a toolkit version is a snapshot (a tool at version `V` is
//!   its newest version not newer than `V`), and an id the toolkit does not have finds
//!   nothing.
//! - **Not found.** `GET /tools` answers an empty page for an unknown toolkit or an unknown
//!   version; the single-resource routes answer 404 (`Tool_ToolNotFound`, code 2401;
//!   `Toolkit_ToolkitNotFound`, code 2301, the latter made up).
//! - **Auth.** No `x-api-key`: 401 `Auth_NoAuthProvided` (906); a wrong one: 401
//!   `APIKey_InvalidAPIKey` (801), the codes the real service sends. Faults apply before
//!   the key is checked.
//! - **Bad input** (query, JSON, arguments): 400 `HTTP_BadRequest` (code 10400) with the
//!   reasons in `errors`; argument errors read `arguments/<json pointer>: <reason>`.
//! - **Sessions** (`/tool_router/session…`) keep their configuration and a config version
//!   (1 on creation, bumped by each v3.1 PATCH; PATCH is 404 on v3). Their error slugs and
//!   codes are made up: `ToolRouter_SessionNotFound` (404, 4404), `ToolRouter_ToolNotAllowed`
//!   (403, 4403) and `ToolRouter_SessionConfigConflict` (409, 4409, for a stale
//!   `expected_config_version`), `ToolRouter_ConnectedAccountAlreadyDefined` (400, 4400, a
//!   link for a toolkit whose account the session names). Session executions run on `latest`;
//!   a session uses the account its configuration names for a toolkit (counted as `ACTIVE`),
//!   else the user's newest account of the toolkit, in whatever status it is.
//! - **Served Tool objects** are the given ones with `version` (the builder's default when
//!   missing), `toolkit` (derived when missing) and `available_versions` (the versions this
//!   server has of the tool, newest first) filled in.
//! - **Accounts.** Auth configs and connected accounts live in memory, with ids `ac_test…`,
//!   `ca_test…` and link tokens `ln_test…`. A link's `redirect_url` is `/link/{token}` on this
//!   server: a GET plays the user finishing the login (`ACTIVE` with made-up OAuth tokens,
//!   then a 302 to the callback URL with `status` and `connected_account_id` appended, or a
//!   small HTML page without one). [`TestServer::fail_link`] and [`TestServer::expire_link`]
//!   make it fail (`FAILED`, `status=failed`) or run out (`EXPIRED`, then 410);
//!   [`Builder::link_lifetime`] shortens the 10 minutes. Bodies with unknown keys are refused
//!   (400), custom OAuth2 configs need `client_id` and `client_secret`, and listings mask
//!   credentials. The error slugs and codes are made up: `AuthConfig_NotFound` (404, 1301),
//!   `AuthConfig_Disabled` (400, 1302), `ConnectedAccount_NotFound` (404, 1201),
//!   `ConnectedAccount_AlreadyExists` (400, 1202, an alias the user already gave another
//!   account of the toolkit), `ConnectedAccount_LinkExpired` (410, 1204).
//! - **A scripted chat model.** `POST /v1/chat/completions` answers like OpenAI's Chat
//!   Completions from a script the test sets ([`TestServer::script_chat`]): the reply to a
//!   request is the script's entry at the number of assistant messages it carries. The history
//!   is checked as OpenAI checks it (every `tool_call_id` needs its `tool` message), and
//!   refusals have OpenAI's error shape, `{"error": {message, type, param, code}}`.
//! - **Concurrency.** Each execution gets an [`ExecutionSpan`] on a logical clock
//!   ([`TestServer::execution_spans`]); [`TestServer::hold_executions`] makes chosen tools wait
//!   for each other, so a test proves that a client runs calls side by side without timing.

mod accounts;
mod body;
mod catalog;
mod corpus;
mod deliveries;
mod executions;
mod fault;
mod routes;
mod server;
mod state;
mod util;

pub use corpus::{committed_tools, corpus_dir, corpus_missing, corpus_tools};
pub use deliveries::{Delivered, Delivery};
pub use executions::ExecutionSpan;
pub use fault::{Fault, FaultRule, Route};
pub use routes::chat::{ChatReply, ScriptedCall};
pub use server::{Builder, TestServer};

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, upper-case (`GET`, `POST`, `PUT`).
    pub method: String,
    /// The path as sent (still percent-encoded), without the query string.
    pub path: String,
    /// The query string as decoded pairs, in order.
    pub query: Vec<(String, String)>,
    /// The headers, with lower-case names, in order.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The route the request matched, `None` for an unknown path.
    pub route: Option<Route>,
}

impl RecordedRequest {
    /// The body parsed as JSON, `None` if it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter (decoded name, compared exactly).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// What a responder sees of one execute request that passed validation.
#[derive(Debug, Clone)]
pub struct ExecuteRequest {
    /// The tool slug as it appears in the server's catalogue.
    pub slug: String,
    /// The concrete tool version the request resolved to (never `latest`).
    pub version: String,
    /// The full request body.
    pub body: serde_json::Value,
    /// The `arguments` of the body (`{}` when absent, or when `text` was sent instead).
    pub arguments: serde_json::Value,
    /// The `user_id` of the body, if any.
    pub user_id: Option<String>,
    /// The `connected_account_id` of the body, if any.
    pub connected_account_id: Option<String>,
}

/// How an execute request is answered.
#[derive(Debug, Clone)]
pub enum ExecuteReply {
    /// Success: HTTP 200 `{data, error: null, successful: true, log_id, session_info: null}`.
    Data(serde_json::Value),
    /// The tool ran and failed: HTTP 200 `{data: {}, error: msg, successful: false, log_id, …}`.
    Failure(String),
    /// Any status with this JSON body, verbatim.
    Raw {
        /// HTTP status code.
        status: u16,
        /// The JSON body.
        body: serde_json::Value,
    },
}
