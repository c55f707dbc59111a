//! Service-time fits: maximum likelihood for the families portsim
//! simulates, with censored observations as first-class input.
//!
//! A service still running when the log closes is "at least this long"
//! (right-censored); a duration computed from times rounded to the minute
//! is only known to lie in an interval. Both enter the likelihood as what
//! they are instead of being dropped or taken at face value, which is
//! what keeps the estimates unbiased when long services are cut by the
//! log's end.
//!
//! This file holds the interface the rest of calibration uses: the
//! observations in, one [`ServiceFit`] out (every candidate family with
//! its estimates, information criteria and goodness of fit, and the one
//! chosen).

use serde::Serialize;

/// One observed service duration, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Obs {
    /// Known exactly.
    Exact(f64),
    /// At least this long: still in service when the log closed.
    Right(f64),
    /// Somewhere in `[lo, hi]` (times rounded to the log's resolution).
    Interval(f64, f64),
}

/// An observation together with the time at which it would have been
/// cut off by the log's end: known for every service, cut or not, which
/// is what a parametric bootstrap needs to censor its draws the same way.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Observed {
    /// What was seen.
    pub obs: Obs,
    /// Seconds from the service's start to the log's end (`f64::INFINITY`
    /// when unknown).
    pub limit: f64,
}

/// A family portsim simulates, by its scenario-format name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// `exponential` (`mean`).
    Exponential,
    /// `gamma` (`mean`, `sd`).
    Gamma,
    /// `lognormal` (`mean`, `sd`).
    Lognormal,
    /// `erlang` (`k`, `mean`).
    Erlang,
    /// `deterministic` (`value`): the fallback when every duration is the
    /// same.
    Deterministic,
    /// `empirical` (`values`, `weights`): the fallback when no family fits.
    Empirical,
}

impl Family {
    /// The scenario format's name (`dist = "…"`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Gamma => "gamma",
            Family::Lognormal => "lognormal",
            Family::Erlang => "erlang",
            Family::Deterministic => "deterministic",
            Family::Empirical => "empirical",
        }
    }
}

/// A fitted distribution, in the scenario format's parameters (seconds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Fitted {
    /// Exponential.
    Exponential {
        /// Mean.
        mean_s: f64,
    },
    /// Gamma.
    Gamma {
        /// Mean.
        mean_s: f64,
        /// Standard deviation.
        sd_s: f64,
    },
    /// Lognormal.
    Lognormal {
        /// Mean.
        mean_s: f64,
        /// Standard deviation.
        sd_s: f64,
    },
    /// Erlang.
    Erlang {
        /// Phases.
        k: u32,
        /// Mean.
        mean_s: f64,
    },
    /// Deterministic.
    Deterministic {
        /// The value.
        value_s: f64,
    },
    /// Empirical.
    Empirical {
        /// Values.
        values_s: Vec<f64>,
        /// Their weights (summing to 1).
        weights: Vec<f64>,
    },
}

/// One candidate family fitted to a stage's services.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The family and its estimates.
    pub fitted: Fitted,
    /// Mean of the fitted distribution, seconds.
    pub mean_s: f64,
    /// Standard deviation of the fitted distribution, seconds.
    pub sd_s: f64,
    /// 95 % interval of the mean, seconds, when it can be given.
    pub mean_ci95: Option<[f64; 2]>,
    /// Log-likelihood at the estimates (censoring included).
    pub log_likelihood: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// Bayes' information criterion.
    pub bic: f64,
    /// Goodness-of-fit p-value, valid under censoring; `None` when it
    /// could not be computed.
    pub gof_p: Option<f64>,
}

/// Everything fitted to one stage's services.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceFit {
    /// Index into `candidates` of the chosen one.
    pub chosen: usize,
    /// Every candidate, best (lowest AIC) first; fallbacks last.
    pub candidates: Vec<Candidate>,
    /// Observations used.
    pub n: usize,
    /// Of which right-censored.
    pub censored: usize,
    /// What a planner should know (too few observations, no family
    /// fits, …), in words.
    pub warnings: Vec<String>,
}

impl ServiceFit {
    /// The chosen candidate.
    pub fn chosen(&self) -> &Candidate {
        &self.candidates[self.chosen]
    }
}
