//! Verifying a webhook delivery's signature: a pure function of the secret, the three signature
//! headers, the raw body and the clock.
//!
//! Composio signs `{webhook-id}.{webhook-timestamp}.{raw body}` with HMAC-SHA256, keyed with the
//! subscription's secret exactly as given (no `whsec_` stripping, no base64 decoding of the
//! key), and sends `v1,<base64 signature>` in `webhook-signature`, several of them separated by
//! spaces while a secret is being rotated.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};

use crate::Secret;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The header carrying the delivery id, stable across retries of one delivery.
pub const HEADER_ID: &str = "webhook-id";
/// The header carrying the Unix time, in seconds, of this attempt.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying the `v1,<signature>` list.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// The header naming the payload version (`V1`, `V2`, `V3`).
pub const HEADER_VERSION: &str = "x-composio-webhook-version";
/// The header counting delivery attempts, from 1.
pub const HEADER_ATTEMPT: &str = "x-composio-delivery-attempt";

/// How far a delivery's timestamp may be from the clock, either way, unless told otherwise.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Each way a delivery can fail verification. None of them carries the secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A signature header is absent or empty.
    #[error("webhook: missing header `{0}`")]
    MissingHeader(&'static str),
    /// The secret is empty, so no signature could be trusted.
    #[error("webhook: the signing secret is empty")]
    EmptySecret,
    /// `webhook-timestamp` is not a whole number of seconds.
    #[error("webhook: `webhook-timestamp` is not Unix seconds: {0:?}")]
    BadTimestamp(String),
    /// The timestamp is further in the past than the tolerance: a replay, or a clock gone wrong.
    #[error("webhook: timestamp is {age_secs} s old, more than the {tolerance_secs} s allowed")]
    TooOld {
        /// How old it is.
        age_secs: u64,
        /// The tolerance in force.
        tolerance_secs: u64,
    },
    /// The timestamp is further in the future than the tolerance.
    #[error("webhook: timestamp is {ahead_secs} s in the future, more than the {tolerance_secs} s allowed")]
    TooNew {
        /// How far ahead it is.
        ahead_secs: u64,
        /// The tolerance in force.
        tolerance_secs: u64,
    },
    /// `webhook-signature` holds no `v1,` signature at all.
    #[error("webhook: `webhook-signature` holds no `v1,` signature")]
    NoV1Signature,
    /// No signature matches the body and the secret: the body was changed, or the secret is
    /// not the subscription's.
    #[error("webhook: no signature matches")]
    NoMatch,
}

/// What a verified delivery's headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The delivery id (`webhook-id`), the same on every retry: de-duplicate on it.
    pub delivery_id: String,
    /// The Unix time, in seconds, the attempt was signed.
    pub timestamp: u64,
    /// The attempt number (`x-composio-delivery-attempt`), when sent.
    pub attempt: Option<u32>,
}

