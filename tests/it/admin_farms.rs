//! `admin_v1` §5 养殖场管理: farms list, detail, create, update, delete, audit, statistics.

use serde_json::json;

use crate::admin_common::{AdminResp, create_user, path, role_id, root};
use crate::admin_livestock::{animal, category, farm, farmer, has_number, like, listed, scanned};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn farms_are_created_listed_shown_updated_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let other = farmer(&app, &token, "farmer002", "13900139000").await;
    let d = farm(
        &app,
        &token,
        owner,
        "张三养猪场",
        "FARM001",
        json!({"area": 5000.5, "capacity": 500, "address": "北京市朝阳区某某村123号", "province": "北京市",
               "city": "北京市", "district": "朝阳区", "longitude": 116.407526, "latitude": 39.90403,
               "license_number": "京农许字[2024]001号", "license_image": "https://example.com/license.jpg",
               "description": "专业养猪场", "status": 1}),
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["type"], "pig");
    assert_eq!(d["area"], 5000.5);
    assert_eq!(d["longitude"], 116.407526);
    assert_eq!(d["status"], 1);
    assert_eq!(
        d["user"],
        json!({"id": owner, "username": "farmer001", "real_name": "张三", "phone": "138****8000"})
    );
    assert_eq!(
        d["statistics"],
        json!({"total_animals": 0, "healthy_animals": 0, "sick_animals": 0, "total_value": 0.00})
    );
    assert_eq!(d["created_at"].as_str().unwrap().len(), 19);
    let r = app
        .get(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    has_number(&r, "total_value", "0.00");
    farm(
        &app,
        &token,
        other,
        "李四养牛场",
        "FARM002",
        json!({"type": "cattle", "province": "内蒙古自治区", "city": "呼和浩特市", "address": "赛罕区"}),
    )
    .await;

    let r = app.get(&path("/farms")).bearer(&token).send().await;
    let d = r.admin(200, 200);
    assert_eq!(
        d["pagination"],
        json!({"page": 1, "page_size": 20, "total": 2, "total_pages": 1})
    );
    let first = &d["list"][1];
    assert_eq!(first["id"], id);
    assert_eq!(
        first["user"],
        json!({"id": owner, "username": "farmer001", "real_name": "张三"})
    );
    assert_eq!(first["animal_count"], 0);
    assert_eq!(first["district"], "朝阳区");
    for (k, v, expected) in [
        ("keyword", "养猪", "FARM001"),
        ("keyword", "farm002", "FARM002"),
        ("keyword", "123号", "FARM001"),
        ("type", "cattle", "FARM002"),
        ("status", "1", "FARM001"),
        ("province", "北京市", "FARM001"),
        ("city", "呼和浩特市", "FARM002"),
        ("user_id", &other.to_string(), "FARM002"),
    ] {
        let r = app
            .get(&path("/farms"))
            .bearer(&token)
            .query(&[(k, v)])
            .send()
            .await;
        let d = r.admin(200, 200);
        assert_eq!(d["pagination"]["total"], 1, "{k}={v}");
        assert_eq!(d["list"][0]["code"], expected, "{k}={v}");
    }
    let r = app
        .get(&path("/farms"))
        .bearer(&token)
        .query(&[("page", "2"), ("page_size", "1")])
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["list"][0]["code"], "FARM001");
    assert_eq!(d["pagination"]["total_pages"], 2);

    let r = app
        .get(&path(&format!("/users/{owner}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        r.admin(200, 200)["farms"],
        json!([{"id": id, "name": "张三养猪场", "type": "pig", "status": 1}])
    );

    let r = app
        .put(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .json(&json!({"name": "张三生态养猪场", "description": null, "capacity": 800}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["name"], "张三生态养猪场");
    assert_eq!(d["description"], json!(null));
    assert_eq!(d["capacity"], 800);
    assert_eq!(d["code"], "FARM001");
    assert_eq!(d["license_number"], "京农许字[2024]001号");

    let r = app
        .get(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["capacity"], 800);
    let r = app
        .delete(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    let r = app
        .get(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .delete(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);
}

async fn farm_input_is_checked_and_nothing_is_stored_on_failure(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let post = |body: serde_json::Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.post(&path("/farms"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    let r = post(json!({"user_id": owner, "name": 5, "code": "F1", "type": "pig"})).await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["name"]);
    let r = post(json!({"user_id": "1", "name": "农场", "code": "F1", "type": "pig"})).await;
    r.admin(400, 10001);
    let r = post(json!({})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["user_id", "name", "code", "type"]);
    let r = post(
        json!({"user_id": 9999, "name": null, "code": "F 1", "type": "pig",
                        "latitude": 91.0, "capacity": -1, "status": 7}),
    )
    .await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        ["name", "code", "capacity", "latitude", "status", "user_id"]
    );
    let r = post(json!({"user_id": 9999, "name": "农场", "code": "F1", "type": "pig"})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["user_id"]);
    let r = app
        .post(&path("/farms"))
        .bearer(&token)
        .body("application/json", "{")
        .send()
        .await;
    r.admin(400, 10001);

    farm(&app, &token, owner, "张三养猪场", "FARM001", json!({})).await;
    let r = post(json!({"user_id": owner, "name": "张三养猪场", "code": "FARM002", "type": "pig"}))
        .await;
    r.admin(400, 30001);
    let r = post(json!({"user_id": owner, "name": "李四养猪场", "code": "FARM001", "type": "pig"}))
        .await;
    r.admin(400, 30002);
    let r = app.get(&path("/farms")).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 1);

    let second = farm(&app, &token, owner, "李四养猪场", "FARM002", json!({})).await;
    let sid = second["id"].as_i64().unwrap();
    let r = app
        .put(&path(&format!("/farms/{sid}")))
        .bearer(&token)
        .json(&json!({"code": "FARM001"}))
        .send()
        .await;
    r.admin(400, 30002);
    let r = app
        .put(&path(&format!("/farms/{sid}")))
        .bearer(&token)
        .json(&json!({"name": null, "user_id": 424242}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["name", "user_id"]);
    let r = app
        .get(&path(&format!("/farms/{sid}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["code"], "FARM002");
    let r = app
        .put(&path("/farms/9999"))
        .bearer(&token)
        .json(&json!({"name": "x"}))
        .send()
        .await;
    r.admin(404, 10004);

    for (k, v) in [("status", "abc"), ("user_id", "x"), ("page", "one")] {
        let r = app
            .get(&path("/farms"))
            .bearer(&token)
            .query(&[(k, v)])
            .send()
            .await;
        r.admin(400, 10001);
    }
    let r = app
        .get(&path("/farms"))
        .bearer(&token)
        .query(&[("page_size", "0")])
        .send()
        .await;
    r.admin(422, 10006);
    // Not a canonical id: an unknown record (decisions §8).
    let r = app.get(&path("/farms/abc")).bearer(&token).send().await;
    r.admin(404, 10004);
    let r = app.get(&path("/farms/9999")).bearer(&token).send().await;
    r.admin(404, 10004);
}

async fn audits_record_status_notes_and_time(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let f = farm(&app, &token, owner, "张三养猪场", "FARM001", json!({})).await;
    assert_eq!(f["status"], 0);
    let id = f["id"].as_i64().unwrap();
    let r = app
        .post(&path(&format!("/farms/{id}/audit")))
        .bearer(&token)
        .json(&json!({"status": 1, "audit_notes": "审核通过,符合养殖标准"}))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["id"], id);
    assert_eq!(d["status"], 1);
    assert_eq!(d["audit_notes"], "审核通过,符合养殖标准");
    assert_eq!(d["audited_at"].as_str().unwrap().len(), 19);
    let r = app
        .get(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["status"], 1);
    assert_eq!(d["audit_notes"], "审核通过,符合养殖标准");

    for body in [json!({}), json!({"status": null}), json!({"status": 9})] {
        let r = app
            .post(&path(&format!("/farms/{id}/audit")))
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), ["status"]);
    }
    let r = app
        .post(&path(&format!("/farms/{id}/audit")))
        .bearer(&token)
        .json(&json!({"status": "1"}))
        .send()
        .await;
    r.admin(400, 10001);
    let r = app
        .post(&path("/farms/9999/audit"))
        .bearer(&token)
        .json(&json!({"status": 1}))
        .send()
        .await;
    r.admin(404, 10004);
    let r = app
        .get(&path(&format!("/farms/{id}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["status"], 1);
}

async fn statistics_count_as_the_contract_says(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let f = farm(&app, &token, owner, "张三养猪场", "FARM001", json!({})).await;
    let fid = f["id"].as_i64().unwrap();
    let cat = category(&app, &token, "猪", "pig").await;
    let mut ids = Vec::new();
    for (i, (breed, health, value)) in [
        ("杜洛克猪", "healthy", json!(1200.50)),
        ("杜洛克猪", "healthy", json!("800")),
        ("长白猪", "sick", json!(0.1)),
        ("长白猪", "treating", json!(null)),
        ("杜洛克猪", "quarantine", json!(100)),
        ("长白猪", "dead", json!(999)),
    ]
    .into_iter()
    .enumerate()
    {
        let a = animal(
            &app,
            &token,
            fid,
            cat,
            &format!("PIG{i:03}"),
            json!({"breed": breed, "health_status": health, "current_value": value}),
        )
        .await;
        ids.push(a["id"].as_i64().unwrap());
    }
    for (animal_id, record_type, date) in [
        (ids[0], "vaccination", "2024-01-10"),
        (ids[0], "vaccination", "2024-01-11"),
        (ids[1], "vaccination", "2023-12-01"),
        (ids[0], "checkup", "2024-01-12"),
        (ids[5], "vaccination", "2024-01-12"),
    ] {
        let r = app
            .post(&path(&format!("/animals/{animal_id}/health-records")))
            .bearer(&token)
            .json(&json!({"record_type": record_type, "record_date": date}))
            .send()
            .await;
        r.admin(201, 201);
    }
    let db = app.db().await;
    for (kind, amount, date) in [
        ("income", 5_000_000_i64, "2024-01-05"),
        ("expense", 3_000_000, "2024-01-06"),
        ("income", 100, "2023-06-01"),
    ] {
        sqlx::query(
            "INSERT INTO financial_records (record_type, category, amount, record_date, farm_id, \
             created_at, updated_at) VALUES ($1, 'sale', $2, $3, $4, 0, 0)",
        )
        .bind(kind)
        .bind(amount)
        .bind(date)
        .bind(fid)
        .execute(db.pool())
        .await
        .unwrap();
    }
    let r = app
        .get(&path(&format!("/farms/{fid}/statistics")))
        .bearer(&token)
        .query(&[("start_date", "2024-01-01"), ("end_date", "2024-01-31")])
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(
        d["basic_stats"],
        json!({"total_animals": 5, "healthy_animals": 2, "sick_animals": 3, "dead_animals": 1, "total_value": 2100.60})
    );
    has_number(&r, "total_value", "2100.60");
    assert_eq!(
        d["breed_stats"],
        json!([{"breed": "杜洛克猪", "count": 3, "percentage": 60.00},
               {"breed": "长白猪", "count": 2, "percentage": 40.00}])
    );
    has_number(&r, "percentage", "60.00");
    // One living animal vaccinated and one checked in January (the dead one does not count);
    // three of five sick.
    assert_eq!(
        d["health_stats"],
        json!({"vaccination_rate": 20.0, "health_check_rate": 20.0, "disease_rate": 60.0})
    );
    assert_eq!(
        d["financial_stats"],
        json!({"total_income": 50000.0, "total_expense": 30000.0, "net_profit": 20000.0, "profit_margin": 40.0})
    );
    has_number(&r, "total_income", "50000.00");

    let r = app
        .get(&path(&format!("/farms/{fid}/statistics")))
        .bearer(&token)
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(d["health_stats"]["vaccination_rate"], 40.0);
    has_number(&r, "total_income", "50001.00");

    let r = app
        .get(&path(&format!("/farms/{fid}")))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        r.admin(200, 200)["statistics"],
        json!({"total_animals": 5, "healthy_animals": 2, "sick_animals": 3, "total_value": 2100.60})
    );
    let r = app.get(&path("/farms")).bearer(&token).send().await;
    assert_eq!(r.admin(200, 200)["list"][0]["animal_count"], 5);

    let r = app
        .get(&path(&format!("/farms/{fid}/statistics")))
        .bearer(&token)
        .query(&[("start_date", "2024-02-01"), ("end_date", "2024-01-01")])
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["end_date"]);
    let r = app
        .get(&path(&format!("/farms/{fid}/statistics")))
        .bearer(&token)
        .query(&[("start_date", "2024/01/01")])
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["start_date"]);
    let r = app
        .get(&path("/farms/9999/statistics"))
        .bearer(&token)
        .send()
        .await;
    r.admin(404, 10004);

    // A farm with animals is not deleted.
    let r = app
        .delete(&path(&format!("/farms/{fid}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(409, 10005);
    let r = app
        .get(&path(&format!("/farms/{fid}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
}

/// Every livestock route of this branch, with a body that would pass.
fn routes(farm: i64, animal: i64, cat: i64) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::GET, "/farms".into()),
        (Method::POST, "/farms".into()),
        (Method::GET, format!("/farms/{farm}")),
        (Method::PUT, format!("/farms/{farm}")),
        (Method::POST, format!("/farms/{farm}/audit")),
        (Method::GET, format!("/farms/{farm}/statistics")),
        (Method::GET, "/animal-categories".into()),
        (Method::POST, "/animal-categories".into()),
        (Method::GET, format!("/animal-categories/{cat}")),
        (Method::PUT, format!("/animal-categories/{cat}")),
        (Method::GET, "/animals".into()),
        (Method::POST, "/animals".into()),
        (Method::GET, format!("/animals/{animal}")),
        (Method::PUT, format!("/animals/{animal}")),
        (Method::GET, format!("/animals/{animal}/health-records")),
        (Method::POST, format!("/animals/{animal}/health-records")),
        (Method::DELETE, format!("/animals/{animal}")),
        (Method::DELETE, format!("/animal-categories/{cat}")),
        (Method::DELETE, format!("/farms/{farm}")),
    ]
}

async fn ordinary_users_are_refused_and_admins_let_in(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let (fid, cat) = crate::admin_livestock::stable(&app, &token).await;
    let a = animal(&app, &token, fid, cat, "PIG001", json!({})).await;
    let aid = a["id"].as_i64().unwrap();
    let user_role = role_id(&app, &token, "user").await;
    create_user(&app, &token, "plain", &[user_role]).await;
    let plain = crate::admin_common::login(&app, "plain", "secret12")
        .await
        .0;
    for (m, p) in routes(fid, aid, cat) {
        let r = app
            .call(m.clone(), &path(&p))
            .bearer(&plain)
            .json(&json!({}))
            .send()
            .await;
        r.admin(403, 10003);
        let r = app.call(m.clone(), &path(&p)).json(&json!({})).send().await;
        r.admin(401, 10002);
    }
    let admin_role = role_id(&app, &token, "admin").await;
    create_user(&app, &token, "manager", &[admin_role]).await;
    let manager = crate::admin_common::login(&app, "manager", "secret12")
        .await
        .0;
    for (m, p) in routes(fid, aid, cat) {
        let r = app
            .call(m.clone(), &path(&p))
            .bearer(&manager)
            .json(&json!({}))
            .send()
            .await;
        assert!(
            !matches!(r.status.as_u16(), 401 | 403 | 500),
            "{m} {p}: {}",
            r.text()
        );
    }
    let r = app.get(&path("/auth/menus")).bearer(&manager).send().await;
    let text = r.text();
    for menu in ["livestock:farm", "livestock:animal", "livestock:category"] {
        assert!(text.contains(&format!("\"{menu}\"")), "menu {menu}: {text}");
    }
}

/// The farm keyword filter (through the gram table `farm_grams`) answers exactly what a scan
/// of `lower(name)`, `lower(code)` and `lower(address)` answers — total and pages — for terms
/// of 1, 2, 3, 4–16 and more characters (ASCII and CJK, `%` and `_` literal), after bulk
/// inserts, updates and deletes, alone and with another filter.
async fn keyword_search_answers_what_a_scan_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let owner = farmer(&app, &token, "farmer001", "13800138000").await;
    let db = app.db().await;
    let run = |sql: String| {
        let db = &db;
        async move {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(db.pool())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .rows_affected()
        }
    };
    let inserted = run(format!(
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < 300) \
         INSERT INTO farms (user_id, name, code, type, address, province, city, status, created_at, updated_at) \
         SELECT {owner}, '成都' || CAST(x AS TEXT) || '号养猪场', 'FARM' || CAST(x AS TEXT), \
         CASE WHEN x % 2 = 0 THEN 'pig' ELSE 'cattle' END, \
         CASE WHEN x % 3 = 0 THEN '四川省成都市' || CAST(x AS TEXT) || '号' ELSE '' END, '四川省', '成都市', 1, 0, 0 FROM c"
    ))
    .await;
    assert_eq!(inserted, 300);
    run("UPDATE farms SET address = 'Moved Road 7' WHERE CAST(id AS BIGINT) % 7 = 0".into()).await;
    run("UPDATE farms SET name = name || 'B' WHERE CAST(id AS BIGINT) % 5 = 0".into()).await;
    run(
        "UPDATE farms SET name = 'Long_Name 100% of ' || name WHERE CAST(id AS BIGINT) % 4 = 0"
            .into(),
    )
    .await;
    run("DELETE FROM farms WHERE CAST(id AS BIGINT) % 13 = 0".into()).await;
    db.close().await;
    let scan = "SELECT id FROM farms WHERE (lower(name) LIKE $1 ESCAPE '\\' OR lower(code) LIKE $1 ESCAPE '\\' \
                OR lower(address) LIKE $1 ESCAPE '\\')";
    for k in [
        "成都",
        "成都1",
        "farm1",
        "FARM2",
        "1",
        "road",
        "ROAD 7",
        "号养",
        "场b",
        "nothing",
        "成都市",
        "养猪场",
        "四川省成都市1",
        "1号养猪场b",
        "%",
        "_",
        "0%",
        "g_n",
        "100%",
        "long_name 100% o",
        "long_name 100% of 成都1",
        "long_name 100% of 成都2号",
        "long_name 100% of 成都x",
    ] {
        let want = scanned(&app, scan, &like(k)).await;
        assert_eq!(
            listed(&app, &token, "/farms", &[("keyword", k)]).await,
            want,
            "{k}"
        );
        let want = scanned(&app, &format!("{scan} AND type = 'pig'"), &like(k)).await;
        assert_eq!(
            listed(&app, &token, "/farms", &[("keyword", k), ("type", "pig")]).await,
            want,
            "{k} and type"
        );
    }
    assert!(scanned(&app, scan, &like("farm1")).await.0 > 100);
}

db_test!(
    farms_are_created_listed_shown_updated_and_deleted,
    farm_input_is_checked_and_nothing_is_stored_on_failure,
    audits_record_status_notes_and_time,
    statistics_count_as_the_contract_says,
    ordinary_users_are_refused_and_admins_let_in,
    keyword_search_answers_what_a_scan_answers,
);
