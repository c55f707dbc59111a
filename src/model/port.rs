//! The port's event handlers: arrivals, bookings, the gate, stages,
//! departures.
//!
//! The gate is a [`Pool`] whose servers are parking places: a truck holds
//! one from entering the port area until it leaves, the pool's queue is the
//! road queue, and its capacity is the parking size while the gate is open
//! and zero while it is closed (trucks inside stay). Each stage is a pool
//! of lanes (see [`stage`](super::stage)). Entering the port is a separate
//! zero-delay event, so a long road queue admitted at once never recurses.
//!
//! # Where a truck waits
//!
//! * The gate is closed, or the parking is full: on the road.
//! * With `parking` set: inside the port area once admitted, at whichever
//!   stage it has reached (counting against `parking`).
//! * Without `parking`: the port area is unbounded, but a truck waiting to
//!   start its *first* stage still waits on the road, and counts against
//!   `road_queue` until that service starts.
//!
//! An arriving truck that would have to wait on the road while the road
//! queue is full is turned away.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt;
use slab::Slab;

use super::arrivals::ArrivalGen;
use super::booking::SlotBook;
use super::guard::{Guard, Trip};
use super::results::{
    ClassResult, GateResult, HourlyProfile, RepResult, StageResult, Stopped, Unfinished,
};
use super::stage::{Stage, capacity};
use crate::engine::dist::{DistError, Sampler};
use crate::engine::pool::{Discipline, Pool};
use crate::engine::sim::{Model, Scheduler};
use crate::engine::stats::{DailyCounts, DurationStats, TimeWeighted};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, HOUR, SECOND, Time, ticks};
use crate::scenario::{NoSlot, Scenario};

/// Guards against runaway replications.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Stop a replication when more trucks than this are in the system
    /// (road, port and booked-but-not-arrived), or when their growth says
    /// they will be before the end (see [`guard`](super::guard)).
    pub max_in_system: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_system: 1_000_000,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// The arrival process fires.
    Arrival,
    /// A booked truck's time comes: it shows up, or it is a no-show.
    Show(u32),
    /// A truck admitted by the gate enters the port area.
    Enter(u32),
    /// A stage finishes serving a truck.
    Done { stage: u16, truck: u32 },
    /// A stage's lane calendar changes.
    StageCalendar(u16),
    /// The gate's calendar changes.
    GateCalendar,
    /// Midnight: daily limits start afresh.
    Midnight,
    /// An hour boundary, for the hour-of-day profile (and, at midnight,
    /// the runaway guard).
    Hour,
    /// Warm-up ends: statistics start.
    WarmupEnd,
}

#[derive(Clone, Copy, Debug)]
struct Truck {
    class: u8,
    booked: bool,
    /// Booked and not at the port yet.
    pending: bool,
    /// Booked but will not come: dropped at its slot time.
    no_show: bool,
    /// Waiting on the road for its first stage (a port without parking).
    on_road: bool,
    /// Has started its first service.
    started: bool,
    arrived: Time,
    queued: Time,
    service: u64,
    fees: f64,
    steps: u32,
    routing: u64,
}

struct Port<'a> {
    scenario: &'a Scenario,
    arrivals: ArrivalGen,
    class_rng: Rng,
    booking_rng: Rng,
    no_show_rng: Rng,
    punctuality_rng: Rng,
    punctuality: Option<Sampler>,
    slots: Option<SlotBook>,
    gate: Pool<u32>,
    stages: Vec<Stage>,
    trucks: Slab<Truck>,
    /// Trucks waiting on the road or in a stage queue.
    waiting: TimeWeighted,
    /// Trucks on the road waiting for their first stage (no parking).
    road_first: usize,
    /// Trucks on the road (gate queue plus `road_first`).
    road: TimeWeighted,
    measured: bool,
    all: ClassResult,
    classes: Vec<ClassResult>,
    /// Trucks at the port, per class.
    in_port: Vec<u64>,
    /// Booked trucks not at the port yet, per class.
    pending: Vec<u64>,
    booking_lead: DurationStats,
    road_start: u64,
    daily: DailyCounts,
    hourly: HourlyProfile,
    hour_mark: Time,
    hour_area: f64,
    peak_in_system: u64,
    guard: Guard,
    trip: Option<Trip>,
}

