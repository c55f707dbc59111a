//! The electronic queue: trucks register on arrival, wait off-site (in a
//! waiting area near the border while it has room, else at home), and are
//! called forward when the border has room for them.
//!
//! # When a truck is called
//!
//! The e-queue calls the oldest registered truck (or, within the priority
//! share, the oldest of a class with priority above zero) whose entrance
//! has room, while the daily quota allows:
//! * the entrance's gate is open, and
//! * with `parking`, the trucks inside plus those already called and on
//!   their way are fewer than the parking places; without `parking`, the
//!   trucks at the truck's first stage (waiting or served) plus those on
//!   their way to it are fewer than its lanes on duty (always room at an
//!   unlimited stage).
//!
//! A called truck travels `call_forward` (from the waiting area) or
//! `call_forward_home` (from home), stream `call-forward`, then reaches the
//! gate and enters. The quota counts calls per calendar day, resetting at
//! midnight; the priority share is the part of each day's quota (of each
//! day's calls, without a quota) that priority classes may take ahead of
//! their turn. Registered and travelling trucks are in the system but off
//! site: the flow balance counts them apart.

use std::collections::VecDeque;

use super::diversion::Pace;
use super::port::{Event, Port};
use super::truck::{Place, Waiting};
use crate::engine::dist::{DistError, Sampler};
use crate::engine::sim::Scheduler;
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{Span, ticks};
use crate::scenario::EQueue;

/// The e-queue's state in one replication.
pub(super) struct OffSite {
    pub spec: EQueue,
    /// Waiting trucks per entrance: (registration order, truck), first the
    /// priority classes, then the others.
    pub queues: Vec<[VecDeque<(u64, u32)>; 2]>,
    seq: u64,
    /// Trucks waiting, all entrances.
    pub len: usize,
    /// Places of the waiting area in use.
    pub in_area: u32,
    /// Calls made today, and of them out of turn.
    pub calls_today: u32,
    pub priority_today: u32,
    /// Called and on their way, per entrance and per first-stage resource.
    pub travelling_to_gate: Vec<u32>,
    pub travelling_to: Vec<u32>,
    /// The pace at which the e-queue has been calling.
    pub pace: Pace,
    near: Sampler,
    home: Sampler,
    rng: Rng,
}

impl OffSite {
    /// The e-queue of a port with `entrances` entrances and `resources`
    /// lane resources.
    pub fn new(
        spec: &EQueue,
        entrances: usize,
        resources: usize,
        streams: &Streams,
    ) -> Result<Self, DistError> {
        Ok(OffSite {
            near: spec.call_forward.sampler()?,
            home: spec.call_forward_home.sampler()?,
            rng: streams.stream("call-forward"),
            spec: spec.clone(),
            queues: (0..entrances).map(|_| Default::default()).collect(),
            seq: 0,
            len: 0,
            in_area: 0,
            calls_today: 0,
            priority_today: 0,
            travelling_to_gate: vec![0; entrances],
            travelling_to: vec![0; resources],
            pace: Pace::default(),
        })
    }

    /// Registers truck `id` at `entrance`; returns whether it takes a place
    /// in the waiting area (else it waits at home).
    pub fn register(&mut self, id: u32, entrance: usize, priority: bool) -> bool {
        self.seq += 1;
        self.queues[entrance][usize::from(!priority)].push_back((self.seq, id));
        self.len += 1;
        let near = self.in_area < self.spec.waiting_area;
        if near {
            self.in_area += 1;
        }
        near
    }

    /// Removes truck `id` (it reneged), freeing its waiting-area place if
    /// it had one; returns whether it was waiting.
    pub fn remove(&mut self, id: u32, entrance: usize, in_area: bool) -> bool {
        for q in &mut self.queues[entrance] {
            if let Some(i) = q.iter().position(|&(_, t)| t == id) {
                q.remove(i);
                self.len -= 1;
                self.in_area -= u32::from(in_area);
                return true;
            }
        }
        false
    }

    /// Whether the quota allows another call today.
    pub fn quota_left(&self) -> bool {
        self.spec.daily_quota.is_none_or(|q| self.calls_today < q)
    }

    /// Whether a priority truck may be called out of turn now.
    fn out_of_turn(&self) -> bool {
        let share = self.spec.priority_share;
        if share <= 0.0 {
            return false;
        }
        match self.spec.daily_quota {
            Some(q) => f64::from(self.priority_today) < (share * f64::from(q)).ceil(),
            None => true,
        }
    }

    /// The next truck to call at `entrance`, without removing it: the
    /// oldest priority truck when it may go out of turn, else the oldest.
    /// Returns the truck and whether it goes out of turn.
    pub fn peek(&self, entrance: usize) -> Option<(u32, bool)> {
        let [prio, rest] = &self.queues[entrance];
        match (prio.front(), rest.front()) {
            (Some(&(a, id)), Some(&(b, _))) if a < b => Some((id, false)),
            (Some(&(_, id)), Some(_)) if self.out_of_turn() => Some((id, true)),
            (_, Some(&(_, id))) => Some((id, false)),
            (Some(&(_, id)), None) => Some((id, false)),
            (None, None) => None,
        }
    }

