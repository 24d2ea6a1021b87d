//! Paged user listing (the hanzi `GET /users`).

use super::user::{COLUMNS, User};
use crate::db::Db;
use crate::error::{Error, Result};

/// Largest page served.
pub const PAGE_SIZE_MAX: i64 = 1000;

/// One page (1-based) of users ordered by id, and the total number of users.
pub async fn page(db: &Db, page: i64, size: i64) -> Result<(Vec<User>, i64)> {
    if page < 1 {
        return Err(Error::invalid("page", "页码必须是正整数"));
    }
    if !(1..=PAGE_SIZE_MAX).contains(&size) {
        return Err(Error::invalid(
            "size",
            format!("分页大小必须在 1-{PAGE_SIZE_MAX} 之间"),
        ));
    }
    let total = super::user::count(db).await?;
    let offset = (page - 1).saturating_mul(size);
    if offset >= total {
        return Ok((Vec::new(), total));
    }
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY id LIMIT $1 OFFSET $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(size)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    let users = rows
        .iter()
        .map(User::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((users, total))
}
