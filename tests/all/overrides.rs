//! `--set KEY=VALUE` on the command line, patches by stage name, the
//! warning for a patch that drops stages, and `run --precision`.
//!
//! Why: overrides are how planners ask "what if" without writing files,
//! so they must behave like the file's own values: validated and located
//! (the message points at the override, exit 2), covered by the scenario
//! hash (a run with `--set` has the hash of a file with that value), and
//! recorded in the manifest. A patch that changes one stage must keep the
//! others, and one that silently drops stages is the mistake issue 16
//! reports. `--precision` must stop at a count whose results are those of
//! a plain run with that count, bit for bit.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::cli_run::portsim;

const BASE: &str = "name = \"two desks\"\nhorizon = \"3d\"\nreplications = 4\nseed = 5\n[demand]\nrate = \"20/h\"\n[[stages]]\nname = \"gate\"\nlanes = 2\nservice = { dist = \"exponential\", mean = \"4m\" }\n[[stages]]\nname = \"inspection\"\nlanes = 2\nservice = { dist = \"exponential\", mean = \"5m\" }\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok_json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn set_changes_the_run_is_hashed_and_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = write(dir.path(), "base.toml", BASE);
    let three = write(
        dir.path(),
        "three.toml",
        &BASE.replacen(
            "lanes = 2\nservice = { dist = \"exponential\", mean = \"5m\" }",
            "lanes = 3\nservice = { dist = \"exponential\", mean = \"5m\" }",
            1,
        ),
    );
    let set = ok_json(&portsim(&[
        "run",
        s(&base),
        "--set",
        "stages.inspection.lanes=3",
        "--format",
        "json",
        "-q",
    ]));
    let file = ok_json(&portsim(&["run", s(&three), "--format", "json", "-q"]));
    let plain = ok_json(&portsim(&["run", s(&base), "--format", "json", "-q"]));
    assert_eq!(
        set["metrics"], file["metrics"],
        "an override is the file's own value"
    );
    assert_eq!(
        set["scenario"]["hash"], file["scenario"]["hash"],
        "the hash covers the override"
    );
    assert_ne!(set["scenario"]["hash"], plain["scenario"]["hash"]);
    assert_ne!(set["metrics"]["wait_s"], plain["metrics"]["wait_s"]);
    assert_eq!(
        set["manifest"]["overrides"],
        serde_json::json!(["stages.inspection.lanes=3"])
    );
    assert_eq!(plain["manifest"]["overrides"], serde_json::json!([]));
    // A rate needs no quotes; compare applies the override to both sides.
    let cmp = ok_json(&portsim(&[
        "compare",
        s(&base),
        s(&three),
        "--set",
        "demand.rate=10/h",
        "--format",
        "json",
        "-q",
    ]));
    let arrived = cmp["metrics"]["trucks_arrived"]["baseline"]["mean"]
        .as_f64()
        .expect("mean");
    assert!(arrived < 20.0 * 72.0 * 0.7, "demand halved: {arrived}");
}

#[test]
fn bad_overrides_are_located_at_the_override() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = write(dir.path(), "base.toml", BASE);
    for (args, expected) in [
        (
            vec!["run", s(&base), "--set", "stages.inspection.lanes=-2"],
            "--> --set:1:25",
        ),
        (
            vec!["run", s(&base), "--set", "stages.inspektion.lanes=3"],
            "did you mean `inspection`?",
        ),
        (
            vec!["run", s(&base), "--set", "stages.gate.lanse=3"],
            "unknown key `lanse`",
        ),
        (
            vec!["run", s(&base), "--set", "lanes"],
            "expected KEY=VALUE",
        ),
        (
            vec!["compare", s(&base), s(&base), "--set", "horizon=0s"],
            "`horizon` must be longer than zero",
        ),
        (
            vec![
                "check",
                s(&base),
                "--baseline",
                s(&dir.path().join("b.json")),
                "--update-baseline",
                "--set",
                "seed=-1",
            ],
            "`seed` must be at least 0",
        ),
    ] {
        let out = portsim(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in\n{err}"
        );
        assert!(err.contains("--> --set:1:"), "{args:?}: {err}");
    }
}

