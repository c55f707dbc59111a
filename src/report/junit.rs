//! JUnit XML for `portsim check`, the test-report format CI systems read
//! (GitLab, GitHub Actions report actions, Jenkins, Azure Pipelines…).
//!
//! One `<testsuite>` per scenario file, one `<testcase>` per checked
//! metric; a metric that failed carries `<failure message=… type=…>`, one
//! that passed or improved a `<system-out>` line saying how it compared,
//! and a replication that ran away adds a failing `runaway` case. There is
//! no single JUnit schema; this keeps to the subset every reader accepts.
//! Every piece of text is escaped ([`escape`]), including characters XML
//! 1.0 cannot carry at all, so scenario names can never break the document.

use std::fmt::Write;

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

fn number(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |x| x.to_string())
}

fn testcase(out: &mut String, check: &ScenarioCheck, o: &Outcome) {
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

fn testsuite(out: &mut String, check: &ScenarioCheck, tolerance: Tolerance) {
    let (tests, failures) = counts(check);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{:.3}\">",
        escape(&check.file),
        check.wall_time_s
    );
    let _ = writeln!(out, "    <properties>");
    let tolerance = tolerance.to_string();
    let seed = check.seed.to_string();
    let replications = check.replications.to_string();
    let provenance = check.provenance.to_string();
    for (name, value) in [
        ("scenario", check.name.as_str()),
        ("baseline_key", &check.key),
        ("seed", &seed),
        ("replications", &replications),
        ("tolerance", &tolerance),
        ("provenance", &provenance),
    ] {
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
    let _ = writeln!(out, "  </testsuite>");
}

/// The JUnit XML document of a check.
pub fn check(checks: &[ScenarioCheck], tolerance: Tolerance) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (tests, failures) = checks
        .iter()
        .map(counts)
        .fold((0, 0), |(t, f), (a, b)| (t + a, f + b));
    let time: f64 = checks.iter().map(|c| c.wall_time_s).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"portsim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">"
    );
    for c in checks {
        testsuite(&mut out, c, tolerance);
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
