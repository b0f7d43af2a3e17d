//! Webhook bodies, read into one normalised [`Event`] whatever the subscription's payload
//! version (V1, V2, V3), with the trigger's `data` kept raw until a type is asked for.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{ConnectedAccount, DecodeError, Error, Result};

/// The event type of a trigger firing.
pub const TRIGGER_MESSAGE: &str = "composio.trigger.message";
/// The event type sent when Composio disabled a trigger instance itself.
pub const TRIGGER_DISABLED: &str = "composio.trigger.disabled";
/// The event type sent when a connected account expired.
pub const ACCOUNT_EXPIRED: &str = "composio.connected_account.expired";

/// What the errors of reading a body name as the thing that failed to decode.
const ENVELOPE: &str = "webhook event";

/// The payload version a body was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadVersion {
    /// `{trigger_name, trigger_id, connection_id, payload, log_id}`.
    V1,
    /// `{type: "<lower-case slug>", timestamp, log_id, data: {connection_nano_id, trigger_nano_id, user_id, …}}`.
    V2,
    /// `{id, type, timestamp, metadata, data}`, the default for new projects.
    V3,
}

/// One webhook delivery, read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A trigger fired.
    Trigger(TriggerEvent),
    /// Composio disabled a trigger instance (expired auth, failing polls); not sent for your
    /// own disable calls.
    TriggerDisabled(TriggerDisabled),
    /// A connected account expired.
    AccountExpired(AccountExpired),
    /// An event type this version of the crate does not know, kept whole.
    Other {
        /// Its `type`.
        event_type: String,
        /// The body.
        raw: Value,
    },
}

/// A trigger firing, the same whichever payload version carried it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TriggerEvent {
    /// The version the body was written in.
    pub version: PayloadVersion,
    /// The delivery id: the body's `id` (V3) or the `webhook-id` header, the same on every
    /// retry of a delivery. De-duplicate on it: delivery is at least once.
    pub delivery_id: Option<String>,
    /// The trigger type, upper case (`GITHUB_COMMIT_EVENT`).
    pub trigger_slug: String,
    /// The trigger instance (`ti_…`).
    pub trigger_id: String,
    /// The connected account it watches (`ca_…`).
    pub connected_account_id: Option<String>,
    /// The auth config of that account (V3 only).
    pub auth_config_id: Option<String>,
    /// The user; `null` is allowed by the platform, and V1 does not say.
    pub user_id: Option<String>,
    /// Composio's log id, for support and a second de-duplication key.
    pub log_id: Option<String>,
    /// When the event happened, as sent (V2, V3).
    pub timestamp: Option<String>,
    /// The trigger's payload, as sent, with V2's routing fields taken out.
    pub data: Value,
}

impl TriggerEvent {
    /// Whether this event is of trigger type `T`.
    pub fn is<T: crate::triggers::TriggerType>(&self) -> bool {
        self.trigger_slug.eq_ignore_ascii_case(T::SLUG)
    }

    /// Decodes `data` into `T`. When it does not fit, [`Error::Decode`] keeps the raw JSON and
    /// the path where decoding failed, as for tool outputs.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T> {
        decode_value(&self.data, &self.trigger_slug)
    }
}

/// Composio disabled a trigger instance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TriggerDisabled {
    /// The trigger instance (`ti_…`).
    pub id: String,
    /// Its connected account.
    #[serde(default)]
    pub connected_account_id: Option<String>,
    /// Its trigger type.
    #[serde(default)]
    pub trigger_name: Option<String>,
    /// Its user, when known.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Its config.
    #[serde(default)]
    pub trigger_config: Value,
    /// When (RFC 3339).
    #[serde(default)]
    pub disabled_at: Option<String>,
    /// Why, as the platform says.
    #[serde(default)]
    pub disabled_reason: Option<String>,
    /// The project, from the metadata.
    #[serde(skip)]
    pub project_id: Option<String>,
    /// The delivery id.
    #[serde(skip)]
    pub delivery_id: Option<String>,
}

/// A connected account expired: reconnect it before its triggers fire again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountExpired {
    /// The account, as the connected-account routes return it.
    pub account: Box<ConnectedAccount>,
    /// The project, from the metadata.
    pub project_id: Option<String>,
    /// The organisation, from the metadata.
    pub org_id: Option<String>,
    /// The delivery id.
    pub delivery_id: Option<String>,
}

