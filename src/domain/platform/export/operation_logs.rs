//! The operation log as an export source: the `admin_v1` log list (§9.2.1) as rows, with its
//! filters. Request and response bodies are written as the (already masked) JSON text.

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::filters::Filters;
use super::model::Cell;
use crate::db::Db;
use crate::db::time::local_seconds;
use crate::domain::platform::oplog::store::{self, Query};
use crate::domain::platform::oplog::{Entry, Filter};
use crate::error::Result;

/// The list's scalar fields, then its nested object's names.
pub const COLUMNS: &[&str] = &[
    "id",
    "dialect",
    "module",
    "action",
    "method",
    "url",
    "ip",
    "user_agent",
    "request_data",
    "response_data",
    "status_code",
    "execution_time",
    "created_at",
    "user.username",
    "user.real_name",
];

/// The list's filters (`page` and `page_size` are accepted and mean nothing here).
const FILTERS: &[&str] = &[
    "user_id",
    "module",
    "action",
    "ip",
    "start_date",
    "end_date",
];

/// Checks `filters` by the list's rules.
pub fn filter(filters: &Map<String, Value>, tz: Tz) -> Result<Filter> {
    let mut f = Filters::new(filters, FILTERS);
    let query = Query {
        user_id: f.int("user_id"),
        module: f.text("module"),
        action: f.text("action"),
        ip: f.text("ip"),
        start_date: f.text("start_date"),
        end_date: f.text("end_date"),
    };
    f.finish(query.parse(tz))
}

pub async fn count(db: &Db, filter: &Filter) -> Result<i64> {
    store::count(db, filter).await
}

/// The next keyset batch after entry id `after`, and the last id read.
pub async fn batch(
    db: &Db,
    filter: &Filter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let entries = store::batch_after(db, filter, after, limit).await?;
    let last = entries.last().map(|e| e.id);
    let rows = entries
        .iter()
        .map(|e| columns.iter().map(|c| cell(e, c, tz)).collect())
        .collect();
    Ok((rows, last))
}

fn json(v: Option<&Value>) -> Cell {
    v.map(Value::to_string).into()
}

fn cell(e: &Entry, column: &str, tz: Tz) -> Cell {
    let n = &e.entry;
    match column {
        "id" => Cell::Int(e.id),
        "dialect" => Cell::Text(n.dialect.clone()),
        "module" => Cell::Text(n.module.clone()),
        "action" => Cell::Text(n.action.clone()),
        "method" => Cell::Text(n.method.clone()),
        "url" => Cell::Text(n.url.clone()),
        "ip" => Cell::Text(n.ip.clone()),
        "user_agent" => n.user_agent.clone().into(),
        "request_data" => json(n.request_data.as_ref()),
        "response_data" => json(n.response_data.as_ref()),
        "status_code" => Cell::Int(n.status_code),
        "execution_time" => Cell::Int(n.execution_time),
        "created_at" => Cell::Text(local_seconds(n.created_at, tz)),
        // The list shows a user only for entries with an acting user id.
        "user.username" => n.user_id.and(n.username.clone()).into(),
        "user.real_name" => n.user_id.and(e.real_name.clone()).into(),
        _ => Cell::Empty,
    }
}
