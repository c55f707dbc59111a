//! The continuous laws portsim fits and simulates (gamma, with the
//! exponential and Erlang as its special shapes, and lognormal), as
//! functions rather than samplers: density, distribution and survival
//! functions, integrated tails, quantiles and mean residual life.
//!
//! Everything is computed in logarithms through [`super::special`], so a
//! survival probability far out in a tail is small but never zero, and
//! its logarithm is finite. Quantiles invert the log-survival by a
//! safeguarded Newton iteration, so the quantile of a remaining time
//! given a long elapsed time is as accurate as one in the bulk.

use statrs::function::gamma::ln_gamma;

use super::special::{
    GammaTail, LN_SQRT_2PI, gamma_ln_g, gamma_ln_h, gamma_ln_p, gamma_ln_q, gamma_tail,
    ln_diff_exp, ln_mills, ln_norm_pdf, ln_norm_sf,
};

/// A continuous law on `(0, ∞)`, in the caller's units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Law {
    /// Gamma with `shape` and `scale` (exponential: shape 1; Erlang: a
    /// whole shape).
    Gamma {
        /// Shape (> 0).
        shape: f64,
        /// Scale (> 0).
        scale: f64,
        /// `ln Γ(shape)`, computed once.
        ln_gamma_shape: f64,
        /// `ln shape`, computed once.
        ln_shape: f64,
    },
    /// Lognormal: `ln X` is normal with mean `mu` and sd `sigma`.
    LogNormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X` (> 0).
        sigma: f64,
    },
}

/// The tail quantities of a law at one point `x`, in logarithms:
/// `F(x)`, `S(x) = 1 - F(x)`, `G(x) = ∫₀ˣ F` and `H(x) = ∫ₓ^∞ S` (the
/// expected excess `E[(X - x)⁺]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tail {
    /// `ln F(x)`.
    pub ln_cdf: f64,
    /// `ln S(x)`.
    pub ln_sf: f64,
    /// `ln G(x)`.
    pub ln_g: f64,
    /// `ln H(x)`.
    pub ln_h: f64,
}

impl Law {
    /// Gamma with the given shape and scale.
    pub fn gamma(shape: f64, scale: f64) -> Law {
        Law::Gamma {
            shape,
            scale,
            ln_gamma_shape: ln_gamma(shape),
            ln_shape: shape.ln(),
        }
    }

