//! Maximum-likelihood estimates of each family, with Erlang's whole `k`
//! by profile likelihood and a 95 % interval of the mean.
//!
//! The interval comes from the observed information (the Hessian of the
//! log-likelihood at the estimate) by the delta method on the log of the
//! mean, `ln m ± 1.96·se`, then exponentiated: it stays positive and is
//! asymmetric the way a mean of durations is. For Erlang `k` is held at
//! its estimate (the interval is conditional on it).

use crate::engine::dist::law::Law;

use super::families::{Model, SHAPE_RANGE, log_likelihood};
use super::newton::{inverse, maximize};
use super::sample::Sample;

/// One family fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The family (with Erlang's `k`).
    pub model: Model,
    /// The fitted law.
    pub law: Law,
    /// The log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// 95 % interval of the mean, when the information is regular.
    pub mean_ci95: Option<[f64; 2]>,
}

/// `z` of a two-sided 95 % normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Fits `model` from optimiser parameters `start`.
pub fn fit_model(model: Model, sample: &Sample, start: &[f64], want_ci: bool) -> Option<Estimate> {
    let f = |t: &[f64]| {
        model
            .law(t)
            .map_or(f64::NEG_INFINITY, |law| log_likelihood(sample, &law))
    };
    let opt = maximize(&f, start, want_ci)?;
    let law = model.law(&opt.theta)?;
    let mean_ci95 = opt
        .hessian
        .as_ref()
        .and_then(|h| mean_interval(model, &law, h));
    Some(Estimate {
        model,
        law,
        log_likelihood: opt.value,
        mean_ci95,
    })
}

/// The delta-method interval of the mean from the Hessian of the
/// log-likelihood in the optimiser's parameters.
fn mean_interval(model: Model, law: &Law, hessian: &[Vec<f64>]) -> Option<[f64; 2]> {
    let info: Vec<Vec<f64>> = hessian
        .iter()
        .map(|row| row.iter().map(|v| -v).collect())
        .collect();
    let cov = inverse(&info)?;
    // ∂ ln(mean) / ∂θ.
    let grad = match (model, law) {
        (Model::Gamma, _) => vec![1.0, 1.0],
        (Model::Lognormal, Law::LogNormal { sigma, .. }) => vec![1.0, sigma * sigma],
        _ => vec![1.0],
    };
    let var: f64 = (0..grad.len())
        .map(|i| {
            (0..grad.len())
                .map(|j| grad[i] * cov[i][j] * grad[j])
                .sum::<f64>()
        })
        .sum();
    if !(var.is_finite() && var >= 0.0) {
        return None;
    }
    let ln_mean = law.mean().ln();
    let half = Z95 * var.sqrt();
    Some([(ln_mean - half).exp(), (ln_mean + half).exp()])
}

/// Erlang by profile likelihood over whole `k`: from `k0`, climbs to the
/// neighbouring `k` while the maximised likelihood rises. The profile is
/// unimodal in practice (the gamma likelihood is concave in its shape),
/// and `k0` comes from the gamma estimate, so one or two steps suffice.
pub fn fit_erlang(sample: &Sample, k0: u32, mean: f64, want_ci: bool) -> Option<Estimate> {
    let max_k = SHAPE_RANGE.1 as u32;
    let k0 = k0.clamp(1, max_k);
    let at = |k: u32| {
        let model = Model::Erlang(k);
        fit_model(model, sample, &model.start(mean, mean), false)
    };
    let mut best = at(k0)?;
    let mut k = k0;
    for direction in [1i64, -1] {
        loop {
            let next = i64::from(k) + direction;
            if next < 1 || next > i64::from(max_k) {
                break;
            }
            let next = next as u32;
            match at(next) {
                Some(e) if e.log_likelihood > best.log_likelihood => {
                    best = e;
                    k = next;
                }
                _ => break,
            }
        }
        if k != k0 {
            break;
        }
    }
    if want_ci {
        let theta = best.model.theta(&best.law);
        return fit_model(best.model, sample, &theta, true);
    }
    Some(best)
}

