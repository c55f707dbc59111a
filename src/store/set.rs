//! `--out DIR`: the files of one run written as one whole set.
//!
//! A directory of results is only useful if its files belong together: a
//! `results.json` of one seed beside CSVs of another is worse than no
//! results. Per-file atomic writes (see `write`) are not enough for that,
//! so a set is written in phases:
//!
//! 1. **lock**: [`DirLock::acquire`] takes an exclusive advisory lock
//!    (`flock`) on `DIR/.portsim.lock` for the whole run, and refuses a
//!    second run on a directory already in use. The operating system drops
//!    the lock when the process ends, however it ends, so a killed run
//!    never leaves a stale lock behind. The lock must be a regular file
//!    (or nothing yet): it is opened without blocking and checked on the
//!    handle, so a FIFO, a directory, a device or a link to one there is
//!    refused with a message, never waited on;
//! 2. **stage**: every file is written to a temporary beside its target
//!    and flushed. If any of them fails (a full disk), the temporaries are
//!    removed and the previous set is left exactly as it was;
//! 3. **commit**: the old `manifest.json` is removed, the files are renamed
//!    into place one by one, files of the old set that the new one does
//!    not have are removed (never an input of the command), and
//!    `manifest.json` is written **last**.
//!
//! Every file of the set goes through [`super::write::target`], so a set
//! never replaces an input of the command, a device or a FIFO.
//!
//! `manifest.json` lists every file of the set with its SHA-256 and size,
//! the run's id (see `identity`), whether the run was complete and how many
//! replications it holds. A reader tells a whole set from a mixed one by
//! checking that the manifest exists and that every file it lists has the
//! listed hash; a set caught half-committed (a crash in phase 3) has no
//! manifest, or files whose hashes do not match it. The run id also
//! appears in `results.json` (`manifest.run_id`).

use std::fs::File;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::identity::bytes_hash;
use super::read::{self, kind_of};
use super::write::{self, WriteError};

/// The manifest's file name, written last.
pub const MANIFEST: &str = "manifest.json";
/// The lock file's name (empty; safe to delete when no run is using the
/// directory).
pub const LOCK: &str = ".portsim.lock";
/// Largest manifest read back, in bytes (one line per file of the set).
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Why a set could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// The directory cannot be made or opened.
    #[error("cannot use `{}` as the output directory: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The path exists and is not a directory.
    #[error("`{}` is not a directory; --out takes a directory for the set of result files", path.display())]
    NotDir {
        /// The path.
        path: PathBuf,
    },
    /// The lock file is not a regular file.
    #[error("cannot lock the output directory `{}`: `{LOCK}` there is {kind}, not a regular file; remove it (no portsim run uses it) or choose another --out", path.display())]
    Lock {
        /// The directory.
        path: PathBuf,
        /// "a FIFO (named pipe)", "a directory", …
        kind: &'static str,
    },
    /// Another run holds the lock.
    #[error("output directory `{}` is in use by another portsim run (it holds the lock on `{LOCK}`); wait for it to finish or choose another --out", path.display())]
    InUse {
        /// The directory.
        path: PathBuf,
    },
    /// A file could not be staged; nothing was changed.
    #[error("{source}; the previous results in `{}` are left whole", dir.display())]
    Stage {
        /// The directory.
        dir: PathBuf,
        /// The failed write.
        #[source]
        source: WriteError,
    },
    /// Committing failed part-way; the directory has no manifest.
    #[error("{source}; `{}` now holds an incomplete set (no {MANIFEST})", dir.display())]
    Commit {
        /// The directory.
        dir: PathBuf,
        /// The failed step.
        #[source]
        source: WriteError,
    },
}

/// An exclusive lock on an output directory, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    dir: PathBuf,
    _file: File,
}

