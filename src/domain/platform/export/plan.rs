//! An export request, checked: which rows, which columns, which format. The same check runs
//! when the request arrives and when a worker picks the stored task up (on any node, after
//! any restart), so what runs is exactly what was accepted.

use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::model::{self, Cell, Format, Resource};
use super::{animals, farms, financial_records, operation_logs, orders, users};
use crate::db::Db;
use crate::domain::files::hash::Hasher;
use crate::domain::identity::directory::UserFilter;
use crate::domain::livestock::animal_list::AnimalFilter;
use crate::domain::livestock::farm_list::FarmFilter;
use crate::domain::livestock::finance_list::RecordFilter;
use crate::domain::livestock::order_list::OrderFilter;
use crate::domain::platform::oplog::Filter as LogFilter;
use crate::error::{Error, Problem, Result, Violations};

/// Which rows of which resource.
#[derive(Debug, Clone)]
enum Source {
    Users(UserFilter),
    Farms(FarmFilter),
    Animals(AnimalFilter),
    Orders(OrderFilter),
    FinancialRecords(RecordFilter),
    OperationLogs(LogFilter),
}

/// A checked export.
#[derive(Debug, Clone)]
pub struct Plan {
    pub resource: Resource,
    pub format: Format,
    pub columns: Vec<&'static str>,
    source: Source,
    /// `{filters, fields}` as stored with the task (keys sorted, so equal requests are equal
    /// text).
    canonical: String,
}

impl Plan {
    /// Checks a request: `format` (`excel` | `csv`), `filters` (the list's query parameters),
    /// `fields` (the list's field names, default all). Every bad part is reported at once.
    pub fn check(
        resource: Resource,
        format: Option<&str>,
        filters: Option<Map<String, Value>>,
        fields: Option<Vec<String>>,
        tz: Tz,
    ) -> Result<Self> {
        let mut v = Violations::new();
        let format = match format.map(str::trim) {
            None | Some("") => {
                v.add("format", Problem::Required);
                None
            }
            Some(f) => {
                let parsed = Format::parse(f);
                if parsed.is_none() {
                    v.add(
                        "format",
                        Problem::NotOneOf {
                            allowed: &["excel", "csv"],
                            got: Some(f.to_owned()),
                        },
                    );
                }
                parsed
            }
        };
        let filters = filters.unwrap_or_default();
        let (known, source) = match resource {
            Resource::Users => (
                users::COLUMNS,
                v.check(users::filter(&filters, tz))?.map(Source::Users),
            ),
            Resource::Farms => (
                farms::COLUMNS,
                v.check(farms::filter(&filters, tz))?.map(Source::Farms),
            ),
            Resource::Animals => (
                animals::COLUMNS,
                v.check(animals::filter(&filters, tz))?.map(Source::Animals),
            ),
            Resource::Orders => (
                orders::COLUMNS,
                v.check(orders::filter(&filters, tz))?.map(Source::Orders),
            ),
            Resource::FinancialRecords => (
                financial_records::COLUMNS,
                v.check(financial_records::filter(&filters, tz))?
                    .map(Source::FinancialRecords),
            ),
            Resource::OperationLogs => (
                operation_logs::COLUMNS,
                v.check(operation_logs::filter(&filters, tz))?
                    .map(Source::OperationLogs),
            ),
        };
        let columns = v.check(model::columns(known, fields.as_deref()))?;
        v.into_result()?;
        let (Some(format), Some(source), Some(columns)) = (format, source, columns) else {
            return Err(Error::invalid("body", Problem::Required));
        };
        let canonical = json!({"filters": filters, "fields": columns}).to_string();
        Ok(Self {
            resource,
            format,
            columns,
            source,
            canonical,
        })
    }

    /// The plan of a stored task.
    pub fn stored(resource: &str, format: &str, request: &str, tz: Tz) -> Result<Self> {
        let resource =
            Resource::parse(resource).ok_or(Error::NotFound(crate::error::Entity::Other))?;
        let request: Value = serde_json::from_str(request).map_err(|e| {
            Error::Internal(anyhow::Error::new(e).context("a stored export request"))
        })?;
        let filters = request["filters"].as_object().cloned();
        let fields = request["fields"].as_array().map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        });
        Self::check(resource, Some(format), filters, fields, tz)
    }

    /// The stored request text.
    pub fn request_text(&self) -> &str {
        &self.canonical
    }

    /// Equal for equal requests of one resource and format; an identical live task of the
    /// same user is answered instead of queuing another.
    pub fn dedupe_key(&self) -> String {
        let mut h = Hasher::default();
        h.update(self.resource.as_str().as_bytes());
        h.update(b"\n");
        h.update(self.format.as_str().as_bytes());
        h.update(b"\n");
        h.update(self.canonical.as_bytes());
        h.finish().to_string()
    }

    /// The header row: the field names.
    pub fn header(&self) -> Vec<String> {
        self.columns.iter().map(|c| (*c).to_owned()).collect()
    }

    /// How many rows the export will have.
    pub async fn count(&self, db: &Db) -> Result<i64> {
        match &self.source {
            Source::Users(f) => users::count(db, f).await,
            Source::Farms(f) => farms::count(db, f).await,
            Source::Animals(f) => animals::count(db, f).await,
            Source::Orders(f) => orders::count(db, f).await,
            Source::FinancialRecords(f) => financial_records::count(db, f).await,
            Source::OperationLogs(f) => operation_logs::count(db, f).await,
        }
    }

    /// The next batch of rows after the keyset position `after`, and the new position.
    pub async fn batch(
        &self,
        db: &Db,
        after: i64,
        limit: i64,
        tz: Tz,
    ) -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
        let c = &self.columns;
        match &self.source {
            Source::Users(f) => users::batch(db, f, after, limit, c, tz).await,
            Source::Farms(f) => farms::batch(db, f, after, limit, c, tz).await,
            Source::Animals(f) => animals::batch(db, f, after, limit, c, tz).await,
            Source::Orders(f) => orders::batch(db, f, after, limit, c, tz).await,
            Source::FinancialRecords(f) => {
                financial_records::batch(db, f, after, limit, c, tz).await
            }
            Source::OperationLogs(f) => operation_logs::batch(db, f, after, limit, c, tz).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(format: Option<&str>, filters: &str, fields: Option<Vec<&str>>) -> Result<Plan> {
        Plan::check(
            Resource::Users,
            format,
            serde_json::from_str(filters).unwrap(),
            fields.map(|f| f.into_iter().map(str::to_owned).collect()),
            chrono_tz::UTC,
        )
    }

    #[test]
    fn a_request_survives_being_stored() {
        let p = plan(Some("csv"), r#"{"status": 1}"#, Some(vec!["email", "id"])).unwrap();
        let again = Plan::stored("users", "csv", p.request_text(), chrono_tz::UTC).unwrap();
        assert_eq!(again.columns, vec!["email", "id"]);
        assert_eq!(again.dedupe_key(), p.dedupe_key());
        let other = plan(Some("excel"), r#"{"status": 1}"#, Some(vec!["email", "id"])).unwrap();
        assert_ne!(other.dedupe_key(), p.dedupe_key());
    }

    #[test]
    fn format_fields_and_filters_are_all_reported() {
        let err = plan(Some("pdf"), r#"{"status": 9}"#, Some(vec!["nope"])).unwrap_err();
        let Error::Invalid(fields) = err else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["format", "filters.status", "fields"]);
        assert!(plan(None, "{}", None).is_err());
    }
}
