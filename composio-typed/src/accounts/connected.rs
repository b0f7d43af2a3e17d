//! Connected accounts: Connect Links, the legacy initiate, listing, reading, enabling,
//! disabling, refreshing and deleting.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::state::ConnectionState;
use super::{AuthScheme, ConnectionRequest, Pages, Success, ToolkitRef, comma_list, encode, open_enum};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::encode_segment;

open_enum! {
    /// Where a connection stands. `ACTIVE` is usable; `FAILED`, `EXPIRED` and `REVOKED` end a
    /// wait.
    ConnectionStatus {
        /// Being set up, before the link exists.
        Initializing = "INITIALIZING",
        /// Waiting for the user to finish logging in.
        Initiated = "INITIATED",
        /// Usable.
        Active = "ACTIVE",
        /// The login or the token exchange failed.
        Failed = "FAILED",
        /// The link ran out, or the tokens could no longer be refreshed.
        Expired = "EXPIRED",
        /// Disabled by its owner; enable it to use it again.
        Inactive = "INACTIVE",
        /// Revoked, or deleted.
        Revoked = "REVOKED",
    }
}

impl Default for ConnectionStatus {
    /// The first status of a connection.
    fn default() -> Self {
        ConnectionStatus::Initializing
    }
}

impl ConnectionStatus {
    /// Whether a connection in this status can no longer become `ACTIVE` by itself: waiting
    /// for it is pointless.
    pub fn is_terminal(&self) -> bool {
        matches!(self, ConnectionStatus::Failed | ConnectionStatus::Expired | ConnectionStatus::Revoked)
    }
}

/// The auth config of an account.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AuthConfigRef {
    /// Id, `ac_…`.
    pub id: String,
    /// Its scheme (deprecated by the platform, still sent).
    #[serde(default)]
    pub auth_scheme: Option<AuthScheme>,
    /// Whether it uses Composio's app.
    #[serde(default)]
    pub is_composio_managed: Option<bool>,
    /// Whether it is disabled.
    #[serde(default)]
    pub is_disabled: Option<bool>,
}

/// A connected account: one user's login to one toolkit.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ConnectedAccount {
    /// Id, `ca_…`: pass it to [`Call::connected_account`](crate::Call::connected_account).
    pub id: String,
    /// The toolkit.
    pub toolkit: ToolkitRef,
    /// The auth config it connected through.
    pub auth_config: AuthConfigRef,
    /// The user (deprecated by the platform, still sent).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Where it stands.
    pub status: ConnectionStatus,
    /// Why it is in that status, when the platform says.
    #[serde(default)]
    pub status_reason: Option<String>,
    /// Whether it is disabled.
    #[serde(default)]
    pub is_disabled: bool,
    /// Its name among the user's accounts of the toolkit.
    #[serde(default)]
    pub alias: Option<String>,
    /// Its state: status and tokens, typed by auth scheme. Tokens are redacted in `Debug`.
    #[serde(default)]
    pub state: Option<ConnectionState>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl ConnectedAccount {
    /// Whether it can run tools.
    pub fn is_active(&self) -> bool {
        self.status == ConnectionStatus::Active
    }
}

open_enum! {
    /// What a listing of accounts is sorted by.
    OrderBy {
        /// Creation time (the default).
        CreatedAt = "created_at",
        /// Last change.
        UpdatedAt = "updated_at",
    }
}

open_enum! {
    /// Sort direction.
    OrderDirection {
        /// Oldest first.
        Asc = "asc",
        /// Newest first (the default).
        Desc = "desc",
    }
}

/// Filters of a connected account listing. Each list matches any of its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountQuery {
    /// Only these users' accounts.
    pub user_ids: Vec<String>,
    /// Only these toolkits.
    pub toolkits: Vec<String>,
    /// Only accounts of these auth configs.
    pub auth_config_ids: Vec<String>,
    /// Only these accounts.
    pub connected_account_ids: Vec<String>,
    /// Only accounts in these statuses.
    pub statuses: Vec<ConnectionStatus>,
    /// Sort key.
    pub order_by: Option<OrderBy>,
    /// Sort direction.
    pub order_direction: Option<OrderDirection>,
    /// Page size.
    pub page_size: Option<u32>,
}

