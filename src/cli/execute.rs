//! Scenarios run in this process with a progress bar: one scenario, or
//! replication `i` of several as one unit.
//!
//! `check` runs its scenarios through [`execute`]; a command's units run
//! locally (no `--shard`) go through [`execute_together`] from `shard`.
//! They sit here, below both `run` and `shard`, so that the shards do not
//! import the command that hands them its units.

use std::sync::atomic::AtomicBool;

use super::{Failure, progress, terminal};
use crate::experiment::run::{RunOptions, RunOutput, run as run_scenario};
use crate::scenario::Scenario;

/// Runs `scenario` with a progress bar.
pub fn execute(
    s: &Scenario,
    options: &RunOptions,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<RunOutput, Failure> {
    let bar = progress::bar(options.replications, &terminal::clean(&s.name), quiet);
    let out = run_scenario(s, options, cancel, || bar.inc(1))
        .map_err(|e| Failure::Check(format!("error: {e}")))?;
    bar.finish_and_clear();
    Ok(out)
}

/// Runs replication `i` of every scenario as one unit (see
/// [`run_together`](crate::experiment::run::run_together)), with one
/// progress bar labelled `label`.
pub fn execute_together(
    scenarios: &[&Scenario],
    options: &RunOptions,
    label: &str,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<Vec<RunOutput>, Failure> {
    let bar = progress::bar(options.replications, &terminal::clean(label), quiet);
    let outs = crate::experiment::run::run_together(scenarios, options, cancel, || bar.inc(1))
        .map_err(|e| Failure::Check(format!("error: {e}")))?;
    bar.finish_and_clear();
    Ok(outs)
}
