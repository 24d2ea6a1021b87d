//! Connection deadlines (decisions §8): once a client starts sending a request, its headers
//! must be complete within `server.header_timeout_s`, or the connection is closed.
//!
//! hyper's own `header_read_timeout` starts when the connection begins to wait for a
//! request, so it cannot tell a client that is slowly sending headers from an idle
//! keep-alive connection; it is set to `server.idle_timeout_s` and this wrapper adds the
//! shorter deadline that starts at the first byte of a request.

use std::future::Ready;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Where the connection is in the request/response cycle, as far as the bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between requests (or before the first one): hyper's idle timeout applies.
    Waiting,
    /// Some bytes of a request head arrived; `newlines` counts consecutive line ends seen
    /// (a blank line ends the head; `\r` is ignored, as HTTP parsers accept bare `\n`).
    Head { newlines: u8 },
    /// The head is complete; the body (if any) is the body deadline's business.
    Rest,
}

/// An IO stream that fails its reads once a request head takes longer than the deadline.
pub struct HeadDeadline<IO> {
    io: IO,
    timeout: Duration,
    phase: Phase,
    sleep: Pin<Box<Sleep>>,
}

impl<IO> HeadDeadline<IO> {
    pub fn new(io: IO, timeout: Duration) -> Self {
        Self {
            io,
            timeout,
            phase: Phase::Waiting,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    /// Advances the phase over bytes just read.
    fn saw(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match self.phase {
                Phase::Waiting => {
                    self.sleep.as_mut().reset(Instant::now() + self.timeout);
                    self.phase = Phase::Head { newlines: 0 };
                    self.step(b);
                }
                Phase::Head { .. } => self.step(b),
                Phase::Rest => return,
            }
        }
    }

    fn step(&mut self, b: u8) {
        if let Phase::Head { newlines } = self.phase {
            self.phase = match b {
                b'\n' if newlines >= 1 => Phase::Rest,
                b'\n' => Phase::Head { newlines: 1 },
                b'\r' => Phase::Head { newlines },
                _ => Phase::Head { newlines: 0 },
            };
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for HeadDeadline<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.saw(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                if matches!(this.phase, Phase::Head { .. })
                    && this.sleep.as_mut().poll(cx).is_ready()
                {
                    tracing::debug!("request head not complete in time; closing the connection");
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request head timeout",
                    )));
                }
                Poll::Pending
            }
            other => other,
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let done = Pin::new(&mut this.io).poll_write(cx, buf);
        // A response is going out, so the request head was read: the next bytes that arrive
        // start a new request.
        if matches!(done, Poll::Ready(Ok(n)) if n > 0) {
            this.phase = Phase::Waiting;
        }
        done
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// An axum-server acceptor that wraps every accepted stream in [`HeadDeadline`]; the TLS
/// acceptor wraps this one, so the deadline sees the decrypted bytes.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineAcceptor {
    pub header_timeout: Duration,
}

impl<I, S> axum_server::accept::Accept<I, S> for DeadlineAcceptor {
    type Stream = HeadDeadline<I>;
    type Service = S;
    type Future = Ready<io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        std::future::ready(Ok((
            HeadDeadline::new(stream, self.header_timeout),
            service,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase_after(chunks: &[&[u8]]) -> Phase {
        let mut d = HeadDeadline::new((), Duration::from_secs(10));
        for c in chunks {
            d.saw(c);
        }
        d.phase
    }

    #[tokio::test]
    async fn a_blank_line_ends_the_head_in_any_chunking() {
        assert_eq!(phase_after(&[]), Phase::Waiting);
        assert!(matches!(
            phase_after(&[b"GET / HTTP/1.1\r\nHost: a\r\n"]),
            Phase::Head { .. }
        ));
        assert_eq!(
            phase_after(&[b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"]),
            Phase::Rest
        );
        assert_eq!(
            phase_after(&[b"GET / HTTP/1.1\r\n", b"Host: a\r", b"\n\r", b"\n"]),
            Phase::Rest
        );
        assert_eq!(phase_after(&[b"GET / HTTP/1.1\n\n"]), Phase::Rest);
        assert!(matches!(
            phase_after(&[b"GET / HTTP/1.1\r\nX: \r\r\n"]),
            Phase::Head { .. }
        ));
    }

    #[tokio::test]
    async fn an_http2_preface_gets_the_head_deadline_like_any_request() {
        // Only HTTP/1.1 is served: a client that opens with the HTTP/2 preface and stalls is
        // a slow request head like any other.
        assert!(matches!(
            phase_after(&[b"PRI * HTTP/2.0\r\n"]),
            Phase::Head { .. }
        ));
    }
}
