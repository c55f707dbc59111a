//! Probability distributions for durations and offsets.
//!
//! A [`Dist`] is the user-facing description (what a scenario file says:
//! "lognormal with mean 12 min and sd 6 min"); [`Dist::sampler`] checks it
//! and turns it into a [`Sampler`] holding ready-made `rand_distr` objects,
//! so the hot loop never re-derives parameters. Distributions are described
//! by their mean and standard deviation wherever a user would think that
//! way (normal, lognormal, gamma), and converted to the native parameters
//! here, once.
//!
//! Units are the caller's: the port model builds distributions in ticks.
//! Duration samples are never negative; the normal distribution used for a
//! duration is truncated at zero (sampled exactly by inverting the CDF),
//! while [`Sampler::sample_offset`] draws an untruncated value for signed
//! quantities such as punctuality.
//!
//! Beside the samplers: [`law`] evaluates the continuous laws (densities,
//! distribution and survival functions in logarithms, quantiles, mean
//! residual life) on top of the log-space tail functions of [`special`],
//! and [`residual`] gives the remaining time of a duration that has
//! already lasted a while, for every distribution here.

pub mod law;
pub mod residual;
pub mod special;

use rand::RngExt;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Distribution, Exp, Exp1, Gamma, LogNormal, Normal, Triangular, Uniform};
use statrs::distribution::{ContinuousCDF, Normal as StatNormal};

use super::streams::Rng;
use super::time::{Span, ticks};

/// A probability distribution, as a user describes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: f64,
    },
    /// Always the same value.
    Deterministic {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with the given mean and standard deviation (truncated at zero
    /// when it describes a duration).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
    },
    /// Lognormal with the given mean and standard deviation.
    LogNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Gamma with the given mean and standard deviation.
    Gamma {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Erlang: the sum of `k` exponential phases, with the given total mean.
    Erlang {
        /// Number of phases.
        k: u32,
        /// Mean of the sum.
        mean: f64,
    },
    /// A finite set of values with weights (normalised).
    Empirical {
        /// The values.
        values: Vec<f64>,
        /// Their weights, one per value.
        weights: Vec<f64>,
    },
}

/// Why a distribution's parameters are invalid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A parameter that must be finite and positive is not.
    #[error("`{name}` must be a positive number, got {value}")]
    NotPositive {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: f64,
    },
    /// A parameter that must be finite and non-negative is not.
    #[error("`{name}` must be zero or more, got {value}")]
    Negative {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: f64,
    },
    /// A normal truncated at zero (a duration) with almost nothing above
    /// zero to draw from.
    #[error(
        "a normal with mean {mean} and sd {sd}, truncated at zero, has almost nothing above zero to draw from; for a duration the mean must be above about {} (-7 sd)",
        MIN_SDS_BELOW_ZERO * sd
    )]
    Truncated {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        sd: f64,
    },
    /// Bounds are out of order.
    #[error("expected min <= mode <= max with min < max, got {0}")]
    Bounds(String),
    /// Empirical values and weights do not match.
    #[error("{0}")]
    Empirical(String),
}

/// About how far below zero, in standard deviations, the mean of a
/// normal truncated at zero may lie: below about −7.03 sd less than
/// 10⁻¹² of the distribution is above zero, too little to draw from
/// exactly, and such a normal is refused.
pub const MIN_SDS_BELOW_ZERO: f64 = -7.0;

fn positive(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(DistError::NotPositive { name, value })
    }
}

fn non_negative(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(DistError::Negative { name, value })
    }
}

fn finite(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistError::NotPositive { name, value })
    }
}

/// A checked distribution, ready to draw from.
#[derive(Clone, Debug)]
pub struct Sampler {
    kind: Kind,
    mean: f64,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Exponential as `Exp1 × scale`, which is how `rand_distr::Exp`
    /// draws (scale = 1 / rate), so the values are the same; drawing `Exp1`
    /// directly lets the compiler inline the ziggurat into the caller.
    Exp {
        /// The mean, computed as `Exp` computes it from the rate.
        scale: f64,
    },
    Const(f64),
    Uniform(Uniform<f64>),
    Triangular(Triangular<f64>),
    /// Normal, its statrs twin for the inverse CDF, and the CDF at zero
    /// for exact truncation.
    Normal(Normal<f64>, StatNormal, f64),
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Empirical(WeightedIndex<f64>, Vec<f64>),
}

