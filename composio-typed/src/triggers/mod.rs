//! Triggers: webhook deliveries verified ([`Verifier`]), read into one normalised [`Event`]
//! whatever the payload version, and their data decoded into a typed payload.
//!
//! Verification and decoding are pure: they need no client and no network, so any HTTP server
//! can call them with the raw body and the headers it received.

#[cfg(feature = "axum")]
pub mod axum;
mod event;
mod instances;
mod subscriptions;
mod verify;

pub use event::{
    ACCOUNT_EXPIRED, AccountExpired, Event, PayloadVersion, TRIGGER_DISABLED, TRIGGER_MESSAGE, TriggerDisabled,
    TriggerEvent,
};
pub use instances::{ActiveTriggerQuery, Applied, TriggerInstance, TriggerInstances};
pub use subscriptions::{
    RotatedSecret, SubscriptionUpdate, WebhookEventType, WebhookSubscription, WebhookSubscriptions,
};
pub use verify::{
    DEFAULT_TOLERANCE, HEADER_ATTEMPT, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_VERSION, Verified,
    Verifier, VerifyError,
};

/// A trigger type, as a type: its slug, the toolkit version its types were made from, its
/// schemas, and the types of its config and its payload. Generated code implements it with one
/// marker type per trigger type; [`TriggerEvent::payload_of`] decodes by it.
pub trait TriggerType {
    /// The trigger type's slug (`GITHUB_COMMIT_EVENT`).
    const SLUG: &'static str;
    /// The toolkit (`github`).
    const TOOLKIT: &'static str;
    /// The toolkit version the types were made from (`20260728_00`).
    const VERSION: &'static str;
    /// The config's JSON Schema, as published.
    const CONFIG_SCHEMA: &'static str;
    /// The payload's JSON Schema, as published.
    const PAYLOAD_SCHEMA: &'static str;
    /// What an instance of it is configured with.
    type Config: serde::Serialize;
    /// What a firing carries in `data`.
    type Payload: serde::de::DeserializeOwned;
}

impl TriggerEvent {
    /// Decodes `data` as trigger type `T`'s payload. An event of another trigger type is an
    /// [`Error::Decode`](crate::Error::Decode) too, naming both slugs: ask [`TriggerEvent::is`]
    /// first to branch without an error.
    pub fn payload_of<T: TriggerType>(&self) -> crate::Result<T::Payload> {
        if !self.is::<T>() {
            return Err(crate::Error::Decode(Box::new(crate::DecodeError {
                slug: self.trigger_slug.clone(),
                path: ".".into(),
                message: format!("the event is of trigger type {}, not {}", self.trigger_slug, T::SLUG),
                raw: self.data.clone(),
            })));
        }
        self.payload()
    }
}
