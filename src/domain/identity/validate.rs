//! Rules every dialect shares for identity fields. Dialects may add their documented,
//! stricter rules (e.g. the hanzi id pattern) before calling the domain.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Format, Problem, Result};

pub const PASSWORD_MIN: usize = 6;
pub const PASSWORD_MAX: usize = 128;
pub const USERNAME_MAX: usize = 150;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^[^\s@]+@[^\s@]+\.[^\s@]+$").unwrap()
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^\+?[0-9][0-9 -]{4,19}$").unwrap()
});

/// Passwords are 6–128 characters in every dialect (decisions §0).
pub fn password(field: &str, pw: &str) -> Result<()> {
    let n = pw.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(Error::invalid(
            field,
            Problem::Length {
                min: PASSWORD_MIN,
                max: PASSWORD_MAX,
            },
        ));
    }
    Ok(())
}

/// A login name: 1–150 characters, no white space or control characters.
pub fn username(field: &str, name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > USERNAME_MAX {
        return Err(Error::invalid(
            field,
            Problem::Length {
                min: 1,
                max: USERNAME_MAX,
            },
        ));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(field, Problem::ForbiddenCharacter));
    }
    if name.chars().any(is_invisible) {
        return Err(Error::invalid(field, Problem::ForbiddenCharacter));
    }
    Ok(())
}

/// Zero-width and bidirectional-control characters: they make two names that look the same
/// (or a name that displays reversed), so login names refuse them (decisions §8).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                 // soft hyphen
        | '\u{034F}'               // combining grapheme joiner
        | '\u{061C}'               // Arabic letter mark
        | '\u{115F}' | '\u{1160}' // Hangul fillers
        | '\u{180E}'               // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{3164}'               // Hangul filler
        | '\u{FEFF}'               // zero-width no-break space
        | '\u{FFA0}'               // halfwidth Hangul filler
    )
}

pub fn email(field: &str, email: &str) -> Result<()> {
    if email.chars().count() > 254 || !EMAIL.is_match(email) {
        return Err(Error::invalid(field, Problem::BadFormat(Format::Email)));
    }
    Ok(())
}

pub fn phone(field: &str, phone: &str) -> Result<()> {
    if !PHONE.is_match(phone) {
        return Err(Error::invalid(field, Problem::BadFormat(Format::Phone)));
    }
    Ok(())
}

/// A free-text field with a length limit in characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::invalid(field, Problem::TooLong { max }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(password("p", "12345").is_err());
        assert!(password("p", "123456").is_ok());
        assert!(password("p", "密码密码密码").is_ok());
        assert!(password("p", &"x".repeat(129)).is_err());
    }

    #[test]
    fn usernames_reject_blank_and_spaces() {
        assert!(username("u", "").is_err());
        assert!(username("u", "a b").is_err());
        assert!(username("u", "张三").is_ok());
        assert!(username("u", &"x".repeat(151)).is_err());
    }

    #[test]
    fn usernames_reject_control_zero_width_and_bidi_characters() {
        for bad in [
            "a\u{0}b",
            "a\u{7}",
            "ad\u{200B}min",
            "\u{FEFF}admin",
            "admin\u{202E}",
            "a\u{2066}b",
            "a\u{200D}",
        ] {
            assert!(username("u", bad).is_err(), "{bad:?}");
        }
        assert!(username("u", "José").is_ok());
    }

    #[test]
    fn emails_and_phones() {
        assert!(email("e", "user@example.com").is_ok());
        assert!(email("e", "user@example").is_err());
        assert!(email("e", "not an email").is_err());
        assert!(phone("p", "13800138000").is_ok());
        assert!(phone("p", "abc").is_err());
    }
}
