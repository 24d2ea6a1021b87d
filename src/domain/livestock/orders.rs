//! Writing and reading single trade orders. An order, its lines, its number and (when it is
//! created paid) its income record are written in one transaction whose first statement
//! takes the day's order-number counter, so the write holds its lock before it reads.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::finance::{self, RecordInput};
use super::money::{Money, RawMoney};
use super::order::{ItemInput, OrderInput, RawAddress, RawItem, RawOrder, ShippingAddress};
use super::order_state::{self, OrderStatus, PaymentStatus};
use super::refs::{self, FarmRef, UserRef};
use super::words::TradeWords;
use super::{finance_store, order_no, sellable};
use crate::db::{Db, Timestamp};
use crate::error::{Entity, Error, OrderRefusal, Problem, Result, Rule, Violations};

/// Columns of [`OrderRow::from_row`], in order.
pub const ORDER_COLUMNS: &str = "id, order_no, order_type, buyer_id, seller_id, farm_id, \
     total_amount, discount_amount, shipping_fee, actual_amount, payment_method, \
     payment_status, order_status, ship_name, ship_phone, ship_province, ship_city, \
     ship_district, ship_address, shipping_method, tracking_number, notes, audit_notes, \
     audited_at, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, cancel_reason, \
     refund_amount, refund_reason, refunded_at, created_at, updated_at";

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub order_type: String,
    pub buyer_id: Option<i64>,
    pub seller_id: Option<i64>,
    pub farm_id: Option<i64>,
    pub total_amount: Money,
    pub discount_amount: Money,
    pub shipping_fee: Money,
    pub actual_amount: Money,
    pub payment_method: Option<String>,
    pub payment_status: PaymentStatus,
    pub order_status: OrderStatus,
    pub shipping: ShippingAddress,
    pub shipping_method: Option<String>,
    pub tracking_number: Option<String>,
    pub notes: Option<String>,
    pub audit_notes: Option<String>,
    pub audited_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub shipped_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    pub refund_amount: Option<Money>,
    pub refund_reason: Option<String>,
    pub refunded_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn bad_state(column: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "unknown status".into(),
    }
}

impl OrderRow {
    pub fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let payment: String = row.try_get(11)?;
        let status: String = row.try_get(12)?;
        Ok(Self {
            id: row.try_get(0)?,
            order_no: row.try_get(1)?,
            order_type: row.try_get(2)?,
            buyer_id: row.try_get(3)?,
            seller_id: row.try_get(4)?,
            farm_id: row.try_get(5)?,
            total_amount: Money::from_fen(row.try_get(6)?),
            discount_amount: Money::from_fen(row.try_get(7)?),
            shipping_fee: Money::from_fen(row.try_get(8)?),
            actual_amount: Money::from_fen(row.try_get(9)?),
            payment_method: row.try_get(10)?,
            payment_status: PaymentStatus::parse(&payment)
                .ok_or_else(|| bad_state("payment_status"))?,
            order_status: OrderStatus::parse(&status).ok_or_else(|| bad_state("order_status"))?,
            shipping: ShippingAddress {
                name: row.try_get(13)?,
                phone: row.try_get(14)?,
                province: row.try_get(15)?,
                city: row.try_get(16)?,
                district: row.try_get(17)?,
                address: row.try_get(18)?,
            },
            shipping_method: row.try_get(19)?,
            tracking_number: row.try_get(20)?,
            notes: row.try_get(21)?,
            audit_notes: row.try_get(22)?,
            audited_at: row.try_get(23)?,
            paid_at: row.try_get(24)?,
            shipped_at: row.try_get(25)?,
            delivered_at: row.try_get(26)?,
            completed_at: row.try_get(27)?,
            cancelled_at: row.try_get(28)?,
            cancel_reason: row.try_get(29)?,
            refund_amount: row.try_get::<Option<i64>, _>(30)?.map(Money::from_fen),
            refund_reason: row.try_get(31)?,
            refunded_at: row.try_get(32)?,
            created_at: row.try_get(33)?,
            updated_at: row.try_get(34)?,
        })
    }
}

/// A stored order line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: i64,
    pub item_type: String,
    pub item_id: Option<i64>,
    pub item_name: String,
    pub item_code: Option<String>,
    pub item_spec: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    pub unit: Option<String>,
    pub subtotal: Money,
    pub notes: Option<String>,
}

