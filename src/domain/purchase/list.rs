//! Listing orders: newest first, paged, optionally filtered by a literal substring.
//!
//! Fast at a million orders: an unfiltered list reads its total from `purchase_order_counts`
//! and its page from the `(user_id, created_at)` / `(created_at)` indexes; a search finds its
//! matches through the trigram index of `purchase_search` (see [`super::search`]) and reads
//! the page and the number of matches in one pass.

use sqlx::Row;

use std::sync::Arc;

use super::order::SUMMARY_COLUMNS;
use super::search_cache::{self, Kept};
use super::{Caller, OrderSummary, SearchTerm};
use crate::db::{Db, Sql};
use crate::domain::paging::Page;
use crate::error::Result;

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub search: Option<SearchTerm>,
    /// Only this owner's orders. Honoured for admins; other callers always get their own.
    pub user_id: Option<i64>,
    /// Dialects check their documented page limits before building it.
    pub page: Page,
}

/// One page of orders and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPage {
    pub total: i64,
    pub orders: Vec<OrderSummary>,
}

pub async fn list(db: &Db, caller: Caller, query: &ListQuery) -> Result<OrderPage> {
    let owner = if caller.is_admin {
        query.user_id
    } else {
        Some(caller.user_id)
    };
    match &query.search {
        None => list_all(db, owner, query.page).await,
        Some(term) => search(db, owner, term, query.page).await,
    }
}

