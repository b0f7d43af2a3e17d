//! Request handling: recording, faults, routing; one submodule per area of the protocol.

mod auth_configs;
pub(crate) mod chat;
mod connected_accounts;
mod files;
mod pagination;
mod query;
mod reply;
mod sessions;
mod toolkits;
mod tools;
mod trigger_instances;
mod triggers;
mod webhooks;

use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::json;
use tokio::sync::Notify;

use crate::body::RespBody;
use crate::catalog::{BASE_VERSION, LATEST};
use crate::fault::{Fault, HTML_ERROR_PAGE, select_fault};
use crate::state::{State, lock};
use crate::util::{parse_query, percent_decode};
use crate::{RecordedRequest, Route};
use reply::{api_error, json_answer, raw_reply, response, truncated};

type Answer = Response<RespBody>;
/// An error answer on its way out through `?`; boxed because a `Response` is large.
type Refusal = Box<Answer>;

/// The two API prefixes; they differ only in the version used when a request names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V3,
    V31,
}

impl ApiVersion {
    pub(crate) fn default_version(self) -> &'static str {
        match self {
            ApiVersion::V3 => BASE_VERSION,
            ApiVersion::V31 => LATEST,
        }
    }
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub route: Route,
    /// `None` for the storage routes, which are not under `/api`.
    pub api: Option<ApiVersion>,
    /// The decoded path parameter: tool slug, toolkit slug or file key.
    pub param: Option<String>,
}

