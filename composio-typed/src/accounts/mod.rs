//! Connecting users' apps: auth configs, connected accounts, Connect Links and waiting for a
//! connection.
//!
//! An **auth config** says how a toolkit authenticates (Composio's OAuth app, or your own
//! client id and secret, or an API key scheme). A **connected account** (`ca_…`) is one user's
//! login through an auth config. A **Connect Link** is a hosted page where the user logs in;
//! [`ConnectionRequest::wait`] then follows the account until it is `ACTIVE`.
//!
//! ```no_run
//! # async fn demo(client: composio_typed::Client) -> composio_typed::Result<()> {
//! let request = client.for_user("user-42").authorize("github").await?;
//! println!("connect GitHub here: {}", request.redirect_url().unwrap_or_default());
//! let account = request.wait().await?;
//! # Ok(()) }
//! ```
//!
//! Every call here goes through the client's one HTTP path: reads and idempotent writes are
//! retried on transient failures, a POST that creates something only when it cannot have
//! arrived. Credentials and tokens are [`Secret`](crate::Secret)s and
//! [`Credentials`](crate::Credentials), never shown by `Debug`, `Display` or errors.

mod auth_configs;
mod authorize;
mod callback;
mod connected;
mod state;
mod time;
mod wait;

use std::collections::{BTreeSet, VecDeque};
use std::marker::PhantomData;

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::Request;
use crate::wire;

pub use auth_configs::{
    AuthConfig, AuthConfigKind, AuthConfigQuery, AuthConfigStatus, AuthConfigUpdate, AuthConfigs, AuthScheme,
    CreatedAuthConfig, CustomAuth, ManagedAuth, NewAuthConfig, ProxyConfig, ToolAccessConfig,
};
pub use authorize::Authorize;
pub use callback::{Callback, CallbackStatus};
pub use connected::{
    AccountQuery, AuthConfigRef, ConnectedAccount, ConnectedAccounts, ConnectionStatus, Initiate, Link, OrderBy,
    OrderDirection, Refreshed,
};
pub use state::{ApiKeyState, BasicState, BearerTokenState, ConnectionState, OAuth2State};
pub use wait::{ConnectionRequest, DEFAULT_WAIT};

/// An enum of the platform's that grows: known values are variants, anything newer is kept as
/// `Unknown` with its text, so an answer never fails to decode because of a new value.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version of the crate does not know, as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(text.as_ref()))
            }
        }
    };
}
pub(crate) use open_enum;

/// A toolkit as the account routes name it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ToolkitRef {
    /// Slug, `github`.
    pub slug: String,
    /// Logo URL, when the platform sends one.
    #[serde(default)]
    pub logo: Option<String>,
}

/// Every page of a listing, fetched as it is read: call [`Pages::try_next`] for one item at a
/// time, [`Pages::next_page`] for a page, or [`Pages::collect`] for all of them.
#[must_use = "a listing fetches nothing until it is read"]
pub struct Pages<T> {
    client: Client,
    path: String,
    query: Vec<(&'static str, String)>,
    name: &'static str,
    cursor: Option<String>,
    seen: BTreeSet<String>,
    done: bool,
    buffer: VecDeque<T>,
    total_items: Option<u64>,
    item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("path", &self.path).field("query", &self.query).field("done", &self.done).finish()
    }
}

/// The page fields around `items`.
#[derive(Deserialize)]
struct WirePage<T> {
    items: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default, deserialize_with = "lenient_count")]
    total_items: Option<u64>,
}

impl<T: DeserializeOwned> Pages<T> {
    pub(crate) fn new(client: &Client, path: &str, query: Vec<(&'static str, String)>, name: &'static str) -> Self {
        Pages {
            client: client.clone(),
            path: path.to_owned(),
            query,
            name,
            cursor: None,
            seen: BTreeSet::new(),
            done: false,
            buffer: VecDeque::new(),
            total_items: None,
            item: PhantomData,
        }
    }

    /// The next page's items, `None` after the last page. Items not yet taken with
    /// [`Pages::try_next`] come first.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>> {
        if !self.buffer.is_empty() {
            return Ok(Some(self.buffer.drain(..).collect()));
        }
        if self.done {
            return Ok(None);
        }
        let mut query = self.query.clone();
        if let Some(cursor) = &self.cursor {
            query.push(("cursor", cursor.clone()));
        }
        let page: WirePage<T> =
            self.client.json_call(Method::GET, &self.path, &query, None, Kind::Read, self.name).await?;
        self.total_items = page.total_items.or(self.total_items);
        match page.next_cursor.filter(|c| !c.is_empty()) {
            // A cursor that comes back would loop forever: the listing is broken.
            Some(cursor) if !self.seen.insert(cursor.clone()) => {
                return Err(Error::InvalidResponse {
                    slug: None,
                    status: 200,
                    message: format!("the {} listing repeated cursor `{cursor}`", self.name),
                    body: String::new(),
                });
            }
            Some(cursor) => self.cursor = Some(cursor),
            None => self.done = true,
        }
        Ok(Some(page.items))
    }

