//! `admin_v1` §10 数据统计 (issue 13 part B): the dashboard and user statistics, read from the
//! counters that database triggers keep beside users, farms, animals and trade orders.
//!
//! Rows are written with SQL here on purpose: the counters must follow every write of those
//! tables, whichever code makes it.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_user, login, path, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

const DAY: i64 = 86_400_000_000;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Noon UTC `days` days before today, in microseconds.
fn days_ago(days: i64) -> i64 {
    let d = today() - Duration::days(days);
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
        .timestamp_micros()
}

fn date(days: i64) -> String {
    (today() - Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn exec(db: &ops::db::Db, sql: &str, args: &[i64]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for a in args {
        q = q.bind(*a);
    }
    q.execute(db.pool()).await.unwrap();
}

async fn user(db: &ops::db::Db, name: &str, at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, created_at, updated_at) \
         VALUES ($1, 'x', $2, $2) RETURNING id",
    )
    .bind(name)
    .bind(at)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn farm(db: &ops::db::Db, owner: i64, name: &str, province: &str, at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO farms (user_id, name, code, type, province, created_at, updated_at) \
         VALUES ($1, $2, $2, 'cattle', $3, $4, $4) RETURNING id",
    )
    .bind(owner)
    .bind(name)
    .bind(province)
    .bind(at)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn animal(db: &ops::db::Db, farm: i64, code: &str, at: i64) {
    sqlx::query(
        "INSERT INTO animals (farm_id, category_id, code, created_at, updated_at) \
         VALUES ($1, (SELECT MIN(id) FROM animal_categories), $2, $3, $3)",
    )
    .bind(farm)
    .bind(code)
    .bind(at)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn order(db: &ops::db::Db, no: &str, fen: i64, paid: bool, at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO trade_orders (order_no, order_type, total_amount, actual_amount, \
         payment_status, created_at, updated_at) VALUES ($1, 'animal', $2, $2, $3, $4, $4) \
         RETURNING id",
    )
    .bind(no)
    .bind(fen)
    .bind(if paid { "paid" } else { "unpaid" })
    .bind(at)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn get(app: &TestApp, token: &str, route: &str, q: &[(&str, &str)]) -> Value {
    raw(app, token, route, q).await.0
}

/// `data` and the body as sent (to see numbers written with two decimals).
async fn raw(app: &TestApp, token: &str, route: &str, q: &[(&str, &str)]) -> (Value, String) {
    let r = app.get(&path(route)).bearer(token).query(q).send().await;
    (r.admin(200, 200).clone(), r.text())
}

fn percent_sum(list: &Value) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| (e["percentage"].as_f64().unwrap() * 100.0).round() as i64)
        .sum()
}

/// Users a (2 days ago), b (10), c (20) besides the admin (now); farms, animals and orders
/// spread over this week and the one before.
async fn seed(app: &TestApp) -> (i64, i64, i64, i64) {
    let db = app.db().await;
    let a = user(&db, "farmer_a", days_ago(2)).await;
    let b = user(&db, "farmer_b", days_ago(10)).await;
    let c = user(&db, "buyer_c", days_ago(20)).await;
    exec(
        &db,
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
         WHERE r.code = 'user' AND u.id IN ($1, $2, $3)",
        &[a, b, c],
    )
    .await;
    exec(
        &db,
        "INSERT INTO animal_categories (name, code, created_at, updated_at) VALUES ('牛', 'cattle', 0, 0)",
        &[],
    )
    .await;
    let f1 = farm(&db, a, "f1", "北京市", days_ago(1)).await;
    let f2 = farm(&db, b, "f2", "上海市", days_ago(9)).await;
    farm(&db, a, "f3", "上海市", days_ago(0)).await;
    animal(&db, f1, "A1", days_ago(0)).await;
    animal(&db, f1, "A2", days_ago(0)).await;
    animal(&db, f2, "A3", days_ago(8)).await;
    order(&db, "ORD1", 100_000, true, days_ago(1)).await;
    let o2 = order(&db, "ORD2", 50_000, false, days_ago(3)).await;
    order(&db, "ORD3", 20_000, true, days_ago(9)).await;
    (a, b, f2, o2)
}

