//! List answers: a plain array, or with `?page=` a DRF page `{count, next, previous,
//! results}` (`page_size` default 20, at most 1000; `next`/`previous` are absolute URLs).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use super::extract::AccountState;
use super::reply;
use crate::domain::paging::Page;
use crate::http::path::OriginalPath;

pub const PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 1000;

/// How a list was asked for.
pub struct Listing {
    page: Option<(i64, i64)>,
    /// Scheme, host and path as sent, for `next`/`previous`.
    base: String,
    /// Query pairs as sent, `page` among them.
    query: Vec<(String, String)>,
}

impl FromRequestParts<AccountState> for Listing {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AccountState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(field) = crate::http::body::nul_in_query(parts.uri.query()) {
            return Err(crate::error::Error::invalid(
                field,
                crate::error::Problem::ForbiddenCharacter,
            )
            .into());
        }
        let query: Vec<(String, String)> =
            form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let get = |k: &str| {
            query
                .iter()
                .rev()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        };
        let page = match get("page") {
            None => None,
            Some(p) => {
                let number = p
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or(ApiError::InvalidPage)?;
                // DRF ignores a page size that is not a positive number and caps big ones.
                let size = get("page_size")
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .filter(|s| *s > 0)
                    .map_or(PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE));
                Some((number, size))
            }
        };
        let path = parts
            .extensions
            .get::<OriginalPath>()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.0.clone());
        Ok(Listing {
            page,
            // decisions §8: from `server.public_url`, else relative; never the Host header.
            base: format!("{}{path}", state.config.server.public_url),
            query,
        })
    }
}

#[derive(Serialize)]
struct PageOut<T> {
    count: i64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

impl Listing {
    /// The rows to fetch: one page, or (`None`) everything.
    pub fn page(&self) -> Option<Page> {
        self.page.map(|(number, size)| Page::new(number, size))
    }

    fn url(&self, page: Option<i64>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut placed = false;
        for (k, v) in &self.query {
            if k == "page" {
                if let (Some(p), false) = (page, placed) {
                    out.append_pair("page", &p.to_string());
                    placed = true;
                }
            } else {
                out.append_pair(k, v);
            }
        }
        if let (Some(p), false) = (page, placed) {
            out.append_pair("page", &p.to_string());
        }
        let q = out.finish();
        if q.is_empty() {
            self.base.clone()
        } else {
            format!("{}?{q}", self.base)
        }
    }

    /// The answer: the items as an array, or the page around them. A page past the last
    /// is 404 `Invalid page.` (page 1 of an empty list is an empty page).
    pub fn respond<T: Serialize>(self, items: Vec<T>, total: i64) -> Result<Response, ApiError> {
        let Some((number, size)) = self.page else {
            return Ok(reply::Done(items).into_response());
        };
        let pages = ((total + size - 1) / size).max(1);
        if number > pages {
            return Err(ApiError::InvalidPage);
        }
        let next = (number < pages).then(|| self.url(Some(number + 1)));
        let previous = match number {
            1 => None,
            2 => Some(self.url(None)),
            n => Some(self.url(Some(n - 1))),
        };
        Ok(reply::Done(PageOut {
            count: total,
            next,
            previous,
            results: items,
        })
        .into_response())
    }
}