/// An order with everything its detail shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub order: OrderRow,
    pub buyer: Option<UserRef>,
    pub seller: Option<UserRef>,
    pub farm: Option<FarmRef>,
    pub items: Vec<ItemRow>,
}

/// What every trade write reads once: today in server.timezone, the current instant, and
/// the words of the dialect that writes (for the records and notices the write makes).
#[derive(Clone, Copy)]
pub struct Context {
    pub today: NaiveDate,
    pub now: Timestamp,
    pub words: &'static dyn TradeWords,
}

fn checked(raw: RawOrder, creating: bool) -> Result<OrderInput> {
    let mut v = Violations::new();
    let input = raw.check(&mut v, creating);
    v.into_result()?;
    input.ok_or_else(|| Error::invalid("body", Problem::Required))
}

/// Checks the buyer, seller, farm and animals inside the write; fills in the names and codes
/// of animal lines sent without them; refuses an animal inside a withdrawal period.
async fn check_refs(
    conn: &mut AnyConnection,
    input: &mut OrderInput,
    today: NaiveDate,
) -> Result<()> {
    let mut v = Violations::new();
    refs::require_user(conn, &mut v, "buyer_id", Some(input.buyer_id)).await?;
    refs::require_user(conn, &mut v, "seller_id", Some(input.seller_id)).await?;
    refs::require_farm(conn, &mut v, "farm_id", input.farm_id).await?;
    let animal_ids: Vec<i64> = input
        .items
        .iter()
        .filter(|i| i.item_type == "animal")
        .filter_map(|i| i.item_id)
        .collect();
    let animals = sellable::animals(conn, &animal_ids).await?;
    for (n, item) in input.items.iter_mut().enumerate() {
        let Some(id) = item.item_id.filter(|_| item.item_type == "animal") else {
            continue;
        };
        match animals.get(&id) {
            None => v.add(
                format!("items[{n}].item_id"),
                Problem::UnknownReference {
                    entity: Entity::Other,
                    id: Some(id),
                },
            ),
            Some(a) if a.dead => v.add(
                format!("items[{n}].item_id"),
                Problem::Rule(Rule::AnimalDead),
            ),
            Some(a) => {
                item.item_name.get_or_insert_with(|| a.display_name());
                item.item_code.get_or_insert_with(|| a.code.clone());
            }
        }
    }
    v.into_result()?;
    sellable::ensure_outside_withdrawal(conn, &animal_ids, today).await
}

