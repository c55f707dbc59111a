//! Whole-file tests of the scenario reader: every error class with its
//! file, line and column, `extends`, calendars, load warnings, and that no
//! input makes the reader panic.

use std::path::{Path, PathBuf};

mod mechanisms;
mod overrides;

use super::*;
use crate::engine::dist::Dist;
use crate::engine::pool::Discipline;
use crate::engine::time::{DAY, HOUR, MINUTE};

/// A valid scenario of 8 lines; text appended to it continues its stage.
const BASE: &str = r#"name = "t"
horizon = "1d"
[demand]
rate = "100/d"
[[stages]]
name = "a"
lanes = 2
service = "5m"
"#;

fn parse_str(text: &str) -> Result<Scenario, ScenarioError> {
    parse(text, Path::new("demo.toml"))
}

/// Every diagnostic as "file:line:col: message (label) [help]".
fn summarize(error: &ScenarioError) -> String {
    let lines: Vec<String> = error
        .diagnostics()
        .iter()
        .map(|d| {
            let place = match d.line_col() {
                Some((line, col)) => format!("{}:{line}:{col}", d.path.display()),
                None => d.path.display().to_string(),
            };
            let label = d
                .label
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            let help = d
                .help
                .as_ref()
                .map(|h| format!(" [{h}]"))
                .unwrap_or_default();
            format!("{place}: {}{label}{help}", d.message)
        })
        .collect();
    lines.join("\n")
}

/// Parses `text` and asserts that one diagnostic contains `expected`
/// ("file:line:col: message…"), and that the rendering points there too.
fn check(text: &str, expected: &str) {
    let error = match parse_str(text) {
        Ok(_) => panic!("expected an error containing {expected:?} for:\n{text}"),
        Err(e) => e,
    };
    let summary = summarize(&error);
    assert!(
        summary.contains(expected),
        "expected {expected:?} in:\n{summary}\n--- text:\n{text}"
    );
    let place = expected.split(": ").next().unwrap_or_default();
    let rendered = error.to_string();
    assert!(rendered.contains(&format!("--> {place}")), "{rendered}");
}

fn top(line: &str) -> String {
    format!("{line}\n{BASE}")
}

fn tail(lines: &str) -> String {
    format!("{BASE}{lines}\n")
}

#[test]
fn base_is_valid_with_defaults() {
    let s = parse_str(BASE).unwrap();
    assert_eq!(s.name, "t");
    assert_eq!(s.description, "");
    assert_eq!((s.seed, s.replications, s.start), (1, 10, 0));
    assert_eq!((s.horizon, s.warmup), (DAY, 0));
    assert_eq!(s.classes, vec![Class::new("truck", 1.0, 0)]);
    assert!(matches!(s.arrivals, Arrivals::Poisson { per_day, .. } if per_day == 100.0));
    assert!(s.appointments.is_none());
    assert_eq!(s.costs.currency, "CNY");
    assert_eq!((s.port.parking, s.port.road_queue), (None, None));
    let stage = &s.stages[0];
    assert_eq!(
        stage.service,
        Dist::Deterministic {
            value: (5 * MINUTE) as f64
        }
    );
    assert_eq!(stage.own_lanes().unwrap().value_at(3 * HOUR), 2);
    assert_eq!(
        (stage.share.clone(), stage.discipline),
        (vec![1.0], Discipline::Fifo)
    );
    assert_eq!(s.source, PathBuf::from("demo.toml"));
    assert!(s.resolved.contains("name = \"t\""), "{}", s.resolved);
    assert!(load_warnings(&s).is_empty());
}

#[test]
fn top_level_errors() {
    for (text, expected) in [
        (top("replications = 0"), "demo.toml:1:16: `replications` must be at least 1, found 0"),
        (top("horizn = \"2d\""), "demo.toml:1:1: unknown key `horizn` at the top level (did you mean `horizon`?)"),
        (top("warmup = 5"), "demo.toml:1:10: expected a duration like \"90s\", \"15m\", \"8h\" or \"1h 30m\", found integer `5`"),
        (top("warmup = \"-1h\""), "demo.toml:1:10: negative duration \"-1h\" is only allowed for punctuality offsets"),
        (top("warmup = \"2 fortnights\""), "demo.toml:1:10: unknown unit `fortnights` in duration"),
        (top("warmup = \"90\""), "demo.toml:1:10: invalid duration \"90\""),
        (top("seed = -1"), "demo.toml:1:8: `seed` must be at least 0, found -1"),
        (top("start = \"funday\""), "demo.toml:1:9: unknown weekday \"funday\"; expected one of \"mon\""),
        (top("start = \"tues\""), "demo.toml:1:9: unknown weekday \"tues\"; expected one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\" (did you mean \"tue\"?)"),
        (top("description = 5"), "demo.toml:1:15: expected a string, found integer `5`"),
        (top("seed = 1.5"), "demo.toml:1:8: expected an integer, found floating point `1.5`"),
        (BASE.replace("\"1d\"", "\"0s\""), "demo.toml:2:11: `horizon` must be longer than zero, found \"0s\""),
        (BASE.replace("horizon = \"1d\"\n", ""), "demo.toml: missing key `horizon` at the top level"),
        (BASE.replace("name = \"t\"\n", ""), "demo.toml: missing key `name` at the top level"),
        ("name = \"t\"\nhorizon = \"1d\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = \"1m\"\n".into(), "demo.toml: missing key `demand`"),
        ("name = \"t\"\nhorizon = \"1d\"\n[demand]\nrate = \"1/h\"\n".into(), "demo.toml: missing key `stages`"),
        (top("stages = []").replace("[[stages]]\nname = \"a\"\nlanes = 2\nservice = \"5m\"\n", ""), "demo.toml:1:10: expected between 1 and 64 stages, found 0"),
        (top("stages = 3").replace("[[stages]]\nname = \"a\"\nlanes = 2\nservice = \"5m\"\n", ""), "demo.toml:1:10: expected an array, found integer `3`"),
        ("name = \n".into(), "demo.toml:1:8: invalid TOML"),
        ("name = \"t\"\n[demand\n".into(), "demo.toml:2:8: invalid TOML"),
    ] {
        check(&text, expected);
    }
}

