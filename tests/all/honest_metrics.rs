//! The figures users quote mean what their names say at any load: what
//! leaves the port, every truck accounted for, bounds that bound what they
//! name, bottlenecks named correctly, empty left empty.
//!
//! Each case is small and checked against a hand computation or an exact
//! invariant; the scenarios are written out here so the expected numbers
//! can be read next to them.

use std::path::Path;

use serde_json::Value;

use crate::cli_run::portsim;
use crate::port_support::{conserved, run_text};

fn json_of(file: &Path, extra: &[&str]) -> Value {
    let path = file.to_str().expect("utf-8 path");
    let mut args = vec!["run", path, "--format", "json", "--quiet"];
    args.extend(extra);
    let out = portsim(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The one-desk port: 1 lane of 1 h, 100 places on the road, 48 trucks a
/// day. It can only ever clear 24 a day; that is its throughput, and it
/// equals the mean of its daily departures.
#[test]
fn a_saturated_desk_reports_24_a_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "desk.toml",
        "name = \"one desk\"\nhorizon = \"28d\"\nwarmup = \"7d\"\nreplications = 6\n\
         [demand]\nrate = \"48/d\"\n[port]\nroad_queue = 100\n\
         [[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1h\"\n",
    );
    let doc = json_of(&file, &[]);
    let throughput = num(&doc["metrics"]["throughput_per_day"]["mean"]);
    assert!((throughput - 24.0).abs() < 0.05, "{throughput}");
    let days: Vec<f64> = doc["daily_departures"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| num(&d["mean"]))
        .collect();
    let mean = days.iter().sum::<f64>() / days.len() as f64;
    assert!((mean - throughput).abs() < 1e-9, "{mean} vs {throughput}");
    // The desk is the bottleneck, cannot keep up, and is busy 100 %.
    let desk = &doc["stages"][0];
    assert_eq!(desk["bottleneck"], Value::Bool(true));
    assert!(num(&desk["utilization"]["mean"]) <= 1.0);
    assert!(num(&desk["unstable"]["shortfall_per_day"]) > 20.0);
    assert!(!doc["gate"]["unstable"].is_null(), "trucks are turned away");
    // Still at the port at the end: the road queue and the desk.
    assert!((num(&doc["unfinished"]["count"]["mean"]) - 101.0).abs() < 1.5);
}

/// Both flow balances hold exactly in every replication of every bundled
/// scenario, intervention and example (`scenarios/` and its folders but
/// `studies/`), as written to `replications.csv`, every way a truck leaves
/// counted.
#[test]
fn the_flow_balance_holds_on_every_bundled_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let toml = |dir: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .expect("scenarios/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect()
    };
    let mut files = toml(&root);
    for sub in ["interventions", "examples"] {
        files.extend(toml(&root.join(sub)));
    }
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = portsim(&[
            "run",
            file.to_str().expect("utf-8"),
            "--replications",
            "3",
            "--quiet",
            "--out",
            dir.path().to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", file.display());
        let text = std::fs::read_to_string(dir.path().join("replications.csv")).expect("csv");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
        for line in lines {
            let row: Vec<&str> = line.split(',').collect();
            let get = |name: &str| -> u64 { row[col(name)].parse().expect("a count") };
            assert_eq!(
                get("in_port_start") + get("booked_start") + get("equeue_start") + get("offered"),
                get("cleared")
                    + get("turned_away")
                    + get("diverted")
                    + get("reneged")
                    + get("no_shows")
                    + get("in_port_end")
                    + get("booked_ahead")
                    + get("equeue_end"),
                "{}: {line}",
                file.display()
            );
            // A truck that diverts never reached the port.
            assert_eq!(
                get("in_port_start")
                    + get("arrived")
                    + get("turned_away_no_slot")
                    + get("reneged_offsite"),
                get("cleared") + get("turned_away") + get("reneged") + get("in_port_end"),
                "{}: {line}",
                file.display()
            );
            assert_eq!(
                get("equeue_start") + get("registered"),
                get("called") + get("reneged_offsite") + get("equeue_end"),
                "{}: {line}",
                file.display()
            );
        }
    }
}

