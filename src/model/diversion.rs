//! Demand that reacts to delay: trucks that will not join a long queue
//! (they divert to another crossing, or balk) and trucks that give up
//! waiting (they renege).
//!
//! * **Tolerance.** An arriving truck looks at the queue it would join —
//!   the road queue at its entrance, or the e-queue when there is one — and
//!   draws its tolerance from its class's distribution (stream
//!   `tolerance/<class>`). With a *queue* tolerance it joins only while
//!   fewer trucks than that wait ahead of it. With a *wait* tolerance it
//!   joins only while the expected wait is at most that long; the expected
//!   wait is the trucks ahead divided by the pace at which that queue has
//!   been moving: the mean gap between its last [`PACE`](behaviour::PACE)
//!   departures. Before the queue has moved twice there is no estimate,
//!   and the truck joins.
//! * **Patience.** A truck that starts to wait in such a queue draws its
//!   patience (stream `patience/<class>`); if it is still waiting when its
//!   patience runs out, it leaves. A truck that has left the queue (it was
//!   admitted, or called forward) is not affected.
//!
//! Both streams exist only for classes that use them, so scenarios without
//! them keep every draw they had.
//!
//! The draws and the pace are kept in [`behaviour`]; this file is what the
//! port does with them, on the shared state ([`World`]). A truck that
//! gives up on the road hands its place on: the dispatcher then lets the
//! e-queue call the next truck (see [`renege`]).

pub(super) mod behaviour;

use super::events::Event;
use super::trace::{Milestone, NO_STAGE};
use super::truck::Waiting;
use super::world::World;
use crate::engine::sim::Scheduler;

/// Truck `id` starts waiting in `queue`: it gives up when its patience
/// runs out, if its class has one.
#[inline]
pub(super) fn wait_in(w: &mut World, id: u32, queue: Waiting, sched: &mut Scheduler<Event>) {
    let Some(truck) = w.trucks.get_mut(id as usize) else {
        return;
    };
    // Only a renege reads the queue and the epoch: a truck that never
    // gives up needs neither (its epoch stays 0, which no renege event
    // carries).
    if !w.behaviour[usize::from(truck.class)].has_patience() {
        return;
    }
    // A fresh epoch from one counter for every wait: a truck's slot is
    // reused after it leaves, so an epoch per truck could match a stale
    // event of the truck that had the slot before.
    w.epochs = w.epochs.wrapping_add(1);
    truck.epoch = w.epochs;
    truck.waiting = queue;
    let (class, epoch) = (usize::from(truck.class), truck.epoch);
    if let Some(patience) = w.behaviour[class].patience() {
        sched.schedule_in(patience, Event::Renege { truck: id, epoch });
    }
}

/// Truck `id`'s patience runs out: it leaves the queue it still waits in
/// (a truck that moved on since is not affected). Returns whether it left
/// the port (the road, or the queue of its first stage), so that the
/// e-queue, if any, may call a truck into the room it made.
pub(super) fn renege(w: &mut World, id: u32, epoch: u32, sched: &mut Scheduler<Event>) -> bool {
    let now = sched.now();
    let Some(truck) = w.trucks.get(id as usize).copied() else {
        return false;
    };
    if truck.epoch != epoch {
        return false;
    }
    let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
    match truck.waiting {
        Waiting::No => return false,
        Waiting::OffSite => {
            let Some(offsite) = &mut w.offsite else {
                return false;
            };
            if !offsite.remove(id, e, truck.in_area) {
                return false;
            }
            let len = offsite.len as u64;
            w.offsite_len.set(now, len);
            w.equeued[class] -= 1;
            w.trace_of(&truck, Milestone::Reneged, NO_STAGE, now);
            w.trucks.remove(id as usize);
            w.count(class, |c| {
                c.reneged += 1;
                c.reneged_offsite += 1;
            });
            return false;
        }
        Waiting::Gate(g) => {
            let gate = &mut w.gates[usize::from(g)];
            if !gate.pool.remove(now, |&t| t == id) {
                return false;
            }
            gate.road_changed(now);
            w.waiting_changed(now, -1);
            w.trucks.remove(id as usize);
            w.in_port[class] -= 1;
        }
        Waiting::FirstStage(r) => {
            if !w.resources[usize::from(r)].pool.remove(now, |&t| t == id) {
                return false;
            }
            w.waiting_changed(now, -1);
            w.stages[usize::from(truck.at)].here -= 1;
            let gate = &mut w.gates[e];
            gate.road_first -= 1;
            gate.road_changed(now);
            // It had passed the gate (no parking): give its place back.
            w.leave_port(id, sched);
        }
    }
    w.trace_of(&truck, Milestone::Reneged, NO_STAGE, now);
    w.count(class, |c| c.reneged += 1);
    true
}
