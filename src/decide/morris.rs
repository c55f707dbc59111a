//! Morris screening: which of many parameters matter, from few runs.
//!
//! Each parameter's range (low to high) is scaled to [0, 1] and cut into
//! `levels` (p, even) grid levels. A trajectory starts at a random grid
//! point whose coordinates all leave room for a step of Δ = p / (2(p − 1))
//! and moves one parameter at a time by +Δ, in a random order: k + 1
//! points for k parameters. Each move gives one elementary effect of the
//! parameter moved, `(y(after) − y(before)) / Δ`: in the output's units
//! per full low-to-high range, so a parameter acting linearly has the
//! effect its tornado swing shows. Over r trajectories, μ* (the mean of
//! |effect|) ranks the parameters by influence, and σ (the standard
//! deviation of the effects) is large for parameters whose effect depends
//! on where the others are: interactions or curvature (Morris 1991,
//! Campolongo et al. 2007).
//!
//! The design (starting points and orders) comes from the study's seed,
//! stream `morris`; every point runs the study's replications with common
//! random numbers, and `y` is the mean over them. Integer parameters are
//! rounded to the nearest integer, so their actual steps differ a little
//! from Δ.

use rand::RngExt;

use crate::engine::streams::Streams;

/// A Morris design: trajectories of points in the unit cube.
#[derive(Clone, Debug)]
pub struct Design {
    k: usize,
    levels: usize,
    delta: f64,
    /// Per trajectory, the order in which parameters move.
    orders: Vec<Vec<usize>>,
    /// Every point, trajectory by trajectory, k + 1 each.
    points: Vec<Vec<f64>>,
}

/// One parameter's screening result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    /// The parameter's index.
    pub parameter: usize,
    /// Mean of |elementary effect|.
    pub mu_star: f64,
    /// Mean of the elementary effects (signed).
    pub mu: f64,
    /// Their standard deviation (0 with one trajectory).
    pub sigma: f64,
    /// Elementary effects behind it (finite ones).
    pub n: usize,
}

impl Design {
    /// `trajectories` trajectories over `k` parameters at `levels` levels
    /// (even, at least 2), drawn from `seed`.
    pub fn new(k: usize, trajectories: usize, levels: usize, seed: u64) -> Design {
        let levels = levels.max(2);
        let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
        let starts = levels / 2;
        let mut rng = Streams::new(seed, 0).stream("morris");
        let mut orders = Vec::with_capacity(trajectories);
        let mut points = Vec::with_capacity(trajectories * (k + 1));
        for _ in 0..trajectories {
            let mut x: Vec<f64> = (0..k)
                .map(|_| rng.random_range(0..starts) as f64 / (levels as f64 - 1.0))
                .collect();
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
            points.push(x.clone());
            for &i in &order {
                x[i] = (x[i] + delta).min(1.0);
                points.push(x.clone());
            }
            orders.push(order);
        }
        Design {
            k,
            levels,
            delta,
            orders,
            points,
        }
    }

    /// Every point, in order (trajectory by trajectory).
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// The step.
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// Grid levels.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Trajectories.
    pub fn trajectories(&self) -> usize {
        self.orders.len()
    }

    /// The effects of each parameter from `y`, one output per point,
    /// sorted by μ* (largest first).
    pub fn effects(&self, y: &[f64]) -> Vec<Effect> {
        let mut per: Vec<Vec<f64>> = vec![Vec::new(); self.k];
        for (t, order) in self.orders.iter().enumerate() {
            let base = t * (self.k + 1);
            for (m, &i) in order.iter().enumerate() {
                let (Some(a), Some(b)) = (y.get(base + m), y.get(base + m + 1)) else {
                    continue;
                };
                let e = (b - a) / self.delta;
                if e.is_finite() {
                    per[i].push(e);
                }
            }
        }
        let mut effects: Vec<Effect> = per
            .iter()
            .enumerate()
            .map(|(parameter, es)| {
                let n = es.len();
                let mean = |f: &dyn Fn(f64) -> f64| {
                    if n == 0 {
                        0.0
                    } else {
                        es.iter().map(|&e| f(e)).sum::<f64>() / n as f64
                    }
                };
                let mu = mean(&|e| e);
                let sigma = if n < 2 {
                    0.0
                } else {
                    (es.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
                };
                Effect {
                    parameter,
                    mu_star: mean(&f64::abs),
                    mu,
                    sigma,
                    n,
                }
            })
            .collect();
        effects.sort_by(|a, b| {
            b.mu_star
                .total_cmp(&a.mu_star)
                .then(a.parameter.cmp(&b.parameter))
        });
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_move_one_parameter_at_a_time() {
        let d = Design::new(3, 5, 4, 7);
        assert_eq!(d.points().len(), 5 * 4);
        assert!((d.delta() - 4.0 / 6.0).abs() < 1e-12);
        for t in 0..5 {
            for m in 0..3 {
                let (a, b) = (&d.points()[t * 4 + m], &d.points()[t * 4 + m + 1]);
                let moved: Vec<usize> = (0..3).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(moved.len(), 1, "{a:?} -> {b:?}");
                assert!(b.iter().all(|&x| (0.0..=1.0).contains(&x)));
            }
        }
    }

    #[test]
    fn effects_of_a_known_function() {
        // y = 10 u0 + 0 u1 + 4 u0 u2: u0 matters, u1 not at all, u2 only
        // with u0 (spread).
        let d = Design::new(3, 20, 4, 3);
        let y: Vec<f64> = d
            .points()
            .iter()
            .map(|u| 10.0 * u[0] + 4.0 * u[0] * u[2])
            .collect();
        let e = d.effects(&y);
        assert_eq!(e[0].parameter, 0);
        let one = e.iter().find(|x| x.parameter == 1).expect("u1");
        assert_eq!((one.mu_star, one.sigma), (0.0, 0.0));
        let two = e.iter().find(|x| x.parameter == 2).expect("u2");
        assert!(two.mu_star > 0.0 && two.sigma > 0.0, "{two:?}");
        assert!(e[0].mu_star >= 10.0 && e[0].mu_star <= 14.0, "{:?}", e[0]);
    }
}
