//! Findings are data (issue 25, item 2): the JSON's `findings[]` are
//! objects carrying the structured finding (kind, stage, the numbers) and
//! its `text`; the table prints the same text; the HTML report names
//! stages and pools in `<code>`, never between backticks.
//!
//! The case is a one-desk port offered twice what the desk can serve, with
//! a stage behind it and a small road queue, so that it has a stage and a
//! gate finding; fixed seed, so the JSON is pinned as a snapshot.

use std::path::Path;

use serde_json::Value;

use crate::cli_run::portsim;

const PORT: &str = "name = \"short desk\"\nhorizon = \"14d\"\nwarmup = \"3d\"\nreplications = 3\nseed = 5\n\
     [demand]\nrate = \"48/d\"\n[port]\nroad_queue = 30\n\
     [[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1h\"\n\
     [[stages]]\nname = \"behind\"\nlanes = 1\nservice = \"48m\"\n";

fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    let file = dir.join("desk.toml");
    std::fs::write(&file, PORT).expect("write");
    let mut args = vec!["run", file.to_str().expect("utf-8"), "--quiet"];
    args.extend(extra);
    let out = portsim(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn findings_are_objects_with_their_text_in_json_and_the_same_words_in_the_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json: Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json"]).stdout).expect("JSON");
    let findings = json["findings"].as_array().expect("findings[]");
    let kinds: Vec<&str> = findings
        .iter()
        .map(|f| f["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["stage", "gate"], "{:#}", json["findings"]);
    let desk = &findings[0];
    assert_eq!(desk["stage"], "desk");
    assert_eq!(desk["bound"]["kind"], "lanes");
    // 48 a day come for a desk of 24: what is not served is turned away
    // at the full road.
    assert_eq!(desk["counts_lost"], true);
    assert_eq!(desk["excess"]["kind"], "left");
    let capacity = desk["capacity_per_day"].as_f64().expect("capacity");
    assert!((capacity - 24.0).abs() < 1e-9, "{desk}");
    // The table prints every finding's text, in the same order.
    let table = String::from_utf8(run(dir.path(), &[]).stdout).expect("utf-8");
    let lines: Vec<&str> = table
        .lines()
        .skip_while(|l| *l != "findings")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    let texts: Vec<&str> = findings
        .iter()
        .map(|f| f["text"].as_str().expect("text"))
        .collect();
    assert_eq!(lines, texts);
    assert!(texts[0].starts_with("stage `desk` cannot keep up: the trucks that came want ~"));
    let pinned = serde_json::to_string_pretty(&json["findings"]).expect("JSON");
    insta::assert_snapshot!("findings", pinned);
}

#[test]
fn the_html_report_names_stages_in_code_not_backticks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    run(dir.path(), &["--html", page.to_str().expect("utf-8")]);
    let html = std::fs::read_to_string(&page).expect("html");
    let notice = html
        .split("<div class=\"notice\" role=\"note\">")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("a notice box");
    assert!(
        notice.contains("run: finding: stage <code>desk</code> cannot keep up"),
        "{notice}"
    );
    let findings: Vec<&str> = notice
        .split("<li>")
        .filter(|li| li.contains("finding:"))
        .collect();
    assert_eq!(findings.len(), 2, "{notice}");
    assert!(findings.iter().all(|f| !f.contains('`')), "{notice}");
}
