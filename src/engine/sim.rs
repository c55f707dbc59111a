//! The clock, the scheduler a model sees, and the event loop.
//!
//! A model is a plain struct implementing [`Model`]: it receives one event
//! at a time together with a [`Scheduler`], through which it reads the clock
//! and schedules further events. The loop is synchronous and single-threaded;
//! parallelism comes from running independent replications side by side, not
//! from splitting one run, which keeps a run's result independent of the
//! machine it ran on.

use super::event_queue::EventQueue;
use super::time::{Span, Time};

/// A simulation model: state plus a reaction to each event.
pub trait Model {
    /// The events this model schedules: small `Copy` values (indices, not
    /// boxed payloads), so the hot loop stays allocation-free.
    type Event: Copy;

    /// Reacts to `event`, which is due now (`sched.now()`).
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// The clock and the future-event set, as seen by a model.
pub struct Scheduler<E> {
    now: Time,
    queue: EventQueue<E>,
    processed: u64,
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Scheduler<E> {
    /// A scheduler at time zero with no pending events.
    pub fn new() -> Self {
        Scheduler {
            now: 0,
            queue: EventQueue::with_capacity(64),
            processed: 0,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `event` at absolute time `at`. A time in the past is moved
    /// to now: the clock never runs backwards.
    #[inline]
    pub fn schedule_at(&mut self, at: Time, event: E) {
        self.queue.push(at.max(self.now), event);
    }

    /// Schedules `event` after `delay` from now (saturating at the end of time).
    #[inline]
    pub fn schedule_in(&mut self, delay: Span, event: E) {
        self.queue.push(self.now.saturating_add(delay), event);
    }

    /// Events handled so far.
    pub fn events_processed(&self) -> u64 {
        self.processed
    }

    /// Events pending now.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The largest number of events that were pending at once.
    pub fn peak_pending(&self) -> usize {
        self.queue.peak_len()
    }

    /// Runs `model` until no event is due at or before `until`, then sets the
    /// clock to `until`. Events due later stay pending, so a run can be
    /// continued with a later `until`.
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, until: Time) {
        while let Some((t, event)) = self.queue.pop_due(until) {
            self.now = t;
            self.processed += 1;
            model.handle(event, self);
        }
        self.now = self.now.max(until);
    }

    /// Like [`Scheduler::run_until`], but stops early (returning `false`) as
    /// soon as `keep_going` says so; it is asked after every event.
    pub fn run_while<M: Model<Event = E>>(
        &mut self,
        model: &mut M,
        until: Time,
        mut keep_going: impl FnMut(&M, Time) -> bool,
    ) -> bool {
        while let Some((t, event)) = self.queue.pop_due(until) {
            self.now = t;
            self.processed += 1;
            model.handle(event, self);
            if !keep_going(model, t) {
                return false;
            }
        }
        self.now = self.now.max(until);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the order in which events arrive and reschedules some.
    struct Recorder {
        seen: Vec<(Time, u32)>,
    }

    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, event: u32, sched: &mut Scheduler<u32>) {
            self.seen.push((sched.now(), event));
            if event < 3 {
                // Same-time follow-up goes after everything already due now.
                sched.schedule_in(0, event + 10);
                sched.schedule_in(5, event + 1);
            }
        }
    }

    #[test]
    fn runs_in_order_and_stops_at_horizon() {
        let mut sched = Scheduler::new();
        let mut model = Recorder { seen: vec![] };
        sched.schedule_at(0, 0);
        sched.schedule_at(0, 100);
        sched.run_until(&mut model, 7);
        assert_eq!(model.seen, vec![(0, 0), (0, 100), (0, 10), (5, 1), (5, 11)]);
        assert_eq!(sched.now(), 7);
        // The event at t = 10 is still pending and runs on continuation.
        sched.run_until(&mut model, 100);
        assert_eq!(&model.seen[5..], &[(10, 2), (10, 12), (15, 3)]);
        assert_eq!(sched.events_processed(), 8);
    }

    #[test]
    fn past_times_are_clamped_to_now() {
        let mut sched = Scheduler::new();
        let mut model = Recorder { seen: vec![] };
        sched.schedule_at(50, 7);
        sched.run_until(&mut model, 60);
        sched.schedule_at(10, 9);
        sched.run_until(&mut model, 70);
        assert_eq!(model.seen, vec![(50, 7), (60, 9)]);
    }

    #[test]
    fn run_while_stops_when_asked() {
        let mut sched = Scheduler::new();
        let mut model = Recorder { seen: vec![] };
        sched.schedule_at(0, 0);
        let finished = sched.run_while(&mut model, 1_000, |m, _| m.seen.len() < 2);
        assert!(!finished);
        assert_eq!(model.seen.len(), 2);
    }
}
