//! GitHub Actions workflow commands for `portsim check --format github`:
//! one annotation per finding, so a pull request shows the gate's result
//! on the files themselves.
//!
//! A metric that failed, a runaway replication and a file that could not
//! be checked are `::error` (a scenario mistake at its file, line and
//! column, one annotation per mistake); a deleted scenario is an `::error`
//! without a file; a load warning is a `::warning`; an improvement, a
//! finding of the run and a renamed file are a `::notice`. The last line
//! is the summary line of the table, plain text for the log.
//!
//! GitHub reads a command up to the end of its line, and its properties
//! up to the next `,` or `::`, so every piece of user text is escaped as
//! the runner unescapes it (the rules of `@actions/core`'s `command.ts`):
//! in the message `%`, `\r` and `\n`; in a property also `:` and `,`
//! ([`data`], [`property`]). A file name or scenario name can therefore
//! never end a command early or forge another one.

use std::fmt::Write;

use crate::experiment::gate::overall::{FileError, Overall, missing_note};
use crate::experiment::gate::{ScenarioCheck, Status};
use crate::report::findings;

/// Escapes an annotation's message (everything after `::`).
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation's property value (`file=`, `title=`).
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command line.
fn command(out: &mut String, kind: &str, properties: &[(&str, String)], message: &str) {
    let list: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", property(v)))
        .collect();
    let space = if list.is_empty() { "" } else { " " };
    let _ = writeln!(out, "::{kind}{space}{}::{}", list.join(","), data(message));
}

/// The properties of an annotation on a whole file: its first line.
fn on_file(file: &str, title: String) -> Vec<(&'static str, String)> {
    vec![
        ("file", file.to_owned()),
        ("line", "1".to_owned()),
        ("title", title),
    ]
}

fn scenario(out: &mut String, c: &ScenarioCheck) {
    // The key is relative to the repository, as GitHub names files.
    let file = c.key.as_str();
    for o in &c.outcomes {
        let (kind, word) = match o.status {
            Status::Failed => ("error", "failed"),
            Status::Improved => ("notice", "improved"),
            Status::Passed => continue,
        };
        let title = format!("portsim check: {} {word}", o.metric.name);
        let message = format!(
            "{} ({}): {}: {} ({})",
            c.file, c.name, o.metric.name, o.note, c.provenance
        );
        command(out, kind, &on_file(file, title), &message);
    }
    if !c.stopped.is_empty() {
        let list: Vec<String> = c.stopped.iter().map(u64::to_string).collect();
        let message = format!(
            "{}: replications {} were stopped by the runaway guard (the trucks in the system reached, or were heading past, --max-trucks)",
            c.file,
            list.join(", ")
        );
        command(
            out,
            "error",
            &on_file(file, "portsim check: runaway".into()),
            &message,
        );
    }
    if let Some(old) = &c.renamed_from {
        let message = format!(
            "not in the baseline as `{}`; checked against `{old}`, the same scenario (renamed or moved); re-record the baseline to keep the new name",
            c.key
        );
        command(
            out,
            "notice",
            &on_file(file, "portsim check: renamed".into()),
            &message,
        );
    }
    for w in &c.warnings {
        let title = "portsim check: warning".to_owned();
        command(out, "warning", &on_file(file, title), w);
    }
    for f in &c.findings {
        let title = "portsim check: finding".to_owned();
        command(out, "notice", &on_file(file, title), &findings::text(f));
    }
}

fn error(out: &mut String, e: &FileError) {
    let file = e.key.as_deref().unwrap_or(&e.file);
    let title = format!("portsim check: {} not checked", e.file);
    if e.located.is_empty() {
        command(out, "error", &on_file(file, title), &e.message);
        return;
    }
    for p in &e.located {
        let properties = [
            ("file", p.file.clone()),
            ("line", p.line.to_string()),
            ("col", p.column.to_string()),
            ("title", title.clone()),
        ];
        command(out, "error", &properties, &p.message);
    }
}

/// The workflow commands of a check; `summary` is the table's last line.
pub fn check(overall: &Overall, summary: &str) -> String {
    let mut out = String::new();
    for c in &overall.checks {
        scenario(&mut out, c);
    }
    for e in &overall.errors {
        error(&mut out, e);
    }
    for m in &overall.missing {
        let title = format!("portsim check: {} deleted", m.key);
        command(
            &mut out,
            "error",
            &[("title", title)],
            &missing_note(&m.key),
        );
    }
    out.push_str(summary);
    if !summary.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner's rules: a message keeps `:` and `,`, a property does
    /// not; `%` goes first so that an escape is never escaped twice.
    #[test]
    fn messages_and_properties_are_escaped_as_the_runner_reads_them() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("a,b:c%0A\n"), "a%2Cb%3Ac%250A%0A");
        let mut out = String::new();
        command(
            &mut out,
            "error",
            &[("file", "x,y::z.toml".into()), ("line", "3".into())],
            "bad\n::warning::forged",
        );
        assert_eq!(
            out,
            "::error file=x%2Cy%3A%3Az.toml,line=3::bad%0A::warning::forged\n"
        );
        assert_eq!(out.lines().count(), 1, "one command, one line");
    }
}
