//! Deciding a constraint on a metric from replications, at a stated
//! error rate, with replications added in looks.
//!
//! A constraint is `metric <= max` or `metric >= min` on the mean of the
//! metric over replications (for a percentile, the mean of the
//! replications' percentiles). After `n` replications the one-sided
//! Student-t bounds at level `1 − α` are `m ± t(1−α, n−1)·s/√n`. The
//! constraint `<= max` is
//!
//! * **satisfied** when the upper bound is at most `max + δ`,
//! * **violated** when the lower bound is above `max − δ`,
//! * and otherwise **undecided** (more replications are needed);
//!
//! (mirrored for `>= min`), where δ is the indifference tolerance. With
//! δ = 0, the default, a verdict is only ever given when the interval lies
//! entirely on one side of the threshold: a mean exactly at the threshold
//! is never decided. With δ > 0 both conditions may hold at once, and the
//! verdict then follows the mean; a verdict may be wrong only for a true
//! mean within δ of the threshold, where either answer is acceptable.
//!
//! For a true mean beyond the threshold on one side, only one wrong
//! verdict is possible, and it needs the bound on that side to miss the
//! true mean: probability at most α at each look. The looks follow a
//! fixed [`Schedule`] (the first count, then doubling up to the cap), so
//! over all looks of one test the error is at most `looks × α`; see
//! [`alpha_per_test`] for how the plan's confidence is split.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::metrics::MetricKey;

/// Which side of a threshold a metric must stay on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// At most this (in the metric's units: seconds for durations).
    Max(f64),
    /// At least this.
    Min(f64),
}

impl Bound {
    /// Whether `value` is on the right side of the bound.
    pub fn holds(self, value: f64) -> bool {
        match self {
            Bound::Max(t) => value <= t,
            Bound::Min(t) => value >= t,
        }
    }
}

/// A constraint on a metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The metric.
    pub key: MetricKey,
    /// The threshold.
    pub bound: Bound,
    /// Indifference tolerance, in the metric's units, at least 0.
    pub tolerance: f64,
    /// As written: `time_in_port_s.p95 <= 4h`.
    pub text: String,
}

/// What the replications say about a constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Met, at the stated confidence.
    Satisfied,
    /// Not met, at the stated confidence.
    Violated,
    /// Not decided yet.
    Undecided,
}

/// A verdict with its evidence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// Replications behind it (finite values).
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// The one-sided bounds at the test's level (`None` with fewer than
    /// two values).
    pub bounds: Option<[f64; 2]>,
}

/// The replication counts at which a candidate is looked at: `first`,
/// then doubling, and the cap last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    looks: Vec<u64>,
}

impl Schedule {
    /// Looks from `first` (at least 2) doubling up to `cap` (at least
    /// `first`).
    pub fn new(first: u64, cap: u64) -> Schedule {
        let first = first.max(2);
        let cap = cap.max(first);
        let mut looks = vec![first];
        let mut n = first;
        while n < cap {
            n = n.saturating_mul(2).min(cap);
            looks.push(n);
        }
        Schedule { looks }
    }

    /// The counts, increasing.
    pub fn looks(&self) -> &[u64] {
        &self.looks
    }
}

/// The error rate of one test at one look: `(1 − confidence)` split
/// evenly (Bonferroni) over the most candidates the search can evaluate,
/// the constraints and the looks. The union bound then makes the chance
/// that any verdict of the whole search is wrong at most `1 − confidence`.
pub fn alpha_per_test(confidence: f64, candidates: usize, constraints: usize, looks: usize) -> f64 {
    let tests = (candidates.max(1) * constraints.max(1) * looks.max(1)) as f64;
    (1.0 - confidence) / tests
}

/// The `1 − alpha` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(alpha: f64, df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df.max(1) as f64) {
        Ok(t) => t.inverse_cdf(1.0 - alpha),
        Err(_) => f64::INFINITY,
    }
}

