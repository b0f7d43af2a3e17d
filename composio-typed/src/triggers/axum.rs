//! Receiving Composio's webhooks in an [axum](https://docs.rs/axum) app (the `axum` feature).
//!
//! [`webhook`] is a `POST` route that reads the raw body (up to a size limit), verifies it
//! first, then decodes it and calls your handler. It answers:
//! - `401` when verification fails (nothing is decoded or handled);
//! - `413` for a body over the limit;
//! - `400` for a signed body of no known shape (Composio retrying it would not help);
//! - `500` when your handler fails, so Composio retries the delivery;
//! - `204` when your handler succeeded.
//!
//! Delivery is at least once: a retry carries the same [`Delivery::delivery_id`], so
//! de-duplicate on it.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{MethodRouter, post};

use super::{Event, Verified, Verifier};

/// The largest body accepted unless told otherwise: 1 MiB, far above any trigger payload.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// A verified, decoded delivery, as your handler receives it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The delivery id (`webhook-id`), the same on every retry: de-duplicate on it.
    pub delivery_id: String,
    /// The attempt number, from 1, when Composio sent it.
    pub attempt: Option<u32>,
    /// The event.
    pub event: Event,
}

/// A `POST` route receiving webhooks signed with `verifier`'s secret, calling `handler` with
/// each verified delivery; bodies up to [`DEFAULT_BODY_LIMIT`].
///
/// ```rust,ignore
/// let app = axum::Router::new().route("/hooks/composio", webhook(verifier, |delivery: Delivery| async move {
///     println!("{:?}", delivery.event);
///     Ok::<_, std::convert::Infallible>(())
/// }));
/// ```
pub fn webhook<S, H, Fut, E>(verifier: Verifier, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    H: Fn(Delivery) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    webhook_with_limit(verifier, DEFAULT_BODY_LIMIT, handler)
}

/// [`webhook`] with a body size limit of `limit` bytes.
pub fn webhook_with_limit<S, H, Fut, E>(verifier: Verifier, limit: usize, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    H: Fn(Delivery) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let verifier = Arc::new(verifier);
    post(move |headers: HeaderMap, body: Bytes| {
        let (verifier, handler) = (verifier.clone(), handler.clone());
        async move { receive(&verifier, &headers, &body, handler).await }
    })
    .layer(DefaultBodyLimit::max(limit))
}

async fn receive<H, Fut, E>(verifier: &Verifier, headers: &HeaderMap, body: &[u8], handler: H) -> StatusCode
where
    H: Fn(Delivery) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Verified { delivery_id, attempt, .. } = match verifier.verify(header, body) {
        Ok(verified) => verified,
        Err(e) => {
            // The reason is the receiver's to know, not the sender's: the log says which check
            // failed; the answer says only 401. No error carries the secret.
            tracing::warn!(error = %e, "composio webhook refused");
            return StatusCode::UNAUTHORIZED;
        }
    };
    let event = match Event::from_slice(body, Some(&delivery_id)) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(delivery_id = %delivery_id, error = %e, "composio webhook of no known shape");
            return StatusCode::BAD_REQUEST;
        }
    };
    match handler(Delivery { delivery_id: delivery_id.clone(), attempt, event }).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(e) => {
            tracing::warn!(delivery_id = %delivery_id, error = %e, "composio webhook handler failed; Composio will retry");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
