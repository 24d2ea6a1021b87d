//! The kept counters (statistics buckets and totals, users per role and per region, the
//! livestock list counts) stay equal to a recount from the base tables when one statement
//! writes many rows: multi-row INSERT … SELECT, multi-row UPDATE and multi-row DELETE
//! (with its cascades), and the hourly sums equal the sums of their buckets. On PostgreSQL
//! the counters are kept by statement-level triggers that sum each statement's rows
//! (migration 62); on SQLite by row triggers.

use std::collections::BTreeMap;

use crate::db_test;
use crate::support::{Backend, TestApp};

/// A key of a counter row and its (items, amount).
type Counts = BTreeMap<String, (i64, i64)>;

const BUCKET: i64 = 900_000_000;
const BASE: i64 = 1_700_000_000_000_000;

async fn exec(db: &ops::db::Db, sql: &str) -> u64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

/// Rows of (key, items, amount); zero rows are left out (a counter at 0 is no row).
async fn rows(db: &ops::db::Db, sql: &str) -> Counts {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .filter(|(_, n, a)| *n != 0 || *a != 0)
        .map(|(k, n, a)| (k, (n, a)))
        .collect()
}

/// Per-bucket statistics as kept, and as recounted.
async fn buckets(db: &ops::db::Db) -> (Counts, Counts) {
    let kept = rows(
        db,
        "SELECT metric || '/' || CAST(bucket AS TEXT), items, amount FROM stat_buckets",
    )
    .await;
    let b = |col: &str| format!("{col} / {BUCKET}");
    let recount = rows(
        db,
        &format!(
            "SELECT 'users/' || CAST({u} AS TEXT), COUNT(*), CAST(0 AS BIGINT) FROM users GROUP BY {u} \
             UNION ALL SELECT 'logins/' || CAST({l} AS TEXT), COUNT(*), CAST(0 AS BIGINT) FROM users \
               WHERE last_login_at IS NOT NULL GROUP BY {l} \
             UNION ALL SELECT 'farms/' || CAST({c} AS TEXT), COUNT(*), CAST(0 AS BIGINT) FROM farms GROUP BY {c} \
             UNION ALL SELECT 'animals/' || CAST({c} AS TEXT), COUNT(*), CAST(0 AS BIGINT) FROM animals GROUP BY {c} \
             UNION ALL SELECT 'orders/' || CAST({c} AS TEXT), COUNT(*), CAST(SUM(actual_amount) AS BIGINT) \
               FROM trade_orders GROUP BY {c} \
             UNION ALL SELECT 'revenue/' || CAST({c} AS TEXT), COUNT(*), CAST(SUM(actual_amount) AS BIGINT) \
               FROM trade_orders WHERE payment_status = 'paid' GROUP BY {c}",
            u = b("created_at"),
            l = b("last_login_at"),
            c = b("created_at"),
        ),
    )
    .await;
    (kept, recount)
}

/// The hourly sums, as kept and as summed from the buckets.
async fn hours(db: &ops::db::Db) -> (Counts, Counts) {
    let kept = rows(
        db,
        "SELECT metric || '/' || CAST(hour AS TEXT), items, amount FROM stat_hours",
    )
    .await;
    let summed = rows(
        db,
        "SELECT metric || '/' || CAST(bucket / 4 AS TEXT), CAST(SUM(items) AS BIGINT), \
         CAST(SUM(amount) AS BIGINT) FROM stat_buckets GROUP BY metric, bucket / 4",
    )
    .await;
    (kept, summed)
}

