//! One rule for a stage's `lanes` given as a shift table (issue 28 §5),
//! through each way an override reaches a scenario: `--set`, a sweep's
//! axis and a plan's variable.
//!
//! Why: a plain count where the files have a shift table replaces the
//! whole table, so the stage's capacity changes in a way the key does
//! not show (360 → 960 trucks a day below). Each path must say so, with
//! both capacities, and each must accept `lanes.percent`, which scales
//! the table keeping its shape, to the same scenario as the file written
//! with the scaled counts (same hash).
//!
//! The capacities are hand-computed: 2 lanes 08–20 and 1 lane 20–08 at
//! 6 minutes a truck are (2 × 12 + 1 × 12) × 10 = 360 trucks a day; 4
//! lanes round the clock 4 × 24 × 10 = 960; 3 lanes 720.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::cli_run::portsim;

const BASE: &str = r#"name = "shifted gate"
horizon = "2d"
replications = 2
seed = 3
[demand]
rate = "100/d"
[[stages]]
name = "gate"
lanes = [{ hours = "08:00-20:00", count = 2 }, { hours = "20:00-08:00", count = 1 }]
service = "6m"
"#;

/// BASE with the table at 150 %: 2 → 3, 1 → 2 (1.5, halves up).
fn scaled_file() -> String {
    BASE.replace("count = 2 }", "count = 3 }")
        .replace("count = 1 }", "count = 2 }")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn run_hash(path: &Path, sets: &[&str]) -> Value {
    let mut args = vec!["run", s(path), "--format", "json", "-q"];
    for set in sets {
        args.extend(["--set", set]);
    }
    json(&portsim(&args))["scenario"]["hash"].clone()
}

fn replaced(origin: &str, lanes: u32, capacity: &str) -> String {
    format!(
        "warning: {origin}: `stages.gate.lanes={lanes}` replaces its shift table (2 shifts, capacity 360 trucks/day) with {lanes} lanes at every hour the stage is open: capacity {capacity} trucks/day; to keep the shifts' shape, scale the table instead, e.g. `stages.gate.lanes.percent=150`"
    )
}

#[test]
fn set_a_count_warns_and_a_percentage_scales() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = write(dir.path(), "base.toml", BASE);
    let out = portsim(&["run", s(&base), "--set", "stages.gate.lanes=4"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&replaced("--set", 4, "960")),
        "{}",
        stderr(&out)
    );
    let scaled = write(dir.path(), "scaled.toml", &scaled_file());
    assert_eq!(
        run_hash(&base, &["stages.gate.lanes.percent=150"]),
        run_hash(&scaled, &[])
    );
    let out = portsim(&["run", s(&base), "--set", "stages.gate.lanes.percent=150"]);
    assert!(
        !stderr(&out).contains("replaces its shift table"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sweep_axis_follows_the_same_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "base.toml", BASE);
    let counts = write(
        dir.path(),
        "counts.toml",
        "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.gate.lanes\"\nvalues = [3, 4]\n",
    );
    let out = portsim(&["sweep", s(&counts), "--format", "json"]);
    let err = stderr(&out);
    let origin = counts.display().to_string();
    assert!(err.contains(&replaced(&origin, 3, "720")), "{err}");
    assert!(err.contains(&replaced(&origin, 4, "960")), "{err}");
    json(&out);
    let percent = write(
        dir.path(),
        "percent.toml",
        "scenario = \"base.toml\"\n[[factors]]\nkey = \"stages.gate.lanes.percent\"\nvalues = [100, 150]\n",
    );
    let out = portsim(&["sweep", s(&percent), "--format", "json"]);
    assert!(!stderr(&out).contains("replaces"), "{}", stderr(&out));
    let sweep = json(&out);
    let scaled = write(dir.path(), "scaled.toml", &scaled_file());
    let base = dir.path().join("base.toml");
    assert_eq!(sweep["points"][0]["hash"], run_hash(&base, &[]));
    assert_eq!(sweep["points"][1]["hash"], run_hash(&scaled, &[]));
}

#[test]
fn a_plan_variable_follows_the_same_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "base.toml", BASE);
    let plan = |key: &str, min: u32, max: u32| {
        format!(
            "scenario = \"base.toml\"\n[[decide]]\nkey = \"{key}\"\nmin = {min}\nmax = {max}\ncost = 1\n[[require]]\nmetric = \"time_in_port_s.p95\"\nmax = \"2h\"\n"
        )
    };
    let counts = write(dir.path(), "counts.toml", &plan("stages.gate.lanes", 1, 3));
    let out = portsim(&["plan", s(&counts), "--format", "json"]);
    let err = stderr(&out);
    // Said once, for the most capable corner every candidate is below.
    assert!(
        err.contains(&replaced(&counts.display().to_string(), 3, "720")),
        "{err}"
    );
    json(&out);
    let percent = write(
        dir.path(),
        "percent.toml",
        &plan("stages.gate.lanes.percent", 100, 150),
    );
    let out = portsim(&["plan", s(&percent), "--format", "json"]);
    assert!(!stderr(&out).contains("replaces"), "{}", stderr(&out));
    let result = json(&out);
    assert!(
        result.to_string().contains("stages.gate.lanes.percent"),
        "{result}"
    );
}
