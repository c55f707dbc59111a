//! What `portsim check` gives a CI besides its exit code (issue 28,
//! item 7): durations in the units `portsim run` shows, in the table and
//! in the failure messages alike; GitHub workflow annotations whose user
//! text cannot end or forge a command; and a Markdown step summary that is
//! appended, whole, to the file GitHub collects.
//!
//! Each test works on copies of `scenarios/example.toml` in a temporary
//! folder, recorded with 6 replications and made worse by taking a
//! gate-in lane away (which fails time in port and cost).

use std::path::PathBuf;
use std::process::Output;

use crate::reliability::{bundled, run, stderr};

const TWO_LANES: &str =
    r#"lanes = [{ hours = "08:00-20:00", count = 2 }, { hours = "20:00-08:00", count = 1 }]"#;

/// A folder with `orig.toml` (the example) and `name` recorded in
/// `base.json`, then made worse.
struct Gate {
    dir: tempfile::TempDir,
    name: String,
}

impl Gate {
    fn new(name: &str) -> Gate {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = std::fs::read_to_string(bundled("scenarios/example.toml")).expect("example");
        assert!(
            text.contains(TWO_LANES),
            "the example's gate-in lanes moved"
        );
        std::fs::write(dir.path().join("orig.toml"), &text).expect("write");
        std::fs::write(dir.path().join(name), &text).expect("write");
        let gate = Gate {
            dir,
            name: name.to_owned(),
        };
        let out = gate.portsim(&[
            "check",
            name,
            "--baseline",
            "base.json",
            "--update-baseline",
            "-r",
            "6",
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        std::fs::write(gate.path(name), text.replacen(TWO_LANES, "lanes = 1", 1)).expect("write");
        gate
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn portsim(&self, args: &[&str]) -> Output {
        run(self.dir.path(), args, 60)
    }

    fn check(&self, extra: &[&str]) -> Output {
        let mut args = vec!["check", self.name.as_str(), "--baseline", "base.json"];
        args.extend(extra);
        self.portsim(&args)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The cells of a table line, split where two or more spaces part them.
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The mean and p95 of time in port as `portsim run FILE` shows them.
fn run_shows(gate: &Gate, file: &str) -> (String, String) {
    let out = gate.portsim(&["run", file, "-r", "6", "--seed", "42", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("  time in port "))
        .expect("time in port");
    let row = cells(line);
    let p95 = row
        .iter()
        .find_map(|c| c.strip_prefix("p95 "))
        .expect("p95");
    let p95: Vec<&str> = p95.split(' ').take(2).collect();
    (row[1].clone(), p95.join(" "))
}

/// Issue 28: the table showed p95 as `0.2 d → 4.2 d` and the failure
/// message gave `[+153500, +166700] s`. Values now read as `run` shows
/// them, and a change's interval is the same text in the table and in
/// the message.
#[test]
fn durations_read_as_in_run_in_the_table_and_the_messages() {
    let gate = Gate::new("port.toml");
    let out = gate.check(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (text, err) = (stdout(&out), stderr(&out));
    let row = |metric: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("  {metric} ")))
            .unwrap_or_else(|| panic!("no {metric} in\n{text}"));
        cells(line)
    };
    let (mean, p95) = (row("time_in_port_s"), row("time_in_port_s.p95"));
    let before = run_shows(&gate, "orig.toml");
    let after = run_shows(&gate, "port.toml");
    assert_eq!((&mean[1], &mean[2]), (&before.0, &after.0), "{text}");
    assert_eq!((&p95[1], &p95[2]), (&before.1, &after.1), "{text}");
    let mut failed = 0;
    for line in text.lines().filter(|l| l.ends_with(" FAIL")) {
        let r = cells(line);
        let interval = &r[4];
        assert!(interval.starts_with('['), "{line}");
        let message = err
            .lines()
            .find(|l| l.contains(&format!(": {}: worse by", r[0])))
            .unwrap_or_else(|| panic!("no message for {}:\n{err}", r[0]));
        assert!(
            message.contains(&format!(
                "the 95% CI of the change, {interval}, excludes zero"
            )),
            "table: {interval}\nmessage: {message}"
        );
        failed += 1;
    }
    assert!(failed >= 2, "time in port and its p95 fail:\n{text}");
    assert!(!err.contains("0 s]") && !err.contains("] s"), "{err}");
}

/// The properties of a workflow command line, and its message.
fn command(line: &str) -> (Vec<(String, String)>, String) {
    let rest = line.split_once(' ').map_or("", |(_, r)| r);
    let (props, message) = rest.split_once("::").expect("properties::message");
    let props = props
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (props, message.to_owned())
}

/// GitHub's unescaping of a property or message.
fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_annotations_name_the_file_and_are_escaped() {
    // A file name with every character a property must escape.
    let name = "ports, east: 50%.toml";
    let gate = Gate::new(name);
    let out = gate.check(&["--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert!(errors.len() >= 2, "{text}");
    for line in &errors {
        let (props, message) = command(line);
        let file = props.iter().find(|(k, _)| k == "file").expect("file=");
        assert_eq!(file.1, "ports%2C east%3A 50%25.toml", "{line}");
        assert_eq!(unescape(&file.1), name);
        assert!(props.iter().any(|(k, v)| k == "line" && v == "1"), "{line}");
        assert!(unescape(&message).contains("worse by"), "{line}");
        assert!(!message.contains('\n'), "{line}");
    }
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with("checked 1 scenario file(s)"),
        "the summary line closes the log: {text}"
    );
    // A scenario mistake is annotated at its line and column.
    let broken = std::fs::read_to_string(gate.path(name)).expect("read") + "\nlanse = 3\n";
    let line_no = broken.lines().count();
    std::fs::write(gate.path(name), broken).expect("write");
    let out = gate.check(&["--format", "github"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("::error ") && l.contains("lanse"))
        .unwrap_or_else(|| panic!("{text}"));
    let (props, _) = command(line);
    let get = |k: &str| props.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str());
    assert_eq!(get("line"), Some(line_no.to_string().as_str()), "{line}");
    assert_eq!(get("col"), Some("1"), "{line}");
    // A multi-line message (a missing baseline) stays one command.
    let out = gate.portsim(&[
        "check",
        name,
        "--baseline",
        "none.json",
        "--format",
        "github",
    ]);
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].contains("does not exist; to create it, run%0A")
            && errors[0].contains("--update-baseline"),
        "{text}"
    );
}

/// Issue 28: a step summary for GitHub. The file GitHub collects exists
/// and is shared by the job's steps, so a summary is appended to it,
/// whole; it opens with the verdict and has a row per metric.
#[test]
fn the_summary_is_appended_with_a_row_per_metric() {
    let gate = Gate::new("port.toml");
    let summary = gate.path("summary.md");
    std::fs::write(&summary, "# earlier step\n\n").expect("write");
    for _ in 0..2 {
        let out = gate.check(&["--summary", "summary.md", "--quiet"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        md.starts_with("# earlier step\n\n## portsim check: FAILED"),
        "{md}"
    );
    assert_eq!(md.matches("## portsim check: ").count(), 2, "{md}");
    let section = md.split("## portsim check: ").nth(1).expect("a section");
    assert!(
        section.starts_with("FAILED, 3 metric(s) failed"),
        "{section}"
    );
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| port.toml "))
        .collect();
    assert_eq!(rows.len(), 6, "a row per metric checked:\n{section}");
    for (metric, verdict) in [
        ("`time_in_port_s`", "**FAIL**"),
        ("`time_in_port_s.p95`", "**FAIL**"),
        ("`cost_per_truck`", "**FAIL**"),
        ("`throughput_per_day`", "pass"),
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(metric))
            .unwrap_or_else(|| panic!("{metric}:\n{section}"));
        assert!(row.ends_with(&format!("| {verdict} |")), "{row}");
        assert_eq!(row.matches('|').count(), 8, "seven cells: {row}");
    }
    assert!(
        section.contains("checked 1 scenario file(s), 6 metrics: 3 failed"),
        "{section}"
    );
    // Nothing but the file was left beside it.
    let mut names: Vec<String> = std::fs::read_dir(gate.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["base.json", "orig.toml", "port.toml", "summary.md"]);
    // A summary that cannot be written is refused before anything runs.
    let out = gate.check(&["--summary", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "nothing ran: {}", stdout(&out));
    // Recording a baseline checks nothing, so there is no summary to write:
    // the two flags together are a mistake, said before anything runs.
    let before = std::fs::read_to_string(&summary).expect("summary");
    let out = gate.check(&["--summary", "summary.md", "--update-baseline"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--update-baseline"),
        "the message names the other flag: {}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        before,
        "the summary file is untouched"
    );
}
