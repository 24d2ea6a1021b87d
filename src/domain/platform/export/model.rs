//! What an export is: a resource, a format, checked filters and columns.

use serde_json::{Map, Value};

use crate::domain::livestock::money::Money;
use crate::error::{Error, Problem, Result};

/// What can be exported: the lists of the document that have an export route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Users,
    Farms,
    Animals,
    Orders,
    FinancialRecords,
    OperationLogs,
}

impl Resource {
    pub const ALL: [Resource; 6] = [
        Resource::Users,
        Resource::Farms,
        Resource::Animals,
        Resource::Orders,
        Resource::FinancialRecords,
        Resource::OperationLogs,
    ];

    /// As in the route (`/export/{resource}`) and the stored task.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Farms => "farms",
            Resource::Animals => "animals",
            Resource::Orders => "orders",
            Resource::FinancialRecords => "financial-records",
            Resource::OperationLogs => "operation-logs",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Excel,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Excel => "excel",
            Format::Csv => "csv",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Format::Excel, Format::Csv]
            .into_iter()
            .find(|f| f.as_str() == value)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Excel => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Excel => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// One value of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    /// A measure (weight, area) as the list shows it.
    Float(f64),
    /// An amount in fen, shown as yuan with two decimals as the lists show money.
    Money(i64),
    Text(String),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Empty, Cell::Int)
    }
}

impl From<Money> for Cell {
    fn from(m: Money) -> Self {
        Cell::Money(m.fen())
    }
}

impl From<Option<Money>> for Cell {
    fn from(m: Option<Money>) -> Self {
        m.map_or(Cell::Empty, Cell::from)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Float)
    }
}

/// The columns to write: `requested` (checked against `known`, each once, in the order
/// given), or every known column when none are requested.
pub fn columns(
    known: &'static [&'static str],
    requested: Option<&[String]>,
) -> Result<Vec<&'static str>> {
    let Some(requested) = requested.filter(|r| !r.is_empty()) else {
        return Ok(known.to_vec());
    };
    let mut out = Vec::with_capacity(requested.len());
    let mut unknown = Vec::new();
    for name in requested {
        match known.iter().find(|k| **k == name.as_str()) {
            Some(k) if !out.contains(k) => out.push(*k),
            Some(_) => {}
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::invalid(
            "fields",
            Problem::NotOneOf {
                allowed: known,
                got: Some(unknown.join(", ")),
            },
        ));
    }
    Ok(out)
}

/// A filter value that may be sent as a JSON number or as a numeric string (list forms send
/// strings); `null` and `""` are absent.
pub(super) fn integer(
    filters: &Map<String, Value>,
    key: &str,
) -> std::result::Result<Option<i64>, ()> {
    match filters.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// A text filter; `null` and `""` are absent, other types are an error.
pub(super) fn text(
    filters: &Map<String, Value>,
    key: &str,
) -> std::result::Result<Option<String>, ()> {
    match filters.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_default_to_all_and_refuse_unknown_names() {
        const KNOWN: &[&str] = &["id", "username", "email"];
        let known = KNOWN;
        assert_eq!(columns(known, None).unwrap(), known.to_vec());
        assert_eq!(columns(known, Some(&[])).unwrap(), known.to_vec());
        let pick = ["email".to_owned(), "id".to_owned(), "email".to_owned()];
        assert_eq!(columns(known, Some(&pick)).unwrap(), vec!["email", "id"]);
        let bad = ["id".to_owned(), "password_hash".to_owned()];
        let err = columns(known, Some(&bad)).unwrap_err();
        let f = err.first_field().unwrap();
        assert_eq!(f.field, "fields");
        assert!(
            matches!(&f.problem, Problem::NotOneOf { got: Some(g), .. } if g == "password_hash")
        );
    }

    #[test]
    fn numbers_may_come_as_strings() {
        let m: Map<String, Value> =
            serde_json::from_str(r#"{"a": 1, "b": "2", "c": "", "d": null, "e": "x", "f": true}"#)
                .unwrap();
        assert_eq!(integer(&m, "a"), Ok(Some(1)));
        assert_eq!(integer(&m, "b"), Ok(Some(2)));
        assert_eq!(integer(&m, "c"), Ok(None));
        assert_eq!(integer(&m, "d"), Ok(None));
        assert_eq!(integer(&m, "missing"), Ok(None));
        assert!(integer(&m, "e").is_err());
        assert!(integer(&m, "f").is_err());
    }
}
