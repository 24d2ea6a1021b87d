//! [`CodePoint`]: a Unicode scalar value, the key of a character and the form every reference
//! to another character is stored in.

/// A Unicode scalar value (a code point that is not a surrogate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodePoint(char);

impl CodePoint {
    /// A code point given as a number; `None` outside the scalar values.
    pub fn from_number(n: i64) -> Option<Self> {
        u32::try_from(n)
            .ok()
            .and_then(char::from_u32)
            .map(CodePoint)
    }

    /// A code point given as a string of exactly one character.
    pub fn from_char_str(s: &str) -> Option<Self> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(CodePoint(c)),
            _ => None,
        }
    }

    /// A reference to another character as either wire form sends it: a one-character string
    /// (the document's Character) or a code point number (the original back end's raw row).
    pub fn from_reference(v: &serde_json::Value) -> Option<Self> {
        match v {
            serde_json::Value::String(s) => Self::from_char_str(s),
            serde_json::Value::Number(n) => n.as_i64().and_then(Self::from_number),
            _ => None,
        }
    }

    /// Parses a path segment: a decimal code point.
    pub fn parse_decimal(s: &str) -> Option<Self> {
        if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i64>().ok().and_then(Self::from_number)
    }

    pub fn value(self) -> i64 {
        i64::from(u32::from(self.0))
    }

    pub fn as_char(self) -> char {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn code_points_parse_from_numbers_characters_and_paths() {
        assert_eq!(CodePoint::from_number(0x4E00).unwrap().as_char(), '一');
        assert!(CodePoint::from_number(0xD800).is_none());
        assert!(CodePoint::from_number(0x110000).is_none());
        assert!(CodePoint::from_number(-1).is_none());
        assert_eq!(CodePoint::from_char_str("𠀀").unwrap().value(), 0x20000);
        assert!(CodePoint::from_char_str("日月").is_none());
        assert!(CodePoint::from_char_str("").is_none());
        assert_eq!(CodePoint::parse_decimal("57344").unwrap().value(), 0xE000);
        assert!(CodePoint::parse_decimal("-1").is_none());
        assert!(CodePoint::parse_decimal("abc").is_none());
        assert!(CodePoint::parse_decimal("99999999").is_none());
    }

    #[test]
    fn references_are_a_character_or_a_code_point() {
        let yi = CodePoint::from_char_str("一").unwrap();
        assert_eq!(CodePoint::from_reference(&json!("一")), Some(yi));
        assert_eq!(CodePoint::from_reference(&json!(19968)), Some(yi));
        for bad in [
            json!("日月"),
            json!(""),
            json!(0xD800),
            json!(0x110000),
            json!(-1),
            json!(19968.5),
            json!(null),
            json!([19968]),
        ] {
            assert_eq!(CodePoint::from_reference(&bad), None, "{bad}");
        }
    }
}
