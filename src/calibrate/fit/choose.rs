//! The choice: every family fitted and tested, ranked by AIC, and the
//! best-ranked one that fits chosen; deterministic and empirical times as
//! fallbacks, each with the reason in words.
//!
//! The rules, as `docs/event-log-fits.md` states them:
//!
//! * **Too few.** Fewer than [`MIN_ENDED`] services that ended: no family
//!   is fitted; the time is deterministic if they agree (below), else the
//!   empirical distribution of the Kaplan–Meier curve; with a warning.
//! * **Deterministic** when (almost) every service took the same time
//!   ([`super::constant`]). The families are still fitted and shown, not
//!   tested.
//! * **Otherwise** exponential, Erlang, gamma and lognormal are fitted to
//!   all observations and ranked by AIC (BIC shown); each is tested
//!   ([`super::gof`]) on the same sample, or on a subsample of
//!   [`super::FitOptions::cap`] drawn on the stream
//!   `calibrate/gof/<stage>/subsample` and refitted there. The chosen
//!   family is the best-ranked one with `gof_p ≥ 0.05`; when none has,
//!   the empirical distribution, with a warning. With the test turned off
//!   (`bootstrap = 0`) the best AIC is chosen.

use rand::RngExt;

use crate::engine::streams::Streams;

use super::constant::deterministic;
use super::gof::{self, Plan};
use super::km::{self, MAX_VALUES};
use super::mle::{self, Estimate};
use super::sample::{Sample, normalise, point};
use super::{Candidate, FitError, FitOptions, Fitted, Obs, Observed, ServiceFit};

/// Fewest services that ended for a family to be fitted.
pub const MIN_ENDED: usize = 10;
/// The p-value from which a family counts as fitting.
pub const P_FITS: f64 = 0.05;

/// See [`super::fit`].
pub fn fit(name: &str, data: &[Observed], opts: &FitOptions) -> Result<ServiceFit, FitError> {
    let pairs = checked(name, data)?;
    let sample = Sample::new(pairs.iter().map(|p| p.0));
    let constant = deterministic(&pairs);
    if let Some(fallback) = too_few(name, &pairs, &sample, constant) {
        return Ok(fallback);
    }
    let (n, censored) = (sample.n, sample.censored);
    let mut warnings = Vec::new();
    if 2 * censored > n {
        warnings.push(format!(
            "{censored} of {n} services at `{name}` were still running when the log closed: \
             the fit leans on the family's shape beyond the times seen"
        ));
    }
    let testing = constant.is_none() && opts.bootstrap > 0;
    let tested = if testing {
        subsample(&pairs, opts.cap, opts.seed, name)
    } else {
        Vec::new()
    };
    let estimates = mle::fit_all(&sample);
    let mut candidates = tested_candidates(name, &estimates, &tested, n, testing.then_some(opts));
    let chosen = match constant {
        Some((value, ci)) => {
            candidates.push(deterministic_candidate(value, ci));
            candidates.len() - 1
        }
        None => choose(name, &mut candidates, testing, &pairs, &mut warnings),
    };
    Ok(ServiceFit {
        chosen,
        candidates,
        n,
        censored,
        tested: tested.len(),
        bootstrap: if testing { opts.bootstrap } else { 0 },
        warnings,
    })
}

/// The observations in canonical form and order, with their limits
/// (unknown: never cut).
fn checked(name: &str, data: &[Observed]) -> Result<Vec<(Obs, f64)>, FitError> {
    let mut pairs: Vec<(Obs, f64)> = Vec::with_capacity(data.len());
    for (index, o) in data.iter().enumerate() {
        let obs = normalise(o.obs).ok_or_else(|| FitError::NotADuration {
            stage: name.to_owned(),
            index,
            obs: o.obs,
        })?;
        let limit = if o.limit.is_nan() {
            f64::INFINITY
        } else {
            o.limit
        };
        pairs.push((obs, limit));
    }
    if pairs.is_empty() {
        return Err(FitError::NoData {
            stage: name.to_owned(),
        });
    }
    pairs.sort_unstable_by(canonical);
    Ok(pairs)
}

