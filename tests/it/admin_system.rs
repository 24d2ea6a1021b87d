//! `admin_v1` §9 系统管理: system configs over the shared runtime settings store, and the
//! operation-log list with its filters.

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, root};
use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

async fn configs(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Vec<Value> {
    let r = app
        .get(&path("/system/configs"))
        .bearer(token)
        .query(query)
        .send()
        .await;
    r.admin(200, 200).as_array().unwrap().clone()
}

async fn config(app: &TestApp, token: &str, key: &str) -> Value {
    configs(app, token, &[])
        .await
        .into_iter()
        .find(|c| c["config_key"] == json!(key))
        .unwrap_or_else(|| panic!("no config {key}"))
}

async fn ops_token(app: &TestApp) -> String {
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    r.ops(200, "0")["cookie_value"].as_str().unwrap().to_owned()
}

async fn ops_config(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/system/config").bearer(token).send().await;
    r.ops(200, "0").clone()
}

async fn the_config_list_shows_every_setting_as_text_and_filters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = root(&app).await;
    let all = configs(&app, &t, &[]).await;
    assert_eq!(all.len(), 9, "{all:?}");
    let site = &all[0];
    assert_eq!(site["config_key"], json!("site_name"));
    assert_eq!(site["config_value"], json!("OPS"));
    assert_eq!(site["config_type"], json!("string"));
    assert_eq!(site["description"], json!("网站名称"));
    assert_eq!(site["is_public"], json!(1));
    assert!(site["id"].as_i64().unwrap() > 0);
    for field in ["created_at", "updated_at"] {
        let s = site[field].as_str().unwrap();
        assert_eq!(s.len(), 19, "{field}: {s}");
    }
    let by_key = |k: &str| {
        all.iter()
            .find(|c| c["config_key"] == json!(k))
            .unwrap()
            .clone()
    };
    assert_eq!(by_key("registration_open")["config_value"], json!("true"));
    assert_eq!(by_key("registration_open")["config_type"], json!("boolean"));
    assert_eq!(by_key("file_max_size")["config_value"], json!("5242880"));
    assert_eq!(by_key("file_max_size")["config_type"], json!("number"));
    assert_eq!(
        by_key("file_allowed_types")["config_value"],
        json!(r#"["image/png","image/jpeg","image/gif","image/webp"]"#)
    );
    assert_eq!(by_key("file_allowed_types")["config_type"], json!("json"));

    let one = configs(&app, &t, &[("config_key", "site_name")]).await;
    assert_eq!(one.len(), 1);
    let login_keys = configs(&app, &t, &[("config_key", "login_")]).await;
    assert_eq!(login_keys.len(), 2, "{login_keys:?}");
    let private = configs(&app, &t, &[("is_public", "0")]).await;
    assert!(!private.is_empty());
    assert!(private.iter().all(|c| c["is_public"] == json!(0)));
    let public = configs(&app, &t, &[("is_public", "1")]).await;
    assert_eq!(public.len() + private.len(), 9);

    let r = app
        .get(&path("/system/configs"))
        .bearer(&t)
        .query(&[("is_public", "2")])
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), vec!["is_public"]);
    let r = app
        .get(&path("/system/configs"))
        .bearer(&t)
        .query(&[("is_public", "yes")])
        .send()
        .await;
    r.admin(400, 10001);
}

