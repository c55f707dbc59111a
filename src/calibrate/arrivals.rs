//! Arrivals: trucks per day, the hour-of-day `profile` and weekday `days`
//! factors of the scenario format, and whether the hourly counts vary more
//! than a Poisson process would.
//!
//! The arrival rate is taken as portsim models it, `rate × profile[hour] ×
//! days[weekday]`, and estimated from the `arrive` rows in the log's
//! window (its first row to its last). Each hour of the window is
//! *exposure*: the profile is each hour of day's arrivals over its
//! exposure weighted by the weekday factors, and the factors each
//! weekday's over its exposure weighted by the profile (two rounds of
//! this raking settle both), so a window that starts mid-morning or on a
//! Wednesday does not bias either. Both are scaled to mean 1 (weekdays
//! the window does not reach get 1). Trips whose `arrive` row was lost
//! count in the number of arrivals but not in the shapes, which a random
//! loss leaves unchanged; trucks already inside when the log opened did
//! not arrive in the window and are not counted.
//!
//! **Dispersion.** For every whole hour in the window the count is set
//! against its expectation under the fitted rate; Pearson's statistic over
//! its degrees of freedom (hours less the parameters fitted) is the
//! dispersion index, 1 for Poisson. Hourly counts are called
//! over-dispersed when the index exceeds 1 with a χ² p-value below 0.01;
//! the daily rate's interval is then widened by the index
//! (quasi-Poisson).

#![allow(
    clippy::needless_range_loop,
    reason = "a week is a grid of weekday and hour, read and written by both indices"
)]

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::interval::Estimated;
use super::log::time::{DAY, HOUR, hour, weekday};
use super::reconstruct::Paths;

/// The p-value below which hourly counts are called over-dispersed.
pub const OVERDISPERSED_P: f64 = 0.01;

/// The dispersion check.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Dispersion {
    /// Pearson's χ² over its degrees of freedom (1 for Poisson).
    pub index: f64,
    /// The upper-tail χ² p-value.
    pub p_value: f64,
    /// Whole hours compared.
    pub hours: u64,
    /// Whether the counts are over-dispersed.
    pub over_dispersed: bool,
}

/// Everything estimated about arrivals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arrivals {
    /// Arrivals in the window (seen, and with a lost `arrive` row).
    pub count: u64,
    /// Of which with an `arrive` row.
    pub seen: u64,
    /// The window's length, days.
    pub window_days: f64,
    /// Observed arrivals per day over the window.
    pub per_day: Estimated,
    /// The scenario's `rate`: arrivals per day where the factors are 1
    /// (the weekly mean).
    pub rate: Estimated,
    /// Hour-of-day weights, mean 1.
    pub profile: Vec<Estimated>,
    /// Weekday factors (Monday first), mean 1.
    pub days: Vec<Estimated>,
    /// Weekdays the window covers.
    pub weekdays_seen: [bool; 7],
    /// The dispersion check.
    pub dispersion: Dispersion,
}

/// Calls `f(slot_start, hours_overlapping)` for each clock hour that
/// overlaps `[start, end)`.
pub fn each_hour(start: i64, end: i64, mut f: impl FnMut(i64, f64)) {
    let mut t = start - start.rem_euclid(HOUR);
    while t < end {
        let lo = t.max(start);
        let hi = (t + HOUR).min(end);
        if hi > lo {
            f(t, (hi - lo) as f64 / HOUR as f64);
        }
        t += HOUR;
    }
}

