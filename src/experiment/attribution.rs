//! Which intervention did the work: factorial effects and Shapley shares.
//!
//! With `k` interventions, the scenario is run for every subset of them
//! (the full 2^k factorial, for `k ≤ 4`) with common random numbers.
//! From the per-replication responses `y(S)` this module computes, per
//! replication and then as estimates with CIs:
//!
//! * **main effects**: the average over the other factors' settings of
//!   `y(S ∪ {j}) − y(S)`, the classical 2^k effect;
//! * **two-factor interactions**: half the difference between factor `j`'s
//!   effect with and without factor `l`, averaged over the rest;
//! * **Shapley shares**: each intervention's average marginal gain over
//!   all orders of introducing them. They add up exactly to the combined
//!   gain `y(all) − y(none)`, so "24-hour opening accounts for 55% of the
//!   throughput gain" is well defined even when the reforms interact;
//! * **terms**: the combined change taken apart from the baseline up
//!   (the Möbius decomposition of the factorial): each intervention alone,
//!   `y({j}) − y(∅)`, then for every set of two or more the extra change
//!   that set brings beyond its parts, `Σ_{R ⊆ T} (−1)^{|T|−|R|} y(R)`.
//!   Every term is kept, significant or not, so the terms add up exactly
//!   to the combined change, in every replication and so in the mean; a
//!   Shapley value is the sum of the terms it takes part in, each divided
//!   by the number of interventions in it.
//!
//! Every figure is an [`Estimate`] of per-replication values (Student t
//! over the paired replications). A share is a ratio of two such means,
//! `φ̄ⱼ / Δ̄`; its interval is the delta-method interval of a paired ratio
//! (the standard error of `φᵢⱼ − R Δᵢ` over `|Δ̄|`), given only when the
//! combined change is itself significant: with an interval of `Δ̄` that
//! reaches zero the ratio has no finite interval (Fieller), and a share of
//! a change that may be nothing means nothing.

use super::estimate::{Estimate, t_quantile_975};

/// Attribution of one metric's combined change to `k` interventions.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// Combined change `y(all) − y(none)`.
    pub combined: Estimate,
    /// Main effect of each intervention.
    pub main_effects: Vec<Estimate>,
    /// Two-factor interactions `(j, l, estimate)`, `j < l`.
    pub interactions: Vec<(usize, usize, Estimate)>,
    /// Shapley value of each intervention (same unit as the metric).
    pub shapley: Vec<Estimate>,
    /// Each intervention's Shapley share of the combined change, percent
    /// (ratio of the means), with the ratio's interval when the combined
    /// change is significant (see the module documentation).
    pub shares: Vec<Estimate>,
    /// The combined change taken apart: one term per non-empty set of
    /// interventions (a bitmask), singles first, then pairs, and so on;
    /// they add up to `combined`.
    pub terms: Vec<(usize, Estimate)>,
}

/// The response of one replication to a subset of interventions.
type Response<'a> = dyn Fn(usize) -> f64 + 'a;

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Attributes using `responses[subset][replication]`, where `subset` is a
/// bitmask of the interventions applied (`responses.len() == 2^k`) and
/// replications are paired across subsets.
pub fn attribute(k: usize, responses: &[Vec<f64>]) -> Attribution {
    let full = (1usize << k) - 1;
    let reps = responses.iter().map(Vec::len).min().unwrap_or(0);
    let per_rep = |f: &dyn Fn(&Response) -> f64| -> Estimate {
        let xs: Vec<f64> = (0..reps).map(|r| f(&|s: usize| responses[s][r])).collect();
        Estimate::from_samples(&xs)
    };
    let combined = per_rep(&|y| y(full) - y(0));
    let half = (1usize << k.saturating_sub(1)) as f64;
    let main_effects = (0..k)
        .map(|j| {
            per_rep(&|y| {
                (0..=full)
                    .filter(|s| s & (1 << j) == 0)
                    .map(|s| y(s | (1 << j)) - y(s))
                    .sum::<f64>()
                    / half
            })
        })
        .collect();
    let mut interactions = Vec::new();
    for j in 0..k {
        for l in j + 1..k {
            let quarter = (1usize << k.saturating_sub(2)) as f64;
            let e = per_rep(&|y| {
                (0..=full)
                    .filter(|s| s & (1 << j) == 0 && s & (1 << l) == 0)
                    .map(|s| {
                        let with_l = y(s | 1 << j | 1 << l) - y(s | 1 << l);
                        let without_l = y(s | 1 << j) - y(s);
                        (with_l - without_l) / 2.0
                    })
                    .sum::<f64>()
                    / quarter
            });
            interactions.push((j, l, e));
        }
    }
    let shapley: Vec<Estimate> = (0..k).map(|j| per_rep(&|y| shapley_of(k, j, y))).collect();
    let series = |f: &dyn Fn(&Response) -> f64| -> Vec<f64> {
        (0..reps).map(|r| f(&|s: usize| responses[s][r])).collect()
    };
    let deltas = series(&|y| y(full) - y(0));
    let shares = (0..k)
        .map(|j| {
            let phi = series(&|y| shapley_of(k, j, y));
            share(&phi, &deltas, &combined)
        })
        .collect();
    let mut subsets: Vec<usize> = (1..=full).collect();
    subsets.sort_by_key(|s| (s.count_ones(), *s));
    let terms = subsets
        .into_iter()
        .map(|t| (t, per_rep(&|y| term(t, y))))
        .collect();
    Attribution {
        combined,
        main_effects,
        interactions,
        shapley,
        shares,
        terms,
    }
}