#[test]
fn demand_errors() {
    let demand = |lines: &str| BASE.replace("rate = \"100/d\"", lines);
    for (text, expected) in [
        (
            demand("rate = \"100\""),
            "demo.toml:4:8: invalid rate \"100\"; expected a rate like \"50/h\" or \"1200/d\"",
        ),
        (
            demand("rate = \"-5/h\""),
            "demo.toml:4:8: rate \"-5/h\" must be zero or more",
        ),
        (
            demand("rate = 100"),
            "demo.toml:4:8: expected a rate like \"50/h\" or \"1200/d\", found integer `100`",
        ),
        (
            demand("rate = \"1/h\"\ninterarrival = \"1m\""),
            "demo.toml:5:16: `rate` and `interarrival` cannot both be given in [demand]",
        ),
        (
            demand("interarrival = \"1m\"\nprofile = [1]"),
            "demo.toml:5:11: `profile` cannot be used with `interarrival`",
        ),
        (
            demand("rate = \"1/h\"\nprofile = [1, 2]"),
            "demo.toml:5:11: `profile` must have 24 hourly weights (00:00-01:00 first), found 2",
        ),
        (
            demand("rate = \"1/h\"\nprofile = [1, -2]"),
            "demo.toml:5:15: `profile` must be a number of at least 0, found -2",
        ),
        (
            demand(&format!(
                "rate = \"1/h\"\nprofile = [{}]",
                ["0"; 24].join(", ")
            )),
            "demo.toml:5:11: `profile` weights are all zero",
        ),
        (
            demand("rate = \"1/h\"\nprofile = [nan]"),
            "demo.toml:5:12: `profile` must be a number of at least 0, found NaN",
        ),
        (
            demand("rate = \"1/h\"\ndays = { sta = 0.5 }"),
            "demo.toml:5:10: unknown weekday \"sta\"; expected one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\" (did you mean `sat`?)",
        ),
        (
            demand("rate = \"1/h\"\ndays = { sat = -1 }"),
            "demo.toml:5:16: `sat` must be a number of at least 0, found -1",
        ),
        (
            demand("interarrival = \"1m\"\ndays = { sat = 0 }"),
            "demo.toml:5:8: `days` cannot be used with `interarrival`",
        ),
        (
            demand("interarrival = \"0s\""),
            "demo.toml:4:16: `interarrival` must have a mean above zero",
        ),
        (
            demand("interarrival = { dist = \"expo\", mean = \"1m\" }"),
            "demo.toml:4:25: unknown distribution \"expo\" (did you mean \"exponential\"?)",
        ),
        (
            demand("interarrival = { dist = \"weibull\", mean = \"1m\" }"),
            "demo.toml:4:25: unknown distribution \"weibull\" [expected one of `exponential`",
        ),
        (
            demand("interarrival = { dist = \"exponential\", mean = \"0s\" }"),
            "demo.toml:4:16: invalid `interarrival` distribution: `mean` must be greater than zero, found 0s",
        ),
        (
            demand("interarrival = { dist = \"exponential\", mean = 5 }"),
            "demo.toml:4:47: `mean` must be a duration like \"90s\", \"15m\", \"8h\" or \"1h 30m\", found 5",
        ),
        (
            demand("interarrival = { dist = \"exponential\", men = \"1m\" }"),
            "demo.toml:4:40: unknown parameter `men` for the `exponential` distribution (did you mean `mean`?)",
        ),
        (
            demand("interarrival = { dist = \"exponential\" }"),
            "demo.toml:4:16: missing parameter `mean` for the `exponential` distribution (it takes `mean`)",
        ),
        (
            demand("interarrival = { mean = \"1m\" }"),
            "demo.toml:4:16: missing key `dist` in the distribution table",
        ),
        (
            demand("interarrival = 3"),
            "demo.toml:4:16: expected a duration like \"5m\" or a distribution like",
        ),
        (demand(""), "demo.toml:3:1: missing key `rate` in [demand]"),
        (
            demand("rate = \"1/h\"\nrat = 3"),
            "demo.toml:5:1: unknown key `rat` in [demand] (did you mean `rate`?)",
        ),
    ] {
        check(&text, expected);
    }
}