#[test]
fn a_stage_patch_keeps_the_list_and_a_dropping_patch_warns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = write(dir.path(), "base.toml", BASE);
    let one = write(
        dir.path(),
        "one.toml",
        "extends = \"base.toml\"\n[stages.inspection]\nlanes = 3\n",
    );
    let dropping = write(
        dir.path(),
        "dropping.toml",
        "extends = \"base.toml\"\n[[stages]]\nname = \"inspection\"\nlanes = 3\nservice = { dist = \"exponential\", mean = \"5m\" }\n",
    );
    let patched = ok_json(&portsim(&["run", s(&one), "--format", "json"]));
    let names: Vec<&str> = patched["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|st| st["name"].as_str())
        .collect();
    assert_eq!(names, ["gate", "inspection"]);
    assert!(
        patched["warnings"].as_array().expect("warnings").is_empty(),
        "{}",
        patched["warnings"]
    );
    // The same as an intervention.
    let out = portsim(&[
        "compare",
        s(&base),
        "--intervention",
        s(&one),
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Restating one stage drops the other: a warning names it, with its place.
    let out = portsim(&["run", s(&dropping), "--format", "json"]);
    let doc = ok_json(&out);
    let err = text(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("drops 1 stage: `gate`"),
        "{err}"
    );
    assert!(err.contains("dropping.toml:2:3"), "{err}");
    assert!(
        doc["warnings"].to_string().contains("`gate`"),
        "{}",
        doc["warnings"]
    );
    let out = portsim(&["compare", s(&base), "--intervention", s(&dropping), "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !text(&out.stderr).contains("warning"),
        "--quiet silences it"
    );
    let out = portsim(&[
        "compare",
        s(&base),
        "--intervention",
        s(&dropping),
        "--format",
        "json",
    ]);
    assert!(
        text(&out.stderr).contains("drops 1 stage: `gate`"),
        "{}",
        text(&out.stderr)
    );
    // The bundled one-stop reform replaces the 12 steps on purpose.
    let out = portsim(&[
        "run",
        "scenarios/horgos-after.toml",
        "-r",
        "2",
        "--horizon",
        "2d",
        "--warmup",
        "0s",
        "--format",
        "json",
    ]);
    assert!(
        !text(&out.stderr).contains("drops"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn precision_adds_replications_and_matches_a_plain_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = write(dir.path(), "base.toml", BASE);
    let args = [
        "run",
        s(&base),
        "--precision",
        "3%",
        "--precision-metric",
        "time_in_port_s,trucks_cleared",
        "--format",
        "json",
        "-q",
    ];
    let doc = ok_json(&portsim(&args));
    let p = &doc["precision"];
    assert_eq!(p["reached"], Value::Bool(true), "{p}");
    let n = p["replications"].as_u64().expect("count");
    assert!(n > 4 && n <= 200, "{p}");
    assert_eq!(doc["replications"].as_u64(), Some(n));
    assert_eq!(
        p["rounds"][0].as_u64(),
        Some(4),
        "starts from the scenario's count"
    );
    let rel = p["metrics"]["time_in_port_s"]["relative_half_width"]
        .as_f64()
        .expect("relative");
    assert!(rel <= 0.03, "{p}");
    let plain = ok_json(&portsim(&[
        "run",
        s(&base),
        "-r",
        &n.to_string(),
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(
        doc["metrics"], plain["metrics"],
        "the same numbers as a plain run of {n}"
    );
    let again = ok_json(&portsim(&[&args[..], &["-j", "1"]].concat()));
    assert_eq!(
        again["precision"], doc["precision"],
        "the same count on one thread"
    );
    // The cap stops it, and the report says the target was not reached.
    let capped = ok_json(&portsim(&[
        "run",
        s(&base),
        "--precision",
        "0.1%",
        "--max-replications",
        "6",
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(capped["precision"]["reached"], Value::Bool(false));
    assert_eq!(capped["precision"]["replications"].as_u64(), Some(6));
    let table = portsim(&[
        "run",
        s(&base),
        "--precision",
        "0.1%",
        "--max-replications",
        "6",
        "-q",
    ]);
    assert!(
        text(&table.stdout).contains("precision: NOT reached after 6 replications"),
        "{}",
        text(&table.stdout)
    );
    for (bad, says) in [("0%", "above 0%"), ("x", "invalid precision")] {
        let out = portsim(&["run", s(&base), "--precision", bad]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    let out = portsim(&[
        "run",
        s(&base),
        "--precision",
        "2%",
        "--precision-metric",
        "wiat_s.p95",
    ]);
    assert!(
        text(&out.stderr).contains("did you mean `wait_s.p95`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_new_command_explains_itself() {
    for (cmd, words) in [
        (
            "sweep",
            &["SWEEP.toml", "[[factors]]", "lhs", "--out", "resum"][..],
        ),
        (
            "plan",
            &[
                "PLAN.toml",
                "[[decide]]",
                "[[require]]",
                "confidence",
                "Bonferroni",
            ][..],
        ),
        (
            "sensitivity",
            &[
                "SENS.toml",
                "[[parameters]]",
                "variant",
                "tornado",
                "noise",
                "Morris",
            ][..],
        ),
        ("run", &["--set", "--precision", "--max-replications"][..]),
    ] {
        let out = portsim(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        for w in words {
            assert!(
                help.contains(w),
                "`portsim {cmd} --help` should mention {w}:\n{help}"
            );
        }
    }
}
