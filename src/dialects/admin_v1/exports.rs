//! §12 导出功能: `POST /export/{resource}`, `GET /export/tasks/{task_id}`,
//! `GET /export/tasks/{task_id}/download`.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ApiResult;
use super::extract::{Auth, Json};
use super::reply::Reply;
use crate::db::time::local_seconds;
use crate::domain::files;
use crate::domain::identity::Principal;
use crate::domain::platform::export::{self, Failure, Plan, Resource, Status, Task};
use crate::error::{Entity, Error};
use crate::http::blob::{BlobMeta, Disposition};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ExportIn {
    format: Option<String>,
    filters: Option<Map<String, Value>>,
    fields: Option<Vec<String>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ExportQueuedOut)]
pub struct QueuedOut {
    task_id: String,
    status: &'static str,
    estimated_time: i64,
}

/// The wire status: the document knows `processing` and `completed`; a task waiting for a
/// worker is `processing` too (it is under way as far as the client can tell).
fn status_out(s: Status) -> &'static str {
    match s {
        Status::Pending | Status::Processing => "processing",
        Status::Completed => "completed",
        Status::Failed => "failed",
    }
}

async fn queue(
    state: &AppState,
    me: &Principal,
    resource: Resource,
    body: ExportIn,
) -> ApiResult<Reply<QueuedOut>> {
    let plan = Plan::check(
        resource,
        body.format.as_deref(),
        body.filters,
        body.fields,
        state.tz,
    )?;
    let queued = export::request(&state.db, me.user.id, &plan).await?;
    state.export_wake.notify_one();
    Ok(Reply::ok(
        "导出任务创建成功",
        QueuedOut {
            task_id: export::public_id(queued.task.id),
            status: status_out(queued.task.status),
            estimated_time: queued.estimated_seconds,
        },
    ))
}

/// `POST /export/{resource}` handlers: one per list, so each route has its own permission in
/// the route table.
macro_rules! export_route {
    ($(#[$doc:meta] $name:ident => $resource:expr;)*) => {$(
        #[$doc]
        pub async fn $name(
            State(state): State<AppState>,
            Auth(me): Auth,
            Json(body): Json<ExportIn>,
        ) -> ApiResult<Reply<QueuedOut>> {
            queue(&state, &me, $resource, body).await
        }
    )*};
}

export_route! {
    /// `POST /export/users` — the user list (§3.1) with its filters.
    users => Resource::Users;
    /// `POST /export/farms` — the farm list (§5.1) with its filters.
    farms => Resource::Farms;
    /// `POST /export/animals` — the animal list (§6.1) with its filters.
    animals => Resource::Animals;
    /// `POST /export/orders` — the order list (§7.1) with its filters.
    orders => Resource::Orders;
    /// `POST /export/financial-records` — the financial record list (§8.1) with its filters.
    financial_records => Resource::FinancialRecords;
    /// `POST /export/operation-logs` — the operation log (§9.2.1) with its filters.
    operation_logs => Resource::OperationLogs;
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ExportTaskOut)]
pub struct TaskOut {
    task_id: String,
    resource: String,
    format: String,
    status: &'static str,
    progress: i64,
    file_url: Option<String>,
    file_size: Option<i64>,
    record_count: i64,
    error: Option<String>,
    created_at: String,
    completed_at: Option<String>,
    expires_at: Option<String>,
}

fn failure_text(why: Failure) -> &'static str {
    match why {
        Failure::BadFilters => "导出条件无效",
        Failure::Abandoned => "导出多次中断,已放弃",
        Failure::Failed => "导出失败",
    }
}

fn download_url(state: &AppState, task: &Task) -> String {
    format!(
        "{}/export/tasks/{}/download",
        state.config.dialects.admin_v1.prefix,
        export::public_id(task.id)
    )
}

/// The task of the path as the caller may see it; an unknown id is 10004.
async fn task_of(state: &AppState, me: &Principal, raw: &str) -> Result<Task, Error> {
    let id = export::parse_public_id(raw).ok_or(Error::NotFound(Entity::Other))?;
    export::get(&state.db, me, id).await
}

fn path_or_404(
    p: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, Error> {
    p.map(|Path(s)| s)
        .map_err(|_| Error::NotFound(Entity::Other))
}

/// `GET /export/tasks/{task_id}` — status, honest progress, and the file once completed.
pub async fn task(
    State(state): State<AppState>,
    Auth(me): Auth,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Reply<TaskOut>> {
    let task = task_of(&state, &me, &path_or_404(path)?).await?;
    let done = task.status == Status::Completed;
    let tz = state.tz;
    Ok(Reply::ok(
        "获取成功",
        TaskOut {
            task_id: export::public_id(task.id),
            file_url: done.then(|| download_url(&state, &task)),
            file_size: task.file_size.filter(|_| done),
            record_count: if done { task.record_count } else { 0 },
            status: status_out(task.status),
            progress: task.progress,
            error: task.error.map(|f| failure_text(f).to_owned()),
            created_at: local_seconds(task.created_at, tz),
            completed_at: task.completed_at.map(|t| local_seconds(t, tz)),
            expires_at: task.expires_at.map(|t| local_seconds(t, tz)),
            resource: task.resource,
            format: task.format,
        },
    ))
}

/// `GET /export/tasks/{task_id}/download` — the finished file, as an attachment, for its
/// requester or an admin only (never cached by shared caches).
pub async fn download(
    State(state): State<AppState>,
    Auth(me): Auth,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let raw = path_or_404(path)?;
    let id = export::parse_public_id(&raw).ok_or(Error::NotFound(Entity::Other))?;
    let store = files::store(&state.config.file);
    let d = export::download(&state.db, store.as_ref(), &me, id).await?;
    let day = d
        .task
        .completed_at
        .map(|t| {
            local_seconds(t, state.tz)
                .get(..10)
                .unwrap_or("")
                .replace('-', "")
        })
        .unwrap_or_default();
    let filename = format!(
        "{}_{day}_{}.{}",
        d.task.resource,
        d.task.id,
        d.format.extension()
    );
    let sha = d.task.file_sha256.clone().unwrap_or_default();
    let meta = BlobMeta {
        sha256: &sha,
        mime: d.format.mime(),
        disposition: Disposition::Attachment,
        filename: &filename,
    };
    let mut response = meta.send(&headers, d.blob).await?;
    let h = response.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(d.format.mime()) {
        h.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
