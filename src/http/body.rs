//! JSON bodies and query strings, parsed with errors that name the offending field.
//! Each dialect wraps these in its own extractor so the rejection speaks its dialect.

use serde::de::DeserializeOwned;

/// Why a body or query could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyErrorKind {
    /// Not JSON at all (or an empty body).
    Syntax,
    /// JSON, but a field has the wrong type, a missing field, or an unknown enum value.
    Shape,
    /// Larger than the route accepts.
    TooLarge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    pub kind: BodyErrorKind,
    /// The dotted path of the field to blame, when one is.
    pub field: Option<String>,
    pub message: String,
    /// Further fields of the same body with the wrong type, `(field, message)`: a client
    /// hears about all of them at once (decisions §8).
    pub also: Vec<(String, String)>,
}

impl BodyError {
    pub fn too_large() -> Self {
        Self {
            kind: BodyErrorKind::TooLarge,
            field: None,
            message: "请求体过大".to_owned(),
            also: Vec::new(),
        }
    }
}

fn missing_field(message: &str) -> Option<String> {
    // serde's wording: "missing field `name`"
    let start = message.find("missing field `")? + "missing field `".len();
    let end = message[start..].find('`')?;
    Some(message[start..start + end].to_owned())
}

fn shape_error(path: String, inner: String) -> BodyError {
    let field = match (path.as_str(), missing_field(&inner)) {
        (".", Some(f)) => Some(f),
        (p, Some(f)) => Some(format!("{p}.{f}")),
        (".", None) => None,
        (p, None) => Some(p.to_owned()),
    };
    BodyError {
        kind: BodyErrorKind::Shape,
        field,
        message: inner,
        also: Vec::new(),
    }
}

/// The dotted path of the first string (or object key) in `value` that holds U+0000, if
/// any. PostgreSQL cannot store that character in text, and no field means it, so it is a
/// parameter error on every engine (decisions §8) rather than a 500 on one of them.
pub fn nul_in(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    fn walk(v: &Value, path: &mut Vec<String>) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(i.to_string());
                let found = walk(item, path);
                if !found {
                    path.pop();
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(k, item)| {
                path.push(k.clone());
                let found = k.contains('\0') || walk(item, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = Vec::new();
    walk(value, &mut path).then(|| {
        if path.is_empty() {
            ".".to_owned()
        } else {
            path.join(".")
        }
    })
}

/// The error for a U+0000 found at `field` (`.` = the body itself).
pub fn nul_error(field: String) -> BodyError {
    BodyError {
        kind: BodyErrorKind::Shape,
        field: (field != ".").then_some(field),
        message: "不能包含 U+0000 字符".to_owned(),
        also: Vec::new(),
    }
}

/// What a multipart upload may add to the file's own bytes (boundaries, part headers and
/// the small text fields), decisions §8.
pub const MULTIPART_FRAMING: u64 = 64 * 1024;

/// Caps an upload request's whole body at `max_file_size` + [`MULTIPART_FRAMING`], whatever
/// its parts: reading past it fails with a length-limit error (a multipart error whose
/// status is 413), so a body of huge unnamed parts is refused like a huge file.
pub fn cap_upload(request: axum::extract::Request, max_file_size: u64) -> axum::extract::Request {
    let cap =
        usize::try_from(max_file_size.saturating_add(MULTIPART_FRAMING)).unwrap_or(usize::MAX);
    request.map(|b| axum::body::Body::new(http_body_util::Limited::new(DrainOnDrop(Some(b)), cap)))
}

/// After refusing an upload, how long and how much of the rest of its body is read and
/// thrown away, so the client sees the answer instead of a reset connection.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);
const DRAIN_BYTES: usize = 64 * 1024 * 1024;

/// A request body that, when dropped unfinished (the cap was passed and the handler gave
/// up), keeps reading and discarding the rest beside the answer (bounded by
/// [`DRAIN_TIME`] and [`DRAIN_BYTES`]). Nothing read there is kept.
struct DrainOnDrop(Option<axum::body::Body>);

impl axum::body::HttpBody for DrainOnDrop {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, axum::Error>>> {
        match self.0.as_mut() {
            Some(body) => std::pin::Pin::new(body).poll_frame(cx),
            None => std::task::Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0
            .as_ref()
            .is_none_or(axum::body::HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.0
            .as_ref()
            .map(axum::body::HttpBody::size_hint)
            .unwrap_or_default()
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        let Some(body) = self.0.take() else { return };
        if axum::body::HttpBody::is_end_stream(&body) {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                use http_body_util::BodyExt;
                let mut body = body;
                let discard = async {
                    let mut seen = 0usize;
                    while let Some(Ok(frame)) = body.frame().await {
                        seen += frame.data_ref().map_or(0, bytes::Bytes::len);
                        if seen > DRAIN_BYTES {
                            return;
                        }
                    }
                };
                let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
            });
        }
    }
}

/// The whole body of `req`, refused past `limit` bytes.
pub async fn read_bytes(
    req: axum::extract::Request,
    limit: usize,
) -> Result<axum::body::Bytes, BodyError> {
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| BodyError::too_large())
}

/// The body of `req` read as JSON (whatever its `Content-Type`), refused past `limit` bytes:
/// what every dialect's `Json` extractor does before wording the rejection its own way.
pub async fn read_json<T: DeserializeOwned>(
    req: axum::extract::Request,
    limit: usize,
) -> Result<T, BodyError> {
    json(&read_bytes(req, limit).await?)
}

/// Parses a JSON body into `T`.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| BodyError {
        kind: BodyErrorKind::Syntax,
        field: None,
        message: format!("请求体不是有效的JSON: {e}"),
        also: Vec::new(),
    })?;
    if let Some(field) = nul_in(&value) {
        return Err(nul_error(field));
    }
    let mut err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
        Ok(v) => return Ok(v),
        Err(e) => shape_error(e.path().to_string(), e.inner().to_string()),
    };
    // serde stops at the first wrong type; to name every one, drop the field to blame and
    // try again while the next error is another wrong type (not a field that is missing).
    let mut rest = value;
    let mut blamed = err.field.clone();
    while let Some(field) = blamed.take() {
        if err.also.len() >= 32 || is_absence(&err.message) || !remove_path(&mut rest, &field) {
            break;
        }
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(rest.clone()) {
            let next = shape_error(e.path().to_string(), e.inner().to_string());
            if let Some(f) = next.field.clone().filter(|_| !is_absence(&next.message)) {
                err.also.push((f.clone(), next.message));
                blamed = Some(f);
            }
        }
    }
    Err(err)
}

