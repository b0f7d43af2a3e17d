//! Auth configs: how a toolkit authenticates. List, get, create, update, enable, disable,
//! delete.

use reqwest::Method;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{Pages, ToolkitRef, comma_list, encode, lenient_count_or_zero, open_enum};
use crate::client::Client;
use crate::error::Result;
use crate::retry::Kind;
use crate::secret::{Credentials, Secret};
use crate::transport::encode_segment;

open_enum! {
    /// How a connection authenticates (`authScheme` in requests, `auth_scheme` in answers).
    AuthScheme {
        /// OAuth 2.
        OAuth2 = "OAUTH2",
        /// OAuth 1.
        OAuth1 = "OAUTH1",
        /// An API key.
        ApiKey = "API_KEY",
        /// User name and password.
        Basic = "BASIC",
        /// Bill.com's own scheme.
        BillcomAuth = "BILLCOM_AUTH",
        /// A bearer token.
        BearerToken = "BEARER_TOKEN",
        /// A Google service account.
        GoogleServiceAccount = "GOOGLE_SERVICE_ACCOUNT",
        /// No authentication.
        NoAuth = "NO_AUTH",
        /// Basic authentication exchanged for a JWT.
        BasicWithJwt = "BASIC_WITH_JWT",
        /// Cal.com's own scheme.
        CalcomAuth = "CALCOM_AUTH",
        /// A service account.
        ServiceAccount = "SERVICE_ACCOUNT",
        /// SAML.
        Saml = "SAML",
        /// OAuth 2 with dynamic client registration.
        DcrOAuth = "DCR_OAUTH",
        /// Server-to-server OAuth 2.
        S2sOAuth2 = "S2S_OAUTH2",
    }
}

open_enum! {
    /// Who owns an auth config, as listings say it (`type`: `default` or `custom`). Not the
    /// create request's `type`, which is [`NewAuthConfig`].
    AuthConfigKind {
        /// Composio's own app (`default`).
        ComposioManaged = "default",
        /// Your app and credentials (`custom`).
        Custom = "custom",
    }
}

open_enum! {
    /// Whether an auth config can be used.
    AuthConfigStatus {
        /// Usable.
        Enabled = "ENABLED",
        /// Disabled: new connections through it are refused.
        Disabled = "DISABLED",
    }
}

/// Which tools an auth config serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolAccessConfig {
    /// Tools whose scopes are requested when an account connects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_for_connected_account_creation: Vec<String>,
    /// Tools that may run through the config (answers only).
    #[serde(default, skip_serializing)]
    pub tools_available_for_execution: Vec<String>,
}

impl ToolAccessConfig {
    /// Request the scopes of these tools when an account connects.
    pub fn for_connection<S: Into<String>>(tools: impl IntoIterator<Item = S>) -> Self {
        ToolAccessConfig {
            tools_for_connected_account_creation: tools.into_iter().map(Into::into).collect(),
            tools_available_for_execution: Vec::new(),
        }
    }
}

/// A proxy the platform sends a custom auth config's requests through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProxyConfig {
    /// The proxy's URL.
    pub proxy_url: String,
    /// The key the proxy expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_auth_key: Option<Secret>,
}

impl ProxyConfig {
    /// A proxy at `url`, with an optional key.
    pub fn new(url: impl Into<String>, auth_key: Option<Secret>) -> Self {
        ProxyConfig { proxy_url: url.into(), proxy_auth_key: auth_key }
    }
}

/// An auth config as listings and `get` return it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct AuthConfig {
    /// Id, `ac_…`.
    pub id: String,
    /// The older UUID id.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Composio-managed (`default`) or your own (`custom`).
    #[serde(rename = "type")]
    pub kind: AuthConfigKind,
    /// The toolkit it authenticates.
    pub toolkit: ToolkitRef,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Enabled or disabled.
    pub status: AuthConfigStatus,
    /// How many accounts are connected through it.
    #[serde(default, deserialize_with = "lenient_count_or_zero")]
    pub no_of_connections: u64,
    /// Which tools it serves.
    #[serde(default)]
    pub tool_access_config: Option<ToolAccessConfig>,
    /// The auth scheme.
    #[serde(default)]
    pub auth_scheme: Option<AuthScheme>,
    /// Whether it uses Composio's app.
    #[serde(default)]
    pub is_composio_managed: Option<bool>,
    /// Its credentials, as far as the platform shows them (often masked). Redacted in `Debug`.
    #[serde(default)]
    pub credentials: Option<Credentials>,
    /// Its proxy, if any.
    #[serde(default)]
    pub proxy_config: Option<ProxyConfig>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub last_updated_at: Option<String>,
}

