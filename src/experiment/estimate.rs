//! Means with 95% confidence intervals across replications.
//!
//! Replications are independent and identically distributed, so the mean of
//! a metric over `n` of them has a Student-t interval with `n − 1` degrees
//! of freedom. With fewer than two replications there is no interval, and
//! the estimate says so (`ci95` is `None`) rather than printing a
//! zero-width one; with no samples at all the mean is NaN, so it can never
//! pass for a real zero (reports print `null` or "n/a").
//!
//! A quantity that cannot be negative (a count, a duration, a rate) gets an
//! interval cut at zero ([`Estimate::at_least`]): the Student-t interval is
//! symmetric, and below zero it would claim values that cannot occur. The
//! cut interval still covers the mean at least as often as the uncut one.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A mean across replications and its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// 95% confidence interval of the mean, when there are at least two
    /// finite samples.
    pub ci95: Option<[f64; 2]>,
    /// Number of samples (replications) behind the estimate.
    #[serde(skip)]
    pub n: usize,
}

impl Estimate {
    /// The estimate from per-replication values, in replication order.
    /// Non-finite values are left out (and so counted out of `n`).
    pub fn from_samples(samples: &[f64]) -> Estimate {
        let finite: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        let n = finite.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                ci95: None,
                n,
            };
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate {
                mean,
                ci95: None,
                n,
            };
        }
        let var = finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_quantile_975(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean,
            ci95: Some([mean - half, mean + half]),
            n,
        }
    }

    /// The estimate from running moments: `n` finite samples with this
    /// mean and sample variance.
    pub fn from_moments(n: usize, mean: f64, variance: f64) -> Estimate {
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                ci95: None,
                n,
            };
        }
        let ci95 = (n >= 2).then(|| {
            let half = t_quantile_975(n - 1) * (variance.max(0.0) / n as f64).sqrt();
            [mean - half, mean + half]
        });
        Estimate { mean, ci95, n }
    }

    /// The same estimate with its interval kept within `[lo, hi]`, for a
    /// quantity that cannot leave that range (counts and durations are at
    /// least 0; a utilisation lies in [0, 1]).
    pub fn within(mut self, lo: f64, hi: f64) -> Estimate {
        self.ci95 = self.ci95.map(|[a, b]| [a.clamp(lo, hi), b.clamp(lo, hi)]);
        self
    }

    /// The same estimate with its interval cut at `lo` (see [`within`](Self::within)).
    pub fn at_least(self, lo: f64) -> Estimate {
        self.within(lo, f64::INFINITY)
    }

    /// Half the width of the interval (`None` without an interval).
    pub fn half_width(&self) -> Option<f64> {
        self.ci95.map(|[lo, hi]| (hi - lo) / 2.0)
    }

    /// Whether `value` lies inside the interval (inclusive).
    pub fn covers(&self, value: f64) -> bool {
        self.ci95.is_some_and(|[lo, hi]| lo <= value && value <= hi)
    }

    /// Whether the interval excludes zero (the difference is significant).
    pub fn excludes_zero(&self) -> bool {
        self.ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0)
    }

    /// The same estimate with every number multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Estimate {
        let ci95 = self.ci95.map(|[lo, hi]| {
            let (a, b) = (lo * factor, hi * factor);
            [a.min(b), a.max(b)]
        });
        Estimate {
            mean: self.mean * factor,
            ci95,
            n: self.n,
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        // df >= 1 is always valid; fall back to the normal quantile.
        Err(_) => 1.959_963_984_540_054,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_textbook_t_interval() {
        // Values 1..=5: mean 3, sd sqrt(2.5), t(4, .975) = 2.776.
        let e = Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        let half = e.half_width().expect("interval");
        assert!(
            (half - 2.776_445 * (2.5f64 / 5.0).sqrt()).abs() < 1e-4,
            "{half}"
        );
        assert!(e.covers(3.0) && !e.covers(10.0) && e.excludes_zero());
    }

    #[test]
    fn bounded_quantities_keep_their_interval_in_range() {
        // Counts 0, 0, 0, 3: the t interval reaches below zero.
        let e = Estimate::from_samples(&[0.0, 0.0, 0.0, 3.0]);
        assert!(e.ci95.is_some_and(|[lo, _]| lo < 0.0));
        let cut = e.at_least(0.0);
        assert_eq!(cut.ci95.map(|c| c[0]), Some(0.0));
        assert_eq!(cut.ci95.map(|c| c[1]), e.ci95.map(|c| c[1]));
        assert_eq!(cut.mean, 0.75);
        let u = Estimate::from_samples(&[0.99, 1.0, 1.0]).within(0.0, 1.0);
        assert!(u.ci95.is_some_and(|[_, hi]| hi == 1.0));
    }

    #[test]
    fn too_few_samples_have_no_interval() {
        assert_eq!(Estimate::from_samples(&[]).ci95, None);
        assert!(Estimate::from_samples(&[]).mean.is_nan());
        let one = Estimate::from_samples(&[4.0, f64::NAN]);
        assert_eq!((one.mean, one.ci95, one.n), (4.0, None, 1));
        assert!(!one.excludes_zero());
    }

    #[test]
    fn t_quantiles() {
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(19) - 2.093).abs() < 1e-3);
        assert!((t_quantile_975(1000) - 1.962).abs() < 1e-3);
    }
}