impl AccountQuery {
    /// Every account.
    pub fn new() -> Self {
        AccountQuery::default()
    }

    /// Only this user's accounts; call again for more users.
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_ids.push(user_id.into());
        self
    }

    /// Only this toolkit's accounts; call again for more.
    pub fn toolkit(mut self, slug: impl Into<String>) -> Self {
        self.toolkits.push(slug.into());
        self
    }

    /// Only this auth config's accounts; call again for more.
    pub fn auth_config(mut self, id: impl Into<String>) -> Self {
        self.auth_config_ids.push(id.into());
        self
    }

    /// Only this account; call again for more.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.connected_account_ids.push(id.into());
        self
    }

    /// Only accounts in this status; call again for more.
    pub fn status(mut self, status: ConnectionStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Sort order.
    pub fn order(mut self, by: OrderBy, direction: OrderDirection) -> Self {
        self.order_by = Some(by);
        self.order_direction = Some(direction);
        self
    }

    /// Items per page.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let statuses: Vec<&str> = self.statuses.iter().map(ConnectionStatus::as_str).collect();
        let lists = [
            ("user_ids", comma_list(&self.user_ids)),
            ("toolkit_slugs", comma_list(&self.toolkits)),
            ("auth_config_ids", comma_list(&self.auth_config_ids)),
            ("connected_account_ids", comma_list(&self.connected_account_ids)),
            ("statuses", comma_list(&statuses)),
            ("order_by", self.order_by.as_ref().map(|o| o.as_str().to_owned())),
            ("order_direction", self.order_direction.as_ref().map(|o| o.as_str().to_owned())),
            ("limit", self.page_size.map(|s| s.max(1).to_string())),
        ];
        lists.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
    }
}

/// What a refresh returns.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Refreshed {
    /// The account.
    pub id: String,
    /// Its status now.
    pub status: ConnectionStatus,
    /// Where the user logs in again, when the scheme needs it.
    #[serde(default)]
    pub redirect_url: Option<String>,
}

impl Refreshed {
    /// A request to wait on until the account is `ACTIVE` again.
    pub fn into_request(self, client: &Client) -> ConnectionRequest {
        ConnectionRequest::new(client, self.id, self.redirect_url, None)
    }
}

/// The connected account routes, from [`Client::connected_accounts`].
#[derive(Clone, Copy, Debug)]
pub struct ConnectedAccounts<'a> {
    client: &'a Client,
}

impl Client {
    /// Connected accounts: users' logins to toolkits.
    pub fn connected_accounts(&self) -> ConnectedAccounts<'_> {
        ConnectedAccounts { client: self }
    }
}