#[test]
fn stage_errors() {
    let second = "[[stages]]\nname = \"z\"\nlanes = 1\nservice = \"1m\"";
    for (text, expected) in [
        (
            tail("lanse = 4"),
            "demo.toml:9:1: unknown key `lanse` in [[stages]] (did you mean `lanes`?)",
        ),
        (
            tail("colour = 4"),
            "demo.toml:9:1: unknown key `colour` in [[stages]] [expected `name`, `lanes`",
        ),
        (
            tail("fee = -1"),
            "demo.toml:9:7: `fee` must be an amount between 0 and 1e9 (1,000,000,000), found -1",
        ),
        (
            tail("fee = nan"),
            "demo.toml:9:7: `fee` must be an amount between 0 and 1e9 (1,000,000,000), found NaN",
        ),
        (
            tail("share = 1.5"),
            "demo.toml:9:9: `share` must be between 0 and 1, found 1.5",
        ),
        (
            tail("share = inf"),
            "demo.toml:9:9: `share` must be between 0 and 1, found inf",
        ),
        (
            tail("share = \"all\""),
            "demo.toml:9:9: expected a share like 0.3 or a table of shares per class",
        ),
        (
            tail("share = { truk = 0.5 }"),
            "demo.toml:9:11: unknown class `truk` (did you mean `truck`?)",
        ),
        (
            tail("share = { lorry = 0.5 }"),
            "demo.toml:9:11: unknown class `lorry` [expected `truck`]",
        ),
        (
            tail("queue = \"lifo\""),
            "demo.toml:9:9: unknown queue discipline \"lifo\"; expected \"fifo\" or \"priority\" (did you mean \"fifo\"?)",
        ),
        (
            tail("queue = 1"),
            "demo.toml:9:9: expected \"fifo\" or \"priority\", found integer `1`",
        ),
        (
            tail("rework = { probability = 0.1, to = \"b\" }"),
            "demo.toml:9:36: unknown stage `b`",
        ),
        (
            tail("rework = { probability = 0.1, to = \"aa\" }"),
            "demo.toml:9:36: unknown stage `aa` (did you mean `a`?)",
        ),
        (
            tail(&format!(
                "rework = {{ probability = 0.1, to = \"z\" }}\n{second}"
            )),
            "demo.toml:9:36: rework goes to the later stage `z`; it may only return to this stage or an earlier one",
        ),
        (
            tail("rework = { probability = 1.0, to = \"a\" }"),
            "demo.toml:9:26: rework `probability` must be below 1",
        ),
        (
            tail("rework = { probability = -0.1, to = \"a\" }"),
            "demo.toml:9:26: `probability` must be between 0 and 1, found -0.1",
        ),
        (
            tail("rework = { to = \"a\" }"),
            "demo.toml:9:10: missing key `probability` in `rework`",
        ),
        (
            tail("rework = { probability = 0.1, to = \"a\", odds = 2 }"),
            "demo.toml:9:41: unknown key `odds` in `rework` of [[stages]]",
        ),
        (
            tail("daily_limit = 0"),
            "demo.toml:9:15: `daily_limit` must be at least 1, found 0",
        ),
        (
            BASE.replace("lanes = 2", "lanes = -1"),
            "demo.toml:7:9: `lanes` must be at least 0, found -1",
        ),
        (
            BASE.replace("lanes = 2", "lanes = \"four\""),
            "demo.toml:7:9: expected a lane count like 4 or a shift table",
        ),
        (
            BASE.replace("lanes = 2", "lanes = []"),
            "demo.toml:7:9: the shift table is empty",
        ),
        (
            BASE.replace("lanes = 2", "lanes = [{ hours = \"08:00-20:00\" }]"),
            "demo.toml:7:10: missing key `count` in a shift of `lanes`",
        ),
        (
            BASE.replace("lanes = 2", "lanes = [{ hours = \"8-20\", count = 1 }]"),
            "demo.toml:7:20: invalid time range \"8-20\"",
        ),
        (
            BASE.replace(
                "lanes = 2",
                "lanes = [{ hours = \"08:00-20:00\", count = 1, shift = 2 }]",
            ),
            "demo.toml:7:46: unknown key `shift` in `lanes` of [[stages]]",
        ),
        (
            BASE.replace("lanes = 2\n", ""),
            "demo.toml:5:1: missing key `lanes` in [[stages]]",
        ),
        (
            BASE.replace("service = \"5m\"\n", ""),
            "demo.toml:5:1: missing key `service` in [[stages]]",
        ),
        (
            BASE.replace("name = \"a\"\n", ""),
            "demo.toml:5:1: missing key `name` in [[stages]]",
        ),
        (
            tail("open = [\"08:00-08:00\"]"),
            "demo.toml:9:9: time range \"08:00-08:00\" is empty; use \"00:00-24:00\" for always open",
        ),
        (
            tail("open = []"),
            "demo.toml:9:8: the list of hours is empty",
        ),
        (
            tail("days = [\"mon\", \"funday\"]"),
            "demo.toml:9:16: unknown weekday \"funday\"",
        ),
        (
            tail("days = []"),
            "demo.toml:9:8: the list of days is empty",
        ),
        (
            BASE.replace(
                "service = \"5m\"",
                "service = { dist = \"lognormal\", mean = \"5m\" }",
            ),
            "demo.toml:8:11: missing parameter `sd` for the `lognormal` distribution (it takes `mean` and `sd`)",
        ),
        (
            BASE.replace(
                "service = \"5m\"",
                "service = { dist = \"uniform\", min = \"5m\", max = \"1m\" }",
            ),
            "demo.toml:8:11: invalid `service` distribution: `min` (5m) must not exceed `max` (1m)",
        ),
        (
            BASE.replace(
                "service = \"5m\"",
                "service = { dist = \"erlang\", k = 0, mean = \"5m\" }",
            ),
            "demo.toml:8:34: `k` must be a whole number of at least 1, found 0",
        ),
        (
            BASE.replace(
                "service = \"5m\"",
                "service = { dist = \"empirical\", values = [\"1m\"], weights = [1, 2] }",
            ),
            "demo.toml:8:11: invalid `service` distribution: expected as many weights as values",
        ),
        (
            BASE.replace(
                "service = \"5m\"",
                "service = { dist = \"triangular\", min = \"1m\", mode = \"9m\", max = \"5m\" }",
            ),
            "demo.toml:8:11: invalid `service` distribution: expected min <= mode <= max with min < max, found min 1m, mode 9m, max 5m",
        ),
        (
            BASE.replace("service = \"5m\"", "service = \"-5m\""),
            "demo.toml:8:11: negative duration \"-5m\" is only allowed for punctuality offsets",
        ),
        (
            tail(second.replace("\"z\"", "\"a\"").as_str()),
            "demo.toml:10:8: duplicate stage name `a`",
        ),
    ] {
        check(&text, expected);
    }
}