impl Dist {
    /// Checks the parameters and prepares a sampler.
    ///
    /// Means, deviations and bounds of duration distributions must be
    /// non-negative; a normal's mean may be any finite number (it is also
    /// used for signed offsets).
    pub fn sampler(&self) -> Result<Sampler, DistError> {
        let bad = |_| DistError::Bounds(format!("{self:?}"));
        let (kind, mean) = match *self {
            Dist::Exponential { mean } => {
                let mean = positive("mean", mean)?;
                let rate = 1.0 / mean;
                // Validated as `rand_distr` would, then kept as its scale.
                Exp::new(rate).map_err(|_| bad(()))?;
                (Kind::Exp { scale: 1.0 / rate }, mean)
            }
            Dist::Deterministic { value } => {
                let value = non_negative("value", value)?;
                (Kind::Const(value), value)
            }
            Dist::Uniform { min, max } => {
                let (min, max) = (non_negative("min", min)?, non_negative("max", max)?);
                if min > max {
                    return Err(DistError::Bounds(format!("min {min} > max {max}")));
                }
                if min == max {
                    (Kind::Const(min), min)
                } else {
                    let u = Uniform::new_inclusive(min, max).map_err(|_| bad(()))?;
                    (Kind::Uniform(u), (min + max) / 2.0)
                }
            }
            Dist::Triangular { min, mode, max } => {
                let min = non_negative("min", min)?;
                let mode = non_negative("mode", mode)?;
                let max = non_negative("max", max)?;
                if !(min <= mode && mode <= max && min < max) {
                    return Err(DistError::Bounds(format!(
                        "min {min}, mode {mode}, max {max}"
                    )));
                }
                let t = Triangular::new(min, max, mode).map_err(|_| bad(()))?;
                (Kind::Triangular(t), (min + mode + max) / 3.0)
            }
            Dist::Normal { mean, sd } => {
                let mean = finite("mean", mean)?;
                let sd = non_negative("sd", sd)?;
                if sd == 0.0 {
                    (Kind::Const(mean), mean)
                } else {
                    let n = Normal::new(mean, sd).map_err(|_| bad(()))?;
                    let stat = StatNormal::new(mean, sd).map_err(|_| bad(()))?;
                    let p0 = stat.cdf(0.0);
                    if p0 >= 1.0 - 1e-12 {
                        return Err(DistError::Truncated { mean, sd });
                    }
                    (
                        Kind::Normal(n, stat, p0),
                        truncated_normal_mean(mean, sd, p0),
                    )
                }
            }
            Dist::LogNormal { mean, sd } => {
                let mean = positive("mean", mean)?;
                let sd = non_negative("sd", sd)?;
                if sd == 0.0 {
                    (Kind::Const(mean), mean)
                } else {
                    let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                    let mu = mean.ln() - sigma2 / 2.0;
                    let l = LogNormal::new(mu, sigma2.sqrt()).map_err(|_| bad(()))?;
                    (Kind::LogNormal(l), mean)
                }
            }
            Dist::Gamma { mean, sd } => {
                let mean = positive("mean", mean)?;
                let sd = non_negative("sd", sd)?;
                if sd == 0.0 {
                    (Kind::Const(mean), mean)
                } else {
                    let shape = (mean / sd).powi(2);
                    let g = Gamma::new(shape, mean / shape).map_err(|_| bad(()))?;
                    (Kind::Gamma(g), mean)
                }
            }
            Dist::Erlang { k, mean } => {
                let mean = positive("mean", mean)?;
                if k == 0 {
                    return Err(DistError::NotPositive {
                        name: "k",
                        value: 0.0,
                    });
                }
                let shape = f64::from(k);
                let g = Gamma::new(shape, mean / shape).map_err(|_| bad(()))?;
                (Kind::Gamma(g), mean)
            }
            Dist::Empirical {
                ref values,
                ref weights,
            } => {
                if values.is_empty() || values.len() != weights.len() {
                    return Err(DistError::Empirical(format!(
                        "expected as many weights as values and at least one value, got {} values and {} weights",
                        values.len(),
                        weights.len()
                    )));
                }
                for &v in values {
                    finite("values", v)?;
                }
                for &w in weights {
                    non_negative("weights", w)?;
                }
                let total: f64 = weights.iter().sum();
                if !total.is_finite() {
                    return Err(DistError::Empirical(
                        "the weights add up to more than a number can hold; they must sum to a finite number, and only their ratios matter, so scale them down (like [1, 1])"
                            .to_owned(),
                    ));
                }
                if total == 0.0 {
                    return Err(DistError::Empirical(
                        "weights must not all be zero".to_owned(),
                    ));
                }
                let index = WeightedIndex::new(weights.iter().copied()).map_err(|e| {
                    DistError::Empirical(format!("the weights cannot be drawn from: {e}"))
                })?;
                let mut mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
                if !mean.is_finite() {
                    // Huge weights times values: the same mean, by shares.
                    mean = values
                        .iter()
                        .zip(weights)
                        .map(|(v, w)| v * (w / total))
                        .sum();
                }
                (Kind::Empirical(index, values.clone()), mean)
            }
        };
        Ok(Sampler { kind, mean })
    }
}

