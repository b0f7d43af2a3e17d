//! The client: configuration, the builder and `from_env`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;

/// Composio's API host.
pub const DEFAULT_BASE_URL: &str = "https://backend.composio.dev";
/// The user id sent when none is configured, as the official SDKs do.
pub const DEFAULT_USER_ID: &str = "default";

/// Which API path prefix to call. Both serve the same routes; they differ only in the version
/// a request without one gets, and this client always sends one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiPrefix {
    /// `/api/v3`, the prefix of the published OpenAPI spec.
    #[default]
    V3,
    /// `/api/v3.1`, the current one.
    V3_1,
}

impl ApiPrefix {
    /// The path prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiPrefix::V3 => "/api/v3",
            ApiPrefix::V3_1 => "/api/v3.1",
        }
    }
}

/// A Composio client. Cheap to clone: clones share one connection pool.
///
/// Calls are scoped to a user (`user_id`) and optionally to one connected account; derive a
/// client per end user with [`Client::for_user`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    pub(crate) user_id: Arc<str>,
    pub(crate) connected_account: Option<Arc<str>>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) prefix: ApiPrefix,
    /// The key as a header value marked sensitive, so not even HTTP-level debugging shows it.
    pub(crate) api_key: HeaderValue,
    pub(crate) toolkit_versions: BTreeMap<String, String>,
    pub(crate) allow_latest: bool,
    /// Whether typed calls check their arguments against the schema's constraints.
    pub(crate) validate: bool,
    pub(crate) retry: RetryPolicy,
    /// Custom headers for API requests; never sent to file storage.
    pub(crate) headers: HeaderMap,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("prefix", &self.inner.prefix)
            .field("api_key", &"<redacted>")
            .field("user_id", &self.user_id)
            .field("connected_account", &self.connected_account)
            .field("toolkit_versions", &self.inner.toolkit_versions)
            .field("allow_latest", &self.inner.allow_latest)
            .field("validate", &self.inner.validate)
            .field("retry", &self.inner.retry)
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Client {
    /// A builder with Composio's defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `COMPOSIO_API_KEY` (required),
    /// `COMPOSIO_BASE_URL`, and `COMPOSIO_TOOLKIT_VERSION_<TOOLKIT>` for version overrides.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The same client, calling tools as another user. The connected account, if one was set,
    /// is dropped: it belongs to the previous user, so the platform picks the new user's
    /// account unless [`Client::with_connected_account`] names one.
    pub fn for_user(&self, user_id: impl Into<String>) -> Client {
        Client { inner: self.inner.clone(), user_id: user_id.into().into(), connected_account: None }
    }

    /// The same client, calling tools through one connected account (`ca_…`).
    pub fn with_connected_account(&self, id: impl Into<String>) -> Client {
        Client { inner: self.inner.clone(), user_id: self.user_id.clone(), connected_account: Some(id.into().into()) }
    }

    /// The user calls are made as.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The connected account calls go through, if one is set.
    pub fn connected_account(&self) -> Option<&str> {
        self.connected_account.as_deref()
    }

    /// The base URL, without the API prefix.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The version configured for a toolkit (builder or environment), overriding the pinned
    /// version of generated calls.
    pub fn toolkit_version(&self, toolkit: &str) -> Option<&str> {
        self.inner.toolkit_versions.get(toolkit).map(String::as_str)
    }

    pub(crate) fn api_url(&self, path: &str) -> String {
        format!("{}{}{path}", self.inner.base_url, self.inner.prefix.as_str())
    }

    /// The configured toolkit whose slug prefixes `slug` (`GITHUB_…` → `github`), longest
    /// first, for untyped calls that did not name their toolkit.
    pub(crate) fn configured_toolkit_of(&self, slug: &str) -> Option<&str> {
        self.inner
            .toolkit_versions
            .keys()
            .filter(|toolkit| {
                slug.len() > toolkit.len()
                    && slug.as_bytes()[toolkit.len()] == b'_'
                    && slug[..toolkit.len()].eq_ignore_ascii_case(toolkit)
            })
            .max_by_key(|toolkit| toolkit.len())
            .map(String::as_str)
    }

    /// Removes the API key from anything a server may have echoed into `error`.
    pub(crate) fn redact(&self, error: Error) -> Error {
        error.redact(self.inner.api_key.to_str().unwrap_or_default())
    }
}

/// Headers the client sets itself. A custom `x-api-key` would bypass the key's redaction, and
/// a second content type or length would make the request ambiguous.
const RESERVED_HEADERS: &[&str] = &["x-api-key", "content-type", "content-length", "transfer-encoding", "host"];

