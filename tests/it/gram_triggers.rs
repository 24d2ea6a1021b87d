//! On PostgreSQL the gram triggers (farms and animals, trade orders) run one small
//! `INSERT … SELECT` per row written. Planned without statistics for `search_gram_widths`, it
//! was estimated over `jit_above_cost` and compiled by the JIT for every row (about 6 ms an
//! animal); migration `…46` gives the table its statistics and the functions `jit = off`.
//! SQLite has no JIT: nothing to check there.

use crate::support::{Backend, TestApp};

const FUNCTIONS: [&str; 3] = [
    "farm_grams_write",
    "animal_grams_write",
    "trade_order_grams_write",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_gram_triggers_run_without_the_jit() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let db = app.db().await;
    for f in FUNCTIONS {
        let config: Option<String> = sqlx::query_scalar(
            "SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE oid = $1::text::regproc",
        )
        .bind(f)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(config.as_deref(), Some("jit=off"), "{f}");
    }
    // The planner knows the table's size (never analysed, it assumes thousands of rows).
    let rows: i64 = sqlx::query_scalar(
        "SELECT reltuples::bigint FROM pg_class WHERE oid = 'search_gram_widths'::regclass",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(rows, 3);
    // And the trigger's statement is planned far below the JIT's threshold.
    let plan: String = sqlx::query_scalar(
        "EXPLAIN SELECT substr(t.s, p.n, w.width) \
         FROM (VALUES (lower('PIG0001')), (lower('一号猪'))) t (s) \
         CROSS JOIN LATERAL generate_series(1, length(t.s) - 1) p (n) \
         JOIN search_gram_widths w ON p.n <= length(t.s) + 1 - w.shortest",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let cost: f64 = plan
        .split("..")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no cost in {plan}"));
    assert!(cost < 1_000.0, "{plan}");
    app.stop().await;
}
