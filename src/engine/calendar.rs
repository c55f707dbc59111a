//! Capacities that follow a weekly calendar.
//!
//! A [`WeeklyCalendar`] is a step function of time that repeats every week:
//! lanes open and close by time of day and day of week. It answers two
//! questions a model asks: "what is the value now?" and "when does it next
//! change?", so the model schedules one event per change instead of polling.
//!
//! Time zero of a run falls at `origin` into the week (a run that starts on
//! a Wednesday has `origin = 2 * DAY` when weeks start on Monday). How the
//! steps are written in a file is the scenario reader's business; the
//! calendar only holds validated steps.
//!
//! A [`Calendar`] is a weekly calendar with dated exceptions on top:
//! intervals of simulated time in which the value is zero (a holiday, a
//! closure for works). It answers the same two questions, so a model that
//! follows a `Calendar` needs nothing else to honour closures.

use super::time::{Span, Time, WEEK};

/// A step function of time that repeats weekly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyCalendar {
    /// `(offset into the week, value from there on)`, sorted, the first at 0,
    /// no two consecutive values equal.
    steps: Vec<(Span, u32)>,
    /// Offset into the week of simulated time zero.
    origin: Span,
}

impl WeeklyCalendar {
    /// A calendar that always has `value`.
    pub fn constant(value: u32) -> Self {
        WeeklyCalendar {
            steps: vec![(0, value)],
            origin: 0,
        }
    }

    /// Builds a calendar from a value per minute-of-week function sampled at
    /// the given change points. `steps` lists `(offset into the week, value)`
    /// pairs in any order; offsets are taken modulo a week, a missing step at
    /// offset 0 takes the value of the last step (the week wraps), and later
    /// duplicates of an offset win.
    pub fn from_steps(mut steps: Vec<(Span, u32)>, origin: Span) -> Self {
        for step in &mut steps {
            step.0 %= WEEK;
        }
        // Stable sort keeps later duplicates after earlier ones.
        steps.sort_by_key(|s| s.0);
        let mut merged: Vec<(Span, u32)> = Vec::with_capacity(steps.len() + 1);
        for (offset, value) in steps {
            match merged.last_mut() {
                Some(last) if last.0 == offset => last.1 = value,
                _ => merged.push((offset, value)),
            }
        }
        if merged.first().is_none_or(|s| s.0 != 0) {
            let wrap = merged.last().map_or(0, |s| s.1);
            merged.insert(0, (0, wrap));
        }
        merged.dedup_by(|later, earlier| later.1 == earlier.1);
        WeeklyCalendar {
            steps: merged,
            origin: origin % WEEK,
        }
    }

