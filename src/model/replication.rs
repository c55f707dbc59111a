//! One replication, from a scenario to its result: the port built, its
//! starting state set, the events run to the end of the window, and the
//! result collected.
//!
//! # Three steps
//!
//! 1. [`build`]: the port as it is before anything happens: every random
//!    source on its own stream keyed by (seed, replication, name), the
//!    gates closed, the lanes off duty, no truck anywhere, nothing
//!    scheduled.
//! 2. [`start`], the *starting-state step*: what is in place and pending
//!    when the clock starts. For a scenario it is time zero: the
//!    calendars set at once (so lanes are on duty before the first
//!    truck), the trucks of `[initial]` placed (an `Event::Initial` at
//!    time zero, after the calendars), the first midnight and hour, the
//!    end of the warm-up, and the first arrival. This is the one step a
//!    run that starts from a given state replaces: [`simulate_from`]
//!    builds the same port and, instead of [`start`], starts the clock at
//!    the state's time of day (time zero is still a midnight, so the
//!    calendars and demand read the real weekday and hour) and puts the
//!    given trucks in their places there; nothing but the calendars
//!    happens before it.
//! 3. [`run`]: the events in time order until the window ends (an event
//!    exactly at the end belongs to the next window), a cancellation, or
//!    the runaway guard; then `collect` turns the final state into the
//!    replication's result.
//!
//! A replication is a pure function of (scenario, seed, replication): the
//! same inputs give the same result bytes on any thread.

use std::sync::atomic::{AtomicBool, Ordering};

use slab::Slab;

use super::ahead::{Ahead, Watch};
use super::arrivals::ArrivalGen;
use super::booking::SlotBook;
use super::collect;
use super::diversion::behaviour::Behaviour;
use super::equeue::offsite::OffSite;
use super::events::Event;
use super::gate::Gate;
use super::guard::Guard;
use super::port::Port;
use super::results::{ClassResult, HourlyProfile, RepResult};
use super::stage::{Resource, Stage};
use super::trace::Trace;
use super::world::World;
use crate::engine::dist::DistError;
use crate::engine::draws::Uniforms;
use crate::engine::pool::Discipline;
use crate::engine::sim::Scheduler;
use crate::engine::stats::{DailyCounts, DurationStats, TimeWeighted};
use crate::engine::streams::Streams;
use crate::engine::time::{DAY, DayHour, HOUR, SECOND};
use crate::scenario::{Initial, Scenario};

/// Guards against runaway replications.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Stop a replication when more trucks than this are in the system
    /// (road, port, booked and off-site), or when their growth says they
    /// will be before the end (see [`guard`](super::guard)).
    pub max_in_system: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_system: 1_000_000,
        }
    }
}

/// Runs replication `replication` of `scenario`.
pub fn simulate(
    scenario: &Scenario,
    replication: u64,
    limits: &Limits,
) -> Result<RepResult, DistError> {
    let never = AtomicBool::new(false);
    simulate_until_cancelled(scenario, replication, limits, &never)
        .map(|r| r.expect("never cancelled"))
}

/// Runs replication `replication` of `scenario`, or returns `None` as soon
/// as `cancel` is set (a cut replication is discarded, never reported).
pub fn simulate_until_cancelled(
    scenario: &Scenario,
    replication: u64,
    limits: &Limits,
    cancel: &AtomicBool,
) -> Result<Option<RepResult>, DistError> {
    if cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let mut port = build(scenario, replication, limits)?;
    let mut sched = Scheduler::new();
    start(&mut port, &mut sched);
    Ok(run(port, sched, cancel).map(|(result, _)| result))
}

/// Runs replication `replication` of `scenario` recording its trucks'
/// events of the measured period, at most `max_rows` of them (see
/// [`Trace`]). The result is the one [`simulate`] gives: recording draws
/// nothing and changes nothing the model reads.
pub fn simulate_traced(
    scenario: &Scenario,
    replication: u64,
    limits: &Limits,
    max_rows: usize,
) -> Result<(RepResult, Trace), DistError> {
    let mut port = build(scenario, replication, limits)?;
    port.world.trace = Some(Box::new(Trace::new(max_rows)));
    let mut sched = Scheduler::new();
    start(&mut port, &mut sched);
    let never = AtomicBool::new(false);
    let (result, trace) = run(port, sched, &never).expect("never cancelled");
    Ok((result, trace.map(|t| *t).unwrap_or_default()))
}

