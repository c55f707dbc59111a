//! A file that arrives in pieces (an upload), written so that it appears
//! under its name whole or not at all.
//!
//! [`Incoming::begin`] checks the name and opens a hidden temporary file
//! (`.portsim-*.tmp`) in the same folder; [`Incoming::write`] appends each
//! piece as it comes, so memory holds one piece at a time, never the
//! file; [`Incoming::finish`] flushes it to disk and renames it to the
//! name. Dropping an `Incoming` that was not finished (the sender went
//! away, the size limit was passed, the server stopped) removes the
//! temporary file: a half-written upload never appears under the name.
//!
//! The name itself is never followed: a symbolic link there, a directory,
//! FIFO, device or socket is refused before anything is written, and
//! again just before the rename. An existing regular file is refused too
//! unless the caller says to replace it ([`Replace::Yes`]); without it the
//! rename is one that never replaces (`persist_noclobber`), so a file that
//! appears under the name meanwhile is not lost either.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::read::kind_of;

/// Whether an existing regular file at the name may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Never: an existing file is refused ([`IncomingError::Exists`]).
    No,
    /// Yes, a regular file (never a link or anything else).
    Yes,
}

/// Why an incoming file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum IncomingError {
    /// A regular file is already there, and replacing was not asked for.
    #[error("`{}` already exists; replace it only if you mean to (confirm the overwrite)", path.display())]
    Exists {
        /// The name.
        path: PathBuf,
    },
    /// Something other than a regular file is at the name.
    #[error("cannot write `{}`: it is {kind}; an upload never replaces one", path.display())]
    NotRegular {
        /// The name.
        path: PathBuf,
        /// "a symbolic link", "a directory", …
        kind: &'static str,
    },
    /// The operating system refused.
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        /// The name.
        path: PathBuf,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
}

/// A file being written; see the module's documentation.
#[derive(Debug)]
pub struct Incoming {
    path: PathBuf,
    replace: Replace,
    tmp: tempfile::NamedTempFile,
    bytes: u64,
}

/// Refuses what is at `path` unless it is nothing, or a regular file that
/// may be replaced; never follows a link.
fn check(path: &Path, replace: Replace) -> Result<(), IncomingError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(IncomingError::Io {
            path: path.to_owned(),
            source,
        }),
        Ok(m) if m.file_type().is_symlink() => Err(IncomingError::NotRegular {
            path: path.to_owned(),
            kind: "a symbolic link",
        }),
        Ok(m) if !m.is_file() => Err(IncomingError::NotRegular {
            path: path.to_owned(),
            kind: kind_of(m.file_type()),
        }),
        Ok(_) if replace == Replace::No => Err(IncomingError::Exists {
            path: path.to_owned(),
        }),
        Ok(_) => Ok(()),
    }
}

impl Incoming {
    /// Starts the file `path` (whose folder must exist), refusing what is
    /// at the name as the module says.
    pub fn begin(path: &Path, replace: Replace) -> Result<Incoming, IncomingError> {
        check(path, replace)?;
        let io = |source| IncomingError::Io {
            path: path.to_owned(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".portsim-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(io)?;
        Ok(Incoming {
            path: path.to_owned(),
            replace,
            tmp,
            bytes: 0,
        })
    }

    /// Appends `piece`.
    pub fn write(&mut self, piece: &[u8]) -> Result<(), IncomingError> {
        self.tmp
            .write_all(piece)
            .map_err(|source| IncomingError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.bytes += piece.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes the file and gives it its name (rw-r--r--); returns its
    /// size.
    pub fn finish(self) -> Result<u64, IncomingError> {
        let Incoming {
            path,
            replace,
            tmp,
            bytes,
        } = self;
        let io = |source| IncomingError::Io {
            path: path.clone(),
            source,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(io)?;
        }
        tmp.as_file().sync_all().map_err(io)?;
        check(&path, replace)?;
        match replace {
            Replace::No => tmp.persist_noclobber(&path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    IncomingError::Exists { path: path.clone() }
                } else {
                    io(e.error)
                }
            })?,
            Replace::Yes => tmp.persist(&path).map_err(|e| io(e.error))?,
        };
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn arrives_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log.csv");
        let mut f = Incoming::begin(&path, Replace::No).expect("begin");
        f.write(b"truck,time\n").expect("write");
        assert!(!path.exists(), "nothing under the name before the end");
        f.write(b"T1,2025-03-03 08:00\n").expect("write");
        assert_eq!(f.bytes(), 31);
        assert_eq!(f.finish().expect("finish"), 31);
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"truck,time\nT1,2025-03-03 08:00\n"
        );
        assert_eq!(names(dir.path()), ["log.csv"]);
        // Dropped half-way: neither the name nor a temporary is left.
        let other = dir.path().join("other.csv");
        let mut g = Incoming::begin(&other, Replace::No).expect("begin");
        g.write(b"half").expect("write");
        drop(g);
        assert_eq!(names(dir.path()), ["log.csv"]);
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log.csv");
        std::fs::write(&path, b"old").expect("write");
        let e = Incoming::begin(&path, Replace::No).expect_err("exists");
        assert!(matches!(e, IncomingError::Exists { .. }), "{e}");
        let mut f = Incoming::begin(&path, Replace::Yes).expect("begin");
        f.write(b"new").expect("write");
        f.finish().expect("finish");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        // A file that appears under the name meanwhile is kept.
        let late = dir.path().join("late.csv");
        let mut g = Incoming::begin(&late, Replace::No).expect("begin");
        g.write(b"mine").expect("write");
        std::fs::write(&late, b"theirs").expect("write");
        assert!(matches!(g.finish(), Err(IncomingError::Exists { .. })));
        assert_eq!(std::fs::read(&late).expect("read"), b"theirs");
        assert_eq!(names(dir.path()), ["late.csv", "log.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_directory_at_the_name_is_refused_even_to_replace() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let victim = outside.path().join("victim.csv");
        std::fs::write(&victim, b"precious").expect("write");
        let link = dir.path().join("log.csv");
        std::os::unix::fs::symlink(&victim, &link).expect("link");
        let dangling = dir.path().join("new.csv");
        std::os::unix::fs::symlink(outside.path().join("made.csv"), &dangling).expect("link");
        std::fs::create_dir(dir.path().join("folder.csv")).expect("dir");
        for name in ["log.csv", "new.csv", "folder.csv"] {
            for replace in [Replace::No, Replace::Yes] {
                let e = Incoming::begin(&dir.path().join(name), replace).expect_err(name);
                assert!(matches!(e, IncomingError::NotRegular { .. }), "{name}: {e}");
            }
        }
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(!outside.path().join("made.csv").exists());
        // A link planted while the upload runs is not replaced either.
        let path = dir.path().join("race.csv");
        let mut f = Incoming::begin(&path, Replace::Yes).expect("begin");
        f.write(b"x").expect("write");
        std::os::unix::fs::symlink(&victim, &path).expect("link");
        assert!(matches!(f.finish(), Err(IncomingError::NotRegular { .. })));
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
    }
}
