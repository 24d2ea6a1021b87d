//! Streamed JSON array bodies (`/repertoire/all`, repertoire pages, `/equivalence`): items are
//! written batch by batch as the store yields them, so the first bytes leave at once and memory
//! stays at one batch. A storage failure mid-way cuts the body short (the 200 status line has
//! gone already), which a JSON client sees as invalid JSON.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

/// Writes one item's JSON to the buffer.
pub type WriteItem<T> = fn(&T, &mut Vec<u8>) -> std::io::Result<()>;

/// Where the body is: head not sent yet, inside the array, or finished.
struct State<T> {
    head: Option<String>,
    batches: BoxStream<'static, crate::error::Result<Vec<T>>>,
    write: WriteItem<T>,
    tail: &'static str,
    empty: bool,
    done: bool,
}

impl<T> State<T> {
    async fn next_chunk(&mut self) -> Option<std::io::Result<Bytes>> {
        if let Some(head) = self.head.take() {
            return Some(Ok(Bytes::from(head)));
        }
        if self.done {
            return None;
        }
        match self.batches.next().await {
            Some(Ok(batch)) => {
                let mut out = Vec::with_capacity(batch.len() * 256);
                for item in &batch {
                    out.push(if self.empty { b'[' } else { b',' });
                    self.empty = false;
                    if let Err(e) = (self.write)(item, &mut out) {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
                Some(Ok(Bytes::from(out)))
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "streaming a list failed");
                self.done = true;
                Some(Err(std::io::Error::other("list stream failed")))
            }
            None => {
                self.done = true;
                let close = if self.empty { "[]" } else { "]" };
                Some(Ok(Bytes::from(format!("{close}{}", self.tail))))
            }
        }
    }
}

/// Streams `head` + `[` + every item of `batches` + `]` + `tail` as a JSON body.
pub fn json_array<T: Send + 'static>(
    head: String,
    batches: BoxStream<'static, crate::error::Result<Vec<T>>>,
    write: WriteItem<T>,
    tail: &'static str,
) -> Response {
    let state = State {
        head: Some(head),
        batches,
        write,
        tail,
        empty: true,
        done: false,
    };
    let body = futures_util::stream::unfold(state, |mut s| async move {
        let chunk = s.next_chunk().await?;
        Some((chunk, s))
    });
    (
        [(CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response()
}
