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
//!
//! The e-queue's state is [`offsite::OffSite`]; this file is what the port
//! does with it, on the shared state ([`World`]): registering, calling
//! forward, and the arrival of a called truck, which the dispatcher then
//! takes on to the gate (see [`called`]).

pub(super) mod offsite;

use super::diversion::wait_in;
use super::events::Event;
use super::trace::{Milestone, NO_STAGE};
use super::truck::{Place, Waiting};
use super::world::{Part, World};
use crate::engine::sim::Scheduler;
use crate::engine::time::Time;

/// Truck `id` registers in the e-queue (or diverts at the sight of it).
pub(super) fn register(w: &mut World, id: u32, sched: &mut Scheduler<Event>) {
    let now = sched.now();
    let Some(truck) = w.trucks.get(id as usize).copied() else {
        return;
    };
    let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
    let Some(offsite) = &w.offsite else {
        return;
    };
    let ahead: usize = offsite.queues[e].iter().map(|q| q.len()).sum();
    let pace = &offsite.pace;
    if !w.behaviour[class].joins(ahead, || pace.expected_wait(ahead)) {
        w.count(class, |c| {
            c.diverted += 1;
            c.diverted_offsite += 1;
        });
        w.trace_of(&truck, Milestone::Diverted, NO_STAGE, now);
        w.trucks.remove(id as usize);
        return;
    }
    let priority = w.scenario.classes[class].priority > 0;
    let Some(offsite) = &mut w.offsite else {
        return;
    };
    let near = offsite.register(id, e, priority);
    let len = offsite.len as u64;
    if let Some(t) = w.trucks.get_mut(id as usize) {
        t.registered = true;
        t.door = now;
        t.in_area = near;
        t.place = Place::OffSite;
    }
    w.offsite_len.set(now, len);
    w.equeued[class] += 1;
    w.count(class, |c| c.registered += 1);
    wait_in(w, id, Waiting::OffSite, sched);
    try_call(w, sched);
}

/// Whether entrance `e` has room for truck `id` now (see the module docs).
fn room(w: &World, e: usize, id: u32, now: Time) -> bool {
    let spec = w.gate_spec(e);
    if spec.open.value_at(now) == 0 {
        return false;
    }
    let Some(offsite) = &w.offsite else {
        return false;
    };
    if let Some(parking) = spec.parking {
        let inside = u64::from(w.gates[e].pool.busy()) + w.gates[e].pool.waiting() as u64;
        return inside + u64::from(offsite.travelling_to_gate[e]) < u64::from(parking);
    }
    let Some(truck) = w.trucks.get(id as usize) else {
        return false;
    };
    let Some((_, s)) = w.next_stage(truck, 0) else {
        return true;
    };
    let r = w.stages[s].resource;
    let resource = &w.resources[r];
    if resource.unlimited {
        return true;
    }
    let present = u64::from(resource.pool.busy()) + resource.pool.waiting() as u64;
    let lanes = u64::from(resource.pool.capacity());
    present + u64::from(offsite.travelling_to[r]) < lanes
}

/// Calls forward every truck the border has room for, oldest first.
pub(super) fn try_call(w: &mut World, sched: &mut Scheduler<Event>) {
    let now = sched.now();
    for e in 0..w.gates.len() {
        loop {
            let Some(offsite) = &w.offsite else {
                return;
            };
            if !offsite.quota_left() {
                return;
            }
            let Some((id, out_of_turn)) = offsite.peek(e) else {
                break;
            };
            if !room(w, e, id, now) {
                break;
            }
            let Some(truck) = w.trucks.get(id as usize).copied() else {
                break;
            };
            let first = w.next_stage(&truck, 0).map(|(_, s)| w.stages[s].resource);
            let Some(offsite) = &mut w.offsite else {
                return;
            };
            let travel = offsite.call(id, e, out_of_turn, truck.in_area);
            offsite.travelling_to_gate[e] += 1;
            if let Some(r) = first {
                offsite.travelling_to[r] += 1;
            }
            offsite.pace.record(now);
            let len = offsite.len as u64;
            w.offsite_len.set(now, len);
            if let Some(t) = w.trucks.get_mut(id as usize) {
                t.place = Place::Travelling;
                t.waiting = Waiting::No;
                t.in_area = false;
                t.epoch = 0;
            }
            w.add_part(id, Part::Travel as usize, travel);
            sched.schedule_in(travel, Event::Called(id));
        }
    }
}

/// A called truck reaches the port: it is no longer on its way. Returns
/// whether it was there; the dispatcher then takes it to the gate, as any
/// arriving truck.
pub(super) fn called(w: &mut World, id: u32) -> bool {
    let Some(truck) = w.trucks.get(id as usize).copied() else {
        return false;
    };
    let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
    let first = w.next_stage(&truck, 0).map(|(_, s)| w.stages[s].resource);
    if let Some(offsite) = &mut w.offsite {
        offsite.travelling_to_gate[e] -= 1;
        if let Some(r) = first {
            offsite.travelling_to[r] -= 1;
        }
    }
    w.equeued[class] -= 1;
    w.count(class, |c| c.called += 1);
    true
}
