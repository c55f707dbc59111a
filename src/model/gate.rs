//! An entrance: its gate, the parking behind it, and the road queue in
//! front of it.
//!
//! The gate is a [`Pool`] whose servers are parking places: a truck holds
//! one from entering the port area until it leaves, the pool's queue is the
//! road queue, and its capacity is the parking size while the gate is open
//! and zero while it is closed (trucks inside stay). Without parking, the
//! trucks waiting to start their first stage also wait on the road and are
//! counted here (`road_first`). A port has one entrance, `[port]`, and may
//! have more (one per direction); each class uses one.

use super::diversion::behaviour::Pace;
use crate::engine::pool::{Discipline, Pool};
use crate::engine::stats::TimeWeighted;
use crate::engine::time::Time;
use crate::scenario::Port;

/// One entrance's state in a replication.
pub(super) struct Gate {
    pub pool: Pool<u32>,
    /// The entrance's parking places and road queue (from its spec).
    pub parking: Option<u32>,
    pub road_queue: Option<u32>,
    /// Trucks on the road waiting for their first stage (no parking).
    pub road_first: usize,
    /// Trucks on the road, over time.
    pub road: TimeWeighted,
    /// How fast the road queue has been moving, for expected waits.
    pub pace: Pace,
    /// Trucks on the road when the window opened.
    pub road_start: u64,
}

impl Gate {
    /// A closed gate with an empty road, for the entrance `spec`.
    pub fn new(spec: &Port, discipline: Discipline) -> Self {
        Gate {
            pool: Pool::new(0, discipline, 0),
            parking: spec.parking,
            road_queue: spec.road_queue,
            road_first: 0,
            road: TimeWeighted::new(0, 0),
            pace: Pace::default(),
            road_start: 0,
        }
    }

    /// Offers truck `id` (of queue priority `priority`) to the gate: returns
    /// it if it enters the port area now, or queues it on the road.
    ///
    /// Without parking the area has no places to count: while the gate is
    /// open a truck goes straight in, without touching the pool (whose
    /// occupancy nobody reads then); only a closed gate queues it.
    #[inline]
    pub fn request(&mut self, now: Time, id: u32, priority: i32) -> Option<u32> {
        if self.parking.is_none() && self.pool.would_start() {
            return Some(id);
        }
        self.pool.request(now, id, priority)
    }

    /// A truck leaves the port area: returns the truck on the road that
    /// takes its place, if any.
    ///
    /// Without parking no one waits for a place (a closed gate admits
    /// nobody, and an open one leaves no one waiting), so only the places
    /// taken by trucks the gate queued while closed are given back.
    #[inline]
    pub fn release(&mut self, now: Time) -> Option<u32> {
        if self.parking.is_none() && self.pool.busy() == 0 {
            return None;
        }
        self.pool.release(now)
    }

    /// Trucks on the road: the gate queue and those waiting for their
    /// first stage.
    pub fn road_len(&self) -> usize {
        self.pool.waiting() + self.road_first
    }

    /// Keeps the road's time average up to date after a change.
    pub fn road_changed(&mut self, now: Time) {
        let len = self.road_len() as u64;
        if len != self.road.value() {
            self.road.set(now, len);
        }
    }
}
