//! §6.1–6.2 动物管理: list, detail, create, update, delete.

use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Id, Json, Query};
use super::livestock::{field, today};
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::livestock::Field;
use crate::domain::livestock::animal::RawAnimal;
use crate::domain::livestock::animal_list::{self, AnimalFilter};
use crate::domain::livestock::animals::{self, AnimalDetail, AnimalItem, ParentRef};
use crate::domain::livestock::money::{Money, RawMoney};
use crate::error::Violations;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
    farm_id: Option<i64>,
    category_id: Option<i64>,
    breed: Option<String>,
    gender: Option<i64>,
    health_status: Option<String>,
    status: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AnimalOwnerOut)]
pub struct OwnerOut {
    id: i64,
    real_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AnimalFarmOut)]
pub struct FarmOut {
    id: i64,
    name: String,
    user: OwnerOut,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AnimalCategoryOut)]
pub struct CategoryOut {
    id: i64,
    name: String,
    code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnimalItemOut {
    id: i64,
    code: String,
    name: String,
    breed: String,
    gender: i64,
    birth_date: Option<String>,
    age_days: Option<i64>,
    weight: Option<f64>,
    health_status: String,
    status: i64,
    farm: FarmOut,
    category: CategoryOut,
    #[schema(value_type = Option<f64>)]
    purchase_price: Option<Money>,
    #[schema(value_type = Option<f64>)]
    current_value: Option<Money>,
    created_at: String,
}

fn item_out(state: &AppState, today: NaiveDate, i: AnimalItem) -> AnimalItemOut {
    let age_days = i.animal.age_days(today);
    let a = i.animal;
    AnimalItemOut {
        id: a.id,
        code: a.code,
        name: a.name,
        breed: a.breed,
        gender: a.gender,
        birth_date: a.birth_date,
        age_days,
        weight: a.weight,
        health_status: a.health_status,
        status: a.status,
        farm: FarmOut {
            id: i.farm.id,
            name: i.farm.name,
            user: OwnerOut {
                id: i.farm.user_id,
                real_name: i.farm.real_name,
            },
        },
        category: CategoryOut {
            id: i.category.id,
            name: i.category.name,
            code: i.category.code,
        },
        purchase_price: a.purchase_price,
        current_value: a.current_value,
        created_at: local_seconds(a.created_at, state.tz),
    }
}

/// `GET /animals` — newest first.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<AnimalItemOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    v.into_result()?;
    let filter = AnimalFilter {
        keyword: q.keyword,
        farm_id: q.farm_id,
        category_id: q.category_id,
        breed: q.breed,
        gender: q.gender,
        health_status: q.health_status,
        status: q.status,
    };
    filter.check()?;
    let (items, total) = animal_list::list(&state.db, &filter, page).await?;
    let day = today(&state);
    let list = items
        .into_iter()
        .map(|i| item_out(&state, day, i))
        .collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FarmOwnerOut {
    id: i64,
    username: String,
    real_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DetailFarmOut {
    id: i64,
    name: String,
    code: String,
    user: FarmOwnerOut,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParentOut {
    id: i64,
    code: String,
    name: String,
}

impl From<ParentRef> for ParentOut {
    fn from(p: ParentRef) -> Self {
        Self {
            id: p.id,
            code: p.code,
            name: p.name,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParentsOut {
    father: Option<ParentOut>,
    mother: Option<ParentOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PurchaseOut {
    #[schema(value_type = Option<f64>)]
    price: Option<Money>,
    date: Option<String>,
    source: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnimalDetailOut {
    id: i64,
    code: String,
    name: String,
    breed: String,
    gender: i64,
    birth_date: Option<String>,
    age_days: Option<i64>,
    weight: Option<f64>,
    health_status: String,
    status: i64,
    farm: DetailFarmOut,
    category: CategoryOut,
    parents: ParentsOut,
    purchase_info: PurchaseOut,
    #[schema(value_type = Option<f64>)]
    current_value: Option<Money>,
    notes: Option<String>,
    health_records_count: i64,
    vaccination_records_count: i64,
    created_at: String,
    updated_at: String,
}

fn detail_out(state: &AppState, d: AnimalDetail) -> AnimalDetailOut {
    let age_days = d.item.animal.age_days(today(state));
    let a = d.item.animal;
    let f = d.item.farm;
    AnimalDetailOut {
        id: a.id,
        code: a.code,
        name: a.name,
        breed: a.breed,
        gender: a.gender,
        birth_date: a.birth_date,
        age_days,
        weight: a.weight,
        health_status: a.health_status,
        status: a.status,
        farm: DetailFarmOut {
            id: f.id,
            name: f.name,
            code: f.code,
            user: FarmOwnerOut {
                id: f.user_id,
                username: f.username,
                real_name: f.real_name,
            },
        },
        category: CategoryOut {
            id: d.item.category.id,
            name: d.item.category.name,
            code: d.item.category.code,
        },
        parents: ParentsOut {
            father: d.father.map(ParentOut::from),
            mother: d.mother.map(ParentOut::from),
        },
        purchase_info: PurchaseOut {
            price: a.purchase_price,
            date: a.purchase_date,
            source: a.purchase_source,
        },
        current_value: a.current_value,
        notes: a.notes,
        health_records_count: d.health_records_count,
        vaccination_records_count: d.vaccination_records_count,
        created_at: local_seconds(a.created_at, state.tz),
        updated_at: local_seconds(a.updated_at, state.tz),
    }
}

/// `GET /animals/{id}`
pub async fn detail(
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Reply<AnimalDetailOut>> {
    let d = animals::detail(&state.db, id).await?;
    Ok(Reply::ok("获取成功", detail_out(&state, d)))
}

/// The body of a create and an update: the detail's field names, related records as
/// `farm_id`, `category_id`, `father_id`, `mother_id`, the purchase info as
/// `purchase_price`, `purchase_date`, `purchase_source` (decisions §3).
#[derive(Deserialize)]
pub struct AnimalIn {
    #[serde(default, deserialize_with = "field")]
    farm_id: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    category_id: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    code: Field<String>,
    #[serde(default, deserialize_with = "field")]
    name: Field<String>,
    #[serde(default, deserialize_with = "field")]
    breed: Field<String>,
    #[serde(default, deserialize_with = "field")]
    gender: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    birth_date: Field<String>,
    #[serde(default, deserialize_with = "field")]
    weight: Field<f64>,
    #[serde(default, deserialize_with = "field")]
    health_status: Field<String>,
    #[serde(default, deserialize_with = "field")]
    status: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    father_id: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    mother_id: Field<i64>,
    #[serde(default, deserialize_with = "field")]
    purchase_price: Field<RawMoney>,
    #[serde(default, deserialize_with = "field")]
    purchase_date: Field<String>,
    #[serde(default, deserialize_with = "field")]
    purchase_source: Field<String>,
    #[serde(default, deserialize_with = "field")]
    current_value: Field<RawMoney>,
    #[serde(default, deserialize_with = "field")]
    notes: Field<String>,
}

impl From<AnimalIn> for RawAnimal {
    fn from(b: AnimalIn) -> Self {
        RawAnimal {
            farm_id: b.farm_id,
            category_id: b.category_id,
            code: b.code,
            name: b.name,
            breed: b.breed,
            gender: b.gender,
            birth_date: b.birth_date,
            weight: b.weight,
            health_status: b.health_status,
            status: b.status,
            father_id: b.father_id,
            mother_id: b.mother_id,
            purchase_price: b.purchase_price,
            purchase_date: b.purchase_date,
            purchase_source: b.purchase_source,
            current_value: b.current_value,
            notes: b.notes,
        }
    }
}

/// `POST /animals` — answers 201 with the detail; duplicate code 40001.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<AnimalIn>,
) -> ApiResult<Reply<AnimalDetailOut>> {
    let d = animals::create(&state.db, body.into(), today(&state)).await?;
    Ok(Reply::created("创建成功", detail_out(&state, d)))
}

/// `PUT /animals/{id}` — absent fields keep their value, `null` clears an optional one
/// (`father_id: null` removes the father).
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<AnimalIn>,
) -> ApiResult<Reply<AnimalDetailOut>> {
    let d = animals::update(&state.db, id, body.into(), today(&state)).await?;
    Ok(Reply::ok("更新成功", detail_out(&state, d)))
}

/// `DELETE /animals/{id}` — its health records go with it.
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    animals::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}
