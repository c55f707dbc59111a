//! The partial result a shard writes (`--part PART`): a manifest that says
//! what was run, and the digest of every unit the shard holds.
//!
//! ```json
//! {
//!   "portsim_part": 1,
//!   "manifest": {
//!     "portsim_version": "0.1.0", "command": "sweep",
//!     "arguments": ["sweep", "study.toml", "--seed", "7"], "cwd": "/scratch/job",
//!     "run_id": "…", "scenarios": ["<sha256>", …], "overrides": […],
//!     "seed": 7, "replications": 10, "units": 40,
//!     "shard": { "index": 1, "count": 4 }, "held": [10, 20],
//!     "wall_time_s": 3.2
//!   },
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
//! [`codec`]: super::codec

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::spec::Shard;
use crate::scenario::limits;
use crate::store::write::{WriteError, atomic_write};

/// The format of part files; a change that old parts cannot be read with
/// increments it.
pub const FORMAT: u64 = 1;

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
    /// The units, in order.
    pub units: Vec<UnitDigest>,
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
    /// Written by another format.
    #[error("`{}` is a partial result of format {found}, this portsim reads format {FORMAT}; merge it with the portsim that wrote it", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Its format.
        found: u64,
    },
    /// Could not be written.
    #[error("cannot write partial result: {0}")]
    Write(#[from] WriteError),
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
        Part {
            portsim_part: FORMAT,
            manifest: Manifest {
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
            units: vec![UnitDigest {
                unit: 0,
                words: vec![u64::MAX, 0, f64::NAN.to_bits()],
            }],
        }
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
        std::fs::write(&path, "{\"portsim_part\": 1, \"manifest\": 3}").expect("write");
        assert!(read(&path).is_err());
        let e = read(&dir.path().join("none.json"))
            .expect_err("missing")
            .to_string();
        assert!(e.contains("cannot read partial result"), "{e}");
    }
}
