//! The operation log (admin document §9.2, decisions §3): one entry per request that changes
//! data in any dialect, plus every login (failed ones too), refresh and logout.
//!
//! * [`naming`] — which requests are recorded, under which module and action.
//! * [`capture`], [`multipart`], [`redact`] — what is kept of bodies: parsed, secrets
//!   masked, uploads summarised, long values cut (pure functions).
//! * [`writer`] — group commit: an entry is committed before its response leaves.
//! * [`store`], [`tally`] — rows, the filtered list, hourly tallies for its totals, retention.
//!
//! The HTTP layer that feeds it is `crate::http::oplog`.

pub mod capture;
pub mod multipart;
pub mod naming;
pub mod redact;
pub mod store;
pub mod tally;
pub mod writer;

pub use naming::{Named, Naming};
pub use store::{Entry, Filter, NewEntry};
pub use writer::Writer;
