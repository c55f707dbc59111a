//! Studies and overrides that would do nothing are refused where they are
//! written (issue 24, defect 5).
//!
//! Why: a sweep whose rate range reached 1e308/h expanded to no points and
//! exited 0 with `complete: true` and an empty table; `--set extends=…`
//! and a sweep factor `key = "extends"` were accepted, changed nothing,
//! and the table listed them as different settings; a plan `cost` of
//! 1e308 made the totals infinite and printed "cost n/a (proven
//! least-cost)". Each is now exit 2 at its file, line and column (or at
//! its `--set` argument), with what is accepted.

use super::reliability::{run, scenario, user_error};

/// A folder with `s.toml` (one stage, `customs`) and `FILE` = `text`.
fn with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s.toml"), scenario("", "")).expect("write");
    std::fs::write(dir.path().join(file), text).expect("write");
    dir
}

#[test]
fn a_sweep_of_no_points_is_refused_at_its_range() {
    let dir = with(
        "sw.toml",
        "scenario = \"s.toml\"\nreplications = 2\n[[factors]]\nkey = \"demand.rate\"\nrange = [\"1/h\", \"1e308/h\"]\nstep = \"1e307/h\"\n",
    );
    let err = user_error(&run(dir.path(), &["sweep", "sw.toml"], 20), "1e308/h");
    assert!(
        err.contains("sw.toml:5:17")
            && err.contains("rate \"1e308/h\" is more trucks per day than a number can hold"),
        "{err}"
    );
    // A step beyond any number is refused at the step.
    let dir = with(
        "sw.toml",
        "scenario = \"s.toml\"\nreplications = 2\n[[factors]]\nkey = \"stages.customs.service.mean\"\nrange = [\"1m\", \"2m\"]\nstep = \"1e308h\"\n",
    );
    let err = user_error(&run(dir.path(), &["sweep", "sw.toml"], 20), "step");
    assert!(err.contains("sw.toml:6:8"), "{err}");
}

#[test]
fn keys_that_cannot_be_overridden_are_refused_at_their_origin() {
    let dir = with("other.toml", &scenario("", ""));
    // On the command line.
    for (arg, key) in [
        ("extends=other.toml", "extends"),
        ("replaces=[\"stages\"]", "replaces"),
    ] {
        let out = run(dir.path(), &["run", "s.toml", "--set", arg], 20);
        let err = user_error(&out, arg);
        assert!(
            err.contains(&format!("`{key}` cannot be overridden"))
                && err.contains("before any override applies")
                && err.contains("--> --set:1:1"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    // In a sweep's factor, said once however many values it has.
    let sweep = "scenario = \"s.toml\"\nreplications = 2\n[[factors]]\nkey = \"extends\"\nvalues = [\"a.toml\", \"b.toml\"]\n";
    std::fs::write(dir.path().join("sw.toml"), sweep).expect("write");
    let err = user_error(&run(dir.path(), &["sweep", "sw.toml"], 20), "sweep");
    assert!(err.contains("sw.toml:4:7"), "{err}");
    assert_eq!(err.matches("cannot be overridden").count(), 1, "{err}");
    // In a study's [set], a plan's decision and a sensitivity parameter.
    for (file, text, at) in [
        (
            "set.toml",
            "scenario = \"s.toml\"\n[set]\nextends = \"other.toml\"\n[[factors]]\nkey = \"stages.customs.lanes\"\nvalues = [1, 2]\n",
            "set.toml:3:1",
        ),
        (
            "plan.toml",
            "scenario = \"s.toml\"\n[[decide]]\nkey = \"extends\"\nmin = 1\nmax = 2\ncost = 1\n[[require]]\nmetric = \"wait_s\"\nmax = \"1h\"\n",
            "plan.toml:3:7",
        ),
        (
            "sens.toml",
            "scenario = \"s.toml\"\nmetric = \"wait_s\"\n[[parameters]]\nkey = \"replaces\"\nlow = 1\nhigh = 2\n",
            "sens.toml:4:7",
        ),
    ] {
        std::fs::write(dir.path().join(file), text).expect("write");
        let command = match file {
            "plan.toml" => "plan",
            "sens.toml" => "sensitivity",
            _ => "sweep",
        };
        let err = user_error(&run(dir.path(), &[command, file], 20), file);
        assert!(
            err.contains(at) && err.contains("cannot be overridden"),
            "{file}: {err}"
        );
    }
}

#[test]
fn a_plan_cost_outside_the_money_range_is_refused_at_its_line() {
    let plan = |cost: &str| {
        format!(
            "scenario = \"s.toml\"\nreplications = 2\nmax_replications = 2\n[[decide]]\nkey = \"stages.customs.lanes\"\nmin = 1\nmax = 3\ncost = {cost}\n[[require]]\nmetric = \"wait_s\"\nmax = \"1h\"\n"
        )
    };
    for cost in ["1e308", "1000000001", "inf", "-1"] {
        let dir = with("plan.toml", &plan(cost));
        let err = user_error(&run(dir.path(), &["plan", "plan.toml"], 20), cost);
        assert!(
            err.contains("plan.toml:8:8")
                && err.contains("`cost` must be an amount between 0 and 1e9 (1,000,000,000)"),
            "{cost}: {err}"
        );
        assert!(!err.contains(&"0".repeat(30)), "{err}");
    }
    // The largest cost allowed gives finite totals, never "cost n/a".
    let dir = with("plan.toml", &plan("1e9"));
    let out = run(dir.path(), &["plan", "plan.toml", "-q"], 60);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.code().is_some_and(|c| c < 2), "{table}");
    assert!(!table.contains("cost n/a"), "{table}");
}
