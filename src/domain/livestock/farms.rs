//! Writing and reading single farms. References (`user_id`) are checked before the write and
//! again by the foreign key, so a reference that vanishes meanwhile is still a field error.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::farm::{Audit, COLUMNS, Farm, FarmInput, RawFarm};
use super::real;
use crate::db::{self, Db, Timestamp};
use crate::error::{Entity, Error, Problem, Result, Rule, Violations};

/// The owner as farm answers show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: i64,
    pub username: String,
    pub real_name: String,
    pub phone: Option<String>,
}

/// Owner columns joined as `u`.
pub(crate) const OWNER_COLUMNS: &str =
    "u.username AS owner_username, u.display_name AS owner_real_name, u.phone AS owner_phone";

impl Owner {
    pub(crate) fn from_row(row: &AnyRow, id: i64) -> sqlx::Result<Self> {
        Ok(Self {
            id,
            username: row.try_get("owner_username")?,
            real_name: row.try_get("owner_real_name")?,
            phone: row.try_get("owner_phone")?,
        })
    }
}

/// A farm with its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct FarmView {
    pub farm: Farm,
    pub owner: Owner,
}

pub(crate) async fn user_exists(db: &Db, id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// Checks a farm body and its reference; every bad field is reported at once.
async fn checked(db: &Db, raw: RawFarm) -> Result<FarmInput> {
    let user_id = raw.user_id.flatten().filter(|id| *id > 0);
    let mut v = Violations::new();
    let input = FarmInput::parse(&mut v, raw);
    if let Some(id) = user_id
        && !user_exists(db, id).await?
    {
        super::fields::unknown(&mut v, "user_id");
    }
    v.into_result()?;
    input.ok_or_else(|| Error::invalid("body", Problem::Required))
}

/// A unique clash named by its field (`farms.name` → 30001, `farms.code` → 30002); a foreign
/// key refusal is the owner having vanished.
fn refused(err: sqlx::Error) -> Error {
    if let Some(c) = db::unique_violation(&err) {
        return if c.contains("name") {
            Error::duplicate("farms.name")
        } else {
            Error::duplicate("farms.code")
        };
    }
    match &err {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => {
            let mut v = Violations::new();
            super::fields::unknown(&mut v, "user_id");
            v.into_result().err().unwrap_or_else(|| err.into())
        }
        _ => err.into(),
    }
}

pub async fn create(db: &Db, raw: RawFarm) -> Result<FarmView> {
    let f = checked(db, raw).await?;
    let now = db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO farms (user_id, name, code, type, area, capacity, address, province, city, \
         district, longitude, latitude, license_number, license_image, description, status, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, CAST($5 AS DOUBLE PRECISION), $6, $7, $8, $9, $10, \
         CAST($11 AS DOUBLE PRECISION), CAST($12 AS DOUBLE PRECISION), $13, $14, $15, $16, $17, $17) \
         RETURNING id",
    )
    .bind(f.user_id)
    .bind(&f.name)
    .bind(&f.code)
    .bind(&f.kind)
    .bind(real(f.area))
    .bind(f.capacity)
    .bind(&f.address)
    .bind(&f.province)
    .bind(&f.city)
    .bind(&f.district)
    .bind(real(f.longitude))
    .bind(real(f.latitude))
    .bind(&f.license_number)
    .bind(&f.license_image)
    .bind(&f.description)
    .bind(f.status)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(refused)?;
    get(db, id).await
}

/// A farm and its owner.
pub async fn get(db: &Db, id: i64) -> Result<FarmView> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, {OWNER_COLUMNS} FROM farms f JOIN users u ON u.id = f.user_id \
         WHERE f.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    let farm = Farm::from_row(&row)?;
    let owner = Owner::from_row(&row, farm.user_id)?;
    Ok(FarmView { farm, owner })
}

/// Whether a farm exists (for reference checks).
pub async fn exists(db: &Db, id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM farms WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// Overlays `patch` on the stored farm and checks the result like a create.
pub async fn update(db: &Db, id: i64, patch: RawFarm) -> Result<FarmView> {
    let stored = get(db, id).await?.farm;
    let f = checked(db, patch.over(&stored)).await?;
    let done = sqlx::query(
        "UPDATE farms SET user_id = $1, name = $2, code = $3, type = $4, \
         area = CAST($5 AS DOUBLE PRECISION), capacity = $6, address = $7, province = $8, \
         city = $9, district = $10, longitude = CAST($11 AS DOUBLE PRECISION), \
         latitude = CAST($12 AS DOUBLE PRECISION), license_number = $13, license_image = $14, description = $15, \
         status = $16, updated_at = $17 WHERE id = $18",
    )
    .bind(f.user_id)
    .bind(&f.name)
    .bind(&f.code)
    .bind(&f.kind)
    .bind(real(f.area))
    .bind(f.capacity)
    .bind(&f.address)
    .bind(&f.province)
    .bind(&f.city)
    .bind(&f.district)
    .bind(real(f.longitude))
    .bind(real(f.latitude))
    .bind(&f.license_number)
    .bind(&f.license_image)
    .bind(&f.description)
    .bind(f.status)
    .bind(db::now())
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(refused)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    get(db, id).await
}

/// Deletes a farm that holds no animals; one that does is refused and kept (its animals,
/// their health records and trade history would otherwise go with it).
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let done = sqlx::query(
        "DELETE FROM farms WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM animals WHERE farm_id = $1)",
    )
    .bind(id)
    .execute(db.pool())
    .await;
    let done = match done {
        Ok(d) => d,
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            return Err(Error::StateNotAllowed(Rule::StillReferenced));
        }
        Err(e) => return Err(e.into()),
    };
    if done.rows_affected() == 1 {
        return Ok(());
    }
    get(db, id).await?;
    Err(Error::StateNotAllowed(Rule::StillReferenced))
}

/// What an audit answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Audited {
    pub id: i64,
    pub status: i64,
    pub audit_notes: Option<String>,
    pub audited_at: Timestamp,
}

/// Records an audit decision by `auditor`.
pub async fn audit(db: &Db, id: i64, auditor: i64, audit: Audit) -> Result<Audited> {
    let now = db::now();
    let done = sqlx::query(
        "UPDATE farms SET status = $1, audit_notes = $2, audited_at = $3, audited_by = $4, \
         updated_at = $3 WHERE id = $5",
    )
    .bind(audit.status)
    .bind(&audit.notes)
    .bind(now)
    .bind(auditor)
    .bind(id)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    Ok(Audited {
        id,
        status: audit.status,
        audit_notes: audit.notes,
        audited_at: now,
    })
}
