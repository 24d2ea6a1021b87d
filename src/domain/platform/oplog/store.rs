//! Operation-log rows: batched inserts (tallies kept by a trigger in the same statement), the list
//! with the documented filters, and the retention purge.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::tally::{self, CountPlan, HOUR};
use crate::db::{Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::{Format, Problem, Result};

/// An entry to write. `request_data` / `response_data` are already masked and cut.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub dialect: String,
    pub module: String,
    pub action: String,
    pub method: String,
    pub url: String,
    pub ip: String,
    pub user_agent: Option<String>,
    pub request_data: Option<Value>,
    pub response_data: Option<Value>,
    pub status_code: i64,
    /// Milliseconds from the request's arrival to its answer.
    pub execution_time: i64,
    pub created_at: Timestamp,
}

/// A stored entry, with the acting user's current display name.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub real_name: Option<String>,
    pub entry: NewEntry,
}

const COLUMNS: &str = "user_id, username, dialect, module, action, method, url, ip, user_agent, \
    request_data, response_data, status_code, execution_time, created_at";

fn json_text(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(Value::to_string)
}

/// Writes `entries` in one statement; the table's trigger keeps the tallies (see the
/// migration) in the same statement.
pub async fn insert(db: &Db, entries: &[NewEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut rows = Sql::new(&format!("INSERT INTO operation_logs ({COLUMNS}) VALUES "));
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            rows.push(", ");
        }
        rows.push("(")
            .bind(e.user_id)
            .push(", ")
            .bind(e.username.clone())
            .push(", ")
            .bind(e.dialect.as_str())
            .push(", ")
            .bind(e.module.as_str())
            .push(", ")
            .bind(e.action.as_str())
            .push(", ")
            .bind(e.method.as_str())
            .push(", ")
            .bind(e.url.as_str())
            .push(", ")
            .bind(e.ip.as_str())
            .push(", ")
            .bind(e.user_agent.clone())
            .push(", ")
            .bind(json_text(&e.request_data))
            .push(", ")
            .bind(json_text(&e.response_data))
            .push(", ")
            .bind(e.status_code)
            .push(", ")
            .bind(e.execution_time)
            .push(", ")
            .bind(e.created_at)
            .push(")");
    }
    // One statement, autocommitted: the table's trigger adds the tallies in it.
    rows.query().execute(db.write_pool()).await?;
    Ok(())
}

/// The documented filters of `GET /system/operation-logs`; times are `[from, to)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub user_id: Option<i64>,
    pub module: Option<String>,
    pub action: Option<String>,
    pub ip: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// The list's query parameters as sent, before the rules.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub user_id: Option<i64>,
    pub module: Option<String>,
    pub action: Option<String>,
    pub ip: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl Query {
    /// The filter, or every bad parameter by name (the list and its export both ask).
    pub fn parse(self, tz: chrono_tz::Tz) -> Result<Filter> {
        let mut v = crate::error::Violations::new();
        if self.user_id.is_some_and(|u| u < 1) {
            v.add("user_id", Problem::AtLeast { min: 1 });
        }
        let dates = v.check(date_range(
            self.start_date.as_deref(),
            self.end_date.as_deref(),
            tz,
        ))?;
        v.into_result()?;
        let (from, to) = dates.unwrap_or_default();
        let text = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Filter {
            user_id: self.user_id,
            module: text(self.module),
            action: text(self.action),
            ip: text(self.ip),
            from,
            to,
        })
    }
}

impl Filter {
    /// The one equality filter, as a tally dimension; `Some(None)` for none at all, `None`
    /// for two or more (counted exactly instead).
    fn single(&self) -> Option<Option<(&'static str, String)>> {
        let set: Vec<(&'static str, String)> = [
            self.user_id.map(|u| (tally::USER, u.to_string())),
            self.module.clone().map(|m| (tally::MODULE, m)),
            self.action.clone().map(|a| (tally::ACTION, a)),
            self.ip.clone().map(|i| (tally::IP, i)),
        ]
        .into_iter()
        .flatten()
        .collect();
        match set.len() {
            0 => Some(None),
            1 => set.into_iter().next().map(Some),
            _ => None,
        }
    }
}

