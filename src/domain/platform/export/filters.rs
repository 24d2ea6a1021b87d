//! An export's `filters` object read as the list's query parameters. The JSON values are
//! turned into what the list's query would hold (numbers may come as numeric strings, `null`
//! and `""` are absent); the list's own parser then applies the rules, so a filter means the
//! same in the list and in its export. Every bad or unknown key is named `filters.<key>`.

use serde_json::{Map, Value};

use crate::domain::livestock::money::RawMoney;
use crate::error::{Error, FieldError, Format, Kind, Problem, Result, Violations};

/// Keys every list takes and an export ignores (there is no page in a file).
const PAGING: &[&str] = &["page", "page_size"];

/// The filters of one export request.
pub struct Filters<'a> {
    map: &'a Map<String, Value>,
    v: Violations,
}

impl<'a> Filters<'a> {
    /// Reads `map`; any key not in `allowed` (nor `page` / `page_size`) is refused.
    pub fn new(map: &'a Map<String, Value>, allowed: &'static [&'static str]) -> Self {
        let mut v = Violations::new();
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) && !PAGING.contains(&key.as_str()) {
                v.add(
                    format!("filters.{key}"),
                    Problem::NotOneOf {
                        allowed,
                        got: Some(key.clone()),
                    },
                );
            }
        }
        Self { map, v }
    }

    fn wrong(&mut self, key: &str, expected: Kind) {
        self.v.add(
            format!("filters.{key}"),
            Problem::WrongType {
                expected,
                got: None,
            },
        );
    }

    /// An integer, sent as a JSON number or a numeric string.
    pub fn int(&mut self, key: &str) -> Option<i64> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            Some(_) => {
                self.wrong(key, Kind::Integer);
                None
            }
        }
    }

    /// A text, trimmed; a number is taken as its decimal text (a list query has no types).
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                self.wrong(key, Kind::String);
                None
            }
        }
    }

    /// An amount as sent (number or decimal string); the list's rules judge it.
    pub fn money(&mut self, key: &str) -> Option<RawMoney> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(RawMoney(s.trim().to_owned())),
            Some(Value::Number(n)) => Some(RawMoney(n.to_string())),
            Some(_) => {
                self.v
                    .add(format!("filters.{key}"), Problem::BadFormat(Format::Amount));
                None
            }
        }
    }

    /// The list parser's answer with every problem named `filters.<field>`, together with
    /// the type and key problems found here.
    pub fn finish<T>(mut self, parsed: Result<T>) -> Result<T> {
        let value = match parsed {
            Ok(value) => Some(value),
            Err(Error::Invalid(fields)) => {
                for FieldError { field, problem } in fields {
                    self.v.add(format!("filters.{field}"), problem);
                }
                None
            }
            Err(other) => return Err(other),
        };
        self.v.into_result()?;
        value.ok_or_else(|| Error::invalid("filters", Problem::Required))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(err: Error) -> Vec<String> {
        let Error::Invalid(fields) = err else {
            panic!("{err:?}")
        };
        let mut n: Vec<_> = fields.into_iter().map(|f| f.field).collect();
        n.sort_unstable();
        n
    }

    #[test]
    fn values_are_read_as_a_query_would_hold_them() {
        let m: Map<String, Value> = serde_json::from_str(
            r#"{"a": 1, "b": "2", "c": "", "d": null, "t": " x ", "n": 5, "m": 12.5, "page": 3}"#,
        )
        .unwrap();
        let mut f = Filters::new(&m, &["a", "b", "c", "d", "t", "n", "m"]);
        assert_eq!(f.int("a"), Some(1));
        assert_eq!(f.int("b"), Some(2));
        assert_eq!(f.int("c"), None);
        assert_eq!(f.int("d"), None);
        assert_eq!(f.text("t").as_deref(), Some("x"));
        assert_eq!(f.text("n").as_deref(), Some("5"));
        assert_eq!(f.money("m"), Some(RawMoney("12.5".into())));
        assert!(f.finish(Ok(())).is_ok());
    }

    #[test]
    fn bad_types_unknown_keys_and_rule_breaches_are_all_named() {
        let m: Map<String, Value> =
            serde_json::from_str(r#"{"a": "x", "t": [1], "colour": "red"}"#).unwrap();
        let mut f = Filters::new(&m, &["a", "t", "s"]);
        assert_eq!(f.int("a"), None);
        assert_eq!(f.text("t"), None);
        let rule: Result<()> = Err(Error::invalid("s", Problem::AtLeast { min: 1 }));
        assert_eq!(
            names(f.finish(rule).unwrap_err()),
            ["filters.a", "filters.colour", "filters.s", "filters.t"]
        );
    }
}
