//! Plans that explain themselves (issue 28, item 5).
//!
//! * A target the ranges cannot reach: the most capable corner is run
//!   first, misses, and the plan stops there, saying what it missed and by
//!   how much, without spending its budget.
//! * An expensive variable that binds: a two-direction post of about
//!   1,200 trucks a day (customs, veterinary, scanner; open round the
//!   clock) whose scanner costs ten times a desk. In cost order the
//!   cheap candidates have one scanner, which can never be enough; the
//!   search still finds the feasible least-cost plan within a budget
//!   smaller than those cheap candidates, because each variable's least
//!   workable value (the others at their maximum) rules them out first.
//!   The answer is checked against the loads: each stage's chosen lanes
//!   must exceed its offered load (arrivals × visit share × mean service),
//!   and one lane fewer at the scanner is proven infeasible.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const POST: &str = r#"
name = "two-direction post"
seed = 5
horizon = "7d"
warmup = "1d"
replications = 10
[demand]
rate = "1200/d"
[port]
open = ["00:00-24:00"]
[[classes]]
name = "northbound"
share = 0.5
route = ["customs", "veterinary", "scanner"]
[[classes]]
name = "southbound"
share = 0.5
route = ["customs", "scanner"]
[[stages]]
name = "customs"
lanes = 2
service = { dist = "exponential", mean = "5m" }
[[stages]]
name = "veterinary"
lanes = 1
service = { dist = "exponential", mean = "10m" }
share = 0.4
[[stages]]
name = "scanner"
lanes = 1
service = { dist = "exponential", mean = "4m" }
share = 0.5
"#;

fn plan(dir: &Path, text: &str) -> Value {
    std::fs::write(dir.join("post.toml"), POST).expect("scenario");
    std::fs::write(dir.join("plan.toml"), text).expect("plan");
    let out = Command::new(env!("CARGO_BIN_EXE_portsim"))
        .args(["plan", "--format", "json"])
        .arg(dir.join("plan.toml"))
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn an_unreachable_target_stops_at_the_most_capable_corner_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No staffing gets 95 % of trucks through in 5 minutes: the services
    // alone take longer.
    let doc = plan(
        dir.path(),
        r#"scenario = "post.toml"
replications = 10
max_replications = 40
[[decide]]
key = "stages.customs.lanes"
min = 1
max = 12
cost = 1
[[decide]]
key = "stages.scanner.lanes"
min = 1
max = 4
cost = 10
[[require]]
metric = "time_in_port_s.p95"
max = "5m"
"#,
    );
    let candidates = doc["candidates"].as_array().expect("candidates");
    assert_eq!(candidates.len(), 1, "only the corner was run: {doc}");
    assert_eq!(doc["feasible"], false);
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let note = notes
        .iter()
        .find(|n| n.starts_with("at the maximum of every variable"))
        .unwrap_or_else(|| panic!("no reason given: {notes:?}"));
    assert!(
        note.contains("stages.customs.lanes=12 stages.scanner.lanes=4"),
        "{note}"
    );
    assert!(note.contains("time in port, p95 is "), "{note}");
    assert!(
        note.contains("against `time_in_port_s.p95 <= 5m`"),
        "{note}"
    );
    assert!(note.contains("the ranges cannot meet the target"), "{note}");
    // Open round the clock: no closed hours to name.
    assert_eq!(doc["closed_hours"], Value::Null);
}

/// Opening hours that make a target unreachable: the plan's stop message
/// names the closed hours and the share of arrivals they hold. The post
/// open 06:00–18:00 with a flat profile: 12 of 24 hours closed, so half
/// the arrivals (a truck arriving at 18:00 waits 12 h for the gate, far
/// above the 2 h target, whatever the lanes).
#[test]
fn a_target_unreachable_for_the_hours_names_the_closed_share() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("day.toml"),
        POST.replace("open = [\"00:00-24:00\"]", "open = [\"06:00-18:00\"]")
            .replace("rate = \"1200/d\"", "rate = \"400/d\""),
    )
    .expect("scenario");
    let doc = plan(
        dir.path(),
        r#"scenario = "day.toml"
replications = 4
max_replications = 8
[[decide]]
key = "stages.customs.lanes"
min = 1
max = 6
cost = 1
[[require]]
metric = "time_in_port_s.p95"
max = "2h"
"#,
    );
    assert_eq!(doc["feasible"], false);
    assert_eq!(doc["candidates"].as_array().expect("candidates").len(), 1);
    let share = doc["closed_hours"]["share_of_arrivals"]
        .as_f64()
        .expect("share");
    assert!((share - 0.5).abs() < 1e-12, "{share}");
    assert_eq!(
        doc["closed_hours"]["daily"],
        serde_json::json!([[18 * 3600, 6 * 3600]])
    );
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes[0].starts_with("at the maximum of every variable"),
        "{notes:?}"
    );
    assert!(
        notes[1].starts_with("the closed hours 18:00–06:00 hold 50 % of arrivals"),
        "{notes:?}"
    );
}