impl Event {
    /// Reads a body, in whichever version it was written. `delivery_id` is the `webhook-id`
    /// header ([`Verified::delivery_id`](crate::triggers::Verified::delivery_id)), used when
    /// the body has no id of its own (V1, V2). A body that is no known shape is an
    /// [`Error::Decode`] holding it.
    pub fn from_slice(body: &[u8], delivery_id: Option<&str>) -> Result<Event> {
        let raw: Value =
            serde_json::from_slice(body).map_err(|e| decode_error(ENVELOPE, ".", e.to_string(), Value::Null))?;
        Event::from_value(raw, delivery_id)
    }

    /// [`Event::from_slice`] for a body already parsed.
    pub fn from_value(raw: Value, delivery_id: Option<&str>) -> Result<Event> {
        let Value::Object(body) = &raw else {
            return Err(decode_error(ENVELOPE, ".", "a webhook body is a JSON object".into(), raw));
        };
        let header_id = delivery_id.map(str::to_owned);
        let text = |map: &Map<String, Value>, key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let event_type = text(body, "type");
        match event_type.as_deref() {
            Some(TRIGGER_MESSAGE) => {
                let envelope: V3Envelope = decode_value(&raw, ENVELOPE)?;
                let m = envelope.metadata;
                Ok(Event::Trigger(TriggerEvent {
                    version: PayloadVersion::V3,
                    delivery_id: envelope.id.or(header_id),
                    trigger_slug: m.trigger_slug.to_ascii_uppercase(),
                    trigger_id: m.trigger_id,
                    connected_account_id: m.connected_account_id,
                    auth_config_id: m.auth_config_id,
                    user_id: m.user_id,
                    log_id: m.log_id,
                    timestamp: envelope.timestamp,
                    data: envelope.data,
                }))
            }
            Some(TRIGGER_DISABLED) => {
                let envelope: V3Other = decode_value(&raw, ENVELOPE)?;
                let mut disabled: TriggerDisabled = decode_value(&envelope.data, TRIGGER_DISABLED)?;
                disabled.project_id = text(&envelope.metadata, "project_id");
                disabled.delivery_id = envelope.id.or(header_id);
                Ok(Event::TriggerDisabled(disabled))
            }
            Some(ACCOUNT_EXPIRED) => {
                let envelope: V3Other = decode_value(&raw, ENVELOPE)?;
                Ok(Event::AccountExpired(AccountExpired {
                    account: decode_value(&envelope.data, ACCOUNT_EXPIRED)?,
                    project_id: text(&envelope.metadata, "project_id"),
                    org_id: text(&envelope.metadata, "org_id"),
                    delivery_id: envelope.id.or(header_id),
                }))
            }
            Some(other) if other.starts_with("composio.") => Ok(Event::Other { event_type: other.to_owned(), raw }),
            // V2 names the trigger, lower case, in `type`, and nests its routing in `data`.
            Some(slug) => {
                let slug = slug.to_ascii_uppercase();
                let mut envelope: V2Envelope = decode_value(&raw, ENVELOPE)?;
                let mut take = |key: &str| match envelope.data.remove(key) {
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                };
                let trigger_nano_id = take("trigger_nano_id");
                let trigger_id = take("trigger_id");
                let connection_nano_id = take("connection_nano_id");
                let connection_id = take("connection_id");
                let user_id = take("user_id");
                let Some(trigger_id) = trigger_nano_id.or(trigger_id) else {
                    return Err(decode_error(ENVELOPE, "data.trigger_nano_id", "missing field".into(), raw));
                };
                Ok(Event::Trigger(TriggerEvent {
                    version: PayloadVersion::V2,
                    delivery_id: header_id,
                    trigger_slug: slug,
                    trigger_id,
                    connected_account_id: connection_nano_id.or(connection_id),
                    auth_config_id: None,
                    user_id,
                    log_id: envelope.log_id,
                    timestamp: envelope.timestamp,
                    data: Value::Object(envelope.data),
                }))
            }
            None => {
                let envelope: V1Envelope = decode_value(&raw, ENVELOPE)?;
                Ok(Event::Trigger(TriggerEvent {
                    version: PayloadVersion::V1,
                    delivery_id: header_id,
                    trigger_slug: envelope.trigger_name.to_ascii_uppercase(),
                    trigger_id: envelope.trigger_id,
                    connected_account_id: envelope.connection_id,
                    auth_config_id: None,
                    user_id: None,
                    log_id: envelope.log_id,
                    timestamp: None,
                    data: envelope.payload,
                }))
            }
        }
    }

