//! §8 财务管理: the record list with its summary, create/update/delete, statistics.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, Query};
use super::reply::{Paged, Pagination, Reply};
use super::trade::{AuthorOut, FarmOut, UserOut, at, author_out, day, farm_out, today, user_out};
use crate::domain::livestock::finance::RawRecord;
use crate::domain::livestock::finance_list::{self, RecordQuery, Summary};
use crate::domain::livestock::finance_stats::{self, CategoryShare, GroupBy, StatsQuery};
use crate::domain::livestock::finance_store::{self, RecordView};
use crate::domain::livestock::money::{self, Money, RawMoney};
use crate::error::{Problem, Violations};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    record_type: Option<String>,
    category: Option<String>,
    user_id: Option<i64>,
    farm_id: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
    min_amount: Option<RawMoney>,
    max_amount: Option<RawMoney>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialRecordOut)]
pub struct RecordOut {
    id: i64,
    record_type: String,
    category: String,
    #[schema(value_type = f64)]
    amount: Money,
    description: Option<String>,
    related_id: Option<i64>,
    related_type: Option<String>,
    payment_method: Option<String>,
    receipt_image: Option<String>,
    record_date: String,
    user: Option<UserOut>,
    farm: Option<FarmOut>,
    notes: Option<String>,
    created_by: Option<AuthorOut>,
    created_at: String,
    updated_at: String,
}

fn record_out(state: &AppState, v: RecordView) -> RecordOut {
    let r = v.record;
    RecordOut {
        id: r.id,
        record_type: r.record_type,
        category: r.category,
        amount: r.amount,
        description: r.description,
        related_id: r.related_id,
        related_type: r.related_type,
        payment_method: r.payment_method,
        receipt_image: r.receipt_image,
        record_date: r.record_date,
        user: user_out(v.user),
        farm: farm_out(v.farm),
        notes: r.notes,
        created_by: author_out(v.created_by),
        created_at: at(state, Some(r.created_at)).unwrap_or_default(),
        updated_at: at(state, Some(r.updated_at)).unwrap_or_default(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialSummaryOut)]
pub struct SummaryOut {
    #[schema(value_type = f64)]
    total_income: Money,
    #[schema(value_type = f64)]
    total_expense: Money,
    #[schema(value_type = f64)]
    net_profit: Money,
}

fn summary_out(s: Summary) -> SummaryOut {
    SummaryOut {
        total_income: s.total_income,
        total_expense: s.total_expense,
        net_profit: s.net_profit(),
    }
}

/// The document's list shape plus `summary`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialRecordPage)]
pub struct RecordPage {
    list: Vec<RecordOut>,
    pagination: Pagination,
    summary: SummaryOut,
}

/// `GET /financial-records`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<RecordPage>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let filter = v.check(
        RecordQuery {
            record_type: q.record_type,
            category: q.category,
            user_id: q.user_id,
            farm_id: q.farm_id,
            start_date: q.start_date,
            end_date: q.end_date,
            min_amount: q.min_amount,
            max_amount: q.max_amount,
        }
        .parse(state.tz),
    )?;
    v.into_result()?;
    // Present whenever the check passed.
    let filter = filter.unwrap_or_default();
    let (views, total, summary) = finance_list::list(&state.db, &filter, page).await?;
    let list = views.into_iter().map(|r| record_out(&state, r)).collect();
    Ok(Reply::ok(
        "获取成功",
        RecordPage {
            pagination: Paged::<RecordOut>::new(Vec::new(), page, total).pagination,
            list,
            summary: summary_out(summary),
        },
    ))
}

/// `GET /financial-records/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<RecordOut>> {
    let r = finance_store::get(&state.db, id).await?;
    Ok(Reply::ok("获取成功", record_out(&state, r)))
}

/// `POST /financial-records`
pub async fn create(
    State(state): State<AppState>,
    Auth(p): Auth,
    Json(raw): Json<RawRecord>,
) -> ApiResult<Reply<RecordOut>> {
    let today = today(&state);
    let r = finance_store::create(&state.db, p.user.id, raw, today).await?;
    Ok(Reply::created("创建成功", record_out(&state, r)))
}

