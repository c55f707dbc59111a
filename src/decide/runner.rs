//! Running a given range of replication indices of a scenario.
//!
//! `experiment::run` runs replications `0..n`. Decisions add replications
//! as they go (`--precision`, a plan's sequential tests) and split work
//! into units, so they need `a..b`. Replication `i` is simulated from the
//! streams of `(seed, i)` whichever range it is run in, so the results of
//! `0..10` then `10..20` are bit for bit those of `0..20`.
//!
//! Like `experiment::run`, replications are summarised as they finish, in
//! index order, and then dropped: memory does not grow with the number of
//! replications. A caller that needs one summary over several ranges (the
//! rounds of `--precision`) passes an [`Accumulator`] that every range
//! also feeds; since the ranges follow each other, it sees the
//! replications in index order, exactly as a plain run would.

use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::engine::dist::DistError;
use crate::experiment::digest::RepDigest;
use crate::experiment::replications::run_in_order;
use crate::experiment::run::{RunError, RunOutput};
use crate::experiment::summary::{Accumulator, Summary};
use crate::model::{Limits, RepResult, simulate_until_cancelled};
use crate::scenario::Scenario;

/// How replications run: threads and runaway guards.
#[derive(Clone, Debug)]
pub struct Runner {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Runaway guards.
    pub limits: Limits,
}

/// One replication's outcome: its digest and result, `None` if cancelled.
type Finished = Result<Option<(RepDigest, RepResult)>, DistError>;

impl Runner {
    /// Runs replications `range` of `s` in parallel and returns their
    /// summary (of this range only; `also`, if given, is fed the same
    /// replications). Replications not started once `cancel` is set are
    /// skipped, and those in flight discarded. `on_done` is called as each
    /// finishes.
    pub fn run(
        &self,
        s: &Scenario,
        range: Range<u64>,
        cancel: &AtomicBool,
        on_done: &(dyn Fn() + Sync),
        mut also: Option<&mut Accumulator<'_>>,
    ) -> Result<RunOutput, RunError> {
        let started = Instant::now();
        let start = range.start;
        let n = range.end.saturating_sub(range.start);
        let mut acc = Accumulator::new(s);
        let mut finished = 0u64;
        let mut error = None;
        run_in_order(
            n,
            self.threads,
            |i| -> Finished {
                let Some(r) = simulate_until_cancelled(s, start + i, &self.limits, cancel)? else {
                    return Ok(None);
                };
                on_done();
                Ok(Some((RepDigest::of(&r), r)))
            },
            |i, done| match done {
                Err(e) => {
                    error.get_or_insert(e);
                }
                Ok(None) => {}
                Ok(Some((digest, _))) => {
                    finished += 1;
                    if let Some(other) = also.as_deref_mut() {
                        other.add_digest(start + i, digest.clone());
                    }
                    acc.add_digest(start + i, digest);
                }
            },
        )?;
        if let Some(e) = error {
            return Err(RunError::Dist(e));
        }
        let interrupted = finished < n;
        Ok(output(
            acc.finish(),
            finished,
            n,
            interrupted,
            started.elapsed(),
        ))
    }
}

/// A run's output from its summary and counts.
pub fn output(
    summary: Summary,
    finished: u64,
    requested: u64,
    interrupted: bool,
    wall: Duration,
) -> RunOutput {
    RunOutput::from_summary(summary, finished, requested, interrupted, wall)
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
        let mut whole = Accumulator::new(&s);
        let first = runner
            .run(&s, 0..3, &cancel, &|| {}, Some(&mut whole))
            .expect("runs");
        let second = runner
            .run(&s, 3..6, &cancel, &|| {}, Some(&mut whole))
            .expect("runs");
        let joined = whole.finish();
        let options = RunOptions {
            replications: 6,
            ..RunOptions::for_scenario(&s)
        };
        let plain = run(&s, &options, &cancel, || {}).expect("runs");
        let bits = |m: &crate::experiment::summary::Metric| {
            m.samples.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        };
        for (a, b) in joined.metrics.iter().zip(&plain.summary.metrics) {
            assert_eq!(bits(a), bits(b), "{}", a.name);
        }
        // Each range's own summary holds its replications.
        let both: Vec<u64> = bits(&first.summary.metrics[1])
            .into_iter()
            .chain(bits(&second.summary.metrics[1]))
            .collect();
        assert_eq!(both, bits(&plain.summary.metrics[1]));
        assert_eq!(second.summary.indices, [3, 4, 5]);
        assert!(first.complete && second.complete);
    }
}