/// A serde message about a value that is absent or null (not of a wrong type).
fn is_absence(message: &str) -> bool {
    message.starts_with("missing field") || message.starts_with("invalid type: null")
}

/// Removes the object member at a dotted `path`; false when there is none.
fn remove_path(value: &mut serde_json::Value, path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return false;
    };
    let mut cur = value;
    for p in parts {
        cur = match cur {
            serde_json::Value::Object(m) => match m.get_mut(p) {
                Some(v) => v,
                None => return false,
            },
            serde_json::Value::Array(a) => match p.parse::<usize>().ok().and_then(|i| a.get_mut(i))
            {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match cur {
        serde_json::Value::Object(m) => m.remove(last).is_some(),
        _ => false,
    }
}

/// Parses a query string into `T`.
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, BodyError> {
    if let Some(field) = nul_in_query(raw) {
        return Err(nul_error(field));
    }
    let de =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.unwrap_or("").as_bytes()));
    serde_path_to_error::deserialize(de)
        .map_err(|e| shape_error(e.path().to_string(), e.inner().to_string()))
}

/// The name of the first query parameter whose name or value decodes to U+0000.
pub fn nul_in_query(raw: Option<&str>) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct In {
        name: String,
        page: Option<i64>,
        inner: Option<Inner>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: i64,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = json::<In>(b"{").unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::Syntax);
        let e = json::<In>(br#"{"page": 1}"#).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (BodyErrorKind::Shape, Some("name"))
        );
        let e = json::<In>(br#"{"name": 5}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = json::<In>(br#"{"name": "x", "inner": {"count": "a"}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inner.count"));
        assert_eq!(json::<In>(br#"{"name": "x"}"#).unwrap().name, "x");
    }

    #[test]
    fn a_nul_anywhere_is_a_shape_error_naming_the_field() {
        let e = json::<In>(br#"{"name": "a\u0000b"}"#).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (BodyErrorKind::Shape, Some("name"))
        );
        let e =
            json::<serde_json::Value>(br#"{"list": [{"x": "ok"}, {"y": "\u0000"}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("list.1.y"));
        let e = json::<serde_json::Value>(br#"{"k\u0000": 1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("k\u{0}"));
        let e = json::<serde_json::Value>(br#""\u0000""#).unwrap_err();
        assert_eq!(e.field, None);
        let e = query::<In>(Some("name=a%00")).unwrap_err();
        assert_eq!(
            (e.kind, e.field.as_deref()),
            (BodyErrorKind::Shape, Some("name"))
        );
        assert!(json::<In>(br#"{"name": "a\u0001"}"#).is_ok());
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Many {
        a: Option<i64>,
        b: Option<String>,
        c: Option<bool>,
        d: Option<i64>,
    }

    #[test]
    fn every_wrongly_typed_field_is_named_once() {
        let e = json::<Many>(br#"{"a": "x", "b": 5, "c": "yes", "d": 1}"#).unwrap_err();
        let mut fields = vec![e.field.clone().unwrap()];
        fields.extend(e.also.iter().map(|(f, _)| f.clone()));
        assert_eq!(fields, ["a", "b", "c"]);
        let e = json::<In>(br#"{"page": "x"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("page"));
        assert!(
            e.also.is_empty(),
            "a missing name after it is not a wrong type"
        );
    }

    #[test]
    fn query_parses_and_names_fields() {
        let q: In = query(Some("name=a%20b+c&page=3")).unwrap();
        assert_eq!((q.name.as_str(), q.page), ("a b c", Some(3)));
        let e = query::<In>(Some("name=x&page=abc")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("page"));
        assert!(query::<In>(Some("name=%E4%B8%AD")).is_ok());
    }
}
