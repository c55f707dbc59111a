//! Scenario files: TOML in, a validated [`Scenario`] out.
//!
//! Reading happens in two steps. The file is first deserialised into plain
//! structs that mirror it key for key, with the source span of every value;
//! then those are checked and converted into the types of [`types`], which
//! cannot hold an invalid state. Every mistake is reported with the file,
//! line and column, what was expected, and a did-you-mean for misspelt
//! keys; nothing downstream re-checks.
//!
//! The pipeline, one module per step:
//!
//! 1. `sources`: read the file and its `extends` chain (syntax, cycles,
//!    depth), then merge the chain into one spanned TOML tree whose spans
//!    still say which file each value came from;
//! 2. `decode`: deserialise the tree into the `raw` structs, collecting
//!    unknown keys and wrong types;
//! 3. `build` and `stages` (with `units`, `dists`, `calendars` and the
//!    shared `checks`): validate every value and apply defaults, collecting
//!    every problem;
//! 4. `error`: map problems back to files and render them like cargo.
//!
//! Overrides ([`Override`], `--set KEY=VALUE`) are applied to the merged
//! tree after step 1, so they are validated, located and hashed like the
//! files' own values. [`load_warnings`] then says, without simulating,
//! whether any stage is overloaded. The file format is documented in
//! `docs/scenario-format.md`. [`toml_file`] lends the same diagnostics to
//! portsim's other TOML formats (sweeps, plans, sensitivity studies).

use std::path::{Path, PathBuf};

mod behaviour;
mod build;
mod calendars;
mod checks;
mod dated;
mod dates;
mod decode;
mod dists;
mod error;
mod initial;
pub mod intervention;
mod lane_overrides;
pub mod limits;
mod named;
mod origins;
pub mod overrides;
mod pools;
mod raw;
mod routes;
pub mod schema;
mod sources;
mod stages;
pub mod toml_file;
pub mod types;
mod units;
mod warnings;

#[cfg(test)]
mod tests;

pub use error::{Diagnostic, ScenarioError, compact, render_counted};
pub use origins::COMMAND_LINE;
pub use overrides::{Origin, Override};
pub use types::*;
pub use warnings::{load_warnings, visits_per_truck, visits_per_truck_by_class};

use checks::Issues;
use sources::Sources;

/// Parses a duration the way scenario files write them ("90s", "1h 30m",
/// "28d"), for command-line overrides: the same units, the same errors.
pub fn parse_duration(text: &str) -> Result<crate::engine::time::Span, String> {
    units::span(text)
}

/// Parses a rate the way scenario files write them ("50/h", "1200/d")
/// into trucks per day: the same units, the same errors.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    units::rate_per_day(text)
}

/// Reads a scenario file, resolves `extends`, and validates it.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &[], &[])
}

/// Validates a scenario whose text is already in memory. `path` names it
/// in messages and is where a relative `extends` is resolved from.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    parse_with(text, path, &[])
}

/// [`parse`], refusing any `extends` whose file (links followed) is not
/// inside the folder `within` (canonical): the web app's workspace.
pub fn parse_within(text: &str, path: &Path, within: &Path) -> Result<Scenario, ScenarioError> {
    parse_within_with(text, path, within, &[])
}

/// [`parse_within`], then the overrides, in order (the web app's now
/// page: a scenario of the workspace with its `start` on the forecast's
/// date).
pub fn parse_within_with(
    text: &str,
    path: &Path,
    within: &Path,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let mut sources =
        Sources::read_within(text, path, Some(within)).map_err(ScenarioError::Invalid)?;
    finish(&mut sources, path, overrides)
}

/// [`load_patched`] with every `extends` of the baseline's chain confined
/// to the folder `within` (canonical), as [`parse_within`] does; the
/// patches' own `extends` is not followed.
pub fn load_patched_within(
    baseline: &Path,
    patches: &[PathBuf],
    within: &Path,
) -> Result<Scenario, ScenarioError> {
    let text = read(baseline)?;
    let mut sources =
        Sources::read_within(&text, baseline, Some(within)).map_err(ScenarioError::Invalid)?;
    apply_patches(&mut sources, patches)?;
    finish(&mut sources, baseline, &[])
}