impl DirLock {
    /// Creates `dir` if needed and locks it, without waiting: a directory
    /// another run holds is refused at once.
    pub fn acquire(dir: &Path) -> Result<DirLock, SetError> {
        let err = |source| SetError::Dir {
            path: dir.to_owned(),
            source,
        };
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(SetError::NotDir {
                    path: dir.to_owned(),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(err)?;
            }
            Err(e) => return Err(err(e)),
        }
        let file = open_lock(dir)?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock {
                dir: dir.to_owned(),
                _file: file,
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(SetError::InUse {
                path: dir.to_owned(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
        }
    }

    /// The locked directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Opens (or creates) the lock file of `dir`, a regular file: anything
/// else there is refused before it is opened and again on the handle,
/// which is opened without blocking (a FIFO never waits for a reader).
fn open_lock(dir: &Path) -> Result<File, SetError> {
    let path = dir.join(LOCK);
    let refuse = |kind| SetError::Lock {
        path: dir.to_owned(),
        kind,
    };
    let err = |source| SetError::Dir {
        path: dir.to_owned(),
        source,
    };
    match std::fs::metadata(&path) {
        Ok(m) if !m.is_file() => return Err(refuse(kind_of(m.file_type()))),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = match options.open(&path) {
        Ok(file) => file,
        // A FIFO that appeared after the check, without a reader.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(refuse("a FIFO (named pipe)"));
        }
        Err(e) => return Err(err(e)),
    };
    let meta = file.metadata().map_err(err)?;
    if !meta.is_file() {
        return Err(refuse(kind_of(meta.file_type())));
    }
    Ok(file)
}

/// What `manifest.json` says besides the files.
#[derive(Clone, Debug)]
pub struct SetInfo {
    /// The run's id.
    pub run_id: String,
    /// What the id is derived from (`RunIdentity::to_json`).
    pub identity: Value,
    /// Whether every requested replication completed.
    pub complete: bool,
    /// Replications the set holds.
    pub replications: u64,
    /// Replications requested.
    pub replications_requested: u64,
}

/// The manifest of `files` (names and bytes, in set order).
pub fn manifest(files: &[(String, Vec<u8>)], info: &SetInfo) -> Vec<u8> {
    let list: Vec<Value> = files
        .iter()
        .map(|(name, bytes)| {
            json!({
                "name": name,
                "sha256": bytes_hash(bytes),
                "bytes": bytes.len(),
            })
        })
        .collect();
    let doc = json!({
        "portsim_version": env!("CARGO_PKG_VERSION"),
        "run_id": info.run_id,
        "run": info.identity,
        "complete": info.complete,
        "replications": info.replications,
        "replications_requested": info.replications_requested,
        "files": list,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Writes `files` (plain names and their bytes) into the locked directory
/// as one set, `manifest.json` last.
pub fn write_set(
    lock: &DirLock,
    files: &[(String, Vec<u8>)],
    info: &SetInfo,
) -> Result<(), SetError> {
    write_set_with(lock, files, info, &|target, bytes| {
        write::temporary(target, bytes)
    })
}

/// Makes one staged temporary file (a seam for tests to fail on).
type Stager<'a> = dyn Fn(&Path, &[u8]) -> std::io::Result<tempfile::NamedTempFile> + 'a;

fn write_set_with(
    lock: &DirLock,
    files: &[(String, Vec<u8>)],
    info: &SetInfo,
    stage: &Stager,
) -> Result<(), SetError> {
    let dir = lock.dir();
    let mut staged = stage_all(dir, files, stage, info)?;
    let manifest = staged.pop().ok_or_else(|| SetError::Stage {
        dir: dir.to_owned(),
        source: io_error(dir, std::io::Error::other("nothing staged")),
    })?;
    commit(dir, files, staged, manifest)
}

/// A file staged: its path in the set, where it will land (links
/// followed), and the flushed temporary.
type Staged = (PathBuf, PathBuf, tempfile::NamedTempFile);

/// Step 1: every file, then the manifest, to a temporary. On failure the
/// temporaries made so far drop, and vanish; nothing else was touched.
fn stage_all(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    stage: &Stager,
    info: &SetInfo,
) -> Result<Vec<Staged>, SetError> {
    let staging = |source| SetError::Stage {
        dir: dir.to_owned(),
        source,
    };
    let listed = manifest(files, info);
    let all = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain([(MANIFEST, listed.as_slice())]);
    let mut staged = Vec::with_capacity(files.len() + 1);
    for (name, bytes) in all {
        let path = dir.join(name);
        let target = write::target(&path).map_err(staging)?;
        let tmp = stage(&target, bytes).map_err(|e| staging(io_error(&path, e)))?;
        staged.push((path, target, tmp));
    }
    Ok(staged)
}

/// Steps 2 and 3: no manifest while the files change, then the files, the
/// removal of the old set's leftovers, and the manifest last.
fn commit(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    staged: Vec<Staged>,
    (manifest_path, manifest_target, manifest_tmp): Staged,
) -> Result<(), SetError> {
    let committing = |source| SetError::Commit {
        dir: dir.to_owned(),
        source,
    };
    let old = old_files(&manifest_target);
    match std::fs::remove_file(&manifest_target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(SetError::Stage {
                dir: dir.to_owned(),
                source: io_error(&manifest_path, e),
            });
        }
    }
    for (path, target, tmp) in staged {
        tmp.persist(&target)
            .map_err(|e| committing(io_error(&path, e.error)))?;
    }
    for name in old {
        let path = dir.join(&name);
        // Never an input of the command (a set only replaces its own).
        if !files.iter().any(|(n, _)| *n == name) && write::replaceable(&path).is_ok() {
            let _ = std::fs::remove_file(path);
        }
    }
    manifest_tmp
        .persist(&manifest_target)
        .map_err(|e| committing(io_error(&manifest_path, e.error)))?;
    // Make the renames durable; a directory that cannot be synced (some
    // file systems) still holds a whole set.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn io_error(path: &Path, source: std::io::Error) -> WriteError {
    WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The plain file names the previous manifest listed (none if it is
/// missing or unreadable). Only names without a path separator count, so
/// a doctored manifest cannot make portsim remove files elsewhere.
fn old_files(manifest: &Path) -> Vec<String> {
    let Ok(bytes) = read_manifest(manifest) else {
        return Vec::new();
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
        return Vec::new();
    };
    doc["files"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|f| f["name"].as_str())
                .filter(|n| {
                    !n.is_empty()
                        && !n.contains(['/', '\\'])
                        && *n != "."
                        && *n != ".."
                        && *n != LOCK
                        && *n != MANIFEST
                })
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Checks a set the way a reader should: the manifest exists, parses, and
/// every file it lists has the listed hash. Returns the manifest.
pub fn verify(dir: &Path) -> Result<Value, String> {
    let bytes = read_manifest(&dir.join(MANIFEST)).map_err(|e| format!("no {MANIFEST}: {e}"))?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{MANIFEST}: {e}"))?;
    let files = doc["files"]
        .as_array()
        .ok_or_else(|| format!("{MANIFEST} lists no files"))?;
    for f in files {
        let name = f["name"].as_str().ok_or("a file without a name")?;
        let bytes = read::read_regular(&dir.join(name), u64::MAX, "a file of the set", "")
            .map_err(|e| format!("`{name}`: {e}"))?;
        if f["sha256"].as_str() != Some(bytes_hash(&bytes).as_str()) {
            return Err(format!("`{name}` does not match {MANIFEST}"));
        }
    }
    Ok(doc)
}

/// A manifest's bytes, read by the store's reading rule.
fn read_manifest(path: &Path) -> Result<Vec<u8>, read::ReadError> {
    read::read_regular(
        path,
        MAX_MANIFEST_BYTES,
        "a manifest",
        "one line per file of the set",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str) -> SetInfo {
        SetInfo {
            run_id: id.to_owned(),
            identity: json!({}),
            complete: true,
            replications: 2,
            replications_requested: 2,
        }
    }

    fn set(tag: &str) -> Vec<(String, Vec<u8>)> {
        ["a.json", "b.csv", "c.csv"]
            .iter()
            .map(|n| ((*n).to_owned(), format!("{n} of {tag}").into_bytes()))
            .collect()
    }

    #[test]
    fn a_set_is_written_whole_with_its_manifest_last() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = DirLock::acquire(&dir.path().join("out")).expect("lock");
        write_set(&lock, &set("one"), &info("1")).expect("write");
        let doc = verify(lock.dir()).expect("whole");
        assert_eq!(doc["run_id"], "1");
        assert_eq!(doc["files"].as_array().map(Vec::len), Some(3));
        // A second set replaces the first, and drops files it lacks.
        let mut two = set("two");
        two.pop();
        write_set(&lock, &two, &info("2")).expect("write");
        assert_eq!(verify(lock.dir()).expect("whole")["run_id"], "2");
        assert!(!lock.dir().join("c.csv").exists());
        let names: Vec<String> = std::fs::read_dir(lock.dir())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn a_failure_while_staging_leaves_the_previous_set_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = DirLock::acquire(dir.path()).expect("lock");
        write_set(&lock, &set("one"), &info("1")).expect("write");
        let calls = std::cell::Cell::new(0);
        let failing = |target: &Path, bytes: &[u8]| {
            calls.set(calls.get() + 1);
            if calls.get() == 3 {
                Err(std::io::Error::from_raw_os_error(28))
            } else {
                write::temporary(target, bytes)
            }
        };
        let e = write_set_with(&lock, &set("two"), &info("2"), &failing).expect_err("full");
        assert!(e.to_string().contains("left whole"), "{e}");
        assert_eq!(verify(lock.dir()).expect("whole")["run_id"], "1");
        assert_eq!(
            std::fs::read(lock.dir().join("b.csv")).expect("read"),
            b"b.csv of one"
        );
        let leftovers = std::fs::read_dir(lock.dir())
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn a_second_lock_on_one_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = DirLock::acquire(dir.path()).expect("lock");
        let e = DirLock::acquire(dir.path()).expect_err("in use");
        assert!(e.to_string().contains("in use"), "{e}");
        drop(first);
        DirLock::acquire(dir.path()).expect("free again");
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").expect("write");
        let e = DirLock::acquire(&file).expect_err("not a directory");
        assert!(e.to_string().contains("not a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_that_is_not_a_regular_file_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(LOCK))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let e = DirLock::acquire(dir.path()).expect_err("a FIFO");
        assert!(e.to_string().contains("is a FIFO (named pipe)"), "{e}");
        std::fs::remove_file(dir.path().join(LOCK)).expect("remove");
        std::fs::create_dir(dir.path().join(LOCK)).expect("dir");
        let e = DirLock::acquire(dir.path()).expect_err("a directory");
        assert!(e.to_string().contains("is a directory"), "{e}");
    }

    #[test]
    fn a_doctored_manifest_cannot_remove_files_elsewhere() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let lock = DirLock::acquire(&out).expect("lock");
        std::fs::write(dir.path().join("precious"), b"x").expect("write");
        std::fs::write(
            out.join(MANIFEST),
            br#"{"files": [{"name": "../precious"}, {"name": ".portsim.lock"}]}"#,
        )
        .expect("write");
        write_set(&lock, &set("one"), &info("1")).expect("write");
        assert!(dir.path().join("precious").exists());
        assert!(out.join(LOCK).exists());
    }
}
