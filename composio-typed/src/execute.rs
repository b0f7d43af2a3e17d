//! Executing tools: the typed [`Call`], the untyped [`UntypedCall`], and the one non-generic
//! path both go through.
//!
//! Generated functions are one line (`client.call(input)`), and the generic part of a call is
//! only encoding the input and decoding the output. Everything else (version resolution, the
//! HTTP request, retries, the envelope) is compiled once, not once per tool.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{DecodeError, Error, Result, ToolFailure};
use crate::files::FileInput;
use crate::retry::Kind;
use crate::tool::{Tool, ToolMeta};
use crate::transport::{Request, encode_segment};
use crate::validate::Violations;
use crate::wire;

/// The version keyword that follows whatever Composio publishes next.
pub const LATEST: &str = "latest";

/// A successful execution with its details.
#[derive(Clone, Debug, PartialEq)]
pub struct Execution<T> {
    /// The tool's `data`, typed.
    pub data: T,
    /// Composio's execution log id, for support.
    pub log_id: Option<String>,
    /// The toolkit version the tool ran on.
    pub version: String,
    /// HTTP attempts made (1 unless retried).
    pub attempts: u32,
}

/// Per-call settings that override the client's.
#[derive(Clone, Debug, Default)]
struct Overrides {
    version: Option<String>,
    allow_latest: bool,
    user_id: Option<String>,
    connected_account: Option<String>,
    skip_validation: bool,
}

/// What the non-generic path needs to know about the tool being run.
struct Target<'a> {
    slug: &'a str,
    toolkit: Option<&'a str>,
    /// The version the types were generated from.
    pinned: Option<&'a str>,
    retry_safe: bool,
}

impl<'a> Target<'a> {
    fn of(meta: &'a ToolMeta) -> Self {
        Target {
            slug: meta.slug,
            toolkit: Some(meta.toolkit),
            pinned: Some(meta.version),
            retry_safe: meta.is_retry_safe(),
        }
    }
}

/// The per-call overrides both kinds of call offer, on a struct with an `overrides` field.
macro_rules! override_setters {
    () => {
        /// Runs on this toolkit version instead of the pinned or configured one. For a typed
        /// call the server then validates against that version's schemas, which may no longer
        /// match the generated types.
        pub fn version(mut self, version: impl Into<String>) -> Self {
            self.overrides.version = Some(version.into());
            self
        }

        /// Allows this call to run on `latest`, however the version was chosen.
        pub fn allow_latest(mut self) -> Self {
            self.overrides.allow_latest = true;
            self
        }

        /// Runs as this user instead of the client's.
        pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
            self.overrides.user_id = Some(user_id.into());
            self
        }

        /// Runs through this connected account instead of the client's.
        pub fn connected_account(mut self, id: impl Into<String>) -> Self {
            self.overrides.connected_account = Some(id.into());
            self
        }
    };
}

/// The switch of typed calls' argument check, on a struct with an `overrides` field.
macro_rules! validation_setter {
    () => {
        /// Sends the arguments without checking them against the schema's constraints first
        /// (see [`crate::validate`]); the server still checks them.
        pub fn skip_validation(mut self) -> Self {
            self.overrides.skip_validation = true;
            self
        }
    };
}

/// A typed tool call, ready to send: `.await` it, or adjust it first.
///
/// ```no_run
/// # async fn demo(client: composio_typed::Client, input: impl composio_typed::Tool) -> composio_typed::Result<()> {
/// let output = client.call(input).user_id("user-42").await?;
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T: Tool> {
    client: &'a Client,
    input: T,
    overrides: Overrides,
}

impl Client {
    /// Prepares a typed call. Generated functions (`github::create_an_issue`) call this.
    pub fn call<T: Tool>(&self, input: T) -> Call<'_, T> {
        Call { client: self, input, overrides: Overrides::default() }
    }

    /// Prepares an untyped call of any tool, for tools nobody generated bindings for.
    ///
    /// There is no pinned version: give one with [`UntypedCall::version`] or configure one for
    /// the toolkit ([`crate::ClientBuilder::toolkit_version`], `COMPOSIO_TOOLKIT_VERSION_<TOOLKIT>`),
    /// which applies when the slug starts with the toolkit's name (`GITHUB_…`) or the toolkit is
    /// named with [`UntypedCall::toolkit`]. Otherwise the call would run on `latest` and is
    /// refused unless allowed.
    pub fn execute(&self, slug: impl Into<String>, arguments: Value) -> UntypedCall<'_> {
        UntypedCall {
            client: self,
            slug: slug.into(),
            toolkit: None,
            arguments,
            retry_safe: false,
            overrides: Overrides::default(),
        }
    }
}

impl<'a, T: Tool> Call<'a, T> {
    override_setters!();
    validation_setter!();

    /// Sends the call and returns the typed output with the execution's details.
    pub async fn send_with_details(self) -> Result<Execution<T::Output>> {
        self.send_decoding(decode::<T::Output>).await
    }

