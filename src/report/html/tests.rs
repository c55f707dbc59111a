//! Tests of the HTML report on small real runs: user text is escaped, one
//! `<svg>` per chart, no URL anywhere, byte-identical output for the same
//! results, and a year of daily data with 30 replications stays small.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::*;
use crate::experiment::attribution::attribute;
use crate::experiment::compare::compare as compare_metric;
use crate::experiment::run::{RunOptions, run as run_scenario};
use crate::experiment::summary::HEADLINE;
use crate::scenario::parse;

/// A two-stage port open 08:00-18:00, with markup in every name.
fn scenario(horizon: &str, replications: u64, rate: &str, lanes: u32) -> Scenario {
    let text = format!(
        r#"name = "<script>alert('x')</script> & port"
description = "a \"quoted\" <b>description</b>"
horizon = "{horizon}"
seed = 7
replications = {replications}
[demand]
rate = "{rate}"
[port]
open = ["08:00-18:00"]
[[stages]]
name = "check<img src=x>"
lanes = {lanes}
service = "5m"
[[stages]]
name = "exit"
lanes = 1
service = "1m"
"#
    );
    match parse(&text, Path::new("t.toml")) {
        Ok(s) => s,
        Err(e) => panic!("test scenario: {e}"),
    }
}

fn execute(s: &Scenario) -> RunOutput {
    let cancel = AtomicBool::new(false);
    run_scenario(s, &RunOptions::for_scenario(s), &cancel, || {}).expect("run")
}

fn run_page(s: &Scenario) -> String {
    let out = execute(s);
    let manifest = Manifest::new(s, s.replications, 1, 0.0);
    run(s, &out, &manifest, &["a <warning>".to_owned()])
}

fn compare_page(with_attribution: bool) -> String {
    let b = scenario("2d", 3, "100/d", 1);
    let v = scenario("2d", 3, "100/d", 2);
    let (bo, vo) = (execute(&b), execute(&v));
    let changes: Vec<Change> = HEADLINE
        .iter()
        .filter_map(|m| {
            Some(compare_metric(
                (bo.summary.metric(m)?, &bo.summary.indices),
                (vo.summary.metric(m)?, &vo.summary.indices),
            ))
        })
        .collect();
    let names = vec!["more <lanes>".to_owned(), "other".to_owned()];
    let responses = vec![
        vec![1.0, 1.1, 0.9],
        vec![3.0, 3.2, 2.9],
        vec![2.0; 3],
        vec![5.0; 3],
    ];
    let metrics = vec![("throughput_per_day", attribute(2, &responses))];
    let manifest = Manifest::new(&b, 3, 1, 0.0);
    compare(&Comparison {
        baseline: Side {
            scenario: &b,
            summary: &bo.summary,
        },
        variant: Side {
            scenario: &v,
            summary: &vo.summary,
        },
        changes: &changes,
        manifest: &manifest,
        complete: true,
        differences: "differences: none in measured period, warm-up or costs",
        attribution: with_attribution.then_some(Attributions {
            names: &names,
            files: &[],
            metrics: &metrics,
        }),
    })
}

/// Every chart is one `<figure>` holding one `<svg>`.
fn charts(page: &str) -> usize {
    let svgs = page.matches("<svg").count();
    assert_eq!(svgs, page.matches("<figure>").count(), "one svg per figure");
    assert_eq!(svgs, page.matches("</svg>").count());
    svgs
}

#[test]
fn user_text_is_escaped() {
    let page = run_page(&scenario("1d", 2, "50/d", 1));
    assert!(!page.contains("<script"), "no script element at all");
    assert!(!page.contains("<img") && !page.contains("<b>") && !page.contains("<warning>"));
    assert!(page.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; port"));
    assert!(page.contains("check&lt;img src=x&gt;"));
    assert!(page.contains("&quot;quoted&quot;"));
    let page = compare_page(true);
    assert!(!page.contains("<script") && !page.contains("<lanes>"));
    assert!(page.contains("more &lt;lanes&gt;"));
}

#[test]
fn one_svg_per_chart() {
    // Daily, hourly flow, waiting, time in port, stages, where the time
    // goes.
    assert_eq!(charts(&run_page(&scenario("1d", 2, "50/d", 1))), 6);
    // Hourly flow and stages once per side; plus the Shapley chart.
    assert_eq!(charts(&compare_page(false)), 7);
    assert_eq!(charts(&compare_page(true)), 8);
}

#[test]
fn references_nothing_outside_the_page() {
    for page in [run_page(&scenario("1d", 2, "50/d", 1)), compare_page(true)] {
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("src=\"") && !page.contains("href=") && !page.contains("@import"));
        // The only url(...) are fills that point at patterns in the page.
        assert_eq!(page.matches("url(").count(), page.matches("url(#").count());
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    }
}

#[test]
fn same_results_give_the_same_bytes() {
    let s = scenario("1d", 2, "50/d", 1);
    assert_eq!(run_page(&s), run_page(&s));
    assert_eq!(compare_page(true), compare_page(true));
}

#[test]
fn a_year_of_thirty_replications_stays_small() {
    let s = scenario("365d", 30, "40/d", 1);
    let out = execute(&s);
    assert_eq!(out.summary.daily_departures.len(), 365);
    let manifest = Manifest::new(&s, 30, 1, 0.0);
    let page = run(&s, &out, &manifest, &[]);
    assert!(page.len() < 400_000, "{} bytes", page.len());
}

#[test]
fn closed_gate_hours_are_shaded() {
    let s = scenario("1d", 1, "10/d", 1);
    assert_eq!(charts::closed_hours(&s), vec![(0.0, 8.0), (18.0, 24.0)]);
    assert!(run_page(&s).contains("gate closed"));
}

#[test]
fn metrics_carry_units_and_verdicts() {
    let page = compare_page(false);
    for text in [
        "/day",
        "95% CI",
        "trucks that left the port, per day",
        "baseline",
        "variant",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert!(
        ["improved", "worsened", "no significant change"]
            .iter()
            .any(|v| page.contains(v))
    );
    let page = run_page(&scenario("1d", 2, "50/d", 1));
    assert!(page.contains("portsim simulation report") && page.contains("seed 7"));
    assert!(page.contains(&scenario_hash(&scenario("1d", 2, "50/d", 1))));
}

/// Issue 28: the report described some metrics by their raw key
/// (`trucks_diverted`). Every headline metric and cost part has a short
/// meaning in words.
#[test]
fn every_metric_has_a_meaning_in_words() {
    use crate::experiment::summary::COST_PARTS;
    for key in HEADLINE.iter().chain(&COST_PARTS) {
        let meaning = tables::meaning(key, "CNY");
        assert!(
            !HEADLINE
                .iter()
                .chain(&COST_PARTS)
                .any(|k| meaning.contains(k)),
            "{key}: `{meaning}` names a metric by its key"
        );
    }
}
