//! Connecting a user to a toolkit in one call, as the SDKs' `toolkits.authorize` does.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::{AuthConfigQuery, ConnectionRequest, NewAuthConfig};
use crate::client::Client;
use crate::error::Result;

/// A toolkit authorization: `.await` it for a [`ConnectionRequest`].
#[must_use = "nothing is authorized until it is awaited"]
#[derive(Debug)]
pub struct Authorize<'a> {
    client: &'a Client,
    toolkit: String,
    callback_url: Option<String>,
    alias: Option<String>,
    allow_multiple: bool,
}

impl Client {
    /// Starts connecting the client's user to `toolkit`: picks the toolkit's first enabled
    /// auth config, creating the Composio-managed one if it has none, and creates a Connect
    /// Link through it. A user who already has an active account of the toolkit is refused
    /// with [`Error::AccountExists`](crate::Error::AccountExists) unless
    /// [`Authorize::allow_multiple`] says otherwise.
    pub fn authorize(&self, toolkit: &str) -> Authorize<'_> {
        Authorize {
            client: self,
            toolkit: toolkit.to_ascii_lowercase(),
            callback_url: None,
            alias: None,
            allow_multiple: false,
        }
    }
}

impl<'a> Authorize<'a> {
    /// Where the user's browser goes when the login ends.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// A name for the new account among the user's accounts of the toolkit.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Whether a user who already has an active account of the toolkit may connect another.
    pub fn allow_multiple(mut self, allow: bool) -> Self {
        self.allow_multiple = allow;
        self
    }

    /// Finds or creates the auth config and creates the link.
    pub async fn send(self) -> Result<ConnectionRequest> {
        let accounts = self.client.connected_accounts();
        // Checked before anything is created, so a refusal leaves no auth config behind.
        if !self.allow_multiple {
            accounts.ensure_none_active(self.client.user_id(), &self.toolkit).await?;
        }
        let configs = self.client.auth_configs();
        let mut listing = configs.list(&AuthConfigQuery::new().toolkit(&self.toolkit));
        let mut found = None;
        while let Some(config) = listing.try_next().await? {
            // The filter is the server's to apply; the choice is checked here.
            if config.is_enabled() && config.toolkit.slug.eq_ignore_ascii_case(&self.toolkit) {
                found = Some(config.id);
                break;
            }
        }
        let auth_config_id = match found {
            Some(id) => id,
            None => configs.create(&self.toolkit, NewAuthConfig::composio_managed()).await?.id,
        };
        let mut link = accounts.link(auth_config_id).allow_multiple(true).known_toolkit(&self.toolkit);
        if let Some(url) = self.callback_url {
            link = link.callback_url(url);
        }
        if let Some(alias) = self.alias {
            link = link.alias(alias);
        }
        link.send().await
    }
}

impl<'a> IntoFuture for Authorize<'a> {
    type Output = Result<ConnectionRequest>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ConnectionRequest>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
