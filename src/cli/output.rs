//! Writing results: stdout, single files (`--html`, a baseline) and the
//! `--out DIR` set, each checked before anything runs.
//!
//! * stdout: a reader that went away (broken pipe) is fine; any other
//!   failure (a full disk behind `> file`, `/dev/full`) is exit 2 with a
//!   message. Text for people goes through `terminal::clean`;
//! * `--html FILE` is resolved when the command starts ([`prepare`]): `-`
//!   means stdout, a device, FIFO, socket or directory is refused (exit 2)
//!   before any simulation time is spent, and so is a file that `--out`
//!   also writes, and any file the command reads (its inputs, see
//!   [`crate::store::inputs`]: commands read them before they prepare
//!   their outputs, and every write checks again);
//! * `--out DIR` is locked for the whole run ([`DirLock`]) and written as
//!   one set ([`set`]), `manifest.json` last. A `DIR` that is (or lies
//!   under) a symbolic link to nothing is refused by name, with where the
//!   link points.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{Failure, colour, terminal};
use crate::store::set::{self, DirLock, SetInfo};
use crate::store::write::{self, atomic_write};

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

/// Prints to stdout; a reader that went away (broken pipe) is fine.
pub fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    written(out.write_all(bytes).and_then(|()| out.flush()))
}

/// The outcome of a write to stdout.
fn written(result: std::io::Result<()>) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(user(format_args!("cannot write to standard output: {e}"))),
    }
}

/// Prints a table meant for people, control characters escaped, its
/// verdicts coloured where colour is wanted (`colour`).
pub fn text(text: &str) -> Result<(), Failure> {
    let clean = terminal::clean(text);
    written(colour::write(
        std::io::stdout().lock(),
        &clean,
        colour::table,
    ))
}

/// Prints JSON: exact into a file or pipe; on a terminal, with the
/// control characters serde_json leaves raw written as `\u` escapes.
pub fn json(text: &str) -> Result<(), Failure> {
    if std::io::stdout().is_terminal() {
        stdout(terminal::json(text).as_bytes())
    } else {
        stdout(text.as_bytes())
    }
}

/// Prints CSV: exact into a file or pipe, escaped on a terminal.
pub fn csv(bytes: &[u8]) -> Result<(), Failure> {
    if std::io::stdout().is_terminal() {
        stdout(terminal::clean(&String::from_utf8_lossy(bytes)).as_bytes())
    } else {
        stdout(bytes)
    }
}

/// Writes a file atomically (links followed, devices and inputs refused).
pub fn file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    atomic_write(path, bytes).map_err(user)
}

/// Writes a file the command read as `what` and rewrites on purpose (the
/// baseline of `check --update-baseline`); no other input is replaced.
pub fn rewrite(path: &Path, bytes: &[u8], what: &str) -> Result<(), Failure> {
    write::rewrite_input(path, bytes, what).map_err(user)
}

/// Where `--html` goes.
#[derive(Debug)]
pub enum Page {
    /// `-`: standard output, instead of the table or JSON.
    Stdout,
    /// A file, written atomically.
    File(PathBuf),
}

/// The outputs of a command, checked and locked before it runs.
#[derive(Debug, Default)]
pub struct Outputs {
    /// The `--out` directory, locked, and the names of its set.
    pub set: Option<(DirLock, &'static [&'static str])>,
    /// `--html`.
    pub html: Option<Page>,
}

