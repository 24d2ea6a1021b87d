//! `/metrics` (issue 15): a request shows up in its counter and histogram under its dialect and
//! route template; login failures are counted; the gauges are there; access is closed on a
//! public interface unless a token is configured; `metrics.bind` moves it to a listener of its
//! own.
//!
//! The recorder is process-wide and tests run in parallel, so counts are compared as "grew by
//! at least what this test did".

use serde_json::json;

use crate::admin_common::{path, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

/// The value of the sample `name{labels}` exactly as rendered (labels in the order given),
/// or 0 when it is not there yet.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            (key == series).then(|| value.parse().ok())?
        })
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let r = app.get("/metrics").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let ct = r.headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    r.text()
}

async fn a_request_shows_up_in_its_counter_and_histogram(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let counter = r#"ops_http_requests_total{dialect="admin_v1",route="/admin/v1/users/{id}",method="GET",status="200"}"#;
    let count = r#"ops_http_request_duration_seconds_count{dialect="admin_v1",route="/admin/v1/users/{id}",method="GET"}"#;
    let before = scrape(&app).await;
    for _ in 0..3 {
        let r = app.get(&path("/users/1")).bearer(&token).send().await;
        assert_eq!(r.status, 200);
    }
    let after = scrape(&app).await;
    assert!(
        sample(&after, counter) >= sample(&before, counter) + 3.0,
        "{counter} did not grow by 3:\n{after}"
    );
    assert!(sample(&after, count) >= sample(&before, count) + 3.0);
    // The histogram has its buckets, under the same labels.
    assert!(
        after.lines().any(|l| l.starts_with(
            r#"ops_http_request_duration_seconds_bucket{dialect="admin_v1",route="/admin/v1/users/{id}",method="GET",le="0.005"}"#
        )),
        "no buckets:\n{after}"
    );
    // A path no route matches is counted, but under one label value, not its own path.
    let r = app.get("/admin/v1/no/such/route/7f3a").send().await;
    assert_eq!(r.status, 404);
    let text = scrape(&app).await;
    assert!(!text.contains("7f3a"));
    assert!(text.contains(r#"route="unmatched""#));
    app.stop().await;
}

async fn login_failures_and_gauges_are_reported(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = sample(&scrape(&app).await, "ops_login_failures_total");
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": "admin", "password": "not the password"}))
        .send()
        .await;
    assert_ne!(r.status, 500);
    assert_ne!(r.json["code"], 200);
    let text = scrape(&app).await;
    assert!(sample(&text, "ops_login_failures_total") >= before + 1.0);
    for gauge in [
        "ops_db_pool_max",
        r#"ops_jobs{state="queued"}"#,
        r#"ops_jobs{state="running"}"#,
        r#"ops_jobs{state="failed"}"#,
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{gauge} "))),
            "{gauge} missing:\n{text}"
        );
    }
    // The test pool's five connections, and on SQLite the writer's one. The recorder is the
    // process's, so a test on the other engine scraping at the same moment can overwrite the
    // gauge between this scrape's setting and rendering it: a few scrapes, one must show ours.
    let max = if b == Backend::Sqlite { 6.0 } else { 5.0 };
    let mut seen = sample(&text, "ops_db_pool_max");
    for _ in 0..20 {
        if seen == max {
            break;
        }
        seen = sample(&scrape(&app).await, "ops_db_pool_max");
    }
    assert_eq!(seen, max);
    assert!(text.contains("ops_blob_store_bytes "));
    app.stop().await;
}

async fn metrics_are_closed_on_a_public_interface_unless_a_token_is_set(b: Backend) {
    let open = TestApp::spawn_with(b, |c| c.server.host = "0.0.0.0".into()).await;
    let r = open.get("/metrics").send().await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("metrics.token"));
    open.stop().await;

    let guarded = TestApp::spawn_with(b, |c| {
        c.server.host = "0.0.0.0".into();
        c.metrics.token = "scrape-secret-0123456789".into();
    })
    .await;
    assert_eq!(guarded.get("/metrics").send().await.status, 403);
    let wrong = guarded
        .get("/metrics")
        .bearer("scrape-secret-x")
        .send()
        .await;
    assert_eq!(wrong.status, 403);
    let right = guarded
        .get("/metrics")
        .bearer("scrape-secret-0123456789")
        .send()
        .await;
    assert_eq!(right.status, 200);
    assert!(right.text().contains("ops_http_requests_total"));
    guarded.stop().await;

    let off = TestApp::spawn_with(b, |c| c.metrics.enabled = false).await;
    assert_eq!(off.get("/metrics").send().await.status, 404);
    off.stop().await;
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut rb = reqwest::Client::new().get(url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.expect("request sent");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn a_metrics_bind_serves_metrics_there_and_not_on_the_main_port(b: Backend) {
    let port = free_port();
    let app = TestApp::spawn_with(b, |c| c.metrics.bind = format!("127.0.0.1:{port}")).await;
    let token = root(&app).await;
    let r = app.get(&path("/users/1")).bearer(&token).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(app.get("/metrics").send().await.status, 404);
    let apart = format!("http://127.0.0.1:{port}");
    let (status, text) = get(&format!("{apart}/metrics"), None).await;
    assert_eq!(status, 200, "{text}");
    // The main port's requests are counted there.
    assert!(text.contains(r#"route="/admin/v1/users/{id}""#), "{text}");
    // Only /metrics: the dialects are not served on that listener.
    let (status, _) = get(&format!("{apart}/admin/v1/openapi.json"), None).await;
    assert_eq!(status, 404);
    app.stop().await;

    // The loopback rule follows the metrics listener: a public bind needs the token even when
    // the main port is on loopback.
    let port = free_port();
    let public = TestApp::spawn_with(b, |c| {
        c.metrics.bind = format!("0.0.0.0:{port}");
        c.metrics.token = "scrape-secret-0123456789".into();
    })
    .await;
    let url = format!("http://127.0.0.1:{port}/metrics");
    assert_eq!(get(&url, None).await.0, 403);
    assert_eq!(get(&url, Some("scrape-secret-0123456789")).await.0, 200);
    assert_eq!(public.get("/metrics").send().await.status, 404);
    public.stop().await;
    let port = free_port();
    let closed = TestApp::spawn_with(b, |c| c.metrics.bind = format!("0.0.0.0:{port}")).await;
    let (status, text) = get(&format!("http://127.0.0.1:{port}/metrics"), None).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("metrics.token"), "{text}");
    closed.stop().await;
}

db_test!(
    a_request_shows_up_in_its_counter_and_histogram,
    login_failures_and_gauges_are_reported,
    metrics_are_closed_on_a_public_interface_unless_a_token_is_set,
    a_metrics_bind_serves_metrics_there_and_not_on_the_main_port,
);
