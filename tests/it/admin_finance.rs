//! admin_v1 §8 财务: records (list with summary, create/update/delete) and statistics.

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, path};
use crate::admin_orders::{World, world};
use crate::db_test;
use crate::support::Backend;

impl World {
    async fn record(&self, body: Value) -> Value {
        let r = self
            .app
            .post(&path("/financial-records"))
            .bearer(&self.token)
            .json(&body)
            .send()
            .await;
        r.admin(201, 201).clone()
    }
}

async fn records_are_created_listed_updated_and_deleted(b: Backend) {
    let w = world(b).await;
    let r = w
        .app
        .post(&path("/financial-records"))
        .bearer(&w.token)
        .json(&json!({
            "record_type": "income", "category": "sale", "amount": 2400,
            "description": "销售杜洛克猪2头", "related_id": 1, "related_type": "order",
            "payment_method": "alipay", "receipt_image": "https://example.com/receipt1.jpg",
            "record_date": "2024-01-20", "user_id": w.seller, "farm_id": w.farm, "notes": "订单收入"
        }))
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert!(r.text().contains("\"amount\":2400.00"), "{}", r.text());
    assert_eq!(d["record_date"], "2024-01-20");
    assert_eq!(
        d["user"],
        json!({"id": w.seller, "username": "farmer001", "real_name": "张三"})
    );
    assert_eq!(d["farm"], json!({"id": w.farm, "name": "张三养猪场"}));
    assert_eq!(
        d["created_by"]["id"],
        json!(1),
        "the bootstrap admin wrote it"
    );
    assert_eq!(d["created_at"].as_str().unwrap().len(), 19);
    let id = d["id"].as_i64().unwrap();
    // Defaults: today, the caller's books.
    let e = w
        .record(json!({"record_type": "expense", "category": "feed", "amount": "0.10"}))
        .await;
    assert_eq!(
        e["record_date"],
        json!(chrono::Utc::now().format("%Y-%m-%d").to_string())
    );
    w.record(json!({"record_type": "expense", "category": "feed", "amount": 0.2, "record_date": "2024-02-01", "farm_id": w.farm})).await;

    let r = w
        .app
        .get(&path("/financial-records"))
        .bearer(&w.token)
        .send()
        .await;
    let list = r.admin(200, 200).clone();
    assert!(
        r.text().contains("\"total_expense\":0.30"),
        "exact sums: {}",
        r.text()
    );
    assert_eq!(list["pagination"]["total"], 3);
    assert_eq!(list["summary"]["total_income"], json!(2400.0));
    assert!(r.text().contains("\"net_profit\":2399.70"), "{}", r.text());
    assert_eq!(list["list"][0]["id"], e["id"], "newest record date first");

    let cases: Vec<(String, i64)> = vec![
        ("record_type=income".into(), 1),
        ("category=feed".into(), 2),
        (format!("user_id={}", w.seller), 1),
        (format!("farm_id={}", w.farm), 2),
        ("start_date=2024-01-01&end_date=2024-01-31".into(), 1),
        ("start_date=2024-01-21".into(), 2),
        ("min_amount=0.2".into(), 2),
        ("max_amount=0.15".into(), 1),
        ("min_amount=0.1&max_amount=0.1".into(), 1),
    ];
    for (q, n) in cases {
        assert_eq!(w.total(&format!("/financial-records?{q}")).await, n, "{q}");
    }
    let f = w
        .get(&format!("/financial-records?farm_id={}", w.farm))
        .await;
    assert_eq!(f["summary"]["total_expense"], json!(0.2));
    let r = w
        .app
        .get(&path("/financial-records?min_amount=-1&record_type=gift"))
        .bearer(&w.token)
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["record_type", "min_amount"]);
    w.app
        .get(&path("/financial-records?user_id=x"))
        .bearer(&w.token)
        .send()
        .await
        .admin(400, 10001);

    let r = w
        .app
        .put(&path(&format!("/financial-records/{id}")))
        .bearer(&w.token)
        .json(&json!({"amount": "2000.50", "category": "other"}))
        .send()
        .await;
    let u = r.admin(200, 200).clone();
    assert!(r.text().contains("\"amount\":2000.50"));
    assert_eq!(
        (u["category"].as_str(), u["record_type"].as_str()),
        (Some("other"), Some("income"))
    );
    assert_eq!(
        w.get("/financial-records").await["summary"]["total_income"],
        json!(2000.5)
    );
    assert_eq!(
        w.get(&format!("/financial-records/{id}")).await["amount"],
        json!(2000.5)
    );

    w.app
        .delete(&path(&format!("/financial-records/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(200, 200);
    w.app
        .get(&path(&format!("/financial-records/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(404, 10004);
    w.app
        .delete(&path(&format!("/financial-records/{id}")))
        .bearer(&w.token)
        .send()
        .await
        .admin(404, 10004);
    let list = w.get("/financial-records").await;
    assert_eq!(list["pagination"]["total"], 2);
    assert_eq!(list["summary"]["total_income"], json!(0.0));
}

async fn bad_records_name_every_field_and_store_nothing(b: Backend) {
    let w = world(b).await;
    let post = |body: Value| {
        let app = &w.app;
        let token = w.token.clone();
        async move {
            app.post(&path("/financial-records"))
                .bearer(&token)
                .json(&body)
                .send()
                .await
        }
    };
    post(json!({"record_type": "income", "category": "sale", "amount": true}))
        .await
        .admin(400, 10001);
    post(json!({"record_type": 1, "category": "sale", "amount": 1}))
        .await
        .admin(400, 10001);
    let r = post(json!({"record_type": "gift", "amount": 1.001, "record_date": "20240101", "payment_method": "gold"})).await;
    r.admin(422, 10006);
    assert_eq!(
        r.error_fields(),
        [
            "record_type",
            "category",
            "amount",
            "payment_method",
            "record_date"
        ]
    );
    let r = post(json!({"record_type": "income", "category": "sale", "amount": -0.01})).await;
    assert_eq!(r.error_fields(), ["amount"]);
    let r = post(json!({"record_type": "income", "category": "sale", "amount": 1, "user_id": 9999, "farm_id": 9999})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["user_id", "farm_id"]);
    let r = post(json!({"record_type": "income", "category": "sale", "amount": null})).await;
    assert_eq!(r.error_fields(), ["amount"]);
    assert_eq!(w.total("/financial-records").await, 0);
    let s = w.get("/financial-records/statistics?group_by=year").await;
    assert_eq!(s["summary"]["total_income"], json!(0.0));
    // An update that breaks a rule changes nothing.
    let id = w
        .record(json!({"record_type": "income", "category": "sale", "amount": 5}))
        .await["id"]
        .as_i64()
        .unwrap();
    let r = w
        .app
        .put(&path(&format!("/financial-records/{id}")))
        .bearer(&w.token)
        .json(&json!({"amount": "5.555"}))
        .send()
        .await;
    assert_eq!(r.error_fields(), ["amount"]);
    assert_eq!(
        w.get(&format!("/financial-records/{id}")).await["amount"],
        json!(5.0)
    );
    w.app
        .put(&path("/financial-records/999"))
        .bearer(&w.token)
        .json(&json!({}))
        .send()
        .await
        .admin(404, 10004);
}

async fn statistics_cover_every_bucket_and_add_up(b: Backend) {
    let w = world(b).await;
    for (kind, cat, amount, date) in [
        ("income", "sale", "800.00", "2024-01-10"),
        ("income", "other", "200.00", "2024-03-05"),
        ("expense", "feed", "100.00", "2024-01-15"),
        ("expense", "medicine", "100.00", "2024-03-20"),
        ("expense", "labor", "100.00", "2024-03-21"),
        ("income", "sale", "999.00", "2023-12-31"),
    ] {
        w.record(json!({"record_type": kind, "category": cat, "amount": amount, "record_date": date, "farm_id": w.farm})).await;
    }
    let q =
        "/financial-records/statistics?start_date=2024-01-01&end_date=2024-04-30&group_by=month";
    let r = w.app.get(&path(q)).bearer(&w.token).send().await;
    let s = r.admin(200, 200).clone();
    let text = r.text();
    for part in [
        "\"total_income\":1000.00",
        "\"total_expense\":300.00",
        "\"net_profit\":700.00",
        "\"profit_margin\":70.00",
        "{\"category\":\"sale\",\"amount\":800.00,\"percentage\":80.00}",
        "{\"category\":\"other\",\"amount\":200.00,\"percentage\":20.00}",
        "\"percentage\":33.34",
        "{\"date\":\"2024-02\",\"income\":0.00,\"expense\":0.00,\"profit\":0.00}",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let exp = s["expense_by_category"].as_array().unwrap();
    assert_eq!(exp.len(), 3);
    let pct: Vec<String> = exp.iter().map(|e| e["percentage"].to_string()).collect();
    assert_eq!(
        pct,
        ["33.34", "33.33", "33.33"],
        "largest remainder, exactly 100.00"
    );
    let dates: Vec<&str> = s["trend_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2024-01", "2024-02", "2024-03", "2024-04"]);
    assert_eq!(s["trend_data"][2]["profit"], json!(0.0));
    assert_eq!(s["trend_data"][0]["profit"], json!(700.0));

    // The per-record path (farm filter) answers exactly what the rollup answers.
    let by_farm = w.get(&format!("{q}&farm_id={}", w.farm)).await;
    assert_eq!(by_farm, s);
    let nobody = w.get(&format!("{q}&user_id={}", w.buyer)).await;
    assert_eq!(
        nobody["summary"]["profit_margin"],
        json!(0.0),
        "no income: margin 0"
    );
    assert_eq!(nobody["trend_data"].as_array().unwrap().len(), 4);

    let days = w
        .get("/financial-records/statistics?start_date=2024-03-19&end_date=2024-03-21&group_by=day")
        .await;
    let t = days["trend_data"].as_array().unwrap();
    assert_eq!(t.len(), 3);
    assert_eq!(t[0]["date"], "2024-03-19");
    assert_eq!(t[2]["expense"], json!(100.0));
    let years = w
        .get(
            "/financial-records/statistics?start_date=2023-01-01&end_date=2024-12-31&group_by=year",
        )
        .await;
    assert_eq!(
        years["trend_data"][0],
        json!({"date": "2023", "income": 999.0, "expense": 0.0, "profit": 999.0})
    );
    // Default: the last 12 months, ending this month.
    let default = w.get("/financial-records/statistics").await;
    let t = default["trend_data"].as_array().unwrap();
    assert_eq!(t.len(), 12);
    assert_eq!(
        t[11]["date"],
        json!(chrono::Utc::now().format("%Y-%m").to_string())
    );

    for (bad, field) in [
        ("group_by=week", "group_by"),
        ("start_date=2024-05-01&end_date=2024-04-01", "start_date"),
        ("start_date=nope", "start_date"),
    ] {
        let r = w
            .app
            .get(&path(&format!("/financial-records/statistics?{bad}")))
            .bearer(&w.token)
            .send()
            .await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), [field], "{bad}");
    }
    w.app
        .get(&path("/financial-records/statistics?farm_id=x"))
        .bearer(&w.token)
        .send()
        .await
        .admin(400, 10001);
}

/// The per-amount-bucket totals as kept, and as recounted from the records (zero rows left out).
async fn amount_totals(
    db: &ops::db::Db,
) -> (
    Vec<(i64, i64, String, i64, i64)>,
    Vec<(i64, i64, String, i64, i64)>,
) {
    let read = |sql: String| async move {
        let rows: Vec<(i64, i64, String, i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(db.pool())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .filter(|r| r.3 != 0 || r.4 != 0)
            .collect::<Vec<_>>()
    };
    let kept = read(
        "SELECT CAST(level AS BIGINT), CAST(bucket AS BIGINT), record_type, CAST(amount AS BIGINT), \
         CAST(records AS BIGINT) FROM financial_amount_totals ORDER BY 1, 2, 3"
            .into(),
    )
    .await;
    let mut recount = Vec::new();
    for level in 0..=12u32 {
        let unit = 10_i64.pow(level);
        recount.extend(
            read(format!(
                "SELECT CAST({level} AS BIGINT), CAST(amount / {unit} AS BIGINT), record_type, \
                 CAST(SUM(amount) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM financial_records \
                 GROUP BY amount / {unit}, record_type ORDER BY 2, 3"
            ))
            .await,
        );
    }
    (kept, recount)
}

/// What the list must answer for `conditions` (SQL on `financial_records`): total, income
/// and expense (fen), and the ids of the page.
pub async fn expected_page(
    db: &ops::db::Db,
    conditions: &str,
    page: i64,
) -> (i64, i64, i64, Vec<i64>) {
    let (n, income, expense): (i64, i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COUNT(*) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN record_type = 'income' THEN amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN record_type = 'expense' THEN amount ELSE 0 END), 0) AS BIGINT) \
         FROM financial_records WHERE {conditions}"
    )))
    .fetch_one(db.pool())
    .await
    .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM financial_records WHERE {conditions} \
         ORDER BY record_date DESC, id DESC LIMIT 20 OFFSET {}",
        (page - 1) * 20
    )))
    .fetch_all(db.pool())
    .await
    .unwrap();
    (n, income, expense, ids)
}

