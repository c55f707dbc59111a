//! What every study file starts with: the scenario it studies, and how
//! to run it.
//!
//! A sweep, plan or sensitivity file names its scenario with
//! `scenario = "path.toml"` (relative to the study file) and may carry
//! `replications`, `seed` and a `[set]` table of overrides applied to
//! every point (`[set]` keys are override keys: `horizon = "14d"`,
//! `"stages.gate-in.lanes" = 3`, or as TOML dotted keys
//! `stages.gate-in.lanes = 3`; an inline table such as
//! `service = { dist = "exponential", mean = "5m" }` is one value). The
//! seed and replication count become overrides too, so the resolved
//! scenario of every point records them and its hash identifies exactly
//! what was run. Command-line `--set`, `--seed` and `--replications` come
//! last and win.
//!
//! Overrides written in the file keep their place in it: a value the
//! scenario reader rejects is reported at the study file's line and
//! column, not at a generated text.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_spanned::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::DecideError;
use crate::scenario::limits::MAX_REPLICATIONS;
use crate::scenario::toml_file::{Integer, TomlFile};
use crate::scenario::{self, Diagnostic, Origin, Override, Scenario, ScenarioError};

/// The keys every study file may have, as its raw struct spells them.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RawHeader {
    /// `scenario = "path.toml"`.
    pub scenario: Option<Spanned<String>>,
    /// `replications = N`.
    pub replications: Option<Spanned<Integer>>,
    /// `seed = S`.
    pub seed: Option<Spanned<Integer>>,
}

/// A study file, read: its text (for messages) and its header.
#[derive(Clone, Debug)]
pub struct Study {
    /// The file.
    pub file: TomlFile,
    /// The origin of the overrides written in it.
    pub origin: Arc<Origin>,
    /// The scenario studied, relative to the current directory.
    pub scenario: PathBuf,
    /// Overrides for every point: `[set]`, the seed and replications, then
    /// the command line's.
    pub set: Vec<Override>,
    /// Where the file names its scenario, for a scenario that cannot be
    /// read.
    scenario_span: Option<Range<usize>>,
}

impl Study {
    /// Checks the header of `file`; `command_line` overrides come last.
    pub fn new(
        file: &TomlFile,
        header: &RawHeader,
        command_line: &[Override],
    ) -> Result<Study, DecideError> {
        let mut errors = Vec::new();
        let study = Study::checked(file, header, command_line, &mut errors);
        if errors.is_empty() {
            Ok(study)
        } else {
            Err(DecideError::invalid(errors))
        }
    }

    /// Checks the header of `file`, adding every mistake to `errors`, and
    /// returns the study as far as it is known, so that the rest of the
    /// file can be checked too and every mistake said at once. With
    /// mistakes it is for checking only, never for running: a `[set]`
    /// entry in error is left out, and a study without a scenario names
    /// none ([`Study::names_scenario`]).
    pub fn checked(
        file: &TomlFile,
        header: &RawHeader,
        command_line: &[Override],
        errors: &mut Vec<Diagnostic>,
    ) -> Study {
        let origin = Origin::new(file.path.clone(), file.text.clone());
        let scenario = match &header.scenario {
            Some(s) if !is_toml(Path::new(s.get_ref())) => {
                errors.push(file.error(
                    Some(s.span()),
                    format!(
                        "`scenario` must name a scenario file ending in `.toml`, found \"{}\"",
                        s.get_ref()
                    ),
                ));
                None
            }
            Some(s) => Some(beside(&file.path, s.get_ref())),
            None => {
                errors.push(file.error(
                    Some(0..0),
                    "missing key `scenario`: the scenario to study, like `scenario = \"horgos-after.toml\"` (relative to this file)",
                ));
                None
            }
        };
        let mut set = Vec::new();
        match set_entries(file, &origin) {
            Ok(list) => set.extend(list),
            Err(list) => errors.extend(list),
        }
        for (key, value, min, max) in [
            ("seed", &header.seed, 0, i64::MAX),
            (
                "replications",
                &header.replications,
                1,
                MAX_REPLICATIONS as i64,
            ),
        ] {
            let Some(v) = value else { continue };
            let Integer(wide) = *v.get_ref();
            let Some(x) = i64::try_from(wide).ok().filter(|x| (min..=max).contains(x)) else {
                errors.push(file.error(
                    Some(v.span()),
                    format!("`{key}` must be between {min} and {max}, found {wide}"),
                ));
                continue;
            };
            let span = v.span();
            let key_span = key_span(&file.text, key, span.start);
            match Override::generated(&origin, key, key_span, toml::Value::Integer(x), span) {
                Ok(o) => set.push(o),
                Err(d) => errors.push(*d),
            }
        }
        set.extend(command_line.iter().cloned());
        Study {
            file: file.clone(),
            origin,
            scenario: scenario.unwrap_or_default(),
            set,
            scenario_span: header.scenario.as_ref().map(|s| s.span()),
        }
    }

