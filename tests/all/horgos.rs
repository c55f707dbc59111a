//! The Horgos reforms, reproduced by the model.
//!
//! `portsim compare scenarios/horgos-before.toml scenarios/horgos-after.toml`
//! is held against the gains reported at Horgos (docs/sources.md):
//! clearance steps −60 % (±5 points), business cost −50 % (−40 to −60 %),
//! more than 1,000 departures a day after, and time in port of 24–72 h
//! before and 3–10 h after, at any horizon from 14 to 84 days. Throughput
//! +80 % (+70 to +90 %) is *not* reached with the parameters the sources
//! support: counting departures, the before port clears what its pacing
//! desks allow in 7.5 open hours (~656 a day), and the after port what
//! arrives (~1,100), a gain of ~+68 %. docs/horgos.md explains the miss;
//! the tests check the gain against that capacity arithmetic, not against
//! the target. The figures come from the scenario files and the model;
//! these tests only check that they emerge. Each intervention alone must
//! move the metrics the expected way, halving the after scenario's
//! bottleneck must cost throughput, and common random numbers must narrow
//! the comparison's intervals.

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
        (base.metric(metric).expect("metric"), &base.indices),
        (variant.metric(metric).expect("metric"), &variant.indices),
    )
}

/// The trucks a day the port's tightest stage lets through: each stage's
/// capacity over its expected visits per truck, the smallest of them.
fn bottleneck_rate(scenario: &Scenario, s: &Summary) -> f64 {
    let per_truck = portsim::scenario::visits_per_truck(scenario);
    s.stages
        .iter()
        .zip(per_truck)
        .map(|(st, v)| st.flow.capacity_per_day / v)
        .fold(f64::INFINITY, f64::min)
}

/// The Horgos pair measured over `horizon`, checked against the targets.
fn check_pair(horizon: u64, reps: u64) -> f64 {
    let mut before = load(BEFORE);
    let mut after = load(AFTER);
    before.horizon = horizon;
    after.horizon = horizon;
    let b = summary(&before, None, reps);
    let a = summary(&after, Some(before.seed), reps);
    let days = horizon / 86_400_000;
    let pct = |m| change(&b, &a, m).change_pct.mean;
    let mean = |s: &Summary, m| s.metric(m).expect("metric").estimate.mean;
    let (steps, throughput, cost) = (
        pct("steps_per_truck"),
        pct("throughput_per_day"),
        pct("cost_per_truck"),
    );
    eprintln!("{days} d: steps {steps:+.1}%, throughput {throughput:+.1}%, cost {cost:+.1}%");
    assert!(
        (-65.0..=-55.0).contains(&steps),
        "{days} d: steps {steps:+.1}%"
    );
    assert!(
        (-60.0..=-40.0).contains(&cost),
        "{days} d: cost {cost:+.1}%"
    );
    // Throughput is what the capacity arithmetic says, not the +80 %
    // reported: the before port passes what its tightest stage can in its
    // open hours (overtime at closing adds a few percent), the after port
    // what arrives (its exit keeps up with ~1 % to spare).
    let (tb, ta) = (
        mean(&b, "throughput_per_day"),
        mean(&a, "throughput_per_day"),
    );
    let pace = bottleneck_rate(&before, &b);
    assert!(
        (0.98 * pace..=1.06 * pace).contains(&tb),
        "{days} d: before {tb:.0}/day against a bottleneck of {pace:.0}/day"
    );
    let arriving = a.gate.arrivals_per_day.mean;
    assert!(
        (0.99 * arriving..=arriving).contains(&ta),
        "{days} d: after {ta:.0}/day of {arriving:.0} arriving"
    );
    assert!(ta > 1_000.0, "{days} d: after {ta:.0} departures a day");
    assert!(
        (60.0..=75.0).contains(&throughput),
        "{days} d: throughput {throughput:+.1}%"
    );
    let hours = |s: &Summary| mean(s, "time_in_port_s") / 3600.0;
    let (hb, ha) = (hours(&b), hours(&a));
    eprintln!("{days} d: time in port {hb:.1} h -> {ha:.1} h");
    assert!(
        (24.0..=72.0).contains(&hb),
        "{days} d: before {hb:.1} h in port"
    );
    assert!(
        (3.0..=10.0).contains(&ha),
        "{days} d: after {ha:.1} h in port"
    );
    for m in [
        "steps_per_truck",
        "throughput_per_day",
        "cost_per_truck",
        "time_in_port_s",
        "time_in_port_s.p95",
    ] {
        assert_eq!(
            change(&b, &a, m).verdict(),
            Verdict::Improved,
            "{days} d: {m}"
        );
    }
    throughput
}

#[test]
fn before_after_holds_the_targets_at_the_bundled_horizon() {
    let before = load(BEFORE);
    check_pair(before.horizon, before.replications);
}

/// The figures are properties of the ports, not of how long one looks:
/// the throughput gain at 14 and 84 days agrees within a point and a half.
#[test]
fn before_after_holds_at_short_and_long_horizons() {
    let short = check_pair(14 * 86_400_000, 12);
    let long = check_pair(84 * 86_400_000, 8);
    assert!(
        (short - long).abs() < 1.5,
        "throughput gain {short:+.1}% at 14 d, {long:+.1}% at 84 d"
    );
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
    // The bottleneck is the stage with the highest load.
    let bottleneck = base.bottleneck().expect("stages");
    let mut halved = after.clone();
    let lanes = after.stages[bottleneck].own_lanes().expect("own lanes");
    halved.stages[bottleneck].lanes = portsim::scenario::Lanes::Own(lanes.map_values(|v| v / 2));
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
