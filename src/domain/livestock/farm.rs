//! A farm as clients write it ([`RawFarm`] → [`FarmInput`]) and as it is stored ([`Farm`]).

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Field, fields, kept, overlay};
use crate::db::Timestamp;
use crate::error::{Problem, Result, Violations};

pub const NAME_MAX: usize = 100;
pub const CODE_MAX: usize = 50;
pub const TYPE_MAX: usize = 50;
pub const ADDRESS_MAX: usize = 200;
pub const REGION_MAX: usize = 50;
pub const LICENSE_MAX: usize = 100;
pub const URL_MAX: usize = 1000;
pub const DESCRIPTION_MAX: usize = 2000;
pub const AUDIT_NOTES_MAX: usize = 500;
/// Largest `area` (m²) and `capacity` (head) taken.
pub const AREA_MAX: f64 = 1.0e10;
pub const CAPACITY_MAX: i64 = 1_000_000_000;

/// `status`: 0 pending review, 1 approved (in operation), 2 rejected, 3 suspended.
pub const STATUS_PENDING: i64 = 0;
pub const STATUS_MAX: i64 = 3;

/// A stored farm.
#[derive(Debug, Clone, PartialEq)]
pub struct Farm {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub area: Option<f64>,
    pub capacity: Option<i64>,
    pub address: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub license_number: Option<String>,
    pub license_image: Option<String>,
    pub description: Option<String>,
    pub status: i64,
    pub audit_notes: Option<String>,
    pub audited_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// [`Farm`]'s columns, qualified with the alias `f`.
pub(crate) const COLUMNS: &str = "f.id, f.user_id, f.name, f.code, f.type, f.area, f.capacity, \
    f.address, f.province, f.city, f.district, f.longitude, f.latitude, f.license_number, \
    f.license_image, f.description, f.status, f.audit_notes, f.audited_at, f.created_at, \
    f.updated_at";

impl Farm {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            code: row.try_get("code")?,
            kind: row.try_get("type")?,
            area: row.try_get("area")?,
            capacity: row.try_get("capacity")?,
            address: row.try_get("address")?,
            province: row.try_get("province")?,
            city: row.try_get("city")?,
            district: row.try_get("district")?,
            longitude: row.try_get("longitude")?,
            latitude: row.try_get("latitude")?,
            license_number: row.try_get("license_number")?,
            license_image: row.try_get("license_image")?,
            description: row.try_get("description")?,
            status: row.try_get("status")?,
            audit_notes: row.try_get("audit_notes")?,
            audited_at: row.try_get("audited_at")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A create body, or an update's patch (see [`super::Field`]).
#[derive(Debug, Clone, Default)]
pub struct RawFarm {
    pub user_id: Field<i64>,
    pub name: Field<String>,
    pub code: Field<String>,
    pub kind: Field<String>,
    pub area: Field<f64>,
    pub capacity: Field<i64>,
    pub address: Field<String>,
    pub province: Field<String>,
    pub city: Field<String>,
    pub district: Field<String>,
    pub longitude: Field<f64>,
    pub latitude: Field<f64>,
    pub license_number: Field<String>,
    pub license_image: Field<String>,
    pub description: Field<String>,
    pub status: Field<i64>,
}

impl RawFarm {
    /// `self` over the stored farm: what an update checks and writes.
    pub fn over(self, f: &Farm) -> Self {
        Self {
            user_id: overlay(self.user_id, kept(Some(f.user_id))),
            name: overlay(self.name, kept(Some(f.name.clone()))),
            code: overlay(self.code, kept(Some(f.code.clone()))),
            kind: overlay(self.kind, kept(Some(f.kind.clone()))),
            area: overlay(self.area, kept(f.area)),
            capacity: overlay(self.capacity, kept(f.capacity)),
            address: overlay(self.address, kept(Some(f.address.clone()))),
            province: overlay(self.province, kept(Some(f.province.clone()))),
            city: overlay(self.city, kept(Some(f.city.clone()))),
            district: overlay(self.district, kept(Some(f.district.clone()))),
            longitude: overlay(self.longitude, kept(f.longitude)),
            latitude: overlay(self.latitude, kept(f.latitude)),
            license_number: overlay(self.license_number, kept(f.license_number.clone())),
            license_image: overlay(self.license_image, kept(f.license_image.clone())),
            description: overlay(self.description, kept(f.description.clone())),
            status: overlay(self.status, kept(Some(f.status))),
        }
    }
}

/// A valid farm, ready to store. `user_id` is checked to exist by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct FarmInput {
    pub user_id: i64,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub area: Option<f64>,
    pub capacity: Option<i64>,
    pub address: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub license_number: Option<String>,
    pub license_image: Option<String>,
    pub description: Option<String>,
    pub status: i64,
}

impl FarmInput {
    /// Checks every field; `v` collects the violations (the store adds unknown references
    /// to the same list before reporting).
    pub fn parse(v: &mut Violations, raw: RawFarm) -> Option<Self> {
        let user_id = match raw.user_id.flatten() {
            Some(id) if id > 0 => Some(id),
            Some(_) => {
                fields::unknown(v, "user_id");
                None
            }
            None => {
                v.add("user_id", Problem::Required);
                None
            }
        };
        let name = fields::required_text(v, "name", raw.name, NAME_MAX);
        let code = fields::code(v, "code", raw.code, CODE_MAX);
        let kind = fields::code(v, "type", raw.kind, TYPE_MAX);
        let area = fields::float_in(v, "area", raw.area, 0.0, AREA_MAX);
        let capacity = fields::int_in(v, "capacity", raw.capacity, 0, CAPACITY_MAX);
        let address = fields::optional_text(v, "address", raw.address, ADDRESS_MAX);
        let province = fields::optional_text(v, "province", raw.province, REGION_MAX);
        let city = fields::optional_text(v, "city", raw.city, REGION_MAX);
        let district = fields::optional_text(v, "district", raw.district, REGION_MAX);
        let longitude = fields::float_in(v, "longitude", raw.longitude, -180.0, 180.0);
        let latitude = fields::float_in(v, "latitude", raw.latitude, -90.0, 90.0);
        let license_number =
            fields::optional_text(v, "license_number", raw.license_number, LICENSE_MAX);
        let license_image = fields::optional_text(v, "license_image", raw.license_image, URL_MAX);
        let description = fields::optional_text(v, "description", raw.description, DESCRIPTION_MAX);
        let status = match raw.status {
            Some(None) => {
                v.add("status", Problem::Required);
                None
            }
            other => fields::int_in(v, "status", other, 0, STATUS_MAX).or(Some(STATUS_PENDING)),
        };
        Some(Self {
            user_id: user_id?,
            name: name?,
            code: code?,
            kind: kind?,
            area,
            capacity,
            address: address.unwrap_or_default(),
            province: province.unwrap_or_default(),
            city: city.unwrap_or_default(),
            district: district.unwrap_or_default(),
            longitude,
            latitude,
            license_number,
            license_image,
            description,
            status: status?,
        })
    }
}

/// An audit decision: the new `status` (1 approved, 2 rejected, 3 suspended, 0 back to
/// pending) and the reviewer's notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub status: i64,
    pub notes: Option<String>,
}

