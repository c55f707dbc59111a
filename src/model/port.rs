//! The port's event dispatcher: arrivals, bookings, the gates, stages and
//! departures; the mechanisms live beside it (`gate`, `stage`, `booking`,
//! `equeue`, `diversion`, `initial`, `guard`).
//!
//! # A truck's path
//!
//! A truck comes into being when the arrival process fires. It books a slot
//! (and comes at it, or is a no-show, or comes later unbooked), or walks
//! in. When it reaches the border area it registers in the e-queue if there
//! is one, waits off-site until called forward, and travels to the port.
//! At the port it may divert instead of joining a long queue (its class's
//! tolerance), waits on the road while the gate is closed or the parking is
//! full (and may give up waiting: its class's patience), enters, visits its
//! class's route of stages (skipping those its routing shares skip, going
//! back on rework), pays fees and leaves.
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
//! queue is full is turned away. Entering the port is a separate zero-delay
//! event, so a long road queue admitted at once never recurses.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt;
use slab::Slab;

use super::arrivals::ArrivalGen;
use super::booking::SlotBook;
use super::diversion::Behaviour;
use super::equeue::OffSite;
use super::gate::Gate;
use super::guard::{Guard, Trip};
use super::results::{
    ClassResult, Counts, EQueueResult, GateResult, HourlyProfile, PoolResult, RepResult,
    StageResult, Stopped, Unfinished,
};
use super::stage::{Resource, Stage, capacity};
use super::truck::{Place, Truck, Waiting};
use crate::engine::dist::{DistError, Sampler};
use crate::engine::draws::Uniforms;
use crate::engine::pool::Discipline;
use crate::engine::sim::{Model, Scheduler};
use crate::engine::stats::{DailyCounts, DurationStats, TimeWeighted};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, DayHour, HOUR, SECOND, Time, ticks};
use crate::scenario::{Lanes, NoSlot, Port as GateSpec, Scenario};

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

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// The arrival process fires.
    Arrival,
    /// A booked truck's slot time comes: it shows up, or it is a no-show.
    Show(u32),
    /// A no-show comes after all, unbooked.
    Later(u32),
    /// A truck called forward from the e-queue reaches the port.
    Called(u32),
    /// A waiting truck's patience runs out (if it still waits there).
    Renege { truck: u32, epoch: u32 },
    /// A truck admitted by the gate enters the port area.
    Enter(u32),
    /// A stage finishes serving a truck.
    Done { stage: u16, truck: u32 },
    /// A lane resource's calendar changes.
    LaneCalendar(u16),
    /// An entrance's gate calendar changes.
    GateCalendar(u8),
    /// Midnight: daily limits and the e-queue quota start afresh.
    Midnight,
    /// An hour boundary, for the hour-of-day profile (and, at midnight,
    /// the runaway guard).
    Hour,
    /// Warm-up ends: statistics start.
    WarmupEnd,
    /// Time zero: the trucks of an observed starting state take their places.
    Initial,
}

pub(super) struct Port<'a> {
    pub scenario: &'a Scenario,
    arrivals: ArrivalGen,
    /// Per truck draws (class, booking wish), batched: the same values in
    /// the same order as one at a time.
    class_draws: Uniforms,
    booking_draws: Uniforms,
    no_show_rng: Rng,
    punctuality_rng: Rng,
    punctuality: Option<Sampler>,
    later_rng: Rng,
    later: Option<Sampler>,
    pub initial_rng: Rng,
    slots: Option<SlotBook>,
    /// Each class's route (stage indices in order) and, per stage, its
    /// position in that route.
    pub routes: Vec<Vec<u16>>,
    route_pos: Vec<Vec<Option<u16>>>,
    /// Whether a class visits every stage in file order (no route).
    all_stages: Vec<bool>,
    /// The stages whose routing needs a draw: some class visits them with
    /// a share strictly between 0 and 1 (uniforms are in [0, 1), so a
    /// share of 1 always visits and 0 never does).
    drawn_routing: Vec<usize>,
    /// Per class, the routing bits of the other stages (those it surely
    /// visits).
    sure_routing: Vec<u64>,
    pub behaviour: Vec<Behaviour>,
    /// The last wait's epoch (see `Port::wait_in`).
    pub epochs: u32,
    pub gates: Vec<Gate>,
    pub resources: Vec<Resource>,
    pub stages: Vec<Stage>,
    pub offsite: Option<OffSite>,
    pub trucks: Slab<Truck>,
    /// Trucks waiting on the road or in a stage queue.
    waiting: TimeWeighted,
    /// Trucks waiting in the e-queue.
    pub offsite_len: TimeWeighted,
    pub measured: bool,
    /// Whether anything costs money: without fees and costs every cost
    /// sum is a sum of zeros, so none is kept.
    priced: bool,
    all: ClassResult,
    classes: Vec<ClassResult>,
    /// Trucks at the port, booked on their way, and off-site, per class.
    pub in_port: Vec<u64>,
    pub pending: Vec<u64>,
    pub equeued: Vec<u64>,
    booking_lead: DurationStats,
    daily: DailyCounts,
    hourly: HourlyProfile,
    /// The day and hour of the clock, for filing arrivals and departures.
    clock: DayHour,
    hour_mark: Time,
    hour_area: f64,
    peak_in_system: u64,
    guard: Guard,
    trip: Option<Trip>,
}