/// Configures a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: String,
    prefix: ApiPrefix,
    connect_timeout: Duration,
    timeout: Duration,
    headers: Vec<(String, String)>,
    user_agent: String,
    user_id: String,
    connected_account: Option<String>,
    toolkit_versions: BTreeMap<String, String>,
    allow_latest: bool,
    validate: bool,
    retry: RetryPolicy,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("headers", &header_names)
            .field("user_agent", &self.user_agent)
            .field("user_id", &self.user_id)
            .field("connected_account", &self.connected_account)
            .field("toolkit_versions", &self.toolkit_versions)
            .field("allow_latest", &self.allow_latest)
            .field("validate", &self.validate)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            prefix: ApiPrefix::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            headers: Vec::new(),
            user_agent: concat!("composio-typed/", env!("CARGO_PKG_VERSION")).to_owned(),
            user_id: DEFAULT_USER_ID.to_owned(),
            connected_account: None,
            toolkit_versions: BTreeMap::new(),
            allow_latest: false,
            validate: true,
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder from the environment, to adjust before [`ClientBuilder::build`]. See
    /// [`Client::from_env`].
    pub fn from_env() -> Result<ClientBuilder> {
        Self::from_vars(std::env::vars())
    }

    /// A builder from `(name, value)` pairs read as the environment.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<ClientBuilder> {
        let mut builder = ClientBuilder::default();
        let mut key = None;
        for (name, value) in vars {
            match name.as_str() {
                "COMPOSIO_API_KEY" => key = Some(value),
                "COMPOSIO_BASE_URL" if !value.trim().is_empty() => builder.base_url = value,
                _ => {
                    // An empty variable reads as unset, as `COMPOSIO_BASE_URL` does.
                    if let Some(toolkit) = name.strip_prefix("COMPOSIO_TOOLKIT_VERSION_")
                        && !toolkit.is_empty()
                        && !value.trim().is_empty()
                    {
                        builder.toolkit_versions.insert(toolkit.to_ascii_lowercase(), value.trim().to_owned());
                    }
                }
            }
        }
        match key.filter(|k| !k.trim().is_empty()) {
            Some(key) => builder.api_key = Some(ApiKey::new(key.trim())),
            None => return Err(Error::Config("COMPOSIO_API_KEY is not set".into())),
        }
        Ok(builder)
    }

    /// The API key (header `x-api-key`).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API host, `https://backend.composio.dev` by default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The API path prefix, `/api/v3` by default.
    pub fn api_prefix(mut self, prefix: ApiPrefix) -> Self {
        self.prefix = prefix;
        self
    }

    /// Time allowed to establish a connection (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body (60 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A header sent with every API request (not with file transfers to storage). The headers
    /// the client sets itself (`x-api-key`, `content-type`, `content-length`,
    /// `transfer-encoding`, `host`) are refused by [`ClientBuilder::build`]; set the user agent
    /// with [`ClientBuilder::user_agent`].
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The user tools run as (`default` unless set).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Run tools through this connected account.
    pub fn connected_account(mut self, id: impl Into<String>) -> Self {
        self.connected_account = Some(id.into());
        self
    }

    /// Run a toolkit's tools on this version instead of the one their types were generated
    /// from. The types may then not match what the server runs: prefer regenerating.
    pub fn toolkit_version(mut self, toolkit: impl Into<String>, version: impl Into<String>) -> Self {
        self.toolkit_versions.insert(toolkit.into().to_ascii_lowercase(), version.into());
        self
    }

    /// Let calls run on the toolkit version `latest`. Off by default: `latest` changes without
    /// notice, and typed bindings are only right for the version they were generated from.
    pub fn allow_latest(mut self, allow: bool) -> Self {
        self.allow_latest = allow;
        self
    }

    /// Whether typed calls check their arguments against the schema's constraints before
    /// sending (see [`crate::validate`]). On by default; a call that breaks one fails with
    /// [`Error::InvalidArguments`] and sends nothing. `Call::skip_validation` turns it off for
    /// one call.
    pub fn validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let api_key =
            self.api_key.ok_or_else(|| Error::Config("no API key: set COMPOSIO_API_KEY or call api_key()".into()))?;
        let mut api_key = match HeaderValue::from_str(api_key.expose()) {
            Ok(value) if !api_key.expose().is_empty() => value,
            _ => return Err(Error::Config("the API key is empty or not a valid header value".into())),
        };
        api_key.set_sensitive(true);
        let base = self.base_url.trim().trim_end_matches('/').to_owned();
        let parsed = Url::parse(&base).map_err(|e| Error::Config(format!("base URL `{base}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::Config(format!("base URL `{base}` is not an http(s) URL")));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
            if RESERVED_HEADERS.contains(&header.as_str()) {
                return Err(Error::Config(format!("header `{name}` is set by the client and cannot be configured")));
            }
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("header `{name}` has an invalid value")))?;
            headers.append(header, value);
        }
        for (toolkit, version) in &self.toolkit_versions {
            if version.trim().is_empty() {
                return Err(Error::Config(format!("empty version configured for toolkit `{toolkit}`")));
            }
        }
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .redirect(api_origin_redirects(parsed.clone()))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: base,
                prefix: self.prefix,
                api_key,
                toolkit_versions: self.toolkit_versions,
                allow_latest: self.allow_latest,
                validate: self.validate,
                retry: self.retry,
                headers,
            }),
            user_id: self.user_id.into(),
            connected_account: self.connected_account.map(Into::into),
        })
    }
}

/// How many redirects one request follows, as reqwest's default policy.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Redirects of requests to the API are followed only within the API's origin. On a redirect to
/// another host reqwest strips `Authorization` and cookies but not `x-api-key` or custom
/// headers, and a 307 or 308 sends the body again; so such a redirect is not followed but
/// returned as the answer, which the transport turns into an error naming where it pointed.
/// Requests that start elsewhere go to file storage through presigned URLs, which carry no key
/// and no custom header: they follow redirects anywhere (a storage region redirect, say).
fn api_origin_redirects(api: reqwest::Url) -> reqwest::redirect::Policy {
    let api = api.origin();
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.stop();
        }
        let started_at_api = attempt.previous().first().is_some_and(|first| first.origin() == api);
        if started_at_api && attempt.url().origin() != api { attempt.stop() } else { attempt.follow() }
    })
}

/// The client's own TLS configuration, on ring. reqwest, built without a provider of its own,
/// would otherwise need rustls' process-wide default: installing one behind the application's
/// back makes the application's own `install_default` fail later. Certificates are checked by
/// the platform's verifier and ALPN offers HTTP/2 and HTTP/1.1, as reqwest's own configuration
/// does.
fn tls_config() -> Result<rustls::ClientConfig> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let tls_error = |e: rustls::Error| Error::Config(format!("TLS: {e}"));
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_platform_verifier()
        .map_err(tls_error)?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
