//! The small languages inside scenario strings: durations, rates, times of
//! day and weekdays.
//!
//! A scenario writes quantities with their units ("15m", "50/h",
//! "20:00-08:00", "sat") so that a reader never has to guess whether a
//! number is in seconds or minutes. Each parser here takes the string as
//! written and returns the value in engine units (ticks, trucks per day,
//! minutes of the day) or a message that names the string and says what
//! was expected; the caller attaches the location.

use std::time::Duration;

use crate::engine::time::{DAY, HOUR, MINUTE, SECOND, Span, WEEK};

/// What a duration string should look like, for messages.
pub(super) const DURATION_EXAMPLES: &str = r#"a duration like "90s", "15m", "8h" or "1h 30m""#;

/// What a rate string should look like, for messages.
pub(super) const RATE_EXAMPLES: &str = r#"a rate like "50/h" or "1200/d""#;

/// What a time range should look like, for messages.
pub(super) const RANGE_EXAMPLES: &str = r#"a time range like "08:00-20:00" or "20:00-08:00""#;

/// Weekday names, Monday first; index = day of the week.
pub(super) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const FULL_WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Units a duration may use: ambiguous calendar units (months, years) and
/// sub-millisecond ones are left out.
const DURATION_UNITS: &[&str] = &[
    "ms", "msec", "millis", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute",
    "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "week", "weeks",
];

/// Parses a duration into ticks (milliseconds). A leading `-` is accepted
/// only when `signed` is true.
pub(super) fn duration(text: &str, signed: bool) -> Result<f64, String> {
    let trimmed = text.trim();
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    if negative && !signed {
        return Err(format!(
            "negative duration \"{text}\" is only allowed for punctuality offsets; expected {DURATION_EXAMPLES}"
        ));
    }
    if body.parse::<f64>().is_ok() {
        return Err(format!(
            "invalid duration \"{text}\": the number has no unit; expected {DURATION_EXAMPLES}"
        ));
    }
    check_units(text, body)?;
    let parsed = humantime::parse_duration(body).map_err(|e| {
        let reason = e.to_string();
        let reason = reason.trim_end_matches('.');
        format!("invalid duration \"{text}\" ({reason}); expected {DURATION_EXAMPLES}")
    })?;
    let ticks = parsed.as_secs_f64() * SECOND as f64;
    Ok(if negative { -ticks } else { ticks })
}

/// Rejects units that humantime knows but a port model should not use.
fn check_units(text: &str, body: &str) -> Result<(), String> {
    let units = body
        .split(|c: char| !c.is_alphabetic())
        .filter(|u| !u.is_empty());
    for unit in units {
        if !DURATION_UNITS.contains(&unit) {
            return Err(format!(
                "unknown unit `{unit}` in duration \"{text}\"; expected ms, s, m, h, d or w, as in {}",
                &DURATION_EXAMPLES["a duration like ".len()..]
            ));
        }
    }
    Ok(())
}

/// The units that make a sensible value of `key` from a bare number, in
/// the order a scenario would most likely mean them, and the range (in
/// ticks) a sensible value falls in.
fn sensible(key: &str) -> (&'static [(&'static str, Span)], Span, Span) {
    const S: (&str, Span) = ("s", SECOND);
    const M: (&str, Span) = ("m", MINUTE);
    const H: (&str, Span) = ("h", HOUR);
    const D: (&str, Span) = ("d", DAY);
    const W: (&str, Span) = ("w", WEEK);
    match key {
        // How long to simulate: days to years.
        "horizon" | "warmup" => (&[D, W, H], DAY, 5 * 365 * DAY),
        // A slot of a booking calendar: minutes to hours.
        "slot" => (&[M, H], 5 * MINUTE, DAY),
        // How far ahead a truck books: hours to weeks.
        "max_lead" => (&[H, D, M], 10 * MINUTE, 60 * DAY),
        // Service and gap times, their parameters, punctuality offsets.
        _ => (&[M, S, H], SECOND, DAY),
    }
}

