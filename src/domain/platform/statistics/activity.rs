//! Recent activities for the dashboard: registrations, orders created, order and farm audits,
//! newest first. Each kind is read from its own time index, a few rows each.

use sqlx::Row;

use crate::db::{Db, Timestamp};
use crate::error::Result;

/// How many activities the dashboard shows.
pub const LIMIT: i64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    UserRegister,
    OrderCreated,
    OrderAudited,
    FarmAudited,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::UserRegister => "user_register",
            ActivityKind::OrderCreated => "order_created",
            ActivityKind::OrderAudited => "order_audited",
            ActivityKind::FarmAudited => "farm_audited",
        }
    }
}

/// One activity, as facts: each dialect words its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub kind: ActivityKind,
    /// Who or what it is about: the username, the order number or the farm's name.
    pub subject: String,
    /// For audits: the audit refused (a rejected order, a farm set to "not approved").
    pub rejected: bool,
    pub at: Timestamp,
}

/// The newest [`LIMIT`] activities at or before `until`.
pub async fn recent(db: &Db, until: Timestamp) -> Result<Vec<Activity>> {
    let mut all = Vec::new();
    for row in sqlx::query(
        "SELECT username, created_at FROM users WHERE created_at <= $1 \
         ORDER BY created_at DESC LIMIT $2",
    )
    .bind(until)
    .bind(LIMIT)
    .fetch_all(db.pool())
    .await?
    {
        all.push(Activity {
            kind: ActivityKind::UserRegister,
            subject: row.try_get("username")?,
            rejected: false,
            at: row.try_get("created_at")?,
        });
    }
    for row in sqlx::query(
        "SELECT order_no, created_at FROM trade_orders WHERE created_at <= $1 \
         ORDER BY created_at DESC LIMIT $2",
    )
    .bind(until)
    .bind(LIMIT)
    .fetch_all(db.pool())
    .await?
    {
        all.push(Activity {
            kind: ActivityKind::OrderCreated,
            subject: row.try_get("order_no")?,
            rejected: false,
            at: row.try_get("created_at")?,
        });
    }
    for row in sqlx::query(
        "SELECT order_no, order_status, audited_at, cancelled_at FROM trade_orders \
         WHERE audited_at IS NOT NULL AND audited_at <= $1 ORDER BY audited_at DESC LIMIT $2",
    )
    .bind(until)
    .bind(LIMIT)
    .fetch_all(db.pool())
    .await?
    {
        let at: Timestamp = row.try_get("audited_at")?;
        // A rejection cancels the order in the same write.
        let rejected = row.try_get::<String, _>("order_status")? == "cancelled"
            && row.try_get::<Option<i64>, _>("cancelled_at")? == Some(at);
        all.push(Activity {
            kind: ActivityKind::OrderAudited,
            subject: row.try_get("order_no")?,
            rejected,
            at,
        });
    }
    for row in sqlx::query(
        "SELECT name, status, audited_at FROM farms \
         WHERE audited_at IS NOT NULL AND audited_at <= $1 ORDER BY audited_at DESC LIMIT $2",
    )
    .bind(until)
    .bind(LIMIT)
    .fetch_all(db.pool())
    .await?
    {
        all.push(Activity {
            kind: ActivityKind::FarmAudited,
            subject: row.try_get("name")?,
            // Status 2 is the farm audit's refusal.
            rejected: row.try_get::<i64, _>("status")? == 2,
            at: row.try_get("audited_at")?,
        });
    }
    all.sort_by_key(|a| std::cmp::Reverse(a.at));
    all.truncate(usize::try_from(LIMIT).unwrap_or(10));
    Ok(all)
}
