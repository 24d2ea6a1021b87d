//! Rotating refresh tokens over the shared session store (`admin_v1`).
//!
//! A login's session lives as long as its refresh token. Each refresh spends the presented
//! token, issues a new one and extends the session; a spent token presented again is a replay
//! (someone holds a copy), so the whole session is revoked and both holders must log in again.

use super::password::{random_token, token_hash};
use super::session::{self, Principal};
use crate::db::{self, Db};
use crate::error::{Error, Result};

/// Issues a refresh token for `session_id`, valid `ttl_micros`.
pub async fn issue(db: &Db, session_id: i64, ttl_micros: i64) -> Result<String> {
    let token = random_token();
    let now = db::now();
    sqlx::query(
        "INSERT INTO admin_refresh_tokens (session_id, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(session_id)
    .bind(token_hash(&token))
    .bind(now)
    .bind(now.saturating_add(ttl_micros))
    .execute(db.write_pool())
    .await?;
    Ok(token)
}

/// Spends `token` and answers the session's principal with a new refresh token; the session
/// is extended to `ttl_micros` from now.
///
/// Errors: [`Error::Unauthenticated`] for an unknown, expired or spent token, or a session
/// that has ended (revoked, expired, user disabled). A spent token also revokes its session.
pub async fn rotate(db: &Db, token: &str, ttl_micros: i64) -> Result<(Principal, String)> {
    if token.is_empty() || token.len() > 512 {
        return Err(Error::Unauthenticated);
    }
    let now = db::now();
    let row: Option<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, session_id, expires_at, used_at FROM admin_refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?;
    let Some((id, session_id, expires_at, used_at)) = row else {
        return Err(Error::Unauthenticated);
    };
    if used_at.is_some() {
        session::revoke(db, session_id).await?;
        return Err(Error::Unauthenticated);
    }
    if expires_at <= now {
        return Err(Error::Unauthenticated);
    }
    // Only one of two concurrent uses can spend the token; the other is a replay.
    let spent = sqlx::query(
        "UPDATE admin_refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(db.write_pool())
    .await?;
    if spent.rows_affected() == 0 {
        session::revoke(db, session_id).await?;
        return Err(Error::Unauthenticated);
    }
    let principal = session::authenticate_id(db, session_id).await?;
    let expires = now.saturating_add(ttl_micros);
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(expires)
        .bind(session_id)
        .execute(db.write_pool())
        .await?;
    let fresh = issue(db, session_id, ttl_micros).await?;
    let mut principal = principal;
    principal.session.expires_at = expires;
    Ok((principal, fresh))
}
