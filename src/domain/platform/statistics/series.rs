//! Reading the counters: totals, sums per local day, sums from a bucket on.

use sqlx::Row;

use super::period::Period;
use crate::db::Db;
use crate::error::Result;

/// A metric of the counter tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Users,
    /// Users by the bucket of their last login.
    Logins,
    Farms,
    Animals,
    Orders,
    /// Paid orders (amount = Σ actual_amount).
    Revenue,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Users => "users",
            Metric::Logins => "logins",
            Metric::Farms => "farms",
            Metric::Animals => "animals",
            Metric::Orders => "orders",
            Metric::Revenue => "revenue",
        }
    }
}

/// A count and a sum (fen; zero for metrics without an amount).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub items: i64,
    pub amount: i64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.items += o.items;
        self.amount += o.amount;
    }
}

impl std::ops::Sub for Tally {
    type Output = Tally;
    fn sub(self, o: Tally) -> Tally {
        Tally {
            items: self.items - o.items,
            amount: self.amount - o.amount,
        }
    }
}

/// The all-time tally of `metric`.
pub async fn total(db: &Db, metric: Metric) -> Result<Tally> {
    let row = sqlx::query("SELECT items, amount FROM stat_totals WHERE metric = $1")
        .bind(metric.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => Tally {
            items: r.try_get("items")?,
            amount: r.try_get("amount")?,
        },
        None => Tally::default(),
    })
}

/// Σ of every bucket at or after `bucket`.
pub async fn since(db: &Db, metric: Metric, bucket: i64) -> Result<Tally> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(items), 0) AS BIGINT) AS items, \
         CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount \
         FROM stat_buckets WHERE metric = $1 AND bucket >= $2",
    )
    .bind(metric.as_str())
    .bind(bucket)
    .fetch_one(db.pool())
    .await?;
    Ok(Tally {
        items: row.try_get("items")?,
        amount: row.try_get("amount")?,
    })
}

/// The coarsest group size (in buckets) whose groups never straddle a boundary: a day (96)
/// when every boundary has the same phase, otherwise an hour (4), otherwise single buckets
/// (time zones whose offset changes by 30 or 45 minutes).
fn group_size(boundaries: &[i64]) -> i64 {
    let first = boundaries.first().copied().unwrap_or(0);
    [96, 4, 1]
        .into_iter()
        .find(|g| boundaries.iter().all(|b| (b - first).rem_euclid(*g) == 0))
        .unwrap_or(1)
}

/// Σ per interval `[boundaries[i], boundaries[i + 1])`; one answer per interval.
///
/// The database groups the buckets as coarsely as the boundaries allow (one row per local day
/// in zones without daylight saving), so a year returns about 365 rows per metric; it reads
/// the hourly sums (24 a day) when every interval starts on a whole hour, else the 15-minute
/// buckets (96 a day).
pub async fn per_interval(db: &Db, metric: Metric, boundaries: &[i64]) -> Result<Vec<Tally>> {
    let n = boundaries.len().saturating_sub(1);
    let mut out = vec![Tally::default(); n];
    let (Some(&lo), Some(&hi)) = (boundaries.first(), boundaries.last()) else {
        return Ok(out);
    };
    let g = group_size(boundaries);
    // Whole hours (`stat_hours`, kept with the buckets) when every interval starts on one.
    let rows = if g % 4 == 0 && lo.rem_euclid(4) == 0 {
        sqlx::query(
            "SELECT (hour * 4 - $1) / $2 AS grp, CAST(SUM(items) AS BIGINT) AS items, \
             CAST(SUM(amount) AS BIGINT) AS amount FROM stat_hours \
             WHERE metric = $3 AND hour >= $4 AND hour < $5 GROUP BY 1",
        )
        .bind(lo)
        .bind(g)
        .bind(metric.as_str())
        .bind(lo / 4)
        .bind(hi / 4)
        .fetch_all(db.pool())
        .await?
    } else {
        sqlx::query(
            "SELECT (bucket - $1) / $2 AS grp, CAST(SUM(items) AS BIGINT) AS items, \
             CAST(SUM(amount) AS BIGINT) AS amount FROM stat_buckets \
             WHERE metric = $3 AND bucket >= $4 AND bucket < $5 GROUP BY 1",
        )
        .bind(lo)
        .bind(g)
        .bind(metric.as_str())
        .bind(lo)
        .bind(hi)
        .fetch_all(db.pool())
        .await?
    };
    for row in rows {
        let start = lo + row.try_get::<i64, _>("grp")? * g;
        // The interval whose start is the last one at or before `start`.
        let i = boundaries
            .partition_point(|b| *b <= start)
            .saturating_sub(1);
        if let Some(slot) = out.get_mut(i) {
            *slot += Tally {
                items: row.try_get("items")?,
                amount: row.try_get("amount")?,
            };
        }
    }
    Ok(out)
}

/// One metric over a period: the previous period of the same length, every day, and what
/// came before — read with one grouped scan of the period's buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub previous: Tally,
    pub days: Vec<Tally>,
    /// Everything before the first day.
    pub before: Tally,
    pub total: Tally,
}

impl Window {
    /// Σ of the period's days.
    pub fn current(&self) -> Tally {
        let mut t = Tally::default();
        for d in &self.days {
            t += *d;
        }
        t
    }

    /// Running totals at the end of each day.
    pub fn running(&self) -> Vec<Tally> {
        let mut acc = self.before;
        self.days
            .iter()
            .map(|d| {
                acc += *d;
                acc
            })
            .collect()
    }
}

/// `metric` over `period` (see [`Window`]).
pub async fn window(db: &Db, metric: Metric, period: &Period) -> Result<Window> {
    let prev = period.previous();
    let mut boundaries = vec![prev.day_start_bucket(prev.first)];
    boundaries.extend(period.boundaries());
    let mut t = per_interval(db, metric, &boundaries).await?;
    let previous = if t.is_empty() {
        Tally::default()
    } else {
        t.remove(0)
    };
    let hi = boundaries.last().copied().unwrap_or(0);
    let total = total(db, metric).await?;
    let mut w = Window {
        previous,
        days: t,
        before: Tally::default(),
        total,
    };
    w.before = total - w.current() - since(db, metric, hi).await?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_as_coarse_as_the_boundaries_allow() {
        assert_eq!(group_size(&[0, 96, 192]), 96);
        // A daylight-saving day of 23 hours.
        assert_eq!(group_size(&[0, 96, 188, 284]), 4);
        // A 30-minute shift.
        assert_eq!(group_size(&[0, 96, 190]), 1);
    }
}
