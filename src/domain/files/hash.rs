//! The SHA-256 of a blob's bytes: its name in the store and the capability that reads it.

use std::fmt;

use sha2::{Digest, Sha256};

/// A SHA-256 digest as 64 lower-case hex characters. Only [`ContentHash::parse`] and
/// [`Hasher::finish`] make one, so a value of this type is always safe to put in a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentHash(String);

impl ContentHash {
    /// Accepts exactly 64 hex digits (either case); anything else (`../`, short, long) is `None`.
    pub fn parse(input: &str) -> Option<Self> {
        (input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(input.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hashes bytes as they stream past.
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> ContentHash {
        ContentHash(hex::encode(self.0.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_hex_digits_parse() {
        let h = "A".repeat(64);
        assert_eq!(ContentHash::parse(&h).unwrap().as_str(), "a".repeat(64));
        assert!(ContentHash::parse(&"a".repeat(63)).is_none());
        assert!(ContentHash::parse(&"a".repeat(65)).is_none());
        assert!(ContentHash::parse(&format!("../{}", "a".repeat(61))).is_none());
        assert!(ContentHash::parse(&format!("{}g", "a".repeat(63))).is_none());
        assert!(ContentHash::parse("").is_none());
    }

    #[test]
    fn hasher_matches_the_known_digest() {
        let mut h = Hasher::default();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(
            h.finish().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
