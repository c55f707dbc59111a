//! Service times: each stage's observed durations, censored where the log
//! cut them, and the fit of each stage.
//!
//! Every visit whose start was seen gives one [`Observed`]:
//! * start and end seen: `Exact(end − start)`, or, when the log's times
//!   are whole minutes (its resolution, found by the reader), `Rounded`
//!   with that width: each of the two times may be off by up to a minute,
//!   which the fit's likelihood integrates over;
//! * still in service when the log closes: `Right(log end − start)`, "at
//!   least this long";
//! * a lost `end` row, a lost `start` row, or a service already running
//!   when the log opened (its start unknown) gives nothing.
//!
//! Each carries its `limit`, the log's end less its start: the time at
//! which the log would have cut it, which a parametric bootstrap needs to
//! censor its draws the same way.
//!
//! The fit itself is `fit::fit`; a stage it cannot fit (no observation
//! at all) is given a deterministic time with a warning.

#[cfg(test)]
use super::fit::Family;
use super::fit::{self, Candidate, FitOptions, Fitted, Obs, Observed, ServiceFit};
use super::reconstruct::{Paths, VisitKind};

/// The observations of stage `stage` in a log of resolution
/// `resolution_s`.
pub fn observations(paths: &Paths, stage: u32, resolution_s: i64) -> Vec<Observed> {
    let r = resolution_s as f64;
    paths
        .visits
        .iter()
        .filter(|v| v.stage == stage)
        .filter_map(|v| {
            let limit = (paths.end - v.start) as f64;
            let d = (v.end - v.start) as f64;
            let obs = match v.kind {
                VisitKind::Done if resolution_s > 1 => Obs::Rounded { value: d, width: r },
                VisitKind::Done => Obs::Exact(d),
                VisitKind::RunningAtEnd => Obs::Right(d),
                VisitKind::EndLost | VisitKind::StartLost | VisitKind::RunningAtStart => {
                    return None;
                }
            };
            Some(Observed { obs, limit })
        })
        .collect()
}

/// The fit of one stage's services (`fit::fit`), seeded by `seed`.
///
/// A stage with nothing the fit can use (every visit's start unknown, or
/// lost) still needs a service time for the scenario to run: it is taken
/// as deterministic at the longest time observed (one second if none),
/// and a warning says so.
pub fn fit(name: &str, data: &[Observed], seed: u64) -> ServiceFit {
    let opts = FitOptions {
        seed,
        ..FitOptions::default()
    };
    match fit::fit(name, data, &opts) {
        Ok(f) => f,
        Err(e) => unfitted(name, data, &e.to_string()),
    }
}

/// The deterministic stand-in for a stage that could not be fitted.
fn unfitted(name: &str, data: &[Observed], why: &str) -> ServiceFit {
    let value = data
        .iter()
        .map(|o| match o.obs {
            Obs::Exact(x) | Obs::Right(x) => x,
            Obs::Interval(lo, hi) => (lo + hi) / 2.0,
            Obs::Rounded { value, .. } => value,
        })
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max)
        .max(1.0);
    ServiceFit {
        chosen: 0,
        candidates: vec![Candidate {
            fitted: Fitted::Deterministic { value_s: value },
            mean_s: value,
            sd_s: 0.0,
            mean_ci95: None,
            log_likelihood: f64::NAN,
            aic: f64::NAN,
            bic: f64::NAN,
            gof_p: None,
            gof_distance: None,
        }],
        n: data.len(),
        censored: data
            .iter()
            .filter(|o| matches!(o.obs, Obs::Right(_)))
            .count(),
        tested: 0,
        bootstrap: 0,
        warnings: vec![format!(
            "stage `{name}` cannot be fitted ({why}); its time is taken as {value:.0} s, deterministic"
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_without_observations_is_deterministic_with_a_warning() {
        let none = fit("d", &[], 1);
        assert_eq!(none.chosen().fitted.family(), Family::Deterministic);
        assert_eq!(none.warnings.len(), 1);
        assert!(none.warnings[0].contains("`d`"), "{:?}", none.warnings);
    }

    #[test]
    fn exact_services_are_fitted_by_the_real_fit() {
        // Forty services of exactly 90 s: every service took the same
        // time, which the fit calls deterministic.
        let data: Vec<Observed> = (0..40)
            .map(|_| Observed {
                obs: Obs::Exact(90.0),
                limit: 1e6,
            })
            .collect();
        let f = fit("d", &data, 1);
        assert_eq!(f.n, 40);
        assert!((f.chosen().mean_s - 90.0).abs() < 1e-9, "{f:?}");
    }
}