/// Checks `--out` (locking it; its set holds `names`) and `--html`.
pub fn prepare(
    out: Option<&Path>,
    html: Option<&Path>,
    names: &'static [&'static str],
) -> Result<Outputs, Failure> {
    let set = match out {
        Some(dir) if dir.as_os_str() == "-" => {
            return Err(user(
                "`--out` takes a directory for the result files; standard output is for --format",
            ));
        }
        Some(dir) => {
            if let Some((link, target)) = dangling(dir) {
                return Err(user(format_args!(
                    "cannot use `{}` as the output directory: `{}` is a symbolic link to `{}`, which does not exist; create that directory first, or give `--out` a directory (existing or new) that is not a broken link",
                    dir.display(),
                    link.display(),
                    target.display()
                )));
            }
            Some((DirLock::acquire(dir).map_err(user)?, names))
        }
        None => None,
    };
    if let Some((lock, names)) = &set {
        set_targets(lock.dir(), names)?;
    }
    let html = match html {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Page::Stdout),
        Some(p) => {
            let target = write::target(p).map_err(user)?;
            if let Some((lock, names)) = &set
                && let Some(name) = collision(&target, lock.dir(), names)
            {
                return Err(user(format_args!(
                    "`--html {}` is `{name}` of the `--out {}` set; give the page another name",
                    p.display(),
                    lock.dir().display()
                )));
            }
            Some(Page::File(p.to_owned()))
        }
    };
    Ok(Outputs { set, html })
}

/// Checks every file of the `--out` set in `dir` (`names` and the
/// manifest) as a write would: none may be a device, a FIFO, a directory or
/// an input of the command.
fn set_targets(dir: &Path, names: &[&str]) -> Result<(), Failure> {
    for name in names.iter().chain(&[set::MANIFEST]) {
        write::target(&dir.join(name)).map_err(user)?;
    }
    Ok(())
}

/// Checks the outputs again, for a command that reads inputs after it
/// prepared them (`check`): none may replace an input.
pub fn recheck(outputs: &Outputs) -> Result<(), Failure> {
    if let Some((lock, names)) = &outputs.set {
        set_targets(lock.dir(), names)?;
    }
    if let Some(Page::File(path)) = &outputs.html {
        write::target(path).map_err(user)?;
    }
    Ok(())
}

/// The first of `dir` and its parents that is a symbolic link to nothing,
/// with what it points to: a directory cannot be made there (the system
/// would only say "File exists").
fn dangling(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if std::fs::metadata(dir).is_ok() {
        return None;
    }
    dir.ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .find_map(|p| {
            let link = std::fs::symlink_metadata(p).ok()?.file_type().is_symlink();
            (link && std::fs::metadata(p).is_err())
                .then(|| (p.to_path_buf(), std::fs::read_link(p).unwrap_or_default()))
        })
}

/// The file identity used to compare two targets: canonical directory and
/// file name (the file itself need not exist).
fn place(target: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some((dir.canonicalize().ok()?, target.file_name()?.to_owned()))
}

/// The name of the set's file (or manifest, or lock) that `target` is.
fn collision(target: &Path, dir: &Path, names: &[&'static str]) -> Option<&'static str> {
    let page = place(target)?;
    names
        .iter()
        .chain(&[set::MANIFEST, set::LOCK])
        .copied()
        .find(|name| {
            write::target(&dir.join(name))
                .ok()
                .and_then(|t| place(&t))
                .is_some_and(|p| p == page)
        })
}

/// Writes the `--out` set, if there is one: `files` (name, bytes) must be
/// the names given to [`prepare`], in order.
pub fn out_set(
    outputs: &Outputs,
    files: impl FnOnce() -> Vec<(&'static str, Vec<u8>)>,
    info: &SetInfo,
) -> Result<(), Failure> {
    let Some((lock, _)) = &outputs.set else {
        return Ok(());
    };
    // Built only when a set is written: a per-replication CSV of a
    // hundred thousand replications is not made for nothing.
    let files: Vec<(String, Vec<u8>)> = files()
        .into_iter()
        .map(|(n, b)| (n.to_owned(), b))
        .collect();
    set::write_set(lock, &files, info).map_err(user)
}

/// Writes the HTML page where `--html` says: to its file, or to stdout.
/// Returns whether stdout was used.
pub fn page(outputs: &Outputs, page: impl FnOnce() -> String) -> Result<bool, Failure> {
    match &outputs.html {
        None => Ok(false),
        Some(Page::Stdout) => stdout(page().as_bytes()).map(|()| true),
        Some(Page::File(path)) => file(path, page().as_bytes()).map(|()| false),
    }
}
