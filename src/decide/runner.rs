//! Running a given range of replication indices of a scenario.
//!
//! `experiment::run` runs replications `0..n`. Decisions add replications
//! as they go (`--precision`, a plan's sequential tests) and split work
//! into units, so they need `a..b`. Replication `i` is `simulate(s, i)`
//! whichever range it is run in, so the results of `0..10` then `10..20`
//! are bit for bit those of `0..20`, and [`output`] summarises any list of
//! them exactly as a plain run would.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::experiment::replications::run_replications;
use crate::experiment::run::{RunError, RunOutput};
use crate::experiment::summary::summarize;
use crate::model::{Limits, RepResult, simulate};
use crate::scenario::Scenario;

/// How replications run: threads and runaway guards.
#[derive(Clone, Debug)]
pub struct Runner {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Runaway guards.
    pub limits: Limits,
}

impl Runner {
    /// Runs replications `range` of `s` in parallel and returns those that
    /// ran (all of them unless `cancel` was set), in index order, with
    /// their index. `on_done` is called as each finishes.
    pub fn run(
        &self,
        s: &Scenario,
        range: Range<u64>,
        cancel: &AtomicBool,
        on_done: &(dyn Fn() + Sync),
    ) -> Result<Vec<(u64, RepResult)>, RunError> {
        let start = range.start;
        let n = range.end.saturating_sub(range.start);
        let results = run_replications(
            n,
            self.threads,
            |i| {
                if cancel.load(Ordering::SeqCst) {
                    None
                } else {
                    Some(simulate(s, start + i, &self.limits))
                }
            },
            on_done,
        )?;
        let mut reps = Vec::with_capacity(results.len());
        for (i, r) in results.into_iter().enumerate() {
            if let Some(r) = r {
                reps.push((start + i as u64, r?));
            }
        }
        Ok(reps)
    }
}

/// The output of a run made of `reps` (in index order), as
/// `experiment::run` would give it for the same replications.
pub fn output(
    s: &Scenario,
    reps: Vec<(u64, RepResult)>,
    requested: u64,
    wall: Duration,
) -> RunOutput {
    let refs: Vec<(u64, &RepResult)> = reps.iter().map(|(i, r)| (*i, r)).collect();
    let summary = summarize(s, &refs);
    let interrupted = (reps.len() as u64) < requested;
    RunOutput {
        complete: !interrupted && summary.stopped.is_empty(),
        interrupted,
        summary,
        reps,
        requested,
        wall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::run::{RunOptions, run};

    #[test]
    fn ranges_add_up_to_a_plain_run() {
        let s = crate::scenario::parse(
            "name = \"t\"\nhorizon = \"2d\"\n[demand]\nrate = \"200/d\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"5m\" }\n",
            std::path::Path::new("t.toml"),
        )
        .expect("valid");
        let cancel = AtomicBool::new(false);
        let runner = Runner {
            threads: Some(2),
            limits: Limits::default(),
        };
        let mut reps = runner.run(&s, 0..3, &cancel, &|| {}).expect("runs");
        reps.extend(runner.run(&s, 3..6, &cancel, &|| {}).expect("runs"));
        let split = output(&s, reps, 6, Duration::ZERO);
        let options = RunOptions {
            replications: 6,
            ..RunOptions::for_scenario(&s)
        };
        let plain = run(&s, &options, &cancel, || {}).expect("runs");
        for (a, b) in split.summary.metrics.iter().zip(&plain.summary.metrics) {
            let bits = |m: &crate::experiment::summary::Metric| {
                m.samples.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            };
            assert_eq!(bits(a), bits(b), "{}", a.name);
        }
        assert!(split.complete);
    }
}
