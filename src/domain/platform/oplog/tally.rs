//! Hourly tallies of operation-log entries per filter value: how a list's total stays a
//! small sum at millions of entries. Pure arithmetic; [`super::store`] reads them.
//!
//! An entry adds one to `(dim, val, hour)` for each dimension (`all`, and each documented
//! equality filter: `user`, `module`, `action`, `ip`); a trigger on the table does it, in the
//! statement that inserts the entry (see the migration). A list with at most one equality filter and a time range `[from, to)`
//! sums the tallies of the whole hours inside the range and counts the entries of the
//! partial hours at either edge exactly (at most an hour each, through an index).

use crate::db::Timestamp;

/// Microseconds in an hour, the tally bucket.
pub const HOUR: i64 = 3_600_000_000;

/// The bucket of a time.
pub fn hour_of(ts: Timestamp) -> i64 {
    ts.div_euclid(HOUR)
}

fn floor_h(ts: Timestamp) -> Timestamp {
    hour_of(ts) * HOUR
}

fn ceil_h(ts: Timestamp) -> Timestamp {
    let f = floor_h(ts);
    if f == ts { ts } else { f + HOUR }
}

/// The tally dimensions, named as stored.
pub const ALL: &str = "all";
pub const USER: &str = "user";
pub const MODULE: &str = "module";
pub const ACTION: &str = "action";
pub const IP: &str = "ip";

/// How to count the entries of a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountPlan {
    /// Sum the tallies of hours `[lo, hi)` (bucket numbers; `None` = unbounded).
    pub tallies: Option<(Option<i64>, Option<i64>)>,
    /// Count entries exactly in these time ranges `[from, to)`.
    pub exact: [Option<(Timestamp, Timestamp)>; 2],
}

/// Splits `[from, to)` into whole hours (tallied) and partial edges (counted).
pub fn plan(from: Option<Timestamp>, to: Option<Timestamp>) -> CountPlan {
    let (lo, hi) = (from.map(ceil_h), to.map(floor_h));
    match (from, to, lo, hi) {
        (Some(f), Some(t), _, _) if f >= t => CountPlan {
            tallies: None,
            exact: [None, None],
        },
        // Both ends inside one hour: count the range itself.
        (Some(f), Some(t), Some(l), Some(h)) if l > h => CountPlan {
            tallies: None,
            exact: [Some((f, t)), None],
        },
        _ => CountPlan {
            tallies: Some((lo.map(hour_of), hi.map(hour_of))),
            exact: [
                from.zip(lo).filter(|(f, l)| f < l),
                hi.zip(to).filter(|(h, t)| h < t),
            ],
        },
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
        if let Some((lo, hi)) = plan.tallies {
            n += times
                .iter()
                .filter(|t| {
                    lo.is_none_or(|l| hour_of(**t) >= l) && hi.is_none_or(|h| hour_of(**t) < h)
                })
                .count();
        }
        for (a, b) in plan.exact.iter().flatten() {
            n += times.iter().filter(|t| **t >= *a && **t < *b).count();
        }
        n
    }

    #[test]
    fn every_range_counts_exactly_what_it_contains() {
        let times: Vec<i64> = (0..200).map(|i| 10 * H + i * (H / 7) + 13).collect();
        let points = [
            None,
            Some(0),
            Some(10 * H),
            Some(10 * H + 1),
            Some(11 * H - 1),
            Some(11 * H),
            Some(12 * H + H / 2),
            Some(13 * H),
            Some(25 * H + 5),
            Some(40 * H),
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
    fn aligned_ranges_use_only_tallies() {
        let p = plan(Some(24 * H), Some(48 * H));
        assert_eq!(p.tallies, Some((Some(24), Some(48))));
        assert_eq!(p.exact, [None, None]);
        assert_eq!(plan(None, None).tallies, Some((None, None)));
    }

    #[test]
    fn unaligned_edges_are_at_most_an_hour() {
        let p = plan(Some(10 * H + 5), Some(20 * H + 7));
        assert_eq!(p.tallies, Some((Some(11), Some(20))));
        assert_eq!(
            p.exact,
            [Some((10 * H + 5, 11 * H)), Some((20 * H, 20 * H + 7))]
        );
    }
}
