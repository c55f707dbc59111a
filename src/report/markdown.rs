//! Markdown for `portsim check --summary FILE`: the check as a section of
//! a CI job's summary page (GitHub's `$GITHUB_STEP_SUMMARY`, or any
//! Markdown file).
//!
//! The section opens with a heading that gives the verdict, then one table
//! row per scenario and metric (baseline, current, change, its 95%
//! interval and the result, in the same words and units as the terminal
//! table), then what could not be checked, the deleted and the skipped
//! entries, and the table's summary line. It is one self-contained
//! section, so several checks (or steps) can append theirs to one file.
//! Every piece of user text is escaped ([`text`]): a scenario name can
//! neither break the table nor inject HTML.

use std::fmt::Write;

use crate::experiment::gate::overall::{Overall, missing_note};
use crate::experiment::gate::{ScenarioCheck, Status, Tolerance};
use crate::report::format::{change_interval, signed_fixed, value};
use crate::report::table;

/// User text for a Markdown table cell or line: HTML's markup characters
/// as entities, Markdown's as backslash escapes, line breaks as spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn result(status: Status) -> &'static str {
    match status {
        Status::Passed => "pass",
        Status::Improved => "improved",
        Status::Failed => "**FAIL**",
    }
}

fn rows(out: &mut String, c: &ScenarioCheck) {
    let scenario = format!("{} ({})", text(&c.file), text(&c.name));
    for o in &c.outcomes {
        let show =
            |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |x| value(x, o.unit, &c.currency));
        let change = o.relative.filter(|r| r.is_finite()).map_or_else(
            || "n/a".to_owned(),
            |r| format!("{}%", signed_fixed(100.0 * r, 1)),
        );
        let ci = match o.change.as_ref().map(|e| e.ci95) {
            None => "(tolerance only)".to_owned(),
            Some(None) => "n/a".to_owned(),
            Some(Some(ci)) => change_interval(ci, o.unit, &c.currency),
        };
        let _ = writeln!(
            out,
            "| {scenario} | {} (`{}`) | {} | {} | {change} | {ci} | {} |",
            crate::decide::metrics::MetricKey::parse(o.metric.name)
                .map_or_else(|_| o.metric.name.to_owned(), |k| k.label()),
            o.metric.name,
            show(o.baseline),
            show(o.current),
            result(o.status),
        );
    }
    if !c.stopped.is_empty() {
        let list: Vec<String> = c.stopped.iter().map(u64::to_string).collect();
        let _ = writeln!(
            out,
            "| {scenario} | runaway | | | | replications {} stopped | **FAIL** |",
            list.join(", ")
        );
    }
}

/// The heading's verdict.
fn verdict(overall: &Overall) -> String {
    let failed: usize = overall
        .checks
        .iter()
        .map(|c| {
            c.outcomes
                .iter()
                .filter(|o| o.status == Status::Failed)
                .count()
        })
        .sum();
    let runaway = overall
        .checks
        .iter()
        .filter(|c| !c.stopped.is_empty())
        .count();
    let parts: Vec<String> = [
        (failed, "metric(s) failed"),
        (runaway, "scenario(s) ran away"),
        (overall.missing.len(), "scenario(s) deleted"),
        (overall.errors.len(), "file(s) could not be checked"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "passed".to_owned()
    } else {
        format!("FAILED, {}", parts.join(", "))
    }
}

/// The summary section of a check.
pub fn check(overall: &Overall, tolerance: Option<Tolerance>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## portsim check: {}\n", verdict(overall));
    if overall
        .checks
        .iter()
        .any(|c| !c.outcomes.is_empty() || !c.stopped.is_empty())
    {
        let _ = writeln!(
            out,
            "| scenario | metric | baseline | current | change | 95% CI of change | result |"
        );
        let _ = writeln!(out, "| --- | --- | ---: | ---: | ---: | --- | --- |");
        for c in &overall.checks {
            rows(&mut out, c);
        }
        let _ = writeln!(out);
    }
    if !overall.errors.is_empty() {
        let _ = writeln!(out, "**Not checked** (errors):\n");
        for e in &overall.errors {
            let first = e.message.lines().next().unwrap_or_default();
            let _ = writeln!(out, "- {}: {}", text(&e.file), text(first));
        }
        let _ = writeln!(out);
    }
    if !overall.missing.is_empty() {
        let _ = writeln!(out, "**Deleted** (a failure each):\n");
        for m in &overall.missing {
            let _ = writeln!(out, "- {}", text(&missing_note(&m.key)));
        }
        let _ = writeln!(out);
    }
    if !overall.skipped.is_empty() {
        let _ = writeln!(out, "Skipped (in the baseline, not given here):\n");
        for m in &overall.skipped {
            let _ = writeln!(out, "- {} ({})", text(&m.key), text(&m.name));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}\n", text(&table::check_summary(overall, tolerance)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_break_a_table_or_inject_html() {
        assert_eq!(
            text("a|b <script>\n`x`*"),
            "a\\|b &lt;script&gt; \\`x\\`\\*"
        );
        assert_eq!(text("Horgos 霍尔果斯"), "Horgos 霍尔果斯");
    }
}
