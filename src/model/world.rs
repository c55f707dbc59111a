//! The port's state in one replication, as the mechanisms share it: the
//! trucks and where they are, the gates, lanes, stages and e-queue, the
//! class routes, and the counts.
//!
//! This is the narrow interface below the mechanisms (`diversion`,
//! `equeue`, `initial`) and the dispatcher (`port`): each takes a
//! `&mut World` and the scheduler, and none of them knows the dispatcher.
//! What only the dispatcher uses (the arrival process, bookings, the
//! statistics of departures, the runaway guard) stays in `port::Port`,
//! which holds a `World`. Where a mechanism's step leads on to another
//! (a called truck reaches the gate, a reneging truck frees a place), it
//! says so and the dispatcher takes the next step, so no two files in the
//! model import each other.

use slab::Slab;

use super::diversion::behaviour::Behaviour;
use super::equeue::offsite::OffSite;
use super::events::Event;
use super::gate::Gate;
use super::results::{ClassResult, Counts};
use super::stage::{Resource, Stage};
use super::trace::{Milestone, Trace, TraceRow};
use super::truck::Truck;
use crate::engine::sim::Scheduler;
use crate::engine::stats::TimeWeighted;
use crate::engine::streams::Rng;
use crate::engine::time::Time;
use crate::scenario::{Port as GateSpec, Scenario};

/// The fixed columns of a truck's row in [`World::parts`]; the stages'
/// waits and then their services follow them.
#[derive(Clone, Copy)]
pub(super) enum Part {
    /// Reaching the port to joining the first stage's queue.
    Road = 0,
    /// Being called forward to reaching the port.
    Travel = 1,
    /// Booking to slot.
    Lead = 2,
    /// 1 when the truck booked a slot.
    Booked = 3,
}

/// The fixed columns of a row: [`Part`].
pub(super) const ROW: usize = 4;

/// The state every mechanism of the port reads and changes.
pub(super) struct World<'a> {
    pub scenario: &'a Scenario,
    /// Each class's route (stage indices in order) and, per stage, its
    /// position in that route.
    pub routes: Vec<Vec<u16>>,
    pub route_pos: Vec<Vec<Option<u16>>>,
    /// Whether a class visits every stage in file order (no route).
    pub all_stages: Vec<bool>,
    pub behaviour: Vec<Behaviour>,
    /// The last wait's epoch (see `diversion::wait_in`).
    pub epochs: u32,
    pub gates: Vec<Gate>,
    pub resources: Vec<Resource>,
    pub stages: Vec<Stage>,
    pub offsite: Option<OffSite>,
    pub trucks: Slab<Truck>,
    /// Where each truck's time went so far, a row of [`ROW`] + 2 × stages
    /// ticks per slab entry (see [`Part`]); a row is zeroed when its
    /// entry is given to a new truck, so memory follows the trucks in the
    /// system at once, not the horizon.
    pub parts: Vec<u64>,
    /// Trucks waiting on the road or in a stage queue.
    pub waiting: TimeWeighted,
    /// Trucks waiting in the e-queue.
    pub offsite_len: TimeWeighted,
    pub measured: bool,
    /// Per class: counts, and the sums over the trucks that left.
    pub classes: Vec<ClassResult>,
    /// Trucks at the port, booked on their way, and off-site, per class.
    pub in_port: Vec<u64>,
    pub pending: Vec<u64>,
    pub equeued: Vec<u64>,
    /// Draws for the trucks of an observed starting state.
    pub initial_rng: Rng,
    /// Trucks that came into being so far (the last serial number given).
    pub serials: u32,
    /// The events recorded for `run --trace`, when this replication is
    /// traced (see `trace`).
    pub trace: Option<Box<Trace>>,
}

impl World<'_> {
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
    #[inline]
    pub fn priority_of(&self, class: usize, booked: bool) -> i32 {
        let class = self.scenario.classes[class].priority;
        let booked_first = self
            .scenario
            .appointments
            .as_ref()
            .is_some_and(|a| a.priority);
        class.saturating_mul(2) + i32::from(booked_first && booked)
    }

    /// The serial number of the next truck to come into being.
    #[inline]
    pub fn next_serial(&mut self) -> u32 {
        self.serials = self.serials.wrapping_add(1);
        self.serials
    }

    /// Records `event` of truck `id` (at `stage`, or `trace::NO_STAGE`)
    /// in the trace, when one is kept and the period is measured.
    #[inline]
    pub fn trace(&mut self, id: u32, event: Milestone, stage: u16, now: Time) {
        if self.trace.is_some()
            && let Some(truck) = self.trucks.get(id as usize).copied()
        {
            self.trace_of(&truck, event, stage, now);
        }
    }

    /// [`World::trace`] of a truck given by value (one not in the slab).
    #[inline]
    pub fn trace_of(&mut self, truck: &Truck, event: Milestone, stage: u16, now: Time) {
        if let Some(trace) = &mut self.trace
            && self.measured
        {
            trace.push(TraceRow {
                truck: truck.serial,
                time: now,
                event,
                stage,
                class: truck.class,
            });
        }
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

    /// Adds `delta` to the trucks waiting on the road or in a stage queue.
    #[inline]
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

    /// Puts `truck` in the system, with a zeroed row of parts; its id.
    #[inline]
    pub fn insert(&mut self, truck: Truck) -> u32 {
        let id = self.trucks.insert(truck);
        let stride = self.stride();
        let row = id * stride;
        if self.parts.len() < row + stride {
            self.parts.resize(row + stride, 0);
        }
        if let Some(r) = self.parts.get_mut(row..row + stride) {
            r.fill(0);
        }
        id as u32
    }

    /// The length of a truck's row of parts.
    #[inline]
    pub fn stride(&self) -> usize {
        ROW + 2 * self.stages.len()
    }

    /// Adds `ticks` to column `col` of truck `id`'s row.
    #[inline]
    pub fn add_part(&mut self, id: u32, col: usize, ticks: u64) {
        let at = id as usize * self.stride() + col;
        if let Some(x) = self.parts.get_mut(at) {
            *x += ticks;
        }
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

    /// Writes the trucks at the port, booked and off-site into the counts.
    pub fn snapshot(
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
}