/// All-time totals, users per role and per region, as kept and as recounted.
async fn totals(db: &ops::db::Db) -> (Counts, Counts) {
    let kept = rows(
        db,
        "SELECT 'total/' || metric, items, amount FROM stat_totals \
         UNION ALL SELECT 'role/' || CAST(role_id AS TEXT), users, CAST(0 AS BIGINT) FROM stat_role_users \
         UNION ALL SELECT 'province/' || province, users, CAST(0 AS BIGINT) FROM stat_province_users \
         UNION ALL SELECT 'region/' || CAST(user_id AS TEXT) || '/' || province, 1, CAST(0 AS BIGINT) \
           FROM stat_user_province",
    )
    .await;
    let oldest = "SELECT f.user_id, f.province FROM farms f \
                  WHERE f.id = (SELECT MIN(g.id) FROM farms g WHERE g.user_id = f.user_id)";
    let recount = rows(
        db,
        &format!(
            "SELECT 'total/users', COUNT(*), CAST(0 AS BIGINT) FROM users \
             UNION ALL SELECT 'total/logins', COUNT(*), CAST(0 AS BIGINT) FROM users WHERE last_login_at IS NOT NULL \
             UNION ALL SELECT 'total/farms', COUNT(*), CAST(0 AS BIGINT) FROM farms \
             UNION ALL SELECT 'total/animals', COUNT(*), CAST(0 AS BIGINT) FROM animals \
             UNION ALL SELECT 'total/orders', COUNT(*), CAST(COALESCE(SUM(actual_amount), 0) AS BIGINT) FROM trade_orders \
             UNION ALL SELECT 'total/revenue', COUNT(*), CAST(COALESCE(SUM(actual_amount), 0) AS BIGINT) \
               FROM trade_orders WHERE payment_status = 'paid' \
             UNION ALL SELECT 'role/' || CAST(role_id AS TEXT), COUNT(*), CAST(0 AS BIGINT) FROM user_roles GROUP BY role_id \
             UNION ALL SELECT 'province/' || province, COUNT(*), CAST(0 AS BIGINT) FROM ({oldest}) o GROUP BY province \
             UNION ALL SELECT 'region/' || CAST(user_id AS TEXT) || '/' || province, 1, CAST(0 AS BIGINT) FROM ({oldest}) o"
        ),
    )
    .await;
    (kept, recount)
}

/// The livestock list counts, as kept and as recounted.
async fn list_counts(db: &ops::db::Db) -> (Counts, Counts) {
    let kept = rows(
        db,
        "SELECT subject || '/' || dimension || '/' || value, n, CAST(0 AS BIGINT) FROM livestock_counts",
    )
    .await;
    let mut parts = vec![
        "SELECT 'animals//', COUNT(*), CAST(0 AS BIGINT) FROM animals".to_owned(),
        "SELECT 'farms//', COUNT(*), CAST(0 AS BIGINT) FROM farms".to_owned(),
    ];
    for (table, cols) in [
        (
            "animals",
            &[
                "farm_id",
                "category_id",
                "breed",
                "gender",
                "health_status",
                "status",
            ][..],
        ),
        (
            "farms",
            &["type", "status", "province", "city", "user_id"][..],
        ),
    ] {
        for c in cols {
            parts.push(format!(
                "SELECT '{table}/{c}/' || CAST({c} AS TEXT), COUNT(*), CAST(0 AS BIGINT) \
                 FROM {table} GROUP BY {c}"
            ));
        }
    }
    let recount = rows(db, &parts.join(" UNION ALL ")).await;
    (kept, recount)
}

/// Every kept counter equals its recount; `when` names the step for the message.
async fn assert_counters_match(db: &ops::db::Db, when: &str) {
    for (what, (kept, recount)) in [
        ("buckets", buckets(db).await),
        ("hours", hours(db).await),
        ("totals", totals(db).await),
        ("list counts", list_counts(db).await),
    ] {
        let diff: Vec<_> = kept
            .iter()
            .filter(|(k, v)| recount.get(*k) != Some(v))
            .map(|(k, v)| format!("{k}: kept {v:?}, recount {:?}", recount.get(k)))
            .chain(
                recount
                    .iter()
                    .filter(|(k, _)| !kept.contains_key(*k))
                    .map(|(k, v)| format!("{k}: kept none, recount {v:?}")),
            )
            .take(10)
            .collect();
        assert!(diff.is_empty(), "{when}: {what} differ: {diff:#?}");
    }
}

/// `n` rows from one recursive CTE (both engines), x = 1..=n.
fn series(n: i64) -> String {
    format!(
        "WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
    )
}

