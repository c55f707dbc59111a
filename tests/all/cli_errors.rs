//! User mistakes at the command line: exit code 2, a message on stderr that
//! names the file and the `line:col` of the culprit, nothing on stdout, and
//! never a panic.
//!
//! Why: a planner editing a scenario must be told what is wrong and where,
//! and scripts rely on the exit codes (0 success, 1 a failed check, 2 a
//! user error). Each case writes a scenario into a temp dir with the marker
//! `@@` where the caret should point; the marker is stripped before the
//! file is written and the expected `line:col` is computed from its
//! position, independently of portsim. An overloaded stage, by contrast,
//! is legal: it must warn (naming the stage and the load figures) and
//! still exit 0.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::cli_run::portsim;

/// Where the caret should point.
const MARK: &str = "@@";

/// The 1-based `line:col` of the marker in `text`.
fn marker_position(text: &str) -> String {
    let at = text
        .find(MARK)
        .unwrap_or_else(|| panic!("no {MARK} marker in\n{text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    format!("{line}:{col}")
}

/// Writes `text` (marker removed) as `dir/name`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text.replace(MARK, "")).expect("write scenario");
    path
}

fn run(args: &[&str]) -> (Output, String) {
    let out = portsim(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, err)
}

/// Asserts exit code 2, an empty stdout and no panic; returns stderr.
fn user_error(args: &[&str]) -> String {
    let (out, err) = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "portsim {args:?} should fail with 2; stderr:\n{err}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for {args:?}");
    assert!(!err.trim().is_empty(), "a message for {args:?}");
    for bad in ["panicked", "RUST_BACKTRACE"] {
        assert!(!err.contains(bad), "portsim {args:?} panicked:\n{err}");
    }
    err
}

/// Runs the marked scenario `text` and checks the error names the file,
/// the marker's position and every word in `says`.
fn check(text: &str, says: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "case.toml", text);
    let err = user_error(&["run", path.to_str().expect("utf-8 path")]);
    let at = format!("case.toml:{}", marker_position(text));
    eprintln!("{err}");
    assert!(err.contains(&at), "expected `{at}` in:\n{err}");
    for word in says {
        assert!(err.contains(word), "expected `{word}` in:\n{err}");
    }
}

/// A valid scenario with `stage_extra` appended to its one stage.
fn with_stage(stage_extra: &str) -> String {
    format!(
        "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = \"10/h\"\n\
         [[stages]]\nname = \"customs\"\nlanes = 1\nservice = \"2m\"\n{stage_extra}\n"
    )
}

const HEAD: &str = "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = \"10/h\"\n";

#[test]
fn unknown_key_suggests_the_right_one() {
    check(
        "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = \"10/h\"\n[[stages]]\n\
         name = \"customs\"\n@@lanse = 4\nservice = \"2m\"\n",
        &["unknown key `lanse`", "`lanes`"],
    );
}

