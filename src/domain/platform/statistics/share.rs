//! Percentages of one breakdown that add up to exactly 100.00 (largest remainder method).

/// Each count's share of the sum in hundredths of a percent (`1234` = 12.34 %). The shares add
/// up to exactly 10,000 when the sum is positive: every share is rounded down, and the
/// hundredths left over go one each to the largest remainders (ties to the earlier entry).
/// All zeros when the sum is zero.
pub fn hundredths(counts: &[i64]) -> Vec<i64> {
    let total: i128 = counts.iter().map(|c| i128::from((*c).max(0))).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<(usize, i64, i128)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let scaled = i128::from((*c).max(0)) * 10_000;
            (
                i,
                i64::try_from(scaled / total).unwrap_or(0),
                scaled % total,
            )
        })
        .collect();
    let given: i64 = shares.iter().map(|s| s.1).sum();
    let mut left = 10_000 - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| s.1).collect()
}

/// `(current − previous) / previous` in hundredths of a percent, rounded half away from zero.
/// When `previous` is zero the answer is stated, not computed: 100.00 % if anything was added,
/// 0.00 % if nothing was.
pub fn growth_hundredths(current: i64, previous: i64) -> i64 {
    if previous == 0 {
        return if current > 0 { 10_000 } else { 0 };
    }
    let num = (i128::from(current) - i128::from(previous)) * 10_000;
    let den = i128::from(previous);
    let q = (num * 2 + num.signum() * den.abs()) / (den * 2);
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// `part / whole` in hundredths of a percent, rounded half up; 0 when `whole` is zero.
pub fn ratio_hundredths(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let q = (i128::from(part.max(0)) * 20_000 + i128::from(whole)) / (i128::from(whole) * 2);
    i64::try_from(q).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_always_add_up_to_exactly_one_hundred() {
        assert_eq!(hundredths(&[1, 1, 1]), [3334, 3333, 3333]);
        assert_eq!(hundredths(&[900, 100]), [9000, 1000]);
        assert_eq!(hundredths(&[0, 0]), [0, 0]);
        assert_eq!(hundredths(&[2, 1, 1, 1, 1, 1]).iter().sum::<i64>(), 10_000);
        for counts in [vec![7, 13, 29, 3], vec![1; 7], vec![999_999, 1, 1]] {
            assert_eq!(
                hundredths(&counts).iter().sum::<i64>(),
                10_000,
                "{counts:?}"
            );
        }
    }

    #[test]
    fn growth_has_a_stated_answer_when_the_previous_is_zero() {
        assert_eq!(growth_hundredths(1000, 950), 526);
        assert_eq!(growth_hundredths(200, 180), 1111);
        assert_eq!(growth_hundredths(50000, 48000), 417);
        assert_eq!(growth_hundredths(90, 100), -1000);
        assert_eq!(growth_hundredths(5, 0), 10_000);
        assert_eq!(growth_hundredths(0, 0), 0);
        assert_eq!(ratio_hundredths(800, 1000), 8000);
        assert_eq!(ratio_hundredths(1, 3), 3333);
        assert_eq!(ratio_hundredths(2, 3), 6667);
        assert_eq!(ratio_hundredths(1, 0), 0);
    }
}