#[test]
fn class_port_appointment_and_cost_errors() {
    let classes = |a: &str, b: &str| {
        tail(&format!(
            "[[classes]]\nname = \"x\"\nshare = {a}\n[[classes]]\nname = \"{b}\"\nshare = 0.4"
        ))
    };
    for (text, expected) in [
        (
            classes("0.5", "y"),
            "demo.toml:9:1: class shares sum to 0.9, expected 1",
        ),
        (
            classes("0.6", "x"),
            "demo.toml:13:8: duplicate class name `x`",
        ),
        (
            classes("1.6", "y"),
            "demo.toml:11:9: `share` must be between 0 and 1, found 1.6",
        ),
        (
            tail("[[classes]]\nshare = 1.0"),
            "demo.toml:9:1: missing key `name` in [[classes]]",
        ),
        (
            tail("[[classes]]\nname = \"x\"\npriority = 1e9"),
            "demo.toml:11:12: expected an integer, found floating point",
        ),
        (
            tail("[port]\nparking = 0"),
            "demo.toml:10:11: `parking` must be at least 1, found 0",
        ),
        (
            tail("[port]\nroad_queue = -5"),
            "demo.toml:10:14: `road_queue` must be at least 0, found -5",
        ),
        (
            tail("[port]\nopen = [\"9-5\"]"),
            "demo.toml:10:9: invalid time range \"9-5\"",
        ),
        (
            tail("[port]\nopen = \"09:00-17:00\""),
            "demo.toml:10:8: expected an array, found string",
        ),
        (
            tail("[port]\ndays = [\"mo\"]"),
            "demo.toml:10:9: unknown weekday \"mo\"",
        ),
        (
            tail("[appointments]\nshare = 0.5\ncapacity = 0"),
            "demo.toml:11:12: `capacity` must be at least 1 when `share` is above 0",
        ),
        (
            tail("[appointments]\nshare = 0.5\ncapacity = 3\nslot = \"0s\""),
            "demo.toml:12:8: `slot` must be longer than zero, found \"0s\"",
        ),
        (
            tail("[appointments]\ncapacity = 3"),
            "demo.toml:9:1: missing key `share` in [appointments]",
        ),
        (
            tail("[appointments]\nshare = 0.5"),
            "demo.toml:9:1: missing key `capacity` in [appointments]",
        ),
        (
            tail("[appointments]\nshare = 0.5\ncapacity = 3\nno_show = 2"),
            "demo.toml:12:11: `no_show` must be between 0 and 1, found 2",
        ),
        (
            tail("[appointments]\nshare = 0.5\ncapacity = 3\npriority = \"yes\""),
            "demo.toml:12:12: expected a boolean, found string \"yes\"",
        ),
        (
            tail(
                "[appointments]\nshare = 0.5\ncapacity = 3\npunctuality = { dist = \"uniform\", min = \"-10m\", max = \"10m\" }",
            ),
            "demo.toml:12:15: invalid `punctuality` distribution: `min` must be zero or more, found -10m [only the `normal` and `empirical` distributions may have negative values]",
        ),
        (
            tail("[costs]\nper_hour = -1"),
            "demo.toml:10:12: `per_hour` must be an amount between 0 and 1e9 (1,000,000,000), found -1",
        ),
        (
            tail("[costs]\nper_hr = 1"),
            "demo.toml:10:1: unknown key `per_hr` in [costs] (did you mean `per_hour`?)",
        ),
        (
            tail("[costs]\novernight = inf"),
            "demo.toml:10:13: `overnight` must be an amount between 0 and 1e9 (1,000,000,000), found inf",
        ),
    ] {
        check(&text, expected);
    }
}

