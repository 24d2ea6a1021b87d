//! Orders as an export source: the `admin_v1` order list (§7.1) as rows, with its filters.

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::filters::Filters;
use super::model::Cell;
use crate::db::Db;
use crate::db::time::local_seconds;
use crate::domain::livestock::order_list::{self, OrderEntry, OrderFilter, OrderQuery};
use crate::domain::livestock::refs::UserRef;
use crate::error::Result;

/// The list's scalar fields, then its nested objects' names.
pub const COLUMNS: &[&str] = &[
    "id",
    "order_no",
    "order_type",
    "total_amount",
    "discount_amount",
    "shipping_fee",
    "actual_amount",
    "payment_method",
    "payment_status",
    "order_status",
    "item_count",
    "paid_at",
    "created_at",
    "buyer.username",
    "buyer.real_name",
    "seller.username",
    "seller.real_name",
    "farm.name",
];

/// The list's filters (`page` and `page_size` are accepted and mean nothing here).
const FILTERS: &[&str] = &[
    "keyword",
    "order_type",
    "order_status",
    "payment_status",
    "buyer_id",
    "seller_id",
    "farm_id",
    "start_date",
    "end_date",
];

/// Checks `filters` by the list's rules.
pub fn filter(filters: &Map<String, Value>, tz: Tz) -> Result<OrderFilter> {
    let mut f = Filters::new(filters, FILTERS);
    let query = OrderQuery {
        keyword: f.text("keyword"),
        order_type: f.text("order_type"),
        order_status: f.text("order_status"),
        payment_status: f.text("payment_status"),
        buyer_id: f.int("buyer_id"),
        seller_id: f.int("seller_id"),
        farm_id: f.int("farm_id"),
        start_date: f.text("start_date"),
        end_date: f.text("end_date"),
    };
    f.finish(query.parse(tz))
}

pub async fn count(db: &Db, filter: &OrderFilter) -> Result<i64> {
    order_list::count(db, filter).await
}

/// The next keyset batch after order id `after`, and the last id read.
pub async fn batch(
    db: &Db,
    filter: &OrderFilter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let entries = order_list::batch_after(db, filter, after, limit).await?;
    let last = entries.last().map(|e| e.order.id);
    let rows = entries
        .iter()
        .map(|e| columns.iter().map(|c| cell(e, c, tz)).collect())
        .collect();
    Ok((rows, last))
}

fn username(u: Option<&UserRef>) -> Cell {
    u.map(|u| u.username.clone()).into()
}

fn real_name(u: Option<&UserRef>) -> Cell {
    u.map(|u| u.real_name.clone()).into()
}

fn cell(e: &OrderEntry, column: &str, tz: Tz) -> Cell {
    let o = &e.order;
    match column {
        "id" => Cell::Int(o.id),
        "order_no" => Cell::Text(o.order_no.clone()),
        "order_type" => Cell::Text(o.order_type.clone()),
        "total_amount" => o.total_amount.into(),
        "discount_amount" => o.discount_amount.into(),
        "shipping_fee" => o.shipping_fee.into(),
        "actual_amount" => o.actual_amount.into(),
        "payment_method" => o.payment_method.clone().into(),
        "payment_status" => Cell::Text(o.payment_status.as_str().to_owned()),
        "order_status" => Cell::Text(o.order_status.as_str().to_owned()),
        "item_count" => Cell::Int(e.item_count),
        "paid_at" => o.paid_at.map(|t| local_seconds(t, tz)).into(),
        "created_at" => Cell::Text(local_seconds(o.created_at, tz)),
        "buyer.username" => username(e.buyer.as_ref()),
        "buyer.real_name" => real_name(e.buyer.as_ref()),
        "seller.username" => username(e.seller.as_ref()),
        "seller.real_name" => real_name(e.seller.as_ref()),
        "farm.name" => e.farm.as_ref().map(|f| f.name.clone()).into(),
        _ => Cell::Empty,
    }
}
