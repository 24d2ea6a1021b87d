//! The per-party rollups of the financial records (`financial_party_totals`,
//! `financial_party_days`, migration 45) stay equal to a recount through multi-row and
//! single-record inserts, updates (amount, type, category, date, party, farm), deletes, farm
//! deletes, a farm changing owner and a user's deletion (`on delete set null`), and the list
//! total, `summary`, page and statistics under `user_id`, which read them, answer what a scan
//! of the records answers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, path};
use crate::admin_finance::{assert_page_matches, fen};
use crate::admin_orders::{World, farm, person, run, world};
use crate::db_test;
use crate::support::Backend;

/// Rollup rows by key: (records, amount); rows at zero are left out.
type Rows = BTreeMap<String, (i64, i64)>;

async fn rows(db: &ops::db::Db, sql: &str) -> Rows {
    let got: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    got.into_iter()
        .filter(|(_, n, a)| *n != 0 || *a != 0)
        .map(|(k, n, a)| (k, (n, a)))
        .collect()
}

/// Both rollups equal their recount from the records.
async fn assert_rollups_match(db: &ops::db::Db, when: &str) {
    let key_totals = "CAST(user_id AS TEXT) || '/' || record_type || '/' || category";
    let key_days = "CAST(user_id AS TEXT) || '/' || day || '/' || record_type || '/' || category";
    let key_records =
        "CAST(user_id AS TEXT) || '/' || record_date || '/' || record_type || '/' || category";
    let sums = "CAST(SUM(records) AS BIGINT), CAST(SUM(amount) AS BIGINT)";
    let counted = "CAST(COUNT(*) AS BIGINT), CAST(SUM(amount) AS BIGINT)";
    for (what, kept, recount) in [
        (
            "totals",
            format!("SELECT {key_totals}, {sums} FROM financial_party_totals GROUP BY 1"),
            format!(
                "SELECT {key_totals}, {counted} FROM financial_records WHERE user_id IS NOT NULL \
                 GROUP BY user_id, record_type, category"
            ),
        ),
        (
            "days",
            format!("SELECT {key_days}, {sums} FROM financial_party_days GROUP BY 1"),
            format!(
                "SELECT {key_records}, {counted} FROM financial_records WHERE user_id IS NOT NULL \
                 GROUP BY user_id, record_date, record_type, category"
            ),
        ),
    ] {
        let (kept, recount) = (rows(db, &kept).await, rows(db, &recount).await);
        assert!(!recount.is_empty(), "{when}: no records");
        assert_eq!(kept, recount, "{when}: party {what}");
    }
}

/// (query, the same conditions on `financial_records` besides `user_id`).
const FILTERS: [(&str, &str); 5] = [
    ("", "1 = 1"),
    ("&record_type=income", "record_type = 'income'"),
    ("&category=feed", "category = 'feed'"),
    (
        "&start_date=2024-03-01&end_date=2024-06-30",
        "record_date >= '2024-03-01' AND record_date <= '2024-06-30'",
    ),
    (
        "&record_type=expense&start_date=2024-05-01",
        "record_type = 'expense' AND record_date >= '2024-05-01'",
    ),
];

/// Σ amount per key of `select` (key, amount) over one party's records in 2024.
async fn sums(db: &ops::db::Db, select: &str, user: i64) -> BTreeMap<String, i64> {
    let got: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {select}, CAST(SUM(amount) AS BIGINT) FROM financial_records \
         WHERE user_id = {user} AND record_date >= '2024-01-01' AND record_date <= '2024-12-31' \
         GROUP BY 1"
    )))
    .fetch_all(db.pool())
    .await
    .unwrap();
    got.into_iter().collect()
}

