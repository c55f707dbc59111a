//! Replications by precision: run until the intervals are as narrow as
//! asked (`portsim run --precision 2%`), instead of guessing a count.
//!
//! The goal is a relative half-width: for each watched metric, the 95%
//! interval's half-width must be at most `target × |mean|`. A metric whose
//! mean is near zero (no trucks turned away, a wait of seconds) would
//! never meet a relative goal, so each unit has an absolute floor that is
//! always good enough: 1 s for durations, 0.1 trucks/day, 0.001 steps, 0.1
//! in currency, 0.5 trucks for counts. A metric with no values at all (no
//! truck cleared) is not applicable and does not hold the run back.
//!
//! The order is fixed: the scenario's replications first (indices
//! `0..n`), then more in rounds, each continuing the indices. After a
//! round the count needed is estimated from the widest metric (the
//! half-width falls like `1/√n`: `n × (half-width / allowed)²`, plus 10%),
//! but a round at most doubles the count, and never passes the cap.
//! Because every decision depends only on the results, which depend only
//! on the seed and the indices, the same scenario and seed give the same
//! count and the same numbers on any machine and thread count; and the
//! output is exactly that of a plain run with that many replications.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::metrics::{self, MetricKey};
use super::runner::{Runner, output};
use crate::experiment::estimate::Estimate;
use crate::experiment::run::{RunError, RunOutput};
use crate::experiment::summary::{Accumulator, Unit};
use crate::scenario::Scenario;

/// A relative half-width goal, strictly between 0 and 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target(f64);

impl Target {
    /// Reads "2%" or "0.02".
    pub fn parse(text: &str) -> Result<Target, String> {
        let t = text.trim();
        let value = match t.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
            None => t.parse::<f64>(),
        }
        .map_err(|_| {
            format!(
                "invalid precision `{text}`; expected a relative half-width like \"2%\" or 0.02"
            )
        })?;
        if value.is_finite() && value > 0.0 && value < 1.0 {
            Ok(Target(value))
        } else {
            Err(format!(
                "precision `{text}` must be above 0% and below 100%"
            ))
        }
    }

    /// The fraction (0.02 for 2%).
    pub fn fraction(&self) -> f64 {
        self.0
    }
}

/// What to reach and how far to go.
#[derive(Clone, Debug)]
pub struct Goal {
    /// Relative half-width.
    pub target: Target,
    /// The metrics that must reach it.
    pub metrics: Vec<MetricKey>,
    /// Most replications to run.
    pub cap: u64,
}

/// The absolute half-width that is always precise enough, per unit.
pub fn floor(unit: Unit) -> f64 {
    match unit {
        Unit::Seconds => 1.0,
        Unit::TrucksPerDay => 0.1,
        Unit::Steps => 0.001,
        Unit::Currency => 0.1,
        Unit::Trucks => 0.5,
    }
}

/// How precise one metric is.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    /// The metric.
    pub key: MetricKey,
    /// Its estimate.
    pub estimate: Estimate,
    /// Half-width over |mean| (`None` without an interval or at mean 0).
    pub relative: Option<f64>,
    /// The half-width allowed: the target times |mean|, or the floor.
    pub allowed: f64,
    /// Whether it is precise enough (or not applicable).
    pub met: bool,
}

/// What a run by precision reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The goal.
    pub target: Target,
    /// The cap.
    pub cap: u64,
    /// Whether every metric met the goal.
    pub reached: bool,
    /// Replications run.
    pub replications: u64,
    /// Replications after each round, in order.
    pub rounds: Vec<u64>,
    /// Per metric, in the goal's order.
    pub metrics: Vec<Reached>,
}

/// How precise each metric is, from its samples (`samples[k]` for
/// `goal.metrics[k]`).
pub fn assess(samples: &[Vec<f64>], goal: &Goal) -> Vec<Reached> {
    goal.metrics
        .iter()
        .zip(samples)
        .map(|(key, xs)| {
            let estimate = Estimate::from_samples(xs);
            let allowed = (goal.target.0 * estimate.mean.abs()).max(floor(key.unit()));
            let half = estimate.half_width();
            let met = match half {
                Some(h) => h <= allowed,
                None => estimate.n == 0,
            };
            let relative = half
                .filter(|_| estimate.mean != 0.0)
                .map(|h| h / estimate.mean.abs());
            Reached {
                key: *key,
                estimate,
                relative,
                allowed,
                met,
            }
        })
        .collect()
}

