//! Storing a notification: one row, plus one recipient row per named user (none for a
//! broadcast).

use super::model::{Audience, NewNotification, Notification};
use crate::db::{self, Db, Sql, Tx};
use crate::error::{Entity, Result};

/// Ids per `IN (…)` list: far below every engine's limit on bound values.
const CHUNK: usize = 500;

/// Sends `new` (an administrator's notification): every named user must exist, otherwise
/// `user_ids` is invalid and nothing is stored.
pub async fn send(db: &Db, new: &NewNotification) -> Result<Notification> {
    let mut tx = db.begin().await?;
    if let Audience::Users(ids) = &new.audience {
        db::require_existing(&mut tx, "users", Entity::User, "user_ids", ids).await?;
    }
    let stored = send_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Stores `new` inside the caller's transaction, so a notification commits (or rolls back)
/// with the change it reports. Named users that do not exist (any more) are skipped.
pub async fn send_in(tx: &mut Tx<'_>, new: &NewNotification) -> Result<Notification> {
    let now = db::now();
    let to_all = new.audience == Audience::Everyone;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (type, title, content, to_all, sender_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&new.kind)
    .bind(&new.title)
    .bind(&new.content)
    .bind(i64::from(to_all))
    .bind(new.sender_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    if let Audience::Users(ids) = &new.audience {
        for chunk in ids.chunks(CHUNK) {
            let mut sql =
                Sql::new("INSERT INTO notification_recipients (notification_id, user_id) SELECT ");
            sql.bind(id)
                .push(", id FROM users WHERE id IN (")
                .bind_list(chunk.iter().copied())
                .push(") ON CONFLICT DO NOTHING");
            sql.query().execute(&mut **tx).await?;
        }
    }
    Ok(Notification {
        id,
        kind: new.kind.clone(),
        title: new.title.clone(),
        content: new.content.clone(),
        to_all,
        sender_id: new.sender_id,
        created_at: now,
    })
}

/// What other modules call to tell users about something that happened to them (an order
/// audit tells buyer and seller, a finished export tells its requester), inside the
/// transaction of that change. `kind` is one of [`super::model::KIND_ORDER`],
/// [`super::model::KIND_EXPORT`] or another lower-case type; duplicate and unknown ids are
/// dropped; an empty list stores nothing and answers `None`.
pub async fn notify_users(
    tx: &mut Tx<'_>,
    kind: &str,
    title: &str,
    content: &str,
    user_ids: &[i64],
) -> Result<Option<Notification>> {
    if user_ids.is_empty() {
        return Ok(None);
    }
    let new = NewNotification::system(kind, title, content, user_ids);
    send_in(tx, &new).await.map(Some)
}

/// [`notify_users`] in a transaction of its own, for callers that report a change after it
/// has committed (the trade part's `notices::order_audited`).
pub async fn notify_users_now(
    db: &Db,
    kind: &str,
    title: &str,
    content: &str,
    user_ids: &[i64],
) -> Result<Option<Notification>> {
    let mut tx = db.begin().await?;
    let sent = notify_users(&mut tx, kind, title, content, user_ids).await?;
    tx.commit().await?;
    Ok(sent)
}