#[test]
fn unknown_keys_in_nested_tables() {
    check(
        &format!(
            "{HEAD}[port]\n@@parkng = 30\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["`parkng`", "[port]", "`parking`"],
    );
    check(
        &with_stage("rework = { probability = 0.1, @@too = \"customs\" }"),
        &["`too`", "rework", "`to`"],
    );
    check(
        &with_stage("fee = 5\n[costs]\n@@per_hours = 100"),
        &["`per_hours`", "`per_hour`"],
    );
}

#[test]
fn wrong_types() {
    check(
        "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = \"10/h\"\n[[stages]]\n\
         name = \"customs\"\nlanes = @@\"four\"\nservice = \"2m\"\n",
        &["lane count", "\"four\""],
    );
    check(
        "name = \"E\"\nhorizon = @@7\n[demand]\nrate = \"10/h\"\n[[stages]]\n\
         name = \"customs\"\nlanes = 1\nservice = \"2m\"\n",
        &["horizon"],
    );
}

#[test]
fn bad_units() {
    check(
        "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = \"10/h\"\n[[stages]]\n\
         name = \"customs\"\nlanes = 1\nservice = @@\"5 parsecs\"\n",
        &["parsecs", "duration"],
    );
    check(
        "name = \"E\"\nhorizon = \"1d\"\n[demand]\nrate = @@\"50 per fortnight\"\n[[stages]]\n\
         name = \"customs\"\nlanes = 1\nservice = \"2m\"\n",
        &["rate", "unknown unit `fortnight`"],
    );
    check(
        &format!(
            "{HEAD}[port]\nopen = [@@\"25:00-26:00\"]\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["time range", "25:00-26:00"],
    );
    check(
        &format!(
            "{HEAD}[port]\ndays = [\"mon\", @@\"funday\"]\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["funday"],
    );
}

#[test]
fn shares_out_of_range_or_not_summing_to_one() {
    check(&with_stage("share = @@1.5"), &["share", "1.5"]);
    check(
        &format!(
            "{HEAD}@@[[classes]]\nname = \"a\"\nshare = 0.5\n[[classes]]\nname = \"b\"\nshare = 0.4\n\
             [[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["class shares", "0.9"],
    );
    check(
        &with_stage("share = { @@heavy = 0.4 }"),
        &["unknown class `heavy`"],
    );
}

#[test]
fn stage_names_and_rework_targets() {
    check(
        &format!(
            "{HEAD}[[stages]]\nname = \"customs\"\nlanes = 1\nservice = \"2m\"\n\
             [[stages]]\nname = @@\"customs\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["duplicate stage name `customs`"],
    );
    check(
        &with_stage("rework = { probability = 0.1, to = @@\"nowhere\" }"),
        &["unknown stage `nowhere`"],
    );
    check(
        &with_stage(
            "rework = { probability = 0.1, to = @@\"exit\" }\n\
             [[stages]]\nname = \"exit\"\nlanes = 1\nservice = \"1m\"",
        ),
        &["later stage `exit`"],
    );
    check(&with_stage("queue = @@\"lifo\""), &["lifo", "fifo"]);
}

#[test]
fn appointments_without_capacity() {
    check(
        &format!(
            "{HEAD}[appointments]\nshare = 0.5\ncapacity = @@0\n\
             [[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["capacity", "share"],
    );
}

#[test]
fn zero_or_negative_horizon() {
    let stage = "[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n";
    check(
        &format!("name = \"E\"\nhorizon = @@\"0s\"\n[demand]\nrate = \"10/h\"\n{stage}"),
        &["horizon", "zero"],
    );
    check(
        &format!("name = \"E\"\nhorizon = @@\"-1d\"\n[demand]\nrate = \"10/h\"\n{stage}"),
        &["negative", "-1d"],
    );
}

#[test]
fn toml_syntax_error() {
    check(&with_stage("lanes = @@= 3"), &["invalid TOML"]);
    check("name = \"E@@\nhorizon = \"1d\"\n", &["invalid TOML"]);
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-scenario.toml");
    let err = user_error(&["run", path.to_str().expect("utf-8")]);
    assert!(err.contains("no-such-scenario.toml"), "{err}");
}

#[test]
fn extends_a_missing_base() {
    check(
        &format!(
            "extends = @@\"no-such-base.toml\"\n{HEAD}[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"2m\"\n"
        ),
        &["no-such-base.toml"],
    );
}

#[test]
fn extends_cycle_names_both_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = write(
        dir.path(),
        "alpha.toml",
        "extends = \"beta.toml\"\nname = \"A\"\n",
    );
    write(
        dir.path(),
        "beta.toml",
        "extends = \"alpha.toml\"\nname = \"B\"\nhorizon = \"1d\"\n",
    );
    let err = user_error(&["run", a.to_str().expect("utf-8")]);
    assert!(err.contains("cycle"), "{err}");
    assert!(
        err.contains("alpha.toml") && err.contains("beta.toml"),
        "{err}"
    );
    // The caret is on the value of one of the two `extends` keys.
    assert!(
        err.contains("alpha.toml:1:11") || err.contains("beta.toml:1:11"),
        "{err}"
    );
}

#[test]
fn bad_command_line_arguments_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "ok.toml", &with_stage(""));
    let file = path.to_str().expect("utf-8");
    for (args, says) in [
        (&["--format", "xml"][..], "xml"),
        (&["--replications", "0"][..], "--replications"),
        (&["--threads", "0"][..], "--threads"),
        (&["--horizon", "banana"][..], "banana"),
        (&["--warmup", "soon"][..], "soon"),
        (&["--seed", "-3"][..], "-3"),
    ] {
        let mut all = vec!["run", file];
        all.extend(args);
        let err = user_error(&all);
        assert!(err.contains(says), "{args:?}: expected `{says}` in:\n{err}");
    }
    user_error(&["frobnicate"]);
}

#[test]
fn overloaded_stage_warns_but_runs() {
    // 100 trucks/h × 2 min = 80 lane-hours a day against 1 lane × 24 h.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "over.toml",
        "name = \"over\"\nhorizon = \"2h\"\nreplications = 2\n[demand]\nrate = \"100/h\"\n\
         [[stages]]\nname = \"customs\"\nlanes = 1\nservice = \"2m\"\n",
    );
    let (out, err) = run(&["run", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for word in ["warning", "`customs`", "80.0", "24.0"] {
        assert!(err.contains(word), "expected `{word}` in:\n{err}");
    }
    assert!(!err.contains("panicked"));
    assert!(!out.stdout.is_empty(), "results are still printed");
    // --quiet silences the warning.
    let (out, err) = run(&["run", path.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!err.contains("warning"), "{err}");
}

/// Issue 14: every error of a file at once (an unknown key hides none),
/// units that fit the number, rate spellings, a share written as a
/// percentage, and a closing count.
#[test]
fn every_error_at_once_with_suggestions_and_a_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "case.toml",
        "name = \"x\"\nhorizon = \"30\"\nlanse = 3\n[demand]\nrate = \"20/hr\"\n[[stages]]\nname = \"a\"\nlanes = 2\nservice = \"30\"\nshare = 30\n",
    );
    let err = user_error(&["run", path.to_str().expect("utf-8")]);
    for part in [
        "unknown key `lanse` at the top level",
        "`horizon`: did you mean \"30d\" or \"30w\"?",
        "`service`: did you mean \"30m\" or \"30s\"?",
        "did you mean 0.30? (a share is a fraction: 30% is 0.30)",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    // "20/hr" is a rate, not an error.
    assert!(!err.contains("20/hr"), "{err}");
    assert!(
        err.trim_end()
            .ends_with("error: the scenario has 4 errors; nothing was run"),
        "{err}"
    );
    // Rates in words run.
    let ok = write(
        dir.path(),
        "ok.toml",
        "name = \"x\"\nhorizon = \"1d\"\nreplications = 2\n[demand]\nrate = \"20 trucks per hour\"\n[[stages]]\nname = \"a\"\nlanes = 2\nservice = \"1m\"\n",
    );
    let (out, err) = run(&["run", ok.to_str().expect("utf-8"), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// Mistakes in the issue-13 keys: located like every other.
#[test]
fn mechanism_mistakes_are_located() {
    let dated = "name = \"E\"\nhorizon = \"1d\"\nstart = \"2024-03-01\"\n[demand]\nrate = \"10/h\"\n[[stages]]\nname = \"customs\"\nlanes = 1\nservice = \"2m\"\n";
    check(
        &format!("{dated}[[closures]]\ndates = [@@\"2024-02-30\"]\n"),
        &["invalid date", "29 days"],
    );
    check(
        &format!("{dated}[[closures]]\ndates = [\"2024-03-02\"]\nstages = [@@\"custom\"]\n"),
        &["unknown stage or pool `custom`", "did you mean `customs`?"],
    );
    check(
        &with_stage("[[classes]]\nname = \"a\"\nroute = [\"customs\", @@\"customs\"]"),
        &["twice in the `route`"],
    );
    check(
        &with_stage("pool = @@\"scanner\""),
        &["either `lanes` or `pool`"],
    );
    check(
        &format!(
            "{HEAD}[equeue]\ncall_forward = \"1h\"\npriority_share = @@5\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"1m\"\n"
        ),
        &["`priority_share` must be between 0 and 1"],
    );
    check(
        &with_stage("[[initial.stages]]\nname = @@\"custom\"\nqueued = 3"),
        &["unknown stage `custom`"],
    );
    check(
        &format!(
            "{HEAD}[[demand.seasons]]\ndates = @@[\"2024-03-01\"]\nfactor = 2\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"1m\"\n"
        ),
        &["dated seasons need a dated `start`"],
    );
}
