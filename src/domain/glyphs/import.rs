//! Seeding a deployment: a JSON file holding an array of Characters (the shape of
//! `GET /repertoire/all`), validated like the API and loaded all or nothing.
//!
//! The file is streamed: a blocking reader parses one item at a time and hands it over a
//! bounded channel to the inserting side, so memory stays flat however large the file is
//! (the whole-document parse took 553 MB for 90,000 characters). Everything is inserted in
//! one transaction, committed only after the last item: a failure anywhere stores nothing.

use std::collections::HashSet;
use std::fmt;
use std::io::BufReader;
use std::path::Path;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc;

use super::store;
use super::{Character, CodePoint};
use crate::db::Db;
use crate::error::{Error, Problem};

/// Items parsed ahead of the inserts; bounds the memory the reader may use.
const AHEAD: usize = 256;

/// Why an import stopped: which item (0-based position in the array) and, when it could be
/// read, which code point; `error` says what (a field of the item, a taken code point, …).
#[derive(Debug)]
pub struct ImportError {
    pub index: Option<usize>,
    pub unicode: Option<CodePoint>,
    pub error: Error,
}

impl ImportError {
    fn whole(error: Error) -> Self {
        Self {
            index: None,
            unicode: None,
            error,
        }
    }
}

/// One item from the reader: a parsed character, or the item's failure.
type Item = std::result::Result<Character, ImportError>;

/// Loads the file at `path` into the repertoire in one transaction; answers how many
/// characters were loaded. `progress` is called with the count after every insert. A code
/// point already in the repertoire, or twice in the file, fails the whole import.
pub async fn import_file(
    db: &Db,
    path: &Path,
    mut progress: impl FnMut(usize),
) -> std::result::Result<usize, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::whole(anyhow::anyhow!("{}: {e}", path.display()).into()))?;
    let (tx, mut rx) = mpsc::channel::<Item>(AHEAD);
    let reader = tokio::task::spawn_blocking(move || read_items(BufReader::new(file), &tx));
    let mut db_tx = db.begin().await.map_err(|e| ImportError::whole(e.into()))?;
    let mut seen = HashSet::new();
    let mut loaded = 0;
    while let Some(item) = rx.recv().await {
        let c = item?;
        let at = |error| ImportError {
            index: Some(loaded),
            unicode: Some(c.unicode()),
            error,
        };
        if !seen.insert(c.unicode()) {
            return Err(at(Error::invalid("unicode", Problem::Duplicate)));
        }
        store::insert_tx(&mut db_tx, &c).await.map_err(at)?;
        loaded += 1;
        progress(loaded);
    }
    // The channel closes when the reader is done; a document-level error (not an array,
    // broken JSON) is its answer.
    reader
        .await
        .map_err(|e| ImportError::whole(anyhow::anyhow!("reading the file: {e}").into()))??;
    db_tx
        .commit()
        .await
        .map_err(|e| ImportError::whole(e.into()))?;
    Ok(loaded)
}

/// Reads the array item by item, sending each parsed character. Stops early when the
/// receiver is gone (an insert failed). Answers a document-level error.
fn read_items(
    reader: impl std::io::Read,
    tx: &mpsc::Sender<Item>,
) -> std::result::Result<(), ImportError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let stopped = std::cell::Cell::new(false);
    let counted = de.deserialize_seq(Items {
        tx,
        stopped: &stopped,
    });
    let done = counted.and_then(|n| de.end().map(|()| n));
    match done {
        Ok(_) => Ok(()),
        // Stopped at a bad item, or because the inserts failed: the receiver has the reason.
        Err(_) if stopped.get() => Ok(()),
        Err(e) => Err(ImportError::whole(Error::invalid(
            "file",
            Problem::Unparsable {
                detail: e.to_string(),
            },
        ))),
    }
}

struct Items<'a> {
    tx: &'a mpsc::Sender<Item>,
    stopped: &'a std::cell::Cell<bool>,
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of characters")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<usize, A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            let item = parse_item(index, &value);
            let failed = item.is_err();
            if self.tx.blocking_send(item).is_err() || failed {
                self.stopped.set(true);
                return Err(serde::de::Error::custom("import stopped"));
            }
            index += 1;
        }
        Ok(index)
    }
}

/// One item as a Character; its failure names the item and, if readable, its code point.
fn parse_item(index: usize, value: &Value) -> Item {
    Character::parse(value).map_err(|error| ImportError {
        index: Some(index),
        unicode: value.get("unicode").and_then(CodePoint::from_reference),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"unicode": 19968, "tygf": 1, "gb2312": true, "readings": [], "glyphs": [], "name": null, "gf0014_id": null, "ambiguous": false}"#;

    /// Runs the streaming reader over `text`, collecting what it sends.
    fn stream(text: &str) -> (Vec<Item>, std::result::Result<(), ImportError>) {
        let (tx, mut rx) = mpsc::channel(AHEAD);
        let done = read_items(text.as_bytes(), &tx);
        drop(tx);
        let mut items = Vec::new();
        while let Ok(item) = rx.try_recv() {
            items.push(item);
        }
        (items, done)
    }

    #[test]
    fn the_stream_names_the_failing_item_and_its_code_point() {
        let bad = ONE
            .replace("19968", "19969")
            .replace("\"tygf\": 1", "\"tygf\": 9");
        let (items, done) = stream(&format!("[{ONE}, {ONE}]"));
        assert!(
            done.is_ok() && items.iter().all(Result::is_ok),
            "duplicates are the inserter's"
        );
        let (items, done) = stream(&format!("[{ONE}, {bad}, {ONE}]"));
        assert!(done.is_ok());
        assert_eq!(items.len(), 2, "reading stops at the first bad item");
        let Err(e) = &items[1] else {
            panic!("bad item accepted")
        };
        assert_eq!(e.index, Some(1));
        assert_eq!(e.unicode.map(CodePoint::value), Some(19969));
        let (_, done) = stream("{}");
        assert!(done.is_err(), "not an array");
        let (items, done) = stream(&format!("[{ONE}, "));
        assert_eq!(items.len(), 1);
        assert!(done.is_err(), "truncated file");
    }
}
