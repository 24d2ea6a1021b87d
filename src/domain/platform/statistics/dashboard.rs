//! §10.1 仪表板统计.

use chrono::NaiveDate;

use super::activity::{self, Activity};
use super::period::{BUCKET_MICROS, Period};
use super::series::{self, Metric, Tally};
use super::share;
use crate::db::Db;
use crate::error::Result;

/// All-time totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overview {
    pub users: i64,
    pub farms: i64,
    pub animals: i64,
    pub orders: i64,
    /// Σ actual amount of paid orders, fen.
    pub revenue: i64,
}

/// What was added in the period against the previous period of the same length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Growth {
    pub current: i64,
    pub previous: i64,
    /// Hundredths of a percent; see [`share::growth_hundredths`] for a zero `previous`.
    pub rate: i64,
}

impl Growth {
    fn new(current: i64, previous: i64) -> Self {
        Self {
            current,
            previous,
            rate: share::growth_hundredths(current, previous),
        }
    }
}

/// One day of a trend: the running total at the end of the day (and, for orders, the running
/// revenue in fen), as the document's figures show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPoint {
    pub date: NaiveDate,
    pub count: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub overview: Overview,
    pub users: Growth,
    pub farms: Growth,
    pub animals: Growth,
    pub orders: Growth,
    pub activities: Vec<Activity>,
    /// Every day of the period.
    pub user_trend: Vec<DayPoint>,
    pub order_trend: Vec<DayPoint>,
}

async fn growth(db: &Db, metric: Metric, period: &Period) -> Result<Growth> {
    let prev = period.previous();
    let b = [
        prev.day_start_bucket(prev.first),
        period.day_start_bucket(period.first),
        *period.boundaries().last().unwrap_or(&0),
    ];
    let t = series::per_interval(db, metric, &b).await?;
    let (p, c) = (t.first().copied(), t.get(1).copied());
    Ok(Growth::new(
        c.unwrap_or_default().items,
        p.unwrap_or_default().items,
    ))
}

/// Running totals at the end of each interval of `boundaries`.
pub(super) async fn running(db: &Db, metric: Metric, boundaries: &[i64]) -> Result<Vec<Tally>> {
    let first = boundaries.first().copied().unwrap_or(0);
    let before = series::total(db, metric).await? - series::since(db, metric, first).await?;
    let mut acc = before;
    Ok(series::per_interval(db, metric, boundaries)
        .await?
        .into_iter()
        .map(|t| {
            acc += t;
            acc
        })
        .collect())
}

/// The dashboard for `period`.
pub async fn dashboard(db: &Db, period: &Period) -> Result<Dashboard> {
    let overview = Overview {
        users: series::total(db, Metric::Users).await?.items,
        farms: series::total(db, Metric::Farms).await?.items,
        animals: series::total(db, Metric::Animals).await?.items,
        orders: series::total(db, Metric::Orders).await?.items,
        revenue: series::total(db, Metric::Revenue).await?.amount,
    };
    let boundaries = period.boundaries();
    let until = boundaries.last().copied().unwrap_or(0) * BUCKET_MICROS - 1;
    let users = running(db, Metric::Users, &boundaries).await?;
    let orders = running(db, Metric::Orders, &boundaries).await?;
    let revenue = running(db, Metric::Revenue, &boundaries).await?;
    let days: Vec<NaiveDate> = period.each_day().collect();
    Ok(Dashboard {
        overview,
        users: growth(db, Metric::Users, period).await?,
        farms: growth(db, Metric::Farms, period).await?,
        animals: growth(db, Metric::Animals, period).await?,
        orders: growth(db, Metric::Orders, period).await?,
        activities: activity::recent(db, until).await?,
        user_trend: days
            .iter()
            .zip(&users)
            .map(|(d, t)| DayPoint {
                date: *d,
                count: t.items,
                amount: 0,
            })
            .collect(),
        order_trend: days
            .iter()
            .zip(orders.iter().zip(&revenue))
            .map(|(d, (o, r))| DayPoint {
                date: *d,
                count: o.items,
                amount: r.amount,
            })
            .collect(),
    })
}
