//! Running scenarios: all their replications, in parallel, summarised as
//! they finish.
//!
//! The unit of work is replication `i` of every scenario being run
//! together (one for `run`, two for `compare`, the whole factorial for an
//! attribution): they run back to back on one worker and are handed over
//! together, so an interrupted comparison holds exactly the replications
//! that finished on every side, and pairing survives.
//!
//! A run can be cancelled through a shared flag (Ctrl-C): replications in
//! flight notice within a millisecond and are discarded (never reported),
//! those not yet started are skipped, and the output says how many
//! completed. A replication stopped by the runaway guard is kept (with its
//! index and reason) but left out of the summary. Results are digested as
//! they arrive, in replication order, so memory does not grow with the
//! number of replications (see [`digest`](super::digest)).

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::digest::RepDigest;
use super::replications::run_in_order;
use super::summary::{Accumulator, Summary};
use crate::engine::dist::DistError;
use crate::model::{Limits, RepResult, simulate_until_cancelled};
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
    /// Keep every replication's raw result in [`RunOutput::reps`] (for
    /// tests and diagnostics; memory then grows with the replications).
    pub keep_reps: bool,
}

impl RunOptions {
    /// The scenario's own replication count, on all cores.
    pub fn for_scenario(scenario: &Scenario) -> Self {
        RunOptions {
            replications: scenario.replications,
            threads: None,
            limits: Limits::default(),
            keep_reps: false,
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Raw results of the finished replications, in replication order,
    /// with their index; empty unless [`RunOptions::keep_reps`].
    pub reps: Vec<(u64, RepResult)>,
    /// Their summary.
    pub summary: Summary,
    /// Whether every requested replication ran to its horizon and counts
    /// (not interrupted, none stopped by the runaway guard).
    pub complete: bool,
    /// Whether the run was interrupted (Ctrl-C, SIGTERM).
    pub interrupted: bool,
    /// Replications that finished (ran to the horizon or were stopped by
    /// the guard), out of those requested.
    pub finished: u64,
    /// Replications requested.
    pub requested: u64,
    /// Wall-clock time taken (for a joint run: of all its scenarios).
    pub wall: Duration,
}

impl RunOutput {
    /// The output of a run whose finished replications are summarised in
    /// `summary`: `finished` of `requested`, `interrupted` or not, in
    /// `wall`. No raw results are kept.
    pub fn from_summary(
        summary: Summary,
        finished: u64,
        requested: u64,
        interrupted: bool,
        wall: Duration,
    ) -> Self {
        RunOutput {
            complete: !interrupted && summary.stopped.is_empty(),
            interrupted,
            summary,
            reps: Vec::new(),
            finished,
            requested,
            wall,
        }
    }
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
/// finishes; once `cancel` is set, the run stops within moments.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<RunOutput, RunError> {
    let mut outs = run_together(&[scenario], options, cancel, on_done)?;
    Ok(outs.remove(0))
}

/// One replication index of every scenario: their results and digests, or
/// `None` if the run was cancelled before all of them finished.
type Unit = Result<Option<Vec<(RepDigest, RepResult)>>, DistError>;

/// The fold every run goes through: units (one replication index of every
/// scenario, as digests) added in index order, then summarised. A run on
/// one machine feeds it as replications finish; `portsim merge` feeds it
/// the digests read from the shards' files, so both give the same bytes.
pub struct Fold<'a> {
    accs: Vec<Accumulator<'a>>,
    finished: u64,
}

impl<'a> Fold<'a> {
    /// An empty fold of `scenarios`.
    pub fn new(scenarios: &[&'a Scenario]) -> Self {
        Fold {
            accs: scenarios.iter().map(|s| Accumulator::new(s)).collect(),
            finished: 0,
        }
    }

    /// Adds unit `index` (after every lower index): one digest per
    /// scenario, in order.
    pub fn add(&mut self, index: u64, digests: Vec<RepDigest>) {
        self.finished += 1;
        for (acc, d) in self.accs.iter_mut().zip(digests) {
            acc.add_digest(index, d);
        }
    }

    /// The outputs, one per scenario, of a run of `requested` units that
    /// took `wall`.
    pub fn finish(self, requested: u64, wall: Duration) -> Vec<RunOutput> {
        let finished = self.finished;
        let interrupted = finished < requested;
        self.accs
            .into_iter()
            .map(|acc| {
                RunOutput::from_summary(acc.finish(), finished, requested, interrupted, wall)
            })
            .collect()
    }
}

/// Runs replication `i` of every scenario in `scenarios` as one unit (see
/// [`run_together`]), for `i` in `range`, and hands each unit's digests to
/// `consume` in index order. Returns how many units finished (fewer than
/// asked once `cancel` is set).
pub fn run_units(
    scenarios: &[&Scenario],
    range: std::ops::Range<u64>,
    options: &RunOptions,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
    mut consume: impl FnMut(u64, Vec<(RepDigest, RepResult)>) + Send,
) -> Result<u64, RunError> {
    let start = range.start;
    let n = range.end.saturating_sub(range.start);
    let mut finished = 0u64;
    let mut error: Option<DistError> = None;
    run_in_order(
        n,
        options.threads,
        |i| -> Unit {
            let mut unit = Vec::with_capacity(scenarios.len());
            for s in scenarios {
                let Some(r) = simulate_until_cancelled(s, start + i, &options.limits, cancel)?
                else {
                    return Ok(None);
                };
                unit.push((RepDigest::of(&r), r));
            }
            on_done();
            Ok(Some(unit))
        },
        |i, unit| match unit {
            Err(e) => {
                error.get_or_insert(e);
            }
            Ok(None) => {}
            Ok(Some(unit)) => {
                finished += 1;
                consume(start + i, unit);
            }
        },
    )?;
    match error {
        Some(e) => Err(RunError::Dist(e)),
        None => Ok(finished),
    }
}

/// Runs replication `i` of every scenario in `scenarios` as one unit, for
/// every `i` (common random numbers: the same seed and index give the same
/// streams), and summarises each scenario. `on_done` is called once per
/// unit. Each scenario runs with its own seed; a comparison sets them equal.
pub fn run_together(
    scenarios: &[&Scenario],
    options: &RunOptions,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<Vec<RunOutput>, RunError> {
    let started = Instant::now();
    let mut fold = Fold::new(scenarios);
    let mut kept: Vec<Vec<(u64, RepResult)>> = scenarios.iter().map(|_| Vec::new()).collect();
    run_units(
        scenarios,
        0..options.replications,
        options,
        cancel,
        on_done,
        |i, unit| {
            let mut digests = Vec::with_capacity(unit.len());
            for (k, (digest, r)) in unit.into_iter().enumerate() {
                digests.push(digest);
                if options.keep_reps {
                    kept[k].push((i, r));
                }
            }
            fold.add(i, digests);
        },
    )?;
    let mut outs = fold.finish(options.replications, started.elapsed());
    for (out, reps) in outs.iter_mut().zip(kept) {
        out.reps = reps;
    }
    Ok(outs)
}
