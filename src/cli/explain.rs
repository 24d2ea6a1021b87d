//! Core errors in the command line's words: field problems in the English of the account
//! dialect (the one English wording table), named by field; other errors as they print.

use crate::dialects::account::error::word;
use crate::error::{Error, Problem};

pub fn explain(err: Error) -> anyhow::Error {
    match err {
        Error::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, word(&f.problem)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Error::Conflict {
            field,
            problem: Problem::Duplicate,
            value,
        } => anyhow::anyhow!(
            "{field}: {} is already taken",
            value.map_or_else(|| "the value".to_owned(), |v| format!("{v:?}"))
        ),
        Error::Conflict { field, problem, .. } => anyhow::anyhow!("{field}: {}", word(&problem)),
        Error::StateNotAllowed(rule) => {
            anyhow::anyhow!("{}", word(&Problem::Rule(rule)))
        }
        other => anyhow::Error::new(other),
    }
}