async fn count(db: &ops::db::Db, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn multi_row_statements_keep_every_counter_equal_to_a_recount(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let db = app.db().await;
    // Many rows per bucket and many buckets: one user a minute for 2,000 minutes.
    let users = exec(
        &db,
        &format!(
            "{}INSERT INTO users (username, password_hash, created_at, updated_at, last_login_at) \
             SELECT 'bulk' || CAST(x AS TEXT), 'x', {BASE} + x * 60000000, {BASE}, \
             CASE WHEN x % 3 = 0 THEN {BASE} + x * 120000000 END FROM c",
            series(2000)
        ),
    )
    .await;
    assert_eq!(users, 2000);
    exec(
        &db,
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
         WHERE u.username LIKE 'bulk%' AND CAST(u.id AS BIGINT) % 4 = 0 AND r.code IN ('user', 'admin')",
    )
    .await;
    exec(
        &db,
        "INSERT INTO animal_categories (name, code, created_at, updated_at) \
         VALUES ('牛', 'bulk-cattle', 0, 0), ('羊', 'bulk-sheep', 0, 0)",
    )
    .await;
    // Farms for one user in five, two farms for one in ten (different provinces).
    let farms = exec(
        &db,
        &format!(
            "INSERT INTO farms (user_id, name, code, type, province, city, status, created_at, updated_at) \
             SELECT u.id, u.username || '-' || CAST(k.x AS TEXT), u.username || '-' || CAST(k.x AS TEXT), \
             CASE WHEN k.x = 1 THEN 'cattle' ELSE 'sheep' END, \
             CASE WHEN CAST(u.id AS BIGINT) % 3 = 0 THEN '北京市' WHEN k.x = 2 THEN '上海市' ELSE '广东省' END, \
             'c' || CAST(CAST(u.id AS BIGINT) % 7 AS TEXT), k.x, u.created_at + k.x * 1000000, {BASE} \
             FROM users u, ({}SELECT x FROM c) k \
             WHERE u.username LIKE 'bulk%' AND CAST(u.id AS BIGINT) % 5 = 0 \
             AND (k.x = 1 OR CAST(u.id AS BIGINT) % 10 = 0)",
            series(2)
        ),
    )
    .await;
    assert!(farms > 500, "{farms} farms");
    let animals = exec(
        &db,
        &format!(
            "INSERT INTO animals (farm_id, category_id, code, breed, gender, health_status, status, \
             created_at, updated_at) \
             SELECT f.id, (SELECT MIN(id) FROM animal_categories) + k.x % 2, f.code || '-a' || CAST(k.x AS TEXT), \
             'b' || CAST(k.x % 3 AS TEXT), k.x % 3, CASE WHEN k.x % 2 = 0 THEN 'healthy' ELSE 'sick' END, \
             1, f.created_at + k.x * 100000000, {BASE} FROM farms f, ({}SELECT x FROM c) k",
            series(4)
        ),
    )
    .await;
    assert_eq!(animals, farms * 4);
    exec(
        &db,
        &format!(
            "{}INSERT INTO trade_orders (order_no, order_type, total_amount, actual_amount, payment_status, \
             created_at, updated_at) \
             SELECT 'BULK' || CAST(x AS TEXT), 'animal', x * 100, x * 100 - x % 7, \
             CASE WHEN x % 2 = 0 THEN 'paid' ELSE 'unpaid' END, {BASE} + x * 30000000, {BASE} FROM c",
            series(1500)
        ),
    )
    .await;
    assert_counters_match(&db, "after the inserts").await;
    assert_eq!(
        count(&db, "SELECT items FROM stat_totals WHERE metric = 'users'").await,
        count(&db, "SELECT COUNT(*) FROM users").await
    );
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM stat_buckets WHERE metric = 'users'"
        )
        .await
            > 100
    );

    // Multi-row updates: logins (set, moved, cleared), payments, amounts and dates, the
    // counted columns of farms (owner, province, status) and animals.
    let moved = exec(
        &db,
        &format!(
            "UPDATE users SET last_login_at = {BASE} + CAST(id AS BIGINT) * 777777777 \
             WHERE CAST(id AS BIGINT) % 2 = 0"
        ),
    )
    .await;
    assert!(moved > 900);
    exec(
        &db,
        "UPDATE users SET last_login_at = NULL WHERE CAST(id AS BIGINT) % 6 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE users SET display_name = 'renamed' WHERE CAST(id AS BIGINT) % 10 = 1",
    )
    .await;
    exec(
        &db,
        "UPDATE trade_orders SET payment_status = 'paid' WHERE CAST(id AS BIGINT) % 5 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE trade_orders SET actual_amount = actual_amount + 3, created_at = created_at + 3600000000 \
         WHERE CAST(id AS BIGINT) % 7 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE farms SET province = '四川省' WHERE CAST(id AS BIGINT) % 3 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE farms SET user_id = (SELECT MIN(id) FROM users WHERE username LIKE 'bulk%'), status = 2 \
         WHERE CAST(id AS BIGINT) % 11 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE animals SET status = 2, health_status = 'dead', breed = 'x' WHERE CAST(id AS BIGINT) % 3 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE animals SET farm_id = (SELECT MIN(id) FROM farms) WHERE CAST(id AS BIGINT) % 13 = 0",
    )
    .await;
    assert_counters_match(&db, "after the updates").await;

    // Multi-row deletes, some cascading (users → farms → animals, roles).
    exec(
        &db,
        "DELETE FROM trade_orders WHERE CAST(id AS BIGINT) % 4 = 0",
    )
    .await;
    exec(&db, "DELETE FROM animals WHERE CAST(id AS BIGINT) % 5 = 0").await;
    exec(&db, "DELETE FROM farms WHERE CAST(id AS BIGINT) % 9 = 0").await;
    exec(
        &db,
        "DELETE FROM user_roles WHERE CAST(user_id AS BIGINT) % 3 = 0",
    )
    .await;
    let gone = exec(
        &db,
        "DELETE FROM users WHERE username LIKE 'bulk%' AND CAST(id AS BIGINT) % 8 = 0",
    )
    .await;
    assert!(gone > 200);
    assert_counters_match(&db, "after the deletes").await;
    assert!(count(&db, "SELECT COUNT(*) FROM stat_user_province").await > 100);
}

