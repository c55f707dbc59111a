//! What the study commands (`sweep`, `plan`, `sensitivity`) share: the
//! command-line overrides, the runner, progress, and how a study's
//! failure becomes an exit code.

use std::path::Path;

use super::Failure;
use super::args::StudyOptions;
use crate::decide::DecideError;
use crate::decide::cache::Cache;
use crate::decide::identity::{self, Asked};
use crate::decide::points::Resolved;
use crate::decide::runner::Runner;
use crate::model::Limits;
use crate::scenario::{Override, Scenario};
use crate::store::identity::RunIdentity;

/// `--set`, then `--seed` and `--replications` as overrides (so the
/// resolved scenarios, and their hashes, record them).
pub fn overrides(o: &StudyOptions) -> Result<Vec<Override>, Failure> {
    super::sets::parse_sets(&asked(o).as_sets())
}

/// The runner of `--threads` and `--max-trucks`.
pub fn runner(o: &StudyOptions) -> Result<Runner, Failure> {
    if o.threads == Some(0) {
        return Err(Failure::User(
            "error: `--threads` must be at least 1".into(),
        ));
    }
    Ok(Runner {
        threads: o.threads,
        limits: Limits {
            max_in_system: o.max_trucks,
        },
    })
}

/// The points kept in `OUT/points/` with `--out OUT`, checked before
/// anything runs: no point may be kept where the study reads an input.
pub fn cache(out: Option<&Path>, points: &[Resolved]) -> Result<Option<Cache>, Failure> {
    let Some(out) = out else {
        return Ok(None);
    };
    let cache = Cache::new(&out.join("points"));
    cache
        .check(points.iter().map(|p| p.hash.as_str()))
        .map_err(|e| Failure::User(format!("error: {e}")))?;
    Ok(Some(cache))
}

/// The exit a study's error makes: 2 for mistakes in the input, 130 when
/// interrupted, 1 otherwise.
pub fn failure(e: DecideError) -> Failure {
    match e {
        DecideError::Interrupted => Failure::Interrupted { written: false },
        e if e.is_user_error() => Failure::User(e.to_string()),
        e => Failure::Check(e.to_string()),
    }
}

/// Prints the warnings about merged files of the scenarios, once each.
pub fn warn(scenarios: &[&Scenario], quiet: bool) {
    if quiet {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for w in scenarios.iter().flat_map(|s| &s.patch_warnings) {
        if seen.insert(w) {
            super::stderr::say(&format!("warning: {w}"));
        }
    }
}

/// Threads actually used.
pub fn threads(runner: &Runner) -> usize {
    runner.threads.unwrap_or_else(rayon::current_num_threads)
}

/// The identity of a study (see [`crate::decide::identity::study`]).
pub fn identity(
    command: &'static str,
    scenarios: &[(String, &Scenario)],
    runner: &Runner,
    o: &StudyOptions,
    study_text: &str,
) -> RunIdentity {
    identity::study(
        command,
        scenarios,
        runner.limits.max_in_system,
        &asked(o),
        study_text,
    )
}

/// What the command line asked for beyond the study file.
fn asked(o: &StudyOptions) -> Asked<'_> {
    Asked {
        sets: &o.sets,
        seed: o.seed,
        replications: o.replications,
    }
}
