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
//! chosen), through [`fit`]. Below it:
//!
//! * [`sample`]: observations checked and grouped (sufficient statistics
//!   for exact durations, one entry per distinct censored value);
//! * [`families`]: each family's parameters and its log-likelihood of
//!   exact, right-censored, interval and rounded observations;
//! * [`newton`]: the optimiser (damped Newton on log-parameters);
//! * [`mle`]: the maximum-likelihood fit of each family, Erlang's `k` by
//!   profile likelihood, and the interval of the mean;
//! * [`km`]: the Kaplan–Meier curve and the empirical fallback drawn from it;
//! * [`gof`]: the goodness-of-fit test, a parametric bootstrap of the
//!   Kolmogorov–Smirnov distance that replays the data's censoring and
//!   rounding;
//! * [`constant`]: whether (almost) every service took the same time;
//! * [`choose`]: the ranking, the choice and the fallbacks, with warnings.
//!
//! The method is written up for users in `docs/event-log-fits.md`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::engine::dist::Dist;

pub mod choose;
pub mod constant;
pub mod families;
pub mod gof;
pub mod km;
pub mod mle;
pub mod newton;
pub mod sample;

/// One observed service duration, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Obs {
    /// Known exactly.
    Exact(f64),
    /// At least this long: still in service when the log closed.
    Right(f64),
    /// Somewhere in `[lo, hi]`, each point as likely as the data go: a
    /// duration that was itself rounded down to the log's resolution
    /// (`[k·w, (k+1)·w]`). Contributes `F(hi) - F(lo)`.
    Interval(f64, f64),
    /// The difference `value` of two clock times each rounded (down, or
    /// to the nearest, the same way at both ends) to a multiple of
    /// `width`: what a log with times to the minute gives. The true
    /// duration lies in `(value - width, value + width)`, not uniformly
    /// but with triangular weights (the start's position within its
    /// minute is uniform), so it contributes
    /// `∫ f(x) (1 - |x - value|/width) dx`, which is
    /// `(G(v+w) - 2G(v) + G(v-w)) / w` with `G = ∫₀ˣ F`. Taken as the
    /// interval `[value - width, value + width]` instead, the mean of
    /// 90-second services would come out about 3 % low.
    Rounded {
        /// The difference of the two rounded times, seconds.
        value: f64,
        /// The rounding step of the clock, seconds (60 for minutes).
        width: f64,
    },
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
/// Serialised as the scenario format writes it: `{"dist": "gamma",
/// "mean_s": …, "sd_s": …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
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

impl Fitted {
    /// The family.
    pub fn family(&self) -> Family {
        match self {
            Fitted::Exponential { .. } => Family::Exponential,
            Fitted::Gamma { .. } => Family::Gamma,
            Fitted::Lognormal { .. } => Family::Lognormal,
            Fitted::Erlang { .. } => Family::Erlang,
            Fitted::Deterministic { .. } => Family::Deterministic,
            Fitted::Empirical { .. } => Family::Empirical,
        }
    }

    /// The engine's distribution, in seconds (the caller converts units).
    pub fn to_dist(&self) -> Dist {
        match self {
            &Fitted::Exponential { mean_s } => Dist::Exponential { mean: mean_s },
            &Fitted::Gamma { mean_s, sd_s } => Dist::Gamma {
                mean: mean_s,
                sd: sd_s,
            },
            &Fitted::Lognormal { mean_s, sd_s } => Dist::LogNormal {
                mean: mean_s,
                sd: sd_s,
            },
            &Fitted::Erlang { k, mean_s } => Dist::Erlang { k, mean: mean_s },
            &Fitted::Deterministic { value_s } => Dist::Deterministic { value: value_s },
            Fitted::Empirical { values_s, weights } => Dist::Empirical {
                values: values_s.clone(),
                weights: weights.clone(),
            },
        }
    }

    /// `P(X ≤ x)`, for plots of the data against the candidates.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Fitted::Deterministic { value_s } => f64::from(u8::from(x >= *value_s)),
            Fitted::Empirical { values_s, weights } => values_s
                .iter()
                .zip(weights)
                .filter(|(v, _)| **v <= x)
                .map(|(_, w)| w)
                .sum::<f64>()
                .min(1.0),
            _ => families::law_of(self).map_or(f64::NAN, |law| law.cdf(x)),
        }
    }

    /// The quantile of probability `p` (for a QQ plot); `NaN` outside
    /// `[0, 1)`.
    pub fn quantile(&self, p: f64) -> f64 {
        if !(0.0..1.0).contains(&p) {
            return f64::NAN;
        }
        match self {
            Fitted::Deterministic { value_s } => *value_s,
            Fitted::Empirical { values_s, weights } => {
                let mut pairs: Vec<(f64, f64)> = values_s
                    .iter()
                    .copied()
                    .zip(weights.iter().copied())
                    .collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut cum = 0.0;
                for &(v, w) in &pairs {
                    cum += w;
                    if cum > p {
                        return v;
                    }
                }
                pairs.last().map_or(f64::NAN, |l| l.0)
            }
            _ => families::law_of(self).map_or(f64::NAN, |law| law.quantile(p)),
        }
    }
}

