//! A truck's state while it is in the system, and where it is.
//!
//! A truck is in exactly one [`Place`] from the moment it enters the system
//! (a walk-in reaching the port, a booking, a registration in the e-queue)
//! until it leaves (cleared, turned away, diverted, reneged, or a no-show).
//! The flow balance is the bookkeeping of those places.

use crate::engine::time::{Span, Time};

/// Where a truck is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// Booked, on its way to its slot (or a no-show that may come later).
    Booked,
    /// Registered in the e-queue, waiting off-site.
    OffSite,
    /// Called forward from the e-queue, travelling to the port.
    Travelling,
    /// At the port: on the road, inside, at a stage.
    Port,
}

/// Which queue a waiting truck is in, so it can leave it (renege).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Waiting {
    /// Not waiting in a queue it can leave.
    No,
    /// In the gate queue of entrance `e` (on the road).
    Gate(u8),
    /// In the queue of resource `r`, waiting for its first stage (on the
    /// road of a port without parking).
    FirstStage(u16),
    /// In the e-queue.
    OffSite,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Truck {
    pub class: u8,
    pub entrance: u8,
    /// Its queue priority (class, and booked ahead of walk-ins).
    pub prio: i32,
    pub booked: bool,
    pub place: Place,
    /// Booked but will not come at its slot.
    pub no_show: bool,
    /// Through the e-queue already (a called truck does not register again).
    pub registered: bool,
    /// Holds a place in the e-queue's waiting area.
    pub in_area: bool,
    /// Waiting on the road for its first stage (a port without parking).
    pub on_road: bool,
    /// Has started its first service.
    pub started: bool,
    /// The queue it waits in, for reneging.
    pub waiting: Waiting,
    /// Bumped whenever it leaves a queue, so a stale renege event is ignored.
    pub epoch: u32,
    /// The stage it is at (queued or served).
    pub at: u16,
    /// Its position in its class's route.
    pub pos: u16,
    /// Its slot's start, for a booked truck.
    pub slot: Time,
    /// When it entered the system's door: registration in the e-queue, or
    /// arrival at the port without one.
    pub door: Time,
    /// When it reached the port.
    pub arrived: Time,
    /// When it joined its current queue.
    pub queued: Time,
    /// Time spent in service so far.
    pub service: Span,
    /// Time it had already spent at the port when the run started (warm
    /// start), added to its time in port and wait.
    pub age0: Span,
    pub fees: f64,
    pub steps: u32,
    pub routing: u64,
    /// Arrived in the hours a run from a state watches (`ahead`).
    pub followed: bool,
    /// Its serial number in the replication, from 1 (what a trace names
    /// it by: slab slots are reused).
    pub serial: u32,
}

impl Truck {
    /// A truck of `class` that has just come into being at `now`, the
    /// `serial`-th of its replication.
    pub fn new(
        class: usize,
        entrance: usize,
        prio: i32,
        routing: u64,
        now: Time,
        serial: u32,
    ) -> Self {
        Truck {
            class: class as u8,
            entrance: entrance as u8,
            prio,
            booked: false,
            place: Place::Port,
            no_show: false,
            registered: false,
            in_area: false,
            on_road: false,
            started: false,
            waiting: Waiting::No,
            epoch: 0,
            at: 0,
            pos: 0,
            slot: 0,
            door: now,
            arrived: now,
            queued: now,
            service: 0,
            age0: 0,
            fees: 0.0,
            steps: 0,
            routing,
            followed: false,
            serial,
        }
    }
}
