//! Time as stored (integer microseconds since the epoch, UTC) and as parsed from input.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Microseconds since the Unix epoch, UTC: the one stored representation of a point in time.
pub type Timestamp = i64;

pub fn now() -> Timestamp {
    Utc::now().timestamp_micros()
}

pub fn to_datetime(ts: Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(ts).unwrap_or_default()
}

/// RFC 3339 with `Z` and whole seconds, as `ops_v1` writes times.
pub fn rfc3339(ts: Timestamp) -> String {
    to_datetime(ts).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `YYYY-MM-DD HH:MM:SS` in `tz`, as `admin_v1` writes times.
pub fn local_seconds(ts: Timestamp, tz: Tz) -> String {
    to_datetime(ts)
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff` in `tz`, as `account` (Django) writes times.
pub fn local_micros(ts: Timestamp, tz: Tz) -> String {
    to_datetime(ts)
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string()
}

/// Parses every input format of decisions §0: RFC 3339, `YYYY-MM-DDTHH:MM:SS`,
/// `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM` and `YYYY-MM-DD`; a value without an offset is
/// read in `tz`. Returns `None` for anything else.
pub fn parse(input: &str, tz: Tz) -> Option<Timestamp> {
    let s = input.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).timestamp_micros());
    }
    const NAIVE: [&str; 5] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ];
    let naive = NAIVE
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|dt| dt.with_timezone(&Utc).timestamp_micros())
}

/// A list filter's bound as an instant of the half-open range `[from, before)`: a start is
/// the instant itself; an end given as a bare date includes that whole day, an end with a time
/// includes that instant. `None` when `input` is not a time ([`parse`]). Every list and export
/// with a date-time range filter reads it here.
pub fn bound(input: &str, tz: Tz, end: bool) -> Option<Timestamp> {
    let s = input.trim();
    let ts = parse(s, tz)?;
    Some(match (end, s.len() == 10) {
        (true, true) => ts + 24 * 3_600_000_000,
        (true, false) => ts + 1,
        (false, _) => ts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_format() {
        let utc = chrono_tz::UTC;
        let expected = Utc
            .with_ymd_and_hms(2026, 3, 31, 18, 0, 0)
            .unwrap()
            .timestamp_micros();
        for input in [
            "2026-03-31T18:00:00Z",
            "2026-03-31T18:00:00",
            "2026-03-31 18:00:00",
            "2026-03-31 18:00",
        ] {
            assert_eq!(parse(input, utc), Some(expected), "{input}");
        }
        assert_eq!(parse("2026-03-31T20:00:00+02:00", utc), Some(expected));
        assert_eq!(
            parse("2026-03-31", utc),
            Some(expected - 18 * 3_600_000_000)
        );
        assert_eq!(parse("31/03/2026", utc), None);
        assert_eq!(parse("", utc), None);
    }

    #[test]
    fn naive_input_is_read_in_the_configured_zone() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let ts = parse("2026-03-31 08:00:00", shanghai).unwrap();
        assert_eq!(rfc3339(ts), "2026-03-31T00:00:00Z");
        assert_eq!(local_seconds(ts, shanghai), "2026-03-31 08:00:00");
        assert_eq!(
            local_micros(ts, chrono_tz::UTC),
            "2026-03-31T00:00:00.000000"
        );
    }
}
