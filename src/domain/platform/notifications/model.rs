//! A notification and the rules of a new one.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Timestamp;
use crate::error::{Problem, Result, Violations};

/// The type when none is given.
pub const DEFAULT_KIND: &str = "system";
/// Types the system itself sends.
pub const KIND_ORDER: &str = "order";
pub const KIND_EXPORT: &str = "export";

/// Every notification type (an unknown one is refused, as every enumerated value is).
pub const KINDS: &[&str] = &[
    "system",
    "announcement",
    "order",
    "farm",
    "animal",
    "health",
    "finance",
    "export",
    "security",
];
const TITLE_MAX: usize = 200;
const CONTENT_MAX: usize = 10_000;
/// Named recipients of one notification; more than this is a broadcast in all but name.
pub const RECIPIENTS_MAX: usize = 10_000;

/// Who receives a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every user, present and future: stored once, with no recipient rows.
    Everyone,
    /// These users (distinct ids, each an existing user).
    Users(Vec<i64>),
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    /// One of [`KINDS`].
    pub kind: String,
    pub title: String,
    pub content: String,
    pub to_all: bool,
    pub sender_id: Option<i64>,
    pub created_at: Timestamp,
}

pub(super) const COLUMNS: &str =
    "n.id, n.type, n.title, n.content, n.to_all, n.sender_id, n.created_at";

impl Notification {
    pub(super) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            kind: row.try_get("type")?,
            title: row.try_get("title")?,
            content: row.try_get("content")?,
            to_all: row.try_get::<i64, _>("to_all")? != 0,
            sender_id: row.try_get("sender_id")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A checked new notification. Build it with [`NewNotification::parse`] (input from a
/// client) or [`NewNotification::system`] (code that knows its text is fine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub kind: String,
    pub title: String,
    pub content: String,
    pub audience: Audience,
    pub sender_id: Option<i64>,
}

impl NewNotification {
    /// Checks a client's notification: `title` and `content` required (not blank), `kind`
    /// optional (default `system`); `user_ids` absent, `null` or empty means everyone.
    /// Every failing field is reported. Whether the users exist is checked when storing.
    pub fn parse(
        kind: Option<&str>,
        title: Option<&str>,
        content: Option<&str>,
        user_ids: Option<&[i64]>,
        sender_id: Option<i64>,
    ) -> Result<Self> {
        let mut v = Violations::new();
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => DEFAULT_KIND.to_owned(),
            Some(k) if KINDS.contains(&k) => k.to_owned(),
            Some(k) => {
                v.add(
                    "type",
                    Problem::NotOneOf {
                        allowed: KINDS,
                        got: Some(k.to_owned()),
                    },
                );
                String::new()
            }
        };
        let title = text(&mut v, "title", title, TITLE_MAX);
        let content = text(&mut v, "content", content, CONTENT_MAX);
        let audience = match user_ids {
            None | Some([]) => Audience::Everyone,
            Some(ids) => {
                if let Some(bad) = ids.iter().find(|&&id| id < 1) {
                    v.add(
                        "user_ids",
                        Problem::NotAnId {
                            got: bad.to_string(),
                        },
                    );
                }
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                if ids.len() > RECIPIENTS_MAX {
                    v.add(
                        "user_ids",
                        Problem::TooMany {
                            max: RECIPIENTS_MAX,
                        },
                    );
                }
                Audience::Users(ids)
            }
        };
        v.into_result()?;
        Ok(Self {
            kind,
            title,
            content,
            audience,
            sender_id,
        })
    }

    /// A notification the system sends to these users (duplicates are dropped).
    pub fn system(kind: &str, title: &str, content: &str, user_ids: &[i64]) -> Self {
        let mut ids = user_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        Self {
            kind: kind.to_owned(),
            title: title.to_owned(),
            content: content.to_owned(),
            audience: Audience::Users(ids),
            sender_id: None,
        }
    }
}

fn text(v: &mut Violations, field: &str, value: Option<&str>, max: usize) -> String {
    match value.map(str::trim) {
        None => {
            v.add(field, Problem::Required);
            String::new()
        }
        Some("") => {
            v.add(field, Problem::Blank);
            String::new()
        }
        Some(s) if s.chars().count() > max => {
            v.add(field, Problem::TooLong { max });
            String::new()
        }
        Some(s) => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn fields(err: Error) -> Vec<String> {
        match err {
            Error::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn title_and_content_are_required_and_reported_together() {
        let err = NewNotification::parse(None, Some("  "), None, None, None).unwrap_err();
        assert_eq!(fields(err), ["title", "content"]);
    }

    #[test]
    fn no_or_empty_user_ids_mean_everyone_and_ids_are_deduplicated() {
        let n = NewNotification::parse(None, Some("t"), Some("c"), None, Some(1)).unwrap();
        assert_eq!(n.audience, Audience::Everyone);
        assert_eq!(n.kind, "system");
        let n =
            NewNotification::parse(Some("order"), Some("t"), Some("c"), Some(&[]), None).unwrap();
        assert_eq!(n.audience, Audience::Everyone);
        let n = NewNotification::parse(None, Some("t"), Some("c"), Some(&[3, 1, 3]), None).unwrap();
        assert_eq!(n.audience, Audience::Users(vec![1, 3]));
    }

    #[test]
    fn bad_type_and_ids_are_refused() {
        let err = NewNotification::parse(Some("Bad Type"), Some("t"), Some("c"), Some(&[0]), None)
            .unwrap_err();
        assert_eq!(fields(err), ["type", "user_ids"]);
        let long = "x".repeat(TITLE_MAX + 1);
        let err = NewNotification::parse(None, Some(&long), Some("c"), None, None).unwrap_err();
        assert_eq!(fields(err), ["title"]);
    }
}