async fn a_config_update_is_typed_checked_and_seen_by_ops_v1(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = root(&app).await;
    let ops = ops_token(&app).await;
    let site = config(&app, &t, "site_name").await;
    let id = site["id"].as_i64().unwrap();
    let r = app
        .put(&path(&format!("/system/configs/{id}")))
        .bearer(&t)
        .json(&json!({"config_value": "畜牧养殖管理平台", "description": "更新后的网站名称"}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["id"], json!(id));
    assert_eq!(d["config_key"], json!("site_name"));
    assert_eq!(d["config_value"], json!("畜牧养殖管理平台"));
    assert_eq!(d["description"], json!("更新后的网站名称"));
    assert!(d["updated_at"].is_string());
    assert_eq!(
        ops_config(&app, &ops).await["site_name"],
        json!("畜牧养殖管理平台")
    );

    // A boolean and a number, as text.
    let reg = config(&app, &t, "registration_open").await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .put(&path(&format!("/system/configs/{reg}")))
        .bearer(&t)
        .json(&json!({"config_value": "false"}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["config_value"], json!("false"));
    assert_eq!(
        ops_config(&app, &ops).await["registration_open"],
        json!(false)
    );
    // Registration is closed in every dialect at once.
    let r = app
        .post("/api/v1/users/register")
        .json(&json!({"name": "newbie", "password": "secret12", "password_confirm": "secret12"}))
        .send()
        .await;
    r.ops(403, "-6");

    // Out of range, wrong type text, and a JSON value that is not JSON: 10006, unchanged.
    let size = config(&app, &t, "file_max_size").await["id"]
        .as_i64()
        .unwrap();
    let days = config(&app, &t, "operation_log_retention_days").await["id"]
        .as_i64()
        .unwrap();
    let types = config(&app, &t, "file_allowed_types").await["id"]
        .as_i64()
        .unwrap();
    for (id, bad) in [
        (size, "10"),
        (size, "big"),
        (days, "0"),
        (days, "3651"),
        (reg, "maybe"),
        (types, "[\"text/html\"]"),
        (types, "{"),
    ] {
        let r = app
            .put(&path(&format!("/system/configs/{id}")))
            .bearer(&t)
            .json(&json!({"config_value": bad}))
            .send()
            .await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), vec!["config_value"], "{bad}");
    }
    let now = ops_config(&app, &ops).await;
    assert_eq!(now["file_max_size"], json!(5242880));
    assert_eq!(now["operation_log_retention_days"], json!(180));

    // `config_value` is always a string; a number is the wrong JSON type.
    let r = app
        .put(&path(&format!("/system/configs/{size}")))
        .bearer(&t)
        .json(&json!({"config_value": 2048}))
        .send()
        .await;
    r.admin(400, 10001);
    let r = app
        .put(&path(&format!("/system/configs/{size}")))
        .bearer(&t)
        .json(&json!({}))
        .send()
        .await;
    r.admin(422, 10006);
    let r = app
        .put(&path(&format!("/system/configs/{size}")))
        .bearer(&t)
        .json(&json!({"config_value": "2048"}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["config_value"], json!("2048"));
    assert_eq!(ops_config(&app, &ops).await["file_max_size"], json!(2048));

    // And back: a change through ops_v1 shows here.
    let r = app
        .put("/api/v1/system/config")
        .bearer(&ops)
        .json(&json!({"registration_open": true, "login_max_failures": 9}))
        .send()
        .await;
    r.ops(200, "0");
    assert_eq!(
        config(&app, &t, "registration_open").await["config_value"],
        json!("true")
    );
    assert_eq!(
        config(&app, &t, "login_max_failures").await["config_value"],
        json!("9")
    );

    // Description only.
    let r = app
        .put(&path(&format!("/system/configs/{size}")))
        .bearer(&t)
        .json(&json!({"description": "上传上限"}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["description"], json!("上传上限"));
    assert_eq!(d["config_value"], json!("2048"));

    let r = app
        .put(&path("/system/configs/999999"))
        .bearer(&t)
        .json(&json!({"config_value": "x"}))
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .put(&path("/system/configs/abc"))
        .bearer(&t)
        .json(&json!({"config_value": "x"}))
        .send()
        .await;
    assert_ne!(r.status.as_u16(), 500);
}

async fn configs_and_logs_need_their_permissions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = root(&app).await;
    create_user(&app, &t, "plain", &[]).await;
    let (plain, _) = login(&app, "plain", "secret12").await;
    for p in [
        "/system/configs",
        "/system/operation-logs",
        "/operation-logs",
    ] {
        app.get(&path(p))
            .bearer(&plain)
            .send()
            .await
            .admin(403, 10003);
        app.get(&path(p)).send().await.admin(401, 10002);
    }
    app.put(&path("/system/configs/1"))
        .bearer(&plain)
        .json(&json!({"config_value": "x"}))
        .send()
        .await
        .admin(403, 10003);
    // A role holding only the log view may read the log and nothing else here.
    let role = create_role(&app, &t, "auditor", &["system:log:view"]).await;
    create_user(&app, &t, "auditor1", &[role]).await;
    let (auditor, _) = login(&app, "auditor1", "secret12").await;
    app.get(&path("/system/operation-logs"))
        .bearer(&auditor)
        .send()
        .await
        .admin(200, 200);
    app.get(&path("/system/configs"))
        .bearer(&auditor)
        .send()
        .await
        .admin(403, 10003);
}

async fn logs(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Value {
    let r = app
        .get(&path("/system/operation-logs"))
        .bearer(token)
        .query(query)
        .send()
        .await;
    r.admin(200, 200).clone()
}

async fn the_log_list_filters_pages_and_is_newest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = root(&app).await; // entry 1: admin login
    let uid = create_user(&app, &t, "farmer002", &[]).await; // 2: user create
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": "farmer002", "password": "wrong-pass"}))
        .send()
        .await; // 3: failed login
    r.admin(400, 20004);
    let (ft, _) = login(&app, "farmer002", "secret12").await; // 4: farmer login
    app.post(&path("/auth/logout"))
        .bearer(&ft)
        .send()
        .await
        .admin(200, 200); // 5

    let all = logs(&app, &t, &[]).await;
    let list = all["list"].as_array().unwrap();
    assert_eq!(
        all["pagination"],
        json!({"page": 1, "page_size": 20, "total": 5, "total_pages": 1})
    );
    let actions: Vec<&str> = list.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["logout", "login", "login", "create", "login"]);
    let create = &list[3];
    assert_eq!(create["module"], json!("user"));
    assert_eq!(create["method"], json!("POST"));
    assert_eq!(create["url"], json!("/admin/v1/users"));
    assert_eq!(create["status_code"], json!(201));
    assert_eq!(create["user"]["username"], json!("admin"));
    assert!(create["user"]["id"].as_i64().unwrap() > 0);
    assert!(create["user"].get("real_name").is_some());
    assert_eq!(create["request_data"]["username"], json!("farmer002"));
    assert_eq!(create["request_data"]["password"], json!("***"));
    assert_eq!(create["response_data"]["success"], json!(true));
    assert_eq!(create["response_data"]["data"]["id"], json!(uid));
    assert!(create["ip"].as_str().unwrap().contains("127.0.0.1"));
    assert!(create["execution_time"].as_i64().unwrap() >= 0);
    assert_eq!(create["created_at"].as_str().unwrap().len(), 19);
    let failed = &list[2];
    assert_eq!(failed["status_code"], json!(400));
    assert_eq!(failed["user"], Value::Null);
    assert_eq!(failed["request_data"]["password"], json!("***"));
    assert_eq!(list[1]["user"]["id"], json!(uid));
    assert_eq!(list[0]["user"]["username"], json!("farmer002"));

    let total = |v: &Value| v["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&logs(&app, &t, &[("module", "auth")]).await), 4);
    assert_eq!(total(&logs(&app, &t, &[("action", "login")]).await), 3);
    assert_eq!(total(&logs(&app, &t, &[("action", "create")]).await), 1);
    let uid_s = uid.to_string();
    let mine = logs(&app, &t, &[("user_id", uid_s.as_str())]).await;
    assert_eq!(total(&mine), 2);
    assert!(
        mine["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["user"]["id"] == json!(uid))
    );
    let ip = list[0]["ip"].as_str().unwrap().to_owned();
    assert_eq!(total(&logs(&app, &t, &[("ip", ip.as_str())]).await), 5);
    assert_eq!(total(&logs(&app, &t, &[("ip", "10.0.0.1")]).await), 0);
    assert_eq!(
        total(&logs(&app, &t, &[("module", "auth"), ("user_id", uid_s.as_str())]).await),
        2
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let both = [("start_date", today.as_str()), ("end_date", today.as_str())];
    assert_eq!(total(&logs(&app, &t, &both).await), 5);
    assert_eq!(
        total(&logs(&app, &t, &[("end_date", "2020-01-01")]).await),
        0
    );
    assert_eq!(
        total(
            &logs(
                &app,
                &t,
                &[("start_date", "2020-01-01 10:30"), ("module", "user")]
            )
            .await
        ),
        1
    );
    let paged = logs(&app, &t, &[("page", "2"), ("page_size", "2")]).await;
    assert_eq!(
        paged["pagination"],
        json!({"page": 2, "page_size": 2, "total": 5, "total_pages": 3})
    );
    let ids: Vec<i64> = paged["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            list[2]["id"].as_i64().unwrap(),
            list[3]["id"].as_i64().unwrap()
        ]
    );
    assert_eq!(logs(&app, &t, &[("page", "9")]).await["list"], json!([]));
    // The shorter path answers the same list.
    let alias = app.get(&path("/operation-logs")).bearer(&t).send().await;
    assert_eq!(alias.admin(200, 200)["pagination"]["total"], json!(5));

    for (k, v, status, code) in [
        ("start_date", "yesterday", 422, 10006),
        ("end_date", "2026-13-01", 422, 10006),
        ("user_id", "abc", 400, 10001),
        ("page_size", "1000", 422, 10006),
    ] {
        let r = app
            .get(&path("/system/operation-logs"))
            .bearer(&t)
            .query(&[(k, v)])
            .send()
            .await;
        r.admin(status, code);
    }
    let r = app
        .get(&path("/system/operation-logs"))
        .bearer(&t)
        .query(&[("start_date", "2026-02-01"), ("end_date", "2026-01-01")])
        .send()
        .await;
    // An end before the start matches nothing.
    assert_eq!(r.admin(200, 200)["pagination"]["total"], json!(0));
    // Reads are not recorded.
    assert_eq!(total(&logs(&app, &t, &[]).await), 5);
}

db_test!(
    the_config_list_shows_every_setting_as_text_and_filters,
    a_config_update_is_typed_checked_and_seen_by_ops_v1,
    configs_and_logs_need_their_permissions,
    the_log_list_filters_pages_and_is_newest_first,
);
