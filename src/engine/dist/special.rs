//! Tail functions of the gamma and normal laws, in logarithms, accurate
//! far into the tails.
//!
//! Fitting durations by maximum likelihood, and asking how long a service
//! that has already lasted a while will go on, both need probabilities
//! such as "at least 10 hours when the mean is 20 minutes". Computed as
//! `1 - cdf` they underflow to zero and their logarithm becomes `-inf`,
//! which breaks an optimiser and misstates an outlier's evidence. Here
//! every quantity is computed in the form that is accurate where it is
//! small: the regularised incomplete gamma by its series below the mode
//! and by its continued fraction above it (Numerical Recipes §6.2, with
//! the fraction's tail kept apart so that the mean residual life comes
//! out without cancellation), and the normal tail by `libm`'s `erfc`
//! (FreeBSD's, to the last bit) and, beyond 8 standard deviations, by the
//! continued fraction of Mills' ratio (15 terms or fewer, to machine
//! precision).
//!
//! Besides the distribution function each law gives its two integrated
//! tails, `g(z) = ∫₀ᶻ P` and `h(z) = ∫_z^∞ Q`: `h` is the expected excess
//! over `z` (its ratio to `Q` is the mean residual life), and second
//! differences of `g` and `h` are the probabilities of durations measured
//! between two rounded clock times.

use libm::erfc;

/// `ln √(2π)`.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;
const MAX_TERMS: usize = 100_000;
/// Where Mills' continued fraction takes over from `erfc`: it converges
/// in 15 terms or fewer from here on.
const MILLS_FRACTION: f64 = 8.0;

/// `ln(eᵃ - eᵇ)` for `a ≥ b`, without forming either exponential.
pub fn ln_diff_exp(a: f64, b: f64) -> f64 {
    if b == f64::NEG_INFINITY {
        return a;
    }
    if b >= a {
        return f64::NEG_INFINITY;
    }
    a + (-(b - a).exp_m1()).ln()
}

/// `ln(1 - eˣ)` for `x ≤ 0`, accurate near 0 and far below it.
pub fn ln_one_minus_exp(x: f64) -> f64 {
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// The tails of the standard gamma law (shape `a`, scale 1) at `z`, in
/// logarithms: `P` and `Q = 1 - P` (regularised incomplete gamma), and
/// the integrated tails `g = ∫₀ᶻ P(a, s) ds` and `h = ∫_z^∞ Q(a, s) ds`
/// (the expected excess `E[(X - z)⁺]`). Note `h - g = a - z`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaTail {
    /// `ln P(a, z)`.
    pub ln_p: f64,
    /// `ln Q(a, z)`.
    pub ln_q: f64,
    /// `ln g(z)`.
    pub ln_g: f64,
    /// `ln h(z)`.
    pub ln_h: f64,
}

/// [`GammaTail`] of shape `a > 0` at `z`, given `ln_gamma_a = ln Γ(a)`
/// (computed once by the caller, who usually evaluates many points).
pub fn gamma_tail(a: f64, ln_gamma_a: f64, z: f64) -> GammaTail {
    if z.is_nan() {
        return GammaTail {
            ln_p: f64::NAN,
            ln_q: f64::NAN,
            ln_g: f64::NAN,
            ln_h: f64::NAN,
        };
    }
    if z <= 0.0 {
        return GammaTail {
            ln_p: f64::NEG_INFINITY,
            ln_q: 0.0,
            ln_g: f64::NEG_INFINITY,
            // h(z) = a - z for z ≤ 0.
            ln_h: (a - z).ln(),
        };
    }
    if z == f64::INFINITY {
        return GammaTail {
            ln_p: 0.0,
            ln_q: f64::NEG_INFINITY,
            ln_g: f64::INFINITY,
            ln_h: f64::NEG_INFINITY,
        };
    }
    let ln_a = a.ln();
    match parts(a, ln_gamma_a, z) {
        Parts::Series {
            ln_z,
            ln_pre,
            s1,
            s2,
        } => {
            let ln_p = ln_pre - ln_a + s1.ln();
            let ln_g = ln_pre + ln_z - ln_a + s2.ln();
            GammaTail {
                ln_p,
                ln_q: ln_one_minus_exp(ln_p),
                ln_g,
                ln_h: (a - z + ln_g.exp()).max(TINY).ln(),
            }
        }
        Parts::Fraction { ln_pre, t } => {
            let ln_q = ln_pre - (z + 1.0 - a + t).ln();
            let ln_h = ln_q + t.ln_1p();
            GammaTail {
                ln_p: ln_one_minus_exp(ln_q),
                ln_q,
                ln_g: (z - a + ln_h.exp()).ln(),
                ln_h,
            }
        }
    }
}

