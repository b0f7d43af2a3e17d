//! The API key and the other secrets the client handles (credentials, tokens), kept out of
//! every `Debug`, log line and error.

use std::fmt;

/// A Composio API key. Its `Debug` and `Display` print a redaction, never the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the `x-api-key` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey(key.to_owned())
    }
}

/// A credential or token: an OAuth access token, a client secret, an API key of a connected
/// app. `Debug` and `Display` print a redaction; read it with [`Secret::expose_secret`].
///
/// It serializes as the plain string, because that is how it travels to Composio: do not
/// serialize structures holding secrets anywhere else.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself. Named so that every place that reads it stands out in review.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Secret(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Secret(secret.to_owned())
    }
}

/// Keys of [`Credentials`] that name what is asked for, not a secret: they stay readable in
/// `Debug` and are not scrubbed from errors (scrubbing `repo` out of every message would hide
/// more than it protects).
const PUBLIC_CREDENTIAL_KEYS: &[&str] = &["scopes", "user_scopes"];

/// The credentials of an auth config: `client_id`, `client_secret`, `api_key`, scopes and
/// whatever else an auth scheme asks for. Every value but the scopes is treated as a secret:
/// `Debug` and `Display` show the keys only, and the client scrubs the values from errors.
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Credentials(serde_json::Map<String, serde_json::Value>);

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Credentials::default()
    }

    /// Sets one credential (`client_id`, `client_secret`, `api_key`, …).
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Secret>) -> Self {
        self.0.insert(key.into(), serde_json::Value::String(value.into().0));
        self
    }

    /// The OAuth scopes to request.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        let scopes = scopes.into_iter().map(|s| serde_json::Value::String(s.into())).collect();
        self.0.insert("scopes".into(), serde_json::Value::Array(scopes));
        self
    }

    /// The names of the credentials present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One credential, as JSON. Named like [`Secret::expose_secret`] for the same reason.
    pub fn expose_secret(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.get(key)
    }

    /// Every secret text inside, for scrubbing errors.
    pub(crate) fn secret_texts(&self) -> Vec<&str> {
        fn walk<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::String(s) if !s.is_empty() => out.push(s),
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for (key, value) in &self.0 {
            if !PUBLIC_CREDENTIAL_KEYS.contains(&key.as_str()) {
                walk(value, &mut out);
            }
        }
        out
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            if PUBLIC_CREDENTIAL_KEYS.contains(&key.as_str()) {
                map.entry(key, value);
            } else {
                map.entry(key, &format_args!("<redacted>"));
            }
        }
        map.finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// JSON fields the client does not model, which may hold secrets (a `code_verifier`, a
/// webhook signature, a scheme's own token field): `Debug` shows the keys only.
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct OpaqueFields(serde_json::Map<String, serde_json::Value>);

impl OpaqueFields {
    /// One field, as JSON. Named like [`Secret::expose_secret`]: it may be one.
    pub fn expose_secret(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.get(key)
    }

    /// The names of the fields present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for OpaqueFields {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        OpaqueFields(map)
    }
}

impl fmt::Debug for OpaqueFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.keys().map(|k| (k, format_args!("<redacted>")))).finish()
    }
}
