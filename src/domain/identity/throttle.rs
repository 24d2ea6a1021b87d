//! Login throttling: after N failed logins for one login name from one address within the
//! window, further attempts are refused for the lockout period, even with the right password.
//! Kept in the database so every node sees the same counts.

use crate::db::{self, Db};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures: i64,
    pub window_minutes: i64,
    pub lockout_minutes: i64,
}

const MINUTE: i64 = 60_000_000;

fn key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Refuses with [`Error::RateLimited`] while the (login, ip) pair is locked out.
pub async fn check(db: &Db, policy: ThrottlePolicy, login: &str, ip: &str) -> Result<()> {
    let now = db::now();
    let since = now - policy.window_minutes.max(policy.lockout_minutes) * MINUTE;
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT created_at FROM login_failures WHERE login = $1 AND ip = $2 AND created_at > $3 \
         ORDER BY created_at DESC LIMIT $4",
    )
    .bind(key(login))
    .bind(ip)
    .bind(since)
    .bind(policy.max_failures)
    .fetch_all(db.pool())
    .await?;
    // Locked when the last `max_failures` failures all fall within one window and the most
    // recent of them is younger than the lockout.
    if rows.len() as i64 >= policy.max_failures {
        let newest = rows[0];
        let oldest = rows[rows.len() - 1];
        if newest - oldest <= policy.window_minutes * MINUTE
            && now - newest < policy.lockout_minutes * MINUTE
        {
            return Err(Error::RateLimited);
        }
    }
    Ok(())
}

pub async fn record_failure(db: &Db, login: &str, ip: &str) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (login, ip, created_at) VALUES ($1, $2, $3)")
        .bind(key(login))
        .bind(ip)
        .bind(db::now())
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn clear(db: &Db, login: &str, ip: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE login = $1 AND ip = $2")
        .bind(key(login))
        .bind(ip)
        .execute(db.pool())
        .await?;
    Ok(())
}
