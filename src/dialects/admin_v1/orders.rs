//! §7 订单管理: list, detail, create/update/delete and the order actions.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, OptionalJson, Query};
use super::reply::{Paged, Reply};
use super::trade::{
    FarmAddressOut, FarmOut, PartyOut, UserOut, at, context, farm_address_out, farm_out, party_out,
    user_out,
};
use crate::domain::livestock::money::{Money, RawMoney};
use crate::domain::livestock::order::RawOrder;
use crate::domain::livestock::order_actions::{self, Command};
use crate::domain::livestock::order_list::{self, OrderQuery};
use crate::domain::livestock::orders::{self, OrderDetail, OrderRow};
use crate::error::Violations;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    keyword: Option<String>,
    order_type: Option<String>,
    order_status: Option<String>,
    payment_status: Option<String>,
    buyer_id: Option<i64>,
    seller_id: Option<i64>,
    farm_id: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderItemOut {
    id: i64,
    order_no: String,
    order_type: String,
    #[schema(value_type = f64)]
    total_amount: Money,
    #[schema(value_type = f64)]
    discount_amount: Money,
    #[schema(value_type = f64)]
    shipping_fee: Money,
    #[schema(value_type = f64)]
    actual_amount: Money,
    payment_method: Option<String>,
    payment_status: &'static str,
    order_status: &'static str,
    buyer: Option<UserOut>,
    seller: Option<UserOut>,
    farm: Option<FarmOut>,
    item_count: i64,
    paid_at: Option<String>,
    created_at: String,
}

