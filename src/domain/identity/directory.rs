//! The user directory: one filtered, paged listing of users for every dialect's user list.

use sqlx::FromRow;

use super::user::{COLUMNS, User};
use crate::db::{self, Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::Result;

/// Filters of the user list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Matched case-insensitively, as a substring, against login name, display name, phone
    /// and email.
    pub keyword: Option<String>,
    pub is_active: Option<bool>,
    /// Users holding this role.
    pub role_id: Option<i64>,
    /// Created at or after.
    pub created_from: Option<Timestamp>,
    /// Created strictly before.
    pub created_before: Option<Timestamp>,
}

fn filtered(base: &str, f: &UserFilter) -> Sql {
    let mut sql = Sql::new(base);
    sql.push(" WHERE 1 = 1");
    if let Some(k) = f
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        let p = db::like_pattern(k);
        sql.push(" AND (lower(u.username) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR lower(u.display_name) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR lower(u.phone) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR lower(u.email) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(active) = f.is_active {
        sql.push(" AND u.is_active = ").bind(active);
    }
    if let Some(role) = f.role_id {
        sql.push(
            " AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = ",
        )
        .bind(role)
        .push(")");
    }
    if let Some(from) = f.created_from {
        sql.push(" AND u.created_at >= ").bind(from);
    }
    if let Some(before) = f.created_before {
        sql.push(" AND u.created_at < ").bind(before);
    }
    sql
}

/// Users matching `filter`, ordered by id — one page of them, or all for `None` — with the
/// total number of matches.
pub async fn list(db: &Db, filter: &UserFilter, page: Option<Page>) -> Result<(Vec<User>, i64)> {
    let total: i64 = filtered("SELECT COUNT(*) FROM users u", filter)
        .query_scalar()
        .fetch_one(db.pool())
        .await?;
    let cols = db::qualify(COLUMNS, "u");
    let mut sql = filtered(&format!("SELECT {cols} FROM users u"), filter);
    sql.push(" ORDER BY u.id").window(page.map(|p| p.window()));
    let rows = sql.query().fetch_all(db.pool()).await?;
    let users = rows
        .iter()
        .map(User::from_row)
        .collect::<sqlx::Result<_>>()?;
    Ok((users, total))
}

/// How many users match `filter`.
pub async fn count(db: &Db, filter: &UserFilter) -> Result<i64> {
    Ok(filtered("SELECT COUNT(*) FROM users u", filter)
        .query_scalar()
        .fetch_one(db.pool())
        .await?)
}

/// Up to `limit` users matching `filter` with an id above `after`, ordered by id: one keyset
/// batch, so reading every match costs the same per batch however far along it is.
pub async fn batch_after(
    db: &Db,
    filter: &UserFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<User>> {
    let cols = db::qualify(COLUMNS, "u");
    let mut sql = filtered(&format!("SELECT {cols} FROM users u"), filter);
    sql.push(" AND u.id > ")
        .bind(after)
        .push(" ORDER BY u.id LIMIT ")
        .bind(limit);
    let rows = sql.query().fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(User::from_row)
        .collect::<sqlx::Result<_>>()?)
}