#[test]
fn a_binding_expensive_variable_does_not_exhaust_the_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    // In cost order the candidates with one scanner come first (every
    // one costing up to 21 has one scanner, more than 30 of them); the
    // budget of 30 is spent before a second scanner is tried unless they
    // are ruled out.
    let doc = plan(
        dir.path(),
        r#"scenario = "post.toml"
replications = 10
max_replications = 80
max_candidates = 30
[[decide]]
key = "stages.customs.lanes"
min = 1
max = 8
cost = 1
[[decide]]
key = "stages.veterinary.lanes"
min = 1
max = 6
cost = 1
[[decide]]
key = "stages.scanner.lanes"
min = 1
max = 4
cost = 10
[[require]]
metric = "time_in_port_s.p95"
max = "3h"
"#,
    );
    assert_eq!(doc["feasible"], true, "{}", doc["notes"]);
    let choice = &doc["choice"];
    let lanes = |k: &str| choice[k].as_i64().expect("a value");
    let (customs, vet, scanner) = (
        lanes("stages.customs.lanes"),
        lanes("stages.veterinary.lanes"),
        lanes("stages.scanner.lanes"),
    );
    // Offered loads in lanes (Erlangs): customs 1200 × 5 min, veterinary
    // 600 × 0.4 × 10 min, scanner 1200 × 0.5 × 4 min, over 1440 min/day:
    // 4.2, 1.7 and 1.7. A stage with no more lanes than its load cannot
    // keep up; one lane more runs at 83 % and keeps p95 well under 3 h.
    // So the least-cost plan is the least whole number above each load.
    let load = |per_day: f64, minutes: f64| per_day * minutes / 1440.0;
    let least = |l: f64| l.floor() as i64 + 1;
    assert_eq!(
        (customs, vet, scanner),
        (
            least(load(1200.0, 5.0)),
            least(load(240.0, 10.0)),
            least(load(600.0, 4.0))
        ),
        "{choice}"
    );
    assert_eq!((customs, vet, scanner), (5, 2, 2));
    assert_eq!(doc["least_cost_proven"], true, "{}", doc["notes"]);
    let candidates = doc["candidates"].as_array().expect("candidates");
    assert!(candidates.len() <= 30, "{}", candidates.len());
    // One scanner fewer, with everything else at its maximum, was run and
    // found infeasible: the evidence that rules out every cheap candidate.
    let one_scanner = candidates
        .iter()
        .find(|c| {
            c["set"]["stages.scanner.lanes"] == 1
                && c["set"]["stages.customs.lanes"] == 8
                && c["set"]["stages.veterinary.lanes"] == 6
        })
        .unwrap_or_else(|| panic!("the bound on the scanner was not tested: {candidates:?}"));
    assert_eq!(one_scanner["verdict"], "infeasible", "{one_scanner}");
}

/// Issue 28, item 6: a plan's chart per constraint colours each candidate
/// by its verdict on that constraint alone, so a candidate that fails on
/// time but turns no truck away is drawn as meeting the turned-away limit.
#[test]
fn plan_charts_colour_points_by_their_own_constraint() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("post.toml"), POST).expect("scenario");
    std::fs::write(
        dir.path().join("plan.toml"),
        r#"scenario = "post.toml"
replications = 10
max_replications = 40
[[decide]]
key = "stages.customs.lanes"
min = 1
max = 8
cost = 1
[[require]]
metric = "time_in_port_s.p95"
max = "3h"
[[require]]
metric = "trucks_turned_away"
max = 1000
"#,
    )
    .expect("plan");
    let html = dir.path().join("plan.html");
    let out = Command::new(env!("CARGO_BIN_EXE_portsim"))
        .args([
            "plan",
            "--format",
            "json",
            "--set",
            "stages.scanner.lanes=3",
            "--set",
            "stages.veterinary.lanes=3",
        ])
        .arg(dir.path().join("plan.toml"))
        .arg("--html")
        .arg(&html)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let infeasible = doc["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter(|c| c["verdict"] == "infeasible")
        .count();
    assert!(infeasible >= 1, "some candidates fail on time: {doc}");
    let page = std::fs::read_to_string(&html).expect("html");
    let chart = |title: &str| -> String {
        let at = page
            .find(&format!(">{title}</title>"))
            .unwrap_or_else(|| panic!("a chart for {title}"));
        let rest = &page[at..];
        rest[..rest.find("</svg>").expect("closed")].to_owned()
    };
    // The "misses" colour (#c45100, an open circle) appears in the
    // turned-away chart's legend only; in the time chart the candidates
    // that fail on time are drawn in it too.
    let turned = chart("trucks_turned_away &lt;= 1000");
    assert_eq!(
        turned.matches("#c45100").count(),
        1,
        "legend only: {turned}"
    );
    assert!(turned.contains("meets this constraint"), "{turned}");
    let time = chart("time_in_port_s.p95 &lt;= 3h");
    assert!(time.matches("#c45100").count() >= 2, "misses drawn: {time}");
}
