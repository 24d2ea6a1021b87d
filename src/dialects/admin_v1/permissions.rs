//! §4.2 权限管理.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Json, Query, required};
use super::reply::Reply;
use crate::db::time::local_seconds;
use crate::domain::access::permissions::{
    self, NewPermission, Permission, PermissionFilter, PermissionNode, PermissionType,
};
use crate::error::{Entity, Problem, Violations};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct NodeOut {
    id: i64,
    name: String,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    parent_id: Option<i64>,
    path: Option<String>,
    icon: Option<String>,
    sort_order: i64,
    status: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    children: Vec<NodeOut>,
}

impl From<PermissionNode> for NodeOut {
    fn from(n: PermissionNode) -> Self {
        let p = n.permission;
        NodeOut {
            id: p.id,
            name: p.name,
            code: p.code,
            kind: p.kind.as_str(),
            parent_id: p.parent_id,
            path: p.path,
            icon: p.icon,
            sort_order: p.sort_order,
            status: i64::from(p.enabled),
            children: n.children.into_iter().map(NodeOut::from).collect(),
        }
    }
}

/// `GET /permissions/tree` — the whole tree, each level sorted by `sort_order`.
pub async fn tree(State(state): State<AppState>) -> ApiResult<Reply<Vec<NodeOut>>> {
    let forest = permissions::tree(&state.db).await?;
    Ok(Reply::ok(
        "获取成功",
        forest.into_iter().map(NodeOut::from).collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PermissionOut {
    id: i64,
    name: String,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    parent_id: Option<i64>,
    path: Option<String>,
    icon: Option<String>,
    sort_order: i64,
    status: i64,
    created_at: String,
}

fn permission_out(state: &AppState, p: Permission) -> PermissionOut {
    PermissionOut {
        id: p.id,
        name: p.name,
        code: p.code,
        kind: p.kind.as_str(),
        parent_id: p.parent_id,
        path: p.path,
        icon: p.icon,
        sort_order: p.sort_order,
        status: i64::from(p.enabled),
        created_at: local_seconds(p.created_at, state.tz),
    }
}

fn kind_of(v: &mut Violations, raw: Option<&str>) -> Option<PermissionType> {
    let raw = raw?;
    let kind = PermissionType::parse(raw.trim());
    if kind.is_none() {
        v.add(
            "type",
            Problem::NotOneOf {
                allowed: &["menu", "button", "api"],
                got: None,
            },
        );
    }
    kind
}

#[derive(Deserialize)]
pub struct ListIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    parent_id: Option<i64>,
    status: Option<i64>,
    keyword: Option<String>,
}

/// `GET /permissions` — a flat list (no paging, as the document shows); `parent_id=0` lists
/// the top level.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Vec<PermissionOut>>> {
    let mut v = Violations::new();
    let kind = kind_of(&mut v, q.kind.as_deref());
    let enabled = extract::status(&mut v, "status", q.status);
    if q.parent_id.is_some_and(|p| p < 0) {
        v.add("parent_id", Problem::AtLeast { min: 0 });
    }
    v.into_result()?;
    let filter = PermissionFilter {
        kind,
        parent_id: q.parent_id.map(|p| Some(p).filter(|p| *p > 0)),
        enabled,
        keyword: q.keyword,
    };
    let rows = permissions::list(&state.db, &filter).await?;
    Ok(Reply::ok(
        "获取成功",
        rows.into_iter()
            .map(|p| permission_out(&state, p))
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct PermissionIn {
    name: Option<String>,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    parent_id: Option<i64>,
    path: Option<String>,
    icon: Option<String>,
    sort_order: Option<i64>,
    status: Option<i64>,
}

/// `POST /permissions` — `name` and `type` required; an unknown `parent_id` is 10006, a
/// duplicate `code` 10005. `parent_id` null or 0 makes a top-level permission. Answers 201.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<PermissionIn>,
) -> ApiResult<Reply<PermissionOut>> {
    let mut v = Violations::new();
    let name = required(&mut v, "name", &body.name).map(str::to_owned);
    let kind = match body.kind.as_deref() {
        None | Some("") => {
            v.add("type", Problem::Required);
            None
        }
        raw => kind_of(&mut v, raw),
    };
    let enabled = extract::status(&mut v, "status", body.status);
    if let Some(code) = body
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        v.check(permissions::check_code("code", code))?;
    }
    if body.parent_id.is_some_and(|p| p < 0) {
        v.add(
            "parent_id",
            Problem::UnknownReference {
                entity: Entity::Permission,
                id: None,
            },
        );
    }
    v.into_result()?;
    let mut new = NewPermission::new(
        name.unwrap_or_default(),
        kind.unwrap_or(PermissionType::Menu),
    );
    new.parent_id = body.parent_id.filter(|p| *p > 0);
    new.code = body.code;
    new.path = body.path;
    new.icon = body.icon;
    new.sort_order = body.sort_order.unwrap_or(0);
    new.enabled = enabled.unwrap_or(true);
    let p = permissions::create(&state.db, new).await?;
    Ok(Reply::created("创建成功", permission_out(&state, p)))
}