pub(crate) fn classify(method: &Method, path: &str) -> Option<Target> {
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    let storage = |route, rest: &str| {
        (!rest.is_empty()).then(|| Target { route, api: None, param: Some(percent_decode(rest, false)) })
    };
    if let Some(rest) = path.strip_prefix("/_s3/upload/") {
        return if method == Method::PUT { storage(Route::FilePut, rest) } else { None };
    }
    if let Some(rest) = path.strip_prefix("/_s3/download/") {
        return if method == Method::GET { storage(Route::FileDownload, rest) } else { None };
    }
    if path == "/v1/chat/completions" {
        return (method == Method::POST).then_some(Target { route: Route::ChatCompletions, api: None, param: None });
    }
    if let Some(rest) = path.strip_prefix("/link/") {
        return if method == Method::GET && !rest.contains('/') { storage(Route::LinkPage, rest) } else { None };
    }
    let (api, rest) = if let Some(rest) = path.strip_prefix("/api/v3.1/") {
        (ApiVersion::V31, rest)
    } else if let Some(rest) = path.strip_prefix("/api/v3/") {
        (ApiVersion::V3, rest)
    } else {
        return None;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let (route, param) = match (method.as_str(), segments.as_slice()) {
        ("GET", ["tools"]) => (Route::ListTools, None),
        ("GET", ["tools", "enum"]) => (Route::ToolsEnum, None),
        ("GET", ["tools", slug]) if !slug.is_empty() => (Route::GetTool, Some(*slug)),
        ("POST", ["tools", "execute", slug]) if !slug.is_empty() => (Route::Execute, Some(*slug)),
        ("GET", ["toolkits"]) => (Route::ListToolkits, None),
        ("GET", ["triggers_types"]) => (Route::ListTriggerTypes, None),
        ("GET", ["triggers_types", slug]) if !slug.is_empty() => (Route::GetTriggerType, Some(*slug)),
        ("POST", ["trigger_instances", slug, "upsert"]) if !slug.is_empty() => {
            (Route::UpsertTriggerInstance, Some(*slug))
        }
        ("GET", ["trigger_instances", "active"]) => (Route::ListTriggerInstances, None),
        ("POST", ["webhook_subscriptions"]) => (Route::CreateWebhookSubscription, None),
        ("GET", ["webhook_subscriptions"]) => (Route::ListWebhookSubscriptions, None),
        ("GET", ["webhook_subscriptions", "event_types"]) => (Route::WebhookEventTypes, None),
        ("GET", ["webhook_subscriptions", id]) if !id.is_empty() => (Route::GetWebhookSubscription, Some(*id)),
        ("PATCH", ["webhook_subscriptions", id]) if !id.is_empty() => (Route::UpdateWebhookSubscription, Some(*id)),
        ("DELETE", ["webhook_subscriptions", id]) if !id.is_empty() => (Route::DeleteWebhookSubscription, Some(*id)),
        ("POST", ["webhook_subscriptions", id, "rotate_secret"]) if !id.is_empty() => {
            (Route::RotateWebhookSecret, Some(*id))
        }
        ("PATCH", ["trigger_instances", "manage", id]) if !id.is_empty() => {
            (Route::SetTriggerInstanceStatus, Some(*id))
        }
        ("DELETE", ["trigger_instances", "manage", id]) if !id.is_empty() => (Route::DeleteTriggerInstance, Some(*id)),
        ("GET", ["toolkits", slug]) if !slug.is_empty() => (Route::GetToolkit, Some(*slug)),
        ("POST", ["files", "upload", "request"]) => (Route::FileUploadRequest, None),
        ("POST", ["tool_router", "session"]) => (Route::SessionCreate, None),
        ("GET", ["tool_router", "session", id]) if !id.is_empty() => (Route::SessionGet, Some(*id)),
        ("PATCH", ["tool_router", "session", id]) if !id.is_empty() => (Route::SessionUpdate, Some(*id)),
        ("GET", ["tool_router", "session", id, "toolkits"]) if !id.is_empty() => (Route::SessionToolkits, Some(*id)),
        ("GET", ["tool_router", "session", id, "tools"]) if !id.is_empty() => (Route::SessionTools, Some(*id)),
        ("POST", ["tool_router", "session", id, "execute"]) if !id.is_empty() => (Route::SessionExecute, Some(*id)),
        ("POST", ["tool_router", "session", id, "execute_meta"]) if !id.is_empty() => {
            (Route::SessionExecuteMeta, Some(*id))
        }
        ("POST", ["tool_router", "session", id, "link"]) if !id.is_empty() => (Route::SessionLink, Some(*id)),
        // Accounts.
        ("GET", ["auth_configs"]) => (Route::ListAuthConfigs, None),
        ("POST", ["auth_configs"]) => (Route::CreateAuthConfig, None),
        ("GET", ["auth_configs", id]) if !id.is_empty() => (Route::GetAuthConfig, Some(*id)),
        ("PATCH", ["auth_configs", id]) if !id.is_empty() => (Route::UpdateAuthConfig, Some(*id)),
        ("PATCH", ["auth_configs", id, status]) if !id.is_empty() && !status.is_empty() => {
            (Route::SetAuthConfigStatus, Some(*id))
        }
        ("DELETE", ["auth_configs", id]) if !id.is_empty() => (Route::DeleteAuthConfig, Some(*id)),
        ("GET", ["connected_accounts"]) => (Route::ListConnectedAccounts, None),
        ("POST", ["connected_accounts"]) => (Route::CreateConnectedAccount, None),
        ("POST", ["connected_accounts", "link"]) => (Route::CreateLink, None),
        ("GET", ["connected_accounts", id]) if !id.is_empty() => (Route::GetConnectedAccount, Some(*id)),
        ("DELETE", ["connected_accounts", id]) if !id.is_empty() => (Route::DeleteConnectedAccount, Some(*id)),
        ("PATCH", ["connected_accounts", id, "status"]) if !id.is_empty() => {
            (Route::SetConnectedAccountStatus, Some(*id))
        }
        ("POST", ["connected_accounts", id, "refresh"]) if !id.is_empty() => {
            (Route::RefreshConnectedAccount, Some(*id))
        }
        _ => return None,
    };
    Some(Target { route, api: Some(api), param: param.map(|p| percent_decode(p, false)) })
}

/// Handles one request: reads it fully, records it, applies a fault or answers normally.
pub(crate) async fn handle(state: Arc<State>, abort: Arc<Notify>, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        // The client stopped sending mid-body; whatever we answer is unlikely to arrive.
        Err(_) => {
            return api_error(400, 10400, "HTTP_BadRequest", "Incomplete request body", &[]);
        }
    };
    let path = parts.uri.path().to_string();
    let target = classify(&parts.method, &path);
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        route: target.as_ref().map(|t| t.route),
    };
    // Recorded before any answer is produced, so `count` is exact once a client has its
    // response (or its connection error).
    lock(&state.log).push(recorded.clone());

    let execution = target.as_ref().and_then(|t| execution_slug(t, &recorded));
    let started = match &execution {
        Some(slug) => Some(crate::executions::begin(&state, slug).await),
        None => None,
    };
    let answer = answer(&state, abort, target, &recorded).await;
    if let Some(started) = started {
        crate::executions::end(&state, started);
    }
    answer
}

