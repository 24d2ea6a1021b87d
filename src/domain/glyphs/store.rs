//! Storage of the repertoire: one row per character plus its (from, to) references, kept in
//! step inside one transaction on every write.

use futures_util::Stream;
use sqlx::Row;

use super::code_point::CodePoint;
use super::model::Character;
use crate::db::{self, Db, Sql, Tx};
use crate::error::{Entity, Error, Problem, Result, Rule};

/// Largest page `page()` serves; the original client asks for 16384 at a time.
pub const PAGE_SIZE_MAX: i64 = 16384;

/// Rows fetched per round trip while streaming the whole repertoire.
const STREAM_BATCH: i64 = 1000;

fn rows_to_characters(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Character>> {
    rows.iter()
        .map(|r| {
            let unicode: i64 = r.try_get("unicode")?;
            let data: String = r.try_get("data")?;
            Character::from_stored(unicode, &data)
        })
        .collect()
}

/// The character at `unicode`; [`Error::NotFound`] (glyph) when there is none.
pub async fn get(db: &Db, unicode: CodePoint) -> Result<Character> {
    let row = sqlx::query("SELECT unicode, data FROM glyph_characters WHERE unicode = $1")
        .bind(unicode.value())
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound(Entity::Glyph))?;
    Ok(rows_to_characters(vec![row])?.remove(0))
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM glyph_characters")
        .fetch_one(db.pool())
        .await?)
}

/// Where a page (1-based) of characters in code point order starts: the keyset cursor to
/// stream it from with [`stream_range`] (`None` when the page is past the end), and the total
/// count.
pub async fn page_start(db: &Db, page: i64, size: i64) -> Result<(Option<i64>, i64)> {
    if page < 1 {
        return Err(Error::invalid("page", Problem::AtLeast { min: 1 }));
    }
    if !(1..=PAGE_SIZE_MAX).contains(&size) {
        return Err(Error::invalid(
            "size",
            Problem::OutOfRange {
                min: 1,
                max: PAGE_SIZE_MAX,
            },
        ));
    }
    let total = count(db).await?;
    let offset = (page - 1).saturating_mul(size);
    if offset >= total {
        return Ok((None, total));
    }
    if offset == 0 {
        return Ok((Some(-1), total));
    }
    // The code point of the last row before the page.
    let cursor: i64 = sqlx::query_scalar(
        "SELECT unicode FROM glyph_characters ORDER BY unicode LIMIT 1 OFFSET $1",
    )
    .bind(offset - 1)
    .fetch_one(db.pool())
    .await?;
    Ok((Some(cursor), total))
}

/// Up to `limit` characters with a code point above `after`, in code point order.
pub async fn after(db: &Db, after: i64, limit: i64) -> Result<Vec<Character>> {
    let rows = sqlx::query(
        "SELECT unicode, data FROM glyph_characters WHERE unicode > $1 ORDER BY unicode LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows_to_characters(rows)
}

/// The whole repertoire in code point order, as a stream of batches (see [`stream_range`]).
pub fn stream_all(db: Db) -> impl Stream<Item = Result<Vec<Character>>> + Send + 'static {
    stream_range(db, -1, i64::MAX)
}

