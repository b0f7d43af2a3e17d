//! A connection's state, typed by auth scheme where the shapes are known.
//!
//! On the wire it is `{"authScheme": "OAUTH2", "val": {"status": "ACTIVE", …}}`. The schemes
//! whose fields the spec spells out are typed; any other scheme, and a known scheme whose
//! fields do not fit, is kept as JSON in [`ConnectionState::Other`], so a new shape never
//! fails the decoding of an account.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{AuthScheme, ConnectionStatus};
use crate::secret::{OpaqueFields, Secret};

/// A connection's state: its status and what the scheme keeps (tokens, keys). Tokens are
/// [`Secret`]s and fields not modelled are [`OpaqueFields`], so `Debug` shows no secret.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// `OAUTH2`. Boxed: its tokens and URLs make it several times larger than the others.
    OAuth2(Box<OAuth2State>),
    /// `API_KEY`.
    ApiKey(ApiKeyState),
    /// `BEARER_TOKEN`.
    BearerToken(BearerTokenState),
    /// `BASIC`.
    Basic(BasicState),
    /// Any other scheme, or a known one in a shape this crate does not know.
    Other {
        /// The scheme.
        auth_scheme: AuthScheme,
        /// Its `val`, as sent.
        val: OpaqueFields,
    },
}

/// The state of an OAuth 2 connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuth2State {
    /// Its status.
    pub status: ConnectionStatus,
    /// The access token, once `ACTIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    /// The refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// The OpenID Connect id token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
    /// `bearer`, usually.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Seconds the access token lives, as sent (a number or text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<Value>,
    /// The scopes granted, as sent (text or a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    /// Where the user logs in, while `INITIATED` (`redirectUrl`).
    #[serde(default, rename = "redirectUrl", skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Where the user is sent afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The OAuth error, when `FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// When it expired, when `EXPIRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<String>,
    /// Everything else (`code_verifier`, `webhook_signature`, a subdomain…).
    #[serde(flatten)]
    pub extra: OpaqueFields,
}

/// The state of an API key connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiKeyState {
    /// Its status.
    pub status: ConnectionStatus,
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// A key for schemes that call it that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_api_key: Option<Secret>,
    /// A bearer token, for APIs that take the key as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<Secret>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: OpaqueFields,
}

/// The state of a bearer token connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BearerTokenState {
    /// Its status.
    pub status: ConnectionStatus,
    /// The token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: OpaqueFields,
}

/// The state of a user name and password connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BasicState {
    /// Its status.
    pub status: ConnectionStatus,
    /// The user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: OpaqueFields,
}

impl ConnectionState {
    /// An active API key connection, to create with
    /// [`ConnectedAccounts::initiate`](super::ConnectedAccounts::initiate).
    pub fn api_key(key: impl Into<Secret>) -> Self {
        ConnectionState::ApiKey(ApiKeyState {
            status: ConnectionStatus::Active,
            api_key: Some(key.into()),
            ..ApiKeyState::default()
        })
    }

    /// An active bearer token connection.
    pub fn bearer_token(token: impl Into<Secret>) -> Self {
        ConnectionState::BearerToken(BearerTokenState {
            status: ConnectionStatus::Active,
            token: Some(token.into()),
            ..BearerTokenState::default()
        })
    }

    /// An active user name and password connection.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        ConnectionState::Basic(BasicState {
            status: ConnectionStatus::Active,
            username: Some(username.into()),
            password: Some(password.into()),
            ..BasicState::default()
        })
    }

    /// The scheme.
    pub fn auth_scheme(&self) -> AuthScheme {
        match self {
            ConnectionState::OAuth2(_) => AuthScheme::OAuth2,
            ConnectionState::ApiKey(_) => AuthScheme::ApiKey,
            ConnectionState::BearerToken(_) => AuthScheme::BearerToken,
            ConnectionState::Basic(_) => AuthScheme::Basic,
            ConnectionState::Other { auth_scheme, .. } => auth_scheme.clone(),
        }
    }

    /// The status inside the state, when it has one.
    pub fn status(&self) -> Option<ConnectionStatus> {
        match self {
            ConnectionState::OAuth2(s) => Some(s.status.clone()),
            ConnectionState::ApiKey(s) => Some(s.status.clone()),
            ConnectionState::BearerToken(s) => Some(s.status.clone()),
            ConnectionState::Basic(s) => Some(s.status.clone()),
            ConnectionState::Other { val, .. } => {
                val.expose_secret("status").and_then(Value::as_str).map(ConnectionStatus::from)
            }
        }
    }

    /// Every secret text inside, for scrubbing errors.
    pub(crate) fn secret_texts(&self) -> Vec<&str> {
        let secrets: Vec<&Option<Secret>> = match self {
            ConnectionState::OAuth2(s) => vec![&s.access_token, &s.refresh_token, &s.id_token],
            ConnectionState::ApiKey(s) => vec![&s.api_key, &s.generic_api_key, &s.bearer_token],
            ConnectionState::BearerToken(s) => vec![&s.token],
            ConnectionState::Basic(s) => vec![&s.password],
            ConnectionState::Other { .. } => Vec::new(),
        };
        secrets.into_iter().flatten().map(Secret::expose_secret).filter(|s| !s.is_empty()).collect()
    }
}

