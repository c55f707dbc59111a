//! How much longer: the remaining time of a duration that has already
//! lasted `elapsed`, for every distribution a scenario can describe.
//!
//! A forecast that starts from a port in use meets services already under
//! way. Their remaining times are not fresh draws: given that a service
//! has lasted `t`, its remaining time `R` has survival
//! `P(R > x) = S(t + x) / S(t)`. [`Residual`] gives that conditional
//! survival, its quantiles, its mean (the mean residual life) and a
//! sampler that draws it by inversion with one uniform number per draw,
//! so a stream advances predictably. The exponential is memoryless: its
//! remaining time has the law of a fresh draw whatever `t` is.
//!
//! A duration past the end of its distribution's support (longer than a
//! uniform's maximum, an empirical's largest value or a deterministic
//! value) has nothing left: its remaining time is zero.
//!
//! The draws are from the conditional law, not the same numbers
//! [`super::Sampler`] would draw for a fresh duration.

use rand::RngExt;

use super::law::{Law, norm_inverse_ln_sf};
use super::special::{ln_mills, ln_norm_sf};
use super::{Dist, DistError};
use crate::engine::streams::Rng;

/// The remaining-time law of a distribution, for any elapsed time.
#[derive(Clone, Debug, PartialEq)]
pub struct Residual {
    shape: Shape,
}

