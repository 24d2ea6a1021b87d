//! §4.1 角色管理.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Id, Json, Query, required};
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::access::roles::{self, NewRole, Role, RoleFilter, RolePatch};
use crate::error::{Problem, Violations};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
    status: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleItemOut {
    id: i64,
    name: String,
    code: String,
    description: String,
    status: i64,
    user_count: i64,
    created_at: String,
}

/// `GET /roles`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<RoleItemOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let enabled = extract::status(&mut v, "status", q.status);
    v.into_result()?;
    let filter = RoleFilter {
        keyword: q.keyword,
        enabled,
    };
    let (items, total) = roles::list(&state.db, &filter, page).await?;
    let list = items
        .into_iter()
        .map(|i| RoleItemOut {
            id: i.role.id,
            name: i.role.name,
            code: i.role.code,
            description: i.role.description,
            status: i64::from(i.role.enabled),
            user_count: i.user_count,
            created_at: local_seconds(i.role.created_at, state.tz),
        })
        .collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PermissionBriefOut {
    id: i64,
    name: String,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberOut {
    id: i64,
    username: String,
    real_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleDetailOut {
    id: i64,
    name: String,
    code: String,
    description: String,
    status: i64,
    permissions: Vec<PermissionBriefOut>,
    users: Vec<MemberOut>,
    created_at: String,
    updated_at: String,
}

/// `GET /roles/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<RoleDetailOut>> {
    let d = roles::detail(&state.db, id).await?;
    Ok(Reply::ok(
        "获取成功",
        RoleDetailOut {
            id: d.role.id,
            name: d.role.name,
            code: d.role.code,
            description: d.role.description,
            status: i64::from(d.role.enabled),
            permissions: d
                .permissions
                .into_iter()
                .map(|p| PermissionBriefOut {
                    id: p.id,
                    name: p.name,
                    code: p.code,
                    kind: p.kind.as_str(),
                })
                .collect(),
            users: d
                .users
                .into_iter()
                .map(|m| MemberOut {
                    id: m.id,
                    username: m.username,
                    real_name: m.display_name,
                })
                .collect(),
            created_at: local_seconds(d.role.created_at, state.tz),
            updated_at: local_seconds(d.role.updated_at, state.tz),
        },
    ))
}

#[derive(Deserialize)]
pub struct RoleIn {
    name: Option<String>,
    code: Option<String>,
    description: Option<String>,
    status: Option<i64>,
    permission_ids: Option<Vec<i64>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleOut {
    id: i64,
    name: String,
    code: String,
    description: String,
    status: i64,
    created_at: String,
    updated_at: String,
}

fn role_out(state: &AppState, r: Role) -> RoleOut {
    RoleOut {
        id: r.id,
        name: r.name,
        code: r.code,
        description: r.description,
        status: i64::from(r.enabled),
        created_at: local_seconds(r.created_at, state.tz),
        updated_at: local_seconds(r.updated_at, state.tz),
    }
}

/// `POST /roles` — `name` required; without `code` one is generated. Answers 201.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<RoleIn>,
) -> ApiResult<Reply<RoleOut>> {
    let mut v = Violations::new();
    let name = required(&mut v, "name", &body.name).map(str::to_owned);
    let enabled = extract::status(&mut v, "status", body.status);
    if let Some(code) = body
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        v.check(roles::check_code("code", code))?;
    }
    v.into_result()?;
    let role = roles::create(
        &state.db,
        NewRole {
            name: name.unwrap_or_default(),
            code: body.code,
            description: body.description,
            enabled,
            permission_ids: body.permission_ids.unwrap_or_default(),
        },
    )
    .await?;
    Ok(Reply::created("创建成功", role_out(&state, role)))
}

/// `PUT /roles/{id}` — every field optional; `permission_ids` replaces the permissions.
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<RoleIn>,
) -> ApiResult<Reply<RoleOut>> {
    roles::get(&state.db, id).await?;
    let mut v = Violations::new();
    if body.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        v.add("name", Problem::Required);
    }
    let enabled = extract::status(&mut v, "status", body.status);
    v.into_result()?;
    let role = roles::update(
        &state.db,
        id,
        RolePatch {
            name: body.name,
            code: body.code.filter(|c| !c.trim().is_empty()),
            description: body.description,
            enabled,
            permission_ids: body.permission_ids,
        },
    )
    .await?;
    Ok(Reply::ok("更新成功", role_out(&state, role)))
}

/// `DELETE /roles/{id}` — refused with 10005 while users hold the role, or for a built-in one.
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    roles::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}
