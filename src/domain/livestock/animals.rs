//! Writing and reading single animals. A write and its parent checks are one transaction;
//! references to farm and category are checked before it and again by the foreign keys.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::animal::{Animal, AnimalInput, COLUMNS, RawAnimal};
use super::lineage::{self, Child};
use super::{category, farms, fields, real};
use crate::db::{self, Db, Tx};
use crate::error::{Entity, Error, Problem, Result, Rule, Violations};

/// The farm an animal belongs to, with its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarmRef {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub user_id: i64,
    pub username: String,
    pub real_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRef {
    pub id: i64,
    pub name: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// An animal with its farm and category, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimalItem {
    pub animal: Animal,
    pub farm: FarmRef,
    pub category: CategoryRef,
}

/// An animal as its detail shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimalDetail {
    pub item: AnimalItem,
    pub father: Option<ParentRef>,
    pub mother: Option<ParentRef>,
    pub health_records_count: i64,
    pub vaccination_records_count: i64,
}

/// The joins and extra columns of [`AnimalItem`] (after [`COLUMNS`]).
pub(crate) const ITEM_JOINS: &str = "FROM animals a \
    JOIN farms f ON f.id = a.farm_id \
    JOIN users u ON u.id = f.user_id \
    JOIN animal_categories c ON c.id = a.category_id";
pub(crate) const ITEM_COLUMNS: &str = "f.name AS farm_name, f.code AS farm_code, \
    f.user_id AS farm_user_id, u.username AS owner_username, u.display_name AS owner_real_name, \
    c.name AS category_name, c.code AS category_code";

impl AnimalItem {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let animal = Animal::from_row(row)?;
        Ok(Self {
            farm: FarmRef {
                id: animal.farm_id,
                name: row.try_get("farm_name")?,
                code: row.try_get("farm_code")?,
                user_id: row.try_get("farm_user_id")?,
                username: row.try_get("owner_username")?,
                real_name: row.try_get("owner_real_name")?,
            },
            category: CategoryRef {
                id: animal.category_id,
                name: row.try_get("category_name")?,
                code: row.try_get("category_code")?,
            },
            animal,
        })
    }
}

fn parent(row: &AnyRow, prefix: &str) -> sqlx::Result<Option<ParentRef>> {
    let id: Option<i64> = row.try_get(format!("{prefix}_id").as_str())?;
    Ok(match id {
        None => None,
        Some(id) => Some(ParentRef {
            id,
            code: row.try_get(format!("{prefix}_code").as_str())?,
            name: row.try_get(format!("{prefix}_name").as_str())?,
        }),
    })
}

/// An animal with its farm, category, parents and record counts, in one query.
pub async fn detail(db: &Db, id: i64) -> Result<AnimalDetail> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, {ITEM_COLUMNS}, \
             fa.id AS fa_id, fa.code AS fa_code, fa.name AS fa_name, \
             mo.id AS mo_id, mo.code AS mo_code, mo.name AS mo_name, \
             (SELECT COUNT(*) FROM health_records h WHERE h.animal_id = a.id) AS records, \
             (SELECT COUNT(*) FROM health_records h WHERE h.animal_id = a.id \
                 AND h.record_type = 'vaccination') AS vaccinations \
         {ITEM_JOINS} \
         LEFT JOIN animals fa ON fa.id = a.father_id \
         LEFT JOIN animals mo ON mo.id = a.mother_id \
         WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    Ok(AnimalDetail {
        item: AnimalItem::from_row(&row)?,
        father: parent(&row, "fa")?,
        mother: parent(&row, "mo")?,
        health_records_count: row.try_get("records")?,
        vaccination_records_count: row.try_get("vaccinations")?,
    })
}

/// The stored animal alone.
pub async fn get(db: &Db, id: i64) -> Result<Animal> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM animals a WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    Ok(Animal::from_row(&row)?)
}

/// Checks a body and its farm and category references; every bad field is reported at once.
async fn checked(db: &Db, raw: RawAnimal, today: NaiveDate) -> Result<(AnimalInput, Violations)> {
    let farm_id = raw.farm_id.flatten().filter(|id| *id > 0);
    let category_id = raw.category_id.flatten().filter(|id| *id > 0);
    let mut v = Violations::new();
    let input = AnimalInput::parse(&mut v, raw, today);
    if let Some(id) = farm_id
        && !farms::exists(db, id).await?
    {
        fields::unknown(&mut v, "farm_id");
    }
    if let Some(id) = category_id
        && !category::exists(db, id).await?
    {
        fields::unknown(&mut v, "category_id");
    }
    match input {
        Some(input) => Ok((input, v)),
        None => {
            v.into_result()?;
            Err(Error::invalid("body", Problem::Required))
        }
    }
}