/// The fallback when too few services ended to fit a family, with its
/// warning; `None` when there are enough.
fn too_few(
    name: &str,
    pairs: &[(Obs, f64)],
    sample: &Sample,
    constant: Option<(f64, Option<[f64; 2]>)>,
) -> Option<ServiceFit> {
    let (n, censored) = (sample.n, sample.censored);
    let ended = n - censored;
    let (fallback, warning) = if ended == 0 {
        let longest = pairs.iter().map(|p| point(p.0).0).fold(0.0, f64::max);
        (
            deterministic_candidate(longest, None),
            format!(
                "no service ended at `{name}`: all {n} were still running when the log closed; \
                 a deterministic time of {longest:.1} s, the longest seen and only a lower \
                 bound, is used"
            ),
        )
    } else if ended < MIN_ENDED {
        let fallback = match constant {
            Some((value, ci)) => deterministic_candidate(value, ci),
            None => empirical_candidate(pairs),
        };
        let warning = format!(
            "only {ended} services ended at `{name}`: too few to fit a family (at least \
             {MIN_ENDED} are needed); {} used",
            describe(&fallback.fitted)
        );
        (fallback, warning)
    } else {
        return None;
    };
    Some(ServiceFit {
        chosen: 0,
        candidates: vec![fallback],
        n,
        censored,
        tested: 0,
        bootstrap: 0,
        warnings: vec![warning],
    })
}

/// The estimates as candidates ranked by AIC, each tested on `tested`
/// (refitted there when it is a subsample of the `n` observations) when
/// `opts` says to.
fn tested_candidates(
    name: &str,
    estimates: &[Estimate],
    tested: &[(Obs, f64)],
    n: usize,
    opts: Option<&FitOptions>,
) -> Vec<Candidate> {
    let plan = Plan::new(tested);
    let subsample = (tested.len() < n).then(|| Sample::new(tested.iter().map(|p| p.0)));
    let mut candidates: Vec<Candidate> = estimates
        .iter()
        .map(|e| {
            let gof = opts.and_then(|opts| {
                let on = match &subsample {
                    Some(s) => mle::refit(e, s),
                    None => Some(e.clone()),
                };
                let stream = format!("calibrate/gof/{name}/{}", e.model.family().name());
                on.and_then(|on| gof::test(&on, &plan, opts.bootstrap, opts.seed, &stream))
            });
            candidate(e, n, gof)
        })
        .collect();
    // Stable: on a tie the fixed order of `fit_all` decides (an Erlang of
    // one phase takes the exponential's estimate, so the two tie exactly
    // and the exponential, fitted first, ranks first).
    candidates.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    candidates
}

/// The index of the chosen candidate: the best-ranked that fits (or the
/// best-ranked when nothing was tested), else the empirical fallback,
/// appended, with a warning.
fn choose(
    name: &str,
    candidates: &mut Vec<Candidate>,
    testing: bool,
    pairs: &[(Obs, f64)],
    warnings: &mut Vec<String>,
) -> usize {
    let fits = |c: &Candidate| !testing || c.gof_p.is_some_and(|p| p >= P_FITS);
    if let Some(i) = candidates.iter().position(fits) {
        return i;
    }
    let closest = candidates
        .iter()
        .filter_map(|c| c.gof_p.map(|p| (p, c.fitted.family().name())))
        .fold(None::<(f64, &str)>, |b, x| match b {
            Some(b) if b.0 >= x.0 => Some(b),
            _ => Some(x),
        });
    let fallback = empirical_candidate(pairs);
    warnings.push(match closest {
        Some((p, family)) => format!(
            "no family fits the services at `{name}` (the closest, {family}, has p = {p:.3} \
             < {P_FITS}); {} used",
            describe(&fallback.fitted)
        ),
        None => format!(
            "no family could be fitted to the services at `{name}`; {} used",
            describe(&fallback.fitted)
        ),
    });
    candidates.push(fallback);
    candidates.len() - 1
}