async fn the_dashboard_counts_grows_and_charts_every_day_from_the_counters(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let token = root(&app).await;
    let (_, _, f2, o2) = seed(&app).await;
    let week = [("start_date", date(6)), ("end_date", date(0))];
    let q: Vec<(&str, &str)> = week.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (d, text) = raw(&app, &token, "/dashboard/statistics", &q).await;
    assert!(text.contains("\"total_revenue\":1200.00"), "{text}");
    assert!(text.contains("\"growth_rate\":100.00"), "{text}");
    assert_eq!(
        d["overview"],
        json!({"total_users": 4, "total_farms": 3, "total_animals": 3, "total_orders": 3, "total_revenue": 1200.00})
    );
    let g = &d["growth_stats"];
    assert_eq!(
        g["user_growth"],
        json!({"current": 2, "previous": 1, "growth_rate": 100.0})
    );
    assert_eq!(
        g["farm_growth"],
        json!({"current": 2, "previous": 1, "growth_rate": 100.0})
    );
    assert_eq!(
        g["animal_growth"],
        json!({"current": 2, "previous": 1, "growth_rate": 100.0})
    );
    assert_eq!(
        g["order_growth"],
        json!({"current": 2, "previous": 1, "growth_rate": 100.0})
    );
    let users = d["chart_data"]["user_trend"].as_array().unwrap();
    assert_eq!(users.len(), 7, "every day present");
    assert_eq!(users[0], json!({"date": date(6), "count": 2}));
    assert_eq!(users[4], json!({"date": date(2), "count": 3}));
    assert_eq!(users[6], json!({"date": date(0), "count": 4}));
    let orders = d["chart_data"]["order_trend"].as_array().unwrap();
    assert_eq!(
        orders[0],
        json!({"date": date(6), "count": 1, "amount": 200.0})
    );
    assert_eq!(
        orders[3],
        json!({"date": date(3), "count": 2, "amount": 200.0})
    );
    assert_eq!(
        orders[5],
        json!({"date": date(1), "count": 3, "amount": 1200.0})
    );
    let acts = d["recent_activities"].as_array().unwrap();
    assert_eq!(acts[0]["type"], "user_register");
    assert_eq!(acts[0]["message"], "新用户 admin 注册成功");
    assert!(
        acts.iter()
            .any(|a| a["type"] == "order_created" && a["message"] == "订单 ORD1 创建成功")
    );
    assert_eq!(acts[0]["time"].as_str().unwrap().len(), 19);

    // The previous period empty: the stated answer, 100.00 for growth from nothing.
    let q = [("start_date", date(1)), ("end_date", date(0))];
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let d = get(&app, &token, "/dashboard/statistics", &q).await;
    assert_eq!(
        d["growth_stats"]["animal_growth"],
        json!({"current": 2, "previous": 0, "growth_rate": 100.0})
    );

    // Updates and deletes move the counters in the same transaction.
    let db = app.db().await;
    exec(
        &db,
        "UPDATE trade_orders SET payment_status = 'paid' WHERE id = $1",
        &[o2],
    )
    .await;
    exec(&db, "DELETE FROM farms WHERE id = $1", &[f2]).await;
    let d = get(&app, &token, "/dashboard/statistics", &[]).await;
    assert_eq!(d["overview"]["total_revenue"], 1700.0);
    assert_eq!(d["overview"]["total_farms"], 2);
    assert_eq!(
        d["overview"]["total_animals"], 2,
        "the farm's animals went with it"
    );
    assert_eq!(
        d["chart_data"]["user_trend"].as_array().unwrap().len(),
        30,
        "default: 30 days"
    );
}