impl Audit {
    pub fn parse(status: Field<i64>, notes: Field<String>) -> Result<Self> {
        let mut v = Violations::new();
        let status = match status.flatten() {
            None => {
                v.add("status", Problem::Required);
                None
            }
            s => fields::int_in(&mut v, "status", Some(s), 0, STATUS_MAX),
        };
        let notes = fields::optional_text(&mut v, "audit_notes", notes, AUDIT_NOTES_MAX);
        v.into_result()?;
        Ok(Self {
            status: status.unwrap_or_default(),
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawFarm {
        RawFarm {
            user_id: Some(Some(1)),
            name: Some(Some("张三养猪场".into())),
            code: Some(Some("FARM001".into())),
            kind: Some(Some("pig".into())),
            ..RawFarm::default()
        }
    }

    #[test]
    fn a_minimal_farm_is_pending() {
        let mut v = Violations::new();
        let f = FarmInput::parse(&mut v, raw()).unwrap();
        assert!(v.is_empty());
        assert_eq!(f.status, STATUS_PENDING);
        assert_eq!(f.address, "");
    }

    #[test]
    fn every_bad_field_is_reported_once() {
        let mut r = raw();
        r.name = Some(None);
        r.code = Some(Some("编码".into()));
        r.latitude = Some(Some(91.0));
        r.status = Some(Some(9));
        let mut v = Violations::new();
        assert!(FarmInput::parse(&mut v, r).is_none());
        let Err(crate::error::Error::Invalid(f)) = v.into_result() else {
            panic!()
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["name", "code", "latitude", "status"]);
    }

    #[test]
    fn audits_need_a_status_in_range() {
        assert!(Audit::parse(None, None).is_err());
        assert!(Audit::parse(Some(Some(4)), None).is_err());
        assert_eq!(
            Audit::parse(Some(Some(1)), Some(Some(" 通过 ".into())))
                .unwrap()
                .notes
                .as_deref(),
            Some("通过")
        );
    }
}
