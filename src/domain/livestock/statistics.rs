//! Farm statistics (§5.3.2) and the summary a farm's detail shows.
//!
//! Counting (decisions §6): `total_animals` counts every animal but the dead, `sick_animals`
//! counts sick, treating and quarantine, `dead_animals` the dead; `total_value` sums the
//! current value of the living. Rates and shares are computed from exact integers in
//! hundredths of a percent: a rate is rounded half up; the shares of one breakdown use
//! largest-remainder rounding, so they add up to exactly 100.00.

use chrono::NaiveDate;

use super::animal::DEAD;
use super::fields;
use super::health::{CHECKUP, VACCINATION};
use super::money::Money;
use crate::db::{Db, Sql};
use crate::error::{Entity, Error, Problem, Result, Rule, Violations};

/// Head counts and value of a farm's animals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Basic {
    pub total_animals: i64,
    pub healthy_animals: i64,
    pub sick_animals: i64,
    pub dead_animals: i64,
    pub total_value: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreedShare {
    pub breed: String,
    pub count: i64,
    /// Hundredths of a percent (5333 = 53.33 %).
    pub percentage: i64,
}

/// Hundredths of a percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HealthRates {
    pub vaccination_rate: i64,
    pub health_check_rate: i64,
    pub disease_rate: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Financial {
    pub total_income: Money,
    pub total_expense: Money,
    pub net_profit: Money,
    /// Hundredths of a percent of the income; 0 when there is no income.
    pub profit_margin: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarmStatistics {
    pub basic: Basic,
    pub breeds: Vec<BreedShare>,
    pub health: HealthRates,
    pub financial: Financial,
}

/// A date range, both ends included; `None` leaves that end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl Period {
    /// Reads `start_date` and `end_date` (`YYYY-MM-DD`, either may be absent); an end before
    /// the start is a violation of `end_date`.
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<Self> {
        let mut v = Violations::new();
        let start = fields::date(&mut v, "start_date", start.map(|s| Some(s.to_owned())));
        let end = fields::date(&mut v, "end_date", end.map(|s| Some(s.to_owned())));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            v.add("end_date", Problem::Rule(Rule::StartAfterEnd));
        }
        v.into_result()?;
        Ok(Self { start, end })
    }
}

/// `numerator / denominator` in hundredths of a percent, rounded half up; 0 for no
/// denominator.
pub fn rate(numerator: i64, denominator: i64) -> i64 {
    if denominator <= 0 {
        return 0;
    }
    let n = i128::from(numerator) * 10_000;
    let d = i128::from(denominator);
    i64::try_from((2 * n + d) / (2 * d)).unwrap_or(i64::MAX)
}

/// Shares of `counts` in hundredths of a percent that add up to exactly 10 000 (largest
/// remainder: every share is rounded down, and the hundredths left over go to the largest
/// remainders, earlier entries first on ties). All zeros give all zeros.
pub fn shares(counts: &[i64]) -> Vec<i64> {
    let total: i128 = counts.iter().map(|c| i128::from((*c).max(0))).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut floors = Vec::with_capacity(counts.len());
    let mut remainders = Vec::with_capacity(counts.len());
    for (i, c) in counts.iter().enumerate() {
        let exact = i128::from((*c).max(0)) * 10_000;
        floors.push(exact / total);
        remainders.push((exact % total, i));
    }
    let left = 10_000 - floors.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders
        .into_iter()
        .take(usize::try_from(left).unwrap_or(0))
    {
        floors[i] += 1;
    }
    floors
        .into_iter()
        .map(|f| i64::try_from(f).unwrap_or(0))
        .collect()
}

/// The basic counts of one farm.
pub async fn basic(db: &Db, farm_id: i64) -> Result<Basic> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT health_status, COUNT(*), CAST(COALESCE(SUM(current_value), 0) AS BIGINT) \
         FROM animals WHERE farm_id = $1 GROUP BY health_status",
    )
    .bind(farm_id)
    .fetch_all(db.pool())
    .await?;
    let mut b = Basic::default();
    let mut value = 0_i64;
    for (status, count, sum) in rows {
        match status.as_str() {
            DEAD => b.dead_animals += count,
            s => {
                b.total_animals += count;
                value = value.saturating_add(sum);
                if s == "healthy" {
                    b.healthy_animals += count;
                } else {
                    b.sick_animals += count;
                }
            }
        }
    }
    b.total_value = Money::from_fen(value);
    Ok(b)
}

