//! Hand-computed cases for the port model, built directly from validated
//! types so they test the model alone.

use super::*;
use crate::engine::calendar::WeeklyCalendar;
use crate::engine::dist::Dist;
use crate::engine::pool::Discipline;
use crate::engine::time::{DAY, HOUR, MINUTE, SECOND};
use crate::scenario::*;

fn every(gap: u64) -> Arrivals {
    Arrivals::Renewal {
        interarrival: Dist::Deterministic { value: gap as f64 },
    }
}

fn stage(name: &str, lanes: u32, service: u64) -> Stage {
    Stage {
        name: name.to_owned(),
        capacity: WeeklyCalendar::constant(lanes),
        service: Dist::Deterministic {
            value: service as f64,
        },
        share: vec![1.0],
        fee: 0.0,
        discipline: Discipline::Fifo,
        rework: None,
        daily_limit: None,
    }
}

fn scenario(arrivals: Arrivals, stages: Vec<Stage>) -> Scenario {
    Scenario {
        name: "test".into(),
        description: String::new(),
        source: "test.toml".into(),
        resolved: String::new(),
        seed: 1,
        horizon: DAY,
        warmup: 0,
        replications: 1,
        start: 0,
        arrivals,
        classes: vec![Class {
            name: "truck".into(),
            share: 1.0,
            priority: 0,
        }],
        port: Port {
            open: WeeklyCalendar::constant(1),
            parking: None,
            road_queue: None,
        },
        appointments: None,
        costs: Costs {
            currency: "CNY".into(),
            per_hour: 0.0,
            overnight: 0.0,
            per_truck: 0.0,
        },
        stages,
    }
}

fn run(s: &Scenario) -> RepResult {
    simulate(s, 0, &Limits::default()).expect("valid scenario")
}

fn conserved(r: &RepResult) {
    let c = r.all.counts;
    assert_eq!(c.arrived, c.cleared + c.turned_away + c.backlog, "{c:?}");
}

/// Every 20 min a truck, 10 min of service on one lane: nobody waits.
#[test]
fn deterministic_flow_has_no_waiting() {
    let s = scenario(every(20 * MINUTE), vec![stage("a", 1, 10 * MINUTE)]);
    let r = run(&s);
    // The measured day is [0, 24:00): arrivals at 20, 40, …, 1420 min (71),
    // all cleared 10 min later; the one due at 24:00 belongs to the next day.
    assert_eq!(r.all.counts.arrived, 71);
    assert_eq!(r.all.counts.cleared, 71);
    assert_eq!(r.all.counts.backlog, 0);
    assert_eq!(r.all.time_in_port.mean(), (10 * MINUTE) as f64);
    assert_eq!(r.all.wait.mean(), 0.0);
    assert!((r.stages[0].utilization - 0.5).abs() < 0.01);
    conserved(&r);
}

/// Two trucks at once on one lane: the second waits one service time.
#[test]
fn queueing_delay_is_exact() {
    let mut s = scenario(every(HOUR), vec![stage("a", 1, 10 * MINUTE)]);
    s.classes = vec![Class {
        name: "truck".into(),
        share: 1.0,
        priority: 0,
    }];
    // Two stages in series with one lane each, second slower: trucks every
    // hour never queue; the time in port is the sum of services.
    s.stages.push(stage("b", 1, 25 * MINUTE));
    let r = run(&s);
    assert_eq!(r.all.time_in_port.mean(), (35 * MINUTE) as f64);
    assert_eq!(r.all.steps, 2 * r.all.counts.cleared);
    conserved(&r);
}

/// The gate opens 08:00–16:00: nothing enters outside, night arrivals wait.
#[test]
fn opening_hours_hold_trucks_on_the_road() {
    let mut s = scenario(every(HOUR), vec![stage("a", 10, 5 * MINUTE)]);
    s.port.open = WeeklyCalendar::from_steps(
        (0..7)
            .flat_map(|d| [(d * DAY + 8 * HOUR, 1), (d * DAY + 16 * HOUR, 0)])
            .collect(),
        0,
    );
    s.horizon = 3 * DAY;
    let r = run(&s);
    // Departures only between 08:00 and 16:05.
    for h in (0..8).chain(17..24) {
        assert_eq!(r.hourly.departures[h], 0, "departure in hour {h}");
    }
    // The truck arriving at 16:00 finds the gate just closed (the closing
    // was scheduled first, so it runs first) and waits until 08:00.
    let p = r.all.time_in_port.percentiles();
    assert_eq!(p.max, (16 * HOUR + 5 * MINUTE) as f64, "{p:?}");
    assert!(p.p99 <= p.max);
    conserved(&r);
}

