//! Trigger instances: one trigger type watching one connected account with one config.
//!
//! Creating is an upsert (the platform keys an instance by trigger type and account), so it is
//! safe to repeat. Enabling, disabling and deleting are idempotent too, and the platform's 409
//! "already enabled/disabled/deleted" is an [`Applied::Already`], not an error.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::{AccountQuery, ConnectionStatus, Pages, comma_list, encode};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::encode_segment;
use crate::triggers::TriggerType;

/// The trigger instance routes, from [`Client::trigger_instances`].
#[derive(Clone, Copy, Debug)]
pub struct TriggerInstances<'a> {
    client: &'a Client,
}

impl Client {
    /// Trigger instances: create (upsert), list, enable, disable, delete.
    pub fn trigger_instances(&self) -> TriggerInstances<'_> {
        TriggerInstances { client: self }
    }
}

/// An active (or, when asked, disabled) trigger instance.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TriggerInstance {
    /// Id, `ti_…`.
    pub id: String,
    /// The trigger type (`trigger_name` on the wire).
    #[serde(rename = "trigger_name")]
    pub trigger_slug: String,
    /// The connected account it watches.
    #[serde(default)]
    pub connected_account_id: Option<String>,
    /// The user of that account.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Its config, as stored.
    #[serde(default)]
    pub trigger_config: Value,
    /// When it was disabled; `None` while enabled.
    #[serde(default)]
    pub disabled_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The toolkit version it runs on, when the platform says.
    #[serde(default)]
    pub version: Option<String>,
}

/// Filters of `GET /trigger_instances/active`; empty lists filter nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActiveTriggerQuery {
    /// Only instances on these connected accounts.
    pub connected_account_ids: Vec<String>,
    /// Only instances of these auth configs.
    pub auth_config_ids: Vec<String>,
    /// Only these instances (`ti_…`).
    pub trigger_ids: Vec<String>,
    /// Only these trigger types.
    pub trigger_slugs: Vec<String>,
    /// Only these users' instances.
    pub user_ids: Vec<String>,
    /// Disabled ones too.
    pub show_disabled: bool,
}

impl ActiveTriggerQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only instances of trigger type `T`.
    pub fn of<T: TriggerType>(mut self) -> Self {
        self.trigger_slugs.push(T::SLUG.to_owned());
        self
    }

    /// Only instances on this connected account.
    pub fn connected_account(mut self, id: impl Into<String>) -> Self {
        self.connected_account_ids.push(id.into());
        self
    }

    /// Only this user's instances.
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_ids.push(user_id.into());
        self
    }

    /// Disabled instances too.
    pub fn show_disabled(mut self, show: bool) -> Self {
        self.show_disabled = show;
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let lists = [
            ("connected_account_ids", &self.connected_account_ids),
            ("auth_config_ids", &self.auth_config_ids),
            ("trigger_ids", &self.trigger_ids),
            ("trigger_names", &self.trigger_slugs),
            ("user_ids", &self.user_ids),
        ];
        let mut pairs: Vec<(&'static str, String)> =
            lists.into_iter().filter_map(|(key, list)| comma_list(list).map(|v| (key, v))).collect();
        if self.show_disabled {
            pairs.push(("show_disabled", "true".into()));
        }
        pairs
    }
}

/// How an enable, disable or delete ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The change was made.
    Done,
    /// The instance was already in that state (the platform's 409): nothing to do.
    Already,
}

impl<'a> TriggerInstances<'a> {
    /// Creates or updates the instance of trigger type `T` with `config`, on the client's
    /// connected account when it has one, else on the client user's active account of `T`'s
    /// toolkit (as the official SDKs resolve it). Returns the instance id, `ti_…`.
    pub async fn upsert<T: TriggerType>(&self, config: &T::Config) -> Result<String> {
        let name = "trigger_instances.upsert";
        let config =
            serde_json::to_value(config).map_err(|e| Error::Encode { slug: T::SLUG.into(), message: e.to_string() })?;
        let account = match self.client.connected_account() {
            Some(id) => id.to_owned(),
            None => self.resolve_account(T::TOOLKIT).await?,
        };
        #[derive(Serialize)]
        struct Body<'b> {
            connected_account_id: &'b str,
            trigger_config: &'b Value,
            toolkit_versions: std::collections::BTreeMap<&'b str, &'b str>,
        }
        let body = Body {
            connected_account_id: &account,
            trigger_config: &config,
            toolkit_versions: [(T::TOOLKIT, T::VERSION)].into_iter().collect(),
        };
        #[derive(Deserialize)]
        struct Answer {
            trigger_id: String,
        }
        let path = format!("/trigger_instances/{}/upsert", encode_segment(T::SLUG));
        // An upsert of the same type, account and config lands on the same instance: safe to repeat.
        let kind = Kind::Write { idempotent: true };
        let answer: Answer =
            self.client.json_call(Method::POST, &path, &[], Some(encode(&body, name)?), kind, name).await?;
        Ok(answer.trigger_id)
    }

    /// The newest active account of `toolkit` for the client's user.
    async fn resolve_account(&self, toolkit: &str) -> Result<String> {
        let user = self.client.user_id();
        let query = AccountQuery::new().user(user).toolkit(toolkit).status(ConnectionStatus::Active);
        let accounts = self.client.connected_accounts().list(&query).collect().await?;
        let newest = accounts.into_iter().max_by(|a, b| a.created_at.cmp(&b.created_at));
        newest
            .map(|a| a.id)
            .ok_or_else(|| Error::NoConnectedAccount { user_id: user.to_owned(), toolkit: toolkit.to_owned() })
    }

    /// `GET /trigger_instances/active`, every page.
    pub fn list_active(&self, query: &ActiveTriggerQuery) -> Pages<TriggerInstance> {
        Pages::new(self.client, "/trigger_instances/active", query.pairs(), "trigger_instances.list")
    }

    /// Enables an instance (`ti_…`).
    pub async fn enable(&self, id: &str) -> Result<Applied> {
        self.manage(Method::PATCH, id, Some("enable")).await
    }

    /// Disables an instance: it stops firing until enabled again.
    pub async fn disable(&self, id: &str) -> Result<Applied> {
        self.manage(Method::PATCH, id, Some("disable")).await
    }

    /// Deletes an instance.
    pub async fn delete(&self, id: &str) -> Result<Applied> {
        self.manage(Method::DELETE, id, None).await
    }

    async fn manage(&self, method: Method, id: &str, status: Option<&str>) -> Result<Applied> {
        let name = if status.is_some() { "trigger_instances.status" } else { "trigger_instances.delete" };
        let path = format!("/trigger_instances/manage/{}", encode_segment(id));
        let body = status.map(|s| encode(&serde_json::json!({ "status": s }), name)).transpose()?;
        let kind = Kind::Write { idempotent: true };
        match self.client.json_call::<Value>(method, &path, &[], body, kind, name).await {
            Ok(_) => Ok(Applied::Done),
            Err(Error::Api(api)) if api.status == 409 => Ok(Applied::Already),
            Err(e) => Err(e),
        }
    }
}
