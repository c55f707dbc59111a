//! The port's event dispatcher: arrivals, bookings, the gates, stages and
//! departures. The mechanisms live beside it (`gate`, `stage`, `booking`,
//! `equeue`, `diversion`, `initial`, `guard`) and work on the shared state
//! ([`World`]); where one of their steps leads on to another (a called
//! truck reaches the gate, a truck that gives up frees a place, a truck of
//! the starting state joins its stage), the handler here takes that next
//! step. A replication is built and run by `replication`, and its results
//! collected by `collect`.
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

use rand::RngExt;

use super::ahead::Watch;
use super::arrivals::ArrivalGen;
use super::booking::SlotBook;
use super::events::Event;
use super::guard::{Guard, Trip};
use super::results::{ClassResult, HourlyProfile};
use super::trace::{Milestone, NO_STAGE};
use super::truck::{Place, Truck, Waiting};
use super::world::{Part, ROW, World};
use super::{diversion, equeue, initial};
use crate::engine::dist::Sampler;
use crate::engine::dist::residual::Residual;
use crate::engine::draws::Uniforms;
use crate::engine::sim::{Model, Scheduler};
use crate::engine::stats::{DailyCounts, DurationStats};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, DayHour, HOUR, Span, Time, ticks};
use crate::scenario::{Initial, InitialTruck, NoSlot, TruckState};

/// The dispatcher of one replication: the shared state, and what only the
/// dispatcher uses (the arrival process and bookings, the statistics of
/// departures, the runaway guard).
pub(super) struct Port<'a> {
    /// The state the mechanisms share.
    pub world: World<'a>,
    pub arrivals: ArrivalGen,
    /// Per truck draws (class, booking wish), batched: the same values in
    /// the same order as one at a time.
    pub class_draws: Uniforms,
    pub booking_draws: Uniforms,
    pub no_show_rng: Rng,
    pub punctuality_rng: Rng,
    pub punctuality: Option<Sampler>,
    pub later_rng: Rng,
    pub later: Option<Sampler>,
    pub slots: Option<SlotBook>,
    /// The stages whose routing needs a draw: some class visits them with
    /// a share strictly between 0 and 1 (uniforms are in [0, 1), so a
    /// share of 1 always visits and 0 never does).
    pub drawn_routing: Vec<usize>,
    /// Per class, the routing bits of the other stages (those it surely
    /// visits).
    pub sure_routing: Vec<u64>,
    /// Whether anything costs money: without fees and costs every cost
    /// sum is a sum of zeros, so none is kept.
    pub priced: bool,
    /// All trucks' cost sums, added as trucks leave (so their
    /// floating-point totals do not depend on how the classes are summed);
    /// the whole port's other figures are the classes' sums, made at the
    /// end.
    pub all: ClassResult,
    pub booking_lead: DurationStats,
    pub daily: DailyCounts,
    pub hourly: HourlyProfile,
    /// The day and hour of the clock, for filing arrivals and departures.
    pub clock: DayHour,
    pub hour_mark: Time,
    pub hour_area: f64,
    pub peak_in_system: u64,
    pub guard: Guard,
    pub trip: Option<Trip>,
    /// The starting state placed on `Event::Initial` (the scenario's
    /// `[initial]`, or the state a run from a state is given).
    pub start_state: Option<&'a Initial>,
    /// The replication's streams, for the sources only a starting state
    /// needs (made when it is placed).
    pub streams: Streams,
    /// The hours a run from a state watches (`ahead`).
    pub watch: Option<Watch>,
}

