//! Baselines: recorded results that a later run is checked against.
//!
//! A baseline file holds, per scenario file, the gated metrics of one run
//! (mean, 95% CI and every per-replication sample, percentiles such as
//! `time_in_port_s.p95` included), together with what that run depended on: the seed, the
//! number of replications, the portsim version and the SHA-256 of the fully
//! resolved scenario. Keeping the samples lets `portsim check` rerun the
//! scenario with the same seed and replications (common random numbers)
//! and test the *paired* difference, which is far tighter than comparing
//! two means; keeping the hash and version lets it say whether the
//! scenario or the code changed.
//!
//! It lives in `experiment/` rather than `report/` because it is more than
//! an output format: it is read back, validated, and drives a run (seed and
//! replications come from it), and [`gate`](super::gate) compares against
//! it. It does not depend on `report/`: the caller passes the scenario
//! hash in.
//!
//! Guarantees, so baselines can be committed and diffed:
//! * **stable bytes**: the same portsim version and the same scenario give
//!   the same file on any machine and any thread count (runs are
//!   deterministic, and every number is rounded to
//!   [`SIGNIFICANT_DIGITS`] significant digits, which also keeps diffs
//!   readable);
//! * **sorted keys, pretty-printed**, one value per line, so a refresh shows
//!   up in review as a small line diff;
//! * a missing value (a replication with nothing to measure) is `null`,
//!   never NaN.
//!
//! Scenarios are keyed by their path relative to a root recorded in the
//! file: the git work tree that holds the baseline, or else its folder
//! ([`root`]), with `/` separators, so the same baseline works from any
//! working directory, on any operating system, and wherever it moves
//! inside its repository.

pub mod root;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::summary::{Metric, Summary};
use crate::scenario::Scenario;
use crate::scenario::limits::{self, MAX_REPLICATIONS};
use crate::store::read::ReadError;

/// The version of the file layout this portsim reads and writes. Bumped
/// whenever the meaning of a recorded number changes, so an old baseline
/// is refused instead of compared with numbers that mean something else.
///
/// * 1: throughput counted the trucks that arrived *and* left in the
///   window; the p95 was pooled over replications, without samples.
/// * 2: throughput is every departure in the window per day; time in port
///   and cost are those of the trucks that left; percentiles are recorded
///   per replication (`time_in_port_s.p95`) and paired like means. Keys
///   are relative to the baseline's folder.
/// * 3: the numbers of format 2; keys are relative to the recorded
///   [`root`](Baseline::root). A format-2 file is still read (its root is
///   its folder), and `--update-baseline` converts it, keeping every entry.
pub const FORMAT: u32 = 3;

/// The oldest format whose numbers this portsim can check against.
pub const OLDEST_CHECKED: u32 = 2;

/// Significant digits kept for every recorded number.
pub const SIGNIFICANT_DIGITS: usize = 6;

/// The metrics a baseline records (keys of `Summary::metric`).
pub const RECORDED: [&str; 6] = [
    "throughput_per_day",
    "time_in_port_s",
    "time_in_port_s.p95",
    "cost_per_truck",
    "steps_per_truck",
    "trucks_turned_away",
];

/// Fewest replications a baseline accepts: a paired confidence interval
/// needs at least two.
pub const MIN_REPLICATIONS: u64 = 2;

/// A whole baseline file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Layout version, [`FORMAT`].
    pub format: u32,
    /// What the keys are relative to (absent in format 2: the baseline's
    /// folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<root::Root>,
    /// Recorded scenarios by key ([`root::key`]).
    pub scenarios: BTreeMap<String, Entry>,
}

/// One scenario's recorded run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The scenario's display name (informative only).
    pub name: String,
    /// The portsim version that recorded it.
    pub portsim_version: String,
    /// SHA-256 of the fully resolved scenario.
    pub scenario_hash: String,
    /// Master seed used.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Recorded metrics by name ([`RECORDED`]).
    pub metrics: BTreeMap<String, Record>,
}