    /// Builds a calendar from a value per time slot: `slot` ticks wide, one
    /// value per slot, covering the week (`values.len() * slot == WEEK`).
    pub fn from_slots(slot: Span, values: &[u32], origin: Span) -> Self {
        let steps = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as Span * slot, v))
            .collect();
        Self::from_steps(steps, origin)
    }

    /// The same calendar with every value passed through `f` (for example
    /// half the lanes in every shift).
    pub fn map_values(&self, f: impl Fn(u32) -> u32) -> Self {
        let steps = self.steps.iter().map(|&(t, v)| (t, f(v))).collect();
        let mut out = Self::from_steps(steps, 0);
        out.origin = self.origin;
        out
    }

    /// Whether the value never changes.
    pub fn is_constant(&self) -> bool {
        self.steps.len() == 1
    }

    /// The value at time `t`.
    pub fn value_at(&self, t: Time) -> u32 {
        let offset = self.offset(t);
        let i = self.steps.partition_point(|s| s.0 <= offset);
        self.steps[i.saturating_sub(1)].1
    }

    /// The first time strictly after `t` at which the value changes, or
    /// `None` if it never does.
    pub fn next_change(&self, t: Time) -> Option<Time> {
        if self.is_constant() {
            return None;
        }
        let offset = self.offset(t);
        let i = self.steps.partition_point(|s| s.0 <= offset);
        let delta = match self.steps.get(i) {
            Some(step) => step.0 - offset,
            // Past the last step: the week wraps. The value at offset 0 may
            // equal the last one, and then the change is the second step.
            None => {
                let first = self.steps[0].1;
                let last = self.steps[self.steps.len() - 1].1;
                if first == last {
                    WEEK - offset + self.steps[1].0
                } else {
                    WEEK - offset
                }
            }
        };
        t.checked_add(delta)
    }

    /// The smallest and largest value over the week.
    pub fn range(&self) -> (u32, u32) {
        let min = self.steps.iter().map(|s| s.1).min().unwrap_or(0);
        let max = self.steps.iter().map(|s| s.1).max().unwrap_or(0);
        (min, max)
    }

    /// The average value over a week.
    pub fn weekly_mean(&self) -> f64 {
        let mut total = 0.0;
        for (i, &(start, value)) in self.steps.iter().enumerate() {
            let end = self.steps.get(i + 1).map_or(WEEK, |s| s.0);
            total += f64::from(value) * (end - start) as f64;
        }
        total / WEEK as f64
    }

    /// The area under the calendar over `[from, to)`: value × ticks, exact
    /// (for lanes, lane-ticks on duty).
    pub fn integral(&self, from: Time, to: Time) -> u128 {
        let mut total = 0u128;
        let mut t = from;
        while t < to {
            let end = self.next_change(t).map_or(to, |c| c.min(to));
            total += u128::from(self.value_at(t)) * u128::from(end - t);
            t = end;
        }
        total
    }

    /// The pointwise combination `f(self(t), other(t))` of two calendars
    /// (for example "open in both": `min`), with `self`'s origin.
    pub fn combine(&self, other: &WeeklyCalendar, f: impl Fn(u32, u32) -> u32) -> Self {
        // Change points in simulated time over one week, from both.
        let mut times: Vec<Time> = [self, other]
            .iter()
            .flat_map(|c| c.steps.iter().map(|s| (s.0 + WEEK - c.origin) % WEEK))
            .collect();
        times.sort_unstable();
        times.dedup();
        let steps = times
            .into_iter()
            .map(|t| {
                (
                    (t + self.origin) % WEEK,
                    f(self.value_at(t), other.value_at(t)),
                )
            })
            .collect();
        let mut out = Self::from_steps(steps, 0);
        out.origin = self.origin;
        out
    }

    fn offset(&self, t: Time) -> Span {
        ((t % WEEK) + self.origin) % WEEK
    }
}

/// A weekly calendar with closed intervals: the value is zero inside each
/// closed interval `[from, to)` of simulated time, and the weekly value
/// elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    weekly: WeeklyCalendar,
    /// Sorted, disjoint, non-touching intervals.
    closed: Vec<(Time, Time)>,
}

impl From<WeeklyCalendar> for Calendar {
    fn from(weekly: WeeklyCalendar) -> Self {
        Calendar {
            weekly,
            closed: Vec::new(),
        }
    }
}

impl Calendar {
    /// A calendar that always has `value`.
    pub fn constant(value: u32) -> Self {
        WeeklyCalendar::constant(value).into()
    }

