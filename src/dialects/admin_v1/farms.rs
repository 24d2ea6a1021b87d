//! §5 养殖场管理: list, detail, create, update, delete, audit, statistics.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, Query};
use super::livestock::{field, percent};
use super::reply::{Paged, Reply, mask_phone};
use crate::db::time::local_seconds;
use crate::domain::livestock::Field;
use crate::domain::livestock::farm::{Audit, Farm, RawFarm};
use crate::domain::livestock::farm_list::{self, FarmFilter};
use crate::domain::livestock::farms::{self, FarmView};
use crate::domain::livestock::money::Money;
use crate::domain::livestock::statistics::{self, Period};
use crate::error::Violations;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<i64>,
    province: Option<String>,
    city: Option<String>,
    user_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FarmUserOut)]
pub struct UserOut {
    id: i64,
    username: String,
    real_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FarmItemOut {
    id: i64,
    name: String,
    code: String,
    #[serde(rename = "type")]
    kind: String,
    area: Option<f64>,
    capacity: Option<i64>,
    address: String,
    province: String,
    city: String,
    district: String,
    status: i64,
    user: UserOut,
    animal_count: i64,
    created_at: String,
}

/// `GET /farms`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<FarmItemOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    v.into_result()?;
    let filter = FarmFilter {
        keyword: q.keyword,
        kind: q.kind,
        status: q.status,
        province: q.province,
        city: q.city,
        user_id: q.user_id,
    };
    filter.check()?;
    let (items, total) = farm_list::list(&state.db, &filter, page).await?;
    let list = items
        .into_iter()
        .map(|i| {
            let f = i.farm;
            FarmItemOut {
                id: f.id,
                user: UserOut {
                    id: i.owner.id,
                    username: i.owner.username,
                    real_name: i.owner.real_name,
                },
                animal_count: i.animal_count,
                created_at: local_seconds(f.created_at, state.tz),
                name: f.name,
                code: f.code,
                kind: f.kind,
                area: f.area,
                capacity: f.capacity,
                address: f.address,
                province: f.province,
                city: f.city,
                district: f.district,
                status: f.status,
            }
        })
        .collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FarmDetailOwnerOut)]
pub struct OwnerOut {
    id: i64,
    username: String,
    real_name: String,
    /// Masked, as the document shows (`138****8000`).
    phone: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FarmSummaryOut)]
pub struct SummaryOut {
    total_animals: i64,
    healthy_animals: i64,
    sick_animals: i64,
    #[schema(value_type = f64)]
    total_value: Money,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FarmDetailOut {
    id: i64,
    name: String,
    code: String,
    #[serde(rename = "type")]
    kind: String,
    area: Option<f64>,
    capacity: Option<i64>,
    address: String,
    province: String,
    city: String,
    district: String,
    longitude: Option<f64>,
    latitude: Option<f64>,
    license_number: Option<String>,
    license_image: Option<String>,
    description: Option<String>,
    status: i64,
    audit_notes: Option<String>,
    audited_at: Option<String>,
    user: OwnerOut,
    statistics: SummaryOut,
    created_at: String,
    updated_at: String,
}

async fn detail_out(state: &AppState, view: FarmView) -> ApiResult<FarmDetailOut> {
    let b = statistics::basic(&state.db, view.farm.id).await?;
    let tz = state.tz;
    let Farm {
        id,
        name,
        code,
        kind,
        area,
        capacity,
        address,
        province,
        city,
        district,
        longitude,
        latitude,
        license_number,
        license_image,
        description,
        status,
        audit_notes,
        audited_at,
        created_at,
        updated_at,
        user_id: _,
    } = view.farm;
    Ok(FarmDetailOut {
        id,
        name,
        code,
        kind,
        area,
        capacity,
        address,
        province,
        city,
        district,
        longitude,
        latitude,
        license_number,
        license_image,
        description,
        status,
        audit_notes,
        audited_at: audited_at.map(|t| local_seconds(t, tz)),
        user: OwnerOut {
            id: view.owner.id,
            username: view.owner.username,
            real_name: view.owner.real_name,
            phone: view.owner.phone.as_deref().map(mask_phone),
        },
        statistics: SummaryOut {
            total_animals: b.total_animals,
            healthy_animals: b.healthy_animals,
            sick_animals: b.sick_animals,
            total_value: b.total_value,
        },
        created_at: local_seconds(created_at, tz),
        updated_at: local_seconds(updated_at, tz),
    })
}

/// `GET /farms/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<FarmDetailOut>> {
    let view = farms::get(&state.db, id).await?;
    Ok(Reply::ok("获取成功", detail_out(&state, view).await?))
}

