//! Comparisons and attributions as a reader and a spreadsheet see them
//! (issue 14): the attribution table names its sides right, carries units
//! and intervals, and shows every term so that the terms add up; CSV
//! exports of comparisons and attributions; and unlike comparisons
//! (other horizons, costs on one side, two currencies) said out loud.
//!
//! A small two-stage port with costs is compared with patches that add a
//! lane and speed up service, with few replications and a fixed seed, so
//! the terminal output is pinned as a snapshot.

use std::path::Path;

use crate::reliability::{run, stderr};

/// The base port: two stages, costs in USD, a 4-day horizon.
fn base(horizon: &str, costs: &str) -> String {
    format!(
        r#"name = "Small port"
description = "two stages"
horizon = "{horizon}"
warmup = "1d"
seed = 11
replications = 4
[demand]
rate = "20/h"
[[stages]]
name = "customs"
lanes = 1
service = {{ dist = "exponential", mean = "2m30s" }}
[[stages]]
name = "exit"
lanes = 1
service = {{ dist = "exponential", mean = "1m" }}
{costs}"#
    )
}

const USD: &str = "[costs]\ncurrency = \"USD\"\nper_hour = 20\nper_truck = 5\n";

/// Writes the base port and two interventions into `d`: a second customs
/// lane, and a short road queue (which turns trucks away).
fn port(d: &Path) {
    std::fs::write(d.join("base.toml"), base("4d", USD)).expect("write");
    let stages = |lanes: u32, mean: &str| -> String {
        format!(
            "[[stages]]\nname = \"customs\"\nlanes = {lanes}\nservice = {{ dist = \"exponential\", mean = \"{mean}\" }}\n[[stages]]\nname = \"exit\"\nlanes = 1\nservice = {{ dist = \"exponential\", mean = \"1m\" }}\n"
        )
    };
    std::fs::write(
        d.join("lane.toml"),
        format!("extends = \"base.toml\"\n{}", stages(2, "2m30s")),
    )
    .expect("write");
    std::fs::write(
        d.join("queue.toml"),
        "extends = \"base.toml\"\n[port]\nroad_queue = 3\n",
    )
    .expect("write");
}

