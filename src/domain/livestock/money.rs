//! Exact money: integer fen (1/100 yuan), never floats.
//!
//! Input arrives as a JSON number (`2400`, `2400.5`, `2400.50`) or a string of digits
//! (`"2400.50"`); [`RawMoney`] accepts both shapes (any other JSON type is a type error, 10001)
//! and [`Money::parse`] applies the rules (at most two decimals, not negative, not absurdly
//! large), so a rule breach is a field violation (10006), not a type error. Output is a JSON
//! number with exactly two decimals (`2400.00`), as the document shows, written verbatim
//! through `serde_json`'s raw values.
//!
//! A JSON number reaches us as an `f64` (the body is parsed into a `serde_json::Value` first).
//! Rust prints an `f64` as the shortest decimal that reads back as the same `f64`; for the
//! amounts a client can write (≤ 15 significant digits) that is the digits the client sent,
//! minus trailing zeros, so the decimal count is judged on what was actually written.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Format, Problem};

/// Largest amount accepted from input: 99,999,999,999.99 yuan. Sums of many of them still fit
/// an `i64` of fen by a wide margin.
pub const MAX_FEN: i64 = 9_999_999_999_999;

/// An exact amount in fen. May be negative as the result of arithmetic (a net loss); input
/// is never negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Why an input amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyProblem {
    /// Not a plain decimal (`"abc"`, `"1e3"`, `" 5"`).
    NotANumber,
    Negative,
    /// More than two decimals.
    TooPrecise,
    /// Above [`MAX_FEN`], or a computed total that overflows.
    TooLarge,
}

impl MoneyProblem {
    /// The field problem it is (each dialect words it).
    pub fn problem(self) -> Problem {
        match self {
            MoneyProblem::NotANumber | MoneyProblem::TooPrecise => {
                Problem::BadFormat(Format::Amount)
            }
            MoneyProblem::Negative => Problem::AtLeast { min: 0 },
            MoneyProblem::TooLarge => Problem::AtMost { max: MAX_FEN / 100 },
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Reads a decimal text: digits, optionally `.` and one or two digits; an optional
    /// leading `-` is recognised only to be refused as negative.
    pub fn parse(raw: &RawMoney) -> Result<Money, MoneyProblem> {
        Self::parse_str(&raw.0)
    }

    pub fn parse_str(text: &str) -> Result<Money, MoneyProblem> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || digits.ends_with('.') {
            return Err(MoneyProblem::NotANumber);
        }
        // `-0` and `-0.00` are zero, not a negative amount.
        let is_zero = whole.bytes().all(|b| b == b'0') && frac.bytes().all(|b| b == b'0');
        if negative && !is_zero {
            return Err(MoneyProblem::Negative);
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyProblem::TooPrecise);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 11 {
            return Err(MoneyProblem::TooLarge);
        }
        let yuan: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyProblem::TooLarge)?
        };
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| MoneyProblem::NotANumber)?,
        };
        let fen = yuan * 100 + cents;
        if fen > MAX_FEN {
            return Err(MoneyProblem::TooLarge);
        }
        Ok(Money(fen))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Unit price × quantity.
    pub fn checked_mul(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).map(Money)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    /// Saturating: sums of stored amounts cannot realistically overflow an `i64` of fen, and
    /// a saturated figure is better than a panic if they ever did.
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// Writes a count of hundredths as a decimal with exactly two places: `-1234` -> `-12.34`.
pub fn hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Serialises a count of hundredths as a JSON number with two decimals (`80.00`, not `80.0`).
pub fn serialize_hundredths<S: Serializer>(value: i64, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = serde_json::value::RawValue::from_string(hundredths(value))
        .map_err(serde::ser::Error::custom)?;
    raw.serialize(serializer)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hundredths(self.0))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_hundredths(self.0, serializer)
    }
}

/// An amount as sent, before the rules: the decimal text of a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMoney(pub String);

