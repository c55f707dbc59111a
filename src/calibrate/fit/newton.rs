//! The optimiser: a damped Newton iteration on one or two parameters,
//! with derivatives by central differences.
//!
//! Why not Nelder–Mead (`argmin`)? A stage's fit is repeated for every
//! bootstrap sample (199 by default, four families each), so the count of
//! likelihood evaluations is the cost. From a start near the answer (the
//! bootstrap starts at the estimate it resamples from) Newton converges
//! in two or three steps of seven evaluations each, where a simplex needs
//! dozens; and the Hessian it uses is the observed information that the
//! interval of the mean needs anyway. The likelihoods here are smooth and
//! concave near their maximum on the log scale, which is where Newton is
//! at its best; far from it, Levenberg–Marquardt damping (a multiple of
//! the diagonal added until the step goes uphill) and a cap on the step
//! keep it safe. No new dependency is needed.
//!
//! Differences use a step of 5e-4 on the log-parameters: the truncation
//! error (about h² ≈ 2.5e-7 relative) and the rounding error of a
//! likelihood summed over 10⁵ observations (ε·|ℓ|/h²) are then both far
//! below the statistical error of the estimates.

/// Step of the central differences, on the optimiser's scale.
const H: f64 = 5e-4;
/// Largest step on the log scale (a factor of e³ ≈ 20 per iteration).
const MAX_STEP: f64 = 3.0;
const MAX_ITERATIONS: usize = 100;
/// Halvings of a step before the damping grows.
const HALVINGS: usize = 12;
/// A step this small on the log scale ends the iteration: the next would
/// be of its square, and the estimates' own errors are 1e-3 or more.
const STOP: f64 = 1e-7;

/// A maximum found.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    /// Where.
    pub theta: Vec<f64>,
    /// The function's value there.
    pub value: f64,
    /// The Hessian there (negative definite at an interior maximum), when
    /// asked for and the neighbourhood is inside the function's domain.
    pub hessian: Option<Vec<Vec<f64>>>,
}

/// Maximises `f` (one or two parameters) from `start`. `None` when `f`
/// is not finite at the start.
pub fn maximize(f: &dyn Fn(&[f64]) -> f64, start: &[f64], want_hessian: bool) -> Option<Optimum> {
    let mut x = start.to_vec();
    let mut fx = f(&x);
    if !fx.is_finite() {
        return None;
    }
    let mut lambda = 0.0f64;
    for _ in 0..MAX_ITERATIONS {
        let Some((g, hess)) = derivatives(f, &x, fx) else {
            break;
        };
        let Some((step, value)) = damped_step(f, &x, fx, &g, &hess, &mut lambda) else {
            break;
        };
        let small =
            step.iter().all(|s| s.abs() < STOP) || (value - fx).abs() <= 1e-14 * (1.0 + fx.abs());
        for (xi, si) in x.iter_mut().zip(&step) {
            *xi += si;
        }
        fx = value;
        if small {
            break;
        }
    }
    let hessian = if want_hessian {
        derivatives(f, &x, fx).map(|(_, h)| h)
    } else {
        None
    };
    Some(Optimum {
        theta: x,
        value: fx,
        hessian,
    })
}

/// Gradient and Hessian by central differences; `None` when a neighbour
/// is outside the domain.
fn derivatives(f: &dyn Fn(&[f64]) -> f64, x: &[f64], fx: f64) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let d = x.len();
    let at = |delta: &[f64]| {
        let p: Vec<f64> = x.iter().zip(delta).map(|(a, b)| a + b).collect();
        f(&p)
    };
    let mut g = vec![0.0; d];
    let mut hess = vec![vec![0.0; d]; d];
    let mut plus = vec![0.0; d];
    let mut minus = vec![0.0; d];
    for i in 0..d {
        let mut e = vec![0.0; d];
        e[i] = H;
        plus[i] = at(&e);
        e[i] = -H;
        minus[i] = at(&e);
        if !plus[i].is_finite() || !minus[i].is_finite() {
            return None;
        }
        g[i] = (plus[i] - minus[i]) / (2.0 * H);
        hess[i][i] = (plus[i] - 2.0 * fx + minus[i]) / (H * H);
    }
    if d == 2 {
        // f(x ± h(e₁ + e₂)) = f ± h(g₁ + g₂) + h²(H₁₁ + 2H₁₂ + H₂₂)/2 + …
        let pp = at(&[H, H]);
        let mm = at(&[-H, -H]);
        if !pp.is_finite() || !mm.is_finite() {
            return None;
        }
        let cross = (pp + mm - plus[0] - minus[0] - plus[1] - minus[1] + 2.0 * fx) / (2.0 * H * H);
        hess[0][1] = cross;
        hess[1][0] = cross;
    }
    Some((g, hess))
}

