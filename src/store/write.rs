//! Atomic file output: write to a temporary file beside the target, then
//! rename it over the target.
//!
//! A rename within one directory is atomic on the platforms portsim runs
//! on, so a reader (or a later run) sees either the old file whole or the
//! new file whole, never a half-written one.
//!
//! An output never replaces what it points at:
//! * a symbolic link is followed to its final target, and the temporary is
//!   made in the *target's* directory, so the link stays a link and the
//!   file it names is the one updated (atomically);
//! * a target that exists but is not a regular file (a directory, a
//!   device such as `/dev/null`, a FIFO, a socket) is refused before
//!   anything is written: renaming over it would replace the device node
//!   or pipe with a plain file. Standard output is spelt `-` and handled by
//!   the command line, never by this module;
//! * a path written with a trailing `/` names a directory and is refused
//!   with a message that says so;
//! * a target that is one of the command's own inputs (see
//!   [`super::inputs`]) is refused before anything is written, whatever
//!   name it is given (a path with `..`, a link, a hard link). The one
//!   file a command rewrites on purpose, the baseline of `check
//!   --update-baseline`, is written with [`rewrite_input`].
//!
//! Files that portsim owns rather than the user (the points a study keeps)
//! are written with [`replace`] instead: the name itself is replaced, never
//! what a link there points at, and anything at the name that is not a
//! regular file (a link, a FIFO, a device, a directory) is treated as a
//! damaged entry and replaced by a regular file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::inputs;
use super::read::kind_of;

/// How many symbolic links are followed before giving up (as the kernel's
/// `ELOOP`).
const MAX_LINKS: usize = 40;

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The operating system refused.
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The target exists and is not a regular file.
    #[error("cannot write `{}`: it is {kind}, not a regular file{hint}", path.display())]
    NotRegular {
        /// The path as given.
        path: PathBuf,
        /// "a directory", "a character device", …
        kind: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// A name ending in `/`.
    #[error("cannot write `{}`: a name ending in `/` is a directory; give a file name inside it, like `{}report.html`", path.display(), path.display())]
    DirectoryName {
        /// The path as given.
        path: PathBuf,
    },
    /// The target is one of the command's own inputs.
    #[error("cannot write `{}`: it is `{}`, {what} this command reads; an output never replaces one of its own inputs, so give the output another name", path.display(), input.display())]
    Input {
        /// The path as given.
        path: PathBuf,
        /// The input, as the command was given it.
        input: PathBuf,
        /// What the input was read as.
        what: &'static str,
    },
    /// Too many symbolic links, or a loop of them.
    #[error("cannot write `{}`: too many levels of symbolic links (more than {MAX_LINKS})", path.display())]
    LinkLoop {
        /// The path as given.
        path: PathBuf,
    },
}

