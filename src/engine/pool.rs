//! Multi-server resources: a pool of identical servers and its queue.
//!
//! A pool has a capacity (servers on duty), a number of busy servers and a
//! queue of waiting items. Items are served first-in first-out within a
//! priority level, and higher levels go first under [`Discipline::Priority`].
//!
//! Capacity may change at any time (a lane closes for the night, a shift
//! adds desks). A server that goes off duty while busy finishes its current
//! item first: service is never pre-empted, so `busy` may exceed `capacity`
//! for a while, and no new item starts until `busy < capacity` again. That
//! work past the end of duty is *overtime*, kept apart from utilisation.
//!
//! A pool can also be *held* (a daily quota was reached): its servers stay
//! on duty but start nothing new until the hold is lifted. Held time counts
//! as on-duty idle time, so utilisation shows how busy the servers were while
//! they were there, and a quota that binds is not mistaken for a lack of
//! servers.
//!
//! The pool does not schedule anything itself; it tells the model which item
//! starts service, and the model schedules the completion. It keeps the
//! time-weighted statistics a planner asks for: mean queue length, mean busy
//! servers, utilisation (busy time on duty over on-duty time, never above
//! one) and overtime (busy time beyond the servers on duty).

use std::collections::VecDeque;

use super::stats::TimeWeighted;
use super::time::Time;

/// The order in which waiting items are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// First come, first served; priorities are ignored.
    Fifo,
    /// Highest priority first; FIFO within a priority.
    Priority,
}

/// The waiting items, shaped by the discipline.
#[derive(Clone, Debug)]
enum Queue<T> {
    /// One line, first come first served.
    Fifo(VecDeque<T>),
    /// One line per priority level, highest level first.
    Priority(Vec<(i32, VecDeque<T>)>),
}

/// A pool of identical servers with a queue.
#[derive(Clone, Debug)]
pub struct Pool<T> {
    capacity: u32,
    /// Servers that may start an item: `capacity`, or 0 while held.
    start_limit: u32,
    held: bool,
    busy: u32,
    queue: Queue<T>,
    waiting: usize,
    queue_len: TimeWeighted,
    busy_servers: TimeWeighted,
    on_duty: TimeWeighted,
    /// Busy servers beyond those on duty (`busy − capacity`, at least 0).
    overtime: TimeWeighted,
    peak_waiting: usize,
}

impl<T> Pool<T> {
    /// An idle pool with `capacity` servers on duty at time `now`.
    pub fn new(capacity: u32, discipline: Discipline, now: Time) -> Self {
        Pool {
            capacity,
            start_limit: capacity,
            held: false,
            busy: 0,
            queue: match discipline {
                Discipline::Fifo => Queue::Fifo(VecDeque::new()),
                Discipline::Priority => Queue::Priority(Vec::new()),
            },
            waiting: 0,
            queue_len: TimeWeighted::new(now, 0),
            busy_servers: TimeWeighted::new(now, 0),
            on_duty: TimeWeighted::new(now, u64::from(capacity)),
            overtime: TimeWeighted::new(now, 0),
            peak_waiting: 0,
        }
    }

    /// Offers `item` to the pool. Returns it back if a server took it at
    /// once (the caller starts its service), or `None` if it now waits.
    #[inline]
    pub fn request(&mut self, now: Time, item: T, priority: i32) -> Option<T> {
        if self.waiting == 0 && self.busy < self.start_limit {
            self.set_busy(now, self.busy + 1);
            return Some(item);
        }
        self.enqueue(now, item, priority);
        None
    }

    /// Whether an item offered now would start at once.
    #[inline]
    pub fn would_start(&self) -> bool {
        self.waiting == 0 && self.busy < self.start_limit
    }

    /// Puts `item` in the queue without trying to start it.
    pub fn enqueue(&mut self, now: Time, item: T, priority: i32) {
        match &mut self.queue {
            Queue::Fifo(line) => line.push_back(item),
            Queue::Priority(levels) => level_mut(levels, priority).push_back(item),
        }
        self.waiting += 1;
        self.peak_waiting = self.peak_waiting.max(self.waiting);
        self.queue_len.set(now, self.waiting as u64);
    }

