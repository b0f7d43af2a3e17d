//! Routes and the faults that can be injected on them.

use std::time::Duration;

use serde_json::json;

use crate::util::next_request_id;

/// A route of the server: the kind of request, independent of the `/api/v3` or `/api/v3.1`
/// prefix. Used to count requests and to aim fault rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `POST /api/v3[.1]/tools/execute/{tool_slug}`.
    Execute,
    /// `GET /api/v3[.1]/tools`.
    ListTools,
    /// `GET /api/v3[.1]/tools/{tool_slug}`.
    GetTool,
    /// `GET /api/v3[.1]/tools/enum`.
    ToolsEnum,
    /// `GET /api/v3[.1]/toolkits/{slug}`.
    GetToolkit,
    /// `GET /api/v3[.1]/toolkits`.
    ListToolkits,
    /// `POST /api/v3[.1]/files/upload/request`.
    FileUploadRequest,
    /// `PUT /_s3/upload/{key}`: the presigned upload URL (no `/api` prefix, no API key).
    FilePut,
    /// `GET /_s3/download/{key}`: a file registered with
    /// [`TestServer::register_download`](crate::TestServer::register_download) or uploaded.
    FileDownload,
    /// `POST /api/v3[.1]/tool_router/session`.
    SessionCreate,
    /// `GET /api/v3[.1]/tool_router/session/{id}`.
    SessionGet,
    /// `PATCH /api/v3.1/tool_router/session/{id}` (404 on v3).
    SessionUpdate,
    /// `GET /api/v3[.1]/tool_router/session/{id}/toolkits`.
    SessionToolkits,
    /// `GET /api/v3[.1]/tool_router/session/{id}/tools`.
    SessionTools,
    /// `POST /api/v3[.1]/tool_router/session/{id}/execute`.
    SessionExecute,
    /// `POST /api/v3[.1]/tool_router/session/{id}/execute_meta`.
    SessionExecuteMeta,
    /// `POST /api/v3[.1]/tool_router/session/{id}/link`: a Connect Link for a toolkit of the
    /// session, answered like `CreateLink` without `expires_at`.
    SessionLink,
    // Accounts: auth configs, connected accounts, Connect Links. The slug of a fault rule is
    // the auth config or account id, or the link token for `LinkPage`.
    /// `GET /api/v3[.1]/auth_configs`.
    ListAuthConfigs,
    /// `POST /api/v3[.1]/auth_configs`.
    CreateAuthConfig,
    /// `GET /api/v3[.1]/auth_configs/{id}`.
    GetAuthConfig,
    /// `PATCH /api/v3[.1]/auth_configs/{id}`.
    UpdateAuthConfig,
    /// `PATCH /api/v3[.1]/auth_configs/{id}/{ENABLED|DISABLED}`.
    SetAuthConfigStatus,
    /// `DELETE /api/v3[.1]/auth_configs/{id}`.
    DeleteAuthConfig,
    /// `GET /api/v3[.1]/connected_accounts`.
    ListConnectedAccounts,
    /// `POST /api/v3[.1]/connected_accounts`: the legacy create.
    CreateConnectedAccount,
    /// `POST /api/v3[.1]/connected_accounts/link`.
    CreateLink,
    /// `GET /api/v3[.1]/connected_accounts/{id}`.
    GetConnectedAccount,
    /// `DELETE /api/v3[.1]/connected_accounts/{id}`.
    DeleteConnectedAccount,
    /// `PATCH /api/v3[.1]/connected_accounts/{id}/status`.
    SetConnectedAccountStatus,
    /// `POST /api/v3[.1]/connected_accounts/{id}/refresh`.
    RefreshConnectedAccount,
    /// `GET /api/v3[.1]/triggers_types`: trigger type definitions given to
    /// [`Builder::trigger_types`](crate::server::Builder::trigger_types).
    ListTriggerTypes,
    /// `GET /api/v3[.1]/triggers_types/{slug}`: one of the same definitions.
    GetTriggerType,
    /// `POST /api/v3[.1]/trigger_instances/{slug}/upsert`.
    UpsertTriggerInstance,
    /// `GET /api/v3[.1]/trigger_instances/active`.
    ListTriggerInstances,
    /// `PATCH /api/v3[.1]/trigger_instances/manage/{id}`.
    SetTriggerInstanceStatus,
    /// `DELETE /api/v3[.1]/trigger_instances/manage/{id}`.
    DeleteTriggerInstance,
    /// `POST /api/v3[.1]/webhook_subscriptions`.
    CreateWebhookSubscription,
    /// `GET /api/v3[.1]/webhook_subscriptions`.
    ListWebhookSubscriptions,
    /// `GET /api/v3[.1]/webhook_subscriptions/{id}`.
    GetWebhookSubscription,
    /// `PATCH /api/v3[.1]/webhook_subscriptions/{id}`.
    UpdateWebhookSubscription,
    /// `DELETE /api/v3[.1]/webhook_subscriptions/{id}`.
    DeleteWebhookSubscription,
    /// `POST /api/v3[.1]/webhook_subscriptions/{id}/rotate_secret`.
    RotateWebhookSecret,
    /// `GET /api/v3[.1]/webhook_subscriptions/event_types`.
    WebhookEventTypes,
    /// `GET /link/{token}`: the hosted Connect Link page (no `/api` prefix, no API key). A
    /// visit plays the user finishing the login.
    LinkPage,
    /// `POST /v1/chat/completions`: the scripted OpenAI-compatible chat model (no `/api`
    /// prefix; the API key goes in `Authorization: Bearer …`). See
    /// [`TestServer::script_chat`](crate::TestServer::script_chat).
    ChatCompletions,
}

