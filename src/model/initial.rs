//! A warm start: the run begins from an observed state (today's queue)
//! rather than from an empty port.
//!
//! At time zero, after the calendars, the trucks of `[initial]` take their
//! places: first those at stages (in service, then queued), then those in
//! the parking waiting for their first stage, then those on the road. Each
//! is a truck of a class drawn by the class shares, with routing drawn as
//! for any truck, from the stream `initial` (so no existing draw moves);
//! a truck at a stage is routed to that stage whatever its draws. Every one
//! takes a parking place as it is placed; if the parking is smaller than
//! the trucks said to be inside, the rest wait on the road. A truck "in
//! service" starts a full service time at time zero (exact for exponential
//! service, an approximation otherwise), and one that cannot get a lane
//! waits for one. The time each had already spent (`waited`) is added to
//! its time in port and its wait when it leaves.
//!
//! The per-truck form (`[[initial.trucks]]`, and a forecast's state) is
//! exact where the count form approximates: each truck keeps its class
//! when given, its age (its time in port counts from its real arrival),
//! the time it has queued, and a truck in service continues with the
//! remaining time of a service that has lasted `since`, drawn from the
//! conditional law (`engine::dist::residual`) on its own stream
//! `initial/residual/<stage>`. The dispatcher places the trucks in
//! service first, then the queued ones by how long they have queued
//! (longest first, ties in the order given), then the waiting ones the
//! same way, so a queue keeps its order. A waiting truck that has `done`
//! stages waits for its next one: its route goes on after the last of them
//! by its drawn routing (the log of a port does not say where a truck
//! between two stages is going).
//!
//! The dispatcher places them (`port`, on `Event::Initial`): this file
//! makes each truck and gives it its parking place or its place on the
//! road, on the shared state ([`World`]); the dispatcher then sends it on
//! (to its stage's queue, or in through the gate).

use rand::RngExt;

use super::diversion::wait_in;
use super::events::Event;
use super::truck::{Place, Truck, Waiting};
use super::world::World;
use crate::engine::sim::Scheduler;
use crate::engine::time::Span;
use crate::scenario::InitialTruck;

/// A truck of the starting state, at the port; when `stage` is given it is
/// routed there. It asks its gate for a parking place: returns it once it
/// holds one (the dispatcher sends it on); one that finds the parking full
/// (or the gate closed) waits on the road instead, and `None`.
pub(super) fn place(
    w: &mut World,
    stage: Option<usize>,
    waited: Span,
    sched: &mut Scheduler<Event>,
) -> Option<u32> {
    let now = sched.now();
    let id = new_truck(w, stage, waited, now);
    let truck = w.trucks.get(id as usize).copied()?;
    let e = usize::from(truck.entrance);
    match w.gates[e].request(now, id, truck.prio) {
        Some(id) => Some(id),
        None => {
            w.waiting_changed(now, 1);
            w.gates[e].road_changed(now);
            wait_in(w, id, Waiting::Gate(e as u8), sched);
            None
        }
    }
}

/// A truck of a per-truck starting state, at the port: returns it once it
/// holds a parking place (the dispatcher sends it to its stage or in), or
/// `None` when it waits on the road. Its class is the one given, or drawn;
/// its routing is drawn as for any truck, with its present stage set; the
/// route goes on from that stage.
pub(super) fn place_truck(
    w: &mut World,
    t: &InitialTruck,
    stage: Option<usize>,
    sched: &mut Scheduler<Event>,
) -> Option<u32> {
    let now = sched.now();
    let id = new_truck_of(w, t.class, stage, t.arrived, now);
    if let Some(truck) = w.trucks.get_mut(id as usize) {
        // Past its first stage: no longer waiting for it on the road.
        truck.started = !t.done.is_empty();
    }
    let truck = w.trucks.get(id as usize).copied()?;
    let e = usize::from(truck.entrance);
    match w.gates[e].request(now, id, truck.prio) {
        Some(id) => Some(id),
        None => {
            w.waiting_changed(now, 1);
            w.gates[e].road_changed(now);
            wait_in(w, id, Waiting::Gate(e as u8), sched);
            None
        }
    }
}

/// Creates a starting truck and counts it as at the port.
fn new_truck(w: &mut World, stage: Option<usize>, waited: Span, now: u64) -> u32 {
    new_truck_of(w, None, stage, waited, now)
}

/// Creates a starting truck of `class` (drawn when `None`) and counts it
/// as at the port.
fn new_truck_of(
    w: &mut World,
    class: Option<usize>,
    stage: Option<usize>,
    waited: Span,
    now: u64,
) -> u32 {
    let u: f64 = w.initial_rng.random();
    let class = class.unwrap_or_else(|| w.class_of(u));
    let mut routing = 0u64;
    for (s, spec) in w.scenario.stages.iter().enumerate() {
        let u: f64 = w.initial_rng.random();
        if u < spec.share[class] {
            routing |= 1 << s;
        }
    }
    if let Some(s) = stage {
        routing |= 1 << s;
    }
    let entrance = w.scenario.classes[class].entrance;
    let prio = w.priority_of(class, false);
    let serial = w.next_serial();
    let mut truck = Truck::new(class, entrance, prio, routing, now, serial);
    truck.place = Place::Port;
    truck.age0 = waited;
    w.in_port[class] += 1;
    if w.measured {
        // A run without warm-up measures from time zero: these trucks
        // are there when the window opens.
        w.count(class, |c| c.in_port_start += 1);
    }
    w.insert(truck)
}
