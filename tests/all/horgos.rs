//! The Horgos reforms, reproduced by the model.
//!
//! `portsim compare scenarios/horgos-before.toml scenarios/horgos-after.toml`
//! must show the gains reported at Horgos (shared/domain.md): clearance steps
//! −60 % (±5 points), throughput +80 % (+70 to +90 %), business cost −50 %
//! (−40 to −60 %), more than 1,000 departures a day after, and time in port
//! of 24–72 h before and 3–10 h after. The figures come from the scenario
//! files and the model; these tests only check that they emerge. Each
//! intervention alone must move the metrics the expected way, halving the
//! after scenario's bottleneck must cost throughput, and common random
//! numbers must narrow the comparison's intervals.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use portsim::experiment::compare::{Change, Verdict, compare};
use portsim::experiment::run::{RunOptions, run};
use portsim::experiment::summary::Summary;
use portsim::scenario::{self, Scenario};

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn load(rel: &str) -> Scenario {
    scenario::load(&path(rel)).expect("bundled scenario loads")
}

fn patched(patches: &[&str]) -> Scenario {
    let patches: Vec<PathBuf> = patches.iter().map(|p| path(p)).collect();
    scenario::load_patched(&path("scenarios/horgos-before.toml"), &patches).expect("patches apply")
}

const BEFORE: &str = "scenarios/horgos-before.toml";
const AFTER: &str = "scenarios/horgos-after.toml";
const H24: &str = "scenarios/interventions/24h-opening.toml";
const ONE_STOP: &str = "scenarios/interventions/one-stop-inspection.toml";
const APPOINTMENTS: &str = "scenarios/interventions/appointments.toml";

/// Runs `s` with `seed` (default: its own) and `reps` replications.
fn summary(s: &Scenario, seed: Option<u64>, reps: u64) -> Summary {
    let mut s = s.clone();
    if let Some(seed) = seed {
        s.seed = seed;
    }
    let options = RunOptions {
        replications: reps,
        ..RunOptions::for_scenario(&s)
    };
    run(&s, &options, &AtomicBool::new(false), || {})
        .expect("runs")
        .summary
}

fn change(base: &Summary, variant: &Summary, metric: &str) -> Change {
    compare(
        base.metric(metric).expect("metric"),
        variant.metric(metric).expect("metric"),
    )
}

#[test]
fn before_after_reproduces_the_reported_gains() {
    let before = load(BEFORE);
    let after = load(AFTER);
    let b = summary(&before, None, before.replications);
    let a = summary(&after, Some(before.seed), before.replications);
    let pct = |m| change(&b, &a, m).change_pct.mean;
    let mean = |s: &Summary, m| s.metric(m).expect("metric").estimate.mean;
    let (steps, throughput, cost) = (
        pct("steps_per_truck"),
        pct("throughput_per_day"),
        pct("cost_per_truck"),
    );
    eprintln!("steps {steps:+.1}%, throughput {throughput:+.1}%, cost {cost:+.1}%");
    assert!(
        (-65.0..=-55.0).contains(&steps),
        "clearance steps {steps:+.1}%"
    );
    assert!(
        (70.0..=90.0).contains(&throughput),
        "throughput {throughput:+.1}%"
    );
    assert!(
        (-60.0..=-40.0).contains(&cost),
        "cost per truck {cost:+.1}%"
    );
    let daily = mean(&a, "throughput_per_day");
    assert!(daily > 1_000.0, "after: {daily:.0} departures a day");
    let hours = |s: &Summary| mean(s, "time_in_port_s") / 3600.0;
    let (tb, ta) = (hours(&b), hours(&a));
    eprintln!("time in port {tb:.1} h -> {ta:.1} h");
    assert!((24.0..=72.0).contains(&tb), "before: {tb:.1} h in port");
    assert!((3.0..=10.0).contains(&ta), "after: {ta:.1} h in port");
    // Every one of those changes is significant, not noise.
    for m in [
        "steps_per_truck",
        "throughput_per_day",
        "cost_per_truck",
        "time_in_port_s",
    ] {
        assert_eq!(change(&b, &a, m).verdict(), Verdict::Improved, "{m}");
    }
}