/// A fault to inject in place of (or before) the normal answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An arbitrary raw answer. A `Content-Length` or `Transfer-Encoding` header given here is
    /// ignored: the length is always the length of `body` (use [`Fault::TruncatedBody`] for a
    /// lying length).
    Reply {
        /// HTTP status code.
        status: u16,
        /// Headers to send, in order.
        headers: Vec<(String, String)>,
        /// The body, sent verbatim.
        body: String,
    },
    /// Answer normally, but only after this delay.
    Delay(Duration),
    /// Status 200 with `Content-Length` larger than the bytes sent (the first half of a JSON
    /// object), then the connection is closed: a client reading the body must fail.
    TruncatedBody,
    /// Status **200** with `Content-Type: text/html` and an HTML error page as the body, the
    /// way a misconfigured proxy answers. (200 rather than 502 so that a client's *success*
    /// decoding path is exercised; for a 502 HTML page use [`Fault::bad_gateway_html`].)
    NonJsonBody,
    /// Read the request fully, then close the TCP connection without writing any response.
    DropConnection,
    /// Meant for [`Route::Execute`]: HTTP 200 with
    /// `{"data":{}, "error": msg, "successful": false, "log_id": "log_…"}`. On other routes it
    /// answers the same body.
    ToolFailure(String),
}

impl Fault {
    /// A platform error in the current body shape:
    /// `{"error":{"message","code","slug","status","request_id","suggested_fix","errors":[]}}`
    /// with `Content-Type: application/json`.
    pub fn api_error(status: u16, code: u32, slug: &str, message: &str) -> Fault {
        Fault::json_reply(status, api_error_body(status, code, slug, message, &[]))
    }

    /// A platform error in the older body shape, which says `error_code` instead of `code` and
    /// carries no `slug` or `status`:
    /// `{"error":{"message","error_code","suggested_fix","errors":[]}}`.
    pub fn legacy_api_error(status: u16, code: u32, message: &str) -> Fault {
        let body = json!({
            "error": {
                "message": message,
                "error_code": code,
                "suggested_fix": "",
                "errors": [],
            }
        });
        Fault::json_reply(status, body)
    }

    /// A 429 as Composio sends it when the organisation's one-minute budget is spent: headers
    /// `X-RateLimit: 1000`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Window-Size: 60`,
    /// `Retry-After: <retry_after_secs>` and a flat body `{"message":"Rate limit exceeded…"}`.
    pub fn rate_limited(retry_after_secs: u64) -> Fault {
        let body = json!({
            "message": format!(
                "Rate limit exceeded. Please retry after {retry_after_secs} seconds."
            )
        });
        Fault::Reply {
            status: 429,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-ratelimit".into(), "1000".into()),
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-window-size".into(), "60".into()),
                ("retry-after".into(), retry_after_secs.to_string()),
            ],
            body: body.to_string(),
        }
    }

    /// The edge variant of a 429: no rate-limit headers and body
    /// `{"code":10429,"slug":"HTTP_TooManyRequests"}`.
    pub fn rate_limited_edge() -> Fault {
        Fault::json_reply(429, json!({"code": 10429, "slug": "HTTP_TooManyRequests"}))
    }

    /// A 502 with an HTML body, as a gateway in front of the API answers when the backend is
    /// down.
    pub fn bad_gateway_html() -> Fault {
        Fault::Reply {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into())],
            body: HTML_ERROR_PAGE.to_string(),
        }
    }

    fn json_reply(status: u16, body: serde_json::Value) -> Fault {
        Fault::Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
}

/// The HTML page sent by [`Fault::NonJsonBody`] and [`Fault::bad_gateway_html`].
pub(crate) const HTML_ERROR_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The current platform error body.
pub(crate) fn api_error_body(
    status: u16,
    code: u32,
    slug: &str,
    message: &str,
    errors: &[String],
) -> serde_json::Value {
    json!({
        "error": {
            "message": message,
            "code": code,
            "slug": slug,
            "status": status,
            "request_id": next_request_id(),
            "suggested_fix": "",
            "errors": errors,
        }
    })
}

