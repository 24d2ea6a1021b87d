//! What an operation-log entry keeps of a request body and a response body.
//!
//! The request body is observed as the handler reads it ([`BodyCapture::feed`]); nothing is
//! buffered beyond a bounded prefix, and multipart bodies only feed the
//! [`MultipartSummary`]. [`BodyCapture::finish`] turns what was seen into the stored JSON:
//! parsed, masked ([`redact::mask`]) and cut ([`redact::truncate`]).

use serde_json::{Map, Value};

use super::multipart::{MultipartSummary, boundary};
use super::redact::{self, Limits};

/// Bytes of a non-multipart body kept for the log. A longer body is described by its size
/// (a prefix of JSON is not JSON).
pub const BODY_PREFIX: usize = 256 * 1024;

#[derive(Debug, Clone)]
enum Kind {
    /// JSON, or anything that is not form or multipart (hanzi sends JSON as `text/plain`).
    Raw,
    Form,
    Multipart(Box<MultipartSummary>),
}

/// A body being observed.
#[derive(Debug, Clone)]
pub struct BodyCapture {
    kind: Kind,
    prefix: Vec<u8>,
    total: u64,
}

impl BodyCapture {
    /// A capture for a body of this `Content-Type`.
    pub fn new(content_type: Option<&str>) -> Self {
        let ct = content_type.unwrap_or("");
        let kind = match boundary(ct) {
            Some(b) => Kind::Multipart(Box::new(MultipartSummary::new(&b))),
            None if ct
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded") =>
            {
                Kind::Form
            }
            None => Kind::Raw,
        };
        Self {
            kind,
            prefix: Vec::new(),
            total: 0,
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        match &mut self.kind {
            Kind::Multipart(summary) => summary.feed(chunk),
            Kind::Raw | Kind::Form => {
                let room = BODY_PREFIX.saturating_sub(self.prefix.len());
                self.prefix
                    .extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
        }
    }

    /// Bytes seen so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The stored form of the body; `None` when no body was read. `query` (the raw query
    /// string) stands in for a missing body, so `DELETE …?ids=1,2` keeps its ids.
    pub fn finish(self, query: Option<&str>, limits: Limits) -> Option<Value> {
        let value = match self.kind {
            _ if self.total == 0 => match query.filter(|q| !q.is_empty()) {
                Some(q) => redact::pairs_to_json(q.as_bytes()),
                None => return None,
            },
            Kind::Multipart(summary) => summary.finish(),
            Kind::Form if self.total as usize <= BODY_PREFIX => redact::pairs_to_json(&self.prefix),
            Kind::Raw if self.total as usize <= BODY_PREFIX => parse_raw(&self.prefix),
            Kind::Raw | Kind::Form => too_long(self.total),
        };
        Some(store(value, limits))
    }
}

/// Masks and cuts a value for storage.
pub fn store(mut value: Value, limits: Limits) -> Value {
    redact::mask(&mut value);
    redact::truncate(value, limits)
}

/// A response body as stored: JSON masked and cut; anything else described by its size.
/// `complete` is false when the body was longer than what was read of it.
pub fn response(bytes: &[u8], complete: bool, limits: Limits) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    let value = if complete {
        parse_raw(bytes)
    } else {
        too_long(bytes.len() as u64)
    };
    Some(store(value, limits))
}

/// JSON when it parses, otherwise the text (cut later) or, for binary, its size.
fn parse_raw(bytes: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_owned()),
        Err(_) => {
            let mut m = Map::new();
            m.insert("_binary_bytes".into(), Value::from(bytes.len()));
            Value::Object(m)
        }
    }
}

fn too_long(total: u64) -> Value {
    let mut m = Map::new();
    m.insert("_truncated".into(), Value::Bool(true));
    m.insert("_bytes".into(), Value::from(total));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(ct: Option<&str>, chunks: &[&[u8]], query: Option<&str>) -> Option<Value> {
        let mut c = BodyCapture::new(ct);
        for ch in chunks {
            c.feed(ch);
        }
        c.finish(query, Limits::default())
    }

    #[test]
    fn json_bodies_are_parsed_and_masked() {
        let out = run(
            Some("application/json"),
            &[
                br#"{"name":"a","pass"#,
                br#"word":"x","nested":[{"token":"t"}]}"#,
            ],
            None,
        );
        assert_eq!(
            out,
            Some(json!({"name": "a", "password": "***", "nested": [{"token": "***"}]}))
        );
    }

    #[test]
    fn text_plain_json_and_forms_are_read_too() {
        assert_eq!(
            run(
                Some("text/plain"),
                &[br#"{"id":"u1","password":"p"}"#],
                None
            ),
            Some(json!({"id": "u1", "password": "***"}))
        );
        assert_eq!(
            run(
                Some("application/x-www-form-urlencoded"),
                &[b"username=a&password=b"],
                None
            ),
            Some(json!({"username": "a", "password": "***"}))
        );
        assert_eq!(run(None, &[b"not json"], None), Some(json!("not json")));
    }

    #[test]
    fn no_body_falls_back_to_the_query() {
        assert_eq!(
            run(None, &[], Some("ids=1,2&token=x")),
            Some(json!({"ids": "1,2", "token": "***"}))
        );
        assert_eq!(run(Some("application/json"), &[], None), None);
    }

    #[test]
    fn a_body_past_the_prefix_is_described_by_its_size() {
        let big = vec![b' '; BODY_PREFIX + 10];
        assert_eq!(
            run(Some("application/json"), &[&big], None),
            Some(json!({"_truncated": true, "_bytes": BODY_PREFIX + 10}))
        );
    }

    #[test]
    fn multipart_secrets_are_masked() {
        let body =
            b"--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nsecret\r\n--b--\r\n";
        assert_eq!(
            run(Some("multipart/form-data; boundary=b"), &[body], None),
            Some(json!({"password": "***"}))
        );
    }

    #[test]
    fn responses_are_masked_and_binary_is_summarised() {
        assert_eq!(
            response(br#"{"data":{"cookie_value":"c"}}"#, true, Limits::default()),
            Some(json!({"data": {"cookie_value": "***"}}))
        );
        assert_eq!(
            response(&[0xff, 0xfe, 0x00], true, Limits::default()),
            Some(json!({"_binary_bytes": 3}))
        );
        assert_eq!(response(b"", true, Limits::default()), None);
        assert_eq!(
            response(b"{\"a\":", false, Limits::default()),
            Some(json!({"_truncated": true, "_bytes": 5}))
        );
    }
}
