//! `portsim sensitivity` on models where the answer is known.
//!
//! Why: a tornado is read for what it says is *not* important as much as
//! for what is. On an M/M/2 desk only the lane count moves the waiting
//! time. A per-hour cost cannot move it at all (identical replications).
//! Renaming the stage gives it other random streams (they are keyed by
//! name) for the same service distribution, and writing the Poisson
//! arrivals as exponential gaps instead of a rate is the same process
//! drawn another way: both move the wait only by replication noise. Those
//! three must be marked within noise, the lanes not, and the bars must
//! come widest first. With a
//! variant, the output is the paired change from the scenario to the
//! variant. The paired 95% interval of a pure-noise swing excludes zero
//! about one time in twenty by chance; the seed is fixed, and was not
//! chosen by looking.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli_run::portsim;

const DESK: &str = "name = \"desk\"\nhorizon = \"5d\"\nwarmup = \"12h\"\nreplications = 10\nseed = 31\n[demand]\nrate = \"20/h\"\n[[stages]]\nname = \"desk\"\nlanes = 2\nservice = { dist = \"exponential\", mean = \"5m\" }\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn run(args: &[&str]) -> Value {
    let out = portsim(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn only_the_parameter_that_matters_stands_out_of_the_noise() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "desk.toml", DESK);
    let study = write(
        dir.path(),
        "sens.toml",
        "scenario = \"desk.toml\"\nmetric = \"wait_s\"\n\n[[parameters]]\nkey = \"costs.per_hour\"\nlow = 0\nhigh = 200\n\n[[parameters]]\nkey = \"stages.desk.name\"\nlow = \"desk\"\nhigh = \"counter\"\n\n[[parameters]]\nkey = \"demand\"\nlow = { rate = \"20/h\" }\nhigh = { interarrival = { dist = \"exponential\", mean = \"3m\" } }\n\n[[parameters]]\nkey = \"stages.desk.lanes\"\nlow = 2\nhigh = 3\n",
    );
    let html = dir.path().join("tornado.html");
    let doc = run(&[
        "sensitivity",
        study.to_str().expect("path"),
        "--format",
        "json",
        "-q",
        "--html",
        html.to_str().expect("path"),
    ]);
    let bars = doc["bars"].as_array().expect("bars");
    eprintln!("{}", serde_json::to_string_pretty(bars).unwrap_or_default());
    assert_eq!(bars.len(), 4);
    assert_eq!(bars[0]["key"], "stages.desk.lanes", "widest first");
    assert_eq!(bars[0]["within_noise"], false);
    for b in &bars[1..] {
        assert_eq!(b["within_noise"], true, "{} should be noise: {b}", b["key"]);
    }
    let swings: Vec<f64> = bars
        .iter()
        .map(|b| b["swing"].as_f64().expect("swing"))
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    let cost = bars
        .iter()
        .find(|b| b["key"] == "costs.per_hour")
        .expect("cost bar");
    assert_eq!(
        cost["swing"].as_f64(),
        Some(0.0),
        "a cost cannot move the wait"
    );
    for b in bars {
        for side in ["low", "high"] {
            assert!(
                b[side]["mean"].is_number() && b[side]["ci95"].is_array(),
                "{b}"
            );
        }
    }
    // More lanes: less waiting.
    assert!(bars[0]["high"]["mean"].as_f64() < bars[0]["low"]["mean"].as_f64());
    assert_eq!(doc["output"], "metric of the scenario");
    let page = std::fs::read_to_string(&html).expect("page");
    assert!(page.contains("within noise") && page.contains("<svg") && !page.contains("<script"));
}

#[test]
fn a_variant_studies_the_change_and_morris_ranks_the_lanes_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "desk.toml", DESK);
    write(
        dir.path(),
        "three.toml",
        "extends = \"desk.toml\"\n[stages.desk]\nlanes = 3\n",
    );
    let study = write(
        dir.path(),
        "sens.toml",
        "scenario = \"desk.toml\"\nvariant = \"three.toml\"\nmetric = \"wait_s\"\nreplications = 6\n\n[[parameters]]\nkey = \"demand.rate\"\nlow = \"16/h\"\nhigh = \"22/h\"\n\n[[parameters]]\nkey = \"costs.per_hour\"\nrange = [0, 200]\n\n[morris]\ntrajectories = 4\n",
    );
    let doc = run(&[
        "sensitivity",
        study.to_str().expect("path"),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(doc["output"], "change from scenario to variant (paired)");
    let base = doc["base"]["mean"].as_f64().expect("base");
    assert!(base < 0.0, "a third lane cuts the wait: {base}");
    let rate = &doc["bars"][0];
    assert_eq!(rate["key"], "demand.rate");
    assert_eq!(rate["within_noise"], false);
    assert!(
        rate["high"]["mean"].as_f64() < rate["low"]["mean"].as_f64(),
        "the gain grows with demand: {rate}"
    );
    let morris = &doc["morris"]["parameters"];
    assert_eq!(morris[0]["key"], "demand.rate");
    assert_eq!(morris[1]["mu_star"].as_f64(), Some(0.0));
    // Mistakes are located in the study file.
    let bad = write(
        dir.path(),
        "bad.toml",
        "scenario = \"desk.toml\"\nmetric = \"wait_s\"\n[[parameters]]\nkey = \"stages.desk.lanes\"\nvariant_key = \"x\"\nlow = 2\nhigh = 3\n",
    );
    let out = portsim(&["sensitivity", bad.to_str().expect("path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.toml:5:15") && err.contains("needs a top-level `variant"),
        "{err}"
    );
}
