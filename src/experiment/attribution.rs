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
//!   throughput gain" is well defined even when the reforms interact.

use super::estimate::Estimate;

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
    /// (ratio of the means).
    pub share_pct: Vec<f64>,
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
    let shapley: Vec<Estimate> = (0..k)
        .map(|j| {
            per_rep(&|y| {
                (0..=full)
                    .filter(|s| s & (1 << j) == 0)
                    .map(|s| {
                        let size = s.count_ones() as usize;
                        let weight = factorial(size) * factorial(k - size - 1) / factorial(k);
                        weight * (y(s | 1 << j) - y(s))
                    })
                    .sum()
            })
        })
        .collect();
    let share_pct = shapley
        .iter()
        .map(|e| {
            if combined.mean != 0.0 {
                100.0 * e.mean / combined.mean
            } else {
                f64::NAN
            }
        })
        .collect();
    Attribution {
        combined,
        main_effects,
        interactions,
        shapley,
        share_pct,
    }
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
        let total: f64 = a.share_pct.iter().sum();
        assert!((total - 100.0).abs() < 1e-9);
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
