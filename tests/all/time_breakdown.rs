//! Where the time goes (issue 28, item 4): each truck's time in port split
//! into the road and gate, each stage's wait and service, and a warm
//! start's earlier time; the e-queue waiting and travel beside them; the
//! booking lead apart.
//!
//! The parts are measured per truck in the model, so they add up: in every
//! replication of every bundled scenario the on-site sums are the summed
//! time in port, and with the off-site sums the summed door-to-exit time,
//! tick for tick. Independently of that bookkeeping, a stage's service
//! part is its configured mean service time times the visits a truck makes
//! to it, and a port whose gate is closed half the day keeps the trucks
//! that arrive then on the road.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use portsim::experiment::run::{RunOptions, run};
use portsim::model::{Limits, simulate};
use portsim::scenario::{self, Scenario};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every scenario the repository ships: the top folder, the examples and
/// the interventions (patches resolved through their `extends`).
fn bundled() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/examples", "scenarios/interventions"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("scenario folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 8, "the bundled scenarios: {files:?}");
    files
}

fn shortened(path: &Path) -> Scenario {
    let mut s = scenario::load(path).expect("a bundled scenario loads");
    s.horizon = s.horizon.min(10 * 86_400_000);
    s.warmup = s.warmup.min(2 * 86_400_000);
    s
}

#[test]
fn the_parts_add_up_to_the_time_in_port_on_every_bundled_scenario() {
    let limits = Limits {
        max_in_system: 1_000_000,
    };
    for path in bundled() {
        let s = shortened(&path);
        for rep in 0..2 {
            let r = simulate(&s, rep, &limits).expect("simulates");
            let name = format!("{} replication {rep}", path.display());
            for (g, group) in std::iter::once(&r.all).chain(&r.classes).enumerate() {
                let p = &group.time_parts;
                assert_eq!(
                    p.on_site(),
                    group.time_in_port.sum(),
                    "{name}, group {g}: on-site parts vs time in port"
                );
                assert_eq!(
                    p.on_site() + p.equeue + p.travel,
                    group.door_to_exit.sum(),
                    "{name}, group {g}: all parts vs door to exit"
                );
                assert_eq!(
                    p.equeue + p.travel,
                    if s.equeue.is_some() {
                        group.offsite_wait.sum()
                    } else {
                        0
                    },
                    "{name}, group {g}: off-site parts vs off-site wait"
                );
                if s.appointments.is_none() {
                    assert_eq!((p.lead, p.booked), (0, 0), "{name}: no bookings");
                }
            }
            assert!(r.all.counts.cleared > 0, "{name}: trucks left");
        }
    }
}

/// The summary's means add up like the sums: the on-site means to the mean
/// time in port (to rounding), in every replication and overall.
#[test]
fn the_mean_parts_add_up_to_the_mean_time_in_port() {
    for path in bundled() {
        let s = shortened(&path);
        let options = RunOptions {
            replications: 3,
            ..RunOptions::for_scenario(&s)
        };
        let out = run(&s, &options, &AtomicBool::new(false), || {}).expect("runs");
        let sum = out.summary;
        let tip = sum.metric("time_in_port_s").expect("time in port");
        let parts: f64 = sum
            .time_breakdown
            .on_site
            .iter()
            .map(|p| p.estimate.mean)
            .sum();
        let tol = 1e-9 * tip.estimate.mean.abs().max(1.0);
        assert!(
            (parts - tip.estimate.mean).abs() <= tol,
            "{}: parts {parts} vs time in port {}",
            path.display(),
            tip.estimate.mean
        );
        for r in 0..tip.samples.len() {
            let each: f64 = sum
                .time_breakdown
                .on_site
                .iter()
                .map(|p| p.samples[r])
                .sum();
            assert!((each - tip.samples[r]).abs() <= tol, "{}", path.display());
        }
        let expected_stages = 2 * s.stages.len() + 1 + usize::from(s.initial.is_some());
        assert_eq!(sum.time_breakdown.on_site.len(), expected_stages);
        assert_eq!(
            sum.time_breakdown.off_site.len(),
            if s.equeue.is_some() { 2 } else { 0 }
        );
        for class in &sum.classes {
            assert_eq!(class.time_breakdown.on_site.len(), expected_stages);
        }
    }
}

