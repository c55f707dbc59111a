//! The future-event set: a binary heap ordered by time, then by sequence.
//!
//! Every scheduled event receives a sequence number from a counter that
//! only grows, and the heap orders on `(time, sequence)`. Two events due at
//! the same instant therefore come out in the order they were scheduled
//! (FIFO), whatever the heap's internal layout. Without the sequence number
//! ties would resolve in an order that depends on the heap's history, and a
//! change anywhere in a model could reorder simultaneous events elsewhere.
//!
//! The heap keeps its allocation between pushes and pops, so a model whose
//! number of pending events is bounded allocates nothing in steady state.
//!
//! # Why not `std::collections::BinaryHeap`
//!
//! The standard heap writes a moving element into the vector and reads it
//! straight back before sifting it. An event is written field by field (an
//! `Arrival` writes a 4-byte tag), then read back as one 16-byte load,
//! which the CPU cannot forward from the narrower store: the load waits for
//! the store to retire. `perf` put 17 % of the M/M/10 benchmark's event
//! handling on that one instruction. The sifts below keep the moving entry
//! in registers and write it once, where it lands.
//!
//! # The hold operation
//!
//! Most events schedule another one as they are handled (a service start
//! schedules its end, an arrival the next arrival). [`EventQueue::pop`]
//! therefore copies the earliest event out but leaves its entry on top of
//! the heap, marked spent; the next [`EventQueue::push`] drops the new
//! entry into the top slot and sifts it down once, instead of a pop (sift
//! to the bottom) followed by a push (sift up). The spent entry is removed
//! for real only when a pop or peek comes first.

use super::time::Time;

/// A pending event with its due time and sequence number.
#[derive(Clone, Copy)]
struct Entry<E> {
    /// `time << 64 | sequence`: one integer comparison orders entries.
    key: u128,
    event: E,
}

