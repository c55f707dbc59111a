//! How the days of a measured period are named, the same way in every
//! output: `day 1 (Mon)` in tables and charts, and in CSV a `day` column
//! counted from 1 with a `weekday` column beside it.
//!
//! Day 1 is the first day of the measured period: it starts when the
//! warm-up ends, and its weekday is the scenario's `start` weekday moved on
//! by the warm-up's whole days (a day that starts in the middle of a
//! calendar day takes that calendar day's weekday).

use crate::engine::time::DAY;
use crate::scenario::Scenario;

/// Short weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The weekday of day `n` (counted from 1) of the measured period.
pub fn weekday(s: &Scenario, n: usize) -> &'static str {
    let first = u64::from(s.start) + s.warmup / DAY;
    let index = (first + n.saturating_sub(1) as u64) % 7;
    WEEKDAYS[index as usize]
}

/// `day 3 (Wed)`.
pub fn label(s: &Scenario, n: usize) -> String {
    format!("day {n} ({})", weekday(s, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;
    use std::path::Path;

    fn scenario(start: &str, warmup: &str) -> Scenario {
        let text = format!(
            "name = \"x\"\nhorizon = \"7d\"\nwarmup = \"{warmup}\"\nstart = \"{start}\"\n[demand]\nrate = \"1/h\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = \"1m\"\n"
        );
        parse(&text, Path::new("x.toml")).expect("scenario")
    }

    #[test]
    fn day_one_is_the_first_measured_day() {
        let s = scenario("mon", "0s");
        assert_eq!(
            (label(&s, 1), label(&s, 7), label(&s, 8)),
            (
                "day 1 (Mon)".into(),
                "day 7 (Sun)".into(),
                "day 8 (Mon)".into()
            )
        );
        // Two days of warm-up from a Saturday: measuring starts on Monday.
        assert_eq!(weekday(&scenario("sat", "2d"), 1), "Mon");
        // Half a day of warm-up: day 1 starts on the start weekday.
        assert_eq!(weekday(&scenario("fri", "12h"), 1), "Fri");
    }
}
