//! The farm list: filters, newest first, each farm with its owner and living-animal count.

use std::collections::HashMap;

use super::farm::{COLUMNS, Farm, STATUS_MAX};
use super::farms::{OWNER_COLUMNS, Owner};
use super::search::{self, Lookup};
use super::{counts, fields};
use crate::db::{self, Db, Sql};
use crate::domain::paging::Page;
use crate::error::{Result, Violations};

/// The documented filters; `None` leaves a filter out.
#[derive(Debug, Clone, Default)]
pub struct FarmFilter {
    /// Substring of name, code or address (case-insensitive).
    pub keyword: Option<String>,
    pub kind: Option<String>,
    pub status: Option<i64>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub user_id: Option<i64>,
}

/// One list row.
#[derive(Debug, Clone, PartialEq)]
pub struct FarmItem {
    pub farm: Farm,
    pub owner: Owner,
    /// Animals of the farm that are not dead.
    pub animal_count: i64,
}

impl FarmFilter {
    /// Refuses filter values no farm can have (a `status` outside 0–3, an owner id below 1),
    /// so a typo is an error rather than an empty list. The list and its export both ask.
    pub fn check(&self) -> Result<()> {
        let mut v = Violations::new();
        fields::int_in(&mut v, "status", Some(self.status), 0, STATUS_MAX);
        fields::id_filter(&mut v, "user_id", self.user_id);
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
        let alone = self.kind.is_none()
            && self.status.is_none()
            && self.province.is_none()
            && self.city.is_none()
            && self.user_id.is_none();
        self.lookup().filter(|l| alone && l.is_exact())
    }

    fn apply(&self, sql: &mut Sql) {
        if let Some(k) = self.keyword() {
            let lookup = self.lookup();
            if let Some(l) = &lookup {
                search::push_in(sql, "f.id", search::FARMS, l);
            }
            // A one-character keyword scans; a longer one than the suffixes hold is checked.
            if !lookup.as_ref().is_some_and(Lookup::is_exact) {
                let pat = db::like_pattern(k);
                sql.push(" AND (lower(f.name) LIKE ")
                    .bind(pat.as_str())
                    .push(" ESCAPE '\\' OR lower(f.code) LIKE ")
                    .bind(pat.as_str())
                    .push(" ESCAPE '\\' OR lower(f.address) LIKE ")
                    .bind(pat)
                    .push(" ESCAPE '\\')");
            }
        }
        if let Some(t) = &self.kind {
            sql.push(" AND f.type = ").bind(t.as_str());
        }
        if let Some(s) = self.status {
            sql.push(" AND f.status = ").bind(s);
        }
        if let Some(p) = &self.province {
            sql.push(" AND f.province = ").bind(p.as_str());
        }
        if let Some(c) = &self.city {
            sql.push(" AND f.city = ").bind(c.as_str());
        }
        if let Some(u) = self.user_id {
            sql.push(" AND f.user_id = ").bind(u);
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
                ("type", self.kind.clone()),
                ("status", self.status.map(|v| v.to_string())),
                ("province", self.province.clone()),
                ("city", self.city.clone()),
                ("user_id", self.user_id.map(|v| v.to_string())),
            ],
            keyword,
        )
    }
}

/// How many farms match.
pub async fn count(db: &Db, filter: &FarmFilter) -> Result<i64> {
    if let Some(lookup) = filter.searched_alone() {
        return Ok(search::count(search::FARMS, &lookup)
            .query_scalar()
            .fetch_one(db.pool())
            .await?);
    }
    Ok(match filter.counted() {
        Some((dimension, value)) => counts::get(db, "farms", dimension, &value).await?,
        None => {
            let mut count = Sql::new("SELECT COUNT(*) FROM farms f WHERE 1 = 1");
            filter.apply(&mut count);
            count.query_scalar().fetch_one(db.pool()).await?
        }
    })
}

fn select(filter: &FarmFilter) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS}, {OWNER_COLUMNS} FROM farms f JOIN users u ON u.id = f.user_id WHERE 1 = 1"
    ));
    filter.apply(&mut sql);
    sql
}

/// One page of farms (newest first) and the number of farms that match.
pub async fn list(db: &Db, filter: &FarmFilter, page: Page) -> Result<(Vec<FarmItem>, i64)> {
    let total = count(db, filter).await?;
    // A keyword alone: the page is chosen in the gram table, newest first.
    if let Some(lookup) = filter.searched_alone() {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS}, {OWNER_COLUMNS} FROM farms f JOIN users u ON u.id = f.user_id WHERE "
        ));
        search::push_window(&mut sql, "f.id", search::FARMS, &lookup, page.window());
        sql.push(" ORDER BY f.id DESC");
        return Ok((items(db, sql).await?, total));
    }
    let mut sql = select(filter);
    sql.push(" ORDER BY f.id DESC").window(Some(page.window()));
    Ok((items(db, sql).await?, total))
}

/// Up to `limit` matching farms with ids above `after`, in id order (a keyset batch).
pub async fn batch_after(
    db: &Db,
    filter: &FarmFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<FarmItem>> {
    let mut sql = select(filter);
    sql.push(" AND f.id > ")
        .bind(after)
        .push(" ORDER BY f.id LIMIT ")
        .bind(limit);
    items(db, sql).await
}

/// The farms `sql` selects, with their living-animal counts.
async fn items(db: &Db, sql: Sql) -> Result<Vec<FarmItem>> {
    let rows = sql.query().fetch_all(db.pool()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let farm = Farm::from_row(row)?;
        let owner = Owner::from_row(row, farm.user_id)?;
        items.push(FarmItem {
            farm,
            owner,
            animal_count: 0,
        });
    }
    let ids: Vec<i64> = items.iter().map(|i| i.farm.id).collect();
    let counts = living_counts(db, &ids).await?;
    for item in &mut items {
        item.animal_count = counts.get(&item.farm.id).copied().unwrap_or(0);
    }
    Ok(items)
}

/// Animals that are not dead, per farm.
pub async fn living_counts(db: &Db, farm_ids: &[i64]) -> Result<HashMap<i64, i64>> {
    if farm_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT farm_id, COUNT(*) FROM animals WHERE farm_id IN (");
    sql.bind_list(farm_ids.iter().copied())
        .push(") AND health_status <> 'dead' GROUP BY farm_id");
    let rows: Vec<(i64, i64)> = sql.query_as().fetch_all(db.pool()).await?;
    Ok(rows.into_iter().collect())
}

/// A farm as a user's detail lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFarm {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub status: i64,
}

/// The farms `user_id` owns, oldest first.
pub async fn of_owner(db: &Db, user_id: i64) -> Result<Vec<OwnedFarm>> {
    let rows: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT id, name, type, status FROM farms WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, status)| OwnedFarm {
            id,
            name,
            kind,
            status,
        })
        .collect())
}