impl AuthConfig {
    /// Whether it is enabled.
    pub fn is_enabled(&self) -> bool {
        self.status == AuthConfigStatus::Enabled
    }
}

/// The body of a new auth config: Composio's app, or yours. Its `type` on the wire is
/// `use_composio_managed_auth` or `use_custom_auth`, which listings report differently (see
/// [`AuthConfigKind`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum NewAuthConfig {
    /// Composio's OAuth app (`use_composio_managed_auth`).
    #[serde(rename = "use_composio_managed_auth")]
    ComposioManaged(ManagedAuth),
    /// Your own app or scheme (`use_custom_auth`).
    #[serde(rename = "use_custom_auth")]
    Custom(CustomAuth),
}

/// The fields of a Composio-managed auth config.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ManagedAuth {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Scopes to request (`scopes`, `user_scopes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// Which tools' scopes to request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_access_config: Option<ToolAccessConfig>,
}

/// The fields of a custom auth config.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CustomAuth {
    /// The scheme; the only camelCase key of the request.
    #[serde(rename = "authScheme")]
    pub auth_scheme: AuthScheme,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `client_id`, `client_secret`, `api_key`, scopes…
    pub credentials: Credentials,
    /// A proxy for its requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_config: Option<ProxyConfig>,
    /// Which tools' scopes to request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_access_config: Option<ToolAccessConfig>,
}

impl NewAuthConfig {
    /// Composio's own OAuth app, with default scopes.
    pub fn composio_managed() -> Self {
        NewAuthConfig::ComposioManaged(ManagedAuth::default())
    }

    /// Your own app: a scheme and its credentials (`client_id`/`client_secret` for OAuth 2).
    pub fn custom(auth_scheme: AuthScheme, credentials: Credentials) -> Self {
        NewAuthConfig::Custom(CustomAuth {
            auth_scheme,
            name: None,
            credentials,
            proxy_config: None,
            tool_access_config: None,
        })
    }

    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        match &mut self {
            NewAuthConfig::ComposioManaged(m) => m.name = Some(name.into()),
            NewAuthConfig::Custom(c) => c.name = Some(name.into()),
        }
        self
    }

    /// Requests the scopes of these tools when an account connects.
    pub fn tool_access(mut self, config: ToolAccessConfig) -> Self {
        match &mut self {
            NewAuthConfig::ComposioManaged(m) => m.tool_access_config = Some(config),
            NewAuthConfig::Custom(c) => c.tool_access_config = Some(config),
        }
        self
    }

    fn credentials(&self) -> Option<&Credentials> {
        match self {
            NewAuthConfig::ComposioManaged(m) => m.credentials.as_ref(),
            NewAuthConfig::Custom(c) => Some(&c.credentials),
        }
    }

    fn proxy_key(&self) -> Option<&Secret> {
        match self {
            NewAuthConfig::Custom(c) => c.proxy_config.as_ref().and_then(|p| p.proxy_auth_key.as_ref()),
            NewAuthConfig::ComposioManaged(_) => None,
        }
    }
}

/// A change to an auth config. Its `type` is the listing's (`custom`, `default`) and must
/// match the config's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum AuthConfigUpdate {
    /// New credentials for a custom config.
    #[serde(rename = "custom")]
    Custom {
        /// The credentials, replacing the old ones.
        credentials: Credentials,
        /// A new proxy.
        #[serde(skip_serializing_if = "Option::is_none")]
        proxy_config: Option<ProxyConfig>,
        /// New tool access.
        #[serde(skip_serializing_if = "Option::is_none")]
        tool_access_config: Option<ToolAccessConfig>,
    },
    /// New scopes or tool access for a Composio-managed config.
    #[serde(rename = "default")]
    ComposioManaged {
        /// The scopes to request.
        #[serde(skip_serializing_if = "Option::is_none")]
        scopes: Option<Vec<String>>,
        /// New tool access.
        #[serde(skip_serializing_if = "Option::is_none")]
        tool_access_config: Option<ToolAccessConfig>,
    },
}

