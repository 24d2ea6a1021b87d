//! The `account` envelope: `{"code": <int>, "data": ..., "msg": "..."}`, `code` mirroring
//! the HTTP status — except logout and deletes, which answer HTTP 200 with `code` 204.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The success message of every successful answer but login's.
pub const OK_MSG: &str = "请求成功";

#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub code: u16,
    pub data: T,
    pub msg: String,
}

/// Renders an envelope with `code` = `status`.
pub fn envelope<T: Serialize>(status: StatusCode, data: T, msg: &str) -> Response {
    (
        status,
        Json(Envelope {
            code: status.as_u16(),
            data,
            msg: msg.to_owned(),
        }),
    )
        .into_response()
}

/// 200 with `data`.
pub struct Done<T>(pub T);

impl<T: Serialize> IntoResponse for Done<T> {
    fn into_response(self) -> Response {
        envelope(StatusCode::OK, self.0, OK_MSG)
    }
}

/// 201 with the created object (or array, for a batch).
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        envelope(StatusCode::CREATED, self.0, OK_MSG)
    }
}

/// The answer to a create: the array for a batch request, the one object otherwise.
pub fn created_answer<T: Serialize>(mut items: Vec<T>, batch: bool) -> Response {
    if batch {
        Created(items).into_response()
    } else {
        Created(items.pop()).into_response()
    }
}

/// Logout and deletes: HTTP 200, `code` 204, `data: null` (an HTTP 204 could carry no body).
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            Json(Envelope {
                code: 204,
                data: serde_json::Value::Null,
                msg: OK_MSG.to_owned(),
            }),
        )
            .into_response()
    }
}
