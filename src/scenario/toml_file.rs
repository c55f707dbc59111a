//! portsim's other TOML formats, read with the scenario reader's
//! diagnostics.
//!
//! Sweep, plan and sensitivity files are small TOML files that name a
//! scenario and say what to vary. A user fixing one should get the same
//! help as with a scenario: every unknown key and wrongly typed value at
//! once, each with file, line and column, a did-you-mean for misspelt
//! keys, and the same size limit. This module lends them the machinery:
//! [`TomlFile::decode`] deserialises a file into its own spanned mirror
//! (serde structs with `deny_unknown_fields` and `Spanned` values, as in
//! `raw`), and [`TomlFile::error`] makes located diagnostics for the
//! checks the format does itself.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_spanned::Spanned;
use toml::de::DeTable;

use super::checks::Issue;
use super::error::{Diagnostic, ScenarioError};

/// A TOML file in memory, for located messages.
#[derive(Clone, Debug)]
pub struct TomlFile {
    /// Its path, as given.
    pub path: PathBuf,
    /// Its text.
    pub text: Arc<str>,
}

impl TomlFile {
    /// Reads `path`, refusing files over the scenario size limit.
    pub fn read(path: &Path) -> Result<TomlFile, ScenarioError> {
        let text = super::limits::read_file(path).map_err(|error| ScenarioError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Ok(TomlFile::new(path, text))
    }

    /// A file whose text is already in memory.
    pub fn new(path: &Path, text: impl Into<Arc<str>>) -> TomlFile {
        TomlFile {
            path: path.to_path_buf(),
            text: text.into(),
        }
    }

    /// The file as a spanned TOML tree.
    pub fn tree(&self) -> Result<Spanned<DeTable<'_>>, ScenarioError> {
        DeTable::parse(&self.text).map_err(|e| {
            ScenarioError::Invalid(vec![self.error(
                e.span(),
                format!("invalid TOML: {}", e.message().trim_end()),
            )])
        })
    }

    /// Decodes the file into `T`, reporting every unknown key (with a
    /// did-you-mean) and wrongly typed value at once.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ScenarioError> {
        let tree = self.tree()?;
        super::decode::decode_as::<T>(&tree).map_err(|issues| {
            ScenarioError::Invalid(issues.into_iter().map(|i| self.issue(i)).collect())
        })
    }

    /// Decodes what it can of the file into `T`, adding every unknown key
    /// and wrongly typed value to `errors`, so that the format's own
    /// checks can run on the rest and every mistake is said at once.
    /// Only a syntax error, after which nothing can be read, is returned
    /// as an error.
    pub fn decode_partial<T: DeserializeOwned>(
        &self,
        errors: &mut Vec<Diagnostic>,
    ) -> Result<Partial<T>, ScenarioError> {
        let tree = self.tree()?;
        let (file, issues, removed) = super::decode::decode_partial::<T>(&tree);
        errors.extend(issues.into_iter().map(|i| self.issue(i)));
        Ok(Partial { file, removed })
    }

    /// A diagnostic at `span` (none: the whole file).
    pub fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: self.path.clone(),
            source: self.text.clone(),
            span,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    fn issue(&self, issue: Issue) -> Diagnostic {
        Diagnostic {
            label: issue.label,
            help: issue.help,
            ..self.error(issue.span, issue.message)
        }
    }
}

/// A file decoded as far as it goes ([`TomlFile::decode_partial`]).
#[derive(Debug)]
pub struct Partial<T> {
    /// The file without the entries serde refused (`None` if even that
    /// does not decode).
    pub file: Option<T>,
    /// The keys removed because their value had the wrong type.
    pub removed: Vec<String>,
}

impl<T> Partial<T> {
    /// Drops from `errors` a "missing key" for a key that was there with
    /// a value of the wrong type: it would only say the same again, and
    /// untruly.
    pub fn drop_repeats(&self, errors: &mut Vec<Diagnostic>) {
        errors.retain(|d| {
            !self
                .removed
                .iter()
                .any(|k| d.message.starts_with(&format!("missing key `{k}`")))
        });
    }
}

/// An integer of a study file as written, however large: each key checks
/// it against its own range, so that `lhs = 18446744073709551615` is told
/// the range of `lhs` rather than of a machine integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Integer(pub i128);

impl<'de> serde::Deserialize<'de> for Integer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor)
    }
}

struct IntegerVisitor;

impl serde::de::Visitor<'_> for IntegerVisitor {
    type Value = Integer;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer")
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Integer, E> {
        Ok(Integer(v.into()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Integer, E> {
        Ok(Integer(v.into()))
    }
}

/// The allowed word closest to `word`, if it is a likely misspelling
/// (the scenario reader's did-you-mean).
pub fn suggest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    super::error::did_you_mean(word, allowed)
}

/// "`a`, `b` or `c`", for messages.
pub fn one_of(words: &[&str]) -> String {
    super::error::one_of(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "decoded to check the messages")]
    struct Demo {
        scenario: Option<Spanned<String>>,
        replications: Option<Spanned<i64>>,
    }

    #[test]
    fn unknown_keys_and_types_are_located_with_a_suggestion() {
        let file = TomlFile::new(
            Path::new("demo.toml"),
            "scenaro = \"a.toml\"\nreplications = \"ten\"\n",
        );
        let e = file.decode::<Demo>().expect_err("two mistakes");
        let text = e.to_string();
        assert!(text.contains("unknown key `scenaro`"), "{text}");
        assert!(text.contains("did you mean `scenario`?"), "{text}");
        assert!(text.contains("demo.toml:1:1"), "{text}");
        assert!(text.contains("expected an integer"), "{text}");
        assert!(text.contains("demo.toml:2:16"), "{text}");
        assert_eq!(suggest("scenaro", &["scenario", "seed"]), Some("scenario"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let file = TomlFile::new(Path::new("demo.toml"), "scenario = \n");
        let text = file.decode::<Demo>().expect_err("syntax").to_string();
        assert!(
            text.contains("invalid TOML") && text.contains("demo.toml:1:"),
            "{text}"
        );
    }
}