/// How long a run from a state goes on past its window, at most, for the
/// time in port of the window's last arrivals.
pub const FOLLOW_AT_MOST: u64 = 7 * DAY;

/// Runs replication `replication` of `scenario` from `state`, the port as
/// it is at time `scenario.warmup` (a time of day: time zero is the
/// midnight before, so the calendars and demand follow the real clock;
/// `start` and `start_date` say which day), for `scenario.horizon`, hour
/// by hour (see [`Ahead`]). The scenario's own `[initial]` is not used.
///
/// Nothing but the calendars happens before the origin: the first arrival
/// is drawn from it. After the window the run goes on (arrivals
/// included) until every truck that arrived in the window has left, or
/// for a week at most (`FOLLOW_AT_MOST`); a truck still there then counts
/// with its time so far ([`Ahead::unfinished`]). A replication the runaway
/// guard stops (`limits`) comes back marked [`Ahead::stopped`].
pub fn simulate_from(
    scenario: &Scenario,
    state: &Initial,
    replication: u64,
    limits: &Limits,
) -> Result<Ahead, DistError> {
    let origin = scenario.warmup;
    let hours = scenario.horizon.div_ceil(HOUR) as usize;
    let mut port = build(scenario, replication, limits)?;
    port.start_state = Some(state);
    let watch = Watch::new(origin, hours, scenario.stages.len());
    let end = watch.end;
    port.watch = Some(watch);
    let mut sched = Scheduler::new();
    start_from(&mut port, &mut sched, origin, hours);
    let guarded = |p: &Port, _: u64| !p.guard.over(p.world.trucks.len() as u64) && p.trip.is_none();
    let mut finished = sched.run_while(&mut port, end, guarded);
    let stop = end.saturating_add(FOLLOW_AT_MOST);
    let mut now = end;
    while finished && now < stop && port.world.trucks.iter().any(|(_, t)| t.followed) {
        now = (now + HOUR).min(stop);
        finished = sched.run_while(&mut port, now, guarded);
    }
    let mut watch = port
        .watch
        .take()
        .unwrap_or_else(|| Watch::new(origin, 0, 0));
    if !finished {
        // Stopped by the runaway guard: in no figure.
        watch.ahead.stopped = true;
        return Ok(watch.ahead);
    }
    for (_, t) in port.world.trucks.iter().filter(|(_, t)| t.followed) {
        watch.time_in_port(now, t.arrived);
        watch.ahead.unfinished += 1;
    }
    Ok(watch.ahead)
}

/// The starting-state step of a run from a state at `origin`: the
/// calendars at time zero, the state placed at the origin (before the
/// warm-up's end there, so it is counted as there when the window opens),
/// the hour marks, and the first arrival drawn from the origin on.
fn start_from(port: &mut Port, sched: &mut Scheduler<Event>, origin: u64, hours: usize) {
    let scenario = port.world.scenario;
    for e in 0..port.world.gates.len() {
        sched.schedule_at(0, Event::GateCalendar(e as u8));
    }
    for r in 0..port.world.resources.len() {
        sched.schedule_at(0, Event::LaneCalendar(r as u16));
    }
    sched.schedule_at(origin, Event::Initial);
    if origin > 0 {
        sched.schedule_at(origin, Event::WarmupEnd);
    }
    for k in 0..hours {
        sched.schedule_at(origin + (k as u64 + 1) * HOUR, Event::Mark(k as u32));
    }
    let quota = scenario
        .equeue
        .as_ref()
        .is_some_and(|q| q.daily_quota.is_some());
    if quota || scenario.stages.iter().any(|s| s.daily_limit.is_some()) {
        sched.schedule_at(origin - origin % DAY + DAY, Event::Midnight);
    }
    port.hour_mark = origin;
    sched.schedule_at(origin - origin % HOUR + HOUR, Event::Hour);
    if let Some(first) = port.arrivals.next(origin) {
        sched.schedule_at(first, Event::Arrival);
    }
}