/// A total order on observations, so the result depends on the multiset
/// of services and not on the order they came in.
fn canonical(a: &(Obs, f64), b: &(Obs, f64)) -> std::cmp::Ordering {
    let key = |o: &Obs| match *o {
        Obs::Exact(x) => (0, x, 0.0),
        Obs::Right(x) => (1, x, 0.0),
        Obs::Interval(lo, hi) => (2, lo, hi),
        Obs::Rounded { value, width } => (3, value, width),
    };
    let (ka, kb) = (key(&a.0), key(&b.0));
    ka.0.cmp(&kb.0)
        .then(ka.1.total_cmp(&kb.1))
        .then(ka.2.total_cmp(&kb.2))
        .then(a.1.total_cmp(&b.1))
}

/// All pairs, or `cap` of them drawn without replacement on the stage's
/// subsample stream (kept in canonical order).
fn subsample(pairs: &[(Obs, f64)], cap: usize, seed: u64, name: &str) -> Vec<(Obs, f64)> {
    let n = pairs.len();
    if cap == 0 || n <= cap {
        return pairs.to_vec();
    }
    let mut rng = Streams::new(seed, 0).stream(&format!("calibrate/gof/{name}/subsample"));
    let mut index: Vec<usize> = (0..n).collect();
    for i in 0..cap {
        let j = rng.random_range(i..n);
        index.swap(i, j);
    }
    let mut chosen = index[..cap].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| pairs[i]).collect()
}

fn candidate(e: &Estimate, n: usize, gof: Option<(f64, f64)>) -> Candidate {
    let k = e.model.parameters() as f64;
    let ll = e.log_likelihood;
    Candidate {
        fitted: e.model.fitted(&e.law),
        mean_s: e.law.mean(),
        sd_s: e.law.sd(),
        mean_ci95: e.mean_ci95,
        log_likelihood: ll,
        aic: 2.0 * k - 2.0 * ll,
        bic: k * (n as f64).ln() - 2.0 * ll,
        gof_p: gof.map(|g| g.0),
        gof_distance: gof.map(|g| g.1),
    }
}

fn deterministic_candidate(value: f64, ci: Option<[f64; 2]>) -> Candidate {
    Candidate {
        fitted: Fitted::Deterministic { value_s: value },
        mean_s: value,
        sd_s: 0.0,
        mean_ci95: ci,
        log_likelihood: f64::NAN,
        aic: f64::NAN,
        bic: f64::NAN,
        gof_p: None,
        gof_distance: None,
    }
}

