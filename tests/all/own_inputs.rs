//! Outputs that would overwrite the command's own inputs (issue 24,
//! defect 3), against a real `portsim` child process.
//!
//! Why: `portsim run a.toml --html a.toml` used to replace the scenario
//! with its own report and exit 0. Every output a command writes (`--html`,
//! `--part`, the files of an `--out` set, a study's kept points) is now
//! compared with every file the command read (scenarios, `extends` bases,
//! interventions, study files, parts, baselines), by real path and by
//! device and inode, links included, and refused with exit 2 before
//! anything runs. Each case checks the exit code, that the message names
//! both files, and that the input is byte for byte what it was. The one
//! exception, `check --update-baseline`, which rewrites its baseline by
//! design, still does.

use std::path::Path;

use crate::reliability::{run, scenario, stderr, user_error};

/// Writes `name` in `dir` and returns its bytes.
fn put(dir: &Path, name: &str, text: &str) -> Vec<u8> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("dir");
    }
    std::fs::write(&path, text).expect("write");
    text.as_bytes().to_vec()
}

/// Asserts that `args` exits 2 naming `input` as an input it would
/// overwrite, and that `input` still holds `before`.
fn refused(dir: &Path, args: &[&str], input: &str, before: &[u8]) {
    let out = run(dir, args, 120);
    let err = user_error(&out, &format!("{args:?}"));
    assert!(
        err.contains("reads") && err.contains(input),
        "{args:?} should name the input `{input}`: {err}"
    );
    assert!(
        err.contains("never replaces"),
        "{args:?} should say why: {err}"
    );
    let after = std::fs::read(dir.join(input)).expect("the input is still there");
    assert_eq!(after, before, "{args:?} changed `{input}`");
}

const SWEEP: &str = "scenario = \"a.toml\"\nreplications = 2\nseed = 3\nmetrics = [\"wait_s\"]\n[[factors]]\nkey = \"stages.customs.lanes\"\nvalues = [2, 3]\n";

#[test]
fn run_refuses_an_html_page_over_its_scenario_or_a_base() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let a = put(d, "a.toml", &scenario("", ""));
    refused(
        d,
        &["run", "a.toml", "-q", "--html", "a.toml"],
        "a.toml",
        &a,
    );
    // The same file under another name: a path with `..`, a link, a hard link.
    std::fs::create_dir(d.join("sub")).expect("dir");
    refused(
        d,
        &["run", "a.toml", "-q", "--html", "sub/../a.toml"],
        "a.toml",
        &a,
    );
    std::os::unix::fs::symlink("a.toml", d.join("link.html")).expect("link");
    refused(
        d,
        &["run", "a.toml", "-q", "--html", "link.html"],
        "a.toml",
        &a,
    );
    std::fs::hard_link(d.join("a.toml"), d.join("hard.html")).expect("hard link");
    refused(
        d,
        &["run", "a.toml", "-q", "--html", "hard.html"],
        "a.toml",
        &a,
    );
    // A base the scenario extends is an input too.
    let base = put(d, "base.toml", &scenario("", ""));
    put(d, "child.toml", "extends = \"base.toml\"\nseed = 4\n");
    refused(
        d,
        &["run", "child.toml", "-q", "--html", "base.toml"],
        "base.toml",
        &base,
    );
    // Anything else is still written.
    let out = run(d, &["run", "a.toml", "-q", "--html", "page.html"], 120);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(d.join("page.html").is_file());
}

#[test]
fn a_part_is_never_written_over_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let a = put(d, "a.toml", &scenario("", ""));
    refused(
        d,
        &["run", "a.toml", "-q", "--shard", "0/2", "--part", "a.toml"],
        "a.toml",
        &a,
    );
}

#[test]
fn compare_refuses_a_page_over_either_side_or_an_intervention() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    put(d, "a.toml", &scenario("", ""));
    let b = put(d, "b.toml", &scenario("seed = 9", ""));
    refused(
        d,
        &["compare", "a.toml", "b.toml", "-q", "--html", "b.toml"],
        "b.toml",
        &b,
    );
    let i = put(
        d,
        "i.toml",
        "extends = \"a.toml\"\n[stages.customs]\nlanes = 3\n",
    );
    refused(
        d,
        &[
            "compare",
            "a.toml",
            "--intervention",
            "i.toml",
            "-q",
            "--html",
            "i.toml",
        ],
        "i.toml",
        &i,
    );
}

#[test]
fn a_sweep_refuses_a_page_over_its_study_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    put(d, "a.toml", &scenario("", ""));
    let s = put(d, "s.toml", SWEEP);
    refused(
        d,
        &["sweep", "s.toml", "-q", "--html", "s.toml"],
        "s.toml",
        &s,
    );
}

#[test]
fn merge_refuses_a_page_over_a_part() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    put(d, "a.toml", &scenario("", ""));
    let out = run(
        d,
        &["run", "a.toml", "-q", "--shard", "0/1", "--part", "p.json"],
        120,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let p = std::fs::read(d.join("p.json")).expect("part");
    refused(
        d,
        &["merge", "p.json", "-q", "--html", "p.json"],
        "p.json",
        &p,
    );
}

#[test]
fn an_out_set_never_replaces_an_input_inside_its_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A scenario that happens to be called like a file of the set.
    let r = put(d, "out/results.json", &scenario("", ""));
    refused(
        d,
        &["run", "out/results.json", "-q", "--out", "out"],
        "out/results.json",
        &r,
    );
    assert!(!d.join("out/manifest.json").exists(), "nothing was written");
    // A baseline where `check --out` writes its report.
    put(d, "a.toml", &scenario("", ""));
    let out = run(
        d,
        &[
            "check",
            "a.toml",
            "--baseline",
            "b/check.json",
            "--update-baseline",
            "-q",
        ],
        120,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let baseline = std::fs::read(d.join("b/check.json")).expect("baseline");
    refused(
        d,
        &[
            "check",
            "a.toml",
            "--baseline",
            "b/check.json",
            "--out",
            "b",
            "-q",
        ],
        "b/check.json",
        &baseline,
    );
}

#[test]
fn a_study_never_keeps_a_point_over_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    put(d, "a.toml", &scenario("", ""));
    put(d, "s.toml", SWEEP);
    let out = run(d, &["sweep", "s.toml", "-q", "--out", "out"], 120);
    assert!(out.status.success(), "{}", stderr(&out));
    // The study file copied to where one of its points is kept: running it
    // would find a foreign file there and replace it with the point.
    let kept = std::fs::read_dir(d.join("out/points"))
        .expect("points")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .next()
        .expect("a point");
    let name = format!("out/points/{kept}");
    let study = put(d, &name, &SWEEP.replace("\"a.toml\"", "\"../../a.toml\""));
    refused(d, &["sweep", &name, "-q", "--out", "out"], &name, &study);
}

#[test]
fn update_baseline_still_rewrites_its_own_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    put(d, "a.toml", &scenario("", ""));
    // Its own baseline: rewritten, by design.
    let record = |args: &[&str]| {
        let out = run(d, args, 120);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        std::fs::read(d.join("base.json")).expect("baseline")
    };
    let first = record(&[
        "check",
        "a.toml",
        "--baseline",
        "base.json",
        "--update-baseline",
        "-q",
    ]);
    let second = record(&[
        "check",
        "a.toml",
        "--baseline",
        "base.json",
        "--update-baseline",
        "--seed",
        "99",
        "-q",
    ]);
    assert_ne!(first, second, "the baseline was rewritten");
}
