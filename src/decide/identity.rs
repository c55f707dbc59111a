//! What a study's results depend on, as a run id: one function that the
//! command line (`portsim sweep|plan|sensitivity`) and the web app both
//! call, so a study started from either carries the same id and the app's
//! ledger finds what the command line would compute.

use crate::scenario::Scenario;
use crate::store::identity::{Overrides, RunIdentity, Simulated, text_hash};

/// The overrides a study asked for beyond its file: `--set`, `--seed`,
/// `--replications` (or the app's seed and replications fields).
#[derive(Clone, Debug, Default)]
pub struct Asked<'a> {
    /// `--set KEY=VALUE`, as written.
    pub sets: &'a [String],
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--replications`.
    pub replications: Option<u64>,
}

impl Asked<'_> {
    /// `sets`, then the seed and replications as `seed=S` and
    /// `replications=N` overrides (so the resolved scenarios, and their
    /// hashes, record them).
    pub fn as_sets(&self) -> Vec<String> {
        let mut sets = self.sets.to_vec();
        if let Some(seed) = self.seed {
            sets.push(format!("seed={seed}"));
        }
        if let Some(r) = self.replications {
            sets.push(format!("replications={r}"));
        }
        sets
    }
}

/// The identity of a study: every scenario it runs (by hash), the
/// overrides asked for, the runaway guard and the study file itself.
pub fn study(
    command: &'static str,
    scenarios: &[(String, &Scenario)],
    max_trucks: u64,
    asked: &Asked,
    study_text: &str,
) -> RunIdentity {
    RunIdentity {
        command,
        runs: scenarios
            .iter()
            .map(|(label, s)| Simulated {
                label: label.clone(),
                scenario_hash: s.hash(),
                seed: s.seed,
                replications: s.replications,
            })
            .collect(),
        max_trucks,
        overrides: Overrides {
            horizon_ms: None,
            warmup_ms: None,
            seed: asked.seed,
            replications: asked.replications,
            set: asked.sets.to_vec(),
        },
        other: vec![("study_sha256".to_owned(), text_hash(study_text))],
    }
}
