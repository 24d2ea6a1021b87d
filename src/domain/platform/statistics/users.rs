//! §10.2 用户统计.

use sqlx::Row;

use super::period::{GroupBy, Period};
use super::series::{self, Metric};
use super::share;
use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Users at the end of the period.
    pub total: i64,
    /// Users whose last login falls in the period (exact for a period that ends today).
    pub active: i64,
    /// Users registered in the period.
    pub new: i64,
    /// `active / total`, hundredths of a percent.
    pub retention: i64,
}

/// One entry of a breakdown; the shares of one breakdown add up to exactly 10,000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share<N = String> {
    pub name: N,
    pub count: i64,
    /// Hundredths of a percent.
    pub share: i64,
}

/// One group of the trend (a day, month or year of the period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub label: String,
    /// Users at the end of the group.
    pub total: i64,
    pub new: i64,
    pub active: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatistics {
    pub summary: Summary,
    pub by_role: Vec<Share>,
    /// By province; `None` gathers the users without a farm (or whose oldest farm names
    /// no province), which each dialect names in its own words.
    pub by_region: Vec<Share<Option<String>>>,
    pub trend: Vec<TrendPoint>,
}

fn shares<N: Ord>(mut entries: Vec<(N, i64)>) -> Vec<Share<N>> {
    entries.retain(|(_, n)| *n > 0);
    entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let counts: Vec<i64> = entries.iter().map(|e| e.1).collect();
    entries
        .into_iter()
        .zip(share::hundredths(&counts))
        .map(|((name, count), share)| Share { name, count, share })
        .collect()
}

/// Users per role (code), as they hold roles now. A user with two roles counts in both.
async fn by_role(db: &Db) -> Result<Vec<Share>> {
    let rows = sqlx::query(
        "SELECT r.code, s.users FROM stat_role_users s JOIN roles r ON r.id = s.role_id \
         WHERE s.users > 0",
    )
    .fetch_all(db.pool())
    .await?;
    let entries = rows
        .iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("users")?)))
        .collect::<sqlx::Result<Vec<(String, i64)>>>()?;
    Ok(shares(entries))
}

/// Users per province as kept (a blank province included).
async fn province_users(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT province, users FROM stat_province_users WHERE users > 0")
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("province")?, r.try_get("users")?)))
        .collect::<sqlx::Result<Vec<(String, i64)>>>()?)
}

/// Every one of `total` users once, under the province of their oldest farm, or under
/// `None`.
fn by_region(provinces: Vec<(String, i64)>, total: i64) -> Vec<Share<Option<String>>> {
    let mut with_farm = 0;
    let mut entries: Vec<(Option<String>, i64)> = Vec::new();
    let mut unknown = 0;
    for (province, users) in provinces {
        with_farm += users;
        if province.trim().is_empty() {
            unknown += users;
        } else {
            entries.push((Some(province), users));
        }
    }
    entries.push((None, unknown + (total - with_farm).max(0)));
    shares(entries)
}

/// The user statistics of `period`, its trend grouped by `group_by`.
pub async fn user_statistics(
    db: &Db,
    period: &Period,
    group_by: GroupBy,
) -> Result<UserStatistics> {
    // Every read at once, each on its own pool connection.
    let (users, logins, by_role, provinces) = tokio::try_join!(
        series::window(db, Metric::Users, period),
        series::window(db, Metric::Logins, period),
        by_role(db),
        province_users(db),
    )?;
    let by_region = by_region(provinces, users.total.items);
    let totals = users.running();
    let new = users.days;
    let active = logins.days;
    let mut trend: Vec<TrendPoint> = Vec::new();
    for (i, day) in period.each_day().enumerate() {
        let label = group_by.label(day);
        let (t, n, a) = (
            totals.get(i).map_or(0, |x| x.items),
            new.get(i).map_or(0, |x| x.items),
            active.get(i).map_or(0, |x| x.items),
        );
        match trend.last_mut() {
            Some(p) if p.label == label => {
                p.total = t;
                p.new += n;
                p.active += a;
            }
            _ => trend.push(TrendPoint {
                label,
                total: t,
                new: n,
                active: a,
            }),
        }
    }
    let total = totals.last().map_or(0, |x| x.items);
    let active: i64 = active.iter().map(|x| x.items).sum();
    Ok(UserStatistics {
        summary: Summary {
            total,
            active,
            new: new.iter().map(|x| x.items).sum(),
            retention: share::ratio_hundredths(active, total),
        },
        by_role,
        by_region,
        trend,
    })
}