/// The state as sent, before it is typed.
#[derive(Serialize, Deserialize)]
struct Wire<V> {
    #[serde(rename = "authScheme")]
    auth_scheme: AuthScheme,
    #[serde(default)]
    val: V,
}

impl<'de> Deserialize<'de> for ConnectionState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::<serde_json::Map<String, Value>>::deserialize(deserializer)?;
        let val = Value::Object(wire.val);
        let typed = match wire.auth_scheme {
            AuthScheme::OAuth2 => OAuth2State::deserialize(&val).ok().map(|s| ConnectionState::OAuth2(Box::new(s))),
            AuthScheme::ApiKey => ApiKeyState::deserialize(&val).ok().map(ConnectionState::ApiKey),
            AuthScheme::BearerToken => BearerTokenState::deserialize(&val).ok().map(ConnectionState::BearerToken),
            AuthScheme::Basic => BasicState::deserialize(&val).ok().map(ConnectionState::Basic),
            _ => None,
        };
        Ok(typed.unwrap_or_else(|| {
            let map = match val {
                Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            ConnectionState::Other { auth_scheme: wire.auth_scheme, val: map.into() }
        }))
    }
}

impl Serialize for ConnectionState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let auth_scheme = self.auth_scheme();
        match self {
            ConnectionState::OAuth2(val) => Wire { auth_scheme, val }.serialize(serializer),
            ConnectionState::ApiKey(val) => Wire { auth_scheme, val }.serialize(serializer),
            ConnectionState::BearerToken(val) => Wire { auth_scheme, val }.serialize(serializer),
            ConnectionState::Basic(val) => Wire { auth_scheme, val }.serialize(serializer),
            ConnectionState::Other { val, .. } => Wire { auth_scheme, val }.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_schemes_are_typed_and_the_rest_kept_as_json() {
        let oauth: ConnectionState = serde_json::from_value(json!({
            "authScheme": "OAUTH2",
            "val": {"status": "ACTIVE", "access_token": "gho_abc", "token_type": "bearer", "subdomain": "x"}
        }))
        .unwrap();
        let ConnectionState::OAuth2(state) = &oauth else { panic!("{oauth:?}") };
        assert_eq!(state.status, ConnectionStatus::Active);
        assert_eq!(state.access_token.as_ref().map(Secret::expose_secret), Some("gho_abc"));
        assert_eq!(state.extra.keys().collect::<Vec<_>>(), ["subdomain"]);
        assert!(!format!("{oauth:?}").contains("gho_abc"));

        let other: ConnectionState =
            serde_json::from_value(json!({"authScheme": "SAML", "val": {"status": "ACTIVE", "assertion": "zz"}}))
                .unwrap();
        assert_eq!(other.auth_scheme(), AuthScheme::Saml);
        assert_eq!(other.status(), Some(ConnectionStatus::Active));
        assert!(!format!("{other:?}").contains("zz"));

        // A known scheme in an unknown shape is kept, not refused.
        let odd: ConnectionState =
            serde_json::from_value(json!({"authScheme": "BASIC", "val": {"status": 7}})).unwrap();
        assert!(matches!(odd, ConnectionState::Other { auth_scheme: AuthScheme::Basic, .. }));
    }

    #[test]
    fn a_state_to_send_round_trips() {
        let state = ConnectionState::api_key("k_123");
        let sent = serde_json::to_value(&state).unwrap();
        assert_eq!(sent, json!({"authScheme": "API_KEY", "val": {"status": "ACTIVE", "api_key": "k_123"}}));
        assert_eq!(serde_json::from_value::<ConnectionState>(sent).unwrap(), state);
        assert_eq!(state.secret_texts(), ["k_123"]);
    }
}
