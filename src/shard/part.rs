//! The partial result a shard writes (`--part PART`): a manifest that says
//! what was run, the digest of every unit the shard holds, and a checksum
//! of those digests.
//!
//! ```json
//! {
//!   "portsim_part": 3,
//!   "manifest": {
//!     "portsim_version": "0.1.0", "command": "sweep",
//!     "arguments": ["sweep", "study.toml", "--seed", "7"], "cwd": "/scratch/job",
//!     "run_id": "…", "scenarios": ["<sha256>", …], "overrides": […],
//!     "seed": 7, "replications": 10, "units": 40,
//!     "shard": { "index": 1, "count": 4 }, "held": [10, 20],
//!     "wall_time_s": 3.2
//!   },
//!   "units_sha256": "<sha256 of the units>",
//!   "units": [ { "unit": 10, "words": [ … ] }, … ]
//! }
//! ```
//!
//! `scenarios` holds the hash of every resolved scenario the units run
//! (for a study, one per point, in point order), which covers the file's
//! contents, `extends`, every override, the seed and the count; `run_id`
//! covers the command line besides. `arguments` is the command line
//! without `--shard` and `--part`, which `portsim merge` reads again to
//! build the report. A unit's `words` are its digest ([`codec`]).
//! Writing is atomic (`store::write`), so a shard killed mid-write leaves
//! no half a part, and a part that exists is whole.
//!
//! # What a part guarantees on reading
//!
//! * `units_sha256` is the SHA-256 of the units in their canonical
//!   encoding ([`units_sha256`]: for every unit in order, its index, its
//!   number of words and each word, as 64-bit little-endian integers).
//!   `portsim merge` recomputes it ([`Part::damage`]): a word altered, a
//!   unit's digest copied over its neighbour's, a unit dropped or
//!   reordered gives another hash, and the part is refused as damaged.
//!   The checksum detects damage (a disk, a copy, an edit), not forgery:
//!   whoever can write a part can write its checksum too.
//! * Every count of the manifest is within what a run can hold
//!   ([`Manifest::check_counts`], from `scenario::limits` and
//!   `decide::limits`), checked before anything is allocated from it, so
//!   a damaged `units` is a message, never a giant allocation.
//! * Parts of an earlier format (1: before the checksum; 2: before the
//!   time breakdown joined the digests) are refused with the command that
//!   re-runs the shard: their units cannot be read, or trusted to be
//!   whole, by this portsim.
//!
//! [`codec`]: super::codec

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::spec::Shard;
use crate::decide::limits::{MAX_POINTS, MAX_WORK};
use crate::scenario::limits::{self, MAX_REPLICATIONS, MAX_SHARDS};
use crate::store::write::{WriteError, atomic_write};

/// The format of part files; a change that old parts cannot be read with
/// increments it, the digest's words ([`codec`](super::codec)) included.
/// Format 2 added `units_sha256`; format 3 the time breakdown's sums to
/// each unit's digest (issue 28 §4).
pub const FORMAT: u64 = 3;

/// Most units a run can have: the replications of a run or comparison
/// ([`MAX_REPLICATIONS`]), or of a whole study ([`MAX_WORK`]).
pub const MAX_UNITS: u64 = if MAX_WORK > MAX_REPLICATIONS {
    MAX_WORK
} else {
    MAX_REPLICATIONS
};

/// Most resolved scenarios a run names: the points of a study, at most one
/// per unit, or the sides of a comparison.
pub const MAX_SCENARIOS: u64 = if (MAX_POINTS as u64) > MAX_UNITS {
    MAX_POINTS as u64
} else {
    MAX_UNITS
};

/// The shard, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardField {
    /// Which one, from 0.
    pub index: u64,
    /// How many.
    pub count: u64,
}

impl From<Shard> for ShardField {
    fn from(s: Shard) -> Self {
        ShardField {
            index: s.index,
            count: s.count,
        }
    }
}

impl ShardField {
    /// As a shard.
    pub fn shard(self) -> Shard {
        Shard {
            index: self.index,
            count: self.count,
        }
    }
}

