//! The JSON Schemas of study files (sweeps, plans and sensitivity
//! studies), generated from their readers' own raw types with schemars,
//! as `scenario::schema` does for scenarios. `portsim schema --kind sweep`
//! (`plan`, `sensitivity`) prints one; `schema/KIND.schema.json` is that
//! document, kept in step by a test, and `taplo.toml` gives editors the
//! right one by file name (`sweep-*.toml`, `plan-*.toml`,
//! `sensitivity-*.toml`, as `scenarios/studies/` names them), or a file
//! names its own with a `#:schema` line.
//!
//! Study files are told apart by the command that reads them, not by
//! their keys, so each kind has a schema of its own rather than one
//! schema with a discriminator. As for scenarios, the raw types say which
//! keys exist and what shape each value has (they refuse unknown keys, so
//! the schema does: `additionalProperties: false`); ranges, metric keys
//! and the scenario's own keys are the reader's to judge. The one rule
//! added by hand: every study names its `scenario`.

use serde_json::Value;

/// The kinds of file portsim reads, for `portsim schema --kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A scenario file or an intervention patch.
    Scenario,
    /// A sweep (`portsim sweep`).
    Sweep,
    /// A capacity plan (`portsim plan`).
    Plan,
    /// A sensitivity study (`portsim sensitivity`).
    Sensitivity,
}

impl Kind {
    /// Every kind, in the order above.
    pub const ALL: [Kind; 4] = [Kind::Scenario, Kind::Sweep, Kind::Plan, Kind::Sensitivity];

    /// Where its published schema lives in the repository.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Scenario => crate::scenario::schema::PATH,
            Kind::Sweep => "schema/sweep.schema.json",
            Kind::Plan => "schema/plan.schema.json",
            Kind::Sensitivity => "schema/sensitivity.schema.json",
        }
    }

    /// Its schema.
    pub fn schema(self) -> Value {
        match self {
            Kind::Scenario => crate::scenario::schema::scenario(),
            Kind::Sweep => super::sweep::schema(),
            Kind::Plan => super::plan::schema(),
            Kind::Sensitivity => super::sensitivity::schema(),
        }
    }

    /// Its schema as published: pretty JSON and a newline.
    pub fn text(self) -> String {
        serde_json::to_string_pretty(&self.schema()).unwrap_or_default() + "\n"
    }
}
