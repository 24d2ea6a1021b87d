//! An order as clients write it ([`RawOrder`] → [`OrderInput`]) and as it is stored
//! ([`Order`], [`CostRecord`], [`OrderSummary`]).

use chrono_tz::Tz;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::cost::{Costs, RawCost};
use super::photos::{self, PhotoHash};
use super::status::OrderStatus;
use crate::db::{Timestamp, time};
use crate::error::{Format, Problem, Result, Violations};

/// Longest text per field, in characters (the manual's column sizes where it gives them).
pub const TITLE_MAX: usize = 200;
pub const PART_NAME_MAX: usize = 200;
pub const LINK_MAX: usize = 1000;
pub const TRACKING_NUMBER_MAX: usize = 100;
pub const REMARK_MAX: usize = 10_000;
pub const STYLES_MAX: usize = 10_000;

/// An order as it arrived: every field of the manual's create body, unchecked. Absent text
/// fields are empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawOrder {
    pub title: String,
    pub part_name: String,
    pub remark: String,
    pub link: String,
    pub styles: String,
    pub tracking_number: String,
    pub photos: Vec<String>,
    /// `None`: `pending`.
    pub order_status: Option<String>,
    /// Any format of decisions §0; `None` or blank: the time of the write.
    pub update_time: Option<String>,
    pub costs: Vec<RawCost>,
}

/// A valid order, ready to store (create, or full replace).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInput {
    pub title: String,
    pub part_name: String,
    pub remark: String,
    pub link: String,
    pub styles: String,
    pub tracking_number: String,
    pub photos: Vec<PhotoHash>,
    pub status: OrderStatus,
    pub update_time: Option<Timestamp>,
    pub costs: Costs,
}

/// What `order_status` accepts (the wire names of [`OrderStatus`]).
const STATUS_CHOICES: &[&str] = &[
    "pending",
    "ordered",
    "shipped",
    "arrived",
    "received",
    "completed",
    "cancelled",
    "returned",
    "lost",
];

impl OrderInput {
    /// Validates every field; times without an offset are read in `tz`. Cost-line errors come
    /// first, then the status, then the other fields, so a dialect that reports one error
    /// reports the most specific one.
    pub fn parse(raw: RawOrder, tz: Tz) -> Result<Self> {
        let mut v = Violations::new();
        let costs = v.check(Costs::parse(raw.costs))?;
        let status = match raw.order_status.as_deref() {
            None => Some(OrderStatus::default()),
            Some(s) => {
                let st = OrderStatus::parse(s);
                if st.is_none() {
                    v.add(
                        "order_status",
                        Problem::NotOneOf {
                            allowed: STATUS_CHOICES,
                            got: Some(s.to_owned()),
                        },
                    );
                }
                st
            }
        };
        for (field, value, max) in [
            ("title", &raw.title, TITLE_MAX),
            ("part_name", &raw.part_name, PART_NAME_MAX),
            ("remark", &raw.remark, REMARK_MAX),
            ("link", &raw.link, LINK_MAX),
            ("styles", &raw.styles, STYLES_MAX),
            ("tracking_number", &raw.tracking_number, TRACKING_NUMBER_MAX),
        ] {
            if value.chars().count() > max {
                v.add(field, Problem::TooLong { max });
            }
        }
        let photos = v.check(photos::parse_list(&raw.photos))?;
        let update_time = match raw.update_time.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => {
                let t = time::parse(s, tz);
                if t.is_none() {
                    v.add("update_time", Problem::BadFormat(Format::DateTime));
                }
                t.map(Some)
            }
        };
        v.into_result()?;
        match (costs, status, photos, update_time) {
            (Some(costs), Some(status), Some(photos), Some(update_time)) => Ok(Self {
                title: raw.title,
                part_name: raw.part_name,
                remark: raw.remark,
                link: raw.link,
                styles: raw.styles,
                tracking_number: raw.tracking_number,
                photos,
                status,
                update_time,
                costs,
            }),
            // Unreachable: every `None` above recorded a violation.
            _ => Err(anyhow::anyhow!("order input failed without a violation").into()),
        }
    }

    /// The photo hashes as stored: a JSON array of strings.
    pub(crate) fn photos_json(&self) -> String {
        Value::from(
            self.photos
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect::<Vec<_>>(),
        )
        .to_string()
    }
}

/// A stored order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub part_name: String,
    pub remark: String,
    pub link: String,
    pub styles: String,
    pub tracking_number: String,
    pub photos: Vec<String>,
    pub status: OrderStatus,
    pub total_cost: i64,
    pub update_time: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) const ORDER_COLUMNS: &str = "id, user_id, title, part_name, remark, link, styles, \
    tracking_number, photos, order_status, total_cost, update_time, created_at, updated_at";