impl AuthConfigUpdate {
    fn secret_texts(&self) -> Vec<&str> {
        match self {
            AuthConfigUpdate::Custom { credentials, proxy_config, .. } => {
                let mut texts = credentials.secret_texts();
                texts.extend(proxy_config.iter().filter_map(|p| p.proxy_auth_key.as_ref()).map(Secret::expose_secret));
                texts
            }
            AuthConfigUpdate::ComposioManaged { .. } => Vec::new(),
        }
    }
}

/// What creating an auth config returns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreatedAuthConfig {
    /// Id, `ac_…`.
    pub id: String,
    /// The toolkit.
    pub toolkit: String,
    /// Its scheme, when the platform says.
    pub auth_scheme: Option<AuthScheme>,
    /// Whether it uses Composio's app.
    pub is_composio_managed: Option<bool>,
}

#[derive(Deserialize)]
struct WireCreated {
    toolkit: WireSlug,
    auth_config: WireCreatedConfig,
}

#[derive(Deserialize)]
struct WireSlug {
    slug: String,
}

#[derive(Deserialize)]
struct WireCreatedConfig {
    id: String,
    #[serde(default)]
    auth_scheme: Option<AuthScheme>,
    #[serde(default)]
    is_composio_managed: Option<bool>,
}

/// Filters of an auth config listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthConfigQuery {
    /// Only these toolkits.
    pub toolkits: Vec<String>,
    /// Only Composio-managed (`true`) or only custom (`false`) configs.
    pub composio_managed: Option<bool>,
    /// Include disabled configs (left out by default).
    pub show_disabled: bool,
    /// Only configs whose name (or id) contains this.
    pub search: Option<String>,
    /// Page size.
    pub page_size: Option<u32>,
}

impl AuthConfigQuery {
    /// Every enabled auth config.
    pub fn new() -> Self {
        AuthConfigQuery::default()
    }

    /// Only this toolkit's configs; call again for more toolkits.
    pub fn toolkit(mut self, slug: impl Into<String>) -> Self {
        self.toolkits.push(slug.into());
        self
    }

    /// Only Composio-managed (`true`) or only custom (`false`) configs.
    pub fn composio_managed(mut self, managed: bool) -> Self {
        self.composio_managed = Some(managed);
        self
    }

    /// Include disabled configs.
    pub fn show_disabled(mut self, show: bool) -> Self {
        self.show_disabled = show;
        self
    }

    /// Only configs whose name (or id) contains `text`.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Items per page.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(toolkits) = comma_list(&self.toolkits) {
            pairs.push(("toolkit_slug", toolkits));
        }
        if let Some(managed) = self.composio_managed {
            pairs.push(("is_composio_managed", managed.to_string()));
        }
        if self.show_disabled {
            pairs.push(("show_disabled", "true".to_owned()));
        }
        if let Some(search) = &self.search {
            pairs.push(("search", search.clone()));
        }
        if let Some(size) = self.page_size {
            pairs.push(("limit", size.max(1).to_string()));
        }
        pairs
    }
}

/// The auth config routes, from [`Client::auth_configs`].
#[derive(Clone, Copy, Debug)]
pub struct AuthConfigs<'a> {
    client: &'a Client,
}

impl Client {
    /// Auth configs: how toolkits authenticate.
    pub fn auth_configs(&self) -> AuthConfigs<'_> {
        AuthConfigs { client: self }
    }
}

