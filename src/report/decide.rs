//! Reports of decision studies (`portsim sweep`, `plan`, `sensitivity`,
//! and the precision line of `run --precision`), one file per format like
//! the rest of `report`.
//!
//! The shapes of the JSON documents are a contract (docs/planning.md):
//! every estimate is `{mean, ci95}` as in run reports, a sweep's points
//! are `{set: {key: value}, metrics: {name: {mean, ci95}}}`, a plan's
//! candidates `{set, verdict, replications, metrics}` and a sensitivity
//! study's bars `{key, low, high, swing, within_noise}`. The HTML pages
//! are self-contained like the run reports: inline CSS and SVG, no
//! script, no URL.

pub mod charts;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;
