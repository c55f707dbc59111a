//! Whether a file is an intervention on a given baseline: a patch whose
//! `extends` names that baseline (the same file, by real path).
//!
//! `compare --intervention` lays each intervention's values over the
//! baseline; a whole scenario given as one (or a patch of another port)
//! would make a mixture of two scenarios and attribute it as a reform. So
//! the command line refuses an intervention that does not extend its
//! baseline (unless told it is meant), and the web app offers as
//! interventions only the files that do. This module answers the one
//! question both ask, from the file's text, without loading it.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// What a file's `extends` says about it as an intervention on a
/// baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Its `extends` names the baseline: an intervention on it.
    Patches,
    /// It has no `extends`: a whole scenario (or a file that does not
    /// parse).
    Whole,
    /// Its `extends` names another file (as written).
    Extends(String),
}

/// The `extends` of a scenario's text, as written, if it has one.
pub fn extends_of(text: &str) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    match root.get_ref().get("extends")?.get_ref() {
        DeValue::String(target) => Some(target.to_string()),
        _ => None,
    }
}

/// The file `text` (the contents of `path`) extends, resolved against
/// `path`'s folder; `None` without an `extends`.
pub fn base_of(text: &str, path: &Path) -> Option<PathBuf> {
    let target = extends_of(text)?;
    Some(path.parent().unwrap_or(Path::new("")).join(target))
}

/// How the file `text` at `path` relates to `baseline`: it patches it
/// when its `extends` and `baseline` are the same file (real paths).
pub fn relation(text: &str, path: &Path, baseline: &Path) -> Relation {
    let Some(target) = extends_of(text) else {
        return Relation::Whole;
    };
    let base = path.parent().unwrap_or(Path::new("")).join(&target);
    match (
        std::fs::canonicalize(&base),
        std::fs::canonicalize(baseline),
    ) {
        (Ok(a), Ok(b)) if a == b => Relation::Patches,
        _ => Relation::Extends(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intervention_is_a_file_that_extends_the_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.toml");
        std::fs::write(&base, "name = \"b\"\n").unwrap();
        std::fs::create_dir(dir.path().join("reforms")).unwrap();
        let patch = dir.path().join("reforms/more.toml");
        let text = "extends = \"../base.toml\"\n[demand]\nrate = \"1/h\"\n";
        assert_eq!(relation(text, &patch, &base), Relation::Patches);
        let other = dir.path().join("other.toml");
        assert_eq!(
            relation("extends = \"other.toml\"\n", &patch, &base),
            Relation::Extends("other.toml".into())
        );
        assert_eq!(relation("name = \"x\"\n", &other, &base), Relation::Whole);
        assert_eq!(relation("extends = 3\n", &other, &base), Relation::Whole);
        assert_eq!(relation("not toml [", &other, &base), Relation::Whole);
        assert_eq!(
            base_of(text, &patch),
            Some(dir.path().join("reforms/../base.toml"))
        );
    }
}
