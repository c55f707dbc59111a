//! Observations checked, put in a canonical form and grouped, so that a
//! likelihood over 200,000 services costs what one over a few hundred
//! distinct values costs.
//!
//! Exact durations enter every family's likelihood through a handful of
//! sums (count, `Σx`, `Σ ln x` and the spread of `ln x`); censored and
//! rounded ones through one entry per distinct value with its count. A log
//! to the minute has a few hundred distinct durations per stage however
//! many trucks it holds.
//!
//! Canonical forms: an exact zero (start and end in the same second) is
//! "under one second", `Interval(0, 1)`; an interval with no upper end is
//! right-censored; a point interval is exact; a rounding step of zero
//! means exact.

use super::Obs;

/// Exact durations, by their sufficient statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Exact {
    /// How many.
    pub count: f64,
    /// `Σ x`.
    pub sum: f64,
    /// `Σ ln x`.
    pub sum_ln: f64,
    /// Mean of `ln x`.
    pub mean_ln: f64,
    /// `Σ (ln x - mean_ln)²`.
    pub ss_ln: f64,
}

/// A stage's observations, grouped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Observations.
    pub n: usize,
    /// Of which right-censored.
    pub censored: usize,
    /// Exact durations.
    pub exact: Exact,
    /// The exact durations themselves, increasing (for the Kaplan–Meier
    /// curve).
    pub exact_values: Vec<f64>,
    /// Right-censored: (value, count).
    pub right: Vec<(f64, f64)>,
    /// Intervals: (lo, hi, count).
    pub interval: Vec<(f64, f64, f64)>,
    /// Rounded differences: (value, width, count), by width then value.
    pub rounded: Vec<(f64, f64, f64)>,
}

/// The canonical form of an observation, or `None` when it is not a
/// duration (negative, not a number, infinite, an interval upside down).
pub fn normalise(obs: Obs) -> Option<Obs> {
    match obs {
        Obs::Exact(x) if !x.is_finite() || x < 0.0 => None,
        Obs::Exact(0.0) => Some(Obs::Interval(0.0, 1.0)),
        Obs::Exact(_) => Some(obs),
        Obs::Right(x) if !x.is_finite() || x < 0.0 => None,
        Obs::Right(_) => Some(obs),
        Obs::Interval(lo, hi)
            if lo.is_nan() || hi.is_nan() || hi < lo || hi < 0.0 || lo == f64::INFINITY =>
        {
            None
        }
        Obs::Interval(lo, hi) => {
            let lo = lo.max(0.0);
            if hi == f64::INFINITY {
                Some(Obs::Right(lo))
            } else if lo == hi {
                normalise(Obs::Exact(lo))
            } else {
                Some(Obs::Interval(lo, hi))
            }
        }
        Obs::Rounded { value, width }
            if !value.is_finite() || !width.is_finite() || value < 0.0 || width < 0.0 =>
        {
            None
        }
        Obs::Rounded { value, width: 0.0 } => normalise(Obs::Exact(value)),
        Obs::Rounded { .. } => Some(obs),
    }
}

/// The value an observation stands for, and whether it is censored:
/// exact values, interval midpoints, rounded differences (unbiased for the
/// duration: the two roundings cancel on average), censoring times.
pub fn point(obs: Obs) -> (f64, bool) {
    match obs {
        Obs::Exact(x) => (x, false),
        Obs::Right(x) => (x, true),
        Obs::Interval(lo, hi) => ((lo + hi) / 2.0, false),
        Obs::Rounded { value, .. } => (value, false),
    }
}

