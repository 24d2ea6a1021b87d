//! `admin_v1` §13 通知管理 (issue 13 part B): sending, the per-user list and read state, and
//! the event stream on another node.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_user, login, path, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn send(app: &TestApp, token: &str, body: Value) -> i64 {
    let r = app
        .post(&path("/notifications"))
        .bearer(token)
        .json(&body)
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

async fn inbox(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Value {
    let r = app
        .get(&path("/notifications"))
        .bearer(token)
        .query(query)
        .send()
        .await;
    r.admin(200, 200).clone()
}

fn ids(d: &Value) -> Vec<i64> {
    d["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

async fn users_see_broadcasts_and_their_own_notifications_with_exact_unread_counts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = root(&app).await;
    let alice = create_user(&app, &admin, "alice", &[]).await;
    let bob = create_user(&app, &admin, "bobby", &[]).await;
    let (alice_t, _) = login(&app, "alice", "secret12").await;
    let (bob_t, _) = login(&app, "bobby", "secret12").await;

    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"type": "system", "title": "系统维护通知", "content": "系统将于今晚22:00-24:00进行维护"}))
        .send()
        .await;
    let d = r.admin(201, 201);
    assert_eq!(d["target"], "all");
    assert_eq!(d["user_ids"], Value::Null);
    assert_eq!(d["created_at"].as_str().unwrap().len(), 19);
    let everyone = d["id"].as_i64().unwrap();
    let to_alice = send(
        &app,
        &admin,
        json!({"type": "order", "title": "订单已审核", "content": "订单 ORD1 已通过", "user_ids": [alice, alice]}),
    )
    .await;
    let to_bob = send(
        &app,
        &admin,
        json!({"title": "给bob", "content": "仅bob可见", "user_ids": [bob]}),
    )
    .await;

    // Stored once: one row per notification, recipient rows only for named users.
    let db = app.db().await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let recipients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification_recipients")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!((rows, recipients), (3, 2));

    let d = inbox(&app, &alice_t, &[]).await;
    assert_eq!(ids(&d), [to_alice, everyone]);
    assert_eq!(d["unread_count"], 2);
    assert_eq!(
        d["pagination"],
        json!({"page": 1, "page_size": 20, "total": 2, "total_pages": 1})
    );
    let first = &d["list"][0];
    assert_eq!(first["type"], "order");
    assert_eq!(first["title"], "订单已审核");
    assert_eq!(first["content"], "订单 ORD1 已通过");
    assert_eq!(first["is_read"], 0);
    assert_eq!(first["created_at"].as_str().unwrap().len(), 19);
    assert_eq!(ids(&inbox(&app, &bob_t, &[]).await), [to_bob, everyone]);
    // The sender (an admin) receives broadcasts too.
    assert_eq!(ids(&inbox(&app, &admin, &[]).await), [everyone]);

    // Mark one read: filters and the count follow.
    let r = app
        .post(&path(&format!("/notifications/{to_alice}/read")))
        .bearer(&alice_t)
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(r.json["message"], "标记成功");
    let d = inbox(&app, &alice_t, &[]).await;
    assert_eq!(d["unread_count"], 1);
    assert_eq!(d["list"][0]["is_read"], 1);
    assert_eq!(
        ids(&inbox(&app, &alice_t, &[("is_read", "1")]).await),
        [to_alice]
    );
    assert_eq!(
        ids(&inbox(&app, &alice_t, &[("is_read", "0")]).await),
        [everyone]
    );
    assert_eq!(
        ids(&inbox(&app, &alice_t, &[("status", "unread")]).await),
        [everyone]
    );
    assert_eq!(
        ids(&inbox(&app, &alice_t, &[("status", "read")]).await),
        [to_alice]
    );
    assert_eq!(
        ids(&inbox(&app, &alice_t, &[("type", "system")]).await),
        [everyone]
    );
    let d = inbox(&app, &alice_t, &[("type", "order"), ("is_read", "0")]).await;
    assert_eq!(
        (ids(&d), d["pagination"]["total"].clone()),
        (vec![], json!(0))
    );
    assert_eq!(d["unread_count"], 1, "unread_count ignores the filters");
    // Marking twice is fine; paging works.
    app.post(&path(&format!("/notifications/{to_alice}/read")))
        .bearer(&alice_t)
        .send()
        .await
        .admin(200, 200);
    let d = inbox(&app, &alice_t, &[("page", "2"), ("page_size", "1")]).await;
    assert_eq!(ids(&d), [everyone]);
    assert_eq!(d["pagination"]["total_pages"], 2);

    // Read-all marks only the caller's; bob still has two unread.
    let r = app
        .post(&path("/notifications/read-all"))
        .bearer(&alice_t)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["updated_count"], 1);
    assert_eq!(d["unread_count"], 0);
    assert_eq!(inbox(&app, &alice_t, &[]).await["unread_count"], 0);
    assert_eq!(inbox(&app, &bob_t, &[]).await["unread_count"], 2);
}

