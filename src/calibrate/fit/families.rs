//! The parametric families, their parameters on the optimiser's scale,
//! and their log-likelihood of a stage's observations.
//!
//! The optimiser works on unbounded parameters: logarithms of the scale
//! and shape for gamma, exponential and Erlang, `(μ, ln σ)` for the
//! lognormal. Values outside a generous box (gamma shape 0.01 to 100,000,
//! σ from 0.0001 to 20) have likelihood `-inf`, which the optimiser treats
//! as a wall.
//!
//! Each observation contributes what it says: a density for an exact
//! duration, `S(x)` for one still running, `F(hi) - F(lo)` for an
//! interval, and for the difference of two rounded clock times the
//! triangular-weighted probability `(G(v+w) - 2G(v) + G(v-w)) / w`. Every
//! term is computed in logarithms on the side of the distribution where
//! it is accurate (below the mean from `F` and `G`, above it from `S` and
//! `H`), so an outlier gives a large finite penalty, never `-inf`.

use crate::engine::dist::law::Law;
use crate::engine::dist::special::{LN_SQRT_2PI, ln_diff_exp};

use super::sample::Sample;
use super::{Family, Fitted};

/// Gamma shapes the optimiser may try.
pub const SHAPE_RANGE: (f64, f64) = (0.01, 1e5);
/// Lognormal σ the optimiser may try.
pub const SIGMA_RANGE: (f64, f64) = (1e-4, 20.0);

/// A family with what it keeps fixed: the parameters the optimiser moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Model {
    /// `[ln scale]`.
    Exponential,
    /// `[ln shape, ln scale]`.
    Gamma,
    /// `[μ, ln σ]`.
    Lognormal,
    /// `[ln scale]` with `k` phases.
    Erlang(u32),
}

impl Model {
    /// The law at optimiser parameters `theta`, or `None` outside the box.
    pub fn law(self, theta: &[f64]) -> Option<Law> {
        let law = match self {
            Model::Exponential => Law::gamma(1.0, theta[0].exp()),
            Model::Erlang(k) => Law::gamma(f64::from(k), theta[0].exp()),
            Model::Gamma => {
                let shape = theta[0].exp();
                if !(SHAPE_RANGE.0..=SHAPE_RANGE.1).contains(&shape) {
                    return None;
                }
                Law::gamma(shape, theta[1].exp())
            }
            Model::Lognormal => {
                let sigma = theta[1].exp();
                if !(SIGMA_RANGE.0..=SIGMA_RANGE.1).contains(&sigma) || !theta[0].is_finite() {
                    return None;
                }
                Law::lognormal(theta[0], sigma)
            }
        };
        let ok = match law {
            Law::Gamma { scale, .. } => scale.is_finite() && scale > 0.0,
            Law::LogNormal { .. } => true,
        };
        ok.then_some(law)
    }

    /// Optimiser parameters for a law with this mean and sd (a start).
    pub fn start(self, mean: f64, sd: f64) -> Vec<f64> {
        match self {
            Model::Exponential => vec![mean.ln()],
            Model::Erlang(k) => vec![(mean / f64::from(k)).ln()],
            Model::Gamma => {
                let shape = (mean / sd)
                    .powi(2)
                    .clamp(SHAPE_RANGE.0 * 2.0, SHAPE_RANGE.1 / 2.0);
                vec![shape.ln(), (mean / shape).ln()]
            }
            Model::Lognormal => {
                let s2 = (sd / mean).powi(2).ln_1p();
                let sigma = s2.sqrt().clamp(SIGMA_RANGE.0 * 2.0, SIGMA_RANGE.1 / 2.0);
                vec![mean.ln() - sigma * sigma / 2.0, sigma.ln()]
            }
        }
    }

    /// Optimiser parameters of a law of this model.
    pub fn theta(self, law: &Law) -> Vec<f64> {
        match (self, *law) {
            (Model::Gamma, Law::Gamma { shape, scale, .. }) => vec![shape.ln(), scale.ln()],
            (Model::Lognormal, Law::LogNormal { mu, sigma }) => vec![mu, sigma.ln()],
            (_, Law::Gamma { scale, .. }) => vec![scale.ln()],
            (_, l) => self.start(l.mean(), l.sd()),
        }
    }

    /// Free parameters, as AIC and BIC count them. Erlang counts one: its
    /// `k` is chosen among whole numbers, and once the data pin it down
    /// the choice adds no optimism to the likelihood; so where the shape
    /// is a whole number, Erlang is preferred to a gamma that spends a
    /// parameter on the same curve.
    pub fn parameters(self) -> usize {
        match self {
            Model::Exponential | Model::Erlang(_) => 1,
            Model::Gamma | Model::Lognormal => 2,
        }
    }

