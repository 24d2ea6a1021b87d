//! `admin_v1` §12 exports of the livestock, trade and log lists (issue 14): each resource's
//! columns, values as its list shows them, its filters taking effect, bad filters named, and
//! each route's own permission. Queueing, access and expiry are in `admin_exports.rs`.

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, root};
use crate::admin_exports::{download, finished, start};
use crate::admin_livestock::{animal, category, farm, farmer};
use crate::admin_orders::world;
use crate::db_test;
use crate::support::{Backend, TestApp};

/// Runs an export to its end; answers `(record_count, lines of the CSV without the BOM)`.
async fn export_csv(app: &TestApp, token: &str, resource: &str, body: Value) -> (i64, Vec<String>) {
    let r = start(app, token, resource, &body).await;
    let d = r.admin(200, 200).clone();
    assert_eq!(d["status"], "processing");
    let task_id = d["task_id"].as_str().unwrap().to_owned();
    let t = finished(app, token, &task_id).await;
    assert_eq!(t["status"], "completed", "{t}");
    assert_eq!(t["resource"], resource);
    let file = download(app, token, &task_id).await;
    file.assert_status(200);
    assert_eq!(t["file_size"], json!(file.bytes.len()));
    let text = file.text();
    assert!(text.starts_with('\u{feff}'), "UTF-8 BOM");
    let lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::to_owned)
        .collect();
    (t["record_count"].as_i64().unwrap(), lines)
}

/// Asserts a refused request: 10006 naming exactly `fields`, and nothing queued.
async fn refused(app: &TestApp, token: &str, resource: &str, filters: Value, fields: &[&str]) {
    let before = tasks(app).await;
    let r = start(
        app,
        token,
        resource,
        &json!({"format": "csv", "filters": filters}),
    )
    .await;
    r.admin(422, 10006);
    let mut got = r.error_fields();
    got.sort();
    assert_eq!(got, fields, "{}", r.text());
    assert_eq!(tasks(app).await, before, "a refused request queues nothing");
}

async fn tasks(app: &TestApp) -> i64 {
    let db = app.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM export_tasks")
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    n
}

async fn farms_export_with_their_list_columns_and_filters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    refused(
        &app,
        &token,
        "farms",
        json!({"status": 9, "user_id": "abc", "colour": "red"}),
        &["filters.colour", "filters.status", "filters.user_id"],
    )
    .await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    farm(
        &app,
        &token,
        owner,
        "张三养猪场",
        "FARM001",
        json!({"area": 1500.5, "capacity": 200}),
    )
    .await;
    farm(
        &app,
        &token,
        owner,
        "=HYPERLINK(\"http://x\")",
        "FARM002",
        json!({"type": "cattle"}),
    )
    .await;
    let (count, lines) = export_csv(&app, &token, "farms", json!({"format": "csv"})).await;
    assert_eq!(count, 2);
    assert_eq!(
        lines[0],
        "id,name,code,type,area,capacity,address,province,city,district,status,animal_count,\
         created_at,user.username,user.real_name"
    );
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].contains(",张三养猪场,FARM001,pig,1500.5,200,")
            && lines[1].ends_with(",farmer001,张三"),
        "{lines:?}"
    );
    // A text column of a new resource is defused too.
    assert!(
        lines[2].contains(",\"'=HYPERLINK(\"\"http://x\"\")\",FARM002,cattle,"),
        "{lines:?}"
    );
    let (count, lines) = export_csv(
        &app,
        &token,
        "farms",
        json!({"format": "csv", "filters": {"type": "pig", "user_id": owner.to_string()},
               "fields": ["code", "type", "user.real_name"]}),
    )
    .await;
    assert_eq!(
        (count, lines),
        (
            1,
            vec![
                "code,type,user.real_name".to_owned(),
                "FARM001,pig,张三".to_owned()
            ]
        )
    );
}

