//! The `ops_v1` envelope: `{"code": "0", "message": "...", "data": ...}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub code: String,
    pub message: String,
    pub data: T,
}

/// A success answer with its message.
pub struct Reply<T>(pub &'static str, pub T);

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        Json(Envelope {
            code: "0".to_owned(),
            message: self.0.to_owned(),
            data: self.1,
        })
        .into_response()
    }
}
