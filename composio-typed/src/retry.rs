//! When to try a request again, and how long to wait.
//!
//! Reads (catalog calls, uploads, downloads) are safe to repeat and are retried on 408, 429,
//! 5xx, timeouts and connection errors. Executions are not: a tool that creates an issue must
//! not create two. An execution is retried only when the platform cannot have run it (a 429,
//! or a connection that failed before the request was sent), or when the tool is marked
//! `readOnlyHint` or `idempotentHint`. The official SDKs retry executions blindly after a 5xx
//! or a timeout; this client does not, unless told to with [`ExecuteRetries::Always`].
//!
//! Writes to platform state follow the same rule without a policy switch: a PATCH or DELETE is
//! retried like a read, and a POST that creates something (an auth config, a connected
//! account, a Connect Link) only when it cannot have arrived, so a lost answer never makes a
//! second account.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Which failed executions may be sent again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExecuteRetries {
    /// Retry what cannot have run (429, connection refused), and everything for tools marked
    /// read-only or idempotent. The default.
    #[default]
    Safe,
    /// Never retry an execution.
    Never,
    /// Also retry 5xx answers and timeouts of side-effecting tools, which may run them twice:
    /// what the official SDKs do.
    Always,
}

/// Retry limits and backoff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Wait before the first retry; doubles each time.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// A server's `Retry-After` longer than this is not waited out: the error is returned.
    pub max_retry_after: Duration,
    /// Which executions may be retried.
    pub execute: ExecuteRetries,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            execute: ExecuteRetries::Safe,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// The wait before retry number `retry` (0 for the first), with jitter: a random point in
    /// the upper half of the exponential step, so clients that failed together spread out.
    pub fn backoff(&self, retry: u32) -> Duration {
        let step = self.initial_backoff.saturating_mul(2u32.saturating_pow(retry)).min(self.max_backoff);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// What kind of request is being retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A read, an upload or a download: repeating it is harmless.
    Read,
    /// A tool execution; `retry_safe` when the tool is marked read-only or idempotent.
    Execute { retry_safe: bool },
    /// A change to platform state (an auth config, a connected account, a link). `idempotent`
    /// when sending it twice ends as sending it once (a PATCH to a given state, a DELETE); a
    /// POST that creates something is not, and is repeated only when it cannot have arrived.
    Write { idempotent: bool },
}

/// How an attempt failed, as far as retrying cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection could not be made: the request never left.
    NotSent,
    /// The request was sent and the answer was lost, or never came in time.
    Lost,
    /// An HTTP status.
    Status(u16),
}

/// Whether a failed attempt may be repeated.
pub(crate) fn should_retry(policy: &RetryPolicy, kind: Kind, failure: Failure) -> bool {
    let transient_status = |s: u16| matches!(s, 408 | 429 | 500..=599);
    match kind {
        Kind::Read => match failure {
            Failure::NotSent | Failure::Lost => true,
            Failure::Status(s) => transient_status(s),
        },
        Kind::Execute { retry_safe } => match (policy.execute, failure) {
            (ExecuteRetries::Never, _) => false,
            // Refused before running: repeating cannot run the tool twice.
            (_, Failure::NotSent | Failure::Status(429)) => true,
            (ExecuteRetries::Safe, Failure::Lost) => retry_safe,
            (ExecuteRetries::Safe, Failure::Status(s)) => retry_safe && transient_status(s),
            (ExecuteRetries::Always, Failure::Lost) => true,
            (ExecuteRetries::Always, Failure::Status(s)) => transient_status(s),
        },
        Kind::Write { idempotent } => match failure {
            // Refused before it was handled: repeating cannot create a second one.
            Failure::NotSent | Failure::Status(429) => true,
            Failure::Lost => idempotent,
            Failure::Status(s) => idempotent && transient_status(s),
        },
    }
}

/// The wait a server asks for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP
/// date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(wait) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()).and_then(|ms| seconds(ms / 1000.0)) {
        return Some(wait);
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// A wait in seconds as the server wrote it. Negative and NaN are no wait at all; anything longer
/// than a `Duration` holds is [`Duration::MAX`], which exceeds every `max_retry_after`, so the
/// call gives up with `RateLimited` instead of panicking on the server's number.
fn seconds(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let p = RetryPolicy::default();
        for retry in 0..8 {
            let d = p.backoff(retry);
            let step = Duration::from_millis(500 * 2u64.pow(retry)).min(Duration::from_secs(8));
            assert!(d >= step / 2 && d <= step, "retry {retry}: {d:?}");
        }
    }

    #[test]
    fn executions_repeat_only_when_safe() {
        let p = RetryPolicy::default();
        let side_effect = Kind::Execute { retry_safe: false };
        let idempotent = Kind::Execute { retry_safe: true };
        assert!(should_retry(&p, side_effect, Failure::Status(429)));
        assert!(should_retry(&p, side_effect, Failure::NotSent));
        assert!(!should_retry(&p, side_effect, Failure::Status(502)));
        assert!(!should_retry(&p, side_effect, Failure::Lost));
        assert!(should_retry(&p, idempotent, Failure::Status(503)));
        assert!(should_retry(&p, idempotent, Failure::Lost));
        assert!(!should_retry(&p, idempotent, Failure::Status(404)));
        let never = RetryPolicy { execute: ExecuteRetries::Never, ..p.clone() };
        assert!(!should_retry(&never, idempotent, Failure::Status(429)));
        let always = RetryPolicy { execute: ExecuteRetries::Always, ..p };
        assert!(should_retry(&always, side_effect, Failure::Status(500)));
    }

    #[test]
    fn a_create_repeats_only_when_it_cannot_have_arrived() {
        // The execute policy is about tools; it never licenses a second create.
        let p = RetryPolicy { execute: ExecuteRetries::Always, ..RetryPolicy::default() };
        let create = Kind::Write { idempotent: false };
        let patch = Kind::Write { idempotent: true };
        assert!(should_retry(&p, create, Failure::NotSent));
        assert!(should_retry(&p, create, Failure::Status(429)));
        assert!(!should_retry(&p, create, Failure::Lost));
        assert!(!should_retry(&p, create, Failure::Status(500)));
        assert!(should_retry(&p, patch, Failure::Lost));
        assert!(should_retry(&p, patch, Failure::Status(503)));
        assert!(!should_retry(&p, patch, Failure::Status(409)));
        assert!(!should_retry(&p, patch, Failure::Status(404)));
    }

    #[test]
    fn retry_after_reads_all_three_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30), "{d:?}");
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn retry_after_out_of_range_is_too_long_or_absent_never_a_panic() {
        let read = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            retry_after(&h)
        };
        // Longer than any `Duration`: a wait no policy accepts, so the call gives up at once.
        for (name, value) in [
            ("retry-after", "1e300"),
            ("retry-after", "99999999999999999999999999"),
            ("retry-after", "18446744073709551616"),
            ("retry-after", "inf"),
            ("retry-after-ms", "1e30"),
            ("retry-after-ms", "1.9e22"),
        ] {
            assert_eq!(read(name, value), Some(Duration::MAX), "{name}: {value}");
        }
        // Not a wait at all: as if the header were absent.
        for (name, value) in [("retry-after", "-1"), ("retry-after", "NaN"), ("retry-after", "-inf")] {
            assert_eq!(read(name, value), None, "{name}: {value}");
        }
        // A malformed `retry-after-ms` falls back to `Retry-After`.
        let mut h = HeaderMap::new();
        h.insert("retry-after-ms", HeaderValue::from_static("-5"));
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
    }
}
