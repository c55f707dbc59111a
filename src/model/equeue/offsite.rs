//! The e-queue's own state in one replication: who waits (per entrance,
//! priority classes apart, in registration order), the waiting area's
//! places, today's calls against the quota, who is on the way, the pace of
//! calls, and the call-forward travel draws (stream `call-forward`).
//!
//! It knows nothing of the port: when a truck is called, and what happens
//! to it then, is `equeue`'s business.

use std::collections::VecDeque;

use crate::engine::dist::{DistError, Sampler};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{Span, ticks};
use crate::model::diversion::behaviour::Pace;
use crate::scenario::EQueue;

/// The e-queue's state in one replication.
pub(crate) struct OffSite {
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
