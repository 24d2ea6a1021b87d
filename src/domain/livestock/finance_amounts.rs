//! Totals of the financial records in a range of amounts, from the per-amount-bucket rollup
//! `financial_amount_totals` (kept by triggers, migration `…42`): level `k` sums the records
//! whose `amount / 10^k` is a given bucket. Any range of amounts is a union of whole buckets
//! with at most nine at each level on each side, so a `min_amount` / `max_amount` total and
//! summary read a few hundred rollup rows, not every matching record.

use crate::db::Sql;

/// The highest level (buckets of 10^12 fen); amounts are at most 9,999,999,999,999 fen.
const TOP: u32 = 12;

/// A range of buckets `[from, to)` at one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Buckets {
    pub level: u32,
    pub from: i64,
    pub to: i64,
}

/// The whole buckets that together hold exactly the amounts `lo..=hi` (fen, `lo` ≥ 0).
pub(crate) fn cover(lo: i64, hi: i64) -> Vec<Buckets> {
    let mut out = Vec::new();
    if hi < lo {
        return out;
    }
    // In units of 10^level: [l, h).
    let (mut l, mut h) = (lo.max(0), hi.saturating_add(1));
    let mut push = |level, from, to| {
        if from < to {
            out.push(Buckets { level, from, to });
        }
    };
    for level in 0..=TOP {
        let (up, down) = (l.saturating_add(9) / 10, h / 10);
        if level == TOP || up >= down {
            push(level, l, h);
            break;
        }
        push(level, l, up * 10);
        push(level, down * 10, h);
        (l, h) = (up, down);
    }
    out
}

/// ` AND (…)` choosing the rollup rows of the amounts `lo..=hi`; `None` when the range is
/// empty.
pub(crate) fn push_cover(sql: &mut Sql, lo: i64, hi: i64) -> bool {
    let ranges = cover(lo, hi);
    if ranges.is_empty() {
        return false;
    }
    sql.push(" AND (");
    for (i, b) in ranges.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(level = ")
            .bind(i64::from(b.level))
            .push(" AND bucket >= ")
            .bind(b.from)
            .push(" AND bucket < ")
            .bind(b.to)
            .push(")");
    }
    sql.push(")");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every amount in `lo..=hi` lies in exactly one chosen bucket, and none outside it does.
    fn check(lo: i64, hi: i64) {
        let cover = cover(lo, hi);
        let holds = |a: i64| {
            cover
                .iter()
                .filter(|b| {
                    let q = a / 10_i64.pow(b.level);
                    q >= b.from && q < b.to
                })
                .count()
        };
        for a in (lo.saturating_sub(1234).max(0))..=(hi.saturating_add(1234).min(lo + 30_000)) {
            let want = usize::from(a >= lo && a <= hi);
            assert_eq!(holds(a), want, "{lo}..={hi}: {a}");
        }
        for level in 0..=TOP {
            let n: i64 = cover
                .iter()
                .filter(|b| b.level == level && level < TOP)
                .map(|b| b.to - b.from)
                .sum();
            assert!(n <= 18, "{lo}..={hi}: {n} buckets at level {level}");
        }
    }

    #[test]
    fn buckets_cover_exactly_the_range() {
        for (lo, hi) in [
            (0, 0),
            (0, 9),
            (7, 7),
            (5, 1234),
            (499_900, 9_999_999_999_999),
            (0, 9_999_999_999_999),
            (1_000, 10_000),
            (123, 987),
            (10, 99),
            (19_999, 20_001),
        ] {
            check(lo, hi);
        }
        assert!(cover(5, 4).is_empty());
        assert_eq!(cover(0, 9_999_999_999_999).len(), 1);
    }
}
