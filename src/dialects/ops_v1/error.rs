//! The one place where core errors become `ops_v1` answers (see CONTRACT.md, "Errors").

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::reply::Envelope;
use crate::dialects::zh;
use crate::error::{Entity, Error, Problem};
use crate::http::body::{BodyError, BodyErrorKind};
use crate::http::internal::InternalError;

/// A core error on its way to an `ops_v1` client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(err)
    }
}

impl From<BodyError> for ApiError {
    fn from(err: BodyError) -> Self {
        let message = match (&err.kind, &err.field) {
            (BodyErrorKind::TooLarge, _) => "请求体过大".to_owned(),
            (_, Some(field)) => format!("{field}: {}", err.message),
            (_, None) => err.message,
        };
        // The parser's text is composed here and shown as it is (see `word`).
        ApiError(Error::invalid(
            err.field.unwrap_or_else(|| "body".to_owned()),
            Problem::Unparsable { detail: message },
        ))
    }
}

/// The message of `problem` on `field`, with the manual's noun for the field.
pub fn field_message(field: &str, problem: &Problem) -> String {
    let noun = match field {
        "name" => Some("用户名"),
        "password" => Some("密码"),
        "entries" => Some("每页数量"),
        _ => None,
    };
    zh::with_noun(noun, problem, word(problem))
}

/// The `ops_v1` wording of a field problem: the shared Chinese table, except that a parser's
/// detail is shown bare (it already names the field).
pub fn word(problem: &Problem) -> String {
    match problem {
        Problem::Unparsable { detail } => detail.clone(),
        other => zh::word(other),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `(HTTP status, code, message)` for an error; the table of CONTRACT.md.
pub fn classify(err: &Error) -> (StatusCode, &'static str, String) {
    match err {
        Error::Invalid(fields) => {
            let first = fields.first();
            let field = first.map(|f| f.field.as_str()).unwrap_or("");
            let detail = first.map(|f| {
                let message = field_message(&f.field, &f.problem);
                if message.starts_with(&f.field) {
                    message
                } else {
                    format!("{}: {message}", f.field)
                }
            });
            if field.starts_with("costs") {
                (
                    StatusCode::BAD_REQUEST,
                    "-202",
                    detail.unwrap_or_else(|| "费用明细错误".into()),
                )
            } else if field == "order_status" {
                (
                    StatusCode::BAD_REQUEST,
                    "-203",
                    detail.unwrap_or_else(|| "订单状态无效".into()),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    "-2",
                    detail.unwrap_or_else(|| "参数错误".into()),
                )
            }
        }
        Error::Conflict {
            field,
            problem,
            value,
        } => (
            StatusCode::CONFLICT,
            "-4",
            zh::conflict(field, problem, value.as_deref()),
        ),
        Error::BadCredentials => (StatusCode::UNAUTHORIZED, "-42", "用户名或密码错误".into()),
        Error::UserDisabled => (StatusCode::FORBIDDEN, "-6", "用户已停用".into()),
        Error::Unauthenticated => (StatusCode::UNAUTHORIZED, "-3", "用户未登录".into()),
        Error::Forbidden => (StatusCode::FORBIDDEN, "-6", "权限不足".into()),
        Error::NotFound(Entity::User) => (StatusCode::NOT_FOUND, "-5", "用户不存在".into()),
        Error::NotFound(Entity::File) => (StatusCode::NOT_FOUND, "-100", "文件不存在".into()),
        Error::NotFound(Entity::Order) => (StatusCode::NOT_FOUND, "-200", "订单不存在".into()),
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "-2", "资源不存在".into()),
        Error::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "-102",
            "文件大小超出限制".into(),
        ),
        Error::UnsupportedType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "-101",
            "文件类型不支持".into(),
        ),
        Error::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "-7",
            "请求过于频繁,请稍后再试".into(),
        ),
        Error::StateNotAllowed(rule) => (StatusCode::BAD_REQUEST, "-2", zh::state(*rule).into()),
        Error::OrderState(r) => (StatusCode::BAD_REQUEST, "-2", zh::order_refusal(r)),
        Error::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "-1",
            "内部服务器错误".into(),
        ),
    }
}

impl ApiError {
    /// Answers an internal failure with the operation's own documented code and message
    /// (`-201` 订单创建失败, still HTTP 500) instead of `-1`; other errors answer as usual.
    pub fn internal_as(self, code: &'static str, message: &'static str) -> Response {
        let mut response = self.into_response();
        if response.extensions().get::<InternalError>().is_some() {
            *response.body_mut() = axum::body::Body::from(
                serde_json::to_vec(&Envelope::<Value> {
                    code: code.to_owned(),
                    message: message.to_owned(),
                    data: Value::Null,
                })
                .unwrap_or_default(),
            );
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = classify(&self.0);
        let mut response = (
            status,
            Json(Envelope::<Value> {
                code: code.to_owned(),
                message,
                data: Value::Null,
            }),
        )
            .into_response();
        if let Error::Internal(e) = &self.0 {
            response.extensions_mut().insert(InternalError::new(e));
        }
        response
    }
}

/// An error of `POST /files/upload`, where an internal failure is the manual's `-103`
/// "文件上传失败" (500) rather than the generic `-1`; everything else maps as usual.
#[derive(Debug)]
pub struct UploadError(pub ApiError);

impl From<Error> for UploadError {
    fn from(err: Error) -> Self {
        UploadError(ApiError(err))
    }
}

impl From<ApiError> for UploadError {
    fn from(err: ApiError) -> Self {
        UploadError(err)
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let Error::Internal(e) = &self.0.0 else {
            return self.0.into_response();
        };
        let mut response = (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(Envelope::<Value> {
                code: "-103".to_owned(),
                message: "文件上传失败".to_owned(),
                data: Value::Null,
            }),
        )
            .into_response();
        response.extensions_mut().insert(InternalError::new(e));
        response
    }
}

/// Unknown routes under the prefix.
pub async fn not_found() -> ApiError {
    ApiError(Error::NotFound(Entity::Other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_a_wording() {
        for problem in Problem::examples() {
            assert!(!word(&problem).is_empty(), "{problem:?}");
        }
    }
}