/// Runs `portsim ARGS` in `d` (reading its output as it comes, so a large
/// JSON document cannot fill the pipe) and expects success.
fn ok(d: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("portsim")
        .expect("the portsim binary is built")
        .current_dir(d)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("portsim runs");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ATTRIBUTE: [&str; 7] = [
    "compare",
    "base.toml",
    "--intervention",
    "lane.toml",
    "--intervention",
    "queue.toml",
    "-q",
];

#[test]
fn the_attribution_names_its_sides_and_shows_every_term_with_units() {
    let dir = tempfile::tempdir().expect("tempdir");
    port(dir.path());
    let text = ok(dir.path(), &ATTRIBUTE);
    assert!(
        text.starts_with(
            "baseline:          Small port\nall interventions: Small port + lane + queue\n"
        ),
        "{text}"
    );
    let attribution = &text[text
        .find("\nattribution of the combined change")
        .expect("attribution")..];
    // Durations in the comparison's unit, with intervals; no raw seconds.
    let time = attribution
        .lines()
        .find(|l| l.starts_with("  time in port: combined change"))
        .expect("time in port");
    assert!(
        time.contains(" min (95% CI ") && time.ends_with(" min)"),
        "{time}"
    );
    // Every term: each alone and the pair, then the total.
    for term in [
        "lane alone",
        "queue alone",
        "lane × queue",
        "= combined change",
    ] {
        assert_eq!(
            attribution.matches(term).count(),
            4,
            "{term}: {attribution}"
        );
    }
    // Shares with their intervals.
    assert!(
        attribution.contains("Shapley share  95% CI"),
        "{attribution}"
    );
    insta::assert_snapshot!("attribution", attribution);
}

/// The terms add up to the combined change in the CSV, for every metric.
#[test]
fn attribution_and_comparison_csvs_in_the_out_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    port(d);
    let mut args = ATTRIBUTE.to_vec();
    args.extend(["--out", "set"]);
    ok(d, &args);
    let read = |name: &str| {
        let mut r = csv::Reader::from_path(d.join("set").join(name)).expect("csv");
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .flatten()
            .map(|r| r.iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    };
    let (header, rows) = read("attribution.csv");
    let col = |n: &str| header.iter().position(|h| h == n).expect(n);
    let (metric, kind, value) = (col("metric"), col("kind"), col("value"));
    for m in [
        "throughput_per_day",
        "time_in_port_s",
        "steps_per_truck",
        "cost_per_truck",
    ] {
        let of = |k: &str| -> Vec<f64> {
            rows.iter()
                .filter(|r| r[metric] == m && r[kind] == k)
                .map(|r| r[value].parse().unwrap_or(f64::NAN))
                .collect()
        };
        let (combined, terms) = (of("combined"), of("term"));
        assert_eq!((combined.len(), terms.len()), (1, 3), "{m}");
        let sum: f64 = terms.iter().sum();
        assert!(
            (sum - combined[0]).abs() <= 1e-9 * combined[0].abs().max(1.0),
            "{m}: {sum} vs {combined:?}"
        );
        assert_eq!(of("shapley").len(), 2);
    }
    assert_eq!(header.last().map(String::as_str), Some("complete"));
    let (header, rows) = read("comparison.csv");
    assert_eq!(&header[..4], ["metric", "unit", "pairs", "baseline"]);
    let time = rows.iter().find(|r| r[0] == "time_in_port_s").expect("row");
    assert_eq!(time[1], "s");
    // Seconds, as in JSON: a stay of minutes is hundreds of seconds.
    assert!(time[3].parse::<f64>().is_ok_and(|x| x > 100.0), "{time:?}");
}

#[test]
fn compare_prints_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    port(dir.path());
    let text = ok(
        dir.path(),
        &["compare", "base.toml", "base.toml", "--format", "csv", "-q"],
    );
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "metric,unit,pairs,baseline,baseline_ci95_low,baseline_ci95_high,variant,variant_ci95_low,variant_ci95_high,change,change_ci95_low,change_ci95_high,change_pct,change_pct_ci95_low,change_pct_ci95_high,verdict,not_compared,complete"
        )
    );
    let throughput = lines.next().expect("a row");
    assert!(
        throughput.starts_with("throughput_per_day,trucks/day,4,"),
        "{throughput}"
    );
    assert!(throughput.ends_with(",true"), "{throughput}");
}

#[test]
fn other_horizons_compare_rates_but_not_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("a.toml"), base("4d", USD)).expect("write");
    std::fs::write(d.join("b.toml"), base("2d", "")).expect("write");
    let text = ok(d, &["compare", "a.toml", "b.toml", "-q"]);
    assert!(
        text.contains("differences: measured period 4 days vs 2 days (totals not compared); costs only in the baseline (cost not compared)"),
        "{text}"
    );
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("  {name} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("trucks arrived").contains("not compared"), "{text}");
    assert!(row("throughput").contains('%'), "{text}");
    // The side without costs shows n/a, never 0.
    let cost = row("cost per truck");
    assert!(cost.contains("n/a") && !cost.contains(" 0 USD"), "{cost}");
    assert!(text.contains("trucks arrived: not compared (a total over the measured period, which differs: 4 days vs 2 days)"), "{text}");
    let json = ok(
        d,
        &["compare", "a.toml", "b.toml", "-q", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(doc["metrics"]["trucks_arrived"]["verdict"], "not compared");
    assert!(doc["metrics"]["trucks_arrived"]["not_compared"].is_string());
    assert!(doc["metrics"]["cost_per_truck"]["variant"]["mean"].is_null());
    // Like sides say so.
    assert!(
        ok(d, &["compare", "a.toml", "a.toml", "-q"])
            .contains("differences: none in measured period, warm-up or costs")
    );
}

#[test]
fn costs_in_two_currencies_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("a.toml"), base("4d", USD)).expect("write");
    std::fs::write(d.join("b.toml"), base("4d", &USD.replace("USD", "EUR"))).expect("write");
    let out = run(d, &["compare", "a.toml", "b.toml", "-q"], 60);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot compare costs in USD (the baseline) with costs in EUR (the variant)"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_attribution_page_names_the_interventions_not_the_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    port(d);
    let mut args = ATTRIBUTE.to_vec();
    args.extend(["--html", "a.html"]);
    ok(d, &args);
    let page = std::fs::read_to_string(d.join("a.html")).expect("page");
    assert!(
        page.contains("Small port + lane + queue"),
        "the all-interventions side"
    );
    assert!(page.contains("the baseline with every intervention applied: lane, queue"));
    assert!(
        page.contains("base.toml + lane.toml + queue.toml"),
        "its files"
    );
    assert!(page.contains("how the change adds up") && page.contains("lane × queue"));
    assert!(page.contains("Shapley share (95% CI)"));
}