async fn another_users_or_an_unknown_notification_is_not_found_and_nothing_changes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = root(&app).await;
    let bob = create_user(&app, &admin, "bobby", &[]).await;
    create_user(&app, &admin, "alice", &[]).await;
    let (alice_t, _) = login(&app, "alice", "secret12").await;
    let (bob_t, _) = login(&app, "bobby", "secret12").await;
    let to_bob = send(
        &app,
        &admin,
        json!({"title": "给bob", "content": "x", "user_ids": [bob]}),
    )
    .await;
    for id in [to_bob, to_bob + 100] {
        let r = app
            .post(&path(&format!("/notifications/{id}/read")))
            .bearer(&alice_t)
            .send()
            .await;
        r.admin(404, 10004);
    }
    let db = app.db().await;
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification_reads")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(reads, 0);
    assert_eq!(inbox(&app, &bob_t, &[]).await["unread_count"], 1);
    // Path ids that are not canonical decimals are unknown records (decisions §8).
    for bad in ["abc", "01", "-1", "%31"] {
        let r = app
            .post(&path(&format!("/notifications/{bad}/read")))
            .bearer(&bob_t)
            .send()
            .await;
        r.admin(404, 10004);
    }
}

async fn sending_checks_its_input_and_needs_the_permission(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = root(&app).await;
    create_user(&app, &admin, "alice", &[]).await;
    let (alice_t, _) = login(&app, "alice", "secret12").await;

    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"type": "system"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["title", "content"]);
    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"title": "t", "content": " "}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["content"]);
    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"title": "t", "content": "c", "user_ids": [999_999]}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["user_ids"]);
    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"title": "t", "content": "c", "user_ids": "all"}))
        .send()
        .await;
    r.admin(400, 10001);
    let r = app
        .post(&path("/notifications"))
        .bearer(&admin)
        .json(&json!({"title": "t", "content": "c", "type": "Not A Type"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["type"]);
    // Bad list parameters.
    for q in [("is_read", "2"), ("status", "archived"), ("page", "0")] {
        let r = app
            .get(&path("/notifications"))
            .bearer(&alice_t)
            .query(&[q])
            .send()
            .await;
        r.admin(422, 10006);
    }
    let r = app
        .get(&path("/notifications"))
        .bearer(&alice_t)
        .query(&[("is_read", "yes")])
        .send()
        .await;
    r.admin(400, 10001);
    // Nothing stored by any refused call.
    assert_eq!(inbox(&app, &alice_t, &[]).await["pagination"]["total"], 0);

    // An ordinary user reads but does not send; no token is 10002.
    let r = app
        .post(&path("/notifications"))
        .bearer(&alice_t)
        .json(&json!({"title": "t", "content": "c"}))
        .send()
        .await;
    r.admin(403, 10003);
    let r = app.get(&path("/notifications")).send().await;
    r.admin(401, 10002);
    let r = app.get(&path("/notifications/stream")).send().await;
    r.admin(401, 10002);
}

/// Reads server-sent events until `want` events have arrived (or 15 s pass).
async fn events(resp: reqwest::Response, want: usize) -> Vec<(String, Value, Option<String>)> {
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while out.len() < want {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("events in time")
            .expect("stream open")
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut event, mut data, mut id) = (String::new(), String::new(), None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_owned());
                }
            }
            if !event.is_empty() {
                out.push((event, serde_json::from_str(&data).unwrap(), id));
            }
        }
    }
    out
}

