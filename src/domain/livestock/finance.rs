//! Financial records (admin_v1 §8.1) as sent and as stored, and their rules.
//!
//! `record_type` is `income` or `expense`; `amount` is exact (fen), never negative;
//! `record_date` is a calendar date in server.timezone (default: today there). `user_id` is
//! whose books the record belongs to (default: the caller). Orders post records of their own
//! (`sale` income on payment, `refund` expense on refund) through [`super::finance_store`].

use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::money::{Money, RawMoney};
use super::order::{self, PAYMENT_METHODS};
use crate::db::Timestamp;
use crate::error::{Format, Problem, Violations};

pub const RECORD_TYPES: &[&str] = &["income", "expense"];
/// The categories orders post.
pub const SALE: &str = "sale";
pub const REFUND: &str = "refund";

/// The body of `POST /financial-records` and `PUT /financial-records/{id}` (in an update an
/// absent or `null` field keeps the stored value).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawRecord {
    pub record_type: Option<String>,
    pub category: Option<String>,
    pub amount: Option<RawMoney>,
    pub description: Option<String>,
    pub related_id: Option<i64>,
    pub related_type: Option<String>,
    pub payment_method: Option<String>,
    pub receipt_image: Option<String>,
    pub record_date: Option<String>,
    pub user_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub notes: Option<String>,
}

/// A checked record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordInput {
    pub record_type: String,
    pub category: String,
    pub amount: Money,
    pub description: Option<String>,
    pub related_id: Option<i64>,
    pub related_type: Option<String>,
    pub payment_method: Option<String>,
    pub receipt_image: Option<String>,
    pub record_date: NaiveDate,
    pub user_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub notes: Option<String>,
}

pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

impl RawRecord {
    pub fn check(self, v: &mut Violations, today: NaiveDate) -> Option<RecordInput> {
        let record_type = order::required_choice(v, "record_type", self.record_type, RECORD_TYPES);
        let category = order::required_text(v, "category", self.category, 50);
        let amount = match self.amount.as_ref() {
            None => {
                v.add("amount", Problem::Required);
                None
            }
            some => order::money(v, "amount", some),
        };
        let description = order::text(v, "description", self.description, 200);
        let related_id = order::id(v, "related_id", self.related_id);
        let related_type = order::text(v, "related_type", self.related_type, 50);
        let payment_method =
            order::choice(v, "payment_method", self.payment_method, PAYMENT_METHODS);
        let receipt_image = order::text(v, "receipt_image", self.receipt_image, 500);
        let record_date = match self.record_date.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(s) => {
                let d = parse_date(s);
                if d.is_none() {
                    v.add("record_date", Problem::BadFormat(Format::Date));
                }
                d
            }
        };
        let user_id = order::id(v, "user_id", self.user_id);
        let farm_id = order::id(v, "farm_id", self.farm_id);
        let notes = order::text(v, "notes", self.notes, 500);
        Some(RecordInput {
            record_type: record_type?,
            category: category?,
            amount: amount?,
            description,
            related_id,
            related_type,
            payment_method,
            receipt_image,
            record_date: record_date?,
            user_id,
            farm_id,
            notes,
        })
    }

    /// This patch over a stored record: absent fields keep the stored values.
    pub fn over(self, r: &Record) -> RawRecord {
        RawRecord {
            record_type: self.record_type.or_else(|| Some(r.record_type.clone())),
            category: self.category.or_else(|| Some(r.category.clone())),
            amount: self.amount.or_else(|| Some(RawMoney(r.amount.to_string()))),
            description: self.description.or_else(|| r.description.clone()),
            related_id: self.related_id.or(r.related_id),
            related_type: self.related_type.or_else(|| r.related_type.clone()),
            payment_method: self.payment_method.or_else(|| r.payment_method.clone()),
            receipt_image: self.receipt_image.or_else(|| r.receipt_image.clone()),
            record_date: self.record_date.or_else(|| Some(r.record_date.clone())),
            user_id: self.user_id.or(r.user_id),
            farm_id: self.farm_id.or(r.farm_id),
            notes: self.notes.or_else(|| r.notes.clone()),
        }
    }
}

/// Columns of [`Record::from_row`], in order.
pub const RECORD_COLUMNS: &str = "id, record_type, category, amount, description, related_id, \
     related_type, payment_method, receipt_image, record_date, user_id, farm_id, notes, \
     created_by, created_at, updated_at";

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: i64,
    pub record_type: String,
    pub category: String,
    pub amount: Money,
    pub description: Option<String>,
    pub related_id: Option<i64>,
    pub related_type: Option<String>,
    pub payment_method: Option<String>,
    pub receipt_image: Option<String>,
    pub record_date: String,
    pub user_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Record {
    pub fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get(0)?,
            record_type: row.try_get(1)?,
            category: row.try_get(2)?,
            amount: Money::from_fen(row.try_get(3)?),
            description: row.try_get(4)?,
            related_id: row.try_get(5)?,
            related_type: row.try_get(6)?,
            payment_method: row.try_get(7)?,
            receipt_image: row.try_get(8)?,
            record_date: row.try_get(9)?,
            user_id: row.try_get(10)?,
            farm_id: row.try_get(11)?,
            notes: row.try_get(12)?,
            created_by: row.try_get(13)?,
            created_at: row.try_get(14)?,
            updated_at: row.try_get(15)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 20).unwrap()
    }

    #[test]
    fn defaults_and_rules() {
        let raw: RawRecord = serde_json::from_value(serde_json::json!({
            "record_type": "income", "category": "sale", "amount": "2400.00"
        }))
        .unwrap();
        let mut v = Violations::new();
        let r = raw.check(&mut v, today()).unwrap();
        assert_eq!((r.amount.fen(), r.record_date), (240_000, today()));

        let raw: RawRecord = serde_json::from_value(serde_json::json!({
            "record_type": "gift", "amount": -1, "record_date": "2024/01/01", "farm_id": 0
        }))
        .unwrap();
        let mut v = Violations::new();
        assert!(raw.check(&mut v, today()).is_none());
        let Err(Error::Invalid(f)) = v.into_result() else {
            panic!()
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "record_type",
                "category",
                "amount",
                "record_date",
                "farm_id"
            ]
        );
    }
}
