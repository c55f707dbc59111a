//! What a job of the web app can be ([`Kind`]), and which kind a
//! workspace file asks for ([`kind_of`]: a study file names a top-level
//! `scenario`, a scenario file does not), and whether a `.toml` file is
//! a log's map instead ([`is_log_map`]).
//!
//! The workspace's listing, the pages, the studies and the job queue all
//! name kinds; they sit here, at the bottom of the web app, so that the
//! workspace does not import the studies and the jobs it lists.

use serde::{Deserialize, Serialize};

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One scenario.
    Run,
    /// Baseline and variant, paired.
    Compare,
    /// A baseline and interventions: every combination, paired, and the
    /// change taken apart by intervention.
    Attribute,
    /// A sweep file's points.
    Sweep,
    /// A plan file's least-cost search.
    Plan,
    /// A sensitivity file's settings.
    Sensitivity,
}

impl Kind {
    /// As the API and the ledger spell it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Attribute => "attribute",
            Kind::Sweep => "sweep",
            Kind::Plan => "plan",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

/// The top-level keys that tell a study file from a scenario.
#[derive(Deserialize)]
struct Header {
    scenario: Option<toml::Value>,
    decide: Option<toml::Value>,
    parameters: Option<toml::Value>,
}

/// The top-level tables that tell a log's map (`--map`) from a scenario.
#[derive(Deserialize)]
struct MapHeader {
    columns: Option<toml::Value>,
    codes: Option<toml::Value>,
}

/// Whether `text` is a log's map: a TOML file with a `[columns]` or
/// `[codes]` table at its top level (no scenario has either).
pub fn is_log_map(text: &str) -> bool {
    toml::from_str::<MapHeader>(text).is_ok_and(|h| {
        matches!(h.columns, Some(toml::Value::Table(_)))
            || matches!(h.codes, Some(toml::Value::Table(_)))
    })
}

/// Which study `text` is, if it is one (a scenario has no top-level
/// `scenario` string).
pub fn kind_of(text: &str) -> Option<Kind> {
    let h: Header = toml::from_str(text).ok()?;
    if !matches!(h.scenario, Some(toml::Value::String(_))) {
        return None;
    }
    Some(if h.decide.is_some() {
        Kind::Plan
    } else if h.parameters.is_some() {
        Kind::Sensitivity
    } else {
        // `factors`, or none yet: the sweep reader says what is missing.
        Kind::Sweep
    })
}