/// The page and the total in one query (the total from the maintained counts, as a scalar
/// subquery); only a page past the end, which has no row to carry it, asks for it apart. The
/// page is read only when its offset is below the total (a constant condition, checked once),
/// so a page far past the end skips nothing.
async fn list_all(db: &Db, owner: Option<i64>, page: Page) -> Result<OrderPage> {
    let total_sql = |sql: &mut Sql| match owner {
        Some(owner) => {
            sql.push("(SELECT orders FROM purchase_order_counts WHERE user_id = ")
                .bind(owner)
                .push(")");
        }
        None => {
            sql.push(
                "(SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT) FROM purchase_order_counts)",
            );
        }
    };
    let mut sql = Sql::new(&format!("SELECT {SUMMARY_COLUMNS}, "));
    total_sql(&mut sql);
    sql.push(" AS total FROM purchase_orders o WHERE ");
    if let Some(owner) = owner {
        sql.push("o.user_id = ").bind(owner).push(" AND ");
    }
    sql.bind(page.offset()).push(" < ");
    total_sql(&mut sql);
    sql.push(" ORDER BY o.created_at DESC, o.id DESC LIMIT ")
        .bind(page.limit())
        .push(" OFFSET ")
        .bind(page.offset());
    let rows = sql.query().fetch_all(db.pool()).await?;
    let total = match rows.first() {
        Some(row) => row.try_get::<Option<i64>, _>("total")?.unwrap_or(0),
        None => count_all(db, owner).await?,
    };
    let orders = rows
        .iter()
        .map(OrderSummary::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(OrderPage { total, orders })
}

/// One pass over the matches answers both the page and their number (`COUNT(*) OVER ()`):
/// filtering, counting and sorting happen in `purchase_search`, which carries the owner and
/// the creation time, and only the page's orders are read from `purchase_orders`. `CROSS JOIN`
/// makes SQLite read the page first (it never reorders a `CROSS JOIN`); PostgreSQL treats it
/// as an ordinary join.
async fn search(db: &Db, owner: Option<i64>, term: &SearchTerm, page: Page) -> Result<OrderPage> {
    if let Some(owner) = owner
        && let Some(changes) = search_cache::changes(db, owner).await?
    {
        let kept = match search_cache::get(db, owner, term.as_str(), changes) {
            Some(kept) => kept,
            None => {
                let kept = match_ids(db, owner, term).await?;
                search_cache::put(db, owner, term.as_str(), changes, kept.clone());
                kept
            }
        };
        if let Kept::Ids(ids) = kept {
            return page_of(db, &ids, page).await;
        }
    }
    search_page(db, owner, term, page).await
}

/// The ids of every match of `owner`'s orders, newest first; [`Kept::TooMany`] past
/// [`search_cache::MAX_IDS_PER_ENTRY`].
async fn match_ids(db: &Db, owner: i64, term: &SearchTerm) -> Result<Kept> {
    let mut sql = Sql::new("SELECT s.rowid FROM purchase_search s WHERE ");
    matches(&mut sql, term, Some(owner));
    sql.push(" ORDER BY s.created_at DESC, s.rowid DESC LIMIT ")
        .bind(search_cache::MAX_IDS_PER_ENTRY as i64 + 1);
    let ids: Vec<i64> = sql.query_scalar().fetch_all(db.pool()).await?;
    Ok(if ids.len() > search_cache::MAX_IDS_PER_ENTRY {
        Kept::TooMany
    } else {
        Kept::Ids(Arc::new(ids))
    })
}

/// One page of `ids` (all matches, in order), read from `purchase_orders`.
async fn page_of(db: &Db, ids: &[i64], page: Page) -> Result<OrderPage> {
    let total = i64::try_from(ids.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let end = start.saturating_add(usize::try_from(page.limit()).unwrap_or(0));
    let wanted = ids.get(start..end.min(ids.len())).unwrap_or(&[]);
    if wanted.is_empty() {
        return Ok(OrderPage {
            total,
            orders: Vec::new(),
        });
    }
    let mut sql = Sql::new(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM purchase_orders o WHERE o.id IN ("
    ));
    sql.bind_list(wanted.iter().copied()).push(")");
    let rows = sql.query().fetch_all(db.pool()).await?;
    let mut orders = rows
        .iter()
        .map(OrderSummary::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    let position: std::collections::HashMap<i64, usize> =
        wanted.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    orders.sort_by_key(|o| position.get(&o.id).copied().unwrap_or(usize::MAX));
    Ok(OrderPage { total, orders })
}

/// A page of a search straight from the database (admins' searches over every owner, and
/// searches with too many matches to keep).
async fn search_page(
    db: &Db,
    owner: Option<i64>,
    term: &SearchTerm,
    page: Page,
) -> Result<OrderPage> {
    let mut sql = Sql::new(&format!(
        "SELECT {SUMMARY_COLUMNS}, m.total FROM (SELECT s.rowid AS id, s.created_at AS created_at, \
         COUNT(*) OVER () AS total FROM purchase_search s WHERE "
    ));
    matches(&mut sql, term, owner);
    sql.push(" ORDER BY s.created_at DESC, s.rowid DESC LIMIT ")
        .bind(page.limit())
        .push(" OFFSET ")
        .bind(page.offset())
        .push(") m CROSS JOIN purchase_orders o WHERE o.id = m.id ORDER BY m.created_at DESC, m.id DESC");
    let rows = sql.query().fetch_all(db.pool()).await?;
    let total = match rows.first() {
        Some(row) => row.try_get::<i64, _>("total")?,
        // Past the last page the window has no row to carry the total: count apart.
        None if page.offset() > 0 => {
            let mut sql = Sql::new("SELECT COUNT(*) FROM purchase_search s WHERE ");
            matches(&mut sql, term, owner);
            sql.query_scalar::<i64>().fetch_one(db.pool()).await?
        }
        None => 0,
    };
    let orders = rows
        .iter()
        .map(OrderSummary::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(OrderPage { total, orders })
}

/// The number of orders of one owner, or of everyone, from the maintained counts.
async fn count_all(db: &Db, owner: Option<i64>) -> Result<i64> {
    Ok(match owner {
        Some(owner) => sqlx::query_scalar::<_, i64>(
            "SELECT orders FROM purchase_order_counts WHERE user_id = $1",
        )
        .bind(owner)
        .fetch_optional(db.pool())
        .await?
        .unwrap_or(0),
        None => {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT) FROM purchase_order_counts",
            )
            .fetch_one(db.pool())
            .await?
        }
    })
}

/// The conditions on `purchase_search s` for "search text contains `term`"
/// ([`SearchTerm::push_match`]), and the owner when there is one.
fn matches(sql: &mut Sql, term: &SearchTerm, owner: Option<i64>) {
    term.push_match(sql);
    if let Some(owner) = owner {
        sql.push(" AND s.user_id = ").bind(owner);
    }
}
