//! The one place where core errors become `account` answers (see CONTRACT.md, "Errors").
//!
//! Validation failures are DRF-style: HTTP 400, `msg` `请求异常`, `data` = `{field:
//! [messages]}` — or, for a batch create, one such object per item (`{}` for good ones).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::reply::envelope;
use crate::error::{Entity, Error, FieldError, Format, Kind, Problem, Rule};
use crate::http::body::{BodyError, BodyErrorKind};
use crate::http::internal::InternalError;

/// The message of every validation failure.
pub const INVALID_MSG: &str = "请求异常";
/// Login refused, whatever the reason (unknown name, wrong password, disabled account).
pub const LOGIN_FAILED_MSG: &str = "account or password error.";

/// A failure on its way to an `account` client.
#[derive(Debug)]
pub enum ApiError {
    Core(Error),
    /// Login refused: 401 with `data: {}` as the document shows.
    LoginFailed,
    /// Validation failures of a batch: one `{field: [messages]}` object per item.
    Batch(Vec<Map<String, Value>>),
    /// `?page=` that is not a page of the list: 404 `Invalid page.` (as DRF).
    InvalidPage,
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::Core(err)
    }
}

impl From<BodyError> for ApiError {
    fn from(err: BodyError) -> Self {
        if err.kind == BodyErrorKind::TooLarge {
            return ApiError::Core(Error::TooLarge);
        }
        let field = err.field.unwrap_or_else(|| "detail".to_owned());
        let detail = match err.kind {
            BodyErrorKind::Syntax => "JSON parse error.".to_owned(),
            _ => err.message,
        };
        ApiError::Core(Error::invalid(field, Problem::Unparsable { detail }))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The username rule of Django's `UnicodeUsernameValidator`.
pub const USERNAME_RULE: &str = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";

fn kind(expected: Kind, got: Option<&str>) -> String {
    let got = got.unwrap_or("value");
    match expected {
        Kind::String | Kind::StringOrNull => "Not a valid string.".into(),
        Kind::Boolean | Kind::BooleanOrLevel { .. } => "Must be a valid boolean.".into(),
        Kind::Integer | Kind::IntegerOrNull => "A valid integer is required.".into(),
        Kind::PrimaryKey => format!("Incorrect type. Expected pk value, received {got}."),
        Kind::Array | Kind::ArrayOrJsonText => {
            format!("Expected a list of items but got type \"{got}\".")
        }
        Kind::Object => format!("Invalid data. Expected a dictionary, but got {got}."),
    }
}

fn format(f: Format) -> &'static str {
    match f {
        Format::Email => "Enter a valid email address.",
        Format::Phone => "Enter a valid phone number.",
        Format::Username => USERNAME_RULE,
        Format::Regex => "Enter a valid regular expression.",
        Format::DateTime => "Datetime has wrong format.",
        Format::Date => "Date has wrong format.",
        Format::Utf8 => "Not a valid string.",
        Format::IdCard
        | Format::UserId
        | Format::PermissionCode
        | Format::RoleCode
        | Format::FileType
        | Format::Sha256Hex
        | Format::CodePoint
        | Format::SingleCharacter
        | Format::Multipart
        | Format::Operator
        | Format::Operands
        | Format::StrokeOrder
        | Format::NumericParameters
        | Format::StringList
        | Format::Strokes
        | Format::PinyinList
        | Format::Reference => "Enter a valid value.",
        Format::Amount => "Ensure that there are no more than 2 decimal places.",
    }
}

fn rule(r: Rule) -> &'static str {
    match r {
        Rule::WouldCreateCycle => "This would make the record its own ancestor.",
        Rule::BuiltInRoleCode => "The code of a built-in group cannot be changed.",
        Rule::BuiltInRoleUndeletable => "A built-in group cannot be deleted.",
        Rule::SuperAdminRoleDisabled => "The super admin group cannot be disabled.",
        Rule::RoleInUse => "The group still has members.",
        Rule::GlyphReferenced => "Other characters still refer to this one.",
        Rule::ResetTokenInvalid => "Invalid or expired token.",
        Rule::UnknownSetting => "Unknown setting.",
        Rule::UnknownGlyphType => "Unknown glyph type.",
        Rule::ImageTooManyPixels => "The image has too many pixels.",
        Rule::ImageTooMuchMemory => "The image needs too much memory to decode.",
        Rule::ImageUndecodable => "The image is damaged or cannot be decoded.",
        Rule::PeriodTooLong => "The period must not be longer than 3660 days.",
        Rule::SameBuyerAndSeller => "The buyer and the seller must differ.",
        Rule::DiscountExceedsAmount => "The discount exceeds the amount plus shipping.",
        Rule::RefundExceedsActual => "The refund exceeds the amount paid.",
        Rule::AnimalDead => "A dead animal cannot be traded.",
        Rule::StartAfterEnd => "The start date is after the end date.",
        Rule::RangeTooLarge => "The range is too large.",
        Rule::DateInFuture => "The date is in the future.",
        Rule::OwnParent => "An animal cannot be its own parent.",
        Rule::ParentWrongSex => "The father must be male and the mother female.",
        Rule::ParentNotOlder => "A parent must be born before the animal.",
        Rule::ParentIsDescendant => "A parent cannot be a descendant of the animal.",
        Rule::ParentGenderLocked => "A registered parent's gender cannot change.",
        Rule::BornAfterOffspring => "The birth date must be before the offspring's.",
        Rule::WithdrawalOnlyForTreatment => "Only a treatment has a withdrawal period.",
        Rule::StillReferenced => "Other records still refer to this one.",
        Rule::LastSuperAdmin => "The last active superuser keeps the role.",
    }
}

