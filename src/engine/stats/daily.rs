//! Counts per simulated day, such as departures per day.
//!
//! One counter per day of the measured period: memory grows with the number
//! of days, never with the number of events.

use crate::engine::time::{DayHour, Time};

/// Event counts per day, from a start instant on.
#[derive(Clone, Debug, Default)]
pub struct DailyCounts {
    start: Time,
    counts: Vec<u64>,
    /// The day of the time since `start`, without a division per count.
    clock: DayHour,
}

impl DailyCounts {
    /// Counts days from `start` on (the end of warm-up).
    pub fn new(start: Time) -> Self {
        DailyCounts {
            start,
            counts: Vec::new(),
            clock: DayHour::default(),
        }
    }

    /// Counts one event at `t`; events before the start are ignored.
    #[inline]
    pub fn record(&mut self, t: Time) {
        if t < self.start {
            return;
        }
        let day = self.clock.at(t - self.start).0 as usize;
        if day >= self.counts.len() {
            self.counts.resize(day + 1, 0);
        }
        self.counts[day] += 1;
    }

    /// The counts for `days` days (days without events count zero; events
    /// past the last day are left out).
    pub fn counts(&self, days: usize) -> Vec<u64> {
        let mut counts = self.counts.clone();
        counts.resize(days, 0);
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::DAY;

    #[test]
    fn counts_by_day_from_start() {
        let mut d = DailyCounts::new(DAY);
        for t in [0, DAY, DAY + 5, 3 * DAY - 1, 4 * DAY, DAY + 7] {
            d.record(t);
        }
        assert_eq!(d.counts(4), vec![3, 1, 0, 1]);
        assert_eq!(d.counts(2), vec![3, 1]);
    }
}