/// One candidate family fitted to a stage's services. Serialised flat, as
/// the calibration report's `service.candidates[]`: `dist`, the family's
/// parameters, `mean_s`, `sd_s`, `mean_ci95_s`, `log_likelihood`, `aic`,
/// `bic`, `gof_p`, `gof_distance` (`null` where there is nothing to say,
/// e.g. the information criteria of a fallback).
#[derive(Clone, Debug, PartialEq)]
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
    /// The Kolmogorov–Smirnov distance the p-value is about (on the
    /// sample the test used).
    pub gof_distance: Option<f64>,
}

impl Serialize for Candidate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("dist", self.fitted.family().name())?;
        match &self.fitted {
            Fitted::Erlang { k, .. } => map.serialize_entry("k", k)?,
            Fitted::Deterministic { value_s } => map.serialize_entry("value_s", value_s)?,
            Fitted::Empirical { values_s, weights } => {
                map.serialize_entry("values_s", values_s)?;
                map.serialize_entry("weights", weights)?;
            }
            Fitted::Exponential { .. } | Fitted::Gamma { .. } | Fitted::Lognormal { .. } => {}
        }
        map.serialize_entry("mean_s", &self.mean_s)?;
        map.serialize_entry("sd_s", &self.sd_s)?;
        map.serialize_entry("mean_ci95_s", &self.mean_ci95)?;
        map.serialize_entry("log_likelihood", &finite(self.log_likelihood))?;
        map.serialize_entry("aic", &finite(self.aic))?;
        map.serialize_entry("bic", &finite(self.bic))?;
        map.serialize_entry("gof_p", &self.gof_p)?;
        map.serialize_entry("gof_distance", &self.gof_distance)?;
        map.end()
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Everything fitted to one stage's services. Serialised as the
/// calibration report's `service`: `chosen` (the chosen candidate, as in
/// `candidates`), `candidates`, `n`, `censored`, `tested` (observations
/// the goodness-of-fit test used), `bootstrap` and `warnings`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceFit {
    /// Index into `candidates` of the chosen one.
    pub chosen: usize,
    /// Every candidate, best (lowest AIC) first; fallbacks last.
    pub candidates: Vec<Candidate>,
    /// Observations used.
    pub n: usize,
    /// Of which right-censored.
    pub censored: usize,
    /// Observations the goodness-of-fit test used: all of them, or a
    /// subsample of [`FitOptions::cap`] drawn deterministically.
    pub tested: usize,
    /// Bootstrap samples behind each p-value.
    pub bootstrap: usize,
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

impl Serialize for ServiceFit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("chosen", self.chosen())?;
        map.serialize_entry("candidates", &self.candidates)?;
        map.serialize_entry("n", &self.n)?;
        map.serialize_entry("censored", &self.censored)?;
        map.serialize_entry("tested", &self.tested)?;
        map.serialize_entry("bootstrap", &self.bootstrap)?;
        map.serialize_entry("warnings", &self.warnings)?;
        map.end()
    }
}

/// How [`fit`] tests goodness of fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FitOptions {
    /// Bootstrap samples per candidate (default 199; 0 skips the test and
    /// the best AIC is chosen).
    pub bootstrap: usize,
    /// Largest sample the test uses (default 2,000): above it, a
    /// subsample of this size, drawn on its own random stream, is tested.
    pub cap: usize,
    /// The master seed of the bootstrap's random streams.
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            bootstrap: 199,
            cap: 2_000,
            seed: 0,
        }
    }
}

/// Why a stage's services cannot be fitted at all.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FitError {
    /// No service was observed.
    #[error("no service was observed at `{stage}`")]
    NoData {
        /// The stage.
        stage: String,
    },
    /// An observation is not a duration (negative, not a number, an
    /// interval upside down).
    #[error("service {index} at `{stage}` is not a duration: {obs:?}")]
    NotADuration {
        /// The stage.
        stage: String,
        /// Its position in the input.
        index: usize,
        /// The observation.
        obs: Obs,
    },
}

/// Fits every family to one stage's services and chooses one.
///
/// `name` is the stage's name: it names the bootstrap's random streams
/// (`calibrate/gof/<name>/<family>`), so each stage's test draws its own
/// numbers. The result depends only on the observations (not their order),
/// the options and the name, never on the number of threads.
pub fn fit(name: &str, data: &[Observed], opts: &FitOptions) -> Result<ServiceFit, FitError> {
    choose::fit(name, data, opts)
}
