//! The core error vocabulary.
//!
//! Domain code says *what* went wrong with [`Error`]; each dialect has exactly one place
//! (`dialects/<name>/error.rs`) that turns it into that dialect's envelope, code and status.

use std::fmt;

mod order;
mod problem;

pub use order::OrderRefusal;
pub use problem::{Format, Kind, Problem, Rule};

/// What kind of record was missing, so dialects can pick their specific "not found" code
/// (`-5` user, `-100` file, `-200` order in `ops_v1`, `DB-10000001` in `hanzi`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    User,
    Session,
    Role,
    Permission,
    File,
    Order,
    Glyph,
    Setting,
    /// An API rule of the access model (`api_id`).
    Api,
    Other,
}

/// One field that broke a rule, as data: the dialect words `problem`. Dialects that list
/// every bad field (`admin_v1`, `account`) receive all of them at once through
/// [`Error::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

/// Every failure a domain function can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Well-formed input that breaks a rule; one entry per failing field.
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The change clashes with stored data: a unique value already taken (`field` names it:
    /// `username`, `email`, `phone`, … and `problem` is [`Problem::Duplicate`]) or a record
    /// that refuses it ([`Problem::Rule`]). `value` is the taken value when a dialect shows it.
    #[error("{field} conflicts: {problem:?}")]
    Conflict {
        field: String,
        problem: Problem,
        value: Option<String>,
    },
    /// Login name or password wrong. Deliberately one variant for both (no enumeration).
    #[error("bad credentials")]
    BadCredentials,
    /// The account exists, the password is right, but the account is disabled.
    #[error("user disabled")]
    UserDisabled,
    #[error("not authenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("{0:?} not found")]
    NotFound(Entity),
    #[error("payload too large")]
    TooLarge,
    #[error("unsupported media type")]
    UnsupportedType,
    #[error("rate limited")]
    RateLimited,
    /// The record's current state does not allow the operation (order transitions, deleting a
    /// referenced record, …); each dialect words the rule.
    #[error("state not allowed: {0:?}")]
    StateNotAllowed(Rule),
    /// A trade order's state does not allow the action (admin_v1 50001); each dialect words
    /// the refusal.
    #[error("order state does not allow this: {0:?}")]
    OrderState(OrderRefusal),
    /// Anything else. Never shown to clients; logged once at the edge.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {:?}", f.field, f.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, problem: Problem) -> Self {
        Error::Invalid(vec![FieldError::new(field, problem)])
    }

    /// A unique `field` whose value is already taken.
    pub fn duplicate(field: impl Into<String>) -> Self {
        Error::Conflict {
            field: field.into(),
            problem: Problem::Duplicate,
            value: None,
        }
    }

    /// A change that stored data refuses, reported on `field`.
    pub fn conflict(field: impl Into<String>, rule: Rule) -> Self {
        Error::Conflict {
            field: field.into(),
            problem: Problem::Rule(rule),
            value: None,
        }
    }

    /// The first invalid field, for dialects that report only one.
    pub fn first_field(&self) -> Option<&FieldError> {
        match self {
            Error::Invalid(fields) => fields.first(),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Internal(anyhow::Error::new(err))
    }
}

/// Collects field errors so a validator can report every bad field, not only the first.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, problem: Problem) {
        let field = field.into();
        // `errors[]` lists every failing field once.
        if !self.0.iter().any(|f| f.field == field) {
            self.0.push(FieldError::new(field, problem));
        }
    }

    /// Records the field errors of a `Result`, keeping the value when it is fine. Any other
    /// error (a failed query, …) is not a field problem: it is returned as it is, so it reaches
    /// the edge as itself instead of being shown as a field message.
    pub fn check<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Error::Invalid(fields)) => {
                for f in fields {
                    self.add(f.field, f.problem);
                }
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_keep_each_field_once() {
        let mut v = Violations::new();
        v.add("name", Problem::TooShort { min: 2 });
        v.add("name", Problem::ForbiddenCharacter);
        v.add("email", Problem::BadFormat(Format::Email));
        let Err(Error::Invalid(fields)) = v.into_result() else {
            panic!("expected Invalid")
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(
            fields[0],
            FieldError::new("name", Problem::TooShort { min: 2 })
        );
    }

    #[test]
    fn check_passes_other_errors_through() {
        let mut v = Violations::new();
        let err = v
            .check::<()>(Err(Error::Forbidden))
            .expect_err("not a field problem");
        assert!(matches!(err, Error::Forbidden));
        assert!(v.is_empty());
    }

    #[test]
    fn empty_violations_are_ok() {
        assert!(Violations::new().into_result().is_ok());
    }
}
