//! The body of every response, including one that is cut off on purpose.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::Notify;

/// The body of every response: either complete, or one that sends its bytes and then gets
/// the connection dropped (for [`crate::Fault::TruncatedBody`]).
pub(crate) enum RespBody {
    Full(Option<Bytes>),
    Truncated { data: Option<Bytes>, abort: Arc<Notify>, armed: bool },
}

impl RespBody {
    pub fn full(data: impl Into<Bytes>) -> RespBody {
        let data = data.into();
        RespBody::Full(if data.is_empty() { None } else { Some(data) })
    }
}

/// How long a truncated body waits before its connection is dropped, so that hyper has
/// flushed the partial bytes to the socket first.
const TRUNCATE_GRACE: Duration = Duration::from_millis(30);

impl Body for RespBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            RespBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            RespBody::Truncated { data, abort, armed } => {
                if let Some(d) = data.take() {
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                // Never end the body: hyper would then notice the short length and close the
                // connection before flushing. Instead stay pending and have the connection
                // task drop the socket a moment later.
                if !*armed {
                    *armed = true;
                    let abort = abort.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(TRUNCATE_GRACE).await;
                        abort.notify_one();
                    });
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, RespBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RespBody::Full(None) => SizeHint::with_exact(0),
            RespBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            // Unknown, so that hyper takes the (lying) Content-Length header as given.
            RespBody::Truncated { .. } => SizeHint::default(),
        }
    }
}
