//! The Kaplan–Meier curve of a stage's services, and the empirical
//! distribution drawn from it when no family fits.
//!
//! Each observation stands for a point ([`super::sample::point`]): an
//! exact duration, an interval's midpoint, a rounded difference (whose
//! two roundings cancel on average), or a censoring time. The curve is
//! the product-limit estimate over those points; services still running
//! at a time count as at risk at that time (ends before censorings on a
//! tie). With rounded data the curve is a step function on the clock's
//! grid; the goodness-of-fit test compares it with the fitted law rounded
//! the same way ([`super::gof`]).
//!
//! The empirical fallback gives at most [`MAX_VALUES`] values: the
//! curve's jumps, grouped in order into bins of about equal probability,
//! each bin's value its probability-weighted mean (so the mean of the
//! curve is kept). When the longest observation is still running, the
//! probability left beyond it is put on it: a lower bound, said in the
//! docs.

use super::Observed;
use super::sample::{normalise, point};

/// Most values an empirical fallback has.
pub const MAX_VALUES: usize = 50;

/// A Kaplan–Meier curve: the survival just after each distinct point
/// where a service ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curve {
    /// Points where services ended, increasing.
    pub times: Vec<f64>,
    /// Survival just after each.
    pub survival: Vec<f64>,
    /// The largest point observed, ended or not.
    pub last: f64,
}

/// The curve of `(point, censored)` pairs.
pub fn kaplan_meier(points: &[(f64, bool)]) -> Curve {
    let mut grouped: Vec<(f64, f64, f64)> = points
        .iter()
        .map(|&(t, cut)| if cut { (t, 0.0, 1.0) } else { (t, 1.0, 0.0) })
        .collect();
    grouped.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64, f64)> = Vec::with_capacity(grouped.len());
    for p in grouped {
        match merged.last_mut() {
            Some(last) if last.0 == p.0 => {
                last.1 += p.1;
                last.2 += p.2;
            }
            _ => merged.push(p),
        }
    }
    from_counts(&merged)
}

/// The curve of distinct increasing points with the counts of services
/// that ended and that were still running there
/// ([`super::sample::Sample::points`]).
pub fn from_counts(points: &[(f64, f64, f64)]) -> Curve {
    let mut curve = Curve {
        last: points.last().map_or(f64::NAN, |p| p.0),
        ..Curve::default()
    };
    let mut at_risk: f64 = points.iter().map(|p| p.1 + p.2).sum();
    let mut s = 1.0;
    for &(t, ended, cut) in points {
        // Ends before censorings at the same point: those cut were at risk.
        if ended > 0.0 {
            s *= 1.0 - ended / at_risk;
            curve.times.push(t);
            curve.survival.push(s);
        }
        at_risk -= ended + cut;
    }
    curve
}

/// One point of a QQ plot: where services ended on the curve, against
/// the same probability's quantile of a fitted law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QqPoint {
    /// The plotting position: midway through the curve's jump there.
    pub p: f64,
    /// The observed time, seconds.
    pub observed_s: f64,
    /// The fitted law's quantile at `p`, seconds.
    pub model_s: f64,
}

impl Curve {
    /// `P(X ≤ x)` by the curve (0 before its first end).
    pub fn cdf(&self, x: f64) -> f64 {
        let k = self.times.partition_point(|&t| t <= x);
        if k == 0 {
            0.0
        } else {
            1.0 - self.survival[k - 1]
        }
    }

    /// The QQ points of `fitted` against the curve: at each point where
    /// services ended, the observed time against the fitted quantile of
    /// the probability midway through the curve's jump there (so neither
    /// end is 0 or 1, and censoring is taken into account as the curve
    /// takes it). At most `max` points, evenly spaced along the curve's
    /// points, always keeping the last. A well-fitted law puts them near
    /// the line `y = x`.
    pub fn qq(&self, fitted: &super::Fitted, max: usize) -> Vec<QqPoint> {
        let mut before = 1.0;
        let mut all = Vec::with_capacity(self.times.len());
        for (&t, &s) in self.times.iter().zip(&self.survival) {
            let p = 1.0 - (before + s) / 2.0;
            before = s;
            all.push(QqPoint {
                p,
                observed_s: t,
                model_s: fitted.quantile(p),
            });
        }
        let every = all.len().div_ceil(max.max(1)).max(1);
        let last = all.len().saturating_sub(1);
        all.into_iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0 || *i == last)
            .map(|(_, q)| q)
            .filter(|q| q.model_s.is_finite())
            .collect()
    }
}

/// The curve of a stage's observations (those that are durations), for
/// plots of the data against the candidates.
pub fn of(data: &[Observed]) -> Curve {
    let points: Vec<(f64, bool)> = data
        .iter()
        .filter_map(|o| normalise(o.obs))
        .map(point)
        .collect();
    kaplan_meier(&points)
}