    /// Lognormal with the given log-mean and log-sd.
    pub fn lognormal(mu: f64, sigma: f64) -> Law {
        Law::LogNormal { mu, sigma }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Law::Gamma { shape, scale, .. } => shape * scale,
            Law::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
        }
    }

    /// The standard deviation.
    pub fn sd(&self) -> f64 {
        match *self {
            Law::Gamma { shape, scale, .. } => shape.sqrt() * scale,
            Law::LogNormal { sigma, .. } => self.mean() * (sigma * sigma).exp_m1().sqrt(),
        }
    }

    /// `ln f(x)`, the log-density (`-inf` outside the support).
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() || x < 0.0 || x == f64::INFINITY {
            return f64::NEG_INFINITY;
        }
        match *self {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ..
            } => {
                if x == 0.0 {
                    return match shape.partial_cmp(&1.0) {
                        Some(std::cmp::Ordering::Less) => f64::INFINITY,
                        Some(std::cmp::Ordering::Equal) => -scale.ln(),
                        _ => f64::NEG_INFINITY,
                    };
                }
                let z = x / scale;
                (shape - 1.0) * z.ln() - z - ln_gamma_shape - scale.ln()
            }
            Law::LogNormal { mu, sigma } => {
                if x == 0.0 {
                    return f64::NEG_INFINITY;
                }
                let lx = x.ln();
                let zeta = (lx - mu) / sigma;
                -lx - sigma.ln() - LN_SQRT_2PI - 0.5 * zeta * zeta
            }
        }
    }

    /// All tail quantities at `x`.
    pub fn tail(&self, x: f64) -> Tail {
        match *self {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ..
            } => {
                let GammaTail {
                    ln_p,
                    ln_q,
                    ln_g,
                    ln_h,
                } = gamma_tail(shape, ln_gamma_shape, x / scale);
                let ls = scale.ln();
                Tail {
                    ln_cdf: ln_p,
                    ln_sf: ln_q,
                    ln_g: ln_g + ls,
                    ln_h: ln_h + ls,
                }
            }
            Law::LogNormal { mu, sigma } => lognormal_tail(mu, sigma, x),
        }
    }

    /// `ln S(x) = ln P(X > x)`.
    pub fn ln_sf(&self, x: f64) -> f64 {
        match *self {
            Law::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    ln_norm_sf((x.ln() - mu) / sigma)
                }
            }
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ln_shape,
            } => gamma_ln_q(shape, ln_shape, ln_gamma_shape, x / scale),
        }
    }

    /// `ln F(x) = ln P(X ≤ x)`.
    pub fn ln_cdf(&self, x: f64) -> f64 {
        match *self {
            Law::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    ln_norm_sf((mu - x.ln()) / sigma)
                }
            }
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ln_shape,
            } => gamma_ln_p(shape, ln_shape, ln_gamma_shape, x / scale),
        }
    }

    /// `ln G(x) = ln ∫₀ˣ F` alone (cheaper than [`Law::tail`]).
    pub fn ln_g(&self, x: f64) -> f64 {
        match *self {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ln_shape,
            } => gamma_ln_g(shape, ln_shape, ln_gamma_shape, x / scale) + scale.ln(),
            Law::LogNormal { mu, sigma } => {
                if !(x > 0.0 && x < f64::INFINITY) {
                    return lognormal_tail(mu, sigma, x).ln_g;
                }
                let lx = x.ln();
                let zeta = (lx - mu) / sigma;
                lx + ln_norm_pdf(zeta) + ln_diff_exp(ln_mills(-zeta), ln_mills(sigma - zeta))
            }
        }
    }

    /// `ln H(x) = ln ∫ₓ^∞ S` alone (cheaper than [`Law::tail`]).
    pub fn ln_h(&self, x: f64) -> f64 {
        match *self {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ln_shape,
            } => gamma_ln_h(shape, ln_shape, ln_gamma_shape, x / scale) + scale.ln(),
            Law::LogNormal { mu, sigma } => {
                if !(x > 0.0 && x < f64::INFINITY) {
                    return lognormal_tail(mu, sigma, x).ln_h;
                }
                let lx = x.ln();
                let zeta = (lx - mu) / sigma;
                lx + ln_norm_pdf(zeta) + ln_diff_exp(ln_mills(zeta - sigma), ln_mills(zeta))
            }
        }
    }

    /// `F(x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        self.ln_cdf(x).exp()
    }

    /// The mean residual life `E[X - t | X > t]`.
    pub fn mean_residual(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return self.mean() - t.min(0.0);
        }
        let tail = self.tail(t);
        (tail.ln_h - tail.ln_sf).exp()
    }

    /// The `x` with `ln S(x) = target` (`target ≤ 0`): the quantile of
    /// probability `1 - e^target`, accurate however small `e^target` is.
    pub fn inverse_ln_sf(&self, target: f64) -> f64 {
        if target.is_nan() {
            return f64::NAN;
        }
        if target >= 0.0 {
            return 0.0;
        }
        if target == f64::NEG_INFINITY {
            return f64::INFINITY;
        }
        match *self {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ..
            } => {
                if shape == 1.0 {
                    return -target * scale;
                }
                // Newton on u = ln z: d ln Q / du = -z f(z) / Q(z).
                let value = |u: f64| {
                    let z = u.exp();
                    let t = gamma_tail(shape, ln_gamma_shape, z);
                    let ln_zf = shape * u - z - ln_gamma_shape;
                    (t.ln_q - target, -(ln_zf - t.ln_q).exp())
                };
                let guess = (shape.max(1e-3) * (1.0 - target / shape.max(1.0))).ln();
                scale * solve_decreasing(value, guess).exp()
            }
            Law::LogNormal { mu, sigma } => (mu + sigma * norm_inverse_ln_sf(target)).exp(),
        }
    }

    /// The quantile of probability `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        self.inverse_ln_sf((-p).ln_1p())
    }
}

