//! Calendar dates in scenario strings: `"2024-03-01"` and inclusive
//! ranges `"2024-03-01..2024-03-15"`.
//!
//! A dated `start` fixes which calendar day simulated day 0 is; closures
//! and demand seasons name dates, which become intervals of simulated
//! time from it. Dates are proleptic Gregorian, held as days since
//! 1970-01-01 (a Thursday), so the weekday of any date follows by
//! arithmetic and February 30 is refused rather than rolled over.

/// Days since 1970-01-01 of year `y`, month `m` (1–12), day `d`, which
/// must be valid (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `text` looks like a date (starts with a digit), as opposed to
/// a weekday name.
pub(super) fn looks_like_date(text: &str) -> bool {
    text.trim().starts_with(|c: char| c.is_ascii_digit())
}

/// Parses `"YYYY-MM-DD"` into days since 1970-01-01.
pub(super) fn date(text: &str) -> Result<i64, String> {
    let bad = || format!("invalid date \"{text}\"; expected a date like \"2024-03-01\"");
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(bad());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) {
        return Err(format!(
            "invalid date \"{text}\": there is no month {m} (months are 01 to 12)"
        ));
    }
    let last = days_in_month(y, m);
    if d == 0 || d > last {
        return Err(format!(
            "invalid date \"{text}\": that month has {last} days"
        ));
    }
    Ok(days_from_civil(y, m, d))
}

/// Parses a date or an inclusive range `"FROM..TO"` into its first and
/// last day (days since 1970-01-01).
pub(super) fn date_range(text: &str) -> Result<(i64, i64), String> {
    match text.split_once("..") {
        None => date(text).map(|d| (d, d)),
        Some((from, to)) => {
            let (from_day, to_day) = (date(from)?, date(to)?);
            if to_day < from_day {
                return Err(format!(
                    "the date range \"{text}\" runs backwards; write the earlier date first"
                ));
            }
            Ok((from_day, to_day))
        }
    }
}

/// The weekday (Monday = 0) of a day counted from 1970-01-01.
pub(super) fn weekday_of(day: i64) -> u8 {
    // 1970-01-01 was a Thursday (3).
    (day + 3).rem_euclid(7) as u8
}

/// The date of a day counted from 1970-01-01, as `"YYYY-MM-DD"`.
pub(super) fn show(day: i64) -> String {
    // Hinnant's `civil_from_days`.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_and_weekdays() {
        assert_eq!(date("1970-01-01"), Ok(0));
        assert_eq!(date("2000-03-01"), Ok(11_017));
        // 2024-03-01 was a Friday; 2024-02-29 existed.
        let d = date("2024-03-01").unwrap();
        assert_eq!(weekday_of(d), 4);
        assert_eq!(date("2024-02-29"), Ok(d - 1));
        assert_eq!(weekday_of(date("2026-12-02").unwrap()), 2, "a Wednesday");
        for text in ["1999-12-31", "2024-02-29", "2100-02-28", "1969-07-20"] {
            assert_eq!(show(date(text).unwrap()), text);
        }
    }

    #[test]
    fn bad_dates_are_refused() {
        for (text, says) in [
            ("2024-02-30", "that month has 29 days"),
            ("2023-02-29", "that month has 28 days"),
            ("2024-13-01", "no month 13"),
            ("2024-3-1", "expected a date like"),
            ("2024-00-10", "no month 0"),
            ("2024-01-00", "31 days"),
            ("yesterday", "expected a date like"),
        ] {
            let e = date(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn ranges_are_inclusive_and_forwards() {
        let (a, b) = date_range("2024-03-01..2024-03-03").unwrap();
        assert_eq!(b - a, 2);
        assert_eq!(date_range("2024-03-01"), Ok((a, a)));
        let e = date_range("2024-03-03..2024-03-01").unwrap_err();
        assert!(e.contains("runs backwards"), "{e}");
        assert!(date_range("2024-03-01..2024-02-30").is_err());
    }
}
