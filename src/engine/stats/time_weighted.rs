//! Time-weighted averages of a piecewise-constant quantity.
//!
//! Queue lengths, busy servers and trucks in the port change only at events;
//! their time average is the area under the step function divided by the
//! elapsed time. This is the `L` of Little's law.
//!
//! The tracked quantities are counts, so the area is kept as an exact
//! integer (count × ticks in a `u128`): no rounding accumulates over a long
//! run, and the per-event update is one multiply-add.

use crate::engine::time::Time;

/// The running time-average of a value that changes at discrete instants.
#[derive(Clone, Debug)]
pub struct TimeWeighted {
    start: Time,
    last: Time,
    value: u64,
    area: u128,
}

impl TimeWeighted {
    /// Starts tracking at `now` with the current `value`.
    pub fn new(now: Time, value: u64) -> Self {
        TimeWeighted {
            start: now,
            last: now,
            value,
            area: 0,
        }
    }

    /// The value changes to `value` at `now`.
    #[inline]
    pub fn set(&mut self, now: Time, value: u64) {
        let dt = now.saturating_sub(self.last);
        self.area += u128::from(self.value) * u128::from(dt);
        self.last = self.last.max(now);
        self.value = value;
    }

    /// The current value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The area under the curve (value × ticks) from the start up to `now`.
    pub fn area(&self, now: Time) -> f64 {
        let dt = now.saturating_sub(self.last);
        (self.area + u128::from(self.value) * u128::from(dt)) as f64
    }

    /// The time-average from the start up to `now` (0 over an empty interval).
    pub fn mean(&self, now: Time) -> f64 {
        let elapsed = now.saturating_sub(self.start);
        if elapsed == 0 {
            0.0
        } else {
            self.area(now) / elapsed as f64
        }
    }

    /// Forgets the past: averaging restarts at `now`, keeping the value.
    pub fn reset(&mut self, now: Time) {
        self.set(now, self.value);
        self.start = now;
        self.area = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_a_step_function() {
        let mut tw = TimeWeighted::new(0, 2);
        tw.set(10, 4); // 2 over [0,10)
        tw.set(15, 0); // 4 over [10,15)
        assert!((tw.mean(20) - (20.0 + 20.0) / 20.0).abs() < 1e-12);
        tw.reset(20);
        tw.set(30, 1);
        assert!((tw.mean(40) - 0.5).abs() < 1e-12);
        assert_eq!(tw.mean(20), 0.0);
    }
}