fn photos_from(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn status_from(raw: &str) -> OrderStatus {
    OrderStatus::parse(raw).unwrap_or_default()
}

impl Order {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            title: row.try_get("title")?,
            part_name: row.try_get("part_name")?,
            remark: row.try_get("remark")?,
            link: row.try_get("link")?,
            styles: row.try_get("styles")?,
            tracking_number: row.try_get("tracking_number")?,
            photos: photos_from(&row.try_get::<String, _>("photos")?),
            status: status_from(&row.try_get::<String, _>("order_status")?),
            total_cost: row.try_get("total_cost")?,
            update_time: row.try_get("update_time")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// The fields a list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSummary {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub part_name: String,
    pub tracking_number: String,
    pub photos: Vec<String>,
    pub status: OrderStatus,
    pub total_cost: i64,
    pub update_time: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// [`OrderSummary`]'s columns, qualified with the alias `o`.
pub(crate) const SUMMARY_COLUMNS: &str = "o.id, o.user_id, o.title, o.part_name, \
    o.tracking_number, o.photos, o.order_status, o.total_cost, o.update_time, o.created_at";

impl OrderSummary {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            title: row.try_get("title")?,
            part_name: row.try_get("part_name")?,
            tracking_number: row.try_get("tracking_number")?,
            photos: photos_from(&row.try_get::<String, _>("photos")?),
            status: status_from(&row.try_get::<String, _>("order_status")?),
            total_cost: row.try_get("total_cost")?,
            update_time: row.try_get("update_time")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A stored cost line.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRecord {
    pub id: i64,
    pub order_id: i64,
    pub user_id: i64,
    pub price: i64,
    pub quantity: i64,
    /// The client's line total exactly as sent (`null` when none was).
    pub costt: Value,
    /// The currency code (`CNY`, …).
    pub currency: String,
    pub kind: String,
    pub created_at: Timestamp,
}

/// The columns of `purchase_costs c`, renamed apart from the order's columns, for the
/// detail's one query (an order joined with its cost lines).
pub(crate) const JOINED_COST_COLUMNS: &str = "c.id AS cost_id, c.order_id AS cost_order_id, \
    c.user_id AS cost_user_id, c.price AS cost_price, c.quantity AS cost_quantity, \
    c.costt AS cost_costt, c.currencytype AS cost_currencytype, c.type AS cost_type, \
    c.created_at AS cost_created_at";

impl CostRecord {
    /// A cost line of a row selected with [`JOINED_COST_COLUMNS`]; `None` for the one row of
    /// an order without cost lines (the outer join's nulls).
    pub(crate) fn from_joined_row(row: &AnyRow) -> sqlx::Result<Option<Self>> {
        match row.try_get::<Option<i64>, _>("cost_id")? {
            None => Ok(None),
            Some(id) => {
                let costt: Option<String> = row.try_get("cost_costt")?;
                Ok(Some(Self {
                    id,
                    order_id: row.try_get("cost_order_id")?,
                    user_id: row.try_get("cost_user_id")?,
                    price: row.try_get("cost_price")?,
                    quantity: row.try_get("cost_quantity")?,
                    costt: costt
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or(Value::Null),
                    currency: row.try_get("cost_currencytype")?,
                    kind: row.try_get("cost_type")?,
                    created_at: row.try_get("cost_created_at")?,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::purchase::currency::RawCurrency;
    use serde_json::json;

    fn raw() -> RawOrder {
        RawOrder {
            title: "服务器硬件采购".into(),
            costs: vec![RawCost {
                cost: 1200,
                int: 2,
                costt: Some(json!(1200)),
                currency: Some(RawCurrency::Code("CNY".into())),
                kind: Some("服务器".into()),
            }],
            ..RawOrder::default()
        }
    }

    fn first_field(r: RawOrder) -> String {
        OrderInput::parse(r, chrono_tz::UTC)
            .unwrap_err()
            .first_field()
            .unwrap()
            .field
            .clone()
    }

    #[test]
    fn a_minimal_order_is_pending_with_its_total() {
        let o = OrderInput::parse(raw(), chrono_tz::UTC).unwrap();
        assert_eq!(o.status, OrderStatus::Pending);
        assert_eq!(o.costs.total(), 2400);
        assert_eq!(o.update_time, None);
        assert_eq!(o.photos_json(), "[]");
    }

    #[test]
    fn update_time_takes_the_documented_formats_in_the_server_zone() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let mut r = raw();
        r.update_time = Some("2026-03-31T18:00:00".into());
        let o = OrderInput::parse(r.clone(), shanghai).unwrap();
        assert_eq!(
            time::rfc3339(o.update_time.unwrap()),
            "2026-03-31T10:00:00Z"
        );
        r.update_time = Some("31.03.2026".into());
        assert_eq!(first_field(r), "update_time");
    }

    #[test]
    fn cost_errors_come_before_status_errors_before_the_rest() {
        let mut r = raw();
        r.title = "x".repeat(TITLE_MAX + 1);
        assert_eq!(first_field(r.clone()), "title");
        r.order_status = Some("done".into());
        assert_eq!(first_field(r.clone()), "order_status");
        r.costs.clear();
        assert_eq!(first_field(r), "costs");
    }

    #[test]
    fn photos_must_be_hashes() {
        let mut r = raw();
        r.photos = vec!["image_hash_1".into()];
        assert_eq!(first_field(r), "photos");
    }
}