/// Booked demand above slot capacity: the warning says so up front, the
/// surplus is still in the books at the end (booked ahead), no truck
/// vanishes, and the lead time is measured and bounded by `max_lead`.
#[test]
fn booking_demand_above_slot_capacity_is_kept_and_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "name = \"booked out\"\nhorizon = \"14d\"\nwarmup = \"14d\"\nreplications = 3\n\
         [demand]\nrate = \"60/d\"\n\
         [appointments]\nshare = 1.0\nslot = \"1h\"\ncapacity = 2\nmax_lead = \"3d\"\n\
         [[stages]]\nname = \"desk\"\nlanes = 10\nservice = \"5m\"\n";
    let file = write(dir.path(), "booked.toml", text);
    let out = portsim(&["run", file.to_str().expect("utf-8"), "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("~60 trucks/day want a slot but the slots hold ~48/day"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let m = |k: &str| num(&doc["metrics"][k]["mean"]);
    // 48 slots a day for 60 wishes: the books run 0.25 d further ahead
    // each day, so by the end of the 14-day warm-up they are three days
    // (~144 slots) full, and from then on 12 a day walk in.
    assert!((m("throughput_per_day") - 60.0).abs() < 3.0);
    assert!(
        m("booked_ahead") > 120.0 && m("booked_ahead") <= 146.0,
        "{}",
        m("booked_ahead")
    );
    assert!(num(&doc["flow"]["unbooked_walk_ins"]) > 100.0);
    assert_eq!(doc["flow"]["balanced"], Value::Bool(true));
    let lead = &doc["metrics"]["booking_lead_s"];
    assert!(num(&lead["p95"]["mean"]) <= 3.0 * 86_400.0);
    assert!(num(&lead["max"]) <= 3.0 * 86_400.0);
    assert!(num(&lead["mean"]) > 86_400.0, "the books run days ahead");
    // Mandatory booking: the surplus is turned away instead, and says so.
    let file = write(
        dir.path(),
        "mandatory.toml",
        &text.replace(
            "max_lead = \"3d\"",
            "max_lead = \"3d\"\nno_slot = \"turn-away\"",
        ),
    );
    let doc = json_of(&file, &[]);
    assert!(num(&doc["flow"]["turned_away_no_slot"]) > 100.0);
    assert_eq!(num(&doc["flow"]["unbooked_walk_ins"]), 0.0);
}

/// No slot is sold for a time the gate is closed: with the gate shut at
/// weekends, a Friday evening wish books Monday morning, and nobody waits
/// at the port over the weekend.
#[test]
fn slots_exist_only_while_the_gate_is_open() {
    let (_, out) = run_text(
        r#"
name = "weekdays"
horizon = "28d"
replications = 2
start = "mon"
[demand]
rate = "40/d"
[port]
open = ["08:00-18:00"]
days = ["mon", "tue", "wed", "thu", "fri"]
[appointments]
share = 1.0
slot = "1h"
capacity = 10
[[stages]]
name = "desk"
lanes = 5
service = "10m"
"#,
    );
    for (_, r) in &out.reps {
        // Saturday and Sunday see no arrival and no departure.
        for week in 0..4 {
            for d in [5, 6] {
                assert_eq!(r.daily_departures[week * 7 + d], 0, "day {}", week * 7 + d);
            }
        }
        // Booked trucks come in their slot, inside opening hours, so the
        // longest stay is hours (punctual trucks, ample lanes), not days.
        assert!(r.all.time_in_port.percentiles().max < (2 * 3_600_000) as f64);
        conserved("weekdays", &r.all.counts);
    }
}

/// `road_queue` bounds the road whether or not `parking` is set, and
/// `parking` bounds the port area whether or not `road_queue` is.
#[test]
fn each_bound_bounds_its_own_space() {
    let base = |port: &str| {
        format!(
            "name = \"bounds\"\nhorizon = \"10d\"\nreplications = 2\n[demand]\nrate = \"48/d\"\n\
             [port]\n{port}\n[[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1h\"\n"
        )
    };
    // Road queue alone: at most 10 waiting + 1 in service; the rest leave.
    let (_, out) = run_text(&base("road_queue = 10"));
    for (_, r) in &out.reps {
        assert!(r.peak_in_system <= 11, "{}", r.peak_in_system);
        assert!(r.all.counts.turned_away > 150, "{:?}", r.all.counts);
    }
    // Parking alone: 5 inside, the rest wait on the road (unbounded).
    let (_, out) = run_text(&base("parking = 5"));
    for (_, r) in &out.reps {
        assert_eq!(r.all.counts.turned_away, 0);
        assert!(r.gate.road_end > 150, "{:?}", r.gate);
        assert!(r.stages[0].present_end <= 5);
    }
    // Both: 5 inside and 10 on the road.
    let (_, out) = run_text(&base("parking = 5\nroad_queue = 10"));
    for (_, r) in &out.reps {
        assert!(r.peak_in_system <= 15, "{}", r.peak_in_system);
        assert!(r.gate.road_end <= 10);
        assert!(r.all.counts.turned_away > 150);
    }
}

/// A stage whose daily limit binds is limit-bound, busy well under 100 %
/// of its on-duty lane time, and named as the bottleneck; a daily limit of
/// one is one service a day, not 870 % utilisation.
#[test]
fn a_binding_daily_limit_is_reported_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "limit.toml",
        "name = \"limited\"\nhorizon = \"14d\"\nreplications = 3\n[demand]\nrate = \"100/d\"\n\
         [[stages]]\nname = \"check\"\nlanes = 4\nservice = \"10m\"\n\
         [[stages]]\nname = \"exit\"\nlanes = 2\nservice = \"10m\"\ndaily_limit = 60\n",
    );
    let doc = json_of(&file, &[]);
    let exit = &doc["stages"][1];
    assert_eq!(exit["bound"], "daily_limit");
    assert_eq!(exit["bottleneck"], Value::Bool(true));
    // 60 services of 10 min on 2 lanes × 24 h: 600 / 2,880 = 20.8 %.
    let u = num(&exit["utilization"]["mean"]);
    assert!((u - 600.0 / 2880.0).abs() < 0.01, "{u}");
    assert!((num(&exit["capacity_per_day"]) - 60.0).abs() < 1e-9);
    assert!(num(&exit["daily_limit"]["share_of_days_reached"]["mean"]) > 0.9);
    assert!(num(&exit["daily_limit"]["held_over_per_day"]["mean"]) > 30.0);
    assert!(!exit["unstable"].is_null());
    assert!((num(&doc["metrics"]["throughput_per_day"]["mean"]) - 60.0).abs() < 0.5);
    let file = write(
        dir.path(),
        "one.toml",
        &std::fs::read_to_string(&file)
            .expect("read")
            .replace("daily_limit = 60", "daily_limit = 1"),
    );
    let doc = json_of(&file, &[]);
    let u = num(&doc["stages"][1]["utilization"]["mean"]);
    assert!(u < 0.01, "{u}");
}

