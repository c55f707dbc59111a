//! Where a baseline's keys start: the root that scenario paths are made
//! relative to.
//!
//! A baseline keys each scenario by its path relative to a root recorded in
//! the file ([`Root`]): the top level of the git work tree that holds the
//! baseline when there is one (found by looking for `.git`, a directory or,
//! in a linked work tree or submodule, a file, in the baseline's folder and
//! its parents), else the baseline's own folder. With the repository as
//! root, `scenarios/example.toml` stays `scenarios/example.toml` wherever
//! the baseline file moves inside the repository, and the same baseline
//! works from any working directory and any clone. The root is also kept as
//! a path from the baseline's folder, so a copy of the tree without `.git`
//! (an export, a tarball) still finds it.
//!
//! Keys are text with `/` separators on every system; both the root and
//! the scenario are resolved through the file system (links followed)
//! before one is made relative to the other.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a baseline's keys are relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RootKind {
    /// The top level of the git work tree that holds the baseline.
    #[serde(rename = "repository")]
    Repository,
    /// The folder the baseline file is in.
    #[serde(rename = "baseline folder")]
    BaselineFolder,
}

/// The root recorded in a baseline file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    /// What it is.
    pub kind: RootKind,
    /// The root as a path from the baseline's folder when it was recorded
    /// (`..`, `.`), `/`-separated; used when the repository cannot be
    /// found.
    pub from_baseline: String,
}

/// The folder of the baseline file at `baseline` (`.` for a bare name).
pub fn folder(baseline: &Path) -> &Path {
    match baseline.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The top level of the git work tree holding `dir` (an absolute path),
/// if any.
pub fn repository_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The root a baseline at `baseline` records now, and its absolute path.
/// The baseline's folder must exist (the file itself need not).
pub fn detect(baseline: &Path) -> std::io::Result<(Root, PathBuf)> {
    let dir = folder(baseline).canonicalize()?;
    Ok(match repository_of(&dir) {
        Some(top) => (
            Root {
                kind: RootKind::Repository,
                from_baseline: relative(&dir, &top),
            },
            top,
        ),
        None => (
            Root {
                kind: RootKind::BaselineFolder,
                from_baseline: ".".to_owned(),
            },
            dir,
        ),
    })
}

/// The absolute root of the baseline at `baseline` that recorded `root`
/// (`None`: a format-2 file, keyed from its folder).
pub fn resolve(root: Option<&Root>, baseline: &Path) -> std::io::Result<PathBuf> {
    let dir = folder(baseline).canonicalize()?;
    match root {
        Some(Root {
            kind: RootKind::Repository,
            from_baseline,
        }) => match repository_of(&dir) {
            Some(top) => Ok(top),
            None => dir.join(from_baseline).canonicalize(),
        },
        _ => Ok(dir),
    }
}

/// The key of the scenario file `scenario` under `root` (absolute): its
/// path relative to the root, `/`-separated. The file must exist.
pub fn key(root: &Path, scenario: &Path) -> std::io::Result<String> {
    let file = scenario.canonicalize()?;
    if root.to_str().is_none() || file.to_str().is_none() {
        // Two such names would collide on one key once made text.
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the path is not valid UTF-8, and baselines key scenarios by their path as text; rename the file or directory",
        ));
    }
    Ok(relative(root, &file))
}

/// The file a key names under `root`.
pub fn file_of(root: &Path, key: &str) -> PathBuf {
    normal(&root.join(key))
}

/// `key`, made relative to `from`, as a key relative to `to` (both
/// absolute), without touching the file system.
pub fn rekey(key: &str, from: &Path, to: &Path) -> String {
    relative(to, &file_of(from, key))
}

/// `path` with `.` and `..` taken out lexically.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from` (both absolute), `/`-separated (`.` when they
/// are the same); `to` itself when they share no root (another drive).
pub fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.display().to_string();
    }
    let ups = std::iter::repeat_n("..".to_owned(), a.len() - common);
    let downs = b[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let parts: Vec<String> = ups.chain(downs).collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_slashes_and_dot_dot() {
        let r = relative(
            Path::new("/repo/baselines"),
            Path::new("/repo/scenarios/a.toml"),
        );
        assert_eq!(r, "../scenarios/a.toml");
        assert_eq!(
            relative(Path::new("/repo"), Path::new("/repo/a.toml")),
            "a.toml"
        );
        assert_eq!(relative(Path::new("/repo"), Path::new("/repo")), ".");
    }

    #[test]
    fn keys_move_from_one_root_to_another() {
        let (old, new) = (Path::new("/repo/baselines"), Path::new("/repo"));
        assert_eq!(rekey("../scenarios/a.toml", old, new), "scenarios/a.toml");
        assert_eq!(rekey("scenarios/a.toml", new, old), "../scenarios/a.toml");
        assert_eq!(file_of(new, "x/../a.toml"), PathBuf::from("/repo/a.toml"));
    }

    #[test]
    fn the_repository_is_found_from_any_folder_inside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let top = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(top.join("a/b")).expect("dirs");
        assert_eq!(repository_of(&top.join("a/b")), None);
        // A linked work tree has a `.git` file, not a directory.
        std::fs::write(top.join(".git"), "gitdir: elsewhere\n").expect("write");
        assert_eq!(repository_of(&top.join("a/b")), Some(top.clone()));
        let (root, found) = detect(&top.join("a/b/base.json")).expect("detect");
        assert_eq!(found, top);
        assert_eq!(root.kind, RootKind::Repository);
        assert_eq!(root.from_baseline, "../..");
        let resolved = resolve(Some(&root), &top.join("a/b/base.json")).expect("resolve");
        assert_eq!(resolved, top);
        assert_eq!(
            resolve(None, &top.join("a/b/base.json")).ok(),
            Some(top.join("a/b"))
        );
    }
}