/// `ln g(z)` alone (as in [`GammaTail`]), given `ln a` too: what a
/// likelihood below the mean needs, without the other logarithms.
pub fn gamma_ln_g(a: f64, ln_a: f64, ln_gamma_a: f64, z: f64) -> f64 {
    if !(z > 0.0 && z < f64::INFINITY) {
        return gamma_tail(a, ln_gamma_a, z).ln_g;
    }
    match parts(a, ln_gamma_a, z) {
        Parts::Series {
            ln_z, ln_pre, s2, ..
        } => ln_pre + ln_z - ln_a + s2.ln(),
        Parts::Fraction { ln_pre, t } => {
            let ln_h = ln_pre - (z + 1.0 - a + t).ln() + t.ln_1p();
            (z - a + ln_h.exp()).ln()
        }
    }
}

/// `ln h(z)` alone (as in [`GammaTail`]), given `ln a` too: what a
/// likelihood above the mean needs, without the other logarithms.
pub fn gamma_ln_h(a: f64, ln_a: f64, ln_gamma_a: f64, z: f64) -> f64 {
    if !(z > 0.0 && z < f64::INFINITY) {
        return gamma_tail(a, ln_gamma_a, z).ln_h;
    }
    match parts(a, ln_gamma_a, z) {
        Parts::Series {
            ln_z, ln_pre, s2, ..
        } => (a - z + (ln_pre + ln_z - ln_a + s2.ln()).exp())
            .max(TINY)
            .ln(),
        Parts::Fraction { ln_pre, t } => ln_pre - (z + 1.0 - a + t).ln() + t.ln_1p(),
    }
}

/// `ln P(a, z)` alone (as in [`GammaTail`]), given `ln a` too.
pub fn gamma_ln_p(a: f64, ln_a: f64, ln_gamma_a: f64, z: f64) -> f64 {
    if !(z > 0.0 && z < f64::INFINITY) {
        return gamma_tail(a, ln_gamma_a, z).ln_p;
    }
    match parts(a, ln_gamma_a, z) {
        Parts::Series { ln_pre, s1, .. } => ln_pre - ln_a + s1.ln(),
        Parts::Fraction { ln_pre, t } => ln_one_minus_exp(ln_pre - (z + 1.0 - a + t).ln()),
    }
}

/// `ln Q(a, z)` alone (as in [`GammaTail`]), given `ln a` too.
pub fn gamma_ln_q(a: f64, ln_a: f64, ln_gamma_a: f64, z: f64) -> f64 {
    if !(z > 0.0 && z < f64::INFINITY) {
        return gamma_tail(a, ln_gamma_a, z).ln_q;
    }
    match parts(a, ln_gamma_a, z) {
        Parts::Series { ln_pre, s1, .. } => ln_one_minus_exp(ln_pre - ln_a + s1.ln()),
        Parts::Fraction { ln_pre, t } => ln_pre - (z + 1.0 - a + t).ln(),
    }
}

/// The sums behind the regularised incomplete gamma at `0 < z < ∞`.
enum Parts {
    /// Below `a + 1`: `P = pre/a · s1` with `s1 = Σ tₙ`, `t₀ = 1`,
    /// `tₙ = tₙ₋₁ z/(a+n)`; and `g = pre·z/a · s2` with
    /// `s2 = Σ tₙ (n+1)/(a+n+1)`, a sum of positive terms (no
    /// cancellation between `z·P` and the partial mean).
    Series {
        ln_z: f64,
        ln_pre: f64,
        s1: f64,
        s2: f64,
    },
    /// From `a + 1` on: `Q = pre / (z + 1 - a + t)` with the continued
    /// fraction's tail `t = a₁/(b₁ + a₂/(b₂ + …))`, `aₙ = n(a - n)`,
    /// `bₙ = z + 2n + 1 - a`; and `h/Q = 1 + t`.
    Fraction { ln_pre: f64, t: f64 },
}

fn parts(a: f64, ln_gamma_a: f64, z: f64) -> Parts {
    let ln_z = z.ln();
    // ln(zᵃ e⁻ᶻ / Γ(a)), the factor both expansions share.
    let ln_pre = a * ln_z - z - ln_gamma_a;
    if z < a + 1.0 {
        let (mut t, mut s1, mut s2) = (1.0, 1.0, 1.0 / (a + 1.0));
        for n in 1..MAX_TERMS {
            let n = n as f64;
            t *= z / (a + n);
            s1 += t;
            s2 += t * (n + 1.0) / (a + n + 1.0);
            if t < s1 * EPS {
                break;
            }
        }
        Parts::Series {
            ln_z,
            ln_pre,
            s1,
            s2,
        }
    } else {
        Parts::Fraction {
            ln_pre,
            t: gamma_fraction_tail(a, z),
        }
    }
}