impl<'de> Deserialize<'de> for RawMoney {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawMoney;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount (number or decimal string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawMoney, E> {
                Ok(RawMoney(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawMoney, E> {
                Ok(RawMoney(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawMoney, E> {
                if !v.is_finite() {
                    return Err(E::invalid_value(de::Unexpected::Float(v), &self));
                }
                Ok(RawMoney(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawMoney, E> {
                Ok(RawMoney(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_json(text: &str) -> Result<Money, MoneyProblem> {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let raw: RawMoney = serde_json::from_value(value).unwrap();
        Money::parse(&raw)
    }

    #[test]
    fn numbers_and_strings_parse_exactly() {
        assert_eq!(parse_json("2400"), Ok(Money(240_000)));
        assert_eq!(parse_json("2400.5"), Ok(Money(240_050)));
        assert_eq!(parse_json("2400.05"), Ok(Money(240_005)));
        assert_eq!(parse_json("2400.50"), Ok(Money(240_050)));
        assert_eq!(parse_json("0.1"), Ok(Money(10)));
        assert_eq!(parse_json("0.29"), Ok(Money(29)));
        assert_eq!(parse_json("\"1234.56\""), Ok(Money(123_456)));
        assert_eq!(parse_json("\"007.10\""), Ok(Money(710)));
        assert_eq!(parse_json("\"0\""), Ok(Money(0)));
        // Trailing zeros beyond two places are still two places.
        assert_eq!(parse_json("\"1.500\""), Ok(Money(150)));
        assert_eq!(parse_json("99999999999.99"), Ok(Money(MAX_FEN)));
    }

    #[test]
    fn rules_refuse_negative_precise_and_huge() {
        assert_eq!(parse_json("-1"), Err(MoneyProblem::Negative));
        assert_eq!(parse_json("\"-0.01\""), Err(MoneyProblem::Negative));
        assert_eq!(parse_json("-0"), Ok(Money(0)));
        assert_eq!(parse_json("0.001"), Err(MoneyProblem::TooPrecise));
        assert_eq!(parse_json("\"12.345\""), Err(MoneyProblem::TooPrecise));
        assert_eq!(parse_json("100000000000"), Err(MoneyProblem::TooLarge));
        assert_eq!(parse_json("1e300"), Err(MoneyProblem::TooLarge));
        for bad in [
            "\"\"",
            "\"abc\"",
            "\"1e3\"",
            "\" 5\"",
            "\"5.\"",
            "\".5\"",
            "\"1.2.3\"",
        ] {
            assert_eq!(parse_json(bad), Err(MoneyProblem::NotANumber), "{bad}");
        }
    }

    #[test]
    fn other_json_types_are_type_errors() {
        for bad in ["true", "null", "[1]", "{}"] {
            let value: serde_json::Value = serde_json::from_str(bad).unwrap();
            assert!(serde_json::from_value::<RawMoney>(value).is_err(), "{bad}");
        }
    }

    #[test]
    fn renders_two_decimals_as_a_json_number() {
        #[derive(Serialize)]
        struct Out {
            a: Money,
            b: Money,
            c: Money,
        }
        let out = Out {
            a: Money(240_000),
            b: Money(5),
            c: Money(-12_345),
        };
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"a":2400.00,"b":0.05,"c":-123.45}"#
        );
        assert_eq!(Money(0).to_string(), "0.00");
        assert_eq!(hundredths(-5), "-0.05");
    }

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let a = Money::parse_str("0.10").unwrap();
        let b = Money::parse_str("0.20").unwrap();
        assert_eq!(a + b, Money::parse_str("0.30").unwrap());
        assert_eq!(Money(120_000).checked_mul(2), Some(Money(240_000)));
        assert_eq!(Money(i64::MAX).checked_mul(2), None);
        assert_eq!(Money(5).checked_sub(Money(7)), Some(Money(-2)));
        assert_eq!([Money(1), Money(2)].into_iter().sum::<Money>(), Money(3));
    }
}
