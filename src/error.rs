//! The core error vocabulary.
//!
//! Domain code says *what* went wrong with [`Error`]; each dialect has exactly one place
//! (`dialects/<name>/error.rs`) that turns it into that dialect's envelope, code and status.

use std::fmt;

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
    Other,
}

/// One field that broke a rule. Dialects that list every bad field (`admin_v1`, `account`)
/// receive all of them at once through [`Error::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every failure a domain function can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Well-formed input that breaks a rule; one entry per failing field.
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// A unique value is already taken (`field` names it: `username`, `email`, `phone`, …).
    #[error("{field} already exists")]
    Conflict { field: String, message: String },
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
    /// referenced record, …). The message is safe to show.
    #[error("state not allowed: {0}")]
    StateNotAllowed(String),
    /// A trade order's state does not allow the action (admin_v1 50001). The message is safe
    /// to show (it may name an animal inside a withdrawal period and the date it ends).
    #[error("order state does not allow this: {0}")]
    OrderState(String),
    /// Anything else. Never shown to clients; logged once at the edge.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Conflict {
            field: field.into(),
            message: message.into(),
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

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        // `errors[]` lists every failing field once.
        if !self.0.iter().any(|f| f.field == field) {
            self.0.push(FieldError::new(field, message));
        }
    }

    /// Records the error of a `Result`, keeping the value when it is fine.
    pub fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Error::Invalid(fields)) => {
                for f in fields {
                    self.add(f.field, f.message);
                }
                None
            }
            Err(other) => {
                self.add("_", other.to_string());
                None
            }
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
        v.add("name", "too short");
        v.add("name", "bad characters");
        v.add("email", "bad format");
        let Err(Error::Invalid(fields)) = v.into_result() else {
            panic!("expected Invalid")
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0], FieldError::new("name", "too short"));
    }

    #[test]
    fn empty_violations_are_ok() {
        assert!(Violations::new().into_result().is_ok());
    }
}