/// Estimates arrivals from the reconstructed trips.
pub fn estimate(paths: &Paths) -> Arrivals {
    let (start, end) = (paths.start, paths.end.max(paths.start + 1));
    let mut by_slot = [[0u64; 24]; 7];
    let mut seen = 0u64;
    let mut lost = 0u64;
    for t in &paths.trips {
        match t.arrive {
            Some(a) => {
                seen += 1;
                by_slot[weekday(a)][hour(a)] += 1;
            }
            None if !t.inside_at_start => lost += 1,
            None => {}
        }
    }
    let count = seen + lost;
    // Exposure in hours of each (weekday, hour) slot.
    let mut exposure = [[0f64; 24]; 7];
    each_hour(start, end, |t, h| exposure[weekday(t)][hour(t)] += h);
    let mut profile = [1f64; 24];
    let mut days = [1f64; 7];
    for _ in 0..3 {
        let by_hour: Vec<f64> = (0..24)
            .map(|h| {
                let c: u64 = (0..7).map(|d| by_slot[d][h]).sum();
                let e: f64 = (0..7).map(|d| exposure[d][h] * days[d]).sum();
                if e > 0.0 { c as f64 / e } else { f64::NAN }
            })
            .collect();
        profile.copy_from_slice(&normalised(&by_hour));
        let by_day: Vec<f64> = (0..7)
            .map(|d| {
                let c: u64 = by_slot[d].iter().sum();
                let e: f64 = (0..24).map(|h| exposure[d][h] * profile[h]).sum();
                if e > 0.0 { c as f64 / e } else { f64::NAN }
            })
            .collect();
        let d7 = normalised(&by_day);
        days.copy_from_slice(&d7[..7]);
    }
    let weighted: f64 = (0..7)
        .map(|d| {
            (0..24)
                .map(|h| exposure[d][h] * profile[h] * days[d])
                .sum::<f64>()
        })
        .sum();
    let dispersion = dispersion(paths, &profile, &days, seen, weighted);
    let phi = if dispersion.over_dispersed {
        dispersion.index
    } else {
        1.0
    };
    let window_days = (end - start) as f64 / DAY as f64;
    let per_day = Estimated::rate(count, window_days, phi);
    let rate = Estimated::rate(count, weighted / 24.0, phi);
    // Each weight's interval: its count's, on the weight's scale.
    let relative = |c: u64, e: f64, weight: f64| {
        let raw = Estimated::rate(c, e, phi);
        if raw.mean > 0.0 {
            raw.scaled(weight / raw.mean)
        } else {
            Estimated {
                mean: weight,
                ci95: if e > 0.0 {
                    [0.0, 0.0]
                } else {
                    [f64::NAN, f64::NAN]
                },
                n: c,
            }
        }
    };
    let profile_est = (0..24)
        .map(|h| {
            let c: u64 = (0..7).map(|d| by_slot[d][h]).sum();
            let e: f64 = (0..7).map(|d| exposure[d][h] * days[d]).sum();
            relative(c, e, profile[h])
        })
        .collect();
    let days_est = (0..7)
        .map(|d| {
            let c: u64 = by_slot[d].iter().sum();
            let e: f64 = (0..24).map(|h| exposure[d][h] * profile[h]).sum();
            relative(c, e, days[d])
        })
        .collect();
    let mut weekdays_seen = [false; 7];
    for d in 0..7 {
        weekdays_seen[d] = exposure[d].iter().sum::<f64>() > 0.0;
    }
    Arrivals {
        count,
        seen,
        window_days,
        per_day,
        rate,
        profile: profile_est,
        days: days_est,
        weekdays_seen,
        dispersion,
    }
}

/// `values` scaled to mean 1 over their finite entries; the others 1.
fn normalised(values: &[f64]) -> Vec<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    values
        .iter()
        .map(|&v| {
            if v.is_finite() && mean > 0.0 {
                v / mean
            } else {
                1.0
            }
        })
        .collect()
}

/// Pearson's dispersion of the whole hours' counts of seen arrivals.
fn dispersion(
    paths: &Paths,
    profile: &[f64; 24],
    days: &[f64; 7],
    seen: u64,
    weighted: f64,
) -> Dispersion {
    let none = Dispersion {
        index: f64::NAN,
        p_value: f64::NAN,
        hours: 0,
        over_dispersed: false,
    };
    if weighted <= 0.0 {
        return none;
    }
    let first = paths.start + (HOUR - paths.start.rem_euclid(HOUR)) % HOUR;
    let hours = ((paths.end - first) / HOUR).max(0) as usize;
    if hours < 2 {
        return none;
    }
    let mut counts = vec![0u64; hours];
    for t in &paths.trips {
        if let Some(a) = t.arrive
            && a >= first
        {
            let k = ((a - first) / HOUR) as usize;
            if k < hours {
                counts[k] += 1;
            }
        }
    }
    let per_hour = seen as f64 / weighted;
    let mut x2 = 0.0;
    let mut n = 0u64;
    for (k, &c) in counts.iter().enumerate() {
        let t = first + k as i64 * HOUR;
        let mu = per_hour * profile[hour(t)] * days[weekday(t)];
        if mu > 0.0 {
            x2 += (c as f64 - mu).powi(2) / mu;
            n += 1;
        }
    }
    let fitted =
        profile.iter().filter(|&&p| p > 0.0).count() + days.iter().filter(|&&d| d > 0.0).count();
    let df = n as f64 - fitted as f64;
    if df < 1.0 {
        return none;
    }
    let index = x2 / df;
    let p_value = ChiSquared::new(df).map_or(f64::NAN, |chi| 1.0 - chi.cdf(x2));
    Dispersion {
        index,
        p_value,
        hours: n,
        over_dispersed: index > 1.0 && p_value < OVERDISPERSED_P,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_of_a_window_are_its_exposure() {
        let mut total = 0.0;
        let mut slots = 0;
        each_hour(HOUR / 2, 3 * HOUR, |_, h| {
            total += h;
            slots += 1;
        });
        assert_eq!(slots, 3);
        assert!((total - 2.5).abs() < 1e-12);
    }

    #[test]
    fn scaling_to_mean_one_leaves_unknown_entries_at_one() {
        assert_eq!(normalised(&[2.0, 6.0, f64::NAN]), vec![0.5, 1.5, 1.0]);
    }
}
