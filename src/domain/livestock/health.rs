//! Health records of an animal (checkups, vaccinations, treatments, …) and the drug
//! withdrawal periods they start.
//!
//! A treatment may carry `withdrawal_days`: the animal's meat or milk may not be sold before
//! `record_date + withdrawal_days` (stored as `withdrawal_ends`). Absent means no withdrawal.
//! Trade orders call [`ensure_sellable`] inside their write: an animal inside a withdrawal
//! period is refused (50001), naming the animal and the date the period ends.

use chrono::{Days, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::money::{Money, RawMoney};
use super::{Field, fields};
use crate::db::{self, Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Problem, Result, Rule, Violations};

pub const RECORD_TYPES: &[&str] = &[
    "checkup",
    "vaccination",
    "treatment",
    "deworming",
    "quarantine",
    "surgery",
    "other",
];
pub const TREATMENT: &str = "treatment";
pub const VACCINATION: &str = "vaccination";
pub const CHECKUP: &str = "checkup";
pub const TEXT_MAX: usize = 500;
pub const NAME_MAX: usize = 100;
pub const NOTES_MAX: usize = 2000;
pub const IMAGE_MAX: usize = 1000;
pub const IMAGES_MAX: usize = 20;
/// Longest withdrawal period taken, in days.
pub const WITHDRAWAL_MAX: i64 = 3650;

#[derive(Debug, Clone, PartialEq)]
pub struct HealthRecord {
    pub id: i64,
    pub animal_id: i64,
    pub record_type: String,
    pub record_date: String,
    pub symptoms: Option<String>,
    pub diagnosis: Option<String>,
    pub treatment: Option<String>,
    pub medicine: Option<String>,
    pub dosage: Option<String>,
    pub veterinarian: Option<String>,
    pub cost: Option<Money>,
    pub next_checkup_date: Option<String>,
    pub notes: Option<String>,
    pub images: Vec<String>,
    pub withdrawal_days: Option<i64>,
    pub withdrawal_ends: Option<String>,
    /// Who recorded it (id, display name); none once that user is deleted.
    pub created_by: Option<(i64, String)>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "h.id, h.animal_id, h.record_type, h.record_date, h.symptoms, \
    h.diagnosis, h.treatment, h.medicine, h.dosage, h.veterinarian, h.cost, \
    h.next_checkup_date, h.notes, h.images, h.withdrawal_days, h.withdrawal_ends, \
    h.created_by, u.display_name AS creator_name, h.created_at";

impl HealthRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let created_by: Option<i64> = row.try_get("created_by")?;
        let creator: Option<String> = row.try_get("creator_name")?;
        let images: String = row.try_get("images")?;
        Ok(Self {
            id: row.try_get("id")?,
            animal_id: row.try_get("animal_id")?,
            record_type: row.try_get("record_type")?,
            record_date: row.try_get("record_date")?,
            symptoms: row.try_get("symptoms")?,
            diagnosis: row.try_get("diagnosis")?,
            treatment: row.try_get("treatment")?,
            medicine: row.try_get("medicine")?,
            dosage: row.try_get("dosage")?,
            veterinarian: row.try_get("veterinarian")?,
            cost: row.try_get::<Option<i64>, _>("cost")?.map(Money::from_fen),
            next_checkup_date: row.try_get("next_checkup_date")?,
            notes: row.try_get("notes")?,
            images: serde_json::from_str(&images).unwrap_or_default(),
            withdrawal_days: row.try_get("withdrawal_days")?,
            withdrawal_ends: row.try_get("withdrawal_ends")?,
            created_by: created_by.map(|id| (id, creator.unwrap_or_default())),
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A create body.
#[derive(Debug, Clone, Default)]
pub struct RawHealthRecord {
    pub record_type: Field<String>,
    /// Absent: today.
    pub record_date: Field<String>,
    pub symptoms: Field<String>,
    pub diagnosis: Field<String>,
    pub treatment: Field<String>,
    pub medicine: Field<String>,
    pub dosage: Field<String>,
    pub veterinarian: Field<String>,
    pub cost: Field<RawMoney>,
    pub next_checkup_date: Field<String>,
    pub notes: Field<String>,
    pub images: Field<Vec<String>>,
    pub withdrawal_days: Field<i64>,
}

struct Valid {
    record_type: String,
    record_date: NaiveDate,
    texts: [Option<String>; 6],
    cost: Option<Money>,
    next_checkup_date: Option<NaiveDate>,
    notes: Option<String>,
    images: Vec<String>,
    withdrawal_days: Option<i64>,
}

fn check(raw: RawHealthRecord, today: NaiveDate) -> Result<Valid> {
    let mut v = Violations::new();
    let record_type = fields::required_text(&mut v, "record_type", raw.record_type, 50)
        .filter(|t| fields::choice(&mut v, "record_type", t, RECORD_TYPES));
    let record_date = match raw.record_date {
        None => Some(today),
        Some(None) => {
            v.add("record_date", Problem::Required);
            None
        }
        sent => match fields::date(&mut v, "record_date", sent) {
            Some(d) if d > today => {
                v.add("record_date", Problem::Rule(Rule::DateInFuture));
                None
            }
            Some(d) => Some(d),
            None => {
                v.add("record_date", Problem::Required);
                None
            }
        },
    };
    let texts = [
        fields::optional_text(&mut v, "symptoms", raw.symptoms, TEXT_MAX),
        fields::optional_text(&mut v, "diagnosis", raw.diagnosis, TEXT_MAX),
        fields::optional_text(&mut v, "treatment", raw.treatment, TEXT_MAX),
        fields::optional_text(&mut v, "medicine", raw.medicine, NAME_MAX),
        fields::optional_text(&mut v, "dosage", raw.dosage, NAME_MAX),
        fields::optional_text(&mut v, "veterinarian", raw.veterinarian, NAME_MAX),
    ];
    let cost = fields::money(&mut v, "cost", raw.cost);
    let next_checkup_date = fields::date(&mut v, "next_checkup_date", raw.next_checkup_date);
    let notes = fields::optional_text(&mut v, "notes", raw.notes, NOTES_MAX);
    let images = raw.images.flatten().unwrap_or_default();
    if images.len() > IMAGES_MAX {
        v.add("images", Problem::TooMany { max: IMAGES_MAX });
    } else if images
        .iter()
        .any(|i| i.trim().is_empty() || i.contains('\0') || i.chars().count() > IMAGE_MAX)
    {
        v.add("images", Problem::Length { min: 1, max: 1000 });
    }
    let withdrawal_days = fields::int_in(
        &mut v,
        "withdrawal_days",
        raw.withdrawal_days,
        0,
        WITHDRAWAL_MAX,
    );
    if withdrawal_days.is_some() && record_type.as_deref().is_some_and(|t| t != TREATMENT) {
        v.add(
            "withdrawal_days",
            Problem::Rule(Rule::WithdrawalOnlyForTreatment),
        );
    }
    v.into_result()?;
    Ok(Valid {
        record_type: record_type.unwrap_or_default(),
        record_date: record_date.unwrap_or(today),
        texts,
        cost,
        next_checkup_date,
        notes,
        images,
        withdrawal_days,
    })
}

/// The last day of withdrawal is the day before this one.
fn withdrawal_end(record_date: NaiveDate, days: i64) -> NaiveDate {
    let days = u64::try_from(days).unwrap_or(0);
    record_date
        .checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

async fn animal_exists(db: &Db, id: i64) -> Result<()> {
    sqlx::query_scalar::<_, i64>("SELECT id FROM animals WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|_| ())
        .ok_or(Error::NotFound(Entity::Other))
}

/// Records a health event of an animal, by `author`.
pub async fn create(
    db: &Db,
    animal_id: i64,
    author: i64,
    raw: RawHealthRecord,
    today: NaiveDate,
) -> Result<HealthRecord> {
    animal_exists(db, animal_id).await?;
    let r = check(raw, today)?;
    let ends = r
        .withdrawal_days
        .map(|d| fields::date_text(withdrawal_end(r.record_date, d)));
    let [
        symptoms,
        diagnosis,
        treatment,
        medicine,
        dosage,
        veterinarian,
    ] = r.texts;
    let id: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO health_records (animal_id, record_type, record_date, symptoms, diagnosis, \
         treatment, medicine, dosage, veterinarian, cost, next_checkup_date, notes, images, \
         withdrawal_days, withdrawal_ends, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         RETURNING id",
    )
    .bind(animal_id)
    .bind(&r.record_type)
    .bind(fields::date_text(r.record_date))
    .bind(symptoms)
    .bind(diagnosis)
    .bind(treatment)
    .bind(medicine)
    .bind(dosage)
    .bind(veterinarian)
    .bind(r.cost.map(|m| m.fen()))
    .bind(r.next_checkup_date.map(fields::date_text))
    .bind(r.notes)
    .bind(serde_json::Value::from(r.images).to_string())
    .bind(r.withdrawal_days)
    .bind(ends)
    .bind(author)
    .bind(db::now())
    .fetch_one(db.pool())
    .await;
    let id = match id {
        Ok(id) => id,
        // The animal was deleted meanwhile.
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            return Err(Error::NotFound(Entity::Other));
        }
        Err(e) => return Err(e.into()),
    };
    get(db, id).await
}

async fn get(db: &Db, id: i64) -> Result<HealthRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM health_records h LEFT JOIN users u ON u.id = h.created_by \
         WHERE h.id = $1"
    )))
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    Ok(HealthRecord::from_row(&row)?)
}

/// Filters of an animal's record list; dates bound `record_date`, both ends included.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub record_type: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// An animal's records, latest first.
pub async fn list(
    db: &Db,
    animal_id: i64,
    filter: &RecordFilter,
    page: Page,
) -> Result<(Vec<HealthRecord>, i64)> {
    animal_exists(db, animal_id).await?;
    let apply = |sql: &mut Sql| {
        sql.bind(animal_id);
        if let Some(t) = &filter.record_type {
            sql.push(" AND h.record_type = ").bind(t.as_str());
        }
        if let Some(d) = filter.start_date {
            sql.push(" AND h.record_date >= ")
                .bind(fields::date_text(d));
        }
        if let Some(d) = filter.end_date {
            sql.push(" AND h.record_date <= ")
                .bind(fields::date_text(d));
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM health_records h WHERE h.animal_id = ");
    apply(&mut count);
    let total: i64 = count.query_scalar().fetch_one(db.pool()).await?;
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM health_records h LEFT JOIN users u ON u.id = h.created_by \
         WHERE h.animal_id = "
    ));
    apply(&mut sql);
    sql.push(" ORDER BY h.record_date DESC, h.id DESC")
        .window(Some(page.window()));
    let list = sql
        .query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(HealthRecord::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((list, total))
}

/// An animal inside a withdrawal period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub animal_id: i64,
    pub code: String,
    /// The first day the animal may be sold again.
    pub ends: NaiveDate,
}

/// The first of `animal_ids` (by id) that is inside a withdrawal period on `today`, with the
/// latest end of its periods. Runs on the caller's connection, so a trade write can ask inside
/// its own transaction.
pub async fn active_withdrawal(
    conn: &mut AnyConnection,
    animal_ids: &[i64],
    today: NaiveDate,
) -> Result<Option<Withdrawal>> {
    if animal_ids.is_empty() {
        return Ok(None);
    }
    let mut sql = Sql::new(
        "SELECT a.id, a.code, MAX(h.withdrawal_ends) FROM health_records h \
         JOIN animals a ON a.id = h.animal_id WHERE h.animal_id IN (",
    );
    sql.bind_list(animal_ids.iter().copied())
        .push(") AND h.withdrawal_ends > ")
        .bind(fields::date_text(today))
        .push(" GROUP BY a.id, a.code ORDER BY a.id LIMIT 1");
    let row: Option<(i64, String, String)> = sql.query_as().fetch_optional(conn).await?;
    Ok(row.and_then(|(animal_id, code, ends)| {
        Some(Withdrawal {
            animal_id,
            code,
            ends: fields::parse_date(&ends)?,
        })
    }))
}

/// Refuses (50001: a state that does not allow the operation) when any of `animal_ids` is
/// inside a withdrawal period on `today`; the message names the animal and the end date.
pub async fn ensure_sellable(
    conn: &mut AnyConnection,
    animal_ids: &[i64],
    today: NaiveDate,
) -> Result<()> {
    match active_withdrawal(conn, animal_ids, today).await? {
        None => Ok(()),
        Some(w) => Err(Error::OrderState(crate::error::OrderRefusal::Withdrawal {
            animal_id: w.animal_id,
            ends: fields::date_text(w.ends),
            code: w.code,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 20).unwrap()
    }

    #[test]
    fn withdrawal_is_only_for_treatments() {
        let raw = RawHealthRecord {
            record_type: Some(Some("checkup".into())),
            withdrawal_days: Some(Some(7)),
            ..RawHealthRecord::default()
        };
        assert!(check(raw, today()).is_err());
        let raw = RawHealthRecord {
            record_type: Some(Some("treatment".into())),
            withdrawal_days: Some(Some(7)),
            ..RawHealthRecord::default()
        };
        let r = check(raw, today()).unwrap();
        assert_eq!(r.record_date, today());
        assert_eq!(
            fields::date_text(withdrawal_end(r.record_date, 7)),
            "2024-01-27"
        );
    }

    #[test]
    fn unknown_types_and_future_dates_are_refused() {
        let raw = RawHealthRecord {
            record_type: Some(Some("spa".into())),
            record_date: Some(Some("2024-01-21".into())),
            ..RawHealthRecord::default()
        };
        let Err(Error::Invalid(f)) = check(raw, today()) else {
            panic!()
        };
        assert_eq!(f.len(), 2);
    }
}