/// The list page `got` answers what a scan under `conditions` answers: total, summary and
/// the page's ids.
pub async fn assert_page_matches(
    db: &ops::db::Db,
    got: &Value,
    conditions: &str,
    page: i64,
    what: &str,
) {
    let (n, income, expense, ids) = expected_page(db, conditions, page).await;
    assert_eq!(got["pagination"]["total"], json!(n), "{what}");
    assert_eq!(fen(&got["summary"]["total_income"]), income, "{what}");
    assert_eq!(fen(&got["summary"]["total_expense"]), expense, "{what}");
    let got_ids: Vec<i64> = got["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got_ids, ids, "{what}");
}

pub fn fen(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 100.0).round() as i64
}

/// The amount filters (read from the per-amount-bucket rollup, the page by whichever index
/// reads less) answer exactly what a scan of the records answers, and the rollup stays equal
/// to a recount through multi-row inserts, updates and deletes.
async fn amount_filters_answer_what_a_scan_answers(b: Backend) {
    let w = world(b).await;
    let db = w.app.db().await;
    let inserted = sqlx::query(
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < 3000) \
         INSERT INTO financial_records (record_type, category, amount, record_date, created_at, updated_at) \
         SELECT CASE WHEN x % 3 = 0 THEN 'income' ELSE 'expense' END, 'other', (x * 7919) % 1000003, \
         '2024-' || CASE WHEN x % 12 < 9 THEN '0' ELSE '' END || CAST(x % 12 + 1 AS TEXT) || '-1' || CAST(x % 10 AS TEXT), \
         0, 0 FROM c",
    )
    .execute(db.pool())
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(inserted, 3000);
    let (kept, recount) = amount_totals(&db).await;
    assert_eq!(kept, recount, "after the insert");
    assert!(kept.len() > 3000);

    // (query, the same conditions in SQL): narrow ranges take the amount index, wide ones the
    // dates; the type rides along.
    let cases = [
        ("min_amount=9950", "amount >= 995000"),
        ("max_amount=5", "amount <= 500"),
        (
            "min_amount=1000&max_amount=1234.56",
            "amount >= 100000 AND amount <= 123456",
        ),
        ("min_amount=10", "amount >= 1000"),
        ("max_amount=9000", "amount <= 900000"),
        ("min_amount=0", "amount >= 0"),
        ("min_amount=20000", "amount >= 2000000"),
        (
            "min_amount=9000&record_type=income",
            "amount >= 900000 AND record_type = 'income'",
        ),
        (
            "max_amount=7000&record_type=expense",
            "amount <= 700000 AND record_type = 'expense'",
        ),
    ];
    for (q, cond) in cases {
        for page in [1, 2, 60] {
            let got = w.get(&format!("/financial-records?{q}&page={page}")).await;
            assert_page_matches(&db, &got, cond, page, &format!("{q} page {page}")).await;
        }
    }

    sqlx::query(
        "UPDATE financial_records SET amount = amount + 12345 WHERE CAST(id AS BIGINT) % 3 = 0",
    )
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE financial_records SET record_type = 'income' WHERE CAST(id AS BIGINT) % 5 = 0",
    )
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE financial_records SET notes = 'n'")
        .execute(db.pool())
        .await
        .unwrap();
    let (kept, recount) = amount_totals(&db).await;
    assert_eq!(kept, recount, "after the updates");
    sqlx::query("DELETE FROM financial_records WHERE CAST(id AS BIGINT) % 4 = 0")
        .execute(db.pool())
        .await
        .unwrap();
    let (kept, recount) = amount_totals(&db).await;
    assert_eq!(kept, recount, "after the delete");
    let (n, ..) = expected_page(&db, "amount >= 500000", 1).await;
    assert_eq!(w.total("/financial-records?min_amount=5000").await, n);
    db.close().await;
}

db_test!(
    records_are_created_listed_updated_and_deleted,
    bad_records_name_every_field_and_store_nothing,
    statistics_cover_every_bucket_and_add_up,
    amount_filters_answer_what_a_scan_answers,
);