    /// A server finished its item. If a waiting item can start, the server
    /// takes it and it is returned (the caller starts its service).
    #[inline]
    pub fn release(&mut self, now: Time) -> Option<T> {
        debug_assert!(self.busy > 0, "release without a busy server");
        if self.waiting > 0 && self.busy <= self.start_limit {
            // The server goes straight on to the next item: the number of
            // busy servers does not change, so its statistic is untouched.
            if let Some(item) = self.pop_waiting(now) {
                return Some(item);
            }
        }
        self.set_busy(now, self.busy.saturating_sub(1));
        self.start_next(now)
    }

    /// Takes the next waiting item out of the queue.
    #[inline]
    fn pop_waiting(&mut self, now: Time) -> Option<T> {
        let item = match &mut self.queue {
            Queue::Fifo(line) => line.pop_front(),
            Queue::Priority(levels) => levels.iter_mut().find_map(|(_, q)| q.pop_front()),
        }?;
        self.waiting -= 1;
        self.queue_len.set(now, self.waiting as u64);
        Some(item)
    }

    /// Removes the first waiting item that `matches` (an item that gave up
    /// waiting); returns whether one was found. Linear in the queue length.
    pub fn remove(&mut self, now: Time, matches: impl Fn(&T) -> bool) -> bool {
        let line = match &mut self.queue {
            Queue::Fifo(line) => line.iter().position(&matches).map(|i| (line, i)),
            Queue::Priority(levels) => levels
                .iter_mut()
                .find_map(|(_, q)| q.iter().position(&matches).map(|i| (q, i))),
        };
        let Some((line, i)) = line else {
            return false;
        };
        line.remove(i);
        self.waiting -= 1;
        self.queue_len.set(now, self.waiting as u64);
        true
    }

    /// Starts the next waiting item if a server is free. Call it in a loop
    /// after raising the capacity.
    #[inline]
    pub fn start_next(&mut self, now: Time) -> Option<T> {
        if self.busy >= self.start_limit || self.waiting == 0 {
            return None;
        }
        let item = self.pop_waiting(now)?;
        self.set_busy(now, self.busy + 1);
        Some(item)
    }

    /// Changes the number of servers on duty. Busy servers above the new
    /// capacity finish their items; call [`Pool::start_next`] afterwards to
    /// start items on newly added servers.
    pub fn set_capacity(&mut self, now: Time, capacity: u32) {
        self.capacity = capacity;
        self.start_limit = if self.held { 0 } else { capacity };
        self.on_duty.set(now, u64::from(capacity));
        self.track_overtime(now);
    }

    /// Holds the pool (`true`: servers stay on duty but start nothing) or
    /// lifts the hold. Call [`Pool::start_next`] in a loop after lifting it.
    pub fn set_held(&mut self, held: bool) {
        self.held = held;
        self.start_limit = if held { 0 } else { self.capacity };
    }

    /// Whether the pool is held.
    pub fn is_held(&self) -> bool {
        self.held
    }

    #[inline]
    fn set_busy(&mut self, now: Time, busy: u32) {
        self.busy = busy;
        self.busy_servers.set(now, u64::from(busy));
        self.track_overtime(now);
    }

    #[inline]
    fn track_overtime(&mut self, now: Time) {
        let over = u64::from(self.busy.saturating_sub(self.capacity));
        if over != self.overtime.value() {
            self.overtime.set(now, over);
        }
    }

    /// Servers on duty.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Servers serving an item (may exceed capacity just after a closure).
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Items waiting.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// The most items that ever waited at once.
    pub fn peak_waiting(&self) -> usize {
        self.peak_waiting
    }

    /// Iterates over the waiting items, in service order.
    pub fn iter_waiting(&self) -> impl Iterator<Item = &T> {
        // A FIFO pool is one line; a priority pool, its levels in order.
        let (line, levels) = match &self.queue {
            Queue::Fifo(line) => (Some(line), &[][..]),
            Queue::Priority(levels) => (None, levels.as_slice()),
        };
        line.into_iter()
            .flatten()
            .chain(levels.iter().flat_map(|(_, q)| q.iter()))
    }