impl Port<'_> {
    fn priority(&self, truck: &Truck) -> i32 {
        let class = self.scenario.classes[usize::from(truck.class)].priority;
        let booked_first = self
            .scenario
            .appointments
            .as_ref()
            .is_some_and(|a| a.priority);
        class.saturating_mul(2) + i32::from(booked_first && truck.booked)
    }

    fn waiting_changed(&mut self, now: Time, delta: i64) {
        let value = self.waiting.value().saturating_add_signed(delta);
        self.waiting.set(now, value);
    }

    fn road_len(&self) -> usize {
        self.gate.waiting() + self.road_first
    }

    fn road_changed(&mut self, now: Time) {
        let len = self.road_len() as u64;
        if len != self.road.value() {
            self.road.set(now, len);
        }
    }

    /// Counts an event for the whole port and the truck's class.
    fn count(&mut self, class: usize, f: impl Fn(&mut super::results::Counts)) {
        if self.measured {
            f(&mut self.all.counts);
            f(&mut self.classes[class].counts);
        }
    }

    fn on_arrival(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.arrivals.next(now) {
            sched.schedule_at(next, Event::Arrival);
        }
        // Every truck draws class, booking and routing, whatever the
        // scenario, so these streams stay aligned across scenarios.
        let u: f64 = self.class_rng.random();
        let mut class = self.scenario.classes.len() - 1;
        let mut cumulative = 0.0;
        for (i, c) in self.scenario.classes.iter().enumerate() {
            cumulative += c.share;
            if u < cumulative {
                class = i;
                break;
            }
        }
        let wants_booking: f64 = self.booking_rng.random();
        let mut routing = 0u64;
        for (s, stage) in self.stages.iter_mut().enumerate() {
            let u: f64 = stage.routing_rng.random();
            if u < self.scenario.stages[s].share[class] {
                routing |= 1 << s;
            }
        }
        let mut truck = Truck {
            class: class as u8,
            booked: false,
            pending: false,
            no_show: false,
            on_road: false,
            started: false,
            arrived: now,
            queued: now,
            service: 0,
            fees: 0.0,
            steps: 0,
            routing,
        };
        self.count(class, |c| c.offered += 1);
        let scenario = self.scenario;
        if let Some(appointments) = &scenario.appointments
            && wants_booking < appointments.share
        {
            let Some(slot) = self.slots.as_mut().and_then(|book| book.book(now)) else {
                if appointments.no_slot == NoSlot::TurnAway {
                    self.count(class, |c| {
                        c.turned_away += 1;
                        c.turned_away_no_slot += 1;
                    });
                    return;
                }
                self.count(class, |c| c.unbooked_walk_ins += 1);
                let id = self.trucks.insert(truck) as u32;
                self.arrive(id, sched);
                return;
            };
            if self.measured {
                self.booking_lead.record(slot - now);
            }
            self.count(class, |c| c.bookings += 1);
            truck.booked = true;
            truck.pending = true;
            truck.no_show = self.no_show_rng.random::<f64>() < appointments.no_show;
            let offset = self
                .punctuality
                .as_ref()
                .map_or(0.0, |p| p.sample_offset(&mut self.punctuality_rng));
            // A no-show is dropped at its slot's start, so it is counted in
            // the same period as the trucks that did come.
            let at = if truck.no_show {
                slot as f64
            } else {
                (slot as f64 + offset).max(now as f64)
            };
            self.pending[class] += 1;
            let id = self.trucks.insert(truck) as u32;
            sched.schedule_at(ticks(at), Event::Show(id));
            return;
        }
        let id = self.trucks.insert(truck) as u32;
        self.arrive(id, sched);
    }

    /// A booked truck's time has come: it arrives, or it is a no-show.
    fn show(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.pending = false;
        let (class, no_show) = (usize::from(truck.class), truck.no_show);
        self.pending[class] -= 1;
        if no_show {
            self.count(class, |c| c.no_shows += 1);
            self.trucks.remove(id as usize);
        } else {
            self.arrive(id, sched);
        }
    }

    /// Whether a truck arriving now would have to wait on the road.
    fn must_wait_on_road(&self, truck: &Truck) -> bool {
        if self.gate.waiting() > 0 || self.gate.busy() >= self.gate.capacity() {
            return true;
        }
        if self.scenario.port.parking.is_some() {
            return false;
        }
        // No parking: it waits on the road if its first stage is busy.
        let first = (0..self.stages.len()).find(|&s| truck.routing >> s & 1 == 1);
        first.is_some_and(|s| !self.stages[s].pool.would_start())
    }

    /// Truck `id` reaches the port: enters, queues on the road, or leaves.
    fn arrive(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.arrived = now;
        let truck = *truck;
        let class = usize::from(truck.class);
        self.count(class, |c| {
            c.arrived += 1;
            c.booked += u64::from(truck.booked);
        });
        if self.measured {
            self.hourly.arrivals[hour_of_day(now)] += 1;
        }
        let road_full = self
            .scenario
            .port
            .road_queue
            .is_some_and(|cap| self.road_len() >= cap as usize);
        if road_full && self.must_wait_on_road(&truck) {
            self.count(class, |c| c.turned_away += 1);
            self.trucks.remove(id as usize);
            return;
        }
        self.in_port[class] += 1;
        let priority = self.priority(&truck);
        match self.gate.request(now, id, priority) {
            Some(id) => self.advance(id, 0, sched),
            None => {
                self.waiting_changed(now, 1);
                self.road_changed(now);
            }
        }
    }

    /// Sends truck `id` to its first routed stage at or after `from`, or out.
    fn advance(&mut self, id: u32, from: usize, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get(id as usize) else {
            return;
        };
        let next = (from..self.stages.len()).find(|&s| truck.routing >> s & 1 == 1);
        let Some(s) = next else {
            self.depart(id, sched);
            return;
        };
        self.join(s, id, sched);
    }

    /// Truck `id` joins the queue of stage `s`.
    fn join(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let on_road = self.scenario.port.parking.is_none();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.queued = now;
        let truck = *truck;
        if self.measured {
            self.stages[s].joins += 1;
        }
        let priority = self.priority(&truck);
        match self.stages[s].pool.request(now, id, priority) {
            Some(id) => self.start(s, id, sched),
            None => {
                self.waiting_changed(now, 1);
                if on_road && !truck.started {
                    if let Some(t) = self.trucks.get_mut(id as usize) {
                        t.on_road = true;
                    }
                    self.road_first += 1;
                    self.road_changed(now);
                }
            }
        }
    }

    fn start(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let stage = &mut self.stages[s];
        let service = ticks(stage.service.sample(&mut stage.service_rng));
        let mut left_road = false;
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            if self.measured {
                stage.wait.record(now - truck.queued);
            }
            truck.service += service;
            truck.started = true;
            left_road = std::mem::take(&mut truck.on_road);
        }
        stage.started_today += 1;
        if let Some(limit) = self.scenario.stages[s].daily_limit
            && stage.started_today >= limit
            && !stage.pool.is_held()
        {
            stage.pool.set_held(true);
            if self.measured {
                stage.limit_days += 1;
            }
        }
        if left_road {
            self.road_first -= 1;
            self.road_changed(now);
        }
        sched.schedule_in(
            service,
            Event::Done {
                stage: s as u16,
                truck: id,
            },
        );
    }

    /// Starts waiting trucks on free lanes of stage `s`.
    fn fill_lanes(&mut self, s: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        while let Some(id) = self.stages[s].pool.start_next(now) {
            self.waiting_changed(now, -1);
            self.start(s, id, sched);
        }
    }

    fn on_done(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.stages[s].pool.release(now) {
            self.waiting_changed(now, -1);
            self.start(s, next, sched);
        }
        let spec = &self.scenario.stages[s];
        if self.measured {
            self.stages[s].visits += 1;
        }
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            truck.steps += 1;
            truck.fees += spec.fee;
        }
        if let Some(rework) = &spec.rework {
            let u: f64 = self.stages[s].rework_rng.random();
            if u < rework.probability {
                // Sent back: the truck visits the rework stage whatever its
                // routing, then carries on from there as routed.
                self.join(rework.to, id, sched);
                return;
            }
        }
        self.advance(id, s + 1, sched);
    }

    fn depart(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.gate.release(now) {
            self.waiting_changed(now, -1);
            self.road_changed(now);
            sched.schedule_in(0, Event::Enter(next));
        }
        if !self.trucks.contains(id as usize) {
            return;
        }
        let truck = self.trucks.remove(id as usize);
        let class = usize::from(truck.class);
        self.in_port[class] -= 1;
        if !self.measured {
            return;
        }
        self.daily.record(now);
        self.hourly.departures[hour_of_day(now)] += 1;
        let time = now - truck.arrived;
        let costs = &self.scenario.costs;
        let nights = (now / DAY - truck.arrived / DAY) as f64;
        let cost = truck.fees
            + costs.per_truck
            + costs.per_hour * time as f64 / HOUR as f64
            + costs.overnight * nights;
        for result in [&mut self.all, &mut self.classes[class]] {
            result.counts.cleared += 1;
            result.time_in_port.record(time);
            result.wait.record(time.saturating_sub(truck.service));
            result.steps += u64::from(truck.steps);
            result.cost += cost;
        }
    }

    fn on_gate_calendar(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let port = &self.scenario.port;
        let open = port.open.value_at(now) > 0;
        let capacity = if open {
            port.parking.unwrap_or(u32::MAX)
        } else {
            0
        };
        self.gate.set_capacity(now, capacity);
        while let Some(id) = self.gate.start_next(now) {
            self.waiting_changed(now, -1);
            sched.schedule_in(0, Event::Enter(id));
        }
        self.road_changed(now);
        if let Some(next) = port.open.next_change(now) {
            sched.schedule_at(next, Event::GateCalendar);
        }
    }

    fn on_stage_calendar(&mut self, s: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let calendar = &self.scenario.stages[s].capacity;
        let value = calendar.value_at(now);
        let next = calendar.next_change(now);
        self.stages[s].pool.set_capacity(now, value);
        self.fill_lanes(s, sched);
        if let Some(next) = next {
            sched.schedule_at(next, Event::StageCalendar(s as u16));
        }
    }

    fn on_midnight(&mut self, sched: &mut Scheduler<Event>) {
        for s in 0..self.stages.len() {
            let stage = &mut self.stages[s];
            stage.started_today = 0;
            if stage.pool.is_held() {
                if self.measured {
                    stage.held_over += stage.pool.waiting() as u64;
                }
                stage.pool.set_held(false);
                self.fill_lanes(s, sched);
            }
        }
        sched.schedule_in(DAY, Event::Midnight);
    }

    /// Adds the waiting area since the last mark to the hour it fell in.
    fn close_hour(&mut self, now: Time) {
        if self.measured && now > self.hour_mark {
            let area = self.waiting.area(now);
            let hour = hour_of_day(self.hour_mark);
            self.hourly.waiting_area[hour] += area - self.hour_area;
            self.hourly.ticks[hour] += now - self.hour_mark;
        }
        self.hour_mark = now;
        self.hour_area = self.waiting.area(now);
    }

    fn on_warmup_end(&mut self, now: Time) {
        // Close the warm-up's partial hour while still unmeasured: it is
        // dropped, and the profile starts at `now`.
        self.close_hour(now);
        self.measured = true;
        for stage in &mut self.stages {
            stage.pool.reset_stats(now);
            stage.present_start = stage.present();
        }
        self.road.reset(now);
        self.road_start = self.road_len() as u64;
        for (c, result) in self.classes.iter_mut().enumerate() {
            result.counts.in_port_start = self.in_port[c];
            result.counts.booked_start = self.pending[c];
            self.all.counts.in_port_start += self.in_port[c];
            self.all.counts.booked_start += self.pending[c];
        }
    }

    fn stopped(&self, now: Time, trip: Option<Trip>) -> Stopped {
        let (stage, queue) = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.pool.waiting()))
            .max_by_key(|&(i, q)| (q, std::cmp::Reverse(i)))
            .map_or((String::new(), 0), |(i, q)| {
                (self.scenario.stages[i].name.clone(), q as u64)
            });
        let ceiling = self.guard.ceiling();
        let reason = match trip {
            Some(Trip::Projected { per_day }) => format!(
                "the trucks in the system grew by {per_day:.0} a day and would pass the limit of {ceiling} (--max-trucks) before the end of the run"
            ),
            _ => format!("the trucks in the system passed the limit of {ceiling} (--max-trucks)"),
        };
        Stopped {
            reason,
            at: now,
            in_system: self.trucks.len() as u64,
            stage,
            stage_queue: queue,
            road_queue: self.road_len() as u64,
        }
    }

    /// The state when the window closes: what is left at the port.
    fn close_window(&mut self, end: Time) -> Unfinished {
        for (c, result) in self.classes.iter_mut().enumerate() {
            result.counts.in_port_end = self.in_port[c];
            result.counts.booked_ahead = self.pending[c];
            self.all.counts.in_port_end += self.in_port[c];
            self.all.counts.booked_ahead += self.pending[c];
        }
        let mut unfinished = Unfinished::default();
        for (_, truck) in self.trucks.iter().filter(|(_, t)| !t.pending) {
            let age = end.saturating_sub(truck.arrived);
            unfinished.count += 1;
            unfinished.age_sum += u128::from(age);
            unfinished.age_max = unfinished.age_max.max(age);
        }
        unfinished
    }
}

