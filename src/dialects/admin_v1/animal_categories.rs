//! Animal categories (decisions §3: `name`, `code`): list, detail, create, update, delete.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Id, Json, Query};
use super::livestock::field;
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::livestock::Field;
use crate::domain::livestock::category::{self, Category, RawCategory};
use crate::error::Violations;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryOut {
    id: i64,
    name: String,
    code: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
}

fn out(state: &AppState, c: Category) -> CategoryOut {
    CategoryOut {
        id: c.id,
        name: c.name,
        code: c.code,
        description: c.description,
        created_at: local_seconds(c.created_at, state.tz),
        updated_at: local_seconds(c.updated_at, state.tz),
    }
}

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
}

/// `GET /animal-categories` — by id; `keyword` over name and code.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<CategoryOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    v.into_result()?;
    let (list, total) = category::list(&state.db, q.keyword.as_deref(), page).await?;
    let list = list.into_iter().map(|c| out(&state, c)).collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

/// `GET /animal-categories/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<CategoryOut>> {
    let c = category::get(&state.db, id).await?;
    Ok(Reply::ok("获取成功", out(&state, c)))
}

#[derive(Deserialize)]
pub struct CategoryIn {
    #[serde(default, deserialize_with = "field")]
    name: Field<String>,
    #[serde(default, deserialize_with = "field")]
    code: Field<String>,
    #[serde(default, deserialize_with = "field")]
    description: Field<String>,
}

impl From<CategoryIn> for RawCategory {
    fn from(b: CategoryIn) -> Self {
        RawCategory {
            name: b.name,
            code: b.code,
            description: b.description,
        }
    }
}

/// `POST /animal-categories` — duplicate name or code 10005.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<CategoryIn>,
) -> ApiResult<Reply<CategoryOut>> {
    let c = category::create(&state.db, body.into()).await?;
    Ok(Reply::created("创建成功", out(&state, c)))
}

/// `PUT /animal-categories/{id}`
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<CategoryIn>,
) -> ApiResult<Reply<CategoryOut>> {
    let c = category::update(&state.db, id, body.into()).await?;
    Ok(Reply::ok("更新成功", out(&state, c)))
}

/// `DELETE /animal-categories/{id}` — refused (10005) while animals use it.
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    category::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}