/// A FIFO-stable priority queue of events keyed by time.
pub struct EventQueue<E> {
    /// A binary min-heap on `key`: every entry's key is below its children's.
    heap: Vec<Entry<E>>,
    next_seq: u64,
    peak: usize,
    /// The top entry was already returned by `pop` and awaits removal.
    spent_top: bool,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `capacity` events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: Vec::with_capacity(capacity),
            next_seq: 0,
            peak: 0,
            spent_top: false,
        }
    }

    /// Schedules `event` at `time`. Among events at the same time, earlier
    /// pushes pop first.
    #[inline(always)]
    pub fn push(&mut self, time: Time, event: E) {
        let key = (u128::from(time) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        let entry = Entry { key, event };
        if self.spent_top {
            self.spent_top = false;
            self.sift_down_from_top(entry);
        } else {
            self.sift_up_from_end(entry);
            self.peak = self.peak.max(self.heap.len());
        }
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.discard_spent();
        let top = self.heap.first()?;
        let out = ((top.key >> 64) as Time, top.event);
        self.spent_top = true;
        Some(out)
    }

    /// Removes and returns the earliest event if it is due at or before
    /// `until`; otherwise leaves it pending and returns `None`.
    #[inline]
    pub fn pop_due(&mut self, until: Time) -> Option<(Time, E)> {
        self.discard_spent();
        let top = self.heap.first()?;
        let time = (top.key >> 64) as Time;
        if time > until {
            return None;
        }
        self.spent_top = true;
        Some((time, top.event))
    }

    /// The due time of the earliest event.
    #[inline]
    pub fn peek_time(&mut self) -> Option<Time> {
        self.discard_spent();
        self.heap.first().map(|entry| (entry.key >> 64) as Time)
    }

    #[inline(always)]
    fn discard_spent(&mut self) {
        if self.spent_top {
            self.remove_spent();
        }
    }

    /// Removes the spent top entry for real.
    #[inline(never)]
    fn remove_spent(&mut self) {
        self.spent_top = false;
        if let Some(last) = self.heap.pop()
            && !self.heap.is_empty()
        {
            self.sift_down_from_top(last);
        }
    }

    /// Puts `entry` in the top slot (whose entry is discarded) and moves it
    /// down to where it belongs. The heap must not be empty.
    #[inline(always)]
    fn sift_down_from_top(&mut self, entry: Entry<E>) {
        let heap = &mut self.heap[..];
        let len = heap.len();
        let mut hole = 0;
        let mut left = 1;
        while left + 1 < len {
            // Which child is earlier is a coin toss, so it is picked by
            // arithmetic rather than by a branch the CPU would mispredict.
            let child = left + usize::from(heap[left + 1].key < heap[left].key);
            if entry.key < heap[child].key {
                break;
            }
            heap[hole] = heap[child];
            hole = child;
            left = 2 * hole + 1;
        }
        // A last node with a left child only.
        if left + 1 == len && heap[left].key < entry.key {
            heap[hole] = heap[left];
            hole = left;
        }
        heap[hole] = entry;
    }

    /// Appends `entry` and moves it up to where it belongs.
    #[inline(always)]
    fn sift_up_from_end(&mut self, entry: Entry<E>) {
        let hole = self.heap.len();
        // The appended copy is overwritten below; it only makes room.
        self.heap.push(entry);
        self.sift_up(hole, entry);
    }

    /// Moves the hole at `hole` up until `entry` fits there, and puts it in.
    #[inline]
    fn sift_up(&mut self, mut hole: usize, entry: Entry<E>) {
        let heap = &mut self.heap[..];
        while hole > 0 {
            let parent = (hole - 1) / 2;
            if heap[parent].key < entry.key {
                break;
            }
            heap[hole] = heap[parent];
            hole = parent;
        }
        heap[hole] = entry;
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.spent_top)
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest number of events that were pending at once.
    pub fn peak_len(&self) -> usize {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        for (t, e) in [(5, 'a'), (1, 'b'), (3, 'c'), (2, 'd')] {
            q.push(t, e);
        }
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(1, 'b'), (2, 'd'), (3, 'c'), (5, 'a')]);
    }

    #[test]
    fn ties_are_fifo_even_after_interleaving() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.push(7, i);
            q.push(u64::from(i % 5), 1000 + i);
        }
        // Drain the earlier events, then check the ties at t = 7.
        while q.peek_time() != Some(7) {
            q.pop();
        }
        let tied: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(tied, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn extreme_times_keep_order() {
        let mut q = EventQueue::new();
        q.push(u64::MAX, 'z');
        q.push(0, 'a');
        q.push(u64::MAX, 'y');
        assert_eq!(q.pop(), Some((0, 'a')));
        assert_eq!(q.pop(), Some((u64::MAX, 'z')));
        assert_eq!(q.pop(), Some((u64::MAX, 'y')));
        assert_eq!(q.peak_len(), 3);
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn hold_replaces_the_spent_top_in_order() {
        // Pop, then push: the push reuses the popped entry's slot and must
        // still come out in (time, sequence) order with everything else.
        let mut q = EventQueue::new();
        for t in [10u64, 20, 30] {
            q.push(t, t);
        }
        assert_eq!(q.pop(), Some((10, 10)));
        assert_eq!(q.len(), 2);
        q.push(25, 25);
        q.push(20, 21); // same time as an earlier push: after it
        assert_eq!(q.pop(), Some((20, 20)));
        assert_eq!(q.pop(), Some((20, 21)));
        q.push(5, 5); // in the past relative to nothing: just earliest
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(rest, vec![(5, 5), (25, 25), (30, 30)]);
    }

    #[test]
    fn matches_a_sorted_reference_under_random_operations() {
        use rand::{Rng as _, SeedableRng};
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new(); // (time, seq)
        let mut seq = 0u64;
        let mut now = 0u64;
        for _ in 0..20_000 {
            if rng.next_u32() % 3 != 0 || reference.is_empty() {
                let t = now + rng.next_u64() % 50;
                q.push(t, seq);
                reference.push((t, seq));
                seq += 1;
            } else {
                reference.sort();
                let (t, s) = reference.remove(0);
                assert_eq!(q.pop(), Some((t, s)));
                now = t;
            }
            assert_eq!(q.len(), reference.len());
        }
    }

    #[test]
    fn pop_due_leaves_later_events_pending() {
        let mut q = EventQueue::new();
        for t in [30u64, 10, 20] {
            q.push(t, t);
        }
        assert_eq!(q.pop_due(20), Some((10, 10)));
        assert_eq!(q.pop_due(20), Some((20, 20)));
        assert_eq!(q.pop_due(20), None);
        assert_eq!(q.len(), 1);
        q.push(25, 25); // reuses nothing: the spent top was already removed
        assert_eq!(q.pop_due(u64::MAX), Some((25, 25)));
        assert_eq!(q.pop_due(u64::MAX), Some((30, 30)));
        assert_eq!(q.pop_due(u64::MAX), None);
    }
}
