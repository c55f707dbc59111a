//! `portsim calibrate` as a user runs it: the JSON keys the issue fixes,
//! the calibrated file run by `portsim run` as it is, the `--out` set, and
//! every mistake in a log or a map named by file, row and column with exit
//! 2 and nothing written.

use std::path::Path;

use serde_json::Value;

use crate::calibrate_port::{FROM, MAP, TO, file, generate, mapped, plain, shuffle, window};
use crate::cli_run::portsim;

fn small_log(dir: &Path) -> std::path::PathBuf {
    let rows = generate(5, 10);
    let mut logged = window(&rows, FROM, FROM + 7 * 86_400 + 3_600 * 10, true);
    shuffle(&mut logged, 1);
    file(dir, "log.csv", &plain(&logged))
}

#[test]
fn the_json_has_the_keys_independent_checks_read() {
    let dir = tempfile::tempdir().expect("test data");
    let log = small_log(dir.path());
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--format",
        "json",
        "-r",
        "4",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("test data");
    let a = &v["arrivals"];
    assert!(a["per_day"]["mean"].as_f64().expect("test data") > 0.0);
    assert_eq!(a["per_day"]["ci95"].as_array().expect("test data").len(), 2);
    let profile = a["profile"].as_array().expect("test data");
    assert_eq!(profile.len(), 24);
    let mean: f64 = profile
        .iter()
        .map(|p| p.as_f64().expect("test data"))
        .sum::<f64>()
        / 24.0;
    assert!((mean - 1.0).abs() < 1e-9, "{mean}");
    assert_eq!(a["days"].as_object().expect("test data").len(), 7);
    let stages = v["stages"].as_array().expect("test data");
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["name"].as_str().expect("test data"))
        .collect();
    assert_eq!(names, ["documents", "inspection", "exit"]);
    for s in stages {
        assert!(s["visits"].as_u64().expect("test data") > 0);
        assert!(s["share"]["mean"].is_number() && s["share"]["ci95"].is_array());
        assert!(s["lanes"]["max"].is_u64());
        assert!(s["lanes"]["seen"].is_u64(), "a lane column was given");
        assert!(s["lanes"].get("shifts").is_some());
        assert!(s.get("open").is_some() && s.get("days").is_some() && s.get("rework").is_some());
        let service = &s["service"];
        assert!(service["chosen"]["dist"].is_string());
        assert!(service["chosen"]["mean_s"].is_number() && service["chosen"]["sd_s"].is_number());
        for c in service["candidates"].as_array().expect("test data") {
            for k in ["dist", "aic", "bic", "gof_p", "mean_s", "sd_s"] {
                assert!(c.get(k).is_some(), "candidate without {k}");
            }
        }
        assert!(service["censored"].is_u64());
    }
    assert!(stages[0]["open"].is_null() && stages[0]["days"].is_null());
    assert_eq!(stages[1]["rework"]["to"], "documents");
    assert!(stages[1]["rework"]["probability"].is_number());
    let d = &v["data"];
    assert!(
        d["rows_read"].as_u64().expect("test data") >= d["rows_used"].as_u64().expect("test data")
    );
    assert!(d["rows_ignored"].is_object());
    for k in ["complete", "inside_at_start", "inside_at_end"] {
        assert!(d["trucks"][k].is_u64(), "{k}");
    }
    let metrics = v["validation"]["metrics"].as_array().expect("test data");
    assert!(metrics.len() > 24);
    for m in metrics {
        assert!(m["name"].is_string() && m.get("observed").is_some());
        assert!(m["simulated"]["mean"].is_number() || m["simulated"]["mean"].is_null());
        assert!(m["simulated"].get("ci95").is_some());
        assert!(m["verdict"].is_string());
    }
    let names: Vec<&str> = metrics
        .iter()
        .map(|m| m["name"].as_str().expect("test data"))
        .collect();
    for n in [
        "time_in_port_s.mean",
        "time_in_port_s.p50",
        "time_in_port_s.p95",
        "wait_s.documents",
        "departures_per_day",
        "departures_per_day.h08",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn the_calibrated_file_runs_as_it_is_and_out_writes_a_set() {
    let dir = tempfile::tempdir().expect("test data");
    let log = small_log(dir.path());
    let port = dir.path().join("port.toml");
    let set = dir.path().join("set");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--scenario",
        port.to_str().expect("test data"),
        "--out",
        set.to_str().expect("test data"),
        "-r",
        "3",
        "--seed",
        "9",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Stages in visiting order"), "{table}");
    assert!(
        table.contains("metrics inside the replication spread"),
        "{table}"
    );
    let text = std::fs::read_to_string(&port).expect("test data");
    assert!(
        text.contains("seed = 9") && text.contains("replications = 3"),
        "{text}"
    );
    for f in [
        "calibrated.toml",
        "calibration.json",
        "calibration.txt",
        "calibrate.html",
        "manifest.json",
    ] {
        assert!(set.join(f).is_file(), "{f}");
    }
    assert_eq!(
        std::fs::read_to_string(set.join("calibrated.toml")).expect("test data"),
        text
    );
    let run = portsim(&[
        "run",
        port.to_str().expect("test data"),
        "--format",
        "json",
        "-r",
        "2",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: Value = serde_json::from_slice(&run.stdout).expect("test data");
    assert!(v.get("metrics").is_some() || v.get("summary").is_some() || v.is_object());
}

/// Runs calibrate on `log` (and `map`) expecting exit 2, nothing written.
fn refused(dir: &Path, log: &str, map: Option<&str>) -> String {
    let log = file(dir, "bad.csv", log);
    let port = dir.join("never.toml");
    let mut args = vec![
        "calibrate".to_owned(),
        log.display().to_string(),
        "--scenario".into(),
        port.display().to_string(),
    ];
    if let Some(m) = map {
        args.push("--map".into());
        args.push(file(dir, "map.toml", m).display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = portsim(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!port.exists(), "a refused log wrote its scenario");
    err
}

#[test]
fn every_mistake_in_a_log_names_the_file_row_and_column() {
    let dir = tempfile::tempdir().expect("test data");
    let d = dir.path();
    // A `;` file read with `,`.
    let e = refused(
        d,
        "truck;time;event;stage\nA;2025-03-10T08:00;arrive;\n",
        None,
    );
    assert!(e.contains("bad.csv`, row 1"), "{e}");
    assert!(
        e.contains("`;`-separated") && e.contains("delimiter = \";\""),
        "{e}"
    );
    // An unknown event, with did-you-mean.
    let e = refused(
        d,
        "truck,time,event,stage\nA,2025-03-10T08:00,arrive,\nA,2025-03-10T08:05,strat,docs\n",
        None,
    );
    assert!(
        e.contains("bad.csv`, row 3, column 3 (`event`): unknown event `strat`"),
        "{e}"
    );
    assert!(e.contains("did you mean `start`?"), "{e}");
    assert!(e.contains("3 | A,2025-03-10T08:05,strat,docs"), "{e}");
    // A time that does not match, the row shown.
    let e = refused(
        d,
        "truck,time,event,stage\nA,10/03/2025 08:00,arrive,\n",
        None,
    );
    assert!(
        e.contains("row 2, column 2 (`time`): `10/03/2025 08:00` is not an ISO 8601"),
        "{e}"
    );
    assert!(e.contains("2 | A,10/03/2025 08:00,arrive,"), "{e}");
    assert!(e.contains("%d/%m/%Y %H:%M"), "{e}");
    // A missing column.
    let e = refused(d, "truck,time,evnt,stage\n", None);
    assert!(
        e.contains("row 1")
            && e.contains("no column `event`")
            && e.contains("did you mean `evnt`?"),
        "{e}"
    );
    // In map mode, a time that does not match the map's format.
    let e = refused(
        d,
        "VEHICLE_REG;OPERATION_TIME;OPERATION;DESK\nA;2025-03-10 08:00;GATE_IN;\n",
        Some(MAP),
    );
    assert!(
        e.contains("row 2, column 2 (`OPERATION_TIME`)") && e.contains("`%d/%m/%Y %H:%M`"),
        "{e}"
    );
    // A start without a stage.
    let e = refused(
        d,
        "truck,time,event,stage\nA,2025-03-10T08:00,start,\n",
        None,
    );
    assert!(
        e.contains("row 2, column 4 (`stage`): the stage is empty"),
        "{e}"
    );
}

#[test]
fn every_mistake_in_a_map_is_located() {
    let dir = tempfile::tempdir().expect("test data");
    let d = dir.path();
    let log = "VEHICLE_REG;OPERATION_TIME;OPERATION;DESK\n";
    let e = refused(
        d,
        log,
        Some("[columns]\ncode = \"OPERATION\"\n[codes]\nX = { event = \"arive\" }\n"),
    );
    assert!(
        e.contains("map.toml:4:15")
            && e.contains("unknown event `arive`")
            && e.contains("did you mean `arrive`?"),
        "{e}"
    );
    let e = refused(d, log, Some("[time]\nformat = \"%d/%m/%Y\"\n"));
    assert!(
        e.contains("map.toml:2:10") && e.contains("date and a time of day"),
        "{e}"
    );
    let e = refused(d, log, Some("[csv]\ndelimter = \";\"\n"));
    assert!(
        e.contains("map.toml:2:1") && e.contains("did you mean `delimiter`?"),
        "{e}"
    );
}

#[test]
fn a_mapped_extract_is_read_with_its_map_and_unknown_codes_are_one_warning() {
    let dir = tempfile::tempdir().expect("test data");
    let rows = generate(5, 10);
    let logged = window(&rows, FROM, FROM + 7 * 86_400, true);
    let log = file(dir.path(), "extract.csv", &mapped(&logged));
    let map = file(dir.path(), "map.toml", MAP);
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--map",
        map.to_str().expect("test data"),
        "--format",
        "json",
        "-r",
        "2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("PAYMENT").count(), 1, "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("test data");
    assert!(
        v["data"]["rows_ignored"]["unknown_code"]
            .as_u64()
            .expect("test data")
            > 0
    );
    let _ = TO;
}

#[test]
fn the_scenario_written_never_replaces_the_log() {
    let dir = tempfile::tempdir().expect("test data");
    let log = small_log(dir.path());
    let before = std::fs::read(&log).expect("test data");
    let out = portsim(&[
        "calibrate",
        log.to_str().expect("test data"),
        "--scenario",
        log.to_str().expect("test data"),
        "-r",
        "2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&log).expect("test data"), before);
}
