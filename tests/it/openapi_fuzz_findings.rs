//! What the fuzzing gate (`scripts/fuzz`) found, kept as regression tests.

use serde_json::json;

use crate::db_test;
use crate::ops_users::login;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// Concurrent writes of one account: on SQLite a deferred transaction that read before another
/// connection wrote failed at once with "database is locked" (a 500); writers now take the
/// lock at `BEGIN` and wait their turn.
async fn concurrent_profile_updates_all_succeed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = login(&app, "admin", ADMIN_PASSWORD).await;
    let calls = (0..24).map(|i| {
        let gender = ["female", "male", "other"][i % 3];
        app.put("/api/v1/users/profile")
            .bearer(&token)
            .json(&json!({ "gender": gender, "language": format!("l{i}") }))
            .send()
    });
    for resp in futures_util::future::join_all(calls).await {
        resp.ops(200, "0");
    }
    app.stop().await;
}

db_test!(concurrent_profile_updates_all_succeed);
