//! The order list: every documented filter, newest first, one page plus its total.
//!
//! Each equality filter has an index ending in `(created_at, id)`, so a page is read in index
//! order. `keyword` searches order numbers: a keyword starting with `ORD` is a prefix (an
//! index range on the unique order number); any other keyword of two characters or more is a
//! substring found in the gram table `trade_order_grams` (`super::search`; its total counted
//! there too), one character a scan.
//!
//! The total of a list with no filter, or with exactly one equality filter, is read from the
//! kept counts (`trade_order_counts`, kept by triggers: migration `…41`)
//! instead of counting the matching index entries.

use std::collections::HashMap;

use super::counts;
use super::fields;
use super::order::ORDER_TYPES;
use super::order_state::{OrderStatus, PaymentStatus};
use super::orders::{ORDER_COLUMNS, OrderRow};
use super::refs::{self, FarmRef, UserRef};
use super::search::{self, Lookup};
use crate::db::{self, Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::{Problem, Result, Violations};

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub keyword: Option<String>,
    pub order_type: Option<String>,
    pub order_status: Option<OrderStatus>,
    pub payment_status: Option<PaymentStatus>,
    pub buyer_id: Option<i64>,
    pub seller_id: Option<i64>,
    pub farm_id: Option<i64>,
    /// Created at or after.
    pub created_from: Option<Timestamp>,
    /// Created before.
    pub created_before: Option<Timestamp>,
}

/// The list's query parameters as sent, before the rules.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    pub keyword: Option<String>,
    pub order_type: Option<String>,
    pub order_status: Option<String>,
    pub payment_status: Option<String>,
    pub buyer_id: Option<i64>,
    pub seller_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

fn parsed<T>(
    v: &mut Violations,
    field: &str,
    raw: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &'static [&'static str],
) -> Option<T> {
    let s = raw?;
    let out = parse(&s);
    if out.is_none() {
        v.add(
            field,
            Problem::NotOneOf {
                allowed,
                got: Some(s),
            },
        );
    }
    out
}

impl OrderQuery {
    /// The filter, or every bad parameter by name (the list and its export both ask). Dates
    /// are read in `tz`; a bare `end_date` includes that whole day.
    pub fn parse(self, tz: chrono_tz::Tz) -> Result<OrderFilter> {
        let mut v = Violations::new();
        let order_type = parsed(
            &mut v,
            "order_type",
            self.order_type,
            |s| ORDER_TYPES.contains(&s).then(|| s.to_owned()),
            ORDER_TYPES,
        );
        let order_status = parsed(
            &mut v,
            "order_status",
            self.order_status,
            OrderStatus::parse,
            OrderStatus::NAMES,
        );
        let payment_status = parsed(
            &mut v,
            "payment_status",
            self.payment_status,
            PaymentStatus::parse,
            PaymentStatus::NAMES,
        );
        let buyer_id = fields::id_filter(&mut v, "buyer_id", self.buyer_id);
        let seller_id = fields::id_filter(&mut v, "seller_id", self.seller_id);
        let farm_id = fields::id_filter(&mut v, "farm_id", self.farm_id);
        let created_from =
            fields::instant_bound(&mut v, "start_date", self.start_date.as_deref(), tz, false);
        let created_before =
            fields::instant_bound(&mut v, "end_date", self.end_date.as_deref(), tz, true);
        v.into_result()?;
        Ok(OrderFilter {
            keyword: self.keyword,
            order_type,
            order_status,
            payment_status,
            buyer_id,
            seller_id,
            farm_id,
            created_from,
            created_before,
        })
    }
}

/// One list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEntry {
    pub order: OrderRow,
    pub buyer: Option<UserRef>,
    pub seller: Option<UserRef>,
    pub farm: Option<FarmRef>,
    pub item_count: i64,
}

/// The smallest string above every string that starts with `prefix` (digits and upper-case
/// letters only, which sort the same in every collation); `None` when there is none.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '0'..='8' | 'A'..='Y' => char::from(last as u8 + 1),
            '9' => 'A',
            _ => continue,
        };
        chars.push(next);
        return Some(chars.into_iter().collect());
    }
    None
}

/// How an order `keyword` (trimmed, not blank) is answered; each holds it upper-cased, as
/// order numbers are matched.
enum KeywordSearch {
    /// `ORD…`: a range of the unique order number (every order number starts so).
    Prefix(String),
    /// Two characters or more: the gram table of order numbers (migration `…43`).
    Grams(Lookup, String),
    /// One character: a scan.
    Scan(String),
}

fn keyword_search(keyword: &str) -> KeywordSearch {
    let k = keyword.to_uppercase();
    if k.starts_with("ORD") && k.chars().all(|c| c.is_ascii_alphanumeric()) {
        return KeywordSearch::Prefix(k);
    }
    match Lookup::of(&k) {
        Some(lookup) => KeywordSearch::Grams(lookup, k),
        None => KeywordSearch::Scan(k),
    }
}