/// When a fault applies: a route, optionally one slug, and a window of matching requests.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// The route the rule watches.
    pub route: Route,
    /// For [`Route::Execute`] and [`Route::GetTool`] a tool slug (compared case-insensitively),
    /// for [`Route::GetToolkit`] a toolkit slug, for [`Route::FilePut`] and
    /// [`Route::FileDownload`] a file key, for the account routes the auth config or account id
    /// of the path, for [`Route::LinkPage`] the link token. `None` matches every request of
    /// the route. A rule
    /// with a slug on a route that has none (the list routes) never matches.
    pub slug: Option<String>,
    /// Let this many matching requests through first.
    pub skip: usize,
    /// Then apply the fault this many times (`usize::MAX` = forever).
    pub times: usize,
    /// What to do.
    pub fault: Fault,
}

impl FaultRule {
    /// A rule that applies `fault` once, to the next request of `route`.
    pub fn new(route: Route, fault: Fault) -> Self {
        FaultRule { route, slug: None, skip: 0, times: 1, fault }
    }

    /// Only requests for this slug (see [`FaultRule::slug`](FaultRule#structfield.slug)).
    pub fn slug(mut self, s: impl Into<String>) -> Self {
        self.slug = Some(s.into());
        self
    }

    /// Let `n` matching requests through before the fault starts applying.
    pub fn skip(mut self, n: usize) -> Self {
        self.skip = n;
        self
    }

    /// Apply the fault `n` times (`usize::MAX` = forever).
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    /// Apply the fault to every matching request from now on.
    pub fn forever(self) -> Self {
        self.times(usize::MAX)
    }
}

/// A rule with its own counters, as kept by the server.
#[derive(Debug)]
pub(crate) struct ActiveRule {
    rule: FaultRule,
    seen: usize,
    applied: usize,
}

impl ActiveRule {
    pub(crate) fn new(rule: FaultRule) -> Self {
        ActiveRule { rule, seen: 0, applied: 0 }
    }
}

/// Picks the fault for one request, updating the counters.
///
/// Rules are tried in insertion order. A matching rule still in its `skip` window counts the
/// request as let through and the next rule is tried; the first matching rule with uses left
/// fires, and later rules never see that request (so two rules on one route take turns
/// instead of both spending a use on the same request).
pub(crate) fn select_fault(rules: &mut [ActiveRule], route: Route, slug: Option<&str>) -> Option<Fault> {
    for active in rules.iter_mut() {
        let rule = &active.rule;
        if rule.route != route {
            continue;
        }
        if let Some(want) = &rule.slug {
            match slug {
                Some(got) if got.eq_ignore_ascii_case(want) => {}
                _ => continue,
            }
        }
        if active.seen < rule.skip {
            active.seen += 1;
            continue;
        }
        if active.applied < rule.times {
            active.applied += 1;
            return Some(rule.fault.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(n: u16) -> Fault {
        Fault::Reply { status: n, headers: vec![], body: String::new() }
    }

    fn status(f: Option<Fault>) -> Option<u16> {
        match f {
            Some(Fault::Reply { status, .. }) => Some(status),
            Some(_) => Some(0),
            None => None,
        }
    }

    #[test]
    fn skip_then_times_then_exhausted() {
        let mut rules = vec![ActiveRule::new(FaultRule::new(Route::Execute, reply(500)).skip(2).times(2))];
        let got: Vec<_> = (0..6).map(|_| status(select_fault(&mut rules, Route::Execute, Some("X")))).collect();
        assert_eq!(got, [None, None, Some(500), Some(500), None, None]);
    }

    #[test]
    fn slug_filter_and_insertion_order() {
        let mut rules = vec![
            ActiveRule::new(FaultRule::new(Route::Execute, reply(401)).slug("github_a")),
            ActiveRule::new(FaultRule::new(Route::Execute, reply(500)).forever()),
        ];
        assert_eq!(status(select_fault(&mut rules, Route::Execute, Some("GITHUB_B"))), Some(500));
        assert_eq!(status(select_fault(&mut rules, Route::Execute, Some("GITHUB_A"))), Some(401));
        assert_eq!(status(select_fault(&mut rules, Route::Execute, Some("GITHUB_A"))), Some(500));
        assert_eq!(status(select_fault(&mut rules, Route::ListTools, None)), None);
    }

    #[test]
    fn slug_rule_never_matches_slugless_route() {
        let mut rules = vec![ActiveRule::new(FaultRule::new(Route::ListTools, reply(500)).slug("x"))];
        assert_eq!(status(select_fault(&mut rules, Route::ListTools, None)), None);
    }
}
