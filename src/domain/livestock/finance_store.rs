//! Writing and reading single financial records. Every write of a record and the matching
//! change of `financial_daily_totals` is one transaction, whose first statement is a write so
//! that it holds the write lock (SQLite) before it reads anything.

use chrono::NaiveDate;
use sqlx::AnyConnection;

use super::finance::{RECORD_COLUMNS, RawRecord, Record, RecordInput, date_text};
use super::money::Money;
use super::refs::{self, FarmRef, UserRef};
use crate::db::{self, Db};
use crate::error::{Entity, Error, Problem, Result, Violations};

/// A record with the people and farm it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    pub record: Record,
    pub user: Option<UserRef>,
    pub farm: Option<FarmRef>,
    pub created_by: Option<UserRef>,
}

/// Adds `sign` × the record to the per-day totals.
async fn bump(
    conn: &mut AnyConnection,
    day: &str,
    record_type: &str,
    category: &str,
    amount: Money,
    sign: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO financial_daily_totals (day, record_type, category, amount, records) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day, record_type, category) DO UPDATE SET \
         amount = financial_daily_totals.amount + excluded.amount, \
         records = financial_daily_totals.records + excluded.records",
    )
    .bind(day)
    .bind(record_type)
    .bind(category)
    .bind(amount.fen() * sign)
    .bind(sign)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert(
    conn: &mut AnyConnection,
    r: &RecordInput,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO financial_records (record_type, category, amount, description, related_id, \
         related_type, payment_method, receipt_image, record_date, user_id, farm_id, notes, \
         created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&r.record_type)
    .bind(&r.category)
    .bind(r.amount.fen())
    .bind(&r.description)
    .bind(r.related_id)
    .bind(&r.related_type)
    .bind(&r.payment_method)
    .bind(&r.receipt_image)
    .bind(date_text(r.record_date))
    .bind(r.user_id)
    .bind(r.farm_id)
    .bind(&r.notes)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    bump(
        conn,
        &date_text(r.record_date),
        &r.record_type,
        &r.category,
        r.amount,
        1,
    )
    .await?;
    Ok(id)
}

/// Posts a record inside someone else's transaction (an order's payment or refund). The
/// caller has checked the references.
pub async fn post(
    conn: &mut AnyConnection,
    r: &RecordInput,
    created_by: Option<i64>,
) -> Result<i64> {
    insert(conn, r, created_by, db::now()).await
}

async fn check_refs(conn: &mut AnyConnection, r: &RecordInput) -> Result<()> {
    let mut v = Violations::new();
    refs::require_user(conn, &mut v, "user_id", r.user_id).await?;
    refs::require_farm(conn, &mut v, "farm_id", r.farm_id).await?;
    v.into_result()
}

fn checked(raw: RawRecord, today: NaiveDate) -> Result<RecordInput> {
    let mut v = Violations::new();
    let input = raw.check(&mut v, today);
    v.into_result()?;
    input.ok_or_else(|| Error::invalid("body", Problem::Required))
}

/// Creates a record; `user_id` defaults to the actor.
pub async fn create(db: &Db, actor: i64, raw: RawRecord, today: NaiveDate) -> Result<RecordView> {
    let mut input = checked(raw, today)?;
    input.user_id = input.user_id.or(Some(actor));
    let mut tx = db.begin().await?;
    // The rollup write goes first: it takes the lock before the reference checks read.
    bump(
        &mut tx,
        &date_text(input.record_date),
        &input.record_type,
        &input.category,
        Money::ZERO,
        0,
    )
    .await?;
    check_refs(&mut tx, &input).await?;
    let id = insert(&mut tx, &input, Some(actor), db::now()).await?;
    let view = view_on(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes the fields the patch sends.
pub async fn update(db: &Db, id: i64, patch: RawRecord, today: NaiveDate) -> Result<RecordView> {
    let now = db::now();
    let mut tx = db.begin().await?;
    lock(&mut tx, id, now).await?;
    let stored = fetch(&mut tx, id).await?;
    let input = checked(patch.over(&stored), today)?;
    check_refs(&mut tx, &input).await?;
    // Both rollup rows are changed in key order, so two updates that swap days or categories
    // take the row locks in the same order and cannot deadlock.
    let old_key = (
        stored.record_date.clone(),
        stored.record_type.clone(),
        stored.category.clone(),
    );
    let new_key = (
        date_text(input.record_date),
        input.record_type.clone(),
        input.category.clone(),
    );
    let mut changes = [(old_key, stored.amount, -1), (new_key, input.amount, 1)];
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    for ((day, kind, category), amount, sign) in &changes {
        bump(&mut tx, day, kind, category, *amount, *sign).await?;
    }
    sqlx::query(
        "UPDATE financial_records SET record_type = $1, category = $2, amount = $3, \
         description = $4, related_id = $5, related_type = $6, payment_method = $7, \
         receipt_image = $8, record_date = $9, user_id = $10, farm_id = $11, notes = $12, \
         updated_at = $13 WHERE id = $14",
    )
    .bind(&input.record_type)
    .bind(&input.category)
    .bind(input.amount.fen())
    .bind(&input.description)
    .bind(input.related_id)
    .bind(&input.related_type)
    .bind(&input.payment_method)
    .bind(&input.receipt_image)
    .bind(date_text(input.record_date))
    .bind(input.user_id)
    .bind(input.farm_id)
    .bind(&input.notes)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let view = view_on(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let row: Option<(String, String, i64, String)> = sqlx::query_as(
        "DELETE FROM financial_records WHERE id = $1 \
         RETURNING record_type, category, amount, record_date",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (record_type, category, amount, day) = row.ok_or(Error::NotFound(Entity::Other))?;
    bump(
        &mut tx,
        &day,
        &record_type,
        &category,
        Money::from_fen(amount),
        -1,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<RecordView> {
    let mut conn = db.pool().acquire().await?;
    view_on(&mut conn, id).await
}

/// Takes the record's lock (a no-op write) or answers not found.
async fn lock(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    let done = sqlx::query("UPDATE financial_records SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    Ok(())
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Record> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM financial_records WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    Ok(Record::from_row(&row)?)
}

/// Attaches users and farms to records, in one query each.
pub async fn views(conn: &mut AnyConnection, records: Vec<Record>) -> Result<Vec<RecordView>> {
    let users = refs::users(conn, records.iter().flat_map(|r| [r.user_id, r.created_by])).await?;
    let farms = refs::farms(conn, records.iter().map(|r| r.farm_id)).await?;
    Ok(records
        .into_iter()
        .map(|record| RecordView {
            user: record.user_id.and_then(|id| users.get(&id).cloned()),
            created_by: record.created_by.and_then(|id| users.get(&id).cloned()),
            farm: record.farm_id.and_then(|id| farms.get(&id).cloned()),
            record,
        })
        .collect())
}

async fn view_on(conn: &mut AnyConnection, id: i64) -> Result<RecordView> {
    let record = fetch(conn, id).await?;
    let mut all = views(conn, vec![record]).await?;
    all.pop().ok_or(Error::NotFound(Entity::Other))
}