impl Port<'_> {
    /// The gate spec of entrance `e`.
    pub fn gate_spec(&self, e: usize) -> &GateSpec {
        match e {
            0 => &self.scenario.port,
            _ => &self.scenario.entrances[e - 1].gate,
        }
    }

    /// The queue priority of a truck of `class`, booked or not: the class
    /// priority first, then booked trucks ahead of walk-ins when the
    /// appointments say so.
    pub fn priority_of(&self, class: usize, booked: bool) -> i32 {
        let class = self.scenario.classes[class].priority;
        let booked_first = self
            .scenario
            .appointments
            .as_ref()
            .is_some_and(|a| a.priority);
        class.saturating_mul(2) + i32::from(booked_first && booked)
    }

    pub fn waiting_changed(&mut self, now: Time, delta: i64) {
        let value = self.waiting.value().saturating_add_signed(delta);
        self.waiting.set(now, value);
    }

    /// Counts an event for the truck's class (the whole port's counts are
    /// the classes' sums, made at the end).
    #[inline]
    pub fn count(&mut self, class: usize, f: impl Fn(&mut Counts)) {
        if self.measured {
            f(&mut self.classes[class].counts);
        }
    }

    /// The first stage of `truck`'s route at or after position `from` that
    /// its routing sends it to, with that position.
    #[inline]
    pub fn next_stage(&self, truck: &Truck, from: usize) -> Option<(usize, usize)> {
        let class = usize::from(truck.class);
        if self.all_stages[class] {
            // Every stage in file order: the next set routing bit.
            let ahead = truck.routing.checked_shr(from as u32).unwrap_or(0);
            return (ahead != 0).then(|| {
                let s = from + ahead.trailing_zeros() as usize;
                (s, s)
            });
        }
        let route = &self.routes[class];
        (from..route.len())
            .map(|q| (q, usize::from(route[q])))
            .find(|&(_, s)| truck.routing >> s & 1 == 1)
    }

    fn on_arrival(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.arrivals.next(now) {
            sched.schedule_at(next, Event::Arrival);
        }
        // Truck i takes draw i of the class, booking and routing streams
        // wherever that draw can matter, so the streams stay aligned across
        // the sides of a comparison. A draw that cannot change anything
        // (one class, no appointments, a stage every class visits or skips
        // for sure) is not taken: those streams have no other use, so
        // skipping them changes no result.
        let class = if self.scenario.classes.len() > 1 {
            let u = self.class_draws.draw();
            self.class_of(u)
        } else {
            0
        };
        let routing = self.draw_routing(class);
        let entrance = self.scenario.classes[class].entrance;
        let prio = self.priority_of(class, false);
        let mut truck = Truck::new(class, entrance, prio, routing, now);
        self.count(class, |c| c.offered += 1);
        let scenario = self.scenario;
        if let Some(appointments) = &scenario.appointments
            && self.booking_draws.draw() < appointments.share
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
                self.reach(id, sched);
                return;
            };
            if self.measured {
                self.booking_lead.record(slot - now);
            }
            self.count(class, |c| c.bookings += 1);
            truck.booked = true;
            truck.prio = self.priority_of(class, true);
            truck.place = Place::Booked;
            truck.slot = slot;
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
        self.reach(id, sched);
    }

    /// The class of a truck with uniform draw `u`.
    pub fn class_of(&self, u: f64) -> usize {
        let mut cumulative = 0.0;
        for (i, c) in self.scenario.classes.iter().enumerate() {
            cumulative += c.share;
            if u < cumulative {
                return i;
            }
        }
        self.scenario.classes.len() - 1
    }

    /// Draws the routing of a truck of `class`: a bit per stage, each from
    /// that stage's stream.
    fn draw_routing(&mut self, class: usize) -> u64 {
        let mut routing = self.sure_routing[class];
        for &s in &self.drawn_routing {
            let u = self.stages[s].routing.draw();
            if u < self.scenario.stages[s].share[class] {
                routing |= 1 << s;
            }
        }
        routing
    }

    /// A booked truck's time has come: it comes, comes later, or not at all.
    fn show(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get(id as usize).copied() else {
            return;
        };
        let class = usize::from(truck.class);
        let appointments = self.scenario.appointments.as_ref();
        if truck.no_show {
            let later = appointments.and_then(|a| a.no_show_later.as_ref());
            if let (Some(rule), Some(delay)) = (later, self.later.as_ref())
                && self.later_rng.random::<f64>() < rule.probability
            {
                let delay = ticks(delay.sample(&mut self.later_rng));
                sched.schedule_in(delay, Event::Later(id));
                return;
            }
            self.pending[class] -= 1;
            self.count(class, |c| c.no_shows += 1);
            self.trucks.remove(id as usize);
            return;
        }
        self.pending[class] -= 1;
        let grace = appointments.and_then(|a| a.late_grace);
        let late = grace.is_some_and(|g| now.saturating_sub(truck.slot) > g);
        let walk_in = self.priority_of(class, false);
        if let Some(t) = self.trucks.get_mut(id as usize) {
            if late {
                t.booked = false;
                t.prio = walk_in;
            }
            t.place = Place::Port;
        }
        if late {
            self.count(class, |c| c.lost_slot += 1);
        }
        self.reach(id, sched);
    }

    /// A no-show comes after all, as a walk-in.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn later(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let class = self
            .trucks
            .get(id as usize)
            .map_or(0, |t| usize::from(t.class));
        let walk_in = self.priority_of(class, false);
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.booked = false;
        truck.prio = walk_in;
        truck.no_show = false;
        truck.place = Place::Port;
        let class = usize::from(truck.class);
        self.pending[class] -= 1;
        self.count(class, |c| c.late_walk_ins += 1);
        self.reach(id, sched);
    }

    /// Truck `id` reaches the border area: it registers in the e-queue, or
    /// goes to the port.
    #[inline]
    fn reach(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        if self.offsite.is_some() {
            self.register(id, sched);
        } else {
            self.arrive(id, sched);
        }
    }

    /// Whether a truck arriving now would have to wait on the road.
    fn must_wait_on_road(&self, truck: &Truck) -> bool {
        let e = usize::from(truck.entrance);
        let gate = &self.gates[e].pool;
        if gate.waiting() > 0 || gate.busy() >= gate.capacity() {
            return true;
        }
        if self.gates[e].parking.is_some() {
            return false;
        }
        // No parking: it waits on the road if its first stage is busy.
        self.next_stage(truck, 0)
            .is_some_and(|(_, s)| !self.resources[self.stages[s].resource].would_start())
    }

    /// Truck `id` reaches the port: enters, queues on the road, or leaves.
    pub fn arrive(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.arrived = now;
        truck.place = Place::Port;
        if !truck.registered {
            truck.door = now;
        }
        let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
        let (booked, registered, priority) = (truck.booked, truck.registered, truck.prio);
        self.count(class, |c| {
            c.arrived += 1;
            c.booked += u64::from(booked);
        });
        if self.measured {
            let (_, hour) = self.clock.at(now);
            self.hourly.arrivals[hour] += 1;
        }
        // A truck called from the e-queue has chosen already.
        if !registered {
            let ahead = self.gates[e].road_len();
            let pace = &self.gates[e].pace;
            if !self.behaviour[class].joins(ahead, || pace.expected_wait(ahead)) {
                self.count(class, |c| c.diverted += 1);
                self.trucks.remove(id as usize);
                return;
            }
        }
        let gate = &self.gates[e];
        let road_full = gate
            .road_queue
            .is_some_and(|cap| gate.road_len() >= cap as usize);
        if road_full
            && self
                .trucks
                .get(id as usize)
                .is_some_and(|t| self.must_wait_on_road(t))
        {
            self.count(class, |c| c.turned_away += 1);
            self.trucks.remove(id as usize);
            return;
        }
        self.in_port[class] += 1;
        match self.gates[e].request(now, id, priority) {
            Some(id) => self.admitted(id, e, sched),
            None => {
                self.waiting_changed(now, 1);
                self.gates[e].road_changed(now);
                self.wait_in(id, Waiting::Gate(e as u8), sched);
            }
        }
    }

    /// Truck `id` passed the gate of entrance `e`.
    #[inline]
    fn admitted(&mut self, id: u32, e: usize, sched: &mut Scheduler<Event>) {
        if self.gates[e].parking.is_some() {
            self.gates[e].pace.record(sched.now());
        }
        self.advance(id, 0, sched);
    }

    /// Sends truck `id` to its first routed stage at or after route
    /// position `from`, or out.
    #[inline]
    fn advance(&mut self, id: u32, from: usize, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get(id as usize) else {
            return;
        };
        match self.next_stage(truck, from) {
            Some((_, s)) => self.join(s, id, sched),
            None => self.depart(id, sched),
        }
    }

    /// Truck `id` joins the queue of stage `s`.
    pub fn join(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.queued = now;
        truck.at = s as u16;
        if let Some(q) = self.route_pos[usize::from(truck.class)][s] {
            truck.pos = q;
        }
        let (e, started, priority) = (usize::from(truck.entrance), truck.started, truck.prio);
        let on_road = self.gates[e].parking.is_none() && !started;
        let stage = &mut self.stages[s];
        stage.here += 1;
        if self.measured {
            stage.joins += 1;
        }
        let r = stage.resource;
        match self.resources[r].pool.request(now, id, priority) {
            Some(id) => self.start(s, id, sched),
            None => {
                self.waiting_changed(now, 1);
                if on_road {
                    if let Some(t) = self.trucks.get_mut(id as usize) {
                        t.on_road = true;
                    }
                    self.gates[e].road_first += 1;
                    self.gates[e].road_changed(now);
                    self.wait_in(id, Waiting::FirstStage(r as u16), sched);
                }
            }
        }
    }

    fn start(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let measured = self.measured;
        let stage = &mut self.stages[s];
        let service = stage.service.next_ticks();
        if measured {
            stage.busy += u128::from(service);
        }
        let mut left_road = None;
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            if measured {
                stage.wait.record(now - truck.queued);
            }
            truck.service += service;
            truck.started = true;
            if std::mem::take(&mut truck.on_road) {
                truck.waiting = Waiting::No;
                truck.epoch = 0;
                left_road = Some(usize::from(truck.entrance));
            }
        }
        stage.started_today += 1;
        let r = stage.resource;
        if let Some(limit) = self.scenario.stages[s].daily_limit
            && stage.started_today >= limit
            && !self.resources[r].pool.is_held()
        {
            self.resources[r].pool.set_held(true);
            if measured {
                stage.limit_days += 1;
            }
        }
        if let Some(e) = left_road {
            let gate = &mut self.gates[e];
            gate.road_first -= 1;
            gate.road_changed(now);
            gate.pace.record(now);
        }
        sched.schedule_in(
            service,
            Event::Done {
                stage: s as u16,
                truck: id,
            },
        );
    }

    /// Starts waiting trucks on free lanes of resource `r`.
    fn fill_lanes(&mut self, r: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        while let Some(id) = self.resources[r].pool.start_next(now) {
            self.waiting_changed(now, -1);
            let s = self
                .trucks
                .get(id as usize)
                .map_or(0, |t| usize::from(t.at));
            self.start(s, id, sched);
        }
    }

    fn on_done(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.stages[s].resource;
        if let Some(next) = self.resources[r].pool.release(now) {
            self.waiting_changed(now, -1);
            let at = self
                .trucks
                .get(next as usize)
                .map_or(s, |t| usize::from(t.at));
            self.start(at, next, sched);
        }
        let spec = &self.scenario.stages[s];
        let stage = &mut self.stages[s];
        stage.here -= 1;
        if self.measured {
            stage.visits += 1;
        }
        let mut pos = 0;
        let priced = self.priced;
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            truck.steps += u32::from(spec.step);
            if priced {
                truck.fees += spec.fee;
            }
            pos = usize::from(truck.pos);
        }
        if self.offsite.is_some() {
            self.try_call(sched);
        }
        if let Some(rework) = &spec.rework {
            let u: f64 = self.stages[s].rework_rng.random();
            if u < rework.probability {
                // Sent back: the truck visits the rework stage whatever its
                // routing, then carries on from there along its route.
                self.join(rework.to, id, sched);
                return;
            }
        }
        self.advance(id, pos + 1, sched);
    }

    /// Truck `id` leaves the port area: its parking place goes to the next
    /// truck on the road. Returns whether it was there.
    #[inline]
    pub fn leave_port(&mut self, id: u32, sched: &mut Scheduler<Event>) -> bool {
        let now = sched.now();
        let Some(truck) = self.trucks.get(id as usize) else {
            return false;
        };
        let (e, class) = (usize::from(truck.entrance), usize::from(truck.class));
        self.trucks.remove(id as usize);
        if let Some(next) = self.gates[e].release(now) {
            self.waiting_changed(now, -1);
            self.gates[e].road_changed(now);
            sched.schedule_in(0, Event::Enter(next));
        }
        self.in_port[class] -= 1;
        true
    }

    fn depart(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        // What the statistics need, read before the truck is gone (a copy
        // of these fields, not of the whole truck).
        let Some(truck) = self.trucks.get(id as usize).map(Leaving::from) else {
            return;
        };
        self.leave_port(id, sched);
        if self.offsite.is_some() {
            self.try_call(sched);
        }
        if !self.measured {
            return;
        }
        self.daily.record(now);
        let (day, hour) = self.clock.at(now);
        self.hourly.departures[hour] += 1;
        let time = now - truck.arrived + truck.age0;
        if self.priced {
            self.pay(&truck, day, time);
        }
        let result = &mut self.classes[usize::from(truck.class)];
        result.counts.cleared += 1;
        result.time_in_port.record(time);
        result.wait.record(time.saturating_sub(truck.service));
        if truck.registered {
            // Without an e-queue door to exit is the time in port (merged at
            // the end); with one it adds the off-site wait.
            result.door_to_exit.record(now - truck.door + truck.age0);
            result.offsite_wait.record(truck.arrived - truck.door);
        } else if self.offsite.is_some() {
            result.door_to_exit.record(time);
        }
        result.steps += u64::from(truck.steps);
    }

    /// Adds a cleared truck's costs: its fees, its hours and nights in the
    /// port (`time`, leaving on `day`) and the fixed charge.
    fn pay(&mut self, truck: &Leaving, day: u64, time: Time) {
        let costs = &self.scenario.costs;
        let nights = (day - truck.arrived / DAY) as f64;
        let hourly = costs.per_hour * time as f64 / HOUR as f64;
        let overnight = costs.overnight * nights;
        let cost = truck.fees + costs.per_truck + hourly + overnight;
        // Per class only: the whole port's figures are merged from the
        // classes at the end (exact integers and histograms). The cost sums
        // are kept in arrival order too, so their floating-point totals do
        // not depend on how the classes are summed.
        let per_truck = costs.per_truck;
        let class = usize::from(truck.class);
        for parts in [
            &mut self.all.cost_parts,
            &mut self.classes[class].cost_parts,
        ] {
            parts.fees += truck.fees;
            parts.time += hourly;
            parts.overnight += overnight;
            parts.fixed += per_truck;
        }
        self.all.cost += cost;
        self.classes[class].cost += cost;
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_gate_calendar(&mut self, e: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let spec = self.gate_spec(e);
        let open = spec.open.value_at(now) > 0;
        let capacity = if open {
            spec.parking.unwrap_or(u32::MAX)
        } else {
            0
        };
        let next = spec.open.next_change(now);
        self.gates[e].pool.set_capacity(now, capacity);
        while let Some(id) = self.gates[e].pool.start_next(now) {
            self.waiting_changed(now, -1);
            sched.schedule_in(0, Event::Enter(id));
        }
        self.gates[e].road_changed(now);
        if let Some(next) = next {
            sched.schedule_at(next, Event::GateCalendar(e as u8));
        }
        if open && self.offsite.is_some() {
            self.try_call(sched);
        }
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_lane_calendar(&mut self, r: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(calendar) = &self.resources[r].calendar else {
            return;
        };
        let value = calendar.value_at(now);
        let next = calendar.next_change(now);
        self.resources[r].pool.set_capacity(now, value);
        self.fill_lanes(r, sched);
        if let Some(next) = next {
            sched.schedule_at(next, Event::LaneCalendar(r as u16));
        }
        if self.offsite.is_some() {
            self.try_call(sched);
        }
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_midnight(&mut self, sched: &mut Scheduler<Event>) {
        for s in 0..self.stages.len() {
            let r = self.stages[s].resource;
            self.stages[s].started_today = 0;
            if self.scenario.stages[s].daily_limit.is_some() && self.resources[r].pool.is_held() {
                if self.measured {
                    self.stages[s].held_over += self.resources[r].pool.waiting() as u64;
                }
                self.resources[r].pool.set_held(false);
                self.fill_lanes(r, sched);
            }
        }
        if let Some(offsite) = &mut self.offsite {
            offsite.midnight();
            self.try_call(sched);
        }
        sched.schedule_in(DAY, Event::Midnight);
    }

    /// Adds the waiting area since the last mark to the hour it fell in.
    fn close_hour(&mut self, now: Time) {
        if self.measured && now > self.hour_mark {
            let area = self.waiting.area(now);
            let hour = (self.hour_mark % DAY / HOUR) as usize;
            self.hourly.waiting_area[hour] += area - self.hour_area;
            self.hourly.ticks[hour] += now - self.hour_mark;
        }
        self.hour_mark = now;
        self.hour_area = self.waiting.area(now);
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_warmup_end(&mut self, now: Time) {
        // Close the warm-up's partial hour while still unmeasured: it is
        // dropped, and the profile starts at `now`.
        self.close_hour(now);
        self.measured = true;
        for r in &mut self.resources {
            r.pool.reset_stats(now);
        }
        for stage in &mut self.stages {
            stage.present_start = stage.here;
        }
        for gate in &mut self.gates {
            gate.road.reset(now);
            gate.road_start = gate.road_len() as u64;
        }
        self.offsite_len.reset(now);
        self.snapshot(
            |c| &mut c.in_port_start,
            |c| &mut c.booked_start,
            |c| &mut c.equeue_start,
        );
    }

    /// Writes the trucks at the port, booked and off-site into the counts.
    fn snapshot(
        &mut self,
        port: impl Fn(&mut Counts) -> &mut u64,
        booked: impl Fn(&mut Counts) -> &mut u64,
        offsite: impl Fn(&mut Counts) -> &mut u64,
    ) {
        for c in 0..self.classes.len() {
            let counts = &mut self.classes[c].counts;
            *port(counts) += self.in_port[c];
            *booked(counts) += self.pending[c];
            *offsite(counts) += self.equeued[c];
        }
    }

    fn stopped(&self, now: Time, trip: Option<Trip>) -> Stopped {
        let (stage, queue) = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (i, self.resources[s.resource].pool.waiting()))
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
            road_queue: self.gates.iter().map(|g| g.road_len() as u64).sum(),
        }
    }

    /// The state when the window closes: what is left at the port.
    fn close_window(&mut self, end: Time) -> Unfinished {
        self.snapshot(
            |c| &mut c.in_port_end,
            |c| &mut c.booked_ahead,
            |c| &mut c.equeue_end,
        );
        let mut unfinished = Unfinished::default();
        for (_, truck) in self.trucks.iter().filter(|(_, t)| t.place == Place::Port) {
            let age = end.saturating_sub(truck.arrived) + truck.age0;
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
            Event::Later(id) => self.later(id, sched),
            Event::Called(id) => self.on_called(id, sched),
            Event::Renege { truck, epoch } => self.on_renege(truck, epoch, sched),
            Event::Enter(id) => {
                let e = self
                    .trucks
                    .get(id as usize)
                    .map_or(0, |t| usize::from(t.entrance));
                if let Some(t) = self.trucks.get_mut(id as usize) {
                    t.waiting = Waiting::No;
                    t.epoch = 0;
                }
                self.admitted(id, e, sched);
            }
            Event::Done { stage, truck } => self.on_done(usize::from(stage), truck, sched),
            Event::LaneCalendar(r) => self.on_lane_calendar(usize::from(r), sched),
            Event::GateCalendar(e) => self.on_gate_calendar(usize::from(e), sched),
            Event::Midnight => self.on_midnight(sched),
            Event::Hour => {
                if now.is_multiple_of(DAY) {
                    self.trip = self.guard.midnight(now, self.trucks.len() as u64);
                }
                self.close_hour(now);
                sched.schedule_in(HOUR, Event::Hour);
            }
            Event::WarmupEnd => self.on_warmup_end(now),
            Event::Initial => self.place_initial(sched),
        }
        self.peak_in_system = self.peak_in_system.max(self.trucks.len() as u64);
    }
}

/// The fields of a departing truck that its statistics read.
#[derive(Clone, Copy)]
struct Leaving {
    class: u8,
    registered: bool,
    arrived: Time,
    door: Time,
    age0: Time,
    service: Time,
    fees: f64,
    steps: u32,
}

impl From<&Truck> for Leaving {
    #[inline]
    fn from(t: &Truck) -> Self {
        Leaving {
            class: t.class,
            registered: t.registered,
            arrived: t.arrived,
            door: t.door,
            age0: t.age0,
            service: t.service,
            fees: t.fees,
            steps: t.steps,
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
    let mut port = Port {
        scenario,
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
        initial_rng: streams.stream("initial"),
        slots: appointments.map(|a| SlotBook::new(a.slot, a.capacity.clone(), a.max_lead)),
        all_stages: scenario.classes.iter().map(|c| c.route.is_none()).collect(),
        drawn_routing: drawn_routing.clone(),
        sure_routing: (0..classes)
            .map(|c| {
                (0..scenario.stages.len())
                    .filter(|s| !drawn_routing.contains(s) && scenario.stages[*s].share[c] >= 1.0)
                    .fold(0u64, |bits, s| bits | 1 << s)
            })
            .collect(),
        routes,
        route_pos,
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
        waiting: TimeWeighted::new(0, 0),
        offsite_len: TimeWeighted::new(0, 0),
        measured: scenario.warmup == 0,
        priced: {
            let c = &scenario.costs;
            [c.per_hour, c.overnight, c.per_truck]
                .into_iter()
                .chain(scenario.stages.iter().map(|s| s.fee))
                .any(|x| x != 0.0)
        },
        all: ClassResult::new(),
        classes: (0..classes).map(|_| ClassResult::new()).collect(),
        in_port: vec![0; classes],
        pending: vec![0; classes],
        equeued: vec![0; classes],
        booking_lead: DurationStats::new(SECOND),
        daily: DailyCounts::new(scenario.warmup),
        hourly: HourlyProfile::default(),
        clock: DayHour::default(),
        hour_mark: 0,
        hour_area: 0.0,
        peak_in_system: 0,
        guard: Guard::new(limits.max_in_system, end),
        trip: None,
    };
    let mut sched = Scheduler::new();
    // Calendars first, so lanes are on duty before the first truck at t = 0.
    for e in 0..entrances {
        sched.schedule_at(0, Event::GateCalendar(e as u8));
    }
    for r in 0..port.resources.len() {
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
    let result = results(
        port, scenario, &sched, from, stopped_at, measured, unfinished, stopped,
    );
    debug_assert!(
        result.all.counts.system_balanced(),
        "{:?}",
        result.all.counts
    );
    debug_assert!(result.all.counts.port_balanced(), "{:?}", result.all.counts);
    Ok(Some(result))
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
    let gate_result = |g: &Gate| GateResult {
        road_start: g.road_start,
        road_end: g.road_len() as u64,
        mean_road_queue: g.road.mean(to),
    };
    let entrances: Vec<GateResult> = port.gates.iter().map(gate_result).collect();
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
            let p = &port.resources[i].pool;
            PoolResult {
                utilization: p.utilization(to),
                on_duty: p.on_duty_time(to),
                overtime: p.overtime(to),
                mean_queue_len: p.mean_queue_len(to),
            }
        })
        .collect();
    let stages = port
        .stages
        .iter()
        .zip(&scenario.stages)
        .map(|(s, spec)| {
            let resource = &port.resources[s.resource];
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
    let mut classes = port.classes;
    if port.offsite.is_none() {
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
        all.steps += c.steps;
    }
    RepResult {
        stages,
        pools,
        gate,
        entrances,
        equeue: port.offsite.as_ref().map(|_| EQueueResult {
            mean_len: port.offsite_len.mean(to),
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
