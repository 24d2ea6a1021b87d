//! Notifications that trade events owe to the people involved.
//!
//! The order-audit notice goes to the buyer and the seller (CONTRACTS §6). The platform's
//! notification service (issue 13 part B) had not landed when this was written: this function
//! is the one call site, invoked after an audit commits, for the lead to wire to it.

use crate::db::Db;

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

/// Called once an order audit has committed. Never fails the audit: a notice that cannot be
/// sent is logged. TO WIRE: send `audit_message` to `audit_recipients` through the platform's
/// notification function.
pub async fn order_audited(_db: &Db, order: &OrderRow) {
    let (title, content) = audit_message(order);
    tracing::info!(
        order_id = order.id,
        recipients = ?audit_recipients(order),
        %title,
        %content,
        "order audit notice (notification service not wired yet)"
    );
}
