//! Request ids: kept from an incoming `X-Request-Id` when it is well formed
//! (`^[A-Za-z0-9._:-]{1,128}$`, decisions §8), otherwise generated; echoed in the
//! response header and available to renderers (admin_v1 puts it in the body) through a
//! task-local for the duration of the request.

use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// Makes ids like `req_1f0c…` (the admin document's shape).
#[derive(Clone, Copy, Default)]
pub struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("req_{}", uuid::Uuid::new_v4().simple());
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(RequestId::new)
    }
}

/// Whether an incoming id may be kept: it ends up in logs, headers and bodies, so only a
/// short plain token is trusted.
pub fn is_well_formed(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Removes an incoming `X-Request-Id` that is not well formed (or appears more than once),
/// so a fresh one is made in its place.
pub fn drop_malformed<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let values = request.headers().get_all(&HEADER);
    let mut iter = values.iter();
    let keep = match (iter.next(), iter.next()) {
        (Some(v), None) => is_well_formed(v.as_bytes()),
        _ => false,
    };
    if !keep {
        request.headers_mut().remove(&HEADER);
    }
    request
}

/// Runs the rest of the stack with the request's id in scope.
pub async fn scope(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    CURRENT.scope(id, next.run(request)).await
}

/// The current request's id, or an empty string outside a request.
pub fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_short_ids_are_kept() {
        assert!(is_well_formed(b"req_abc-1.2:3"));
        assert!(is_well_formed("a".repeat(128).as_bytes()));
        assert!(!is_well_formed("a".repeat(129).as_bytes()));
        assert!(!is_well_formed(b""));
        assert!(!is_well_formed(b"a b"));
        assert!(!is_well_formed(b"<script>"));
        assert!(!is_well_formed("ü".as_bytes()));
        let req = |v: &str| {
            drop_malformed(
                axum::http::Request::builder()
                    .header("x-request-id", v)
                    .body(())
                    .unwrap(),
            )
        };
        assert!(req("ok-1").headers().contains_key(&HEADER));
        assert!(!req("bad id").headers().contains_key(&HEADER));
    }
}
