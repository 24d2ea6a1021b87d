//! Users as an export source: the `admin_v1` user list (§3.1) as rows, with its filters.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::model::{self, Cell};
use crate::db::Db;
use crate::db::time::{self, local_seconds};
use crate::domain::access::user_roles;
use crate::domain::identity::User;
use crate::domain::identity::directory::{self, UserFilter};
use crate::error::{Format, Kind, Problem, Result, Violations};

/// The list's scalar fields, then its nested objects' names (`roles.name`, comma-joined).
pub const COLUMNS: &[&str] = &[
    "id",
    "username",
    "real_name",
    "phone",
    "email",
    "avatar",
    "status",
    "last_login_at",
    "created_at",
    "roles.name",
];

/// The list's filters; `page` and `page_size` are accepted and mean nothing here.
const FILTERS: &[&str] = &[
    "keyword",
    "status",
    "role_id",
    "created_start",
    "created_end",
    "page",
    "page_size",
];

/// Checks `filters` (the list's query parameters as JSON values); every bad or unknown one is
/// named `filters.<key>`.
pub fn filter(filters: &Map<String, Value>, tz: Tz) -> Result<UserFilter> {
    let mut v = Violations::new();
    for key in filters.keys() {
        if !FILTERS.contains(&key.as_str()) {
            v.add(
                format!("filters.{key}"),
                Problem::NotOneOf {
                    allowed: FILTERS,
                    got: Some(key.clone()),
                },
            );
        }
    }
    let keyword = model::text(filters, "keyword").unwrap_or_else(|()| {
        v.add("filters.keyword", wrong_type(Kind::String));
        None
    });
    let is_active = match model::integer(filters, "status") {
        Ok(None) => None,
        Ok(Some(0)) => Some(false),
        Ok(Some(1)) => Some(true),
        _ => {
            v.add("filters.status", Problem::OutOfRange { min: 0, max: 1 });
            None
        }
    };
    let role_id = match model::integer(filters, "role_id") {
        Ok(id @ (None | Some(1..))) => id,
        _ => {
            v.add("filters.role_id", Problem::AtLeast { min: 1 });
            None
        }
    };
    let mut bound = |key: &str, end: bool| -> Option<i64> {
        let raw = match model::text(filters, key) {
            Ok(raw) => raw?,
            Err(()) => {
                v.add(format!("filters.{key}"), wrong_type(Kind::String));
                return None;
            }
        };
        let ts = time::bound(&raw, tz, end);
        if ts.is_none() {
            v.add(
                format!("filters.{key}"),
                Problem::BadFormat(Format::DateTime),
            );
        }
        ts
    };
    let created_from = bound("created_start", false);
    let created_before = bound("created_end", true);
    v.into_result()?;
    Ok(UserFilter {
        keyword,
        is_active,
        role_id,
        created_from,
        created_before,
    })
}

fn wrong_type(expected: Kind) -> Problem {
    Problem::WrongType {
        expected,
        got: None,
    }
}

/// How many rows the export will have.
pub async fn count(db: &Db, filter: &UserFilter) -> Result<i64> {
    directory::count(db, filter).await
}

/// The next keyset batch after user id `after`: rows of `columns`, and the last id read
/// (`None` when there are no more).
pub async fn batch(
    db: &Db,
    filter: &UserFilter,
    after: i64,
    limit: i64,
    columns: &[&str],
    tz: Tz,
) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
    let users = directory::batch_after(db, filter, after, limit).await?;
    let last = users.last().map(|u| u.id);
    let wants_roles = columns.contains(&"roles.name");
    let mut roles = if wants_roles {
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        user_roles::summaries_of(db, &ids).await?
    } else {
        HashMap::new()
    };
    let rows = users
        .into_iter()
        .map(|u| {
            let role_names = roles
                .remove(&u.id)
                .map(|rs| rs.into_iter().map(|r| r.name).collect::<Vec<_>>().join(","));
            columns
                .iter()
                .map(|c| cell(&u, c, role_names.as_deref(), tz))
                .collect()
        })
        .collect();
    Ok((rows, last))
}

/// One column of a user, as the list shows it (the phone masked).
fn cell(u: &User, column: &str, roles: Option<&str>, tz: Tz) -> Cell {
    match column {
        "id" => Cell::Int(u.id),
        "username" => Cell::Text(u.username.clone()),
        "real_name" => Cell::Text(u.display_name.clone()),
        "phone" => u.phone.as_deref().map(mask_phone).into(),
        "email" => u.email.clone().into(),
        "avatar" => u.avatar.clone().into(),
        "status" => Cell::Int(i64::from(u.is_active)),
        "last_login_at" => u.last_login_at.map(|t| local_seconds(t, tz)).into(),
        "created_at" => Cell::Text(local_seconds(u.created_at, tz)),
        "roles.name" => roles.map(str::to_owned).into(),
        _ => Cell::Empty,
    }
}

/// `138****8000`, as the user list shows phones (an export holds what the list shows).
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        "*".repeat(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<UserFilter> {
        filter(&serde_json::from_str(json).unwrap(), chrono_tz::UTC)
    }

    #[test]
    fn the_documented_filters_parse() {
        let f = parse(
            r#"{"status": 1, "role_id": "2", "created_start": "2024-01-01",
                "created_end": "2024-01-20", "keyword": " ab ", "page": 1}"#,
        )
        .unwrap();
        assert_eq!(f.is_active, Some(true));
        assert_eq!(f.role_id, Some(2));
        assert_eq!(f.keyword.as_deref(), Some("ab"));
        let day = 24 * 3_600_000_000;
        assert_eq!(
            f.created_before.unwrap() - f.created_from.unwrap(),
            20 * day
        );
    }

    #[test]
    fn every_bad_filter_is_named() {
        let err = parse(r#"{"status": 3, "role_id": -1, "created_end": "soon", "colour": "red"}"#)
            .unwrap_err();
        let crate::error::Error::Invalid(fields) = err else {
            panic!()
        };
        let mut names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "filters.colour",
                "filters.created_end",
                "filters.role_id",
                "filters.status"
            ]
        );
    }

    #[test]
    fn phones_are_masked_as_in_the_list() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
    }
}
