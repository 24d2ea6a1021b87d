//! Role membership.

use crate::db::{Db, Sql, Tx};
use crate::error::{Error, Result};

/// Codes of the user's enabled roles (a disabled role grants nothing).
pub async fn codes_of(db: &Db, user_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.user_id = $1 AND r.status = 1 ORDER BY r.id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Adds the roles with these codes to the user (inside the caller's transaction).
/// An unknown code is an invalid `roles` field.
pub async fn grant_codes(tx: &mut Tx<'_>, user_id: i64, codes: &[String]) -> Result<()> {
    if codes.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT id FROM roles WHERE code IN (");
    sql.bind_list(codes.iter().map(String::as_str)).push(")");
    let ids: Vec<i64> = sql.query_scalar().fetch_all(&mut **tx).await?;
    let mut unique = codes.to_vec();
    unique.sort();
    unique.dedup();
    if ids.len() != unique.len() {
        return Err(Error::invalid("roles", "角色不存在"));
    }
    for id in ids {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Removes the roles with these codes from the user.
pub async fn revoke_codes(tx: &mut Tx<'_>, user_id: i64, codes: &[String]) -> Result<()> {
    if codes.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM user_roles WHERE user_id = ");
    sql.bind(user_id)
        .push(" AND role_id IN (SELECT id FROM roles WHERE code IN (");
    sql.bind_list(codes.iter().map(String::as_str)).push("))");
    sql.query().execute(&mut **tx).await?;
    Ok(())
}
