//! `/system/*` — OPS manual "系统管理".

use axum::extract::State;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiResult;
use super::reply::Reply;
use crate::db::time::rfc3339;
use crate::domain::platform::status;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct StatusOut {
    version: &'static str,
    uptime: String,
    database: &'static str,
    memory_usage: String,
    active_sessions: i64,
    total_users: i64,
    server_time: String,
}

/// `GET /system/status` — public, live figures (at most a second or two old under load).
pub async fn status(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let s = state.status.get(&state.db, state.uptime()).await?;
    let message = if s.database_connected {
        "系统运行正常"
    } else {
        "数据库连接异常"
    };
    Ok(Reply(
        message,
        StatusOut {
            version: s.version,
            uptime: status::format_uptime(s.uptime),
            database: if s.database_connected {
                "connected"
            } else {
                "disconnected"
            },
            // The manual shows "45%"; a process's share is often below 1%, so one decimal.
            memory_usage: format!("{:.1}%", s.memory_used_percent),
            active_sessions: s.active_sessions,
            total_users: s.total_users,
            server_time: rfc3339(crate::db::now()),
        },
    ))
}
