//! `/purchase/*` — OPS manual "采购管理", decisions §2: the compatibility routes
//! (`POST /purchase/getorders`, `POST /purchase/addorder`) and the REST routes.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use super::extract::{Auth, Json, OptionalJson, Query};
use super::reply::Reply;
use crate::db::time::rfc3339;
use crate::domain::paging::Page;
use crate::domain::purchase::{
    self, Caller, CostRecord, ListQuery, Order, OrderInput, OrderSummary, RawCost, RawCurrency,
    RawOrder, SearchTerm, list, store,
};
use crate::error::{Entity, Error, Problem, Violations};
use crate::state::AppState;

// ---- wire types ------------------------------------------------------------------------------

/// List parameters, from a JSON body (`getorders`) or the query string (`GET /orders`).
/// Numbers may be JSON numbers or numeric strings in both forms; anything else is `-2`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = OrderListIn)]
pub struct ListIn {
    #[serde(default, deserialize_with = "text")]
    search: Option<String>,
    #[serde(default, deserialize_with = "int")]
    page: Option<i64>,
    #[serde(default, deserialize_with = "int")]
    entries: Option<i64>,
    /// Admins only; ignored for other callers.
    #[serde(default, deserialize_with = "int")]
    user_id: Option<i64>,
}

impl ListIn {
    fn into_query(self) -> Result<ListQuery, Error> {
        let mut v = Violations::new();
        let search = v
            .check(SearchTerm::parse(
                "search",
                self.search.as_deref().unwrap_or(""),
            ))?
            .flatten();
        let page = page(&mut v, self.page, self.entries);
        v.into_result()?;
        Ok(ListQuery {
            search,
            user_id: self.user_id,
            page,
        })
    }
}

/// `entries` per page: default and largest.
const ENTRIES_DEFAULT: i64 = 20;
const ENTRIES_MAX: i64 = 300;
/// Keeps `(page - 1) × entries` far inside an `i64`.
const PAGE_MAX: i64 = 1_000_000_000;

/// Checks `page` (1..=10⁹, default 1) and `entries` (1..=300, default 20).
fn page(v: &mut Violations, page: Option<i64>, entries: Option<i64>) -> Page {
    let number = page.unwrap_or(1);
    let size = entries.unwrap_or(ENTRIES_DEFAULT);
    if !(1..=PAGE_MAX).contains(&number) {
        v.add(
            "page",
            Problem::OutOfRange {
                min: 1,
                max: PAGE_MAX,
            },
        );
    }
    if !(1..=ENTRIES_MAX).contains(&size) {
        v.add(
            "entries",
            Problem::OutOfRange {
                min: 1,
                max: ENTRIES_MAX,
            },
        );
    }
    Page::new(number, size)
}

/// The manual's create body; the same body fully replaces an order (`PUT`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderIn {
    costs: Vec<CostIn>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    part_name: Option<String>,
    #[serde(default)]
    remark: Option<String>,
    #[serde(default)]
    link: Option<String>,
    /// Documented as a string holding JSON; other JSON values are kept as their JSON text.
    #[serde(default)]
    styles: Option<Value>,
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    photos: Option<Vec<String>>,
    #[serde(default)]
    order_status: Option<String>,
    #[serde(default)]
    update_time: Option<String>,
}

/// A cost line as sent; `price`/`quantity` (the detail's names) are accepted for `cost`/`int`
/// so a client can send back what it read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CostIn {
    #[serde(alias = "price")]
    cost: i64,
    #[serde(alias = "quantity")]
    int: i64,
    #[serde(default)]
    costt: Option<Value>,
    #[serde(default)]
    currencytype: Option<CurrencyIn>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CurrencyIn {
    Code(String),
    Number(i64),
}

