//! decisions §8 rules of the HTTP layer: connection and body deadlines, security headers,
//! request ids. They do not touch the database, so they run on SQLite only.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::admin_common::{AdminResp, path, root};
use crate::support::{Backend, TestApp};

async fn app_with_timeouts(header: u64, body: u64, idle: u64) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.header_timeout_s = header;
        c.server.body_timeout_s = body;
        c.server.idle_timeout_s = idle;
    })
    .await
}

/// Reads until the server closes the connection (or `limit` passes); answers what was read
/// and when the connection ended.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Option<Instant>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (got, Some(Instant::now())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (got, None),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_half_its_headers_is_cut_off_within_the_header_timeout() {
    let app = app_with_timeouts(2, 60, 60).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let start = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // Keep trickling bytes of the same header line: progress must not extend the deadline.
    let trickle = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if s.write_all(b"a").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(6), trickle).await;
    let (bytes, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    let closed = closed.expect("the server closed the connection");
    let took = closed.duration_since(start);
    assert!(took < Duration::from_secs(6), "closed after {took:?}");
    assert!(
        took >= Duration::from_millis(1500),
        "closed too early: {took:?}"
    );
    assert!(
        !String::from_utf8_lossy(&bytes).contains("200 OK"),
        "no answer to a request never finished"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_outlives_the_header_timeout_but_not_the_idle_timeout() {
    let app = app_with_timeouts(1, 60, 4).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from = Instant::now();
    // Idle for longer than the header timeout: the connection still serves a request.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from_2 = Instant::now();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    let idle = closed
        .expect("idle connection closed")
        .duration_since(idle_from_2);
    assert!(idle >= Duration::from_secs(3), "closed after {idle:?}");
    assert!(idle < Duration::from_secs(7), "closed after {idle:?}");
    assert!(idle_from.elapsed() < Duration::from_secs(12));
}

/// Only HTTP/1.1 is served, so no connection escapes the idle limit: a client that opens with
/// the HTTP/2 preface and then sends frames is not served, and the connection ends at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_client_is_not_served_and_cannot_hold_a_connection_open() {
    let app = app_with_timeouts(2, 60, 60).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let start = Instant::now();
    // The HTTP/2 connection preface, then an empty SETTINGS frame.
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let (bytes, closed) = read_until_closed(&mut s, Duration::from_secs(8)).await;
    let closed = closed.expect("the server closed the connection");
    assert!(
        closed.duration_since(start) < Duration::from_secs(4),
        "held open for {:?}",
        closed.duration_since(start)
    );
    let text = String::from_utf8_lossy(&bytes);
    // No HTTP/2 SETTINGS frame came back: whatever was answered is HTTP/1.1 (or nothing).
    assert!(
        bytes.is_empty() || text.starts_with("HTTP/1.1 "),
        "answered {bytes:?}"
    );
    // HTTP/1.1 on a new connection still works.
    let r = app.get("/healthz").send().await;
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_is_refused_and_the_connection_ends() {
    let app = app_with_timeouts(10, 2, 60).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let start = Instant::now();
    s.write_all(
        b"POST /api/v1/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"name\": \"adm",
    )
    .await
    .unwrap();
    let trickle = async {
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if s.write_all(b"i").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), trickle).await;
    let (bytes, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        closed.is_some() || !text.is_empty(),
        "the server answered or closed"
    );
    assert!(start.elapsed() < Duration::from_secs(8));
    assert!(
        !text.contains("\"code\":\"0\""),
        "no login from a partial body: {text}"
    );
    assert!(!text.contains(" 500 "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers_and_no_store() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for p in [
        "/healthz",
        "/api/v1/system/status",
        "/admin/v1/nope",
        "/hanzi/repertoire/all",
        "/account/user/",
    ] {
        let r = app.get(p).send().await;
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{p}"
        );
        assert_eq!(r.header("x-frame-options").as_deref(), Some("DENY"), "{p}");
        assert_eq!(
            r.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{p}"
        );
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{p}"
        );
        assert_eq!(
            r.header("strict-transport-security"),
            None,
            "{p}: no TLS here"
        );
    }
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": crate::support::ADMIN_PASSWORD}))
        .send()
        .await;
    r.ops(200, "0");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_well_formed_request_ids_are_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = root(&app).await;
    let r = app
        .get(&path("/auth/user"))
        .bearer(&token)
        .header("x-request-id", "client-id_1.2:3")
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(r.json["request_id"], "client-id_1.2:3");
    let long = "a".repeat(129);
    for bad in [
        "has space",
        "<script>alert(1)</script>",
        long.as_str(),
        "semi;colon",
    ] {
        let r = app
            .get(&path("/auth/user"))
            .bearer(&token)
            .header("x-request-id", bad)
            .send()
            .await;
        r.admin(200, 200);
        let id = r.json["request_id"].as_str().unwrap();
        assert_ne!(id, bad);
        assert!(id.starts_with("req_"), "a fresh id: {id}");
    }
}