/// The tool an execute request runs: the path's slug, or the session body's.
fn execution_slug(target: &Target, req: &RecordedRequest) -> Option<String> {
    let from_body = |key: &str| req.json()?.get(key)?.as_str().map(str::to_owned);
    match target.route {
        Route::Execute => target.param.clone(),
        Route::SessionExecute => from_body("tool_slug"),
        Route::SessionExecuteMeta => from_body("slug"),
        _ => None,
    }
}

/// A fault, or the route's normal answer.
async fn answer(state: &State, abort: Arc<Notify>, target: Option<Target>, recorded: &RecordedRequest) -> Answer {
    let fault = target.as_ref().and_then(|t| select_fault(&mut lock(&state.faults), t.route, t.param.as_deref()));
    if let Some(fault) = fault {
        match fault {
            Fault::Reply { status, headers, body } => return raw_reply(status, &headers, body),
            Fault::Delay(delay) => tokio::time::sleep(delay).await,
            Fault::TruncatedBody => return truncated(abort),
            Fault::NonJsonBody => {
                return response(200, "text/html; charset=utf-8", HTML_ERROR_PAGE);
            }
            Fault::DropConnection => {
                // The connection task drops the socket on this signal; this future is
                // dropped with it and never answers.
                abort.notify_one();
                return std::future::pending().await;
            }
            Fault::ToolFailure(message) => {
                return json_answer(200, &tools::execute_envelope(state, json!({}), Some(&message)));
            }
        }
    }

    let Some(target) = target else {
        return api_error(404, 10404, "HTTP_NotFound", "Route not found", &[]);
    };
    dispatch(state, target, recorded).unwrap_or_else(|refusal| *refusal)
}