/// The DRF wording of one field problem: the one table of this dialect.
pub fn word(problem: &Problem) -> String {
    match problem {
        Problem::Required => "This field is required.".into(),
        Problem::Null => "This field may not be null.".into(),
        Problem::Blank => "This field may not be blank.".into(),
        Problem::RequiredOneOf { fields } => format!("{} is required.", fields.join(" or ")),
        Problem::TooShort { min } => format!("Ensure this field has at least {min} characters."),
        Problem::TooLong { max } => {
            format!("Ensure this field has no more than {max} characters.")
        }
        Problem::Length { min, max } => {
            format!("Ensure this field has between {min} and {max} characters.")
        }
        Problem::AtLeast { min } => {
            format!("Ensure this value is greater than or equal to {min}.")
        }
        Problem::AtMost { max } => format!("Ensure this value is less than or equal to {max}."),
        Problem::OutOfRange { min, max } => {
            format!("Ensure this value is between {min} and {max}.")
        }
        Problem::TooMany { max } => {
            format!("Ensure this field has no more than {max} elements.")
        }
        Problem::WrongType { expected, got } => kind(*expected, *got),
        Problem::NotAnId { got } => format!("\"{got}\" is not a valid integer id."),
        Problem::BadFormat(f) => format(*f).into(),
        Problem::NotOneOf { got: Some(got), .. } => format!("\"{got}\" is not a valid choice."),
        Problem::NotOneOf { got: None, .. } => "Select a valid choice.".into(),
        Problem::ForbiddenCharacter => "Enter a valid value.".into(),
        Problem::UnknownReference { id: Some(id), .. } => {
            format!("Invalid pk \"{id}\" - object does not exist.")
        }
        Problem::UnknownReference { id: None, .. } => "Object does not exist.".into(),
        Problem::Duplicate => "This field must be unique.".into(),
        Problem::NotUniqueTogether { fields } => {
            format!("The fields {} must make a unique set.", fields.join(", "))
        }
        Problem::Mismatch => "The two fields didn't match.".into(),
        Problem::Unparsable { detail } => detail.clone(),
        Problem::Rule(r) => rule(*r).into(),
    }
}

/// The field and Django/DRF wording of a clash on `field`: a taken unique value, or a
/// record whose state refuses the change (reported as `non_field_errors`).
fn conflict_entry(field: &str, problem: &Problem) -> (String, String) {
    match field {
        "username" => (
            field.to_owned(),
            "A user with that username already exists.".to_owned(),
        ),
        "email" | "phone" => (
            field.to_owned(),
            format!("user with this {field} already exists."),
        ),
        "name" => (
            field.to_owned(),
            "group with this name already exists.".to_owned(),
        ),
        _ => ("non_field_errors".to_owned(), word(problem)),
    }
}

/// Adds `message` to `field`'s list in a DRF error object.
fn push(map: &mut Map<String, Value>, field: &str, message: String) {
    let entry = map
        .entry(field.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        list.push(Value::String(message));
    }
}

