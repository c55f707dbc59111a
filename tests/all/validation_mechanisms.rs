//! The mechanisms real border reforms depend on, against independent truth:
//! queueing formulas (Erlang A, M/M/c/K, M/G/∞, M/M/c for a shared pool),
//! hand-computed cases (an e-queue, a warm start, a holiday), and the flow
//! balance with every mechanism on at once.
//!
//! The scenarios are built from the validated types, so these tests check
//! the model alone (the file reader has its own tests). Fixed seeds;
//! tolerances are stated with each case.

use std::sync::atomic::AtomicBool;

use portsim::engine::calendar::Calendar;
use portsim::engine::dist::Dist;
use portsim::engine::pool::Discipline;
use portsim::engine::time::{DAY, HOUR, MINUTE};
use portsim::experiment::run::{RunOptions, RunOutput, run};
use portsim::scenario::{
    Appointments, Arrivals, Class, Costs, EQueue, Entrance, Initial, InitialStage, Lanes,
    NoShowLater, NoSlot, PoolSpec, Port, Scenario, Stage, Tolerance,
};

use crate::port_support::{assert_within_se, conserved};
use crate::support::mmc_wq;

const H: f64 = HOUR as f64;

fn poisson(per_hour: f64) -> Arrivals {
    Arrivals::Poisson {
        per_day: per_hour * 24.0,
        hourly: Box::new([1.0; 24]),
        daily: [1.0; 7],
        seasons: Vec::new(),
    }
}

fn exp_hours(mean_h: f64) -> Dist {
    Dist::Exponential { mean: mean_h * H }
}

fn stage(name: &str, lanes: Lanes, service: Dist) -> Stage {
    Stage {
        name: name.into(),
        lanes,
        service,
        share: vec![1.0; 4],
        fee: 0.0,
        discipline: Discipline::Fifo,
        rework: None,
        daily_limit: None,
        step: true,
    }
}

fn lanes(n: u32) -> Lanes {
    Lanes::Own(Calendar::constant(n))
}

/// A port with `stages`, one class, no parking, an unbounded road, open
/// around the clock, run for `days` after a tenth as warm-up.
fn port(arrivals: Arrivals, stages: Vec<Stage>, days: u64, reps: u64) -> Scenario {
    Scenario {
        name: "validation".into(),
        description: String::new(),
        source: "validation.toml".into(),
        resolved: String::new(),
        overrides: Vec::new(),
        patch_warnings: Vec::new(),
        seed: 2026,
        horizon: days * DAY,
        warmup: (days * DAY) / 10,
        replications: reps,
        start: 0,
        start_date: None,
        arrivals,
        classes: vec![Class::new("truck", 1.0, 0)],
        port: Port {
            open: Calendar::constant(1),
            parking: None,
            road_queue: None,
        },
        entrances: Vec::new(),
        equeue: None,
        appointments: None,
        costs: Costs {
            currency: "CNY".into(),
            per_hour: 0.0,
            overnight: 0.0,
            per_truck: 0.0,
        },
        pools: Vec::new(),
        stages,
        initial: None,
    }
}

fn run_kept(s: &Scenario) -> RunOutput {
    let options = RunOptions {
        keep_reps: true,
        ..RunOptions::for_scenario(s)
    };
    let out = run(s, &options, &AtomicBool::new(false), || {}).expect("runs");
    assert!(out.complete);
    for (i, r) in &out.reps {
        for (c, g) in std::iter::once(&r.all).chain(&r.classes).enumerate() {
            conserved(&format!("replication {i}, group {c}"), &g.counts);
            assert!(
                g.counts.equeue_balanced(),
                "replication {i}: {:?}",
                g.counts
            );
        }
    }
    out
}

/// Per-replication values, as an estimate.
fn per_rep(
    out: &RunOutput,
    f: impl Fn(&portsim::model::RepResult) -> f64,
) -> portsim::experiment::estimate::Estimate {
    let xs: Vec<f64> = out.reps.iter().map(|(_, r)| f(r)).collect();
    portsim::experiment::estimate::Estimate::from_samples(&xs)
}