/// A stage's service part, per truck that left, is its mean service time
/// times the share of trucks that visit it: independent of how the parts
/// are kept, from the scenario file alone.
#[test]
fn a_service_part_is_the_mean_service_times_the_share_that_visits() {
    let text = r#"
name = "one stage, half the trucks"
seed = 7
horizon = "30d"
warmup = "2d"
replications = 8
[demand]
rate = "100/d"
[port]
open = ["00:00-24:00"]
[[classes]]
name = "all"
share = 1.0
[[stages]]
name = "desk"
lanes = 4
service = { dist = "exponential", mean = "20m" }
[[stages]]
name = "scan"
lanes = 4
service = { dist = "exponential", mean = "30m" }
share = 0.5
"#;
    let s = scenario::parse(text, Path::new("service.toml")).expect("valid");
    let options = RunOptions::for_scenario(&s);
    let out = run(&s, &options, &AtomicBool::new(false), || {}).expect("runs");
    let b = &out.summary.time_breakdown;
    let part = |name: &str| {
        b.on_site
            .iter()
            .find(|p| p.part == name)
            .unwrap_or_else(|| panic!("{name}: {b:?}"))
    };
    // 20 min for every truck; 30 min for half of them, 15 min per truck.
    for (name, expected) in [("desk service", 1200.0), ("scan service", 900.0)] {
        let e = &part(name).estimate;
        let [lo, hi] = e.ci95.expect("an interval");
        assert!(
            lo <= expected && expected <= hi,
            "{name}: {e:?} vs {expected}"
        );
    }
    // Open round the clock with lanes to spare: no road queue.
    let road = &part("road queue and gate").estimate;
    assert!(road.mean < 1.0, "{road:?}");
}

/// A gate closed from 20:00 to 08:00 holds the trucks that arrive then on
/// the road until it opens: on uniform arrivals half of them wait there,
/// on average 6 h (the mean of 0–12 h), so the road part is about 3 h per
/// truck, far above any stage's part.
#[test]
fn closed_hours_show_as_road_and_gate_time() {
    let text = r#"
name = "closed at night"
seed = 11
horizon = "28d"
warmup = "2d"
replications = 6
[demand]
rate = "48/d"
[port]
open = ["08:00-20:00"]
[[classes]]
name = "all"
share = 1.0
[[stages]]
name = "desk"
lanes = 20
service = { dist = "exponential", mean = "5m" }
"#;
    let s = scenario::parse(text, Path::new("closed.toml")).expect("valid");
    let out = run(
        &s,
        &RunOptions::for_scenario(&s),
        &AtomicBool::new(false),
        || {},
    )
    .expect("runs");
    let road = &out.summary.time_breakdown.on_site[0];
    assert_eq!(road.part, "road queue and gate");
    let hours = road.estimate.mean / 3600.0;
    assert!((2.6..=3.4).contains(&hours), "road and gate {hours} h");
}

/// The run's JSON carries `time_breakdown.on_site[]` and `off_site[]`,
/// each part `{part, mean_s, ci95}`, for all trucks and each class; the
/// on-site means add up to `time_in_port_s`; the table shows the parts and
/// their total; `--out` writes `time_breakdown.csv`.
#[test]
fn the_breakdown_in_json_table_and_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = root().join("scenarios/examples/equeue-crossing.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_portsim"))
        .args([
            "run",
            "--replications",
            "3",
            "--horizon",
            "7d",
            "--format",
            "json",
        ])
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path().join("o"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let tb = &doc["time_breakdown"];
    let on = tb["on_site"].as_array().expect("on_site");
    let off = tb["off_site"].as_array().expect("off_site");
    assert_eq!(off.len(), 2, "an e-queue: waiting and travel: {tb}");
    for p in on.iter().chain(off) {
        let keys: Vec<&String> = p.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["ci95", "mean_s", "part"], "{p}");
    }
    let total: f64 = on.iter().map(|p| p["mean_s"].as_f64().unwrap_or(0.0)).sum();
    let tip = doc["metrics"]["time_in_port_s"]["mean"]
        .as_f64()
        .expect("mean");
    assert!((total - tip).abs() <= 1e-6 * tip, "{total} vs {tip}");
    let with_off: f64 = total
        + off
            .iter()
            .map(|p| p["mean_s"].as_f64().unwrap_or(0.0))
            .sum::<f64>();
    let d2e = doc["metrics"]["door_to_exit_s"]["mean"]
        .as_f64()
        .expect("mean");
    assert!((with_off - d2e).abs() <= 1e-6 * d2e, "{with_off} vs {d2e}");
    for class in doc["classes"].as_array().expect("classes") {
        assert!(class["time_breakdown"]["on_site"].is_array(), "{class}");
    }
    let csv = std::fs::read_to_string(dir.path().join("o/time_breakdown.csv")).expect("csv");
    assert!(
        csv.starts_with("scope,kind,part,mean_s,ci95_low,ci95_high,complete\n"),
        "{csv}"
    );
    assert!(csv.contains("\nall,off_site,e-queue waiting,"), "{csv}");
    let table = Command::new(env!("CARGO_BIN_EXE_portsim"))
        .args(["run", "--replications", "3", "--horizon", "7d"])
        .arg(&scenario)
        .arg("--html")
        .arg(dir.path().join("r.html"))
        .output()
        .expect("runs");
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    let at = html.find("Where the time goes").expect("the section");
    let rest = &html[at..];
    assert!(
        rest.contains("aria-label=\"where the time in port goes\""),
        "a stacked bar"
    );
    let with_time = on
        .iter()
        .filter(|p| p["mean_s"].as_f64().is_some_and(|m| m > 0.0))
        .count();
    let bar = &rest[..rest.find("</svg>").expect("the bar ends")];
    assert_eq!(
        bar.matches("<title>").count(),
        with_time,
        "a segment per part with time"
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("\nwhere the time goes"), "{text}");
    assert!(text.contains("    road queue and gate"), "{text}");
    assert!(text.contains("    = time in port"), "{text}");
    assert!(text.contains("    travel after call-forward"), "{text}");
}

