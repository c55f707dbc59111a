//! Files the command line reads back that are not regular files (issue 24,
//! defect 2): a FIFO or a directory among a study's kept points, a FIFO
//! where `--out` keeps its lock.
//!
//! Why: each of these used to block for ever (ignoring SIGTERM) or end
//! the study with exit 1. Every file read back now goes through one
//! routine that takes regular files only and never waits: a kept point
//! that is not one is run again and replaced, and a lock that is not a
//! regular file is refused with a message. Each child runs under a
//! generous deadline, so a hang fails the test instead of the suite.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::reliability::{run, scenario, stderr, user_error};

const SWEEP: &str = "scenario = \"a.toml\"\nreplications = 2\nseed = 3\nmetrics = [\"wait_s\"]\n[[factors]]\nkey = \"stages.customs.lanes\"\nvalues = [2, 3]\n";

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// A sweep of two points run once into `out/`: its kept points, sorted.
fn swept(d: &Path) -> Vec<PathBuf> {
    std::fs::write(d.join("a.toml"), scenario("", "")).expect("write");
    std::fs::write(d.join("s.toml"), SWEEP).expect("write");
    let out = run(
        d,
        &["sweep", "s.toml", "--out", "out", "--format", "json"],
        120,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut kept: Vec<PathBuf> = std::fs::read_dir(d.join("out/points"))
        .expect("points")
        .map(|e| e.expect("entry").path())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2);
    kept
}

/// The sweep again: it must finish, exit 0, run one point again and report
/// what the first run reported.
fn resumed(d: &Path, replaced: &Path, first: &[u8]) {
    let out = run(
        d,
        &["sweep", "s.toml", "--out", "out", "--format", "json"],
        120,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 run now, 1 already done"), "{err}");
    let meta = std::fs::symlink_metadata(replaced).expect("kept again");
    assert!(meta.is_file(), "the point is kept again as a regular file");
    let strip = |bytes: &[u8]| {
        let mut doc: serde_json::Value = serde_json::from_slice(bytes).expect("json");
        doc.as_object_mut().expect("object").remove("manifest");
        doc
    };
    assert_eq!(strip(&out.stdout), strip(first));
}

#[test]
fn a_fifo_among_the_kept_points_is_run_again_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let kept = swept(d);
    let first = run(
        d,
        &["sweep", "s.toml", "--out", "out", "--format", "json", "-q"],
        120,
    );
    std::fs::remove_file(&kept[0]).expect("remove");
    mkfifo(&kept[0]);
    resumed(d, &kept[0], &first.stdout);
}

#[test]
fn a_directory_among_the_kept_points_is_run_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let kept = swept(d);
    let first = run(
        d,
        &["sweep", "s.toml", "--out", "out", "--format", "json", "-q"],
        120,
    );
    std::fs::remove_file(&kept[1]).expect("remove");
    std::fs::create_dir(&kept[1]).expect("a directory in its place");
    resumed(d, &kept[1], &first.stdout);
}

#[test]
fn a_lock_that_is_not_a_regular_file_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("a.toml"), scenario("", "")).expect("write");
    std::fs::create_dir(d.join("out")).expect("dir");
    mkfifo(&d.join("out/.portsim.lock"));
    let out = run(d, &["run", "a.toml", "-q", "--out", "out"], 60);
    let err = user_error(&out, "a FIFO as the lock");
    assert!(
        err.contains(".portsim.lock") && err.contains("FIFO"),
        "{err}"
    );
    let still = std::fs::symlink_metadata(d.join("out/.portsim.lock")).expect("kept");
    assert!(still.file_type().is_fifo(), "the FIFO is left as it was");
    // A directory, and a link to a FIFO, are refused the same way.
    std::fs::remove_file(d.join("out/.portsim.lock")).expect("remove");
    std::fs::create_dir(d.join("out/.portsim.lock")).expect("dir");
    let err = user_error(
        &run(d, &["run", "a.toml", "-q", "--out", "out"], 60),
        "a directory as the lock",
    );
    assert!(err.contains("a directory"), "{err}");
    std::fs::remove_dir(d.join("out/.portsim.lock")).expect("remove");
    mkfifo(&d.join("fifo"));
    std::os::unix::fs::symlink("../fifo", d.join("out/.portsim.lock")).expect("link");
    let err = user_error(
        &run(d, &["run", "a.toml", "-q", "--out", "out"], 60),
        "a link to a FIFO as the lock",
    );
    assert!(err.contains("FIFO"), "{err}");
}