impl WriteError {
    fn io(path: &Path, source: std::io::Error) -> WriteError {
        WriteError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

fn not_regular(path: &Path, kind: &'static str) -> WriteError {
    let hint = if kind == "a directory" {
        "; give a file name inside it, like `DIR/report.html`"
    } else {
        "; portsim never replaces one with a file (to print to standard output, give `-`)"
    };
    WriteError::NotRegular {
        path: path.to_owned(),
        kind,
        hint,
    }
}

/// The file a write to `path` updates: `path` itself, or the final target
/// of the symbolic links it is. Refuses a target that exists and is not a
/// regular file, a path ending in `/`, and an input of the command. The
/// target need not exist yet.
pub fn target(path: &Path) -> Result<PathBuf, WriteError> {
    target_except(path, None)
}

/// [`target`] of a file the command read as `what` and rewrites on
/// purpose (see [`rewrite_input`]): inputs read as `what` are left out.
pub fn rewrite_target(path: &Path, what: &str) -> Result<PathBuf, WriteError> {
    target_except(path, Some(what))
}

/// [`target`], leaving out the inputs read as `except`.
fn target_except(path: &Path, except: Option<&str>) -> Result<PathBuf, WriteError> {
    let target = follow(path)?;
    not_an_input(path, &target, true, except)?;
    Ok(target)
}

/// Refuses a write to `target` (given as `path`) that would replace an
/// input of the command (see [`inputs::find`]).
fn not_an_input(
    path: &Path,
    target: &Path,
    follow: bool,
    except: Option<&str>,
) -> Result<(), WriteError> {
    match inputs::find(target, follow, except) {
        Some(input) => Err(WriteError::Input {
            path: path.to_owned(),
            input: input.path,
            what: input.what,
        }),
        None => Ok(()),
    }
}

/// The final target of `path`'s links, refused if it is not a regular file.
fn follow(path: &Path) -> Result<PathBuf, WriteError> {
    if path.as_os_str().is_empty() {
        return Err(WriteError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the file name is empty"),
        ));
    }
    if ends_with_separator(path) {
        return Err(WriteError::DirectoryName {
            path: path.to_owned(),
        });
    }
    // `metadata` follows every link, including /proc's "magic" links such
    // as /dev/stdout → /proc/self/fd/1 → pipe:[…], which `read_link` cannot
    // resolve into a path: refuse what they lead to first.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err(not_regular(path, kind_of(m.file_type()))),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(WriteError::io(path, e)),
    }
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(WriteError::io(path, e)),
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| WriteError::io(path, e))?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(m) if m.is_file() => return Ok(current),
            Ok(m) => return Err(not_regular(path, kind_of(m.file_type()))),
        }
    }
    Err(WriteError::LinkLoop {
        path: path.to_owned(),
    })
}

fn ends_with_separator(path: &Path) -> bool {
    let text = path.as_os_str().as_encoded_bytes();
    text.last()
        .is_some_and(|&b| std::path::is_separator(char::from(b)))
}

/// The directory a file is in (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// A new file's content written and flushed to a temporary file beside
/// `target`, with the mode the target has (or rw-r--r--), not yet renamed.
pub(super) fn temporary(
    target: &Path,
    contents: &[u8],
) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = parent_of(target);
    let mut tmp = tempfile::Builder::new()
        .prefix(".portsim-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(contents)?;
    // Temporary files are created private (0600); a report is meant to be
    // shared, so give it the replaced file's mode, or rw-r--r--.
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(target).map_or(0o644, |m| m.permissions().mode())
    };
    #[cfg(not(unix))]
    let mode = 0o644;
    shared(tmp.as_file(), mode)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Gives `file` the permission bits `mode` (on Unix).
fn shared(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, mode);
        Ok(())
    }
}

/// Writes `contents` to `path` atomically, creating parent directories.
/// A symbolic link is followed (the file it names is replaced, the link
/// stays); a target that is not a regular file is refused.
pub fn atomic_write(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    write_to(path, &target(path)?, contents)
}

/// [`atomic_write`] of a file the command read as `what` and rewrites on
/// purpose (the baseline of `check --update-baseline`); any other input of
/// the command at that path is still refused.
pub fn rewrite_input(path: &Path, contents: &[u8], what: &str) -> Result<(), WriteError> {
    write_to(path, &target_except(path, Some(what))?, contents)
}

fn write_to(path: &Path, target: &Path, contents: &[u8]) -> Result<(), WriteError> {
    std::fs::create_dir_all(parent_of(target)).map_err(|e| WriteError::io(path, e))?;
    let tmp = temporary(target, contents).map_err(|e| WriteError::io(path, e))?;
    tmp.persist(target)
        .map_err(|e| WriteError::io(path, e.error))?;
    Ok(())
}

/// Refuses to [`replace`] `path` if it is an input of the command; for a
/// check before anything runs.
pub fn replaceable(path: &Path) -> Result<(), WriteError> {
    not_an_input(path, path, false, None)
}

/// Writes `contents` to `path`, a file portsim owns (a kept point),
/// atomically and without following a link at the name: a link, FIFO,
/// device or socket there is replaced by a regular file (the rename
/// replaces the name, never what a link points at), and so is a directory
/// (removed first). The folder is created if needed. An input of the
/// command is refused.
pub fn replace(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    replaceable(path)?;
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir).map_err(|e| WriteError::io(path, e))?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(path).map_err(|e| WriteError::io(path, e))?;
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".portsim-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| WriteError::io(path, e))?;
    tmp.write_all(contents)
        .and_then(|()| shared(tmp.as_file(), 0o644))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| WriteError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| WriteError::io(path, e.error))?;
    Ok(())
}