impl AuthConfigs<'_> {
    /// `GET /auth_configs`, every page.
    pub fn list(&self, query: &AuthConfigQuery) -> Pages<AuthConfig> {
        Pages::new(self.client, "/auth_configs", query.pairs(), "auth_configs.list")
    }

    /// `GET /auth_configs/{id}`.
    pub async fn get(&self, id: &str) -> Result<AuthConfig> {
        let path = format!("/auth_configs/{}", encode_segment(id));
        self.client.json_call(Method::GET, &path, &[], None, Kind::Read, "auth_configs.get").await
    }

    /// `POST /auth_configs`: a new auth config for `toolkit`. The credentials are scrubbed from
    /// any error.
    pub async fn create(&self, toolkit: &str, config: NewAuthConfig) -> Result<CreatedAuthConfig> {
        #[derive(Serialize)]
        struct Body<'a> {
            toolkit: Slug<'a>,
            auth_config: &'a NewAuthConfig,
        }
        #[derive(Serialize)]
        struct Slug<'a> {
            slug: &'a str,
        }
        let name = "auth_configs.create";
        let body = encode(&Body { toolkit: Slug { slug: toolkit }, auth_config: &config }, name)?;
        let mut secrets = config.credentials().map(Credentials::secret_texts).unwrap_or_default();
        secrets.extend(config.proxy_key().map(Secret::expose_secret));
        let created: WireCreated = self
            .client
            .json_call_scrubbing(
                Method::POST,
                "/auth_configs",
                &[],
                Some(body),
                Kind::Write { idempotent: false },
                name,
                &secrets,
            )
            .await?;
        Ok(CreatedAuthConfig {
            id: created.auth_config.id,
            toolkit: created.toolkit.slug,
            auth_scheme: created.auth_config.auth_scheme,
            is_composio_managed: created.auth_config.is_composio_managed,
        })
    }

    /// `PATCH /auth_configs/{id}`. The credentials are scrubbed from any error.
    pub async fn update(&self, id: &str, update: &AuthConfigUpdate) -> Result<()> {
        let name = "auth_configs.update";
        let path = format!("/auth_configs/{}", encode_segment(id));
        let body = encode(update, name)?;
        let secrets = update.secret_texts();
        let _: IgnoredAny = self
            .client
            .json_call_scrubbing(
                Method::PATCH,
                &path,
                &[],
                Some(body),
                Kind::Write { idempotent: true },
                name,
                &secrets,
            )
            .await?;
        Ok(())
    }

    /// `PATCH /auth_configs/{id}/ENABLED`.
    pub async fn enable(&self, id: &str) -> Result<()> {
        self.set_status(id, AuthConfigStatus::Enabled).await
    }

    /// `PATCH /auth_configs/{id}/DISABLED`: new connections through it are refused.
    pub async fn disable(&self, id: &str) -> Result<()> {
        self.set_status(id, AuthConfigStatus::Disabled).await
    }

    async fn set_status(&self, id: &str, status: AuthConfigStatus) -> Result<()> {
        let path = format!("/auth_configs/{}/{}", encode_segment(id), status.as_str());
        let kind = Kind::Write { idempotent: true };
        let _: IgnoredAny = self.client.json_call(Method::PATCH, &path, &[], None, kind, "auth_configs.status").await?;
        Ok(())
    }

    /// `DELETE /auth_configs/{id}`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let path = format!("/auth_configs/{}", encode_segment(id));
        let kind = Kind::Write { idempotent: true };
        let _: IgnoredAny =
            self.client.json_call(Method::DELETE, &path, &[], None, kind, "auth_configs.delete").await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_create_type_and_the_listing_type_are_different_words() {
        let managed = serde_json::to_value(NewAuthConfig::composio_managed().name("gh")).unwrap();
        assert_eq!(managed, json!({"type": "use_composio_managed_auth", "name": "gh"}));
        let custom = NewAuthConfig::custom(
            AuthScheme::OAuth2,
            Credentials::new().set("client_id", "id").set("client_secret", "s3cr3t"),
        );
        assert_eq!(
            serde_json::to_value(&custom).unwrap(),
            json!({"type": "use_custom_auth", "authScheme": "OAUTH2",
                   "credentials": {"client_id": "id", "client_secret": "s3cr3t"}})
        );
        let listed: AuthConfig = serde_json::from_value(json!({
            "id": "ac_1", "type": "default", "toolkit": {"slug": "github"}, "status": "ENABLED",
            "no_of_connections": 2.0, "auth_scheme": "SOMETHING_NEW"
        }))
        .unwrap();
        assert_eq!(listed.kind, AuthConfigKind::ComposioManaged);
        assert_eq!(listed.no_of_connections, 2);
        assert_eq!(listed.auth_scheme, Some(AuthScheme::Unknown("SOMETHING_NEW".into())));
        // A listing word is not a create word: nothing maps one onto the other.
        assert_eq!(AuthConfigKind::from("use_custom_auth"), AuthConfigKind::Unknown("use_custom_auth".into()));
    }

    #[test]
    fn update_bodies_use_the_listing_words() {
        let update = AuthConfigUpdate::ComposioManaged { scopes: Some(vec!["repo".into()]), tool_access_config: None };
        assert_eq!(serde_json::to_value(update).unwrap(), json!({"type": "default", "scopes": ["repo"]}));
    }
}