/// Applies each patch (an intervention) to `sources`, in order.
fn apply_patches(sources: &mut Sources, patches: &[PathBuf]) -> Result<(), ScenarioError> {
    for patch in patches {
        if !origins::is_toml(patch) {
            return Err(ScenarioError::NotToml {
                path: patch.clone(),
                what: "an intervention",
            });
        }
        let text = read(patch)?;
        sources
            .patch(&text, patch)
            .map_err(ScenarioError::Invalid)?;
    }
    Ok(())
}

/// [`parse`], then the overrides, in order.
pub fn parse_with(
    text: &str,
    path: &Path,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let mut sources = Sources::read(text, path).map_err(ScenarioError::Invalid)?;
    finish(&mut sources, path, overrides)
}

/// Reads `baseline` (with its `extends` chain), applies each patch in
/// order with the `extends` merge rules, and validates the result.
///
/// A patch is a partial scenario, typically one intervention that
/// `extends` the baseline; its own `extends` is not followed, since the
/// baseline is already read. The result's `source` is the baseline.
pub fn load_patched(baseline: &Path, patches: &[PathBuf]) -> Result<Scenario, ScenarioError> {
    load_with(baseline, patches, &[])
}

/// [`load_patched`], then the overrides, in order: the most general way
/// to read a scenario, and the one the command line uses.
pub fn load_with(
    path: &Path,
    patches: &[PathBuf],
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let text = read(path)?;
    let mut sources = Sources::read(&text, path).map_err(ScenarioError::Invalid)?;
    apply_patches(&mut sources, patches)?;
    finish(&mut sources, path, overrides)
}