/// One recorded metric, every number rounded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Mean across replications (`null` without samples).
    pub mean: Option<f64>,
    /// 95% CI of the mean (`null` without one).
    pub ci95: Option<[f64; 2]>,
    /// One value per replication, in replication order (`null` where the
    /// replication had nothing to measure, or did not count).
    pub samples: Vec<Option<f64>>,
}

/// A baseline that cannot be read or used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (including: not a regular file, too large).
        #[source]
        source: ReadError,
    },
    /// The file is not a baseline (serde_json's message has line and column).
    #[error("invalid baseline `{}`: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The file parsed but its content is inconsistent.
    #[error("invalid baseline `{}`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the scenario key and metric.
        reason: String,
    },
}

/// `x` rounded to [`SIGNIFICANT_DIGITS`] significant digits; `None` if it is
/// not finite. Rounding goes through decimal text, which is exact and the
/// same on every platform.
pub fn round(x: f64) -> Option<f64> {
    round_to(x, SIGNIFICANT_DIGITS)
}

/// `x` rounded to `digits` significant digits (at least 1); `None` if it is
/// not finite.
pub fn round_to(x: f64, digits: usize) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some(0.0);
    }
    let text = format!("{:.*e}", digits.max(1) - 1, x);
    text.parse().ok()
}

impl Record {
    /// Records a metric of a run whose samples belong to replications
    /// `indices`, out of `replications` (0, 1, … in order; any index
    /// without a sample is `null`).
    pub fn from_metric(m: &Metric, indices: &[u64], replications: u64) -> Record {
        let e = &m.estimate;
        let mut samples = vec![None; replications as usize];
        for (&i, &x) in indices.iter().zip(&m.samples) {
            if let Some(slot) = samples.get_mut(i as usize) {
                *slot = round(x);
            }
        }
        Record {
            mean: if e.n == 0 { None } else { round(e.mean) },
            ci95: e.ci95.and_then(|[lo, hi]| Some([round(lo)?, round(hi)?])),
            samples,
        }
    }

    /// The samples as numbers, `NaN` where a replication had none.
    pub fn values(&self) -> Vec<f64> {
        self.samples.iter().map(|x| x.unwrap_or(f64::NAN)).collect()
    }
}

impl Entry {
    /// Records a run of `scenario` (whose hash the caller computed) with
    /// `replications` requested: its seed and the recorded metrics.
    pub fn record(scenario: &Scenario, hash: &str, summary: &Summary, replications: u64) -> Entry {
        Entry {
            name: scenario.name.clone(),
            portsim_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario_hash: hash.to_owned(),
            seed: scenario.seed,
            replications,
            metrics: RECORDED
                .iter()
                .filter_map(|&name| {
                    let m = summary.metric(name)?;
                    Some((
                        name.to_owned(),
                        Record::from_metric(m, &summary.indices, replications),
                    ))
                })
                .collect(),
        }
    }

    fn problem(&self) -> Option<String> {
        if self.replications < MIN_REPLICATIONS {
            return Some(format!(
                "{} replications recorded, at least {MIN_REPLICATIONS} are needed",
                self.replications
            ));
        }
        if self.replications > MAX_REPLICATIONS {
            return Some(format!(
                "{} replications recorded, more than the limit of {MAX_REPLICATIONS}",
                self.replications
            ));
        }
        for name in RECORDED {
            let Some(record) = self.metrics.get(name) else {
                return Some(format!("metric `{name}` is missing"));
            };
            if record.samples.len() as u64 != self.replications {
                return Some(format!(
                    "metric `{name}` has {} samples for {} replications",
                    record.samples.len(),
                    self.replications
                ));
            }
            if let Some(problem) = record.problem() {
                return Some(format!("metric `{name}`: {problem}"));
            }
        }
        None
    }
}

