//! The access log: one `info` line per request under the target `ops::access` (method, path,
//! status, duration, request id, user id), switched by `log.access`. Bodies and query strings
//! are never logged: they carry passwords and tokens.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::domain::identity::session;

/// Logs the request once its answer is ready. The caller's id is whatever session lookup ran
/// while answering (see [`session::caller_scope`]); anonymous requests log `user_id=-`.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (response, caller) = session::caller_scope(next.run(request)).await;
    let request_id = super::request_id::current();
    let user_id = caller.map_or_else(|| "-".to_owned(), |id| id.to_string());
    tracing::info!(
        target: "ops::access",
        %method,
        %path,
        status = response.status().as_u16(),
        duration_ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        %request_id,
        %user_id,
        "request"
    );
    response
}
