//! `portsim run --trace`: one replication's truck events written as an
//! event log. Tracing changes no result byte; the trace's counts are the
//! replication's own counts (departures are its `cleared`, and so on);
//! every truck's rows read in the order a truck lives them; and the file
//! is refused where an output may not go.

use std::collections::HashMap;
use std::path::Path;

use crate::cli_run::portsim;

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).expect("written")).expect("utf-8")
}

/// The value of `column` in the row of replication `rep` of replications.csv.
fn replication_value(csv: &str, rep: u64, column: &str) -> u64 {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let k = header.iter().position(|h| *h == column).expect(column);
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == rep.to_string())
        .expect("the replication");
    row[k].parse().expect("a count")
}

#[test]
fn tracing_changes_no_result_and_the_trace_counts_are_the_replications() {
    let dir = tempfile::tempdir().expect("temp");
    let plain = dir.path().join("plain");
    let traced = dir.path().join("traced");
    let trace = dir.path().join("trace.csv");
    let base = [
        "run",
        "scenarios/example.toml",
        "-r",
        "3",
        "--horizon",
        "2d",
    ];
    let a = portsim(
        &[
            &base[..],
            &["--format", "csv", "--out", plain.to_str().expect("utf-8")],
        ]
        .concat(),
    );
    ok(&a);
    let b = portsim(
        &[
            &base[..],
            &[
                "--format",
                "csv",
                "--out",
                traced.to_str().expect("utf-8"),
                "--trace",
                trace.to_str().expect("utf-8"),
                "--trace-replication",
                "1",
            ],
        ]
        .concat(),
    );
    ok(&b);
    assert_eq!(a.stdout, b.stdout, "the summary is the same with --trace");
    for f in ["replications.csv", "stages.csv", "daily.csv", "hourly.csv"] {
        assert_eq!(
            read(&plain.join(f)),
            read(&traced.join(f)),
            "{f} is the same with --trace"
        );
    }
    let reps = read(&traced.join("replications.csv"));
    let text = read(&trace);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("truck,time,event,stage,lane,class"),
        "the plain layout"
    );
    let mut events: HashMap<&str, u64> = HashMap::new();
    let mut last: HashMap<&str, (String, u8)> = HashMap::new();
    let mut previous_time = String::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        let (truck, time, event, stage, lane, class) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        assert!(lane.is_empty(), "pooled lanes have no lane: {line}");
        assert!(["heavy", "perishable"].contains(&class), "{line}");
        // The example's start is a Monday without a date: the week of the
        // reference Monday 2024-01-01; the one-day warm-up is not traced.
        assert!(time >= "2024-01-02T00:00:00", "{line}");
        assert!(time < "2024-01-04T00:00:00", "{line}");
        assert_eq!(time.len(), 19, "{line}");
        assert!(time >= previous_time.as_str(), "rows in time order: {line}");
        previous_time = time.to_owned();
        assert_eq!(
            stage.is_empty(),
            !["start", "end"].contains(&event),
            "a stage on start and end rows only: {line}"
        );
        *events.entry(event).or_default() += 1;
        // A truck's rows in order: arrive, then start/end pairs, then it
        // leaves (trucks inside when the warm-up ended start mid-way).
        let rank = match event {
            "arrive" => 0,
            "start" | "end" => 1,
            _ => 2,
        };
        if let Some((prev, r)) = last.get(truck) {
            assert!(*r <= rank && *r < 2, "{truck}: `{prev}` then `{event}`");
            if event == "end" {
                assert_eq!(
                    prev,
                    &format!("start {stage}"),
                    "{truck}: an end closes its start"
                );
            }
            if event == "start" {
                assert!(!prev.starts_with("start"), "{truck}: two services at once");
            }
        }
        last.insert(truck, (format!("{event} {stage}"), rank));
    }
    let count = |e: &str| events.get(e).copied().unwrap_or(0);
    assert_eq!(count("depart"), replication_value(&reps, 1, "cleared"));
    assert_eq!(count("reneged"), replication_value(&reps, 1, "reneged"));
    assert_eq!(count("diverted"), replication_value(&reps, 1, "diverted"));
    assert_eq!(
        count("turned_away"),
        replication_value(&reps, 1, "turned_away")
    );
    assert_eq!(count("no_show"), replication_value(&reps, 1, "no_shows"));
    assert!(
        count("no_show") > 0,
        "the example books slots, 5% do not come"
    );
    // Services running at either edge of the window make the counts of
    // starts and ends differ by at most the trucks inside then.
    let inside =
        replication_value(&reps, 1, "in_port_start") + replication_value(&reps, 1, "in_port_end");
    assert!(count("start").abs_diff(count("end")) <= inside);
    assert!(count("start") > 2 * count("depart"), "several stages each");
    // `portsim calibrate` reads the trace as it is, no-shows counted apart.
    let cal = portsim(&[
        "calibrate",
        trace.to_str().expect("utf-8"),
        "--format",
        "json",
        "-r",
        "2",
    ]);
    ok(&cal);
    let v: serde_json::Value = serde_json::from_slice(&cal.stdout).expect("json");
    assert_eq!(v["data"]["rows_ignored"]["no_show"], count("no_show"));
    assert_eq!(v["data"]["rows_read"], text.lines().count() as u64 - 1);
}

#[test]
fn a_trace_is_refused_where_an_output_may_not_go() {
    let dir = tempfile::tempdir().expect("temp");
    let trace = dir.path().join("t.csv");
    let t = trace.to_str().expect("utf-8");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--trace", t, "--trace-replication", "3"],
            "`--trace-replication 3`: the run has 3 replication(s), numbered from 0 to 2",
        ),
        (&["--trace", "/dev/null"], "not a regular file"),
        (
            &["--trace", "scenarios/example.toml"],
            "an output never replaces one of its own inputs",
        ),
        (
            &["--trace", t, "--shard", "1/2", "--part", "p.json"],
            "`--shard` cannot be used with `--trace`",
        ),
    ];
    for (flags, message) in cases {
        let out = portsim(
            &[
                &[
                    "run",
                    "scenarios/example.toml",
                    "-r",
                    "3",
                    "--horizon",
                    "1d",
                ][..],
                flags,
            ]
            .concat(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(message), "{flags:?}: {err}");
        assert!(!trace.exists(), "{flags:?}: nothing written");
    }
}