impl<'a> ConnectedAccounts<'a> {
    /// A hosted Connect Link for the client's user through auth config `auth_config_id`
    /// (`POST /connected_accounts/link`); adjust it, then `.await` it.
    pub fn link(&self, auth_config_id: impl Into<String>) -> Link<'a> {
        Link {
            client: self.client,
            auth_config_id: auth_config_id.into(),
            user_id: self.client.user_id().to_owned(),
            callback_url: None,
            alias: None,
            allow_multiple: false,
            toolkit: None,
        }
    }

    /// The legacy direct create (`POST /connected_accounts`): for schemes whose credentials
    /// you hold ([`ConnectionState::api_key`] and the like), or an OAuth redirect without a
    /// hosted link. Prefer [`ConnectedAccounts::link`] for OAuth.
    pub fn initiate(&self, auth_config_id: impl Into<String>) -> Initiate<'a> {
        Initiate {
            client: self.client,
            auth_config_id: auth_config_id.into(),
            user_id: self.client.user_id().to_owned(),
            callback_url: None,
            alias: None,
            state: None,
            allow_multiple: false,
        }
    }

    /// `GET /connected_accounts`, every page.
    pub fn list(&self, query: &AccountQuery) -> Pages<ConnectedAccount> {
        Pages::new(self.client, "/connected_accounts", query.pairs(), "connected_accounts.list")
    }

    /// `GET /connected_accounts/{id}`.
    pub async fn get(&self, id: &str) -> Result<ConnectedAccount> {
        let path = format!("/connected_accounts/{}", encode_segment(id));
        self.client.json_call(Method::GET, &path, &[], None, Kind::Read, "connected_accounts.get").await
    }

    /// `DELETE /connected_accounts/{id}`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let path = format!("/connected_accounts/{}", encode_segment(id));
        let kind = Kind::Write { idempotent: true };
        let name = "connected_accounts.delete";
        let answer: Option<Success> = self.client.json_call(Method::DELETE, &path, &[], None, kind, name).await?;
        answer.map_or(Ok(()), |a| a.check(name))
    }

    /// `PATCH /connected_accounts/{id}/status` with `enabled: true`: `ACTIVE` again.
    pub async fn enable(&self, id: &str) -> Result<()> {
        self.set_enabled(id, true).await
    }

    /// `PATCH /connected_accounts/{id}/status` with `enabled: false`: `INACTIVE`.
    pub async fn disable(&self, id: &str) -> Result<()> {
        self.set_enabled(id, false).await
    }

    async fn set_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        let name = "connected_accounts.status";
        let path = format!("/connected_accounts/{}/status", encode_segment(id));
        let body = encode(&serde_json::json!({ "enabled": enabled }), name)?;
        let kind = Kind::Write { idempotent: true };
        let answer: Option<Success> = self.client.json_call(Method::PATCH, &path, &[], Some(body), kind, name).await?;
        answer.map_or(Ok(()), |a| a.check(name))
    }

    /// `POST /connected_accounts/{id}/refresh`: refreshes the credentials, or starts a new
    /// login whose URL is in the answer. `redirect_url` is where the user lands afterwards.
    pub async fn refresh(&self, id: &str, redirect_url: Option<&str>) -> Result<Refreshed> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            redirect_url: Option<&'a str>,
        }
        let name = "connected_accounts.refresh";
        let path = format!("/connected_accounts/{}/refresh", encode_segment(id));
        let body = encode(&Body { redirect_url }, name)?;
        let kind = Kind::Write { idempotent: false };
        self.client.json_call(Method::POST, &path, &[], Some(body), kind, name).await
    }

    /// Refuses a second account of `toolkit` for `user_id` when one is active.
    pub(crate) async fn ensure_none_active(&self, user_id: &str, toolkit: &str) -> Result<()> {
        let query = AccountQuery::new().user(user_id).toolkit(toolkit).status(ConnectionStatus::Active);
        let mut pages = self.list(&query);
        let existing: Vec<String> = match pages.next_page().await? {
            Some(accounts) => accounts
                .into_iter()
                // The filters are the server's to apply; this check does not take them on trust.
                .filter(|a| a.is_active() && a.toolkit.slug.eq_ignore_ascii_case(toolkit))
                .filter(|a| a.user_id.as_deref().is_none_or(|u| u == user_id))
                .map(|a| a.id)
                .collect(),
            None => Vec::new(),
        };
        if existing.is_empty() {
            Ok(())
        } else {
            Err(Error::AccountExists { user_id: user_id.to_owned(), toolkit: toolkit.to_owned(), existing })
        }
    }

    /// The toolkit of an auth config, for the multiple-account check.
    async fn toolkit_of(&self, auth_config_id: &str) -> Result<String> {
        Ok(self.client.auth_configs().get(auth_config_id).await?.toolkit.slug)
    }
}

/// A Connect Link to create: `.await` it for a [`ConnectionRequest`].
#[must_use = "a link is created only when awaited"]
#[derive(Debug)]
pub struct Link<'a> {
    client: &'a Client,
    auth_config_id: String,
    user_id: String,
    callback_url: Option<String>,
    alias: Option<String>,
    allow_multiple: bool,
    /// Known already when [`Client::authorize`] builds the link, which spares a lookup.
    toolkit: Option<String>,
}

#[derive(Serialize)]
struct LinkBody<'a> {
    auth_config_id: &'a str,
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<&'a str>,
}

#[derive(Deserialize)]
struct LinkAnswer {
    connected_account_id: String,
    redirect_url: String,
    #[serde(default)]
    expires_at: Option<String>,
}

impl<'a> Link<'a> {
    /// For this user instead of the client's.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Where the user's browser goes when the login ends; Composio appends `status` and
    /// `connected_account_id` (read them with [`Callback`](super::Callback)).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// A name for the account among the user's accounts of the toolkit.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Whether a user who already has an active account of the toolkit may connect another.
    /// Off by default: the link is refused with [`Error::AccountExists`].
    pub fn allow_multiple(mut self, allow: bool) -> Self {
        self.allow_multiple = allow;
        self
    }

