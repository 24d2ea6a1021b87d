//! Writes that end sessions: a new password and a disabled account. They sit apart from
//! [`super::user`] because they reach into [`super::session`], which reads users itself.

use super::{password, session, validate};
use crate::db::{self, Db, Tx};
use crate::error::{Entity, Error, Result};

/// Checks a new password against the rules and hashes it, before any transaction opens (no
/// transaction waits on argon2).
pub(in crate::domain) async fn hash_new(new_password: &str) -> Result<String> {
    validate::password("password", new_password)?;
    password::hash(new_password).await
}

/// Sets a new password and ends every session of the user except `keep_session`.
pub(in crate::domain) async fn set_password(
    db: &Db,
    id: i64,
    new_password: &str,
    keep_session: Option<i64>,
) -> Result<()> {
    let hash = hash_new(new_password).await?;
    let mut tx = db.begin().await?;
    set_password_tx(&mut tx, id, &hash, keep_session).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets an already hashed password inside the caller's transaction, voids the user's
/// outstanding reset tokens and ends every session of the user except `keep_session`.
pub(in crate::domain) async fn set_password_tx(
    tx: &mut Tx<'_>,
    id: i64,
    hash: &str,
    keep_session: Option<i64>,
) -> Result<()> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::User));
    }
    // A new password voids every reset link still out there (decisions §8): one that
    // leaked must not undo the change.
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    session::revoke_all_tx(tx, id, keep_session).await
}

/// Enables or disables an account inside the caller's transaction; disabling ends all of
/// its sessions at once.
pub(in crate::domain) async fn set_active_tx(tx: &mut Tx<'_>, id: i64, active: bool) -> Result<()> {
    let done = sqlx::query("UPDATE users SET is_active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::User));
    }
    if !active {
        session::revoke_all_tx(tx, id, None).await?;
    }
    Ok(())
}
