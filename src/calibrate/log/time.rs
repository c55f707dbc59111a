//! Times in a log: local date-times read into whole seconds.
//!
//! The plain layout writes ISO 8601 local date-times (`2025-03-10T08:15`,
//! seconds optional, a space instead of the `T` accepted, a fraction of a
//! second accepted and dropped). A mapped layout names its own format in
//! chrono's strftime syntax (`%d/%m/%Y %H:%M`), which is why the layer
//! uses chrono rather than jiff: the issue fixes that syntax, chrono is the
//! crate whose syntax it is, and its `StrftimeItems` can be parsed once
//! and reused for every row (jiff's `strtime` differs in details such as
//! `%-d` and would read some formats differently). The ISO form, which is
//! the common case, has a hand-written reader: a million rows parse in a
//! few milliseconds without going through a format interpreter.
//!
//! Times are local and naive: no time zone, no daylight-saving shifts (a
//! log that crosses one shows an hour's gap or overlap, and durations
//! across it are off by that hour). A time is held as whole seconds since
//! 1970-01-01T00:00 on the log's own clock, so the weekday and the hour of
//! day come out by integer division.

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{Datelike, NaiveDate};

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Seconds in an hour.
pub const HOUR: i64 = 3_600;

/// How a log writes its times.
#[derive(Clone, Debug)]
pub enum TimeFormat {
    /// ISO 8601 local date-time.
    Iso,
    /// A chrono strftime format, parsed once.
    Strftime {
        /// The format as written in the map file.
        text: String,
        /// Its items.
        items: Vec<Item<'static>>,
    },
}

impl TimeFormat {
    /// A strftime format, checked: it must parse, and it must give a date
    /// and a time of day (a round trip of a known instant through it).
    pub fn strftime(text: &str) -> Result<TimeFormat, String> {
        let items = StrftimeItems::new(text)
            .parse_to_owned()
            .map_err(|_| format!("`{text}` is not a valid strftime format"))?;
        let format = TimeFormat::Strftime {
            text: text.to_owned(),
            items,
        };
        let probe = NaiveDate::from_ymd_opt(2025, 3, 10)
            .and_then(|d| d.and_hms_opt(8, 15, 0))
            .ok_or("internal: probe date")?;
        let shown = probe.format_with_items(format.items().iter()).to_string();
        match format.parse(&shown) {
            Some(t) if t == seconds(probe) => Ok(format),
            _ => Err(format!(
                "the format `{text}` does not give both a date and a time of day (it writes 2025-03-10 08:15 as `{shown}`)"
            )),
        }
    }

    fn items(&self) -> &[Item<'static>] {
        match self {
            TimeFormat::Iso => &[],
            TimeFormat::Strftime { items, .. } => items,
        }
    }

    /// What the format expects, for messages.
    pub fn expected(&self) -> String {
        match self {
            TimeFormat::Iso => {
                "an ISO 8601 local date-time such as `2025-03-10T08:15` (seconds optional, a space allowed instead of `T`)".to_owned()
            }
            TimeFormat::Strftime { text, .. } => format!("a time in the map's format `{text}`"),
        }
    }

    /// Seconds since 1970-01-01T00:00, or `None` when `text` is not a
    /// time in this format.
    pub fn parse(&self, text: &str) -> Option<i64> {
        match self {
            TimeFormat::Iso => iso(text.trim()),
            TimeFormat::Strftime { items, .. } => {
                let mut parsed = Parsed::new();
                chrono::format::parse(&mut parsed, text.trim(), items.iter()).ok()?;
                let time = parsed.to_naive_datetime_with_offset(0).ok()?;
                Some(seconds(time))
            }
        }
    }
}

fn seconds(t: chrono::NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// Reads `n` ASCII digits from the front of `b`.
fn digits(b: &[u8], n: usize) -> Option<u32> {
    let part = b.get(..n)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]`.
fn iso(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b' ')
        || b[13] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(b, 4)?, digits(&b[5..], 2)?, digits(&b[8..], 2)?);
    let (hour, minute) = (digits(&b[11..], 2)?, digits(&b[14..], 2)?);
    let second = match &b[16..] {
        [] => 0,
        [b':', rest @ ..] => {
            let s = digits(rest, 2)?;
            match &rest[2..] {
                [] => s,
                [b'.', frac @ ..] if !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) => s,
                _ => return None,
            }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = date.and_hms_opt(hour, minute, second)?;
    Some(seconds(time))
}

/// The weekday of a time, Monday = 0.
pub fn weekday(t: i64) -> usize {
    // 1970-01-01 was a Thursday (3).
    ((t.div_euclid(DAY) + 3).rem_euclid(7)) as usize
}

/// The hour of day of a time, 0 to 23.
pub fn hour(t: i64) -> usize {
    (t.rem_euclid(DAY) / HOUR) as usize
}

/// The midnight that starts the day of `t`.
pub fn midnight(t: i64) -> i64 {
    t - t.rem_euclid(DAY)
}

/// `YYYY-MM-DD` of a time.
pub fn date(t: i64) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(d) => {
            let d = d.naive_utc().date();
            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        }
        None => "?".to_owned(),
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` of a time (seconds only when not zero).
pub fn show(t: i64) -> String {
    let s = t.rem_euclid(DAY);
    let (h, m, sec) = (s / HOUR, s % HOUR / 60, s % 60);
    if sec == 0 {
        format!("{}T{h:02}:{m:02}", date(t))
    } else {
        format!("{}T{h:02}:{m:02}:{sec:02}", date(t))
    }
}

/// Short weekday names, Monday first, as the scenario format writes them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_with_and_without_seconds() {
        let f = TimeFormat::Iso;
        let a = f.parse("2025-03-10T08:15").unwrap();
        assert_eq!(f.parse("2025-03-10 08:15"), Some(a));
        assert_eq!(f.parse("2025-03-10T08:15:00"), Some(a));
        assert_eq!(f.parse("2025-03-10T08:15:30"), Some(a + 30));
        assert_eq!(f.parse("2025-03-10T08:15:30.250"), Some(a + 30));
        assert_eq!(show(a), "2025-03-10T08:15");
        // 2025-03-10 is a Monday.
        assert_eq!(weekday(a), 0);
        assert_eq!(hour(a), 8);
        assert_eq!(date(a), "2025-03-10");
        for bad in [
            "2025-03-10",
            "2025-02-30T08:15",
            "2025-03-10T25:00",
            "10/03/2025 08:15",
            "2025-03-10T08:15:3",
            "2025-03-10T08:15Z",
        ] {
            assert_eq!(f.parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn strftime_formats_are_checked_and_read() {
        let f = TimeFormat::strftime("%d/%m/%Y %H:%M").unwrap();
        assert_eq!(
            f.parse("10/03/2025 08:15"),
            TimeFormat::Iso.parse("2025-03-10T08:15")
        );
        assert_eq!(f.parse("2025-03-10T08:15"), None);
        let e = TimeFormat::strftime("%d/%m/%Y").unwrap_err();
        assert!(e.contains("date and a time"), "{e}");
        assert!(TimeFormat::strftime("%Q").is_err());
    }
}