/// The count to run next after `n`, or `None` when done.
fn next_count(n: u64, reached: &[Reached], cap: u64) -> Option<u64> {
    if n >= cap || reached.iter().all(|r| r.met) {
        return None;
    }
    let needed = reached
        .iter()
        .filter(|r| !r.met)
        .map(|r| match r.estimate.half_width() {
            Some(h) if r.allowed > 0.0 => n as f64 * (h / r.allowed).powi(2) * 1.1,
            _ => 2.0 * n as f64,
        })
        .fold(0.0, f64::max);
    let needed = if needed.is_finite() {
        needed.ceil() as u64
    } else {
        cap
    };
    Some(needed.clamp(n + 1, (2 * n).max(n + 1)).min(cap))
}

/// Runs `s` from its own replication count (at least 2) until `goal` is
/// met or the cap is reached. On cancel, returns what ran. The output is
/// the summary of every replication run, in index order, as a plain run
/// of that count gives it.
pub fn run(
    s: &Scenario,
    runner: &Runner,
    goal: &Goal,
    cancel: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
) -> Result<(RunOutput, Report), RunError> {
    let started = Instant::now();
    let mut all = Accumulator::new(s);
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); goal.metrics.len()];
    let mut rounds = Vec::new();
    let (mut n, mut finished, mut next) = (0, 0, s.replications.max(2).min(goal.cap.max(2)));
    let interrupted = loop {
        let round = runner.run(s, n..next, cancel, on_done, Some(&mut all))?;
        for (k, key) in goal.metrics.iter().enumerate() {
            samples[k].extend(metrics::samples(&round, key));
        }
        finished += round.finished;
        n = next;
        rounds.push(n);
        if round.interrupted || cancel.load(Ordering::SeqCst) {
            break true;
        }
        match next_count(n, &assess(&samples, goal), goal.cap) {
            Some(more) => next = more,
            None => break false,
        }
    };
    let reached = assess(&samples, goal);
    let out = output(all.finish(), finished, n, interrupted, started.elapsed());
    let report = Report {
        target: goal.target,
        cap: goal.cap,
        reached: reached.iter().all(|r| r.met),
        replications: finished,
        rounds,
        metrics: reached,
    };
    Ok((out, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Limits;

    #[test]
    fn targets_parse_as_percent_or_fraction() {
        assert_eq!(Target::parse("2%").map(|t| t.fraction()), Ok(0.02));
        assert_eq!(Target::parse("0.05").map(|t| t.fraction()), Ok(0.05));
        for bad in ["0%", "100%", "-1%", "abc", "nan"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    fn reached(half: f64, allowed: f64, met: bool) -> Reached {
        Reached {
            key: MetricKey::parse("wait_s").expect("valid"),
            estimate: Estimate {
                mean: 100.0,
                ci95: Some([100.0 - half, 100.0 + half]),
                n: 10,
            },
            relative: Some(half / 100.0),
            allowed,
            met,
        }
    }

    #[test]
    fn rounds_grow_by_the_estimate_but_at_most_double() {
        // Half-width 1.5 times what is allowed: 10 × 2.25 × 1.1 → 25, capped at 20.
        assert_eq!(next_count(10, &[reached(3.0, 2.0, false)], 1000), Some(20));
        // Just short: one more round of at least one replication.
        assert_eq!(next_count(10, &[reached(2.02, 2.0, false)], 1000), Some(12));
        assert_eq!(next_count(10, &[reached(1.0, 2.0, true)], 1000), None);
        assert_eq!(next_count(10, &[reached(3.0, 2.0, false)], 15), Some(15));
        assert_eq!(next_count(15, &[reached(3.0, 2.0, false)], 15), None);
    }

    #[test]
    fn runs_until_precise_in_a_fixed_order() {
        let s = crate::scenario::parse(
            "name = \"t\"\nhorizon = \"3d\"\nreplications = 4\n[demand]\nrate = \"200/d\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"5m\" }\n",
            std::path::Path::new("t.toml"),
        )
        .expect("valid");
        let goal = Goal {
            target: Target::parse("3%").expect("valid"),
            metrics: vec![MetricKey::parse("time_in_port_s").expect("valid")],
            cap: 400,
        };
        let cancel = AtomicBool::new(false);
        let run_with = |threads| {
            let runner = Runner {
                threads: Some(threads),
                limits: Limits::default(),
            };
            run(&s, &runner, &goal, &cancel, &|| {}).expect("runs")
        };
        let (out, report) = run_with(1);
        assert!(report.reached, "{report:?}");
        assert!(
            report.replications > 4 && report.replications < 400,
            "{report:?}"
        );
        assert_eq!(report.rounds.first(), Some(&4));
        assert_eq!(out.finished, report.replications);
        assert_eq!(out.summary.replications as u64, report.replications);
        let [m] = &report.metrics[..] else { panic!() };
        assert!(m.estimate.half_width().expect("ci") <= 0.03 * m.estimate.mean);
        // The previous round was not yet precise enough (or it would have stopped).
        let (_, again) = run_with(2);
        assert_eq!(again, report, "same rounds on any thread count");
    }
}
