//! One user's notifications: broadcasts plus those naming them, newest first, each with the
//! user's own read state.

use sqlx::Row;

use super::model::{COLUMNS, Notification};
use crate::db::{self, Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Result};

/// The notifications user `$1` receives. The caller binds the user id first.
const VISIBLE: &str = "(n.to_all = 1 OR n.id IN \
     (SELECT x.notification_id FROM notification_recipients x WHERE x.user_id = $1))";

/// One notification in a user's list.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub notification: Notification,
    /// When this user read it; `None` while unread.
    pub read_at: Option<Timestamp>,
}

/// Filters of a user's list (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub kind: Option<String>,
    /// `Some(true)`: read ones only; `Some(false)`: unread ones only.
    pub read: Option<bool>,
}

/// One page of a user's notifications.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    /// Rows matching the filter.
    pub total: i64,
    /// Every unread notification of the user, whatever the filter.
    pub unread_count: i64,
}

/// `<select> FROM … WHERE …` for user `user_id` with `filter`; `$1` is the user id.
fn select(select: &str, user_id: i64, filter: &InboxFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(
        " FROM notifications n LEFT JOIN notification_reads r \
         ON r.notification_id = n.id AND r.user_id = ",
    );
    sql.bind(user_id).push(" WHERE ").push(VISIBLE);
    if let Some(kind) = &filter.kind {
        sql.push(" AND n.type = ").bind(kind.as_str());
    }
    match filter.read {
        Some(true) => sql.push(" AND r.user_id IS NOT NULL"),
        Some(false) => sql.push(" AND r.user_id IS NULL"),
        None => &mut sql,
    };
    sql
}

/// A page of the notifications `user_id` receives, newest first.
pub async fn list(db: &Db, user_id: i64, filter: &InboxFilter, page: Page) -> Result<InboxPage> {
    let count = select("SELECT COUNT(*)", user_id, filter);
    let mut rows = select(&format!("SELECT {COLUMNS}, r.read_at"), user_id, filter);
    rows.push(" ORDER BY n.id DESC").window(Some(page.window()));
    let total: i64 = count.query_scalar().fetch_one(db.pool()).await?;
    let items = rows
        .query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(InboxItem {
                notification: Notification::from_row(row)?,
                read_at: row.try_get("read_at")?,
            })
        })
        .collect::<sqlx::Result<_>>()?;
    Ok(InboxPage {
        items,
        total,
        unread_count: unread_count(db, user_id).await?,
    })
}

/// How many notifications `user_id` has not read. Exact: a read row exists only for a
/// notification the user receives, so this is "received" minus "read".
pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64> {
    let received: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM notifications n WHERE {VISIBLE}"
    )))
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    let read: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notification_reads WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?;
    Ok((received - read).max(0))
}

/// Marks notification `id` read for `user_id`. A notification the user does not receive is
/// "not found", exactly like one that does not exist, and nothing changes. Marking twice
/// keeps the first time.
pub async fn mark_read(db: &Db, user_id: i64, id: i64) -> Result<()> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM notifications n WHERE {VISIBLE} AND n.id = $2"
    )))
    .bind(user_id)
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    if n == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    sqlx::query(
        "INSERT INTO notification_reads (user_id, notification_id, read_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(id)
    .bind(db::now())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Marks every notification `user_id` receives read; answers how many were unread.
pub async fn mark_all_read(db: &Db, user_id: i64) -> Result<i64> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO notification_reads (user_id, notification_id, read_at) \
         SELECT $1, n.id, $2 FROM notifications n WHERE {VISIBLE} \
         ON CONFLICT DO NOTHING"
    )))
    .bind(user_id)
    .bind(db::now())
    .execute(db.pool())
    .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}
