//! Security headers on every answer (decisions §8): no MIME sniffing, no framing, no
//! referrer, and `Cache-Control: no-store` unless the handler chose a caching policy (only
//! content-addressed blobs do); `Strict-Transport-Security` when TLS is on.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// Whether answers go out over TLS (they then carry HSTS).
#[derive(Debug, Clone, Copy)]
pub struct Tls(pub bool);

pub async fn secure(tls: Tls, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Tokens, sessions and account data must never sit in a shared or browser cache; an
    // answer that is safe to cache says so itself.
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if tls.0 {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}
