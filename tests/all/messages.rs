//! Exit codes when stderr cannot be written, and messages that say what is
//! wrong and what is accepted (issue 24, defect 8).
//!
//! Why: an error printed to a closed or full stderr panicked (exit 101,
//! e.g. `portsim sweep bad.toml 2>&1 | head -1` in CI) where the user's
//! mistake is exit 2; and eight messages misled: a dangling `--out` link
//! was "File exists", a stage set to a number was "found 0 stages", lanes
//! set to a list of numbers was "the shift table is empty", a huge
//! integer was "expected an integer, found integer", the plan's candidate
//! limit differed from the docs, huge weights "must not all be zero",
//! 1e308 was printed with 309 digits, and a punctuality mean of −8 h was
//! "must be greater than zero" though the docs call it untruncated.

use std::process::{Output, Stdio};

use super::reliability::{finish, portsim_in, run, scenario, stderr, user_error};

/// A folder with `s.toml` (one stage, `customs`).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s.toml"), scenario("", "")).expect("write");
    std::fs::write(
        dir.path().join("bad.toml"),
        "scenario = \"s.toml\"\nreplicationz = 3\n",
    )
    .expect("write");
    dir
}

/// `portsim ARGS` in `dir` with stderr going to `err`.
fn with_stderr(dir: &std::path::Path, args: &[&str], err: impl Into<Stdio>) -> Output {
    let child = portsim_in(dir)
        .args(args)
        .stderr(err)
        .spawn()
        .expect("portsim starts");
    finish(child, 30, &format!("{args:?}"))
}

#[test]
fn an_error_to_a_stderr_that_cannot_be_written_is_still_exit_2() {
    let dir = folder();
    let d = dir.path();
    for args in [&["sweep", "bad.toml"][..], &["run", "missing.toml"][..]] {
        // A full disk.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        assert_eq!(
            with_stderr(d, args, full).status.code(),
            Some(2),
            "{args:?}"
        );
        // A pipe whose reader has gone (`2>&1 | head -1`).
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        assert_eq!(
            with_stderr(d, args, writer).status.code(),
            Some(2),
            "{args:?}"
        );
        // No stderr at all.
        let mut sh = std::process::Command::new("sh");
        sh.current_dir(d)
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&-")
            .arg(assert_cmd::cargo::cargo_bin("portsim"))
            .args(args)
            .stdout(Stdio::null());
        let closed = finish(sh.spawn().expect("sh"), 30, "closed");
        assert_eq!(closed.status.code(), Some(2), "{args:?}");
    }
    // Warnings and notes on the way to a result do not stop it either.
    std::fs::write(
        d.join("sw.toml"),
        "scenario = \"s.toml\"\nreplications = 2\n[[factors]]\nkey = \"stages.customs.lanes\"\nvalues = [1, 2]\n",
    )
    .expect("write");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = with_stderr(d, &["sweep", "sw.toml"], full);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stages.customs.lanes"));
}

#[test]
fn an_out_directory_through_a_broken_link_names_the_link() {
    let dir = folder();
    let d = dir.path();
    std::os::unix::fs::symlink(d.join("nowhere/results"), d.join("out")).expect("link");
    for out in ["out", "out/deeper"] {
        let err = user_error(&run(d, &["run", "s.toml", "--out", out], 20), out);
        assert!(
            err.contains(&format!(
                "cannot use `{out}` as the output directory: `out` is a symbolic link to"
            )) && err.contains("nowhere/results`, which does not exist"),
            "{err}"
        );
        assert!(!err.contains("File exists"), "{err}");
    }
    assert!(!d.join("nowhere").exists(), "nothing made through the link");
}

#[test]
fn a_stage_set_to_a_value_says_it_is_a_table() {
    let dir = folder();
    let err = user_error(
        &run(
            dir.path(),
            &["run", "s.toml", "--set", "stages.customs=1"],
            20,
        ),
        "stage",
    );
    assert!(
        err.starts_with("error: `stages.customs` is a whole stage, a table of its keys, so it cannot be an integer; set one of its keys, like `stages.customs.lanes=…`"),
        "{err}"
    );
    assert!(!err.contains("stages, found 0"), "{err}");
    // In a file, a list of stages with a number in it is one mistake, not
    // also "0 stages".
    std::fs::write(
        dir.path().join("n.toml"),
        "horizon = \"1d\"\nstages = [1]\n[demand]\nrate = \"20/h\"\n",
    )
    .expect("write");
    let err = user_error(&run(dir.path(), &["run", "n.toml"], 20), "list");
    assert!(err.contains("found integer `1`"), "{err}");
    assert!(!err.contains("found 0"), "{err}");
}

