//! An animal as clients write it ([`RawAnimal`] → [`AnimalInput`]) and as it is stored
//! ([`Animal`]).

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::money::{Money, RawMoney};
use super::{Field, fields, kept, overlay};
use crate::db::Timestamp;
use crate::error::{Problem, Rule, Violations};

pub const CODE_MAX: usize = 50;
pub const NAME_MAX: usize = 100;
pub const BREED_MAX: usize = 50;
pub const SOURCE_MAX: usize = 200;
pub const NOTES_MAX: usize = 2000;
/// Heaviest `weight` taken, in kilograms.
pub const WEIGHT_MAX: f64 = 100_000.0;

/// `health_status` values. `sick`, `treating` and `quarantine` count as sick in statistics;
/// `dead` animals are left out of the living totals.
pub const HEALTH_STATUSES: &[&str] = &["healthy", "sick", "treating", "quarantine", "dead"];
pub const DEAD: &str = "dead";
/// `gender`: 0 unknown, 1 male, 2 female.
pub const MALE: i64 = 1;
pub const FEMALE: i64 = 2;
/// `status`: 1 in stock (default), 2 sold, 3 culled, 0 inactive.
pub const STATUS_IN_STOCK: i64 = 1;
pub const STATUS_MAX: i64 = 3;

/// A stored animal.
#[derive(Debug, Clone, PartialEq)]
pub struct Animal {
    pub id: i64,
    pub farm_id: i64,
    pub category_id: i64,
    pub code: String,
    pub name: String,
    pub breed: String,
    pub gender: i64,
    pub birth_date: Option<String>,
    pub weight: Option<f64>,
    pub health_status: String,
    pub status: i64,
    pub father_id: Option<i64>,
    pub mother_id: Option<i64>,
    pub purchase_price: Option<Money>,
    pub purchase_date: Option<String>,
    pub purchase_source: Option<String>,
    pub current_value: Option<Money>,
    pub notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// [`Animal`]'s columns, qualified with the alias `a`.
pub(crate) const COLUMNS: &str = "a.id, a.farm_id, a.category_id, a.code, a.name, a.breed, \
    a.gender, a.birth_date, a.weight, a.health_status, a.status, a.father_id, a.mother_id, \
    a.purchase_price, a.purchase_date, a.purchase_source, a.current_value, a.notes, \
    a.created_at, a.updated_at";

impl Animal {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let money = |c: &str| -> sqlx::Result<Option<Money>> {
            Ok(row.try_get::<Option<i64>, _>(c)?.map(Money::from_fen))
        };
        Ok(Self {
            id: row.try_get("id")?,
            farm_id: row.try_get("farm_id")?,
            category_id: row.try_get("category_id")?,
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            breed: row.try_get("breed")?,
            gender: row.try_get("gender")?,
            birth_date: row.try_get("birth_date")?,
            weight: row.try_get("weight")?,
            health_status: row.try_get("health_status")?,
            status: row.try_get("status")?,
            father_id: row.try_get("father_id")?,
            mother_id: row.try_get("mother_id")?,
            purchase_price: money("purchase_price")?,
            purchase_date: row.try_get("purchase_date")?,
            purchase_source: row.try_get("purchase_source")?,
            current_value: money("current_value")?,
            notes: row.try_get("notes")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Whole days from `birth_date` to `today` (the server's calendar day); none without a
    /// birth date, never negative.
    pub fn age_days(&self, today: NaiveDate) -> Option<i64> {
        let born = fields::parse_date(self.birth_date.as_deref()?)?;
        Some((today - born).num_days().max(0))
    }
}

/// A create body, or an update's patch (see [`super::Field`]).
#[derive(Debug, Clone, Default)]
pub struct RawAnimal {
    pub farm_id: Field<i64>,
    pub category_id: Field<i64>,
    pub code: Field<String>,
    pub name: Field<String>,
    pub breed: Field<String>,
    pub gender: Field<i64>,
    pub birth_date: Field<String>,
    pub weight: Field<f64>,
    pub health_status: Field<String>,
    pub status: Field<i64>,
    pub father_id: Field<i64>,
    pub mother_id: Field<i64>,
    pub purchase_price: Field<RawMoney>,
    pub purchase_date: Field<String>,
    pub purchase_source: Field<String>,
    pub current_value: Field<RawMoney>,
    pub notes: Field<String>,
}

fn raw_money(m: Option<Money>) -> Field<RawMoney> {
    kept(m.map(|m| RawMoney(m.to_string())))
}

impl RawAnimal {
    /// `self` over the stored animal: what an update checks and writes.
    pub fn over(self, a: &Animal) -> Self {
        Self {
            farm_id: overlay(self.farm_id, kept(Some(a.farm_id))),
            category_id: overlay(self.category_id, kept(Some(a.category_id))),
            code: overlay(self.code, kept(Some(a.code.clone()))),
            name: overlay(self.name, kept(Some(a.name.clone()))),
            breed: overlay(self.breed, kept(Some(a.breed.clone()))),
            gender: overlay(self.gender, kept(Some(a.gender))),
            birth_date: overlay(self.birth_date, kept(a.birth_date.clone())),
            weight: overlay(self.weight, kept(a.weight)),
            health_status: overlay(self.health_status, kept(Some(a.health_status.clone()))),
            status: overlay(self.status, kept(Some(a.status))),
            father_id: overlay(self.father_id, kept(a.father_id)),
            mother_id: overlay(self.mother_id, kept(a.mother_id)),
            purchase_price: overlay(self.purchase_price, raw_money(a.purchase_price)),
            purchase_date: overlay(self.purchase_date, kept(a.purchase_date.clone())),
            purchase_source: overlay(self.purchase_source, kept(a.purchase_source.clone())),
            current_value: overlay(self.current_value, raw_money(a.current_value)),
            notes: overlay(self.notes, kept(a.notes.clone())),
        }
    }
}

/// A valid animal, ready to store. References (farm, category, parents) are checked by the
/// store; the parents' sex, age and lineage by [`super::lineage`] inside the write.
#[derive(Debug, Clone, PartialEq)]
pub struct AnimalInput {
    pub farm_id: i64,
    pub category_id: i64,
    pub code: String,
    pub name: String,
    pub breed: String,
    pub gender: i64,
    pub birth_date: Option<NaiveDate>,
    pub weight: Option<f64>,
    pub health_status: String,
    pub status: i64,
    pub father_id: Option<i64>,
    pub mother_id: Option<i64>,
    pub purchase_price: Option<Money>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_source: Option<String>,
    pub current_value: Option<Money>,
    pub notes: Option<String>,
}

/// A required positive id; zero or negative ids name nothing.
fn reference(v: &mut Violations, field: &str, value: Field<i64>) -> Option<i64> {
    match value.flatten() {
        Some(id) if id > 0 => Some(id),
        Some(_) => {
            fields::unknown(v, field);
            None
        }
        None => {
            v.add(field, Problem::Required);
            None
        }
    }
}

/// An optional positive id.
fn optional_reference(v: &mut Violations, field: &str, value: Field<i64>) -> Option<Option<i64>> {
    match value.flatten() {
        None => Some(None),
        Some(id) if id > 0 => Some(Some(id)),
        Some(_) => {
            fields::unknown(v, field);
            None
        }
    }
}

/// A required setting that defaults when absent; `null` is a violation.
fn defaulted<T>(v: &mut Violations, field: &str, value: Field<T>, default: T) -> Option<T> {
    match value {
        None => Some(default),
        Some(None) => {
            v.add(field, Problem::Required);
            None
        }
        Some(Some(x)) => Some(x),
    }
}

impl AnimalInput {
    /// Checks every field; dates may not lie after `today`.
    pub fn parse(v: &mut Violations, raw: RawAnimal, today: NaiveDate) -> Option<Self> {
        let farm_id = reference(v, "farm_id", raw.farm_id);
        let category_id = reference(v, "category_id", raw.category_id);
        let code = fields::code(v, "code", raw.code, CODE_MAX);
        let name = fields::optional_text(v, "name", raw.name, NAME_MAX).unwrap_or_default();
        let breed = fields::optional_text(v, "breed", raw.breed, BREED_MAX).unwrap_or_default();
        let gender = defaulted(v, "gender", raw.gender, 0)
            .and_then(|g| fields::int_in(v, "gender", Some(Some(g)), 0, FEMALE));
        let birth_date = past_date(v, "birth_date", raw.birth_date, today);
        let weight = fields::float_in(v, "weight", raw.weight, 0.0, WEIGHT_MAX);
        let health_status = defaulted(v, "health_status", raw.health_status, "healthy".into())
            .filter(|s| fields::choice(v, "health_status", s, HEALTH_STATUSES));
        let status = defaulted(v, "status", raw.status, STATUS_IN_STOCK)
            .and_then(|s| fields::int_in(v, "status", Some(Some(s)), 0, STATUS_MAX));
        let father_id = optional_reference(v, "father_id", raw.father_id);
        let mother_id = optional_reference(v, "mother_id", raw.mother_id);
        let purchase_price = fields::money(v, "purchase_price", raw.purchase_price);
        let purchase_date = past_date(v, "purchase_date", raw.purchase_date, today);
        let purchase_source =
            fields::optional_text(v, "purchase_source", raw.purchase_source, SOURCE_MAX);
        let current_value = fields::money(v, "current_value", raw.current_value);
        let notes = fields::optional_text(v, "notes", raw.notes, NOTES_MAX);
        if !v.is_empty() {
            return None;
        }
        Some(Self {
            farm_id: farm_id?,
            category_id: category_id?,
            code: code?,
            name,
            breed,
            gender: gender?,
            birth_date,
            weight,
            health_status: health_status?,
            status: status?,
            father_id: father_id?,
            mother_id: mother_id?,
            purchase_price,
            purchase_date,
            purchase_source,
            current_value,
            notes,
        })
    }
}

fn past_date(
    v: &mut Violations,
    field: &str,
    value: Field<String>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let d = fields::date(v, field, value)?;
    if d > today {
        v.add(field, Problem::Rule(Rule::DateInFuture));
        return None;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 20).unwrap()
    }

    fn raw() -> RawAnimal {
        RawAnimal {
            farm_id: Some(Some(1)),
            category_id: Some(Some(1)),
            code: Some(Some("PIG001".into())),
            ..RawAnimal::default()
        }
    }

    #[test]
    fn defaults_are_healthy_in_stock_unknown_gender() {
        let mut v = Violations::new();
        let a = AnimalInput::parse(&mut v, raw(), today()).unwrap();
        assert_eq!(
            (a.gender, a.health_status.as_str(), a.status),
            (0, "healthy", 1)
        );
    }

    #[test]
    fn bad_fields_are_all_named() {
        let mut r = raw();
        r.gender = Some(Some(3));
        r.health_status = Some(Some("ill".into()));
        r.birth_date = Some(Some("2024-02-01".into()));
        r.purchase_price = Some(Some(RawMoney("1.234".into())));
        r.father_id = Some(Some(0));
        r.code = Some(None);
        let mut v = Violations::new();
        assert!(AnimalInput::parse(&mut v, r, today()).is_none());
        let Err(crate::error::Error::Invalid(f)) = v.into_result() else {
            panic!()
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "code",
                "gender",
                "birth_date",
                "health_status",
                "father_id",
                "purchase_price"
            ]
        );
    }

    #[test]
    fn age_counts_whole_days_and_never_goes_negative() {
        let mut r = raw();
        r.birth_date = Some(Some("2023-06-15".into()));
        let a = Animal {
            id: 1,
            farm_id: 1,
            category_id: 1,
            code: "PIG001".into(),
            name: String::new(),
            breed: String::new(),
            gender: 1,
            birth_date: Some("2023-06-15".into()),
            weight: None,
            health_status: "healthy".into(),
            status: 1,
            father_id: None,
            mother_id: None,
            purchase_price: None,
            purchase_date: None,
            purchase_source: None,
            current_value: None,
            notes: None,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(a.age_days(today()), Some(219));
        assert_eq!(
            a.age_days(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()),
            Some(0)
        );
    }
}