/// What a part says about the run it is part of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// portsim's version.
    pub portsim_version: String,
    /// `run`, `compare`, `sweep` or `sensitivity`.
    pub command: String,
    /// The command line, without `--shard` and `--part`.
    pub arguments: Vec<String>,
    /// The folder the shard ran in (its relative paths start there).
    pub cwd: String,
    /// The run's id (its inputs and settings).
    pub run_id: String,
    /// Hashes of the resolved scenarios the units run, in order.
    pub scenarios: Vec<String>,
    /// The `--set` overrides, as given.
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications (per scenario, or per point).
    pub replications: u64,
    /// Units of the whole run.
    pub units: u64,
    /// This shard.
    pub shard: ShardField,
    /// The units it holds: `[start, end)`.
    pub held: [u64; 2],
    /// Seconds this shard took.
    pub wall_time_s: f64,
}

/// One unit's digest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDigest {
    /// Its index in the run's unit order.
    pub unit: u64,
    /// Its digest, as words.
    pub words: Vec<u64>,
}

/// A partial result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// The format ([`FORMAT`]).
    pub portsim_part: u64,
    /// What was run.
    pub manifest: Manifest,
    /// The SHA-256 of `units`, in hex ([`units_sha256`]).
    pub units_sha256: String,
    /// The units, in order.
    pub units: Vec<UnitDigest>,
}

impl Part {
    /// The part of `manifest` holding `units`, with their checksum.
    pub fn new(manifest: Manifest, units: Vec<UnitDigest>) -> Part {
        Part {
            portsim_part: FORMAT,
            manifest,
            units_sha256: units_sha256(&units),
            units,
        }
    }

    /// What is wrong with the part as read, if anything: a count beyond
    /// the limits, or units that do not match their checksum.
    pub fn damage(&self) -> Option<String> {
        if let Err(e) = self.manifest.check_counts() {
            return Some(e);
        }
        let found = units_sha256(&self.units);
        (found != self.units_sha256).then(|| {
            let m = &self.manifest;
            format!(
                "its unit digests do not match the checksum written with them (`units_sha256` {}, the digests hash to {found}): the file was changed or damaged after the shard wrote it; re-run the shard:\n  portsim {} --shard {} --part PART",
                self.units_sha256,
                super::shell::quote(&m.arguments),
                m.shard.shard()
            )
        })
    }
}

/// The SHA-256 of `units` in their canonical encoding: for every unit in
/// order, its index, its number of words and each word, all as 64-bit
/// little-endian integers; in lower-case hex.
pub fn units_sha256(units: &[UnitDigest]) -> String {
    let mut hash = Sha256::new();
    for u in units {
        hash.update(u.unit.to_le_bytes());
        hash.update((u.words.len() as u64).to_le_bytes());
        for w in &u.words {
            hash.update(w.to_le_bytes());
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    /// Checks every count against what a run can hold, before anything is
    /// allocated from it: units, the block held, replications, shards and
    /// scenarios.
    pub fn check_counts(&self) -> Result<(), String> {
        let beyond = |what: &str, n: u64, limit: u64| {
            format!(
                "it says the run has {n} {what}, more than any run can have (at most {limit}); the part is damaged"
            )
        };
        if self.units > MAX_UNITS {
            return Err(beyond("units", self.units, MAX_UNITS));
        }
        if self.replications == 0 || self.replications > MAX_REPLICATIONS {
            return Err(format!(
                "it says the run has {} replications, where a run has 1 to {MAX_REPLICATIONS}; the part is damaged",
                self.replications
            ));
        }
        let count = self.shard.count;
        if count == 0 || count > MAX_SHARDS || self.shard.index >= count {
            return Err(format!(
                "it claims to be shard {}/{count}, where a run has 1 to {MAX_SHARDS} shards, numbered from 0; the part is damaged",
                self.shard.index
            ));
        }
        let [start, end] = self.held;
        if start > end || end > self.units {
            return Err(format!(
                "it says it holds units {start}..{end} of {}; the part is damaged",
                self.units
            ));
        }
        let scenarios = self.scenarios.len() as u64;
        if scenarios == 0 || scenarios > MAX_SCENARIOS {
            return Err(format!(
                "it names {scenarios} scenarios, where a run has 1 to {MAX_SCENARIOS}; the part is damaged"
            ));
        }
        Ok(())
    }
}

/// A part that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// Not readable.
    #[error("cannot read partial result `{}`: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// Not a part (or damaged).
    #[error("`{}` is not a portsim partial result: {error}", path.display())]
    NotPart {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        error: String,
    },
    /// Written by a later format.
    #[error("`{}` is a partial result of format {found}, this portsim reads format {FORMAT}; merge it with the portsim that wrote it", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Its format.
        found: u64,
    },
    /// Written by an earlier format, which this portsim cannot read.
    #[error("`{}` is a partial result of format {found}, made by another version of portsim; this one reads format {FORMAT} only ({}), so re-run the shard to write it again:\n  {rerun}", path.display(), old_format(*found))]
    Old {
        /// The file.
        path: PathBuf,
        /// Its format.
        found: u64,
        /// The command that writes the part again.
        rerun: String,
    },
    /// Could not be written.
    #[error("cannot write partial result: {0}")]
    Write(#[from] WriteError),
}

/// What an earlier format lacks.
fn old_format(found: u64) -> &'static str {
    if found < 2 {
        "format 1 has no checksum of its units"
    } else {
        "its unit digests lack the time breakdown"
    }
}

