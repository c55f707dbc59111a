//! The workspace: the one folder of scenario files the web app may read
//! and write, and the only place any request's path can lead.
//!
//! A request names a file by a relative name such as `horgos-before.toml`
//! or `interventions/appointments.toml`. [`Workspace::resolve`] accepts a
//! name only if every segment is a plain name (letters, digits, `-`, `_`,
//! `.`, not starting with a dot, so no `..`, no hidden files and no
//! `.portsim`), it is relative, it ends in `.toml`, and its real path,
//! links followed, is inside the workspace's real path. The check is made
//! on the decoded name (a `%2e%2e%2f` arrives as `../` and is refused) and
//! again on the file system (a link that points outside is refused).
//! Scenarios are loaded with their `extends` chain confined the same way
//! ([`crate::scenario::parse_within`]). Saving writes atomically
//! ([`crate::store::write::atomic_write`]) and only to a regular file or a
//! new one.
//!
//! Event logs (`.csv`, [`log_name`]) live beside the scenarios under the
//! same rule with their own ending: they are listed apart ([`Workspace::logs`]),
//! read by the calibrate and now pages, and uploaded through
//! [`Workspace::log_target`], whose path does not follow a link at the name
//! (the store refuses one there). A `.toml` file whose top level has
//! `[columns]` or `[codes]` is a log's map, listed as such, not a broken
//! scenario.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::scenario::{self, Scenario, ScenarioError, limits};

/// Folders below the workspace that the listing descends into.
const MAX_DEPTH: usize = 3;
/// Most files listed (a workspace is a folder of scenarios, not a disk).
const MAX_LISTED: usize = 500;

/// Why a name was refused or a file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// Not a plain relative `.toml` name.
    #[error(
        "`{0}` is not a scenario name: expected a relative path of plain names ending in `.toml` (no `..`, no leading `/` or `.`)"
    )]
    BadName(String),
    /// The real path leaves the workspace (a link).
    #[error("`{0}` leads outside the workspace")]
    Outside(String),
    /// Not a plain relative `.csv` name (for a log).
    #[error(
        "`{0}` is not a log name: expected a relative path of plain names ending in `.csv` (letters, digits, `-`, `_`, `.`; no `..`, no leading `/` or `.`)"
    )]
    BadLogName(String),
    /// Not there.
    #[error("no scenario `{0}` in the workspace")]
    Missing(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// The folder of scenario files.
#[derive(Clone, Debug)]
pub struct Workspace {
    root: PathBuf,
}

/// One file of the listing.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Its name relative to the workspace, with `/` between folders.
    pub name: String,
    /// The scenario's `name`, when it loads.
    pub title: Option<String>,
    /// The scenario's description, when it loads.
    pub description: String,
    /// Whether it loads as a scenario on its own (interventions and
    /// studies do not).
    pub valid: bool,
    /// For a study file (a top-level `scenario = "…"`): which study it is.
    pub study: Option<super::kind::Kind>,
    /// The workspace file its `extends` names, if it names one here: an
    /// intervention on that file.
    pub extends: Option<String>,
    /// Whether it is a log's map (`[columns]` or `[codes]` at its top
    /// level), not a scenario.
    pub map: bool,
}