fn read(path: &Path) -> Result<String, ScenarioError> {
    limits::read_file(path).map_err(|error| ScenarioError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Where a limit's key is in the file, and a note for under the caret.
fn limited_span(
    file: &raw::ScenarioFile,
    key: limits::LimitedKey,
) -> (Option<std::ops::Range<usize>>, Option<&'static str>) {
    use limits::LimitedKey;
    match key {
        LimitedKey::Replications => (file.replications.as_ref().map(|r| r.span()), None),
        LimitedKey::Horizon => match (&file.horizon, &file.warmup) {
            (Some(h), _) => (Some(h.span()), Some("`horizon` (plus `warmup`)")),
            (None, Some(w)) => (Some(w.span()), Some("`warmup`")),
            (None, None) => (None, None),
        },
        LimitedKey::Demand => {
            let demand = file.demand.as_ref().map(|d| d.get_ref());
            let rate = demand.and_then(|d| d.rate.as_ref().map(|r| r.span()));
            let gap = demand.and_then(|d| d.interarrival.as_ref().map(|g| g.span()));
            match (rate, gap) {
                (Some(span), _) => (Some(span), Some("the arrival `rate`")),
                (None, Some(span)) => (Some(span), Some("the `interarrival` time")),
                (None, None) => (file.demand.as_ref().map(|d| d.span()), None),
            }
        }
        LimitedKey::None => (None, None),
    }
}

/// Merges the files, applies the overrides, decodes, validates, and fills
/// in `source`, `resolved`, `overrides` and `patch_warnings`.
fn finish(
    sources: &mut Sources,
    path: &Path,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let (mut scenario, replaced) = finish_once(sources, path, overrides)?;
    if !replaced.is_empty() {
        // The capacity before: the scenario without the counts that
        // replaced shift tables.
        let kept: Vec<Override> = overrides
            .iter()
            .enumerate()
            .filter(|(i, _)| !replaced.iter().any(|r| r.index == *i))
            .map(|(_, o)| o.clone())
            .collect();
        if let Ok((before, _)) = finish_once(sources, path, &kept) {
            for r in &replaced {
                if let Some(w) =
                    lane_overrides::replaced_warning(&before, &scenario, r, &overrides[r.index])
                {
                    scenario.patch_warnings.push(w);
                }
            }
        }
    }
    Ok(scenario)
}

/// [`finish`] without the warnings that need a second reading: the
/// scenario, and the counts that replaced shift tables.
fn finish_once(
    sources: &mut Sources,
    path: &Path,
    overrides: &[Override],
) -> Result<(Scenario, Vec<lane_overrides::Replaced>), ScenarioError> {
    let offsets: Vec<usize> = overrides
        .iter()
        .map(|o| sources.origin(&o.origin().path, &o.origin().text))
        .collect();
    let sources = &*sources;
    let invalid = |mut issues: Vec<checks::Issue>| {
        overrides::hint_arrays(&mut issues, overrides, &offsets);
        // In file order: the extending file first, then its bases.
        issues.sort_by_key(|i| i.span.as_ref().map_or(0, |s| s.start));
        let list = issues.into_iter().map(|i| sources.diagnostic(i)).collect();
        ScenarioError::Invalid(list)
    };
    let mut patch_warnings = Vec::new();
    // Overrides of `lanes` follow one rule (`lane_overrides`): scaling
    // ones are read against the files, counts replacing a shift table
    // are noted for a warning.
    let prepared = if lane_overrides::touches_lanes(overrides) {
        let files = sources
            .merged(&mut Vec::new())
            .map_err(ScenarioError::Invalid)?;
        lane_overrides::prepare(files.get_ref(), overrides, &offsets)
    } else {
        lane_overrides::Prepared {
            list: overrides.iter().cloned().map(Some).collect(),
            ..Default::default()
        }
    };
    let mut doc = sources
        .merged(&mut patch_warnings)
        .map_err(ScenarioError::Invalid)?;
    let mut problems: Vec<checks::Issue> = prepared
        .list
        .iter()
        .zip(&offsets)
        .filter_map(|(o, &offset)| {
            o.as_ref()
                .and_then(|o| overrides::apply(doc.get_mut(), o, offset).err())
        })
        .collect();
    problems.extend(prepared.issues.iter().cloned());
    // An override that cannot be applied leaves the document as it was,
    // so the rest is still decoded and checked: every mistake at once.
    let decoded = decode::decode(&doc);
    let Some(file) = decoded.file else {
        return Err(invalid([problems, decoded.issues].concat()));
    };
    let mut issues = Issues::default();
    let scenario = build::scenario(&file, &mut issues);
    // A key removed for its type is not also "missing", nor an array
    // with an element removed "empty" or "too short": that would only say
    // the same thing again, or something untrue of the file.
    issues.list.retain(|i| {
        !decoded
            .removed
            .iter()
            .any(|k| i.message.starts_with(&format!("missing key `{k}`")))
            && !i
                .span
                .as_ref()
                .is_some_and(|s| decoded.shortened.contains(s))
    });
    let scenario = scenario.filter(|_| decoded.issues.is_empty());
    issues.list.splice(0..0, decoded.issues);
    issues.list.splice(0..0, problems);
    let resolved = sources::canonical(&doc).map_err(|message| {
        issues.push(
            None,
            format!("cannot write the resolved scenario: {message}"),
        );
    });
    if issues.list.is_empty() && (scenario.is_none() || resolved.is_err()) {
        issues.push(
            None,
            "the scenario is invalid (internal error: no message was recorded)",
        );
    }
    match (scenario, resolved) {
        (Some(mut scenario), Ok(resolved)) if issues.list.is_empty() => {
            scenario.source = path.to_path_buf();
            scenario.resolved = resolved;
            scenario.overrides = overrides.iter().map(|o| o.text().to_owned()).collect();
            scenario.patch_warnings = patch_warnings;
            match limits::check(&scenario) {
                Ok(()) => Ok((scenario, prepared.replaced)),
                Err(limit) => {
                    let (span, label) = limited_span(&file, limit.key());
                    let issue = issues.push(span, limit.to_string());
                    if let Some(label) = label {
                        issue.label(label);
                    }
                    Err(invalid(issues.list))
                }
            }
        }
        _ => Err(invalid(issues.list)),
    }
}