/// The body of a create and an update: the detail's field names, the owner as `user_id`.
#[derive(Deserialize)]
pub struct FarmIn {
    #[serde(default, deserialize_with = "field")]
    user_id: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    name: Field<String>,
    #[serde(default, deserialize_with = "field")]
    code: Field<String>,
    #[serde(default, rename = "type", deserialize_with = "field")]
    kind: Field<String>,
    #[serde(default, deserialize_with = "field")]
    area: Field<f64>,
    #[serde(default, deserialize_with = "field")]
    capacity: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    address: Field<String>,
    #[serde(default, deserialize_with = "field")]
    province: Field<String>,
    #[serde(default, deserialize_with = "field")]
    city: Field<String>,
    #[serde(default, deserialize_with = "field")]
    district: Field<String>,
    #[serde(default, deserialize_with = "field")]
    longitude: Field<f64>,
    #[serde(default, deserialize_with = "field")]
    latitude: Field<f64>,
    #[serde(default, deserialize_with = "field")]
    license_number: Field<String>,
    #[serde(default, deserialize_with = "field")]
    license_image: Field<String>,
    #[serde(default, deserialize_with = "field")]
    description: Field<String>,
    #[serde(default, deserialize_with = "field")]
    status: Field<i64>,
}

impl From<FarmIn> for RawFarm {
    fn from(b: FarmIn) -> Self {
        RawFarm {
            user_id: b.user_id,
            name: b.name,
            code: b.code,
            kind: b.kind,
            area: b.area,
            capacity: b.capacity,
            address: b.address,
            province: b.province,
            city: b.city,
            district: b.district,
            longitude: b.longitude,
            latitude: b.latitude,
            license_number: b.license_number,
            license_image: b.license_image,
            description: b.description,
            status: b.status,
        }
    }
}

/// `POST /farms` — answers 201 with the detail.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<FarmIn>,
) -> ApiResult<Reply<FarmDetailOut>> {
    let view = farms::create(&state.db, body.into()).await?;
    Ok(Reply::created("创建成功", detail_out(&state, view).await?))
}

/// `PUT /farms/{id}` — absent fields keep their value, `null` clears an optional one.
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<FarmIn>,
) -> ApiResult<Reply<FarmDetailOut>> {
    let view = farms::update(&state.db, id, body.into()).await?;
    Ok(Reply::ok("更新成功", detail_out(&state, view).await?))
}

/// `DELETE /farms/{id}` — refused (10005) while the farm holds animals.
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    farms::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}

#[derive(Deserialize)]
pub struct AuditIn {
    #[serde(default, deserialize_with = "field")]
    status: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    audit_notes: Field<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditOut {
    id: i64,
    status: i64,
    audit_notes: Option<String>,
    audited_at: String,
}

/// `POST /farms/{id}/audit` `{status, audit_notes}`
pub async fn audit(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
    Json(body): Json<AuditIn>,
) -> ApiResult<Reply<AuditOut>> {
    farms::get(&state.db, id).await?;
    let decision = Audit::parse(body.status, body.audit_notes)?;
    let a = farms::audit(&state.db, id, me.user.id, decision).await?;
    Ok(Reply::ok(
        "审核成功",
        AuditOut {
            id: a.id,
            status: a.status,
            audit_notes: a.audit_notes,
            audited_at: local_seconds(a.audited_at, state.tz),
        },
    ))
}

#[derive(Deserialize)]
pub struct PeriodIn {
    start_date: Option<String>,
    end_date: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BasicOut {
    total_animals: i64,
    healthy_animals: i64,
    sick_animals: i64,
    dead_animals: i64,
    #[schema(value_type = f64)]
    total_value: Money,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BreedOut {
    breed: String,
    count: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    percentage: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HealthOut {
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    vaccination_rate: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    health_check_rate: i64,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    disease_rate: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FinancialOut {
    #[schema(value_type = f64)]
    total_income: Money,
    #[schema(value_type = f64)]
    total_expense: Money,
    #[schema(value_type = f64)]
    net_profit: Money,
    #[schema(value_type = f64)]
    #[serde(serialize_with = "percent")]
    profit_margin: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatisticsOut {
    basic_stats: BasicOut,
    breed_stats: Vec<BreedOut>,
    health_stats: HealthOut,
    financial_stats: FinancialOut,
}

/// `GET /farms/{id}/statistics?start_date&end_date`
pub async fn statistics(
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<PeriodIn>,
) -> ApiResult<Reply<StatisticsOut>> {
    farms::get(&state.db, id).await?;
    let period = Period::parse(q.start_date.as_deref(), q.end_date.as_deref())?;
    let s = statistics::farm(&state.db, id, period).await?;
    let b = s.basic;
    Ok(Reply::ok(
        "获取成功",
        StatisticsOut {
            basic_stats: BasicOut {
                total_animals: b.total_animals,
                healthy_animals: b.healthy_animals,
                sick_animals: b.sick_animals,
                dead_animals: b.dead_animals,
                total_value: b.total_value,
            },
            breed_stats: s
                .breeds
                .into_iter()
                .map(|x| BreedOut {
                    breed: x.breed,
                    count: x.count,
                    percentage: x.percentage,
                })
                .collect(),
            health_stats: HealthOut {
                vaccination_rate: s.health.vaccination_rate,
                health_check_rate: s.health.health_check_rate,
                disease_rate: s.health.disease_rate,
            },
            financial_stats: FinancialOut {
                total_income: s.financial.total_income,
                total_expense: s.financial.total_expense,
                net_profit: s.financial.net_profit,
                profit_margin: s.financial.profit_margin,
            },
        },
    ))
}
