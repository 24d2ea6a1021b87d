//! Financial records as an export source: the `admin_v1` record list (§8.1) as rows, with its
//! filters (the list's `summary` is not part of a file).

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::filters::Filters;
use super::model::Cell;
use crate::db::Db;
use crate::db::time::local_seconds;
use crate::domain::livestock::finance_list::{self, RecordFilter, RecordQuery};
use crate::domain::livestock::finance_store::RecordView;
use crate::domain::livestock::refs::UserRef;
use crate::error::Result;

/// The list's scalar fields, then its nested objects' names.
pub const COLUMNS: &[&str] = &[
    "id",
    "record_type",
    "category",
    "amount",
    "description",
    "related_id",
    "related_type",
    "payment_method",
    "receipt_image",
    "record_date",
    "notes",
    "created_at",
    "updated_at",
    "user.username",
    "user.real_name",
    "farm.name",
    "created_by.real_name",
];

/// The list's filters (`page` and `page_size` are accepted and mean nothing here).
const FILTERS: &[&str] = &[
    "record_type",
    "category",
    "user_id",
    "farm_id",
    "start_date",
    "end_date",
    "min_amount",
    "max_amount",
];

/// Checks `filters` by the list's rules.
pub fn filter(filters: &Map<String, Value>, tz: Tz) -> Result<RecordFilter> {
    let mut f = Filters::new(filters, FILTERS);
    let query = RecordQuery {
        record_type: f.text("record_type"),
        category: f.text("category"),
        user_id: f.int("user_id"),
        farm_id: f.int("farm_id"),
        start_date: f.text("start_date"),
        end_date: f.text("end_date"),
        min_amount: f.money("min_amount"),
        max_amount: f.money("max_amount"),
    };
    f.finish(query.parse(tz))
}

pub async fn count(db: &Db, filter: &RecordFilter) -> Result<i64> {
    Ok(finance_list::totals(db, filter).await?.1)
}

/// The next keyset batch after record id `after`, and the last id read.
pub async fn batch(
    db: &Db,
    filter: &RecordFilter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let views = finance_list::batch_after(db, filter, after, limit).await?;
    let last = views.last().map(|v| v.record.id);
    let rows = views
        .iter()
        .map(|v| columns.iter().map(|c| cell(v, c, tz)).collect())
        .collect();
    Ok((rows, last))
}

fn user(u: Option<&UserRef>, pick: fn(&UserRef) -> &String) -> Cell {
    u.map(|u| pick(u).clone()).into()
}

fn cell(v: &RecordView, column: &str, tz: Tz) -> Cell {
    let r = &v.record;
    match column {
        "id" => Cell::Int(r.id),
        "record_type" => Cell::Text(r.record_type.clone()),
        "category" => Cell::Text(r.category.clone()),
        "amount" => r.amount.into(),
        "description" => r.description.clone().into(),
        "related_id" => r.related_id.into(),
        "related_type" => r.related_type.clone().into(),
        "payment_method" => r.payment_method.clone().into(),
        "receipt_image" => r.receipt_image.clone().into(),
        "record_date" => Cell::Text(r.record_date.clone()),
        "notes" => r.notes.clone().into(),
        "created_at" => Cell::Text(local_seconds(r.created_at, tz)),
        "updated_at" => Cell::Text(local_seconds(r.updated_at, tz)),
        "user.username" => user(v.user.as_ref(), |u| &u.username),
        "user.real_name" => user(v.user.as_ref(), |u| &u.real_name),
        "farm.name" => v.farm.as_ref().map(|f| f.name.clone()).into(),
        "created_by.real_name" => user(v.created_by.as_ref(), |u| &u.real_name),
        _ => Cell::Empty,
    }
}
