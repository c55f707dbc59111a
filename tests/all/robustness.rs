//! Interruption, runaway scenarios and output files, against a real
//! `portsim` child process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

fn portsim() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("portsim"))
}

fn bundled(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Starts a long run: many replications of the Horgos baseline on one thread.
fn long_run(out: &Path) -> Child {
    portsim()
        .arg("run")
        .arg(bundled("scenarios/horgos-before.toml"))
        .args([
            "--replications",
            "2000",
            "--threads",
            "1",
            "--format",
            "json",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("portsim starts")
}

fn check_partial(output: &Output, out: &Path) {
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(doc["complete"], serde_json::json!(false));
    let done = doc["replications"].as_u64().expect("count");
    assert!((1..2000).contains(&done), "{done} replications");
    assert_eq!(doc["replications_requested"], serde_json::json!(2000));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results.json"))
            .expect("JSON");
    assert_eq!(file["complete"], serde_json::json!(false));
    assert_eq!(file["replications"], doc["replications"]);
}

#[test]
fn sigint_stops_after_the_replications_in_flight_and_writes_what_is_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = long_run(dir.path());
    sleep(Duration::from_millis(1500));
    signal(&child, "INT");
    let output = child.wait_with_output().expect("exits");
    check_partial(&output, dir.path());
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted"));
}

#[test]
fn sigterm_is_treated_like_ctrl_c() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = long_run(dir.path());
    sleep(Duration::from_millis(1500));
    signal(&child, "TERM");
    let output = child.wait_with_output().expect("exits");
    check_partial(&output, dir.path());
}

/// A replication in flight notices SIGTERM within moments: a scenario
/// inside the documented limits (~1.8 × 10⁸ trucks, about a minute per
/// replication) ends a second after the signal, not when the replication
/// would have, and reports no cut replication.
#[test]
fn one_signal_stops_a_long_replication_within_moments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("long.toml");
    std::fs::write(
        &file,
        "name = \"long\"\nhorizon = \"3000d\"\nreplications = 2\n[demand]\nrate = \"60000/d\"\n\
         [[stages]]\nname = \"desk\"\nlanes = 3000\nservice = { dist = \"exponential\", mean = \"1h\" }\n",
    )
    .expect("write");
    let child = portsim()
        .arg("run")
        .arg(&file)
        .args(["--threads", "2", "--quiet", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("portsim starts");
    sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    signal(&child, "TERM");
    let output = child.wait_with_output().expect("exits");
    let took = sent.elapsed();
    assert_eq!(output.status.code(), Some(130));
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} after SIGTERM"
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["replications_complete"], serde_json::json!(0));
    assert_eq!(doc["complete"], serde_json::json!(false));
}

/// An interrupted comparison pairs replications by index: replication i of
/// both sides is one unit, so `compare A A` cut half-way still shows
/// exactly no change, with as many pairs as finished replications.
#[test]
fn an_interrupted_compare_keeps_its_pairs() {
    let file = bundled("scenarios/horgos-before.toml");
    let child = portsim()
        .arg("compare")
        .arg(&file)
        .arg(&file)
        .args([
            "--replications",
            "400",
            "--threads",
            "2",
            "--quiet",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("portsim starts");
    sleep(Duration::from_millis(1500));
    signal(&child, "INT");
    let output = child.wait_with_output().expect("exits");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["complete"], serde_json::json!(false));
    let metrics = doc["metrics"].as_object().expect("metrics");
    let pairs = metrics["backlog"]["pairs"].as_u64().expect("pairs");
    assert!((1..400).contains(&pairs), "{pairs}");
    for name in [
        "backlog",
        "throughput_per_day",
        "time_in_port_s",
        "trucks_arrived",
    ] {
        let m = &metrics[name];
        assert_eq!(m["pairs"].as_u64(), Some(pairs), "{name}");
        assert_eq!(m["change"]["mean"], serde_json::json!(0.0), "{name}: {m}");
        assert_eq!(m["baseline"]["mean"], m["variant"]["mean"], "{name}");
    }
}

/// Memory does not grow with replications beyond a few scalars each: a
/// hundred thousand replications of a small port run under a 1 GiB
/// address-space limit (they needed ~9 GB when every replication kept its
/// histograms).
#[test]
fn a_hundred_thousand_replications_fit_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tiny.toml");
    std::fs::write(
        &file,
        "name = \"tiny\"\nhorizon = \"1h\"\nreplications = 100000\n[demand]\nrate = \"10/h\"\n\
         [[stages]]\nname = \"desk\"\nlanes = 1\nservice = \"1m\"\n",
    )
    .expect("write");
    let output = run_capped(&format!(
        "run '{}' --quiet --threads 2 --format json",
        file.display()
    ));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["replications_complete"], serde_json::json!(100_000));
}