    pub(crate) fn known_toolkit(mut self, toolkit: &str) -> Self {
        self.toolkit = Some(toolkit.to_owned());
        self
    }

    /// Creates the link.
    pub async fn send(self) -> Result<ConnectionRequest> {
        let accounts = self.client.connected_accounts();
        if !self.allow_multiple {
            let toolkit = match &self.toolkit {
                Some(toolkit) => toolkit.clone(),
                None => accounts.toolkit_of(&self.auth_config_id).await?,
            };
            accounts.ensure_none_active(&self.user_id, &toolkit).await?;
        }
        let name = "connected_accounts.link";
        let body = encode(
            &LinkBody {
                auth_config_id: &self.auth_config_id,
                user_id: &self.user_id,
                callback_url: self.callback_url.as_deref(),
                alias: self.alias.as_deref(),
            },
            name,
        )?;
        let kind = Kind::Write { idempotent: false };
        let answer: LinkAnswer =
            self.client.json_call(Method::POST, "/connected_accounts/link", &[], Some(body), kind, name).await?;
        Ok(ConnectionRequest::new(
            self.client,
            answer.connected_account_id,
            Some(answer.redirect_url),
            answer.expires_at,
        ))
    }
}

impl<'a> IntoFuture for Link<'a> {
    type Output = Result<ConnectionRequest>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ConnectionRequest>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A legacy connected account create: `.await` it for a [`ConnectionRequest`].
#[must_use = "an account is created only when awaited"]
#[derive(Debug)]
pub struct Initiate<'a> {
    client: &'a Client,
    auth_config_id: String,
    user_id: String,
    callback_url: Option<String>,
    alias: Option<String>,
    state: Option<ConnectionState>,
    allow_multiple: bool,
}

#[derive(Serialize)]
struct InitiateBody<'a> {
    auth_config: IdRef<'a>,
    connection: Connection<'a>,
}

#[derive(Serialize)]
struct IdRef<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct Connection<'a> {
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a ConnectionState>,
}

#[derive(Deserialize)]
struct InitiateAnswer {
    id: String,
    #[serde(default)]
    redirect_url: Option<String>,
}

impl<'a> Initiate<'a> {
    /// For this user instead of the client's.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Where the user's browser goes when an OAuth login ends.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// A name for the account among the user's accounts of the toolkit.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// The credentials the account starts with ([`ConnectionState::api_key`] and the like).
    /// Scrubbed from any error.
    pub fn state(mut self, state: ConnectionState) -> Self {
        self.state = Some(state);
        self
    }

    /// Whether a user who already has an active account of the toolkit may connect another.
    pub fn allow_multiple(mut self, allow: bool) -> Self {
        self.allow_multiple = allow;
        self
    }

    /// Creates the account.
    pub async fn send(self) -> Result<ConnectionRequest> {
        let accounts = self.client.connected_accounts();
        if !self.allow_multiple {
            let toolkit = accounts.toolkit_of(&self.auth_config_id).await?;
            accounts.ensure_none_active(&self.user_id, &toolkit).await?;
        }
        let name = "connected_accounts.initiate";
        let body = encode(
            &InitiateBody {
                auth_config: IdRef { id: &self.auth_config_id },
                connection: Connection {
                    user_id: &self.user_id,
                    callback_url: self.callback_url.as_deref(),
                    alias: self.alias.as_deref(),
                    state: self.state.as_ref(),
                },
            },
            name,
        )?;
        let secrets = self.state.as_ref().map(ConnectionState::secret_texts).unwrap_or_default();
        let kind = Kind::Write { idempotent: false };
        let answer: InitiateAnswer = self
            .client
            .json_call_scrubbing(Method::POST, "/connected_accounts", &[], Some(body), kind, name, &secrets)
            .await?;
        Ok(ConnectionRequest::new(self.client, answer.id, answer.redirect_url.filter(|u| !u.is_empty()), None))
    }
}

impl<'a> IntoFuture for Initiate<'a> {
    type Output = Result<ConnectionRequest>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ConnectionRequest>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
