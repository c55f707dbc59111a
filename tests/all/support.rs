//! Shared helpers: queueing formulas and replicated runs of the reference
//! tandem network.

use portsim::engine::dist::Dist;
use portsim::engine::streams::Streams;
use portsim::engine::tandem::{self, StationSpec, TandemResult, TandemSpec};
use portsim::experiment::estimate::Estimate;
use portsim::experiment::replications::run_replications;

/// Ticks per unit of model time in the validation cases. Service times of
/// 10 000 ticks make rounding to whole ticks negligible (relative bias
/// below 1e-5).
pub const UNIT: f64 = 10_000.0;

/// Erlang's C formula: the probability that an arrival waits in an M/M/c
/// queue with offered load `a = λ/μ`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let last = term / (1.0 - rho);
    last / (sum + last)
}

/// Mean wait in queue of M/M/c with arrival rate `lambda`, service rate `mu`.
pub fn mmc_wq(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// Pollaczek–Khinchine mean wait in an M/G/1 queue.
pub fn mg1_wq(lambda: f64, mean_s: f64, sd_s: f64) -> f64 {
    let rho = lambda * mean_s;
    lambda * (sd_s * sd_s + mean_s * mean_s) / (2.0 * (1.0 - rho))
}

/// A network with Poisson arrivals at rate `lambda` (per unit) through the
/// given stations, run for `customers` expected arrivals after a warm-up of
/// `warmup_fraction` of that.
pub fn network(lambda: f64, stations: Vec<(u32, Dist)>, customers: f64) -> TandemSpec {
    let horizon = customers / lambda * UNIT;
    TandemSpec {
        interarrival: Dist::Exponential {
            mean: UNIT / lambda,
        },
        stations: stations
            .into_iter()
            .map(|(servers, service)| StationSpec { servers, service })
            .collect(),
        warmup: (horizon * 0.1) as u64,
        horizon: horizon as u64,
        max_arrivals: None,
    }
}

/// Exponential service with rate `mu` per unit, in ticks.
pub fn exp_service(mu: f64) -> Dist {
    Dist::Exponential { mean: UNIT / mu }
}

/// Runs `reps` replications on all cores.
pub fn replicate(
    spec: &TandemSpec,
    seed: u64,
    reps: u64,
    threads: Option<usize>,
) -> Vec<TandemResult> {
    run_replications(
        reps,
        threads,
        |i| tandem::run(spec, &Streams::new(seed, i)),
        || {},
    )
    .expect("thread pool")
    .into_iter()
    .map(|r| r.expect("valid spec"))
    .collect()
}

/// The estimate of a per-replication quantity, in units.
pub fn estimate(results: &[TandemResult], f: impl Fn(&TandemResult) -> f64) -> Estimate {
    let xs: Vec<f64> = results.iter().map(|r| f(r) / UNIT).collect();
    Estimate::from_samples(&xs)
}

/// Asserts that `analytic` lies in the replication CI and that the relative
/// error is below `tolerance`.
pub fn assert_agrees(what: &str, est: Estimate, analytic: f64, tolerance: f64) {
    let rel = (est.mean - analytic).abs() / analytic.abs();
    let [lo, hi] = est.ci95.expect("at least two replications");
    eprintln!(
        "{what}: simulated {:.4} [{lo:.4}, {hi:.4}], analytic {analytic:.4}, error {:.2}%, half-width {:.2}%",
        est.mean,
        rel * 100.0,
        (hi - lo) / 2.0 / analytic.abs() * 100.0
    );
    assert!(
        est.covers(analytic),
        "{what}: analytic {analytic} outside the 95% CI [{lo}, {hi}]"
    );
    assert!(
        rel < tolerance,
        "{what}: relative error {rel} above {tolerance} (simulated {}, analytic {analytic})",
        est.mean
    );
}

/// Little's law on every replication: L = λW within `tolerance`.
pub fn assert_little(what: &str, results: &[TandemResult], tolerance: f64) {
    for (i, r) in results.iter().enumerate() {
        let l = r.mean_in_system;
        let lw = r.arrival_rate * r.sojourn.mean();
        let rel = (l - lw).abs() / l;
        assert!(
            rel < tolerance,
            "{what}, replication {i}: L = {l}, λW = {lw} (relative gap {rel})"
        );
    }
}