/// Appends `contents` to the text file at `path` (creating it when there
/// is none), atomically: the file is read (a regular file of at most
/// `limit` bytes), and the old text with `contents` after it written like
/// any output ([`atomic_write`]), so it holds either the old text or all
/// of the new, never part of it.
pub fn atomic_append(path: &Path, contents: &[u8], limit: u64) -> Result<(), WriteError> {
    let target = target(path)?;
    let mut all = match super::read::read_regular(
        &target,
        limit,
        "a file appended to",
        "at most 1 MiB (GitHub's limit for a step summary)",
    ) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => {
            return Err(WriteError::io(
                path,
                std::io::Error::other(format!("cannot append to it: {e}")),
            ));
        }
    };
    all.extend_from_slice(contents);
    atomic_write(path, &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/out.json");
        atomic_write(&path, b"first").expect("write");
        atomic_write(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let entries = std::fs::read_dir(path.parent().expect("parent"))
            .expect("dir")
            .count();
        assert_eq!(entries, 1);
    }

    #[test]
    fn failure_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").expect("write");
        let e = atomic_write(&blocker.join("child.json"), b"y").expect_err("parent is a file");
        assert!(e.to_string().contains("child.json"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_chain_of_relative_links_is_followed_to_its_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        std::fs::create_dir(&real).expect("dir");
        std::fs::write(real.join("report.html"), b"old").expect("write");
        std::os::unix::fs::symlink("real/report.html", dir.path().join("one")).expect("link");
        std::os::unix::fs::symlink("one", dir.path().join("two")).expect("link");
        atomic_write(&dir.path().join("two"), b"new").expect("write");
        assert_eq!(
            std::fs::read(real.join("report.html")).expect("read"),
            b"new"
        );
        for link in ["one", "two"] {
            let m = std::fs::symlink_metadata(dir.path().join(link)).expect("link");
            assert!(m.file_type().is_symlink(), "{link} is still a link");
        }
        // A dangling link creates the file it names.
        std::os::unix::fs::symlink("real/new.json", dir.path().join("dangling")).expect("link");
        atomic_write(&dir.path().join("dangling"), b"x").expect("write");
        assert_eq!(std::fs::read(real.join("new.json")).expect("read"), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("b", dir.path().join("a")).expect("link");
        std::os::unix::fs::symlink("a", dir.path().join("b")).expect("link");
        let e = atomic_write(&dir.path().join("a"), b"x").expect_err("loop");
        assert!(e.to_string().contains("`"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn replace_never_follows_a_link_and_replaces_what_is_not_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").expect("write");
        let d = dir.path();
        std::os::unix::fs::symlink(&victim, d.join("a.json")).expect("link");
        std::os::unix::fs::symlink(outside.path().join("new"), d.join("b.json")).expect("link");
        std::fs::create_dir_all(d.join("c.json/inner")).expect("dir");
        let made = std::process::Command::new("mkfifo")
            .arg(d.join("d.json"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        for name in ["a.json", "b.json", "c.json", "d.json", "new/e.json"] {
            replace(&d.join(name), name.as_bytes()).expect(name);
            let meta = std::fs::symlink_metadata(d.join(name)).expect(name);
            assert!(meta.is_file(), "{name}");
            assert_eq!(std::fs::read(d.join(name)).expect(name), name.as_bytes());
        }
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(!outside.path().join("new").exists());
    }

    #[test]
    fn directories_are_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = atomic_write(dir.path(), b"x").expect_err("a directory");
        assert!(e.to_string().contains("it is a directory"), "{e}");
        let slash = PathBuf::from(format!("{}/new/", dir.path().display()));
        let e = atomic_write(&slash, b"x").expect_err("trailing slash");
        assert!(
            e.to_string()
                .contains("a name ending in `/` is a directory"),
            "{e}"
        );
        assert!(!dir.path().join("new").exists());
    }
}