/// The Shapley value of intervention `j` for one replication.
fn shapley_of(k: usize, j: usize, y: &Response) -> f64 {
    let full = (1usize << k) - 1;
    (0..=full)
        .filter(|s| s & (1 << j) == 0)
        .map(|s| {
            let size = s.count_ones() as usize;
            let weight = factorial(size) * factorial(k - size - 1) / factorial(k);
            weight * (y(s | 1 << j) - y(s))
        })
        .sum()
}

/// The term of the set `t` (a bitmask) in one replication:
/// `Σ_{R ⊆ T} (−1)^{|T|−|R|} y(R)`.
fn term(t: usize, y: &Response) -> f64 {
    let mut sum = 0.0;
    let mut r = t;
    loop {
        let sign = if (t.count_ones() - r.count_ones()).is_multiple_of(2) {
            1.0
        } else {
            -1.0
        };
        sum += sign * y(r);
        if r == 0 {
            break;
        }
        r = (r - 1) & t;
    }
    sum
}

/// A share in percent, `100 φ̄ / Δ̄`, with the delta-method interval of the
/// paired ratio when the combined change `Δ` is significant.
fn share(phi: &[f64], deltas: &[f64], combined: &Estimate) -> Estimate {
    let pairs: Vec<(f64, f64)> = phi
        .iter()
        .zip(deltas)
        .filter(|(p, d)| p.is_finite() && d.is_finite())
        .map(|(p, d)| (*p, *d))
        .collect();
    let n = pairs.len();
    let nan = Estimate {
        mean: f64::NAN,
        ci95: None,
        n: 0,
    };
    if n == 0 {
        return nan;
    }
    let p_mean = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let d_mean = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    if d_mean == 0.0 {
        return nan;
    }
    let r = p_mean / d_mean;
    let mut e = Estimate {
        mean: 100.0 * r,
        ci95: None,
        n,
    };
    if n >= 2 && combined.excludes_zero() {
        let resid: Vec<f64> = pairs.iter().map(|(p, d)| p - r * d).collect();
        let m = resid.iter().sum::<f64>() / n as f64;
        let var = resid.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = 100.0 * t_quantile_975(n - 1) * (var / n as f64).sqrt() / d_mean.abs();
        e.ci95 = Some([e.mean - half, e.mean + half]);
    }
    e
}

