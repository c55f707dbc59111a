//! One candidate of a plan, evaluated by sequential tests.
//!
//! The candidate's scenario runs replications `0..n₁`, then `n₁..n₂`, …
//! (the plan's schedule), and after each look every constraint not yet
//! decided is tested at the plan's per-test error rate. It stops as soon
//! as one constraint is violated (infeasible) or all are satisfied
//! (feasible); at the cap it is undecided. Only per-replication values
//! are kept. A replication that runs away (the queues grow without bound)
//! makes the candidate infeasible: its metrics would never settle.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Plan;
use crate::decide::DecideError;
use crate::decide::metrics::{self, MetricKey};
use crate::decide::runner::Runner;
use crate::decide::verdict::{Decision, Schedule, Verdict, decide};
use crate::experiment::estimate::Estimate;
use crate::scenario::Override;

/// A candidate's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every constraint satisfied at the stated confidence.
    Feasible,
    /// Some constraint violated at the stated confidence.
    Infeasible,
    /// Not decided at the replication cap (or interrupted).
    Undecided,
}

impl Status {
    /// As the JSON says it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::Undecided => "undecided",
        }
    }
}

/// A candidate and its evidence.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The decision variables' values, in the plan's order.
    pub values: Vec<i64>,
    /// The overrides that make it.
    pub set: Vec<Override>,
    /// Its cost.
    pub cost: f64,
    /// Its resolved scenario's hash.
    pub hash: String,
    /// The verdict.
    pub status: Status,
    /// Replications run.
    pub replications: u64,
    /// Per constraint, the last test made.
    pub decisions: Vec<Decision>,
    /// Per plan metric, the mean and 95% interval.
    pub estimates: Vec<(MetricKey, Estimate)>,
    /// Why, when the verdict needs a word (a runaway, an interruption).
    pub note: Option<String>,
}

/// Callbacks for progress.
pub struct Hooks<'a> {
    /// A look starts: the candidate's overrides, replications from and to.
    pub on_look: &'a (dyn Fn(&str, u64, u64) + Sync),
    /// A replication finished.
    pub on_replication: &'a (dyn Fn() + Sync),
}

/// Evaluates the candidate `values`.
pub(super) fn evaluate(
    plan: &Plan,
    values: &[i64],
    alpha: f64,
    schedule: &Schedule,
    runner: &Runner,
    cancel: &AtomicBool,
    hooks: &Hooks,
) -> Result<Candidate, DecideError> {
    let set = plan.set(values);
    let scenario = plan.study.resolve(&set)?;
    let label: Vec<&str> = set.iter().map(Override::text).collect();
    let label = label.join(" ");
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); plan.metrics.len()];
    let mut decisions: Vec<Option<Decision>> = vec![None; plan.constraints.len()];
    let mut status = Status::Undecided;
    let mut note = None;
    let mut n = 0;
    for &look in schedule.looks() {
        (hooks.on_look)(&label, n, look);
        let out = runner.run(&scenario, n..look, cancel, hooks.on_replication, None)?;
        let interrupted = out.interrupted || cancel.load(Ordering::SeqCst);
        for (k, key) in plan.metrics.iter().enumerate() {
            samples[k].extend(metrics::samples(&out, key));
        }
        n += out.finished;
        if interrupted {
            note = Some("interrupted before a verdict".to_owned());
            break;
        }
        if let Some(i) = metrics::runaways(&out).first() {
            status = Status::Infeasible;
            note = Some(format!(
                "replication {i} ran away (more trucks arrive than the port clears): the queues grow without bound"
            ));
            break;
        }
        for (j, c) in plan.constraints.iter().enumerate() {
            if decisions[j].is_some_and(|d| d.verdict != Verdict::Undecided) {
                continue;
            }
            let k = plan.metrics.iter().position(|m| *m == c.key).unwrap_or(0);
            decisions[j] = Some(decide(&samples[k], c, alpha));
        }
        let verdicts: Vec<Verdict> = decisions.iter().flatten().map(|d| d.verdict).collect();
        if verdicts.contains(&Verdict::Violated) {
            status = Status::Infeasible;
            break;
        }
        if verdicts.len() == plan.constraints.len()
            && verdicts.iter().all(|v| *v == Verdict::Satisfied)
        {
            status = Status::Feasible;
            break;
        }
    }
    let decisions = plan
        .constraints
        .iter()
        .zip(decisions)
        .map(|(c, d)| {
            d.unwrap_or_else(|| {
                let k = plan.metrics.iter().position(|m| *m == c.key).unwrap_or(0);
                decide(&samples[k], c, alpha)
            })
        })
        .collect();
    Ok(Candidate {
        values: values.to_vec(),
        cost: plan.cost(values),
        hash: scenario.hash(),
        set,
        status,
        replications: n,
        decisions,
        estimates: plan
            .metrics
            .iter()
            .zip(&samples)
            .map(|(k, s)| (*k, metrics::estimate(s)))
            .collect(),
        note,
    })
}