/// Why a recorded number cannot be right, if it cannot: every recorded
/// metric is a count, a duration, a rate or an amount, so never negative,
/// and never beyond [`limits::MAX_BASELINE_VALUE`] in size.
fn implausible(what: &str, x: f64, signed: bool) -> Option<String> {
    let max = limits::MAX_BASELINE_VALUE;
    if !x.is_finite() || x.abs() > max {
        Some(format!(
            "{what} is {x}, beyond any plausible value (at most {max:e} in size)"
        ))
    } else if !signed && x < 0.0 {
        Some(format!("{what} is {x}, but the metric cannot be negative"))
    } else {
        None
    }
}

impl Record {
    /// The first implausible number in the record, if any.
    fn problem(&self) -> Option<String> {
        if let Some(p) = self.mean.and_then(|m| implausible("the mean", m, false)) {
            return Some(p);
        }
        if let Some([lo, hi]) = self.ci95 {
            // An interval may reach below zero; it must still be finite
            // and ordered.
            let bad = implausible("the 95% CI's low end", lo, true)
                .or_else(|| implausible("the 95% CI's high end", hi, true));
            if bad.is_some() {
                return bad;
            }
            if lo > hi {
                return Some(format!("the 95% CI [{lo}, {hi}] is the wrong way round"));
            }
        }
        self.samples
            .iter()
            .enumerate()
            .find_map(|(i, x)| x.and_then(|x| implausible(&format!("sample {i}"), x, false)))
    }
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            format: FORMAT,
            root: None,
            scenarios: BTreeMap::new(),
        }
    }
}

