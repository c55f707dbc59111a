//! The run ledger: every finished result the web app computed, kept on
//! disk so that asking again returns it instead of running again.
//!
//! A result is keyed by its run id ([`crate::report::run_id`]): the hash
//! of the resolved scenarios, seeds, replications, portsim version and
//! overrides, the same id the command line writes into its manifests. Its
//! files live in `WORKSPACE/.portsim/ledger/<run id>/`: the JSON document,
//! the CSV, the HTML report, each side's resolved scenario, and
//! `record.json` (what was run, when, by which files). Every file is
//! written atomically and `record.json` last, so an entry without it is
//! unfinished and never served. Only complete results are recorded: a
//! cancelled run leaves nothing behind. The folder's name starts with a
//! dot, so the workspace's own path checks never reach it from a request.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::report::write::atomic_write;

/// The files of an entry, besides `record.json`: (name, content type).
pub const FILES: &[(&str, &str)] = &[
    ("results.json", "application/json"),
    ("results.csv", "text/csv; charset=utf-8"),
    ("report.html", "text/html; charset=utf-8"),
    ("attribution.csv", "text/csv; charset=utf-8"),
];

/// What a stored result is.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// The run id (the folder's name).
    pub id: String,
    /// `run` or `compare`.
    pub kind: String,
    /// The workspace files run, in order (baseline first).
    pub files: Vec<String>,
    /// The scenarios' names, in the same order.
    pub names: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u64,
    /// Seconds since 1970 when it was stored.
    pub stored_at: u64,
    /// Wall-clock seconds the run took.
    pub wall_time_s: f64,
    /// Headline figures for the history and side-by-side pages:
    /// (metric, mean, CI low, CI high), as strings ready to show.
    pub headline: Vec<(String, String)>,
}

/// The ledger folder.
#[derive(Clone, Debug)]
pub struct Ledger {
    dir: PathBuf,
}

/// Why the ledger could not store or read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A write failed.
    #[error("cannot store the result: {0}")]
    Write(String),
}

impl Ledger {
    /// The ledger of the workspace at `root` (created on first store).
    pub fn new(root: &Path) -> Ledger {
        Ledger {
            dir: root.join(".portsim").join("ledger"),
        }
    }

    /// Whether `id` is a run id (64 lower-case hex digits): the only
    /// names ever joined to the ledger's folder.
    pub fn valid_id(id: &str) -> bool {
        id.len() == 64
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The stored record of `id`, if it is complete.
    pub fn get(&self, id: &str) -> Option<Record> {
        if !Self::valid_id(id) {
            return None;
        }
        let text = std::fs::read(self.dir.join(id).join("record.json")).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// One of an entry's [`FILES`] (or `resolved-N.toml`).
    pub fn file(&self, id: &str, name: &str) -> Option<Vec<u8>> {
        let known = FILES.iter().any(|(f, _)| *f == name)
            || matches!(name, "resolved-0.toml" | "resolved-1.toml");
        if !known {
            return None;
        }
        self.get(id)?;
        std::fs::read(self.dir.join(id).join(name)).ok()
    }

    /// Stores an entry: its files, then `record` last.
    pub fn put(&self, record: &Record, files: &[(&str, Vec<u8>)]) -> Result<(), LedgerError> {
        if !Self::valid_id(&record.id) {
            return Err(LedgerError::Write(format!(
                "`{}` is not a run id",
                record.id
            )));
        }
        let dir = self.dir.join(&record.id);
        for (name, bytes) in files {
            atomic_write(&dir.join(name), bytes).map_err(|e| LedgerError::Write(e.to_string()))?;
        }
        let text =
            serde_json::to_vec_pretty(record).map_err(|e| LedgerError::Write(e.to_string()))?;
        atomic_write(&dir.join("record.json"), &text).map_err(|e| LedgerError::Write(e.to_string()))
    }

    /// Every complete record, newest first.
    pub fn list(&self) -> Vec<Record> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut records: Vec<Record> = entries
            .flatten()
            .filter_map(|e| self.get(&e.file_name().to_string_lossy()))
            .collect();
        records.sort_by(|a, b| b.stored_at.cmp(&a.stored_at).then(a.id.cmp(&b.id)));
        records
    }

    /// The newest record that ran workspace file `name` on its own (a
    /// scenario, or a study file).
    pub fn last_run_of<'a>(records: &'a [Record], name: &str) -> Option<&'a Record> {
        records.iter().find(|r| {
            matches!(r.kind.as_str(), "run" | "sweep" | "plan" | "sensitivity")
                && r.files.first().is_some_and(|f| f == name)
        })
    }
}

/// Seconds since 1970, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, at: u64) -> Record {
        Record {
            id: id.into(),
            kind: "run".into(),
            files: vec!["a.toml".into()],
            names: vec!["a".into()],
            seed: 1,
            replications: 2,
            stored_at: at,
            wall_time_s: 0.5,
            headline: vec![],
        }
    }

    #[test]
    fn stores_reads_and_lists_newest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ledger = Ledger::new(dir.path());
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert!(ledger.get(&a).is_none());
        ledger
            .put(&record(&a, 1), &[("results.json", b"{}".to_vec())])
            .expect("stored");
        ledger.put(&record(&b, 2), &[]).expect("stored");
        assert_eq!(ledger.get(&a), Some(record(&a, 1)));
        assert_eq!(ledger.file(&a, "results.json").as_deref(), Some(&b"{}"[..]));
        assert_eq!(ledger.file(&a, "../../etc/passwd"), None);
        let ids: Vec<String> = ledger.list().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, [b.clone(), a.clone()]);
        assert!(ledger.get("../x").is_none());
        assert!(ledger.put(&record("nothex", 3), &[]).is_err());
    }
}
