//! Opening hours and shift tables, turned into weekly calendars.
//!
//! A scenario says when things are open with daily time ranges on chosen
//! weekdays ("09:00-13:00" on "mon".."fri"), and how many lanes are staffed
//! with a count or a shift table. Both become a [`Pattern`]: intervals of
//! the week, each with a value. A range that wraps past midnight runs into
//! the next day (Sunday night runs into Monday morning). A stage's capacity
//! is lanes × open, sampled at the union of both patterns' breakpoints.
//!
//! The resulting [`WeeklyCalendar`] is shifted so that simulated time zero
//! is midnight at the start of the run's first weekday: the calendar's week
//! starts on Monday, so `origin = start × DAY`.

use super::units::TimeRange;
use crate::engine::calendar::WeeklyCalendar;
use crate::engine::time::{DAY, Span, WEEK};

/// Every day of the week.
pub(super) const EVERY_DAY: [bool; 7] = [true; 7];

/// A weekly step function given as intervals of the week.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pattern {
    /// `(start, end, value)`: week offsets from Monday 00:00, `start` in
    /// `[0, WEEK)`, `end` after `start` and possibly past `WEEK` (wraps).
    intervals: Vec<(Span, Span, u32)>,
    /// Whether overlapping values add up (lanes of overlapping shifts) or
    /// the largest wins (opening hours: open is open).
    add: bool,
}

impl Pattern {
    /// The same value all week.
    pub fn constant(value: u32) -> Self {
        Pattern {
            intervals: vec![(0, WEEK, value)],
            add: false,
        }
    }

    /// 1 during `ranges` on the days in `days` (ranges start on those days),
    /// else 0.
    pub fn open(ranges: &[TimeRange], days: &[bool; 7]) -> Self {
        let mut pattern = Pattern {
            intervals: Vec::new(),
            add: false,
        };
        pattern.extend(ranges, days, 1);
        pattern
    }

    /// An empty pattern whose overlapping intervals add up.
    pub fn shifts() -> Self {
        Pattern {
            intervals: Vec::new(),
            add: true,
        }
    }

    /// Adds `value` during `ranges` on `days`.
    pub fn extend(&mut self, ranges: &[TimeRange], days: &[bool; 7], value: u32) {
        for (day, _) in days.iter().enumerate().filter(|(_, on)| **on) {
            let midnight = day as Span * DAY;
            for range in ranges {
                let (start, end) = range.ticks();
                self.intervals
                    .push((midnight + start, midnight + end, value));
            }
        }
    }

    /// The value at week offset `t` (in `[0, WEEK)`).
    pub fn value_at(&self, t: Span) -> u32 {
        let covering = self
            .intervals
            .iter()
            .filter(|&&(start, end, _)| (start <= t && t < end) || (end > WEEK && t < end - WEEK))
            .map(|i| i.2);
        if self.add {
            covering.fold(0, u32::saturating_add)
        } else {
            covering.max().unwrap_or(0)
        }
    }

    /// Week offsets where the value may change.
    fn breakpoints(&self) -> impl Iterator<Item = Span> + '_ {
        self.intervals
            .iter()
            .flat_map(|&(start, end, _)| [start % WEEK, end % WEEK])
    }
}

/// The calendar of `a × b`, with simulated time zero at the midnight that
/// starts weekday `start` (Monday = 0).
pub(super) fn product(a: &Pattern, b: &Pattern, start: u8) -> WeeklyCalendar {
    let mut points: Vec<Span> = std::iter::once(0)
        .chain(a.breakpoints())
        .chain(b.breakpoints())
        .collect();
    points.sort_unstable();
    points.dedup();
    let steps = points
        .into_iter()
        .map(|t| (t, a.value_at(t).saturating_mul(b.value_at(t))))
        .collect();
    WeeklyCalendar::from_steps(steps, Span::from(start) * DAY)
}

/// The calendar of one pattern.
pub(super) fn calendar(pattern: &Pattern, start: u8) -> WeeklyCalendar {
    product(pattern, &Pattern::constant(1), start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::HOUR;
    use crate::scenario::units::time_range;

    fn ranges(list: &[&str]) -> Vec<TimeRange> {
        list.iter().map(|r| time_range(r).unwrap()).collect()
    }

    #[test]
    fn wrapping_range_runs_into_the_next_morning() {
        let mut days = [false; 7];
        days[0] = true;
        let cal = calendar(&Pattern::open(&ranges(&["20:00-08:00"]), &days), 0);
        assert_eq!(cal.value_at(19 * HOUR), 0);
        assert_eq!(cal.value_at(21 * HOUR), 1);
        assert_eq!(cal.value_at(DAY + 7 * HOUR), 1);
        assert_eq!(cal.value_at(DAY + 8 * HOUR), 0);
        assert_eq!(cal.value_at(DAY + 21 * HOUR), 0);
    }

    #[test]
    fn sunday_night_wraps_into_monday() {
        let mut days = [false; 7];
        days[6] = true;
        let cal = calendar(&Pattern::open(&ranges(&["22:00-06:00"]), &days), 0);
        assert_eq!(cal.value_at(3 * HOUR), 1);
        assert_eq!(cal.value_at(7 * HOUR), 0);
        assert_eq!(cal.value_at(6 * DAY + 23 * HOUR), 1);
    }

    #[test]
    fn whole_days_are_always_open() {
        let cal = calendar(&Pattern::open(&ranges(&["00:00-24:00"]), &EVERY_DAY), 3);
        assert!(cal.is_constant());
        assert_eq!(cal.value_at(5 * HOUR), 1);
    }

    #[test]
    fn lanes_times_opening_hours() {
        let mut lanes = Pattern::shifts();
        lanes.extend(&ranges(&["08:00-20:00"]), &EVERY_DAY, 6);
        lanes.extend(&ranges(&["20:00-08:00"]), &EVERY_DAY, 2);
        let open = Pattern::open(&ranges(&["06:00-22:00"]), &EVERY_DAY);
        let cal = product(&lanes, &open, 0);
        assert_eq!(cal.value_at(3 * HOUR), 0);
        assert_eq!(cal.value_at(7 * HOUR), 2);
        assert_eq!(cal.value_at(12 * HOUR), 6);
        assert_eq!(cal.value_at(21 * HOUR), 2);
        assert_eq!(cal.value_at(23 * HOUR), 0);
    }

    #[test]
    fn start_day_shifts_the_calendar() {
        let mut days = [false; 7];
        days[2] = true;
        let open = Pattern::open(&ranges(&["09:00-17:00"]), &days);
        let from_monday = calendar(&open, 0);
        let from_wednesday = calendar(&open, 2);
        assert_eq!(from_monday.value_at(10 * HOUR), 0);
        assert_eq!(from_monday.value_at(2 * DAY + 10 * HOUR), 1);
        assert_eq!(from_wednesday.value_at(10 * HOUR), 1);
        assert_eq!(from_wednesday.value_at(DAY + 10 * HOUR), 0);
    }
}