    /// The delivery id, whatever the event.
    pub fn delivery_id(&self) -> Option<&str> {
        match self {
            Event::Trigger(e) => e.delivery_id.as_deref(),
            Event::TriggerDisabled(e) => e.delivery_id.as_deref(),
            Event::AccountExpired(e) => e.delivery_id.as_deref(),
            Event::Other { raw, .. } => raw.get("id").and_then(Value::as_str),
        }
    }
}

#[derive(Deserialize)]
struct V3Envelope {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    metadata: V3Metadata,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
struct V3Metadata {
    trigger_slug: String,
    trigger_id: String,
    #[serde(default)]
    connected_account_id: Option<String>,
    #[serde(default)]
    auth_config_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    log_id: Option<String>,
}

#[derive(Deserialize)]
struct V3Other {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    metadata: Map<String, Value>,
    data: Value,
}

#[derive(Deserialize)]
struct V2Envelope {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    log_id: Option<String>,
    data: Map<String, Value>,
}

#[derive(Deserialize)]
struct V1Envelope {
    trigger_name: String,
    trigger_id: String,
    #[serde(default)]
    connection_id: Option<String>,
    #[serde(default)]
    log_id: Option<String>,
    #[serde(default)]
    payload: Value,
}

fn decode_error(what: &str, path: &str, message: String, raw: Value) -> Error {
    Error::Decode(Box::new(DecodeError { slug: what.to_owned(), path: path.to_owned(), message, raw }))
}

/// Decodes `value` into `T`, naming the path where it did not fit.
fn decode_value<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map_err(|e| decode_error(what, &e.path().to_string(), e.inner().to_string(), value.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(body: Value, header_id: Option<&str>) -> Event {
        Event::from_slice(body.to_string().as_bytes(), header_id).unwrap()
    }

    fn trigger(event: Event) -> TriggerEvent {
        match event {
            Event::Trigger(t) => t,
            other => panic!("not a trigger event: {other:?}"),
        }
    }

    #[test]
    fn the_three_versions_normalise_to_the_same_fields() {
        let data = json!({"author": "octocat", "id": "7638417", "message": "Fix typo"});
        let v3 = trigger(read(
            json!({"id": "msg_1", "type": TRIGGER_MESSAGE, "timestamp": "2026-01-15T10:30:00Z",
                "metadata": {"log_id": "log_1", "trigger_slug": "GITHUB_COMMIT_EVENT", "trigger_id": "ti_1",
                    "connected_account_id": "ca_1", "auth_config_id": "ac_1", "user_id": null},
                "data": data}),
            Some("msg_header"),
        ));
        assert_eq!(v3.version, PayloadVersion::V3);
        assert_eq!(v3.delivery_id.as_deref(), Some("msg_1"), "the body's id wins over the header");
        assert_eq!(v3.user_id, None, "a null user id is accepted");
        assert_eq!(v3.auth_config_id.as_deref(), Some("ac_1"));

        let mut v2_data = data.as_object().unwrap().clone();
        for (k, v) in [
            ("connection_id", "uuid-c"),
            ("connection_nano_id", "ca_1"),
            ("trigger_nano_id", "ti_1"),
            ("trigger_id", "uuid-t"),
            ("user_id", "user-1"),
        ] {
            v2_data.insert(k.into(), v.into());
        }
        let v2 = trigger(read(
            json!({"type": "github_commit_event", "timestamp": "2026-01-15T10:30:00Z", "log_id": "log_1", "data": v2_data}),
            Some("msg_2"),
        ));
        assert_eq!(v2.version, PayloadVersion::V2);
        assert_eq!(v2.delivery_id.as_deref(), Some("msg_2"), "V2 bodies carry no id: the header's is used");
        assert_eq!(v2.user_id.as_deref(), Some("user-1"));

        let v1 = trigger(read(
            json!({"trigger_name": "GITHUB_COMMIT_EVENT", "trigger_id": "ti_1", "connection_id": "ca_1",
                "log_id": "log_1", "payload": data}),
            None,
        ));
        assert_eq!(v1.version, PayloadVersion::V1);
        assert_eq!(v1.delivery_id, None);

        for t in [&v3, &v2, &v1] {
            assert_eq!(t.trigger_slug, "GITHUB_COMMIT_EVENT");
            assert_eq!(t.trigger_id, "ti_1", "{:?}", t.version);
            assert_eq!(t.connected_account_id.as_deref(), Some("ca_1"), "{:?}", t.version);
            assert_eq!(t.log_id.as_deref(), Some("log_1"));
            assert_eq!(t.data, data, "{:?}: V2's routing fields are taken out of data", t.version);
        }
    }

    #[test]
    fn payload_decodes_or_keeps_the_raw_json_and_the_failing_path() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Commit {
            author: String,
            files: Vec<u32>,
        }
        let event = TriggerEvent {
            version: PayloadVersion::V3,
            delivery_id: None,
            trigger_slug: "GITHUB_COMMIT_EVENT".into(),
            trigger_id: "ti_1".into(),
            connected_account_id: None,
            auth_config_id: None,
            user_id: None,
            log_id: None,
            timestamp: None,
            data: json!({"author": "octocat", "files": [1, "two"]}),
        };
        let Err(Error::Decode(err)) = event.payload::<Commit>() else {
            panic!("a string among numbers must not decode")
        };
        assert_eq!(err.path, "files[1]");
        assert_eq!(err.slug, "GITHUB_COMMIT_EVENT");
        assert_eq!(err.raw, event.data);
        let fine = TriggerEvent { data: json!({"author": "octocat", "files": [1, 2]}), ..event };
        assert_eq!(fine.payload::<Commit>().unwrap(), Commit { author: "octocat".into(), files: vec![1, 2] });
    }

    #[test]
    fn disabled_and_expired_events_are_typed_and_unknown_ones_kept() {
        let disabled = read(
            json!({"id": "msg_d", "type": TRIGGER_DISABLED, "timestamp": "2026-01-15T10:30:00Z",
                "metadata": {"project_id": "pr_1"},
                "data": {"id": "ti_1", "connected_account_id": "ca_1", "trigger_name": "GMAIL_NEW_GMAIL_MESSAGE",
                    "user_id": null, "trigger_config": {"interval": 15}, "disabled_at": "2026-01-15T10:30:00Z",
                    "disabled_reason": "Connected account authentication expired."}}),
            None,
        );
        let Event::TriggerDisabled(d) = &disabled else { panic!("{disabled:?}") };
        assert_eq!((d.id.as_str(), d.project_id.as_deref()), ("ti_1", Some("pr_1")));
        assert_eq!(d.disabled_reason.as_deref(), Some("Connected account authentication expired."));
        assert_eq!(disabled.delivery_id(), Some("msg_d"));

        let expired = read(
            json!({"id": "msg_e", "type": ACCOUNT_EXPIRED, "timestamp": "2026-01-15T10:30:00Z",
                "metadata": {"project_id": "pr_1", "org_id": "org_1"},
                "data": {"id": "ca_1", "toolkit": {"slug": "github"}, "auth_config": {"id": "ac_1"},
                    "status": "EXPIRED", "user_id": "user-1"}}),
            None,
        );
        let Event::AccountExpired(e) = &expired else { panic!("{expired:?}") };
        assert_eq!((e.account.id.as_str(), e.org_id.as_deref()), ("ca_1", Some("org_1")));

        let other = read(json!({"id": "msg_o", "type": "composio.something.new", "data": {}}), None);
        assert!(matches!(&other, Event::Other { event_type, .. } if event_type == "composio.something.new"));
        assert_eq!(other.delivery_id(), Some("msg_o"));
    }

    #[test]
    fn bodies_of_no_known_shape_are_decode_errors_not_panics() {
        for body in [
            &b"not json"[..],
            b"[1,2]",
            b"{}",
            br#"{"type":"composio.trigger.message","metadata":{}}"#,
            br#"{"type":"github_commit_event","data":{"x":1}}"#,
        ] {
            let err = Event::from_slice(body, None).unwrap_err();
            assert!(matches!(err, Error::Decode(_)), "{}: {err}", String::from_utf8_lossy(body));
        }
    }
}