#[test]
fn a_killed_run_never_leaves_a_half_written_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = |reps: &str| {
        portsim()
            .arg("run")
            .arg(bundled("scenarios/example.toml"))
            .args([
                "--replications",
                reps,
                "--format",
                "json",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("portsim starts")
    };
    assert!(run("3").wait().expect("exits").success());
    let first = std::fs::read(out.join("results.json")).expect("written");
    // Kill later runs at different moments, before, during and after
    // writing; the file is always a whole JSON document, old or new.
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 160] {
        let mut child = run("40");
        sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(out.join("results.json")).expect("still there");
        let doc: serde_json::Value = serde_json::from_slice(&now).expect("whole JSON after a kill");
        assert!(now == first || doc["replications"] == serde_json::json!(40));
    }
}

/// Runs `portsim` under a 1 GiB address-space limit, so a replication that
/// ate memory would be killed instead of passing.
fn run_capped(args: &str) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("portsim");
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1048576 && exec '{}' {args}",
            bin.display()
        ))
        .output()
        .expect("sh runs")
}

fn overloaded(dir: &Path, road: &str) -> PathBuf {
    let path = dir.join("overloaded.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"overloaded\"\nhorizon = \"3650d\"\nreplications = 2\n[demand]\nrate = \"20000/d\"\n[port]\n{road}\n\
             [[stages]]\nname = \"gate\"\nlanes = 20\nservice = \"1m\"\n\
             [[stages]]\nname = \"inspection\"\nlanes = 2\nservice = {{ dist = \"exponential\", mean = \"30m\" }}\n"
        ),
    )
    .expect("write");
    path
}

/// 20,000 trucks a day against ~100 a day of inspection: the backlog
/// would pass a million within the ten-year horizon, so the guard stops
/// each replication early (within days, not at the ceiling), under a 1 GiB
/// address-space limit; both replications are named, none is reported.
#[test]
fn an_unbounded_backlog_heading_past_the_ceiling_is_stopped_early_with_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = overloaded(dir.path(), "");
    let output = run_capped(&format!("run '{}' --quiet --format json", file.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in [
        "replication 0,",
        "replication 1,",
        "`inspection`",
        "grew by",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["complete"], serde_json::json!(false));
    assert_eq!(doc["replications_complete"], serde_json::json!(0));
    assert_eq!(doc["stopped"].as_array().map(Vec::len), Some(2));
    assert!(doc["metrics"]["throughput_per_day"]["mean"].is_null());
    assert!(
        doc["stopped"][0]["at_s"]
            .as_f64()
            .is_some_and(|t| t < 15.0 * 86_400.0)
    );
}

#[test]
fn a_huge_bounded_backlog_is_stopped_by_the_ceiling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = overloaded(dir.path(), "road_queue = 100000000");
    let output = run_capped(&format!(
        "run '{}' --quiet --max-trucks 200000",
        file.display()
    ));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("runaway guard") && stderr.contains("200000 (--max-trucks)"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// An overloaded 60-day surge is a finding: the run completes (exit 0),
/// every replication counts, and the stage that cannot keep up is named
/// with its shortfall, in the table and in the JSON.
#[test]
fn an_overloaded_finite_run_completes_and_names_the_unstable_stage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("surge.toml");
    std::fs::write(
        &file,
        "name = \"surge\"\nhorizon = \"60d\"\nreplications = 4\n[demand]\nrate = \"800/d\"\n\
         [[stages]]\nname = \"gate-in\"\nlanes = 4\nservice = \"3m\"\n\
         [[stages]]\nname = \"customs\"\nlanes = 8\nservice = { dist = \"exponential\", mean = \"16m 41s\" }\n",
    )
    .expect("write");
    let output = run_capped(&format!("run '{}' --format json", file.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["complete"], serde_json::json!(true));
    assert_eq!(doc["replications_complete"], serde_json::json!(4));
    let customs = &doc["stages"][1];
    assert_eq!(customs["name"], "customs");
    assert_eq!(customs["bottleneck"], serde_json::json!(true));
    // 8 lanes × 1,440 min / 16.68 min = 690.6 a day against ~800 wanted:
    // short by ~110 a day, and the queue grows by about as much.
    let shortfall = customs["unstable"]["shortfall_per_day"]
        .as_f64()
        .expect("unstable");
    let growth = customs["unstable"]["growth_per_day"]
        .as_f64()
        .expect("growth");
    assert!((100.0..120.0).contains(&shortfall), "{shortfall}");
    assert!((90.0..125.0).contains(&growth), "{growth}");
    assert!(doc["stages"][0]["unstable"].is_null(), "gate-in keeps up");
    assert!(doc["gate"]["unstable"].is_null(), "nothing waits outside");
    // The table says so in words.
    let table = run_capped(&format!("run '{}'", file.display()));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("stage `customs` cannot keep up: demand ~")
            && text.contains("/day exceeds its capacity ~691/day (its lanes); its queue grows ~"),
        "{text}"
    );
}