/// In a comparison, which parts changed and by how much: 24-hour opening
/// takes the road and gate time down, and the JSON says so with a paired
/// interval below zero.
#[test]
fn compare_says_which_parts_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html_path = dir.path().join("c.html");
    let out = Command::new(env!("CARGO_BIN_EXE_portsim"))
        .args([
            "compare",
            "--replications",
            "4",
            "--horizon",
            "14d",
            "--format",
            "json",
        ])
        .arg(root().join("scenarios/horgos-before.toml"))
        .arg(root().join("scenarios/horgos-after.toml"))
        .arg("--html")
        .arg(&html_path)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let on = doc["time_breakdown"]["on_site"]
        .as_array()
        .expect("on_site");
    let road = on
        .iter()
        .find(|p| p["part"] == "road queue and gate")
        .expect("the road part");
    let hi = road["change"]["ci95"][1].as_f64().expect("an interval");
    assert!(hi < 0.0, "the road and gate time fell: {road}");
    assert_eq!(road["verdict"], "improved", "{road}");
    // The HTML report lists every part's change too, the road's negative.
    let html = std::fs::read_to_string(&html_path).expect("html");
    let at = html
        .find("Where the time goes: what changed")
        .expect("the section");
    let rest = &html[at..];
    let table = &rest[..rest.find("</table>").expect("its table")];
    for p in on {
        let part = p["part"].as_str().expect("part");
        assert!(table.contains(&format!(">{part}<")), "no `{part}` row");
    }
    let row = &table[table.find(">road queue and gate<").expect("the road row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    let last = row.rsplit("<td").next().expect("cells");
    let change = &last[last.find('>').expect("cell") + 1..];
    assert!(
        change.starts_with('-') || change.starts_with('\u{2212}'),
        "the road and gate change is a fall: {change}"
    );
}

/// Per class in the table too (issue 28 §4): each class's section lists
/// its own parts, the ones its JSON `classes[].time_breakdown` has, and a
/// class whose trucks never visit a stage has no time there.
#[test]
fn the_table_breaks_the_time_down_per_class() {
    let scenario = root().join("scenarios/examples/one-stop-two-directions.toml");
    let run = |format: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_portsim"))
            .args(["run", "--replications", "2", "--horizon", "3d", "-q"])
            .args(format)
            .arg(&scenario)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).expect("json");
    let table = run(&[]);
    let classes = doc["classes"].as_array().expect("classes");
    assert!(classes.len() > 1, "{doc}");
    for class in classes {
        let name = class["name"].as_str().expect("name");
        let at = table
            .find(&format!("\nclass {name}\n"))
            .unwrap_or_else(|| panic!("no section for {name}:\n{table}"));
        let section = &table[at + 1..];
        let section = &section[..section.find("\n\n").unwrap_or(section.len())];
        assert!(
            section.contains("\n  where its time goes (mean per truck of the class that left)\n"),
            "{section}"
        );
        for p in class["time_breakdown"]["on_site"]
            .as_array()
            .expect("on_site")
        {
            let part = p["part"].as_str().expect("part");
            assert!(
                section.contains(&format!("\n    {part} ")),
                "{name}: no `{part}` in\n{section}"
            );
        }
    }
}