    /// The family.
    pub fn family(self) -> Family {
        match self {
            Model::Exponential => Family::Exponential,
            Model::Gamma => Family::Gamma,
            Model::Lognormal => Family::Lognormal,
            Model::Erlang(_) => Family::Erlang,
        }
    }

    /// The scenario format's parameters of `law`.
    pub fn fitted(self, law: &Law) -> Fitted {
        let (mean_s, sd_s) = (law.mean(), law.sd());
        match self {
            Model::Exponential => Fitted::Exponential { mean_s },
            Model::Gamma => Fitted::Gamma { mean_s, sd_s },
            Model::Lognormal => Fitted::Lognormal { mean_s, sd_s },
            Model::Erlang(k) => Fitted::Erlang { k, mean_s },
        }
    }
}

/// The law of a fitted parametric family (`None` for the fallbacks).
pub fn law_of(fitted: &Fitted) -> Option<Law> {
    match *fitted {
        Fitted::Exponential { mean_s } => Some(Law::gamma(1.0, mean_s)),
        Fitted::Erlang { k, mean_s } => Some(Law::gamma(f64::from(k), mean_s / f64::from(k))),
        Fitted::Gamma { mean_s, sd_s } => {
            let shape = (mean_s / sd_s).powi(2);
            Some(Law::gamma(shape, mean_s / shape))
        }
        Fitted::Lognormal { mean_s, sd_s } => {
            let s2 = (sd_s / mean_s).powi(2).ln_1p();
            Some(Law::lognormal(mean_s.ln() - s2 / 2.0, s2.sqrt()))
        }
        Fitted::Deterministic { .. } | Fitted::Empirical { .. } => None,
    }
}

/// The log-likelihood of `sample` under `law` (`-inf` where it is not a
/// number).
pub fn log_likelihood(sample: &Sample, law: &Law) -> f64 {
    let e = &sample.exact;
    let mut ll = if e.count > 0.0 {
        match *law {
            Law::Gamma {
                shape,
                scale,
                ln_gamma_shape,
                ..
            } => {
                (shape - 1.0) * e.sum_ln
                    - e.sum / scale
                    - e.count * (shape * scale.ln() + ln_gamma_shape)
            }
            Law::LogNormal { mu, sigma } => {
                -e.sum_ln
                    - e.count * (sigma.ln() + LN_SQRT_2PI)
                    - (e.ss_ln + e.count * (e.mean_ln - mu).powi(2)) / (2.0 * sigma * sigma)
            }
        }
    } else {
        0.0
    };
    for &(x, c) in &sample.right {
        ll += c * law.ln_sf(x);
    }
    let mean = law.mean();
    for &(lo, hi, c) in &sample.interval {
        ll += c * ln_prob_interval(law, mean, lo, hi);
    }
    let mut memo = Memo::default();
    for &(v, w, c) in &sample.rounded {
        ll += c * ln_prob_rounded(law, mean, v, w, &mut memo);
    }
    if ll.is_nan() { f64::NEG_INFINITY } else { ll }
}

/// `ln(F(hi) - F(lo))`, from `F` below the mean and from `S` above it.
pub fn ln_prob_interval(law: &Law, mean: f64, lo: f64, hi: f64) -> f64 {
    if hi <= mean {
        ln_diff_exp(law.ln_cdf(hi), law.ln_cdf(lo))
    } else {
        ln_diff_exp(law.ln_sf(lo), law.ln_sf(hi))
    }
}

/// The integrated tails at the last few points, shared by neighbouring
/// rounded values (`v - w, v, v + w` and `v, v + w, v + 2w`).
pub struct Memo {
    entries: [(f64, bool, f64); 3],
    next: usize,
}

impl Default for Memo {
    fn default() -> Self {
        // NaN points: no real point matches them.
        Memo {
            entries: [(f64::NAN, false, f64::NAN); 3],
            next: 0,
        }
    }
}

impl Memo {
    fn get(&mut self, law: &Law, mean: f64, t: f64, upper: bool) -> f64 {
        for &(x, u, value) in &self.entries {
            if x == t && u == upper {
                return value;
            }
        }
        let value = if t <= 0.0 {
            if upper {
                (mean - t).ln()
            } else {
                f64::NEG_INFINITY
            }
        } else {
            let tail = law.tail(t);
            if upper { tail.ln_h } else { tail.ln_g }
        };
        self.entries[self.next] = (t, upper, value);
        self.next = (self.next + 1) % 3;
        value
    }
}

