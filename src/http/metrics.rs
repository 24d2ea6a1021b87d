//! Prometheus metrics at `/metrics`: requests by dialect, route template, method and status,
//! latency histograms, and gauges read when scraped (database pool, background jobs, blob
//! store). Counters that belong to a domain (login failures, lockouts) are recorded where the
//! domain decides them, with the `metrics` macros; this module only installs the recorder and
//! renders it.
//!
//! The recorder is process-wide (the `metrics` facade has one global recorder), so several
//! servers in one process (the test binary) share it; each scrape refreshes the gauges of the
//! server that answers it.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use crate::domain::platform::gauges;
use crate::state::AppState;

/// Seconds; from a fast cached read to a slow export start.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const REQUESTS: &str = "ops_http_requests_total";
const LATENCY: &str = "ops_http_request_duration_seconds";

/// The process's recorder, installed on first use. `None` when another recorder was installed
/// first (an embedding program's): then `/metrics` has nothing of its own to render.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// Whether `/metrics` is a route of the main router (enabled, and no `metrics.bind`).
pub fn on_main_port(state: &AppState) -> bool {
    state.config.metrics.enabled && state.config.metrics.bind.trim().is_empty()
}

/// With `metrics.bind` set (and metrics enabled): binds it and serves `/metrics` there, on a
/// listener of its own, until the server that owns `handle` shuts down. Scrapes there are
/// not counted in the request metrics (they are not the service's traffic).
pub fn serve_apart(
    state: &AppState,
    handle: &axum_server::Handle<SocketAddr>,
) -> anyhow::Result<()> {
    let Some(addr) = state.config.metrics.bind_addr() else {
        return Ok(());
    };
    if !state.config.metrics.enabled {
        return Ok(());
    }
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("binding metrics.bind {addr}"))?;
    listener.set_nonblocking(true)?;
    install();
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state(state.clone());
    let server = axum_server::from_tcp(listener)?.handle(handle.clone());
    tokio::spawn(async move {
        if let Err(e) = server.serve(app.into_make_service()).await {
            tracing::error!(error = %e, "serving /metrics on metrics.bind failed");
        }
    });
    tracing::info!(%addr, "metrics listening");
    Ok(())
}

/// Installs the recorder, so counters recorded before the first scrape are kept.
pub fn install() {
    let _ = handle();
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "HTTP requests answered, by dialect, route template, method and status"
    );
    describe_histogram!(
        LATENCY,
        metrics::Unit::Seconds,
        "time to answer, by dialect, route template and method"
    );
    describe_counter!(
        "ops_login_failures_total",
        "logins refused for a wrong name or password"
    );
    describe_counter!(
        "ops_login_lockouts_total",
        "logins refused because the account is locked out from that address"
    );
    describe_gauge!("ops_db_pool_connections", "open database connections");
    describe_gauge!("ops_db_pool_idle", "idle database connections");
    describe_gauge!("ops_db_pool_max", "the pool's connection limit");
    describe_gauge!(
        "ops_jobs",
        "background export jobs by state (queued, running, failed)"
    );
    describe_gauge!("ops_blob_store_objects", "distinct blobs stored");
    describe_gauge!("ops_blob_store_bytes", "bytes of all stored blobs");
}

/// Which dialect answered and under which route template; set by [`tag`] inside the dialect's
/// router (where the matched route is known) and read by [`track`] outside it.
#[derive(Clone, Copy)]
struct Route {
    dialect: &'static str,
    template: &'static str,
}

/// Route templates are few and fixed; interning them keeps label values `'static` (the
/// recorder stores labels for the process's lifetime anyway).
fn intern(template: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = seen.get(template) {
        return t;
    }
    let leaked: &'static str = Box::leak(template.to_owned().into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// Layered on each dialect's router: notes the dialect and the matched route template.
pub async fn tag(dialect: &'static str, request: Request, next: Next) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| intern(p.as_str()));
    let mut response = next.run(request).await;
    response
        .extensions_mut()
        .insert(Route { dialect, template });
    response
}

/// Layered on the whole router: counts and times every answer. Requests no route matched are
/// counted under `route="unmatched"`, so unknown paths cannot grow the label set.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response.extensions().get::<Route>().copied();
    let (dialect, template) = route.map_or(("none", "unmatched"), |r| (r.dialect, r.template));
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "dialect" => dialect, "route" => template, "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(LATENCY, "dialect" => dialect, "route" => template, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Who may scrape: with `metrics.token` set, holders of `Authorization: Bearer <token>`;
/// without one, anyone when `/metrics` listens on a loopback address only (`metrics.bind`,
/// else `server.host`), else no one (decisions: metrics are closed by default on a public
/// interface).
fn allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let token = &state.config.metrics.token;
    if token.is_empty() {
        return state.config.metrics.on_loopback(&state.config.server.host);
    }
    super::token::bearer(headers)
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes())))
}

/// `GET /metrics`: the Prometheus text format.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !allowed(&state, &headers) {
        let why = if state.config.metrics.token.is_empty() {
            "metrics are closed on a non-loopback address: set metrics.token\n"
        } else {
            "metrics need Authorization: Bearer <metrics.token>\n"
        };
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let Some(handle) = handle() else {
        return (StatusCode::NOT_FOUND, "no metrics recorder\n").into_response();
    };
    // A database that does not answer leaves the last figures in place; the request metrics
    // and /readyz tell the operator what is wrong.
    if let Ok(g) = gauges::read(&state.db).await {
        metrics::gauge!("ops_jobs", "state" => "queued").set(g.jobs_queued as f64);
        metrics::gauge!("ops_jobs", "state" => "running").set(g.jobs_running as f64);
        metrics::gauge!("ops_jobs", "state" => "failed").set(g.jobs_failed as f64);
        metrics::gauge!("ops_blob_store_objects").set(g.blob_objects as f64);
        metrics::gauge!("ops_blob_store_bytes").set(g.blob_bytes as f64);
    }
    // Read last, with no await before the render: the figures are this moment's.
    let pool = state.db.pool_use();
    metrics::gauge!("ops_db_pool_connections").set(f64::from(pool.open));
    metrics::gauge!("ops_db_pool_idle").set(pool.idle as f64);
    metrics::gauge!("ops_db_pool_max").set(f64::from(pool.max));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