/// The `[from, to)` of `start_date` / `end_date` as sent, read in `tz`. An end given as a
/// date includes that whole day; an end with a time includes that instant (an end before the
/// start matches nothing). Unreadable dates name their field.
pub fn date_range(
    start: Option<&str>,
    end: Option<&str>,
    tz: chrono_tz::Tz,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    let mut v = crate::error::Violations::new();
    let from = start.and_then(|s| {
        let t = crate::db::time::parse(s, tz);
        if t.is_none() {
            v.add("start_date", Problem::BadFormat(Format::DateTime));
        }
        t
    });
    let to = end.and_then(|e| {
        let t = crate::db::time::bound(e, tz, true);
        if t.is_none() {
            v.add("end_date", Problem::BadFormat(Format::DateTime));
        }
        t
    });
    v.into_result()?;
    Ok((from, to))
}

/// `WHERE …` for the equality filters and a time range.
fn push_where(sql: &mut Sql, f: &Filter, from: Option<Timestamp>, to: Option<Timestamp>) {
    push_where_on(sql, f, from, to, "");
}

/// [`push_where`] with the columns qualified by `t` (`"l."` or `""`).
fn push_where_on(
    sql: &mut Sql,
    f: &Filter,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    t: &str,
) {
    sql.push(" WHERE 1 = 1");
    if let Some(u) = f.user_id {
        sql.push(&format!(" AND {t}user_id = ")).bind(u);
    }
    if let Some(m) = &f.module {
        sql.push(&format!(" AND {t}module = ")).bind(m.as_str());
    }
    if let Some(a) = &f.action {
        sql.push(&format!(" AND {t}action = ")).bind(a.as_str());
    }
    if let Some(ip) = &f.ip {
        sql.push(&format!(" AND {t}ip = ")).bind(ip.as_str());
    }
    if let Some(from) = from {
        sql.push(&format!(" AND {t}created_at >= ")).bind(from);
    }
    if let Some(to) = to {
        sql.push(&format!(" AND {t}created_at < ")).bind(to);
    }
}

async fn count_exact(
    db: &Db,
    f: &Filter,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM operation_logs");
    push_where(&mut sql, f, from, to);
    Ok(sql.query_scalar::<i64>().fetch_one(db.pool()).await?)
}

/// How many entries match `f`: day and hour tallies plus exact edges for at most one
/// equality filter (one statement, one round trip), an exact count otherwise.
pub async fn count(db: &Db, f: &Filter) -> Result<i64> {
    let Some(dim) = f.single() else {
        return count_exact(db, f, f.from, f.to).await;
    };
    let (dim, val) = dim.unwrap_or((tally::ALL, String::new()));
    let CountPlan { days, hours, exact } = tally::plan(f.from, f.to);
    let mut sql = Sql::new("SELECT CAST(0");
    if let Some((lo, hi)) = days {
        sql.push(" + (SELECT COALESCE(SUM(n), 0) FROM operation_log_day_tallies WHERE dim = ")
            .bind(dim)
            .push(" AND val = ")
            .bind(val.as_str());
        if let Some(lo) = lo {
            sql.push(" AND day >= ").bind(lo);
        }
        if let Some(hi) = hi {
            sql.push(" AND day < ").bind(hi);
        }
        sql.push(")");
    }
    for (lo, hi) in hours.into_iter().flatten() {
        sql.push(" + (SELECT COALESCE(SUM(n), 0) FROM operation_log_tallies WHERE dim = ")
            .bind(dim)
            .push(" AND val = ")
            .bind(val.as_str())
            .push(" AND hour >= ")
            .bind(lo)
            .push(" AND hour < ")
            .bind(hi)
            .push(")");
    }
    for (a, b) in exact.into_iter().flatten() {
        sql.push(" + (SELECT COUNT(*) FROM operation_logs");
        push_where(&mut sql, f, Some(a), Some(b));
        sql.push(")");
    }
    sql.push(" AS BIGINT)");
    Ok(sql.query_scalar::<i64>().fetch_one(db.pool()).await?)
}

/// One page of matching entries, newest first, and the total.
pub async fn list(db: &Db, f: &Filter, page: Page) -> Result<(Vec<Entry>, i64)> {
    let total = count(db, f).await?;
    if total == 0 || page.offset() >= total {
        return Ok((Vec::new(), total));
    }
    // The page is picked from one index (filter, created_at, id) before the user join.
    let mut sql = Sql::new(&format!(
        "SELECT l.id, {}, u.display_name AS real_name FROM (SELECT id, {COLUMNS} FROM operation_logs",
        crate::db::qualify(COLUMNS, "l")
    ));
    push_where(&mut sql, f, f.from, f.to);
    sql.push(" ORDER BY created_at DESC, id DESC")
        .window(Some(page.window()))
        .push(") l LEFT JOIN users u ON u.id = l.user_id ORDER BY l.created_at DESC, l.id DESC");
    let rows = sql.query().fetch_all(db.pool()).await?;
    let list = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    Ok((list, total))
}