/// Events between two looks at the cancel flag: a look costs an atomic
/// load, and at millions of events a second a replication notices a
/// cancellation within a millisecond.
const CANCEL_EVERY: u32 = 4096;

/// Each class's route as stage indices, and each stage's position in it.
fn routes(scenario: &Scenario) -> (Vec<Vec<u16>>, Vec<Vec<Option<u16>>>) {
    let n = scenario.stages.len();
    let routes: Vec<Vec<u16>> = scenario
        .classes
        .iter()
        .map(|c| match &c.route {
            Some(r) => r.iter().map(|&s| s as u16).collect(),
            None => (0..n as u16).collect(),
        })
        .collect();
    let positions = routes
        .iter()
        .map(|r| {
            let mut pos = vec![None; n];
            for (q, &s) in r.iter().enumerate() {
                pos[usize::from(s)] = Some(q as u16);
            }
            pos
        })
        .collect();
    (routes, positions)
}

/// Step 1: the port of replication `replication` of `scenario` before
/// anything happens (see the module docs).
fn build<'a>(
    scenario: &'a Scenario,
    replication: u64,
    limits: &Limits,
) -> Result<Port<'a>, DistError> {
    let streams = Streams::new(scenario.seed, replication);
    let (resources, of_stage) = Resource::all(scenario);
    let stages = scenario
        .stages
        .iter()
        .zip(&of_stage)
        .map(|(spec, &r)| Stage::new(spec, r, &streams))
        .collect::<Result<Vec<_>, DistError>>()?;
    let appointments = scenario.appointments.as_ref();
    let gate_discipline = if appointments.is_some_and(|a| a.priority) {
        Discipline::Priority
    } else {
        Discipline::Fifo
    };
    let end = scenario.warmup.saturating_add(scenario.horizon);
    let classes = scenario.classes.len();
    let entrances = 1 + scenario.entrances.len();
    let (routes, route_pos) = routes(scenario);
    let drawn_routing: Vec<usize> = (0..scenario.stages.len())
        .filter(|&s| scenario.stages[s].share.iter().any(|&p| p > 0.0 && p < 1.0))
        .collect();
    let behaviour = scenario
        .classes
        .iter()
        .map(|c| Behaviour::new(c, &streams))
        .collect::<Result<Vec<_>, DistError>>()?;
    let offsite = scenario
        .equeue
        .as_ref()
        .map(|q| OffSite::new(q, entrances, resources.len(), &streams))
        .transpose()?;
    let later = appointments
        .and_then(|a| a.no_show_later.as_ref())
        .map(|l| l.delay.sampler())
        .transpose()?;
    let world = World {
        scenario,
        routes,
        route_pos,
        all_stages: scenario.classes.iter().map(|c| c.route.is_none()).collect(),
        behaviour,
        epochs: 0,
        gates: std::iter::once(&scenario.port)
            .chain(scenario.entrances.iter().map(|e| &e.gate))
            .map(|spec| Gate::new(spec, gate_discipline))
            .collect(),
        resources,
        stages,
        offsite,
        trucks: Slab::with_capacity(1024),
        parts: Vec::new(),
        waiting: TimeWeighted::new(0, 0),
        offsite_len: TimeWeighted::new(0, 0),
        measured: scenario.warmup == 0,
        classes: (0..classes)
            .map(|_| ClassResult::new(scenario.stages.len()))
            .collect(),
        in_port: vec![0; classes],
        pending: vec![0; classes],
        equeued: vec![0; classes],
        initial_rng: streams.stream("initial"),
        serials: 0,
        trace: None,
    };
    Ok(Port {
        world,
        arrivals: ArrivalGen::new(
            &scenario.arrivals,
            scenario.start,
            streams.stream("arrivals"),
        )?,
        class_draws: Uniforms::new(streams.stream("class")),
        booking_draws: Uniforms::new(streams.stream("booking")),
        no_show_rng: streams.stream("no-show"),
        punctuality_rng: streams.stream("punctuality"),
        punctuality: appointments
            .map(|a| a.punctuality.offset_sampler())
            .transpose()?,
        later_rng: streams.stream("no-show-later"),
        later,
        slots: appointments.map(|a| SlotBook::new(a.slot, a.capacity.clone(), a.max_lead)),
        sure_routing: (0..classes)
            .map(|c| {
                (0..scenario.stages.len())
                    .filter(|s| !drawn_routing.contains(s) && scenario.stages[*s].share[c] >= 1.0)
                    .fold(0u64, |bits, s| bits | 1 << s)
            })
            .collect(),
        drawn_routing,
        priced: {
            let c = &scenario.costs;
            [c.per_hour, c.overnight, c.per_truck]
                .into_iter()
                .chain(scenario.stages.iter().map(|s| s.fee))
                .any(|x| x != 0.0)
        },
        all: ClassResult::new(scenario.stages.len()),
        booking_lead: DurationStats::new(SECOND),
        daily: DailyCounts::new(scenario.warmup),
        hourly: HourlyProfile::default(),
        clock: DayHour::default(),
        hour_mark: 0,
        hour_area: 0.0,
        peak_in_system: 0,
        guard: Guard::new(limits.max_in_system, end),
        trip: None,
        start_state: scenario.initial.as_ref(),
        streams,
        watch: None,
    })
}