/// Stationary probabilities of a birth–death chain with birth rate
/// `lambda` and death rate `death(n)`, truncated at `n_max`.
fn birth_death(lambda: f64, death: impl Fn(usize) -> f64, n_max: usize) -> Vec<f64> {
    let mut p = vec![1.0];
    for n in 1..=n_max {
        let next = p[n - 1] * lambda / death(n);
        p.push(next);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

/// Erlang A (M/M/c+M): 4 lanes of exponential service (1 h), 4 trucks an
/// hour (load 1: without reneging the queue would never settle), patience
/// exponential with mean 1 h. Abandonment probability θ·E[Q]/λ and E[Q]
/// from the birth–death chain with death rate cμ + (n − c)θ above c.
#[test]
fn reneging_matches_erlang_a() {
    let (lambda, mu, c, theta) = (4.0, 1.0, 4usize, 1.0);
    let p = birth_death(
        lambda,
        |n| mu * n.min(c) as f64 + theta * n.saturating_sub(c) as f64,
        400,
    );
    let lq: f64 = p
        .iter()
        .enumerate()
        .map(|(n, x)| n.saturating_sub(c) as f64 * x)
        .sum();
    let abandon = theta * lq / lambda;
    let mut s = port(
        poisson(lambda),
        vec![stage("desk", lanes(c as u32), exp_hours(1.0 / mu))],
        60,
        12,
    );
    s.classes[0].patience = Some(exp_hours(1.0 / theta));
    let out = run_kept(&s);
    let ab = per_rep(&out, |r| {
        r.all.counts.reneged as f64 / r.all.counts.arrived as f64
    });
    assert_within_se("Erlang A abandonment", &ab, abandon, 0.05);
    let q = per_rep(&out, |r| r.gate.mean_road_queue);
    assert_within_se("Erlang A mean queue", &q, lq, 0.05);
}

/// Two classes in one queue, only one of them impatient, under overload
/// (truck slots are reused all the time): the impatient class reneges, and
/// the patient one never does, even when a slot it takes over still has a
/// pending patience event of the truck that held it before.
#[test]
fn only_impatient_trucks_renege_when_classes_share_a_queue() {
    let mut s = port(
        poisson(6.0),
        vec![stage("desk", lanes(4), exp_hours(1.0))],
        20,
        4,
    );
    let mut impatient = Class::new("impatient", 0.5, 0);
    impatient.patience = Some(exp_hours(0.5));
    s.classes = vec![impatient, Class::new("patient", 0.5, 0)];
    let out = run_kept(&s);
    for (i, r) in &out.reps {
        let (a, b) = (&r.classes[0].counts, &r.classes[1].counts);
        assert!(a.reneged > 100, "replication {i}: {a:?}");
        assert_eq!(b.reneged, 0, "replication {i}: {b:?}");
    }
}

/// Balking at a fixed queue length (M/M/c/K): 3 lanes, room for K = 8 in
/// the system, so a truck joins while fewer than 5 wait. Blocking
/// probability p_K (the share of the trucks reaching the port that divert:
/// those that arrived and those that diverted) and mean queue from the
/// truncated birth–death chain.
#[test]
fn balking_at_a_queue_length_matches_mmck() {
    let (lambda, mu, c, k) = (3.0, 1.2, 3usize, 8usize);
    let p = birth_death(lambda, |n| mu * n.min(c) as f64, k);
    let blocked = p[k];
    let lq: f64 = p
        .iter()
        .enumerate()
        .map(|(n, x)| n.saturating_sub(c) as f64 * x)
        .sum();
    let mut s = port(
        poisson(lambda),
        vec![stage("desk", lanes(c as u32), exp_hours(1.0 / mu))],
        60,
        12,
    );
    s.classes[0].tolerance = Some(Tolerance::Queue(Dist::Deterministic {
        value: (k - c) as f64,
    }));
    let out = run_kept(&s);
    let b = per_rep(&out, |r| {
        let c = r.all.counts;
        c.diverted as f64 / (c.arrived + c.diverted) as f64
    });
    assert_within_se("M/M/3/8 blocking", &b, blocked, 0.05);
    let q = per_rep(&out, |r| r.gate.mean_road_queue);
    assert_within_se("M/M/3/8 mean queue", &q, lq, 0.05);
}

/// An unlimited stage is M/G/∞: no one waits, and the mean number in
/// service is λ·E[S] (Little) for a lognormal service of mean 2 h.
#[test]
fn an_unlimited_stage_is_mg_infinity() {
    let service = Dist::LogNormal {
        mean: 2.0 * H,
        sd: 1.5 * H,
    };
    let s = port(
        poisson(30.0),
        vec![stage("documents", Lanes::Unlimited, service)],
        20,
        10,
    );
    let out = run_kept(&s);
    let busy = per_rep(&out, |r| r.stages[0].mean_in_service);
    assert_within_se("M/G/inf in service", &busy, 60.0, 0.02);
    for (_, r) in &out.reps {
        assert_eq!(r.all.wait.sum(), 0, "nobody waits at an unlimited stage");
    }
    // Not a queue: its utilisation is undefined and it never limits the port.
    assert!(out.summary.stages[0].utilization.n == 0);
    assert!(out.summary.stages[0].flow.unstable.is_none());
}

/// Two stages on one pool of 5 lanes, each class visiting one of them:
/// the pool is a single M/M/5 queue for the combined flow (Erlang C).
#[test]
fn a_shared_pool_is_one_mmc_queue() {
    let (lambda, mu, c) = (4.0, 1.0, 5u32);
    let mut s = port(
        poisson(lambda),
        vec![
            stage("scan-in", Lanes::Pool(0), exp_hours(1.0 / mu)),
            stage("scan-out", Lanes::Pool(0), exp_hours(1.0 / mu)),
        ],
        300,
        12,
    );
    s.pools = vec![PoolSpec {
        name: "scanner".into(),
        lanes: Calendar::constant(c),
        discipline: Discipline::Fifo,
    }];
    let mut inbound = Class::new("inbound", 0.4, 0);
    inbound.route = Some(vec![0]);
    let mut outbound = Class::new("outbound", 0.6, 0);
    outbound.route = Some(vec![1]);
    s.classes = vec![inbound, outbound];
    let out = run_kept(&s);
    let wq = mmc_wq(c, lambda, mu) * 3600.0;
    let wait = &out.summary.metric("wait_s").expect("wait").estimate;
    assert_within_se("shared pool mean wait (s)", wait, wq, 0.05);
    for class in &out.summary.classes {
        let w = &class
            .metrics
            .iter()
            .find(|m| m.name == "wait_s")
            .expect("wait")
            .estimate;
        assert_within_se(&format!("{} wait (s)", class.name), w, wq, 0.08);
    }
    let pool = &out.summary.pools[0];
    assert!((pool.utilization.mean - lambda / (mu * f64::from(c))).abs() < 0.02);
    assert!((pool.load.mean - 0.8).abs() < 0.02, "{}", pool.load.mean);
    // Each class visits its own stage only.
    for (_, r) in &out.reps {
        let inbound = r.classes[0].counts.cleared;
        assert!((r.stages[0].visits as i64 - inbound as i64).abs() <= 5);
    }
}

fn equeue(quota: Option<u32>) -> EQueue {
    EQueue {
        waiting_area: 50,
        call_forward: Dist::Deterministic { value: 0.0 },
        call_forward_home: Dist::Deterministic { value: 0.0 },
        daily_quota: quota,
        priority_share: 0.0,
    }
}

/// An e-queue in front of a border that always has room: nobody waits
/// off-site. With a daily quota below demand, the e-queue grows by the
/// difference every day.
#[test]
fn an_equeue_waits_only_for_room_and_quota() {
    let mut s = port(
        poisson(10.0),
        vec![stage("desk", lanes(10), exp_hours(0.2))],
        10,
        6,
    );
    s.port.parking = Some(1_000);
    s.equeue = Some(equeue(None));
    let out = run_kept(&s);
    for (_, r) in &out.reps {
        assert_eq!(r.all.offsite_wait.sum(), 0, "called at once, no travel");
        assert!(r.all.offsite_wait.count() > 2_000);
    }
    // Demand 240 a day, 200 called a day: +40 a day in the e-queue.
    s.equeue = Some(equeue(Some(200)));
    s.warmup = 0;
    let out = run_kept(&s);
    let growth = per_rep(&out, |r| {
        let c = r.all.counts;
        (c.equeue_end as f64 - c.equeue_start as f64) / r.days
    });
    // Poisson demand over 10 days: sd of the daily mean ≈ √240/√10 ≈ 4.9.
    assert!(
        (growth.mean - 40.0).abs() < 4.0 * 4.9 / (6f64).sqrt(),
        "{growth:?}"
    );
    let throughput = &out
        .summary
        .metric("throughput_per_day")
        .expect("throughput")
        .estimate;
    assert!((throughput.mean - 200.0).abs() < 2.0, "{throughput:?}");
}

/// A warm start with 10 trucks queued at a stage of 2 lanes and no
/// arrivals empties in the time the lanes need for 10 services of an hour:
/// the last pair leaves at 5 h, having waited 30 min before the start.
#[test]
fn a_warm_start_empties_in_the_time_its_lanes_need() {
    let mut s = port(
        poisson(0.0),
        vec![stage("desk", lanes(2), Dist::Deterministic { value: H })],
        1,
        1,
    );
    s.warmup = 0;
    s.horizon = 6 * HOUR;
    s.initial = Some(Initial {
        road: 0,
        parking: 0,
        waited: 0,
        stages: vec![InitialStage {
            stage: 0,
            queued: 10,
            in_service: 0,
            waited: 30 * MINUTE,
        }],
        trucks: vec![],
    });
    let out = run_kept(&s);
    let r = &out.reps[0].1;
    assert_eq!(r.all.counts.in_port_start, 10);
    assert_eq!(r.all.counts.cleared, 10);
    assert_eq!(r.all.counts.in_port_end, 0);
    let p = r.all.time_in_port.percentiles();
    assert_eq!(p.max, (5 * HOUR + 30 * MINUTE) as f64);
    // Pairs leave at 1, 2, 3, 4, 5 h: mean 3 h, plus the 30 min before.
    assert_eq!(r.all.time_in_port.mean(), (3 * HOUR + 30 * MINUTE) as f64);
}

/// A holiday closes the whole port for a day: nothing starts that day
/// (the trucks in service at midnight finish), and the next day the
/// backlog is served too.
#[test]
fn a_closed_date_has_no_departures_and_a_backlog_next_day() {
    let holiday = (2 * DAY, 3 * DAY);
    let closed = |c: Calendar| c.closed_over([holiday]);
    let mut s = port(
        poisson(10.0),
        vec![stage(
            "desk",
            Lanes::Own(closed(Calendar::constant(4))),
            exp_hours(0.2),
        )],
        5,
        4,
    );
    s.warmup = 0;
    s.port.open = closed(Calendar::constant(1));
    let out = run_kept(&s);
    for (_, r) in &out.reps {
        // Only the trucks in service at midnight finish (no pre-emption).
        assert!(r.daily_departures[2] <= 4, "{:?}", r.daily_departures);
        // The day's ~240 arrivals leave on day 3, with its own.
        assert!(
            r.daily_departures[3] > r.daily_departures[1] + 150,
            "{:?}",
            r.daily_departures
        );
    }
}

/// Every mechanism at once: two entrances, an e-queue with a quota and a
/// priority share, tolerance and patience, routes, a shared pool, an
/// unlimited stage that is not a step, a holiday, a season, a warm start,
/// appointments with a late grace and late no-shows. The three flow
/// balances hold in every replication (checked by `run_kept`).
#[test]
fn the_flow_balance_holds_with_every_mechanism_on() {
    let mut s = port(
        Arrivals::Poisson {
            per_day: 300.0,
            hourly: Box::new([1.0; 24]),
            daily: [1.0; 7],
            seasons: vec![(3 * DAY, 5 * DAY, 1.5)],
        },
        vec![
            stage("documents", Lanes::Unlimited, exp_hours(1.0)),
            stage("scan-in", Lanes::Pool(0), exp_hours(0.1)),
            stage("scan-out", Lanes::Pool(0), exp_hours(0.1)),
            stage("exit", lanes(3), exp_hours(0.1)),
        ],
        10,
        4,
    );
    s.stages[0].step = false;
    s.pools = vec![PoolSpec {
        name: "scanner".into(),
        lanes: Calendar::constant(3).closed_over([(6 * DAY, 7 * DAY)]),
        discipline: Discipline::Fifo,
    }];
    s.port.parking = Some(30);
    s.port.road_queue = Some(20);
    s.entrances = vec![Entrance {
        name: "outbound".into(),
        gate: Port {
            open: Calendar::constant(1),
            parking: Some(20),
            road_queue: Some(10),
        },
    }];
    let mut inbound = Class::new("inbound", 0.5, 1);
    inbound.route = Some(vec![0, 1, 3]);
    inbound.tolerance = Some(Tolerance::Queue(Dist::Uniform {
        min: 5.0,
        max: 40.0,
    }));
    inbound.patience = Some(exp_hours(3.0));
    let mut outbound = Class::new("outbound", 0.5, 0);
    outbound.route = Some(vec![2, 3]);
    outbound.entrance = 1;
    outbound.tolerance = Some(Tolerance::Wait(exp_hours(2.0)));
    outbound.patience = Some(exp_hours(4.0));
    s.classes = vec![inbound, outbound];
    s.equeue = Some(EQueue {
        waiting_area: 10,
        call_forward: Dist::Deterministic { value: 0.5 * H },
        call_forward_home: exp_hours(2.0),
        daily_quota: Some(280),
        priority_share: 0.05,
    });
    s.appointments = Some(Appointments {
        share: 0.5,
        slot: HOUR,
        capacity: Calendar::constant(8),
        max_lead: 2 * DAY,
        no_slot: NoSlot::WalkIn,
        no_show: 0.1,
        punctuality: Dist::Normal {
            mean: 0.0,
            sd: 0.5 * H,
        },
        priority: true,
        late_grace: Some(30 * MINUTE),
        no_show_later: Some(NoShowLater {
            probability: 0.5,
            delay: exp_hours(6.0),
        }),
    });
    s.initial = Some(Initial {
        road: 5,
        parking: 5,
        waited: HOUR,
        stages: vec![InitialStage {
            stage: 3,
            queued: 4,
            in_service: 3,
            waited: 2 * HOUR,
        }],
        trucks: vec![],
    });
    let out = run_kept(&s);
    let c = out
        .reps
        .iter()
        .fold(portsim::model::Counts::default(), |mut a, (_, r)| {
            a += r.all.counts;
            a
        });
    for (what, n) in [
        ("diverted", c.diverted),
        ("reneged", c.reneged),
        ("registered", c.registered),
        ("no-shows", c.no_shows),
        ("late walk-ins", c.late_walk_ins),
        ("lost slots", c.lost_slot),
    ] {
        assert!(n > 0, "{what}: every mechanism should fire ({c:?})");
    }
    // The unlimited documents stage is not a clearance step.
    let steps = out
        .summary
        .metric("steps_per_truck")
        .expect("steps")
        .estimate
        .mean;
    assert!(steps > 1.5 && steps < 2.5, "{steps}");
}