/// One event log of the listing.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// Its name relative to the workspace, with `/` between folders.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl Workspace {
    /// Opens the folder `dir`, which must exist and be a directory.
    pub fn open(dir: &Path) -> Result<Workspace, String> {
        let root = std::fs::canonicalize(dir)
            .map_err(|e| format!("cannot open workspace `{}`: {e}", dir.display()))?;
        if !root.is_dir() {
            return Err(format!("workspace `{}` is not a directory", dir.display()));
        }
        Ok(Workspace { root })
    }

    /// The workspace's real path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `name` inside the workspace, checked as the module doc
    /// says; the file need not exist yet (for saving a new one), but its
    /// folder must.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, PathError> {
        if !plain_name(name) {
            return Err(PathError::BadName(name.to_owned()));
        }
        self.confine(name)
    }

    /// The real path of the log `name` (a plain `.csv` name), confined as
    /// [`Workspace::resolve`] confines a scenario's; it need not exist.
    pub fn resolve_log(&self, name: &str) -> Result<PathBuf, PathError> {
        if !log_name(name) {
            return Err(PathError::BadLogName(name.to_owned()));
        }
        self.confine(name)
    }

    /// The path a new log `name` is written to: its folder's real path
    /// (inside the workspace) joined with its file name, *not* following
    /// a link at the name itself, so that the store can refuse one there.
    pub fn log_target(&self, name: &str) -> Result<PathBuf, PathError> {
        if !log_name(name) {
            return Err(PathError::BadLogName(name.to_owned()));
        }
        self.unfollowed(name)
    }

    /// [`Workspace::log_target`] for a new scenario `name` (`.toml`):
    /// where the calibrate page saves the scenario it made.
    pub fn new_scenario_target(&self, name: &str) -> Result<PathBuf, PathError> {
        if !plain_name(name) {
            return Err(PathError::BadName(name.to_owned()));
        }
        self.unfollowed(name)
    }

    /// `name` (already checked) in its folder's real path, the name itself
    /// not followed.
    fn unfollowed(&self, name: &str) -> Result<PathBuf, PathError> {
        let path = self.root.join(name);
        let parent = path.parent().unwrap_or(&self.root);
        let parent =
            std::fs::canonicalize(parent).map_err(|_| PathError::Missing(name.to_owned()))?;
        if !parent.starts_with(&self.root) {
            return Err(PathError::Outside(name.to_owned()));
        }
        Ok(parent.join(path.file_name().unwrap_or_default()))
    }

    /// `name` (already checked) inside the workspace, links followed.
    fn confine(&self, name: &str) -> Result<PathBuf, PathError> {
        let path = self.root.join(name);
        let real = match std::fs::canonicalize(&path) {
            Ok(real) => real,
            Err(_) if std::fs::symlink_metadata(&path).is_ok() => {
                // A dangling link: it names something that is not here.
                return Err(PathError::Outside(name.to_owned()));
            }
            Err(_) => {
                let parent = path.parent().unwrap_or(&self.root);
                let parent = std::fs::canonicalize(parent)
                    .map_err(|_| PathError::Missing(name.to_owned()))?;
                let file = path.file_name().unwrap_or_default();
                parent.join(file)
            }
        };
        if !real.starts_with(&self.root) {
            return Err(PathError::Outside(name.to_owned()));
        }
        Ok(real)
    }

    /// The text of scenario `name`.
    pub fn read(&self, name: &str) -> Result<String, PathError> {
        let path = self.resolve(name)?;
        if !path.exists() {
            return Err(PathError::Missing(name.to_owned()));
        }
        limits::read_file(&path)
            .map_err(|e| PathError::Io(self.relative(&format!("cannot read `{name}`: {e}"))))
    }

    /// Writes `text` as scenario `name`, atomically.
    pub fn save(&self, name: &str, text: &str) -> Result<(), PathError> {
        let path = self.resolve(name)?;
        crate::store::write::atomic_write(&path, text.as_bytes())
            .map_err(|e| PathError::Io(self.relative(&e.to_string())))
    }

    /// `text` (a message) with the workspace's own path made relative,
    /// as [`relative_text`] does.
    pub fn relative(&self, text: &str) -> String {
        relative_text(&self.root, text)
    }

    /// Validates `text` as scenario `name` (which need not be saved), its
    /// `extends` confined to the workspace. Messages name the file by its
    /// name in the workspace.
    pub fn parse(
        &self,
        name: &str,
        text: &str,
    ) -> Result<Result<Scenario, ScenarioError>, PathError> {
        let path = self.resolve(name)?;
        let result = scenario::parse_within(text, &path, &self.root);
        Ok(result.map_err(|e| self.relative_error(e)))
    }

    /// Loads scenario `name` from the workspace.
    pub fn load(&self, name: &str) -> Result<Result<Scenario, ScenarioError>, PathError> {
        let text = self.read(name)?;
        self.parse(name, &text)
    }

    /// Scenario `baseline` with the interventions `patches` applied in
    /// order (all workspace names), as `portsim compare --intervention`
    /// reads them.
    pub fn load_patched(
        &self,
        baseline: &str,
        patches: &[String],
    ) -> Result<Result<Scenario, ScenarioError>, PathError> {
        let existing = |name: &str| {
            let path = self.resolve(name)?;
            if path.exists() {
                Ok(path)
            } else {
                Err(PathError::Missing(name.to_owned()))
            }
        };
        let base = existing(baseline)?;
        let paths = patches
            .iter()
            .map(|p| existing(p))
            .collect::<Result<Vec<_>, _>>()?;
        let result = scenario::load_patched_within(&base, &paths, &self.root);
        Ok(result.map_err(|e| self.relative_error(e)))
    }

    /// The scenario files, sorted by name, each with its title and
    /// description when it loads.
    pub fn list(&self) -> Vec<Entry> {
        let mut names = Vec::new();
        collect(&self.root, "", 0, &mut names, plain_name);
        names.sort();
        names.truncate(MAX_LISTED);
        names
            .into_iter()
            .map(|name| match self.read(&name) {
                Ok(text) if super::kind::kind_of(&text).is_some() => Entry {
                    study: super::kind::kind_of(&text),
                    name,
                    title: None,
                    description: String::new(),
                    valid: false,
                    extends: None,
                    map: false,
                },
                Ok(text) if super::kind::is_log_map(&text) => Entry {
                    study: None,
                    name,
                    title: None,
                    description: String::new(),
                    valid: false,
                    extends: None,
                    map: true,
                },
                _ => self.entry(name),
            })
            .collect()
    }

    /// The event logs (`.csv` files), sorted by name, with their sizes
    /// (regular files only; links are not listed).
    pub fn logs(&self) -> Vec<LogEntry> {
        let mut names = Vec::new();
        collect(&self.root, "", 0, &mut names, log_name);
        names.sort();
        names.truncate(MAX_LISTED);
        names
            .into_iter()
            .filter_map(|name| {
                let meta = std::fs::symlink_metadata(self.root.join(&name)).ok()?;
                meta.is_file().then_some(LogEntry {
                    name,
                    bytes: meta.len(),
                })
            })
            .collect()
    }

    /// The listing's entry of the scenario `name`.
    fn entry(&self, name: String) -> Entry {
        let extends = self.extends(&name);
        match self.load(&name) {
            Ok(Ok(s)) => Entry {
                name,
                title: Some(s.name.clone()),
                description: s.description.clone(),
                valid: true,
                study: None,
                extends,
                map: false,
            },
            _ => Entry {
                name,
                title: None,
                description: String::new(),
                valid: false,
                study: None,
                extends,
                map: false,
            },
        }
    }

    /// The workspace name of the file `name` extends, when that file is
    /// inside the workspace.
    pub fn extends(&self, name: &str) -> Option<String> {
        let text = self.read(name).ok()?;
        let base = crate::scenario::intervention::base_of(&text, &self.resolve(name).ok()?)?;
        let real = std::fs::canonicalize(base).ok()?;
        let rel = real.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// The error with its paths made relative to the workspace (a browser
    /// user has no business with the server's folders): the files the
    /// diagnostics point at, and every path in their words.
    pub(crate) fn relative_error(&self, error: ScenarioError) -> ScenarioError {
        let path = |p: PathBuf| {
            p.strip_prefix(&self.root)
                .map(Path::to_path_buf)
                .unwrap_or(p)
        };
        let text = |t: Option<String>| t.map(|t| self.relative(&t));
        match error {
            ScenarioError::Invalid(list) => ScenarioError::Invalid(
                list.into_iter()
                    .map(|mut d| {
                        d.path = path(d.path);
                        d.message = self.relative(&d.message);
                        d.label = text(d.label);
                        d.help = text(d.help);
                        d
                    })
                    .collect(),
            ),
            ScenarioError::Io { path: p, error } => ScenarioError::Io {
                path: path(p),
                error,
            },
            ScenarioError::NotToml { path: p, what } => ScenarioError::NotToml {
                path: path(p),
                what,
            },
        }
    }
}

