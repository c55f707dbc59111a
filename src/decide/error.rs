//! Why a decision study could not be run or finished.
//!
//! Mistakes in a study file or in the scenario it names are diagnostics
//! with file, line and column (exit 2); a failed simulation, cache or
//! output is reported as such (exit 1); an interrupted study is its own
//! case (exit 130, after what is done has been written).

use crate::experiment::run::RunError;
use crate::scenario::{Diagnostic, ScenarioError};

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

    /// Whether the user's input is at fault (exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(self, DecideError::Scenario(_))
    }
}
