//! Hand-computed cases for the port model, built directly from validated
//! types so they test the model alone.

use super::*;
use crate::engine::calendar::{Calendar, WeeklyCalendar};
use crate::engine::dist::Dist;
use crate::engine::pool::Discipline;
use crate::engine::time::{DAY, HOUR, MINUTE, SECOND, WEEK};
use crate::scenario::*;

fn every(gap: u64) -> Arrivals {
    Arrivals::Renewal {
        interarrival: Dist::Deterministic { value: gap as f64 },
    }
}

fn stage(name: &str, lanes: u32, service: u64) -> Stage {
    Stage {
        name: name.to_owned(),
        lanes: Lanes::Own(Calendar::constant(lanes)),
        step: true,
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

/// Own lanes on a weekly calendar.
fn own(weekly: WeeklyCalendar) -> Lanes {
    Lanes::Own(weekly.into())
}

fn scenario(arrivals: Arrivals, stages: Vec<Stage>) -> Scenario {
    Scenario {
        name: "test".into(),
        description: String::new(),
        source: "test.toml".into(),
        resolved: String::new(),
        overrides: Vec::new(),
        patch_warnings: Vec::new(),
        seed: 1,
        horizon: DAY,
        warmup: 0,
        replications: 1,
        start: 0,
        arrivals,
        classes: vec![Class::new("truck", 1.0, 0)],
        start_date: None,
        entrances: Vec::new(),
        equeue: None,
        pools: Vec::new(),
        initial: None,
        port: Port {
            open: Calendar::constant(1),
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

/// Both flow balances hold, for all trucks and for every class.
fn conserved(r: &RepResult) {
    for c in std::iter::once(&r.all).chain(&r.classes).map(|g| g.counts) {
        assert_eq!(
            c.in_port_start + c.booked_start + c.offered,
            c.cleared + c.turned_away + c.no_shows + c.in_port_end + c.booked_ahead,
            "{c:?}"
        );
        assert_eq!(
            c.in_port_start + c.arrived,
            c.cleared + c.turned_away - c.turned_away_no_slot + c.in_port_end,
            "{c:?}"
        );
    }
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
    assert_eq!(r.all.counts.in_port_end, 0);
    assert_eq!(r.all.time_in_port.mean(), (10 * MINUTE) as f64);
    assert_eq!(r.all.wait.mean(), 0.0);
    assert!((r.stages[0].utilization - 0.5).abs() < 0.01);
    conserved(&r);
}

/// Two trucks at once on one lane: the second waits one service time.
#[test]
fn queueing_delay_is_exact() {
    let mut s = scenario(every(HOUR), vec![stage("a", 1, 10 * MINUTE)]);
    s.classes = vec![Class::new("truck", 1.0, 0)];
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
    s.port.open = Calendar::from(WeeklyCalendar::from_steps(
        (0..7)
            .flat_map(|d| [(d * DAY + 8 * HOUR, 1), (d * DAY + 16 * HOUR, 0)])
            .collect(),
        0,
    ));
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
    st.lanes = Lanes::Own(WeeklyCalendar::from_steps(steps, 0).into());
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
    assert_eq!(r.all.counts.in_port_end, r.all.counts.arrived - 50);
    // The lanes are on duty all day but the limit holds them: 10 one-minute
    // services a day on 5 lanes is 10 / (5 × 1440) busy, never above 1.
    let st = &r.stages[0];
    assert!(
        (st.utilization - 10.0 / 7200.0).abs() < 1e-9,
        "{}",
        st.utilization
    );
    assert!(st.limit_bound);
    assert_eq!(st.capacity, 50.0);
    assert_eq!(st.limit_days, 5);
    // Held over at each midnight: day 0 has arrivals at 1, 2, …, 23 h (the
    // one at 24:00 comes just after midnight), so 23 − 10 = 13 wait; then
    // 27, 41, 55 (the fifth midnight is the end of the run).
    assert_eq!(st.held_over, 13 + 27 + 41 + 55);
    conserved(&r);
}

/// Work carried past closing is overtime, not utilisation above 100 %.
#[test]
fn utilisation_stays_at_most_one_with_overtime() {
    // One lane open 08:00–16:00; a 2-hour service started at 15:00 runs
    // to 17:00. Trucks every 2 h keep the lane busy all day.
    let mut st = stage("a", 1, 2 * HOUR);
    st.lanes = own(WeeklyCalendar::from_steps(
        (0..7)
            .flat_map(|d| [(d * DAY + 8 * HOUR, 1), (d * DAY + 16 * HOUR, 0)])
            .collect(),
        0,
    ));
    let mut s = scenario(every(2 * HOUR), vec![st]);
    s.horizon = 7 * DAY;
    let r = run(&s);
    let st = &r.stages[0];
    assert!(
        st.utilization <= 1.0 && st.utilization > 0.99,
        "{}",
        st.utilization
    );
    // Every day: starts at 8, 10, 12, 14 (done by 16:00): no overtime.
    assert_eq!(st.overtime, 0.0);
    // Shift the services to start at 9, 11, 13, 15: one hour past 16:00.
    s.stages[0].service = Dist::Deterministic {
        value: (2 * HOUR) as f64,
    };
    s.stages[0].lanes = own(WeeklyCalendar::from_steps(
        (0..7)
            .flat_map(|d| [(d * DAY + 9 * HOUR, 1), (d * DAY + 16 * HOUR, 0)])
            .collect(),
        0,
    ));
    let r = run(&s);
    let st = &r.stages[0];
    assert!(st.utilization <= 1.0, "{}", st.utilization);
    assert_eq!(st.overtime, (7 * HOUR) as f64, "one lane-hour a day");
    conserved(&r);
}

/// The one-desk port of the issue, made deterministic: a truck every
/// 30 min, one lane serving one an hour, 100 places on the road. It leaves
/// exactly 24 trucks a day whatever the horizon.
#[test]
fn saturated_desk_reports_what_leaves() {
    let mut s = scenario(every(30 * MINUTE), vec![stage("desk", 1, HOUR)]);
    s.port.road_queue = Some(100);
    s.warmup = 7 * DAY;
    s.horizon = 28 * DAY;
    let r = run(&s);
    assert_eq!(r.daily_departures, vec![24; 28]);
    assert_eq!(r.all.counts.cleared, 24 * 28);
    // At the port: the road queue is full (100) and one is in service.
    assert_eq!(r.all.counts.in_port_start, 101);
    assert_eq!(r.all.counts.in_port_end, 101);
    assert_eq!(r.gate.road_end, 100);
    // Every truck that left waited for 100 ahead of it on the road: 100 h
    // plus its own hour, give or take the half hour of arrival phase.
    let t = r.all.time_in_port.mean() / HOUR as f64;
    assert!((100.0..=101.5).contains(&t), "{t}");
    // The unfinished trucks have been there up to the same ~101 h.
    assert!(r.unfinished.age_max <= 102 * HOUR);
    conserved(&r);
}

/// Without parking, `road_queue` alone bounds the trucks waiting for the
/// first stage.
#[test]
fn road_queue_bounds_without_parking() {
    let mut s = scenario(every(30 * MINUTE), vec![stage("desk", 1, HOUR)]);
    s.port.road_queue = Some(10);
    s.horizon = 5 * DAY;
    let r = run(&s);
    assert!(r.all.counts.turned_away > 100, "{:?}", r.all.counts);
    assert!(r.peak_in_system <= 11, "{}", r.peak_in_system);
    assert_eq!(r.gate.road_end, 10);
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
    assert_eq!(c.cleared + c.in_port_end, 48);
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
    assert_eq!(r.all.counts.in_port_end, 1);
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
            seasons: Vec::new(),
        },
        vec![stage("a", 100, MINUTE)],
    );
    s.appointments = Some(Appointments {
        share: 1.0,
        slot: HOUR,
        capacity: Calendar::constant(3),
        no_show: 0.1,
        punctuality: Dist::Deterministic { value: 0.0 },
        priority: false,
        max_lead: 2 * WEEK,
        no_slot: NoSlot::WalkIn,
        late_grace: None,
        no_show_later: None,
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
    // Slots fill up (demand 5/h > 3/h), so ~72 slots a day, 10% no-shows.
    let c = r.all.counts;
    let shown = (c.booked + c.no_shows) as f64;
    let rate = c.no_shows as f64 / shown;
    assert!((rate - 0.1).abs() < 4.0 * (0.09 / shown).sqrt(), "{rate}");
    assert_eq!(c.booked, c.arrived);
    // Demand of 120 a day for 72 slots: the surplus books further ahead,
    // and is still booked (not lost) at the end.
    assert!(c.booked_ahead > 100, "{c:?}");
    assert_eq!(c.bookings, c.offered);
    assert!(r.booking_lead.percentiles().max > DAY as f64);
    conserved(&r);
}

/// With a lead limit, the surplus does not drift ahead for ever: past the
/// limit it walks in, or, with mandatory booking, is turned away.
#[test]
fn booking_lead_is_bounded() {
    let mut s = scenario(every(15 * MINUTE), vec![stage("a", 100, MINUTE)]);
    s.appointments = Some(Appointments {
        share: 1.0,
        slot: HOUR,
        capacity: Calendar::constant(2),
        no_show: 0.0,
        punctuality: Dist::Deterministic { value: 0.0 },
        priority: false,
        max_lead: 6 * HOUR,
        no_slot: NoSlot::WalkIn,
        late_grace: None,
        no_show_later: None,
    });
    s.horizon = 3 * DAY;
    let r = run(&s);
    let c = r.all.counts;
    // 4 wishes an hour for 2 places: half walk in once the book is 6 h full.
    assert!(c.unbooked_walk_ins > 100, "{c:?}");
    assert!(r.booking_lead.percentiles().max <= (6 * HOUR) as f64);
    assert!(c.booked_ahead <= 2 * 7, "at most 6 h of slots ahead: {c:?}");
    conserved(&r);
    if let Some(a) = &mut s.appointments {
        a.no_slot = NoSlot::TurnAway;
    }
    let r = run(&s);
    let c = r.all.counts;
    assert_eq!(c.unbooked_walk_ins, 0);
    assert!(c.turned_away_no_slot > 100 && c.turned_away == c.turned_away_no_slot);
    assert_eq!(c.offered, c.bookings + c.turned_away_no_slot);
    conserved(&r);
}

/// The guard stops a replication at the ceiling.
#[test]
fn runaway_stops_at_the_ceiling() {
    let s = scenario(every(SECOND), vec![stage("slow", 1, HOUR)]);
    let limits = Limits { max_in_system: 500 };
    let r = simulate(&s, 0, &limits).expect("valid");
    let w = r.stopped.expect("stopped");
    assert_eq!(w.stage, "slow");
    assert!(w.in_system > 500 && w.stage_queue >= 499);
}

/// An overloaded port with an unbounded road queue runs its whole
/// horizon (an overload is a finding), unless its growth would take it
/// past the ceiling before the end: then it stops early, within days.
#[test]
fn overload_runs_to_the_horizon_unless_heading_past_the_ceiling() {
    // 1,440 trucks a day against 24 a day of capacity: +1,416 a day.
    let mut s = scenario(every(MINUTE), vec![stage("slow", 1, HOUR)]);
    s.horizon = 60 * DAY;
    let r = run(&s);
    assert!(r.stopped.is_none());
    assert_eq!(r.all.counts.cleared, 24 * 60 - 1, "the first needs an hour");
    assert!((r.stages[0].present_end as i64 - 1_416 * 60).abs() < 100);
    conserved(&r);
    // A year of it would pass 100,000: stopped in the first weeks.
    s.horizon = 365 * DAY;
    let r = simulate(
        &s,
        0,
        &Limits {
            max_in_system: 100_000,
        },
    )
    .expect("valid");
    let w = r.stopped.expect("projected past the ceiling");
    assert!(w.reason.contains("grew by"), "{}", w.reason);
    assert!(
        w.at <= 15 * DAY && w.in_system < 100_000,
        "day {}",
        w.at / DAY
    );
    // Same overload, bounded road: the backlog saturates, no stop.
    s.port.road_queue = Some(100);
    s.horizon = 30 * DAY;
    assert!(run(&s).stopped.is_none());
}

/// A replication the runaway guard stops in its warm-up (here at time
/// zero, by a starting state above the ceiling) measured nothing: its
/// window never opened, so every count is zero and both balances hold
/// (found by `fuzz_scenarios`: the trucks at the end were counted without
/// those at the start).
#[test]
fn a_replication_stopped_in_its_warm_up_counts_nothing() {
    let mut s = scenario(every(HOUR), vec![stage("a", 1, 10 * MINUTE)]);
    s.warmup = DAY;
    s.initial = Some(Initial {
        road: 20,
        parking: 0,
        waited: HOUR,
        stages: Vec::new(),
        trucks: vec![],
    });
    let r = simulate(&s, 0, &Limits { max_in_system: 10 }).expect("valid scenario");
    let stopped = r.stopped.as_ref().expect("stopped by the guard");
    assert_eq!(stopped.at, 0);
    assert_eq!(r.all.counts, Counts::default());
    assert_eq!(r.unfinished, Unfinished::default());
    conserved(&r);
}

/// A trace of a hand-computed port: trucks every 10 minutes, one lane of
/// 15 minutes, so the lane is busy from the second truck on and the
/// queue grows by one every 30 minutes.
#[test]
fn a_trace_records_each_trucks_milestones_and_changes_no_result() {
    let mut s = scenario(every(10 * MINUTE), vec![stage("desk", 1, 15 * MINUTE)]);
    s.horizon = 2 * HOUR;
    let plain = simulate(&s, 0, &Limits::default()).expect("runs");
    let (traced, trace) = simulate_traced(&s, 0, &Limits::default(), 1000).expect("runs");
    assert_eq!(format!("{plain:?}"), format!("{traced:?}"));
    assert!(!trace.full);
    use trace::Milestone::*;
    let of = |truck: u32| -> Vec<(trace::Milestone, u64)> {
        trace
            .rows
            .iter()
            .filter(|r| r.truck == truck)
            .map(|r| (r.event, r.time / MINUTE))
            .collect()
    };
    // The first truck arrives at 10 min (a renewal process's first gap),
    // is served at once and leaves at 25; the second arrives at 20 and
    // waits for it.
    assert_eq!(of(1), [(Arrive, 10), (Start, 10), (End, 25), (Depart, 25)]);
    assert_eq!(of(2), [(Arrive, 20), (Start, 25), (End, 40), (Depart, 40)]);
    let departs = trace.rows.iter().filter(|r| r.event == Depart).count() as u64;
    assert_eq!(departs, traced.all.counts.cleared);
    // A trace bounded below its events is marked full, and the result is
    // still the same.
    let (bounded, small) = simulate_traced(&s, 0, &Limits::default(), 5).expect("runs");
    assert!(small.full && small.rows.len() == 5);
    assert_eq!(format!("{plain:?}"), format!("{bounded:?}"));
}
