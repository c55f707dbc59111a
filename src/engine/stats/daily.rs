//! Counts per simulated day, such as departures per day.
//!
//! One counter per day of the measured period: memory grows with the number
//! of days, never with the number of events.

use crate::engine::time::{DAY, Time};

/// Event counts per day, from a start instant on.
#[derive(Clone, Debug, Default)]
pub struct DailyCounts {
    start: Time,
    counts: Vec<u64>,
    /// The day last counted and the instants it spans, so that counting
    /// within the same day needs no division.
    day: usize,
    day_from: Time,
    day_to: Time,
}

impl DailyCounts {
    /// Counts days from `start` on (the end of warm-up).
    pub fn new(start: Time) -> Self {
        DailyCounts {
            start,
            counts: Vec::new(),
            day: 0,
            day_from: 0,
            day_to: 0,
        }
    }

    /// Counts one event at `t`; events before the start are ignored.
    #[inline]
    pub fn record(&mut self, t: Time) {
        if t < self.start {
            return;
        }
        if t < self.day_from || t >= self.day_to {
            let day = (t - self.start) / DAY;
            self.day = day as usize;
            self.day_from = self.start + day * DAY;
            self.day_to = self.day_from.saturating_add(DAY);
            if self.day >= self.counts.len() {
                self.counts.resize(self.day + 1, 0);
            }
        }
        if let Some(c) = self.counts.get_mut(self.day) {
            *c += 1;
        }
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