/// Decides `c` from per-replication values (non-finite ones left out) at
/// error rate `alpha` on the side that matters.
pub fn decide(values: &[f64], c: &Constraint, alpha: f64) -> Decision {
    let xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = xs.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / n as f64
    };
    if n < 2 {
        return Decision {
            verdict: Verdict::Undecided,
            n,
            mean,
            bounds: None,
        };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_quantile(alpha, n - 1) * (var / n as f64).sqrt();
    let (lo, hi) = (mean - half, mean + half);
    let d = c.tolerance;
    let verdict = match c.bound {
        Bound::Max(t) => pick(hi <= t + d, lo > t - d, mean <= t),
        Bound::Min(t) => pick(lo >= t - d, hi < t + d, mean >= t),
    };
    Decision {
        verdict,
        n,
        mean,
        bounds: Some([lo, hi]),
    }
}

fn pick(satisfied: bool, violated: bool, mean_ok: bool) -> Verdict {
    match (satisfied, violated) {
        (true, false) => Verdict::Satisfied,
        (false, true) => Verdict::Violated,
        (true, true) if mean_ok => Verdict::Satisfied,
        (true, true) => Verdict::Violated,
        (false, false) => Verdict::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max(t: f64, tolerance: f64) -> Constraint {
        Constraint {
            key: MetricKey::parse("wait_s").expect("valid"),
            bound: Bound::Max(t),
            tolerance,
            text: String::new(),
        }
    }

    #[test]
    fn schedules_double_up_to_the_cap() {
        assert_eq!(Schedule::new(10, 100).looks(), [10, 20, 40, 80, 100]);
        assert_eq!(Schedule::new(10, 10).looks(), [10]);
        assert_eq!(Schedule::new(1, 3).looks(), [2, 3]);
    }

    #[test]
    fn verdicts_need_the_interval_on_one_side() {
        let xs = [9.0, 10.0, 11.0, 10.0, 9.5, 10.5];
        // Mean 10, s ≈ 0.71, one-sided 97.5% t(5) ≈ 2.571: bounds ≈ 10 ± 0.74.
        assert_eq!(
            decide(&xs, &max(11.0, 0.0), 0.025).verdict,
            Verdict::Satisfied
        );
        assert_eq!(
            decide(&xs, &max(9.0, 0.0), 0.025).verdict,
            Verdict::Violated
        );
        assert_eq!(
            decide(&xs, &max(10.2, 0.0), 0.025).verdict,
            Verdict::Undecided
        );
        // Within the tolerance either way: decided by the mean.
        assert_eq!(
            decide(&xs, &max(10.2, 1.0), 0.025).verdict,
            Verdict::Satisfied
        );
        assert_eq!(
            decide(&xs, &max(9.9, 1.0), 0.025).verdict,
            Verdict::Violated
        );
        let min = Constraint {
            bound: Bound::Min(9.0),
            ..max(0.0, 0.0)
        };
        assert_eq!(decide(&xs, &min, 0.025).verdict, Verdict::Satisfied);
        let d = decide(&[1.0], &max(5.0, 0.0), 0.025);
        assert_eq!((d.verdict, d.bounds), (Verdict::Undecided, None));
        // Zero variance is taken at face value.
        assert_eq!(
            decide(&[0.0; 4], &max(0.0, 0.0), 0.01).verdict,
            Verdict::Satisfied
        );
    }

    #[test]
    fn the_split_confidence_and_extreme_quantiles() {
        let a = alpha_per_test(0.95, 6, 1, 6);
        assert!((a - 0.05 / 36.0).abs() < 1e-15);
        assert!((t_quantile(0.025, 1000) - 1.962).abs() < 1e-3);
        // t(9) at 1 − 0.001 is 4.297.
        assert!(
            (t_quantile(0.001, 9) - 4.297).abs() < 1e-3,
            "{}",
            t_quantile(0.001, 9)
        );
        assert!(t_quantile(1e-6, 30).is_finite());
    }
}
