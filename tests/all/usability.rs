//! Messages and numbers for people (issue 28, item 6).
//!
//! Why: a planner who writes `--set port.open=00:00-24:00` was told only
//! "expected an array, found string", without the form that works; a
//! study file's mistakes came in waves (fix one, run, meet the next) and
//! were counted as "the scenario has 2 errors". Each study here has
//! several independent mistakes, in the header, the study's own keys,
//! its `[set]` and its factors; all of them must come in one run, counted
//! as the study file's. (Signed zeros, labelled attribution rows and
//! metrics in words are tested beside the code: `report::format`,
//! `report::table::attribution`, `report::definitions`,
//! `report::html::tests`.)

use std::path::Path;

use crate::cli_run::portsim;

fn stderr_of(args: &[&str]) -> String {
    let out = portsim(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_single_value_for_an_array_key_shows_the_array_form() {
    let err = stderr_of(&[
        "run",
        "scenarios/example.toml",
        "--set",
        "port.open=00:00-24:00",
    ]);
    assert!(err.contains("expected an array, found string"), "{err}");
    assert!(
        err.contains(r#"--set 'port.open=["00:00-24:00"]'"#),
        "{err}"
    );
}

/// Writes `text` as `name` in `dir`, its `scenario` the bundled example.
fn study(dir: &Path, name: &str, text: &str) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
    let text = text.replace("EXAMPLE", &example.display().to_string());
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// The messages of a rendered list of errors, and its closing line.
fn messages(err: &str) -> (Vec<&str>, &str) {
    let list = err
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .collect::<Vec<_>>();
    let (last, rest) = list.split_last().expect("a closing line");
    (rest.to_vec(), last)
}

#[test]
fn every_mistake_of_a_study_file_comes_at_once_counted_as_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sweep = study(
        dir.path(),
        "sweep.toml",
        r#"scenario = "EXAMPLE"
replications = 0
metrics = ["time_in_port_s", "thruput"]
colour = "red"

[set]
"stages.nope.lanes" = 3
horizon = 5

[[factors]]
key = "stages.inspection.lanes"
values = [1, 2]
"#,
    );
    let plan = study(
        dir.path(),
        "plan.toml",
        r#"scenario = "EXAMPLE"
confidence = 2
max_candidates = 0

[set]
"port.open" = "00:00-24:00"

[[decide]]
key = "stages.exit.lanes[0].count"
min = 1
max = 3
cost = 1

[[require]]
metric = "thruput"
max = "1h"
"#,
    );
    let sensitivity = study(
        dir.path(),
        "sens.toml",
        r#"scenario = "EXAMPLE"
seed = -1

[[parameters]]
key = "stages.nope.lanes"
low = 1
high = 2

[[parameters]]
key = "port.parking"
low = 10
"#,
    );
    let expected: [(&str, &str, &[&str]); 3] = [
        (
            "sweep",
            &sweep,
            &[
                "unknown key `colour`",
                "`replications` must be between 1",
                "unknown metric `thruput`",
                "no stage named `nope`",
                "expected a duration",
                "no stage named `inspection`",
            ],
        ),
        (
            "plan",
            &plan,
            &[
                "`confidence` must be above 0",
                "`max_candidates` must be between 1",
                "unknown metric `thruput`",
                "expected an array, found string",
                "not a table",
            ],
        ),
        (
            "sensitivity",
            &sensitivity,
            &[
                "`seed` must be between 0",
                "missing key `metric`",
                "no stage named `nope`",
                "high",
            ],
        ),
    ];
    for (command, file, wanted) in expected {
        let err = stderr_of(&[command, file]);
        let (found, last) = messages(&err);
        for w in wanted {
            assert!(
                found.iter().any(|m| m.contains(w)),
                "{command}: `{w}` is not among the errors of one run:\n{err}"
            );
        }
        assert_eq!(
            last,
            format!("the study file has {} errors; nothing was run", found.len()),
            "{command}:\n{err}"
        );
    }
}