#[test]
fn after_is_the_baseline_with_all_three_interventions() {
    // horgos-after.toml must equal the union of the patches, so the factorial
    // attribution's "all interventions" corner is the after scenario.
    let after = load(AFTER);
    let combined = patched(&[H24, ONE_STOP, APPOINTMENTS]);
    let a = summary(&after, Some(1), 3);
    let c = summary(&combined, Some(1), 3);
    for (x, y) in a.metrics.iter().zip(&c.metrics) {
        let bits = |m: &portsim::experiment::summary::Metric| {
            m.samples.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        };
        assert_eq!(bits(x), bits(y), "{} differs", x.name);
    }
}

#[test]
fn each_intervention_alone_moves_the_metrics_the_expected_way() {
    let before = load(BEFORE);
    let reps = 10;
    let base = summary(&before, None, reps);
    let improved = |patch: &str, metrics: &[&str]| {
        let s = summary(&patched(&[patch]), Some(before.seed), reps);
        for m in metrics {
            let c = change(&base, &s, m);
            assert_eq!(
                c.verdict(),
                Verdict::Improved,
                "{patch}: {m} changed {:+.1}% (CI {:?})",
                c.change_pct.mean,
                c.change.ci95
            );
        }
    };
    improved(
        H24,
        &["throughput_per_day", "time_in_port_s", "cost_per_truck"],
    );
    improved(
        ONE_STOP,
        &["steps_per_truck", "cost_per_truck", "time_in_port_s"],
    );
    improved(APPOINTMENTS, &["time_in_port_s", "cost_per_truck"]);
}

#[test]
fn halving_the_after_bottleneck_lowers_throughput() {
    let after = load(AFTER);
    let reps = 6;
    let base = summary(&after, None, reps);
    // The bottleneck is the stage whose lanes are busiest.
    let bottleneck = portsim::report::table::bottleneck(&base).expect("stages");
    let mut halved = after.clone();
    halved.stages[bottleneck].capacity = after.stages[bottleneck].capacity.map_values(|v| v / 2);
    let h = summary(&halved, None, reps);
    let c = change(&base, &h, "throughput_per_day");
    eprintln!(
        "halving `{}`: throughput {:+.1}%",
        after.stages[bottleneck].name, c.change_pct.mean
    );
    assert_eq!(c.verdict(), Verdict::Worsened);
    assert!(c.change_pct.mean < -10.0, "{:+.1}%", c.change_pct.mean);
}

#[test]
fn common_random_numbers_narrow_the_comparison() {
    // Paired: the variant reuses the baseline's seed, so replication i of
    // both sees the same arrivals. Independent: the variant gets another
    // seed (fixed before looking). Pairing narrows the CI of the difference
    // wherever both sides respond to the shared sources: demand itself, and
    // the time in port and cost, which follow the arrival pattern in the
    // after case. It does not help throughput on this pair (measured: 3.5
    // vs 2.5 trucks/day half-widths): the saturated baseline's throughput is
    // set by its own service draws, which share no stream with the after
    // case's different stages.
    let before = load(BEFORE);
    let after = load(AFTER);
    let reps = 20;
    let b = summary(&before, None, reps);
    let paired = summary(&after, Some(before.seed), reps);
    let independent = summary(&after, Some(before.seed + 1_000_003), reps);
    let width = |v: &Summary, m: &str| change(&b, v, m).change.half_width().expect("interval");
    for (m, at_most) in [
        ("trucks_arrived", 0.5),
        ("time_in_port_s", 0.8),
        ("cost_per_truck", 0.8),
    ] {
        let (p, i) = (width(&paired, m), width(&independent, m));
        eprintln!(
            "{m}: CI half-width paired {p:.2}, independent {i:.2} ({:.0}%)",
            100.0 * p / i
        );
        assert!(p < at_most * i, "{m}: paired {p} vs independent {i}");
    }
}
