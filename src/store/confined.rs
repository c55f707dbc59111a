//! A store inside a workspace (the web app's ledger,
//! `WORKSPACE/.portsim/ledger/`): entries (folders) of files, every path
//! confined to the workspace's real path.
//!
//! A workspace may be shared or cloned, so anything in it may have been
//! planted. The store therefore never follows a link and never reads
//! anything but a regular file:
//!
//! * the store's own folders (`.portsim`, `ledger`) must be real folders:
//!   a link there (which would relocate the whole store) or any other file
//!   is refused, for reading and for writing, with an error that names it
//!   relative to the workspace;
//! * below them, an entry's folder or file that is not what it should be
//!   (a link, a FIFO, a device, a socket; a folder where a file belongs) is
//!   treated as absent when reading, and replaced when writing: a file is
//!   written to a temporary file in the entry's real folder and renamed
//!   over the name, which replaces a link itself, never its target;
//! * every file is opened with `O_NOFOLLOW` and `O_NONBLOCK` and checked on
//!   the handle ([`super::read::open_regular_here`]), and read up to a
//!   limit, so a FIFO never blocks and `/dev/zero` is never read;
//! * before anything is created in an entry's folder, its real path is
//!   checked to be the expected path inside the workspace.
//!
//! Nothing is ever created outside the workspace's real path. Names are
//! plain (no `/`, `..` or leading `.`), checked here. What the checks do
//! not cover is another process swapping a folder for a link between the
//! check and the write: the store guards against what a workspace holds,
//! not against a process racing the server on the same machine.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::identity::hex;
use super::read::{self, kind_of};

/// Why the store cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// One of the store's own folders is not a real folder.
    #[error(
        "cannot {doing} `{file}`: `{folder}` in the workspace is {kind}, not a folder; portsim keeps its results only in a real folder inside the workspace, so remove it (whatever it points at is left alone)"
    )]
    NotFolder {
        /// "read" or "write".
        doing: &'static str,
        /// The file (or folder) being read or written, relative to the
        /// workspace.
        file: String,
        /// The folder that is not one, relative to the workspace.
        folder: String,
        /// "a symbolic link", "a FIFO (named pipe)", …
        kind: &'static str,
    },
    /// A name that is not a plain file name.
    #[error("`{0}` is not a plain name")]
    BadName(String),
    /// The operating system refused.
    #[error("cannot write `{path}` in the workspace: {source}")]
    Io {
        /// The file or folder, relative to the workspace.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An entry's folder is not where it should be (a link appeared).
    #[error("`{0}` in the workspace does not lead where it should (a link?); nothing was written")]
    Moved(String),
}

/// A store of entries in the folder `base` of a workspace.
#[derive(Clone, Debug)]
pub struct Confined {
    /// The workspace's real path.
    root: PathBuf,
    /// The store's folder, relative to the workspace (plain names).
    base: Vec<String>,
}

/// Whether `name` is a plain file or folder name.
pub fn plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
}

/// What a file's type is called, links included.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_file() {
        "a file"
    } else {
        kind_of(meta.file_type())
    }
}