    /// Sends the call and returns the `data` as JSON, not decoded into the typed output: for
    /// handing the result to a model, which reads JSON. The arguments are as typed as ever.
    pub async fn send_json(self) -> Result<Execution<Value>> {
        self.send_decoding(decode::<Value>).await
    }

    async fn send_decoding<O>(self, decode: fn(&str, &RawValue) -> Result<O>) -> Result<Execution<O>> {
        let Call { client, mut input, overrides } = self;
        let meta = T::META;
        let target = Target::of(meta);
        let span = execute_span(meta.slug);
        async move {
            let version = client.resolve_version(&target, &overrides)?;
            let arguments = client.prepared_arguments(meta, &mut input, !overrides.skip_validation).await?;
            let raw = client.execute_resolved(&target, &version, &arguments, &overrides).await?;
            Ok(Execution { data: decode(meta.slug, &raw.data)?, log_id: raw.log_id, version, attempts: raw.attempts })
        }
        .instrument(span)
        .await
        .map_err(|e| client.redact(e))
    }

    /// Sends the call and returns the typed output.
    pub async fn send(self) -> Result<T::Output> {
        self.send_with_details().await.map(|e| e.data)
    }
}

impl<'a, T: Tool> IntoFuture for Call<'a, T> {
    type Output = Result<T::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T::Output>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// An untyped call: JSON arguments in, JSON `data` out.
#[must_use = "a call does nothing until it is awaited"]
pub struct UntypedCall<'a> {
    client: &'a Client,
    slug: String,
    toolkit: Option<String>,
    arguments: Value,
    retry_safe: bool,
    overrides: Overrides,
}

impl<'a> UntypedCall<'a> {
    /// The tool's toolkit, so a version configured for it applies; needed only when the slug
    /// does not start with the toolkit's name.
    pub fn toolkit(mut self, toolkit: impl Into<String>) -> Self {
        self.toolkit = Some(toolkit.into().to_ascii_lowercase());
        self
    }

    override_setters!();

    /// Declares that running the tool twice is harmless, so ambiguous failures (5xx,
    /// timeouts) may be retried. Off by default.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = safe;
        self
    }

    /// Sends the call and returns the `data` with the execution's details.
    pub async fn send_with_details(self) -> Result<Execution<Value>> {
        let UntypedCall { client, slug, toolkit, arguments, retry_safe, overrides } = self;
        let toolkit = toolkit.as_deref().or_else(|| client.configured_toolkit_of(&slug));
        let target = Target { slug: &slug, toolkit, pinned: None, retry_safe };
        let span = execute_span(&slug);
        async {
            let version = client.resolve_version(&target, &overrides)?;
            let arguments = serde_json::value::to_raw_value(&arguments)
                .map_err(|e| Error::Encode { slug: slug.clone(), message: e.to_string() })?;
            let raw = client.execute_resolved(&target, &version, &arguments, &overrides).await?;
            let data = serde_json::from_str(raw.data.get()).map_err(|e| Error::InvalidResponse {
                slug: Some(slug.clone()),
                status: 200,
                message: format!("`data` is not JSON: {e}"),
                body: String::new(),
            })?;
            Ok(Execution { data, log_id: raw.log_id, version, attempts: raw.attempts })
        }
        .instrument(span)
        .await
        .map_err(|e| client.redact(e))
    }

    /// Sends the call and returns the `data`.
    pub async fn send(self) -> Result<Value> {
        self.send_with_details().await.map(|e| e.data)
    }
}

impl<'a> IntoFuture for UntypedCall<'a> {
    type Output = Result<Value>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

pub(crate) fn execute_span(slug: &str) -> tracing::Span {
    tracing::info_span!(
        "composio.execute",
        slug,
        version = tracing::field::Empty,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        log_id = tracing::field::Empty,
        request_id = tracing::field::Empty,
    )
}

/// The `data` of a successful execution, before typing.
struct RawExecution {
    data: Box<RawValue>,
    log_id: Option<String>,
    attempts: u32,
}

/// The execute request body, written in one pass from borrowed parts.
#[derive(Serialize)]
struct ExecuteBody<'a> {
    arguments: &'a RawValue,
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    connected_account_id: Option<&'a str>,
    version: &'a str,
}

impl Client {
    /// The version a call runs on: the per-call override, else the version configured for the
    /// toolkit, else the one the types were generated from. `latest` needs an opt-in.
    fn resolve_version(&self, target: &Target<'_>, overrides: &Overrides) -> Result<String> {
        let configured = target.toolkit.and_then(|t| self.toolkit_version(t));
        let version = overrides.version.as_deref().or(configured).or(target.pinned).unwrap_or(LATEST);
        if version == LATEST && !(overrides.allow_latest || self.inner.allow_latest) {
            return Err(Error::VersionRefused { slug: target.slug.to_owned(), toolkit: toolkit_name(target) });
        }
        tracing::Span::current().record("version", version);
        Ok(version.to_owned())
    }

