//! The matches of recent searches, so paging through a search (or asking it again) does not
//! count and sort every match each time.
//!
//! A search that matches 1% of a million orders finds 10,000 rows through the trigram index
//! and must read, count and sort all of them for one page of 20 (41 ms a request, 30× the same
//! search at 10,000 orders; issue 17). Here the ordered ids of all matches are kept per
//! `(database, owner, term)`, tagged with the owner's change counter
//! (`purchase_order_counts.changes`, raised in the same transaction as every create, replace
//! and delete of one of their orders). A request reads the counter (one indexed row) and uses
//! the ids only when it is unchanged, so an answer never misses a write, on any node. The
//! counter is read before the matches are: a write between the two makes the entry look
//! older than it is, never newer.
//!
//! Only owner-scoped searches are kept (an admin's search over everyone has no single
//! counter), and only up to [`MAX_IDS_PER_ENTRY`] matches each, [`MAX_IDS`] in all: a few MiB.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::db::Db;
use crate::error::Result;

/// The largest match list kept (a search matching more is answered from the database).
pub const MAX_IDS_PER_ENTRY: usize = 50_000;
/// Ids kept over all entries (8 bytes each).
const MAX_IDS: usize = 250_000;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    db: u64,
    owner: i64,
    term: String,
}

/// What a search found: its ordered ids, or more than [`MAX_IDS_PER_ENTRY`] (answered from
/// the database every time; remembered so the ids are not fetched in vain again).
#[derive(Clone)]
pub enum Kept {
    Ids(Arc<Vec<i64>>),
    TooMany,
}

impl Kept {
    fn len(&self) -> usize {
        match self {
            Kept::Ids(ids) => ids.len(),
            Kept::TooMany => 0,
        }
    }
}

struct Entry {
    changes: i64,
    kept: Kept,
    used: u64,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Entry>,
    ids: usize,
    clock: u64,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

/// The owner's change counter; `None` when they have never had an order.
pub async fn changes(db: &Db, owner: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT changes FROM purchase_order_counts WHERE user_id = $1")
            .bind(owner)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The kept matches of `term` for `owner`, when they were taken at `changes`.
pub fn get(db: &Db, owner: i64, term: &str, changes: i64) -> Option<Kept> {
    let mut cache = CACHE.lock().ok()?;
    cache.clock += 1;
    let now = cache.clock;
    let key = Key {
        db: db.instance(),
        owner,
        term: term.to_owned(),
    };
    let entry = cache.entries.get_mut(&key)?;
    if entry.changes != changes {
        return None;
    }
    entry.used = now;
    Some(entry.kept.clone())
}

/// Keeps the matches of `term` for `owner` taken at `changes`, dropping the least recently
/// used entries to stay within [`MAX_IDS`].
pub fn put(db: &Db, owner: i64, term: &str, changes: i64, kept: Kept) {
    let Ok(mut cache) = CACHE.lock() else {
        return;
    };
    cache.clock += 1;
    let key = Key {
        db: db.instance(),
        owner,
        term: term.to_owned(),
    };
    let size = kept.len();
    let used = cache.clock;
    if let Some(old) = cache.entries.insert(
        key,
        Entry {
            changes,
            kept,
            used,
        },
    ) {
        cache.ids -= old.kept.len();
    }
    cache.ids += size;
    while cache.ids > MAX_IDS {
        let Some(oldest) = cache
            .entries
            .iter()
            .min_by_key(|(_, e)| e.used)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        if let Some(gone) = cache.entries.remove(&oldest) {
            cache.ids -= gone.kept.len();
        }
    }
}
