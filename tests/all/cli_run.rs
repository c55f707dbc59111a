//! `portsim run` end to end, as a script or CI job would call it.
//!
//! Why: the JSON and CSV outputs are the contract other tools rely on, so
//! their shape is pinned here (every headline metric with `mean` and a
//! two-element `ci95`, ordered percentiles, stages, classes, manifest), as
//! are the files `--out` writes (with the flow balance
//! `in_port_start + booked_start + offered = cleared + turned_away +
//! no_shows + in_port_end + booked_ahead` on every replication row),
//! the CSV and table formats, the clean separation of stdout (results)
//! from stderr (warnings; no progress bar off a terminal), determinism
//! across thread counts and runs, the single-replication case (no interval,
//! a note, never NaN) and the command-line overrides.
//!
//! The checks are structural, not tied to the example's numbers, so the
//! scenario may evolve; `scenarios/example.toml` is run because it is the
//! file users start from.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

const EXAMPLE: &str = "scenarios/example.toml";

/// The headline metrics every report carries.
const METRICS: [&str; 12] = [
    "throughput_per_day",
    "time_in_port_s",
    "wait_s",
    "steps_per_truck",
    "cost_per_truck",
    "trucks_offered",
    "trucks_arrived",
    "trucks_cleared",
    "trucks_turned_away",
    "backlog",
    "booked_ahead",
    "no_shows",
];