/// A stage whose lanes follow a shift table: more lanes, less waiting.
#[test]
fn shift_lanes_change_capacity() {
    // 4 trucks per hour, 30 min service: 2 lanes keep up, 1 does not.
    let steps = (0..7)
        .flat_map(|d| [(d * DAY, 2), (d * DAY + 12 * HOUR, 1)])
        .collect();
    let mut st = stage("a", 0, 30 * MINUTE);
    st.capacity = WeeklyCalendar::from_steps(steps, 0);
    let s = scenario(every(15 * MINUTE), vec![st]);
    let r = run(&s);
    // Morning: no waiting; afternoon: the queue grows by 2 per hour.
    assert!(r.all.wait.percentiles().max > HOUR as f64);
    assert!(r.hourly.waiting_area[6] == 0.0 && r.hourly.waiting_area[20] > 0.0);
    conserved(&r);
}

/// A share of 0.3 routes about 30% of trucks (binomial tolerance).
#[test]
fn routing_share_is_respected() {
    let mut st = stage("inspect", 100, MINUTE);
    st.share = vec![0.3];
    let mut s = scenario(every(MINUTE), vec![stage("gate", 100, MINUTE), st]);
    s.horizon = 10 * DAY;
    let r = run(&s);
    let n = r.all.counts.cleared as f64;
    let visits = r.stages[1].visits as f64;
    let sd = (n * 0.3 * 0.7).sqrt();
    assert!((visits - 0.3 * n).abs() < 4.0 * sd, "{visits} of {n}");
    assert_eq!(r.stages[0].visits as f64, n);
}

/// Rework sends a truck to the named stage even if its routing skips it.
#[test]
fn rework_visits_the_target_stage_whatever_the_routing() {
    let mut docs = stage("docs", 100, MINUTE);
    docs.share = vec![0.0];
    let mut scan = stage("scan", 100, MINUTE);
    scan.rework = Some(Rework {
        probability: 0.5,
        to: 0,
    });
    let mut s = scenario(every(MINUTE), vec![docs, scan]);
    s.horizon = 5 * DAY;
    let r = run(&s);
    // Scans per truck: geometric, mean 2; each rework adds one docs visit.
    let n = r.all.counts.cleared as f64;
    let (docs, scans) = (r.stages[0].visits as f64, r.stages[1].visits as f64);
    assert!((scans / n - 2.0).abs() < 0.05, "{}", scans / n);
    assert!(
        (docs - (scans - n)).abs() <= 5.0,
        "docs {docs}, reworks {}",
        scans - n
    );
}

/// Rework with probability 0.2 back to the same stage: visits per truck
/// are geometric with mean 1 / 0.8 = 1.25.
#[test]
fn rework_repeats_steps() {
    let mut st = stage("docs", 100, MINUTE);
    st.rework = Some(Rework {
        probability: 0.2,
        to: 0,
    });
    let mut s = scenario(every(MINUTE), vec![st]);
    s.horizon = 20 * DAY;
    let r = run(&s);
    let steps = r.all.steps as f64 / r.all.counts.cleared as f64;
    // sd of one truck's visits: sqrt(0.2)/0.8 = 0.56; n ≈ 28 800.
    assert!(
        (steps - 1.25).abs() < 4.0 * 0.56 / 28_800f64.sqrt(),
        "{steps}"
    );
}

/// A daily limit of 10 with demand of 24 a day: 10 leave per day.
#[test]
fn daily_limit_caps_departures() {
    let mut st = stage("exit", 5, MINUTE);
    st.daily_limit = Some(10);
    let mut s = scenario(every(HOUR), vec![st]);
    s.horizon = 5 * DAY;
    let r = run(&s);
    assert_eq!(r.daily_departures, vec![10; 5]);
    assert_eq!(r.all.counts.backlog, r.all.counts.arrived - 50);
    conserved(&r);
}

/// No road queue and one parking place: trucks that find it taken leave.
#[test]
fn full_port_turns_trucks_away() {
    let mut s = scenario(every(10 * MINUTE), vec![stage("a", 1, 25 * MINUTE)]);
    s.port.parking = Some(1);
    s.port.road_queue = Some(0);
    let r = run(&s);
    // Each admitted truck blocks the next two arrivals (at +10 and +20 min).
    assert!(r.all.counts.turned_away > 0);
    // Arrivals at 0:10, 0:20, …, 23:50 (143); admitted at 0:10, 0:40,
    // 1:10, …: every third gets in.
    let c = r.all.counts;
    assert_eq!(c.arrived, 143);
    assert_eq!(c.cleared + c.backlog, 48);
    assert_eq!(c.turned_away, 95);
    assert_eq!(r.all.wait.mean(), 0.0);
    conserved(&r);
}

