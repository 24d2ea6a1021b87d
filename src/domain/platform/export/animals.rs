//! Animals as an export source: the `admin_v1` animal list (§6.1) as rows, with its filters.

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::filters::Filters;
use super::model::Cell;
use crate::db::Db;
use crate::db::time::local_seconds;
use crate::domain::livestock::animal_list::{self, AnimalFilter};
use crate::domain::livestock::animals::AnimalItem;
use crate::error::Result;

/// The list's scalar fields, then its nested objects' names.
pub const COLUMNS: &[&str] = &[
    "id",
    "code",
    "name",
    "breed",
    "gender",
    "birth_date",
    "age_days",
    "weight",
    "health_status",
    "status",
    "purchase_price",
    "current_value",
    "created_at",
    "farm.name",
    "category.name",
];

/// The list's filters (`page` and `page_size` are accepted and mean nothing here).
const FILTERS: &[&str] = &[
    "keyword",
    "farm_id",
    "category_id",
    "breed",
    "gender",
    "health_status",
    "status",
];

/// Checks `filters` by the list's rules.
pub fn filter(filters: &Map<String, Value>, _tz: Tz) -> Result<AnimalFilter> {
    let mut f = Filters::new(filters, FILTERS);
    let filter = AnimalFilter {
        keyword: f.text("keyword"),
        farm_id: f.int("farm_id"),
        category_id: f.int("category_id"),
        breed: f.text("breed"),
        gender: f.int("gender"),
        health_status: f.text("health_status"),
        status: f.int("status"),
    };
    let checked = filter.check().map(|()| filter);
    f.finish(checked)
}

pub async fn count(db: &Db, filter: &AnimalFilter) -> Result<i64> {
    animal_list::count(db, filter).await
}

/// The next keyset batch after animal id `after`, and the last id read.
pub async fn batch(
    db: &Db,
    filter: &AnimalFilter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let items = animal_list::batch_after(db, filter, after, limit).await?;
    let last = items.last().map(|i| i.animal.id);
    // Ages as the list shows them today (server.timezone).
    let today = Utc::now().with_timezone(&tz).date_naive();
    let rows = items
        .iter()
        .map(|i| columns.iter().map(|c| cell(i, c, today, tz)).collect())
        .collect();
    Ok((rows, last))
}

fn cell(i: &AnimalItem, column: &str, today: NaiveDate, tz: Tz) -> Cell {
    let a = &i.animal;
    match column {
        "id" => Cell::Int(a.id),
        "code" => Cell::Text(a.code.clone()),
        "name" => Cell::Text(a.name.clone()),
        "breed" => Cell::Text(a.breed.clone()),
        "gender" => Cell::Int(a.gender),
        "birth_date" => a.birth_date.clone().into(),
        "age_days" => a.age_days(today).into(),
        "weight" => a.weight.into(),
        "health_status" => Cell::Text(a.health_status.clone()),
        "status" => Cell::Int(a.status),
        "purchase_price" => a.purchase_price.into(),
        "current_value" => a.current_value.into(),
        "created_at" => Cell::Text(local_seconds(a.created_at, tz)),
        "farm.name" => Cell::Text(i.farm.name.clone()),
        "category.name" => Cell::Text(i.category.name.clone()),
        _ => Cell::Empty,
    }
}