/// For a duration written as a bare number (`"30"`, or `30`), a
/// did-you-mean with the units that give a sensible value of `key`: for a
/// service time `"30m" or "30s"`, for a horizon `"30d" or "30w"`.
pub(super) fn duration_hint(number: f64, key: &str) -> Option<String> {
    if !(number.is_finite() && number > 0.0) {
        return None;
    }
    let (units, lo, hi) = sensible(key);
    let fits: Vec<String> = units
        .iter()
        .filter(|(_, tick)| (lo as f64..=hi as f64).contains(&(number * *tick as f64)))
        .take(2)
        .map(|(unit, _)| format!("\"{number}{unit}\""))
        .collect();
    match fits.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [a, b, ..] => Some(format!("did you mean {a} or {b}?")),
    }
}

/// [`duration_hint`] for the text of a duration, when it is a bare number.
pub(super) fn text_hint(text: &str, key: &str) -> Option<String> {
    duration_hint(text.trim().parse().ok()?, key)
}

/// Parses a non-negative duration into whole ticks.
pub(super) fn span(text: &str) -> Result<Span, String> {
    let ticks = duration(text, false)?;
    Ok(crate::engine::time::ticks(ticks))
}

/// Formats ticks as a duration the way a scenario would write it.
pub(super) fn show_ticks(ticks: f64) -> String {
    if !ticks.is_finite() {
        return format!("{ticks}");
    }
    let sign = if ticks < 0.0 { "-" } else { "" };
    let ms = ticks.abs().round().min(u64::MAX as f64) as u64;
    let formatted = humantime::format_duration(Duration::from_millis(ms));
    format!("{sign}{formatted}")
}

/// The time units a rate may be per, with their common spellings.
const RATE_UNITS: &[(&[&str], Span)] = &[
    (&["s", "sec", "secs", "second", "seconds"], SECOND),
    (&["m", "min", "mins", "minute", "minutes"], MINUTE),
    (&["h", "hr", "hrs", "hour", "hours"], HOUR),
    (&["d", "day", "days"], DAY),
    (&["w", "wk", "wks", "week", "weeks"], WEEK),
];

/// Parses a rate into arrivals per day: "50/h", and the common spellings
/// "50/hr", "50 per hour", "50 trucks/h", "1200 trucks per day".
pub(super) fn rate_per_day(text: &str) -> Result<f64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let split = lower.split_once('/').or_else(|| lower.split_once(" per "));
    let Some((count, unit)) = split else {
        let hint = lower
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| format!("; did you mean \"{x}/d\" (per day) or \"{x}/h\" (per hour)?"))
            .unwrap_or_default();
        return Err(format!(
            "invalid rate \"{text}\"; expected {RATE_EXAMPLES} (a count per s, m, h, d or w){hint}"
        ));
    };
    let count = count.trim();
    let count = count
        .strip_suffix("trucks")
        .or_else(|| count.strip_suffix("truck"))
        .unwrap_or(count)
        .trim();
    let count: f64 = count.parse().map_err(|_| {
        format!("invalid rate \"{text}\": `{count}` is not a number; expected {RATE_EXAMPLES}")
    })?;
    let unit = unit.trim();
    let Some(per) = RATE_UNITS
        .iter()
        .find(|(names, _)| names.contains(&unit))
        .map(|(_, span)| *span)
    else {
        return Err(format!(
            "invalid rate \"{text}\": unknown unit `{unit}`; expected one of s, m, h, d, w, as in {}",
            &RATE_EXAMPLES["a rate like ".len()..]
        ));
    };
    if !count.is_finite() || count < 0.0 {
        return Err(format!(
            "rate \"{text}\" must be zero or more trucks per unit of time"
        ));
    }
    let mut per_day = count * DAY as f64 / per as f64;
    if per_day.is_infinite() {
        // `count × DAY` overflowed on the way; the rate may still be finite.
        per_day = count * (DAY as f64 / per as f64);
    }
    if !per_day.is_finite() {
        return Err(format!(
            "rate \"{text}\" is more trucks per day than a number can hold; expected {RATE_EXAMPLES}"
        ));
    }
    Ok(per_day)
}

/// A daily time range in minutes since midnight: `end <= start` means the
/// range wraps past midnight; "00:00-24:00" is `(0, 1440)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TimeRange {
    /// Start, minutes since midnight, in [0, 1440).
    pub start: u32,
    /// End, minutes since midnight, in [0, 1440].
    pub end: u32,
}

