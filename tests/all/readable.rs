//! Outputs a non-programmer can read (issue 14): every CSV column is
//! defined in docs/metrics.md, durations are in seconds with the unit in
//! the column name, days count from 1 with their weekday, the hour-of-day
//! file says what it holds, a run's table keeps one unit per column for
//! all trucks and every class, tables point to the definitions, and the
//! HTML report carries the inputs, per-class results, the cost breakdown,
//! weekday labels and the definitions.

use crate::reliability::{bundled, run, stderr};

fn header(path: &std::path::Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    r.headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_csv_column_is_defined_in_the_metric_definitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let example = bundled("scenarios/example.toml");
    let ex = example.to_str().expect("utf-8");
    let out = run(d, &["run", ex, "-r", "2", "-q", "--out", "run"], 60);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(d.join("summary.csv"), &out.stdout).expect("write");
    let out = run(d, &["run", ex, "-r", "2", "-q", "--format", "csv"], 60);
    std::fs::write(d.join("summary.csv"), &out.stdout).expect("write");
    std::fs::write(
        d.join("patch.toml"),
        format!("extends = {ex:?}\n[port]\nroad_queue = 50\n"),
    )
    .expect("write");
    let out = run(
        d,
        &[
            "compare",
            ex,
            "--intervention",
            "patch.toml",
            "-r",
            "2",
            "-q",
            "--out",
            "cmp",
        ],
        60,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let docs = std::fs::read_to_string(bundled("docs/metrics.md")).expect("docs/metrics.md");
    let mut files = vec![d.join("summary.csv")];
    for set in ["run", "cmp"] {
        for e in std::fs::read_dir(d.join(set)).expect("set").flatten() {
            if e.path().extension().is_some_and(|x| x == "csv") {
                files.push(e.path());
            }
        }
    }
    assert_eq!(files.len(), 1 + 5 + 2, "{files:?}");
    for file in files {
        for column in header(&file) {
            let base = column
                .strip_suffix("_ci95_low")
                .or_else(|| column.strip_suffix("_ci95_high"))
                .unwrap_or(&column);
            let plain = column.starts_with("ci95_");
            assert!(
                docs.contains(&format!("`{base}`"))
                    || (plain && docs.contains(&format!("`{column}`"))),
                "{}: column `{column}` is not defined in docs/metrics.md",
                file.display()
            );
        }
    }
}

#[test]
fn days_count_from_one_with_their_weekday_and_hours_say_per_hour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let text = "name = \"w\"\nhorizon = \"3d\"\nwarmup = \"2d\"\nstart = \"sat\"\nreplications = 2\n[demand]\nrate = \"24/d\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = \"1m\"\n";
    std::fs::write(d.join("w.toml"), text).expect("write");
    let out = run(
        d,
        &["run", "w.toml", "-q", "--out", "o", "--html", "w.html"],
        60,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let daily = std::fs::read_to_string(d.join("o/daily.csv")).expect("daily");
    let days: Vec<&str> = daily
        .lines()
        .skip(1)
        .map(|l| &l[..l.find(",").unwrap_or(0) + 4])
        .collect();
    // Two days of warm-up from a Saturday: the measured days are Mon to Wed.
    assert_eq!(days, ["1,Mon", "2,Tue", "3,Wed"], "{daily}");
    let hourly = header(&d.join("o/hourly.csv"));
    assert_eq!(&hourly[..2], ["hour_of_day", "arrivals_per_hour"]);
    assert!(hourly.contains(&"waiting_trucks".to_owned()));
    // 24 trucks a day, evenly: about one an hour, not 24.
    let mut r = csv::Reader::from_path(d.join("o/hourly.csv")).expect("csv");
    let total: f64 = r
        .records()
        .flatten()
        .map(|row| row[1].parse::<f64>().unwrap_or(0.0))
        .sum();
    assert!(
        (10.0..40.0).contains(&total),
        "arrivals per hour add up to a day's: {total}"
    );
    let page = std::fs::read_to_string(d.join("w.html")).expect("page");
    assert!(
        page.contains("day 1 (Mon)") && page.contains(">day 3 (Wed)<"),
        "weekday ticks"
    );
}

#[test]
fn a_run_table_keeps_one_unit_per_column_and_points_to_the_definitions() {
    let out = crate::cli_run::portsim(&["run", "scenarios/example.toml", "-r", "3", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let unit_of = |line: &str, key: &str| -> Option<String> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.split_whitespace().nth(1).map(str::to_owned)
    };
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  time in port "))
        .collect();
    assert!(rows.len() >= 3, "all trucks and classes: {text}");
    for key in ["p50 ", "p95 "] {
        let units: Vec<Option<String>> = rows.iter().map(|l| unit_of(l, key)).collect();
        assert!(
            units.windows(2).all(|w| w[0] == w[1]),
            "{key}: {units:?}\n{text}"
        );
    }
    assert!(
        text.trim_end().ends_with(
            "definitions of every metric (which trucks, unit, interval): docs/metrics.md"
        ) || text.contains("docs/metrics.md"),
        "{text}"
    );
    assert!(text.contains("utilisation = busy lane-time / on-duty lane-time, at most 100%"));
}

#[test]
fn the_run_page_shows_inputs_classes_costs_and_definitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = bundled("scenarios/example.toml");
    let out = run(
        dir.path(),
        &[
            "run",
            ex.to_str().expect("utf-8"),
            "-r",
            "2",
            "-q",
            "--html",
            "p.html",
        ],
        60,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("p.html")).expect("page");
    for text in [
        "What was simulated",
        "gate open",
        "lane-hours a day (mean)",
        "appointments",
        "Per class of trucks",
        "perishable",
        "Cost per truck",
        "time in port (per truck-hour)",
        "What the metrics mean",
        "cost_fixed_per_truck",
        "docs/metrics.md",
    ] {
        assert!(page.contains(text), "the page lacks {text:?}");
    }
    assert!(!page.contains("<script") && !page.contains("href=") && !page.contains("http"));
    assert!(page.len() < 120_000, "{} bytes", page.len());
}
