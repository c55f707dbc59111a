//! A port with a stage that cannot keep up (issue 26's validation, "a
//! warm-up so it starts from a port in use as the log did"): its queue
//! grows for as long as the log runs, so there is no steady state for a
//! warm-up to reach, and a warm-up of weeks would start the validation
//! from a queue far longer than the log's. `calibrate` must say the stage
//! cannot keep up (its load ρ from the calibrated numbers), start the
//! calibrated port from the trucks the log found inside instead of a
//! warm-up, and then explain the log.
//!
//! The port: 600 trucks a day; `documents`, 6 lanes, exponential 8 min
//! (ρ = 0.56); `inspection` for a quarter of them, 3 lanes, exponential
//! 40 min: 150 × 40 min = 6,000 lane-minutes a day against 4,320, ρ = 1.39.
//! Traced for 12 days from empty; the log keeps days 3 to 12, so it opens
//! with a queue at inspection.

use serde_json::Value;

use crate::cli_run::portsim;

const PORT: &str = r#"
name = "overloaded"
seed = 11
horizon = "12d"
replications = 1
start = "2025-03-03"

[demand]
rate = "600/d"

[[stages]]
name = "documents"
lanes = 6
service = { dist = "exponential", mean = "8m" }

[[stages]]
name = "inspection"
lanes = 3
share = 0.25
service = { dist = "exponential", mean = "40m" }
"#;

fn ok(out: &std::process::Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

#[test]
fn a_stage_that_cannot_keep_up_starts_the_port_from_the_log_not_from_a_warm_up() {
    let dir = tempfile::tempdir().expect("temp");
    let port = dir.path().join("port.toml");
    std::fs::write(&port, PORT).expect("write");
    let trace = dir.path().join("trace.csv");
    let p = |x: &std::path::Path| x.to_str().expect("utf-8").to_owned();
    ok(&portsim(&[
        "run",
        &p(&port),
        "--format",
        "json",
        "--trace",
        &p(&trace),
    ]));
    // Days 3 to 12, to the minute.
    let text = std::fs::read_to_string(&trace).expect("trace");
    let mut lines = text.lines();
    let mut log = format!("{}\n", lines.next().expect("header"));
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f[1][..10] >= *"2025-03-05" {
            log.push_str(&[f[0], &f[1][..16], f[2], f[3], f[4], f[5]].join(","));
            log.push('\n');
        }
    }
    let log_path = dir.path().join("log.csv");
    std::fs::write(&log_path, log).expect("write");
    let calibrated = dir.path().join("calibrated.toml");
    let v = ok(&portsim(&[
        "calibrate",
        &p(&log_path),
        "--format",
        "json",
        "-r",
        "10",
        "--scenario",
        &p(&calibrated),
    ]));
    let stages = v["stages"].as_array().expect("stages");
    let rho = |i: usize| stages[i]["load"]["rho"].as_f64().unwrap_or(f64::NAN);
    eprintln!("loads: documents {:.3}, inspection {:.3}", rho(0), rho(1));
    // ρ from the calibrated rate, share, lanes and mean: the truth is 0.56
    // and 1.39; the estimates carry a few per cent of sampling error.
    assert!((rho(0) - 0.556).abs() < 0.05, "documents ρ {}", rho(0));
    assert!((rho(1) - 1.389).abs() < 0.12, "inspection ρ {}", rho(1));
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("`inspection` (ρ = ") && warnings.contains("cannot keep up"),
        "{warnings}"
    );
    assert!(!warnings.contains("`documents` (ρ"), "{warnings}");
    let text = std::fs::read_to_string(&calibrated).expect("scenario");
    assert!(text.contains("warmup = \"0d\""), "{text}");
    assert!(
        text.contains("[[initial.stages]]\nname = \"inspection\""),
        "{text}"
    );
    // The queue found at inspection: two days of excess demand, about
    // (150 − 108) × 2 ≈ 80 trucks (a random walk's spread around it).
    let queued: u64 = text
        .split("[[initial.stages]]\nname = \"inspection\"\nqueued = ")
        .nth(1)
        .and_then(|r| r.split('\n').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(
        (30..=150).contains(&queued),
        "queued at inspection {queued}"
    );
    // And the port so started explains the log: the growing wait at
    // inspection and the time in port inside the replications' spread.
    let metrics = v["validation"]["metrics"].as_array().expect("metrics");
    for name in [
        "wait_s.inspection",
        "time_in_port_s.mean",
        "departures_per_day",
    ] {
        let m = metrics
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"));
        eprintln!("{m}");
        assert_eq!(m["verdict"], "inside", "{m}");
    }
}