/// Runs `portsim ARGS` from the crate root.
pub fn portsim(args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("portsim")
        .expect("the portsim binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("portsim runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs successfully and parses stdout as JSON.
fn json(args: &[&str]) -> Value {
    let out = portsim(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "portsim {args:?} failed:\n{}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of {args:?} is not pure JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn number(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// `{mean, ci95: [lo, hi]}` with lo <= mean <= hi.
fn check_estimate(v: &Value, what: &str) {
    let mean = number(&v["mean"], &format!("{what}.mean"));
    let ci = v["ci95"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}.ci95 is not an array: {v}"));
    assert_eq!(ci.len(), 2, "{what}.ci95 has two ends");
    let (lo, hi) = (number(&ci[0], what), number(&ci[1], what));
    // A small slack for rounding when all samples are equal.
    let eps = 1e-9 * mean.abs().max(1.0);
    assert!(
        lo <= mean + eps && mean <= hi + eps,
        "{what}: {lo} <= {mean} <= {hi}"
    );
}

/// Duration metrics also carry ordered percentiles, each `{mean, ci95}`
/// (the mean of the replications' own percentiles), and the largest value.
fn check_percentiles(v: &Value, what: &str) {
    let mut p: Vec<f64> = ["p50", "p90", "p95", "p99"]
        .iter()
        .map(|k| {
            check_estimate(&v[*k], &format!("{what}.{k}"));
            number(&v[*k]["mean"], &format!("{what}.{k}"))
        })
        .collect();
    p.push(number(&v["max"], &format!("{what}.max")));
    assert!(
        p.windows(2).all(|w| w[0] <= w[1]),
        "{what}: p50 <= p90 <= p95 <= p99 <= max, got {p:?}"
    );
    assert!(p[0] >= 0.0);
}

/// Removes the fields that legitimately vary between identical runs.
fn without_run_facts(mut doc: Value) -> Value {
    let manifest = doc["manifest"]
        .as_object_mut()
        .expect("manifest is an object");
    manifest.remove("threads");
    manifest.remove("wall_time_s");
    doc
}

#[test]
fn json_output_has_the_documented_shape() {
    let doc = json(&["run", EXAMPLE, "--format", "json"]);
    assert!(doc["scenario"].is_object());
    assert!(doc["scenario"]["name"].is_string());
    let reps = doc["replications"].as_u64().expect("replications");
    assert!(reps >= 2, "the example runs several replications");
    assert_eq!(doc["complete"], Value::Bool(true));
    for name in METRICS {
        let m = &doc["metrics"][name];
        check_estimate(m, name);
        if name.ends_with("_s") {
            check_percentiles(m, name);
        }
    }
    let stages = doc["stages"].as_array().expect("stages");
    assert!(!stages.is_empty());
    for st in stages {
        let name = st["name"].as_str().expect("stage name");
        for key in ["visits", "utilization", "wait_s", "queue_length"] {
            check_estimate(&st[key], &format!("stage {name}.{key}"));
        }
        check_percentiles(&st["wait_s"], name);
        let u = number(&st["utilization"]["mean"], "utilization");
        assert!((0.0..=1.0).contains(&u), "stage {name}: utilisation {u}");
    }
    let classes = doc["classes"].as_array().expect("classes");
    assert!(!classes.is_empty());
    for c in classes {
        let name = c["name"].as_str().expect("class name");
        for metric in METRICS {
            assert!(
                c[metric]["mean"].is_number(),
                "class {name} has {metric}: {c}"
            );
        }
    }
    let m = &doc["manifest"];
    assert!(m["portsim_version"].is_string());
    let hash = m["scenario_hash"].as_str().expect("scenario hash");
    assert!(hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(m["seed"].is_u64());
    assert_eq!(m["replications"].as_u64(), Some(reps));
    assert!(m["threads"].as_u64().is_some_and(|t| t >= 1));
    assert!(number(&m["wall_time_s"], "wall time") >= 0.0);
}

/// Parses a CSV document into its header and rows.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .expect("a CSV header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn read_csv_file(dir: &Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    read_csv(&bytes)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column `{name}` in {header:?}"))
}

#[test]
fn out_dir_holds_results_and_csvs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_str().expect("utf-8 temp path");
    let out = portsim(&[
        "run",
        EXAMPLE,
        "--format",
        "json",
        "--replications",
        "4",
        "--out",
        path,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let file = std::fs::read(dir.path().join("results.json")).expect("results.json");
    let saved: Value = serde_json::from_slice(&file).expect("results.json is JSON");
    assert_eq!(saved, doc, "results.json is what stdout printed");

    let (header, rows) = read_csv_file(dir.path(), "replications.csv");
    assert_eq!(rows.len(), 4, "one row per replication");
    let col = |name| column(&header, name);
    let rep = col("replication");
    let value = |row: &[String], name: &str| -> f64 {
        let c = column(&header, name);
        row[c]
            .parse()
            .unwrap_or_else(|_| panic!("`{}` in column {}", row[c], header[c]))
    };
    let mut sum_arrived = 0.0;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[rep], i.to_string());
        let v = |name| value(row, name);
        assert_eq!(
            v("in_port_start") + v("booked_start") + v("offered"),
            v("cleared") + v("turned_away") + v("no_shows") + v("in_port_end") + v("booked_ahead"),
            "replication {i}: the flow balance"
        );
        assert_eq!(v("trucks_cleared"), v("cleared"));
        assert_eq!(v("backlog"), v("in_port_end"));
        sum_arrived += v("trucks_arrived");
    }
    let mean = number(&doc["metrics"]["trucks_arrived"]["mean"], "arrived");
    assert!(
        (sum_arrived / 4.0 - mean).abs() < 1e-9,
        "rows match the mean"
    );

    let (header, rows) = read_csv_file(dir.path(), "stages.csv");
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r[column(&header, "stage")].as_str())
        .collect();
    let expected: Vec<&str> = doc["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, expected);
    column(&header, "utilization");

    let (header, rows) = read_csv_file(dir.path(), "daily.csv");
    let days = number(&doc["scenario"]["horizon_s"], "horizon") / 86_400.0;
    assert_eq!(rows.len() as f64, days.ceil(), "one row per measured day");
    column(&header, "departures");

    let (header, rows) = read_csv_file(dir.path(), "hourly.csv");
    assert_eq!(rows.len(), 24);
    let hour = column(&header, "hour_of_day");
    for (h, row) in rows.iter().enumerate() {
        assert_eq!(row[hour], h.to_string());
    }
}

#[test]
fn csv_format_prints_the_headline_table() {
    let out = portsim(&["run", EXAMPLE, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (header, rows) = read_csv(&out.stdout);
    let (scope, metric, mean) = (
        column(&header, "scope"),
        column(&header, "metric"),
        column(&header, "mean"),
    );
    for h in ["ci95_low", "ci95_high", "p50", "p99", "max"] {
        column(&header, h);
    }
    let doc = json(&["run", EXAMPLE, "--format", "json"]);
    for name in METRICS {
        let row = rows
            .iter()
            .find(|r| r[scope] == "all" && r[metric] == name)
            .unwrap_or_else(|| panic!("row all/{name}"));
        let v: f64 = row[mean].parse().expect("a number");
        assert_eq!(v, number(&doc["metrics"][name]["mean"], name), "{name}");
    }
    let classes = doc["classes"].as_array().expect("classes");
    for c in classes {
        let name = c["name"].as_str().expect("name");
        assert!(
            rows.iter().any(|r| r[scope] == name),
            "rows for class {name}"
        );
    }
}

#[test]
fn table_output_has_units_and_intervals_and_no_progress_bar() {
    let out = portsim(&["run", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("95%"), "{text}");
    assert!(text.contains("/day"), "throughput has its unit:\n{text}");
    assert!(text.contains(" min") || text.contains(" s "), "{text}");
    // stderr is not a terminal here: no progress bar, no cursor control.
    let err = stderr(&out);
    assert!(
        !err.contains('\r') && !err.contains('\u{1b}') && !err.contains("elapsed"),
        "progress output on a non-terminal stderr: {err:?}"
    );
}

#[test]
fn json_stays_clean_when_stderr_has_warnings() {
    // 100 trucks/h × 2 min = 80 lane-hours/day against 24: overloaded.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("overloaded.toml");
    std::fs::write(
        &path,
        "name = \"over\"\nhorizon = \"2h\"\nreplications = 2\n[demand]\nrate = \"100/h\"\n\
         [[stages]]\nname = \"customs\"\nlanes = 1\nservice = \"2m\"\n",
    )
    .expect("write");
    let out = portsim(&["run", path.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning") && err.contains("customs"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is pure JSON");
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("customs"))),
        "{warnings:?}"
    );
}

#[test]
fn results_do_not_depend_on_threads_and_repeat_with_the_seed() {
    let base = ["run", EXAMPLE, "--format", "json"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        json(&args)
    };
    let one = with(&["--threads", "1"]);
    let two = with(&["--threads", "2"]);
    assert_eq!(one["manifest"]["threads"], 1);
    assert_eq!(two["manifest"]["threads"], 2);
    let one = without_run_facts(one);
    assert_eq!(one, without_run_facts(two), "1 vs 2 threads");
    let again = without_run_facts(with(&["--threads", "1"]));
    assert_eq!(one, again, "same seed twice");
    let seven = without_run_facts(with(&["--seed", "7"]));
    assert_eq!(seven["manifest"]["seed"], 7);
    assert_eq!(seven["scenario"]["seed"], 7);
    assert_ne!(
        one["metrics"], seven["metrics"],
        "another seed, other results"
    );
}

/// Every `{mean, ci95}` object in `v`, with its path.
fn estimates<'a>(v: &'a Value, path: String, found: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("ci95") {
                found.push((path.clone(), v));
            }
            for (k, x) in map {
                estimates(x, format!("{path}.{k}"), found);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                estimates(x, format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn a_single_replication_has_no_interval_but_a_note() {
    let out = portsim(&["run", EXAMPLE, "--format", "json", "--replications", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // serde_json refuses NaN and Infinity tokens, so parsing proves that
    // no non-finite number was printed.
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON without NaN");
    assert_eq!(doc["replications"], 1);
    let mut found = Vec::new();
    estimates(&doc, String::new(), &mut found);
    assert!(found.len() > 20, "estimates everywhere: {}", found.len());
    for (path, e) in found {
        assert!(e["ci95"].is_null(), "{path}: ci95 {}", e["ci95"]);
        assert!(
            e["note"].as_str().is_some_and(|n| !n.is_empty()),
            "{path}: a note says why there is no interval: {e}"
        );
    }
    assert!(doc["metrics"]["throughput_per_day"]["mean"].is_number());
}

#[test]
fn horizon_warmup_and_replication_overrides_are_honoured() {
    let doc = json(&[
        "run",
        EXAMPLE,
        "--format",
        "json",
        "--horizon",
        "2d",
        "--warmup",
        "0s",
        "--replications",
        "3",
    ]);
    assert_eq!(number(&doc["scenario"]["horizon_s"], "horizon"), 172_800.0);
    assert_eq!(number(&doc["scenario"]["warmup_s"], "warm-up"), 0.0);
    assert_eq!(doc["replications"], 3);
    assert_eq!(doc["manifest"]["replications"], 3);
    let days = doc["daily_departures"].as_array().expect("daily");
    assert_eq!(days.len(), 2, "two measured days");
}

/// `--html` writes one self-contained page: charts as inline SVG, no
/// network reference, the scenario's name escaped.
#[test]
fn html_report_is_self_contained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let page_arg = page.to_str().expect("utf-8 temp path");
    let out = portsim(&[
        "run",
        EXAMPLE,
        "--replications",
        "3",
        "--quiet",
        "--html",
        page_arg,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("page written");
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.matches("<svg").count() >= 4, "charts");
    for forbidden in ["http://", "https://", "<script", "src="] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
    assert!(html.contains("Example road port"));
}

/// The examples of the issue-13 mechanisms give the same bytes on one
/// thread and on two.
#[test]
fn the_mechanism_examples_do_not_depend_on_threads() {
    for example in [
        "scenarios/examples/equeue-crossing.toml",
        "scenarios/examples/one-stop-two-directions.toml",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
        let path = path.to_str().expect("utf-8 path");
        let with = |threads: &str| {
            without_run_facts(json(&[
                "run",
                path,
                "--format",
                "json",
                "--threads",
                threads,
                "--replications",
                "3",
            ]))
        };
        assert_eq!(with("1"), with("2"), "{example}: 1 vs 2 threads");
    }
}
