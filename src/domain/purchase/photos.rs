//! An order's photos: SHA-256 hashes of file records the caller may see (decisions §6:
//! their own records; an admin any record).

use super::Caller;
use crate::db::{Db, Sql};
use crate::error::{Entity, Error, Format, Problem, Result};

/// The most photos one order may carry.
pub const MAX_PHOTOS: usize = 50;

/// A lower-case 64-hex-digit SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PhotoHash(String);

impl PhotoHash {
    pub fn parse(field: &str, input: &str) -> Result<Self> {
        let hash = input.trim();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(field, Problem::BadFormat(Format::Sha256Hex)));
        }
        Ok(Self(hash.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses a photo list, keeping the client's order (duplicates included).
pub fn parse_list(raw: &[String]) -> Result<Vec<PhotoHash>> {
    if raw.len() > MAX_PHOTOS {
        return Err(Error::invalid(
            "photos",
            Problem::TooMany { max: MAX_PHOTOS },
        ));
    }
    raw.iter().map(|h| PhotoHash::parse("photos", h)).collect()
}

/// Every hash must belong to a file record the caller may see; otherwise the `photos`
/// field is invalid. Reads the file store's `files` table (`user_id`, `sha256`).
pub async fn check(db: &Db, caller: Caller, hashes: &[PhotoHash]) -> Result<()> {
    let mut unique: Vec<&str> = hashes.iter().map(PhotoHash::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    if unique.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT COUNT(DISTINCT sha256) FROM files WHERE sha256 IN (");
    sql.bind_list(unique.iter().copied()).push(")");
    if !caller.is_admin {
        sql.push(" AND user_id = ").bind(caller.user_id);
    }
    let found: i64 = sql.query_scalar().fetch_one(db.pool()).await?;
    if usize::try_from(found).ok() != Some(unique.len()) {
        return Err(Error::invalid(
            "photos",
            Problem::UnknownReference {
                entity: Entity::File,
                id: None,
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_64_hex_digits_stored_lower_case() {
        let upper = "AB".repeat(32);
        assert_eq!(
            PhotoHash::parse("photos", &upper).unwrap().as_str(),
            "ab".repeat(32)
        );
        assert!(PhotoHash::parse("photos", "image_hash_1").is_err());
        assert!(PhotoHash::parse("photos", &"g".repeat(64)).is_err());
        assert!(PhotoHash::parse("photos", &"a".repeat(63)).is_err());
    }

    #[test]
    fn lists_keep_their_order_and_have_a_limit() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let list = parse_list(&[b.clone(), a.clone(), b.clone()]).unwrap();
        assert_eq!(
            list.iter().map(PhotoHash::as_str).collect::<Vec<_>>(),
            [b.as_str(), a.as_str(), b.as_str()]
        );
        assert!(parse_list(&vec![a; MAX_PHOTOS + 1]).is_err());
    }
}
