//! §10 数据统计: the dashboard (§10.1) and user statistics (§10.2), read from the counters the
//! database keeps (see `domain::platform::statistics`).

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::Query;
use super::reply::Reply;
use crate::db::{self, time::local_seconds};
use crate::domain::livestock::money::{self, Money};
use crate::domain::platform::statistics::activity::{Activity, ActivityKind};
use crate::domain::platform::statistics::dashboard::{self, DayPoint, Growth};
use crate::domain::platform::statistics::users::{self, Share};
use crate::domain::platform::statistics::{GroupBy, Period};
use crate::state::AppState;

/// The region of users who have no farm (or whose oldest farm names no province).
const NO_REGION: &str = "未知";

/// Hundredths of a percent as a JSON number with two decimals (`5.26`, `100.00`).
fn percent<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    money::serialize_hundredths(*v, s)
}

#[derive(Deserialize)]
pub struct RangeIn {
    start_date: Option<String>,
    end_date: Option<String>,
    group_by: Option<String>,
}

fn period(state: &AppState, q: &RangeIn) -> crate::error::Result<Period> {
    let today = Period::today(db::now(), state.tz);
    Period::parse(
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        today,
        state.tz,
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PeriodOut {
    start_date: String,
    end_date: String,
}

fn period_out(p: &Period) -> PeriodOut {
    PeriodOut {
        start_date: p.first.format("%Y-%m-%d").to_string(),
        end_date: p.last.format("%Y-%m-%d").to_string(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OverviewOut {
    total_users: i64,
    total_farms: i64,
    total_animals: i64,
    total_orders: i64,
    #[schema(value_type = f64)]
    total_revenue: Money,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GrowthOut {
    current: i64,
    previous: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    growth_rate: i64,
}

impl From<Growth> for GrowthOut {
    fn from(g: Growth) -> Self {
        Self {
            current: g.current,
            previous: g.previous,
            growth_rate: g.rate,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GrowthStatsOut {
    user_growth: GrowthOut,
    farm_growth: GrowthOut,
    animal_growth: GrowthOut,
    order_growth: GrowthOut,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActivityOut {
    #[serde(rename = "type")]
    kind: &'static str,
    message: String,
    time: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CountPointOut {
    date: String,
    count: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AmountPointOut {
    date: String,
    count: i64,
    #[schema(value_type = f64)]
    amount: Money,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChartOut {
    user_trend: Vec<CountPointOut>,
    order_trend: Vec<AmountPointOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DashboardOut {
    overview: OverviewOut,
    growth_stats: GrowthStatsOut,
    recent_activities: Vec<ActivityOut>,
    chart_data: ChartOut,
    period: PeriodOut,
}

fn date(p: &DayPoint) -> String {
    p.date.format("%Y-%m-%d").to_string()
}

/// `GET /dashboard/statistics?start_date&end_date` — totals, growth against the previous
/// period of the same length, recent activities, and running totals for every day.
pub async fn dashboard(
    State(state): State<AppState>,
    Query(q): Query<RangeIn>,
) -> ApiResult<Reply<DashboardOut>> {
    let p = period(&state, &q)?;
    let d = dashboard::dashboard(&state.db, &p).await?;
    Ok(Reply::ok(
        "获取成功",
        DashboardOut {
            overview: OverviewOut {
                total_users: d.overview.users,
                total_farms: d.overview.farms,
                total_animals: d.overview.animals,
                total_orders: d.overview.orders,
                total_revenue: Money::from_fen(d.overview.revenue),
            },
            growth_stats: GrowthStatsOut {
                user_growth: d.users.into(),
                farm_growth: d.farms.into(),
                animal_growth: d.animals.into(),
                order_growth: d.orders.into(),
            },
            recent_activities: d
                .activities
                .into_iter()
                .map(|a| ActivityOut {
                    kind: a.kind.as_str(),
                    message: activity_message(&a),
                    time: local_seconds(a.at, state.tz),
                })
                .collect(),
            chart_data: ChartOut {
                user_trend: d
                    .user_trend
                    .iter()
                    .map(|p| CountPointOut {
                        date: date(p),
                        count: p.count,
                    })
                    .collect(),
                order_trend: d
                    .order_trend
                    .iter()
                    .map(|p| AmountPointOut {
                        date: date(p),
                        count: p.count,
                        amount: Money::from_fen(p.amount),
                    })
                    .collect(),
            },
            period: period_out(&p),
        },
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserStatsSummaryOut)]
pub struct SummaryOut {
    total_users: i64,
    active_users: i64,
    new_users: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    retention_rate: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleShareOut {
    role: String,
    count: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    percentage: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionShareOut {
    province: String,
    count: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    percentage: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = UserTrendOut)]
pub struct TrendOut {
    date: String,
    total: i64,
    new: i64,
    active: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserStatisticsOut {
    summary: SummaryOut,
    user_by_role: Vec<RoleShareOut>,
    user_by_region: Vec<RegionShareOut>,
    trend_data: Vec<TrendOut>,
    period: PeriodOut,
    group_by: &'static str,
}

/// `GET /statistics/users?start_date&end_date&group_by=day|month|year`.
pub async fn users(
    State(state): State<AppState>,
    Query(q): Query<RangeIn>,
) -> ApiResult<Reply<UserStatisticsOut>> {
    let group_by = GroupBy::parse(q.group_by.as_deref());
    let p = period(&state, &q);
    let (group_by, p) = match (group_by, p) {
        (Ok(g), Ok(p)) => (g, p),
        // Both wrong: every failing field in one answer.
        (Err(crate::error::Error::Invalid(mut a)), Err(crate::error::Error::Invalid(b))) => {
            a.extend(b);
            return Err(crate::error::Error::Invalid(a).into());
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let s = users::user_statistics(&state.db, &p, group_by).await?;
    let share = |s: &Share| (s.name.clone(), s.count, s.share);
    // The users without a farm, or whose farm names no province.
    let region = |s: &Share<Option<String>>| {
        let name = s.name.clone().unwrap_or_else(|| NO_REGION.to_owned());
        (name, s.count, s.share)
    };
    Ok(Reply::ok(
        "获取成功",
        UserStatisticsOut {
            summary: SummaryOut {
                total_users: s.summary.total,
                active_users: s.summary.active,
                new_users: s.summary.new,
                retention_rate: s.summary.retention,
            },
            user_by_role: s
                .by_role
                .iter()
                .map(share)
                .map(|(role, count, percentage)| RoleShareOut {
                    role,
                    count,
                    percentage,
                })
                .collect(),
            user_by_region: s
                .by_region
                .iter()
                .map(region)
                .map(|(province, count, percentage)| RegionShareOut {
                    province,
                    count,
                    percentage,
                })
                .collect(),
            trend_data: s
                .trend
                .into_iter()
                .map(|t| TrendOut {
                    date: t.label,
                    total: t.total,
                    new: t.new,
                    active: t.active,
                })
                .collect(),
            period: period_out(&p),
            group_by: match group_by {
                GroupBy::Day => "day",
                GroupBy::Month => "month",
                GroupBy::Year => "year",
            },
        },
    ))
}

/// The document's sentence for an activity (`新用户 farmer003 注册成功`).
fn activity_message(a: &Activity) -> String {
    let audit = if a.rejected {
        "审核未通过"
    } else {
        "审核通过"
    };
    match a.kind {
        ActivityKind::UserRegister => format!("新用户 {} 注册成功", a.subject),
        ActivityKind::OrderCreated => format!("订单 {} 创建成功", a.subject),
        ActivityKind::OrderAudited => format!("订单 {} {audit}", a.subject),
        ActivityKind::FarmAudited => format!("养殖场 {} {audit}", a.subject),
    }
}
