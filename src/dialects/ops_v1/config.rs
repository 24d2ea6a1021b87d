//! `/system/config` — OPS manual "系统管理", decisions §2: the runtime settings store, for
//! admins. A change takes effect on the next request (settings are read per request).

use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::{Map, Value};

use super::error::ApiResult;
use super::extract::{Auth, Json};
use super::reply::Reply;
use crate::domain::platform::settings;
use crate::state::AppState;

/// `GET /system/config` — every setting as `{key: value}`.
pub async fn get_config(
    State(state): State<AppState>,
    Auth(_): Auth,
) -> ApiResult<impl IntoResponse> {
    let records = settings::list(&state.db).await?;
    Ok(Reply("Success", settings::as_object(&records)))
}

/// `PUT /system/config` — any subset of the keys; an unknown key or a bad value is `-2` and
/// changes nothing. Answers every setting.
pub async fn put_config(
    State(state): State<AppState>,
    Auth(admin): Auth,
    Json(mut changes): Json<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    // The manual's third token transport travels in the body; it is not a setting.
    changes.remove("userCookieValue");
    settings::update(&state.db, &changes).await?;
    let keys: Vec<&String> = changes.keys().collect();
    tracing::info!(user_id = admin.user.id, ?keys, "runtime settings changed");
    let records = settings::list(&state.db).await?;
    Ok(Reply("配置更新成功", settings::as_object(&records)))
}