async fn animals_export_money_as_yuan_and_take_their_filters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let fid = farm(&app, &token, owner, "张三养猪场", "FARM001", json!({})).await["id"]
        .as_i64()
        .unwrap();
    let cat = category(&app, &token, "猪", "pig").await;
    animal(&app, &token, fid, cat, "PIG001", json!({"name": "小猪001", "breed": "杜洛克猪", "gender": 1,
        "weight": 85.5, "health_status": "healthy", "purchase_price": 800, "current_value": "1200.5"})).await;
    animal(
        &app,
        &token,
        fid,
        cat,
        "PIG002",
        json!({"name": "小猪002", "breed": "杜洛克猪", "gender": 2,
        "health_status": "sick"}),
    )
    .await;
    let (count, lines) = export_csv(&app, &token, "animals", json!({"format": "csv"})).await;
    assert_eq!(count, 2);
    assert_eq!(
        lines[0],
        "id,code,name,breed,gender,birth_date,age_days,weight,health_status,status,purchase_price,\
         current_value,created_at,farm.name,category.name"
    );
    let (count, lines) = export_csv(
        &app,
        &token,
        "animals",
        json!({"format": "csv", "fields": ["code", "purchase_price", "current_value", "weight", "farm.name", "category.name"]}),
    )
    .await;
    assert_eq!(count, 2);
    assert_eq!(lines[1], "PIG001,800.00,1200.50,85.5,张三养猪场,猪");
    assert_eq!(lines[2], "PIG002,,,,张三养猪场,猪");
    let (count, lines) = export_csv(
        &app,
        &token,
        "animals",
        json!({"format": "csv", "filters": {"health_status": "sick", "farm_id": fid, "page": 2}, "fields": ["code"]}),
    )
    .await;
    assert_eq!(
        (count, lines),
        (1, vec!["code".to_owned(), "PIG002".to_owned()])
    );
    // Excel too.
    let d = start(&app, &token, "animals", &json!({"format": "excel"}))
        .await
        .admin(200, 200)
        .clone();
    let task_id = d["task_id"].as_str().unwrap();
    assert_eq!(finished(&app, &token, task_id).await["record_count"], 2);
    let file = download(&app, &token, task_id).await;
    file.assert_status(200);
    assert_eq!(&file.bytes[..2], b"PK");
    refused(
        &app,
        &token,
        "animals",
        json!({"health_status": "zombie", "gender": 5, "farm_id": true}),
        &["filters.farm_id", "filters.gender", "filters.health_status"],
    )
    .await;
}

async fn orders_export_amounts_parties_and_filters(b: Backend) {
    let w = world(b).await;
    w.create(&w.order()).await;
    let (count, lines) = export_csv(
        &w.app,
        &w.token,
        "orders",
        json!({"format": "csv", "fields": ["order_type", "total_amount", "shipping_fee", "actual_amount",
               "payment_status", "order_status", "item_count", "buyer.real_name", "seller.username", "farm.name"]}),
    )
    .await;
    assert_eq!(count, 1);
    assert_eq!(
        lines,
        [
            "order_type,total_amount,shipping_fee,actual_amount,payment_status,order_status,item_count,\
             buyer.real_name,seller.username,farm.name",
            "animal,2400.00,100.00,2500.00,unpaid,pending,1,李四,farmer001,张三养猪场"
        ]
    );
    let (count, lines) = export_csv(
        &w.app,
        &w.token,
        "orders",
        json!({"format": "csv", "filters": {"order_status": "completed"}}),
    )
    .await;
    assert_eq!(count, 0);
    assert_eq!(lines.len(), 1, "the header only");
    assert!(
        lines[0].starts_with("id,order_no,order_type,total_amount,"),
        "{lines:?}"
    );
    let r = start(
        &w.app,
        &w.token,
        "orders",
        &json!({"format": "csv", "filters": {"order_status": "lost", "start_date": "soon", "buyer_id": 0}}),
    )
    .await;
    r.admin(422, 10006);
    let mut got = r.error_fields();
    got.sort();
    assert_eq!(
        got,
        [
            "filters.buyer_id",
            "filters.order_status",
            "filters.start_date"
        ]
    );
}

