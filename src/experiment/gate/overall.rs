//! The whole of one `portsim check`: every file given, checked or not, and
//! every baseline entry that was not checked, with the exit code they make.
//!
//! A gate must not pass by accident, and must not hide one scenario's
//! problem behind another's. So a file that cannot be checked (a scenario
//! error, a file the baseline does not know) is reported and the others
//! are still checked; an entry whose file no longer exists is a failure
//! (deleting a scenario is a change worth a reviewed baseline); an entry
//! whose file exists but was not given is skipped, so checking a subset
//! stays normal. The exit code ranks what happened: 2 when any file could
//! not be checked, else 1 when anything failed or is missing, else 0.

use super::ScenarioCheck;

/// A file given that could not be checked.
#[derive(Clone, Debug)]
pub struct FileError {
    /// The file as given (or the baseline, for an error that stops every
    /// check).
    pub file: String,
    /// Its key in the baseline, when it was found.
    pub key: Option<String>,
    /// What went wrong, with what to do about it.
    pub message: String,
    /// Where in the scenario's files, for a mistake located there (for
    /// annotations; the message says the same).
    pub located: Vec<Located>,
}

/// A mistake at a place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The file, relative to the baseline's root where it lies under it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong there.
    pub message: String,
}

/// A baseline entry that was not checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotChecked {
    /// Its key.
    pub key: String,
    /// Its scenario's name, as recorded.
    pub name: String,
}

/// Everything one check found.
#[derive(Clone, Debug, Default)]
pub struct Overall {
    /// The files checked, in the order given.
    pub checks: Vec<ScenarioCheck>,
    /// The files that could not be checked.
    pub errors: Vec<FileError>,
    /// Entries whose file no longer exists (a failure each).
    pub missing: Vec<NotChecked>,
    /// Entries whose file exists but was not given.
    pub skipped: Vec<NotChecked>,
}

impl Overall {
    /// Failures: checks that did not pass, and missing files.
    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| !c.passed()).count() + self.missing.len()
    }

    /// 2 when a file could not be checked, else 1 when anything failed or
    /// is missing, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.failures() > 0 {
            1
        } else {
            0
        }
    }

    /// Whether the gate passes (exit code 0).
    pub fn passed(&self) -> bool {
        self.exit_code() == 0
    }
}

/// The note for a missing entry.
pub fn missing_note(key: &str) -> String {
    format!(
        "`{key}` is in the baseline but the file no longer exists; re-record the baseline if it was removed on purpose"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::gate::Provenance;

    fn check(stopped: Vec<u64>) -> ScenarioCheck {
        ScenarioCheck {
            file: "a.toml".into(),
            key: "a.toml".into(),
            name: "a".into(),
            seed: 1,
            replications: 2,
            provenance: Provenance {
                scenario_changed: false,
                other_version: None,
                identical: true,
            },
            outcomes: Vec::new(),
            stopped,
            wall_time_s: 0.0,
            renamed_from: None,
            currency: "CNY".into(),
            warnings: Vec::new(),
            findings: Vec::new(),
        }
    }

    #[test]
    fn errors_outrank_failures_which_outrank_passes() {
        let gone = NotChecked {
            key: "b.toml".into(),
            name: "b".into(),
        };
        let mut o = Overall {
            checks: vec![check(Vec::new())],
            skipped: vec![gone.clone()],
            ..Overall::default()
        };
        assert_eq!(o.exit_code(), 0, "a skipped entry is normal");
        o.missing.push(gone);
        assert_eq!((o.exit_code(), o.failures()), (1, 1));
        o.missing.clear();
        o.checks.push(check(vec![3]));
        assert_eq!(o.exit_code(), 1, "a runaway fails");
        o.errors.push(FileError {
            file: "c.toml".into(),
            key: None,
            message: "bad".into(),
            located: Vec::new(),
        });
        assert_eq!(o.exit_code(), 2);
        assert!(missing_note("x.toml").contains("re-record the baseline"));
    }
}
