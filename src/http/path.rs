//! Routes match with and without a trailing slash (decisions §0): the trailing slash is
//! trimmed before routing, and the path as sent is kept for rules that match it (account's
//! URL patterns such as `^/account/user/`).

use axum::extract::Request;
use axum::http::Uri;

/// The request path exactly as the client sent it.
#[derive(Debug, Clone)]
pub struct OriginalPath(pub String);

/// Trims one or more trailing slashes (except for `/` itself) and records the original path.
pub fn normalize<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(OriginalPath(path.clone()));
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() != path.len() && !trimmed.is_empty() {
        let mut rebuilt = trimmed.to_owned();
        if let Some(q) = request.uri().query() {
            rebuilt.push('?');
            rebuilt.push_str(q);
        }
        let mut parts = request.uri().clone().into_parts();
        if let Ok(pq) = rebuilt.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
    }
    request
}

/// The original path of a request, falling back to its current path.
pub fn original(request: &Request) -> String {
    request
        .extensions()
        .get::<OriginalPath>()
        .map(|p| p.0.clone())
        .unwrap_or_else(|| request.uri().path().to_owned())
}

/// A numeric id from a path, only in canonical decimal form (decisions §8): ASCII digits,
/// no sign, no leading zero, not percent-encoded, positive, within `i64`. `decoded` is the
/// segment as the router decoded it; `raw_path` the request path as sent (a segment that
/// arrived percent-encoded does not appear in it literally). Anything else names nothing,
/// so `/user/01/` can never reach what a rule about `/user/1/` guards.
pub fn canonical_id(raw_path: &str, decoded: &str) -> Option<i64> {
    let digits = !decoded.is_empty() && decoded.bytes().all(|b| b.is_ascii_digit());
    if !digits || decoded.starts_with('0') {
        return None;
    }
    if !raw_path.split('/').any(|segment| segment == decoded) {
        return None;
    }
    decoded.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(uri: &str) -> (String, String) {
        let req = normalize(axum::http::Request::builder().uri(uri).body(()).unwrap());
        let orig = req.extensions().get::<OriginalPath>().unwrap().0.clone();
        (req.uri().to_string(), orig)
    }

    #[test]
    fn only_canonical_decimal_ids_name_something() {
        assert_eq!(canonical_id("/account/user/1/", "1"), Some(1));
        assert_eq!(
            canonical_id("/a/v1/users/1234567", "1234567"),
            Some(1_234_567)
        );
        for (raw, decoded) in [
            ("/account/user/01/", "01"),
            ("/account/user/+1/", "+1"),
            ("/account/user/-1/", "-1"),
            ("/account/user/0/", "0"),
            ("/account/user/%31/", "1"),
            ("/account/user/1%20/", "1 "),
            ("/account/user/1e3/", "1e3"),
            (
                "/account/user/99999999999999999999/",
                "99999999999999999999",
            ),
            ("/account/user//", ""),
        ] {
            assert_eq!(canonical_id(raw, decoded), None, "{raw}");
        }
    }

    #[test]
    fn trims_trailing_slashes_and_keeps_query() {
        assert_eq!(
            run("/account/user/?page=2"),
            ("/account/user?page=2".into(), "/account/user/".into())
        );
        assert_eq!(
            run("/api/v1/users/profile"),
            (
                "/api/v1/users/profile".into(),
                "/api/v1/users/profile".into()
            )
        );
        assert_eq!(run("/").0, "/");
    }
}