#[test]
fn more_than_64_stages_or_classes() {
    let mut text = BASE.to_owned();
    for i in 0..64 {
        text.push_str(&format!(
            "[[stages]]\nname = \"s{i}\"\nlanes = 1\nservice = \"1m\"\n"
        ));
    }
    check(
        &text,
        "demo.toml:5:1: expected between 1 and 64 stages, found 65",
    );
    let mut text = BASE.to_owned();
    for i in 0..65 {
        text.push_str(&format!("[[classes]]\nname = \"c{i}\"\nshare = 0.01\n"));
    }
    check(
        &text,
        "demo.toml:9:1: expected between 1 and 64 classes, found 65",
    );
}

#[test]
fn all_semantic_errors_are_reported_at_once() {
    let text = tail("fee = -1\nshare = 2\n[port]\nparking = 0").replace("\"1d\"", "\"0s\"");
    let error = parse_str(&text).unwrap_err();
    let summary = summarize(&error);
    assert_eq!(error.diagnostics().len(), 4, "{summary}");
    assert!(
        summary.starts_with("demo.toml:2:11: `horizon`"),
        "{summary}"
    );
    let rendered = error.to_string();
    // Four errors and the closing line that counts them.
    assert_eq!(rendered.matches("error: ").count(), 5, "{rendered}");
    assert!(rendered.ends_with("error: the scenario has 4 errors; nothing was run"));
}

/// Issue 14: an unknown key no longer hides the file's other errors, and
/// a value of the wrong type is not reported again as a missing key.
#[test]
fn an_unknown_key_does_not_hide_the_other_errors() {
    let text = tail(
        "lanse = 4
fee = -1",
    )
    .replace("\"1d\"", "\"30\"");
    let error = parse_str(&text).unwrap_err();
    let summary = summarize(&error);
    assert_eq!(error.diagnostics().len(), 3, "{summary}");
    assert!(summary.contains("unknown key `lanse`"), "{summary}");
    assert!(summary.contains("`fee`"), "{summary}");
    assert!(summary.contains("the number has no unit"), "{summary}");
    let text = tail("lanse = 4").replace("horizon = \"1d\"", "horizon = 30");
    let error = parse_str(&text).unwrap_err();
    let summary = summarize(&error);
    assert_eq!(error.diagnostics().len(), 2, "{summary}");
    assert!(!summary.contains("missing key `horizon`"), "{summary}");
    assert!(
        error
            .to_string()
            .contains("did you mean a string like \"30d\""),
        "{error}"
    );
}

#[test]
fn several_unknown_keys_are_reported_together() {
    let error = parse_str(&tail("lanse = 4\nservise = 3")).unwrap_err();
    let summary = summarize(&error);
    assert!(
        summary.contains("demo.toml:9:1: unknown key `lanse`"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "demo.toml:10:1: unknown key `servise` in [[stages]] (did you mean `service`?)"
        ),
        "{summary}"
    );
}

#[test]
fn rendering_matches_cargo() {
    let error = parse_str(&tail("lanse = 4")).unwrap_err();
    let expected = "\
error: unknown key `lanse` in [[stages]]
 --> demo.toml:9:1
  |
9 | lanse = 4
  | ^^^^^ did you mean `lanes`?

error: the scenario has 1 error; nothing was run";
    assert_eq!(error.to_string().trim_end(), expected);
}

#[test]
fn io_errors_name_the_file() {
    let error = load(Path::new("/nonexistent/dir/demo.toml")).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("cannot read scenario file `/nonexistent/dir/demo.toml`"),
        "{text}"
    );
    assert!(text.contains("No such file"), "{text}");
}