/// Every family fitted to `sample`, from rough starts (Erlang from the
/// gamma estimate's shape), in a fixed order: exponential, Erlang, gamma,
/// lognormal. A family whose fit fails is left out.
pub fn fit_all(sample: &Sample) -> Vec<Estimate> {
    let (mean, sd) = sample.rough_moments();
    let exponential = fit_model(
        Model::Exponential,
        sample,
        &Model::Exponential.start(mean, sd),
        true,
    );
    let gamma = fit_model(Model::Gamma, sample, &Model::Gamma.start(mean, sd), true);
    let lognormal = fit_model(
        Model::Lognormal,
        sample,
        &Model::Lognormal.start(mean, sd),
        true,
    );
    let (k0, m) = match &gamma {
        Some(Estimate {
            law: Law::Gamma { shape, .. },
            ..
        }) => (
            shape.round().max(1.0) as u32,
            gamma.as_ref().map_or(mean, |g| g.law.mean()),
        ),
        _ => (((mean / sd).powi(2)).round().max(1.0) as u32, mean),
    };
    let mut erlang = fit_erlang(sample, k0, m, true);
    // An Erlang of one phase is the exponential law: it takes the
    // exponential's estimate, so their likelihoods tie exactly rather than
    // by the last digits of two optimisers, and the tie goes to the
    // exponential, listed first.
    if let (Some(e), Some(x)) = (&mut erlang, &exponential)
        && e.model == Model::Erlang(1)
    {
        e.log_likelihood = x.log_likelihood;
        e.mean_ci95 = x.mean_ci95;
        e.law = x.law;
    }
    [exponential, erlang, gamma, lognormal]
        .into_iter()
        .flatten()
        .collect()
}