/// Issue 28: a whole scenario (or a patch of another file) given as an
/// intervention is refused with exit 2 and a message saying what it would
/// have done; `--force-intervention` says the mixture is meant.
#[test]
fn an_intervention_that_does_not_extend_the_baseline_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    port(d);
    std::fs::write(d.join("other.toml"), base("4d", "")).expect("write");
    std::fs::write(
        d.join("of-other.toml"),
        "extends = \"other.toml\"\n[port]\nroad_queue = 3\n",
    )
    .expect("write");
    let refused = |file: &str| {
        let out = run(
            d,
            &["compare", "base.toml", "--intervention", file, "-q"],
            60,
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with(&format!(
                "error: `{file}` is not an intervention on `base.toml`: "
            )),
            "{err}"
        );
        assert!(err.contains("extends = \"base.toml\""), "{err}");
        assert!(err.contains("a mixture of the two"), "{err}");
        assert!(err.contains("--force-intervention"), "{err}");
        assert!(out.stdout.is_empty(), "nothing ran");
        err
    };
    let whole = refused("other.toml");
    assert!(
        whole.contains("it has no `extends`: it is a whole scenario"),
        "{whole}"
    );
    let other = refused("of-other.toml");
    assert!(
        other.contains("it extends \"other.toml\", not the baseline"),
        "{other}"
    );
    // Said to be meant, it runs, with the interventions that do extend it.
    let text = ok(
        d,
        &[
            "compare",
            "base.toml",
            "--intervention",
            "other.toml",
            "--intervention",
            "lane.toml",
            "--force-intervention",
            "-r",
            "2",
            "-q",
        ],
    );
    assert!(
        text.contains("attribution of the combined change"),
        "{text}"
    );
}

/// Issue 28: the attribution table opens with one sentence per metric,
/// the same sentences the HTML report opens with.
#[test]
fn the_attribution_opens_with_a_sentence_per_metric_in_table_and_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    port(d);
    let mut args = ATTRIBUTE.to_vec();
    args.extend(["--html", "r.html"]);
    let text = ok(d, &args);
    let attribution = &text[text
        .find("\nattribution of the combined change")
        .expect("attribution")..];
    let sentences: Vec<&str> = attribution
        .lines()
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(sentences.len(), 4, "{attribution}");
    for (s, metric) in sentences.iter().zip([
        "throughput",
        "time in port",
        "clearance steps",
        "cost per truck",
    ]) {
        assert!(
            s.starts_with(metric)
                || s.contains(&format!("of the {metric}"))
                || s.contains(&format!("in {metric}")),
            "{s}"
        );
        assert!(s.ends_with('.'), "{s}");
    }
    // The lane does most of the cut in time in port.
    let time = sentences[1];
    assert!(
        time.starts_with("lane did ") && time.contains("of the cut in time in port of -"),
        "{time}"
    );
    let page = std::fs::read_to_string(d.join("r.html")).expect("page");
    let summary = page
        .find("id=\"attribution-summary\"")
        .expect("summary on the page");
    let headline = page.find(">Headline results<").expect("headline");
    assert!(summary < headline, "the summary comes after the comparison");
    for s in &sentences {
        // The page escapes nothing in these sentences but `>`, which they lack.
        assert!(
            page.contains(&format!("<li>{s}</li>")),
            "{s} not on the page"
        );
    }
    assert!(page.contains("<summary>How this is computed</summary>"));
}