/// The interventions of `subset` (a bitmask), in factor order.
pub fn members(subset: usize, k: usize) -> impl Iterator<Item = usize> {
    (0..k).filter(move |j| subset & (1 << j) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y = 10 a + 5 b + 4 a b (a, b ∈ {0, 1}), two replications.
    fn two_factor() -> Vec<Vec<f64>> {
        let y = |a: f64, b: f64| 10.0 * a + 5.0 * b + 4.0 * a * b;
        vec![
            vec![y(0.0, 0.0); 2],
            vec![y(1.0, 0.0); 2],
            vec![y(0.0, 1.0); 2],
            vec![y(1.0, 1.0); 2],
        ]
    }

    #[test]
    fn effects_match_the_textbook_definitions() {
        let a = attribute(2, &two_factor());
        assert_eq!(a.combined.mean, 19.0);
        // Main effect of a: ((10 - 0) + (19 - 5)) / 2 = 12.
        assert_eq!(a.main_effects[0].mean, 12.0);
        assert_eq!(a.main_effects[1].mean, 7.0);
        // Interaction: ((19 - 5) - (10 - 0)) / 2 = 2.
        assert_eq!(a.interactions, vec![(0, 1, a.interactions[0].2)]);
        assert_eq!(a.interactions[0].2.mean, 2.0);
    }

    #[test]
    fn shapley_values_add_up_to_the_combined_gain() {
        let a = attribute(2, &two_factor());
        // Shapley splits the interaction equally: a = 10 + 2, b = 5 + 2.
        assert_eq!(a.shapley[0].mean, 12.0);
        assert_eq!(a.shapley[1].mean, 7.0);
        let total: f64 = a.shares.iter().map(|e| e.mean).sum();
        assert!((total - 100.0).abs() < 1e-9);
    }

    /// y = 10a + 5b + 3c + 4ab − 2bc + 6abc with replication noise: every
    /// term is recovered, the terms add up to the combined change in each
    /// replication, and each Shapley value is its terms split equally.
    #[test]
    fn terms_add_up_and_make_the_shapley_values() {
        let noise = [0.0, 1.5, -0.7, 2.2];
        let responses: Vec<Vec<f64>> = (0..8usize)
            .map(|s| {
                let (a, b, c) = ((s & 1) as f64, ((s >> 1) & 1) as f64, ((s >> 2) & 1) as f64);
                let y = 10.0 * a + 5.0 * b + 3.0 * c + 4.0 * a * b - 2.0 * b * c + 6.0 * a * b * c;
                noise.iter().map(|n| y + n * (1.0 + a + b)).collect()
            })
            .collect();
        let a = attribute(3, &responses);
        let masks: Vec<usize> = a.terms.iter().map(|t| t.0).collect();
        assert_eq!(masks, vec![1, 2, 4, 3, 5, 6, 7]);
        let sum: f64 = a.terms.iter().map(|t| t.1.mean).sum();
        assert!((sum - a.combined.mean).abs() < 1e-9);
        // The noise is linear in a and b, so only the singles of a and b
        // carry it; c alone and every interaction are exact.
        let mean = |m: usize| a.terms.iter().find(|t| t.0 == m).map(|t| t.1.mean);
        assert!((mean(4).unwrap() - 3.0).abs() < 1e-9);
        assert!((mean(6).unwrap() + 2.0).abs() < 1e-9);
        assert!((mean(7).unwrap() - 6.0).abs() < 1e-9);
        // Shapley of c: 3 + (−2)/2 + 6/3 = 4.
        assert!((a.shapley[2].mean - 4.0).abs() < 1e-9);
        let phi: f64 = a.shapley.iter().map(|e| e.mean).sum();
        assert!((phi - a.combined.mean).abs() < 1e-9);
        // Shares have intervals: the combined change is significant.
        assert!(a.shares.iter().all(|e| e.ci95.is_some()));
        assert_eq!(members(5, 3).collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn a_share_of_a_change_that_may_be_nothing_has_no_interval() {
        // The combined change straddles zero.
        let responses = vec![vec![0.0, 0.0, 0.0], vec![1.0, -1.0, 0.5]];
        let a = attribute(1, &responses);
        assert!(!a.combined.excludes_zero());
        assert!(a.shares[0].mean.is_finite() && a.shares[0].ci95.is_none());
        // No change at all: no share.
        let a = attribute(1, &[vec![1.0, 2.0], vec![1.0, 2.0]]);
        assert!(a.shares[0].mean.is_nan());
    }

    #[test]
    fn three_factors_additive() {
        // y = 1 a + 2 b + 3 c: effects and Shapley values are the coefficients.
        let responses: Vec<Vec<f64>> = (0..8usize)
            .map(|s| {
                let v = (s & 1) as f64 + 2.0 * ((s >> 1) & 1) as f64 + 3.0 * ((s >> 2) & 1) as f64;
                vec![v, v]
            })
            .collect();
        let a = attribute(3, &responses);
        for (j, want) in [1.0, 2.0, 3.0].into_iter().enumerate() {
            assert!((a.main_effects[j].mean - want).abs() < 1e-12);
            assert!((a.shapley[j].mean - want).abs() < 1e-12);
        }
        assert!(a.interactions.iter().all(|(_, _, e)| e.mean.abs() < 1e-12));
    }
}
