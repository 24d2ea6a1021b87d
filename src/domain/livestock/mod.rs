//! The livestock platform (admin_v1 §5–8): farms, animals and health records (the farms
//! part), trade orders and financial records (the trade part).
//!
//! Trade part:
//! * [`money`] — exact amounts in fen, parsed and rendered as the document shows.
//! * [`order_state`] — the order state machine, one pure table.
//! * [`order`], [`order_no`], [`orders`], [`order_list`], [`order_actions`] — orders: input
//!   rules, numbering, writes and reads, the list, and the actions with their consequences.
//! * [`finance`], [`finance_store`], [`finance_list`], [`finance_stats`] — financial records:
//!   input rules, writes (with the per-day rollup), the list with its summary, statistics.
//! * [`refs`], [`sellable`], [`notices`] — the users, farms and animals trade points at, and
//!   the notices it owes.

pub mod finance;
pub mod finance_list;
pub mod finance_stats;
pub mod finance_store;
pub mod money;
pub mod notices;
pub mod order;
pub mod order_actions;
pub mod order_list;
pub mod order_no;
pub mod order_state;
pub mod orders;
pub mod refs;
pub mod sellable;
