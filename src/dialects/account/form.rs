//! DRF-style reading of a JSON object: every field is checked, every failure is reported
//! under its field with DRF's wording, and unknown fields are ignored.

use serde_json::{Map, Value};

use super::error::ApiError;
use crate::error::{Error, Kind, Problem, Violations};

/// Whether absent required fields are errors (create, PUT) or not (PATCH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Full,
    Partial,
}

/// Rules of a text field.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub required: bool,
    pub nullable: bool,
    pub blank: bool,
    pub min: usize,
    pub max: usize,
    /// DRF trims surrounding white space by default; passwords are kept as sent.
    pub trim: bool,
}

impl Text {
    /// An optional, blank-allowed, trimmed text of at most `max` characters.
    pub const fn optional(max: usize) -> Self {
        Self {
            required: false,
            nullable: false,
            blank: true,
            min: 0,
            max,
            trim: true,
        }
    }

    /// A required, non-blank, trimmed text of at most `max` characters.
    pub const fn required(max: usize) -> Self {
        Self {
            required: true,
            nullable: false,
            blank: false,
            min: 0,
            max,
            trim: true,
        }
    }

    pub const fn nullable(self) -> Self {
        Self {
            nullable: true,
            ..self
        }
    }
}

fn wrong(expected: Kind, got: Option<&'static str>) -> Problem {
    Problem::WrongType { expected, got }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// One JSON object being read.
pub struct Form {
    map: Map<String, Value>,
    mode: Mode,
    errors: Violations,
}

impl Form {
    /// Starts reading `value`, which must be an object.
    pub fn new(value: Value, mode: Mode) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                mode,
                errors: Violations::new(),
            }),
            other => Err(Error::invalid(
                "non_field_errors",
                Problem::WrongType {
                    expected: Kind::Object,
                    got: Some(type_name(&other)),
                },
            )),
        }
    }

    /// Records a rule failure on `field`.
    pub fn fail(&mut self, field: &str, problem: Problem) {
        self.errors.add(field, problem);
    }

    /// Records the field problems of a domain check; any other error is returned.
    pub fn check<T>(&mut self, result: Result<T, Error>) -> Result<Option<T>, Error> {
        self.errors.check(result)
    }

    /// The raw value, `None` when absent (reporting it when required in full mode).
    fn take(&mut self, field: &str, required: bool) -> Option<Value> {
        let v = self.map.remove(field);
        if v.is_none() && required && self.mode == Mode::Full {
            self.fail(field, Problem::Required);
        }
        v
    }

    /// A text field: `None` absent or invalid, `Some(None)` null (when nullable).
    pub fn text(&mut self, field: &str, rule: Text) -> Option<Option<String>> {
        let raw = self.take(field, rule.required)?;
        let s = match raw {
            Value::Null if rule.nullable => return Some(None),
            Value::Null => {
                self.fail(field, Problem::Null);
                return None;
            }
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            _ => {
                self.fail(field, wrong(Kind::String, None));
                return None;
            }
        };
        let s = if rule.trim { s.trim().to_owned() } else { s };
        let n = s.chars().count();
        if n == 0 && !rule.blank {
            self.fail(field, Problem::Blank);
            None
        } else if n > rule.max {
            self.fail(field, Problem::TooLong { max: rule.max });
            None
        } else if n < rule.min {
            self.fail(field, Problem::TooShort { min: rule.min });
            None
        } else {
            Some(Some(s))
        }
    }

    /// A boolean field, read as DRF does (`true`, `"true"`, `1`, `"1"`, …).
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        let raw = self.take(field, false)?;
        let parsed = match &raw {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "true" | "True" | "TRUE" | "1" | "yes" | "on" => Some(true),
                "false" | "False" | "FALSE" | "0" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if raw.is_null() {
            self.fail(field, Problem::Null);
        } else if parsed.is_none() {
            self.fail(field, wrong(Kind::Boolean, None));
        }
        parsed
    }

    /// An integer field (DRF also reads numeric strings).
    pub fn integer(&mut self, field: &str, required: bool) -> Option<i64> {
        let raw = self.take(field, required)?;
        match as_int(&raw) {
            Some(n) => Some(n),
            None if raw.is_null() => {
                self.fail(field, Problem::Null);
                None
            }
            None => {
                self.fail(field, wrong(Kind::Integer, None));
                None
            }
        }
    }

    /// A list of primary keys (a many-to-many field).
    pub fn ids(&mut self, field: &str) -> Option<Vec<i64>> {
        let raw = self.take(field, false)?;
        let Value::Array(items) = raw else {
            let problem = if raw.is_null() {
                Problem::Null
            } else {
                wrong(Kind::Array, Some(type_name(&raw)))
            };
            self.fail(field, problem);
            return None;
        };
        let mut ids = Vec::with_capacity(items.len());
        for item in &items {
            match as_int(item) {
                Some(id) => ids.push(id),
                None => {
                    self.fail(field, wrong(Kind::PrimaryKey, Some(type_name(item))));
                    return None;
                }
            }
        }
        Some(ids)
    }

    /// Ends reading: every recorded failure, or `Ok`.
    pub fn finish(self) -> Result<(), Error> {
        self.errors.into_result()
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads every item of a create body — one object, or an array of them (a batch) — with
/// `read`. Every item's failures are reported together, one object per item for a batch.
/// Answers the items and whether the body was a batch.
pub fn read_all<T>(
    body: Value,
    mut read: impl FnMut(Value) -> Result<T, Error>,
) -> Result<(Vec<T>, bool), ApiError> {
    let Value::Array(raw) = body else {
        return Ok((vec![read(body)?], false));
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut failures = Vec::with_capacity(raw.len());
    let mut failed = false;
    for item in raw {
        match read(item) {
            Ok(v) => {
                out.push(v);
                failures.push(Map::new());
            }
            Err(e) => {
                failed = true;
                failures.push(super::error::field_errors(&e).ok_or(ApiError::Core(e))?);
            }
        }
    }
    if failed {
        return Err(ApiError::Batch(failures));
    }
    Ok((out, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_field_is_reported_with_drf_wording() {
        let mut f = Form::new(
            json!({"username": "", "groups": "x", "is_staff": "maybe", "age": "n"}),
            Mode::Full,
        )
        .unwrap();
        assert_eq!(f.text("username", Text::required(150)), None);
        assert_eq!(f.text("password", Text::required(128)), None);
        assert_eq!(f.ids("groups"), None);
        assert_eq!(f.boolean("is_staff"), None);
        assert_eq!(f.integer("age", false), None);
        let Err(Error::Invalid(fields)) = f.finish() else {
            panic!("expected errors")
        };
        let by = |name: &str| {
            fields
                .iter()
                .find(|e| e.field == name)
                .map(|e| super::super::error::word(&e.problem))
                .unwrap()
        };
        assert_eq!(by("username"), "This field may not be blank.");
        assert_eq!(by("password"), "This field is required.");
        assert_eq!(
            by("groups"),
            "Expected a list of items but got type \"str\"."
        );
        assert_eq!(by("is_staff"), "Must be a valid boolean.");
        assert_eq!(by("age"), "A valid integer is required.");
    }

    #[test]
    fn partial_mode_skips_required_and_keeps_nulls() {
        let mut f = Form::new(json!({"phone": null, "ids": ["2", 3]}), Mode::Partial).unwrap();
        assert_eq!(f.text("username", Text::required(150)), None);
        assert_eq!(f.text("phone", Text::optional(11).nullable()), Some(None));
        assert_eq!(f.ids("ids"), Some(vec![2, 3]));
        assert!(f.finish().is_ok());
        assert!(Form::new(json!([1]), Mode::Full).is_err());
    }
}
