//! The run ledger: every finished result the web app computed, kept on
//! disk so that asking again returns it instead of running again.
//!
//! A result is keyed by its run id ([`crate::store::identity`]): the hash
//! of the resolved scenarios, seeds, replications, portsim version and
//! overrides, the same id the command line writes into its manifests. Its
//! files live in `WORKSPACE/.portsim/ledger/<run id>/`: the JSON document,
//! the CSV, the HTML report, each side's resolved scenario, and
//! `record.json` (what was run, when, by which files; its format is this
//! file's). Only complete results are recorded: a cancelled run leaves
//! nothing behind. The folder's name starts with a dot, so the workspace's
//! own path checks never reach it from a request.
//!
//! The mechanics are the store's: every path is confined to the
//! workspace's real path and no link is ever followed
//! ([`crate::store::confined`]), and an entry is trusted only if this
//! installation sealed it ([`crate::store::seal`], with a key kept outside
//! the workspace). An entry that is not trusted (planted, altered,
//! unfinished, linked) is absent here: a request for it runs again and
//! replaces it. A file is served only after its hash is checked against
//! the seal. A `.portsim` or `ledger` that is not a real folder (a link
//! that would move the store elsewhere) is neither read nor written:
//! storing then fails with a message that says so.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::scenario::limits::MAX_STORED_BYTES;
use crate::store::confined::Confined;
use crate::store::seal::{Entries, Key};

/// The record's file name in an entry.
const RECORD: &str = "record.json";

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
    entries: Entries,
}

/// Why the ledger could not store or read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A write failed.
    #[error("cannot store the result: {0}")]
    Write(String),
}

impl Ledger {
    /// The ledger of the workspace whose real path is `root` (created on
    /// first store), sealed with `key`.
    pub fn new(root: &Path, key: Key) -> Ledger {
        let store = Confined::new(root, &[".portsim", "ledger"]);
        Ledger {
            entries: Entries::new(store, key, MAX_STORED_BYTES),
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

    /// The stored record of `id`, if its entry is complete and trusted.
    pub fn get(&self, id: &str) -> Option<Record> {
        if !Self::valid_id(id) {
            return None;
        }
        let text = self.entries.read(id, RECORD).ok()??;
        let record: Record = serde_json::from_slice(&text).ok()?;
        (record.id == id).then_some(record)
    }

    /// One of an entry's [`FILES`] (or `resolved-N.toml`), if the entry is
    /// trusted and the file is the one it sealed.
    pub fn file(&self, id: &str, name: &str) -> Option<Vec<u8>> {
        let known = FILES.iter().any(|(f, _)| *f == name)
            || matches!(name, "resolved-0.toml" | "resolved-1.toml");
        if !known || !Self::valid_id(id) {
            return None;
        }
        self.entries.read(id, name).ok()?
    }

    /// Stores an entry: its files and `record`, sealed.
    pub fn put(&self, record: &Record, files: &[(&str, Vec<u8>)]) -> Result<(), LedgerError> {
        if !Self::valid_id(&record.id) {
            return Err(LedgerError::Write(format!(
                "`{}` is not a run id",
                record.id
            )));
        }
        let text =
            serde_json::to_vec_pretty(record).map_err(|e| LedgerError::Write(e.to_string()))?;
        let mut all: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        all.push((RECORD, &text));
        self.entries
            .put(&record.id, &all)
            .map_err(|e| LedgerError::Write(e.to_string()))
    }

    /// Every complete, trusted record, newest first.
    pub fn list(&self) -> Vec<Record> {
        let Ok(ids) = self.entries.entries() else {
            return Vec::new();
        };
        let mut records: Vec<Record> = ids.iter().filter_map(|id| self.get(id)).collect();
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

    fn ledger(dir: &Path, data: &Path) -> Ledger {
        let root = std::fs::canonicalize(dir).expect("real");
        Ledger::new(&root, Key::load_or_create(data).expect("key"))
    }

    #[test]
    fn stores_reads_and_lists_newest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        let ledger = ledger(dir.path(), data.path());
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
        // A record moved under another id is not that id's.
        let c = "c".repeat(64);
        let dirs = dir.path().join(".portsim/ledger");
        std::fs::rename(dirs.join(&b), dirs.join(&c)).expect("rename");
        assert!(ledger.get(&c).is_none());
    }
}