async fn user_statistics_break_users_down_by_role_and_region_to_exactly_one_hundred(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let token = root(&app).await;
    let (_, _, f2, _) = seed(&app).await;
    let q = [
        ("start_date", date(6)),
        ("end_date", date(0)),
        ("group_by", "day".to_owned()),
    ];
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let d = get(&app, &token, "/statistics/users", &q).await;
    assert_eq!(
        d["summary"],
        json!({"total_users": 4, "active_users": 1, "new_users": 2, "retention_rate": 25.0})
    );
    assert_eq!(
        d["user_by_role"],
        json!([{"role": "user", "count": 3, "percentage": 75.0}, {"role": "super_admin", "count": 1, "percentage": 25.0}])
    );
    assert_eq!(
        d["user_by_region"],
        json!([
            {"province": "未知", "count": 2, "percentage": 50.0},
            {"province": "上海市", "count": 1, "percentage": 25.0},
            {"province": "北京市", "count": 1, "percentage": 25.0}
        ])
    );
    let trend = d["trend_data"].as_array().unwrap();
    assert_eq!(trend.len(), 7);
    assert_eq!(
        trend[4],
        json!({"date": date(2), "total": 3, "new": 1, "active": 0})
    );
    assert_eq!(
        trend[6],
        json!({"date": date(0), "total": 4, "new": 1, "active": 1})
    );

    // Losing b's only farm moves b to 未知; three equal thirds still add up to 100.00.
    let db = app.db().await;
    exec(&db, "DELETE FROM farms WHERE id = $1", &[f2]).await;
    let extra = create_user(&app, &token, "viewer1", &[]).await;
    assert!(extra > 0);
    let d = get(&app, &token, "/statistics/users", &[]).await;
    assert_eq!(
        d["user_by_region"][0],
        json!({"province": "未知", "count": 4, "percentage": 80.0})
    );
    assert_eq!(percent_sum(&d["user_by_region"]), 10_000);
    exec(
        &db,
        "DELETE FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE username IN ('farmer_a', 'farmer_b'))",
        &[],
    )
    .await;
    let (t, _) = login(&app, "viewer1", "secret12").await;
    let _ = t;
    let d = get(&app, &token, "/statistics/users", &[("group_by", "month")]).await;
    // user: buyer_c, viewer1 (2); super_admin (1): 66.67 + 33.33.
    assert_eq!(
        d["user_by_role"][0],
        json!({"role": "user", "count": 2, "percentage": 66.67})
    );
    assert_eq!(d["user_by_role"][1]["percentage"], 33.33);
    assert_eq!(d["summary"]["active_users"], 2, "viewer1 logged in");
    let months: Vec<&str> = d["trend_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["date"].as_str().unwrap())
        .collect();
    assert!(months.iter().all(|m| m.len() == 7), "{months:?}");
    assert_eq!(months.last().copied(), Some(&date(0)[..7]));
    assert_eq!(
        d["trend_data"].as_array().unwrap().last().unwrap()["total"],
        5
    );
}

async fn days_follow_the_server_time_zone(bk: Backend) {
    let app = TestApp::spawn_with(bk, |c| c.server.timezone = "Asia/Shanghai".into()).await;
    let token = root(&app).await;
    let db = app.db().await;
    // 2024-01-01 17:00 UTC is 2024-01-02 01:00 in Shanghai.
    let at = Utc
        .with_ymd_and_hms(2024, 1, 1, 17, 0, 0)
        .unwrap()
        .timestamp_micros();
    user(&db, "late_one", at).await;
    user(&db, "earlier", at - DAY).await;
    let d = get(
        &app,
        &token,
        "/statistics/users",
        &[("start_date", "2024-01-01"), ("end_date", "2024-01-02")],
    )
    .await;
    assert_eq!(
        d["trend_data"],
        json!([
            {"date": "2024-01-01", "total": 1, "new": 1, "active": 0},
            {"date": "2024-01-02", "total": 2, "new": 1, "active": 0}
        ])
    );
}

/// A zone 45 minutes off the hour: its days cut UTC hours, so they are summed from the
/// 15-minute buckets, not the hourly sums.
async fn days_of_a_quarter_hour_zone_split_an_hour(bk: Backend) {
    let app = TestApp::spawn_with(bk, |c| c.server.timezone = "Asia/Kathmandu".into()).await;
    let token = root(&app).await;
    let db = app.db().await;
    // Kathmandu is UTC+05:45: 18:00 UTC is 23:45 on the 1st, 18:30 UTC 00:15 on the 2nd.
    let at = |h: u32, m: u32| {
        Utc.with_ymd_and_hms(2024, 1, 1, h, m, 0)
            .unwrap()
            .timestamp_micros()
    };
    user(&db, "before_midnight", at(18, 0)).await;
    user(&db, "after_midnight", at(18, 30)).await;
    user(&db, "after_midnight_2", at(18, 40)).await;
    let d = get(
        &app,
        &token,
        "/statistics/users",
        &[("start_date", "2024-01-01"), ("end_date", "2024-01-02")],
    )
    .await;
    assert_eq!(
        d["trend_data"],
        json!([
            {"date": "2024-01-01", "total": 1, "new": 1, "active": 0},
            {"date": "2024-01-02", "total": 3, "new": 2, "active": 0}
        ])
    );
}

async fn bad_ranges_and_group_by_are_refused_and_need_the_permission(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let token = root(&app).await;
    for (route, q, fields) in [
        (
            "/statistics/users",
            vec![("group_by", "week")],
            vec!["group_by"],
        ),
        (
            "/statistics/users",
            vec![("group_by", "hour"), ("start_date", "x")],
            vec!["group_by", "start_date"],
        ),
        (
            "/dashboard/statistics",
            vec![("start_date", "2024-13-01")],
            vec!["start_date"],
        ),
        (
            "/dashboard/statistics",
            vec![("end_date", "20240101")],
            vec!["end_date"],
        ),
        (
            "/dashboard/statistics",
            vec![("start_date", "2024-02-01"), ("end_date", "2024-01-01")],
            vec!["start_date"],
        ),
        (
            "/statistics/users",
            vec![("start_date", "1990-01-01"), ("end_date", "2024-01-01")],
            vec!["end_date"],
        ),
    ] {
        let r = app.get(&path(route)).bearer(&token).query(&q).send().await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), fields, "{route} {q:?}");
    }
    create_user(&app, &token, "plain", &[]).await;
    let (plain, _) = login(&app, "plain", "secret12").await;
    for route in ["/dashboard/statistics", "/statistics/users"] {
        app.get(&path(route))
            .bearer(&plain)
            .send()
            .await
            .admin(403, 10003);
        app.get(&path(route)).send().await.admin(401, 10002);
    }
}

db_test!(
    the_dashboard_counts_grows_and_charts_every_day_from_the_counters,
    user_statistics_break_users_down_by_role_and_region_to_exactly_one_hundred,
    days_follow_the_server_time_zone,
    days_of_a_quarter_hour_zone_split_an_hour,
    bad_ranges_and_group_by_are_refused_and_need_the_permission,
);