impl TimeRange {
    /// The range as `[start, end)` ticks from the midnight of its day; the
    /// end passes `DAY` when the range wraps.
    pub(super) fn ticks(self) -> (Span, Span) {
        let start = Span::from(self.start) * MINUTE;
        let mut end = Span::from(self.end) * MINUTE;
        if end <= start {
            end += DAY;
        }
        (start, end)
    }
}

/// Parses "HH:MM-HH:MM".
pub(super) fn time_range(text: &str) -> Result<TimeRange, String> {
    let bad = || format!("invalid time range \"{text}\"; expected {RANGE_EXAMPLES}");
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let start = time_of_day(from.trim()).ok_or_else(bad)?;
    let end = time_of_day(to.trim()).ok_or_else(bad)?;
    if start == 24 * 60 {
        return Err(format!(
            "time range \"{text}\" starts at 24:00; a range starts between 00:00 and 23:59"
        ));
    }
    if start == end {
        return Err(format!(
            "time range \"{text}\" is empty; use \"00:00-24:00\" for always open"
        ));
    }
    Ok(TimeRange { start, end })
}

/// Parses "HH:MM" (hours 0–24, 24 only as "24:00") into minutes.
fn time_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || m.len() != 2 || !all_digits(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Parses a weekday name ("mon" or "monday", any case) into 0 (Monday) to
/// 6 (Sunday).
pub(super) fn weekday(text: &str) -> Result<u8, String> {
    let lower = text.trim().to_ascii_lowercase();
    let found = WEEKDAYS
        .iter()
        .position(|d| *d == lower)
        .or_else(|| FULL_WEEKDAYS.iter().position(|d| *d == lower));
    match found {
        Some(i) => Ok(i as u8),
        None => Err(format!(
            "unknown weekday \"{text}\"; expected one of {}",
            WEEKDAYS.map(|d| format!("\"{d}\"")).join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units_and_combinations() {
        assert_eq!(duration("90s", false), Ok(90_000.0));
        assert_eq!(duration("15m", false), Ok(15.0 * MINUTE as f64));
        assert_eq!(duration("8h", false), Ok(8.0 * HOUR as f64));
        assert_eq!(duration("3d", false), Ok(3.0 * DAY as f64));
        assert_eq!(duration("1h 30m", false), Ok(90.0 * MINUTE as f64));
        assert_eq!(duration("500ms", false), Ok(500.0));
        assert_eq!(duration("2w", false), Ok(2.0 * WEEK as f64));
        assert_eq!(duration("0s", false), Ok(0.0));
        assert_eq!(span("1h 30m"), Ok(90 * MINUTE));
    }

    #[test]
    fn durations_reject_missing_or_ambiguous_units_and_signs() {
        for (text, part) in [
            ("90", "the number has no unit"),
            ("", "expected a duration like"),
            ("1M", "unknown unit `M`"),
            ("2y", "unknown unit `y`"),
            ("5 parsecs", "unknown unit `parsecs`"),
            ("-5m", "only allowed for punctuality"),
            ("m5", "invalid duration"),
        ] {
            let err = duration(text, false).unwrap_err();
            assert!(err.contains(part), "{text}: {err}");
        }
    }

    #[test]
    fn signed_durations_are_negative_offsets() {
        assert_eq!(duration("-10m", true), Ok(-10.0 * MINUTE as f64));
        assert_eq!(duration("- 1h 30m", true), Ok(-90.0 * MINUTE as f64));
    }

    #[test]
    fn durations_show_as_written() {
        assert_eq!(show_ticks(90.0 * MINUTE as f64), "1h 30m");
        assert_eq!(show_ticks(-600_000.0), "-10m");
        assert_eq!(show_ticks(0.0), "0s");
    }

    #[test]
    fn rates_convert_to_trucks_per_day() {
        assert_eq!(rate_per_day("50/h"), Ok(1200.0));
        assert_eq!(rate_per_day("1200/d"), Ok(1200.0));
        assert_eq!(rate_per_day("1200 / d"), Ok(1200.0));
        assert_eq!(rate_per_day("1/m"), Ok(1440.0));
        assert_eq!(rate_per_day("1/s"), Ok(86_400.0));
        assert_eq!(rate_per_day("7/w"), Ok(1.0));
        // Finite per hour, beyond any number per day.
        assert!(
            rate_per_day("1e308/h")
                .is_err_and(|e| e.contains("more trucks per day than a number can hold"))
        );
        assert!(rate_per_day("1e308/w").is_ok());
        assert_eq!(rate_per_day("2.5/h"), Ok(60.0));
    }

    #[test]
    fn rates_take_common_spellings() {
        for text in [
            "20/hr",
            "20/hour",
            "20 per hour",
            "20 trucks/h",
            "20 trucks per hr",
            "20/HRS",
        ] {
            assert_eq!(rate_per_day(text), Ok(480.0), "{text}");
        }
        assert_eq!(rate_per_day("7 per week"), Ok(1.0));
        assert_eq!(rate_per_day("1200 per day"), Ok(1200.0));
        let e = rate_per_day("1200").unwrap_err();
        assert!(e.contains("did you mean \"1200/d\""), "{e}");
    }

    #[test]
    fn a_bare_number_gets_the_units_that_fit_its_key() {
        assert_eq!(
            duration_hint(30.0, "service").as_deref(),
            Some("did you mean \"30m\" or \"30s\"?")
        );
        assert_eq!(
            duration_hint(30.0, "horizon").as_deref(),
            Some("did you mean \"30d\" or \"30w\"?")
        );
        // 3000 minutes is more than a day of service: seconds or hours? 3000 s.
        assert_eq!(
            duration_hint(3000.0, "mean").as_deref(),
            Some("did you mean \"3000s\"?")
        );
        assert_eq!(
            duration_hint(90.0, "slot").as_deref(),
            Some("did you mean \"90m\"?")
        );
        assert_eq!(
            duration_hint(48.0, "max_lead").as_deref(),
            Some("did you mean \"48h\" or \"48d\"?")
        );
        assert_eq!(duration_hint(0.0, "service"), None);
        assert_eq!(
            text_hint(" 30 ", "warmup").as_deref(),
            Some("did you mean \"30d\" or \"30w\"?")
        );
        assert_eq!(text_hint("30x", "warmup"), None);
    }

    #[test]
    fn bad_rates_say_what_was_expected() {
        for (text, part) in [
            ("1200", "expected a rate like"),
            ("x/h", "`x` is not a number"),
            ("5/fortnight", "unknown unit `fortnight`"),
            ("-3/h", "must be zero or more"),
            ("nan/h", "must be zero or more"),
        ] {
            let err = rate_per_day(text).unwrap_err();
            assert!(err.contains(part), "{text}: {err}");
        }
        // No demand at all is a valid "what if".
        assert_eq!(rate_per_day("0/h"), Ok(0.0));
    }

    #[test]
    fn time_ranges_plain_wrapping_and_whole_day() {
        assert_eq!(
            time_range("08:00-20:00"),
            Ok(TimeRange {
                start: 480,
                end: 1200
            })
        );
        let night = time_range("20:00-08:00").unwrap();
        assert_eq!(night.ticks(), (20 * HOUR, DAY + 8 * HOUR));
        let all = time_range("00:00-24:00").unwrap();
        assert_eq!(all.ticks(), (0, DAY));
        assert_eq!(time_range("9:30 - 13:00").unwrap().start, 570);
    }

    #[test]
    fn bad_time_ranges_are_rejected() {
        for (text, part) in [
            ("08:00-08:00", "is empty"),
            ("00:00-00:00", "is empty"),
            ("24:00-08:00", "starts at 24:00"),
            ("8-20", "expected a time range like"),
            ("08:00-25:00", "expected a time range like"),
            ("08:60-09:00", "expected a time range like"),
            ("24:30-01:00", "expected a time range like"),
            ("08:00", "expected a time range like"),
        ] {
            let err = time_range(text).unwrap_err();
            assert!(err.contains(part), "{text}: {err}");
        }
    }

    #[test]
    fn weekdays_short_full_any_case() {
        assert_eq!(weekday("mon"), Ok(0));
        assert_eq!(weekday("Sunday"), Ok(6));
        assert_eq!(weekday("WED"), Ok(2));
        assert!(weekday("funday").unwrap_err().contains("\"mon\", \"tue\""));
    }
}