async fn financial_records_export_amounts_and_filters(b: Backend) {
    let w = world(b).await;
    for body in [
        json!({"record_type": "income", "category": "sale", "amount": 2400, "description": "销售杜洛克猪2头",
               "record_date": "2024-01-20", "user_id": w.seller, "farm_id": w.farm}),
        json!({"record_type": "expense", "category": "feed", "amount": "0.3", "record_date": "2024-01-21",
               "farm_id": w.farm}),
    ] {
        let r = w
            .app
            .post(&path("/financial-records"))
            .bearer(&w.token)
            .json(&body)
            .send()
            .await;
        r.admin(201, 201);
    }
    let (count, lines) = export_csv(
        &w.app,
        &w.token,
        "financial-records",
        json!({"format": "csv"}),
    )
    .await;
    assert_eq!(count, 2);
    assert_eq!(
        lines[0],
        "id,record_type,category,amount,description,related_id,related_type,payment_method,\
         receipt_image,record_date,notes,created_at,updated_at,user.username,user.real_name,\
         farm.name,created_by.real_name"
    );
    let (count, lines) = export_csv(
        &w.app,
        &w.token,
        "financial-records",
        json!({"format": "csv", "filters": {"record_type": "expense", "max_amount": 1},
               "fields": ["category", "amount", "record_date", "farm.name", "created_by.real_name"]}),
    )
    .await;
    assert_eq!(count, 1);
    assert_eq!(
        lines,
        [
            "category,amount,record_date,farm.name,created_by.real_name",
            "feed,0.30,2024-01-21,张三养猪场,系统管理员"
        ]
    );
    let r = start(
        &w.app,
        &w.token,
        "financial-records",
        &json!({"format": "csv", "filters": {"record_type": "gift", "min_amount": "1.234", "end_date": "later"}}),
    )
    .await;
    r.admin(422, 10006);
    let mut got = r.error_fields();
    got.sort();
    assert_eq!(
        got,
        [
            "filters.end_date",
            "filters.min_amount",
            "filters.record_type"
        ]
    );
}

async fn operation_logs_export_masked_entries_and_filters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    create_user(&app, &token, "alice", &[]).await;
    create_user(&app, &token, "bob", &[]).await;
    let (count, lines) = export_csv(
        &app,
        &token,
        "operation-logs",
        json!({"format": "csv", "filters": {"module": "user", "action": "create"},
               "fields": ["module", "action", "method", "url", "status_code", "user.username", "request_data"]}),
    )
    .await;
    assert_eq!(count, 2);
    assert_eq!(
        lines[0],
        "module,action,method,url,status_code,user.username,request_data"
    );
    assert!(
        lines[1].starts_with("user,create,POST,/admin/v1/users,201,admin,"),
        "{lines:?}"
    );
    let text = lines.join("\n");
    assert!(
        text.contains("***") && !text.contains("secret12"),
        "passwords stay masked: {text}"
    );
    let (count, lines) = export_csv(&app, &token, "operation-logs", json!({"format": "csv"})).await;
    assert!(count >= 3, "the login and both creations");
    assert_eq!(
        lines[0],
        "id,dialect,module,action,method,url,ip,user_agent,request_data,response_data,status_code,\
         execution_time,created_at,user.username,user.real_name"
    );
    let r = start(
        &app,
        &token,
        "operation-logs",
        &json!({"format": "csv", "filters": {"user_id": 0, "end_date": "x", "level": "debug"}}),
    )
    .await;
    r.admin(422, 10006);
    let mut got = r.error_fields();
    got.sort();
    assert_eq!(
        got,
        ["filters.end_date", "filters.level", "filters.user_id"]
    );
}

async fn each_export_route_needs_its_own_permission(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let role = create_role(
        &app,
        &token,
        "farm_exporter",
        &["livestock:farm:export", "system:export:view"],
    )
    .await;
    create_user(&app, &token, "erin", &[role]).await;
    let erin = login(&app, "erin", "secret12").await.0;
    let d = start(&app, &erin, "farms", &json!({"format": "csv"}))
        .await
        .admin(200, 200)
        .clone();
    let t = finished(&app, &erin, d["task_id"].as_str().unwrap()).await;
    assert_eq!(
        (t["status"].clone(), t["record_count"].clone()),
        (json!("completed"), json!(0))
    );
    for resource in [
        "animals",
        "orders",
        "financial-records",
        "operation-logs",
        "users",
    ] {
        start(&app, &erin, resource, &json!({"format": "csv"}))
            .await
            .admin(403, 10003);
    }
    app.post(&path("/export/animals"))
        .json(&json!({"format": "csv"}))
        .send()
        .await
        .admin(401, 10002);
    start(&app, &token, "health-records", &json!({"format": "csv"}))
        .await
        .admin(404, 10004);
}

db_test!(
    farms_export_with_their_list_columns_and_filters,
    animals_export_money_as_yuan_and_take_their_filters,
    orders_export_amounts_parties_and_filters,
    financial_records_export_amounts_and_filters,
    operation_logs_export_masked_entries_and_filters,
    each_export_route_needs_its_own_permission,
);