/// One uphill step: solves `(-H + λD) s = g`, halving the step until it
/// increases `f`, and raising `λ` until the system is positive definite
/// and a step succeeds.
fn damped_step(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    fx: f64,
    g: &[f64],
    hess: &[Vec<f64>],
    lambda: &mut f64,
) -> Option<(Vec<f64>, f64)> {
    let d = x.len();
    let diag: Vec<f64> = (0..d).map(|i| hess[i][i].abs().max(1e-12)).collect();
    for _ in 0..40 {
        let a: Vec<Vec<f64>> = (0..d)
            .map(|i| {
                (0..d)
                    .map(|j| -hess[i][j] + if i == j { *lambda * diag[i] } else { 0.0 })
                    .collect()
            })
            .collect();
        if let Some(mut step) = solve_positive(&a, g) {
            let longest = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
            if longest > MAX_STEP {
                for s in &mut step {
                    *s *= MAX_STEP / longest;
                }
            }
            // Backtrack along the step before damping more: a wall (a
            // parameter's edge) is met by halving, not by turning.
            for _ in 0..HALVINGS {
                let p: Vec<f64> = x.iter().zip(&step).map(|(a, b)| a + b).collect();
                let value = f(&p);
                // Uphill or level, never down: a step that loses even a
                // rounding error's worth could wander without end.
                if value.is_finite() && value >= fx {
                    *lambda = if *lambda < 1e-6 { 0.0 } else { *lambda / 10.0 };
                    return Some((step, value));
                }
                for s in &mut step {
                    *s /= 2.0;
                }
            }
        }
        *lambda = (*lambda * 10.0).max(1e-4);
        if *lambda > 1e12 {
            break;
        }
    }
    None
}

/// Solves `a s = g` for a symmetric positive definite `a` (1×1 or 2×2);
/// `None` when `a` is not positive definite.
fn solve_positive(a: &[Vec<f64>], g: &[f64]) -> Option<Vec<f64>> {
    match a.len() {
        1 => (a[0][0] > 0.0).then(|| vec![g[0] / a[0][0]]),
        2 => {
            let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
            if a[0][0] <= 0.0 || det <= 0.0 || !det.is_finite() {
                return None;
            }
            Some(vec![
                (a[1][1] * g[0] - a[0][1] * g[1]) / det,
                (a[0][0] * g[1] - a[1][0] * g[0]) / det,
            ])
        }
        _ => None,
    }
}

/// The inverse of a symmetric positive definite matrix (1×1 or 2×2):
/// the covariance from the observed information.
pub fn inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    match a.len() {
        1 => (a[0][0] > 0.0).then(|| vec![vec![1.0 / a[0][0]]]),
        2 => {
            let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
            if a[0][0] <= 0.0 || det <= 0.0 || !det.is_finite() {
                return None;
            }
            Some(vec![
                vec![a[1][1] / det, -a[0][1] / det],
                vec![-a[1][0] / det, a[0][0] / det],
            ])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_maximum_of_a_quadratic_and_its_hessian() {
        let f = |t: &[f64]| {
            -(t[0] - 1.0).powi(2) - 3.0 * (t[1] + 2.0).powi(2) + (t[0] - 1.0) * (t[1] + 2.0)
        };
        let o = maximize(&f, &[10.0, 10.0], true).expect("finite");
        assert!(
            (o.theta[0] - 1.0).abs() < 1e-7 && (o.theta[1] + 2.0).abs() < 1e-7,
            "{o:?}"
        );
        let h = o.hessian.expect("interior");
        assert!(
            (h[0][0] + 2.0).abs() < 1e-4
                && (h[1][1] + 6.0).abs() < 1e-4
                && (h[0][1] - 1.0).abs() < 1e-4,
            "{h:?}"
        );
    }

    #[test]
    fn climbs_a_non_concave_start_and_respects_walls() {
        // A log-likelihood-like curve, convex far from its peak at ln 5.
        let f = |t: &[f64]| {
            let b = t[0].exp();
            -100.0 * (b.ln() + 5.0 / b)
        };
        let o = maximize(&f, &[-6.0], false).expect("finite");
        assert!((o.theta[0] - 5f64.ln()).abs() < 1e-7, "{o:?}");
        // A wall: -inf beyond 0; the maximum of t on (-inf, 0] is at the wall.
        let g = |t: &[f64]| if t[0] > 0.0 { f64::NEG_INFINITY } else { t[0] };
        let o = maximize(&g, &[-5.0], true).expect("finite");
        assert!(o.theta[0] <= 0.0 && o.theta[0] > -1e-3, "{o:?}");
        assert!(o.hessian.is_none());
        assert!(maximize(&g, &[1.0], false).is_none());
    }

    #[test]
    fn inverse_of_a_two_by_two() {
        let a = vec![vec![4.0, 1.0], vec![1.0, 3.0]];
        let inv = inverse(&a).expect("positive definite");
        assert!((inv[0][0] - 3.0 / 11.0).abs() < 1e-15);
        assert!((inv[0][1] + 1.0 / 11.0).abs() < 1e-15);
        assert!(inverse(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
    }
}
