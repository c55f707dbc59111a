//! Running a scenario: all its replications, in parallel, then the summary.
//!
//! A run can be cancelled through a shared flag (Ctrl-C): replications
//! already running finish, those not yet started are skipped, and the
//! output says how many completed. A replication stopped by the runaway
//! guard is kept (with its index and reason) but left out of the summary.
//! Results stay in replication order.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::replications::run_replications;
use super::summary::{Summary, summarize};
use crate::engine::dist::DistError;
use crate::model::{Limits, RepResult, simulate};
use crate::scenario::Scenario;

/// How to run a scenario.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Replications to run.
    pub replications: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Runaway guards.
    pub limits: Limits,
}

impl RunOptions {
    /// The scenario's own replication count, on all cores.
    pub fn for_scenario(scenario: &Scenario) -> Self {
        RunOptions {
            replications: scenario.replications,
            threads: None,
            limits: Limits::default(),
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Completed replications, in replication order, with their index.
    pub reps: Vec<(u64, RepResult)>,
    /// Their summary.
    pub summary: Summary,
    /// Whether every requested replication ran to its horizon and counts
    /// (not interrupted, none stopped by the runaway guard).
    pub complete: bool,
    /// Whether the run was interrupted (Ctrl-C, SIGTERM).
    pub interrupted: bool,
    /// Replications requested.
    pub requested: u64,
    /// Wall-clock time taken.
    pub wall: Duration,
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A distribution's parameters were rejected.
    #[error("invalid distribution: {0}")]
    Dist(#[from] DistError),
    /// The worker pool could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Runs every replication of `scenario`. `on_done` is called as each one
/// finishes; once `cancel` is set, replications not yet started are skipped.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<RunOutput, RunError> {
    let started = Instant::now();
    let results = run_replications(
        options.replications,
        options.threads,
        |i| {
            if cancel.load(Ordering::SeqCst) {
                None
            } else {
                Some(simulate(scenario, i, &options.limits))
            }
        },
        on_done,
    )?;
    let mut reps = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        if let Some(r) = r {
            reps.push((i as u64, r?));
        }
    }
    let interrupted = (reps.len() as u64) < options.replications;
    let refs: Vec<(u64, &RepResult)> = reps.iter().map(|(i, r)| (*i, r)).collect();
    let summary = summarize(scenario, &refs);
    Ok(RunOutput {
        complete: !interrupted && summary.stopped.is_empty(),
        interrupted,
        summary,
        reps,
        requested: options.replications,
        wall: started.elapsed(),
    })
}
