//! A request checked into a job: the [`Prepared`] job (with its
//! [`Study`], for a study file), and why a request cannot become one
//! ([`PrepareError`], with the CLI's diagnostics as JSON).
//!
//! The dispatcher (`work`) and each kind of work (`study`, `attribute`)
//! produce and read these; they sit here, below all three, so that the
//! kinds of work do not import the dispatcher that calls them.

use std::sync::Arc;

use serde::Serialize;

use super::kind::Kind;
use super::workspace::PathError;
use crate::decide::plan::Plan;
use crate::decide::sensitivity::Sensitivity;
use crate::decide::sweep::Sweep;
use crate::scenario::Scenario;
use crate::store::identity::RunIdentity;

/// One diagnostic as JSON: where and what, as the CLI renders it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DiagnosticJson {
    /// The workspace file it is in (a base of `extends` may be another).
    pub file: String,
    /// 1-based line, if located.
    pub line: Option<usize>,
    /// 1-based column, if located.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// The note under the caret (did-you-mean).
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The whole diagnostic as the CLI prints it.
    pub rendered: String,
}

/// The diagnostics of a scenario error, as JSON.
pub fn diagnostics(error: &crate::scenario::ScenarioError) -> Vec<DiagnosticJson> {
    let list = error.diagnostics();
    if list.is_empty() {
        return vec![DiagnosticJson {
            file: String::new(),
            line: None,
            column: None,
            message: error.to_string(),
            label: None,
            help: None,
            rendered: error.to_string(),
        }];
    }
    list.iter()
        .map(|d| {
            let at = d.line_col();
            DiagnosticJson {
                file: d.path.display().to_string(),
                line: at.map(|a| a.0),
                column: at.map(|a| a.1),
                message: d.message.clone(),
                label: d.label.clone(),
                help: d.help.clone(),
                rendered: d.render(),
            }
        })
        .collect()
}

/// Why a request cannot become a job.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// A name the workspace refuses.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The request itself is malformed.
    #[error("{0}")]
    Usage(String),
    /// A scenario has mistakes.
    #[error("`{file}` has mistakes")]
    Invalid {
        /// The file named in the request.
        file: String,
        /// Its diagnostics.
        diagnostics: Vec<DiagnosticJson>,
    },
    /// A limit exceeded by the request's options.
    #[error("{0}")]
    Limit(String),
}

/// A request checked and loaded, ready to run.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Run or compare.
    pub kind: Kind,
    /// The workspace files.
    pub files: Vec<String>,
    /// The scenarios, seed and replications applied.
    pub scenarios: Vec<Scenario>,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u64,
    /// What the results depend on; its id keys the ledger.
    pub identity: RunIdentity,
    /// The study file read, for the study kinds.
    pub study: Option<Arc<Study>>,
    /// The workspace's real path, made relative in the job's messages.
    pub root: std::path::PathBuf,
}

impl Prepared {
    /// The run id.
    pub fn run_id(&self) -> String {
        self.identity.id()
    }
}

/// A study file, read and resolved.
#[derive(Clone, Debug)]
pub enum Study {
    /// `portsim sweep`.
    Sweep(Box<Sweep>),
    /// `portsim plan`.
    Plan(Box<Plan>),
    /// `portsim sensitivity`.
    Sensitivity(Box<Sensitivity>),
}

impl Study {
    /// The scenario studied, resolved with the study's overrides.
    pub fn base(&self) -> &Scenario {
        match self {
            Study::Sweep(s) => &s.base,
            Study::Plan(p) => &p.base,
            Study::Sensitivity(s) => &s.base,
        }
    }

    /// Points (sweep) or settings (sensitivity); `None` for a plan, whose
    /// candidates follow from its results.
    pub fn points(&self) -> Option<usize> {
        match self {
            Study::Sweep(s) => Some(s.points.len()),
            Study::Plan(_) => None,
            Study::Sensitivity(s) => Some(s.points.len()),
        }
    }
}