fn dispatch(state: &State, target: Target, req: &RecordedRequest) -> Result<Answer, Refusal> {
    if target.api.is_some() {
        check_auth(state, req)?;
    }
    let api = target.api.unwrap_or(ApiVersion::V31);
    let param = target.param.unwrap_or_default();
    match target.route {
        Route::ListTools => tools::list_tools(state, api, &req.query),
        Route::GetTool => tools::get_tool(state, api, &param, &req.query),
        Route::ToolsEnum => Ok(json_answer(200, &json!(state.catalog.tool_slugs()))),
        Route::Execute => tools::execute(state, api, &param, &req.body),
        Route::ListToolkits => toolkits::list_toolkits(state, &req.query),
        Route::ListTriggerTypes => triggers::list_trigger_types(state, api, &req.query),
        Route::GetTriggerType => triggers::get_trigger_type(state, api, &param, &req.query),
        Route::UpsertTriggerInstance => trigger_instances::upsert(state, &param, &req.body),
        Route::ListTriggerInstances => trigger_instances::list_active(state, &req.query),
        Route::SetTriggerInstanceStatus => trigger_instances::set_status(state, &param, &req.body),
        Route::DeleteTriggerInstance => trigger_instances::delete(state, &param),
        Route::CreateWebhookSubscription => webhooks::create(state, &req.body),
        Route::ListWebhookSubscriptions => webhooks::list(state, &req.query),
        Route::GetWebhookSubscription => webhooks::get(state, &param),
        Route::UpdateWebhookSubscription => webhooks::update(state, &param, &req.body),
        Route::DeleteWebhookSubscription => webhooks::delete(state, &param),
        Route::RotateWebhookSecret => webhooks::rotate(state, &param),
        Route::WebhookEventTypes => Ok(webhooks::event_types()),
        Route::GetToolkit => toolkits::get_toolkit(state, &param, &req.query),
        Route::FileUploadRequest => files::upload_request(state, &req.body),
        Route::FilePut => Ok(files::file_put(state, &param, &req.body)),
        Route::FileDownload => Ok(files::file_download(state, &param)),
        Route::SessionCreate => sessions::create(state, api, &req.body),
        Route::SessionGet => sessions::get(state, api, &param),
        Route::SessionUpdate => sessions::patch(state, api, &param, &req.body),
        Route::SessionToolkits => sessions::toolkits(state, &param, &req.query),
        Route::SessionTools => sessions::tools(state, &param, &req.query),
        Route::SessionExecute => sessions::execute(state, api, &param, &req.body),
        Route::SessionExecuteMeta => sessions::execute_meta(state, &param, &req.body),
        Route::SessionLink => sessions::link(state, api, &param, &req.body),
        // Accounts.
        Route::ListAuthConfigs => auth_configs::list(state, &req.query),
        Route::CreateAuthConfig => auth_configs::create(state, &req.body),
        Route::GetAuthConfig => auth_configs::get(state, &param),
        Route::UpdateAuthConfig => auth_configs::update(state, &param, &req.body),
        Route::SetAuthConfigStatus => auth_configs::set_status(state, &param, &req.path),
        Route::DeleteAuthConfig => auth_configs::delete(state, &param),
        Route::ListConnectedAccounts => connected_accounts::list(state, &req.query),
        Route::CreateConnectedAccount => connected_accounts::create(state, &req.body),
        Route::CreateLink => connected_accounts::link(state, &req.body),
        Route::GetConnectedAccount => connected_accounts::get(state, &param),
        Route::DeleteConnectedAccount => connected_accounts::delete(state, &param),
        Route::SetConnectedAccountStatus => connected_accounts::set_status(state, &param, &req.body),
        Route::RefreshConnectedAccount => connected_accounts::refresh(state, &param, &req.body),
        Route::LinkPage => Ok(connected_accounts::link_page(state, &param)),
        Route::ChatCompletions => chat::completions(state, req),
    }
}

