//! Order numbers: `ORD` + the local creation date + a per-day sequence of at least four digits
//! (`ORD202401200001`).
//!
//! The sequence comes from one counter row per day, incremented by the create's own
//! transaction as its first statement. That statement takes the write lock (SQLite) or the
//! row lock (PostgreSQL), so concurrent creates of one day are numbered one after the other,
//! and a create that fails rolls its increment back: numbers are unique and have no gaps.

use chrono::NaiveDate;
use sqlx::AnyConnection;

use crate::error::Result;

pub fn format(day: NaiveDate, seq: i64) -> String {
    format!("ORD{}{seq:04}", day.format("%Y%m%d"))
}

/// The counter key of a day.
pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Takes the next number of `day`.
pub async fn next(conn: &mut AnyConnection, day: NaiveDate) -> Result<String> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO trade_order_counters (day, last_seq) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_seq = trade_order_counters.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(day_key(day))
    .fetch_one(conn)
    .await?;
    Ok(format(day, seq))
}

/// Reserves `count` numbers of `day` at once (bulk seeding); answers the first sequence.
pub async fn reserve(conn: &mut AnyConnection, day: NaiveDate, count: i64) -> Result<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO trade_order_counters (day, last_seq) VALUES ($1, $2) \
         ON CONFLICT (day) DO UPDATE SET last_seq = trade_order_counters.last_seq + $2 \
         RETURNING last_seq",
    )
    .bind(day_key(day))
    .bind(count)
    .fetch_one(conn)
    .await?;
    Ok(last - count + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_look_like_the_document() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 20).unwrap();
        assert_eq!(format(day, 1), "ORD202401200001");
        assert_eq!(format(day, 12345), "ORD2024012012345");
    }
}
