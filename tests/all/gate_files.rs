//! The gate as a CI sees it when files move (issue 14): a deleted
//! scenario fails, a renamed one is found by its hash, one not given is
//! skipped, one that cannot be run is an error that stops nothing else
//! (exit 2 over 1 over 0), the JUnit file is always written, keys survive
//! moving the baseline inside its repository, values carry units, the
//! run's warnings and findings reach the output, and `--quiet` keeps only
//! what failed.
//!
//! Each test works in a temporary folder made a repository by a `.git`
//! folder, on copies of `scenarios/example.toml` with 3 replications.

use std::path::PathBuf;
use std::process::Output;

use crate::reliability::{bundled, run, stderr};

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository with `scen/a.toml` and `scen/b.toml` (another name),
    /// recorded in `base/ports.json`.
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for sub in [".git", "scen", "base"] {
            std::fs::create_dir_all(d.join(sub)).expect("dirs");
        }
        let text = std::fs::read_to_string(bundled("scenarios/example.toml")).expect("example");
        std::fs::write(d.join("scen/a.toml"), &text).expect("write");
        let b = text.replacen("name = \"Example road port\"", "name = \"Port B\"", 1);
        assert_ne!(b, text, "the example's name moved");
        std::fs::write(d.join("scen/b.toml"), b).expect("write");
        let repo = Repo { dir };
        let out = repo.check(&[
            "scen/a.toml",
            "scen/b.toml",
            "--baseline",
            "base/ports.json",
            "--update-baseline",
            "-r",
            "3",
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        repo
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn check(&self, args: &[&str]) -> Output {
        let mut all = vec!["check"];
        all.extend(args);
        run(self.dir.path(), &all, 60)
    }

    fn junit(&self, dir: &str) -> String {
        std::fs::read_to_string(self.path(dir).join("check.junit.xml")).expect("junit written")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn keys_are_relative_to_the_repository() {
    let repo = Repo::new();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.path("base/ports.json")).expect("read"))
            .expect("json");
    assert_eq!(doc["format"], 3);
    assert_eq!(doc["root"]["kind"], "repository");
    assert!(doc["scenarios"]["scen/a.toml"].is_object(), "{doc}");
    // Move the baseline elsewhere in the repository: the keys still hold.
    std::fs::create_dir_all(repo.path("ci/gate")).expect("dir");
    std::fs::rename(
        repo.path("base/ports.json"),
        repo.path("ci/gate/ports.json"),
    )
    .expect("move");
    let out = repo.check(&[
        "scen/a.toml",
        "scen/b.toml",
        "--baseline",
        "ci/gate/ports.json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("results identical to the baseline"));
}

#[test]
fn a_deleted_scenario_fails_and_one_not_given_is_skipped() {
    let repo = Repo::new();
    let out = repo.check(&[
        "scen/a.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r1",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "checking a subset is normal: {}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("skipped (in the baseline, not given here):\n  scen/b.toml (Port B)"),
        "{}",
        stdout(&out)
    );
    assert!(repo.junit("r1").contains("<skipped message=\"`scen/b.toml` (Port B) is in the baseline but was not given to this check\"/>"));
    std::fs::remove_file(repo.path("scen/b.toml")).expect("delete");
    let out = repo.check(&[
        "scen/a.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r2",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`scen/b.toml` is in the baseline but the file no longer exists; re-record the baseline if it was removed on purpose"), "{err}");
    assert!(repo.junit("r2").contains("type=\"missing\""));
}

#[test]
fn a_renamed_scenario_is_checked_against_its_old_entry() {
    let repo = Repo::new();
    std::fs::rename(repo.path("scen/b.toml"), repo.path("scen/c.toml")).expect("rename");
    let out = repo.check(&[
        "scen/a.toml",
        "scen/c.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("note: not in the baseline as `scen/c.toml`; checked against `scen/b.toml`, the same scenario (renamed or moved)"), "{text}");
    assert!(
        !text.contains("no longer exists"),
        "a rename is not a deletion: {text}"
    );
    assert!(
        repo.junit("r")
            .contains("<property name=\"renamed_from\" value=\"scen/b.toml\"/>")
    );
}

#[test]
fn an_error_in_one_scenario_does_not_stop_the_others() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("scen/broken.toml"),
        "name = \"x\"\nhorizon = \"30\"\n",
    )
    .expect("write");
    let out = repo.check(&[
        "scen/broken.toml",
        "scen/a.toml",
        "scen/b.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r",
    ]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        text.contains("scen/a.toml: Example road port") && text.contains("scen/b.toml: Port B"),
        "{text}"
    );
    assert!(
        text.contains("scen/broken.toml: ERROR, not checked"),
        "{text}"
    );
    assert!(
        err.contains("1 of the files could not be checked (the others were)"),
        "{err}"
    );
    let junit = repo.junit("r");
    assert!(
        junit.contains("errors=\"1\"") && junit.contains("<error message="),
        "{junit}"
    );
    assert_eq!(
        junit
            .matches("<testcase name=\"throughput_per_day\"")
            .count(),
        2
    );
    // 2 wins over 1: a failure elsewhere does not lower it.
    std::fs::remove_file(repo.path("scen/b.toml")).expect("delete");
    let out = repo.check(&[
        "scen/broken.toml",
        "scen/a.toml",
        "--baseline",
        "base/ports.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Issue 28: a missing baseline said only "No such file or directory";
/// it now says how to record one and what that does.
#[test]
fn junit_is_written_even_when_the_baseline_is_missing() {
    let repo = Repo::new();
    let out = repo.check(&["scen/a.toml", "--baseline", "base/none.json", "--out", "r"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("baseline `base/none.json` does not exist")
            && err
                .contains("portsim check scen/a.toml --baseline base/none.json --update-baseline")
            && err.contains("writes their results to `base/none.json`"),
        "{err}"
    );
    let junit = repo.junit("r");
    assert!(
        junit.contains("<error message=\"baseline `base/none.json` does not exist"),
        "{junit}"
    );
}

/// The elements of a JUnit document, counted: `(suites, cases, failures,
/// errors, skipped)`, and the same five as its `<testsuites>` and each
/// `<testsuite>` declare them (summed over the suites).
fn junit_counts(xml: &str) -> ([usize; 5], [usize; 5], [usize; 5]) {
    let count = |tag: &str| {
        xml.matches(&format!("<{tag} ")).count() + xml.matches(&format!("<{tag}>")).count()
    };
    let found = [
        count("testsuite"),
        count("testcase"),
        count("failure"),
        count("error"),
        count("skipped"),
    ];
    let attr = |element: &str, name: &str| -> usize {
        let key = format!(" {name}=\"");
        let at = element.find(&key).expect("attribute") + key.len();
        element[at..]
            .split('"')
            .next()
            .unwrap_or_default()
            .parse()
            .expect("a count")
    };
    let top = xml
        .lines()
        .find(|l| l.starts_with("<testsuites "))
        .expect("<testsuites>");
    let suites: Vec<&str> = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<testsuite "))
        .collect();
    let declared = [
        suites.len(),
        attr(top, "tests"),
        attr(top, "failures"),
        attr(top, "errors"),
        attr(top, "skipped"),
    ];
    let sum = |name: &str| suites.iter().map(|s| attr(s, name)).sum();
    let per_suite = [
        suites.len(),
        sum("tests"),
        sum("failures"),
        sum("errors"),
        sum("skipped"),
    ];
    (found, declared, per_suite)
}

/// Issue 28: a scenario in the baseline that fails to load appeared
/// twice in JUnit, as an `<error>` and as a `<skipped>` "not given" suite,
/// and was counted as both.
#[test]
fn an_errored_scenario_appears_once_in_junit_and_the_counts() {
    let repo = Repo::new();
    let a = std::fs::read_to_string(repo.path("scen/a.toml")).expect("read");
    std::fs::write(repo.path("scen/a.toml"), format!("{a}\nlanse = 3\n")).expect("write");
    let out = repo.check(&[
        "scen/a.toml",
        "scen/b.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let junit = repo.junit("r");
    let (found, declared, per_suite) = junit_counts(&junit);
    // b: one suite of 6 metrics; a: one suite with one error case.
    assert_eq!(found, [2, 7, 0, 1, 0], "{junit}");
    assert_eq!(declared, found, "{junit}");
    assert_eq!(per_suite, found, "{junit}");
    assert_eq!(
        junit.matches("testsuite name=\"scen/a.toml\"").count(),
        1,
        "{junit}"
    );
    let text = stdout(&out);
    assert!(
        text.contains("0 missing, 0 skipped, 1 not checked (errors)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.path("r/check.json")).expect("json"))
            .expect("parse");
    assert!(json.to_string().matches("scen/a.toml").count() >= 1);
    // And the counts stay true for a deleted and a skipped entry.
    std::fs::remove_file(repo.path("scen/b.toml")).expect("delete");
    let out = repo.check(&[
        "scen/a.toml",
        "--baseline",
        "base/ports.json",
        "--out",
        "r2",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let junit = repo.junit("r2");
    let (found, declared, per_suite) = junit_counts(&junit);
    assert_eq!(found, [2, 2, 1, 1, 0], "a: error, b: deleted\n{junit}");
    assert_eq!((declared, per_suite), (found, found), "{junit}");
}

#[test]
fn values_have_units_and_quiet_keeps_only_failures() {
    let repo = Repo::new();
    let out = repo.check(&["scen/a.toml", "--baseline", "base/ports.json"]);
    let text = stdout(&out);
    let row = |m: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("  {m} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("time_in_port_s").contains(" min"), "{text}");
    assert!(row("throughput_per_day").contains(" /day"), "{text}");
    assert!(row("cost_per_truck").contains(" CNY"), "{text}");
    let quiet = repo.check(&["scen/a.toml", "--baseline", "base/ports.json", "--quiet"]);
    let text = stdout(&quiet);
    assert_eq!(text.lines().count(), 1, "only the summary line: {text}");
    assert!(
        text.starts_with("checked 1 scenario file(s), 6 metrics: 0 failed"),
        "{text}"
    );
    // A lane less: the failing metrics and the summary, nothing else.
    let two =
        r#"lanes = [{ hours = "08:00-20:00", count = 2 }, { hours = "20:00-08:00", count = 1 }]"#;
    let text_a = std::fs::read_to_string(repo.path("scen/a.toml")).expect("read");
    assert!(text_a.contains(two));
    std::fs::write(
        repo.path("scen/a.toml"),
        text_a.replacen(two, "lanes = 1", 1),
    )
    .expect("write");
    let quiet = repo.check(&["scen/a.toml", "--baseline", "base/ports.json", "--quiet"]);
    assert_eq!(quiet.status.code(), Some(1));
    let text = stdout(&quiet);
    assert!(text.contains("FAIL") && !text.contains(" pass\n"), "{text}");
    assert!(!text.contains("skipped (in the baseline"), "{text}");
    assert!(
        text.contains(" min], excludes zero"),
        "the note's interval has its unit, as `run` would show it: {text}"
    );
}

#[test]
fn run_warnings_and_findings_reach_the_check() {
    // Horgos before the reforms cannot keep up: warnings and findings.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::copy(bundled("scenarios/horgos-before.toml"), d.join("h.toml")).expect("copy");
    let out = run(
        d,
        &[
            "check",
            "h.toml",
            "--baseline",
            "b.json",
            "--update-baseline",
            "-r",
            "2",
            "-q",
        ],
        60,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        d,
        &["check", "h.toml", "--baseline", "b.json", "--out", "r"],
        60,
    );
    let text = stdout(&out);
    assert!(
        text.contains("  warning: stage `document-review`"),
        "{text}"
    );
    assert!(
        text.contains("  finding: the gate cannot keep up"),
        "{text}"
    );
    let junit = std::fs::read_to_string(d.join("r/check.junit.xml")).expect("junit");
    assert!(junit.contains("<system-out>warning: stage"), "{junit}");
    assert!(
        junit.contains("finding: the gate cannot keep up"),
        "{junit}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r/check.json")).expect("json"))
            .expect("parse");
    assert!(
        json["scenarios"][0]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
}
