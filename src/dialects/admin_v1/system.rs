//! §9 系统管理: system configs (§9.1) over the one runtime settings store that `ops_v1`
//! `/system/config` also uses, and the operation log (§9.2) of every dialect.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ApiResult;
use super::extract::{self, AdminState, Id, Json, Query};
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::platform::oplog::{Entry, store};
use crate::domain::platform::settings::{self, SettingRecord};
use crate::error::Violations;
use crate::state::AppState;

/// The routes of this file (each is listed in [`super::ROUTES`]).
pub fn router() -> Router<AdminState> {
    Router::new()
        .route("/system/configs", get(configs))
        .route("/system/configs/{id}", put(update_config))
        .route("/system/operation-logs", get(operation_logs))
        // The shorter path some clients use for the same list.
        .route("/operation-logs", get(operation_logs))
}

#[derive(Deserialize)]
pub struct ConfigsIn {
    config_key: Option<String>,
    is_public: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConfigOut {
    id: i64,
    config_key: String,
    config_value: String,
    config_type: String,
    description: String,
    is_public: i64,
    created_at: String,
    updated_at: String,
}

fn config_out(state: &AppState, r: SettingRecord) -> ConfigOut {
    ConfigOut {
        id: r.id,
        config_value: settings::value_text(&r.value),
        config_key: r.key,
        config_type: r.value_type,
        description: r.description,
        is_public: i64::from(r.is_public),
        created_at: local_seconds(r.created_at, state.tz),
        updated_at: local_seconds(r.updated_at, state.tz),
    }
}

/// `GET /system/configs` (§9.1.1) — `config_key` matches part of the key; `is_public` 0|1.
pub async fn configs(
    State(state): State<AppState>,
    Query(q): Query<ConfigsIn>,
) -> ApiResult<Reply<Vec<ConfigOut>>> {
    let mut v = Violations::new();
    let public = extract::status(&mut v, "is_public", q.is_public);
    v.into_result()?;
    let key = q.config_key.map(|k| k.trim().to_lowercase());
    let list = settings::list(&state.db)
        .await?
        .into_iter()
        .filter(|r| key.as_ref().is_none_or(|k| r.key.contains(k.as_str())))
        .filter(|r| public.is_none_or(|p| r.is_public == p))
        .map(|r| config_out(&state, r))
        .collect();
    Ok(Reply::ok("获取成功", list))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ConfigIn {
    config_value: Option<String>,
    description: Option<String>,
}

/// `PUT /system/configs/{id}` (§9.1.2) — `config_value` is text read by the setting's
/// `config_type`; a bad value is 10006 and changes nothing. Seen by `ops_v1` and every node
/// on the next request.
pub async fn update_config(
    State(state): State<AppState>,
    Id(id): Id,
    Json(body): Json<ConfigIn>,
) -> ApiResult<Reply<ConfigOut>> {
    let record = settings::update_one(
        &state.db,
        id,
        body.config_value.as_deref(),
        body.description.as_deref(),
    )
    .await?;
    Ok(Reply::ok("更新成功", config_out(&state, record)))
}

#[derive(Deserialize)]
pub struct LogsIn {
    page: Option<i64>,
    page_size: Option<i64>,
    user_id: Option<i64>,
    module: Option<String>,
    action: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    ip: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LogUserOut {
    id: i64,
    username: Option<String>,
    real_name: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LogOut {
    id: i64,
    user: Option<LogUserOut>,
    dialect: String,
    module: String,
    action: String,
    method: String,
    url: String,
    ip: String,
    user_agent: Option<String>,
    #[schema(required)]
    request_data: Option<Value>,
    #[schema(required)]
    response_data: Option<Value>,
    status_code: i64,
    execution_time: i64,
    created_at: String,
}

fn log_out(state: &AppState, e: Entry) -> LogOut {
    let Entry {
        id,
        real_name,
        entry: n,
    } = e;
    LogOut {
        id,
        user: n.user_id.map(|uid| LogUserOut {
            id: uid,
            username: n.username,
            real_name,
        }),
        dialect: n.dialect,
        module: n.module,
        action: n.action,
        method: n.method,
        url: n.url,
        ip: n.ip,
        user_agent: n.user_agent,
        request_data: n.request_data,
        response_data: n.response_data,
        status_code: n.status_code,
        execution_time: n.execution_time,
        created_at: local_seconds(n.created_at, state.tz),
    }
}

/// `GET /system/operation-logs` (§9.2.1) — newest first, every documented filter.
pub async fn operation_logs(
    State(state): State<AppState>,
    Query(q): Query<LogsIn>,
) -> ApiResult<Reply<Paged<LogOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let filter = v.check(
        store::Query {
            user_id: q.user_id,
            module: q.module,
            action: q.action,
            ip: q.ip,
            start_date: q.start_date,
            end_date: q.end_date,
        }
        .parse(state.tz),
    )?;
    v.into_result()?;
    // Present whenever the check passed.
    let filter = filter.unwrap_or_default();
    let (entries, total) = store::list(&state.db, &filter, page).await?;
    let list = entries.into_iter().map(|e| log_out(&state, e)).collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}
