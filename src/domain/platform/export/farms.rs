//! Farms as an export source: the `admin_v1` farm list (§5.1) as rows, with its filters.

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::filters::Filters;
use super::model::Cell;
use crate::db::Db;
use crate::db::time::local_seconds;
use crate::domain::livestock::farm_list::{self, FarmFilter, FarmItem};
use crate::error::Result;

/// The list's scalar fields, then its nested objects' names.
pub const COLUMNS: &[&str] = &[
    "id",
    "name",
    "code",
    "type",
    "area",
    "capacity",
    "address",
    "province",
    "city",
    "district",
    "status",
    "animal_count",
    "created_at",
    "user.username",
    "user.real_name",
];

/// The list's filters (`page` and `page_size` are accepted and mean nothing here).
const FILTERS: &[&str] = &["keyword", "type", "status", "province", "city", "user_id"];

/// Checks `filters` by the list's rules.
pub fn filter(filters: &Map<String, Value>, _tz: Tz) -> Result<FarmFilter> {
    let mut f = Filters::new(filters, FILTERS);
    let filter = FarmFilter {
        keyword: f.text("keyword"),
        kind: f.text("type"),
        status: f.int("status"),
        province: f.text("province"),
        city: f.text("city"),
        user_id: f.int("user_id"),
    };
    let checked = filter.check().map(|()| filter);
    f.finish(checked)
}

pub async fn count(db: &Db, filter: &FarmFilter) -> Result<i64> {
    farm_list::count(db, filter).await
}

/// The next keyset batch after farm id `after`, and the last id read.
pub async fn batch(
    db: &Db,
    filter: &FarmFilter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let items = farm_list::batch_after(db, filter, after, limit).await?;
    let last = items.last().map(|i| i.farm.id);
    let rows = items
        .iter()
        .map(|i| columns.iter().map(|c| cell(i, c, tz)).collect())
        .collect();
    Ok((rows, last))
}

fn cell(i: &FarmItem, column: &str, tz: Tz) -> Cell {
    let f = &i.farm;
    match column {
        "id" => Cell::Int(f.id),
        "name" => Cell::Text(f.name.clone()),
        "code" => Cell::Text(f.code.clone()),
        "type" => Cell::Text(f.kind.clone()),
        "area" => f.area.into(),
        "capacity" => f.capacity.into(),
        "address" => Cell::Text(f.address.clone()),
        "province" => Cell::Text(f.province.clone()),
        "city" => Cell::Text(f.city.clone()),
        "district" => Cell::Text(f.district.clone()),
        "status" => Cell::Int(f.status),
        "animal_count" => Cell::Int(i.animal_count),
        "created_at" => Cell::Text(local_seconds(f.created_at, tz)),
        "user.username" => Cell::Text(i.owner.username.clone()),
        "user.real_name" => Cell::Text(i.owner.real_name.clone()),
        _ => Cell::Empty,
    }
}