#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// Exponential, gamma, Erlang, lognormal.
    Law(Law),
    Const(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Normal truncated at zero: `S(x) = Φc((x - mean)/sd) / Φc(-mean/sd)`.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Values (at least zero) in increasing order, with normalised weights.
    Empirical {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

impl Dist {
    /// The remaining-time law of this distribution (a duration: values
    /// below zero count as zero, the normal is truncated at zero, as
    /// [`super::Sampler::sample`] draws them).
    pub fn residual(&self) -> Result<Residual, DistError> {
        self.sampler()?;
        let shape = match *self {
            Dist::Exponential { mean } => Shape::Law(Law::gamma(1.0, mean)),
            Dist::Deterministic { value } => Shape::Const(value),
            Dist::Uniform { min, max } if min == max => Shape::Const(min),
            Dist::Uniform { min, max } => Shape::Uniform { min, max },
            Dist::Triangular { min, mode, max } => Shape::Triangular { min, mode, max },
            Dist::Normal { mean, sd: 0.0 } => Shape::Const(mean.max(0.0)),
            Dist::Normal { mean, sd } => Shape::Normal { mean, sd },
            Dist::LogNormal { mean, sd } | Dist::Gamma { mean, sd } if sd == 0.0 => {
                Shape::Const(mean)
            }
            Dist::LogNormal { mean, sd } => {
                let sigma2 = (sd / mean).powi(2).ln_1p();
                Shape::Law(Law::lognormal(mean.ln() - sigma2 / 2.0, sigma2.sqrt()))
            }
            Dist::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                Shape::Law(Law::gamma(shape, mean / shape))
            }
            Dist::Erlang { k, mean } => {
                let k = f64::from(k);
                Shape::Law(Law::gamma(k, mean / k))
            }
            Dist::Empirical {
                ref values,
                ref weights,
            } => {
                let total: f64 = weights.iter().sum();
                let mut pairs: Vec<(f64, f64)> = values
                    .iter()
                    .zip(weights)
                    .map(|(&v, &w)| (v.max(0.0), w / total))
                    .collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                Shape::Empirical {
                    values: pairs.iter().map(|p| p.0).collect(),
                    weights: pairs.iter().map(|p| p.1).collect(),
                }
            }
        };
        Ok(Residual { shape })
    }
}

impl Residual {
    /// `ln P(X > t)` of the whole duration.
    pub fn ln_survival(&self, t: f64) -> f64 {
        match &self.shape {
            Shape::Law(law) => law.ln_sf(t),
            &Shape::Const(v) => {
                if t < v {
                    0.0
                } else {
                    f64::NEG_INFINITY
                }
            }
            &Shape::Uniform { min, max } => {
                if t < min {
                    0.0
                } else if t >= max {
                    f64::NEG_INFINITY
                } else {
                    ((max - t) / (max - min)).ln()
                }
            }
            &Shape::Triangular { min, mode, max } => triangular_sf(min, mode, max, t).ln(),
            &Shape::Normal { mean, sd } => {
                if t < 0.0 {
                    0.0
                } else {
                    ln_norm_sf((t - mean) / sd) - ln_norm_sf(-mean / sd)
                }
            }
            Shape::Empirical { values, weights } => {
                let above: f64 = values
                    .iter()
                    .zip(weights)
                    .filter(|(v, _)| **v > t)
                    .map(|(_, w)| w)
                    .sum();
                above.min(1.0).ln()
            }
        }
    }

    /// `P(R > x)`: the probability that a duration which has lasted
    /// `elapsed` goes on for more than `x` longer (zero when nothing is
    /// left).
    pub fn survival(&self, elapsed: f64, x: f64) -> f64 {
        if x < 0.0 {
            return 1.0;
        }
        let now = self.ln_survival(elapsed);
        if now == f64::NEG_INFINITY {
            return 0.0;
        }
        (self.ln_survival(elapsed + x) - now).exp().min(1.0)
    }

    /// The remaining time `r` with `P(R ≤ r) = p`, for `p` in `[0, 1)`.
    pub fn quantile(&self, elapsed: f64, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let now = self.ln_survival(elapsed);
        if now == f64::NEG_INFINITY {
            return 0.0;
        }
        // The whole duration's survival at the answer.
        let target = now + (-p).ln_1p();
        let total = match &self.shape {
            Shape::Law(law) => law.inverse_ln_sf(target),
            &Shape::Const(v) => v,
            &Shape::Uniform { min, max } => max - target.exp() * (max - min),
            &Shape::Triangular { min, mode, max } => {
                triangular_inverse_sf(min, mode, max, target.exp())
            }
            &Shape::Normal { mean, sd } => {
                let goal = target + ln_norm_sf(-mean / sd);
                mean + sd * norm_inverse_ln_sf(goal)
            }
            Shape::Empirical { values, weights } => {
                // Smallest value v > elapsed with P(X > v) ≤ target.
                let goal = target.exp();
                let mut above = 1.0;
                let mut answer = values.last().copied().unwrap_or(0.0);
                for (&v, &w) in values.iter().zip(weights) {
                    above -= w;
                    if v > elapsed && above <= goal * (1.0 + 1e-12) {
                        answer = v;
                        break;
                    }
                }
                answer
            }
        };
        (total - elapsed).max(0.0)
    }

    /// A remaining time for a duration that has lasted `elapsed`, drawn by
    /// inversion (one uniform number from `rng`).
    pub fn sample(&self, elapsed: f64, rng: &mut Rng) -> f64 {
        let u: f64 = rng.random();
        self.quantile(elapsed, u)
    }

    /// The mean residual life `E[X - t | X > t]` (zero when nothing is
    /// left).
    pub fn mean(&self, elapsed: f64) -> f64 {
        let t = elapsed;
        match &self.shape {
            Shape::Law(law) => {
                if self.ln_survival(t) == f64::NEG_INFINITY {
                    0.0
                } else {
                    law.mean_residual(t)
                }
            }
            &Shape::Const(v) => (v - t).max(0.0),
            &Shape::Uniform { min, max } => {
                if t >= max {
                    0.0
                } else {
                    (min.max(t) + max) / 2.0 - t
                }
            }
            &Shape::Triangular { min, mode, max } => triangular_mean_residual(min, mode, max, t),
            &Shape::Normal { mean, sd } => {
                // E[Z - a | Z > a] = 1/R(a) - a for the standard normal.
                let a = (t.max(0.0) - mean) / sd;
                sd * ((-ln_mills(a)).exp() - a) + (t.max(0.0) - t)
            }
            Shape::Empirical { values, weights } => {
                let (mut mass, mut sum) = (0.0, 0.0);
                for (&v, &w) in values.iter().zip(weights) {
                    if v > t {
                        mass += w;
                        sum += w * (v - t);
                    }
                }
                if mass > 0.0 { sum / mass } else { 0.0 }
            }
        }
    }
}

fn triangular_sf(min: f64, mode: f64, max: f64, t: f64) -> f64 {
    if t <= min {
        1.0
    } else if t >= max {
        0.0
    } else if t <= mode {
        1.0 - (t - min).powi(2) / ((max - min) * (mode - min))
    } else {
        (max - t).powi(2) / ((max - min) * (max - mode))
    }
}

fn triangular_inverse_sf(min: f64, mode: f64, max: f64, s: f64) -> f64 {
    let at_mode = (max - mode) / (max - min);
    if s <= at_mode {
        max - (s * (max - min) * (max - mode)).sqrt()
    } else {
        min + ((1.0 - s) * (max - min) * (mode - min)).sqrt()
    }
}

/// `∫ₜ^max S / S(t)`: S is quadratic on each side of the mode, so
/// Simpson's rule on each piece is exact.
fn triangular_mean_residual(min: f64, mode: f64, max: f64, t: f64) -> f64 {
    let s_t = triangular_sf(min, mode, max, t);
    if s_t <= 0.0 {
        return 0.0;
    }
    let simpson = |a: f64, b: f64| {
        if b <= a {
            0.0
        } else {
            let f = |x| triangular_sf(min, mode, max, x);
            (b - a) / 6.0 * (f(a) + 4.0 * f((a + b) / 2.0) + f(b))
        }
    };
    let from = t.max(min);
    let integral = (from - t) + simpson(from, mode.max(from)) + simpson(mode.max(from), max);
    integral / s_t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::streams::Streams;

    /// `E[R] = ∫₀^∞ S(t + x)/S(t) dx` by Simpson's rule on a fine grid up
    /// to where the survival is negligible: the truth the sampler and the
    /// closed forms are held to.
    fn integrated_mean(r: &Residual, elapsed: f64, upper: f64) -> f64 {
        let n = 200_000;
        let h = upper / f64::from(n);
        let mut s = r.survival(elapsed, 0.0) + r.survival(elapsed, upper);
        for i in 1..n {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * r.survival(elapsed, h * f64::from(i));
        }
        s * h / 3.0
    }

    fn cases() -> Vec<(Dist, f64)> {
        vec![
            (Dist::Exponential { mean: 30.0 }, 1_500.0),
            (
                Dist::Gamma {
                    mean: 30.0,
                    sd: 10.0,
                },
                600.0,
            ),
            (
                Dist::Gamma {
                    mean: 30.0,
                    sd: 60.0,
                },
                6_000.0,
            ),
            (Dist::Erlang { k: 3, mean: 30.0 }, 600.0),
            (
                Dist::LogNormal {
                    mean: 30.0,
                    sd: 20.0,
                },
                20_000.0,
            ),
            (
                Dist::Uniform {
                    min: 10.0,
                    max: 50.0,
                },
                60.0,
            ),
            (
                Dist::Triangular {
                    min: 5.0,
                    mode: 10.0,
                    max: 60.0,
                },
                70.0,
            ),
            (
                Dist::Normal {
                    mean: 20.0,
                    sd: 15.0,
                },
                200.0,
            ),
            (Dist::Deterministic { value: 30.0 }, 60.0),
        ]
    }

    #[test]
    fn mean_residual_life_matches_the_integrated_survival() {
        for (dist, upper) in cases() {
            let r = dist.residual().expect("valid");
            for elapsed in [0.0, 7.0, 25.0, 45.0] {
                let want = integrated_mean(&r, elapsed, upper);
                let got = r.mean(elapsed);
                assert!(
                    (got - want).abs() <= 1e-4 * want.max(1.0),
                    "{dist:?} after {elapsed}: {got} vs {want}"
                );
            }
        }
    }

    /// The sampler's mean over 40,000 draws lies within 4 standard errors
    /// of the integrated mean residual life (the sd from the draws).
    #[test]
    fn the_sampler_draws_the_residual_law() {
        for (dist, upper) in cases() {
            let r = dist.residual().expect("valid");
            for elapsed in [0.0, 25.0, 45.0] {
                let mut rng = Streams::new(11, 0).stream("residual");
                let n = 40_000;
                let xs: Vec<f64> = (0..n).map(|_| r.sample(elapsed, &mut rng)).collect();
                let m = xs.iter().sum::<f64>() / f64::from(n);
                let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / f64::from(n)).sqrt();
                let want = integrated_mean(&r, elapsed, upper);
                assert!(
                    // (plus Simpson's error at a deterministic step)
                    (m - want).abs() <= 4.0 * sd / f64::from(n).sqrt() + 1e-4 * want,
                    "{dist:?} after {elapsed}: sample mean {m} vs {want}"
                );
                assert!(xs.iter().all(|&x| x >= 0.0));
            }
        }
    }

    #[test]
    fn the_exponential_is_memoryless() {
        let r = Dist::Exponential { mean: 90.0 }.residual().expect("valid");
        for elapsed in [0.0, 30.0, 900.0, 90_000.0] {
            assert!((r.mean(elapsed) - 90.0).abs() < 1e-9, "{elapsed}");
            for p in [0.1, 0.5, 0.99] {
                let want = -90.0 * (1.0f64 - p).ln();
                assert!((r.quantile(elapsed, p) - want).abs() < 1e-9 * want);
            }
            assert!((r.survival(elapsed, 90.0) - (-1.0f64).exp()).abs() < 1e-12);
        }
    }

    #[test]
    fn past_the_support_nothing_is_left() {
        let mut rng = Streams::new(1, 0).stream("residual");
        for dist in [
            Dist::Deterministic { value: 5.0 },
            Dist::Uniform { min: 1.0, max: 5.0 },
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
            Dist::Empirical {
                values: vec![1.0, 5.0],
                weights: vec![1.0, 1.0],
            },
        ] {
            let r = dist.residual().expect("valid");
            assert_eq!(r.mean(6.0), 0.0, "{dist:?}");
            assert_eq!(r.sample(6.0, &mut rng), 0.0, "{dist:?}");
            assert_eq!(r.survival(6.0, 1.0), 0.0, "{dist:?}");
        }
    }

    #[test]
    fn empirical_residuals_keep_the_weights_of_the_values_left() {
        let r = Dist::Empirical {
            values: vec![10.0, 20.0, 40.0],
            weights: vec![2.0, 1.0, 1.0],
        }
        .residual()
        .expect("valid");
        // After 15: 20 or 40 with equal weight, so 5 or 25 remaining.
        assert!((r.mean(15.0) - 15.0).abs() < 1e-12);
        assert_eq!(r.quantile(15.0, 0.25), 5.0);
        assert_eq!(r.quantile(15.0, 0.75), 25.0);
        assert!((r.survival(15.0, 10.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_long_elapsed_time_still_gives_finite_answers() {
        let r = Dist::Gamma {
            mean: 60.0,
            sd: 20.0,
        }
        .residual()
        .expect("valid");
        // 100 means in: S(t) ≈ e^-(hundreds), but the residual life is
        // about the scale (sd²/mean = 6.67): shape 9's hazard rises to
        // 1/scale, so the mean residual life falls to the scale from
        // above, as scale·(1 + (shape - 1)/z) at z = t/scale = 900.
        let m = r.mean(6_000.0);
        let want = 20.0 * 20.0 / 60.0 * (1.0 + 8.0 / 900.0);
        assert!((m - want).abs() < 1e-3 * want, "{m} vs {want}");
        let q = r.quantile(6_000.0, 0.5);
        assert!(q > 3.0 && q < 5.0, "{q}");
    }
}