/// `{field: [messages]}` of a validation error; `None` for other errors.
pub fn field_errors(err: &Error) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    match err {
        Error::Invalid(fields) => {
            for FieldError { field, problem } in fields {
                push(&mut map, field, word(problem));
            }
        }
        Error::Conflict { field, problem, .. } => {
            let (field, message) = conflict_entry(field, problem);
            push(&mut map, &field, message);
        }
        Error::StateNotAllowed(r) => push(&mut map, "non_field_errors", rule(*r).into()),
        Error::OrderState(_) => push(
            &mut map,
            "non_field_errors",
            "The order's state does not allow this.".into(),
        ),
        _ => return None,
    }
    Some(map)
}

impl ApiError {
    /// Turns a domain error about item `<index>.<field>` of a batch of `len` items into the
    /// per-item DRF shape; other errors pass through.
    /// A create's error: per-item errors when the request was a batch of `len`, the plain
    /// mapping for a single object.
    pub fn for_create(err: Error, batch: bool, len: usize) -> Self {
        if batch {
            Self::batch(err, len)
        } else {
            err.into()
        }
    }

    pub fn batch(err: Error, len: usize) -> Self {
        let fields: Vec<(String, String)> = match &err {
            Error::Invalid(fields) => fields
                .iter()
                .map(|f| (f.field.clone(), word(&f.problem)))
                .collect(),
            Error::Conflict { field, problem, .. } => match field.split_once('.') {
                Some((index, name)) => {
                    let (name, message) = conflict_entry(name, problem);
                    vec![(format!("{index}.{name}"), message)]
                }
                None => return ApiError::Core(err),
            },
            _ => return ApiError::Core(err),
        };
        let mut items = vec![Map::new(); len];
        for (field, message) in fields {
            match field
                .split_once('.')
                .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
            {
                Some((i, f)) if i < len => push(&mut items[i], f, message),
                _ => return ApiError::Core(err),
            }
        }
        ApiError::Batch(items)
    }
}

/// `(HTTP status, msg)` of a non-validation error; the table of CONTRACT.md.
fn classify(err: &Error) -> (StatusCode, &'static str) {
    match err {
        Error::Invalid(_)
        | Error::Conflict { .. }
        | Error::StateNotAllowed(_)
        | Error::OrderState(_) => (StatusCode::BAD_REQUEST, INVALID_MSG),
        Error::BadCredentials | Error::UserDisabled => (StatusCode::UNAUTHORIZED, LOGIN_FAILED_MSG),
        Error::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "Authentication credentials were not provided.",
        ),
        Error::Forbidden => (
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        ),
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "Not found."),
        Error::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request entity too large."),
        Error::UnsupportedType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type.",
        ),
        Error::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "Request was throttled."),
        Error::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "A server error occurred.",
        ),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::LoginFailed => {
                envelope(StatusCode::UNAUTHORIZED, json!({}), LOGIN_FAILED_MSG)
            }
            ApiError::InvalidPage => envelope(StatusCode::NOT_FOUND, Value::Null, "Invalid page."),
            ApiError::Batch(items) => envelope(StatusCode::BAD_REQUEST, items, INVALID_MSG),
            ApiError::Core(err) => {
                let (status, msg) = classify(&err);
                let data = field_errors(&err).map_or(Value::Null, Value::Object);
                let mut response = envelope(status, data, msg);
                if let Error::Internal(e) = &err {
                    response.extensions_mut().insert(InternalError::new(e));
                }
                response
            }
        }
    }
}

/// Unknown routes under the prefix.
pub async fn not_found() -> ApiError {
    ApiError::Core(Error::NotFound(Entity::Other))
}

/// A known route with another method: 405 as DRF words it.
pub async fn method_not_allowed(method: axum::http::Method) -> axum::response::Response {
    envelope(
        StatusCode::METHOD_NOT_ALLOWED,
        Value::Null,
        &format!("Method \"{method}\" not allowed."),
    )
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

    #[test]
    fn drf_wordings_are_kept() {
        let pk = Problem::UnknownReference {
            entity: Entity::Role,
            id: Some(5),
        };
        assert_eq!(word(&pk), "Invalid pk \"5\" - object does not exist.");
        let pair = Problem::NotUniqueTogether {
            fields: &["method", "api_id"],
        };
        assert_eq!(
            word(&pair),
            "The fields method, api_id must make a unique set."
        );
    }
}
