//! The redirect Composio sends the user's browser to when a login ends.

use reqwest::Url;

use super::{ConnectedAccount, open_enum};
use crate::client::Client;
use crate::error::{Error, Result};

open_enum! {
    /// What the callback URL claims (`status`). A claim only: confirm it with
    /// [`Callback::confirm`].
    CallbackStatus {
        /// `success`.
        Success = "success",
        /// `failed`.
        Failed = "failed",
    }
}

/// The parameters Composio appends to a callback URL, and the caller's own ones, kept.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// What the redirect claims.
    pub status: CallbackStatus,
    /// The account it is about (`ca_…`).
    pub connected_account_id: String,
    /// The other query parameters, in order: the ones the callback URL was given with.
    pub params: Vec<(String, String)>,
}

/// The parameter names Composio appends, and the older names of the v1 API.
const STATUS: [&str; 2] = ["status", "connection_status"];
const ACCOUNT: [&str; 2] = ["connected_account_id", "connectedAccountId"];

impl Callback {
    /// Reads a callback URL: absolute (`https://app.example/cb?…`) or as a server sees it
    /// (`/cb?…`).
    pub fn parse(url: &str) -> Result<Callback> {
        let parsed = Url::parse(url)
            .or_else(|_| Url::parse("http://callback.invalid").and_then(|base| base.join(url)))
            .map_err(|_| Error::InvalidCallback("not a URL".into()))?;
        let mut status = None;
        let mut account = None;
        let mut params = Vec::new();
        for (key, value) in parsed.query_pairs() {
            if STATUS.contains(&key.as_ref()) {
                status.get_or_insert_with(|| value.into_owned());
            } else if ACCOUNT.contains(&key.as_ref()) {
                account.get_or_insert_with(|| value.into_owned());
            } else {
                params.push((key.into_owned(), value.into_owned()));
            }
        }
        let connected_account_id = account
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::InvalidCallback("no `connected_account_id` parameter".into()))?;
        let status = status.ok_or_else(|| Error::InvalidCallback("no `status` parameter".into()))?;
        Ok(Callback { status: CallbackStatus::from(status.as_str()), connected_account_id, params })
    }

    /// One of the caller's own parameters.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Reads the account and returns it if it is really `ACTIVE`, whatever the URL claims:
    /// anyone can type `status=success` into a browser. Otherwise
    /// [`Error::ConnectionFailed`] with the account's status and reason.
    pub async fn confirm(&self, client: &Client) -> Result<ConnectedAccount> {
        let account = client.connected_accounts().get(&self.connected_account_id).await?;
        if account.is_active() {
            Ok(account)
        } else {
            Err(Error::ConnectionFailed {
                connected_account_id: account.id,
                status: account.status,
                status_reason: account.status_reason,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_callers_parameters() {
        let cb = Callback::parse(
            "https://app.example/cb?user_id=user_123&source=onboarding&status=success&connected_account_id=ca_abc123",
        )
        .unwrap();
        assert_eq!(cb.status, CallbackStatus::Success);
        assert_eq!(cb.connected_account_id, "ca_abc123");
        assert_eq!(cb.params, [("user_id".to_owned(), "user_123".to_owned()), ("source".into(), "onboarding".into())]);
        let relative = Callback::parse("/cb?status=failed&connected_account_id=ca_1&x=a%20b").unwrap();
        assert_eq!((&relative.status, relative.param("x")), (&CallbackStatus::Failed, Some("a b")));
        let legacy = Callback::parse("/cb?connection_status=success&connectedAccountId=ca_2").unwrap();
        assert_eq!(legacy.connected_account_id, "ca_2");
    }

    #[test]
    fn refuses_a_url_without_the_parameters() {
        for bad in ["/cb?status=success", "/cb?connected_account_id=ca_1", "/cb?status=success&connected_account_id="] {
            assert!(matches!(Callback::parse(bad), Err(Error::InvalidCallback(_))), "{bad}");
        }
    }
}
