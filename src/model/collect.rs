//! A replication's result, collected from the port's final state: the
//! trucks left at the end, why it stopped early (if it did), and the sums
//! and histograms of every group, stage, pool, gate and the e-queue over
//! the measured window (see `results` for what each one means).
//!
//! Collecting reads the state and changes nothing that the run could
//! still see: it is the last thing a replication does.

use super::events::Event;
use super::gate::Gate;
use super::guard::Trip;
use super::port::Port;
use super::results::{
    EQueueResult, GateResult, PoolResult, RepResult, StageResult, Stopped, Unfinished,
};
use super::stage::capacity;
use super::truck::Place;
use crate::engine::sim::Scheduler;
use crate::engine::time::{DAY, Time};
use crate::scenario::{Lanes, Scenario};

/// The result of a replication that ran to `stopped_at`: the end of its
/// window when it `finished`, else when the runaway guard stopped it.
pub(super) fn collect(
    mut port: Port,
    sched: &Scheduler<Event>,
    finished: bool,
    stopped_at: Time,
) -> RepResult {
    let scenario = port.world.scenario;
    let stopped = (!finished).then(|| stopped(&port, stopped_at, port.trip));
    port.close_hour(stopped_at);
    let unfinished = close_window(&mut port, stopped_at);
    let from = scenario.warmup.min(stopped_at);
    let measured = stopped_at - from;
    let result = results(
        port, scenario, sched, from, stopped_at, measured, unfinished, stopped,
    );
    debug_assert!(
        result.all.counts.system_balanced(),
        "{:?}",
        result.all.counts
    );
    debug_assert!(result.all.counts.port_balanced(), "{:?}", result.all.counts);
    result
}

/// Why and where a replication was stopped at `now`.
fn stopped(port: &Port, now: Time, trip: Option<Trip>) -> Stopped {
    let w = &port.world;
    let (stage, queue) = w
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (i, w.resources[s.resource].pool.waiting()))
        .max_by_key(|&(i, q)| (q, std::cmp::Reverse(i)))
        .map_or((String::new(), 0), |(i, q)| {
            (w.scenario.stages[i].name.clone(), q as u64)
        });
    let ceiling = port.guard.ceiling();
    let reason = match trip {
        Some(Trip::Projected { per_day }) => format!(
            "the trucks in the system grew by {per_day:.0} a day and would pass the limit of {ceiling} (--max-trucks) before the end of the run"
        ),
        _ => format!("the trucks in the system passed the limit of {ceiling} (--max-trucks)"),
    };
    Stopped {
        reason,
        at: now,
        in_system: w.trucks.len() as u64,
        stage,
        stage_queue: queue,
        road_queue: w.gates.iter().map(|g| g.road_len() as u64).sum(),
    }
}

/// The state when the window closes: what is left at the port. A window
/// that never opened (the runaway guard stopped the replication in its
/// warm-up) has nothing at its edges, so its counts still balance.
fn close_window(port: &mut Port, end: Time) -> Unfinished {
    let w = &mut port.world;
    if !w.measured {
        return Unfinished::default();
    }
    w.snapshot(
        |c| &mut c.in_port_end,
        |c| &mut c.booked_ahead,
        |c| &mut c.equeue_end,
    );
    let mut unfinished = Unfinished::default();
    for (_, truck) in w.trucks.iter().filter(|(_, t)| t.place == Place::Port) {
        let age = end.saturating_sub(truck.arrived) + truck.age0;
        unfinished.count += 1;
        unfinished.age_sum += u128::from(age);
        unfinished.age_max = unfinished.age_max.max(age);
    }
    unfinished
}

/// What the replication measured, from the port's final state.
#[allow(clippy::too_many_arguments)]
fn results(
    port: Port,
    scenario: &Scenario,
    sched: &Scheduler<Event>,
    from: Time,
    to: Time,
    measured: u64,
    unfinished: Unfinished,
    stopped: Option<Stopped>,
) -> RepResult {
    let world = port.world;
    let gate_result = |g: &Gate| GateResult {
        road_start: g.road_start,
        road_end: g.road_len() as u64,
        mean_road_queue: g.road.mean(to),
    };
    let entrances: Vec<GateResult> = world.gates.iter().map(gate_result).collect();
    let gate = entrances
        .iter()
        .fold(GateResult::default(), |a, g| GateResult {
            road_start: a.road_start + g.road_start,
            road_end: a.road_end + g.road_end,
            mean_road_queue: a.mean_road_queue + g.mean_road_queue,
        });
    let pools = scenario
        .pools
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let p = &world.resources[i].pool;
            PoolResult {
                utilization: p.utilization(to),
                on_duty: p.on_duty_time(to),
                overtime: p.overtime(to),
                mean_queue_len: p.mean_queue_len(to),
            }
        })
        .collect();
    let stages = world
        .stages
        .iter()
        .zip(&scenario.stages)
        .map(|(s, spec)| {
            let resource = &world.resources[s.resource];
            let lanes = resource.calendar.as_ref();
            let limit = spec.daily_limit;
            let (capacity, limit_bound) = capacity(lanes, limit, s.mean_service, from, to);
            let pool = match spec.lanes {
                Lanes::Pool(i) => Some(i),
                _ => None,
            };
            let on_duty = resource.pool.on_duty_time(to);
            StageResult {
                visits: s.visits,
                joins: s.joins,
                // A stage on a pool: its own share of the pool's lane-time.
                utilization: match (resource.unlimited, pool) {
                    (true, _) => f64::NAN,
                    (false, Some(_)) if on_duty > 0.0 => (s.busy as f64 / on_duty).min(1.0),
                    (false, Some(_)) => 0.0,
                    (false, None) => resource.pool.utilization(to),
                },
                on_duty,
                overtime: if pool.is_some() {
                    0.0
                } else {
                    resource.pool.overtime(to)
                },
                capacity,
                limit_bound,
                pool,
                mean_queue_len: resource.pool.mean_queue_len(to),
                mean_in_service: match pool {
                    Some(_) if to > from => s.busy as f64 / (to - from) as f64,
                    Some(_) => 0.0,
                    None => resource.pool.mean_busy(to),
                },
                present_start: s.present_start,
                present_end: s.here,
                limit_days: s.limit_days,
                held_over: s.held_over,
                wait: s.wait.clone(),
            }
        })
        .collect();
    let mut classes = world.classes;
    if world.offsite.is_none() {
        for c in &mut classes {
            c.door_to_exit = c.time_in_port.clone();
        }
    }
    let mut all = port.all;
    for c in &classes {
        all.counts += c.counts;
        all.time_in_port.merge(&c.time_in_port);
        all.wait.merge(&c.wait);
        all.offsite_wait.merge(&c.offsite_wait);
        all.door_to_exit.merge(&c.door_to_exit);
        all.time_parts.add(&c.time_parts);
        all.steps += c.steps;
    }
    RepResult {
        stages,
        pools,
        gate,
        entrances,
        equeue: world.offsite.as_ref().map(|_| EQueueResult {
            mean_len: world.offsite_len.mean(to),
        }),
        unfinished,
        booking_lead: port.booking_lead,
        all,
        classes,
        daily_departures: port.daily.counts(measured.div_ceil(DAY) as usize),
        hourly: port.hourly,
        days: measured as f64 / DAY as f64,
        events: sched.events_processed(),
        peak_in_system: port.peak_in_system,
        stopped,
    }
}
