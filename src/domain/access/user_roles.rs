//! Who holds which role: the `user_roles` links, read and written as they are. Nothing here
//! decides whether an actor may change them; the changes made on someone's behalf go
//! through [`crate::domain::accounts`] (its `memberships`), which calls these after its
//! decision.

use std::collections::HashMap;

use sqlx::Row;

use crate::db::{self, Db, Sql, Tx};
use crate::error::{Entity, Error, Problem, Result};

/// The short form of a role, as lists of a user's roles show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSummary {
    pub id: i64,
    pub name: String,
    pub code: String,
}

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
        return Err(Error::invalid(
            "roles",
            Problem::UnknownReference {
                entity: Entity::Role,
                id: None,
            },
        ));
    }
    for role_id in ids {
        link(tx, user_id, role_id).await?;
    }
    Ok(())
}

/// Links the user to the role (kept if it exists).
async fn link(tx: &mut Tx<'_>, user_id: i64, role_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(user_id)
        .bind(role_id)
        .execute(&mut **tx)
        .await?;
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

/// Ids of every role the user holds (enabled or not), ascending.
pub async fn ids_of(db: &Db, user_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT role_id FROM user_roles WHERE user_id = $1 ORDER BY role_id")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Every role each of these users holds, keyed by user id (users without roles are absent).
pub async fn summaries_of(db: &Db, user_ids: &[i64]) -> Result<HashMap<i64, Vec<RoleSummary>>> {
    let mut out: HashMap<i64, Vec<RoleSummary>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT ur.user_id, r.id, r.name, r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.user_id IN (",
    );
    sql.bind_list(user_ids.iter().copied())
        .push(") ORDER BY ur.user_id, r.id");
    for row in sql.query().fetch_all(db.pool()).await? {
        out.entry(row.try_get("user_id")?)
            .or_default()
            .push(RoleSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                code: row.try_get("code")?,
            });
    }
    Ok(out)
}

/// Codes of the roles with these ids; an unknown id is an invalid `field`.
pub async fn codes_for_ids(db: &Db, field: &str, ids: &[i64]) -> Result<Vec<String>> {
    let mut conn = db.pool().acquire().await?;
    let unique = db::require_existing(&mut conn, "roles", Entity::Role, field, ids).await?;
    if unique.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT code FROM roles WHERE id IN (");
    sql.bind_list(unique.iter().copied()).push(") ORDER BY id");
    Ok(sql.query_scalar().fetch_all(&mut *conn).await?)
}

/// The user's role ids, inside a transaction.
pub(crate) async fn current_role_ids_tx(tx: &mut Tx<'_>, user_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT role_id FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// Replaces a user's role links, unchecked: only [`crate::domain::accounts`] calls this,
/// after its decision.
pub(crate) async fn replace_user_roles_tx(
    tx: &mut Tx<'_>,
    user_id: i64,
    role_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let mut ids = role_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for rid in ids {
        sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(rid)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Links these users to the role (links that exist are kept).
pub(crate) async fn link_members(tx: &mut Tx<'_>, role_id: i64, user_ids: &[i64]) -> Result<()> {
    for &uid in user_ids {
        link(tx, uid, role_id).await?;
    }
    Ok(())
}

/// Unlinks these users from the role.
pub(crate) async fn unlink_members(tx: &mut Tx<'_>, role_id: i64, user_ids: &[i64]) -> Result<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM user_roles WHERE role_id = ");
    sql.bind(role_id).push(" AND user_id IN (");
    sql.bind_list(user_ids.iter().copied()).push(")");
    sql.query().execute(&mut **tx).await?;
    Ok(())
}
