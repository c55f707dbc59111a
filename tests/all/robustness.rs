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

#[test]
fn a_second_ctrl_c_exits_at_once() {
    // One replication of 20,000 days takes many seconds; after the first
    // Ctrl-C portsim would wait for it, after the second it must not.
    let child = portsim()
        .arg("run")
        .arg(bundled("scenarios/horgos-before.toml"))
        .args([
            "--replications",
            "2",
            "--threads",
            "1",
            "--horizon",
            "20000d",
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("portsim starts");
    sleep(Duration::from_millis(500));
    signal(&child, "INT");
    sleep(Duration::from_millis(200));
    let second = Instant::now();
    signal(&child, "INT");
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(130));
    assert!(
        second.elapsed() < Duration::from_secs(3),
        "took {:?}",
        second.elapsed()
    );
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

#[test]
fn an_unbounded_backlog_is_stopped_by_the_trend_test_with_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = overloaded(dir.path(), "");
    let output = run_capped(&format!("run '{}' --quiet", file.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ran away") && stderr.contains("`inspection`"),
        "{stderr}"
    );
    assert!(stderr.contains("grew by"), "{stderr}");
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
        stderr.contains("ran away") && stderr.contains("--max-trucks 200000"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
