//! Login throttling: after N failed logins for one account from one address within the
//! window, further attempts are refused for the lockout period, even with the right password.
//! Failures count per account whatever identifier named it (login name, email, hanzi id, in
//! any case; decisions §8), so switching identifiers buys no extra guesses. Kept in the
//! database so every node sees the same counts.

use crate::db::{self, Db};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures: i64,
    pub window_minutes: i64,
    pub lockout_minutes: i64,
}

const MINUTE: i64 = 60_000_000;

/// What failures are counted against: an account, or (for a name that names nobody) the
/// typed text, folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// Login names hold no white space, so this can never equal a typed name's key.
    pub fn account(user_id: i64) -> Self {
        Key(format!("account {user_id}"))
    }

    pub fn typed(login: &str) -> Self {
        Key(login.trim().to_lowercase())
    }
}

/// The throttle key for whatever `login` names: the account whose login name (in any case)
/// or email it is, else the typed text.
pub async fn key_for(db: &Db, login: &str) -> Result<Key> {
    let login = login.trim();
    if login.is_empty() || login.contains('\0') {
        return Ok(Key::typed(login));
    }
    // An exact login name first: two accounts may differ only in case.
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($1) \
         ORDER BY CASE WHEN username = $1 THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .bind(login)
    .fetch_optional(db.pool())
    .await?;
    Ok(id.map_or_else(|| Key::typed(login), Key::account))
}

/// Refuses with [`Error::RateLimited`] while the (key, ip) pair is locked out.
pub async fn check(db: &Db, policy: ThrottlePolicy, key: &Key, ip: &str) -> Result<()> {
    let now = db::now();
    let since = now - policy.window_minutes.max(policy.lockout_minutes) * MINUTE;
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT created_at FROM login_failures WHERE login = $1 AND ip = $2 AND created_at > $3 \
         ORDER BY created_at DESC LIMIT $4",
    )
    .bind(key.0.clone())
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
            metrics::counter!("ops_login_lockouts_total").increment(1);
            return Err(Error::RateLimited);
        }
    }
    Ok(())
}

pub async fn record_failure(db: &Db, key: &Key, ip: &str) -> Result<()> {
    metrics::counter!("ops_login_failures_total").increment(1);
    sqlx::query("INSERT INTO login_failures (login, ip, created_at) VALUES ($1, $2, $3)")
        .bind(key.0.clone())
        .bind(ip)
        .bind(db::now())
        .execute(db.write_pool())
        .await?;
    Ok(())
}

pub async fn clear(db: &Db, key: &Key, ip: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE login = $1 AND ip = $2")
        .bind(key.0.clone())
        .bind(ip)
        .execute(db.write_pool())
        .await?;
    Ok(())
}
