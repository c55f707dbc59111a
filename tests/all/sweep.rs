//! `portsim sweep` end to end: points are separate runs, bit for bit;
//! a re-run resumes; the outputs have the documented shape.
//!
//! Why: a sweep is a shortcut for many `portsim run --set …` calls, so
//! each point must be exactly what that run gives (same metrics in the
//! JSON, same scenario hash), which also proves that every point uses
//! the same random streams (common random numbers). Sweeps are long, so
//! one interrupted or extended must not redo finished points: results
//! are kept by the point's scenario hash, and only changed or new points
//! run again.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::cli_run::portsim;

const BASE: &str = "name = \"one desk\"\nhorizon = \"2d\"\nwarmup = \"4h\"\nreplications = 3\nseed = 11\n[demand]\nrate = \"12/h\"\n[[stages]]\nname = \"desk\"\nlanes = 1\nservice = { dist = \"exponential\", mean = \"3m\" }\n[[stages]]\nname = \"exit\"\nlanes = 2\nservice = \"2m\"\n";

const SWEEP: &str = "scenario = \"base.toml\"\nreplications = 4\nseed = 7\nmetrics = [\"time_in_port_s\", \"wait_s\", \"throughput_per_day\", \"time_in_port_s.p95\"]\n[set]\nhorizon = \"3d\"\n[[factors]]\nkey = \"stages.desk.lanes\"\nrange = [1, 2]\n[[factors]]\nkey = \"stages.desk.service.mean\"\nvalues = [\"3m\", \"4m\"]\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> &Output {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&ok(out).stdout).expect("JSON on stdout")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn every_point_is_the_run_with_its_overrides_bit_for_bit() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "base.toml", BASE);
    let sweep = write(dir.path(), "sweep.toml", SWEEP);
    let doc = json(&portsim(&["sweep", s(&sweep), "--format", "json", "-q"]));
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 4, "2 × 2 points");
    let mut hashes = std::collections::BTreeSet::new();
    for p in points {
        let set = p["set"].as_object().expect("set");
        let mut args: Vec<String> = vec!["run".into(), s(&dir.path().join("base.toml")).into()];
        // The sweep's own settings first, then the point's, as --set.
        for (k, v) in [
            ("replications", "4".to_owned()),
            ("seed", "7".to_owned()),
            ("horizon", "3d".to_owned()),
        ] {
            args.extend(["--set".into(), format!("{k}={v}")]);
        }
        for (k, v) in set {
            let v = v.as_str().map_or(v.to_string(), str::to_owned);
            args.extend(["--set".into(), format!("{k}={v}")]);
        }
        args.extend(["--format".into(), "json".into(), "-q".into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = json(&portsim(&refs));
        for name in ["time_in_port_s", "wait_s", "throughput_per_day"] {
            let (a, b) = (&p["metrics"][name], &run["metrics"][name]);
            assert_eq!(a["mean"], b["mean"], "{set:?} {name}");
            assert_eq!(a["ci95"], b["ci95"], "{set:?} {name}");
        }
        assert_eq!(
            p["hash"], run["scenario"]["hash"],
            "{set:?}: the point is that scenario"
        );
        hashes.insert(p["hash"].as_str().expect("hash").to_owned());
        let p95 = &p["metrics"]["time_in_port_s.p95"];
        assert!(
            p95["mean"].as_f64().is_some() && p95["ci95"].is_array(),
            "{p95}"
        );
    }
    assert_eq!(hashes.len(), 4);
    // The documented shape around the points.
    assert_eq!(doc["factors"][0]["key"], "stages.desk.lanes");
    assert_eq!(doc["factors"][0]["values"], serde_json::json!([1, 2]));
    assert_eq!(doc["replications"], 4);
    assert_eq!(doc["complete"], true);
    assert_eq!(
        doc["points"][1]["set"],
        serde_json::json!({"stages.desk.lanes": 1, "stages.desk.service.mean": "4m"})
    );
    // CSV: one row per point, one column per factor and per metric.
    let csv = text(&ok(&portsim(&["sweep", s(&sweep), "--format", "csv", "-q"])).stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "stages.desk.lanes,stages.desk.service.mean,time_in_port_s,wait_s,throughput_per_day,time_in_port_s.p95"
    );
    assert_eq!(lines.len(), 5);
    let mean = doc["points"][0]["metrics"]["wait_s"]["mean"]
        .as_f64()
        .expect("mean");
    assert_eq!(
        lines[1].split(',').nth(3),
        Some(mean.to_string().as_str()),
        "CSV means are the JSON's"
    );
}

#[test]
fn a_rerun_skips_finished_points() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "base.toml", BASE);
    let sweep = write(dir.path(), "sweep.toml", SWEEP);
    let out = dir.path().join("out");
    let first = portsim(&["sweep", s(&sweep), "--out", s(&out), "--format", "json"]);
    let err = text(&ok(&first).stderr);
    assert!(err.contains("4 points, 4 run now, 0 already done"), "{err}");
    let kept: Vec<PathBuf> = std::fs::read_dir(out.join("points"))
        .expect("points kept")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(kept.len(), 4);
    assert!(out.join("sweep.json").exists() && out.join("sweep.csv").exists());
    let manifest = std::fs::read_to_string(out.join("manifest.json"))
        .expect("written as a set, manifest last");
    assert!(
        manifest.contains("sweep.csv") && manifest.contains("\"complete\": true"),
        "{manifest}"
    );
    let second = portsim(&["sweep", s(&sweep), "--out", s(&out), "--format", "json"]);
    let err = text(&ok(&second).stderr);
    assert!(err.contains("0 run now, 4 already done"), "{err}");
    let strip = |o: &Output| {
        let mut d: Value = serde_json::from_slice(&o.stdout).expect("json");
        d.as_object_mut().expect("object").remove("manifest");
        d
    };
    assert_eq!(
        strip(&first),
        strip(&second),
        "a resumed sweep reports the same"
    );
    // A point lost (an interrupted write) and a new value: only those run.
    std::fs::remove_file(&kept[0]).expect("remove");
    let wider = write(
        dir.path(),
        "sweep.toml",
        &SWEEP.replace("range = [1, 2]", "range = [1, 3]"),
    );
    let third = portsim(&["sweep", s(&wider), "--out", s(&out), "--format", "json"]);
    let err = text(&ok(&third).stderr);
    assert!(err.contains("6 points, 3 run now, 3 already done"), "{err}");
    // A point stored by another build or with other settings is not reused.
    let other = portsim(&[
        "sweep",
        s(&wider),
        "--out",
        s(&out),
        "--max-trucks",
        "5000",
        "--format",
        "json",
    ]);
    assert!(
        text(&ok(&other).stderr).contains("6 run now, 0 already done"),
        "{}",
        text(&other.stderr)
    );
    let again = portsim(&[
        "sweep",
        s(&wider),
        "--out",
        s(&out),
        "--max-trucks",
        "5000",
        "--format",
        "json",
    ]);
    assert!(
        text(&again.stderr).contains("0 run now, 6 already done"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn latin_hypercube_html_and_mistakes() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "base.toml", BASE);
    let lhs = write(
        dir.path(),
        "lhs.toml",
        "scenario = \"base.toml\"\nlhs = 5\nmetrics = [\"wait_s\"]\n[[factors]]\nkey = \"stages.desk.service.mean\"\nrange = [\"2m\", \"4m\"]\n[[factors]]\nkey = \"demand.rate\"\nrange = [\"8/h\", \"14/h\"]\n",
    );
    let html = dir.path().join("lhs.html");
    let doc = json(&portsim(&[
        "sweep",
        s(&lhs),
        "--format",
        "json",
        "-q",
        "--html",
        s(&html),
    ]));
    assert_eq!(doc["lhs"], 5);
    assert_eq!(doc["points"].as_array().map(Vec::len), Some(5));
    let page = std::fs::read_to_string(&html).expect("page");
    assert!(
        page.contains("<svg") && !page.contains("<script") && !page.contains("http"),
        "self-contained"
    );
    let grid_html = dir.path().join("grid.html");
    let sweep = write(dir.path(), "sweep.toml", SWEEP);
    ok(&portsim(&[
        "sweep",
        s(&sweep),
        "-q",
        "--html",
        s(&grid_html),
    ]));
    let page = std::fs::read_to_string(&grid_html).expect("page");
    assert!(page.contains("both factors"), "a heat map for two factors");
    // Mistakes: located in the sweep file, exit 2, nothing run.
    let bad = write(
        dir.path(),
        "bad.toml",
        "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.desk.lanes\"\nvalues = [1, -3]\n",
    );
    let out = portsim(&["sweep", s(&bad)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.toml:4:14") && err.contains("`lanes` must be at least 0"),
        "{err}"
    );
    let missing = write(
        dir.path(),
        "missing.toml",
        "[[factors]]\nkey = \"x\"\nvalues = [1]\n",
    );
    let err = text(&portsim(&["sweep", s(&missing)]).stderr);
    assert!(err.contains("missing key `scenario`"), "{err}");
}

/// Issue 28: a sweep's targets (`[[require]]`, as a plan's) are marked on
/// its heat map: exactly the cells whose mean meets every target on that
/// metric are outlined, and the legend says what the outline means.
#[test]
fn a_sweep_s_target_is_marked_on_its_heat_map() {
    let dir = tempfile::tempdir().expect("temp");
    let scenario = std::fs::canonicalize("scenarios/example.toml").expect("example");
    let sweep = write(
        dir.path(),
        "sweep.toml",
        &format!(
            r#"scenario = {scenario:?}
replications = 2
metrics = ["wait_s"]

[[factors]]
key = "stages.document-check.lanes"
values = [1, 2, 3]

[[factors]]
key = "stages.exit.lanes"
values = [1, 2]

[[require]]
metric = "time_in_port_s"
max = "20m"
"#
        ),
    );
    let html = dir.path().join("sweep.html");
    let doc = json(&portsim(&[
        "sweep",
        s(&sweep),
        "--format",
        "json",
        "-q",
        "--html",
        s(&html),
    ]));
    // The target's metric is reported though `metrics` did not name it.
    let means: Vec<f64> = doc["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            p["metrics"]["time_in_port_s"]["mean"]
                .as_f64()
                .expect("reported")
        })
        .collect();
    let meeting = means.iter().filter(|&&m| m <= 1200.0).count();
    assert!(
        meeting > 0 && meeting < means.len(),
        "the case must have cells on both sides: {means:?}"
    );
    let page = std::fs::read_to_string(&html).expect("html");
    // The time-in-port heat map: its outlines, and none on the wait's.
    let start = page.find("time in port").expect("a time-in-port chart");
    let outlined = page.matches("class=\"meets\"").count();
    assert_eq!(outlined, meeting, "outlined cells against means {means:?}");
    assert!(page[start..].contains("class=\"meets\""));
    assert!(
        page.contains("outlined: the mean meets time in port ≤ 20.0 min"),
        "the legend names the target"
    );
}
