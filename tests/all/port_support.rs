//! Shared helpers for the port-level modules: read a TOML scenario from a
//! string, run all its replications through the library, and check the
//! truck-count conservation identity on every replication.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use portsim::experiment::estimate::{Estimate, t_quantile_975};
use portsim::experiment::run::{RunOptions, RunOutput, run};
use portsim::experiment::summary::Metric;
use portsim::model::{ClassResult, Counts};
use portsim::scenario::{Scenario, parse};

/// Ticks (milliseconds) per second.
pub const SECOND_MS: f64 = 1_000.0;

/// Parses `text` as a scenario, panicking with the rendered diagnostics.
pub fn scenario(text: &str) -> Scenario {
    parse(text, Path::new("test-scenario.toml"))
        .unwrap_or_else(|e| panic!("test scenario is invalid:\n{e}\n---\n{text}"))
}

/// Runs every replication of `s` on all cores, keeping the raw results,
/// and checks conservation.
pub fn run_all(s: &Scenario) -> RunOutput {
    let out = run(
        s,
        &RunOptions {
            keep_reps: true,
            ..RunOptions::for_scenario(s)
        },
        &AtomicBool::new(false),
        || {},
    )
    .expect("scenario runs");
    assert!(out.complete, "all replications completed");
    assert!(
        out.summary.stopped.is_empty(),
        "no replication was stopped: {:?}",
        out.summary.stopped
    );
    assert_conserved(&out);
    out
}

/// Parses and runs `text`.
pub fn run_text(text: &str) -> (Scenario, RunOutput) {
    let s = scenario(text);
    let out = run_all(&s);
    (s, out)
}

/// The two flow balances, written out term by term (independently of
/// `Counts::system_balanced`, so a slip there is caught here).
pub fn conserved(what: &str, c: &Counts) {
    assert_eq!(
        c.in_port_start + c.booked_start + c.equeue_start + c.offered,
        c.cleared
            + c.turned_away
            + c.diverted
            + c.reneged
            + c.no_shows
            + c.in_port_end
            + c.booked_ahead
            + c.equeue_end,
        "{what}: at start + offered = cleared + turned away + diverted + reneged + no-shows + at end ({c:?})"
    );
    // A truck that diverts never arrives (at the road as at the e-queue).
    assert_eq!(
        c.in_port_start + c.arrived + c.turned_away_no_slot + c.reneged_offsite,
        c.cleared + c.turned_away + c.reneged + c.in_port_end,
        "{what}: at the port at start + arrived = cleared + turned away and reneged at the port + at the port at end ({c:?})"
    );
    assert_eq!(
        c.equeue_start + c.registered,
        c.called + c.reneged_offsite + c.equeue_end,
        "{what}: the e-queue's balance ({c:?})"
    );
}

/// Both flow balances for all trucks and for each class in every
/// replication, and the classes add up to all trucks.
pub fn assert_conserved(out: &RunOutput) {
    for (i, r) in &out.reps {
        conserved(&format!("replication {i}, all trucks"), &r.all.counts);
        let mut sum = Counts::default();
        for (c, class) in r.classes.iter().enumerate() {
            conserved(&format!("replication {i}, class {c}"), &class.counts);
            sum += class.counts;
        }
        assert_eq!(sum, r.all.counts, "replication {i}: classes add up");
    }
}

/// Sum of `f` over the replications.
pub fn total(out: &RunOutput, f: impl Fn(&ClassResult) -> u64) -> u64 {
    out.reps.iter().map(|(_, r)| f(&r.all)).sum()
}

/// The headline metric `name` of a metric list.
pub fn metric<'a>(list: &'a [Metric], name: &str) -> &'a Metric {
    list.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("metric `{name}`"))
}

/// Asserts that `analytic` lies in the 95% CI of `est` and the relative
/// error is below `tolerance`, printing both so a failure can be read.
pub fn assert_close(what: &str, est: &Estimate, analytic: f64, tolerance: f64) {
    crate::support::assert_agrees(what, *est, analytic, tolerance);
}

/// Asserts that the mean of `est` is within 4 standard errors of
/// `analytic` (the standard error is the CI half-width over the Student t
/// quantile; |t| > 4 has probability below 0.4% at 9 or more degrees of
/// freedom) and within `tolerance` relative error.
pub fn assert_within_se(what: &str, est: &Estimate, analytic: f64, tolerance: f64) {
    let half = est.half_width().expect("at least two replications");
    let se = half / t_quantile_975(est.n - 1);
    let rel = (est.mean - analytic).abs() / analytic.abs();
    eprintln!(
        "{what}: simulated {:.4} ± {se:.4} (SE), analytic {analytic:.4}, {:.2} SE off, error {:.2}%",
        est.mean,
        (est.mean - analytic).abs() / se,
        rel * 100.0
    );
    assert!(
        (est.mean - analytic).abs() <= 4.0 * se,
        "{what}: simulated {} more than 4 SE ({se}) from {analytic}",
        est.mean
    );
    assert!(
        rel < tolerance,
        "{what}: relative error {rel} above {tolerance} (simulated {}, analytic {analytic})",
        est.mean
    );
}

/// Asserts `|observed − expected| ≤ k·sd`, printing the figures.
pub fn assert_within_sd(what: &str, observed: f64, expected: f64, sd: f64, k: f64) {
    eprintln!(
        "{what}: observed {observed:.5}, expected {expected:.5}, sd {sd:.5}, {:.2} sd off",
        (observed - expected).abs() / sd
    );
    assert!(
        (observed - expected).abs() <= k * sd,
        "{what}: observed {observed}, expected {expected} ± {k}·{sd}"
    );
}
