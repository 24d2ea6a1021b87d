//! Form bodies read as a JSON object, for dialects whose originals accept
//! `application/x-www-form-urlencoded` and `multipart/form-data` beside JSON (Django REST
//! framework's default parsers): a key sent once is a string, a key sent more than once is a
//! list of strings, in the order sent. File parts are not values and are skipped.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

/// The kind of body a request says it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    UrlEncoded,
    Multipart,
}

/// Reads the `Content-Type` header; anything that is not a form is read as JSON (the
/// dialects accept JSON under any or no content type).
pub fn kind(req: &Request) -> BodyKind {
    let ct = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        BodyKind::UrlEncoded
    } else if essence.eq_ignore_ascii_case("multipart/form-data") {
        BodyKind::Multipart
    } else {
        BodyKind::Json
    }
}

/// Adds one value under `key`: the first as a string, later ones turn it into a list.
fn push(map: &mut Map<String, Value>, key: String, value: String) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, Value::String(value));
        }
        Some(Value::Array(items)) => items.push(Value::String(value)),
        Some(first) => {
            let first = first.take();
            map.insert(key, Value::Array(vec![first, Value::String(value)]));
        }
    }
}

/// An `application/x-www-form-urlencoded` body.
pub fn urlencoded(bytes: &[u8]) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in form_urlencoded::parse(bytes) {
        push(&mut map, k.into_owned(), v.into_owned());
    }
    map
}

/// Why a multipart body could not be read.
#[derive(Debug)]
pub enum MultipartError {
    /// Not multipart at all, or broken framing (with the parser's words).
    Malformed(String),
    /// The body passed the limit.
    TooLarge,
}

/// A `multipart/form-data` body's text fields. The body is capped at `limit` bytes in all
/// (parts, headers and framing), like a JSON body.
pub async fn multipart<S: Send + Sync>(
    req: Request,
    state: &S,
    limit: usize,
) -> Result<Map<String, Value>, MultipartError> {
    let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit)));
    let mut parts = Multipart::from_request(req, state)
        .await
        .map_err(|e| MultipartError::Malformed(e.body_text()))?;
    let mut map = Map::new();
    loop {
        let field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(MultipartError::TooLarge);
            }
            Err(e) => return Err(MultipartError::Malformed(e.body_text())),
        };
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let is_file = field.file_name().is_some();
        let text = match field.text().await {
            Ok(text) => text,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(MultipartError::TooLarge);
            }
            Err(e) => return Err(MultipartError::Malformed(e.body_text())),
        };
        if !is_file {
            push(&mut map, name, text);
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_become_lists_in_order() {
        let m = urlencoded(b"username=ann&groups=2&groups=3&groups=5&note=a%20b+c");
        assert_eq!(m["username"], "ann");
        assert_eq!(m["groups"], serde_json::json!(["2", "3", "5"]));
        assert_eq!(m["note"], "a b c");
    }

    #[test]
    fn content_types_are_read_by_their_essence() {
        let req = |ct: &str| {
            axum::http::Request::builder()
                .header(CONTENT_TYPE, ct)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(
            kind(&req("application/x-www-form-urlencoded; charset=UTF-8")),
            BodyKind::UrlEncoded
        );
        assert_eq!(
            kind(&req("Multipart/Form-Data; boundary=x")),
            BodyKind::Multipart
        );
        assert_eq!(kind(&req("application/json")), BodyKind::Json);
        assert_eq!(kind(&req("text/plain")), BodyKind::Json);
    }
}
