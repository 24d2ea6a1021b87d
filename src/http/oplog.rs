//! The operation-log layer, one per dialect router (decisions §3): records every request the
//! dialect's route table names as a change or a login ([`Naming`]), with what the domain
//! keeps of its bodies, and answers only once the entry is committed.
//!
//! The request body is observed while the handler reads it (never buffered for the log:
//! uploads keep streaming); the response body of a recorded request is held back until the
//! entry is written, up to [`RESPONSE_PREFIX`] bytes, after which the rest streams on.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http_body_util::BodyExt;

use crate::db;
use crate::domain::identity::actor;
use crate::domain::platform::oplog::capture::{self, BodyCapture};
use crate::domain::platform::oplog::redact::{self, Limits};
use crate::domain::platform::oplog::{Named, Naming, NewEntry, Writer, naming};
use crate::http::internal::InternalError;
use crate::state::AppState;

/// How a dialect names a routed `(method, path)`; `path` is the route pattern relative to
/// the dialect's prefix (`/users/{id}`). `None` falls back to [`naming::derive`].
pub type Namer = fn(method: &str, path: &str) -> Option<Naming>;

/// Response bytes held back for the entry; a longer answer is logged by its size.
pub const RESPONSE_PREFIX: usize = 256 * 1024;
/// Characters kept of a URL and a user agent.
const URL_CHARS: usize = 1000;
const AGENT_CHARS: usize = 500;

struct Inner {
    dialect: &'static str,
    prefix: String,
    namer: Namer,
    writer: Writer,
}

/// One dialect's recorder.
#[derive(Clone)]
pub struct OpLog(Arc<Inner>);

impl OpLog {
    pub fn new(dialect: &'static str, prefix: &str, namer: Namer, writer: Writer) -> Self {
        Self(Arc::new(Inner {
            dialect,
            prefix: prefix.to_owned(),
            namer,
            writer,
        }))
    }

    /// Wraps every route of `router` (after routing, so the route pattern is known).
    pub fn wrap(self, router: Router<AppState>) -> Router<AppState> {
        router.layer(axum::middleware::from_fn_with_state(self, record))
    }

    fn name(&self, method: &str, matched: &str) -> Option<Named> {
        let path = matched
            .strip_prefix(self.0.prefix.as_str())
            .unwrap_or(matched);
        let path = if path.is_empty() { "/" } else { path };
        match (self.0.namer)(method, path) {
            Some(n) => n.named(),
            None => naming::derive(method, path),
        }
    }
}

async fn record(State(log): State<OpLog>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let named = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| log.name(&method, m.as_str()));
    // Unrouted paths (404) and reads pass untouched.
    let Some(named) = named else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let created_at = db::now();
    let query = req.uri().query().map(str::to_owned);
    let url = redact::mask_url(
        &crate::http::path::original(&req),
        query.as_deref(),
        URL_CHARS,
    );
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let headers = req.headers();
    let user_agent = header(headers, &USER_AGENT).map(|ua| redact::cut_str(ua, AGENT_CHARS));
    let seen = Arc::new(Mutex::new(Some(BodyCapture::new(header(
        headers,
        &CONTENT_TYPE,
    )))));

    let (parts, body) = req.into_parts();
    let tee = Arc::clone(&seen);
    let body = Body::new(body.map_frame(move |frame| {
        if let Some(data) = frame.data_ref()
            && let Ok(mut guard) = tee.lock()
            && let Some(c) = guard.as_mut()
        {
            c.feed(data);
        }
        frame
    }));
    let (response, actor) = actor::scope(next.run(Request::from_parts(parts, body))).await;

    let status = response.status().as_u16();
    // Refused before anything could change: not logged (decisions §6). A method the route
    // does not have (405) changed nothing either.
    if status == 405 || (!named.always && matches!(status, 401 | 403)) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let (head, rest) = read_prefix(body, RESPONSE_PREFIX).await;
    let limits = Limits::default();
    let observed = seen.lock().ok().and_then(|mut g| g.take());
    let request_data = observed.and_then(|c| c.finish(query.as_deref(), limits));
    let (user_id, username) = match actor {
        Some(a) => (Some(a.user_id), Some(a.username)),
        None => (None, None),
    };
    let entry = NewEntry {
        user_id,
        username,
        dialect: log.0.dialect.to_owned(),
        module: named.module,
        action: named.action,
        method,
        url,
        ip,
        user_agent,
        request_data,
        response_data: capture::response(&head, rest.is_none(), limits),
        status_code: i64::from(status),
        execution_time: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        created_at,
    };
    if let Err(e) = log.0.writer.write(entry).await {
        // Fail closed: a request whose entry is not stored is not acknowledged.
        let anyhow = anyhow::anyhow!("{e}");
        let mut refused = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        refused.extensions_mut().insert(InternalError::new(&anyhow));
        return refused;
    }
    let body = match rest {
        None => Body::from(head),
        Some(rest) => Body::from_stream(
            futures_util::stream::once(async move { Ok::<_, axum::Error>(head) })
                .chain(rest.into_data_stream()),
        ),
    };
    Response::from_parts(parts, body)
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads up to `limit` bytes of `body`. Answers them and, when the body goes on, the rest.
async fn read_prefix(mut body: Body, limit: usize) -> (Bytes, Option<Body>) {
    let mut head = Vec::new();
    while head.len() <= limit {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    head.extend_from_slice(&data);
                }
            }
            // A failing body: log what arrived; the client sees the body end there.
            Some(Err(_)) | None => return (Bytes::from(head), None),
        }
    }
    (Bytes::from(head), Some(body))
}
