//! Serving a stored blob over HTTP, for every dialect: `ETag` / `If-None-Match` (304), a single
//! `Range` (206, or 416 when unsatisfiable), long-lived caching, and a body streamed from the
//! store in chunks, never read whole into memory.

use axum::body::Body;
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE,
    ETAG, IF_NONE_MATCH, IF_RANGE, RANGE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use crate::domain::files::OpenBlob;
use crate::error::Result;

/// Blobs are content-addressed: the bytes behind a URL never change.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// Whether the browser should save the blob or show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Attachment,
    Inline,
}

/// What the response says about the blob.
#[derive(Debug, Clone)]
pub struct BlobMeta<'a> {
    /// The blob's SHA-256; the entity tag is this, quoted.
    pub sha256: &'a str,
    /// A MIME type found by sniffing the content, so safe to send.
    pub mime: &'a str,
    pub disposition: Disposition,
    /// A file name made by the server (never user input, so it needs no escaping).
    pub filename: &'a str,
}

impl BlobMeta<'_> {
    fn etag(&self) -> String {
        format!("\"{}\"", self.sha256)
    }

    /// Whether `If-None-Match` names this blob (or is `*`): the client's copy is current.
    pub fn is_fresh(&self, request: &HeaderMap) -> bool {
        let etag = self.etag();
        request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == "*" || tag == etag || tag == self.sha256)
    }

    fn headers(&self, response: &mut Response) {
        let h = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.etag()) {
            h.insert(ETAG, v);
        }
        h.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_FOREVER));
        h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }

    /// `304 Not Modified`, without touching the store.
    pub fn not_modified(&self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        self.headers(&mut response);
        response
    }

    /// The blob, whole (200) or the one range the request asks for (206); 416 when the range
    /// lies outside it.
    pub async fn send(&self, request: &HeaderMap, blob: Box<dyn OpenBlob>) -> Result<Response> {
        let size = blob.size();
        let range = match request.get(RANGE).and_then(|v| v.to_str().ok()) {
            Some(r) if self.if_range_holds(request) => resolve(r, size),
            _ => Span::Whole,
        };
        let mut response = Response::new(Body::empty());
        self.headers(&mut response);
        let (start, len) = match range {
            Span::Whole => (0, size),
            Span::Part(start, end) => {
                *response.status_mut() = StatusCode::PARTIAL_CONTENT;
                insert(
                    &mut response,
                    CONTENT_RANGE,
                    format!("bytes {start}-{end}/{size}"),
                );
                (start, end - start + 1)
            }
            Span::Unsatisfiable => {
                *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
                insert(&mut response, CONTENT_RANGE, format!("bytes */{size}"));
                return Ok(response);
            }
        };
        insert(&mut response, CONTENT_TYPE, self.mime.to_owned());
        insert(&mut response, CONTENT_LENGTH, len.to_string());
        let kind = match self.disposition {
            Disposition::Attachment => "attachment",
            Disposition::Inline => "inline",
        };
        insert(
            &mut response,
            CONTENT_DISPOSITION,
            format!("{kind}; filename=\"{}\"", self.filename),
        );
        response
            .headers_mut()
            .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        *response.body_mut() = Body::from_stream(blob.stream(start, len).await?);
        Ok(response)
    }

    /// `If-Range` (when present) must name this blob for `Range` to apply.
    fn if_range_holds(&self, request: &HeaderMap) -> bool {
        match request.get(IF_RANGE).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(v) => v.trim() == self.etag(),
        }
    }
}

fn insert(response: &mut Response, name: axum::http::HeaderName, value: String) {
    match HeaderValue::from_str(&value) {
        Ok(v) => {
            response.headers_mut().insert(name, v);
        }
        Err(_) => {
            // Values are built from numbers, sniffed MIME types and server-made names.
            tracing::error!(%name, "unrepresentable header value");
        }
    }
}

/// Which bytes a `Range` header selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    /// No usable range (absent, malformed, or several ranges): send everything.
    Whole,
    /// From `start` to `end`, both inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

/// Resolves `bytes=a-b`, `bytes=a-` or `bytes=-n` against a blob of `size` bytes. A header
/// that does not parse is ignored, as RFC 9110 allows; so are multiple ranges.
fn resolve(header: &str, size: u64) -> Span {
    let Some((unit, spec)) = header.trim().split_once('=') else {
        return Span::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return Span::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Span::Whole;
    };
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (Some(first), Some(last)) = (number(first), number(last)) else {
        return Span::Whole;
    };
    match (first, last) {
        (Some(start), last) => {
            if last.is_some_and(|end| end < start) {
                Span::Whole
            } else if start >= size {
                Span::Unsatisfiable
            } else {
                let end = last.map_or(size - 1, |end| end.min(size - 1));
                Span::Part(start, end)
            }
        }
        (None, Some(suffix)) => {
            if suffix == 0 || size == 0 {
                Span::Unsatisfiable
            } else {
                Span::Part(size.saturating_sub(suffix), size - 1)
            }
        }
        (None, None) => Span::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges_resolve_against_the_size() {
        assert_eq!(resolve("bytes=0-9", 100), Span::Part(0, 9));
        assert_eq!(resolve("bytes=90-", 100), Span::Part(90, 99));
        assert_eq!(resolve("bytes=-10", 100), Span::Part(90, 99));
        assert_eq!(resolve("bytes=-1000", 100), Span::Part(0, 99));
        assert_eq!(resolve("bytes=50-1000", 100), Span::Part(50, 99));
        assert_eq!(resolve("BYTES = 1-1", 100), Span::Part(1, 1));
    }

    #[test]
    fn ranges_outside_the_blob_are_unsatisfiable() {
        assert_eq!(resolve("bytes=100-", 100), Span::Unsatisfiable);
        assert_eq!(resolve("bytes=100-200", 100), Span::Unsatisfiable);
        assert_eq!(resolve("bytes=-0", 100), Span::Unsatisfiable);
    }

    #[test]
    fn unusable_headers_are_ignored() {
        for h in [
            "bytes=5-1",
            "bytes=a-b",
            "bytes=-",
            "items=0-1",
            "bytes=0-1,5-6",
            "bytes=+1-2",
            "bytes",
            "",
        ] {
            assert_eq!(resolve(h, 100), Span::Whole, "{h}");
        }
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let meta = BlobMeta {
            sha256: "abc",
            mime: "image/png",
            disposition: Disposition::Inline,
            filename: "abc.png",
        };
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            meta.is_fresh(&h)
        };
        assert!(with("\"abc\""));
        assert!(with("\"x\", W/\"abc\""));
        assert!(with("*"));
        assert!(!with("\"abd\""));
        assert!(!meta.is_fresh(&HeaderMap::new()));
    }
}
