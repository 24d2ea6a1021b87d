//! The animal list: every documented filter, newest first, each animal with its farm (and
//! owner) and category.

use super::animal::{COLUMNS, FEMALE, HEALTH_STATUSES, STATUS_MAX};
use super::animals::{AnimalItem, ITEM_COLUMNS, ITEM_JOINS};
use super::search::{self, Lookup};
use super::{counts, fields};
use crate::db::{self, Db, Sql};
use crate::domain::paging::Page;
use crate::error::{Result, Violations};

#[derive(Debug, Clone, Default)]
pub struct AnimalFilter {
    /// Substring of code or name (case-insensitive).
    pub keyword: Option<String>,
    pub farm_id: Option<i64>,
    pub category_id: Option<i64>,
    pub breed: Option<String>,
    pub gender: Option<i64>,
    pub health_status: Option<String>,
    pub status: Option<i64>,
}

impl AnimalFilter {
    /// Refuses filter values no animal can have (an unknown `health_status`, a `gender`
    /// other than 0–2, a `status` other than 0–3, an id below 1), so a typo is an error rather
    /// than an empty list. The list and its export both ask.
    pub fn check(&self) -> Result<()> {
        let mut v = Violations::new();
        if let Some(h) = &self.health_status {
            fields::choice(&mut v, "health_status", h, HEALTH_STATUSES);
        }
        fields::int_in(&mut v, "gender", Some(self.gender), 0, FEMALE);
        fields::int_in(&mut v, "status", Some(self.status), 0, STATUS_MAX);
        fields::id_filter(&mut v, "farm_id", self.farm_id);
        fields::id_filter(&mut v, "category_id", self.category_id);
        v.into_result()
    }

    fn keyword(&self) -> Option<&str> {
        self.keyword
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }

    /// The gram lookup of the keyword, when the gram table answers it (two characters or
    /// more); `None` leaves the keyword to a scan.
    fn lookup(&self) -> Option<Lookup> {
        self.keyword().and_then(search::term)
    }

    /// The lookup of a keyword that is the only filter and whose ids are exactly the matches:
    /// then the page and the total are read from the gram table alone.
    fn searched_alone(&self) -> Option<Lookup> {
        let alone = self.farm_id.is_none()
            && self.category_id.is_none()
            && self.breed.is_none()
            && self.gender.is_none()
            && self.health_status.is_none()
            && self.status.is_none();
        self.lookup().filter(|l| alone && l.is_exact())
    }

    fn apply(&self, sql: &mut Sql) {
        if let Some(k) = self.keyword() {
            let lookup = self.lookup();
            if let Some(l) = &lookup {
                search::push_in(sql, "a.id", search::ANIMALS, l);
            }
            // A one-character keyword scans; a longer one than the suffixes hold is checked.
            if !lookup.as_ref().is_some_and(Lookup::is_exact) {
                let pat = db::like_pattern(k);
                sql.push(" AND (lower(a.code) LIKE ")
                    .bind(pat.as_str())
                    .push(" ESCAPE '\\' OR lower(a.name) LIKE ")
                    .bind(pat)
                    .push(" ESCAPE '\\')");
            }
        }
        self.apply_exact(sql);
    }

    fn apply_exact(&self, sql: &mut Sql) {
        if let Some(id) = self.farm_id {
            sql.push(" AND a.farm_id = ").bind(id);
        }
        if let Some(id) = self.category_id {
            sql.push(" AND a.category_id = ").bind(id);
        }
        if let Some(b) = &self.breed {
            sql.push(" AND a.breed = ").bind(b.as_str());
        }
        if let Some(g) = self.gender {
            sql.push(" AND a.gender = ").bind(g);
        }
        if let Some(h) = &self.health_status {
            sql.push(" AND a.health_status = ").bind(h.as_str());
        }
        if let Some(s) = self.status {
            sql.push(" AND a.status = ").bind(s);
        }
    }

    /// The one exact filter set (or none), when the total can be read from the counts.
    fn counted(&self) -> Option<(&'static str, String)> {
        let keyword = self
            .keyword
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty());
        counts::single(
            &[
                ("farm_id", self.farm_id.map(|v| v.to_string())),
                ("category_id", self.category_id.map(|v| v.to_string())),
                ("breed", self.breed.clone()),
                ("gender", self.gender.map(|v| v.to_string())),
                ("health_status", self.health_status.clone()),
                ("status", self.status.map(|v| v.to_string())),
            ],
            keyword,
        )
    }
}

/// How many animals match.
pub async fn count(db: &Db, filter: &AnimalFilter) -> Result<i64> {
    if let Some(lookup) = filter.searched_alone() {
        return Ok(search::count(search::ANIMALS, &lookup)
            .query_scalar()
            .fetch_one(db.pool())
            .await?);
    }
    Ok(match filter.counted() {
        Some((dimension, value)) => counts::get(db, "animals", dimension, &value).await?,
        None => {
            let mut count = Sql::new("SELECT COUNT(*) FROM animals a WHERE 1 = 1");
            filter.apply(&mut count);
            count.query_scalar().fetch_one(db.pool()).await?
        }
    })
}

fn select(filter: &AnimalFilter) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS}, {ITEM_COLUMNS} {ITEM_JOINS} WHERE 1 = 1"
    ));
    filter.apply(&mut sql);
    sql
}

async fn items(db: &Db, sql: Sql) -> Result<Vec<AnimalItem>> {
    let rows = sql.query().fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(AnimalItem::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

/// One page of animals (newest first) and the number that match.
pub async fn list(db: &Db, filter: &AnimalFilter, page: Page) -> Result<(Vec<AnimalItem>, i64)> {
    let total = count(db, filter).await?;
    // A keyword alone: the page is chosen in the gram table, newest first.
    if let Some(lookup) = filter.searched_alone() {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS}, {ITEM_COLUMNS} {ITEM_JOINS} WHERE "
        ));
        search::push_window(&mut sql, "a.id", search::ANIMALS, &lookup, page.window());
        sql.push(" ORDER BY a.id DESC");
        return Ok((items(db, sql).await?, total));
    }
    let mut sql = select(filter);
    sql.push(" ORDER BY a.id DESC").window(Some(page.window()));
    Ok((items(db, sql).await?, total))
}

/// Up to `limit` matching animals with ids above `after`, in id order (a keyset batch).
pub async fn batch_after(
    db: &Db,
    filter: &AnimalFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<AnimalItem>> {
    let mut sql = select(filter);
    sql.push(" AND a.id > ")
        .bind(after)
        .push(" ORDER BY a.id LIMIT ")
        .bind(limit);
    items(db, sql).await
}