/// Up to `limit` matching entries with ids above `after`, in id order (a keyset batch).
pub async fn batch_after(db: &Db, f: &Filter, after: i64, limit: i64) -> Result<Vec<Entry>> {
    let mut sql = Sql::new(&format!(
        "SELECT l.id, {}, u.display_name AS real_name FROM operation_logs l \
         LEFT JOIN users u ON u.id = l.user_id",
        crate::db::qualify(COLUMNS, "l")
    ));
    push_where_on(&mut sql, f, f.from, f.to, "l.");
    sql.push(" AND l.id > ")
        .bind(after)
        .push(" ORDER BY l.id LIMIT ")
        .bind(limit);
    let rows = sql.query().fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &AnyRow) -> Result<Entry> {
    let json = |col: &str| -> Result<Option<Value>> {
        let text: Option<String> = row.try_get(col)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    };
    Ok(Entry {
        id: row.try_get("id")?,
        real_name: row.try_get("real_name")?,
        entry: NewEntry {
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            dialect: row.try_get("dialect")?,
            module: row.try_get("module")?,
            action: row.try_get("action")?,
            method: row.try_get("method")?,
            url: row.try_get("url")?,
            ip: row.try_get("ip")?,
            user_agent: row.try_get("user_agent")?,
            request_data: json("request_data")?,
            response_data: json("response_data")?,
            status_code: row.try_get("status_code")?,
            execution_time: row.try_get("execution_time")?,
            created_at: row.try_get("created_at")?,
        },
    })
}

/// Rows deleted per statement of the purge, so a big purge never holds the writer long.
const PURGE_CHUNK: i64 = 5_000;

/// Deletes entries older than `retention_days` (from the start of the hour the cutoff falls
/// in); the delete trigger keeps the tallies. Answers how many entries went.
pub async fn purge(db: &Db, now: Timestamp, retention_days: i64) -> Result<u64> {
    let cutoff = tally::hour_of(now - retention_days.max(1) * 24 * HOUR) * HOUR;
    let mut gone = 0;
    loop {
        let done = sqlx::query(
            "DELETE FROM operation_logs WHERE id IN \
             (SELECT id FROM operation_logs WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
        )
        .bind(cutoff)
        .bind(PURGE_CHUNK)
        .execute(db.write_pool())
        .await?
        .rows_affected();
        gone += done;
        if done < PURGE_CHUNK as u64 {
            break;
        }
    }
    // The delete trigger has already taken the entries out of the tallies (exact at every
    // chunk); what is left before the cutoff is rows at zero, dropped only when a pass
    // deleted something (the hour table has no index on `hour` alone).
    if gone > 0 {
        let hour = tally::hour_of(cutoff);
        sqlx::query("DELETE FROM operation_log_tallies WHERE hour < $1 AND n = 0")
            .bind(hour)
            .execute(db.write_pool())
            .await?;
        sqlx::query("DELETE FROM operation_log_day_tallies WHERE day < $1 AND n = 0")
            .bind(tally::day_of_hour(hour))
            .execute(db.write_pool())
            .await?;
    }
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_dates_include_their_whole_day() {
        let utc = chrono_tz::UTC;
        let (from, to) = date_range(Some("2026-01-20"), Some("2026-01-20"), utc).unwrap();
        assert_eq!(to.unwrap() - from.unwrap(), 24 * HOUR);
        let (_, to) = date_range(None, Some("2026-01-20 10:00:00"), utc).unwrap();
        assert_eq!(
            to,
            crate::db::time::parse("2026-01-20 10:00:00", utc).map(|t| t + 1)
        );
        let shanghai: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        let (from, _) = date_range(Some("2026-01-20"), None, shanghai).unwrap();
        assert_eq!(
            crate::db::time::rfc3339(from.unwrap()),
            "2026-01-19T16:00:00Z"
        );
    }

    #[test]
    fn bad_dates_name_their_field() {
        let utc = chrono_tz::UTC;
        let err = date_range(Some("yesterday"), None, utc).unwrap_err();
        assert_eq!(err.first_field().unwrap().field, "start_date");
        let err = date_range(None, Some("2026-13-01"), utc).unwrap_err();
        assert_eq!(err.first_field().unwrap().field, "end_date");
    }
}