/// The tail `T` of the continued fraction of `Q(a, z)` (z ≥ a + 1), by the
/// modified Lentz method on `E = b₁ + a₂/(b₂ + …)`, then `T = a₁/E`.
fn gamma_fraction_tail(a: f64, z: f64) -> f64 {
    let a1 = a - 1.0;
    if a1 == 0.0 {
        return 0.0;
    }
    let b1 = z + 3.0 - a;
    let mut f = b1;
    let mut c = f;
    let mut d = 0.0;
    for n in 2..MAX_TERMS {
        let n = n as f64;
        let an = n * (a - n);
        let bn = z + 2.0 * n + 1.0 - a;
        d = bn + an * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = bn + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    a1 / f
}

/// `ln R(x)`, the logarithm of Mills' ratio `R(x) = Φc(x)/φ(x)` of the
/// standard normal (`Φc` its survival, `φ` its density).
pub fn ln_mills(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < MILLS_FRACTION {
        (0.5 * erfc(x / std::f64::consts::SQRT_2)).ln() + 0.5 * x * x + LN_SQRT_2PI
    } else {
        // R(x) = 1/(x + 1/(x + 2/(x + 3/(x + …)))), by modified Lentz.
        let mut f = x;
        let mut c = f;
        let mut d = 0.0;
        for n in 1..MAX_TERMS {
            let an = n as f64;
            d = x + an * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = x + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        -f.ln()
    }
}

/// `ln φ(x)`, the standard normal log-density.
pub fn ln_norm_pdf(x: f64) -> f64 {
    -0.5 * x * x - LN_SQRT_2PI
}

/// `ln Φc(x) = ln P(Z > x)`, finite for every finite `x`.
pub fn ln_norm_sf(x: f64) -> f64 {
    if x < MILLS_FRACTION {
        (0.5 * erfc(x / std::f64::consts::SQRT_2)).ln()
    } else {
        ln_norm_pdf(x) + ln_mills(x)
    }
}

/// `ln Φ(x) = ln P(Z ≤ x)`, finite for every finite `x`.
pub fn ln_norm_cdf(x: f64) -> f64 {
    ln_norm_sf(-x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ContinuousCDF, Gamma, Normal};
    use statrs::function::gamma::ln_gamma;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    /// For a whole shape k, Q(k, z) = e⁻ᶻ Σ_{j<k} zʲ/j!: a closed form
    /// that stays exact in logarithms however far out z is.
    fn ln_q_integer(k: u32, z: f64) -> f64 {
        let mut term = 1.0;
        let mut sum = 1.0;
        for j in 1..k {
            term *= z / f64::from(j);
            sum += term;
        }
        -z + sum.ln()
    }

    #[test]
    fn gamma_tails_match_the_closed_form_for_whole_shapes_far_out() {
        for k in [1u32, 2, 3, 7, 20] {
            let a = f64::from(k);
            let lg = ln_gamma(a);
            for z in [0.5, 1.0, 5.0, 30.0, 300.0, 3_000.0, 1e5] {
                let t = gamma_tail(a, lg, z);
                let want = ln_q_integer(k, z);
                assert!(
                    (t.ln_q - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "k {k} z {z}: ln Q {} vs {want}",
                    t.ln_q
                );
                assert!(t.ln_q.is_finite() && t.ln_h.is_finite(), "k {k} z {z}");
            }
        }
    }

    #[test]
    fn gamma_cdf_agrees_with_statrs_in_the_bulk() {
        for a in [0.3, 1.0, 2.5, 9.0, 40.0, 400.0] {
            let lg = ln_gamma(a);
            let law = Gamma::new(a, 1.0).expect("valid");
            for q in [0.001, 0.05, 0.3, 0.5, 0.8, 0.99] {
                let z = law.inverse_cdf(q);
                let t = gamma_tail(a, lg, z);
                assert!(close(t.ln_p.exp(), law.cdf(z), 1e-9), "a {a} z {z}");
                assert!(close(t.ln_q.exp(), law.sf(z), 1e-9), "a {a} z {z}");
            }
        }
    }

    /// h(z) = E[(X - z)⁺] and g(z) = ∫₀ᶻ P: checked against the partial
    /// mean E[X; X ≤ z] = a·P(a+1, z), an independent formula, and
    /// against their identity h - g = a - z.
    #[test]
    fn integrated_gamma_tails_match_the_partial_mean() {
        for a in [0.5, 1.0, 3.0, 12.0] {
            let lg = ln_gamma(a);
            let lg1 = ln_gamma(a + 1.0);
            for z in [0.01, 0.4, 1.0, 2.5, 6.0, 15.0, 40.0] {
                let t = gamma_tail(a, lg, z);
                let t1 = gamma_tail(a + 1.0, lg1, z);
                // g = z P(a, z) - a P(a+1, z).
                let g = z * t.ln_p.exp() - a * t1.ln_p.exp();
                let h = a * t1.ln_q.exp() - z * t.ln_q.exp();
                assert!(close(t.ln_g.exp(), g, 1e-9), "a {a} z {z} g");
                if h > 1e-250 {
                    assert!(close(t.ln_h.exp(), h, 1e-7), "a {a} z {z} h");
                }
                let diff = t.ln_h.exp() - t.ln_g.exp();
                assert!((diff - (a - z)).abs() < 1e-9 * (1.0 + a + z), "a {a} z {z}");
            }
        }
    }

    #[test]
    fn single_tails_agree_with_the_full_computation() {
        for a in [0.3, 1.0, 4.5, 60.0] {
            let lg = ln_gamma(a);
            for z in [0.0, 1e-3, 0.5, a, a + 1.0, 3.0 * a + 5.0, 1e4] {
                let t = gamma_tail(a, lg, z);
                assert_eq!(gamma_ln_g(a, a.ln(), lg, z), t.ln_g, "a {a} z {z}");
                assert_eq!(gamma_ln_h(a, a.ln(), lg, z), t.ln_h, "a {a} z {z}");
                assert_eq!(gamma_ln_p(a, a.ln(), lg, z), t.ln_p, "a {a} z {z}");
                assert_eq!(gamma_ln_q(a, a.ln(), lg, z), t.ln_q, "a {a} z {z}");
            }
        }
    }

    #[test]
    fn exponential_mean_residual_life_is_constant_far_out() {
        // Shape 1: h/Q is exactly 1 at every z.
        for z in [0.1, 2.0, 50.0, 700.0, 1e6] {
            let t = gamma_tail(1.0, 0.0, z);
            assert!(((t.ln_h - t.ln_q).exp() - 1.0).abs() < 1e-12, "z {z}");
            assert!((t.ln_q + z).abs() < 1e-12 * z.max(1.0), "z {z}");
        }
    }

    #[test]
    fn normal_tails_agree_with_statrs_and_the_asymptotic_series() {
        // statrs' erfc (behind its Normal) is good to about 1e-10.
        let n = Normal::new(0.0, 1.0).expect("valid");
        for x in [-6.0, -2.0, -0.5, 0.0, 0.7, 3.0, 8.0] {
            assert!(close(ln_norm_sf(x).exp(), n.sf(x), 1e-9), "sf {x}");
            assert!(close(ln_norm_cdf(x).exp(), n.cdf(x), 1e-9), "cdf {x}");
        }
        // Far out: R(x) = (1/x)(1 - 1/x² + 3/x⁴ - 15/x⁶ + …), which at
        // x ≥ 10 is exact to machine precision after 14 terms (at 8, to
        // 1e-11); the fraction takes over from erfc at 8.
        for x in [7.99, 8.0, 10.0, 25.0, 29.9, 30.0, 40.0, 1e3] {
            let x2 = x * x;
            let (mut term, mut sum) = (1.0, 1.0);
            for k in 1..15 {
                term *= -f64::from(2 * k - 1) / x2;
                sum += term;
            }
            let want = (sum / x).ln();
            let tol = if x < 10.0 { 1e-11 } else { 1e-14 };
            assert!((ln_mills(x) - want).abs() < tol, "x {x}");
            let sf = ln_norm_sf(x);
            assert!(sf.is_finite(), "x {x}: {sf}");
        }
        // erfc to the last bits (CPython's math.erfc at 0.6, 2.5, 4.5).
        for (z, erfc_z) in [
            (0.6, 0.396_143_909_152_074_1),
            (2.5, 4.069_520_174_449_589e-4),
            (4.5, 1.966_160_441_542_887_3e-10),
        ] {
            let x = z * std::f64::consts::SQRT_2;
            assert!(close(ln_norm_sf(x).exp(), erfc_z / 2.0, 1e-14), "z {z}");
        }
        // Known values: Φc(10) = 7.619853024160527e-24 and
        // ln Φc(40) = -804.6084420137538 (Φc itself underflows).
        assert!(close(
            ln_norm_sf(10.0).exp(),
            7.619_853_024_160_527e-24,
            1e-12
        ));
        assert!(close(ln_norm_sf(40.0), -804.608_442_013_753_8, 1e-14));
    }

    #[test]
    fn log_differences_are_accurate() {
        assert!(close(ln_diff_exp(0.0, -1e-20), (1e-20f64).ln(), 1e-12));
        assert!(close(
            ln_diff_exp(-1000.0, -1001.0),
            -1000.0 + (1.0 - (-1.0f64).exp()).ln(),
            1e-14
        ));
        assert_eq!(ln_diff_exp(-3.0, f64::NEG_INFINITY), -3.0);
        assert!(close(ln_one_minus_exp(-1e-20), (1e-20f64).ln(), 1e-12));
        assert!(close(ln_one_minus_exp(-50.0), -(-50.0f64).exp(), 1e-12));
    }
}
