//! Waiting for a connection: [`ConnectionRequest`].

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use super::ConnectedAccount;
use super::time::parse_rfc3339;
use crate::client::Client;
use crate::error::{Error, Result};

/// How long [`ConnectionRequest::wait`] waits, as the official SDKs do.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// The first pause between polls; each pause is half as long again as the previous one.
const FIRST_POLL: Duration = Duration::from_secs(1);
/// The longest pause between polls.
const MAX_POLL: Duration = Duration::from_secs(5);

/// A connection the user still has to complete: the link to send them to, and
/// [`ConnectionRequest::wait`] to learn how it ended.
#[derive(Clone)]
pub struct ConnectionRequest {
    client: Client,
    connected_account_id: String,
    redirect_url: Option<String>,
    expires_at: Option<String>,
    first_poll: Duration,
}

impl fmt::Debug for ConnectionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionRequest")
            .field("connected_account_id", &self.connected_account_id)
            .field("redirect_url", &self.redirect_url)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl ConnectionRequest {
    /// A request for account `id`, as a link, an initiate, a refresh or a session's
    /// authorize answered it.
    pub(crate) fn new(
        client: &Client,
        id: impl Into<String>,
        redirect_url: Option<String>,
        expires_at: Option<String>,
    ) -> Self {
        ConnectionRequest {
            client: client.clone(),
            connected_account_id: id.into(),
            redirect_url,
            expires_at,
            first_poll: FIRST_POLL,
        }
    }

    /// The account being connected (`ca_…`).
    pub fn connected_account_id(&self) -> &str {
        &self.connected_account_id
    }

    /// Where to send the user. `None` when the scheme needs no login (an API key given
    /// upfront).
    pub fn redirect_url(&self) -> Option<&str> {
        self.redirect_url.as_deref()
    }

    /// When the link expires (RFC 3339), if it does.
    pub fn expires_at(&self) -> Option<&str> {
        self.expires_at.as_deref()
    }

    /// The first pause between polls (1 s by default); later pauses grow by half each time, up
    /// to 5 s or this pause if it is longer.
    pub fn poll_interval(mut self, first: Duration) -> Self {
        self.first_poll = first;
        self
    }

    /// Waits up to [`DEFAULT_WAIT`] for the account to become `ACTIVE`. See
    /// [`ConnectionRequest::wait_for`].
    pub async fn wait(&self) -> Result<ConnectedAccount> {
        self.wait_for(DEFAULT_WAIT).await
    }

    /// Polls the account, pausing longer each time, until it is `ACTIVE`, and returns it.
    ///
    /// Returns [`Error::ConnectionFailed`] at once, with the platform's `status_reason`, when
    /// the account is `FAILED`, `EXPIRED` or `REVOKED`; [`Error::ConnectionTimeout`] when
    /// `timeout` passes, or the link's expiry if that comes first (waiting past it cannot
    /// succeed); and the API's error if the account cannot be read (a 404 when it is gone).
    pub async fn wait_for(&self, timeout: Duration) -> Result<ConnectedAccount> {
        let started = Instant::now();
        let expiry = self.expires_at.as_deref().and_then(parse_rfc3339);
        let (budget, link_bound) = budget(SystemTime::now(), timeout, expiry);
        // A timeout too long for the clock to represent is no deadline at all.
        let deadline = started.checked_add(budget);
        let accounts = self.client.connected_accounts();
        let mut pause = self.first_poll;
        let cap = MAX_POLL.max(self.first_poll);
        loop {
            let account = accounts.get(&self.connected_account_id).await?;
            if account.is_active() {
                return Ok(account);
            }
            if account.status.is_terminal() {
                return Err(Error::ConnectionFailed {
                    connected_account_id: self.connected_account_id.clone(),
                    status: account.status,
                    status_reason: account.status_reason,
                });
            }
            let now = Instant::now();
            let left = deadline.map(|d| d.saturating_duration_since(now));
            if left == Some(Duration::ZERO) {
                return Err(Error::ConnectionTimeout {
                    connected_account_id: self.connected_account_id.clone(),
                    last_status: account.status,
                    waited: now - started,
                    link_expired: link_bound,
                });
            }
            // The last poll lands on the deadline itself, so a login finished just before it
            // still counts.
            tokio::time::sleep(left.map_or(pause, |left| pause.min(left))).await;
            pause = pause.saturating_add(pause / 2).min(cap);
        }
    }
}

/// How long a wait may last: `timeout`, or less when the link expires sooner; and whether the
/// expiry is what bounds it.
fn budget(now: SystemTime, timeout: Duration, expiry: Option<SystemTime>) -> (Duration, bool) {
    match expiry {
        Some(expiry) => {
            let left = expiry.duration_since(now).unwrap_or(Duration::ZERO);
            if left < timeout { (left, true) } else { (timeout, false) }
        }
        None => (timeout, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_never_outlasts_the_link() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let minute = Duration::from_secs(60);
        assert_eq!(budget(now, minute, None), (minute, false));
        assert_eq!(budget(now, minute, Some(now + Duration::from_secs(600))), (minute, false));
        assert_eq!(budget(now, minute, Some(now + Duration::from_secs(5))), (Duration::from_secs(5), true));
        // Already expired: one poll, then the answer.
        assert_eq!(budget(now, minute, Some(now - Duration::from_secs(5))), (Duration::ZERO, true));
    }
}