/// The order number contains `k` (upper-cased).
fn push_like(sql: &mut Sql, k: &str) {
    sql.push(" AND UPPER(o.order_no) LIKE ")
        .bind(db::like_pattern(k).to_uppercase())
        .push(" ESCAPE '\\'");
}

fn filtered(sql: &mut Sql, f: &OrderFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(k) = f.keyword() {
        match keyword_search(k) {
            KeywordSearch::Prefix(k) => {
                sql.push(" AND o.order_no >= ").bind(k.as_str());
                if let Some(end) = prefix_end(&k) {
                    sql.push(" AND o.order_no < ").bind(end);
                }
            }
            KeywordSearch::Grams(lookup, k) => {
                search::push_in(sql, "o.id", search::ORDERS, &lookup);
                if !lookup.is_exact() {
                    push_like(sql, &k);
                }
            }
            KeywordSearch::Scan(k) => push_like(sql, &k),
        }
    }
    if let Some(t) = &f.order_type {
        sql.push(" AND o.order_type = ").bind(t.as_str());
    }
    if let Some(s) = f.order_status {
        sql.push(" AND o.order_status = ").bind(s.as_str());
    }
    if let Some(s) = f.payment_status {
        sql.push(" AND o.payment_status = ").bind(s.as_str());
    }
    if let Some(id) = f.buyer_id {
        sql.push(" AND o.buyer_id = ").bind(id);
    }
    if let Some(id) = f.seller_id {
        sql.push(" AND o.seller_id = ").bind(id);
    }
    if let Some(id) = f.farm_id {
        sql.push(" AND o.farm_id = ").bind(id);
    }
    if let Some(t) = f.created_from {
        sql.push(" AND o.created_at >= ").bind(t);
    }
    if let Some(t) = f.created_before {
        sql.push(" AND o.created_at < ").bind(t);
    }
}

/// At most this many matches of a keyword alone are read from the gram table and sorted;
/// more are found by walking the `(created_at, id)` index newest first.
const FEW_MATCHES: i64 = 2_000;

pub async fn list(db: &Db, f: &OrderFilter, page: Page) -> Result<(Vec<OrderEntry>, i64)> {
    let mut conn = db.pool().acquire().await?;
    // A keyword alone that the gram table answers: its total first, and few matches are
    // read by id (the derived table first: `CROSS JOIN` keeps SQLite to that order).
    if let Some(lookup) = f.searched_alone() {
        let total: i64 = search::count(search::ORDERS, &lookup)
            .query_scalar()
            .fetch_one(&mut *conn)
            .await?;
        let sql = if total <= FEW_MATCHES {
            let mut sql = Sql::new(&format!(
                "SELECT {} FROM (",
                db::qualify(ORDER_COLUMNS, "o")
            ));
            search::push_ids(&mut sql, search::ORDERS, &lookup);
            sql.push(&format!(
                ") m CROSS JOIN trade_orders o WHERE o.id = m.{} \
                 ORDER BY o.created_at DESC, o.id DESC",
                search::ORDERS.id()
            ))
            .window(Some(page.window()));
            sql
        } else {
            page_sql(f, page)
        };
        let orders = rows(&mut conn, sql).await?;
        return Ok((entries(&mut conn, orders).await?, total));
    }
    let orders = rows(&mut conn, page_sql(f, page)).await?;
    let total = if orders.is_empty() && page.number == 1 {
        0
    } else {
        count_on(&mut conn, f).await?
    };
    Ok((entries(&mut conn, orders).await?, total))
}

/// One page of the filter's orders, newest first, in the `(created_at, id)` order.
fn page_sql(f: &OrderFilter, page: Page) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM trade_orders o",
        db::qualify(ORDER_COLUMNS, "o")
    ));
    filtered(&mut sql, f);
    sql.push(" ORDER BY o.created_at DESC, o.id DESC")
        .window(Some(page.window()));
    sql
}

