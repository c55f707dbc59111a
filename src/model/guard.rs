//! The runaway guard: it protects memory and time, nothing else.
//!
//! An overloaded port is a finding, not a failure: its queue grows for the
//! whole horizon, and the report says which stage cannot keep up and by how
//! much. The guard stops a replication only when the trucks in the system
//! (road, port and booked trucks on their way) reach the ceiling
//! (`--max-trucks`), or when the growth seen so far says they will reach it
//! before the horizon ends. The projection fits a line to the counts taken
//! at the last [`WINDOW`] midnights (at least [`MIN_DAYS`] of them) and
//! extends it to the end of the run, so a replication that would exhaust
//! memory on day 80 is stopped on day 7 rather than run for minutes first.
//! Only a clear trend is projected (t-statistic of the slope above
//! [`MIN_T`]), so the day-to-day wander of a stable queue never trips it.
//! A stopped replication is left out of every metric and the run is marked
//! incomplete.

use crate::engine::time::{DAY, Time};

/// Midnight counts the projection looks back over.
pub const WINDOW: usize = 14;
/// Fewest midnight counts before the guard projects at all.
pub const MIN_DAYS: usize = 7;
/// Smallest t-statistic of the fitted slope that counts as a trend.
pub const MIN_T: f64 = 5.0;

/// Why the guard stopped a replication.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trip {
    /// The trucks in the system reached the ceiling.
    Ceiling,
    /// They were growing by `per_day` trucks a day and would have reached
    /// the ceiling by the end of the run.
    Projected {
        /// Growth per day of the fitted line.
        per_day: f64,
    },
}

/// Midnight counts of the trucks in the system, and the ceiling.
#[derive(Clone, Debug)]
pub struct Guard {
    ceiling: u64,
    end: Time,
    counts: [f64; WINDOW],
    seen: usize,
}

impl Guard {
    /// A guard for a run ending at `end` with at most `ceiling` trucks in
    /// the system.
    pub fn new(ceiling: u64, end: Time) -> Self {
        Guard {
            ceiling,
            end,
            counts: [0.0; WINDOW],
            seen: 0,
        }
    }

    /// The ceiling.
    pub fn ceiling(&self) -> u64 {
        self.ceiling
    }

    /// Whether `in_system` trucks are over the ceiling.
    #[inline]
    pub fn over(&self, in_system: u64) -> bool {
        in_system > self.ceiling
    }

    /// Records the count at a midnight `now`; returns a trip when the
    /// fitted growth would carry the count past the ceiling by the end.
    pub fn midnight(&mut self, now: Time, in_system: u64) -> Option<Trip> {
        self.counts[self.seen % WINDOW] = in_system as f64;
        self.seen += 1;
        let n = self.seen.min(WINDOW);
        if n < MIN_DAYS {
            return None;
        }
        // Oldest first.
        let y: Vec<f64> = (0..n)
            .map(|i| self.counts[(self.seen - n + i) % WINDOW])
            .collect();
        let (per_day, t) = slope(&y);
        let days_left = self.end.saturating_sub(now) as f64 / DAY as f64;
        let projected = in_system as f64 + per_day * days_left;
        (per_day > 0.0 && t > MIN_T && projected > self.ceiling as f64)
            .then_some(Trip::Projected { per_day })
    }
}

/// Least-squares slope of `y` against 0, 1, 2, … and its t-statistic
/// (infinite for an exact line).
fn slope(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let x_mean = (n - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - x_mean;
        sxy += dx * (v - y_mean);
        sxx += dx * dx;
    }
    if sxx == 0.0 {
        return (0.0, 0.0);
    }
    let b = sxy / sxx;
    let residual: f64 = y
        .iter()
        .enumerate()
        .map(|(i, v)| (v - y_mean - b * (i as f64 - x_mean)).powi(2))
        .sum();
    let se = (residual / (n - 2.0).max(1.0) / sxx).sqrt();
    let t = if se > 0.0 {
        b / se
    } else if b > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    (b, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_is_exact() {
        assert_eq!(slope(&[3.0, 5.0, 7.0, 9.0]).0, 2.0);
        assert_eq!(slope(&[4.0, 4.0, 4.0]), (0.0, 0.0));
    }

    #[test]
    fn projects_steady_growth_past_the_ceiling() {
        // 1,000 more trucks a day, ceiling 100,000, 200 days to run: from
        // day 7 the line reaches the ceiling long before the end.
        let mut g = Guard::new(100_000, 200 * DAY);
        let trips: Vec<_> = (1..=8).map(|d| g.midnight(d * DAY, d * 1_000)).collect();
        assert!(trips[..6].iter().all(Option::is_none), "needs 7 days");
        assert_eq!(trips[6], Some(Trip::Projected { per_day: 1_000.0 }));
    }

    #[test]
    fn growth_that_stays_under_the_ceiling_runs_on() {
        // The same growth over a 30-day run ends near 30,000: no trip.
        let mut g = Guard::new(100_000, 30 * DAY);
        assert!((1..=29).all(|d| g.midnight(d * DAY, d * 1_000).is_none()));
        // A stable, noisy count never trips.
        let mut g = Guard::new(1_000, 1_000 * DAY);
        let noisy = [500, 520, 480, 510, 490, 505, 495, 515, 485, 500];
        assert!(
            noisy
                .iter()
                .enumerate()
                .all(|(d, &c)| g.midnight(d as u64 * DAY, c).is_none())
        );
        assert!(g.over(1_001) && !g.over(1_000));
    }
}