#[test]
fn full_scenario_converts_every_key() {
    let text = r#"
name = "full"
description = "all keys"
seed = 7
horizon = "2d 12h"
warmup = "1h 30m"
replications = 3
start = "Wednesday"
[demand]
rate = "50/h"
profile = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]
days = { sat = 0.5, sunday = 0 }
[[classes]]
name = "general"
share = 0.75
[[classes]]
name = "perishable"
share = 0.25
priority = 2
[port]
open = ["06:00-22:00"]
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
parking = 400
road_queue = 0
[appointments]
share = 0.5
slot = "30m"
capacity = 20
hours = ["08:00-18:00"]
no_show = 0.1
punctuality = { dist = "normal", mean = "-5m", sd = "10m" }
priority = true
[costs]
currency = "USD"
per_hour = 40
overnight = 100.5
per_truck = 3
[[stages]]
name = "docs"
lanes = [{ hours = "06:00-14:00", count = 3 }, { hours = "14:00-22:00", count = 2, days = ["mon"] }]
service = { dist = "gamma", mean = "10m", sd = "5m" }
[[stages]]
name = "scan"
lanes = 1
open = ["00:00-24:00"]
days = ["sun"]
service = { dist = "empirical", values = ["5m", "15m"], weights = [3, 1] }
share = { perishable = 0.5 }
fee = 20
queue = "priority"
rework = { probability = 0.05, to = "docs" }
daily_limit = 300
"#;
    let s = parse_str(text).unwrap();
    assert_eq!((s.seed, s.replications, s.start), (7, 3, 2));
    assert_eq!((s.horizon, s.warmup), (2 * DAY + 12 * HOUR, 90 * MINUTE));
    let Arrivals::Poisson {
        per_day,
        hourly,
        daily,
        ..
    } = &s.arrivals
    else {
        panic!()
    };
    assert_eq!(*per_day, 1200.0);
    assert!((hourly.iter().sum::<f64>() - 24.0).abs() < 1e-9);
    assert!((hourly[0] - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(daily, &[1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]);
    assert_eq!(s.classes[1], Class::new("perishable", 0.25, 2));
    assert_eq!((s.port.parking, s.port.road_queue), (Some(400), Some(0)));
    // Day 0 is a Wednesday: the port opens at 06:00; Sunday (day 4) it is shut.
    assert_eq!(s.port.open.value_at(5 * HOUR), 0);
    assert_eq!(s.port.open.value_at(7 * HOUR), 1);
    assert_eq!(s.port.open.value_at(4 * DAY + 7 * HOUR), 0);
    let a = s.appointments.as_ref().unwrap();
    assert_eq!(
        (a.share, a.slot, a.no_show, a.priority),
        (0.5, 30 * MINUTE, 0.1, true)
    );
    assert_eq!(
        a.punctuality,
        Dist::Normal {
            mean: -300_000.0,
            sd: 600_000.0
        }
    );
    // 20 trucks a slot in the booking hours while the gate is open.
    assert_eq!(a.capacity.value_at(9 * HOUR), 20);
    assert_eq!(a.capacity.value_at(19 * HOUR), 0);
    assert_eq!(
        s.costs,
        Costs {
            currency: "USD".into(),
            per_hour: 40.0,
            overnight: 100.5,
            per_truck: 3.0
        }
    );
    let docs = &s.stages[0];
    assert_eq!(
        docs.service,
        Dist::Gamma {
            mean: 600_000.0,
            sd: 300_000.0
        }
    );
    // Wednesday: 3 lanes in the morning, none in the afternoon (Monday only).
    assert_eq!(docs.own_lanes().unwrap().value_at(7 * HOUR), 3);
    assert_eq!(docs.own_lanes().unwrap().value_at(15 * HOUR), 0);
    // The following Monday (day 5): 2 lanes in the afternoon.
    assert_eq!(docs.own_lanes().unwrap().value_at(5 * DAY + 15 * HOUR), 2);
    let scan = &s.stages[1];
    assert_eq!(scan.share, vec![1.0, 0.5]);
    assert_eq!(
        (scan.fee, scan.discipline, scan.daily_limit),
        (20.0, Discipline::Priority, Some(300))
    );
    assert_eq!(
        scan.rework,
        Some(Rework {
            probability: 0.05,
            to: 0
        })
    );
    assert_eq!(scan.own_lanes().unwrap().value_at(4 * DAY + HOUR), 1);
    assert_eq!(scan.own_lanes().unwrap().value_at(HOUR), 0);
    assert!(s.resolved.contains("[[stages]]"), "{}", s.resolved);
}

#[test]
fn shift_tables_give_lane_counts_by_time() {
    let text = BASE.replace(
        "lanes = 2",
        r#"lanes = [{ hours = "08:00-20:00", count = 6 }, { hours = "20:00-08:00", count = 2 }]"#,
    );
    let s = parse_str(&text).unwrap();
    let cap = s.stages[0].own_lanes().unwrap();
    for (t, lanes) in [
        (0, 2),
        (7 * HOUR, 2),
        (8 * HOUR, 6),
        (19 * HOUR, 6),
        (20 * HOUR, 2),
        (3 * DAY + 9 * HOUR, 6),
    ] {
        assert_eq!(cap.value_at(t), lanes, "at {t}");
    }
    assert!((cap.weekly_mean() - 4.0).abs() < 1e-9);
}

#[test]
fn wrapping_port_hours_and_start_day() {
    let text = top("start = \"wed\"") + "[port]\nopen = [\"20:00-08:00\"]\ndays = [\"wed\"]\n";
    let s = parse_str(&text).unwrap();
    let cap = s.stages[0].own_lanes().unwrap();
    assert_eq!(cap.value_at(19 * HOUR), 0);
    assert_eq!(cap.value_at(21 * HOUR), 2);
    assert_eq!(cap.value_at(DAY + 7 * HOUR), 2);
    assert_eq!(cap.value_at(DAY + 9 * HOUR), 0);
    assert_eq!(s.port.open.value_at(21 * HOUR), 1);
}

#[test]
fn renewal_arrivals_and_signed_punctuality() {
    let text = BASE.replace(
        "rate = \"100/d\"",
        "interarrival = { dist = \"erlang\", k = 3, mean = \"4m\" }",
    ) + "[appointments]\nshare = 0.2\ncapacity = 5\npunctuality = \"-10m\"\n";
    let s = parse_str(&text).unwrap();
    assert!(matches!(
        &s.arrivals,
        Arrivals::Renewal {
            interarrival: Dist::Erlang { k: 3, .. }
        }
    ));
    let a = s.appointments.unwrap();
    assert_eq!(
        a.punctuality,
        Dist::Normal {
            mean: -600_000.0,
            sd: 0.0
        }
    );
}

#[test]
fn appointments_with_no_share_and_no_capacity_are_off() {
    let s = parse_str(&tail("[appointments]\nshare = 0\ncapacity = 0")).unwrap();
    assert!(s.appointments.is_none());
}

#[test]
fn overloaded_stages_are_warned_about() {
    // 100 trucks/day × 30 min = 50 lane-hours/day on 2 lanes = 48.
    let s = parse_str(&BASE.replace("\"5m\"", "\"30m\"")).unwrap();
    let warnings = load_warnings(&s);
    assert_eq!(
        warnings,
        vec![
            "stage `a`: offered load 50.0 lane-hours/day exceeds capacity 48.0 lane-hours/day (104%); its queue will grow without limit over the run (the road queue is unbounded)"
        ]
    );
    // Trucks that all divert or give up never queue without limit.
    let s = parse_str(&BASE.replace("\"5m\"", "\"30m\"").replace(
        "[demand]",
        "[[classes]]\nname = \"t\"\ntolerance = { queue = 5 }\n[demand]",
    ))
    .unwrap();
    assert_eq!(
        load_warnings(&s),
        vec![
            "stage `a`: offered load 50.0 lane-hours/day exceeds capacity 48.0 lane-hours/day (104%); queues will grow until trucks divert or give up waiting (their tolerance and patience); a stage behind a tighter one sees only the trucks that get through"
        ]
    );
    // A daily limit below the visits per day.
    let s = parse_str(&tail("daily_limit = 80")).unwrap();
    assert_eq!(load_warnings(&s).len(), 1, "{:?}", load_warnings(&s));
    // Rework at 50% doubles the visits of the loop: 66.7 lane-hours on 1 lane.
    let s = parse_str(&BASE.replace("\"5m\"", "\"20m\"").replace(
        "lanes = 2",
        "lanes = 1\nrework = { probability = 0.5, to = \"a\" }",
    ))
    .unwrap();
    assert!(
        load_warnings(&s)[0].contains("offered load 66.7"),
        "{:?}",
        load_warnings(&s)
    );
}

// ---------------------------------------------------------------- extends

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn extends_overrides_keys_and_merges_tables() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        BASE.to_owned() + "[costs]\nper_hour = 10\ncurrency = \"USD\"\n[demand.days]\nsat = 0.5\n";
    let base = base.replace("[demand]\nrate = \"100/d\"\n", "");
    let base = format!(
        "{base}\n[demand]\nrate = \"100/d\"\nprofile = [{}]\n",
        ["1"; 24].join(", ")
    );
    write(
        dir.path(),
        "base.toml",
        &base.replace("[demand.days]\nsat = 0.5\n", ""),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\nname = \"child\"\n[demand]\nrate = \"200/d\"\n[costs]\nper_hour = 20\n",
    );
    let s = load(&child).unwrap();
    assert_eq!(s.name, "child");
    assert!(matches!(s.arrivals, Arrivals::Poisson { per_day, .. } if per_day == 200.0));
    assert_eq!((s.costs.per_hour, s.costs.currency.as_str()), (20.0, "USD"));
    assert_eq!(s.stages.len(), 1);
    assert_eq!(s.source, child);
    assert!(!s.resolved.contains("extends"), "{}", s.resolved);
    assert!(s.resolved.contains("name = \"child\""), "{}", s.resolved);
    assert!(s.resolved.contains("profile"), "{}", s.resolved);
}