    /// Whether the file names its scenario (only then can it be read).
    pub fn names_scenario(&self) -> bool {
        !self.scenario.as_os_str().is_empty()
    }

    /// The scenario with the study's overrides and then `extra`, for
    /// checking: its mistakes are added to `errors` (a scenario that
    /// cannot be read at all, located at the study's `scenario` key).
    pub fn resolve_checked(
        &self,
        extra: &[Override],
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Scenario> {
        self.resolve_file_checked(&self.scenario, self.scenario_span.clone(), extra, errors)
    }

    /// [`Study::resolve_checked`] for another scenario of the study,
    /// named at `named` in the study file.
    pub fn resolve_file_checked(
        &self,
        path: &Path,
        named: Option<Range<usize>>,
        extra: &[Override],
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Scenario> {
        if path.as_os_str().is_empty() {
            return None;
        }
        match self.resolve_file(path, extra) {
            Ok(s) => Some(s),
            Err(ScenarioError::Invalid(list)) => {
                errors.extend(list);
                None
            }
            Err(other) => {
                let message = other.to_string();
                let message = message.strip_prefix("error: ").unwrap_or(&message);
                errors.push(self.file.error(named, message));
                None
            }
        }
    }

    /// The scenario with the study's overrides and then `extra`.
    pub fn resolve(&self, extra: &[Override]) -> Result<Scenario, ScenarioError> {
        self.resolve_file(&self.scenario, extra)
    }

    /// Another scenario of the study (a variant) with the same overrides.
    pub fn resolve_file(&self, path: &Path, extra: &[Override]) -> Result<Scenario, ScenarioError> {
        let mut all = self.set.clone();
        all.extend(extra.iter().cloned());
        scenario::load_with(path, &[], &all)
    }

    /// A diagnostic at `span` of the study file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.file.error(Some(span), message)
    }

    /// A path named in the study file, relative to it.
    pub fn path(&self, relative: &str) -> PathBuf {
        beside(&self.file.path, relative)
    }
}

/// The error of a study whose check found `errors` (never an empty list:
/// a check that failed without a message says so).
pub fn invalid(mut errors: Vec<Diagnostic>) -> DecideError {
    if errors.is_empty() {
        errors.push(Diagnostic {
            path: PathBuf::new(),
            source: Arc::from(""),
            span: None,
            message: "the study is invalid (internal error: no message was recorded)".into(),
            label: None,
            help: None,
        });
    }
    DecideError::invalid(errors)
}

/// Whether `path` names a `.toml` file: a study, like `extends`, only
/// ever reads scenario files.
pub fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// `relative` taken from the directory of `file`, with `dir/..` folded
/// so that messages show `scenarios/horgos-after.toml`.
fn beside(file: &Path, relative: &str) -> PathBuf {
    use std::path::Component;
    let joined = file.parent().unwrap_or(Path::new("")).join(relative);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The span of `key` in the line that ends at `value_start` (for the
/// header's `seed` and `replications`), or the value's start.
fn key_span(text: &str, key: &str, value_start: usize) -> Range<usize> {
    let line_start = text[..value_start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    match text[line_start..value_start.min(text.len())].find(key) {
        Some(i) => line_start + i..line_start + i + key.len(),
        None => value_start..value_start,
    }
}

/// The `[set]` table's entries as overrides.
fn set_entries(file: &TomlFile, origin: &Arc<Origin>) -> Result<Vec<Override>, Vec<Diagnostic>> {
    let tree = file.tree().map_err(|e| e.diagnostics().to_vec())?;
    let Some(set) = tree.get_ref().get("set") else {
        return Ok(Vec::new());
    };
    let DeValue::Table(table) = set.get_ref() else {
        return Err(vec![file.error(
            Some(set.span()),
            "expected a table of overrides, like [set] with `horizon = \"14d\"` under it",
        )]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    walk(file, origin, table, &mut Vec::new(), &mut out, &mut errors);
    // In the order written (the tree sorts its keys).
    out.sort_by_key(|o| o.value_span().start);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Collects the leaves of `table`: dotted TOML keys and `[set.x]` tables
/// extend the key path; an inline table or any other value is one value.
fn walk(
    file: &TomlFile,
    origin: &Arc<Origin>,
    table: &DeTable<'_>,
    path: &mut Vec<(String, Range<usize>)>,
    out: &mut Vec<Override>,
    errors: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        path.push((key.get_ref().to_string(), key.span()));
        let inline = file
            .text
            .get(value.span())
            .is_some_and(|t| t.starts_with('{'));
        match value.get_ref() {
            DeValue::Table(inner) if !inline => walk(file, origin, inner, path, out, errors),
            _ => {
                let joined: Vec<&str> = path.iter().map(|(k, _)| k.as_str()).collect();
                let joined = joined.join(".");
                let first = path.first().map_or(0, |(_, s)| s.start);
                let last = path.last().map_or(first, |(_, s)| s.end);
                match Override::in_file(origin, &joined, first..last, value.span()) {
                    Ok(o) => out.push(o),
                    Err(d) => errors.push(*d),
                }
            }
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::overrides::Step;

    fn study(text: &str) -> Result<Study, DecideError> {
        let file = TomlFile::new(Path::new("dir/study.toml"), text);
        let header = RawHeader {
            scenario: Some(Spanned::new(0..0, "base.toml".into())),
            ..RawHeader::default()
        };
        Study::new(&file, &header, &[])
    }

    #[test]
    fn set_tables_become_overrides_at_their_place() {
        let text = "[set]\nhorizon = \"14d\"\nstages.gate.lanes = 3\n\"stages.exit.fee\" = 5\nservice = { dist = \"exponential\", mean = \"5m\" }\n[set.port]\nparking = 10\n";
        let s = study(text).expect("valid");
        let keys: Vec<&str> = s.set.iter().map(Override::key).collect();
        assert_eq!(
            keys,
            [
                "horizon",
                "stages.gate.lanes",
                "stages.exit.fee",
                "service",
                "port.parking"
            ],
            "in the order written"
        );
        let gate = s
            .set
            .iter()
            .find(|o| o.key() == "stages.gate.lanes")
            .expect("set");
        assert_eq!(gate.steps().nth(1), Some(&Step::Key("gate".into())));
        assert_eq!(&text[gate.value_span()], "3");
        let service = s.set.iter().find(|o| o.key() == "service").expect("set");
        assert!(service.value().is_table(), "an inline table is one value");
        assert_eq!(s.scenario, Path::new("dir/base.toml"));
    }

    #[test]
    fn a_set_that_is_not_a_table_is_located() {
        let e = study("set = 3\n").expect_err("not a table").to_string();
        assert!(
            e.contains("dir/study.toml:1:7") && e.contains("expected a table"),
            "{e}"
        );
    }
}
