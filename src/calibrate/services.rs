//! Service times: each stage's observed durations, censored where the log
//! cut them, and the fit of each stage.
//!
//! Every visit whose start was seen gives one [`Observed`]:
//! * start and end seen: `Exact(end − start)`, or, when the log's times
//!   are whole minutes (its resolution, found by the reader), `Interval(d
//!   − 60 s, d + 60 s)` cut at zero: each of the two times may be off by
//!   up to a minute;
//! * still in service when the log closes: `Right(log end − start)`, "at
//!   least this long";
//! * a lost `end` row, a lost `start` row, or a service already running
//!   when the log opened (its start unknown) gives nothing.
//!
//! Each carries its `limit`, the log's end less its start: the time at
//! which the log would have cut it, which a parametric bootstrap needs to
//! censor its draws the same way.
//!
//! The fit itself is `fit::fit`, built beside this layer; until it is
//! merged, a private `fit_placeholder` stands in with the censored exponential.

use super::fit::{Candidate, Family, Fitted, Obs, Observed, ServiceFit};
use super::interval::Z95;
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
                VisitKind::Done if resolution_s > 1 => Obs::Interval((d - r).max(0.0), d + r),
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

/// The fit of one stage's services.
pub fn fit(name: &str, data: &[Observed]) -> ServiceFit {
    // replaced by fit::fit at merge
    fit_placeholder(name, data)
}

/// The censored exponential's maximum-likelihood fit: events over total
/// time at risk (an interval counts at its midpoint). A stand-in for
/// `fit::fit` until that is merged.
fn fit_placeholder(name: &str, data: &[Observed]) -> ServiceFit {
    let (mut events, mut total) = (0u64, 0f64);
    let mut censored = 0usize;
    for o in data {
        match o.obs {
            Obs::Exact(x) => {
                events += 1;
                total += x;
            }
            Obs::Interval(lo, hi) => {
                events += 1;
                total += (lo + hi) / 2.0;
            }
            Obs::Right(x) => {
                censored += 1;
                total += x;
            }
        }
    }
    let n = data.len();
    if events == 0 || total <= 0.0 {
        let value = data
            .iter()
            .map(|o| match o.obs {
                Obs::Exact(x) | Obs::Right(x) => x,
                Obs::Interval(lo, hi) => (lo + hi) / 2.0,
            })
            .fold(0.0, f64::max)
            .max(1.0);
        return ServiceFit {
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
            }],
            n,
            censored,
            warnings: vec![format!(
                "stage `{name}` has no completed service to fit; its time is taken as {value:.0} s, deterministic"
            )],
        };
    }
    let mean = total / events as f64;
    let ll = -(events as f64) * mean.ln() - total / mean;
    let k = 1.0;
    let spread = (Z95 / (events as f64).sqrt()).exp();
    ServiceFit {
        chosen: 0,
        candidates: vec![Candidate {
            fitted: Fitted::Exponential { mean_s: mean },
            mean_s: mean,
            sd_s: mean,
            mean_ci95: Some([mean / spread, mean * spread]),
            log_likelihood: ll,
            aic: 2.0 * k - 2.0 * ll,
            bic: k * (n as f64).ln() - 2.0 * ll,
            gof_p: None,
        }],
        n,
        censored,
        warnings: Vec::new(),
    }
}

/// The family of a fitted candidate.
pub fn family(f: &Fitted) -> Family {
    match f {
        Fitted::Exponential { .. } => Family::Exponential,
        Fitted::Gamma { .. } => Family::Gamma,
        Fitted::Lognormal { .. } => Family::Lognormal,
        Fitted::Erlang { .. } => Family::Erlang,
        Fitted::Deterministic { .. } => Family::Deterministic,
        Fitted::Empirical { .. } => Family::Empirical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_is_the_censored_exponential() {
        // Two events (10 s, 30 s) and one censored at 20 s: 60 s at risk
        // over 2 events, mean 30 s.
        let data = [
            Observed {
                obs: Obs::Exact(10.0),
                limit: 100.0,
            },
            Observed {
                obs: Obs::Exact(30.0),
                limit: 100.0,
            },
            Observed {
                obs: Obs::Right(20.0),
                limit: 20.0,
            },
        ];
        let f = fit("d", &data);
        assert_eq!(f.censored, 1);
        assert!((f.chosen().mean_s - 30.0).abs() < 1e-12);
        assert_eq!(family(&f.chosen().fitted), Family::Exponential);
        let none = fit(
            "d",
            &[Observed {
                obs: Obs::Right(20.0),
                limit: 20.0,
            }],
        );
        assert_eq!(family(&none.chosen().fitted), Family::Deterministic);
        assert_eq!(none.warnings.len(), 1);
    }
}
