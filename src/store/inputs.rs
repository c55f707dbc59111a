//! The files a command reads, remembered so that no output of the command
//! replaces one of them.
//!
//! `portsim run a.toml --html a.toml` would otherwise replace the scenario
//! with its own report. Every input is read through
//! [`read_input`](super::read::read_input) (scenarios, the bases they
//! `extend`, interventions, study files, baselines, partial results), which
//! records it here: the path as given (for messages), its real path and
//! its device and inode, taken from the handle that was read. Every output
//! is checked against the record before it is written
//! ([`super::write::target`], [`super::write::replace`]): a target that
//! exists and is the same file as an input, by real path or by device and
//! inode (so a link or a hard link to an input is caught too), is refused.
//! Commands read their inputs before they check their outputs, so the
//! refusal comes before anything runs.
//!
//! Recording is off until [`track`] turns it on: the command line does,
//! once per process (one command), while the web app, which reads and
//! saves the same scenario files for as long as it runs, does not.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// One file a command read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The path as the command was given it.
    pub path: PathBuf,
    /// What it was read as ("a scenario file", "a baseline", …).
    pub what: &'static str,
    /// Its real path, links followed, if it could be resolved.
    real: Option<PathBuf>,
    /// Its device and inode.
    id: Option<(u64, u64)>,
}

/// The inputs read so far.
#[derive(Debug, Default)]
pub struct Inputs {
    list: Vec<Input>,
}

/// Device and inode of `meta`.
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

impl Inputs {
    /// Remembers `file`, just opened from `path`, as `what`.
    pub fn record(&mut self, path: &Path, file: &File, what: &'static str) {
        let input = Input {
            path: path.to_path_buf(),
            what,
            real: std::fs::canonicalize(path).ok(),
            id: file.metadata().ok().as_ref().and_then(file_id),
        };
        if !self.list.contains(&input) {
            self.list.push(input);
        }
    }

    /// The input that `target` is, if any: the file a write to `target`
    /// would replace, compared by real path and by device and inode.
    /// `follow` says whether a link at `target` is followed (a write that
    /// updates a link's target) or is itself what is replaced. Inputs read
    /// as `except` are left out.
    pub fn find(&self, target: &Path, follow: bool, except: Option<&str>) -> Option<&Input> {
        let meta = if follow {
            std::fs::metadata(target)
        } else {
            std::fs::symlink_metadata(target)
        };
        // Nothing there: nothing to replace. A link replaced by a write
        // that does not follow it leaves its target alone.
        let meta = meta.ok().filter(|m| !m.file_type().is_symlink())?;
        let id = file_id(&meta);
        let real = std::fs::canonicalize(target).ok();
        self.list.iter().find(|input| {
            except != Some(input.what)
                && ((id.is_some() && input.id == id) || (real.is_some() && input.real == real))
        })
    }
}

/// The inputs of this process's command, once [`track`] is called.
static TRACKED: Mutex<Option<Inputs>> = Mutex::new(None);

/// Starts remembering the inputs read (the command line calls it once).
pub fn track() {
    let mut tracked = TRACKED.lock().unwrap_or_else(PoisonError::into_inner);
    tracked.get_or_insert_with(Inputs::default);
}

/// Remembers `file`, just opened from `path` as `what`, if inputs are
/// tracked.
pub(super) fn record(path: &Path, file: &File, what: &'static str) {
    let mut tracked = TRACKED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(inputs) = tracked.as_mut() {
        inputs.record(path, file, what);
    }
}

/// The tracked input that a write to `target` would replace (see
/// [`Inputs::find`]).
pub fn find(target: &Path, follow: bool, except: Option<&str>) -> Option<Input> {
    let tracked = TRACKED.lock().unwrap_or_else(PoisonError::into_inner);
    tracked.as_ref()?.find(target, follow, except).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_found_by_any_name_it_has() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("a.toml"), b"x").expect("write");
        std::fs::write(d.join("other"), b"y").expect("write");
        let mut inputs = Inputs::default();
        let file = File::open(d.join("a.toml")).expect("open");
        inputs.record(&d.join("a.toml"), &file, "a scenario file");
        let found = |p: &Path, follow| inputs.find(p, follow, None).map(|i| i.what);
        assert_eq!(found(&d.join("a.toml"), true), Some("a scenario file"));
        assert_eq!(found(&d.join("other"), true), None);
        assert_eq!(found(&d.join("missing"), true), None);
        std::fs::create_dir(d.join("sub")).expect("dir");
        assert!(found(&d.join("sub/../a.toml"), true).is_some());
        std::fs::hard_link(d.join("a.toml"), d.join("hard")).expect("hard link");
        assert!(found(&d.join("hard"), true).is_some());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a.toml", d.join("link")).expect("link");
            assert!(found(&d.join("link"), true).is_some(), "a link followed");
            assert_eq!(found(&d.join("link"), false), None, "a link replaced");
        }
        assert_eq!(
            inputs.find(&d.join("a.toml"), true, Some("a scenario file")),
            None
        );
    }
}