/// The command that writes the part at `path` again, from what its
/// manifest says (as far as it can be read).
fn rerun(value: &serde_json::Value, path: &Path) -> String {
    let m = &value["manifest"];
    let arguments: Vec<String> = m["arguments"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let command = if arguments.is_empty() {
        "COMMAND".to_owned()
    } else {
        super::shell::quote(&arguments)
    };
    let shard = match (m["shard"]["index"].as_u64(), m["shard"]["count"].as_u64()) {
        (Some(i), Some(n)) => format!("{i}/{n}"),
        _ => "I/N".to_owned(),
    };
    let part = super::shell::quote(&[path.display().to_string()]);
    format!("portsim {command} --shard {shard} --part {part}")
}

/// Writes `part` to `path`, atomically.
pub fn write(path: &Path, part: &Part) -> Result<(), PartError> {
    let mut text = serde_json::to_string(part).map_err(|e| PartError::NotPart {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    text.push('\n');
    atomic_write(path, text.as_bytes())?;
    Ok(())
}

/// Reads the part at `path`.
pub fn read(path: &Path) -> Result<Part, PartError> {
    let bytes = limits::read_part(path).map_err(|e| PartError::Read {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let not_part = |error: String| PartError::NotPart {
        path: path.to_path_buf(),
        error,
    };
    // The format first, so that a future format is named as such.
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| not_part(format!("{e} (line {}, column {})", e.line(), e.column())))?;
    match value
        .get("portsim_part")
        .and_then(serde_json::Value::as_u64)
    {
        Some(FORMAT) => {}
        Some(found) if found < FORMAT => {
            return Err(PartError::Old {
                path: path.to_path_buf(),
                found,
                rerun: rerun(&value, path),
            });
        }
        Some(found) => {
            return Err(PartError::Format {
                path: path.to_path_buf(),
                found,
            });
        }
        None => return Err(not_part("it has no `portsim_part` format number".into())),
    }
    serde_json::from_value(value).map_err(|e| not_part(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part() -> Part {
        Part::new(
            Manifest {
                portsim_version: "0.1.0".into(),
                command: "run".into(),
                arguments: vec!["run".into(), "a.toml".into()],
                cwd: "/tmp".into(),
                run_id: "id".into(),
                scenarios: vec!["h".into()],
                overrides: vec![],
                seed: u64::MAX,
                replications: 3,
                units: 3,
                shard: ShardField { index: 0, count: 2 },
                held: [0, 1],
                wall_time_s: 0.5,
            },
            vec![UnitDigest {
                unit: 0,
                words: vec![u64::MAX, 0, f64::NAN.to_bits()],
            }],
        )
    }

    #[test]
    fn a_part_reads_back_as_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        write(&path, &part()).expect("writes");
        assert_eq!(read(&path).expect("reads"), part());
    }

    #[test]
    fn foreign_files_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        std::fs::write(&path, "{\"portsim_part\": 9}").expect("write");
        let e = read(&path).expect_err("future").to_string();
        assert!(e.contains("format 9"), "{e}");
        std::fs::write(&path, "{\n  \"a\": [1,").expect("write");
        let e = read(&path).expect_err("broken").to_string();
        assert!(
            e.contains("is not a portsim partial result") && e.contains("line 2"),
            "{e}"
        );
        std::fs::write(&path, "{\"portsim_part\": 3, \"manifest\": 3}").expect("write");
        assert!(read(&path).is_err());
        let e = read(&dir.path().join("none.json"))
            .expect_err("missing")
            .to_string();
        assert!(e.contains("cannot read partial result"), "{e}");
    }

    #[test]
    fn parts_of_the_format_before_the_checksum_are_refused_with_the_rerun() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p 1.json");
        let old = r#"{"portsim_part": 1, "manifest": {"arguments": ["run", "a.toml", "-r", "4"], "shard": {"index": 1, "count": 3}}, "units": []}"#;
        std::fs::write(&path, old).expect("write");
        let e = read(&path).expect_err("old").to_string();
        assert!(
            e.contains("is a partial result of format 1, made by another version of portsim; this one reads format 3 only (format 1 has no checksum of its units), so re-run the shard"),
            "{e}"
        );
        assert!(
            e.ends_with(&format!(
                "\n  portsim run a.toml -r 4 --shard 1/3 --part '{}'",
                path.display()
            )),
            "{e}"
        );
    }

    #[test]
    fn the_checksum_covers_every_index_and_word_in_order() {
        let unit = |unit, words: &[u64]| UnitDigest {
            unit,
            words: words.to_vec(),
        };
        let good = part();
        assert_eq!(good.damage(), None);
        // Hand-computed: SHA-256 of index 0, 3 words, the words, as LE u64.
        let mut bytes = Vec::new();
        for x in [0, 3, u64::MAX, 0, f64::NAN.to_bits()] {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        let expect: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(good.units_sha256, expect);
        // Every kind of change gives another hash.
        let base = [unit(4, &[1, 2]), unit(5, &[3, 4])];
        let changed = [
            vec![unit(4, &[1, 2]), unit(5, &[3, 5])],
            vec![unit(4, &[1, 2]), unit(5, &[1, 2])],
            vec![unit(5, &[3, 4]), unit(4, &[1, 2])],
            vec![unit(4, &[1]), unit(5, &[2, 3, 4])],
            vec![unit(4, &[1, 2])],
            vec![unit(4, &[1, 2]), unit(6, &[3, 4])],
        ];
        for c in changed {
            assert_ne!(units_sha256(&c), units_sha256(&base), "{c:?}");
        }
        let mut bad = good.clone();
        bad.units[0].words[1] = 1;
        let e = bad.damage().expect("damaged");
        assert!(e.contains("do not match the checksum"), "{e}");
    }

    #[test]
    fn counts_beyond_the_limits_are_damage() {
        type Change = fn(&mut Manifest);
        let cases: [(Change, &str); 7] = [
            (|m| m.units = 1 << 62, "4611686018427387904 units"),
            (|m| m.units = u64::MAX, "18446744073709551615 units"),
            (|m| m.replications = 0, "0 replications"),
            (
                |m| m.replications = u64::MAX,
                "18446744073709551615 replications",
            ),
            (|m| m.shard.count = u64::MAX, "shard 0/18446744073709551615"),
            (|m| m.held = [2, 1], "units 2..1 of 3"),
            (
                |m| m.held = [0, u64::MAX],
                "units 0..18446744073709551615 of 3",
            ),
        ];
        for (change, expect) in cases {
            let mut p = part();
            change(&mut p.manifest);
            let e = p.damage().expect(expect);
            assert!(
                e.contains(expect) && e.ends_with("the part is damaged"),
                "{e}"
            );
        }
    }
}