/// Step 2, the starting-state step: a scenario's port starts empty at time
/// zero (with the trucks of `[initial]`, if any). The events it schedules
/// at time zero run in this order (see the module docs).
fn start(port: &mut Port, sched: &mut Scheduler<Event>) {
    let scenario = port.world.scenario;
    // Calendars first, so lanes are on duty before the first truck at t = 0.
    for e in 0..port.world.gates.len() {
        sched.schedule_at(0, Event::GateCalendar(e as u8));
    }
    for r in 0..port.world.resources.len() {
        sched.schedule_at(0, Event::LaneCalendar(r as u16));
    }
    if scenario.initial.is_some() {
        sched.schedule_at(0, Event::Initial);
    }
    let quota = scenario
        .equeue
        .as_ref()
        .is_some_and(|q| q.daily_quota.is_some());
    if quota || scenario.stages.iter().any(|s| s.daily_limit.is_some()) {
        sched.schedule_at(DAY, Event::Midnight);
    }
    sched.schedule_at(HOUR, Event::Hour);
    if scenario.warmup > 0 {
        sched.schedule_at(scenario.warmup, Event::WarmupEnd);
    }
    if let Some(first) = port.arrivals.next(0) {
        sched.schedule_at(first, Event::Arrival);
    }
}

/// Step 3: runs the events to the end of the window and collects the
/// result (and the trace, if one was kept), or `None` when `cancel` was
/// set on the way.
fn run(
    mut port: Port,
    mut sched: Scheduler<Event>,
    cancel: &AtomicBool,
) -> Option<(RepResult, Option<Box<Trace>>)> {
    let scenario = port.world.scenario;
    let end = scenario.warmup.saturating_add(scenario.horizon);
    // The measured period is [warmup, end): an event exactly at the end
    // belongs to the next period, so a 24 h window with hourly arrivals
    // counts 24, not 25. Ticks are integers, so "before end" is "at or
    // before end - 1".
    let (mut events, mut cancelled) = (0u32, false);
    let finished = sched.run_while(&mut port, end.saturating_sub(1), |p, _| {
        events = events.wrapping_add(1);
        if events.is_multiple_of(CANCEL_EVERY) && cancel.load(Ordering::Relaxed) {
            cancelled = true;
            return false;
        }
        !p.guard.over(p.world.trucks.len() as u64) && p.trip.is_none()
    });
    if cancelled {
        return None;
    }
    let stopped_at = if finished { end } else { sched.now().min(end) };
    let trace = port.world.trace.take();
    Some((collect::collect(port, &sched, finished, stopped_at), trace))
}