/// `text` with every mention of the workspace's real path `root` made
/// relative to it: `ROOT/a/b.toml` becomes `a/b.toml`, `ROOT` alone `.`;
/// a longer name that only starts the same (`ROOT-old/…`) is left alone.
/// This is the one place the web app strips its server's folders from
/// what it tells a browser: file errors, scenario diagnostics, study and
/// job messages all pass through it.
pub fn relative_text(root: &Path, text: &str) -> String {
    let root = root.display().to_string();
    if root.len() <= 1 {
        // The file system's root as a workspace: nothing to strip.
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&root) {
        let after = &rest[at + root.len()..];
        out.push_str(&rest[..at]);
        match after.chars().next() {
            Some('/') => rest = &after[1..],
            Some(c) if c.is_alphanumeric() || "-_.".contains(c) => {
                out.push_str(&root);
                rest = after;
            }
            _ => {
                out.push('.');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `name` is a relative path of plain segments ending in `.toml`.
pub fn plain_name(name: &str) -> bool {
    plain_path(name, ".toml")
}

/// Whether `name` is a relative path of plain segments ending in `.csv`:
/// an event log's name.
pub fn log_name(name: &str) -> bool {
    plain_path(name, ".csv")
}

/// Whether `name` is a relative path of plain segments ending in `ending`.
fn plain_path(name: &str, ending: &str) -> bool {
    let segment_ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.len() <= 128
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    name.len() <= 512
        && name.ends_with(ending)
        && name.len() > ending.len()
        && name.split('/').count() <= MAX_DEPTH + 1
        && name.split('/').all(segment_ok)
}

/// Adds the files under `dir` (named `prefix…`) whose names `keep` to
/// `out`, skipping links, hidden entries and anything deeper than
/// [`MAX_DEPTH`].
fn collect(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>, keep: fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if out.len() >= MAX_LISTED {
            return;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let full = format!("{prefix}{name}");
        if kind.is_dir() && depth < MAX_DEPTH && !name.starts_with('.') {
            collect(&entry.path(), &format!("{full}/"), depth + 1, out, keep);
        } else if kind.is_file() && keep(&full) {
            out.push(full);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_files_relative_to_the_workspace() {
        let root = Path::new("/srv/ws");
        for (text, expect) in [
            (
                "cannot write `/srv/ws/a/b.toml`: it is a directory",
                "cannot write `a/b.toml`: it is a directory",
            ),
            ("workspace `/srv/ws` is full", "workspace `.` is full"),
            ("/srv/ws/x.toml and /srv/ws/y.toml", "x.toml and y.toml"),
            (
                "`/srv/ws-old/a.toml` and /srv/wsx",
                "`/srv/ws-old/a.toml` and /srv/wsx",
            ),
            ("no path here", "no path here"),
        ] {
            assert_eq!(relative_text(root, text), expect);
        }
        assert_eq!(relative_text(Path::new("/"), "/etc/x"), "/etc/x");
    }

    #[test]
    fn only_plain_relative_toml_names() {
        for good in ["a.toml", "interventions/x-y_z.toml", "v1.2.toml"] {
            assert!(plain_name(good), "{good}");
        }
        for bad in [
            "../a.toml",
            "a/../../b.toml",
            "/etc/passwd.toml",
            "..",
            "a.txt",
            ".portsim/x.toml",
            "a//b.toml",
            "a\\b.toml",
            "",
            "a b.toml",
            "../../etc/passwd",
        ] {
            assert!(!plain_name(bad), "{bad}");
        }
        for good in ["log.csv", "logs/march-2025.csv"] {
            assert!(log_name(good) && !plain_name(good), "{good}");
        }
        for bad in [
            ".csv",
            "a.toml",
            "../a.csv",
            ".hidden.csv",
            "a/.b.csv",
            "a b.csv",
            "/a.csv",
        ] {
            assert!(!log_name(bad), "{bad}");
        }
    }
}