/// Up to `limit` characters with a code point above `after`, in code point order, as a stream
/// of batches. Each batch is one short query (keyset paging), so no connection or transaction
/// is held between batches and memory stays at one batch whatever the size of the range.
/// Characters written while the stream runs may or may not appear, like with any paged read.
pub fn stream_range(
    db: Db,
    after_unicode: i64,
    limit: i64,
) -> impl Stream<Item = Result<Vec<Character>>> + Send + 'static {
    futures_util::stream::unfold(Some((after_unicode, limit)), move |cursor| {
        let db = db.clone();
        async move {
            let (last, left) = cursor?;
            if left <= 0 {
                return None;
            }
            let want = left.min(STREAM_BATCH);
            match after(&db, last, want).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => {
                    let got = batch.len() as i64;
                    let next = if got < want {
                        None
                    } else {
                        batch.last().map(|c| (c.unicode().value(), left - got))
                    };
                    Some((Ok(batch), next))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    })
}

async fn exists_tx(tx: &mut Tx<'_>, unicode: CodePoint) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM glyph_characters WHERE unicode = $1")
        .bind(unicode.value())
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

fn exists_error(unicode: CodePoint) -> Error {
    Error::Conflict {
        field: "unicode".to_owned(),
        problem: Problem::Duplicate,
        value: Some(unicode.value().to_string()),
    }
}

/// Replaces the reference rows of `c` with its current references.
async fn set_references_tx(tx: &mut Tx<'_>, c: &Character) -> Result<()> {
    sqlx::query("DELETE FROM glyph_references WHERE from_unicode = $1")
        .bind(c.unicode().value())
        .execute(&mut **tx)
        .await?;
    for chunk in c.references().chunks(200) {
        let mut sql = Sql::new("INSERT INTO glyph_references (from_unicode, to_unicode) VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(c.unicode().value())
                .push(", ")
                .bind(r.value())
                .push(")");
        }
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(super) async fn insert_tx(tx: &mut Tx<'_>, c: &Character) -> Result<()> {
    if exists_tx(tx, c.unicode()).await? {
        return Err(exists_error(c.unicode()));
    }
    let now = db::now();
    sqlx::query(
        "INSERT INTO glyph_characters (unicode, data, created_at, updated_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(c.unicode().value())
    .bind(c.stored())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| match db::unique_violation(&e) {
        Some(_) => exists_error(c.unicode()),
        None => e.into(),
    })?;
    set_references_tx(tx, c).await
}

async fn update_tx(tx: &mut Tx<'_>, c: &Character) -> Result<()> {
    let done =
        sqlx::query("UPDATE glyph_characters SET data = $1, updated_at = $2 WHERE unicode = $3")
            .bind(c.stored())
            .bind(db::now())
            .bind(c.unicode().value())
            .execute(&mut **tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Glyph));
    }
    set_references_tx(tx, c).await
}

/// Creates one character; [`Error::Conflict`] (`unicode`) when the code point is taken.
/// References to characters not loaded yet are allowed.
pub async fn create(db: &Db, c: &Character) -> Result<()> {
    create_many(db, std::slice::from_ref(c)).await
}

/// Creates every character or none.
pub async fn create_many(db: &Db, cs: &[Character]) -> Result<()> {
    let mut tx = db.begin().await?;
    for c in cs {
        insert_tx(&mut tx, c).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces one stored character; [`Error::NotFound`] when there is none at its code point.
pub async fn update(db: &Db, c: &Character) -> Result<()> {
    update_many(db, std::slice::from_ref(c)).await
}

/// Replaces every character or none.
pub async fn update_many(db: &Db, cs: &[Character]) -> Result<()> {
    let mut tx = db.begin().await?;
    for c in cs {
        update_tx(&mut tx, c).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes one character; refused with [`Error::StateNotAllowed`] while another
/// character's glyphs reference it.
pub async fn delete(db: &Db, unicode: CodePoint) -> Result<()> {
    delete_many(db, &[unicode]).await
}

/// Deletes every listed character or none. A character referenced only by characters deleted
/// in the same call may go.
pub async fn delete_many(db: &Db, unicodes: &[CodePoint]) -> Result<()> {
    let mut tx = db.begin().await?;
    let values: Vec<i64> = unicodes.iter().map(|u| u.value()).collect();
    for u in unicodes {
        if !exists_tx(&mut tx, *u).await? {
            return Err(Error::NotFound(Entity::Glyph));
        }
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM glyph_references WHERE to_unicode IN (");
    sql.bind_list(values.iter().copied())
        .push(") AND from_unicode NOT IN (")
        .bind_list(values.iter().copied())
        .push(")");
    let referenced: i64 = sql.query_scalar().fetch_one(&mut *tx).await?;
    if referenced > 0 {
        return Err(Error::StateNotAllowed(Rule::GlyphReferenced));
    }
    let mut sql = Sql::new("DELETE FROM glyph_characters WHERE unicode IN (");
    sql.bind_list(values.iter().copied()).push(")");
    sql.query().execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the character at `old` to `new` and rewrites every reference to it, in one
/// transaction. `old` must exist ([`Error::NotFound`]) and `new` must be free
/// ([`Error::Conflict`]).
pub async fn renumber(db: &Db, old: CodePoint, new: CodePoint) -> Result<()> {
    let mut tx = db.begin().await?;
    let current = {
        let row = sqlx::query("SELECT unicode, data FROM glyph_characters WHERE unicode = $1")
            .bind(old.value())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound(Entity::Glyph))?;
        rows_to_characters(vec![row])?.remove(0)
    };
    if old == new {
        return Ok(());
    }
    if exists_tx(&mut tx, new).await? {
        return Err(exists_error(new));
    }
    // Insert the new row, move the old one's reference rows, drop the old row: this avoids
    // updating a primary key that other rows point at.
    insert_tx(&mut tx, &current.clone().with_unicode(new)).await?;
    sqlx::query("DELETE FROM glyph_characters WHERE unicode = $1")
        .bind(old.value())
        .execute(&mut *tx)
        .await?;
    let referrers: Vec<i64> = sqlx::query_scalar(
        "SELECT from_unicode FROM glyph_references WHERE to_unicode = $1 ORDER BY from_unicode",
    )
    .bind(old.value())
    .fetch_all(&mut *tx)
    .await?;
    for from in referrers {
        let row = sqlx::query("SELECT unicode, data FROM glyph_characters WHERE unicode = $1")
            .bind(from)
            .fetch_one(&mut *tx)
            .await?;
        let mut c = rows_to_characters(vec![row])?.remove(0);
        c.replace_reference(old, new);
        update_tx(&mut tx, &c).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a private-use code point is allocated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PuaKind {
    /// `0xE000..=0xE7FF`
    Component,
    /// `0xE800..=0xEFFF`
    Other,
}

impl PuaKind {
    pub fn parse(kind: &str) -> Self {
        if kind == "component" {
            PuaKind::Component
        } else {
            PuaKind::Other
        }
    }

    fn range(self) -> (i64, i64) {
        match self {
            PuaKind::Component => (0xE000, 0xE800),
            PuaKind::Other => (0xE800, 0xF000),
        }
    }
}

/// Whether a character is already named exactly `name`. A coarse `LIKE` over the stored JSON
/// (the name's `%`, `_` and `\\` as wildcards; case-insensitive on SQLite) finds a superset,
/// and the stored `name` of each candidate decides.
async fn name_taken(db: &Db, name: &str) -> Result<bool> {
    let coarse: String = name
        .chars()
        .map(|c| {
            if matches!(c, '%' | '_' | '\\') {
                '%'
            } else {
                c
            }
        })
        .collect();
    let candidates: Vec<String> =
        sqlx::query_scalar("SELECT data FROM glyph_characters WHERE data LIKE $1")
            .bind(format!("%{coarse}%"))
            .fetch_all(db.pool())
            .await?;
    Ok(candidates.iter().any(|data| {
        serde_json::from_str::<serde_json::Value>(data)
            .is_ok_and(|v| v.get("name").and_then(serde_json::Value::as_str) == Some(name))
    }))
}

/// Creates an empty character named `name` at the lowest free private-use code point of the
/// range for `kind`, and answers that code point; `None` when the range is full. A code
/// point some glyph already references (a character not loaded yet) counts as taken.
pub async fn allocate(db: &Db, kind: PuaKind, name: Option<String>) -> Result<Option<CodePoint>> {
    let (from, to) = kind.range();
    // The original kept allocated components' names in a unique column: a name another
    // character already has is refused.
    if let Some(n) = &name
        && name_taken(db, n).await?
    {
        return Err(Error::Conflict {
            field: "name".to_owned(),
            problem: crate::error::Problem::Duplicate,
            value: Some(n.clone()),
        });
    }
    // Two allocations racing for the same code point: the loser retries with the next one.
    for _ in 0..8 {
        let taken: Vec<i64> = sqlx::query_scalar(
            "SELECT unicode FROM glyph_characters WHERE unicode >= $1 AND unicode < $2 \
             UNION SELECT to_unicode FROM glyph_references WHERE to_unicode >= $1 AND to_unicode < $2 \
             ORDER BY 1",
        )
        .bind(from)
        .bind(to)
        .fetch_all(db.pool())
        .await?;
        let mut candidate = from;
        for t in taken {
            if t != candidate {
                break;
            }
            candidate += 1;
        }
        if candidate >= to {
            return Ok(None);
        }
        let Some(cp) = CodePoint::from_number(candidate) else {
            return Ok(None);
        };
        match create(db, &Character::placeholder(cp, name.clone())).await {
            Ok(()) => return Ok(Some(cp)),
            Err(Error::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Internal(anyhow::anyhow!(
        "private-use allocation kept colliding"
    )))
}