async fn breeds(db: &Db, farm_id: i64) -> Result<Vec<BreedShare>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT breed, COUNT(*) FROM animals WHERE farm_id = $1 AND health_status <> 'dead' \
         GROUP BY breed ORDER BY COUNT(*) DESC, breed",
    )
    .bind(farm_id)
    .fetch_all(db.pool())
    .await?;
    let counts: Vec<i64> = rows.iter().map(|r| r.1).collect();
    Ok(rows
        .into_iter()
        .zip(shares(&counts))
        .map(|((breed, count), percentage)| BreedShare {
            breed,
            count,
            percentage,
        })
        .collect())
}

fn bounded(sql: &mut Sql, column: &str, period: Period) {
    if let Some(s) = period.start {
        sql.push(" AND ")
            .push(column)
            .push(" >= ")
            .bind(fields::date_text(s));
    }
    if let Some(e) = period.end {
        sql.push(" AND ")
            .push(column)
            .push(" <= ")
            .bind(fields::date_text(e));
    }
}

/// Living animals of the farm with at least one record of `record_type` in the period.
async fn animals_with(db: &Db, farm_id: i64, record_type: &str, period: Period) -> Result<i64> {
    let mut sql = Sql::new(
        "SELECT COUNT(DISTINCT h.animal_id) FROM health_records h \
         JOIN animals a ON a.id = h.animal_id WHERE a.farm_id = ",
    );
    sql.bind(farm_id)
        .push(" AND a.health_status <> 'dead' AND h.record_type = ")
        .bind(record_type);
    bounded(&mut sql, "h.record_date", period);
    Ok(sql.query_scalar().fetch_one(db.pool()).await?)
}

async fn financial(db: &Db, farm_id: i64, period: Period) -> Result<Financial> {
    let mut sql = Sql::new(
        "SELECT record_type, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM financial_records \
         WHERE farm_id = ",
    );
    sql.bind(farm_id);
    bounded(&mut sql, "record_date", period);
    sql.push(" GROUP BY record_type");
    let rows: Vec<(String, i64)> = sql.query_as().fetch_all(db.pool()).await?;
    let sum = |t: &str| rows.iter().filter(|r| r.0 == t).map(|r| r.1).sum::<i64>();
    let income = sum("income");
    let expense = sum("expense");
    let net = income.saturating_sub(expense);
    Ok(Financial {
        total_income: Money::from_fen(income),
        total_expense: Money::from_fen(expense),
        net_profit: Money::from_fen(net),
        profit_margin: if income > 0 {
            signed_rate(net, income)
        } else {
            0
        },
    })
}

/// [`rate`] for a numerator that may be negative (a loss), rounded half away from zero.
fn signed_rate(numerator: i64, denominator: i64) -> i64 {
    let r = rate(numerator.saturating_abs(), denominator);
    if numerator < 0 { -r } else { r }
}

/// Every statistic of one farm over `period` (health and financial figures; head counts
/// and breeds are as of now).
pub async fn farm(db: &Db, farm_id: i64, period: Period) -> Result<FarmStatistics> {
    if !super::farms::exists(db, farm_id).await? {
        return Err(Error::NotFound(Entity::Other));
    }
    let basic = basic(db, farm_id).await?;
    let vaccinated = animals_with(db, farm_id, VACCINATION, period).await?;
    let checked = animals_with(db, farm_id, CHECKUP, period).await?;
    Ok(FarmStatistics {
        basic,
        breeds: breeds(db, farm_id).await?,
        health: HealthRates {
            vaccination_rate: rate(vaccinated, basic.total_animals),
            health_check_rate: rate(checked, basic.total_animals),
            disease_rate: rate(basic.sick_animals, basic.total_animals),
        },
        financial: financial(db, farm_id, period).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_exactly_one_hundred() {
        assert_eq!(shares(&[80, 70]), [5333, 4667]);
        assert_eq!(shares(&[1, 1, 1]), [3334, 3333, 3333]);
        assert_eq!(shares(&[0, 0]), [0, 0]);
        assert_eq!(shares(&[2, 1, 1, 1, 1, 1]).iter().sum::<i64>(), 10_000);
    }

    #[test]
    fn rates_round_half_up() {
        assert_eq!(rate(5, 150), 333);
        assert_eq!(rate(1, 8), 1250);
        assert_eq!(rate(1, 0), 0);
        assert_eq!(signed_rate(-1, 3), -3333);
        assert_eq!(rate(2, 3), 6667);
    }
}