impl Baseline {
    /// Reads and validates the baseline at `path`.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let bytes = limits::read_baseline(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        Baseline::parse(&bytes, path)
    }

    /// Parses and validates a baseline read from `path`.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Baseline, BaselineError> {
        let baseline: Baseline =
            serde_json::from_slice(bytes).map_err(|source| BaselineError::Parse {
                path: path.to_owned(),
                source,
            })?;
        let invalid = |reason| BaselineError::Invalid {
            path: path.to_owned(),
            reason,
        };
        if baseline.format == FORMAT && baseline.root.is_none() {
            return Err(invalid(format!(
                "format {FORMAT} needs a `root`; record it again: portsim check FILE... --baseline {} --update-baseline",
                path.display()
            )));
        }
        if !(OLDEST_CHECKED..=FORMAT).contains(&baseline.format) {
            let why = if baseline.format < FORMAT {
                " (it was recorded by an older portsim, whose numbers meant something else: throughput then counted only the trucks that arrived and left in the window)"
            } else {
                " (it was recorded by a newer portsim)"
            };
            return Err(invalid(format!(
                "format {} is not supported; this portsim reads format {FORMAT}{why}; record it again: portsim check FILE... --baseline {} --update-baseline",
                baseline.format,
                path.display()
            )));
        }
        for (key, entry) in &baseline.scenarios {
            if let Some(problem) = entry.problem() {
                return Err(invalid(format!("scenario `{key}`: {problem}")));
            }
        }
        Ok(baseline)
    }

    /// Reads the baseline at `path` to record into it: a file of an older
    /// format is accepted, but only each scenario's seed and replications
    /// are kept from it (its numbers meant something else); the second
    /// value is that old format. A missing file is an empty baseline.
    pub fn load_for_update(path: &Path) -> Result<(Baseline, Option<u32>), BaselineError> {
        let bytes = match limits::read_baseline(path) {
            Ok(b) => b,
            Err(e) if e.is_not_found() => {
                return Ok((Baseline::default(), None));
            }
            Err(source) => {
                return Err(BaselineError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let parsed: Baseline =
            serde_json::from_slice(&bytes).map_err(|source| BaselineError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if parsed.format >= OLDEST_CHECKED {
            let mut b = Baseline::parse(&bytes, path)?;
            let old = (b.format < FORMAT).then_some(b.format);
            b.format = FORMAT;
            return Ok((b, old));
        }
        // The seed and replications kept drive the new recording, so they
        // meet the same limits as a baseline of this format.
        if let Some((key, e)) = parsed
            .scenarios
            .iter()
            .find(|(_, e)| limits::replications(e.replications).is_err())
        {
            return Err(BaselineError::Invalid {
                path: path.to_owned(),
                reason: format!(
                    "scenario `{key}`: {} replications recorded, more than the limit of {MAX_REPLICATIONS}",
                    e.replications
                ),
            });
        }
        let scenarios = parsed
            .scenarios
            .into_iter()
            .map(|(key, e)| {
                let entry = Entry {
                    metrics: BTreeMap::new(),
                    ..e
                };
                (key, entry)
            })
            .collect();
        Ok((
            Baseline {
                format: FORMAT,
                root: None,
                scenarios,
            },
            Some(parsed.format),
        ))
    }

    /// The file's bytes: pretty-printed JSON with sorted keys and a final
    /// newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Through `Value`, whose maps are sorted, so struct fields come out
        // in key order too.
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_six_significant_digits() {
        assert_eq!(round(273.071_428_57), Some(273.071));
        assert_eq!(round(155_848.132), Some(155_848.0));
        assert_eq!(round(0.000_123_456_78), Some(0.000_123_457));
        assert_eq!(round(-2.5), Some(-2.5));
        assert_eq!(round(-0.0), Some(0.0));
        assert_eq!(round(f64::NAN), None);
        // Rounding is idempotent, so a recorded value survives a re-record.
        let x = round(1.0 / 3.0).unwrap();
        assert_eq!(round(x), Some(x));
    }

    fn entry(samples: usize) -> Entry {
        let record = Record {
            mean: Some(1.0),
            ci95: None,
            samples: vec![Some(1.0), None, Some(1.0)][..samples].to_vec(),
        };
        Entry {
            name: "x".into(),
            portsim_version: "0.1.0".into(),
            scenario_hash: "ab".into(),
            seed: 1,
            replications: 3,
            metrics: RECORDED
                .iter()
                .map(|n| ((*n).to_owned(), record.clone()))
                .collect(),
        }
    }

    #[test]
    fn round_trip_is_sorted_and_exact() {
        let mut b = Baseline {
            root: Some(root::Root {
                kind: root::RootKind::Repository,
                from_baseline: "..".into(),
            }),
            ..Baseline::default()
        };
        b.scenarios.insert("s.toml".into(), entry(3));
        let bytes = b.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let keys: Vec<usize> = ["\"metrics\"", "\"name\"", "\"portsim_version\"", "\"seed\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("null"));
        let back = Baseline::parse(&bytes, Path::new("b.json")).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn inconsistent_files_are_rejected_with_the_reason() {
        let mut b = Baseline {
            format: 2,
            ..Baseline::default()
        };
        b.scenarios.insert("s.toml".into(), entry(2));
        let e = Baseline::parse(&b.to_bytes(), Path::new("b.json")).unwrap_err();
        assert!(
            e.to_string().contains("2 samples for 3 replications"),
            "{e}"
        );
        assert!(e.to_string().contains("b.json"), "{e}");
        let e = Baseline::parse(b"{\"format\": 2", Path::new("b.json")).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid baseline `b.json`"),
            "{e}"
        );
        let e = Baseline::parse(b"{\"format\": 9, \"scenarios\": {}}", Path::new("b.json"))
            .unwrap_err();
        assert!(e.to_string().contains("format 9"), "{e}");
        // Format 3 names its root; format 2 is read keyed from its folder.
        let e = Baseline::parse(b"{\"format\": 3, \"scenarios\": {}}", Path::new("b.json"))
            .unwrap_err();
        assert!(e.to_string().contains("needs a `root`"), "{e}");
        let two = Baseline::parse(b"{\"format\": 2, \"scenarios\": {}}", Path::new("b.json"));
        assert!(two.is_ok_and(|b| b.root.is_none()));
        let e = Baseline::parse(b"{\"format\": 1, \"scenarios\": {}}", Path::new("b.json"))
            .unwrap_err();
        assert!(
            e.to_string().contains("older portsim") && e.to_string().contains("--update-baseline"),
            "{e}"
        );
    }
}
