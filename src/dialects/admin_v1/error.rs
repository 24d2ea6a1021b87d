//! The one place where core errors become `admin_v1` answers: §14.1 of the document
//! (see CONTRACT.md, "Errors").

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::reply::{Envelope, FieldOut};
use crate::dialects::zh;
use crate::error::{Entity, Error, FieldError, Problem};
use crate::http::body::{BodyError, BodyErrorKind};
use crate::http::internal::InternalError;

/// Everything a handler can fail with.
#[derive(Debug)]
pub enum ApiError {
    /// A core error.
    Core(Error),
    /// Not JSON, or the wrong JSON types (or an unparsable query / path value): 10001/400.
    Malformed(Option<String>, String),
    /// Several fields of the wrong JSON type, each named once: 10001/400.
    MalformedFields(Vec<(String, String)>),
    /// A body over the limit: 10001/413.
    TooLarge,
    /// Wrong login name or password: 20004/400.
    BadLogin,
    /// Wrong, missing, spent or expired captcha: 20005/400.
    Captcha,
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::Core(err)
    }
}

impl From<BodyError> for ApiError {
    fn from(err: BodyError) -> Self {
        match err.kind {
            BodyErrorKind::TooLarge => ApiError::TooLarge,
            // A field left out or `null` where a value is required is a rule, not a type
            // (every request type reads optional fields and checks presence itself; this
            // covers nested shapes).
            BodyErrorKind::Shape
                if err.message.starts_with("missing field")
                    || err.message.starts_with("invalid type: null") =>
            {
                ApiError::Core(Error::invalid(
                    err.field.unwrap_or_else(|| "body".to_owned()),
                    Problem::Required,
                ))
            }
            BodyErrorKind::Syntax => ApiError::Malformed(None, "请求体不是有效的JSON".to_owned()),
            BodyErrorKind::Shape if !err.also.is_empty() => {
                let first = (err.field.unwrap_or_default(), err.message);
                ApiError::MalformedFields(
                    std::iter::once(first)
                        .chain(err.also)
                        .map(|(f, m)| (f, format!("参数类型错误: {m}")))
                        .collect(),
                )
            }
            BodyErrorKind::Shape => {
                ApiError::Malformed(err.field, format!("参数类型错误: {}", err.message))
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `(HTTP status, code, message)` of a core error: the table of CONTRACT.md.
pub fn classify(err: &Error) -> (StatusCode, u32, String) {
    match err {
        Error::Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            10006,
            "参数验证失败".into(),
        ),
        Error::Conflict {
            field,
            problem,
            value,
        } => match field.as_str() {
            "username" => (StatusCode::BAD_REQUEST, 20001, "用户名已存在".into()),
            "phone" => (StatusCode::BAD_REQUEST, 20002, "手机号已存在".into()),
            "email" => (StatusCode::BAD_REQUEST, 20003, "邮箱已存在".into()),
            "farms.name" => (StatusCode::BAD_REQUEST, 30001, "养殖场名称已存在".into()),
            "farms.code" => (StatusCode::BAD_REQUEST, 30002, "养殖场编码已存在".into()),
            "animals.code" => (StatusCode::BAD_REQUEST, 40001, "动物编码已存在".into()),
            _ => (
                StatusCode::CONFLICT,
                10005,
                zh::conflict(field, problem, value.as_deref()),
            ),
        },
        Error::BadCredentials => (StatusCode::BAD_REQUEST, 20004, "用户名或密码错误".into()),
        Error::UserDisabled => (StatusCode::FORBIDDEN, 10003, "账号已被禁用".into()),
        Error::Unauthenticated => (StatusCode::UNAUTHORIZED, 10002, "未授权".into()),
        Error::Forbidden => (
            StatusCode::FORBIDDEN,
            10003,
            "权限不足,无法访问此资源".into(),
        ),
        Error::NotFound(entity) => (
            StatusCode::NOT_FOUND,
            10004,
            match entity {
                Entity::User => "用户不存在",
                Entity::Role => "角色不存在",
                Entity::Permission => "权限不存在",
                _ => "资源不存在",
            }
            .into(),
        ),
        Error::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, 10001, "请求体过大".into()),
        Error::UnsupportedType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            10001,
            "不支持的文件类型".into(),
        ),
        Error::RateLimited => (StatusCode::TOO_MANY_REQUESTS, 10007, "请求过于频繁".into()),
        Error::StateNotAllowed(rule) => (StatusCode::CONFLICT, 10005, zh::state(*rule).into()),
        Error::OrderState(r) => (StatusCode::BAD_REQUEST, 50001, zh::order_refusal(r)),
        Error::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            10008,
            "服务器内部错误".into(),
        ),
    }
}

/// The `admin_v1` wording of a field problem: the shared Chinese table.
pub fn word(problem: &Problem) -> String {
    zh::word(problem)
}

/// The message of `problem` on `field`, with the document's noun for the field.
pub fn field_message(field: &str, problem: &Problem) -> String {
    let noun = match field {
        "username" => Some("用户名"),
        "password" | "new_password" => Some("密码"),
        "page_size" => Some("每页数量"),
        _ => None,
    };
    zh::with_noun(noun, problem, word(problem))
}

fn fields_out(fields: &[FieldError]) -> Vec<FieldOut> {
    fields
        .iter()
        .map(|f| FieldOut {
            field: f.field.clone(),
            message: field_message(&f.field, &f.problem),
        })
        .collect()
}

fn render(
    status: StatusCode,
    code: u32,
    message: String,
    errors: Option<Vec<FieldOut>>,
) -> Response {
    let mut env = Envelope::<Value>::new(false, code, message, None);
    env.errors = errors;
    (status, Json(env)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Core(err) => {
                let (status, code, message) = classify(&err);
                let errors = match &err {
                    Error::Invalid(fields) => Some(fields_out(fields)),
                    _ => None,
                };
                let mut response = render(status, code, message, errors);
                if let Error::Internal(e) = &err {
                    response.extensions_mut().insert(InternalError::new(e));
                }
                response
            }
            ApiError::Malformed(field, message) => {
                let errors = field.map(|field| vec![FieldOut { field, message }]);
                render(StatusCode::BAD_REQUEST, 10001, "参数错误".into(), errors)
            }
            ApiError::MalformedFields(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|(field, message)| FieldOut { field, message })
                    .collect();
                render(
                    StatusCode::BAD_REQUEST,
                    10001,
                    "参数错误".into(),
                    Some(errors),
                )
            }
            ApiError::TooLarge => render(
                StatusCode::PAYLOAD_TOO_LARGE,
                10001,
                "请求体过大".into(),
                None,
            ),
            ApiError::BadLogin => render(
                StatusCode::BAD_REQUEST,
                20004,
                "用户名或密码错误".into(),
                None,
            ),
            ApiError::Captcha => render(StatusCode::BAD_REQUEST, 20005, "验证码错误".into(), None),
        }
    }
}

/// Unknown routes (and methods) under the prefix.
pub async fn not_found() -> ApiError {
    ApiError::Core(Error::NotFound(Entity::Other))
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
