//! Financial statistics (admin_v1 §8.2): the summary, income and expense by category, and a
//! trend with one row per day, month or year of the range, zeros included.
//!
//! Decisions the document leaves open:
//! * Range: `start_date`..=`end_date` (record dates, which are days in server.timezone).
//!   Without `end_date` it ends today; without `start_date` it covers the last 30 days
//!   (`day`), the last 12 months (`month`, the default) or the last 5 years (`year`), ending
//!   with the end date's bucket.
//! * `percentage` of a category is its share of that type's total in hundredths, rounded by
//!   largest remainder so that one breakdown adds up to exactly 100.00; with a total of zero
//!   every share is 0.00.
//! * `profit_margin` = net profit / income × 100, rounded half away from zero to two
//!   decimals; with no income it is 0.00 (growth from zero has no ratio: one answer, zero).
//! * Without `user_id`/`farm_id` the figures come from the per-day rollup; with `user_id`
//!   alone from the per-party per-day rollup (`financial_party_days`); with `farm_id`, from
//!   the records of that farm (through its index).

use std::collections::HashMap;

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::finance::date_text;
use super::finance_list::Summary;
use super::money::Money;
use crate::db::{Db, Sql};
use crate::error::{Error, Problem, Result, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Month,
    Year,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(GroupBy::Day),
            "month" => Some(GroupBy::Month),
            "year" => Some(GroupBy::Year),
            _ => None,
        }
    }

    /// Length of the `YYYY-MM-DD` prefix that names a bucket.
    fn width(self) -> i64 {
        match self {
            GroupBy::Day => 10,
            GroupBy::Month => 7,
            GroupBy::Year => 4,
        }
    }
}

/// Most buckets one trend may have.
pub const MAX_BUCKETS: usize = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub user_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub group_by: GroupBy,
}

/// The range a query covers (see the module notes). `start` after `end` is a violation.
pub fn range(
    group_by: GroupBy,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate)> {
    let end = end.unwrap_or(today);
    let start = match start {
        Some(s) => s,
        None => match group_by {
            GroupBy::Day => end - Duration::days(29),
            GroupBy::Month => end
                .with_day(1)
                .and_then(|d| d.checked_sub_months(Months::new(11)))
                .unwrap_or(end),
            GroupBy::Year => NaiveDate::from_ymd_opt(end.year() - 4, 1, 1).unwrap_or(end),
        },
    };
    if start > end {
        return Err(Error::invalid(
            "start_date",
            Problem::Rule(Rule::StartAfterEnd),
        ));
    }
    if buckets(group_by, start, end).len() > MAX_BUCKETS {
        return Err(Error::invalid(
            "start_date",
            Problem::Rule(Rule::RangeTooLarge),
        ));
    }
    Ok((start, end))
}

/// Every bucket label from `start` to `end`, in order.
pub fn buckets(group_by: GroupBy, start: NaiveDate, end: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = match group_by {
        GroupBy::Day => start,
        GroupBy::Month => start.with_day(1).unwrap_or(start),
        GroupBy::Year => NaiveDate::from_ymd_opt(start.year(), 1, 1).unwrap_or(start),
    };
    while d <= end && out.len() <= MAX_BUCKETS {
        let label = date_text(d);
        out.push(label[..group_by.width() as usize].to_owned());
        d = match group_by {
            GroupBy::Day => d + Duration::days(1),
            GroupBy::Month => match d.checked_add_months(Months::new(1)) {
                Some(n) => n,
                None => break,
            },
            GroupBy::Year => match NaiveDate::from_ymd_opt(d.year() + 1, 1, 1) {
                Some(n) => n,
                None => break,
            },
        };
    }
    out
}

/// Shares of `amounts` in hundredths of a percent, by largest remainder: each share is the
/// floor of its exact value, and the hundredths left over go to the largest remainders (ties:
/// the earlier entry), so the shares add up to exactly 10000 when the total is positive.
pub fn shares(amounts: &[i64]) -> Vec<i64> {
    let total: i128 = amounts.iter().map(|&a| i128::from(a.max(0))).sum();
    if total == 0 {
        return vec![0; amounts.len()];
    }
    let exact: Vec<(i128, i128)> = amounts
        .iter()
        .map(|&a| {
            let scaled = i128::from(a.max(0)) * 10_000;
            (scaled / total, scaled % total)
        })
        .collect();
    let mut out: Vec<i64> = exact.iter().map(|&(q, _)| q as i64).collect();
    let left = 10_000 - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for &i in order.iter().take(left.max(0) as usize) {
        out[i] += 1;
    }
    out
}