    /// The same calendar, also closed over each of `intervals` (`[from,
    /// to)`, any order; overlaps merge, empty ones are dropped).
    pub fn closed_over(mut self, intervals: impl IntoIterator<Item = (Time, Time)>) -> Self {
        self.closed
            .extend(intervals.into_iter().filter(|(a, b)| a < b));
        self.closed.sort_unstable();
        let mut merged: Vec<(Time, Time)> = Vec::with_capacity(self.closed.len());
        for (a, b) in self.closed.drain(..) {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.closed = merged;
        self
    }

    /// The weekly pattern, closures aside.
    pub fn weekly(&self) -> &WeeklyCalendar {
        &self.weekly
    }

    /// The closed intervals.
    pub fn closures(&self) -> &[(Time, Time)] {
        &self.closed
    }

    /// The closed interval holding `t`, if any.
    fn closure_at(&self, t: Time) -> Option<(Time, Time)> {
        let i = self.closed.partition_point(|c| c.1 <= t);
        self.closed.get(i).copied().filter(|c| c.0 <= t)
    }

    /// The value at time `t`.
    pub fn value_at(&self, t: Time) -> u32 {
        if self.closure_at(t).is_some() {
            0
        } else {
            self.weekly.value_at(t)
        }
    }

    /// The first time strictly after `t` at which the value changes, or
    /// `None` if it never does.
    pub fn next_change(&self, t: Time) -> Option<Time> {
        let now = self.value_at(t);
        let mut at = t;
        loop {
            let weekly = self.weekly.next_change(at);
            let boundary = {
                let i = self.closed.partition_point(|c| c.1 <= at);
                self.closed.get(i).map(|c| if c.0 > at { c.0 } else { c.1 })
            };
            let next = match (weekly, boundary) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            if self.value_at(next) != now {
                return Some(next);
            }
            at = next;
        }
    }

    /// The area under the calendar over `[from, to)` (value × ticks).
    pub fn integral(&self, from: Time, to: Time) -> u128 {
        let mut total = self.weekly.integral(from, to);
        for &(a, b) in &self.closed {
            let (a, b) = (a.max(from), b.min(to));
            if a < b {
                total -= self.weekly.integral(a, b);
            }
        }
        total
    }

    /// The same calendar with every value passed through `f` (closures
    /// stay closed only if `f(0) == 0`; they are kept as closures).
    pub fn map_values(&self, f: impl Fn(u32) -> u32) -> Self {
        Calendar {
            weekly: self.weekly.map_values(f),
            closed: self.closed.clone(),
        }
    }

    /// The pointwise combination of two calendars' weekly patterns by `f`,
    /// closed wherever either is closed (for "open in both": `min`).
    pub fn combine(&self, other: &Calendar, f: impl Fn(u32, u32) -> u32) -> Self {
        Calendar::from(self.weekly.combine(&other.weekly, f))
            .closed_over(self.closed.iter().chain(&other.closed).copied())
    }

    /// The smallest and largest weekly value, closures aside.
    pub fn range(&self) -> (u32, u32) {
        self.weekly.range()
    }

    /// The average weekly value, closures aside.
    pub fn weekly_mean(&self) -> f64 {
        self.weekly.weekly_mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::{DAY, HOUR};

    #[test]
    fn closures_override_the_week() {
        // Open 08:00–20:00 with 3 lanes (1 at night), closed all of day 2
        // and from 10:00 on day 4 to 06:00 on day 5.
        let cal = Calendar::from(day_shift(0)).closed_over([
            (4 * DAY + 10 * HOUR, 5 * DAY + 6 * HOUR),
            (2 * DAY, 3 * DAY),
        ]);
        assert_eq!(cal.value_at(DAY + 9 * HOUR), 3);
        assert_eq!(cal.value_at(2 * DAY + 9 * HOUR), 0);
        assert_eq!(cal.value_at(3 * DAY), 1, "a closure ends at its end");
        // From day 1 at 20:00 (1 lane): 1 → 0 at the closure, back to 1 at
        // its end, 3 at 08:00 on day 3.
        assert_eq!(cal.next_change(DAY + 20 * HOUR), Some(2 * DAY));
        assert_eq!(cal.next_change(2 * DAY), Some(3 * DAY));
        assert_eq!(cal.next_change(3 * DAY), Some(3 * DAY + 8 * HOUR));
        // Inside the second closure the weekly changes are hidden.
        assert_eq!(
            cal.next_change(4 * DAY + 9 * HOUR),
            Some(4 * DAY + 10 * HOUR)
        );
        assert_eq!(
            cal.next_change(4 * DAY + 11 * HOUR),
            Some(5 * DAY + 6 * HOUR)
        );
        // Day 2 lost 48 lane-hours; day 4 lost 10 h × 3 + 4 h × 1.
        let week = u128::from(48 * HOUR) * 7;
        let lost = u128::from(48 * HOUR) + u128::from(34 * HOUR) + u128::from(6 * HOUR);
        assert_eq!(cal.integral(0, 7 * DAY), week - lost);
        // Overlapping and touching intervals merge.
        let c = Calendar::constant(1).closed_over([(10, 20), (15, 30), (30, 40), (50, 50)]);
        assert_eq!(c.closures(), &[(10, 40)]);
        assert_eq!(c.next_change(0), Some(10));
        assert_eq!(c.next_change(10), Some(40));
        assert_eq!(c.next_change(40), None);
        assert_eq!(
            Calendar::constant(0).closed_over([(5, 9)]).next_change(0),
            None
        );
    }

    /// Open 08:00–20:00 every day with 3 lanes, else 1.
    fn day_shift(origin: Span) -> WeeklyCalendar {
        let steps = (0..7)
            .flat_map(|d| [(d * DAY + 8 * HOUR, 3), (d * DAY + 20 * HOUR, 1)])
            .collect();
        WeeklyCalendar::from_steps(steps, origin)
    }

    #[test]
    fn values_and_changes_follow_the_day() {
        let cal = day_shift(0);
        assert_eq!(cal.value_at(0), 1, "wrapped from the last step of the week");
        assert_eq!(cal.value_at(8 * HOUR), 3);
        assert_eq!(cal.value_at(20 * HOUR - 1), 3);
        assert_eq!(cal.value_at(20 * HOUR), 1);
        assert_eq!(cal.next_change(0), Some(8 * HOUR));
        assert_eq!(cal.next_change(8 * HOUR), Some(20 * HOUR));
        assert_eq!(cal.next_change(20 * HOUR), Some(DAY + 8 * HOUR));
        assert_eq!(
            cal.next_change(6 * DAY + 21 * HOUR),
            Some(7 * DAY + 8 * HOUR)
        );
        assert!((cal.weekly_mean() - 2.0).abs() < 1e-12);
        assert_eq!(cal.range(), (1, 3));
        let halved = cal.map_values(|v| v / 2);
        assert_eq!(
            (halved.value_at(9 * HOUR), halved.value_at(21 * HOUR)),
            (1, 0)
        );
        assert_eq!(cal.map_values(|_| 5).next_change(0), None);
    }

    #[test]
    fn origin_shifts_the_week() {
        // Weekdays only: Mon–Fri open (1), Sat–Sun closed (0).
        let steps = vec![(0, 1), (5 * DAY, 0)];
        let starts_saturday = WeeklyCalendar::from_steps(steps, 5 * DAY);
        assert_eq!(starts_saturday.value_at(0), 0);
        assert_eq!(starts_saturday.value_at(2 * DAY), 1);
        assert_eq!(starts_saturday.next_change(0), Some(2 * DAY));
    }

    #[test]
    fn constant_and_degenerate_calendars() {
        let cal = WeeklyCalendar::constant(4);
        assert!(cal.is_constant());
        assert_eq!(cal.next_change(123), None);
        let same = WeeklyCalendar::from_steps(vec![(0, 2), (HOUR, 2)], 0);
        assert!(same.is_constant());
        let empty = WeeklyCalendar::from_steps(vec![], 0);
        assert_eq!(empty.value_at(5), 0);
        assert_eq!(empty.next_change(5), None);
    }

    #[test]
    fn integral_and_combination() {
        let cal = day_shift(0);
        // A day: 8 h × 1 + 12 h × 3 + 4 h × 1 = 48 lane-hours.
        assert_eq!(cal.integral(0, DAY), u128::from(48 * HOUR));
        assert_eq!(
            cal.integral(DAY + 8 * HOUR, DAY + 9 * HOUR),
            u128::from(3 * HOUR)
        );
        assert_eq!(cal.integral(5, 5), 0);
        // Open on weekdays only, from a Saturday: combined with the day
        // shift by `min`, Saturday and Sunday are 0 all day.
        let weekdays = WeeklyCalendar::from_steps(vec![(0, 1), (5 * DAY, 0)], 5 * DAY);
        let shifted = day_shift(5 * DAY);
        let both = shifted.combine(&weekdays, u32::min);
        assert_eq!(both.value_at(9 * HOUR), 0, "Saturday");
        assert_eq!(both.value_at(DAY + 9 * HOUR), 0, "Sunday");
        assert_eq!(
            both.value_at(2 * DAY + 9 * HOUR),
            1,
            "Monday, 3 lanes but open 1"
        );
        assert_eq!(both.value_at(2 * DAY + 3 * HOUR), 1);
        assert_eq!(both.integral(0, WEEK), u128::from(5 * DAY));
    }

    #[test]
    fn change_times_are_exact_far_into_the_future() {
        let cal = day_shift(0);
        let year = 365 * DAY;
        assert_eq!(cal.next_change(year), Some(year + 8 * HOUR));
    }
}