    /// Forgets the statistics gathered so far (end of warm-up).
    pub fn reset_stats(&mut self, now: Time) {
        self.queue_len.reset(now);
        self.busy_servers.reset(now);
        self.on_duty.reset(now);
        self.overtime.reset(now);
    }

    /// Time-average number of waiting items up to `now`.
    pub fn mean_queue_len(&self, now: Time) -> f64 {
        self.queue_len.mean(now)
    }

    /// Time-average number of busy servers up to `now`.
    pub fn mean_busy(&self, now: Time) -> f64 {
        self.busy_servers.mean(now)
    }

    /// Busy server-time while on duty over on-duty server-time up to `now`
    /// (0 when no server was ever on duty): at most 1. Items finished after
    /// their server went off duty count as [`Pool::overtime`] instead.
    pub fn utilization(&self, now: Time) -> f64 {
        let duty = self.on_duty.area(now);
        if duty > 0.0 {
            let on_duty_busy = self.busy_servers.area(now) - self.overtime.area(now);
            (on_duty_busy / duty).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// On-duty server-time up to `now`, in server-ticks.
    pub fn on_duty_time(&self, now: Time) -> f64 {
        self.on_duty.area(now)
    }

    /// Busy server-time beyond the servers on duty up to `now` (work
    /// carried past closing), in server-ticks.
    pub fn overtime(&self, now: Time) -> f64 {
        self.overtime.area(now)
    }
}

/// The line of priority `level`, created in order if missing.
fn level_mut<T>(levels: &mut Vec<(i32, VecDeque<T>)>, level: i32) -> &mut VecDeque<T> {
    match levels.iter().position(|(p, _)| *p <= level) {
        Some(i) if levels[i].0 == level => &mut levels[i].1,
        Some(i) => {
            levels.insert(i, (level, VecDeque::new()));
            &mut levels[i].1
        }
        None => {
            levels.push((level, VecDeque::new()));
            let last = levels.len() - 1;
            &mut levels[last].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_fifo_and_respects_capacity() {
        let mut pool = Pool::new(2, Discipline::Fifo, 0);
        assert_eq!(pool.request(0, 'a', 0), Some('a'));
        assert_eq!(pool.request(0, 'b', 5), Some('b'));
        assert_eq!(pool.request(0, 'c', 0), None);
        assert_eq!(pool.request(0, 'd', 9), None);
        assert_eq!(pool.waiting(), 2);
        assert_eq!(pool.release(10), Some('c'));
        assert_eq!(pool.release(10), Some('d'));
        assert_eq!(pool.release(20), None);
        assert_eq!(pool.release(20), None);
        assert_eq!(pool.busy(), 0);
    }

    #[test]
    fn priority_goes_first_fifo_within_level() {
        let mut pool = Pool::new(1, Discipline::Priority, 0);
        assert_eq!(pool.request(0, "busy", 0), Some("busy"));
        for (item, prio) in [
            ("low1", 0),
            ("high1", 2),
            ("mid", 1),
            ("high2", 2),
            ("low2", 0),
        ] {
            assert_eq!(pool.request(0, item, prio), None);
        }
        let order: Vec<_> = std::iter::from_fn(|| pool.release(1)).collect();
        assert_eq!(order, ["high1", "high2", "mid", "low1", "low2"]);
    }

    #[test]
    fn closing_finishes_current_work_and_reopening_starts_queue() {
        let mut pool = Pool::new(2, Discipline::Fifo, 0);
        pool.request(0, 1, 0);
        pool.request(0, 2, 0);
        pool.request(0, 3, 0);
        pool.set_capacity(5, 0);
        assert_eq!(pool.busy(), 2, "closing does not pre-empt");
        assert_eq!(pool.release(6), None, "closed: nothing new starts");
        assert_eq!(pool.release(7), None);
        assert_eq!(pool.start_next(8), None);
        pool.set_capacity(10, 1);
        assert_eq!(pool.start_next(10), Some(3));
        assert_eq!(pool.start_next(10), None);
    }

    #[test]
    fn time_weighted_statistics() {
        // One server busy over [0, 10), then idle over [10, 20): 50 %.
        // One item waits over [0, 10): mean queue length 0.5.
        let mut pool = Pool::new(1, Discipline::Fifo, 0);
        pool.request(0, 'a', 0);
        pool.request(0, 'b', 0);
        assert_eq!(pool.release(10), Some('b'));
        pool.release(10);
        assert!((pool.utilization(20) - 0.5).abs() < 1e-12);
        assert!((pool.mean_queue_len(20) - 0.5).abs() < 1e-12);
        pool.reset_stats(20);
        assert_eq!(pool.utilization(30), 0.0);
        assert_eq!(pool.peak_waiting(), 1);
    }

    #[test]
    fn a_waiting_item_can_leave_the_queue() {
        for discipline in [Discipline::Fifo, Discipline::Priority] {
            let mut pool = Pool::new(1, discipline, 0);
            pool.request(0, 1, 0);
            pool.request(0, 2, 0);
            pool.request(0, 3, 1);
            assert!(pool.remove(5, |&x| x == 2));
            assert!(!pool.remove(5, |&x| x == 2), "gone already");
            assert!(!pool.remove(5, |&x| x == 1), "in service, not waiting");
            assert_eq!(pool.waiting(), 1);
            assert_eq!(pool.release(10), Some(3));
            assert_eq!(pool.release(10), None);
            // One item waited over [0, 5) twice and [5, 10) once: 15 / 10.
            assert!((pool.mean_queue_len(10) - 1.5).abs() < 1e-12);
        }
    }

    /// A server that goes straight on to the next item leaves the busy
    /// count unchanged, and the statistics match a hand computation.
    #[test]
    fn hand_over_keeps_busy_time_exact() {
        // Two servers, three items at t = 0: two start, one waits until the
        // first finishes at 4. Busy: 2 over [0, 9), 1 over [9, 10).
        let mut pool = Pool::new(2, Discipline::Fifo, 0);
        for item in ['a', 'b', 'c'] {
            pool.request(0, item, 0);
        }
        assert_eq!(pool.release(4), Some('c'));
        assert_eq!(pool.busy(), 2);
        assert_eq!(pool.release(9), None);
        assert_eq!(pool.release(10), None);
        assert!((pool.mean_busy(10) - 1.9).abs() < 1e-12);
        assert!((pool.utilization(10) - 0.95).abs() < 1e-12);
        assert!((pool.mean_queue_len(10) - 0.4).abs() < 1e-12);
    }

    /// Work past closing is overtime, not utilisation above one; a held pool
    /// keeps its servers on duty and starts nothing.
    #[test]
    fn overtime_and_holds() {
        // One server on duty over [0, 10); busy over [0, 14): 10 on duty,
        // 4 of overtime. Over [0, 20): utilisation 10 / 10 = 1, not 1.4.
        let mut pool = Pool::new(1, Discipline::Fifo, 0);
        pool.request(0, 'a', 0);
        pool.set_capacity(10, 0);
        assert_eq!(pool.release(14), None);
        assert!((pool.utilization(20) - 1.0).abs() < 1e-12);
        assert!((pool.overtime(20) - 4.0).abs() < 1e-12);
        assert!((pool.on_duty_time(20) - 10.0).abs() < 1e-12);
        // Held: on duty, idle, nothing starts; lifting the hold starts it.
        let mut pool = Pool::new(2, Discipline::Fifo, 0);
        pool.set_held(true);
        assert_eq!(pool.request(0, 'b', 0), None);
        assert_eq!(pool.start_next(5), None);
        pool.set_held(false);
        assert_eq!(pool.start_next(10), Some('b'));
        assert_eq!(pool.release(20), None);
        // 2 servers on duty over [0, 20), one busy over [10, 20): 25 %.
        assert!((pool.utilization(20) - 0.25).abs() < 1e-12);
        assert_eq!(pool.overtime(20), 0.0);
    }

    /// After a closure (busy above capacity) a release must not hand over.
    #[test]
    fn no_hand_over_while_over_capacity() {
        let mut pool = Pool::new(2, Discipline::Fifo, 0);
        for item in [1, 2, 3] {
            pool.request(0, item, 0);
        }
        pool.set_capacity(1, 1);
        assert_eq!(pool.release(2), None, "busy 2 > capacity 1");
        assert_eq!(pool.release(3), Some(3), "busy 1 = capacity 1");
    }
}