/// `PUT /financial-records/{id}`
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(raw): Json<RawRecord>,
) -> ApiResult<Reply<RecordOut>> {
    let today = today(&state);
    let r = finance_store::update(&state.db, id, raw, today).await?;
    Ok(Reply::ok("更新成功", record_out(&state, r)))
}

/// `DELETE /financial-records/{id}`
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    finance_store::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}

#[derive(Deserialize)]
pub struct StatsIn {
    start_date: Option<String>,
    end_date: Option<String>,
    user_id: Option<i64>,
    farm_id: Option<i64>,
    group_by: Option<String>,
}

/// A percentage with two decimals (`80.00`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = f64)]
pub struct Percent(#[serde(serialize_with = "serialize_percent")] i64);

fn serialize_percent<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    money::serialize_hundredths(*v, s)
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialStatsSummaryOut)]
pub struct StatsSummaryOut {
    #[schema(value_type = f64)]
    total_income: Money,
    #[schema(value_type = f64)]
    total_expense: Money,
    #[schema(value_type = f64)]
    net_profit: Money,
    profit_margin: Percent,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialShareOut)]
pub struct ShareOut {
    category: String,
    #[schema(value_type = f64)]
    amount: Money,
    percentage: Percent,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialTrendOut)]
pub struct TrendOut {
    date: String,
    #[schema(value_type = f64)]
    income: Money,
    #[schema(value_type = f64)]
    expense: Money,
    #[schema(value_type = f64)]
    profit: Money,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FinancialStatsOut)]
pub struct StatsOut {
    summary: StatsSummaryOut,
    income_by_category: Vec<ShareOut>,
    expense_by_category: Vec<ShareOut>,
    trend_data: Vec<TrendOut>,
}

fn shares_out(shares: Vec<CategoryShare>) -> Vec<ShareOut> {
    shares
        .into_iter()
        .map(|s| ShareOut {
            category: s.category,
            amount: s.amount,
            percentage: Percent(s.percentage),
        })
        .collect()
}

/// `GET /financial-records/statistics`
pub async fn statistics(
    State(state): State<AppState>,
    Query(q): Query<StatsIn>,
) -> ApiResult<Reply<StatsOut>> {
    let mut v = Violations::new();
    let group_by = match q.group_by.as_deref() {
        None => Some(GroupBy::Month),
        Some(s) => {
            let g = GroupBy::parse(s);
            if g.is_none() {
                v.add(
                    "group_by",
                    Problem::NotOneOf {
                        allowed: &["day", "month", "year"],
                        got: Some(s.to_owned()),
                    },
                );
            }
            g
        }
    };
    let start = day(&mut v, &state, "start_date", q.start_date.as_deref());
    let end = day(&mut v, &state, "end_date", q.end_date.as_deref());
    v.into_result()?;
    let group_by = group_by.unwrap_or(GroupBy::Month);
    let (start, end) = finance_stats::range(group_by, start, end, today(&state))?;
    let s = finance_stats::statistics(
        &state.db,
        &StatsQuery {
            start,
            end,
            user_id: q.user_id,
            farm_id: q.farm_id,
            group_by,
        },
    )
    .await?;
    Ok(Reply::ok(
        "获取成功",
        StatsOut {
            summary: StatsSummaryOut {
                total_income: s.summary.total_income,
                total_expense: s.summary.total_expense,
                net_profit: s.summary.net_profit(),
                profit_margin: Percent(s.profit_margin),
            },
            income_by_category: shares_out(s.income_by_category),
            expense_by_category: shares_out(s.expense_by_category),
            trend_data: s
                .trend_data
                .into_iter()
                .map(|t| TrendOut {
                    date: t.date,
                    income: t.income,
                    expense: t.expense,
                    profit: t.income - t.expense,
                })
                .collect(),
        },
    ))
}
