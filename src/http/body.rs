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
}

impl BodyError {
    pub fn too_large() -> Self {
        Self {
            kind: BodyErrorKind::TooLarge,
            field: None,
            message: "请求体过大".to_owned(),
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
    }
}

/// Parses a JSON body into `T`.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| BodyError {
        kind: BodyErrorKind::Syntax,
        field: None,
        message: format!("请求体不是有效的JSON: {e}"),
    })?;
    serde_path_to_error::deserialize(value)
        .map_err(|e| shape_error(e.path().to_string(), e.inner().to_string()))
}

/// Parses a query string into `T`.
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, BodyError> {
    let de =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.unwrap_or("").as_bytes()));
    serde_path_to_error::deserialize(de)
        .map_err(|e| shape_error(e.path().to_string(), e.inner().to_string()))
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
    fn query_parses_and_names_fields() {
        let q: In = query(Some("name=a%20b+c&page=3")).unwrap();
        assert_eq!((q.name.as_str(), q.page), ("a b c", Some(3)));
        let e = query::<In>(Some("name=x&page=abc")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("page"));
        assert!(query::<In>(Some("name=%E4%B8%AD")).is_ok());
    }
}