/// The list (total, summary, first and second page) and the statistics of 2024 by month
/// under `user_id` answer what the records answer, for each user.
async fn assert_lists_match(w: &World, db: &ops::db::Db, users: &[i64], when: &str) {
    for &user in users {
        for (q, cond) in FILTERS {
            for page in [1, 2] {
                let cond = format!("user_id = {user} AND {cond}");
                let got = w
                    .get(&format!("/financial-records?user_id={user}{q}&page={page}"))
                    .await;
                let what = format!("{when}: user {user}{q} page {page}");
                assert_page_matches(db, &got, &cond, page, &what).await;
            }
        }
        let s = w
            .get(&format!(
                "/financial-records/statistics?start_date=2024-01-01&end_date=2024-12-31\
                 &group_by=month&user_id={user}"
            ))
            .await;
        let what = format!("{when}: statistics of user {user}");
        let by_type = sums(db, "record_type", user).await;
        let of = |m: &BTreeMap<String, i64>, k: &str| m.get(k).copied().unwrap_or(0);
        assert_eq!(
            fen(&s["summary"]["total_income"]),
            of(&by_type, "income"),
            "{what}"
        );
        assert_eq!(
            fen(&s["summary"]["total_expense"]),
            of(&by_type, "expense"),
            "{what}"
        );
        let by_category = sums(db, "record_type || '/' || category", user).await;
        let mut got_categories = BTreeMap::new();
        for (kind, list) in [
            ("income", &s["income_by_category"]),
            ("expense", &s["expense_by_category"]),
        ] {
            for c in list.as_array().unwrap() {
                let key = format!("{kind}/{}", c["category"].as_str().unwrap());
                got_categories.insert(key, fen(&c["amount"]));
            }
        }
        assert_eq!(got_categories, by_category, "{what}");
        let by_month = sums(db, "SUBSTR(record_date, 1, 7) || '/' || record_type", user).await;
        let trend = s["trend_data"].as_array().unwrap();
        assert_eq!(trend.len(), 12, "{what}");
        for t in trend {
            let month = t["date"].as_str().unwrap();
            for kind in ["income", "expense"] {
                assert_eq!(
                    fen(&t[kind]),
                    of(&by_month, &format!("{month}/{kind}")),
                    "{what}: {month} {kind}"
                );
            }
        }
    }
}

