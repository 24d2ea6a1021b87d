//! A trade order as sent (create, update) and the rules it must meet before it is stored.
//!
//! Shapes follow the detail response (decisions §3): `buyer_id`, `seller_id`, `farm_id`,
//! `items[]` with the item fields, `shipping_address{…}`, amounts as numbers or decimal
//! strings. `total_amount` is Σ unit_price × quantity and `actual_amount` total − discount +
//! shipping; both are computed, never taken from the client. Whether the referenced people,
//! farm and animals exist is checked by the store inside the write.

use serde::Deserialize;

use super::money::{Money, MoneyProblem, RawMoney};
use super::order_state::PaymentStatus;
use crate::error::{Problem, Rule, Violations};

pub const ORDER_TYPES: &[&str] = &["animal", "feed", "medicine", "equipment", "other"];
pub const ITEM_TYPES: &[&str] = ORDER_TYPES;
pub const PAYMENT_METHODS: &[&str] = &["alipay", "wechat", "bank_transfer", "cash", "other"];
/// Most lines one order may carry.
pub const MAX_ITEMS: usize = 200;
pub const MAX_QUANTITY: i64 = 1_000_000;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawAddress {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawItem {
    pub item_type: Option<String>,
    pub item_id: Option<i64>,
    pub item_name: Option<String>,
    pub item_code: Option<String>,
    pub item_spec: Option<String>,
    pub unit_price: Option<RawMoney>,
    pub quantity: Option<i64>,
    pub unit: Option<String>,
    pub notes: Option<String>,
}

/// The body of `POST /orders` and `PUT /orders/{id}`. In an update an absent (or `null`)
/// field keeps the stored value, `items` (when sent) replaces every line, and the payment
/// fields are ignored (payment changes only through `/pay` and `/refund`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawOrder {
    pub order_type: Option<String>,
    pub buyer_id: Option<i64>,
    pub seller_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub items: Option<Vec<RawItem>>,
    pub discount_amount: Option<RawMoney>,
    pub shipping_fee: Option<RawMoney>,
    pub payment_status: Option<String>,
    pub payment_method: Option<String>,
    pub shipping_address: Option<RawAddress>,
    pub shipping_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
}

/// Where the goods go. `full_address` is province + city + district + address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingAddress {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
}

impl ShippingAddress {
    pub fn full_address(&self) -> String {
        [&self.province, &self.city, &self.district, &self.address]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        *self == ShippingAddress::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    pub item_type: String,
    pub item_id: Option<i64>,
    /// `None` for an animal line sent without a name: the store fills in the animal's.
    pub item_name: Option<String>,
    pub item_code: Option<String>,
    pub item_spec: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    pub unit: Option<String>,
    pub notes: Option<String>,
    /// unit_price × quantity, at most [`super::money::MAX_FEN`].
    pub subtotal: Money,
}

/// A checked order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInput {
    pub order_type: String,
    pub buyer_id: i64,
    pub seller_id: i64,
    pub farm_id: Option<i64>,
    pub items: Vec<ItemInput>,
    pub total_amount: Money,
    pub discount_amount: Money,
    pub shipping_fee: Money,
    pub actual_amount: Money,
    /// `paid` records an offline payment made before the order was entered.
    pub payment_status: PaymentStatus,
    pub payment_method: Option<String>,
    pub shipping: ShippingAddress,
    pub shipping_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
}

/// Trimmed text; blank is none; longer than `max` characters or holding U+0000 is a violation.
pub fn text(v: &mut Violations, field: &str, value: Option<String>, max: usize) -> Option<String> {
    let s = value?.trim().to_owned();
    if s.is_empty() {
        return None;
    }
    if s.contains('\0') {
        v.add(field, Problem::ForbiddenCharacter);
        return None;
    }
    if s.chars().count() > max {
        v.add(field, Problem::TooLong { max });
        return None;
    }
    Some(s)
}

pub fn required_text(
    v: &mut Violations,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    match value.as_deref().map(str::trim) {
        None => {
            v.add(field, Problem::Required);
            return None;
        }
        Some("") => {
            v.add(field, Problem::Blank);
            return None;
        }
        Some(_) => {}
    }
    text(v, field, value, max)
}

/// One of `allowed`, when present.
pub fn choice(
    v: &mut Violations,
    field: &str,
    value: Option<String>,
    allowed: &'static [&'static str],
) -> Option<String> {
    let s = value?;
    if allowed.contains(&s.as_str()) {
        Some(s)
    } else {
        v.add(
            field,
            Problem::NotOneOf {
                allowed,
                got: Some(s),
            },
        );
        None
    }
}

/// A required value that must be one of `allowed`.
pub fn required_choice(
    v: &mut Violations,
    field: &str,
    value: Option<String>,
    allowed: &'static [&'static str],
) -> Option<String> {
    if value.is_none() {
        v.add(field, Problem::Required);
        return None;
    }
    choice(v, field, value, allowed)
}

