//! The request body deadline (decisions §8, `server.body_timeout_s`): the whole body must
//! arrive within the deadline counted from the end of the request head. tower-http's body
//! timeout resets on every frame, so a client trickling a byte at a time would never hit
//! it; this one does not reset.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use hyper::body::{Frame, SizeHint};
use tokio::time::Sleep;

/// A body that fails with `TimedOut` once its deadline passes.
pub struct DeadlineBody {
    inner: Body,
    sleep: Pin<Box<Sleep>>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending if this.sleep.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "request body timeout",
                )))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Wraps a request's body in a [`DeadlineBody`] of `timeout`.
pub fn limit(request: Request, timeout: Duration) -> Request {
    request.map(|inner| {
        if inner.is_end_stream() {
            return inner;
        }
        Body::new(DeadlineBody {
            inner,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        })
    })
}
