//! The full port model against queueing theory, through a TOML scenario.
//!
//! `validation_queueing` checks the engine's reference tandem network; this
//! module checks the port model itself (scenario reader, arrival generator,
//! gate, stage pools, statistics and summary) on the one configuration
//! with a closed form: a single always-open stage with unlimited parking
//! and road, Poisson arrivals (`rate`), exponential service and c lanes is
//! an M/M/c queue. For c = 1 and c = 3 at utilisation 0.5 and 0.8:
//!
//! * the mean stage wait (`stages[0].wait`) must agree with the Erlang-C
//!   Wq: the analytic value inside the 95% CI across 20 replications, and
//!   the relative error below 2.5%: about 2.5–3 times the CI half-widths
//!   (≈ 5–6 standard errors) that a pilot run with another seed gave at
//!   these run lengths (0.8–1.0%, listed per case below);
//! * utilisation must equal ρ (within 4 standard errors);
//! * Little's law must hold for the whole port on every replication:
//!   mean trucks in port (stage queue + busy lanes = queue length +
//!   utilisation × c, since the stage is always open and nobody waits on
//!   the road) equals throughput × mean time in port, within 0.5% (the only
//!   gap is trucks straddling the ends of the measured period: a few
//!   against 10⁵ or more per replication).
//!
//! Service has a mean of one minute; every case runs 200 days (between
//! 144 000 and 691 000 trucks per replication) after a warm-up of 20 days
//! (10%), far longer than the queues' relaxation times (under two hours).

use crate::port_support::*;
use crate::support::mmc_wq;

/// Seeds: one per case, `SEED + case`, so the four checks are independent.
///
/// History, so nobody mistakes these seeds for tuned ones. Named streams
/// give runs with the same seed the same random numbers (common random
/// numbers), so a single seed for all cases makes them one draw: seed 2027
/// for all erred high in every case (+0.9%, +1.1%, +1.1%, +0.4%), two just
/// outside their CIs. Seeds 3001–3004 then missed once: case 1 at
/// t = −3.8, from a low mean and an unusually small sample variance (the
/// per-replication means of a queue are right-skewed, so the t interval
/// under-covers a little on the low side). Against that, 40 seeds of case 1
/// gave t statistics centred on 0 (4 of 40 outside ±2.09) and 12 runs of 40
/// replications of cases 2 and 3 erred between −0.6% and +0.3%: no bias.
/// The horizon of case 1 was then doubled to 200 days (less skew) and the
/// seeds moved to 4001–4004, fixed before they were run. A change to the
/// model that re-rolls the random numbers has a few percent chance per case
/// of a miss; look at the printed t-like figures before suspecting a bug.
const SEED: u64 = 4000;

/// Runs an M/M/c port with `c` lanes at utilisation `rho` for `days` (case
/// number `case`), and checks Wq, utilisation and Little's law.
fn check_mmc_port(case: u64, c: u32, rho: f64, days: u32, tolerance: f64) {
    let seed = SEED + case;
    let per_hour = rho * f64::from(c) * 60.0;
    let warmup = days / 10;
    let (_, out) = run_text(&format!(
        r#"
name = "M/M/{c} port"
seed = {seed}
horizon = "{days}d"
warmup = "{warmup}d"
replications = 20
[demand]
rate = "{per_hour}/h"
[[stages]]
name = "desk"
lanes = {c}
service = {{ dist = "exponential", mean = "1m" }}
"#
    ));
    let name = format!("M/M/{c} port at rho {rho}");
    // Rates per second: λ arrivals, μ = 1/60 services per lane.
    let lambda = per_hour / 3600.0;
    let wq = mmc_wq(c, lambda, 1.0 / 60.0);
    let stage = &out.summary.stages[0];
    assert_close(
        &format!("{name}, stage wait Wq (s)"),
        &stage.wait.estimate,
        wq,
        tolerance,
    );
    assert_within_se(
        &format!("{name}, utilisation"),
        &stage.utilization,
        rho,
        0.01,
    );
    for (i, r) in &out.reps {
        let in_port = r.stages[0].mean_queue_len + r.stages[0].utilization * f64::from(c);
        let throughput = r.all.counts.cleared as f64 / (r.days * 86_400.0);
        let time_in_port = r.all.time_in_port.mean() / SECOND_MS;
        let lw = throughput * time_in_port;
        let gap = (in_port - lw).abs() / in_port;
        assert!(
            gap < 0.005,
            "{name}, replication {i}: L = {in_port}, λW = {lw} (gap {gap})"
        );
    }
}

#[test]
fn helper_formulas_match_hand_values() {
    // M/M/1 at ρ = 0.8 with S = 60 s: Wq = ρS/(1−ρ) = 240 s. M/M/3 at a = 1.5:
    // C = (1.5³/3!)/(1−0.5) / (1 + 1.5 + 1.125 + 0.5625/0.5) = 1.6875/7.125.
    assert!((mmc_wq(1, 0.8 / 60.0, 1.0 / 60.0) - 240.0).abs() < 1e-9);
    let c = 1.6875 / 7.125;
    assert!((crate::support::erlang_c(3, 1.5) - c).abs() < 1e-12);
}

#[test]
fn mm1_port_at_utilisation_0_5() {
    // Pilot (seed 1): CI half-width 0.83% of Wq.
    check_mmc_port(1, 1, 0.5, 200, 0.025);
}

#[test]
fn mm1_port_at_utilisation_0_8() {
    // Pilot (seed 1): CI half-width 1.01% of Wq.
    check_mmc_port(2, 1, 0.8, 200, 0.025);
}

#[test]
fn mm3_port_at_utilisation_0_5() {
    // Pilot (seed 1): CI half-width 0.78% of Wq (Wq is 9.47 s).
    check_mmc_port(3, 3, 0.5, 200, 0.025);
}

#[test]
fn mm3_port_at_utilisation_0_8() {
    // Pilot (seed 1): CI half-width 0.81% of Wq.
    check_mmc_port(4, 3, 0.8, 200, 0.025);
}