#[test]
fn lanes_set_to_numbers_say_what_a_shift_is() {
    let dir = folder();
    let err = user_error(
        &run(
            dir.path(),
            &["run", "s.toml", "--set", "stages.customs.lanes=[1,2]"],
            20,
        ),
        "lanes",
    );
    assert!(
        err.starts_with(
            "error: expected a shift like { hours = \"08:00-20:00\", count = 6 }, found integer `1`"
        ),
        "{err}"
    );
    assert!(
        err.contains("`lanes` is a lane count like 4, or a list of shifts"),
        "{err}"
    );
    assert!(!err.contains("empty"), "{err}");
    assert!(
        err.ends_with("the scenario has 2 errors; nothing was run\n"),
        "{err}"
    );
}

#[test]
fn integers_beyond_a_key_s_range_are_quoted_with_the_range() {
    let dir = folder();
    std::fs::write(
        dir.path().join("sw.toml"),
        "scenario = \"s.toml\"\nlhs = 18446744073709551615\n[[factors]]\nkey = \"stages.customs.lanes\"\nrange = [1, 3]\n",
    )
    .expect("write");
    let err = user_error(&run(dir.path(), &["sweep", "sw.toml"], 20), "lhs");
    assert!(
        err.starts_with(
            "error: `lhs` must be between 1 and 10000 points, found 18446744073709551615\n --> sw.toml:2:7"
        ),
        "{err}"
    );
    // The plan's candidate limit is the one docs/planning.md states.
    std::fs::write(
        dir.path().join("plan.toml"),
        "scenario = \"s.toml\"\n[[decide]]\nkey = \"stages.customs.lanes\"\nmin = 1\nmax = 3000000\ncost = 1\n[[require]]\nmetric = \"wait_s\"\nmax = \"1h\"\n",
    )
    .expect("write");
    let err = user_error(&run(dir.path(), &["plan", "plan.toml"], 20), "space");
    assert!(
        err.contains(
            "the decision variables make 3,000,000 candidates, more than the limit of 1,000,000"
        ),
        "{err}"
    );
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/planning.md"))
        .expect("docs");
    assert!(doc.contains("| candidates a plan may search | 1,000,000 |"));
}

#[test]
fn huge_numbers_are_refused_in_words_and_shown_compactly() {
    let dir = folder();
    let err = user_error(
        &run(
            dir.path(),
            &[
                "run",
                "s.toml",
                "--set",
                "stages.customs.service={ dist = \"empirical\", values = [\"1m\", \"2m\"], weights = [1e308, 1e308] }",
            ],
            20,
        ),
        "weights",
    );
    assert!(
        err.contains(
            "the weights add up to more than a number can hold; they must sum to a finite number"
        ),
        "{err}"
    );
    assert!(!err.contains("must not all be zero"), "{err}");
    let err = user_error(
        &run(
            dir.path(),
            &["run", "s.toml", "--set", "costs.per_hour=1e308"],
            20,
        ),
        "per_hour",
    );
    assert!(
        err.starts_with(
            "error: `per_hour` must be an amount between 0 and 1e9 (1,000,000,000), found 1e308\n"
        ),
        "{err}"
    );
    assert!(!err.contains(&"0".repeat(20)), "{err}");
}

#[test]
fn a_normal_punctuality_is_untruncated_whatever_its_mean() {
    let dir = folder();
    for mean in ["-5h", "-8h", "-100h"] {
        std::fs::write(
            dir.path().join("a.toml"),
            format!(
                "extends = \"s.toml\"\n[appointments]\nshare = 0.5\nslot = \"1h\"\ncapacity = 10\npunctuality = {{ dist = \"normal\", mean = \"{mean}\", sd = \"1h\" }}\n"
            ),
        )
        .expect("write");
        let out = run(dir.path(), &["run", "a.toml", "-q"], 60);
        assert_eq!(out.status.code(), Some(0), "{mean}: {}", stderr(&out));
    }
}
