//! The terminal table of `portsim check`: per scenario file, what changed
//! since the baseline and each metric's baseline and current value, change
//! and result, with the reason under every metric
//! that failed or improved, the run's warnings and findings; then the
//! files that could not be checked, the baseline entries whose file is
//! gone, those skipped, and one summary line. `--quiet` keeps only what
//! failed and the summary line. Values read as in `run`'s table, and a
//! change's interval as in the failure message (`format::change_interval`).

use std::fmt::Write;

use crate::experiment::gate::overall::{Overall, missing_note};
use crate::experiment::gate::{Outcome, ScenarioCheck, Status, Tolerance};
use crate::report::format::{change_interval, signed_fixed, value};

fn row(out: &mut String, o: &Outcome, currency: &str) {
    // Each value as `run` shows it, and the change's interval as the
    // failure message gives it.
    let show = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |x| value(x, o.unit, currency));
    let change = o.relative.filter(|r| r.is_finite()).map_or_else(
        || "n/a".to_owned(),
        |r| format!("{}%", signed_fixed(100.0 * r, 1)),
    );
    let ci = match o.change.as_ref().map(|e| e.ci95) {
        None => "(tolerance only)".to_owned(),
        Some(None) => "n/a".to_owned(),
        Some(Some(ci)) => change_interval(ci, o.unit, currency),
    };
    let result = match o.status {
        Status::Passed => "pass",
        Status::Improved => "improved",
        Status::Failed => "FAIL",
    };
    let _ = writeln!(
        out,
        "  {:<20} {:>14} {:>14} {:>9}  {:<30} {result}",
        o.metric.name,
        show(o.baseline),
        show(o.current),
        change,
        ci
    );
    if o.status != Status::Passed {
        let _ = writeln!(out, "    {}: {}", o.metric.name, o.note);
    }
}

fn scenario(out: &mut String, c: &ScenarioCheck, quiet: bool) {
    let shown: Vec<&Outcome> = c
        .outcomes
        .iter()
        .filter(|o| !quiet || o.status == Status::Failed)
        .collect();
    if quiet && c.passed() {
        return;
    }
    let _ = writeln!(out, "{}: {}", c.file, c.name);
    let _ = writeln!(
        out,
        "  {} replications, seed {} (from the baseline); {}",
        c.replications, c.seed, c.provenance
    );
    if let Some(old) = &c.renamed_from {
        let _ = writeln!(
            out,
            "  note: not in the baseline as `{}`; checked against `{old}`, the same scenario (renamed or moved); re-record the baseline to keep the new name",
            c.key
        );
    }
    if !quiet {
        for w in &c.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
        for f in &c.findings {
            let _ = writeln!(out, "  finding: {}", crate::report::findings::text(f));
        }
    }
    if !shown.is_empty() {
        let _ = writeln!(
            out,
            "  {:<20} {:>14} {:>14} {:>9}  {:<30} result",
            "metric", "baseline", "current", "change", "95% CI of change"
        );
    }
    for o in shown {
        row(out, o, &c.currency);
    }
    if !c.stopped.is_empty() {
        let _ = writeln!(
            out,
            "  FAIL: replications {:?} ran away (more trucks in the system than --max-trucks)",
            c.stopped
        );
    }
    let _ = writeln!(out);
}

/// The table of `portsim check`; `quiet` shows only what failed and the
/// summary line.
pub fn check(overall: &Overall, tolerance: Option<Tolerance>, quiet: bool) -> String {
    let mut out = String::new();
    for c in &overall.checks {
        scenario(&mut out, c, quiet);
    }
    for e in &overall.errors {
        let _ = writeln!(out, "{}: ERROR, not checked", e.file);
        for line in e.message.lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out);
    }
    for m in &overall.missing {
        let _ = writeln!(out, "{}: FAIL, {}\n", m.key, missing_note(&m.key));
    }
    if !quiet && !overall.skipped.is_empty() {
        let _ = writeln!(out, "skipped (in the baseline, not given here):");
        for m in &overall.skipped {
            let _ = writeln!(out, "  {} ({})", m.key, m.name);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", summary_line(overall, tolerance));
    out
}

/// The closing line of the table: what was checked and how it ended.
pub fn summary_line(overall: &Overall, tolerance: Option<Tolerance>) -> String {
    let outcomes = overall.checks.iter().flat_map(|c| &c.outcomes);
    let total = outcomes.clone().count();
    let failed = outcomes
        .clone()
        .filter(|o| o.status == Status::Failed)
        .count();
    let improved = outcomes.filter(|o| o.status == Status::Improved).count();
    let runaway = overall
        .checks
        .iter()
        .filter(|c| !c.stopped.is_empty())
        .count();
    let tolerance = tolerance.map_or_else(|| "n/a".to_owned(), |t| t.to_string());
    format!(
        "checked {} scenario file(s), {total} metrics: {failed} failed, {improved} improved{}; {} missing, {} skipped, {} not checked (errors) (tolerance {tolerance}; a metric fails when it is worse by more than the tolerance and significantly, in paired replications)",
        overall.checks.len(),
        if runaway > 0 {
            format!(", {runaway} ran away")
        } else {
            String::new()
        },
        overall.missing.len(),
        overall.skipped.len(),
        overall.errors.len(),
    )
}