impl Model for Port<'_> {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        match event {
            Event::Arrival => self.on_arrival(sched),
            Event::Show(id) => self.show(id, sched),
            Event::Enter(id) => self.advance(id, 0, sched),
            Event::Done { stage, truck } => self.on_done(usize::from(stage), truck, sched),
            Event::StageCalendar(s) => self.on_stage_calendar(usize::from(s), sched),
            Event::GateCalendar => self.on_gate_calendar(sched),
            Event::Midnight => self.on_midnight(sched),
            Event::Hour => {
                if hour_of_day(now) == 0 {
                    self.trip = self.guard.midnight(now, self.trucks.len() as u64);
                }
                self.close_hour(now);
                sched.schedule_in(HOUR, Event::Hour);
            }
            Event::WarmupEnd => self.on_warmup_end(now),
        }
        self.peak_in_system = self.peak_in_system.max(self.trucks.len() as u64);
    }
}

fn hour_of_day(t: Time) -> usize {
    ((t % DAY) / HOUR) as usize
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

/// Events between two looks at the cancel flag: a look costs an atomic
/// load, and at millions of events a second a replication notices a
/// cancellation within a millisecond.
const CANCEL_EVERY: u32 = 4096;

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
    let streams = Streams::new(scenario.seed, replication);
    let stages = scenario
        .stages
        .iter()
        .map(|spec| Stage::new(spec, &streams))
        .collect::<Result<Vec<_>, DistError>>()?;
    let appointments = scenario.appointments.as_ref();
    let gate_discipline = if appointments.is_some_and(|a| a.priority) {
        Discipline::Priority
    } else {
        Discipline::Fifo
    };
    let end = scenario.warmup.saturating_add(scenario.horizon);
    let classes = scenario.classes.len();
    let mut port = Port {
        scenario,
        arrivals: ArrivalGen::new(
            &scenario.arrivals,
            scenario.start,
            streams.stream("arrivals"),
        )?,
        class_rng: streams.stream("class"),
        booking_rng: streams.stream("booking"),
        no_show_rng: streams.stream("no-show"),
        punctuality_rng: streams.stream("punctuality"),
        punctuality: appointments.map(|a| a.punctuality.sampler()).transpose()?,
        slots: appointments.map(|a| SlotBook::new(a.slot, a.capacity, a.hours.clone(), a.max_lead)),
        gate: Pool::new(0, gate_discipline, 0),
        stages,
        trucks: Slab::with_capacity(1024),
        waiting: TimeWeighted::new(0, 0),
        road_first: 0,
        road: TimeWeighted::new(0, 0),
        measured: scenario.warmup == 0,
        all: ClassResult::new(),
        classes: (0..classes).map(|_| ClassResult::new()).collect(),
        in_port: vec![0; classes],
        pending: vec![0; classes],
        booking_lead: DurationStats::new(SECOND),
        road_start: 0,
        daily: DailyCounts::new(scenario.warmup),
        hourly: HourlyProfile::default(),
        hour_mark: 0,
        hour_area: 0.0,
        peak_in_system: 0,
        guard: Guard::new(limits.max_in_system, end),
        trip: None,
    };
    let mut sched = Scheduler::new();
    // Calendars first, so lanes are on duty before the first truck at t = 0.
    sched.schedule_at(0, Event::GateCalendar);
    for s in 0..scenario.stages.len() {
        sched.schedule_at(0, Event::StageCalendar(s as u16));
    }
    if scenario.stages.iter().any(|s| s.daily_limit.is_some()) {
        sched.schedule_at(DAY, Event::Midnight);
    }
    sched.schedule_at(HOUR, Event::Hour);
    if scenario.warmup > 0 {
        sched.schedule_at(scenario.warmup, Event::WarmupEnd);
    }
    if let Some(first) = port.arrivals.next(0) {
        sched.schedule_at(first, Event::Arrival);
    }
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
        !p.guard.over(p.trucks.len() as u64) && p.trip.is_none()
    });
    if cancelled {
        return Ok(None);
    }
    let stopped_at = if finished { end } else { sched.now().min(end) };
    let stopped = (!finished).then(|| port.stopped(stopped_at, port.trip));
    port.close_hour(stopped_at);
    let unfinished = port.close_window(stopped_at);
    let from = scenario.warmup.min(stopped_at);
    let measured = stopped_at - from;
    let road_end = port.road_len() as u64;
    let stages = port
        .stages
        .into_iter()
        .zip(&scenario.stages)
        .map(|(s, spec)| {
            let (capacity, limit_bound) = capacity(spec, s.service.mean(), from, stopped_at);
            StageResult {
                visits: s.visits,
                joins: s.joins,
                utilization: s.pool.utilization(stopped_at),
                on_duty: s.pool.on_duty_time(stopped_at),
                overtime: s.pool.overtime(stopped_at),
                capacity,
                limit_bound,
                mean_queue_len: s.pool.mean_queue_len(stopped_at),
                present_start: s.present_start,
                present_end: s.present(),
                limit_days: s.limit_days,
                held_over: s.held_over,
                wait: s.wait,
            }
        })
        .collect();
    let result = RepResult {
        stages,
        gate: GateResult {
            road_start: port.road_start,
            road_end,
            mean_road_queue: port.road.mean(stopped_at),
        },
        unfinished,
        booking_lead: port.booking_lead,
        all: port.all,
        classes: port.classes,
        daily_departures: port.daily.counts(measured.div_ceil(DAY) as usize),
        hourly: port.hourly,
        days: measured as f64 / DAY as f64,
        events: sched.events_processed(),
        peak_in_system: port.peak_in_system,
        stopped,
    };
    debug_assert!(
        result.all.counts.system_balanced(),
        "{:?}",
        result.all.counts
    );
    debug_assert!(result.all.counts.port_balanced(), "{:?}", result.all.counts);
    Ok(Some(result))
}
