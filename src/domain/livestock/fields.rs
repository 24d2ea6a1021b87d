//! Checks shared by every livestock input. Each records a violation on its field and answers
//! the value when it is fine, so a parser reports every bad field at once.

use chrono::NaiveDate;

use super::Field;
use super::money::{Money, RawMoney};
use crate::db::time;
use crate::error::{Entity, Format, Problem, Violations};

/// A required text of 1..=`max` characters (trimmed); absent, `null` or blank is a violation.
pub fn required_text(
    v: &mut Violations,
    field: &str,
    value: Field<String>,
    max: usize,
) -> Option<String> {
    match value.flatten().map(|s| s.trim().to_owned()) {
        Some(s) if !s.is_empty() => text_len(v, field, s, max),
        _ => {
            v.add(field, Problem::Required);
            None
        }
    }
}

/// An optional text of at most `max` characters (trimmed); blank means none.
pub fn optional_text(
    v: &mut Violations,
    field: &str,
    value: Field<String>,
    max: usize,
) -> Option<String> {
    let s = value
        .flatten()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())?;
    text_len(v, field, s, max)
}

fn text_len(v: &mut Violations, field: &str, s: String, max: usize) -> Option<String> {
    if s.contains('\0') {
        v.add(field, Problem::ForbiddenCharacter);
        return None;
    }
    if s.chars().count() > max {
        v.add(field, Problem::TooLong { max });
        return None;
    }
    Some(s)
}

/// A code: 1..=`max` letters, digits, `_`, `-` or `.`.
pub fn code(v: &mut Violations, field: &str, value: Field<String>, max: usize) -> Option<String> {
    let s = required_text(v, field, value, max)?;
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        Some(s)
    } else {
        v.add(field, Problem::BadFormat(Format::RoleCode));
        None
    }
}

/// One of `allowed`.
pub fn choice(
    v: &mut Violations,
    field: &str,
    value: &str,
    allowed: &'static [&'static str],
) -> bool {
    if allowed.contains(&value) {
        true
    } else {
        v.add(
            field,
            Problem::NotOneOf {
                allowed,
                got: Some(value.to_owned()),
            },
        );
        false
    }
}

/// An integer in `min..=max`; absent or `null` is none.
pub fn int_in(
    v: &mut Violations,
    field: &str,
    value: Field<i64>,
    min: i64,
    max: i64,
) -> Option<i64> {
    let n = value.flatten()?;
    if (min..=max).contains(&n) {
        Some(n)
    } else {
        v.add(field, Problem::OutOfRange { min, max });
        None
    }
}

/// A finite number in `min..=max`; absent or `null` is none.
pub fn float_in(
    v: &mut Violations,
    field: &str,
    value: Field<f64>,
    min: f64,
    max: f64,
) -> Option<f64> {
    let n = value.flatten()?;
    if n.is_finite() && (min..=max).contains(&n) {
        Some(n)
    } else {
        v.add(
            field,
            Problem::OutOfRange {
                min: min as i64,
                max: max as i64,
            },
        );
        None
    }
}

/// A calendar date `YYYY-MM-DD`; absent, `null` or blank is none.
pub fn date(v: &mut Violations, field: &str, value: Field<String>) -> Option<NaiveDate> {
    let s = value.flatten()?;
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match parse_date(s) {
        Some(d) => Some(d),
        None => {
            v.add(field, Problem::BadFormat(Format::Date));
            None
        }
    }
}

/// `YYYY-MM-DD` between the years 1900 and 9999.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|d| {
        d.format("%Y")
            .to_string()
            .parse::<i32>()
            .is_ok_and(|y| y >= 1900)
    })
}

/// An amount (not negative, at most two decimals); absent or `null` is none.
pub fn money(v: &mut Violations, field: &str, value: Field<RawMoney>) -> Option<Money> {
    let raw = value.flatten()?;
    match Money::parse(&raw) {
        Ok(m) => Some(m),
        Err(p) => {
            v.add(field, p.problem());
            None
        }
    }
}

/// A referenced record that does not exist.
pub fn unknown(v: &mut Violations, field: &str) {
    v.add(
        field,
        Problem::UnknownReference {
            entity: Entity::Other,
            id: None,
        },
    );
}

/// A date-time bound of a list filter, read in `tz`, as `[from, before)` microseconds: a bare
/// date as an end means the whole of that day, an end with a time includes that instant.
pub fn instant_bound(
    v: &mut Violations,
    field: &str,
    raw: Option<&str>,
    tz: chrono_tz::Tz,
    end: bool,
) -> Option<i64> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return None;
    }
    let ts = time::bound(raw, tz, end);
    if ts.is_none() {
        v.add(field, Problem::BadFormat(Format::DateTime));
    }
    ts
}

/// A calendar-date filter: any accepted time format, taken as its day in `tz`.
pub fn local_date(
    v: &mut Violations,
    field: &str,
    raw: Option<&str>,
    tz: chrono_tz::Tz,
) -> Option<NaiveDate> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return None;
    }
    match time::parse(raw, tz) {
        Some(ts) => Some(time::to_datetime(ts).with_timezone(&tz).date_naive()),
        None => {
            v.add(field, Problem::BadFormat(Format::Date));
            None
        }
    }
}

/// A positive id filter, when present.
pub fn id_filter(v: &mut Violations, field: &str, value: Option<i64>) -> Option<i64> {
    let n = value?;
    if n > 0 {
        Some(n)
    } else {
        v.add(field, Problem::AtLeast { min: 1 });
        None
    }
}

/// A text filter: trimmed, blank means none.
pub fn text_filter(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The stored text of a date.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_refuses_absent_null_blank_and_long() {
        let mut v = Violations::new();
        assert_eq!(required_text(&mut v, "a", None, 5), None);
        assert_eq!(required_text(&mut v, "b", Some(None), 5), None);
        assert_eq!(required_text(&mut v, "c", Some(Some("  ".into())), 5), None);
        assert_eq!(
            required_text(&mut v, "d", Some(Some("abcdef".into())), 5),
            None
        );
        assert_eq!(
            required_text(&mut v, "e", Some(Some(" 养猪场 ".into())), 5).as_deref(),
            Some("养猪场")
        );
        assert!(matches!(v.into_result(), Err(crate::error::Error::Invalid(f)) if f.len() == 4));
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2024-01-15").is_some());
        assert!(parse_date("2024-1-15").is_none());
        assert!(parse_date("2024-02-30").is_none());
        assert!(parse_date("0001-01-01").is_none());
    }

    #[test]
    fn codes_take_letters_digits_and_marks() {
        let mut v = Violations::new();
        assert!(code(&mut v, "code", Some(Some("FARM-001".into())), 50).is_some());
        assert!(code(&mut v, "code", Some(Some("农场".into())), 50).is_none());
    }
}
