//! Building and serving the application from a config, a bound listener and a shutdown
//! signal, so tests can bind port 0 and stop the server when they are done.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tower::{Layer, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::DialectConfig;
use crate::dialects;
use crate::domain::platform::export::worker::{self as export_worker, WorkerConfig};
use crate::domain::platform::oplog::Writer;
use crate::http;
use crate::http::oplog::{Namer, OpLog};
pub use crate::state::AppState;

/// Mounts a dialect's router at its configured prefix (an empty prefix merges it at the root),
/// its answers tagged with the dialect and route template for the metrics.
fn mount(
    app: Router<AppState>,
    name: &'static str,
    cfg: &DialectConfig,
    router: Router<AppState>,
) -> Router<AppState> {
    let router = router.layer(axum::middleware::from_fn(move |req, next| {
        http::metrics::tag(name, req, next)
    }));
    match (cfg.enabled, cfg.prefix.as_str()) {
        (false, _) => app,
        (true, "") => app.merge(router),
        (true, prefix) => app.nest(prefix, router),
    }
}

/// The whole HTTP surface: every enabled dialect plus health checks.
pub fn router(state: AppState) -> Router {
    let d = &state.config.dialects;
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if http::metrics::on_main_port(&state) {
        http::metrics::install();
        app = app.route("/metrics", get(http::metrics::scrape));
    }
    // Tagged before the dialects are added: `.layer` wraps only the routes it finds.
    let mut app = app.layer(axum::middleware::from_fn(|req, next| {
        http::metrics::tag("server", req, next)
    }));
    // One operation-log writer for every dialect; each dialect names its own routes.
    let writer = state
        .config
        .log
        .operations
        .then(|| Writer::spawn(state.db.clone()));
    let logged = |name, cfg: &DialectConfig, namer: Namer, router| match &writer {
        Some(w) => OpLog::new(name, &cfg.prefix, namer, w.clone()).wrap(router),
        None => router,
    };
    use dialects::{account, admin_v1, hanzi, ops_v1};
    let hanzi_cfg = d.hanzi.as_dialect();
    let ops = logged(
        "ops_v1",
        &d.ops_v1,
        ops_v1::oplog::naming,
        ops_v1::router(&state),
    );
    let admin = logged(
        "admin_v1",
        &d.admin_v1,
        admin_v1::oplog::naming,
        admin_v1::router(&state),
    );
    let account = logged(
        "account",
        &d.account,
        account::oplog::naming,
        account::router(&state),
    );
    let hanzi = logged(
        "hanzi",
        &hanzi_cfg,
        hanzi::oplog::naming,
        hanzi::router(&state),
    );
    app = mount(app, "ops_v1", &d.ops_v1, ops);
    app = mount(app, "admin_v1", &d.admin_v1, admin);
    app = mount(app, "account", &d.account, account);
    app = mount(app, "hanzi", &hanzi_cfg, hanzi);

    let tls = http::headers::Tls(state.config.server.tls_enable);
    let body_timeout = Duration::from_secs(state.config.server.body_timeout_s);
    app = app.layer(axum::middleware::from_fn(http::internal::log));
    if state.config.log.access {
        // Inside the request-id scope, so the line carries the id.
        app = app.layer(axum::middleware::from_fn(http::access::log));
    }
    app.layer(axum::middleware::from_fn(http::metrics::track))
        .layer(axum::middleware::from_fn(http::request_id::scope))
        .layer(axum::middleware::from_fn(move |req, next| http::headers::secure(tls, req, next)))
        .layer(
            ServiceBuilder::new()
                .map_request(move |req| http::deadline::limit(req, body_timeout))
                .map_request(http::request_id::drop_malformed::<axum::body::Body>)
                .layer(SetRequestIdLayer::new(http::request_id::HEADER.clone(), http::request_id::MakeId))
                // At ERROR level, so that whatever filter lets a line through also keeps the
                // span, and with it the request id (every line written while answering names it).
                .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get(&http::request_id::HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::error_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(http::request_id::HEADER.clone()))
                .layer(CatchPanicLayer::new()),
        )
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// The router wrapped for serving: trailing slashes are trimmed before routing (decisions §0),
/// and handlers see the client's address. Generic over the body type, which differs between
/// the plain (axum) and the TLS (axum-server) servers.
type Normalize<B> = fn(axum::http::Request<B>) -> axum::http::Request<B>;

fn make_service<B>(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<
    tower::util::MapRequest<Router, Normalize<B>>,
    SocketAddr,
>
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let normalize: Normalize<B> = http::path::normalize::<B>;
    let app = tower::util::MapRequestLayer::new(normalize).layer(router(state));
    axum::ServiceExt::<axum::http::Request<B>>::into_make_service_with_connect_info::<SocketAddr>(
        app,
    )
}

/// Serves plain HTTP until `shutdown` resolves, then finishes in-flight requests (up to
/// 30 seconds).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = listener.into_std().context("taking over the listener")?;
    let handle = graceful(shutdown);
    http::metrics::serve_apart(&state, &handle)?;
    let mut server = axum_server::from_tcp(listener)?
        .acceptor(deadlines(&state))
        .handle(handle)
        .http1_only();
    tune(server.http_builder(), &state);
    start_background(&state);
    let db = state.db.clone();
    server
        .serve(make_service::<hyper::body::Incoming>(state))
        .await
        .context("serving HTTP")?;
    db.close().await;
    Ok(())
}