impl From<OrderIn> for RawOrder {
    fn from(o: OrderIn) -> Self {
        RawOrder {
            title: o.title.unwrap_or_default(),
            part_name: o.part_name.unwrap_or_default(),
            remark: o.remark.unwrap_or_default(),
            link: o.link.unwrap_or_default(),
            styles: match o.styles {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
            },
            tracking_number: o.tracking_number.unwrap_or_default(),
            photos: o.photos.unwrap_or_default(),
            order_status: o.order_status,
            update_time: o.update_time,
            costs: o
                .costs
                .into_iter()
                .map(|c| RawCost {
                    cost: c.cost,
                    int: c.int,
                    costt: c.costt,
                    currency: c.currencytype.map(|cur| match cur {
                        CurrencyIn::Code(s) => RawCurrency::Code(s),
                        CurrencyIn::Number(n) => RawCurrency::Number(n),
                    }),
                    kind: c.kind,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = OrderListOut)]
pub struct ListOut {
    all_count: i64,
    all_orders: Vec<SummaryOut>,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryOut {
    id: i64,
    user_id: i64,
    title: String,
    part_name: String,
    order_status: &'static str,
    tracking_number: String,
    photos: Vec<String>,
    total_cost: i64,
    created_at: String,
    update_time: Option<String>,
}

impl From<OrderSummary> for SummaryOut {
    fn from(o: OrderSummary) -> Self {
        Self {
            id: o.id,
            user_id: o.user_id,
            title: o.title,
            part_name: o.part_name,
            order_status: o.status.as_str(),
            tracking_number: o.tracking_number,
            photos: o.photos,
            total_cost: o.total_cost,
            created_at: rfc3339(o.created_at),
            update_time: o.update_time.map(rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    order_id: i64,
    total_cost: i64,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DetailOut {
    order: OrderOut,
    costs: Vec<CostOut>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderOut {
    id: i64,
    user_id: i64,
    title: String,
    remark: String,
    photos: Vec<String>,
    link: String,
    part_name: String,
    styles: String,
    update_time: Option<String>,
    tracking_number: String,
    order_status: &'static str,
    total_cost: i64,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CostOut {
    id: i64,
    order_id: i64,
    user_id: i64,
    price: i64,
    quantity: i64,
    costt: Value,
    currencytype: String,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
}

impl From<(Order, Vec<CostRecord>)> for DetailOut {
    fn from((o, costs): (Order, Vec<CostRecord>)) -> Self {
        Self {
            order: OrderOut {
                id: o.id,
                user_id: o.user_id,
                title: o.title,
                remark: o.remark,
                photos: o.photos,
                link: o.link,
                part_name: o.part_name,
                styles: o.styles,
                update_time: o.update_time.map(rfc3339),
                tracking_number: o.tracking_number,
                order_status: o.status.as_str(),
                total_cost: o.total_cost,
                created_at: rfc3339(o.created_at),
            },
            costs: costs
                .into_iter()
                .map(|c| CostOut {
                    id: c.id,
                    order_id: c.order_id,
                    user_id: c.user_id,
                    price: c.price,
                    quantity: c.quantity,
                    costt: c.costt,
                    currencytype: c.currency,
                    kind: c.kind,
                    created_at: rfc3339(c.created_at),
                })
                .collect(),
        }
    }
}

/// The `{id}` of `/purchase/orders/{id}`: a canonical positive integer, otherwise the order
/// is not found (`-200`, decisions §8).
pub struct OrderId(i64);

impl<S: Send + Sync> FromRequestParts<S> for OrderId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::invalid("id", Problem::AtLeast { min: 1 }))?;
        crate::http::path::canonical_id(parts.uri.path(), &raw.0)
            .map(OrderId)
            .ok_or_else(|| Error::NotFound(Entity::Order).into())
    }
}

// ---- handlers --------------------------------------------------------------------------------

/// `POST /purchase/getorders` — the list, parameters in a JSON body (may be empty).
pub async fn get_orders(
    State(state): State<AppState>,
    Auth(me): Auth,
    OptionalJson(body): OptionalJson<ListIn>,
) -> ApiResult<impl IntoResponse> {
    list_orders(&state, Caller::from(&me), body).await
}

/// `GET /purchase/orders` — the same list, parameters in the query string.
pub async fn orders(
    State(state): State<AppState>,
    Auth(me): Auth,
    Query(query): Query<ListIn>,
) -> ApiResult<impl IntoResponse> {
    list_orders(&state, Caller::from(&me), query).await
}

async fn list_orders(state: &AppState, caller: Caller, input: ListIn) -> ApiResult<Reply<ListOut>> {
    let page = list::list(&state.db, caller, &input.into_query()?).await?;
    Ok(Reply(
        "Success",
        ListOut {
            all_count: page.total,
            all_orders: page.orders.into_iter().map(SummaryOut::from).collect(),
        },
    ))
}

/// `POST /purchase/addorder` and `POST /purchase/orders` — an internal failure answers
/// `-201` (订单创建失败) and stores nothing.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    Json(body): Json<OrderIn>,
) -> Response {
    let result: ApiResult<_> = async {
        let input = OrderInput::parse(RawOrder::from(body), state.tz)?;
        let created = store::create(&state.db, Caller::from(&me), input).await?;
        Ok(Reply(
            "订单创建成功",
            CreatedOut {
                order_id: created.id,
                total_cost: created.total_cost,
                created_at: rfc3339(created.created_at),
            },
        ))
    }
    .await;
    match result {
        Ok(reply) => reply.into_response(),
        Err(err) => err.internal_as("-201", "订单创建失败"),
    }
}

/// `GET /purchase/orders/{id}` — the order and its cost lines.
pub async fn detail(
    State(state): State<AppState>,
    Auth(me): Auth,
    OrderId(id): OrderId,
) -> ApiResult<impl IntoResponse> {
    let found = store::get(&state.db, Caller::from(&me), id).await?;
    Ok(Reply("Success", DetailOut::from(found)))
}

/// `PUT /purchase/orders/{id}` — full replace, cost lines included; answers the new detail.
pub async fn replace(
    State(state): State<AppState>,
    Auth(me): Auth,
    OrderId(id): OrderId,
    Json(body): Json<OrderIn>,
) -> ApiResult<impl IntoResponse> {
    let input = OrderInput::parse(RawOrder::from(body), state.tz)?;
    let updated = purchase::store::replace(&state.db, Caller::from(&me), id, input).await?;
    Ok(Reply("订单更新成功", DetailOut::from(updated)))
}

/// `DELETE /purchase/orders/{id}` — the order and its cost lines.
pub async fn delete(
    State(state): State<AppState>,
    Auth(me): Auth,
    OrderId(id): OrderId,
) -> ApiResult<impl IntoResponse> {
    store::delete(&state.db, Caller::from(&me), id).await?;
    Ok(Reply("订单删除成功", Value::Null))
}

// ---- lenient scalars -------------------------------------------------------------------------

/// An integer from a JSON number or a numeric string (query strings are all strings);
/// `null` and `""` mean absent.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom("integer out of range"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// A string, or a number taken as its text (`"search": 2026`); `null` means absent.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::body;

    #[test]
    fn list_numbers_may_be_numbers_or_numeric_strings() {
        let q: ListIn = body::json(br#"{"page": 2, "entries": "30", "search": 5}"#).unwrap();
        assert_eq!((q.page, q.entries), (Some(2), Some(30)));
        assert_eq!(q.search.as_deref(), Some("5"));
        let q: ListIn = body::query(Some("page=3&entries=&search=%E6%9C%8D")).unwrap();
        assert_eq!((q.page, q.entries), (Some(3), None));
        assert_eq!(q.search.as_deref(), Some("服"));
        for bad in [
            &br#"{"page": "abc"}"#[..],
            br#"{"page": 1.5}"#,
            br#"{"entries": [1]}"#,
        ] {
            assert!(body::json::<ListIn>(bad).is_err());
        }
        let e = body::query::<ListIn>(Some("entries=ten")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("entries"));
    }

    #[test]
    fn bad_cost_shapes_name_a_costs_field() {
        for bad in [
            &br#"{"title": "x"}"#[..],
            br#"{"costs": [{"cost": 1.5, "int": 1}]}"#,
            br#"{"costs": [{"cost": 1, "int": 0.5}]}"#,
            br#"{"costs": [{"cost": 1, "int": 1, "currencytype": true}]}"#,
        ] {
            let e = body::json::<OrderIn>(bad).unwrap_err();
            assert!(e.field.as_deref().unwrap().starts_with("costs"), "{e:?}");
        }
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    fn checked(p: Option<i64>, e: Option<i64>) -> Result<Page, Error> {
        let mut v = Violations::new();
        let page = page(&mut v, p, e);
        v.into_result().map(|()| page)
    }

    #[test]
    fn paging_defaults_and_ranges() {
        let d = checked(None, None).unwrap();
        assert_eq!((d.number, d.size, d.offset()), (1, 20, 0));
        assert_eq!(checked(Some(250), Some(20)).unwrap().offset(), 4980);
        assert!(checked(Some(1), Some(300)).is_ok());
        for (p, e, field) in [
            (Some(0), None, "page"),
            (Some(-1), None, "page"),
            (None, Some(0), "entries"),
            (None, Some(301), "entries"),
        ] {
            let err = checked(p, e).unwrap_err();
            assert_eq!(err.first_field().unwrap().field, field);
        }
    }

    #[test]
    fn the_largest_offset_fits() {
        assert!(checked(Some(PAGE_MAX), Some(300)).unwrap().offset() > 0);
    }
}
