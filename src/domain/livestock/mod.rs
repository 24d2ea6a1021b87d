//! The livestock platform (admin_v1 §5–8): farms, animals and health records (the farms
//! part), trade orders and financial records (the trade part).
//!
//! Farms part:
//! * [`fields`] — the checks every input shares (required text, lengths, dates, choices).
//! * [`farm`], [`farms`], [`farm_list`], [`statistics`] — farms: values, writes, the list and
//!   the statistics.
//! * [`category`] — animal categories.
//! * [`animal`], [`animals`], [`animal_list`], [`lineage`] — animals: values, writes, the list
//!   and the parent rules (checked inside the write, under a lock that serialises parent
//!   changes).
//! * [`health`] — health records and the drug withdrawal periods trade orders respect.
//! * `search` — the farm and animal `keyword` filters, through trigram tables.
//! * [`farm_seed`] — bulk demo farms and animals (the `livestock seed` command).
//!
//! Trade part:
//! * [`money`] — exact amounts in fen, parsed and rendered as the document shows.
//! * [`order_state`] — the order state machine, one pure table.
//! * [`order`], [`order_no`], [`orders`], [`order_list`], [`order_actions`] — orders: input
//!   rules, numbering, writes and reads, the list, and the actions with their consequences.
//! * [`finance`], [`finance_store`], [`finance_list`], [`finance_stats`] — financial records:
//!   input rules, writes (with the per-day rollup), the list with its summary (amount ranges
//!   from the per-amount-bucket rollup, `finance_amounts`), statistics.
//! * [`refs`], [`sellable`], [`notices`] — the users, farms and animals trade points at, and
//!   the notices it owes.
//! * [`trade_seed`] — bulk demo orders and records (`ops-server livestock seed`).
//!
//! Partial updates (farms part): every write input is a [`Field`] per column: absent keeps the stored
//! value, `null` clears it (a required one is then a violation), a value replaces it. An update
//! overlays the patch on the stored record and checks the result exactly like a create.

pub mod animal;
pub mod animal_list;
pub mod animals;
pub mod category;
mod counts;
pub mod farm;
pub mod farm_list;
pub mod farm_seed;
pub mod farms;
pub mod fields;
pub mod finance;
mod finance_amounts;
pub mod finance_list;
pub mod finance_stats;
pub mod finance_store;
pub mod health;
pub mod lineage;
pub mod money;
pub mod notices;
pub mod order;
pub mod order_actions;
pub mod order_list;
pub mod order_no;
pub mod order_state;
pub mod orders;
pub mod refs;
mod search;
pub mod sellable;
pub mod statistics;
pub mod trade_seed;
pub mod words;

/// One input field: `None` absent, `Some(None)` sent as `null`, `Some(Some(v))` a value.
pub type Field<T> = Option<Option<T>>;

/// `patch` over `stored`: an absent field keeps the stored value.
pub(crate) fn overlay<T>(patch: Field<T>, stored: Field<T>) -> Field<T> {
    match patch {
        None => stored,
        sent => sent,
    }
}

/// A stored value as a field of a patch.
pub(crate) fn kept<T>(value: Option<T>) -> Field<T> {
    Some(value)
}

/// A float as bound to SQL: text, cast back by the statement (`CAST($n AS DOUBLE
/// PRECISION)`). sqlx 0.9's `Any` driver sends a NULL `f64` to PostgreSQL as a `float4`
/// parameter, so a cached statement first run with NULL would refuse every later value;
/// a text parameter has one type whether NULL or not. Rust's shortest float text reads back
/// as the same `f64`.
pub(crate) fn real(value: Option<f64>) -> Option<String> {
    value.map(|v| v.to_string())
}