async fn insert_items(
    conn: &mut AnyConnection,
    order_id: i64,
    items: &[ItemInput],
    now: Timestamp,
) -> Result<()> {
    for i in items {
        sqlx::query(
            "INSERT INTO trade_order_items (order_id, item_type, item_id, item_name, item_code, \
             item_spec, unit_price, quantity, unit, subtotal, notes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(order_id)
        .bind(&i.item_type)
        .bind(i.item_id)
        .bind(i.item_name.clone().unwrap_or_default())
        .bind(&i.item_code)
        .bind(&i.item_spec)
        .bind(i.unit_price.fen())
        .bind(i.quantity)
        .bind(&i.unit)
        .bind(i.subtotal.fen())
        .bind(&i.notes)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The seller's income record for a paid order.
pub fn sale_record(order: &OrderRow, cx: Context) -> RecordInput {
    RecordInput {
        record_type: "income".into(),
        category: finance::SALE.into(),
        amount: order.actual_amount,
        description: Some(cx.words.sale_description(&order.order_no)),
        related_id: Some(order.id),
        related_type: Some("order".into()),
        payment_method: order.payment_method.clone(),
        receipt_image: None,
        record_date: cx.today,
        user_id: order.seller_id,
        farm_id: order.farm_id,
        notes: None,
    }
}

/// Creates an order (pending; unpaid, or paid with its income record posted).
pub async fn create(db: &Db, actor: i64, raw: RawOrder, cx: Context) -> Result<OrderDetail> {
    let mut input = checked(raw, true)?;
    let mut tx = db.begin().await?;
    let order_no = order_no::next(&mut tx, cx.today).await?;
    check_refs(&mut tx, &mut input, cx.today).await?;
    let paid = input.payment_status == PaymentStatus::Paid;
    let s = &input.shipping;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trade_orders (order_no, order_type, buyer_id, seller_id, farm_id, \
         total_amount, discount_amount, shipping_fee, actual_amount, payment_method, \
         payment_status, order_status, ship_name, ship_phone, ship_province, ship_city, \
         ship_district, ship_address, shipping_method, tracking_number, notes, paid_at, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, 'pending', $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23) \
         RETURNING id",
    )
    .bind(&order_no)
    .bind(&input.order_type)
    .bind(input.buyer_id)
    .bind(input.seller_id)
    .bind(input.farm_id)
    .bind(input.total_amount.fen())
    .bind(input.discount_amount.fen())
    .bind(input.shipping_fee.fen())
    .bind(input.actual_amount.fen())
    .bind(&input.payment_method)
    .bind(input.payment_status.as_str())
    .bind(&s.name)
    .bind(&s.phone)
    .bind(&s.province)
    .bind(&s.city)
    .bind(&s.district)
    .bind(&s.address)
    .bind(&input.shipping_method)
    .bind(&input.tracking_number)
    .bind(&input.notes)
    .bind(paid.then_some(cx.now))
    .bind(actor)
    .bind(cx.now)
    .fetch_one(&mut *tx)
    .await?;
    insert_items(&mut tx, id, &input.items, cx.now).await?;
    let detail = detail_on(&mut tx, id).await?;
    if paid {
        finance_store::post(&mut tx, &sale_record(&detail.order, cx), Some(actor)).await?;
    }
    tx.commit().await?;
    Ok(detail)
}

/// The stored order as a patch base: an update sends only what changes.
fn as_raw(d: &OrderDetail) -> RawOrder {
    let o = &d.order;
    let money = |m: Money| Some(RawMoney(m.to_string()));
    RawOrder {
        order_type: Some(o.order_type.clone()),
        buyer_id: o.buyer_id,
        seller_id: o.seller_id,
        farm_id: o.farm_id,
        items: Some(
            d.items
                .iter()
                .map(|i| RawItem {
                    item_type: Some(i.item_type.clone()),
                    item_id: i.item_id,
                    item_name: Some(i.item_name.clone()),
                    item_code: i.item_code.clone(),
                    item_spec: i.item_spec.clone(),
                    unit_price: money(i.unit_price),
                    quantity: Some(i.quantity),
                    unit: i.unit.clone(),
                    notes: i.notes.clone(),
                })
                .collect(),
        ),
        discount_amount: money(o.discount_amount),
        shipping_fee: money(o.shipping_fee),
        payment_status: None,
        payment_method: None,
        shipping_address: Some(RawAddress {
            name: o.shipping.name.clone(),
            phone: o.shipping.phone.clone(),
            province: o.shipping.province.clone(),
            city: o.shipping.city.clone(),
            district: o.shipping.district.clone(),
            address: o.shipping.address.clone(),
        }),
        shipping_method: o.shipping_method.clone(),
        tracking_number: o.tracking_number.clone(),
        notes: o.notes.clone(),
    }
}

fn overlay(patch: RawOrder, base: RawOrder) -> RawOrder {
    let address = match (patch.shipping_address, base.shipping_address) {
        (Some(p), Some(b)) => Some(RawAddress {
            name: p.name.or(b.name),
            phone: p.phone.or(b.phone),
            province: p.province.or(b.province),
            city: p.city.or(b.city),
            district: p.district.or(b.district),
            address: p.address.or(b.address),
        }),
        (p, b) => p.or(b),
    };
    RawOrder {
        order_type: patch.order_type.or(base.order_type),
        buyer_id: patch.buyer_id.or(base.buyer_id),
        seller_id: patch.seller_id.or(base.seller_id),
        farm_id: patch.farm_id.or(base.farm_id),
        items: patch.items.or(base.items),
        discount_amount: patch.discount_amount.or(base.discount_amount),
        shipping_fee: patch.shipping_fee.or(base.shipping_fee),
        payment_status: None,
        payment_method: None,
        shipping_address: address,
        shipping_method: patch.shipping_method.or(base.shipping_method),
        tracking_number: patch.tracking_number.or(base.tracking_number),
        notes: patch.notes.or(base.notes),
    }
}

/// Takes the order's row lock (a no-op write first in the transaction) or answers not found.
pub async fn lock(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE trade_orders SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Order));
    }
    Ok(())
}

