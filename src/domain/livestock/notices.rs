//! Notifications that trade events owe to the people involved.
//!
//! The order-audit notice goes to the buyer and the seller (decisions §6), through the
//! platform's notification service, once the audit has committed.

use crate::db::Db;
use crate::domain::platform::notifications::{self, model::KIND_ORDER};

use super::orders::OrderRow;

/// The buyer and seller an audit notice goes to (an account deleted since is skipped).
pub fn audit_recipients(order: &OrderRow) -> Vec<i64> {
    let mut ids: Vec<i64> = [order.buyer_id, order.seller_id]
        .into_iter()
        .flatten()
        .collect();
    ids.dedup();
    ids
}

/// The notice's title and text.
pub fn audit_message(order: &OrderRow) -> (String, String) {
    let verdict = if order.order_status == super::order_state::OrderStatus::Confirmed {
        "已通过审核"
    } else {
        "未通过审核,已取消"
    };
    (
        "订单审核结果".to_owned(),
        format!("订单 {} {verdict}", order.order_no),
    )
}

/// Called once an order audit has committed. Never fails the audit (it is done): a notice
/// that cannot be stored is logged.
pub async fn order_audited(db: &Db, order: &OrderRow) {
    let (title, content) = audit_message(order);
    let recipients = audit_recipients(order);
    if let Err(e) =
        notifications::notify_users_now(db, KIND_ORDER, &title, &content, &recipients).await
    {
        tracing::warn!(order_id = order.id, error = %e, "order audit notice not stored");
    }
}