db_test!(multi_row_statements_keep_every_counter_equal_to_a_recount);

/// An UPDATE that changes ids together with counted columns (logins; payments, amounts and
/// dates of orders) keeps every counter equal to a recount. Migration 62's PostgreSQL UPDATE
/// triggers paired old and new rows by id, so these rows counted neither out nor in; 63 takes
/// every old row out and puts every new one in. (Farm and animal ids are held by their search
/// rows' foreign keys, so they cannot change.)
async fn updates_that_change_ids_keep_every_counter_equal_to_a_recount(bk: Backend) {
    let app = TestApp::spawn(bk).await;
    let db = app.db().await;
    exec(
        &db,
        &format!(
            "{}INSERT INTO users (username, password_hash, created_at, updated_at, last_login_at) \
             SELECT 'idc' || CAST(x AS TEXT), 'x', {BASE} + x * 60000000, {BASE}, \
             CASE WHEN x % 3 <> 0 THEN {BASE} + x * 120000000 END FROM c",
            series(300)
        ),
    )
    .await;
    exec(
        &db,
        &format!(
            "{}INSERT INTO trade_orders (order_no, order_type, total_amount, actual_amount, payment_status, \
             created_at, updated_at) \
             SELECT 'IDC' || CAST(x AS TEXT), 'animal', x * 100, x * 100 - x % 7, \
             CASE WHEN x % 2 = 0 THEN 'paid' ELSE 'unpaid' END, {BASE} + x * 30000000, {BASE} FROM c",
            series(300)
        ),
    )
    .await;
    assert_counters_match(&db, "after the inserts").await;

    let users = exec(
        &db,
        &format!(
            "UPDATE users SET id = id + 1000000, \
             last_login_at = CASE WHEN last_login_at IS NULL THEN {login} END \
             WHERE username LIKE 'idc%' AND CAST(id AS BIGINT) % 2 = 0",
            login = BASE + 7 * BUCKET
        ),
    )
    .await;
    assert!(users > 100, "{users} users");
    let orders = exec(
        &db,
        "UPDATE trade_orders SET id = id + 1000000, \
         payment_status = CASE WHEN payment_status = 'paid' THEN 'unpaid' ELSE 'paid' END, \
         actual_amount = actual_amount + 5, created_at = created_at + 3600000000 \
         WHERE order_no LIKE 'IDC%' AND CAST(id AS BIGINT) % 3 = 0",
    )
    .await;
    assert!(orders > 80, "{orders} orders");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM users WHERE CAST(id AS BIGINT) > 1000000"
        )
        .await,
        users as i64
    );
    assert_counters_match(&db, "after the id changes").await;
}

db_test!(updates_that_change_ids_keep_every_counter_equal_to_a_recount);
