//! Firing signed webhook deliveries at the subscription's URL, as Composio does: the body in
//! the subscription's payload version, HMAC-SHA256 over `{id}.{timestamp}.{body}` with its
//! secret, and the `webhook-*` headers. Duplicates (a retry keeps its id) and tampered bodies
//! are one call away.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::server::TestServer;
use crate::state::lock;

/// One delivery to fire: a trigger event by default.
#[derive(Debug, Clone)]
pub struct Delivery {
    trigger_slug: String,
    data: Value,
    trigger_id: String,
    connected_account_id: String,
    user_id: Option<String>,
    version: Option<String>,
    webhook_id: Option<String>,
    tampered: bool,
    attempt: u32,
}

impl Delivery {
    /// A firing of `trigger_slug` carrying `data`.
    pub fn trigger(trigger_slug: &str, data: Value) -> Self {
        Delivery {
            trigger_slug: trigger_slug.to_owned(),
            data,
            trigger_id: "ti_test".into(),
            connected_account_id: "ca_test".into(),
            user_id: None,
            version: None,
            webhook_id: None,
            tampered: false,
            attempt: 1,
        }
    }

    /// The instance and account it comes from.
    pub fn from_instance(mut self, trigger_id: &str, connected_account_id: &str) -> Self {
        self.trigger_id = trigger_id.to_owned();
        self.connected_account_id = connected_account_id.to_owned();
        self
    }

    /// The user, `null` when not set.
    pub fn user(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    /// This payload version (`V1`, `V2`, `V3`) instead of the subscription's.
    pub fn version(mut self, version: &str) -> Self {
        self.version = Some(version.to_owned());
        self
    }

    /// A retry of an earlier delivery: the same `webhook-id`, the next attempt number.
    pub fn retry_of(mut self, earlier: &Delivered) -> Self {
        self.webhook_id = Some(earlier.webhook_id.clone());
        self.attempt = earlier.attempt + 1;
        self
    }

    /// Changes the body after signing, as an attacker in the middle would.
    pub fn tampered(mut self) -> Self {
        self.tampered = true;
        self
    }
}

/// What a delivery sent and what the receiver answered.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The `webhook-id`.
    pub webhook_id: String,
    /// The attempt number sent.
    pub attempt: u32,
    /// The body sent.
    pub body: Vec<u8>,
    /// The receiver's HTTP status.
    pub status: u16,
}

impl TestServer {
    /// Fires `delivery` at the subscription's URL (plain `http://` only) and returns the
    /// receiver's status. An error when there is no subscription or the receiver cannot be
    /// reached.
    pub async fn deliver(&self, delivery: Delivery) -> Result<Delivered, String> {
        let (url, version, secret) = {
            let subscriptions = lock(&self.state().subscriptions);
            let s = subscriptions.first().ok_or("no webhook subscription")?;
            (s.webhook_url.clone(), s.version.clone(), s.secret.clone())
        };
        let version = delivery.version.clone().unwrap_or(version);
        let n = self.state().next_id();
        let webhook_id =
            delivery.webhook_id.clone().unwrap_or_else(|| format!("msg_{n:08x}-0000-4000-8000-{:012x}", n * 7919));
        let body = body(&delivery, &version, &webhook_id, n).to_string();
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
            .map_err(|_| "HMAC refused the key".to_owned())?;
        mac.update(format!("{webhook_id}.{timestamp}.{body}").as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let body = if delivery.tampered { body.replacen("}", r#","tampered":true}"#, 1) } else { body };
        let headers = [
            ("webhook-id", webhook_id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", format!("v1,{signature}")),
            ("x-composio-webhook-version", version),
            ("x-composio-delivery-attempt", delivery.attempt.to_string()),
        ];
        let status = post(&url, &headers, body.as_bytes()).await?;
        Ok(Delivered { webhook_id, attempt: delivery.attempt, body: body.into_bytes(), status })
    }
}

fn body(d: &Delivery, version: &str, webhook_id: &str, n: u64) -> Value {
    let log_id = format!("log_{n:012}");
    match version {
        "V1" => json!({"trigger_name": d.trigger_slug, "trigger_id": d.trigger_id,
            "connection_id": d.connected_account_id, "log_id": log_id, "payload": d.data}),
        "V2" => {
            let mut data = d.data.as_object().cloned().unwrap_or_default();
            data.insert("trigger_nano_id".into(), json!(d.trigger_id));
            data.insert("connection_nano_id".into(), json!(d.connected_account_id));
            data.insert("user_id".into(), json!(d.user_id));
            json!({"type": d.trigger_slug.to_ascii_lowercase(), "timestamp": "2026-01-01T00:00:00Z",
                "log_id": log_id, "data": data})
        }
        _ => json!({"id": webhook_id, "type": "composio.trigger.message", "timestamp": "2026-01-01T00:00:00Z",
            "metadata": {"log_id": log_id, "trigger_slug": d.trigger_slug, "trigger_id": d.trigger_id,
                "connected_account_id": d.connected_account_id, "auth_config_id": "ac_test", "user_id": d.user_id},
            "data": d.data}),
    }
}

/// One HTTP/1.1 POST over a fresh connection; the status of the answer.
async fn post(url: &str, headers: &[(&str, String)], body: &[u8]) -> Result<u16, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are delivered to"))?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(authority).await.map_err(|e| format!("{url}: {e}"))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    stream.write_all(body).await.map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.map_err(|e| e.to_string())?;
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{url}: no HTTP status in the answer"))
}
