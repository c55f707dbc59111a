//! JUnit XML for `portsim check`, the test-report format CI systems read
//! (GitLab, GitHub Actions report actions, Jenkins, Azure Pipelines…).
//!
//! One `<testsuite>` per scenario file, one `<testcase>` per checked
//! metric; a metric that failed carries `<failure message=… type=…>`, one
//! that passed or improved a `<system-out>` line saying how it compared,
//! and a replication that ran away adds a failing `runaway` case. The
//! run's warnings and findings go in the suite's `<system-out>`. A file
//! that could not be checked is a suite with one `<error>` case; a
//! baseline entry whose file is gone, one with a `missing` failure; an
//! entry not given, one `<skipped>` case. The document is written for
//! every check, whatever happened, so a CI's test report always has it.
//! There is no single JUnit schema; this keeps to the subset every reader
//! accepts.
//! Every piece of text is escaped ([`escape`]), including characters XML
//! 1.0 cannot carry at all, so scenario names can never break the document.

use std::fmt::Write;

use crate::experiment::gate::overall::{Overall, missing_note};
use crate::experiment::gate::{Outcome, ScenarioCheck, Status, Tolerance};

/// Escapes text for XML content and attribute values: the five markup
/// characters, tabs and line breaks (kept through attribute
/// normalisation), and characters XML 1.0 forbids replaced by U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn testcase(out: &mut String, check: &ScenarioCheck, o: &Outcome) {
    let number = |x: Option<f64>| {
        x.map_or_else(
            || "n/a".to_owned(),
            |x| crate::report::format::value(x, o.unit, &check.currency),
        )
    };
    let detail = format!(
        "baseline {}, current {}; {}",
        number(o.baseline),
        number(o.current),
        check.provenance
    );
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"0\">",
        escape(o.metric.name),
        escape(&check.file)
    );
    match o.status {
        Status::Failed => {
            let _ = write!(
                out,
                "\n      <failure message=\"{}\" type=\"regression\">{}</failure>\n    ",
                escape(&format!("{}: {}", o.metric.name, o.note)),
                escape(&detail)
            );
        }
        Status::Passed | Status::Improved => {
            let word = if o.status == Status::Improved {
                "improved"
            } else {
                "passed"
            };
            let _ = write!(
                out,
                "\n      <system-out>{}</system-out>\n    ",
                escape(&format!("{word}: {}; {detail}", o.note))
            );
        }
    }
    let _ = writeln!(out, "</testcase>");
}

/// Test cases and failures of a scenario (a runaway counts as one of each).
fn counts(check: &ScenarioCheck) -> (usize, usize) {
    let runaway = usize::from(!check.stopped.is_empty());
    let failed = check
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Failed)
        .count();
    (check.outcomes.len() + runaway, failed + runaway)
}

fn tolerance_text(tolerance: Option<Tolerance>) -> String {
    tolerance.map_or_else(|| "n/a".to_owned(), |t| t.to_string())
}

fn testsuite(out: &mut String, check: &ScenarioCheck, tolerance: Option<Tolerance>) {
    let (tests, failures) = counts(check);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{:.3}\">",
        escape(&check.file),
        check.wall_time_s
    );
    let _ = writeln!(out, "    <properties>");
    let tolerance = tolerance_text(tolerance);
    let seed = check.seed.to_string();
    let replications = check.replications.to_string();
    let provenance = check.provenance.to_string();
    let mut properties = vec![
        ("scenario", check.name.as_str()),
        ("baseline_key", &check.key),
        ("seed", &seed),
        ("replications", &replications),
        ("tolerance", &tolerance),
        ("provenance", &provenance),
    ];
    if let Some(old) = &check.renamed_from {
        properties.push(("renamed_from", old));
    }
    for (name, value) in properties {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape(value)
        );
    }
    let _ = writeln!(out, "    </properties>");
    for o in &check.outcomes {
        testcase(out, check, o);
    }
    if !check.stopped.is_empty() {
        let list: Vec<String> = check.stopped.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(
            out,
            "    <testcase name=\"runaway\" classname=\"{}\" time=\"0\">\n      <failure message=\"{}\" type=\"runaway\"/>\n    </testcase>",
            escape(&check.file),
            escape(&format!(
                "replications {} ran away (more trucks in the system than --max-trucks)",
                list.join(", ")
            ))
        );
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(old) = &check.renamed_from {
        notes.push(format!(
            "note: not in the baseline as `{}`; checked against `{old}`, the same scenario (renamed or moved); re-record the baseline to keep the new name",
            check.key
        ));
    }
    notes.extend(check.warnings.iter().map(|w| format!("warning: {w}")));
    notes.extend(
        check
            .findings
            .iter()
            .map(|f| format!("finding: {}", super::findings::text(f))),
    );
    if !notes.is_empty() {
        let _ = writeln!(
            out,
            "    <system-out>{}</system-out>",
            escape(&notes.join("\n"))
        );
    }
    let _ = writeln!(out, "  </testsuite>");
}

/// A suite of one case: `body` is its failure, error or skipped element.
fn single(out: &mut String, suite: &str, case: &str, kind: (usize, usize, usize), body: &str) {
    let (failures, errors, skipped) = kind;
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"1\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0.000\">\n    <testcase name=\"{}\" classname=\"{}\" time=\"0\">\n      {body}\n    </testcase>\n  </testsuite>",
        escape(suite),
        escape(case),
        escape(suite)
    );
}

/// The JUnit XML document of a check.
pub fn check(overall: &Overall, tolerance: Option<Tolerance>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (tests, failures) = overall
        .checks
        .iter()
        .map(counts)
        .fold((0, 0), |(t, f), (a, b)| (t + a, f + b));
    let (errors, missing, skipped) = (
        overall.errors.len(),
        overall.missing.len(),
        overall.skipped.len(),
    );
    let time = overall.checks.iter().fold(0.0, |t, c| t + c.wall_time_s);
    let _ = writeln!(
        out,
        "<testsuites name=\"portsim check\" tests=\"{}\" failures=\"{}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.3}\">",
        tests + errors + missing + skipped,
        failures + missing,
    );
    for c in &overall.checks {
        testsuite(&mut out, c, tolerance);
    }
    for e in &overall.errors {
        let first = e.message.lines().next().unwrap_or_default();
        let body = format!(
            "<error message=\"{}\" type=\"error\">{}</error>",
            escape(first),
            escape(&e.message)
        );
        single(&mut out, &e.file, "check", (0, 1, 0), &body);
    }
    for m in &overall.missing {
        let body = format!(
            "<failure message=\"{}\" type=\"missing\"/>",
            escape(&missing_note(&m.key))
        );
        single(&mut out, &m.key, "file", (1, 0, 0), &body);
    }
    for m in &overall.skipped {
        let body = format!(
            "<skipped message=\"{}\"/>",
            escape(&format!(
                "`{}` ({}) is in the baseline but was not given to this check",
                m.key, m.name
            ))
        );
        single(&mut out, &m.key, "check", (0, 0, 1), &body);
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c\"'d'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(escape("x\u{1}\ny"), "x\u{FFFD}&#10;y");
        assert_eq!(escape("Hórgos 霍尔果斯"), "Hórgos 霍尔果斯");
    }
}
