//! Tallies of operation-log entries per filter value, per UTC day and per hour: how a list's
//! total stays a small sum at millions of entries. Pure arithmetic; [`super::store`] reads them.
//!
//! An entry adds one to `(dim, val, day)` and `(dim, val, hour)` for each dimension (`all`,
//! and each documented equality filter: `user`, `module`, `action`, `ip`); triggers on the
//! table do it in the statement that inserts the entry, and take it away in the one that
//! deletes it (see the migrations). A list with at most one equality filter and a time range
//! `[from, to)` sums the day tallies of the whole days inside the range, the hour tallies of
//! the whole hours left at either edge (at most 23 each), and counts the entries of the
//! partial hours at either edge exactly (at most an hour each, through an index). A list
//! without dates sums one row per day of the log.

use crate::db::Timestamp;

/// Microseconds in an hour, the small tally bucket.
pub const HOUR: i64 = 3_600_000_000;

/// Hours in a day, the large tally bucket (UTC days).
pub const HOURS_PER_DAY: i64 = 24;

/// The bucket of a time.
pub fn hour_of(ts: Timestamp) -> i64 {
    ts.div_euclid(HOUR)
}

/// The UTC day of an hour bucket.
pub fn day_of_hour(hour: i64) -> i64 {
    hour.div_euclid(HOURS_PER_DAY)
}

fn floor_h(ts: Timestamp) -> Timestamp {
    hour_of(ts) * HOUR
}

fn ceil_h(ts: Timestamp) -> Timestamp {
    let f = floor_h(ts);
    if f == ts { ts } else { f + HOUR }
}

fn ceil_day(hour: i64) -> i64 {
    let d = day_of_hour(hour);
    if d * HOURS_PER_DAY == hour { d } else { d + 1 }
}

/// The tally dimensions, named as stored.
pub const ALL: &str = "all";
pub const USER: &str = "user";
pub const MODULE: &str = "module";
pub const ACTION: &str = "action";
pub const IP: &str = "ip";

/// A half-open range of bucket numbers; `None` = unbounded on that side.
pub type Buckets = (Option<i64>, Option<i64>);

/// How to count the entries of a time range: the parts are disjoint and cover it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountPlan {
    /// Sum the day tallies of days `[lo, hi)`.
    pub days: Option<Buckets>,
    /// Sum the hour tallies of these hour ranges `[lo, hi)`.
    pub hours: [Option<(i64, i64)>; 2],
    /// Count entries exactly in these time ranges `[from, to)`.
    pub exact: [Option<(Timestamp, Timestamp)>; 2],
}

const NOTHING: CountPlan = CountPlan {
    days: None,
    hours: [None, None],
    exact: [None, None],
};

/// Splits `[from, to)` into whole days, whole hours at the edges and partial hours.
pub fn plan(from: Option<Timestamp>, to: Option<Timestamp>) -> CountPlan {
    let (lo, hi) = (from.map(ceil_h), to.map(floor_h));
    match (from, to, lo, hi) {
        (Some(f), Some(t), _, _) if f >= t => NOTHING,
        // Both ends inside one hour: count the range itself.
        (Some(f), Some(t), Some(l), Some(h)) if l > h => CountPlan {
            exact: [Some((f, t)), None],
            ..NOTHING
        },
        _ => {
            let exact = [
                from.zip(lo).filter(|(f, l)| f < l),
                hi.zip(to).filter(|(h, t)| h < t),
            ];
            let (lo, hi) = (lo.map(hour_of), hi.map(hour_of));
            let (dlo, dhi) = (lo.map(ceil_day), hi.map(day_of_hour));
            match (lo, hi, dlo, dhi) {
                // No whole day inside the hours: sum the hours.
                (Some(l), Some(h), Some(a), Some(b)) if a >= b => CountPlan {
                    hours: [Some((l, h)).filter(|(l, h)| l < h), None],
                    exact,
                    ..NOTHING
                },
                _ => CountPlan {
                    days: Some((dlo, dhi)),
                    hours: [
                        lo.zip(dlo)
                            .map(|(l, d)| (l, d * HOURS_PER_DAY))
                            .filter(|(l, h)| l < h),
                        hi.zip(dhi)
                            .map(|(h, d)| (d * HOURS_PER_DAY, h))
                            .filter(|(l, h)| l < h),
                    ],
                    exact,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR;

    /// Counts what a plan covers for a set of entry times, using only the tallies and exact
    /// ranges it asks for: must equal the plain count.
    fn covered(plan: &CountPlan, times: &[i64]) -> usize {
        let mut n = 0;
        if let Some((lo, hi)) = plan.days {
            n += times
                .iter()
                .map(|t| day_of_hour(hour_of(*t)))
                .filter(|d| lo.is_none_or(|l| *d >= l) && hi.is_none_or(|h| *d < h))
                .count();
        }
        for (lo, hi) in plan.hours.iter().flatten() {
            n += times
                .iter()
                .filter(|t| hour_of(**t) >= *lo && hour_of(**t) < *hi)
                .count();
        }
        for (a, b) in plan.exact.iter().flatten() {
            n += times.iter().filter(|t| **t >= *a && **t < *b).count();
        }
        n
    }

    #[test]
    fn every_range_counts_exactly_what_it_contains() {
        let times: Vec<i64> = (0..400).map(|i| 10 * H + i * (H / 3) + 13).collect();
        let points = [
            None,
            Some(0),
            Some(10 * H),
            Some(10 * H + 1),
            Some(11 * H - 1),
            Some(11 * H),
            Some(12 * H + H / 2),
            Some(13 * H),
            Some(24 * H),
            Some(25 * H + 5),
            Some(40 * H),
            Some(48 * H),
            Some(72 * H + 7),
            Some(96 * H),
            Some(150 * H - 3),
        ];
        for from in points {
            for to in points {
                let p = plan(from, to);
                let want = times
                    .iter()
                    .filter(|t| from.is_none_or(|f| **t >= f) && to.is_none_or(|e| **t < e))
                    .count();
                assert_eq!(covered(&p, &times), want, "{from:?}..{to:?}: {p:?}");
            }
        }
    }

    #[test]
    fn whole_days_use_only_day_tallies() {
        let p = plan(Some(24 * H), Some(72 * H));
        assert_eq!(p.days, Some((Some(1), Some(3))));
        assert_eq!(p.hours, [None, None]);
        assert_eq!(p.exact, [None, None]);
        assert_eq!(plan(None, None).days, Some((None, None)));
        assert_eq!(plan(None, None).hours, [None, None]);
    }

    #[test]
    fn edges_are_at_most_23_hours_and_an_hour() {
        let p = plan(Some(10 * H + 5), Some(50 * H + 7));
        assert_eq!(p.days, Some((Some(1), Some(2))));
        assert_eq!(p.hours, [Some((11, 24)), Some((48, 50))]);
        assert_eq!(
            p.exact,
            [Some((10 * H + 5, 11 * H)), Some((50 * H, 50 * H + 7))]
        );
        // Inside one day: hours only.
        let p = plan(Some(10 * H + 5), Some(20 * H + 7));
        assert_eq!(p.days, None);
        assert_eq!(p.hours, [Some((11, 20)), None]);
    }
}
