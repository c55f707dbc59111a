//! What reacts to delay in a class, and how fast a queue moves: the draws
//! behind diverting and reneging (see `diversion`).
//!
//! A class with a tolerance draws one (stream `tolerance/<class>`) for
//! every truck that looks at a queue, and a class with a patience draws one
//! (stream `patience/<class>`) for every truck that starts to wait. Both
//! streams exist only for classes that use them. A queue's [`Pace`] is the
//! mean gap between its last [`PACE`] departures, for a *wait* tolerance's
//! expected wait. This file holds state and draws only; what the port does
//! with them is in `diversion`.

use crate::engine::dist::{DistError, Sampler};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{Span, Time, ticks};
use crate::scenario::{Class, Tolerance};

/// Departures a queue's pace is measured over.
pub const PACE: usize = 16;

/// The recent departures of a queue, for its expected wait: a ring of the
/// last [`PACE`] departure times (every truck leaving a queue records one,
/// so it is a fixed array, not a growing queue).
#[derive(Clone, Debug, Default)]
pub(crate) struct Pace {
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
pub(crate) struct Behaviour {
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
