//! The project's webhook subscription: where Composio sends trigger events, which event types,
//! in which payload version, and the secret deliveries are signed with.
//!
//! The secret is a [`Secret`]: never in `Debug`, logs or errors. An answer that fails to decode
//! keeps no body in its error, since the body may hold the secret.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::accounts::{Pages, Success, encode};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::secret::Secret;
use crate::transport::encode_segment;
use crate::triggers::PayloadVersion;

/// The webhook subscription routes, from [`Client::webhook_subscriptions`].
#[derive(Clone, Copy, Debug)]
pub struct WebhookSubscriptions<'a> {
    client: &'a Client,
}

impl Client {
    /// The project's webhook subscription: create, read, change, rotate its secret.
    pub fn webhook_subscriptions(&self) -> WebhookSubscriptions<'_> {
        WebhookSubscriptions { client: self }
    }
}

/// A webhook subscription. `Debug` redacts the secret.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct WebhookSubscription {
    /// Id, `whs_…`.
    pub id: String,
    /// Where deliveries go.
    pub webhook_url: String,
    /// The payload version (`V1`, `V2`, `V3`), as sent.
    #[serde(default)]
    pub version: Option<String>,
    /// The event types delivered (`composio.trigger.message`, …).
    #[serde(default)]
    pub enabled_events: Vec<String>,
    /// The signing secret, when the answer carries it (always on creation).
    #[serde(default)]
    pub secret: Option<Secret>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A new signing secret. `Debug` redacts it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RotatedSecret {
    /// The subscription.
    pub id: String,
    /// The new secret: verify with it from now on.
    pub secret: Secret,
}

/// An event type a subscription can receive.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct WebhookEventType {
    /// `composio.trigger.message`, …
    pub event_type: String,
    /// What it reports.
    #[serde(default)]
    pub description: Option<String>,
    /// The payload versions it comes in.
    #[serde(default)]
    pub supported_versions: Vec<String>,
}

/// A change to a subscription: only the fields set are sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SubscriptionUpdate {
    /// A new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// New event types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_events: Option<Vec<String>>,
    /// A new payload version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
}

impl SubscriptionUpdate {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Deliver to `url`.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Deliver these event types.
    pub fn enabled_events<S: Into<String>>(mut self, events: impl IntoIterator<Item = S>) -> Self {
        self.enabled_events = Some(events.into_iter().map(Into::into).collect());
        self
    }

    /// Deliver in this payload version.
    pub fn version(mut self, version: PayloadVersion) -> Self {
        self.version = Some(version_text(version));
        self
    }
}

fn version_text(version: PayloadVersion) -> &'static str {
    match version {
        PayloadVersion::V1 => "V1",
        PayloadVersion::V2 => "V2",
        PayloadVersion::V3 => "V3",
    }
}

/// A decoding failure keeps no body: it may be the secret's answer.
fn withhold_body(error: Error) -> Error {
    match error {
        Error::InvalidResponse { slug, status, message, .. } => {
            Error::InvalidResponse { slug, status, message, body: "<withheld: it may hold the signing secret>".into() }
        }
        other => other,
    }
}

impl WebhookSubscriptions<'_> {
    /// `POST /webhook_subscriptions`: subscribes `webhook_url` to `enabled_events`, delivered in
    /// `version`. The answer carries the secret. Not repeated after an ambiguous failure: look
    /// with [`WebhookSubscriptions::list`] first.
    pub async fn create<S: Into<String>>(
        &self,
        webhook_url: &str,
        enabled_events: impl IntoIterator<Item = S>,
        version: PayloadVersion,
    ) -> Result<WebhookSubscription> {
        let name = "webhook_subscriptions.create";
        let events: Vec<String> = enabled_events.into_iter().map(Into::into).collect();
        let body =
            serde_json::json!({"webhook_url": webhook_url, "enabled_events": events, "version": version_text(version)});
        let kind = Kind::Write { idempotent: false };
        let call =
            self.client.json_call(Method::POST, "/webhook_subscriptions", &[], Some(encode(&body, name)?), kind, name);
        call.await.map_err(withhold_body)
    }

    /// `GET /webhook_subscriptions`, every page.
    pub fn list(&self) -> Pages<WebhookSubscription> {
        Pages::new(self.client, "/webhook_subscriptions", Vec::new(), "webhook_subscriptions.list")
    }

    /// `GET /webhook_subscriptions/{id}`.
    pub async fn get(&self, id: &str) -> Result<WebhookSubscription> {
        let path = format!("/webhook_subscriptions/{}", encode_segment(id));
        let name = "webhook_subscriptions.get";
        self.client.json_call(Method::GET, &path, &[], None, Kind::Read, name).await.map_err(withhold_body)
    }

    /// `PATCH /webhook_subscriptions/{id}`. An update that sets nothing is refused here, as the
    /// platform would.
    pub async fn update(&self, id: &str, update: &SubscriptionUpdate) -> Result<WebhookSubscription> {
        if *update == SubscriptionUpdate::default() {
            return Err(Error::Config("a subscription update must set at least one field".into()));
        }
        let name = "webhook_subscriptions.update";
        let path = format!("/webhook_subscriptions/{}", encode_segment(id));
        let kind = Kind::Write { idempotent: true };
        let body = encode(update, name)?;
        self.client.json_call(Method::PATCH, &path, &[], Some(body), kind, name).await.map_err(withhold_body)
    }

    /// `POST /webhook_subscriptions/{id}/rotate_secret`: a new secret; the old one stops
    /// working. Not repeated after an ambiguous failure (a second rotation would void the
    /// first's secret): read the subscription to learn the secret in force.
    pub async fn rotate_secret(&self, id: &str) -> Result<RotatedSecret> {
        let name = "webhook_subscriptions.rotate_secret";
        let path = format!("/webhook_subscriptions/{}/rotate_secret", encode_segment(id));
        let kind = Kind::Write { idempotent: false };
        self.client.json_call(Method::POST, &path, &[], None, kind, name).await.map_err(withhold_body)
    }

    /// `DELETE /webhook_subscriptions/{id}`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let name = "webhook_subscriptions.delete";
        let path = format!("/webhook_subscriptions/{}", encode_segment(id));
        let kind = Kind::Write { idempotent: true };
        let answer: Option<Success> = self.client.json_call(Method::DELETE, &path, &[], None, kind, name).await?;
        answer.map_or(Ok(()), |a| a.check(name))
    }

    /// `GET /webhook_subscriptions/event_types`: what can be subscribed to, in which versions.
    pub async fn event_types(&self) -> Result<Vec<WebhookEventType>> {
        #[derive(Deserialize)]
        struct Answer {
            items: Vec<WebhookEventType>,
        }
        let name = "webhook_subscriptions.event_types";
        let answer: Answer = self
            .client
            .json_call(Method::GET, "/webhook_subscriptions/event_types", &[], None, Kind::Read, name)
            .await?;
        Ok(answer.items)
    }
}
