//! §10.1 仪表板统计.

use chrono::NaiveDate;

use super::activity::{self, Activity};
use super::period::{BUCKET_MICROS, Period};
use super::series::{self, Metric, Window};
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

impl From<&Window> for Growth {
    fn from(w: &Window) -> Self {
        Growth::new(w.current().items, w.previous.items)
    }
}

/// The dashboard for `period`.
pub async fn dashboard(db: &Db, period: &Period) -> Result<Dashboard> {
    let until = period.boundaries().last().copied().unwrap_or(0) * BUCKET_MICROS - 1;
    // One statement per metric, all at once on their own pool connections: the answer waits
    // for the slowest read, not for the sum of six round trips and scans.
    let (users, farms, animals, orders, revenue, activities) = tokio::try_join!(
        series::window(db, Metric::Users, period),
        series::window(db, Metric::Farms, period),
        series::window(db, Metric::Animals, period),
        series::window(db, Metric::Orders, period),
        series::window(db, Metric::Revenue, period),
        activity::recent(db, until),
    )?;
    let days: Vec<NaiveDate> = period.each_day().collect();
    Ok(Dashboard {
        overview: Overview {
            users: users.total.items,
            farms: farms.total.items,
            animals: animals.total.items,
            orders: orders.total.items,
            revenue: revenue.total.amount,
        },
        users: (&users).into(),
        farms: (&farms).into(),
        animals: (&animals).into(),
        orders: (&orders).into(),
        activities,
        user_trend: days
            .iter()
            .zip(users.running())
            .map(|(d, t)| DayPoint {
                date: *d,
                count: t.items,
                amount: 0,
            })
            .collect(),
        order_trend: days
            .iter()
            .zip(orders.running().into_iter().zip(revenue.running()))
            .map(|(d, (o, r))| DayPoint {
                date: *d,
                count: o.items,
                amount: r.amount,
            })
            .collect(),
    })
}