    /// Takes truck `id` (just peeked) off the queue as called; returns its
    /// travel time to the port.
    pub fn call(&mut self, id: u32, entrance: usize, out_of_turn: bool, in_area: bool) -> Span {
        for q in &mut self.queues[entrance] {
            if q.front().is_some_and(|&(_, t)| t == id) {
                q.pop_front();
                self.len -= 1;
                break;
            }
        }
        self.calls_today += 1;
        self.priority_today += u32::from(out_of_turn);
        let travel = if in_area {
            self.in_area -= 1;
            self.near.sample(&mut self.rng)
        } else {
            self.home.sample(&mut self.rng)
        };
        ticks(travel)
    }

    /// A new day: the quota starts afresh.
    pub fn midnight(&mut self) {
        self.calls_today = 0;
        self.priority_today = 0;
    }
}

impl Port<'_> {
    /// Truck `id` registers in the e-queue (or diverts at the sight of it).
    pub(super) fn register(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get(id as usize).copied() else {
            return;
        };
        let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
        let Some(offsite) = &self.offsite else {
            return;
        };
        let ahead: usize = offsite.queues[e].iter().map(|q| q.len()).sum();
        let pace = &offsite.pace;
        if !self.behaviour[class].joins(ahead, || pace.expected_wait(ahead)) {
            self.count(class, |c| {
                c.diverted += 1;
                c.diverted_offsite += 1;
            });
            self.trucks.remove(id as usize);
            return;
        }
        let priority = self.scenario.classes[class].priority > 0;
        let Some(offsite) = &mut self.offsite else {
            return;
        };
        let near = offsite.register(id, e, priority);
        let len = offsite.len as u64;
        if let Some(t) = self.trucks.get_mut(id as usize) {
            t.registered = true;
            t.door = now;
            t.in_area = near;
            t.place = Place::OffSite;
        }
        self.offsite_len.set(now, len);
        self.equeued[class] += 1;
        self.count(class, |c| c.registered += 1);
        self.wait_in(id, Waiting::OffSite, sched);
        self.try_call(sched);
    }

    /// Whether entrance `e` has room for truck `id` now (see the module
    /// docs).
    fn room(&self, e: usize, id: u32, now: crate::engine::time::Time) -> bool {
        let spec = self.gate_spec(e);
        if spec.open.value_at(now) == 0 {
            return false;
        }
        let Some(offsite) = &self.offsite else {
            return false;
        };
        if let Some(parking) = spec.parking {
            let inside = u64::from(self.gates[e].pool.busy()) + self.gates[e].pool.waiting() as u64;
            return inside + u64::from(offsite.travelling_to_gate[e]) < u64::from(parking);
        }
        let Some(truck) = self.trucks.get(id as usize) else {
            return false;
        };
        let Some((_, s)) = self.next_stage(truck, 0) else {
            return true;
        };
        let r = self.stages[s].resource;
        let resource = &self.resources[r];
        if resource.unlimited {
            return true;
        }
        let present = u64::from(resource.pool.busy()) + resource.pool.waiting() as u64;
        let lanes = u64::from(resource.pool.capacity());
        present + u64::from(offsite.travelling_to[r]) < lanes
    }

    /// Calls forward every truck the border has room for, oldest first.
    pub(super) fn try_call(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        for e in 0..self.gates.len() {
            loop {
                let Some(offsite) = &self.offsite else {
                    return;
                };
                if !offsite.quota_left() {
                    return;
                }
                let Some((id, out_of_turn)) = offsite.peek(e) else {
                    break;
                };
                if !self.room(e, id, now) {
                    break;
                }
                let Some(truck) = self.trucks.get(id as usize).copied() else {
                    break;
                };
                let first = self
                    .next_stage(&truck, 0)
                    .map(|(_, s)| self.stages[s].resource);
                let Some(offsite) = &mut self.offsite else {
                    return;
                };
                let travel = offsite.call(id, e, out_of_turn, truck.in_area);
                offsite.travelling_to_gate[e] += 1;
                if let Some(r) = first {
                    offsite.travelling_to[r] += 1;
                }
                offsite.pace.record(now);
                let len = offsite.len as u64;
                self.offsite_len.set(now, len);
                if let Some(t) = self.trucks.get_mut(id as usize) {
                    t.place = Place::Travelling;
                    t.waiting = Waiting::No;
                    t.in_area = false;
                    t.epoch = 0;
                }
                sched.schedule_in(travel, Event::Called(id));
            }
        }
    }

    /// A called truck reaches the port.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    pub(super) fn on_called(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get(id as usize).copied() else {
            return;
        };
        let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
        let first = self
            .next_stage(&truck, 0)
            .map(|(_, s)| self.stages[s].resource);
        if let Some(offsite) = &mut self.offsite {
            offsite.travelling_to_gate[e] -= 1;
            if let Some(r) = first {
                offsite.travelling_to[r] -= 1;
            }
        }
        self.equeued[class] -= 1;
        self.count(class, |c| c.called += 1);
        self.arrive(id, sched);
    }
}