    /// The next item, fetching the next page when needed; `None` after the last.
    pub async fn try_next(&mut self) -> Result<Option<T>> {
        while self.buffer.is_empty() {
            match self.next_page().await? {
                Some(items) => self.buffer.extend(items),
                None => return Ok(None),
            }
        }
        Ok(self.buffer.pop_front())
    }

    /// Every remaining item, from every page.
    pub async fn collect(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(items) = self.next_page().await? {
            all.extend(items);
        }
        Ok(all)
    }

    /// The total the server reported with the last page fetched, if it did.
    pub fn total_items(&self) -> Option<u64> {
        self.total_items
    }
}

/// A count the platform sends as a JSON number, integer or not (the spec types them `number`).
fn lenient_count<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        _ => None,
    })
}

/// The same, for a count that is always present.
pub(crate) fn lenient_count_or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<u64, D::Error> {
    lenient_count(deserializer).map(Option::unwrap_or_default)
}

/// Comma-joins a list filter as the platform reads arrays in a query (`toolkit_slugs=a,b`);
/// `None` when the list is empty, so no empty filter is sent.
pub(crate) fn comma_list<S: AsRef<str>>(items: &[S]) -> Option<String> {
    (!items.is_empty()).then(|| items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(","))
}

impl Client {
    /// One JSON request of the platform API, decoded into `T`: the one path every account
    /// call takes. `secrets` are scrubbed from any error, besides the API key.
    pub(crate) async fn json_call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        kind: Kind,
        name: &'static str,
    ) -> Result<T> {
        self.json_call_scrubbing(method, path, query, body, kind, name, &[]).await
    }

    /// [`Client::json_call`], scrubbing `secrets` from any error as well.
    #[allow(clippy::too_many_arguments)] // one private helper; a parameter struct would only rename them
    pub(crate) async fn json_call_scrubbing<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        kind: Kind,
        name: &'static str,
        secrets: &[&str],
    ) -> Result<T> {
        let span = tracing::info_span!(
            "composio.platform",
            call = name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let result = async {
            let mut url = Url::parse(&self.api_url(path)).map_err(|e| Error::Config(format!("URL for {path}: {e}")))?;
            if !query.is_empty() {
                url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
            }
            let mut request = Request::api(method, url.into());
            if let Some(body) = body {
                request = request.json(body);
            }
            let answer = self.send(&request, kind, None).await?;
            decode(answer.status, &answer.body, name)
        }
        .instrument(span)
        .await;
        result.map_err(|e| secrets.iter().fold(self.redact(e), |e, secret| e.redact(secret)))
    }
}

/// Decodes an answer, naming the JSON path that did not fit.
fn decode<T: DeserializeOwned>(status: u16, body: &[u8], name: &str) -> Result<T> {
    // Routes that answer `{}` or nothing at all decode into `()` and the like from `null`.
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"null" } else { body };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::InvalidResponse {
        slug: None,
        status,
        message: format!("{name}: unexpected answer at `{}`: {}", e.path(), e.inner()),
        body: wire::snippet(body),
    })
}

/// Encodes a request body.
pub(crate) fn encode(body: &impl Serialize, name: &str) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::Encode { slug: name.to_owned(), message: e.to_string() })
}

/// An answer of routes that say `{"success": bool}`. Anything else from a 2xx also counts.
#[derive(Deserialize)]
pub(crate) struct Success {
    #[serde(default)]
    pub(crate) success: Option<bool>,
}

impl Success {
    /// Refuses `success: false`, which a 2xx should not carry but would mean nothing happened.
    pub(crate) fn check(self, name: &str) -> Result<()> {
        match self.success {
            Some(false) => Err(Error::InvalidResponse {
                slug: None,
                status: 200,
                message: format!("{name}: the platform answered success: false"),
                body: String::new(),
            }),
            _ => Ok(()),
        }
    }
}