/// `GET /orders`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<OrderItemOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    let filter = v.check(
        OrderQuery {
            keyword: q.keyword,
            order_type: q.order_type,
            order_status: q.order_status,
            payment_status: q.payment_status,
            buyer_id: q.buyer_id,
            seller_id: q.seller_id,
            farm_id: q.farm_id,
            start_date: q.start_date,
            end_date: q.end_date,
        }
        .parse(state.tz),
    )?;
    v.into_result()?;
    // Present whenever the check passed.
    let filter = filter.unwrap_or_default();
    let (entries, total) = order_list::list(&state.db, &filter, page).await?;
    let list = entries
        .into_iter()
        .map(|e| {
            let o = e.order;
            OrderItemOut {
                id: o.id,
                order_no: o.order_no,
                order_type: o.order_type,
                total_amount: o.total_amount,
                discount_amount: o.discount_amount,
                shipping_fee: o.shipping_fee,
                actual_amount: o.actual_amount,
                payment_method: o.payment_method,
                payment_status: o.payment_status.as_str(),
                order_status: o.order_status.as_str(),
                buyer: user_out(e.buyer),
                seller: user_out(e.seller),
                farm: farm_out(e.farm),
                item_count: e.item_count,
                paid_at: at(&state, o.paid_at),
                created_at: at(&state, Some(o.created_at)).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AddressOut {
    name: Option<String>,
    phone: Option<String>,
    province: Option<String>,
    city: Option<String>,
    district: Option<String>,
    address: Option<String>,
    full_address: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LineOut {
    id: i64,
    item_type: String,
    item_id: Option<i64>,
    item_name: String,
    item_code: Option<String>,
    item_spec: Option<String>,
    #[schema(value_type = f64)]
    unit_price: Money,
    quantity: i64,
    unit: Option<String>,
    #[schema(value_type = f64)]
    subtotal: Money,
    notes: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderDetailOut {
    id: i64,
    order_no: String,
    order_type: String,
    #[schema(value_type = f64)]
    total_amount: Money,
    #[schema(value_type = f64)]
    discount_amount: Money,
    #[schema(value_type = f64)]
    shipping_fee: Money,
    #[schema(value_type = f64)]
    actual_amount: Money,
    payment_method: Option<String>,
    payment_status: &'static str,
    order_status: &'static str,
    buyer: Option<PartyOut>,
    seller: Option<PartyOut>,
    farm: Option<FarmAddressOut>,
    shipping_address: Option<AddressOut>,
    shipping_method: Option<String>,
    tracking_number: Option<String>,
    items: Vec<LineOut>,
    notes: Option<String>,
    audit_notes: Option<String>,
    audited_at: Option<String>,
    paid_at: Option<String>,
    shipped_at: Option<String>,
    delivered_at: Option<String>,
    completed_at: Option<String>,
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
    #[schema(value_type = Option<f64>)]
    refund_amount: Option<Money>,
    refund_reason: Option<String>,
    refunded_at: Option<String>,
    created_at: String,
    updated_at: String,
}

fn detail_out(state: &AppState, d: OrderDetail) -> OrderDetailOut {
    let o = d.order;
    let shipping_address = (!o.shipping.is_empty()).then(|| AddressOut {
        full_address: o.shipping.full_address(),
        name: o.shipping.name.clone(),
        phone: o.shipping.phone.clone(),
        province: o.shipping.province.clone(),
        city: o.shipping.city.clone(),
        district: o.shipping.district.clone(),
        address: o.shipping.address.clone(),
    });
    OrderDetailOut {
        id: o.id,
        order_no: o.order_no,
        order_type: o.order_type,
        total_amount: o.total_amount,
        discount_amount: o.discount_amount,
        shipping_fee: o.shipping_fee,
        actual_amount: o.actual_amount,
        payment_method: o.payment_method,
        payment_status: o.payment_status.as_str(),
        order_status: o.order_status.as_str(),
        buyer: party_out(d.buyer),
        seller: party_out(d.seller),
        farm: farm_address_out(d.farm),
        shipping_address,
        shipping_method: o.shipping_method,
        tracking_number: o.tracking_number,
        items: d
            .items
            .into_iter()
            .map(|i| LineOut {
                id: i.id,
                item_type: i.item_type,
                item_id: i.item_id,
                item_name: i.item_name,
                item_code: i.item_code,
                item_spec: i.item_spec,
                unit_price: i.unit_price,
                quantity: i.quantity,
                unit: i.unit,
                subtotal: i.subtotal,
                notes: i.notes,
            })
            .collect(),
        notes: o.notes,
        audit_notes: o.audit_notes,
        audited_at: at(state, o.audited_at),
        paid_at: at(state, o.paid_at),
        shipped_at: at(state, o.shipped_at),
        delivered_at: at(state, o.delivered_at),
        completed_at: at(state, o.completed_at),
        cancelled_at: at(state, o.cancelled_at),
        cancel_reason: o.cancel_reason,
        refund_amount: o.refund_amount,
        refund_reason: o.refund_reason,
        refunded_at: at(state, o.refunded_at),
        created_at: at(state, Some(o.created_at)).unwrap_or_default(),
        updated_at: at(state, Some(o.updated_at)).unwrap_or_default(),
    }
}

/// `GET /orders/{id}`
pub async fn detail(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<OrderDetailOut>> {
    let d = orders::detail(&state.db, id).await?;
    Ok(Reply::ok("获取成功", detail_out(&state, d)))
}

/// `POST /orders`
pub async fn create(
    State(state): State<AppState>,
    Auth(p): Auth,
    Json(raw): Json<RawOrder>,
) -> ApiResult<Reply<OrderDetailOut>> {
    let d = orders::create(&state.db, p.user.id, raw, context(&state)).await?;
    Ok(Reply::created("创建成功", detail_out(&state, d)))
}

/// `PUT /orders/{id}`
pub async fn update(
    State(state): State<AppState>,
    Id(id): Id,
    Json(raw): Json<RawOrder>,
) -> ApiResult<Reply<OrderDetailOut>> {
    let d = orders::update(&state.db, id, raw, context(&state)).await?;
    Ok(Reply::ok("更新成功", detail_out(&state, d)))
}

/// `DELETE /orders/{id}`
pub async fn delete(State(state): State<AppState>, Id(id): Id) -> ApiResult<Reply<()>> {
    orders::delete(&state.db, id).await?;
    Ok(Reply::done("删除成功"))
}

/// What an action answers: the state and the fields the action set.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionOut {
    id: i64,
    order_no: String,
    order_status: &'static str,
    payment_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    audit_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    audited_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    payment_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    paid_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    shipping_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    shipped_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    delivered_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    cancelled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    cancel_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = f64)]
    refund_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    refund_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    refunded_at: Option<String>,
}

fn action_out(state: &AppState, o: OrderRow) -> ActionOut {
    ActionOut {
        id: o.id,
        order_no: o.order_no,
        order_status: o.order_status.as_str(),
        payment_status: o.payment_status.as_str(),
        audit_notes: o.audit_notes,
        audited_at: at(state, o.audited_at),
        payment_method: o.payment_method,
        paid_at: at(state, o.paid_at),
        shipping_method: o.shipping_method,
        tracking_number: o.tracking_number,
        shipped_at: at(state, o.shipped_at),
        delivered_at: at(state, o.delivered_at),
        completed_at: at(state, o.completed_at),
        cancelled_at: at(state, o.cancelled_at),
        cancel_reason: o.cancel_reason,
        refund_amount: o.refund_amount,
        refund_reason: o.refund_reason,
        refunded_at: at(state, o.refunded_at),
    }
}

async fn act(
    state: &AppState,
    actor: i64,
    id: i64,
    cmd: Command,
    message: &'static str,
) -> ApiResult<Reply<ActionOut>> {
    let o = order_actions::apply(&state.db, actor, id, cmd, context(state)).await?;
    Ok(Reply::ok(message, action_out(state, o)))
}

#[derive(Deserialize)]
pub struct AuditIn {
    action: Option<String>,
    notes: Option<String>,
}

/// `POST /orders/{id}/audit`
pub async fn audit(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
    Json(b): Json<AuditIn>,
) -> ApiResult<Reply<ActionOut>> {
    let cmd = Command::audit(b.action, b.notes)?;
    act(&state, p.user.id, id, cmd, "审核成功").await
}

#[derive(Deserialize)]
pub struct PayIn {
    payment_method: Option<String>,
}

/// `POST /orders/{id}/pay`
pub async fn pay(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
    Json(b): Json<PayIn>,
) -> ApiResult<Reply<ActionOut>> {
    let cmd = Command::pay(b.payment_method)?;
    act(&state, p.user.id, id, cmd, "支付成功").await
}

#[derive(Deserialize)]
pub struct ShipIn {
    shipping_method: Option<String>,
    tracking_number: Option<String>,
}

/// `POST /orders/{id}/ship`
pub async fn ship(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
    OptionalJson(b): OptionalJson<ShipIn>,
) -> ApiResult<Reply<ActionOut>> {
    let cmd = Command::ship(b.shipping_method, b.tracking_number)?;
    act(&state, p.user.id, id, cmd, "发货成功").await
}

/// `POST /orders/{id}/deliver` (no body needed)
pub async fn deliver(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
) -> ApiResult<Reply<ActionOut>> {
    act(&state, p.user.id, id, Command::Deliver, "确认送达成功").await
}

/// `POST /orders/{id}/complete` (no body needed)
pub async fn complete(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
) -> ApiResult<Reply<ActionOut>> {
    act(&state, p.user.id, id, Command::Complete, "订单已完成").await
}

#[derive(Deserialize)]
pub struct CancelIn {
    reason: Option<String>,
}

/// `POST /orders/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
    OptionalJson(b): OptionalJson<CancelIn>,
) -> ApiResult<Reply<ActionOut>> {
    let cmd = Command::cancel(b.reason)?;
    act(&state, p.user.id, id, cmd, "取消成功").await
}

#[derive(Deserialize)]
pub struct RefundIn {
    refund_amount: Option<RawMoney>,
    refund_reason: Option<String>,
    notes: Option<String>,
}

/// `POST /orders/{id}/refund`
pub async fn refund(
    State(state): State<AppState>,
    Auth(p): Auth,
    Id(id): Id,
    OptionalJson(b): OptionalJson<RefundIn>,
) -> ApiResult<Reply<ActionOut>> {
    let cmd = Command::refund(b.refund_amount, b.refund_reason, b.notes)?;
    act(&state, p.user.id, id, cmd, "退款成功").await
}