/// Serves HTTPS (`server.tls_enable`) with the PEM certificate chain and key of the config,
/// until `shutdown` resolves; in-flight requests get up to 30 seconds to finish.
pub async fn serve_tls(
    state: AppState,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (cert, key) = (&state.config.server.tls_cert, &state.config.server.tls_key);
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .with_context(|| format!("loading server.tls_cert {cert} / server.tls_key {key}"))?;
    // Offer only HTTP/1.1 in ALPN, as only HTTP/1.1 is served (see `tune`).
    let mut rustls_config = (*tls.get_inner()).clone();
    rustls_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tls.reload_from_config(std::sync::Arc::new(rustls_config));
    // axum-server drives the std listener itself; it must not block.
    listener.set_nonblocking(true)?;
    let handle = graceful(shutdown);
    http::metrics::serve_apart(&state, &handle)?;
    // The deadline wraps the decrypted stream; the TLS handshake has its own 10 s limit.
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(deadlines(&state));
    let mut server = axum_server::from_tcp(listener)?
        .acceptor(acceptor)
        .handle(handle)
        .http1_only();
    tune(server.http_builder(), &state);
    start_background(&state);
    let db = state.db.clone();
    server
        .serve(make_service::<hyper::body::Incoming>(state))
        .await
        .context("serving HTTPS")?;
    db.close().await;
    Ok(())
}

/// A server handle that starts a graceful shutdown (30 seconds at most) when `shutdown`
/// resolves.
fn graceful(
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> axum_server::Handle<SocketAddr> {
    let handle = axum_server::Handle::new();
    let on_shutdown = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        on_shutdown.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    handle
}

/// The request head deadline of decisions §8 (see [`http::conn`]).
fn deadlines(state: &AppState) -> http::conn::DeadlineAcceptor {
    http::conn::DeadlineAcceptor {
        header_timeout: Duration::from_secs(state.config.server.header_timeout_s),
    }
}

/// Connection timeouts: hyper's header timer runs from the moment a connection waits for a
/// request, so it is the idle keep-alive limit; the shorter head deadline is the acceptor's.
///
/// The servers are HTTP/1.1 only (decisions §8): hyper's HTTP/2 server has no idle limit (its pings keep an
/// idle connection open forever), and none of the four documented systems' clients needs
/// HTTP/2; a reverse proxy in front may still speak it to browsers.
fn tune(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    state: &AppState,
) {
    let idle = Duration::from_secs(state.config.server.idle_timeout_s);
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(idle)
        .keep_alive(true);
}

/// Work a serving process does beside requests: housekeeping every ten minutes, the export
/// workers, and removing the first admin password file once that password is changed.
fn start_background(state: &AppState) {
    crate::domain::accounts::bootstrap::watch(state.db.clone(), state.config.data_dir.clone());
    let store = crate::domain::files::store(&state.config.file);
    crate::domain::platform::maintenance::spawn(
        state.db.clone(),
        store.clone(),
        Duration::from_secs(600),
    );
    let e = &state.config.export;
    let cfg = WorkerConfig {
        batch_size: e.batch_size,
        lease: Duration::from_secs(u64::try_from(e.lease_seconds).unwrap_or(60)),
        poll: Duration::from_millis(e.poll_ms),
        retention: Duration::from_secs(u64::try_from(e.retention_hours).unwrap_or(24) * 3600),
        workers: e.workers,
        tz: state.tz,
        words: &crate::dialects::admin_v1::words::WORDS,
    };
    export_worker::spawn(state.db.clone(), store, cfg, state.export_wake.clone());
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down; finishing in-flight requests");
}

/// How long the server has been up.
pub fn uptime(state: &AppState) -> Duration {
    state.uptime()
}
