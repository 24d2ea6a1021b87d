//! Notifications that trade events owe to the people involved.
//!
//! The order-audit notice goes to the buyer and the seller (decisions §6), through the
//! platform's notification service, once the audit has committed.

use crate::db::Db;
use crate::domain::platform::notifications::{self, model::KIND_ORDER};

use super::orders::OrderRow;
use super::words::TradeWords;

/// The buyer and seller an audit notice goes to (an account deleted since is skipped).
pub fn audit_recipients(order: &OrderRow) -> Vec<i64> {
    let mut ids: Vec<i64> = [order.buyer_id, order.seller_id]
        .into_iter()
        .flatten()
        .collect();
    ids.dedup();
    ids
}

/// The notice's title and text, in `words`.
pub fn audit_message(order: &OrderRow, words: &dyn TradeWords) -> (String, String) {
    let approved = order.order_status == super::order_state::OrderStatus::Confirmed;
    words.audit_notice(&order.order_no, approved)
}

/// Called once an order audit has committed. Never fails the audit (it is done): a notice
/// that cannot be stored is logged.
pub async fn order_audited(db: &Db, order: &OrderRow, words: &dyn TradeWords) {
    let (title, content) = audit_message(order, words);
    let recipients = audit_recipients(order);
    if let Err(e) =
        notifications::notify_users_now(db, KIND_ORDER, &title, &content, &recipients).await
    {
        tracing::warn!(order_id = order.id, error = %e, "order audit notice not stored");
    }
}