/// Checks deliveries against one subscription's secret. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct Verifier {
    secret: Secret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier for the subscription's secret, with the default tolerance of 300 s.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Verifier { secret: secret.into(), tolerance: DEFAULT_TOLERANCE }
    }

    /// How far a timestamp may be from the clock, either way. [`Duration::ZERO`] turns the
    /// check off (the signature is still checked); a tolerance is rounded down to seconds.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery now. `header` looks a header up by its lower-case name; with the
    /// `http` types that is `|name| headers.get(name).and_then(|v| v.to_str().ok())`.
    pub fn verify<'h>(&self, header: impl Fn(&str) -> Option<&'h str>, body: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_at(header, body, SystemTime::now())
    }

    /// [`Verifier::verify`] against a given clock, for tests and replays of stored deliveries.
    pub fn verify_at<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let required = |name: &'static str| {
            header(name).map(str::trim).filter(|v| !v.is_empty()).ok_or(VerifyError::MissingHeader(name))
        };
        let id = required(HEADER_ID)?;
        let timestamp_text = required(HEADER_TIMESTAMP)?;
        let signatures = required(HEADER_SIGNATURE)?;
        if self.secret.expose_secret().is_empty() {
            return Err(VerifyError::EmptySecret);
        }
        let timestamp: u64 =
            timestamp_text.parse().map_err(|_| VerifyError::BadTimestamp(timestamp_text.chars().take(40).collect()))?;
        self.check_window(timestamp, now)?;

        let mac = self.mac(id, timestamp_text, body);
        let mut candidates = signatures.split(' ').filter_map(|part| part.strip_prefix("v1,")).peekable();
        if candidates.peek().is_none() {
            return Err(VerifyError::NoV1Signature);
        }
        // A candidate that is not base64 cannot match; the comparison of the others stays
        // constant-time (`verify_slice` compares in constant time).
        let matched = candidates.filter_map(|c| BASE64.decode(c).ok()).any(|c| mac.clone().verify_slice(&c).is_ok());
        if !matched {
            return Err(VerifyError::NoMatch);
        }
        Ok(Verified {
            delivery_id: id.to_owned(),
            timestamp,
            attempt: header(HEADER_ATTEMPT).and_then(|a| a.trim().parse().ok()),
        })
    }

    fn check_window(&self, timestamp: u64, now: SystemTime) -> Result<(), VerifyError> {
        let tolerance_secs = self.tolerance.as_secs();
        if tolerance_secs == 0 {
            return Ok(());
        }
        // A clock before 1970 reads as 0: every timestamp is then "in the future", as it is.
        let now = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        if now > timestamp && now - timestamp > tolerance_secs {
            return Err(VerifyError::TooOld { age_secs: now - timestamp, tolerance_secs });
        }
        if timestamp > now && timestamp - now > tolerance_secs {
            return Err(VerifyError::TooNew { ahead_secs: timestamp - now, tolerance_secs });
        }
        Ok(())
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `v1,<signature>` a sender puts in `webhook-signature` for this delivery: what the
    /// local test server sends, and what a test signing its own deliveries needs.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let tag = self.mac(id, &timestamp.to_string(), body).finalize().into_bytes();
        format!("v1,{}", BASE64.encode(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shared platform doc's test vector: its V3 example body, compact, keys in its order.
    const SECRET: &str = "whsec_test_secret";
    const ID: &str = "msg_2f1c9e4a-3b6d-4a1e-9c2f-7d8e5a6b4c31";
    const TS: u64 = 1736935800;
    const EXPECTED: &str = "v1,huolNRyREI4RLlQE8xH+b37XfPBCTzhco+stxPwAU4c=";
    const BODY: &str = concat!(
        r#"{"id":"msg_2f1c9e4a-3b6d-4a1e-9c2f-7d8e5a6b4c31","type":"composio.trigger.message","#,
        r#""timestamp":"2026-01-15T10:30:00Z","metadata":{"log_id":"log_abc123","#,
        r#""trigger_slug":"GITHUB_COMMIT_EVENT","trigger_id":"ti_xyz789","connected_account_id":"ca_def456","#,
        r#""auth_config_id":"ac_xyz789","user_id":"user-123"},"#,
        r#""data":{"commit_sha":"a1b2c3d","message":"fix: resolve null pointer","author":"jane"}}"#
    );

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> impl Fn(&str) -> Option<&'a str> {
        move |name| match name {
            HEADER_ID => Some(id),
            HEADER_TIMESTAMP => Some(ts),
            HEADER_SIGNATURE => Some(sig),
            HEADER_ATTEMPT => Some("2"),
            _ => None,
        }
    }

    #[test]
    fn the_shared_test_vector_signs_and_verifies() {
        let verifier = Verifier::new(SECRET);
        assert_eq!(verifier.sign(ID, TS, BODY.as_bytes()), EXPECTED);
        let ok = verifier.verify_at(headers(ID, "1736935800", EXPECTED), BODY.as_bytes(), at(TS + 10)).unwrap();
        assert_eq!(ok, Verified { delivery_id: ID.into(), timestamp: TS, attempt: Some(2) });
    }

    #[test]
    fn any_of_several_signatures_may_match_and_other_schemes_are_skipped() {
        let sigs = format!("v1,AAAA v2,zzz v1,not-base64! {EXPECTED}");
        assert!(Verifier::new(SECRET).verify_at(headers(ID, "1736935800", &sigs), BODY.as_bytes(), at(TS)).is_ok());
        let err = Verifier::new(SECRET).verify_at(headers(ID, "1736935800", "v2,abc"), BODY.as_bytes(), at(TS));
        assert_eq!(err, Err(VerifyError::NoV1Signature));
    }

    #[test]
    fn a_tampered_body_a_wrong_secret_or_a_changed_id_does_not_match() {
        let h = headers(ID, "1736935800", EXPECTED);
        let tampered = BODY.replace("jane", "mallory");
        assert_eq!(Verifier::new(SECRET).verify_at(&h, tampered.as_bytes(), at(TS)), Err(VerifyError::NoMatch));
        assert_eq!(Verifier::new("whsec_other").verify_at(&h, BODY.as_bytes(), at(TS)), Err(VerifyError::NoMatch));
        let other_id = headers("msg_other", "1736935800", EXPECTED);
        assert_eq!(Verifier::new(SECRET).verify_at(other_id, BODY.as_bytes(), at(TS)), Err(VerifyError::NoMatch));
        assert_eq!(
            Verifier::new("").verify_at(&h, BODY.as_bytes(), at(TS)),
            Err(VerifyError::EmptySecret),
            "an empty secret is refused before anything is compared"
        );
    }

    #[test]
    fn each_missing_header_is_named() {
        for missing in [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE] {
            let h = headers(ID, "1736935800", EXPECTED);
            let without = |name: &str| if name == missing { None } else { h(name) };
            assert_eq!(
                Verifier::new(SECRET).verify_at(without, BODY.as_bytes(), at(TS)),
                Err(VerifyError::MissingHeader(missing))
            );
        }
        let blank = headers(ID, "  ", EXPECTED);
        assert_eq!(
            Verifier::new(SECRET).verify_at(blank, BODY.as_bytes(), at(TS)),
            Err(VerifyError::MissingHeader(HEADER_TIMESTAMP))
        );
    }

    #[test]
    fn timestamps_outside_the_window_are_refused_both_ways_unless_it_is_off() {
        let v = Verifier::new(SECRET);
        let h = headers(ID, "1736935800", EXPECTED);
        let body = BODY.as_bytes();
        assert!(v.verify_at(&h, body, at(TS + 300)).is_ok(), "the edge is inside");
        assert!(v.verify_at(&h, body, at(TS - 300)).is_ok());
        assert_eq!(
            v.verify_at(&h, body, at(TS + 301)),
            Err(VerifyError::TooOld { age_secs: 301, tolerance_secs: 300 })
        );
        assert_eq!(
            v.verify_at(&h, body, at(TS - 301)),
            Err(VerifyError::TooNew { ahead_secs: 301, tolerance_secs: 300 })
        );
        let narrow = v.clone().tolerance(Duration::from_secs(5));
        assert!(matches!(narrow.verify_at(&h, body, at(TS + 6)), Err(VerifyError::TooOld { .. })));
        let off = v.tolerance(Duration::ZERO);
        assert!(off.verify_at(&h, body, at(TS + 10 * 365 * 86_400)).is_ok());
        assert!(off.verify_at(&h, body, at(0)).is_ok());
    }

    #[test]
    fn a_timestamp_that_is_not_unix_seconds_is_its_own_error() {
        for bad in ["2026-01-15T10:30:00Z", "-5", "1736935800.5", "1e9"] {
            let h = headers(ID, bad, EXPECTED);
            assert_eq!(
                Verifier::new(SECRET).verify_at(h, BODY.as_bytes(), at(TS)),
                Err(VerifyError::BadTimestamp(bad.into()))
            );
        }
    }

    #[test]
    fn the_secret_shows_nowhere() {
        let v = Verifier::new(SECRET);
        assert!(!format!("{v:?}").contains("test_secret"));
        let err = v.verify_at(headers(ID, "1736935800", "v1,AAAA"), BODY.as_bytes(), at(TS)).unwrap_err();
        assert!(!format!("{err:?} {err}").contains("test_secret"));
    }
}