async fn the_stream_pushes_notifications_sent_on_another_node(b: Backend) {
    const SECRET: &str = "a-shared-jwt-secret-of-at-least-32-bytes";
    let a = TestApp::spawn_with(b, |c| c.security.jwt_secret = SECRET.into()).await;
    let database = a.config.database.clone();
    let node_b = TestApp::spawn_with(b, |c| {
        c.security.jwt_secret = SECRET.into();
        c.database = database;
    })
    .await;
    let admin = root(&a).await;
    let alice = create_user(&a, &admin, "alice", &[]).await;
    let (alice_t, _) = login(&node_b, "alice", "secret12").await;
    let before = send(&a, &admin, json!({"title": "旧", "content": "before"})).await;

    let resp = node_b
        .client
        .get(node_b.url(&path("/notifications/stream")))
        .bearer_auth(&alice_t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let reader = tokio::spawn(events(resp, 4));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_alice = send(
        &a,
        &admin,
        json!({"type": "order", "title": "新订单", "content": "ORD2", "user_ids": [alice]}),
    )
    .await;
    // A read on node A lowers the count that node B pushes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.post(&path(&format!("/notifications/{before}/read")))
        .bearer(&login(&a, "alice", "secret12").await.0)
        .send()
        .await
        .admin(200, 200);
    let got = reader.await.unwrap();
    assert_eq!(got[0].0, "unread_count");
    assert_eq!(got[0].1, json!({"unread_count": 1}));
    assert_eq!(got[1].0, "notification");
    assert_eq!(got[1].1["id"], to_alice);
    assert_eq!(got[1].1["title"], "新订单");
    assert_eq!(got[1].1["type"], "order");
    assert_eq!(got[1].1["is_read"], 0);
    assert_eq!(got[1].2.as_deref(), Some(to_alice.to_string().as_str()));
    assert_eq!(got[2].1, json!({"unread_count": 2}));
    assert_eq!(got[3].0, "unread_count");
    assert_eq!(got[3].1, json!({"unread_count": 1}));
}

async fn a_read_elsewhere_and_last_event_id_are_reflected_in_the_stream(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = root(&app).await;
    let alice = create_user(&app, &admin, "alice", &[]).await;
    let (alice_t, _) = login(&app, "alice", "secret12").await;
    let first = send(
        &app,
        &admin,
        json!({"title": "一", "content": "1", "user_ids": [alice]}),
    )
    .await;
    let second = send(&app, &admin, json!({"title": "二", "content": "2"})).await;
    // Resuming after `first` replays `second` only.
    let resp = app
        .client
        .get(app.url(&path("/notifications/stream")))
        .bearer_auth(&alice_t)
        .header("Last-Event-ID", first.to_string())
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(events(resp, 3));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.post(&path(&format!("/notifications/{first}/read")))
        .bearer(&alice_t)
        .send()
        .await
        .admin(200, 200);
    let got = reader.await.unwrap();
    assert_eq!(got[0].0, "notification");
    assert_eq!(got[0].1["id"], second);
    assert_eq!(got[1].1, json!({"unread_count": 2}));
    assert_eq!(got[2].1, json!({"unread_count": 1}));
}

async fn the_system_notifies_named_users_in_its_own_transaction(b: Backend) {
    use ops::domain::platform::notifications::{self, model::KIND_ORDER};
    let app = TestApp::spawn(b).await;
    let admin = root(&app).await;
    let buyer = create_user(&app, &admin, "buyer1", &[]).await;
    let seller = create_user(&app, &admin, "seller1", &[]).await;
    let db = app.db().await;
    // Buyer twice and a deleted account: one row, two recipients.
    let sent = notifications::notify_users_now(
        &db,
        KIND_ORDER,
        "订单审核结果",
        "订单 ORD20240120001 已通过审核",
        &[buyer, seller, buyer, 999_999],
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!sent.to_all);
    assert_eq!(
        notifications::notify_users_now(&db, KIND_ORDER, "t", "c", &[])
            .await
            .unwrap(),
        None
    );
    for name in ["buyer1", "seller1"] {
        let (t, _) = login(&app, name, "secret12").await;
        let d = inbox(&app, &t, &[("type", "order")]).await;
        assert_eq!(ids(&d), [sent.id], "{name}");
        assert_eq!(d["list"][0]["content"], "订单 ORD20240120001 已通过审核");
    }
    assert_eq!(inbox(&app, &admin, &[]).await["pagination"]["total"], 0);
}

db_test!(
    the_system_notifies_named_users_in_its_own_transaction,
    users_see_broadcasts_and_their_own_notifications_with_exact_unread_counts,
    another_users_or_an_unknown_notification_is_not_found_and_nothing_changes,
    sending_checks_its_input_and_needs_the_permission,
    the_stream_pushes_notifications_sent_on_another_node,
    a_read_elsewhere_and_last_event_id_are_reflected_in_the_stream,
);
