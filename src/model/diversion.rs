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
//!   been moving: the mean gap between its last [`PACE`] departures. Before
//!   the queue has moved twice there is no estimate, and the truck joins.
//! * **Patience.** A truck that starts to wait in such a queue draws its
//!   patience (stream `patience/<class>`); if it is still waiting when its
//!   patience runs out, it leaves. A truck that has left the queue (it was
//!   admitted, or called forward) is not affected.
//!
//! Both streams exist only for classes that use them, so scenarios without
//! them keep every draw they had.

use super::port::{Event, Port};
use super::truck::Waiting;
use crate::engine::dist::{DistError, Sampler};
use crate::engine::sim::Scheduler;
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{Span, Time, ticks};
use crate::scenario::{Class, Tolerance};

/// Departures a queue's pace is measured over.
pub const PACE: usize = 16;

/// The recent departures of a queue, for its expected wait: a ring of the
/// last [`PACE`] departure times (every truck leaving a queue records one,
/// so it is a fixed array, not a growing queue).
#[derive(Clone, Debug, Default)]
pub(super) struct Pace {
    times: [Time; PACE],
    /// Where the next departure goes (the oldest, once the ring is full).
    next: usize,
    len: usize,
}

impl Pace {
    /// A truck left the queue at `now`.
    #[inline]
    pub fn record(&mut self, now: Time) {
        self.times[self.next] = now;
        self.next = (self.next + 1) % PACE;
        self.len = (self.len + 1).min(PACE);
    }

    /// The expected wait behind `ahead` trucks, in ticks: `ahead` times the
    /// mean gap between recent departures; 0 with no estimate yet.
    pub fn expected_wait(&self, ahead: usize) -> f64 {
        if self.len < 2 || ahead == 0 {
            return 0.0;
        }
        let last = self.times[(self.next + PACE - 1) % PACE];
        let first = self.times[(self.next + PACE - self.len) % PACE];
        let gap = (last - first) as f64 / (self.len - 1) as f64;
        ahead as f64 * gap
    }
}

/// What reacts to delay in one class.
pub(super) struct Behaviour {
    tolerance: Option<(Kind, Sampler, Rng)>,
    patience: Option<(Sampler, Rng)>,
}

#[derive(Clone, Copy)]
enum Kind {
    Queue,
    Wait,
}

impl Behaviour {
    /// The behaviour of `class`, with its own named streams.
    pub fn new(class: &Class, streams: &Streams) -> Result<Self, DistError> {
        let tolerance = match &class.tolerance {
            None => None,
            Some(t) => {
                let (kind, dist) = match t {
                    Tolerance::Queue(d) => (Kind::Queue, d),
                    Tolerance::Wait(d) => (Kind::Wait, d),
                };
                let rng = streams.stream(&format!("tolerance/{}", class.name));
                Some((kind, dist.sampler()?, rng))
            }
        };
        let patience = match &class.patience {
            None => None,
            Some(d) => Some((
                d.sampler()?,
                streams.stream(&format!("patience/{}", class.name)),
            )),
        };
        Ok(Behaviour {
            tolerance,
            patience,
        })
    }

    /// Whether a truck that finds `ahead` trucks waiting, expected to take
    /// `expected_wait` ticks, joins the queue (else it diverts).
    #[inline]
    pub fn joins(&mut self, ahead: usize, expected_wait: impl FnOnce() -> f64) -> bool {
        let Some((kind, sampler, rng)) = &mut self.tolerance else {
            return true;
        };
        let limit = sampler.sample(rng);
        match kind {
            Kind::Queue => (ahead as f64) < limit,
            Kind::Wait => expected_wait() <= limit,
        }
    }

    /// Whether the class gives up waiting at all.
    #[inline]
    pub fn has_patience(&self) -> bool {
        self.patience.is_some()
    }

    /// A waiting truck's patience, if its class has one.
    pub fn patience(&mut self) -> Option<Span> {
        self.patience
            .as_mut()
            .map(|(sampler, rng)| ticks(sampler.sample(rng)))
    }
}