#[test]
fn extends_replaces_arrays_and_exclusive_demand_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.toml",
        &tail("[[stages]]\nname = \"b\"\nlanes = 1\nservice = \"1m\""),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\n[demand]\ninterarrival = \"3m\"\n[[stages]]\nname = \"only\"\nlanes = 4\nservice = \"2m\"\n",
    );
    let s = load(&child).unwrap();
    let names: Vec<&str> = s.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["only"]);
    assert!(matches!(s.arrivals, Arrivals::Renewal { .. }));
}

#[test]
fn extends_errors_point_at_the_right_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", &tail("lanse = 4"));
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\nname = \"c\"\n",
    );
    let error = load(&child).unwrap_err();
    let summary = summarize(&error);
    let base = dir.path().join("base.toml");
    assert!(
        summary.contains(&format!("{}:9:1: unknown key `lanse`", base.display())),
        "{summary}"
    );

    // A semantic error in a value inherited from the base, and one in the child.
    write(dir.path(), "base.toml", &tail("fee = -1"));
    write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\nreplications = 0\n",
    );
    let summary = summarize(&load(&child).unwrap_err());
    assert!(
        summary.contains(&format!(
            "{}:2:16: `replications` must be at least 1",
            child.display()
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("{}:9:7: `fee` must be", base.display())),
        "{summary}"
    );

    // A syntax error in the base.
    write(dir.path(), "base.toml", "name = [\n");
    let summary = summarize(&load(&child).unwrap_err());
    assert!(
        summary.contains(&format!("{}:1:", base.display())) && summary.contains("invalid TOML"),
        "{summary}"
    );
}