async fn party_rollups_equal_a_recount_and_answer_the_user_list(b: Backend) {
    let w = world(b).await;
    let db = w.app.db().await;
    let third = person(&w.app, &w.token, "party003", "王五", "13700137000").await;
    let third_farm = farm(&w.app, third, "王五牧场").await;
    let users = [w.buyer, w.seller, third];
    // One statement of many rows: three parties and none, two farms and none, twelve months,
    // both types, four categories; the third user also created some (two foreign keys to
    // users, both `on delete set null`).
    let inserted = run(
        &db,
        &format!(
            "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < 1200) \
             INSERT INTO financial_records (record_type, category, amount, record_date, user_id, \
             farm_id, created_by, created_at, updated_at) \
             SELECT CASE WHEN x % 3 = 0 THEN 'income' ELSE 'expense' END, \
             CASE x % 4 WHEN 0 THEN 'feed' WHEN 1 THEN 'sale' WHEN 2 THEN 'medicine' ELSE 'other' END, \
             (x * 7919) % 100003, \
             '2024-' || CASE WHEN x % 12 < 9 THEN '0' ELSE '' END || CAST(x % 12 + 1 AS TEXT) \
             || '-1' || CAST(x % 10 AS TEXT), \
             CASE x % 7 WHEN 0 THEN NULL WHEN 1 THEN {buyer} WHEN 2 THEN {seller} WHEN 3 THEN {seller} \
             ELSE {third} END, \
             CASE x % 3 WHEN 0 THEN {farm} WHEN 1 THEN {third_farm} ELSE NULL END, \
             CASE WHEN x % 5 = 0 THEN {third} END, 0, 0 FROM c",
            buyer = w.buyer,
            seller = w.seller,
            farm = w.farm,
        ),
    )
    .await;
    assert_eq!(inserted, 1200);
    // And single records through the API (the store's own transaction).
    let mut made = Vec::new();
    for (kind, cat, amount, date, user) in [
        ("income", "sale", "1234.56", "2024-02-03", w.seller),
        ("expense", "feed", "99.99", "2024-05-06", third),
        ("income", "other", "10.00", "2024-12-31", w.buyer),
    ] {
        let r = w
            .app
            .post(&path("/financial-records"))
            .bearer(&w.token)
            .json(
                &json!({"record_type": kind, "category": cat, "amount": amount,
                "record_date": date, "user_id": user, "farm_id": w.farm}),
            )
            .send()
            .await;
        made.push(r.admin(201, 201)["id"].as_i64().unwrap());
    }
    assert_rollups_match(&db, "after the inserts").await;
    assert_lists_match(&w, &db, &users, "after the inserts").await;
    let seller_total = w
        .total(&format!("/financial-records?user_id={}", w.seller))
        .await;
    assert!(seller_total > 300, "{seller_total}");

    // Multi-row updates of every kept column, a party move, the farm, and a column kept by
    // no rollup.
    for sql in [
        "UPDATE financial_records SET amount = amount + 777 WHERE CAST(id AS BIGINT) % 3 = 0",
        "UPDATE financial_records SET record_type = CASE WHEN record_type = 'income' \
         THEN 'expense' ELSE 'income' END WHERE CAST(id AS BIGINT) % 5 = 0",
        "UPDATE financial_records SET category = 'labor' WHERE CAST(id AS BIGINT) % 7 = 0",
        "UPDATE financial_records SET record_date = '2024-07-04' WHERE CAST(id AS BIGINT) % 11 = 0",
        "UPDATE financial_records SET notes = 'n'",
    ] {
        assert!(run(&db, sql).await > 0, "{sql}");
    }
    run(
        &db,
        &format!(
            "UPDATE financial_records SET user_id = {} WHERE CAST(id AS BIGINT) % 13 = 0",
            w.buyer
        ),
    )
    .await;
    run(
        &db,
        &format!(
            "UPDATE financial_records SET user_id = NULL, farm_id = {} WHERE CAST(id AS BIGINT) % 17 = 0",
            w.farm
        ),
    )
    .await;
    run(
        &db,
        &format!(
            "UPDATE financial_records SET user_id = {} WHERE user_id IS NULL AND CAST(id AS BIGINT) % 2 = 0",
            w.seller
        ),
    )
    .await;
    // One record through the API: amount, type, date and party at once.
    w.app
        .put(&path(&format!("/financial-records/{}", made[0])))
        .bearer(&w.token)
        .json(
            &json!({"record_type": "expense", "amount": "4321.00", "record_date": "2024-08-09",
            "user_id": third}),
        )
        .send()
        .await
        .admin(200, 200);
    assert_rollups_match(&db, "after the updates").await;
    assert_lists_match(&w, &db, &users, "after the updates").await;

    // Deletes: many rows, and one through the API.
    assert!(
        run(
            &db,
            "DELETE FROM financial_records WHERE CAST(id AS BIGINT) % 9 = 0"
        )
        .await
            > 100
    );
    w.app
        .delete(&path(&format!("/financial-records/{}", made[1])))
        .bearer(&w.token)
        .send()
        .await
        .admin(200, 200);
    assert_rollups_match(&db, "after the deletes").await;
    assert_lists_match(&w, &db, &users, "after the deletes").await;

    // A farm changing owner and a farm deleted: the party is the record's own `user_id`,
    // so neither moves a record, and the lists still answer what the records answer.
    let before: Vec<Value> = {
        let mut v = Vec::new();
        for u in users {
            v.push(w.get(&format!("/financial-records?user_id={u}")).await["summary"].clone());
        }
        v
    };
    let moved = format!(
        "UPDATE farms SET user_id = {} WHERE id = {}",
        w.buyer, w.farm
    );
    assert_eq!(run(&db, &moved).await, 1);
    let gone = format!("DELETE FROM farms WHERE id = {third_farm}");
    assert_eq!(run(&db, &gone).await, 1);
    assert_rollups_match(&db, "after the farm changes").await;
    assert_lists_match(&w, &db, &users, "after the farm changes").await;
    for (u, summary) in users.iter().zip(before) {
        assert_eq!(
            w.get(&format!("/financial-records?user_id={u}")).await["summary"],
            summary,
            "user {u}: a farm write moved no record"
        );
    }

    // The third user deleted: `on delete set null` takes their records out of their party
    // (and, on PostgreSQL, updates some records twice in one statement: user and creator).
    assert!(
        w.total(&format!("/financial-records?user_id={third}"))
            .await
            > 100
    );
    run(&db, &format!("DELETE FROM users WHERE id = {third}")).await;
    assert_rollups_match(&db, "after the user's deletion").await;
    assert_lists_match(&w, &db, &users[..2], "after the user's deletion").await;
    let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(records), 0) AS BIGINT) FROM financial_party_days \
         WHERE user_id = {third}"
    )))
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(left, 0);
    db.close().await;
}

db_test!(party_rollups_equal_a_recount_and_answer_the_user_list);