/// The standard normal `ζ` with `ln Φc(ζ) = target` (`target < 0`).
pub fn norm_inverse_ln_sf(target: f64) -> f64 {
    // Newton on ζ: d ln Φc / dζ = -1 / R(ζ).
    let value = |zeta: f64| (ln_norm_sf(zeta) - target, -(-ln_mills(zeta)).exp());
    let guess = (-2.0 * target).sqrt() - 0.5;
    solve_decreasing(value, guess)
}

fn lognormal_tail(mu: f64, sigma: f64, x: f64) -> Tail {
    if x.is_nan() {
        return Tail {
            ln_cdf: f64::NAN,
            ln_sf: f64::NAN,
            ln_g: f64::NAN,
            ln_h: f64::NAN,
        };
    }
    let mean = (mu + 0.5 * sigma * sigma).exp();
    if x <= 0.0 {
        return Tail {
            ln_cdf: f64::NEG_INFINITY,
            ln_sf: 0.0,
            ln_g: f64::NEG_INFINITY,
            ln_h: (mean - x).ln(),
        };
    }
    if x == f64::INFINITY {
        return Tail {
            ln_cdf: 0.0,
            ln_sf: f64::NEG_INFINITY,
            ln_g: f64::INFINITY,
            ln_h: f64::NEG_INFINITY,
        };
    }
    // With ζ = (ln x - μ)/σ and Mills' ratio R = Φc/φ, the identity
    // mean·φ(ζ - σ) = x·φ(ζ) gives G = x φ(ζ) [R(-ζ) - R(σ - ζ)] and
    // H = x φ(ζ) [R(ζ - σ) - R(ζ)]: differences of a decreasing function,
    // positive and free of underflow at both ends.
    let lx = x.ln();
    let zeta = (lx - mu) / sigma;
    let lphi = ln_norm_pdf(zeta);
    let r_up = ln_mills(zeta);
    let r_down = ln_mills(-zeta);
    Tail {
        ln_cdf: lphi + r_down,
        ln_sf: lphi + r_up,
        ln_g: lx + lphi + ln_diff_exp(r_down, ln_mills(sigma - zeta)),
        ln_h: lx + lphi + ln_diff_exp(ln_mills(zeta - sigma), r_up),
    }
}

