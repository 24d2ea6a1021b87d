//! The one place where core errors become `hanzi` answers (see CONTRACT.md, "Errors").
//!
//! Errors are `{"err", "msg"}` at HTTP 200, as the original served them. Only the route guard
//! (401/403), unknown routes (404) and login throttling (429) set a status, and then the body
//! also carries `"status"` (the original's `error(status, body)` did the same).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::dialects::zh;
use crate::error::{Entity, Error, Problem};
use crate::http::body::{BodyError, BodyErrorKind};
use crate::http::internal::InternalError;

/// The dialect's error codes (the original's `ErrCode`).
pub mod code {
    pub const INTERNAL: &str = "SYS-10000001";
    pub const NOT_FOUND: &str = "RES-10000001";
    pub const BAD_PARAMETER: &str = "RES-10000002";
    pub const RECORD_MISSING: &str = "DB-10000001";
    pub const RECORD_EXISTS: &str = "DB-10000002";
    pub const CREATE_FAILED: &str = "DB-10000004";
    pub const UNAUTHENTICATED: &str = "AUTH-10000001";
    pub const FORBIDDEN: &str = "AUTH-10000002";
    pub const THROTTLED: &str = "AUTH-10000003";
}

/// An error on its way to a `hanzi` client.
#[derive(Debug)]
pub enum ApiError {
    /// A core error, mapped by [`classify`].
    Core(Error),
    /// An answer a handler picks itself (always HTTP 200), e.g. "registration closed".
    Plain { code: &'static str, msg: String },
    /// An unknown route: 404 `RES-10000001`.
    RouteNotFound,
}

impl ApiError {
    pub fn plain(code: &'static str, msg: impl Into<String>) -> Self {
        ApiError::Plain {
            code,
            msg: msg.into(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::Core(err)
    }
}

impl From<BodyError> for ApiError {
    fn from(err: BodyError) -> Self {
        let msg = match (&err.kind, &err.field) {
            (BodyErrorKind::TooLarge, _) => "请求体过大".to_owned(),
            (BodyErrorKind::Syntax, _) => "请求体不是有效的 JSON".to_owned(),
            (_, Some(field)) => format!("请求不合法: {field}: {}", err.message),
            (_, None) => format!("请求不合法: {}", err.message),
        };
        ApiError::plain(code::BAD_PARAMETER, msg)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The `hanzi` wording of a field problem: the original says "缺少字段" for an absent field
/// and "名称过长" for a long name; the rest is the shared Chinese table.
/// The message of `problem` on `field`, with the original's noun for the field.
pub fn field_message(field: &str, problem: &Problem) -> String {
    let noun = match field {
        "password" => Some("密码"),
        "size" => Some("分页大小"),
        _ => None,
    };
    zh::with_noun(noun, problem, word(problem))
}

pub fn word(problem: &Problem) -> String {
    match problem {
        Problem::Required => "缺少字段".into(),
        Problem::Mismatch => "与路径中的 Unicode 不一致".into(),
        Problem::OutOfRange { min, max } => format!("必须在 {min}-{max} 之间"),
        Problem::Unparsable { detail } => format!("不是有效的 JSON: {detail}"),
        other => zh::word(other),
    }
}

/// `(status when the guard sets one, code, message)`: the table of CONTRACT.md.
pub fn classify(err: &Error) -> (Option<StatusCode>, &'static str, String) {
    match err {
        Error::Invalid(fields) => {
            let msg = match fields.first() {
                Some(f) => format!(
                    "请求不合法: {}: {}",
                    f.field,
                    field_message(&f.field, &f.problem)
                ),
                None => "请求不合法".to_owned(),
            };
            (None, code::BAD_PARAMETER, msg)
        }
        Error::Conflict {
            field,
            problem,
            value,
        } => (
            None,
            code::RECORD_EXISTS,
            zh::conflict(field, problem, value.as_deref()),
        ),
        Error::BadCredentials => (None, code::BAD_PARAMETER, "用户名或密码错误".into()),
        Error::UserDisabled => (None, code::FORBIDDEN, "用户已停用".into()),
        Error::Unauthenticated => (
            Some(StatusCode::UNAUTHORIZED),
            code::UNAUTHENTICATED,
            "用户身份凭证无效".into(),
        ),
        Error::Forbidden => (
            Some(StatusCode::FORBIDDEN),
            code::FORBIDDEN,
            "权限不足".into(),
        ),
        Error::NotFound(Entity::User) => (None, code::RECORD_MISSING, "用户不存在".into()),
        Error::NotFound(Entity::Glyph) => (None, code::RECORD_MISSING, "字形数据不存在".into()),
        Error::NotFound(_) => (None, code::RECORD_MISSING, "记录不存在".into()),
        Error::TooLarge => (None, code::BAD_PARAMETER, "请求体过大".into()),
        Error::UnsupportedType => (None, code::BAD_PARAMETER, "不支持的类型".into()),
        Error::RateLimited => (
            Some(StatusCode::TOO_MANY_REQUESTS),
            code::THROTTLED,
            "登录失败次数过多，请稍后再试".into(),
        ),
        Error::StateNotAllowed(rule) => (None, code::FORBIDDEN, zh::state(*rule).into()),
        Error::OrderState(r) => (None, code::FORBIDDEN, zh::order_refusal(r)),
        Error::Internal(_) => (None, code::INTERNAL, "系统内部错误".into()),
    }
}

#[derive(Debug, Serialize)]
struct ErrBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    err: &'static str,
    msg: String,
}

fn render(status: Option<StatusCode>, err: &'static str, msg: String) -> Response {
    let body = ErrBody {
        status: status.map(|s| s.as_u16()),
        err,
        msg,
    };
    (status.unwrap_or(StatusCode::OK), Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Core(err) => {
                let (status, code, msg) = classify(&err);
                let mut response = render(status, code, msg);
                if let Error::Internal(e) = &err {
                    response.extensions_mut().insert(InternalError::new(e));
                }
                response
            }
            ApiError::Plain { code, msg } => render(None, code, msg),
            ApiError::RouteNotFound => render(
                Some(StatusCode::NOT_FOUND),
                code::NOT_FOUND,
                "资源不存在".into(),
            ),
        }
    }
}

/// Unknown routes (and known paths with another method) under the prefix.
pub async fn not_found() -> ApiError {
    ApiError::RouteNotFound
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