/// An amount, when present.
pub fn money(v: &mut Violations, field: &str, value: Option<&RawMoney>) -> Option<Money> {
    match Money::parse(value?) {
        Ok(m) => Some(m),
        Err(p) => {
            v.add(field, p.problem());
            None
        }
    }
}

/// A positive id, when present.
pub fn id(v: &mut Violations, field: &str, value: Option<i64>) -> Option<i64> {
    let n = value?;
    if n > 0 {
        Some(n)
    } else {
        v.add(field, Problem::AtLeast { min: 1 });
        None
    }
}

fn address(v: &mut Violations, raw: Option<RawAddress>) -> ShippingAddress {
    let raw = raw.unwrap_or_default();
    let f = |v: &mut Violations, name: &str, value, max| {
        text(v, &format!("shipping_address.{name}"), value, max)
    };
    ShippingAddress {
        name: f(v, "name", raw.name, 50),
        phone: f(v, "phone", raw.phone, 20),
        province: f(v, "province", raw.province, 50),
        city: f(v, "city", raw.city, 50),
        district: f(v, "district", raw.district, 50),
        address: f(v, "address", raw.address, 200),
    }
}

fn item(v: &mut Violations, i: usize, raw: RawItem) -> Option<ItemInput> {
    let field = |name: &str| format!("items[{i}].{name}");
    let item_type = required_choice(v, &field("item_type"), raw.item_type, ITEM_TYPES);
    let item_id = id(v, &field("item_id"), raw.item_id);
    if item_type.as_deref() == Some("animal") && raw.item_id.is_none() {
        v.add(field("item_id"), Problem::Required);
    }
    let item_name = if item_type.as_deref() == Some("animal") {
        text(v, &field("item_name"), raw.item_name, 100)
    } else {
        required_text(v, &field("item_name"), raw.item_name, 100)
    };
    let item_code = text(v, &field("item_code"), raw.item_code, 50);
    let item_spec = text(v, &field("item_spec"), raw.item_spec, 100);
    let unit_price = match raw.unit_price.as_ref() {
        None => {
            v.add(field("unit_price"), Problem::Required);
            None
        }
        some => money(v, &field("unit_price"), some),
    };
    let quantity = match raw.quantity {
        Some(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
        Some(_) => {
            v.add(
                field("quantity"),
                Problem::OutOfRange {
                    min: 1,
                    max: MAX_QUANTITY,
                },
            );
            None
        }
        None => {
            v.add(field("quantity"), Problem::Required);
            None
        }
    };
    let unit = text(v, &field("unit"), raw.unit, 20);
    let notes = text(v, &field("notes"), raw.notes, 500);
    let (unit_price, quantity) = (unit_price?, quantity?);
    let Some(subtotal) = unit_price
        .checked_mul(quantity)
        .filter(|m| m.fen() <= super::money::MAX_FEN)
    else {
        v.add(field("quantity"), MoneyProblem::TooLarge.problem());
        return None;
    };
    Some(ItemInput {
        item_type: item_type?,
        item_id,
        item_name,
        item_code,
        item_spec,
        unit_price,
        quantity,
        unit,
        notes,
        subtotal,
    })
}

impl RawOrder {
    /// Checks every field, recording each bad one once. `creating` accepts the payment fields
    /// (an order created already paid).
    pub fn check(self, v: &mut Violations, creating: bool) -> Option<OrderInput> {
        let order_type = required_choice(v, "order_type", self.order_type, ORDER_TYPES);
        let buyer_id = id(v, "buyer_id", self.buyer_id);
        if self.buyer_id.is_none() {
            v.add("buyer_id", Problem::Required);
        }
        let seller_id = id(v, "seller_id", self.seller_id);
        if self.seller_id.is_none() {
            v.add("seller_id", Problem::Required);
        }
        if buyer_id.is_some() && buyer_id == seller_id {
            v.add("seller_id", Problem::Rule(Rule::SameBuyerAndSeller));
        }
        let farm_id = id(v, "farm_id", self.farm_id);
        let raw_items = self.items.unwrap_or_default();
        if raw_items.is_empty() {
            v.add("items", Problem::Blank);
        } else if raw_items.len() > MAX_ITEMS {
            v.add("items", Problem::TooMany { max: MAX_ITEMS });
        }
        let items: Vec<Option<ItemInput>> = raw_items
            .into_iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(i, raw)| item(v, i, raw))
            .collect();
        let discount = money(v, "discount_amount", self.discount_amount.as_ref());
        let shipping_fee = money(v, "shipping_fee", self.shipping_fee.as_ref());
        let (payment_status, payment_method) = if creating {
            let status = match self.payment_status.as_deref() {
                None | Some("unpaid") => Some(PaymentStatus::Unpaid),
                Some("paid") => Some(PaymentStatus::Paid),
                Some(other) => {
                    v.add(
                        "payment_status",
                        Problem::NotOneOf {
                            allowed: &["unpaid", "paid"],
                            got: Some(other.to_owned()),
                        },
                    );
                    None
                }
            };
            let method = choice(v, "payment_method", self.payment_method, PAYMENT_METHODS);
            if status == Some(PaymentStatus::Paid) && method.is_none() {
                v.add("payment_method", Problem::Required);
            }
            (status, method)
        } else {
            (Some(PaymentStatus::Unpaid), None)
        };
        let shipping = address(v, self.shipping_address);
        let shipping_method = text(v, "shipping_method", self.shipping_method, 50);
        let tracking_number = text(v, "tracking_number", self.tracking_number, 100);
        let notes = text(v, "notes", self.notes, 500);

        let items: Vec<ItemInput> = items.into_iter().collect::<Option<_>>()?;
        let total = items
            .iter()
            .try_fold(Money::ZERO, |sum, i| sum.checked_add(i.subtotal));
        let Some(total) = total.filter(|t| t.fen() <= super::money::MAX_FEN) else {
            v.add("items", MoneyProblem::TooLarge.problem());
            return None;
        };
        let discount = discount.unwrap_or(Money::ZERO);
        let shipping_fee = shipping_fee.unwrap_or(Money::ZERO);
        let actual = (total + shipping_fee).checked_sub(discount)?;
        if actual.is_negative() {
            v.add(
                "discount_amount",
                Problem::Rule(Rule::DiscountExceedsAmount),
            );
            return None;
        }
        Some(OrderInput {
            order_type: order_type?,
            buyer_id: buyer_id?,
            seller_id: seller_id?,
            farm_id,
            items,
            total_amount: total,
            discount_amount: discount,
            shipping_fee,
            actual_amount: actual,
            payment_status: payment_status?,
            payment_method,
            shipping,
            shipping_method,
            tracking_number,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn raw(json: serde_json::Value) -> RawOrder {
        serde_json::from_value(json).unwrap()
    }

    fn fields(r: RawOrder, creating: bool) -> Vec<String> {
        let mut v = Violations::new();
        let out = r.check(&mut v, creating);
        match v.into_result() {
            Ok(()) => {
                assert!(out.is_some());
                Vec::new()
            }
            Err(Error::Invalid(f)) => f.into_iter().map(|f| f.field).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn amounts_are_computed_exactly() {
        let r = raw(serde_json::json!({
            "order_type": "animal", "buyer_id": 2, "seller_id": 1,
            "items": [{"item_type": "animal", "item_id": 1, "unit_price": 1200.10, "quantity": 2},
                      {"item_type": "feed", "item_name": "饲料", "unit_price": "0.05", "quantity": 3}],
            "discount_amount": 0.2, "shipping_fee": "100"
        }));
        let mut v = Violations::new();
        let o = r.check(&mut v, true).unwrap();
        assert!(v.is_empty());
        assert_eq!(o.total_amount, Money::from_fen(240_035));
        assert_eq!(o.actual_amount, Money::from_fen(240_035 - 20 + 10_000));
        assert_eq!(o.payment_status, PaymentStatus::Unpaid);
    }

    #[test]
    fn every_bad_field_is_named_once() {
        let r = raw(serde_json::json!({
            "order_type": "car", "buyer_id": 0,
            "items": [{"item_type": "animal", "unit_price": -1, "quantity": 0},
                      {"item_type": "feed", "unit_price": 1.005, "quantity": 1}],
            "discount_amount": "x", "payment_status": "paid"
        }));
        assert_eq!(
            fields(r, true),
            [
                "order_type",
                "buyer_id",
                "seller_id",
                "items[0].item_id",
                "items[0].unit_price",
                "items[0].quantity",
                "items[1].item_name",
                "items[1].unit_price",
                "discount_amount",
                "payment_method",
            ]
        );
    }

    #[test]
    fn discount_cannot_exceed_the_order() {
        let r = raw(serde_json::json!({
            "order_type": "feed", "buyer_id": 2, "seller_id": 1,
            "items": [{"item_type": "feed", "item_name": "玉米", "unit_price": 10, "quantity": 1}],
            "discount_amount": 10.01
        }));
        assert_eq!(fields(r, true), ["discount_amount"]);
        assert_eq!(
            fields(raw(serde_json::json!({"order_type": "feed"})), true),
            ["buyer_id", "seller_id", "items"]
        );
    }

    #[test]
    fn full_address_joins_the_parts() {
        let a = ShippingAddress {
            province: Some("上海市".into()),
            city: Some("上海市".into()),
            district: Some("浦东新区".into()),
            address: Some("张江镇某某路123号".into()),
            ..ShippingAddress::default()
        };
        assert_eq!(a.full_address(), "上海市上海市浦东新区张江镇某某路123号");
        assert!(ShippingAddress::default().is_empty());
    }
}