/// Changes a pending, unpaid order; `items`, when sent, replace every line.
pub async fn update(db: &Db, id: i64, patch: RawOrder, cx: Context) -> Result<OrderDetail> {
    let mut tx = db.begin().await?;
    lock(&mut tx, id).await?;
    let stored = detail_on(&mut tx, id).await?;
    if !order_state::editable(stored.order.order_status, stored.order.payment_status) {
        return Err(Error::OrderState(OrderRefusal::NotEditable));
    }
    let items_sent = patch.items.is_some();
    let mut input = checked(overlay(patch, as_raw(&stored)), false)?;
    check_refs(&mut tx, &mut input, cx.today).await?;
    let s = &input.shipping;
    sqlx::query(
        "UPDATE trade_orders SET order_type = $1, buyer_id = $2, seller_id = $3, farm_id = $4, \
         total_amount = $5, discount_amount = $6, shipping_fee = $7, actual_amount = $8, \
         ship_name = $9, ship_phone = $10, ship_province = $11, ship_city = $12, \
         ship_district = $13, ship_address = $14, shipping_method = $15, tracking_number = $16, \
         notes = $17, updated_at = $18 WHERE id = $19",
    )
    .bind(&input.order_type)
    .bind(input.buyer_id)
    .bind(input.seller_id)
    .bind(input.farm_id)
    .bind(input.total_amount.fen())
    .bind(input.discount_amount.fen())
    .bind(input.shipping_fee.fen())
    .bind(input.actual_amount.fen())
    .bind(&s.name)
    .bind(&s.phone)
    .bind(&s.province)
    .bind(&s.city)
    .bind(&s.district)
    .bind(&s.address)
    .bind(&input.shipping_method)
    .bind(&input.tracking_number)
    .bind(&input.notes)
    .bind(cx.now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if items_sent {
        sqlx::query("DELETE FROM trade_order_items WHERE order_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_items(&mut tx, id, &input.items, cx.now).await?;
    }
    let detail = detail_on(&mut tx, id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Deletes a pending or cancelled order that was never paid (a paid one is in the books).
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    lock(&mut tx, id).await?;
    let o = row_on(&mut tx, id).await?;
    if !order_state::deletable(o.order_status, o.payment_status) {
        return Err(Error::OrderState(OrderRefusal::NotDeletable));
    }
    sqlx::query("DELETE FROM trade_orders WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn row_on(conn: &mut AnyConnection, id: i64) -> Result<OrderRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ORDER_COLUMNS} FROM trade_orders WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound(Entity::Order))?;
    Ok(OrderRow::from_row(&row)?)
}

async fn items_on(conn: &mut AnyConnection, id: i64) -> Result<Vec<ItemRow>> {
    let rows: Vec<AnyRow> = sqlx::query(
        "SELECT id, item_type, item_id, item_name, item_code, item_spec, unit_price, quantity, \
         unit, subtotal, notes FROM trade_order_items WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ItemRow {
                id: r.try_get(0)?,
                item_type: r.try_get(1)?,
                item_id: r.try_get(2)?,
                item_name: r.try_get(3)?,
                item_code: r.try_get(4)?,
                item_spec: r.try_get(5)?,
                unit_price: Money::from_fen(r.try_get(6)?),
                quantity: r.try_get(7)?,
                unit: r.try_get(8)?,
                subtotal: Money::from_fen(r.try_get(9)?),
                notes: r.try_get(10)?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(Error::from)
}

pub async fn detail_on(conn: &mut AnyConnection, id: i64) -> Result<OrderDetail> {
    let order = row_on(conn, id).await?;
    let items = items_on(conn, id).await?;
    let users = refs::users(conn, [order.buyer_id, order.seller_id]).await?;
    let farms = refs::farms(conn, [order.farm_id]).await?;
    Ok(OrderDetail {
        buyer: order.buyer_id.and_then(|i| users.get(&i).cloned()),
        seller: order.seller_id.and_then(|i| users.get(&i).cloned()),
        farm: order.farm_id.and_then(|i| farms.get(&i).cloned()),
        order,
        items,
    })
}

pub async fn detail(db: &Db, id: i64) -> Result<OrderDetail> {
    let mut conn = db.pool().acquire().await?;
    detail_on(&mut conn, id).await
}