#[test]
fn extends_cycles_missing_files_and_depth() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
    write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
    let summary = summarize(&load(&a).unwrap_err());
    assert!(
        summary.contains("`extends` forms a cycle:") && summary.contains("a.toml -> "),
        "{summary}"
    );
    assert!(summary.contains("b.toml:1:11"), "{summary}");

    let lone = write(
        dir.path(),
        "lone.toml",
        "name = \"x\"\nextends = \"missing.toml\"\n",
    );
    let summary = summarize(&load(&lone).unwrap_err());
    assert!(
        summary.contains("lone.toml:2:11: cannot read base scenario")
            && summary.contains("missing.toml"),
        "{summary}"
    );

    let bad = write(dir.path(), "bad.toml", "extends = 3\n");
    let summary = summarize(&load(&bad).unwrap_err());
    assert!(
        summary.contains("bad.toml:1:11: expected a file path like \"base.toml\" for `extends`"),
        "{summary}"
    );

    write(dir.path(), "f0.toml", BASE);
    for i in 1..=16 {
        write(
            dir.path(),
            &format!("f{i}.toml"),
            &format!("extends = \"f{}.toml\"\n", i - 1),
        );
    }
    assert!(load(&dir.path().join("f15.toml")).is_ok());
    let summary = summarize(&load(&dir.path().join("f16.toml")).unwrap_err());
    assert!(
        summary.contains("too many levels of `extends`"),
        "{summary}"
    );
}

#[test]
fn parse_resolves_extends_relative_to_the_given_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", BASE);
    let s = parse(
        "extends = \"base.toml\"\nseed = 5\n",
        &dir.path().join("virtual.toml"),
    )
    .unwrap();
    assert_eq!((s.seed, s.name.as_str()), (5, "t"));
}

// ------------------------------------------------------------- robustness

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "\0",
        "[[[",
        "name = \"\\u0000\"",
        "= = =",
        "[demand]\n[demand]\n",
        "stages = [1, 2]",
        "[[stages]]\nlanes = [[1]]\n",
        "[[stages]]\nservice = { dist = [\"x\"] }\n",
        "[[stages]]\nservice = { dist = \"empirical\", values = [[1]], weights = [\"a\"] }\n",
        "start = 1979-05-27T07:32:00Z",
        "horizon = \"99999999999999999999d\"",
        "seed = 9223372036854775807",
        "[demand]\nrate = \"1e308/s\"\n",
        "lanes = 99999999999999999999",
        "\u{feff}name = \"bom\"",
        "name = \"é\"\nhorizon = \"1ü\"\n",
    ] {
        let _ = parse_str(text).map_err(|e| e.to_string());
    }
}

#[test]
fn truncations_and_mutations_never_panic() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml"),
    )
    .unwrap();
    let boundaries: Vec<usize> = (0..text.len())
        .filter(|i| text.is_char_boundary(*i))
        .step_by(7)
        .collect();
    for &i in &boundaries {
        let _ = parse_str(&text[..i]).map_err(|e| e.to_string());
        for replacement in ["0", "-", "\"", "[", "x"] {
            let mutated = format!(
                "{}{replacement}{}",
                &text[..i],
                &text[i..].chars().skip(1).collect::<String>()
            );
            let _ = parse_str(&mutated).map_err(|e| e.to_string());
        }
    }
}

// -------------------------------------------------------- shipped examples

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn example_scenario_loads_without_warnings() {
    let s = load(&repo("scenarios/example.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(load_warnings(&s).is_empty(), "{:?}", load_warnings(&s));
    assert_eq!((s.horizon, s.warmup, s.replications), (7 * DAY, DAY, 5));
}

#[test]
fn toml_blocks_in_the_format_doc_are_valid_scenarios() {
    let doc = std::fs::read_to_string(repo("docs/scenario-format.md")).unwrap();
    let mut blocks = 0;
    for (i, block) in doc.split("```toml\n").skip(1).enumerate() {
        let body = block.split("```").next().unwrap_or_default();
        let path = repo(&format!("docs/block-{i}.toml"));
        if let Err(e) = parse(body, &path) {
            panic!("block {i} of docs/scenario-format.md:\n{e}");
        }
        blocks += 1;
    }
    assert!(blocks >= 1);
}

#[test]
fn patches_apply_in_order_over_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.toml", &tail("[costs]\nper_hour = 10"));
    let more = write(
        dir.path(),
        "more.toml",
        "extends = \"base.toml\"\n[demand]\nrate = \"200/d\"\n",
    );
    let lanes = write(
        dir.path(),
        "lanes.toml",
        "extends = \"base.toml\"\n[[stages]]\nname = \"a\"\nlanes = 5\nservice = \"5m\"\n",
    );
    let s = load_patched(&base, &[more.clone(), lanes.clone()]).unwrap();
    assert!(matches!(s.arrivals, Arrivals::Poisson { per_day, .. } if per_day == 200.0));
    assert_eq!(s.stages[0].own_lanes().unwrap().value_at(0), 5);
    assert_eq!((s.costs.per_hour, s.source.clone()), (10.0, base.clone()));
    let bad = write(
        dir.path(),
        "bad.toml",
        "extends = \"base.toml\"\n[costs]\nper_hour = -1\n",
    );
    let summary = summarize(&load_patched(&base, &[more, bad.clone()]).unwrap_err());
    assert!(
        summary.contains(&format!("{}:3:12: `per_hour`", bad.display())),
        "{summary}"
    );
    let missing = dir.path().join("missing.toml");
    assert!(matches!(
        load_patched(&base, &[missing]),
        Err(ScenarioError::Io { .. })
    ));
}