impl Sample {
    /// The Kaplan–Meier input: `(point, ended, still running)` counts per
    /// distinct point, increasing ([`point`]).
    pub fn points(&self) -> Vec<(f64, f64, f64)> {
        let mut out: Vec<(f64, f64, f64)> = Vec::with_capacity(
            self.exact_values.len() + self.right.len() + self.interval.len() + self.rounded.len(),
        );
        out.extend(self.exact_values.iter().map(|&x| (x, 1.0, 0.0)));
        out.extend(
            self.interval
                .iter()
                .map(|&(lo, hi, c)| ((lo + hi) / 2.0, c, 0.0)),
        );
        out.extend(self.rounded.iter().map(|&(v, _, c)| (v, c, 0.0)));
        out.extend(self.right.iter().map(|&(x, c)| (x, 0.0, c)));
        out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64, f64)> = Vec::with_capacity(out.len());
        for p in out {
            match merged.last_mut() {
                Some(last) if last.0 == p.0 => {
                    last.1 += p.1;
                    last.2 += p.2;
                }
                _ => merged.push(p),
            }
        }
        merged
    }

    /// Groups observations already in canonical form ([`normalise`]).
    pub fn new(obs: impl IntoIterator<Item = Obs>) -> Sample {
        let mut s = Sample::default();
        let mut exact = Vec::new();
        for o in obs {
            s.n += 1;
            match o {
                Obs::Exact(x) => exact.push(x),
                Obs::Right(x) => {
                    s.censored += 1;
                    s.right.push((x, 1.0));
                }
                Obs::Interval(lo, hi) => s.interval.push((lo, hi, 1.0)),
                Obs::Rounded { value, width } => s.rounded.push((value, width, 1.0)),
            }
        }
        s.exact = exact_stats(&exact);
        exact.sort_unstable_by(f64::total_cmp);
        s.exact_values = exact;
        s.right = group(
            std::mem::take(&mut s.right),
            |a, b| a.0.total_cmp(&b.0),
            |e| &mut e.1,
        );
        s.interval = group(
            std::mem::take(&mut s.interval),
            |a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)),
            |e| &mut e.2,
        );
        s.rounded = group(
            std::mem::take(&mut s.rounded),
            |a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)),
            |e| &mut e.2,
        );
        s
    }

    /// Mean and sd of the points (censoring times taken as durations): a
    /// rough start for the optimiser, never an estimate.
    pub fn rough_moments(&self) -> (f64, f64) {
        let mut n = self.exact.count;
        let mut sum = self.exact.sum;
        let mut values: Vec<(f64, f64)> = Vec::new();
        values.extend(self.right.iter().copied());
        values.extend(
            self.interval
                .iter()
                .map(|&(lo, hi, c)| ((lo + hi) / 2.0, c)),
        );
        values.extend(self.rounded.iter().map(|&(v, _, c)| (v, c)));
        for &(v, c) in &values {
            n += c;
            sum += v * c;
        }
        let floor = self
            .rounded
            .first()
            .map(|r| r.1 / 4.0)
            .or(self.interval.first().map(|i| (i.1 - i.0) / 4.0))
            .unwrap_or(1e-3)
            .max(1e-3);
        let mean = (sum / n.max(1.0)).max(floor);
        // The exact values' spread from their logs: sd ≈ mean · sd(ln x).
        let mut ss = if self.exact.count > 1.0 {
            (self.exact.ss_ln / self.exact.count).min(4.0) * mean * mean * self.exact.count
        } else {
            0.0
        };
        for &(v, c) in &values {
            ss += (v - mean).powi(2) * c;
        }
        let sd = (ss / n.max(1.0)).sqrt();
        let sd = if sd.is_finite() && sd > 0.01 * mean {
            sd
        } else {
            0.5 * mean
        };
        (mean, sd)
    }
}

fn exact_stats(xs: &[f64]) -> Exact {
    if xs.is_empty() {
        return Exact::default();
    }
    let count = xs.len() as f64;
    let sum = xs.iter().sum();
    let sum_ln: f64 = xs.iter().map(|x| x.ln()).sum();
    let mean_ln = sum_ln / count;
    let ss_ln = xs.iter().map(|x| (x.ln() - mean_ln).powi(2)).sum();
    Exact {
        count,
        sum,
        sum_ln,
        mean_ln,
        ss_ln,
    }
}

/// Sorts and merges equal entries, adding their counts.
fn group<T: Copy + PartialEq>(
    mut items: Vec<T>,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
    count: impl Fn(&mut T) -> &mut f64,
) -> Vec<T> {
    items.sort_unstable_by(&order);
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some(last) if order(last, &item).is_eq() => {
                let mut item = item;
                let add = *count(&mut item);
                *count(last) += add;
            }
            _ => out.push(item),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(normalise(Obs::Exact(0.0)), Some(Obs::Interval(0.0, 1.0)));
        assert_eq!(normalise(Obs::Exact(-1.0)), None);
        assert_eq!(normalise(Obs::Exact(f64::NAN)), None);
        assert_eq!(normalise(Obs::Right(f64::INFINITY)), None);
        assert_eq!(normalise(Obs::Interval(5.0, 2.0)), None);
        assert_eq!(
            normalise(Obs::Interval(-3.0, 2.0)),
            Some(Obs::Interval(0.0, 2.0))
        );
        assert_eq!(
            normalise(Obs::Interval(4.0, f64::INFINITY)),
            Some(Obs::Right(4.0))
        );
        assert_eq!(normalise(Obs::Interval(4.0, 4.0)), Some(Obs::Exact(4.0)));
        assert_eq!(
            normalise(Obs::Interval(0.0, 0.0)),
            Some(Obs::Interval(0.0, 1.0))
        );
        let r = Obs::Rounded {
            value: 60.0,
            width: 60.0,
        };
        assert_eq!(normalise(r), Some(r));
        let r0 = Obs::Rounded {
            value: 7.0,
            width: 0.0,
        };
        assert_eq!(normalise(r0), Some(Obs::Exact(7.0)));
    }

    #[test]
    fn grouping_keeps_counts_and_sums() {
        let s = Sample::new([
            Obs::Exact(2.0),
            Obs::Exact(8.0),
            Obs::Right(5.0),
            Obs::Right(5.0),
            Obs::Right(1.0),
            Obs::Rounded {
                value: 60.0,
                width: 60.0,
            },
            Obs::Rounded {
                value: 0.0,
                width: 60.0,
            },
            Obs::Rounded {
                value: 60.0,
                width: 60.0,
            },
        ]);
        assert_eq!((s.n, s.censored), (8, 3));
        assert_eq!(s.right, vec![(1.0, 1.0), (5.0, 2.0)]);
        assert_eq!(s.rounded, vec![(0.0, 60.0, 1.0), (60.0, 60.0, 2.0)]);
        assert_eq!(s.exact.count, 2.0);
        assert_eq!(s.exact.sum, 10.0);
        assert!((s.exact.mean_ln - 16f64.ln() / 2.0).abs() < 1e-15);
        assert!((s.exact.ss_ln - 2.0 * (2f64.ln()).powi(2)).abs() < 1e-12);
    }
}