fn truncated_normal_mean(mu: f64, sd: f64, p0: f64) -> f64 {
    let alpha = -mu / sd;
    let phi = (-alpha * alpha / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    mu + sd * phi / (1.0 - p0)
}

impl Dist {
    /// Checks the parameters of a signed quantity (an offset, such as
    /// punctuality) and prepares a sampler to draw it with
    /// [`Sampler::sample_offset`]: a normal is not truncated, so any
    /// finite mean is valid (however far below zero); other
    /// distributions are checked as by [`Dist::sampler`].
    pub fn offset_sampler(&self) -> Result<Sampler, DistError> {
        let Dist::Normal { mean, sd } = *self else {
            return self.sampler();
        };
        let mean = finite("mean", mean)?;
        let sd = non_negative("sd", sd)?;
        if sd == 0.0 {
            return Ok(Sampler {
                kind: Kind::Const(mean),
                mean,
            });
        }
        let bad = |_| DistError::Bounds(format!("{self:?}"));
        let n = Normal::new(mean, sd).map_err(bad)?;
        let stat = StatNormal::new(mean, sd).map_err(|_| DistError::Bounds(format!("{self:?}")))?;
        let p0 = stat.cdf(0.0);
        Ok(Sampler {
            kind: Kind::Normal(n, stat, p0),
            mean,
        })
    }
}

impl Sampler {
    /// Draws a non-negative value (a duration). Empirical values below zero
    /// are clamped to zero.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        // The exponential (every Poisson process, most service models) is
        // drawn inline; the rest go through one out-of-line match, whose
        // register spills cost as much as a whole exponential draw.
        if let Kind::Exp { scale } = self.kind {
            return Distribution::<f64>::sample(&Exp1, rng) * scale;
        }
        self.sample_general(rng)
    }

    /// Fills `out` with durations rounded to whole ticks: the same values,
    /// in the same order, as calling [`Sampler::sample`] once per slot.
    pub fn fill_ticks(&self, rng: &mut Rng, out: &mut [Span]) {
        // One dispatch per batch instead of one per draw, for the two
        // service distributions scenarios use most.
        match &self.kind {
            Kind::Exp { scale } => {
                for slot in out {
                    *slot = ticks(Distribution::<f64>::sample(&Exp1, rng) * scale);
                }
            }
            Kind::LogNormal(d) => {
                for slot in out {
                    *slot = ticks(d.sample(rng));
                }
            }
            _ => {
                for slot in out {
                    *slot = ticks(self.sample_general(rng));
                }
            }
        }
    }

    #[inline(never)]
    fn sample_general(&self, rng: &mut Rng) -> f64 {
        match &self.kind {
            Kind::Exp { scale } => Distribution::<f64>::sample(&Exp1, rng) * scale,
            Kind::Const(v) => v.max(0.0),
            Kind::Uniform(d) => d.sample(rng),
            Kind::Triangular(d) => d.sample(rng),
            Kind::Normal(_, stat, p0) => {
                // Inverse-CDF sampling restricted to [0, inf): exact, and one
                // draw per sample, so the stream advances predictably.
                let u: f64 = rng.random();
                let p = p0 + u * (1.0 - p0);
                stat.inverse_cdf(p.min(1.0 - 1e-16)).max(0.0)
            }
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Empirical(index, values) => values[index.sample(rng)].max(0.0),
        }
    }

    /// Draws a value that may be negative (an offset, such as how early or
    /// late a truck arrives for its slot). Only the normal and empirical
    /// distributions produce negative values.
    #[inline]
    pub fn sample_offset(&self, rng: &mut Rng) -> f64 {
        match &self.kind {
            Kind::Normal(n, ..) => n.sample(rng),
            Kind::Const(v) => *v,
            Kind::Empirical(index, values) => values[index.sample(rng)],
            _ => self.sample(rng),
        }
    }

    /// The mean of [`Sampler::sample`] (after truncation at zero), or of
    /// [`Sampler::sample_offset`] for a sampler from
    /// [`Dist::offset_sampler`].
    pub fn mean(&self) -> f64 {
        self.mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::streams::Streams;

    fn moments(dist: &Dist, n: usize) -> (f64, f64) {
        let s = dist.sampler().expect("valid");
        let mut rng = Streams::new(7, 0).stream("test");
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt())
    }

    /// Sample mean and sd agree with the parameters within a few standard
    /// errors (n = 200k: the standard error of the mean is sd / 447).
    #[test]
    fn mean_and_sd_parameterisations_hold() {
        let cases = [
            (Dist::Exponential { mean: 5.0 }, 5.0, 5.0),
            (Dist::Deterministic { value: 3.0 }, 3.0, 0.0),
            (
                Dist::Uniform { min: 2.0, max: 4.0 },
                3.0,
                2.0 / 12f64.sqrt(),
            ),
            (
                Dist::LogNormal {
                    mean: 12.0,
                    sd: 6.0,
                },
                12.0,
                6.0,
            ),
            (Dist::Gamma { mean: 4.0, sd: 2.0 }, 4.0, 2.0),
            (Dist::Erlang { k: 4, mean: 8.0 }, 8.0, 4.0),
            (
                Dist::Normal {
                    mean: 10.0,
                    sd: 1.0,
                },
                10.0,
                1.0,
            ),
            (
                Dist::Triangular {
                    min: 0.0,
                    mode: 3.0,
                    max: 6.0,
                },
                3.0,
                (36.0f64 / 24.0).sqrt(),
            ),
            (
                Dist::Empirical {
                    values: vec![1.0, 3.0],
                    weights: vec![3.0, 1.0],
                },
                1.5,
                0.75f64.sqrt(),
            ),
        ];
        for (dist, mean, sd) in cases {
            let (m, s) = moments(&dist, 200_000);
            assert!(
                (m - mean).abs() <= 4.0 * sd / 447.0 + 1e-9,
                "{dist:?}: mean {m}"
            );
            assert!((s - sd).abs() <= 0.02 * sd + 1e-9, "{dist:?}: sd {s}");
            let declared = dist.sampler().map(|s| s.mean()).unwrap_or(f64::NAN);
            assert!(
                (declared - mean).abs() < 1e-9,
                "{dist:?}: declared mean {declared}"
            );
        }
    }

    #[test]
    fn truncated_normal_is_non_negative_with_the_right_mean() {
        // Standard normal truncated at 0 has mean sqrt(2/pi).
        let dist = Dist::Normal { mean: 0.0, sd: 1.0 };
        let s = dist.sampler().expect("valid");
        let expected = (2.0 / std::f64::consts::PI).sqrt();
        assert!((s.mean() - expected).abs() < 1e-12);
        let mut rng = Streams::new(1, 0).stream("n");
        let xs: Vec<f64> = (0..100_000).map(|_| s.sample(&mut rng)).collect();
        assert!(xs.iter().all(|&x| x >= 0.0));
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((m - expected).abs() < 0.01, "mean {m}");
        // Offsets are not truncated.
        let negatives = (0..1000)
            .filter(|_| s.sample_offset(&mut rng) < 0.0)
            .count();
        assert!(negatives > 400 && negatives < 600, "{negatives}");
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        for dist in [
            Dist::Exponential { mean: 0.0 },
            Dist::Exponential { mean: f64::NAN },
            Dist::LogNormal {
                mean: -1.0,
                sd: 1.0,
            },
            Dist::Gamma {
                mean: 1.0,
                sd: -1.0,
            },
            Dist::Uniform { min: 5.0, max: 1.0 },
            Dist::Triangular {
                min: 0.0,
                mode: 9.0,
                max: 5.0,
            },
            Dist::Erlang { k: 0, mean: 1.0 },
            Dist::Empirical {
                values: vec![1.0],
                weights: vec![],
            },
            Dist::Empirical {
                values: vec![1.0],
                weights: vec![0.0],
            },
            Dist::Normal {
                mean: -100.0,
                sd: 1.0,
            },
        ] {
            assert!(dist.sampler().is_err(), "{dist:?} accepted");
        }
    }

    /// The inline exponential must give exactly the draws of
    /// `rand_distr::Exp`, so results do not depend on which path drew them.
    #[test]
    fn exponential_matches_rand_distr_bit_for_bit() {
        for mean in [1.0, 1_111.111, 10_000.0, 3.7e7] {
            let ours = Dist::Exponential { mean }.sampler().expect("valid");
            let theirs = Exp::new(1.0 / mean).expect("valid");
            let mut a = Streams::new(3, 1).stream("exp");
            let mut b = Streams::new(3, 1).stream("exp");
            for _ in 0..10_000 {
                assert_eq!(
                    ours.sample(&mut a).to_bits(),
                    theirs.sample(&mut b).to_bits()
                );
            }
        }
    }

    /// An offset's normal is untruncated: any finite mean, however far
    /// below zero, is drawn as it is (issue 24: −8 h was refused as "not
    /// greater than zero" while −5 h was accepted).
    #[test]
    fn an_offset_normal_takes_any_finite_mean() {
        let far = Dist::Normal {
            mean: -8.0,
            sd: 1.0,
        };
        assert!(matches!(far.sampler(), Err(DistError::Truncated { .. })));
        let s = far.offset_sampler().expect("an offset");
        assert_eq!(s.mean(), -8.0);
        let mut rng = Streams::new(5, 0).stream("offset");
        let n = 100_000;
        let mean = (0..n).map(|_| s.sample_offset(&mut rng)).sum::<f64>() / n as f64;
        // sd 1: the standard error of the mean is 1/316.
        assert!((mean + 8.0).abs() < 0.02, "{mean}");
        assert!(
            Dist::Normal {
                mean: f64::NAN,
                sd: 1.0
            }
            .offset_sampler()
            .is_err()
        );
        // Others are checked as durations.
        assert!(Dist::Exponential { mean: -1.0 }.offset_sampler().is_err());
    }

    #[test]
    fn weights_that_sum_beyond_a_number_are_named_as_such() {
        let huge = Dist::Empirical {
            values: vec![1.0, 2.0],
            weights: vec![1e308, 1e308],
        };
        let Err(DistError::Empirical(m)) = huge.sampler() else {
            panic!("accepted")
        };
        assert!(m.contains("must sum to a finite number"), "{m}");
        // Large but summable weights: the mean by shares, no overflow.
        let big = Dist::Empirical {
            values: vec![1e10, 3e10],
            weights: vec![1e300, 1e300],
        };
        assert_eq!(big.sampler().expect("valid").mean(), 2e10);
    }

    /// Filling a batch gives the values of one draw per slot, in order, for
    /// the inline exponential and the general path alike.
    #[test]
    fn fill_ticks_equals_drawing_one_at_a_time() {
        for dist in [
            Dist::Exponential { mean: 500.0 },
            Dist::LogNormal {
                mean: 500.0,
                sd: 200.0,
            },
            Dist::Normal {
                mean: 10.0,
                sd: 30.0,
            },
        ] {
            let s = dist.sampler().expect("valid");
            let mut a = Streams::new(9, 0).stream("fill");
            let mut b = Streams::new(9, 0).stream("fill");
            let mut batch = [0; 100];
            s.fill_ticks(&mut a, &mut batch);
            let one_by_one: Vec<Span> = (0..100).map(|_| ticks(s.sample(&mut b))).collect();
            assert_eq!(batch.as_slice(), one_by_one.as_slice(), "{dist:?}");
        }
    }
}