    /// The one request of an execution, and its answer.
    async fn execute_resolved(
        &self,
        target: &Target<'_>,
        version: &str,
        arguments: &RawValue,
        overrides: &Overrides,
    ) -> Result<RawExecution> {
        let body = ExecuteBody {
            arguments,
            user_id: overrides.user_id.as_deref().unwrap_or(&self.user_id),
            connected_account_id: overrides.connected_account.as_deref().or(self.connected_account.as_deref()),
            version,
        };
        let body = serde_json::to_vec(&body)
            .map_err(|e| Error::Encode { slug: target.slug.to_owned(), message: e.to_string() })?;
        let url = self.api_url(&format!("/tools/execute/{}", encode_segment(target.slug)));
        let request = Request::api(Method::POST, url).json(body);
        let answer = self.send(&request, Kind::Execute { retry_safe: target.retry_safe }, Some(target.slug)).await?;
        let envelope = wire::envelope(answer.status, &answer.body, target.slug)?;
        if let Some(log_id) = &envelope.log_id {
            tracing::Span::current().record("log_id", log_id.as_str());
        }
        if !envelope.successful {
            return Err(Error::ToolFailed(ToolFailure {
                slug: target.slug.to_owned(),
                message: envelope.error.unwrap_or_else(|| "the tool reported failure without a message".into()),
                log_id: envelope.log_id,
                data: serde_json::from_str(envelope.data.get()).unwrap_or(Value::Null),
            }));
        }
        Ok(RawExecution { data: envelope.data, log_id: envelope.log_id, attempts: answer.attempts })
    }
}

/// The toolkit named in a refusal: the one given or configured, else the slug's prefix.
fn toolkit_name(target: &Target<'_>) -> String {
    match target.toolkit {
        Some(toolkit) => toolkit.to_owned(),
        None => target.slug.split('_').next().unwrap_or(target.slug).to_ascii_lowercase(),
    }
}

/// Decodes `data` into the generated output type, keeping the JSON and the failing path.
///
/// The first pass decodes without tracking the path: tracking costs an allocation per object
/// key, and almost every answer decodes. Only a failure pays for a second, tracked pass.
///
/// A successful run with `data: null` or no `data` (the envelope never requires it) reads as
/// an empty object: the tool ran, so a free-form output is empty rather than an error. A struct
/// output still fails if any of its fields is required.
pub(crate) fn decode<T: DeserializeOwned>(slug: &str, data: &RawValue) -> Result<T> {
    let first = match serde_json::from_str::<T>(data.get()) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if data.get().trim() == "null"
        && let Ok(value) = serde_json::from_str::<T>("{}")
    {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_str(data.get());
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => (e.path().to_string(), e.into_inner().to_string()),
        // Both passes read the same text, so this does not happen; keep the first error if it does.
        Ok(_) => (".".to_owned(), first.to_string()),
    };
    Err(Error::Decode(Box::new(DecodeError {
        slug: slug.to_owned(),
        path,
        message,
        raw: serde_json::from_str(data.get()).unwrap_or(Value::Null),
    })))
}

impl Client {
    /// A typed input as the JSON arguments of a call, checked against its schema's constraints
    /// (unless `validate` is off for the call or the client), then its local files uploaded:
    /// what a call sends, directly or through a session.
    pub(crate) async fn prepared_arguments<T: Tool>(
        &self,
        meta: &ToolMeta,
        input: &mut T,
        validate: bool,
    ) -> Result<Box<serde_json::value::RawValue>> {
        if validate && self.inner.validate {
            let mut violations = Violations::default();
            input.validate(&mut violations);
            if !violations.is_empty() {
                return Err(Error::InvalidArguments { slug: meta.slug.to_owned(), violations });
            }
        }
        self.upload_files(meta, input).await?;
        serde_json::value::to_raw_value(&*input)
            .map_err(|e| Error::Encode { slug: meta.slug.to_owned(), message: e.to_string() })
    }

    /// Uploads every local file argument of `input` and puts the uploaded references in their
    /// place. Tools without file parameters skip this entirely.
    pub(crate) async fn upload_files<T: Tool>(&self, meta: &ToolMeta, input: &mut T) -> Result<()> {
        let mut local = Vec::new();
        input.visit_files(&mut |file| {
            if file.as_uploaded().is_none() {
                local.push(file.clone());
            }
        });
        if local.is_empty() {
            return Ok(());
        }
        let mut uploaded = Vec::with_capacity(local.len());
        for file in local {
            uploaded.push(self.upload(meta.toolkit, meta.slug, file).await?);
        }
        let mut uploaded = uploaded.into_iter();
        input.visit_files(&mut |file| {
            if file.as_uploaded().is_none()
                && let Some(done) = uploaded.next()
            {
                *file = FileInput::uploaded(done);
            }
        });
        Ok(())
    }
}