/// Refits `estimate`'s family to another sample, starting from it (the
/// bootstrap's refit).
pub fn refit(estimate: &Estimate, sample: &Sample) -> Option<Estimate> {
    match estimate.model {
        Model::Erlang(k) => fit_erlang(sample, k, estimate.law.mean(), false),
        model => fit_model(model, sample, &model.theta(&estimate.law), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::Obs;

    /// Exact exponential data: the MLE of the mean is the sample mean and
    /// its delta-method interval is mean·exp(±1.96/√n).
    #[test]
    fn exponential_estimate_is_the_sample_mean() {
        let xs = [12.0, 30.0, 7.5, 61.0, 22.0, 5.0, 40.0, 18.0];
        let sample = Sample::new(xs.iter().map(|&x| Obs::Exact(x)));
        let e = fit_model(Model::Exponential, &sample, &[0.0], true).expect("fits");
        let mean = xs.iter().sum::<f64>() / 8.0;
        assert!((e.law.mean() - mean).abs() < 1e-6 * mean, "{e:?}");
        let ci = e.mean_ci95.expect("regular");
        let half = Z95 / 8f64.sqrt();
        assert!((ci[0] - mean * (-half).exp()).abs() < 1e-4 * mean, "{ci:?}");
        assert!((ci[1] - mean * half.exp()).abs() < 1e-4 * mean, "{ci:?}");
    }

    /// An Erlang of one phase is the exponential law: its likelihood is
    /// the exponential's exactly, so on the tie the simpler family, listed
    /// first, ranks first. Minute-rounded exponential data (issue 26's
    /// round trip, where Erlang won by the optimisers' last digits).
    #[test]
    fn an_erlang_of_one_phase_ties_the_exponential_exactly() {
        let mut rng = 12_345u64;
        let obs: Vec<Obs> = (0..2000)
            .map(|_| {
                rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let u = ((rng >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                let start = u * 60.0;
                let x = -720.0 * (1.0 - u * 0.999).ln();
                let rounded = ((start + x) / 60.0).floor() * 60.0 - (start / 60.0).floor() * 60.0;
                Obs::Rounded {
                    value: rounded,
                    width: 60.0,
                }
            })
            .collect();
        let all = fit_all(&Sample::new(obs.iter().copied()));
        let ll = |m: Model| all.iter().find(|e| e.model == m).map(|e| e.log_likelihood);
        assert!(ll(Model::Erlang(1)).is_some(), "{all:?}");
        assert_eq!(ll(Model::Erlang(1)), ll(Model::Exponential));
    }

    /// Exponential with right censoring: the MLE is Σ times / #events
    /// (to the differences' truncation error, h²/6 ≈ 4e-8 relative).
    #[test]
    fn censored_exponential_is_total_time_over_events() {
        let obs = [
            Obs::Exact(10.0),
            Obs::Exact(20.0),
            Obs::Right(50.0),
            Obs::Exact(5.0),
            Obs::Right(15.0),
        ];
        let sample = Sample::new(obs);
        let e = fit_model(Model::Exponential, &sample, &[3.0], false).expect("fits");
        assert!(
            (e.law.mean() - 100.0 / 3.0).abs() < 1e-6 * 100.0 / 3.0,
            "{e:?}"
        );
    }

    /// Lognormal on exact data: μ̂ and σ̂ are the mean and (n-divisor) sd
    /// of the logs.
    #[test]
    fn lognormal_estimates_are_the_moments_of_the_logs() {
        let xs = [12.0, 30.0, 7.5, 61.0, 22.0, 5.0, 40.0, 18.0];
        let sample = Sample::new(xs.iter().map(|&x| Obs::Exact(x)));
        let e = fit_model(
            Model::Lognormal,
            &sample,
            &Model::Lognormal.start(20.0, 10.0),
            false,
        )
        .expect("fits");
        let logs: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
        let mu = logs.iter().sum::<f64>() / 8.0;
        let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / 8.0).sqrt();
        match e.law {
            Law::LogNormal { mu: m, sigma: s } => {
                assert!((m - mu).abs() < 1e-6 && (s - sigma).abs() < 1e-6, "{m} {s}");
            }
            Law::Gamma { .. } => panic!("wrong law"),
        }
    }

    /// Gamma on exact data: the score equations ln α - ψ(α) = ln(x̄) - mean(ln x)
    /// and αβ = x̄ hold at the estimate.
    #[test]
    fn gamma_estimate_solves_the_score_equations() {
        let xs = [12.0, 30.0, 7.5, 61.0, 22.0, 5.0, 40.0, 18.0, 25.0, 33.0];
        let sample = Sample::new(xs.iter().map(|&x| Obs::Exact(x)));
        let e = fit_model(
            Model::Gamma,
            &sample,
            &Model::Gamma.start(25.0, 10.0),
            false,
        )
        .expect("fits");
        let mean = xs.iter().sum::<f64>() / 10.0;
        let mean_ln = xs.iter().map(|x| x.ln()).sum::<f64>() / 10.0;
        let Law::Gamma { shape, scale, .. } = e.law else {
            panic!("wrong law")
        };
        assert!((shape * scale - mean).abs() < 1e-5 * mean);
        let lhs = shape.ln() - statrs::function::gamma::digamma(shape);
        assert!((lhs - (mean.ln() - mean_ln)).abs() < 1e-6, "{lhs}");
    }

    /// Erlang's profile finds the whole k nearest in likelihood: data that
    /// are the exact quantiles of Erlang(4) give k = 4.
    #[test]
    fn erlang_profile_finds_k() {
        let law = Law::gamma(4.0, 10.0);
        let xs: Vec<f64> = (1..400)
            .map(|i| law.quantile(f64::from(i) / 400.0))
            .collect();
        let sample = Sample::new(xs.iter().map(|&x| Obs::Exact(x)));
        for k0 in [1, 4, 9] {
            let e = fit_erlang(&sample, k0, 40.0, true).expect("fits");
            assert_eq!(e.model, Model::Erlang(4), "from {k0}");
            assert!(e.mean_ci95.is_some());
        }
    }
}