impl Confined {
    /// The store in folder `base` (for example `[".portsim", "ledger"]`) of
    /// the workspace whose real path is `root`. Nothing is touched yet.
    pub fn new(root: &Path, base: &[&str]) -> Confined {
        Confined {
            root: root.to_path_buf(),
            base: base.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `parts` joined below the workspace, as messages show them.
    fn shown(&self, parts: &[&str]) -> String {
        let mut all: Vec<&str> = self.base.iter().map(String::as_str).collect();
        all.extend(parts);
        all.join("/")
    }

    /// The store's folder, each of its folders checked to be a real
    /// folder; `None` if one is missing and `create` is false. `target`
    /// (below the store) names what is read or written, for messages.
    fn base_dir(&self, create: bool, target: &[&str]) -> Result<Option<PathBuf>, StoreError> {
        let mut path = self.root.clone();
        for (i, part) in self.base.iter().enumerate() {
            path.push(part);
            let shown = || self.base[..=i].join("/");
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {}
                Ok(m) => {
                    return Err(StoreError::NotFolder {
                        doing: if create { "write" } else { "read" },
                        file: self.shown(target),
                        folder: shown(),
                        kind: kind(&m),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                    std::fs::create_dir(&path)
                        .or_else(|e| match e.kind() {
                            std::io::ErrorKind::AlreadyExists => Ok(()),
                            _ => Err(e),
                        })
                        .map_err(|source| StoreError::Io {
                            path: shown(),
                            source,
                        })?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(source) => {
                    return Err(StoreError::Io {
                        path: shown(),
                        source,
                    });
                }
            }
        }
        Ok(Some(path))
    }

    /// The entries: the real folders in the store, by name.
    pub fn entries(&self) -> Result<Vec<String>, StoreError> {
        let Some(base) = self.base_dir(false, &[])? else {
            return Ok(Vec::new());
        };
        let Ok(list) = std::fs::read_dir(&base) else {
            return Ok(Vec::new());
        };
        Ok(list
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| plain(n))
            .collect())
    }

    /// The path of file `name` of `entry`, if the entry is a real folder
    /// and the file a regular file, neither of them a link.
    fn existing(&self, entry: &str, name: &str) -> Result<Option<PathBuf>, StoreError> {
        if !plain(entry) || !plain(name) {
            return Ok(None);
        }
        let Some(base) = self.base_dir(false, &[entry, name])? else {
            return Ok(None);
        };
        let dir = base.join(entry);
        if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            return Ok(None);
        }
        Ok(Some(dir.join(name)))
    }

    /// File `name` of `entry`, if it is there as a regular file of at most
    /// `limit` bytes (anything else is absent).
    pub fn read(&self, entry: &str, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.existing(entry, name)? else {
            return Ok(None);
        };
        let bytes = read::open_regular_here(&path)
            .and_then(|f| read::read_limited(f, limit, "a stored file", "within the limit"));
        Ok(bytes.ok())
    }

    /// The SHA-256 (hex) and size of file `name` of `entry`, read as
    /// [`read`](Self::read) reads, without holding it in memory.
    pub fn hash(
        &self,
        entry: &str,
        name: &str,
        limit: u64,
    ) -> Result<Option<(String, u64)>, StoreError> {
        let Some(path) = self.existing(entry, name)? else {
            return Ok(None);
        };
        let Ok(file) = read::open_regular_here(&path) else {
            return Ok(None);
        };
        let mut hasher = Sha256::new();
        let mut limited = std::io::Read::take(file, limit.saturating_add(1));
        let mut buffer = vec![0u8; 64 << 10];
        let mut n = 0u64;
        loop {
            match std::io::Read::read(&mut limited, &mut buffer) {
                Ok(0) => break,
                Ok(k) => {
                    hasher.update(&buffer[..k]);
                    n += k as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Ok(None),
            }
        }
        if n > limit {
            return Ok(None);
        }
        Ok(Some((hex(&hasher.finalize()), n)))
    }

    /// The real folder of `entry`, made (or remade, in place of whatever
    /// else is at its name) if needed, and checked to lead where it should.
    fn entry_dir(&self, entry: &str, name: &str) -> Result<PathBuf, StoreError> {
        if !plain(entry) {
            return Err(StoreError::BadName(entry.to_owned()));
        }
        let base = self
            .base_dir(true, &[entry, name])?
            .ok_or_else(|| StoreError::Moved(self.shown(&[])))?;
        let dir = base.join(entry);
        let io = |source| StoreError::Io {
            path: self.shown(&[entry]),
            source,
        };
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                // A link, FIFO, device or file at the entry's name: only the
                // name is removed (never what a link points at).
                std::fs::remove_file(&dir).map_err(io)?;
                std::fs::create_dir(&dir).map_err(io)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&dir).map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
        let real = std::fs::canonicalize(&dir).map_err(io)?;
        if real != dir || !real.starts_with(&self.root) {
            return Err(StoreError::Moved(self.shown(&[entry])));
        }
        Ok(dir)
    }

    /// Writes `bytes` as file `name` of `entry`, atomically, replacing
    /// whatever is at the name (a link itself, never its target).
    pub fn write(&self, entry: &str, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        if !plain(name) {
            return Err(StoreError::BadName(name.to_owned()));
        }
        let dir = self.entry_dir(entry, name)?;
        let path = dir.join(name);
        let io = |source| StoreError::Io {
            path: self.shown(&[entry, name]),
            source,
        };
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(&path).map_err(io)?;
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".portsim-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(io)?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Removes file `name` of `entry` (a link itself, never its target),
    /// if it is there.
    pub fn remove(&self, entry: &str, name: &str) -> Result<(), StoreError> {
        // The store's folders are checked (and made) as for a write.
        self.base_dir(true, &[entry, name])?;
        let Some(path) = self.existing(entry, name)? else {
            return Ok(());
        };
        let removed = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
            Ok(_) => std::fs::remove_file(&path),
            Err(_) => Ok(()),
        };
        removed.map_err(|source| StoreError::Io {
            path: self.shown(&[entry, name]),
            source,
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn store(root: &Path) -> Confined {
        Confined::new(
            &std::fs::canonicalize(root).expect("real"),
            &[".portsim", "ledger"],
        )
    }

    #[test]
    fn entries_are_written_and_read_inside_the_workspace() {
        let ws = tempfile::tempdir().expect("tempdir");
        let s = store(ws.path());
        assert_eq!(s.read("e", "a.json", 10).expect("usable"), None);
        assert!(s.entries().expect("usable").is_empty());
        s.write("e", "a.json", b"{}").expect("write");
        assert_eq!(
            s.read("e", "a.json", 10).expect("usable").as_deref(),
            Some(&b"{}"[..])
        );
        assert_eq!(
            s.read("e", "a.json", 1).expect("usable"),
            None,
            "over the limit"
        );
        assert_eq!(s.entries().expect("usable"), ["e"]);
        let (hash, n) = s.hash("e", "a.json", 10).expect("usable").expect("there");
        assert_eq!(
            (hash.as_str(), n),
            (crate::store::identity::bytes_hash(b"{}").as_str(), 2)
        );
        for bad in ["", "..", ".hidden", "a/b"] {
            assert!(s.write("e", bad, b"x").is_err(), "{bad}");
            assert!(s.write(bad, "a.json", b"x").is_err(), "{bad}");
            assert_eq!(s.read(bad, "a.json", 10).expect("usable"), None, "{bad}");
        }
    }

    #[test]
    fn links_are_never_followed_and_are_replaced_when_writing() {
        let ws = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").expect("write");
        let s = store(ws.path());
        s.write("e", "keep", b"x").expect("write");
        let e = ws.path().join(".portsim/ledger/e");
        symlink(&victim, e.join("a")).expect("link");
        symlink(outside.path().join("new"), e.join("b")).expect("link");
        assert_eq!(
            s.read("e", "a", 100).expect("usable"),
            None,
            "a link is absent"
        );
        s.write("e", "a", b"mine").expect("write");
        s.write("e", "b", b"mine").expect("write");
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(!outside.path().join("new").exists());
        assert!(
            std::fs::symlink_metadata(e.join("a"))
                .expect("there")
                .is_file()
        );
        // An entry's folder that is a link: absent, then replaced.
        symlink(outside.path(), ws.path().join(".portsim/ledger/f")).expect("link");
        std::fs::write(outside.path().join("a"), b"planted").expect("write");
        assert_eq!(s.read("f", "a", 100).expect("usable"), None);
        assert!(!s.entries().expect("usable").contains(&"f".to_owned()));
        s.write("f", "a", b"mine").expect("write");
        assert_eq!(
            std::fs::read(outside.path().join("a")).expect("read"),
            b"planted"
        );
        assert!(
            std::fs::symlink_metadata(ws.path().join(".portsim/ledger/f"))
                .expect("there")
                .is_dir()
        );
    }

    #[test]
    fn a_linked_store_folder_is_refused_for_reading_and_writing() {
        let ws = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(elsewhere.path().join("ledger/e")).expect("dirs");
        std::fs::write(elsewhere.path().join("ledger/e/a"), b"planted").expect("write");
        symlink(elsewhere.path(), ws.path().join(".portsim")).expect("link");
        let s = store(ws.path());
        let e = s.read("e", "a", 100).expect_err("refused").to_string();
        assert!(
            e.starts_with(
                "cannot read `.portsim/ledger/e/a`: `.portsim` in the workspace is a symbolic link"
            ),
            "{e}"
        );
        let w = s.write("g", "a", b"x").expect_err("refused").to_string();
        assert!(
            w.starts_with("cannot write `.portsim/ledger/g/a`: `.portsim`"),
            "{w}"
        );
        assert!(s.entries().is_err());
        assert!(s.write("g", "a", b"x").is_err());
        assert!(!elsewhere.path().join("ledger/g").exists());
    }

    #[test]
    fn fifos_and_devices_are_absent() {
        let ws = tempfile::tempdir().expect("tempdir");
        let s = store(ws.path());
        s.write("e", "keep", b"x").expect("write");
        let e = ws.path().join(".portsim/ledger/e");
        let made = std::process::Command::new("mkfifo")
            .arg(e.join("fifo"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        symlink("/dev/zero", e.join("zero")).expect("link");
        std::fs::create_dir(e.join("dir")).expect("dir");
        for name in ["fifo", "zero", "dir"] {
            assert_eq!(s.read("e", name, 1 << 30).expect("usable"), None, "{name}");
            assert_eq!(s.hash("e", name, 1 << 30).expect("usable"), None, "{name}");
            s.write("e", name, b"ok").expect(name);
            assert_eq!(
                s.read("e", name, 10).expect("usable").as_deref(),
                Some(&b"ok"[..])
            );
        }
    }
}