/// `ln P(D = v)` for the difference `D` of two clock times rounded to
/// `w`: `ln ∫ f(x)(1 - |x - v|/w) dx`, as a second difference of `G`
/// (below the mean) or `H` (above it). Where the difference is lost to
/// rounding (`w` tiny against the law's scale), `w·f(v)`, its limit.
pub fn ln_prob_rounded(law: &Law, mean: f64, v: f64, w: f64, memo: &mut Memo) -> f64 {
    let upper = v > mean;
    let a = memo.get(law, mean, v - w, upper);
    let b = memo.get(law, mean, v, upper);
    let c = memo.get(law, mean, v + w, upper);
    let m = if upper { a } else { c };
    if !m.is_finite() {
        return f64::NEG_INFINITY;
    }
    let bracket = (a - m).exp() - 2.0 * (b - m).exp() + (c - m).exp();
    if bracket > 1e-9 {
        m + bracket.ln() - w.ln()
    } else {
        law.ln_pdf(v) + w.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::Obs;

    /// Numerical truth: ∫ f(x)(1 - |x - v|/w) dx by Simpson's rule.
    fn rounded_by_quadrature(law: &Law, v: f64, w: f64) -> f64 {
        let n = 20_000;
        let (a, b) = ((v - w).max(0.0), v + w);
        let h = (b - a) / f64::from(n);
        let g = |x: f64| {
            let f = law.ln_pdf(x).exp();
            if f.is_finite() {
                f * (1.0 - (x - v).abs() / w)
            } else {
                0.0
            }
        };
        let mut s = g(a) + g(b);
        for i in 1..n {
            s += g(a + h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    #[test]
    fn rounded_probabilities_match_quadrature_and_sum_to_one() {
        for law in [
            Law::gamma(1.0, 90.0),
            Law::gamma(3.0, 30.0),
            Law::gamma(40.0, 20.0),
            Law::lognormal(4.5, 0.5),
            Law::lognormal(7.0, 1.2),
        ] {
            let mean = law.mean();
            let w = 60.0;
            let mut total = 0.0;
            let mut memo = Memo::default();
            for k in 0..100_000 {
                let v = w * f64::from(k);
                let p = ln_prob_rounded(&law, mean, v, w, &mut memo).exp();
                total += p;
                if k > 0 && k < 40 && p > 1e-12 {
                    let want = rounded_by_quadrature(&law, v, w);
                    assert!(
                        (p - want).abs() < 1e-7 * want.max(1e-6),
                        "{law:?} v {v}: {p} vs {want}"
                    );
                }
            }
            assert!((total - 1.0).abs() < 1e-9, "{law:?}: total {total}");
        }
    }

    #[test]
    fn rounded_far_out_is_finite_and_decreasing() {
        let law = Law::gamma(5.0, 10.0);
        let mut memo = Memo::default();
        let mut last = 0.0;
        for v in [600.0, 3_600.0, 36_000.0, 360_000.0] {
            let l = ln_prob_rounded(&law, law.mean(), v, 60.0, &mut memo);
            assert!(l.is_finite() && l < last, "v {v}: {l}");
            last = l;
        }
    }

    #[test]
    fn intervals_partition_probability() {
        let law = Law::lognormal(4.0, 0.8);
        let total: f64 = (0..5_000)
            .map(|k| {
                let lo = 60.0 * f64::from(k);
                ln_prob_interval(&law, law.mean(), lo, lo + 60.0).exp()
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }

    /// The grouped likelihood equals the sum of each observation's term.
    #[test]
    fn grouped_likelihood_is_the_sum_of_terms() {
        let obs = [
            Obs::Exact(30.0),
            Obs::Exact(45.5),
            Obs::Right(100.0),
            Obs::Interval(60.0, 120.0),
            Obs::Rounded {
                value: 60.0,
                width: 60.0,
            },
            Obs::Rounded {
                value: 60.0,
                width: 60.0,
            },
        ];
        for law in [Law::gamma(2.0, 25.0), Law::lognormal(3.8, 0.7)] {
            let m = law.mean();
            let by_hand = law.ln_pdf(30.0)
                + law.ln_pdf(45.5)
                + law.ln_sf(100.0)
                + (law.cdf(120.0) - law.cdf(60.0)).ln()
                + 2.0 * rounded_by_quadrature(&law, 60.0, 60.0).ln();
            let ll = log_likelihood(&Sample::new(obs), &law);
            assert!(
                (ll - by_hand).abs() < 1e-6,
                "{law:?}: {ll} vs {by_hand} (mean {m})"
            );
        }
    }

    #[test]
    fn parameters_round_trip_through_the_scenario_format() {
        for (model, law) in [
            (Model::Gamma, Law::gamma(2.7, 33.0)),
            (Model::Lognormal, Law::lognormal(4.1, 0.45)),
            (Model::Erlang(4), Law::gamma(4.0, 12.0)),
            (Model::Exponential, Law::gamma(1.0, 80.0)),
        ] {
            let back = law_of(&model.fitted(&law)).expect("parametric");
            assert!((back.mean() - law.mean()).abs() < 1e-9 * law.mean());
            assert!((back.sd() - law.sd()).abs() < 1e-9 * law.sd());
            let theta = model.theta(&law);
            let again = model.law(&theta).expect("inside the box");
            assert!((again.mean() - law.mean()).abs() < 1e-9 * law.mean());
        }
    }
}