/// Net profit / income in hundredths of a percent, rounded half away from zero; 0 without
/// income.
pub fn margin(net: Money, income: Money) -> i64 {
    if income.fen() <= 0 {
        return 0;
    }
    let n = i128::from(net.fen()) * 10_000;
    let d = i128::from(income.fen());
    let q = (n.abs() * 2 + d) / (2 * d);
    (if n < 0 { -q } else { q }) as i64
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryShare {
    pub category: String,
    pub amount: Money,
    /// Hundredths of a percent.
    pub percentage: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub date: String,
    pub income: Money,
    pub expense: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistics {
    pub summary: Summary,
    /// Hundredths of a percent.
    pub profit_margin: i64,
    pub income_by_category: Vec<CategoryShare>,
    pub expense_by_category: Vec<CategoryShare>,
    pub trend_data: Vec<TrendPoint>,
}

fn breakdown(mut rows: Vec<(String, Money)>) -> Vec<CategoryShare> {
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let pct = shares(&rows.iter().map(|r| r.1.fen()).collect::<Vec<_>>());
    rows.into_iter()
        .zip(pct)
        .map(|((category, amount), percentage)| CategoryShare {
            category,
            amount,
            percentage,
        })
        .collect()
}

/// The table, date column and extra conditions a query reads.
fn source(q: &StatsQuery, select: &str, group: &str) -> Sql {
    let (table, date, count) = if q.farm_id.is_some() {
        ("financial_records", "record_date", "COUNT(*)")
    } else if q.user_id.is_some() {
        ("financial_party_days", "day", "SUM(records)")
    } else {
        ("financial_daily_totals", "day", "SUM(records)")
    };
    let select = select.replace("{date}", date).replace("{count}", count);
    let mut sql = Sql::new(&format!("SELECT {select} FROM {table} WHERE {date} >= "));
    sql.bind(date_text(q.start))
        .push(&format!(" AND {date} <= "))
        .bind(date_text(q.end));
    if let Some(id) = q.user_id {
        sql.push(" AND user_id = ").bind(id);
    }
    if let Some(id) = q.farm_id {
        sql.push(" AND farm_id = ").bind(id);
    }
    sql.push(&format!(" GROUP BY {}", group.replace("{date}", date)));
    sql
}

pub async fn statistics(db: &Db, q: &StatsQuery) -> Result<Statistics> {
    let mut conn = db.pool().acquire().await?;
    let by_category = source(
        q,
        "record_type, category, CAST(SUM(amount) AS BIGINT), CAST({count} AS BIGINT)",
        "record_type, category",
    );
    let rows: Vec<(String, String, i64, i64)> =
        by_category.query_as().fetch_all(&mut *conn).await?;
    let (mut income, mut expense) = (Vec::new(), Vec::new());
    for (kind, category, amount, records) in rows {
        if records <= 0 {
            continue;
        }
        let entry = (category, Money::from_fen(amount));
        if kind == "income" {
            income.push(entry);
        } else {
            expense.push(entry);
        }
    }
    let summary = Summary {
        total_income: income.iter().map(|r| r.1).sum(),
        total_expense: expense.iter().map(|r| r.1).sum(),
    };
    let width = q.group_by.width();
    let by_bucket = source(
        q,
        &format!("SUBSTR({{date}}, 1, {width}), record_type, CAST(SUM(amount) AS BIGINT)"),
        &format!("SUBSTR({{date}}, 1, {width}), record_type"),
    );
    let rows: Vec<(String, String, i64)> = by_bucket.query_as().fetch_all(&mut *conn).await?;
    let mut sums: HashMap<String, (Money, Money)> = HashMap::new();
    for (bucket, kind, amount) in rows {
        let e = sums.entry(bucket).or_default();
        if kind == "income" {
            e.0 = e.0 + Money::from_fen(amount);
        } else {
            e.1 = e.1 + Money::from_fen(amount);
        }
    }
    let trend_data = buckets(q.group_by, q.start, q.end)
        .into_iter()
        .map(|date| {
            let (income, expense) = sums.get(&date).copied().unwrap_or_default();
            TrendPoint {
                date,
                income,
                expense,
            }
        })
        .collect();
    Ok(Statistics {
        profit_margin: margin(summary.net_profit(), summary.total_income),
        summary,
        income_by_category: breakdown(income),
        expense_by_category: breakdown(expense),
        trend_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn shares_add_up_to_exactly_one_hundred() {
        assert_eq!(shares(&[80, 20]), [8000, 2000]);
        assert_eq!(shares(&[1, 1, 1]), [3334, 3333, 3333]);
        assert_eq!(
            shares(&[2, 1, 1, 1, 1, 1]),
            [2857, 1429, 1429, 1429, 1428, 1428]
        );
        assert_eq!(shares(&[0, 0]), [0, 0]);
        assert_eq!(shares(&[]), Vec::<i64>::new());
        for amounts in [
            [1i64, 2, 3, 4, 5, 6, 7].as_slice(),
            &[999_999, 1, 1],
            &[7, 7, 7],
        ] {
            assert_eq!(shares(amounts).iter().sum::<i64>(), 10_000, "{amounts:?}");
        }
    }

    #[test]
    fn margins_round_and_zero_income_is_zero() {
        let m = Money::from_fen;
        assert_eq!(margin(m(40_000), m(100_000)), 4000);
        assert_eq!(margin(m(1), m(3)), 3333);
        assert_eq!(margin(m(2), m(3)), 6667);
        assert_eq!(margin(m(-2), m(3)), -6667);
        assert_eq!(margin(m(-500), m(0)), 0);
    }

    #[test]
    fn every_bucket_of_the_range_is_present() {
        assert_eq!(
            buckets(GroupBy::Month, d(2024, 1, 15), d(2024, 4, 1)),
            ["2024-01", "2024-02", "2024-03", "2024-04"]
        );
        assert_eq!(
            buckets(GroupBy::Day, d(2024, 2, 28), d(2024, 3, 1)),
            ["2024-02-28", "2024-02-29", "2024-03-01"]
        );
        assert_eq!(
            buckets(GroupBy::Year, d(2022, 6, 1), d(2024, 1, 1)),
            ["2022", "2023", "2024"]
        );
    }

    #[test]
    fn default_ranges() {
        let today = d(2024, 3, 31);
        assert_eq!(
            range(GroupBy::Month, None, None, today).unwrap(),
            (d(2023, 4, 1), today)
        );
        assert_eq!(
            range(GroupBy::Day, None, None, today).unwrap().0,
            d(2024, 3, 2)
        );
        assert_eq!(
            range(GroupBy::Year, None, None, today).unwrap().0,
            d(2020, 1, 1)
        );
        assert!(range(GroupBy::Day, Some(d(2024, 4, 1)), None, today).is_err());
        assert!(range(GroupBy::Day, Some(d(2000, 1, 1)), None, today).is_err());
    }
}
