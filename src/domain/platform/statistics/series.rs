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

/// The grouped sums of the intervals (`kind` 0, `grp` = group number from `$1` in groups of
/// `$2` buckets, rows of `$3` in `[$4, $5)`), then the all-time total (`kind` 1) and Σ of the
/// buckets at or after `$6` (`kind` 2), in one statement: one round trip per metric. The two
/// variants differ only in the table the intervals are summed from.
macro_rules! window_sql {
    ($intervals:literal) => {
        concat!(
            $intervals,
            " UNION ALL SELECT CAST(1 AS BIGINT), CAST(0 AS BIGINT), CAST(items AS BIGINT), \
            CAST(amount AS BIGINT) FROM stat_totals WHERE metric = $3 \
            UNION ALL SELECT CAST(2 AS BIGINT), CAST(0 AS BIGINT), \
            CAST(COALESCE(SUM(items), 0) AS BIGINT), CAST(COALESCE(SUM(amount), 0) AS BIGINT) \
            FROM stat_buckets WHERE metric = $3 AND bucket >= $6"
        )
    };
}

/// `window_sql!` over the hourly sums (`stat_hours`, kept with the buckets; `$4`/`$5` are
/// hours).
const WINDOW_BY_HOUR: &str = window_sql!(
    "SELECT CAST(0 AS BIGINT) AS kind, (hour * 4 - $1) / $2 AS grp, \
    CAST(SUM(items) AS BIGINT) AS items, CAST(SUM(amount) AS BIGINT) AS amount \
    FROM stat_hours WHERE metric = $3 AND hour >= $4 AND hour < $5 GROUP BY 2"
);

/// `window_sql!` over the 15-minute buckets (`$4`/`$5` are buckets).
const WINDOW_BY_BUCKET: &str = window_sql!(
    "SELECT CAST(0 AS BIGINT) AS kind, (bucket - $1) / $2 AS grp, \
    CAST(SUM(items) AS BIGINT) AS items, CAST(SUM(amount) AS BIGINT) AS amount \
    FROM stat_buckets WHERE metric = $3 AND bucket >= $4 AND bucket < $5 GROUP BY 2"
);

/// What one window statement answers.
struct Sums {
    /// Σ per interval `[boundaries[i], boundaries[i + 1])`.
    intervals: Vec<Tally>,
    total: Tally,
    /// Σ of every bucket at or after the last boundary.
    after: Tally,
}

/// [`Sums`] of `metric` for `boundaries`, in one statement.
///
/// The database groups the buckets as coarsely as the boundaries allow (one row per local day
/// in zones without daylight saving), so a year returns about 365 rows per metric; it reads
/// the hourly sums (24 a day) when every interval starts on a whole hour, else the 15-minute
/// buckets (96 a day).
async fn sums(db: &Db, metric: Metric, boundaries: &[i64]) -> Result<Sums> {
    let n = boundaries.len().saturating_sub(1);
    let mut out = Sums {
        intervals: vec![Tally::default(); n],
        total: Tally::default(),
        after: Tally::default(),
    };
    let (Some(&lo), Some(&hi)) = (boundaries.first(), boundaries.last()) else {
        out.total = total(db, metric).await?;
        return Ok(out);
    };
    let g = group_size(boundaries);
    let by_hour = g % 4 == 0 && lo.rem_euclid(4) == 0;
    let (sql, unit) = if by_hour {
        (WINDOW_BY_HOUR, 4)
    } else {
        (WINDOW_BY_BUCKET, 1)
    };
    let rows = sqlx::query(sql)
        .bind(lo)
        .bind(g)
        .bind(metric.as_str())
        .bind(lo / unit)
        .bind(hi / unit)
        .bind(hi)
        .fetch_all(db.pool())
        .await?;
    for row in rows {
        let t = Tally {
            items: row.try_get("items")?,
            amount: row.try_get("amount")?,
        };
        match row.try_get::<i64, _>("kind")? {
            1 => out.total = t,
            2 => out.after = t,
            _ => {
                let start = lo + row.try_get::<i64, _>("grp")? * g;
                // The interval whose start is the last one at or before `start`.
                let i = boundaries
                    .partition_point(|b| *b <= start)
                    .saturating_sub(1);
                if let Some(slot) = out.intervals.get_mut(i) {
                    *slot += t;
                }
            }
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

/// `metric` over `period` (see [`Window`]), in one statement.
pub async fn window(db: &Db, metric: Metric, period: &Period) -> Result<Window> {
    let prev = period.previous();
    let mut boundaries = vec![prev.day_start_bucket(prev.first)];
    boundaries.extend(period.boundaries());
    let Sums {
        intervals: mut t,
        total,
        after,
    } = sums(db, metric, &boundaries).await?;
    let previous = if t.is_empty() {
        Tally::default()
    } else {
        t.remove(0)
    };
    let mut w = Window {
        previous,
        days: t,
        before: Tally::default(),
        total,
    };
    w.before = total - w.current() - after;
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