/// Every headline metric: percentiles with intervals for durations, and
/// intervals of quantities that cannot be negative never below zero.
#[test]
fn intervals_are_bounded_and_percentiles_have_them() {
    let doc = json_of(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"),
        &[],
    );
    for (name, m) in doc["metrics"].as_object().expect("metrics") {
        if let Some([lo, _]) = m["ci95"].as_array().map(|c| [num(&c[0]), num(&c[1])]) {
            assert!(lo >= 0.0, "{name}: {lo}");
        }
    }
    for m in ["time_in_port_s", "wait_s"] {
        for p in ["p50", "p90", "p95", "p99"] {
            let e = &doc["metrics"][m][p];
            let [lo, hi] = [num(&e["ci95"][0]), num(&e["ci95"][1])];
            assert!(
                lo >= 0.0 && lo <= num(&e["mean"]) && num(&e["mean"]) <= hi,
                "{m}.{p}: {e}"
            );
        }
    }
}

/// A metric with no samples is null in JSON and CSV and "n/a" in the
/// table, never 0.
#[test]
fn empty_metrics_are_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "idle.toml",
        "name = \"idle\"\nhorizon = \"2d\"\nreplications = 2\n[demand]\nrate = \"0/d\"\n\
         [[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1h\"\n",
    );
    let doc = json_of(&file, &[]);
    for m in [
        "time_in_port_s",
        "wait_s",
        "cost_per_truck",
        "steps_per_truck",
    ] {
        assert!(
            doc["metrics"][m]["mean"].is_null(),
            "{m}: {}",
            doc["metrics"][m]
        );
    }
    assert!(doc["metrics"]["time_in_port_s"]["p95"]["mean"].is_null());
    assert_eq!(num(&doc["metrics"]["throughput_per_day"]["mean"]), 0.0);
    let path = file.to_str().expect("utf-8");
    let csv = portsim(&["run", path, "--format", "csv", "--quiet"]);
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    let row = csv
        .lines()
        .find(|l| l.starts_with("all,time_in_port_s,"))
        .expect("row");
    // Every value cell is empty (the unit is `s`); the last column says
    // the run is complete.
    let values = row.trim_start_matches("all,time_in_port_s,s,");
    let values = values.strip_suffix(",true").expect("a complete column");
    assert!(values.chars().all(|c| c == ','), "{row}");
    let table = portsim(&["run", path, "--quiet"]);
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("time in port"))
        .expect("line");
    assert!(line.contains("n/a") && !line.contains(" 0.0 "), "{line}");
}