fn check_auth(state: &State, req: &RecordedRequest) -> Result<(), Refusal> {
    match req.header("x-api-key") {
        None | Some("") => Err(Box::new(api_error(401, 906, "Auth_NoAuthProvided", "No authentication provided", &[]))),
        Some(key) if key == state.api_key => Ok(()),
        Some(key) => {
            let masked = if key.len() >= 8 && key.is_ascii() {
                format!("{}**{}", &key[..3], &key[key.len() - 4..])
            } else {
                "**".to_string()
            };
            Err(Box::new(api_error(401, 801, "APIKey_InvalidAPIKey", &format!("Invalid API key: {masked}"), &[])))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(method: Method, path: &str) -> Option<(Route, Option<ApiVersion>, Option<String>)> {
        classify(&method, path).map(|t| (t.route, t.api, t.param))
    }

    #[test]
    fn classifies_routes() {
        use ApiVersion::*;
        assert_eq!(route_of(Method::GET, "/api/v3/tools"), Some((Route::ListTools, Some(V3), None)));
        assert_eq!(route_of(Method::GET, "/api/v3.1/tools/"), Some((Route::ListTools, Some(V31), None)));
        assert_eq!(route_of(Method::GET, "/api/v3/tools/enum"), Some((Route::ToolsEnum, Some(V3), None)));
        assert_eq!(
            route_of(Method::GET, "/api/v3/tools/GITHUB%5FX"),
            Some((Route::GetTool, Some(V3), Some("GITHUB_X".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3.1/tools/execute/GITHUB_X"),
            Some((Route::Execute, Some(V31), Some("GITHUB_X".into())))
        );
        assert_eq!(route_of(Method::GET, "/api/v3.1/tools/execute/GITHUB_X"), None);
        assert_eq!(
            route_of(Method::GET, "/api/v3/toolkits/github"),
            Some((Route::GetToolkit, Some(V3), Some("github".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3/files/upload/request"),
            Some((Route::FileUploadRequest, Some(V3), None))
        );
        assert_eq!(
            route_of(Method::PUT, "/_s3/upload/a/b%20c.txt"),
            Some((Route::FilePut, None, Some("a/b c.txt".into())))
        );
        assert_eq!(route_of(Method::GET, "/_s3/download/k"), Some((Route::FileDownload, None, Some("k".into()))));
        assert_eq!(route_of(Method::POST, "/api/v3/tool_router/session"), Some((Route::SessionCreate, Some(V3), None)));
        assert_eq!(
            route_of(Method::PATCH, "/api/v3.1/tool_router/session/trs_1"),
            Some((Route::SessionUpdate, Some(V31), Some("trs_1".into())))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3.1/tool_router/session/trs_1/execute_meta"),
            Some((Route::SessionExecuteMeta, Some(V31), Some("trs_1".into())))
        );
        assert_eq!(route_of(Method::DELETE, "/api/v3.1/tool_router/session/trs_1"), None);
        assert_eq!(route_of(Method::GET, "/api/v2/tools"), None);
        assert_eq!(route_of(Method::GET, "/"), None);
        assert_eq!(route_of(Method::POST, "/v1/chat/completions"), Some((Route::ChatCompletions, None, None)));
        assert_eq!(route_of(Method::GET, "/v1/chat/completions"), None);
        assert_eq!(route_of(Method::GET, "/api/v3/tools/a/b"), None);
    }

    #[test]
    fn classifies_account_routes() {
        use ApiVersion::*;
        let id = |s: &str| Some(s.to_string());
        assert_eq!(route_of(Method::GET, "/api/v3/auth_configs"), Some((Route::ListAuthConfigs, Some(V3), None)));
        assert_eq!(
            route_of(Method::PATCH, "/api/v3.1/auth_configs/ac_1/DISABLED"),
            Some((Route::SetAuthConfigStatus, Some(V31), id("ac_1")))
        );
        assert_eq!(
            route_of(Method::DELETE, "/api/v3/auth_configs/ac_1"),
            Some((Route::DeleteAuthConfig, Some(V3), id("ac_1")))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3.1/connected_accounts/link"),
            Some((Route::CreateLink, Some(V31), None))
        );
        // `link` is a route name for POST only; a GET reads an account of that id.
        assert_eq!(
            route_of(Method::GET, "/api/v3/connected_accounts/link"),
            Some((Route::GetConnectedAccount, Some(V3), id("link")))
        );
        assert_eq!(
            route_of(Method::PATCH, "/api/v3/connected_accounts/ca_1/status"),
            Some((Route::SetConnectedAccountStatus, Some(V3), id("ca_1")))
        );
        assert_eq!(
            route_of(Method::POST, "/api/v3/connected_accounts/ca_1/refresh"),
            Some((Route::RefreshConnectedAccount, Some(V3), id("ca_1")))
        );
        assert_eq!(route_of(Method::GET, "/link/ln_1"), Some((Route::LinkPage, None, id("ln_1"))));
        assert_eq!(route_of(Method::POST, "/link/ln_1"), None);
        assert_eq!(route_of(Method::PATCH, "/api/v3/connected_accounts/ca_1/other"), None);
    }
}