/// The root of a decreasing function given its value and slope, by Newton
/// steps kept inside a bracket that bisection narrows when a step leaves it.
fn solve_decreasing(f: impl Fn(f64) -> (f64, f64), guess: f64) -> f64 {
    let (mut lo, mut hi) = (guess, guess);
    let mut step = 1.0;
    // Bracket: f(lo) ≥ 0 ≥ f(hi).
    while f(lo).0 < 0.0 && step < 1e4 {
        lo -= step;
        step *= 2.0;
    }
    step = 1.0;
    while f(hi).0 > 0.0 && step < 1e4 {
        hi += step;
        step *= 2.0;
    }
    let mut x = guess.clamp(lo, hi);
    for _ in 0..200 {
        let (v, d) = f(x);
        if v == 0.0 || !v.is_finite() {
            break;
        }
        if v > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - v / d;
        let next = if d < 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-14 * (1.0 + x.abs()) || hi - lo <= 1e-14 * (1.0 + x.abs()) {
            x = next;
            break;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Continuous, ContinuousCDF, Gamma, LogNormal};

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn densities_and_cdfs_agree_with_statrs() {
        let g = Law::gamma(2.5, 40.0);
        let sg = Gamma::new(2.5, 1.0 / 40.0).expect("valid");
        let l = Law::lognormal(4.0, 0.6);
        let sl = LogNormal::new(4.0, 0.6).expect("valid");
        for x in [1.0, 20.0, 55.0, 100.0, 300.0] {
            assert!(close(g.ln_pdf(x).exp(), sg.pdf(x), 1e-10), "gamma pdf {x}");
            assert!(close(g.cdf(x), sg.cdf(x), 1e-9), "gamma cdf {x}");
            assert!(
                close(l.ln_pdf(x).exp(), sl.pdf(x), 1e-10),
                "lognormal pdf {x}"
            );
            assert!(close(l.cdf(x), sl.cdf(x), 1e-10), "lognormal cdf {x}");
            assert!(close(l.ln_sf(x).exp(), sl.sf(x), 1e-10), "lognormal sf {x}");
        }
    }

    /// G and H against their definitions by numerical integration of F
    /// and S (Simpson, fine grid).
    #[test]
    fn integrated_tails_match_numerical_integration() {
        let simpson = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
            let n = 20_000;
            let h = (b - a) / f64::from(n);
            let mut s = f(a) + f(b);
            for i in 1..n {
                s += f(a + h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 };
            }
            s * h / 3.0
        };
        for law in [
            Law::gamma(0.7, 30.0),
            Law::gamma(4.0, 10.0),
            Law::lognormal(3.5, 0.8),
        ] {
            for x in [5.0, 30.0, 90.0] {
                let t = law.tail(x);
                let g = simpson(&|s| law.cdf(s), 0.0, x);
                let h = simpson(&|s| law.ln_sf(s).exp(), x, x + 60.0 * law.mean() + 2_000.0);
                assert!(close(t.ln_g.exp(), g, 1e-6), "{law:?} G({x})");
                assert!(close(t.ln_h.exp(), h, 1e-6), "{law:?} H({x})");
            }
        }
    }

    #[test]
    fn single_integrated_tails_agree_with_the_full_computation() {
        for law in [
            Law::gamma(0.7, 30.0),
            Law::gamma(4.0, 10.0),
            Law::lognormal(3.5, 0.8),
        ] {
            for x in [0.0, 1e-3, 5.0, 30.0, 90.0, 1e4] {
                let t = law.tail(x);
                assert!(
                    (law.ln_g(x) - t.ln_g).abs() <= 1e-12 * t.ln_g.abs().max(1.0)
                        || law.ln_g(x) == t.ln_g,
                    "{law:?} {x}"
                );
                assert!(
                    (law.ln_h(x) - t.ln_h).abs() <= 1e-12 * t.ln_h.abs().max(1.0),
                    "{law:?} {x}"
                );
            }
        }
    }

    #[test]
    fn far_tails_stay_finite() {
        for law in [Law::gamma(10.0, 60.0), Law::lognormal(5.0, 0.3)] {
            let x = 1000.0 * law.mean();
            let t = law.tail(x);
            assert!(t.ln_sf.is_finite() && t.ln_sf < -250.0, "{law:?}: {t:?}");
            assert!(
                t.ln_h.is_finite() && t.ln_h < t.ln_sf + x.ln(),
                "{law:?}: {t:?}"
            );
            let small = law.mean() * 1e-4;
            let t = law.tail(small);
            assert!(t.ln_cdf.is_finite() && t.ln_g.is_finite(), "{law:?}: {t:?}");
        }
    }

    #[test]
    fn quantiles_invert_the_survival_function_even_far_out() {
        for law in [
            Law::gamma(1.0, 50.0),
            Law::gamma(0.4, 50.0),
            Law::gamma(3.0, 20.0),
            Law::gamma(250.0, 1.0),
            Law::lognormal(4.0, 0.9),
        ] {
            for target in [-1e-12, -1e-3, -0.2, -0.693, -3.0, -40.0, -700.0, -5000.0] {
                let x = law.inverse_ln_sf(target);
                let back = law.ln_sf(x);
                assert!(
                    (back - target).abs() <= 1e-9 * target.abs().max(1e-6),
                    "{law:?} target {target}: x {x}, ln S {back}"
                );
            }
        }
        let g = Gamma::new(3.0, 1.0 / 20.0).expect("valid");
        assert!(close(
            Law::gamma(3.0, 20.0).quantile(0.9),
            g.inverse_cdf(0.9),
            1e-9
        ));
    }

    #[test]
    fn mean_residual_life_of_an_exponential_is_its_mean() {
        let law = Law::gamma(1.0, 42.0);
        for t in [0.0, 1.0, 500.0, 1e5] {
            assert!(close(law.mean_residual(t), 42.0, 1e-10), "t {t}");
        }
    }
}
