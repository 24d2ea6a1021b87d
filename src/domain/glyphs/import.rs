//! Seeding a deployment: a JSON file holding an array of Characters (the shape of
//! `GET /repertoire/all`), validated like the API and loaded all or nothing.

use std::collections::HashSet;
use std::path::Path;

use super::model::Character;
use super::store;
use crate::db::Db;
use crate::error::{Error, Kind, Problem, Result, Violations};

/// Parses a repertoire document: every item must be a valid Character and no code point may
/// appear twice. Field names are prefixed with the item's index (`[3].glyphs[0].operator`).
pub fn parse(text: &str) -> Result<Vec<Character>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid(
            "file",
            Problem::Unparsable {
                detail: e.to_string(),
            },
        )
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(Error::invalid(
            "file",
            Problem::WrongType {
                expected: Kind::Array,
                got: None,
            },
        ));
    };
    let mut v = Violations::new();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match Character::parse(item) {
            Ok(c) => {
                if !seen.insert(c.unicode()) {
                    v.add(format!("[{i}].unicode"), Problem::Duplicate);
                }
                out.push(c);
            }
            Err(Error::Invalid(fields)) => {
                for f in fields {
                    v.add(format!("[{i}].{}", f.field), f.problem);
                }
            }
            Err(e) => return Err(e),
        }
    }
    v.into_result()?;
    Ok(out)
}

/// Loads the file at `path` into the repertoire in one transaction; answers how many
/// characters were loaded. A code point already in the repertoire fails the whole import.
pub async fn import_file(db: &Db, path: &Path) -> Result<usize> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let characters = parse(&text)?;
    store::create_many(db, &characters).await?;
    Ok(characters.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_bad_items_are_named_by_index() {
        let one = r#"{"unicode": 19968, "tygf": 1, "gb2312": true, "readings": [], "glyphs": [], "name": null, "gf0014_id": null, "ambiguous": false}"#;
        assert_eq!(parse(&format!("[{one}]")).unwrap().len(), 1);
        let Err(Error::Invalid(f)) = parse(&format!("[{one}, {one}]")) else {
            panic!("duplicate accepted")
        };
        assert_eq!(f[0].field, "[1].unicode");
        let bad = one.replace("\"tygf\": 1", "\"tygf\": 9");
        let Err(Error::Invalid(f)) = parse(&format!("[{one}, {bad}]")) else {
            panic!("bad item accepted")
        };
        assert_eq!(f[0].field, "[1].tygf");
        assert!(parse("{}").is_err());
        assert!(parse("not json").is_err());
    }
}
