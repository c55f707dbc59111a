//! Hostile inputs and invocations (issue 12), against a real `portsim`
//! child process: inputs that are not regular files, limits on every
//! path, a gate that fails closed, money and NaN, messages that point at
//! the key, and text that is escaped before it reaches a terminal.
//!
//! Why: each case here is one that an attack on the command line found to
//! hang, panic, abort, pass a check on NaN, quote the wrong number or
//! print something it should not. Every child runs under a deadline, so a
//! regression that blocks or runs away fails the test instead of hanging
//! the suite. Output files (items 1, 2 and 10 of the issue) are in
//! `output_sets`.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `portsim` binary, run in `dir`.
pub fn portsim_in(dir: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("portsim"));
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A bundled file.
pub fn bundled(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Waits for `child` at most `secs` seconds; kills it and panics if it is
/// still running (it hung or ran away).
pub fn finish(mut child: Child, secs: u64, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().expect("output"),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!(
                    "{what}: still running after {secs} s; stderr:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

/// Runs `portsim ARGS` in `dir` with a deadline.
pub fn run(dir: &Path, args: &[&str], secs: u64) -> Output {
    let child = portsim_in(dir).args(args).spawn().expect("portsim starts");
    finish(child, secs, &format!("portsim {args:?}"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit 2 with a message and no panic; returns stderr.
pub fn user_error(out: &Output, what: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: stderr:\n{err}");
    assert!(err.starts_with("error"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

/// A small valid scenario with `extra` appended at the top level (before
/// any table) and `stage_extra` in its one stage.
pub fn scenario(extra: &str, stage_extra: &str) -> String {
    format!(
        "name = \"tiny\"\nhorizon = \"1d\"\nreplications = 3\n{extra}\n[demand]\nrate = \"20/h\"\n\
         [[stages]]\nname = \"customs\"\nlanes = 2\nservice = \"2m\"\n{stage_extra}\n"
    )
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_fifo_is_refused_wherever_an_input_is_expected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    mkfifo(&d.join("fifo.toml"));
    std::fs::write(d.join("base.toml"), scenario("", "")).expect("write");
    std::fs::write(d.join("ext.toml"), "extends = \"fifo.toml\"\n").expect("write");
    let base = bundled("scenarios/example.toml");
    let base = base.to_str().expect("utf-8");
    for (args, says) in [
        (vec!["run", "fifo.toml"], "FIFO"),
        (vec!["run", "ext.toml"], "FIFO"),
        (
            vec!["compare", "base.toml", "--intervention", "fifo.toml"],
            "FIFO",
        ),
        (vec!["check", base, "--baseline", "fifo.toml"], "FIFO"),
        (vec!["run", "."], "directory"),
    ] {
        let out = run(d, &args, 10);
        let err = user_error(&out, &format!("{args:?}"));
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn a_signal_ends_a_process_still_reading_its_inputs() {
    // Reading an intervention used to block on a FIFO after the Ctrl-C
    // handler was installed, which swallowed the first SIGTERM. Now the
    // FIFO is refused at once; if anything ever blocks again, one SIGTERM
    // must still end the process.
    let dir = tempfile::tempdir().expect("tempdir");
    mkfifo(&dir.path().join("fifo.toml"));
    std::fs::write(dir.path().join("base.toml"), scenario("", "")).expect("write");
    let child = portsim_in(dir.path())
        .args(["compare", "base.toml", "--intervention", "fifo.toml", "-q"])
        .spawn()
        .expect("portsim starts");
    std::thread::sleep(Duration::from_millis(500));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = finish(
        child,
        3,
        "compare with a FIFO intervention after one SIGTERM",
    );
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn extends_and_interventions_read_only_toml_files_and_never_echo_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let secret = "portsim-test-secret-4711";
    std::fs::write(d.join("base.toml"), scenario("", "")).expect("write");
    std::fs::write(d.join("env.toml"), "extends = \"/proc/self/environ\"\n").expect("write");
    std::fs::write(d.join("notes.txt"), "name = \"x\"\n").expect("write");
    for args in [
        vec!["run", "env.toml"],
        vec!["run", "/proc/self/environ"],
        vec![
            "compare",
            "base.toml",
            "--intervention",
            "/proc/self/environ",
        ],
        vec!["compare", "base.toml", "--intervention", "notes.txt"],
    ] {
        // The secret alone in the environment, so that it is on the line
        // an error about /proc/self/environ would echo.
        let child = portsim_in(d)
            .args(&args)
            .env_clear()
            .env("PORTSIM_SECRET", secret)
            .spawn()
            .expect("starts");
        let out = finish(child, 10, &format!("{args:?}"));
        let err = user_error(&out, &format!("{args:?}"));
        assert!(
            !err.contains(secret),
            "{args:?} echoed the environment:\n{err}"
        );
    }
    let out = run(d, &["run", "env.toml"], 10);
    assert!(
        stderr(&out).contains("ending in `.toml`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_path_to_a_replication_count_goes_through_the_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("s.toml"), scenario("", "")).expect("write");
    for r in ["18446744073709551615", "1000000000", "200000"] {
        for args in [
            vec![
                "check",
                "s.toml",
                "--baseline",
                "b.json",
                "--update-baseline",
                "-r",
                r,
            ],
            vec!["run", "s.toml", "-r", r],
            vec!["compare", "s.toml", "s.toml", "-r", r],
        ] {
            let out = run(d, &args, 20);
            let err = user_error(&out, &format!("{args:?}"));
            assert!(
                err.contains("more than the limit of 100000") && err.contains("--replications"),
                "{args:?}: {err}"
            );
        }
    }
    assert!(!d.join("b.json").exists(), "no baseline recorded");
    let out = run(d, &["run", "s.toml", "-j", "100000", "-r", "3"], 20);
    let err = user_error(&out, "-j 100000");
    assert!(err.contains("limit of 1024"), "{err}");
    // At the cap, a run of three replications starts three threads.
    let out = run(
        d,
        &["run", "s.toml", "-j", "1024", "-q", "--format", "json"],
        20,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["manifest"]["threads"], 3);
}

/// Records `s.toml` in `b.json` with 3 replications and returns the
/// baseline as JSON.
fn recorded(d: &Path) -> serde_json::Value {
    std::fs::write(d.join("s.toml"), scenario("", "")).expect("write");
    let out = run(
        d,
        &[
            "check",
            "s.toml",
            "--baseline",
            "b.json",
            "--update-baseline",
            "-r",
            "3",
            "-q",
        ],
        30,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&std::fs::read(d.join("b.json")).expect("read")).expect("JSON")
}

/// A change to a baseline document.
type Edit<'a> = dyn Fn(&mut serde_json::Value) + 'a;

#[test]
fn baselines_with_absurd_values_or_counts_are_refused_when_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = recorded(d);
    let at = |b: &mut serde_json::Value, pointer: &str, value: serde_json::Value| {
        *b.pointer_mut(&format!("/scenarios/s.toml/{pointer}"))
            .unwrap_or_else(|| panic!("{pointer} in the baseline")) = value;
    };
    let huge = |b: &mut serde_json::Value| {
        at(
            b,
            "metrics/throughput_per_day/samples/0",
            serde_json::json!(1e308),
        );
    };
    let negative = |b: &mut serde_json::Value| {
        at(
            b,
            "metrics/trucks_turned_away/mean",
            serde_json::json!(-5.0),
        );
    };
    let many = |b: &mut serde_json::Value| {
        at(b, "replications", serde_json::json!(150_000));
        for m in [
            "throughput_per_day",
            "time_in_port_s",
            "cost_per_truck",
            "steps_per_truck",
            "trucks_turned_away",
        ] {
            at(
                b,
                &format!("metrics/{m}/samples"),
                serde_json::json!(vec![1.0; 150_000]),
            );
        }
    };
    let edits: [(&str, &Edit<'_>); 3] = [
        ("beyond any plausible value", &huge),
        ("cannot be negative", &negative),
        ("more than the limit of 100000", &many),
    ];
    for (says, edit) in edits {
        let mut b = good.clone();
        edit(&mut b);
        std::fs::write(d.join("b.json"), serde_json::to_vec(&b).expect("JSON")).expect("write");
        let out = run(d, &["check", "s.toml", "--baseline", "b.json", "-q"], 20);
        let err = user_error(&out, says);
        assert!(err.contains(says) && err.contains("b.json"), "{err}");
    }
}

#[test]
fn money_keys_are_range_checked_where_they_are_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (text, at) in [
        (scenario("", "fee = 1e308"), "s.toml:11:7"),
        (scenario("", "[costs]\nper_hour = 1e308"), "s.toml:12:12"),
        (scenario("", "[costs]\nper_truck = -1"), "s.toml:12:13"),
    ] {
        std::fs::write(d.join("s.toml"), &text).expect("write");
        let err = user_error(&run(d, &["run", "s.toml"], 10), &text);
        assert!(
            err.contains(at) && err.contains("between 0 and 1e9"),
            "{text}\n{err}"
        );
    }
    // The largest amounts allowed still give a finite cost per truck.
    std::fs::write(
        d.join("s.toml"),
        scenario(
            "",
            "fee = 1e9\n[costs]\nper_hour = 1e9\novernight = 1e9\nper_truck = 1e9",
        ),
    )
    .expect("write");
    let out = run(d, &["run", "s.toml", "--format", "json", "-q"], 20);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let cost = doc["metrics"]["cost_per_truck"]["mean"]
        .as_f64()
        .expect("a cost");
    assert!(cost.is_finite() && cost >= 2e9, "{cost}");
}

#[test]
fn an_intervention_that_changes_nothing_has_no_nan_share() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("base.toml"), scenario("", "")).expect("write");
    std::fs::write(d.join("same.toml"), "extends = \"base.toml\"\n").expect("write");
    let out = run(
        d,
        &[
            "compare",
            "base.toml",
            "--intervention",
            "same.toml",
            "-q",
            "--html",
            "r.html",
        ],
        30,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(!table.contains("NaN"), "{table}");
    assert!(table.contains("no combined change to share"), "{table}");
    let page = std::fs::read_to_string(d.join("r.html")).expect("page");
    assert!(!page.contains("NaN") && page.contains("no combined change"));
}

#[test]
fn limit_errors_point_at_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let cases = [
        ("replications = 150000\n", "s.toml:3:16", "at most 100000"),
        (
            "warmup = \"40000d\"\n",
            "s.toml:2:11",
            "more than the limit of 36500 days",
        ),
    ];
    for (line, at, says) in cases {
        let text = scenario("", "").replace("replications = 3\n", line);
        std::fs::write(d.join("s.toml"), &text).expect("write");
        let err = user_error(&run(d, &["run", "s.toml"], 10), line);
        assert!(err.contains(at) && err.contains(says), "{text}\n{err}");
    }
    let text = scenario("", "").replace("\"20/h\"", "\"1e308/s\"");
    std::fs::write(d.join("s.toml"), &text).expect("write");
    let err = user_error(&run(d, &["run", "s.toml"], 10), "rate");
    assert!(err.contains("s.toml:6:8") && !err.contains("inf "), "{err}");
    // A flag that breaks a limit is named as the flag.
    std::fs::write(d.join("s.toml"), scenario("", "")).expect("write");
    let err = user_error(
        &run(d, &["run", "s.toml", "--horizon", "40000d"], 10),
        "--horizon",
    );
    assert!(err.contains("--horizon 40000d"), "{err}");
}

#[test]
fn numbers_are_quoted_as_written_and_any_u64_seed_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("s.toml"),
        scenario("", "").replace("lanes = 2", "lanes = 9223372036854775808"),
    )
    .expect("write");
    let err = user_error(&run(d, &["run", "s.toml"], 10), "lanes");
    assert!(err.contains("found 9223372036854775808"), "{err}");
    std::fs::write(
        d.join("s.toml"),
        scenario("seed = 18446744073709551615", ""),
    )
    .expect("write");
    let out = run(d, &["run", "s.toml", "--format", "json", "-q"], 20);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["scenario"]["seed"], serde_json::json!(u64::MAX));
    // The same seed from the command line gives the same results.
    std::fs::write(d.join("t.toml"), scenario("", "")).expect("write");
    let flag = run(
        d,
        &[
            "run",
            "t.toml",
            "--seed",
            "18446744073709551615",
            "--format",
            "csv",
            "-q",
        ],
        20,
    );
    let file = run(d, &["run", "s.toml", "--format", "csv", "-q"], 20);
    assert_eq!(flag.stdout, file.stdout);
}

#[test]
fn a_utf16_scenario_is_named_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in scenario("", "").encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(dir.path().join("s.toml"), bytes).expect("write");
    let err = user_error(&run(dir.path(), &["run", "s.toml"], 10), "utf-16");
    assert!(
        err.contains("UTF-16") && err.contains("save it as UTF-8"),
        "{err}"
    );
}

#[test]
fn an_interrupted_check_says_nothing_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = portsim_in(dir.path())
        .arg("check")
        .arg(bundled("scenarios/horgos-before.toml"))
        .args([
            "--baseline",
            "b.json",
            "--update-baseline",
            "-r",
            "2000",
            "-j",
            "1",
            "-q",
        ])
        .spawn()
        .expect("starts");
    std::thread::sleep(Duration::from_millis(1500));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = finish(child, 60, "interrupted check");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!err.contains("results written"), "{err}");
    assert!(!dir.path().join("b.json").exists());
}

#[test]
fn control_characters_in_names_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let text = scenario("", "")
        .replace("\"tiny\"", "\"tiny\\u001b[2J\\u0007\\rX\"")
        .replace("\"customs\"", "\"cus\\u001btoms\"");
    std::fs::write(d.join("s.toml"), text).expect("write");
    let out = run(d, &["run", "s.toml", "-q"], 20);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    for raw in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!table.contains(raw), "{raw:?} in\n{table}");
    }
    assert!(table.contains("tiny\\u{1b}[2J\\u{7}\\rX"), "{table}");
    // Errors echo the line: escaped too.
    std::fs::write(d.join("s.toml"), "name = \"\u{1b}[31mred\"\nhorizon = 5\n").expect("write");
    let err = user_error(&run(d, &["run", "s.toml"], 10), "error");
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn non_utf8_file_names_do_not_collide_on_a_baseline_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let a = d.join(std::ffi::OsStr::from_bytes(b"a\xff.toml"));
    let b = d.join(std::ffi::OsStr::from_bytes(b"a\xfe.toml"));
    std::fs::write(&a, scenario("", "")).expect("write");
    std::fs::write(&b, scenario("", "").replace("lanes = 2", "lanes = 3")).expect("write");
    let out = portsim_in(d)
        .arg("check")
        .arg(&a)
        .arg(&b)
        .args(["--baseline", "b.json", "--update-baseline", "-q"])
        .spawn()
        .expect("starts");
    let out = finish(out, 30, "non-UTF-8 names");
    let err = user_error(&out, "non-UTF-8 names");
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(!d.join("b.json").exists());
}
