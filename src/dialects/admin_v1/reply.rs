//! The `admin_v1` envelope: `{success, code, message, data, timestamp, request_id}`, and the
//! list shape `{list, pagination: {page, page_size, total, total_pages}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::paging::Page;
use crate::http::request_id;

/// One `errors[]` entry.
#[derive(Debug, Serialize)]
pub struct FieldOut {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Envelope<T: Serialize> {
    pub success: bool,
    pub code: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldOut>>,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub request_id: String,
}

impl<T: Serialize> Envelope<T> {
    pub fn new(success: bool, code: u32, message: String, data: Option<T>) -> Self {
        Self {
            success,
            code,
            message,
            data,
            errors: None,
            timestamp: chrono::Utc::now().timestamp_millis(),
            request_id: request_id::current(),
        }
    }
}

/// A success answer. Creations answer HTTP 201 with `code` 201; everything else 200.
pub struct Reply<T> {
    status: StatusCode,
    message: &'static str,
    data: Option<T>,
}

impl<T: Serialize> Reply<T> {
    pub fn ok(message: &'static str, data: T) -> Self {
        Self {
            status: StatusCode::OK,
            message,
            data: Some(data),
        }
    }

    pub fn created(message: &'static str, data: T) -> Self {
        Self {
            status: StatusCode::CREATED,
            message,
            data: Some(data),
        }
    }
}

impl Reply<()> {
    /// A success without `data` (logout, delete), as the document shows.
    pub fn done(message: &'static str) -> Self {
        Self {
            status: StatusCode::OK,
            message,
            data: None,
        }
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let code = u32::from(self.status.as_u16());
        (
            self.status,
            Json(Envelope::new(
                true,
                code,
                self.message.to_owned(),
                self.data,
            )),
        )
            .into_response()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
    pub total_pages: i64,
}

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T: Serialize> {
    pub list: Vec<T>,
    pub pagination: Pagination,
}

impl<T: Serialize> Paged<T> {
    pub fn new(list: Vec<T>, page: Page, total: i64) -> Self {
        Self {
            list,
            pagination: Pagination {
                page: page.number,
                page_size: page.size,
                total,
                total_pages: page.total_pages(total),
            },
        }
    }
}

/// `138****8000`: the first three and last four characters of a phone number, as lists show
/// it. Shorter numbers keep only their first and last character.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else if n >= 3 {
        format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1])
    } else {
        "*".repeat(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_like_the_document() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("13900139001"), "139****9001");
        assert_eq!(mask_phone("12345"), "1***5");
        assert_eq!(mask_phone("12"), "**");
    }
}
