//! The days a statistics request covers, in `server.timezone`.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;

use crate::db::Timestamp;
use crate::db::time;
use crate::error::{Error, Format, Problem, Result, Rule, Violations};

/// Microseconds per counter bucket (15 minutes).
pub const BUCKET_MICROS: i64 = 900_000_000;
/// Days covered when no start is given (ending on the end date).
pub const DEFAULT_DAYS: i64 = 30;
/// Longest period accepted (ten years and a bit).
pub const MAX_DAYS: i64 = 3_660;

/// A run of whole local days, first to last inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    tz: Tz,
}

/// How a trend is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Month,
    Year,
}

impl GroupBy {
    /// `day` (default), `month` or `year`; anything else is invalid `group_by`.
    pub fn parse(value: Option<&str>) -> Result<Self> {
        match value.map(str::trim) {
            None | Some("day") => Ok(GroupBy::Day),
            Some("month") => Ok(GroupBy::Month),
            Some("year") => Ok(GroupBy::Year),
            Some(other) => Err(Error::invalid(
                "group_by",
                Problem::NotOneOf {
                    allowed: &["day", "month", "year"],
                    got: Some(other.to_owned()),
                },
            )),
        }
    }

    /// The label of the group `day` falls in: `2024-01-20`, `2024-01`, `2024`.
    pub fn label(self, day: NaiveDate) -> String {
        match self {
            GroupBy::Day => day.format("%Y-%m-%d").to_string(),
            GroupBy::Month => day.format("%Y-%m").to_string(),
            GroupBy::Year => day.year().to_string(),
        }
    }
}

fn local_date(v: &mut Violations, field: &str, value: Option<&str>, tz: Tz) -> Option<NaiveDate> {
    let value = value.map(str::trim).filter(|s| !s.is_empty())?;
    match time::parse(value, tz) {
        Some(ts) => Some(time::to_datetime(ts).with_timezone(&tz).date_naive()),
        None => {
            v.add(field, Problem::BadFormat(Format::Date));
            None
        }
    }
}

impl Period {
    /// `start_date` and `end_date` (any decisions §0 time format; only the local date counts),
    /// both optional: the end defaults to `today`, the start to 30 days ending on the end. A
    /// start after the end, or more than [`MAX_DAYS`] days, is invalid.
    pub fn parse(start: Option<&str>, end: Option<&str>, today: NaiveDate, tz: Tz) -> Result<Self> {
        let mut v = Violations::new();
        let first = local_date(&mut v, "start_date", start, tz);
        let last = local_date(&mut v, "end_date", end, tz);
        v.into_result()?;
        let last = last.unwrap_or_else(|| today.max(first.unwrap_or(today)));
        let first = first.unwrap_or(last - Duration::days(DEFAULT_DAYS - 1));
        if first > last {
            return Err(Error::invalid(
                "start_date",
                Problem::Rule(Rule::StartAfterEnd),
            ));
        }
        if (last - first).num_days() + 1 > MAX_DAYS {
            return Err(Error::invalid(
                "end_date",
                Problem::Rule(Rule::PeriodTooLong),
            ));
        }
        Ok(Self { first, last, tz })
    }

    /// Today in `tz` at `now`.
    pub fn today(now: Timestamp, tz: Tz) -> NaiveDate {
        time::to_datetime(now).with_timezone(&tz).date_naive()
    }

    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The same number of days just before this period.
    pub fn previous(&self) -> Self {
        let n = Duration::days(self.days());
        Self {
            first: self.first - n,
            last: self.last - n,
            tz: self.tz,
        }
    }

    /// Every day, first to last.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(|d| *d <= self.last)
    }

    /// The bucket where local day `day` starts.
    pub fn day_start_bucket(&self, day: NaiveDate) -> i64 {
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        // A midnight that does not exist (a DST jump at 00:00) starts at the first instant
        // after it: `earliest` of the next valid local time.
        let micros = self
            .tz
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                self.tz
                    .from_local_datetime(&(naive + Duration::hours(1)))
                    .earliest()
            })
            .map(|dt| dt.timestamp_micros())
            .unwrap_or_default();
        micros.div_euclid(BUCKET_MICROS)
    }

    /// Bucket boundaries: the start of every day, then the start of the day after the last.
    pub fn boundaries(&self) -> Vec<i64> {
        let mut b: Vec<i64> = self.each_day().map(|d| self.day_start_bucket(d)).collect();
        b.push(self.day_start_bucket(self.last + Duration::days(1)));
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn defaults_cover_thirty_days_ending_today() {
        let p = Period::parse(None, None, d("2024-01-30"), chrono_tz::UTC).unwrap();
        assert_eq!(
            (p.first, p.last, p.days()),
            (d("2024-01-01"), d("2024-01-30"), 30)
        );
        let prev = p.previous();
        assert_eq!((prev.first, prev.last), (d("2023-12-02"), d("2023-12-31")));
    }

    #[test]
    fn bad_dates_and_reversed_ranges_are_refused() {
        let today = d("2024-01-30");
        for (s, e, field) in [
            (Some("2024/01/01"), None, "start_date"),
            (None, Some("tomorrow"), "end_date"),
            (Some("2024-02-01"), Some("2024-01-01"), "start_date"),
            (Some("2000-01-01"), Some("2024-01-01"), "end_date"),
        ] {
            let Err(Error::Invalid(f)) = Period::parse(s, e, today, chrono_tz::UTC) else {
                panic!("{s:?} {e:?} accepted");
            };
            assert_eq!(f[0].field, field);
        }
    }

    #[test]
    fn local_days_start_on_their_own_midnight() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let p = Period::parse(
            Some("2024-01-01"),
            Some("2024-01-02"),
            d("2024-01-02"),
            shanghai,
        )
        .unwrap();
        let b = p.boundaries();
        // 2024-01-01 00:00 +08:00 = 2023-12-31 16:00 UTC.
        let utc = chrono::Utc
            .with_ymd_and_hms(2023, 12, 31, 16, 0, 0)
            .unwrap();
        assert_eq!(b[0], utc.timestamp_micros() / BUCKET_MICROS);
        assert_eq!(b[1] - b[0], 96);
        assert_eq!(b.len(), 3);
        let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap();
        let p = Period::parse(Some("2024-01-01"), None, d("2024-01-01"), kathmandu).unwrap();
        assert_eq!(p.boundaries()[1] - p.boundaries()[0], 96);
    }

    #[test]
    fn group_by_is_checked_and_labels_groups() {
        assert_eq!(GroupBy::parse(None).unwrap(), GroupBy::Day);
        assert!(GroupBy::parse(Some("week")).is_err());
        assert_eq!(GroupBy::Month.label(d("2024-01-20")), "2024-01");
        assert_eq!(GroupBy::Year.label(d("2024-01-20")), "2024");
    }
}
