//! Why a decision study could not be run or finished.
//!
//! Mistakes in a study file or in the scenario it names are diagnostics
//! with file, line and column (exit 2); a failed simulation, cache or
//! output is reported as such (exit 1); an interrupted study is its own
//! case (exit 130, after what is done has been written).
//!
//! The mistakes found reading a study are given all at once
//! ([`DecideError::Study`]), and counted as the study file's: "the study
//! file has 2 errors", or, when some lie in the scenario it names, "the
//! study file and the scenario it names have 3 errors".

use std::path::{Path, PathBuf};

use crate::experiment::run::RunError;
use crate::scenario::{Diagnostic, ScenarioError, render_counted};

/// Why a study failed.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// The study file, or a scenario resolved from it, is wrong.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A simulation could not run.
    #[error("error: {0}")]
    Run(#[from] RunError),
    /// Stored results could not be read or written.
    #[error("error: {0}")]
    Cache(String),
    /// Interrupted by a signal; what finished is kept.
    #[error("interrupted")]
    Interrupted,
    /// Reading a study found mistakes, in the study file at `path` or in
    /// the scenario it names: every one of them.
    #[error("{}", render_counted(diagnostics, &whose(path, diagnostics)))]
    Study {
        /// The study file.
        path: PathBuf,
        /// Every mistake found, each once.
        diagnostics: Vec<Diagnostic>,
    },
}

/// Whose mistakes `diagnostics` are, for the closing line.
fn whose(study: &Path, diagnostics: &[Diagnostic]) -> String {
    let in_study = diagnostics.iter().filter(|d| d.path == study).count();
    if in_study == diagnostics.len() {
        "the study file has".to_owned()
    } else if in_study == 0 {
        "the scenario the study file names has".to_owned()
    } else {
        "the study file and the scenario it names have".to_owned()
    }
}

impl DecideError {
    /// Located problems in a study file, each said once (a factor's key
    /// is checked with each of its values, and a wrong key is one
    /// mistake).
    pub fn invalid(mut diagnostics: Vec<Diagnostic>) -> DecideError {
        let mut seen = Vec::new();
        diagnostics.retain(|d| {
            let key = (d.path.clone(), d.span.clone(), d.message.clone());
            let new = !seen.contains(&key);
            if new {
                seen.push(key);
            }
            new
        });
        DecideError::Scenario(ScenarioError::Invalid(diagnostics))
    }

    /// The same error as a study's (issue 28: a study file's mistakes
    /// were counted as "the scenario has 2 errors"): located mistakes
    /// become [`DecideError::Study`] of the file at `path`.
    pub fn of_study(self, path: &Path) -> DecideError {
        match self {
            DecideError::Scenario(ScenarioError::Invalid(mut diagnostics)) => {
                // The study file's first, in the order of its lines.
                diagnostics.sort_by_key(|d| {
                    let start = d.span.as_ref().map_or(0, |s| s.start);
                    (d.path != path, d.path.clone(), start)
                });
                DecideError::Study {
                    path: path.to_path_buf(),
                    diagnostics,
                }
            }
            other => other,
        }
    }

    /// The located mistakes (none for other errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            DecideError::Scenario(e) => e.diagnostics(),
            DecideError::Study { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }

    /// Whether the user's input is at fault (exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(self, DecideError::Scenario(_) | DecideError::Study { .. })
    }
}