impl Port<'_> {
    /// Truck `id` starts waiting in `queue`: it gives up when its patience
    /// runs out, if its class has one.
    #[inline]
    pub(super) fn wait_in(&mut self, id: u32, queue: Waiting, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        // Only a renege reads the queue and the epoch: a truck that never
        // gives up needs neither (its epoch stays 0, which no renege event
        // carries).
        if !self.behaviour[usize::from(truck.class)].has_patience() {
            return;
        }
        // A fresh epoch from one counter for every wait: a truck's slot is
        // reused after it leaves, so an epoch per truck could match a stale
        // event of the truck that had the slot before.
        self.epochs = self.epochs.wrapping_add(1);
        truck.epoch = self.epochs;
        truck.waiting = queue;
        let (class, epoch) = (usize::from(truck.class), truck.epoch);
        if let Some(patience) = self.behaviour[class].patience() {
            sched.schedule_in(patience, Event::Renege { truck: id, epoch });
        }
    }

    /// Truck `id`'s patience runs out: it leaves the queue it still waits
    /// in (a truck that moved on since is not affected).
    #[inline(never)] // rare: keeps the per-event dispatch lean
    pub(super) fn on_renege(&mut self, id: u32, epoch: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get(id as usize).copied() else {
            return;
        };
        if truck.epoch != epoch {
            return;
        }
        let (class, e) = (usize::from(truck.class), usize::from(truck.entrance));
        match truck.waiting {
            Waiting::No => return,
            Waiting::OffSite => {
                let Some(offsite) = &mut self.offsite else {
                    return;
                };
                if !offsite.remove(id, e, truck.in_area) {
                    return;
                }
                let len = offsite.len as u64;
                self.offsite_len.set(now, len);
                self.equeued[class] -= 1;
                self.trucks.remove(id as usize);
                self.count(class, |c| {
                    c.reneged += 1;
                    c.reneged_offsite += 1;
                });
                return;
            }
            Waiting::Gate(g) => {
                let gate = &mut self.gates[usize::from(g)];
                if !gate.pool.remove(now, |&t| t == id) {
                    return;
                }
                gate.road_changed(now);
                self.waiting_changed(now, -1);
                self.trucks.remove(id as usize);
                self.in_port[class] -= 1;
            }
            Waiting::FirstStage(r) => {
                if !self.resources[usize::from(r)]
                    .pool
                    .remove(now, |&t| t == id)
                {
                    return;
                }
                self.waiting_changed(now, -1);
                self.stages[usize::from(truck.at)].here -= 1;
                let gate = &mut self.gates[e];
                gate.road_first -= 1;
                gate.road_changed(now);
                // It had passed the gate (no parking): give its place back.
                self.leave_port(id, sched);
            }
        }
        self.count(class, |c| c.reneged += 1);
        if self.offsite.is_some() {
            self.try_call(sched);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::Dist;

    fn class(tolerance: Option<Tolerance>) -> Class {
        Class {
            name: "c".into(),
            share: 1.0,
            priority: 0,
            route: None,
            tolerance,
            patience: None,
            entrance: 0,
        }
    }

    #[test]
    fn pace_is_the_mean_gap_of_recent_departures() {
        let mut pace = Pace::default();
        assert_eq!(pace.expected_wait(5), 0.0, "no estimate yet");
        for t in [0, 10, 20, 30] {
            pace.record(t);
        }
        assert_eq!(pace.expected_wait(4), 40.0);
        assert_eq!(pace.expected_wait(0), 0.0);
        for t in (40..400).step_by(20) {
            pace.record(t);
        }
        assert_eq!(pace.expected_wait(1), 20.0, "only the last 16 count");
    }

    #[test]
    fn a_fixed_queue_tolerance_joins_while_fewer_wait() {
        let streams = Streams::new(1, 0);
        let tol = Tolerance::Queue(Dist::Deterministic { value: 3.0 });
        let mut b = Behaviour::new(&class(Some(tol)), &streams).expect("valid");
        assert!(b.joins(2, || 0.0));
        assert!(!b.joins(3, || 0.0));
        let tol = Tolerance::Wait(Dist::Deterministic { value: 100.0 });
        let mut b = Behaviour::new(&class(Some(tol)), &streams).expect("valid");
        assert!(b.joins(50, || 100.0) && !b.joins(0, || 100.5));
        let mut none = Behaviour::new(&class(None), &streams).expect("valid");
        assert!(none.joins(1_000_000, || f64::INFINITY) && none.patience().is_none());
    }
}
