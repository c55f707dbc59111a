//! What identifies a result: a run's id (what its results depend on,
//! hashed) and the content hashes it is built from.
//!
//! Two runs with the same id computed the same thing: the same resolved
//! scenarios (by their SHA-256), seeds, replications, runaway ceiling,
//! portsim version and command-line overrides. The id is derived from
//! those alone, never from the time, the machine, the thread count or
//! chance, so identical runs carry identical ids (and, the wall time and
//! thread count in `results.json` apart, identical bytes). It ties the
//! files of an output set together: `manifest.json` and the `manifest` of
//! `results.json` (or `comparison.json`) carry the same id.
//!
//! A scenario's hash is [`text_hash`] of its resolved text (the merged
//! file with its bases and overrides), in lower-case hex.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What the command line changed on top of the scenario files, as the
/// values that took effect (so `--horizon 4w` and `--horizon 28d` agree).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--horizon`, in milliseconds.
    pub horizon_ms: Option<u64>,
    /// `--warmup`, in milliseconds.
    pub warmup_ms: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--replications`.
    pub replications: Option<u64>,
    /// `--set KEY=VALUE` overrides of scenario keys, in the order given
    /// (none yet: kept so that ids stay comparable when they arrive).
    pub set: Vec<String>,
}

/// One scenario a run simulated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simulated {
    /// What the output calls it ("scenario", "baseline", "variant", an
    /// intervention subset, a baseline key).
    pub label: String,
    /// SHA-256 of the resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Replications requested.
    pub replications: u64,
}

/// Everything a run's results depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunIdentity {
    /// `run`, `compare` or `check`.
    pub command: &'static str,
    /// Each scenario simulated, in the order the output presents them.
    pub runs: Vec<Simulated>,
    /// `--max-trucks`, which stops runaway replications.
    pub max_trucks: u64,
    /// Command-line overrides.
    pub overrides: Overrides,
    /// Anything else the output depends on, as (name, value): for `check`
    /// the baseline's hash, the tolerance and the metrics.
    pub other: Vec<(String, String)>,
}

impl RunIdentity {
    /// The identity as JSON (serde_json keeps the keys sorted).
    pub fn to_json(&self) -> Value {
        let o = &self.overrides;
        json!({
            "command": self.command,
            "portsim_version": env!("CARGO_PKG_VERSION"),
            "runs": self
                .runs
                .iter()
                .map(|r| json!({
                    "label": r.label,
                    "scenario_hash": r.scenario_hash,
                    "seed": r.seed,
                    "replications": r.replications,
                }))
                .collect::<Vec<_>>(),
            "max_trucks": self.max_trucks,
            "overrides": {
                "horizon_ms": o.horizon_ms,
                "warmup_ms": o.warmup_ms,
                "seed": o.seed,
                "replications": o.replications,
                "set": o.set,
            },
            "other": self
                .other
                .iter()
                .map(|(k, v)| json!([k, v]))
                .collect::<Vec<_>>(),
        })
    }

    /// The id: SHA-256 (hex) of [`to_json`](Self::to_json)'s compact text.
    pub fn id(&self) -> String {
        let text = self.to_json().to_string();
        hex(&Sha256::digest(text.as_bytes()))
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes`, as lower-case hex.
pub fn bytes_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of `text` (its UTF-8 bytes), as lower-case hex: a resolved
/// scenario's hash.
pub fn text_hash(text: &str) -> String {
    bytes_hash(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> RunIdentity {
        RunIdentity {
            command: "run",
            runs: vec![Simulated {
                label: "scenario".into(),
                scenario_hash: "ab".into(),
                seed: 7,
                replications: 3,
            }],
            max_trucks: 1_000_000,
            overrides: Overrides::default(),
            other: Vec::new(),
        }
    }

    #[test]
    fn hashes_are_sha256_in_lower_case_hex() {
        // The SHA-256 test vector of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            text_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(bytes_hash(b"abc"), text_hash("abc"));
    }

    #[test]
    fn the_id_depends_on_every_input_and_nothing_else() {
        let base = identity();
        assert_eq!(base.id(), identity().id());
        assert_eq!(base.id().len(), 64);
        let mut changes: Vec<RunIdentity> = Vec::new();
        let mut c = identity();
        c.runs[0].seed = 8;
        changes.push(c);
        let mut c = identity();
        c.runs[0].replications = 4;
        changes.push(c);
        let mut c = identity();
        c.runs[0].scenario_hash = "cd".into();
        changes.push(c);
        let mut c = identity();
        c.overrides.horizon_ms = Some(1);
        changes.push(c);
        let mut c = identity();
        c.overrides.set.push("demand.rate=1/h".into());
        changes.push(c);
        let mut c = identity();
        c.command = "compare";
        changes.push(c);
        for c in changes {
            assert_ne!(c.id(), base.id(), "{c:?}");
        }
    }
}
