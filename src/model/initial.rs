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

/// Creates a starting truck and counts it as at the port.
fn new_truck(w: &mut World, stage: Option<usize>, waited: Span, now: u64) -> u32 {
    let u: f64 = w.initial_rng.random();
    let class = w.class_of(u);
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
    let mut truck = Truck::new(class, entrance, prio, routing, now);
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