/// An empirical distribution (values, weights summing to 1) from the
/// curve, with at most `max_values` values; `None` without any point.
pub fn empirical(curve: &Curve, max_values: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut jumps: Vec<(f64, f64)> = Vec::with_capacity(curve.times.len() + 1);
    let mut before = 1.0;
    for (&t, &s) in curve.times.iter().zip(&curve.survival) {
        jumps.push((t, before - s));
        before = s;
    }
    if before > 1e-12 && curve.last.is_finite() {
        match jumps.last_mut() {
            Some(last) if last.0 == curve.last => last.1 += before,
            _ => jumps.push((curve.last, before)),
        }
    }
    if jumps.is_empty() {
        return None;
    }
    let max_values = max_values.max(1);
    let (mut values, mut weights) = (Vec::new(), Vec::new());
    if jumps.len() <= max_values {
        for (t, m) in jumps {
            values.push(t);
            weights.push(m);
        }
    } else {
        // Bins of about 1/max_values each, closed when the cumulative
        // probability passes the next multiple.
        let (mut mass, mut moment, mut cumulative) = (0.0, 0.0, 0.0);
        let step = 1.0 / max_values as f64;
        for (t, m) in jumps {
            mass += m;
            moment += m * t;
            cumulative += m;
            if cumulative >= step * (values.len() + 1) as f64 - 1e-12 {
                values.push(moment / mass);
                weights.push(mass);
                mass = 0.0;
                moment = 0.0;
            }
        }
        if mass > 0.0 {
            values.push(moment / mass);
            weights.push(mass);
        }
    }
    let total: f64 = weights.iter().sum();
    for w in &mut weights {
        *w /= total;
    }
    Some((values, weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook example (Kaplan and Meier's six-observation set):
    /// 0.8, 1.0+, 2.7+, 3.1, 5.4, 7.0+ gives survival 5/6 after 0.8,
    /// 5/6·2/3 after 3.1 and 5/6·2/3·1/2 after 5.4.
    #[test]
    fn product_limit_by_hand() {
        let c = kaplan_meier(&[
            (3.1, false),
            (0.8, false),
            (1.0, true),
            (2.7, true),
            (5.4, false),
            (7.0, true),
        ]);
        assert_eq!(c.times, vec![0.8, 3.1, 5.4]);
        let want = [5.0 / 6.0, 5.0 / 9.0, 5.0 / 18.0];
        for (s, w) in c.survival.iter().zip(want) {
            assert!((s - w).abs() < 1e-15);
        }
        assert_eq!(c.last, 7.0);
        // The fallback puts the 5/18 left on 7.0, the last (censored) point.
        let (values, weights) = empirical(&c, 50).expect("points");
        assert_eq!(values, vec![0.8, 3.1, 5.4, 7.0]);
        assert!((weights[3] - 5.0 / 18.0).abs() < 1e-15);
        assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    /// The plotting positions are the jumps' midpoints (1/12, then
    /// midway from 5/6 down to 5/9, …) and the model side is the fitted
    /// quantile there: for an exponential of mean 2, `-2 ln(1 - p)`.
    #[test]
    fn qq_points_sit_midway_through_each_jump() {
        let c = kaplan_meier(&[
            (3.1, false),
            (0.8, false),
            (1.0, true),
            (2.7, true),
            (5.4, false),
            (7.0, true),
        ]);
        let law = super::super::Fitted::Exponential { mean_s: 2.0 };
        let qq = c.qq(&law, 10);
        let p = [
            1.0 / 12.0,
            1.0 - (5.0 / 6.0 + 5.0 / 9.0) / 2.0,
            1.0 - (5.0 / 9.0 + 5.0 / 18.0) / 2.0,
        ];
        assert_eq!(qq.len(), 3);
        for ((q, p), t) in qq.iter().zip(p).zip([0.8, 3.1, 5.4]) {
            assert!((q.p - p).abs() < 1e-15, "{q:?}");
            assert_eq!(q.observed_s, t);
            assert!((q.model_s + 2.0 * (1.0 - p).ln()).abs() < 1e-9, "{q:?}");
        }
        assert_eq!(c.cdf(0.5), 0.0);
        assert!((c.cdf(3.1) - 4.0 / 9.0).abs() < 1e-15);
        // Thinned to two: the first and the last are kept.
        let two: Vec<f64> = c.qq(&law, 2).iter().map(|q| q.observed_s).collect();
        assert_eq!(two, vec![0.8, 5.4]);
    }

    #[test]
    fn ties_end_before_they_are_cut() {
        // At 2: one ends and one is cut; the one cut was at risk.
        let c = kaplan_meier(&[(2.0, true), (2.0, false), (1.0, false), (3.0, false)]);
        assert_eq!(c.times, vec![1.0, 2.0, 3.0]);
        assert!((c.survival[1] - 0.75 * (2.0 / 3.0)).abs() < 1e-15);
        assert_eq!(c.survival[2], 0.0);
    }

    #[test]
    fn the_fallback_keeps_the_mean_with_fifty_values() {
        let points: Vec<(f64, bool)> = (1..=1000).map(|i| (f64::from(i), false)).collect();
        let (values, weights) = empirical(&kaplan_meier(&points), MAX_VALUES).expect("points");
        assert_eq!(values.len(), 50);
        let mean: f64 = values.iter().zip(&weights).map(|(v, w)| v * w).sum();
        assert!((mean - 500.5).abs() < 1e-9, "{mean}");
        assert!(weights.iter().all(|w| (w - 0.02).abs() < 1e-9));
    }
}