impl Port<'_> {
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
        let class = if self.world.scenario.classes.len() > 1 {
            let u = self.class_draws.draw();
            self.world.class_of(u)
        } else {
            0
        };
        let routing = self.draw_routing(class);
        let entrance = self.world.scenario.classes[class].entrance;
        let prio = self.world.priority_of(class, false);
        let serial = self.world.next_serial();
        let mut truck = Truck::new(class, entrance, prio, routing, now, serial);
        self.world.count(class, |c| c.offered += 1);
        let scenario = self.world.scenario;
        if let Some(appointments) = &scenario.appointments
            && self.booking_draws.draw() < appointments.share
        {
            let Some(slot) = self.slots.as_mut().and_then(|book| book.book(now)) else {
                if appointments.no_slot == NoSlot::TurnAway {
                    self.world
                        .trace_of(&truck, Milestone::TurnedAway, NO_STAGE, now);
                    self.world.count(class, |c| {
                        c.turned_away += 1;
                        c.turned_away_no_slot += 1;
                    });
                    return;
                }
                self.world.count(class, |c| c.unbooked_walk_ins += 1);
                let id = self.world.insert(truck);
                self.reach(id, sched);
                return;
            };
            if self.world.measured {
                self.booking_lead.record(slot - now);
            }
            self.world.count(class, |c| c.bookings += 1);
            truck.booked = true;
            truck.prio = self.world.priority_of(class, true);
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
            self.world.pending[class] += 1;
            let id = self.world.insert(truck);
            self.world.add_part(id, Part::Lead as usize, slot - now);
            self.world.add_part(id, Part::Booked as usize, 1);
            sched.schedule_at(ticks(at), Event::Show(id));
            return;
        }
        let id = self.world.insert(truck);
        self.reach(id, sched);
    }

    /// The class of a truck with uniform draw `u`.
    /// Draws the routing of a truck of `class`: a bit per stage, each from
    /// that stage's stream.
    fn draw_routing(&mut self, class: usize) -> u64 {
        let mut routing = self.sure_routing[class];
        for &s in &self.drawn_routing {
            let u = self.world.stages[s].routing.draw();
            if u < self.world.scenario.stages[s].share[class] {
                routing |= 1 << s;
            }
        }
        routing
    }

    /// A booked truck's time has come: it comes, comes later, or not at all.
    fn show(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.world.trucks.get(id as usize).copied() else {
            return;
        };
        let class = usize::from(truck.class);
        let appointments = self.world.scenario.appointments.as_ref();
        if truck.no_show {
            let later = appointments.and_then(|a| a.no_show_later.as_ref());
            if let (Some(rule), Some(delay)) = (later, self.later.as_ref())
                && self.later_rng.random::<f64>() < rule.probability
            {
                let delay = ticks(delay.sample(&mut self.later_rng));
                sched.schedule_in(delay, Event::Later(id));
                return;
            }
            self.world.pending[class] -= 1;
            self.world.count(class, |c| c.no_shows += 1);
            self.world.trace(id, Milestone::NoShow, NO_STAGE, now);
            self.world.trucks.remove(id as usize);
            return;
        }
        self.world.pending[class] -= 1;
        let grace = appointments.and_then(|a| a.late_grace);
        let late = grace.is_some_and(|g| now.saturating_sub(truck.slot) > g);
        let walk_in = self.world.priority_of(class, false);
        if let Some(t) = self.world.trucks.get_mut(id as usize) {
            if late {
                t.booked = false;
                t.prio = walk_in;
            }
            t.place = Place::Port;
        }
        if late {
            self.world.count(class, |c| c.lost_slot += 1);
        }
        self.reach(id, sched);
    }

    /// A no-show comes after all, as a walk-in.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn later(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let class = self
            .world
            .trucks
            .get(id as usize)
            .map_or(0, |t| usize::from(t.class));
        let walk_in = self.world.priority_of(class, false);
        let Some(truck) = self.world.trucks.get_mut(id as usize) else {
            return;
        };
        truck.booked = false;
        truck.prio = walk_in;
        truck.no_show = false;
        truck.place = Place::Port;
        let class = usize::from(truck.class);
        self.world.pending[class] -= 1;
        self.world.count(class, |c| c.late_walk_ins += 1);
        self.reach(id, sched);
    }

    /// Truck `id` reaches the border area: it registers in the e-queue, or
    /// goes to the port.
    #[inline]
    fn reach(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        if self.world.offsite.is_some() {
            equeue::register(&mut self.world, id, sched);
        } else {
            self.arrive(id, sched);
        }
    }

    /// Whether a truck arriving now would have to wait on the road.
    fn must_wait_on_road(&self, truck: &Truck) -> bool {
        let e = usize::from(truck.entrance);
        let gate = &self.world.gates[e].pool;
        if gate.waiting() > 0 || gate.busy() >= gate.capacity() {
            return true;
        }
        if self.world.gates[e].parking.is_some() {
            return false;
        }
        // No parking: it waits on the road if its first stage is busy.
        self.world.next_stage(truck, 0).is_some_and(|(_, s)| {
            !self.world.resources[self.world.stages[s].resource].would_start()
        })
    }

    /// Truck `id` reaches the port: enters, queues on the road, or leaves.
    fn arrive(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.world.trucks.get_mut(id as usize) else {
            return;
        };
        truck.arrived = now;
        truck.place = Place::Port;
        if !truck.registered {
            truck.door = now;
        }
        let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
        let (booked, registered, priority) = (truck.booked, truck.registered, truck.prio);
        self.world.trace(id, Milestone::Arrive, NO_STAGE, now);
        // A truck called from the e-queue has chosen already. Any other
        // looks at the road queue first: one that will not join it goes
        // elsewhere without arriving, as one that will not join the e-queue
        // never registers.
        if !registered {
            let ahead = self.world.gates[e].road_len();
            let pace = &self.world.gates[e].pace;
            if !self.world.behaviour[class].joins(ahead, || pace.expected_wait(ahead)) {
                self.world.count(class, |c| c.diverted += 1);
                self.world.trace(id, Milestone::Diverted, NO_STAGE, now);
                self.world.trucks.remove(id as usize);
                return;
            }
        }
        self.world.count(class, |c| {
            c.arrived += 1;
            c.booked += u64::from(booked);
        });
        if self.world.measured {
            let (_, hour) = self.clock.at(now);
            self.hourly.arrivals[hour] += 1;
        }
        if let Some(watch) = &mut self.watch
            && watch.arrival(now)
            && let Some(t) = self.world.trucks.get_mut(id as usize)
        {
            t.followed = true;
        }
        let gate = &self.world.gates[e];
        let road_full = gate
            .road_queue
            .is_some_and(|cap| gate.road_len() >= cap as usize);
        if road_full
            && self
                .world
                .trucks
                .get(id as usize)
                .is_some_and(|t| self.must_wait_on_road(t))
        {
            self.world.count(class, |c| c.turned_away += 1);
            self.world.trace(id, Milestone::TurnedAway, NO_STAGE, now);
            self.world.trucks.remove(id as usize);
            return;
        }
        self.world.in_port[class] += 1;
        match self.world.gates[e].request(now, id, priority) {
            Some(id) => self.admitted(id, e, sched),
            None => {
                self.world.waiting_changed(now, 1);
                self.world.gates[e].road_changed(now);
                diversion::wait_in(&mut self.world, id, Waiting::Gate(e as u8), sched);
            }
        }
    }

    /// Truck `id` passed the gate of entrance `e`.
    #[inline]
    fn admitted(&mut self, id: u32, e: usize, sched: &mut Scheduler<Event>) {
        if self.world.gates[e].parking.is_some() {
            self.world.gates[e].pace.record(sched.now());
        }
        self.advance(id, 0, sched);
    }

    /// Sends truck `id` to its first routed stage at or after route
    /// position `from`, or out.
    #[inline]
    fn advance(&mut self, id: u32, from: usize, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.world.trucks.get(id as usize) else {
            return;
        };
        match self.world.next_stage(truck, from) {
            Some((_, s)) => self.join(s, id, sched),
            None => self.depart(id, sched),
        }
    }

    /// Truck `id` joins the queue of stage `s`.
    fn join(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        self.join_from(s, id, sched.now(), None, sched);
    }

    /// Truck `id` joins the queue of stage `s`, having queued since
    /// `queued`; if it starts at once, a `residual` service (a service
    /// already under way) replaces a fresh draw.
    fn join_from(
        &mut self,
        s: usize,
        id: u32,
        queued: Time,
        residual: Option<Span>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let Some(truck) = self.world.trucks.get_mut(id as usize) else {
            return;
        };
        truck.queued = queued;
        truck.at = s as u16;
        if let Some(q) = self.world.route_pos[usize::from(truck.class)][s] {
            truck.pos = q;
        }
        let (e, started, priority) = (usize::from(truck.entrance), truck.started, truck.prio);
        if !started {
            // Its first queue: the time since it reached the port was the
            // road and the gate.
            let road = now - truck.arrived;
            self.world.add_part(id, Part::Road as usize, road);
        }
        let on_road = self.world.gates[e].parking.is_none() && !started;
        let stage = &mut self.world.stages[s];
        stage.here += 1;
        if self.world.measured {
            stage.joins += 1;
        }
        let r = stage.resource;
        match self.world.resources[r].pool.request(now, id, priority) {
            Some(id) => self.start_with(s, id, residual, sched),
            None => {
                self.world.waiting_changed(now, 1);
                if on_road {
                    if let Some(t) = self.world.trucks.get_mut(id as usize) {
                        t.on_road = true;
                    }
                    self.world.gates[e].road_first += 1;
                    self.world.gates[e].road_changed(now);
                    diversion::wait_in(&mut self.world, id, Waiting::FirstStage(r as u16), sched);
                }
            }
        }
    }

    #[inline]
    fn start(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        self.start_with(s, id, None, sched);
    }

    /// Truck `id` starts its service at stage `s`: `service` long, or a
    /// fresh draw.
    fn start_with(
        &mut self,
        s: usize,
        id: u32,
        service: Option<Span>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        self.world.trace(id, Milestone::Start, s as u16, now);
        let measured = self.world.measured;
        let stage = &mut self.world.stages[s];
        let service = match service {
            Some(span) => span,
            None => stage.service.next_ticks(),
        };
        stage.serving += 1;
        if measured {
            stage.busy += u128::from(service);
        }
        let mut left_road = None;
        let mut waited = 0;
        if let Some(truck) = self.world.trucks.get_mut(id as usize) {
            waited = now - truck.queued;
            if measured {
                stage.wait.record(waited);
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
        if let Some(limit) = self.world.scenario.stages[s].daily_limit
            && stage.started_today >= limit
            && !self.world.resources[r].pool.is_held()
        {
            self.world.resources[r].pool.set_held(true);
            if measured {
                stage.limit_days += 1;
            }
        }
        let stages = self.world.stages.len();
        self.world.add_part(id, ROW + s, waited);
        self.world.add_part(id, ROW + stages + s, service);
        if let Some(e) = left_road {
            let gate = &mut self.world.gates[e];
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
        while let Some(id) = self.world.resources[r].pool.start_next(now) {
            self.world.waiting_changed(now, -1);
            let s = self
                .world
                .trucks
                .get(id as usize)
                .map_or(0, |t| usize::from(t.at));
            self.start(s, id, sched);
        }
    }

    fn on_done(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.world.trace(id, Milestone::End, s as u16, now);
        let r = self.world.stages[s].resource;
        if let Some(next) = self.world.resources[r].pool.release(now) {
            self.world.waiting_changed(now, -1);
            let at = self
                .world
                .trucks
                .get(next as usize)
                .map_or(s, |t| usize::from(t.at));
            self.start(at, next, sched);
        }
        let spec = &self.world.scenario.stages[s];
        let stage = &mut self.world.stages[s];
        stage.here -= 1;
        stage.serving -= 1;
        if self.world.measured {
            stage.visits += 1;
        }
        let mut pos = 0;
        let priced = self.priced;
        if let Some(truck) = self.world.trucks.get_mut(id as usize) {
            truck.steps += u32::from(spec.step);
            if priced {
                truck.fees += spec.fee;
            }
            pos = usize::from(truck.pos);
        }
        if self.world.offsite.is_some() {
            equeue::try_call(&mut self.world, sched);
        }
        if let Some(rework) = &spec.rework {
            let u: f64 = self.world.stages[s].rework_rng.random();
            if u < rework.probability {
                // Sent back: the truck visits the rework stage whatever its
                // routing, then carries on from there along its route.
                self.join(rework.to, id, sched);
                return;
            }
        }
        self.advance(id, pos + 1, sched);
    }

    fn depart(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        // What the statistics need, read before the truck is gone (a copy
        // of these fields, not of the whole truck).
        let Some(truck) = self.world.trucks.get(id as usize).map(Leaving::from) else {
            return;
        };
        self.world.trace(id, Milestone::Depart, NO_STAGE, now);
        let measured = self.world.measured;
        if measured {
            self.add_parts(id, &truck);
        }
        self.world.leave_port(id, sched);
        if self.world.offsite.is_some() {
            equeue::try_call(&mut self.world, sched);
        }
        if let Some(watch) = &mut self.watch {
            watch.departure(now, truck.arrived, truck.followed);
        }
        if !measured {
            return;
        }
        self.daily.record(now);
        let (day, hour) = self.clock.at(now);
        self.hourly.departures[hour] += 1;
        let time = now - truck.arrived + truck.age0;
        if self.priced {
            self.pay(&truck, day, time);
        }
        let result = &mut self.world.classes[usize::from(truck.class)];
        result.counts.cleared += 1;
        result.time_in_port.record(time);
        result.wait.record(time.saturating_sub(truck.service));
        if truck.registered {
            // Without an e-queue door to exit is the time in port (merged at
            // the end); with one it adds the off-site wait.
            result.door_to_exit.record(now - truck.door + truck.age0);
            result.offsite_wait.record(truck.arrived - truck.door);
        } else if self.world.offsite.is_some() {
            result.door_to_exit.record(time);
        }
        result.steps += u64::from(truck.steps);
    }

    /// Adds truck `id`'s row of parts to its class's sums (it is leaving,
    /// measured).
    fn add_parts(&mut self, id: u32, truck: &Leaving) {
        let stride = self.world.stride();
        let at = id as usize * stride;
        let Some(row) = self.world.parts.get(at..at + stride) else {
            return;
        };
        let stages = self.world.stages.len();
        let p = &mut self.world.classes[usize::from(truck.class)].time_parts;
        p.road += u128::from(row[Part::Road as usize]);
        for s in 0..stages {
            p.stage_wait[s] += u128::from(row[ROW + s]);
            p.stage_service[s] += u128::from(row[ROW + stages + s]);
        }
        p.before_start += u128::from(truck.age0);
        if truck.registered {
            let travel = row[Part::Travel as usize];
            let offsite = truck.arrived - truck.door;
            p.travel += u128::from(travel);
            p.equeue += u128::from(offsite.saturating_sub(travel));
        }
        if row[Part::Booked as usize] == 1 {
            p.lead += u128::from(row[Part::Lead as usize]);
            p.booked += 1;
        }
    }

    /// Adds a cleared truck's costs: its fees, its hours and nights in the
    /// port (`time`, leaving on `day`) and the fixed charge.
    fn pay(&mut self, truck: &Leaving, day: u64, time: Time) {
        let costs = &self.world.scenario.costs;
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
            &mut self.world.classes[class].cost_parts,
        ] {
            parts.fees += truck.fees;
            parts.time += hourly;
            parts.overnight += overnight;
            parts.fixed += per_truck;
        }
        self.all.cost += cost;
        self.world.classes[class].cost += cost;
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_gate_calendar(&mut self, e: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let spec = self.world.gate_spec(e);
        let open = spec.open.value_at(now) > 0;
        let capacity = if open {
            spec.parking.unwrap_or(u32::MAX)
        } else {
            0
        };
        let next = spec.open.next_change(now);
        self.world.gates[e].pool.set_capacity(now, capacity);
        while let Some(id) = self.world.gates[e].pool.start_next(now) {
            self.world.waiting_changed(now, -1);
            sched.schedule_in(0, Event::Enter(id));
        }
        self.world.gates[e].road_changed(now);
        if let Some(next) = next {
            sched.schedule_at(next, Event::GateCalendar(e as u8));
        }
        if open && self.world.offsite.is_some() {
            equeue::try_call(&mut self.world, sched);
        }
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_lane_calendar(&mut self, r: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(calendar) = &self.world.resources[r].calendar else {
            return;
        };
        let value = calendar.value_at(now);
        let next = calendar.next_change(now);
        self.world.resources[r].pool.set_capacity(now, value);
        self.fill_lanes(r, sched);
        if let Some(next) = next {
            sched.schedule_at(next, Event::LaneCalendar(r as u16));
        }
        if self.world.offsite.is_some() {
            equeue::try_call(&mut self.world, sched);
        }
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_midnight(&mut self, sched: &mut Scheduler<Event>) {
        for s in 0..self.world.stages.len() {
            let r = self.world.stages[s].resource;
            self.world.stages[s].started_today = 0;
            if self.world.scenario.stages[s].daily_limit.is_some()
                && self.world.resources[r].pool.is_held()
            {
                if self.world.measured {
                    self.world.stages[s].held_over += self.world.resources[r].pool.waiting() as u64;
                }
                self.world.resources[r].pool.set_held(false);
                self.fill_lanes(r, sched);
            }
        }
        if let Some(offsite) = &mut self.world.offsite {
            offsite.midnight();
            equeue::try_call(&mut self.world, sched);
        }
        sched.schedule_in(DAY, Event::Midnight);
    }

    /// Adds the waiting area since the last mark to the hour it fell in.
    pub(super) fn close_hour(&mut self, now: Time) {
        if self.world.measured && now > self.hour_mark {
            let area = self.world.waiting.area(now);
            let hour = (self.hour_mark % DAY / HOUR) as usize;
            self.hourly.waiting_area[hour] += area - self.hour_area;
            self.hourly.ticks[hour] += now - self.hour_mark;
        }
        self.hour_mark = now;
        self.hour_area = self.world.waiting.area(now);
    }

    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_warmup_end(&mut self, now: Time) {
        // Close the warm-up's partial hour while still unmeasured: it is
        // dropped, and the profile starts at `now`.
        self.close_hour(now);
        self.world.measured = true;
        for r in &mut self.world.resources {
            r.pool.reset_stats(now);
        }
        for stage in &mut self.world.stages {
            stage.present_start = stage.here;
        }
        for gate in &mut self.world.gates {
            gate.road.reset(now);
            gate.road_start = gate.road_len() as u64;
        }
        self.world.offsite_len.reset(now);
        self.world.snapshot(
            |c| &mut c.in_port_start,
            |c| &mut c.booked_start,
            |c| &mut c.equeue_start,
        );
    }

    /// A called truck reaches the port: off the e-queue's books, then to
    /// the gate as any arriving truck.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_called(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        if equeue::called(&mut self.world, id) {
            self.arrive(id, sched);
        }
    }

    /// A waiting truck's patience runs out; if it left the port, the
    /// e-queue may call a truck into the room it made.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_renege(&mut self, id: u32, epoch: u32, sched: &mut Scheduler<Event>) {
        if diversion::renege(&mut self.world, id, epoch, sched) && self.world.offsite.is_some() {
            equeue::try_call(&mut self.world, sched);
        }
    }

    /// Places the trucks of the observed starting state (see `initial`):
    /// those at stages join their stage's queue, then those in the parking
    /// and on the road ask their gate for a place and go in if they get it.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn place_initial(&mut self, sched: &mut Scheduler<Event>) {
        let Some(start) = self.start_state else {
            return;
        };
        for at in &start.stages {
            for _ in 0..at.in_service + at.queued {
                if let Some(id) = initial::place(&mut self.world, Some(at.stage), at.waited, sched)
                {
                    self.join(at.stage, id, sched);
                }
            }
        }
        for _ in 0..start.parking + start.road {
            if let Some(id) = initial::place(&mut self.world, None, start.waited, sched) {
                sched.schedule_in(0, Event::Enter(id));
            }
        }
        if !start.trucks.is_empty() {
            self.place_trucks(&start.trucks, sched);
        }
    }

    /// Places the trucks of a per-truck starting state (see `initial`):
    /// in service first (each continuing with a residual service time),
    /// then queued, then waiting, each group by how long it has been so
    /// (longest first), so that queues keep their order.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn place_trucks(&mut self, trucks: &[InitialTruck], sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let group = |t: &InitialTruck| match t.state {
            TruckState::InService(_) => 0,
            TruckState::Queued(_) => 1,
            TruckState::Waiting => 2,
        };
        let mut order: Vec<&InitialTruck> = trucks.iter().collect();
        order.sort_by_key(|t| (group(t), std::cmp::Reverse(t.since)));
        // The conditional remaining-time law of each stage with a truck in
        // service, and its own stream.
        let mut residual: Vec<Option<(Residual, Rng)>> =
            (0..self.world.stages.len()).map(|_| None).collect();
        for t in &order {
            match t.state {
                TruckState::InService(s) => {
                    let spec = &self.world.scenario.stages[s];
                    if residual[s].is_none() {
                        // A stage's service was checked when the scenario
                        // was read; a law without a residual serves afresh.
                        residual[s] = spec.service.residual().ok().map(|law| {
                            let rng = self
                                .streams
                                .stream(&format!("initial/residual/{}", spec.name));
                            (law, rng)
                        });
                    }
                    let left = residual[s]
                        .as_mut()
                        .map(|(law, rng)| ticks(law.sample(t.since as f64, rng)));
                    if let Some(id) = initial::place_truck(&mut self.world, t, Some(s), sched) {
                        self.join_from(s, id, now.saturating_sub(t.since), left, sched);
                    }
                }
                TruckState::Queued(s) => {
                    if let Some(id) = initial::place_truck(&mut self.world, t, Some(s), sched) {
                        self.join_from(s, id, now.saturating_sub(t.since), None, sched);
                    }
                }
                TruckState::Waiting => {
                    if let Some(id) = initial::place_truck(&mut self.world, t, None, sched) {
                        if t.done.is_empty() {
                            sched.schedule_in(0, Event::Enter(id));
                        } else {
                            self.resume(id, t, sched);
                        }
                    }
                }
            }
        }
    }

    /// A truck of the starting state that has done some stages and waits
    /// for its next one: its route goes on after the last of them (by its
    /// drawn routing), queued since `since`, or it leaves.
    fn resume(&mut self, id: u32, t: &InitialTruck, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.world.trucks.get(id as usize).copied() else {
            return;
        };
        let class = usize::from(truck.class);
        let from = t
            .done
            .iter()
            .filter_map(|&s| self.world.route_pos[class].get(s).copied().flatten())
            .map(|q| usize::from(q) + 1)
            .max()
            .unwrap_or(0);
        match self.world.next_stage(&truck, from) {
            Some((_, s)) => self.join_from(s, id, now.saturating_sub(t.since), None, sched),
            None => self.depart(id, sched),
        }
    }

    /// The end of hour `k` after the origin: the watch reads the trucks at
    /// the port and each stage's queue.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    fn on_mark(&mut self, k: usize) {
        let in_port: u64 = self.world.in_port.iter().sum();
        let Some(watch) = &mut self.watch else {
            return;
        };
        let Some(hour) = watch.ahead.hours.get_mut(k) else {
            return;
        };
        hour.in_port = in_port as u32;
        for (q, stage) in hour.queued.iter_mut().zip(&self.world.stages) {
            *q = stage.here.saturating_sub(stage.serving) as u32;
        }
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
                    .world
                    .trucks
                    .get(id as usize)
                    .map_or(0, |t| usize::from(t.entrance));
                if let Some(t) = self.world.trucks.get_mut(id as usize) {
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
                    self.trip = self.guard.midnight(now, self.world.trucks.len() as u64);
                }
                self.close_hour(now);
                sched.schedule_in(HOUR, Event::Hour);
            }
            Event::WarmupEnd => self.on_warmup_end(now),
            Event::Initial => self.place_initial(sched),
            Event::Mark(k) => self.on_mark(k as usize),
        }
        self.peak_in_system = self.peak_in_system.max(self.world.trucks.len() as u64);
    }
}

/// The fields of a departing truck that its statistics read.
#[derive(Clone, Copy)]
pub(super) struct Leaving {
    class: u8,
    registered: bool,
    arrived: Time,
    door: Time,
    age0: Time,
    service: Time,
    fees: f64,
    steps: u32,
    followed: bool,
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
            followed: t.followed,
        }
    }
}
