//! Statistics (admin API §10): the dashboard and the user statistics.
//!
//! Nothing here scans the counted tables. Triggers (migration `…61_statistics`, one per
//! engine; `…62` adds hourly sums of the buckets) keep per-metric counts and sums in
//! 15-minute UTC buckets, all-time totals, users per role and users per region, in the same
//! transaction as every write of users, farms, animals and trade orders. Every time zone's
//! midnight falls on a 15-minute boundary, so any `server.timezone` day is a whole number of
//! buckets (and, in zones with whole-hour offsets, of hours).
//!
//! * [`period`] — the requested days (and the previous period of the same length).
//! * [`series`] — bucket sums per day, totals, counts before a day.
//! * [`share`] — percentages of a breakdown that add up to exactly 100.00.
//! * [`dashboard`] — §10.1; [`users`] — §10.2; [`activity`] — recent activities.

pub mod activity;
pub mod dashboard;
pub mod period;
pub mod series;
pub mod share;
pub mod users;

pub use period::{GroupBy, Period};
