//! Password reset by emailed token: single use, short-lived, stored only as a hash.

use super::credentials;
use super::password::{self, random_token, token_hash};
use super::{user, validate};
use crate::db::{self, Db};
use crate::error::{Error, Problem, Result, Rule};

/// Reset mails one account may receive per hour.
pub const MAILS_PER_HOUR: i64 = 3;
const HOUR: i64 = 3_600_000_000;

/// Issues a reset token for the active account with this email. `None` when there is no
/// such account, or when the account already had [`MAILS_PER_HOUR`] tokens this hour:
/// callers answer the same either way (no account enumeration).
pub async fn request(
    db: &Db,
    email: &str,
    ttl_minutes: i64,
) -> Result<Option<(user::User, String)>> {
    let Some(user) = user::find_by_email(db, email).await? else {
        return Ok(None);
    };
    if !user.is_active {
        return Ok(None);
    }
    let now = db::now();
    // At most this many mails per account per hour (decisions §8): the answer stays the
    // same, so the limit reveals nothing, and nobody can flood a mailbox through us.
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2",
    )
    .bind(user.id)
    .bind(now - HOUR)
    .fetch_one(db.pool())
    .await?;
    if recent >= MAILS_PER_HOUR {
        tracing::info!(
            user_id = user.id,
            "password reset mail limit reached; none sent"
        );
        return Ok(None);
    }
    let token = random_token();
    sqlx::query("INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(user.id)
        .bind(token_hash(&token))
        .bind(now)
        .bind(now + ttl_minutes * 60_000_000)
        .execute(db.pool())
        .await?;
    Ok(Some((user, token)))
}

/// Uses a reset token: sets the new password, spends the token and ends every session of
/// the user, all in one transaction. An unknown, used or expired token is an invalid `token`.
pub async fn complete(db: &Db, token: &str, new_password: &str) -> Result<i64> {
    validate::password("new_password", new_password)?;
    let hash = password::hash(new_password).await?;
    let now = db::now();
    let mut tx = db.begin().await?;
    // Spending the token first, conditionally, makes a concurrent second use find nothing.
    let user_id: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(Error::invalid(
            "token",
            Problem::Rule(Rule::ResetTokenInvalid),
        ));
    };
    credentials::set_password_tx(&mut tx, user_id, &hash, None).await?;
    tx.commit().await?;
    Ok(user_id)
}