async fn rows(conn: &mut sqlx::AnyConnection, sql: Sql) -> Result<Vec<OrderRow>> {
    let rows = sql.query().fetch_all(&mut *conn).await?;
    Ok(rows
        .iter()
        .map(OrderRow::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

impl OrderFilter {
    /// The keyword, trimmed; `None` when absent or blank.
    fn keyword(&self) -> Option<&str> {
        self.keyword
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }

    /// The gram lookup of a keyword that is the only filter and whose ids are exactly the
    /// matches.
    fn searched_alone(&self) -> Option<Lookup> {
        let alone = self.order_type.is_none()
            && self.order_status.is_none()
            && self.payment_status.is_none()
            && self.buyer_id.is_none()
            && self.seller_id.is_none()
            && self.farm_id.is_none()
            && self.created_from.is_none()
            && self.created_before.is_none();
        match keyword_search(self.keyword()?) {
            KeywordSearch::Grams(lookup, _) if alone && lookup.is_exact() => Some(lookup),
            _ => None,
        }
    }

    /// The one equality filter set (or none), when the total can be read from the counts.
    fn counted(&self) -> Option<(&'static str, String)> {
        let other = self.keyword().is_some()
            || self.created_from.is_some()
            || self.created_before.is_some();
        counts::single(
            &[
                ("order_type", self.order_type.clone()),
                (
                    "order_status",
                    self.order_status.map(|s| s.as_str().to_owned()),
                ),
                (
                    "payment_status",
                    self.payment_status.map(|s| s.as_str().to_owned()),
                ),
                ("buyer_id", self.buyer_id.map(|v| v.to_string())),
                ("seller_id", self.seller_id.map(|v| v.to_string())),
                ("farm_id", self.farm_id.map(|v| v.to_string())),
            ],
            other,
        )
    }
}

async fn count_on(conn: &mut sqlx::AnyConnection, f: &OrderFilter) -> Result<i64> {
    if let Some(lookup) = f.searched_alone() {
        return Ok(search::count(search::ORDERS, &lookup)
            .query_scalar()
            .fetch_one(conn)
            .await?);
    }
    if let Some((dimension, value)) = f.counted() {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT n FROM trade_order_counts WHERE dimension = $1 AND value = $2",
        )
        .bind(dimension)
        .bind(value)
        .fetch_optional(conn)
        .await?;
        return Ok(n.unwrap_or(0).max(0));
    }
    let mut count = Sql::new("SELECT COUNT(*) FROM trade_orders o");
    filtered(&mut count, f);
    Ok(count.query_scalar::<i64>().fetch_one(conn).await?)
}

/// How many orders match.
pub async fn count(db: &Db, f: &OrderFilter) -> Result<i64> {
    let mut conn = db.pool().acquire().await?;
    count_on(&mut conn, f).await
}

/// Up to `limit` matching orders with ids above `after`, in id order (a keyset batch).
pub async fn batch_after(
    db: &Db,
    f: &OrderFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<OrderEntry>> {
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM trade_orders o",
        db::qualify(ORDER_COLUMNS, "o")
    ));
    filtered(&mut sql, f);
    sql.push(" AND o.id > ")
        .bind(after)
        .push(" ORDER BY o.id LIMIT ")
        .bind(limit);
    let mut conn = db.pool().acquire().await?;
    let rows = sql.query().fetch_all(&mut *conn).await?;
    let orders = rows
        .iter()
        .map(OrderRow::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    entries(&mut conn, orders).await
}

/// Orders with their parties, farm and line counts.
async fn entries(conn: &mut sqlx::AnyConnection, orders: Vec<OrderRow>) -> Result<Vec<OrderEntry>> {
    let counts = item_counts(conn, &orders).await?;
    let users = refs::users(conn, orders.iter().flat_map(|o| [o.buyer_id, o.seller_id])).await?;
    let farms = refs::farms(conn, orders.iter().map(|o| o.farm_id)).await?;
    Ok(orders
        .into_iter()
        .map(|o| OrderEntry {
            buyer: o.buyer_id.and_then(|i| users.get(&i).cloned()),
            seller: o.seller_id.and_then(|i| users.get(&i).cloned()),
            farm: o.farm_id.and_then(|i| farms.get(&i).cloned()),
            item_count: counts.get(&o.id).copied().unwrap_or(0),
            order: o,
        })
        .collect())
}

async fn item_counts(
    conn: &mut sqlx::AnyConnection,
    orders: &[OrderRow],
) -> Result<HashMap<i64, i64>> {
    if orders.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT order_id, COUNT(*) FROM trade_order_items WHERE order_id IN (");
    sql.bind_list(orders.iter().map(|o| o.id))
        .push(") GROUP BY order_id");
    let rows: Vec<(i64, i64)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ranges_cover_exactly_the_prefix() {
        assert_eq!(prefix_end("ORD2024").as_deref(), Some("ORD2025"));
        assert_eq!(prefix_end("ORD2029").as_deref(), Some("ORD202A"));
        assert_eq!(prefix_end("ORDZ").as_deref(), Some("ORE"));
        assert_eq!(prefix_end("ZZ"), None);
        let end = prefix_end("ORD20240120").unwrap();
        for inside in ["ORD20240120", "ORD202401200001", "ORD2024012099999"] {
            assert!(inside >= "ORD20240120" && inside < end.as_str(), "{inside}");
        }
        assert!("ORD202401210001" >= end.as_str());
    }
}