fn empirical_candidate(pairs: &[(Obs, f64)]) -> Candidate {
    let points: Vec<(f64, bool)> = pairs.iter().map(|p| point(p.0)).collect();
    let (values_s, weights) =
        km::empirical(&km::kaplan_meier(&points), MAX_VALUES).unwrap_or((vec![0.0], vec![1.0]));
    let mean: f64 = values_s.iter().zip(&weights).map(|(v, w)| v * w).sum();
    let var: f64 = values_s
        .iter()
        .zip(&weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum();
    Candidate {
        fitted: Fitted::Empirical { values_s, weights },
        mean_s: mean,
        sd_s: var.sqrt(),
        mean_ci95: None,
        log_likelihood: f64::NAN,
        aic: f64::NAN,
        bic: f64::NAN,
        gof_p: None,
        gof_distance: None,
    }
}

fn describe(fitted: &Fitted) -> String {
    match fitted {
        Fitted::Deterministic { value_s } => format!("a deterministic time of {value_s:.1} s is"),
        Fitted::Empirical { values_s, .. } => format!(
            "the empirical distribution of the Kaplan–Meier curve ({} value{}) is",
            values_s.len(),
            if values_s.len() == 1 { "" } else { "s" }
        ),
        other => format!("{} is", other.family().name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(obs: Obs) -> Observed {
        Observed {
            obs,
            limit: f64::INFINITY,
        }
    }

    #[test]
    fn a_constant_time_is_deterministic_even_when_rounded() {
        // 330 s measured on a minute clock: 300 or 360, half and half.
        let data: Vec<Observed> = (0..200)
            .map(|i| {
                observed(Obs::Rounded {
                    value: if i % 2 == 0 { 300.0 } else { 360.0 },
                    width: 60.0,
                })
            })
            .collect();
        let fit = fit("scan", &data, &FitOptions::default()).expect("fits");
        assert_eq!(
            fit.chosen().fitted,
            Fitted::Deterministic { value_s: 330.0 }
        );
        assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
        // The families are shown, untested.
        assert!(fit.candidates.len() > 1);
        assert!(fit.candidates.iter().all(|c| c.gof_p.is_none()));
        // Exactly constant exact durations: the families run into their
        // walls (shape, σ) and stop there.
        let data: Vec<Observed> = (0..500).map(|_| observed(Obs::Exact(45.0))).collect();
        let exact = super::fit("scan", &data, &FitOptions::default()).expect("fits");
        assert_eq!(
            exact.chosen().fitted,
            Fitted::Deterministic { value_s: 45.0 }
        );
        assert_eq!(exact.chosen().mean_ci95, Some([45.0, 45.0]));
    }

    #[test]
    fn too_few_services_fall_back_with_a_warning() {
        let data: Vec<Observed> = [30.0, 45.0, 80.0, 12.0, 60.0]
            .iter()
            .map(|&x| observed(Obs::Exact(x)))
            .collect();
        let fit = fit("documents", &data, &FitOptions::default()).expect("fits");
        assert_eq!(fit.candidates.len(), 1);
        let Fitted::Empirical { values_s, weights } = &fit.chosen().fitted else {
            panic!("{:?}", fit.chosen())
        };
        assert_eq!(values_s, &vec![12.0, 30.0, 45.0, 60.0, 80.0]);
        assert!(weights.iter().all(|w| (w - 0.2).abs() < 1e-12));
        assert!(
            fit.warnings[0].contains("only 5 services ended at `documents`"),
            "{:?}",
            fit.warnings
        );
    }

    #[test]
    fn when_every_service_is_still_running_the_longest_is_a_lower_bound() {
        let data = [
            Observed {
                obs: Obs::Right(100.0),
                limit: 100.0,
            },
            Observed {
                obs: Obs::Right(40.0),
                limit: 40.0,
            },
        ];
        let fit = fit("x", &data, &FitOptions::default()).expect("fits");
        assert_eq!(
            fit.chosen().fitted,
            Fitted::Deterministic { value_s: 100.0 }
        );
        assert!(
            fit.warnings[0].contains("lower bound"),
            "{:?}",
            fit.warnings
        );
    }

    #[test]
    fn no_data_and_bad_data_are_errors() {
        assert_eq!(
            fit("x", &[], &FitOptions::default()),
            Err(FitError::NoData { stage: "x".into() })
        );
        let bad = [observed(Obs::Exact(3.0)), observed(Obs::Exact(-1.0))];
        assert!(matches!(
            fit("x", &bad, &FitOptions::default()),
            Err(FitError::NotADuration { index: 1, .. })
        ));
    }

    #[test]
    fn the_subsample_is_deterministic_and_order_free() {
        let pairs: Vec<(Obs, f64)> = (0..5000)
            .map(|i| (Obs::Exact(f64::from(i)), f64::INFINITY))
            .collect();
        let a = subsample(&pairs, 100, 7, "s");
        let b = subsample(&pairs, 100, 7, "s");
        assert_eq!(a, b);
        assert_eq!(a.len(), 100);
        assert_ne!(a, subsample(&pairs, 100, 8, "s"));
        assert_eq!(subsample(&pairs[..50], 100, 7, "s").len(), 50);
    }
}
