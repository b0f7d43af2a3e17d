//! Auth configs and connected accounts with real state: what the account routes read and
//! change, and the [`TestServer`] methods that play the user or the clock.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::TestServer;
use crate::state::lock;

/// How long a Connect Link lives on the real platform.
pub(crate) const LINK_LIFETIME: Duration = Duration::from_secs(600);

/// What the real platform says when a link was not completed in time.
pub(crate) const EXPIRED_REASON: &str = "Connection initiation did not complete within 10 minutes";

/// One auth config.
#[derive(Debug, Clone)]
pub(crate) struct AuthConfigRec {
    pub id: String,
    pub seq: u64,
    pub toolkit: String,
    pub name: String,
    pub managed: bool,
    pub auth_scheme: String,
    pub enabled: bool,
    pub credentials: Map<String, Value>,
    pub tool_access: Vec<String>,
    pub proxy_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A pending Connect Link of an account.
#[derive(Debug, Clone)]
pub(crate) struct LinkRec {
    pub token: String,
    pub expires_at: SystemTime,
    pub callback_url: Option<String>,
    /// Set by [`TestServer::fail_link`]: the user's visit fails with this reason.
    pub fail: Option<String>,
}

/// One connected account.
#[derive(Debug, Clone)]
pub(crate) struct AccountRec {
    pub id: String,
    pub seq: u64,
    pub user_id: String,
    pub toolkit: String,
    pub auth_config_id: String,
    pub auth_scheme: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub alias: Option<String>,
    /// The scheme's fields of `state.val`, besides `status`.
    pub val: Map<String, Value>,
    pub link: Option<LinkRec>,
    pub created_at: String,
    pub updated_at: String,
}

/// Every auth config and account of the server.
#[derive(Debug)]
pub(crate) struct Accounts {
    pub link_lifetime: Duration,
    pub auth_configs: BTreeMap<String, AuthConfigRec>,
    pub accounts: BTreeMap<String, AccountRec>,
    /// Link token → account id.
    pub links: BTreeMap<String, String>,
    next: u64,
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts {
            link_lifetime: LINK_LIFETIME,
            auth_configs: BTreeMap::new(),
            accounts: BTreeMap::new(),
            links: BTreeMap::new(),
            next: 1,
        }
    }
}

impl Accounts {
    /// A fresh sequence number, for ids and creation order.
    pub fn next(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Expires every link whose time has passed, as the platform's 10-minute sweep does.
    pub fn sweep(&mut self, now: SystemTime) {
        for account in self.accounts.values_mut() {
            let expired = account.link.as_ref().is_some_and(|l| l.expires_at <= now);
            if expired && account.status == "INITIATED" {
                expire(account);
            }
        }
    }

    /// The account with the auth config it belongs to, as `GET` serves it.
    pub fn account_json(&self, account: &AccountRec, with_params: bool) -> Value {
        let config = self.auth_configs.get(&account.auth_config_id);
        let mut val = account.val.clone();
        val.insert("status".into(), json!(account.status));
        let mut body = json!({
            "id": account.id,
            "toolkit": {"slug": account.toolkit},
            "auth_config": {
                "id": account.auth_config_id,
                "auth_scheme": account.auth_scheme,
                "is_composio_managed": config.is_some_and(|c| c.managed),
                "is_disabled": config.is_some_and(|c| !c.enabled),
            },
            "user_id": account.user_id,
            "status": account.status,
            "status_reason": account.status_reason,
            "is_disabled": account.status == "INACTIVE",
            "alias": account.alias,
            "state": {"authScheme": account.auth_scheme, "val": val},
            "data": {},
            "created_at": account.created_at,
            "updated_at": account.updated_at,
            "test_request_endpoint": "",
        });
        if with_params {
            body["params"] = json!({});
        }
        body
    }
}

/// Marks an account's link as run out.
pub(crate) fn expire(account: &mut AccountRec) {
    account.status = "EXPIRED".into();
    account.status_reason = Some(EXPIRED_REASON.into());
    account.val = Map::from_iter([("expired_at".to_string(), json!(rfc3339(SystemTime::now())))]);
    account.updated_at = rfc3339(SystemTime::now());
}

/// `2026-11-29T23:40:00.000Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

impl TestServer {
    /// Makes the user's visit of this account's Connect Link fail: the account becomes
    /// `FAILED` with `reason` as its `status_reason`, and the browser is sent to the callback
    /// with `status=failed`. Returns whether the account has a pending link.
    pub fn fail_link(&self, connected_account_id: &str, reason: &str) -> bool {
        let mut store = lock(&self.state().accounts);
        match store.accounts.get_mut(connected_account_id).and_then(|a| a.link.as_mut()) {
            Some(link) => {
                link.fail = Some(reason.to_string());
                true
            }
            None => false,
        }
    }

    /// Expires this account's Connect Link now, as if ten minutes had passed: the account
    /// becomes `EXPIRED` and a visit of the link answers 410. Returns whether the account was
    /// waiting for its link.
    pub fn expire_link(&self, connected_account_id: &str) -> bool {
        let mut store = lock(&self.state().accounts);
        match store.accounts.get_mut(connected_account_id) {
            Some(account) if account.status == "INITIATED" && account.link.is_some() => {
                expire(account);
                true
            }
            _ => false,
        }
    }

    /// A connected account as `GET /connected_accounts/{id}` serves it, for assertions;
    /// `None` once deleted.
    pub fn connected_account(&self, id: &str) -> Option<Value> {
        let mut store = lock(&self.state().accounts);
        store.sweep(SystemTime::now());
        store.accounts.get(id).map(|a| store.account_json(a, false))
    }

    /// The credentials an auth config was created or updated with, unmasked, for assertions.
    pub fn auth_config_credentials(&self, id: &str) -> Option<Value> {
        lock(&self.state().accounts).auth_configs.get(id).map(|c| Value::Object(c.credentials.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_995_600_250);
        assert_eq!(rfc3339(t), "2026-11-29T23:40:00.250Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_164_800);
        assert_eq!(rfc3339(leap), "2024-02-29T00:00:00.000Z");
    }
}