/// A duplicate code (40001), or a reference that vanished during the write.
fn refused(err: sqlx::Error) -> Error {
    if db::unique_violation(&err).is_some() {
        return Error::duplicate("animals.code");
    }
    match &err {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => Error::invalid(
            "farm_id",
            Problem::UnknownReference {
                entity: Entity::Other,
                id: None,
            },
        ),
        _ => err.into(),
    }
}

/// Creates an animal; `today` is the server's calendar day (no birth date after it).
pub async fn create(db: &Db, raw: RawAnimal, today: NaiveDate) -> Result<AnimalDetail> {
    let (a, mut v) = checked(db, raw, today).await?;
    let mut tx = db.begin().await?;
    if a.father_id.is_some() || a.mother_id.is_some() {
        lineage::lock(&mut tx).await?;
        let child = Child {
            id: None,
            birth_date: a.birth_date,
        };
        lineage::check_parents(&mut tx, &mut v, child, a.father_id, a.mother_id).await?;
    }
    v.into_result()?;
    let now = db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO animals (farm_id, category_id, code, name, breed, gender, birth_date, \
         weight, health_status, status, father_id, mother_id, purchase_price, purchase_date, \
         purchase_source, current_value, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DOUBLE PRECISION), $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $18) RETURNING id",
    )
    .bind(a.farm_id)
    .bind(a.category_id)
    .bind(&a.code)
    .bind(&a.name)
    .bind(&a.breed)
    .bind(a.gender)
    .bind(a.birth_date.map(fields::date_text))
    .bind(real(a.weight))
    .bind(&a.health_status)
    .bind(a.status)
    .bind(a.father_id)
    .bind(a.mother_id)
    .bind(a.purchase_price.map(|m| m.fen()))
    .bind(a.purchase_date.map(fields::date_text))
    .bind(&a.purchase_source)
    .bind(a.current_value.map(|m| m.fen()))
    .bind(&a.notes)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(refused)?;
    tx.commit().await?;
    detail(db, id).await
}

/// Overlays `patch` on the stored animal and checks the result like a create, plus the
/// animal's offspring when its sex or birth date changes.
pub async fn update(db: &Db, id: i64, patch: RawAnimal, today: NaiveDate) -> Result<AnimalDetail> {
    let stored = get(db, id).await?;
    let (a, mut v) = checked(db, patch.over(&stored), today).await?;
    let birth_text = a.birth_date.map(fields::date_text);
    let family_changed = a.father_id != stored.father_id
        || a.mother_id != stored.mother_id
        || a.gender != stored.gender
        || birth_text != stored.birth_date;
    let mut tx = db.begin().await?;
    if family_changed {
        lineage::lock(&mut tx).await?;
        let child = Child {
            id: Some(id),
            birth_date: a.birth_date,
        };
        lineage::check_parents(&mut tx, &mut v, child, a.father_id, a.mother_id).await?;
        lineage::check_offspring(&mut tx, &mut v, id, a.gender, a.birth_date).await?;
    }
    v.into_result()?;
    write(&mut tx, id, &a, birth_text).await?;
    tx.commit().await?;
    detail(db, id).await
}

async fn write(tx: &mut Tx<'_>, id: i64, a: &AnimalInput, birth: Option<String>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE animals SET farm_id = $1, category_id = $2, code = $3, name = $4, breed = $5, \
         gender = $6, birth_date = $7, \
         weight = CAST($8 AS DOUBLE PRECISION), health_status = $9, status = $10, \
         father_id = $11, mother_id = $12, purchase_price = $13, purchase_date = $14, \
         purchase_source = $15, current_value = $16, notes = $17, updated_at = $18 \
         WHERE id = $19",
    )
    .bind(a.farm_id)
    .bind(a.category_id)
    .bind(&a.code)
    .bind(&a.name)
    .bind(&a.breed)
    .bind(a.gender)
    .bind(birth)
    .bind(real(a.weight))
    .bind(&a.health_status)
    .bind(a.status)
    .bind(a.father_id)
    .bind(a.mother_id)
    .bind(a.purchase_price.map(|m| m.fen()))
    .bind(a.purchase_date.map(fields::date_text))
    .bind(&a.purchase_source)
    .bind(a.current_value.map(|m| m.fen()))
    .bind(&a.notes)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(refused)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    Ok(())
}

/// Deletes an animal and its health records; its offspring keep their other parent.
/// An animal that trade records still reference is refused and kept.
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let done = sqlx::query("DELETE FROM animals WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(Error::NotFound(Entity::Other)),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(Error::StateNotAllowed(Rule::StillReferenced))
        }
        Err(e) => Err(e.into()),
    }
}
