//! The trace of one replication (`portsim run --trace`) as an event log:
//! the plain layout of docs/event-log.md, `truck,time,event,stage,lane,class`,
//! one row per recorded event in time order, which `portsim calibrate`
//! reads back as it is.
//!
//! Times are local date-times to the second (`2024-01-01T08:15:30`, the
//! milliseconds dropped), counted from the midnight of the scenario's
//! dated `start`. A scenario without a date starts in the week of the
//! reference Monday [`REFERENCE_MONDAY`] (2024-01-01), on its `start`
//! weekday, so weekly calendars and the weekdays in the log agree. The
//! `lane` column is always empty: portsim's lanes are pooled, so a service
//! has no lane of its own. The `class` column holds the truck's class name
//! when the scenario has more than one class, and is empty otherwise.

use chrono::{Days, NaiveDate};

use crate::engine::time::{DAY, SECOND, Time};
use crate::model::trace::{NO_STAGE, Trace};
use crate::scenario::Scenario;

/// The day a scenario without a date starts in the week of: Monday
/// 2024-01-01, as days since 1970-01-01.
pub const REFERENCE_MONDAY: i64 = 19_723;

/// The date of day 0 of `scenario`, as days since 1970-01-01.
pub fn day_zero(scenario: &Scenario) -> i64 {
    scenario
        .start_date
        .unwrap_or(REFERENCE_MONDAY + i64::from(scenario.start))
}

/// The date `days` after 1970-01-01 as `YYYY-MM-DD` (far dates clamp).
fn date(days: i64) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let d = u64::try_from(days)
        .ok()
        .and_then(|n| epoch.checked_add_days(Days::new(n)))
        .unwrap_or(epoch);
    d.format("%Y-%m-%d").to_string()
}

/// Writes `t` (ticks since day 0, on `day0`) into `out` as a local
/// date-time to the second, reusing the date text of the last day.
fn date_time(out: &mut String, t: Time, day0: i64, last: &mut (i64, String)) {
    let day = day0 + (t / DAY) as i64;
    if last.0 != day || last.1.is_empty() {
        *last = (day, date(day));
    }
    let s = t % DAY / SECOND;
    out.clear();
    out.push_str(&last.1);
    out.push_str(&format!(
        "T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    ));
}

/// The trace as CSV bytes, with its header.
pub fn csv(scenario: &Scenario, trace: &Trace) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(trace.rows.len() * 48));
    let day0 = day_zero(scenario);
    let classes = scenario.classes.len() > 1;
    let mut last = (0, String::new());
    let (mut time, mut truck) = (String::new(), String::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(["truck", "time", "event", "stage", "lane", "class"]);
    for row in &trace.rows {
        date_time(&mut time, row.time, day0, &mut last);
        truck.clear();
        truck.push_str(&row.truck.to_string());
        let stage = match row.stage {
            NO_STAGE => "",
            s => scenario
                .stages
                .get(usize::from(s))
                .map_or("", |s| s.name.as_str()),
        };
        let class = if classes {
            scenario
                .classes
                .get(usize::from(row.class))
                .map_or("", |c| c.name.as_str())
        } else {
            ""
        };
        let _ = w.write_record([
            truck.as_str(),
            time.as_str(),
            row.event.name(),
            stage,
            "",
            class,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_monday_is_a_monday_and_dates_are_civil() {
        assert_eq!(date(REFERENCE_MONDAY), "2024-01-01");
        // 2024-01-01 was a Monday: 1970-01-01 was a Thursday (day 3).
        assert_eq!((REFERENCE_MONDAY + 3) % 7, 0);
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(REFERENCE_MONDAY + 60), "2024-03-01");
    }

    #[test]
    fn times_are_written_to_the_second() {
        let mut out = String::new();
        let mut last = (0, String::new());
        let t = 2 * DAY + 8 * 3_600_000 + 15 * 60_000 + 30_999;
        date_time(&mut out, t, REFERENCE_MONDAY, &mut last);
        assert_eq!(out, "2024-01-03T08:15:30");
    }
}
