//! Purchase orders and their cost lines (the OPS manual's 采购管理; decisions §2).
//!
//! * [`currency`], [`status`], [`cost`], [`photos`], [`order`] — values parsed at the edge.
//! * [`store`] — create, read, full replace and delete; an order and its cost lines are
//!   always written in one transaction.
//! * [`list`] — paging and literal substring search, newest first.
//! * [`search`] — the trigram-indexed search text that keeps search fast at a million orders.
//! * [`search_cache`] — the matches of recent searches, checked against the owner's change
//!   counter on every request.
//! * [`seed`] — bulk loading of demo orders (the `purchase seed` command).
//!
//! Ownership: a user sees and changes only their own orders; another user's order is
//! [`crate::error::Error::NotFound`], never forbidden. Admins see and change every order.

pub mod cost;
pub mod currency;
pub mod list;
pub mod order;
pub mod photos;
pub mod search;
pub mod search_cache;
pub mod seed;
pub mod status;
pub mod store;

pub use cost::{CostLine, Costs, RawCost};
pub use currency::{Currency, RawCurrency};
pub use list::{ListQuery, OrderPage};
pub use order::{CostRecord, Order, OrderInput, OrderSummary, RawOrder};
pub use search::SearchTerm;
pub use status::OrderStatus;
pub use store::Created;

use crate::domain::identity::Principal;

/// Who is asking, as far as orders are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    /// Admins see and change every order, and may use any file record as a photo.
    pub is_admin: bool,
}

impl From<&Principal> for Caller {
    fn from(p: &Principal) -> Self {
        Self {
            user_id: p.user.id,
            is_admin: p.is_admin(),
        }
    }
}

/// Appends ` AND <column> = $n` when the caller may only see their own orders.
fn scope(sql: &mut crate::db::Sql, column: &str, caller: Caller) {
    if !caller.is_admin {
        sql.push(" AND ")
            .push(column)
            .push(" = ")
            .bind(caller.user_id);
    }
}
