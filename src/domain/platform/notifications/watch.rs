//! What is new for one user, polled from the database, so every node's event stream sees
//! every notification whichever node stored it.
//!
//! Ids are given out when a row is inserted, not when it commits: on PostgreSQL a
//! notification with a lower id can become visible after one with a higher id. So the
//! watermark only "settles" past an id some seconds after that id was first seen, and the ids
//! seen above the settled watermark are remembered to send each notification once.

use std::collections::BTreeMap;

use super::inbox;
use super::model::{COLUMNS, Notification};
use crate::db::{self, Db, Timestamp};
use crate::error::Result;

/// How long a transaction may take between taking an id and committing, and still have its
/// notification pushed.
const SETTLE_MICROS: Timestamp = 10_000_000;
/// Rows read per poll at most.
const BATCH: i64 = 1_000;

/// What one poll found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Notifications not sent before, oldest first.
    pub new: Vec<Notification>,
    /// The unread count, when it differs from the last one reported.
    pub unread_count: Option<i64>,
}

/// One user's stream position.
#[derive(Debug, Clone)]
pub struct Watcher {
    user_id: i64,
    /// Everything at or below this id has been considered.
    settled: i64,
    /// Ids above `settled` already sent, with when they were first seen.
    sent: BTreeMap<i64, Timestamp>,
    unread: Option<i64>,
}

impl Watcher {
    /// Starts after notification `after` (a client's `Last-Event-ID`), or after the newest
    /// one the user receives now.
    pub async fn start(db: &Db, user_id: i64, after: Option<i64>) -> Result<Self> {
        let settled = match after {
            Some(id) => id.max(0),
            None => newest_id(db, user_id).await?,
        };
        Ok(Self {
            user_id,
            settled,
            sent: BTreeMap::new(),
            unread: None,
        })
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// Reads what is new since the last poll.
    pub async fn poll(&mut self, db: &Db) -> Result<Changes> {
        let now = db::now();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications n WHERE (n.to_all = 1 OR n.id IN \
             (SELECT x.notification_id FROM notification_recipients x WHERE x.user_id = $1)) \
             AND n.id > $2 ORDER BY n.id LIMIT $3"
        )))
        .bind(self.user_id)
        .bind(self.settled)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        let mut new = Vec::new();
        for row in &rows {
            let n = Notification::from_row(row)?;
            if self.sent.insert(n.id, now).is_none() {
                new.push(n);
            }
        }
        self.settle(now);
        let unread = inbox::unread_count(db, self.user_id).await?;
        let unread_count = (self.unread != Some(unread)).then_some(unread);
        self.unread = Some(unread);
        Ok(Changes { new, unread_count })
    }

    /// Moves the watermark past every id seen long enough ago.
    fn settle(&mut self, now: Timestamp) {
        let old = self
            .sent
            .iter()
            .filter(|(_, seen)| now - **seen >= SETTLE_MICROS)
            .map(|(id, _)| *id)
            .max();
        if let Some(id) = old {
            self.settled = self.settled.max(id);
            self.sent = self.sent.split_off(&(id + 1));
        }
    }
}

async fn newest_id(db: &Db, user_id: i64) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(n.id) FROM notifications n WHERE (n.to_all = 1 OR n.id IN \
         (SELECT x.notification_id FROM notification_recipients x WHERE x.user_id = $1))",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(id.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watermark_settles_only_past_ids_seen_long_ago() {
        let mut w = Watcher {
            user_id: 1,
            settled: 0,
            sent: BTreeMap::from([(3, 0), (5, 0), (7, SETTLE_MICROS)]),
            unread: None,
        };
        w.settle(SETTLE_MICROS + 1);
        assert_eq!(w.settled, 5);
        assert_eq!(w.sent.keys().copied().collect::<Vec<_>>(), [7]);
        w.settle(SETTLE_MICROS + 2);
        assert_eq!(w.settled, 5);
    }
}
