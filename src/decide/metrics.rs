//! The one place decisions read metrics from a run.
//!
//! Sweeps, plans, sensitivity studies and `--precision` all need the same
//! thing: for a metric key, one value per replication, in replication
//! order, so that replication `i` of two points can be paired. Keys are a
//! headline metric (`throughput_per_day`, `time_in_port_s`, …, the names
//! of [`HEADLINE`]) or a percentile of a duration (`time_in_port_s.p95`,
//! `wait_s.p50`, with `p50`, `p90`, `p95`, `p99`). A percentile's sample
//! for replication `i` is that replication's own percentile, and its
//! estimate is the mean of those across replications: unlike a percentile
//! of all replications pooled, it has a confidence interval, and it
//! converges to the true percentile as replications grow longer.
//!
//! Everything that knows how a [`RunOutput`] stores these values is in
//! this file, so that a change of the summary's layout is one edit here.
//! Samples are aligned with the run's replications (`RunOutput::reps`):
//! a replication stopped by the runaway guard, which the summary leaves
//! out, and one that cannot give a value (no truck left) are NaN, so that
//! replication `i` of two points still pair up; estimates leave NaN out.

use std::fmt;

use crate::experiment::estimate::Estimate;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::{Better, HEADLINE, Unit};

/// Whether a headline metric is a duration (its name ends in `_s`), which
/// has percentiles.
fn is_duration(name: &str) -> bool {
    name.ends_with("_s")
}

/// The headline durations, whose percentiles can be asked for.
pub fn durations() -> Vec<&'static str> {
    HEADLINE
        .iter()
        .copied()
        .filter(|n| is_duration(n))
        .collect()
}

/// A percentile of a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Percentile {
    /// The median.
    P50,
    /// The 90th percentile.
    P90,
    /// The 95th percentile.
    P95,
    /// The 99th percentile.
    P99,
}

impl Percentile {
    /// All of them, in order.
    pub const ALL: [Percentile; 4] = [
        Percentile::P50,
        Percentile::P90,
        Percentile::P95,
        Percentile::P99,
    ];

    /// `p95`.
    pub fn suffix(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P90 => "p90",
            Percentile::P95 => "p95",
            Percentile::P99 => "p99",
        }
    }
}

/// A metric a decision can be about (validated: it exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey {
    name: &'static str,
    percentile: Option<Percentile>,
}

/// The metrics `--precision` watches when none are named: the ones a
/// report leads with, the 95th percentile of time in port included.
pub const DEFAULT_PRECISION: [&str; 5] = [
    "throughput_per_day",
    "time_in_port_s",
    "time_in_port_s.p95",
    "wait_s",
    "cost_per_truck",
];

impl MetricKey {
    /// Every valid key: the headline metrics, then the percentiles.
    pub fn all() -> Vec<MetricKey> {
        let mut keys: Vec<MetricKey> = HEADLINE
            .iter()
            .map(|&name| MetricKey {
                name,
                percentile: None,
            })
            .collect();
        for name in durations() {
            for p in Percentile::ALL {
                keys.push(MetricKey {
                    name,
                    percentile: Some(p),
                });
            }
        }
        keys
    }

    /// Every valid key as text, for messages and suggestions.
    pub fn names() -> Vec<String> {
        MetricKey::all().iter().map(ToString::to_string).collect()
    }

    /// Reads `time_in_port_s.p95`; the error says what exists and
    /// suggests the nearest key.
    pub fn parse(text: &str) -> Result<MetricKey, String> {
        if let Some(key) = MetricKey::all().into_iter().find(|k| k.to_string() == text) {
            return Ok(key);
        }
        let names = MetricKey::names();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut message = format!("unknown metric `{text}`");
        match crate::scenario::toml_file::suggest(text, &refs) {
            Some(near) => message.push_str(&format!("; did you mean `{near}`?")),
            None => message.push_str(&format!(
                "; expected a headline metric ({}) or a percentile of {} like `time_in_port_s.p95`",
                HEADLINE.join(", "),
                durations().join(", ")
            )),
        }
        Err(message)
    }

    /// The headline metric it is of.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The percentile, if it is one.
    pub fn percentile(&self) -> Option<Percentile> {
        self.percentile
    }

    /// The unit of its values.
    pub fn unit(&self) -> Unit {
        if self.percentile.is_some() {
            return Unit::Seconds;
        }
        match self.name {
            "throughput_per_day" => Unit::TrucksPerDay,
            name if is_duration(name) => Unit::Seconds,
            "steps_per_truck" => Unit::Steps,
            "cost_per_truck" => Unit::Currency,
            _ => Unit::Trucks,
        }
    }

    /// Which way is better.
    pub fn better(&self) -> Better {
        match self.name {
            "throughput_per_day" | "trucks_cleared" => Better::Higher,
            "trucks_offered" | "trucks_arrived" | "booked_ahead" | "no_shows" => Better::Neither,
            _ => Better::Lower,
        }
    }

    /// A readable label: "time in port, p95".
    pub fn label(&self) -> String {
        let base = crate::experiment::labels::label(self.name);
        match self.percentile {
            Some(p) => format!("{base}, {}", p.suffix()),
            None => base.to_owned(),
        }
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.percentile {
            Some(p) => write!(f, "{}.{}", self.name, p.suffix()),
            None => f.write_str(self.name),
        }
    }
}

/// One value per finished replication of `out`, in replication order
/// (the replications summarised and those the runaway guard stopped),
/// NaN where a replication has none or was stopped.
pub fn samples(out: &RunOutput, key: &MetricKey) -> Vec<f64> {
    let summary = &out.summary;
    let metric = summary.metric(&key.to_string());
    let mut finished: Vec<u64> = summary.indices.clone();
    finished.extend(summary.stopped.iter().map(|(i, _)| *i));
    finished.sort_unstable();
    finished
        .iter()
        .map(|i| {
            let at = summary.indices.iter().position(|k| k == i);
            match (metric, at) {
                (Some(m), Some(at)) => m.samples.get(at).copied().unwrap_or(f64::NAN),
                _ => f64::NAN,
            }
        })
        .collect()
}

/// The estimate of a metric from its samples, as run reports give it: the
/// mean and 95% interval, the interval cut at zero (no metric can be
/// negative). Differences between points are not metrics and are not cut.
pub fn estimate(samples: &[f64]) -> Estimate {
    Estimate::from_samples(samples).at_least(0.0)
}

/// Replications of `out` that the runaway guard stopped (their index).
pub fn runaways(out: &RunOutput) -> Vec<u64> {
    out.summary.stopped.iter().map(|(i, _)| *i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_suggest() {
        for key in MetricKey::all() {
            assert_eq!(MetricKey::parse(&key.to_string()), Ok(key));
        }
        let p95 = MetricKey::parse("time_in_port_s.p95").expect("valid");
        assert_eq!((p95.unit(), p95.better()), (Unit::Seconds, Better::Lower));
        assert_eq!(p95.label(), "time in port, p95");
        let e = MetricKey::parse("time_in_prot_s.p95").expect_err("typo");
        assert!(e.contains("did you mean `time_in_port_s.p95`?"), "{e}");
        let e = MetricKey::parse("happiness").expect_err("unknown");
        assert!(e.contains("expected a headline metric"), "{e}");
        assert!(MetricKey::parse("cost_per_truck.p95").is_err());
        for name in DEFAULT_PRECISION {
            assert!(MetricKey::parse(name).is_ok(), "{name}");
        }
    }
}