/// Costs: fee + fixed + per hour + overnight.
#[test]
fn costs_add_up() {
    let mut st = stage("a", 1, 30 * MINUTE);
    st.fee = 10.0;
    let mut s = scenario(every(DAY), vec![st]);
    s.costs.per_hour = 60.0;
    s.costs.per_truck = 5.0;
    s.costs.overnight = 300.0;
    s.horizon = 3 * DAY;
    // Arrivals at 24:00 each day: no midnight crossed in 30 min.
    let r = run(&s);
    let cost = r.all.cost / r.all.counts.cleared as f64;
    assert!((cost - (10.0 + 5.0 + 30.0)).abs() < 1e-9, "{cost}");
    // Now arrivals at 23:45: the half hour crosses midnight.
    s.arrivals = Arrivals::Renewal {
        interarrival: Dist::Deterministic {
            value: (DAY - 15 * MINUTE) as f64,
        },
    };
    s.stages[0].fee = 0.0;
    s.costs.per_truck = 0.0;
    s.costs.per_hour = 0.0;
    s.horizon = 2 * DAY;
    let r = run(&s);
    // Arrivals at 23:45 and 47:30 (23:30 on day 1): the first leaves at
    // 00:15 after a midnight; the second would leave at 48:00, the end of
    // the measured period, so it is backlog.
    assert_eq!(r.all.counts.cleared, 1);
    assert_eq!(r.all.counts.backlog, 1);
    assert_eq!(r.all.cost, 300.0);
}

/// All trucks book 1-hour slots of 3: never more than 3 arrive per hour.
#[test]
fn appointments_respect_slot_capacity_and_no_shows() {
    let mut s = scenario(
        Arrivals::Poisson {
            per_day: 120.0,
            hourly: Box::new([1.0; 24]),
            daily: [1.0; 7],
        },
        vec![stage("a", 100, MINUTE)],
    );
    s.appointments = Some(Appointments {
        share: 1.0,
        slot: HOUR,
        capacity: 3,
        hours: WeeklyCalendar::constant(1),
        no_show: 0.1,
        punctuality: Dist::Deterministic { value: 0.0 },
        priority: false,
    });
    s.horizon = 10 * DAY;
    let r = run(&s);
    for h in 0..24 {
        assert!(
            r.hourly.arrivals[h] <= 30,
            "hour {h}: {}",
            r.hourly.arrivals[h]
        );
    }
    // Slots fill up (demand 5/h > 3/h), so ~72 bookings a day, 10% no-shows.
    let booked = (r.all.counts.arrived + r.all.counts.no_shows) as f64;
    let rate = r.all.counts.no_shows as f64 / booked;
    assert!((rate - 0.1).abs() < 4.0 * (0.09 / booked).sqrt(), "{rate}");
    assert_eq!(r.all.counts.booked, r.all.counts.arrived);
    conserved(&r);
}

/// Runaway: far more demand than capacity stops at the ceiling.
#[test]
fn runaway_is_detected() {
    let s = scenario(every(SECOND), vec![stage("slow", 1, HOUR)]);
    let limits = Limits {
        max_in_system: 500,
        trend: false,
    };
    let r = simulate(&s, 0, &limits).expect("valid");
    let w = r.runaway.expect("stopped");
    assert_eq!(w.stage, "slow");
    assert!(w.in_system > 500 && w.stage_queue >= 499);
}

/// The trend test stops an overloaded port with an unbounded road queue
/// long before the ceiling, and leaves a bounded one alone.
#[test]
fn trend_test_stops_steady_growth_only_when_unbounded() {
    // 1,440 trucks a day against 24 a day of capacity: +1,416 a day.
    let mut s = scenario(every(MINUTE), vec![stage("slow", 1, HOUR)]);
    s.horizon = 365 * DAY;
    let r = run(&s);
    let w = r.runaway.expect("stopped by the trend test");
    assert!(w.reason.contains("grew by"), "{}", w.reason);
    assert!(w.at <= 15 * DAY, "stopped at day {}", w.at / DAY);
    // Same overload, bounded road: the backlog saturates, no runaway.
    s.port.road_queue = Some(100);
    s.horizon = 30 * DAY;
    assert!(run(&s).runaway.is_none());
}

/// A stable queue's day-to-day wander does not trip the trend test.
#[test]
fn trend_test_ignores_a_stable_queue() {
    let mut trend = Trend::default();
    let wander = [
        50u64, 80, 40, 120, 90, 60, 150, 70, 110, 95, 40, 130, 85, 100, 60,
    ];
    assert!(wander.iter().all(|&c| trend.record(c).is_none()));
    let mut growing = Trend::default();
    let fired: Vec<_> = (0..14u64).map(|d| growing.record(1000 + 500 * d)).collect();
    assert!(fired[13].is_some_and(|slope| (slope - 500.0).abs() < 1e-9));
}
