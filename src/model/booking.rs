//! Appointment slots: each booking takes the first slot, starting at or
//! after the truck's wish and no more than the lead limit after it, that
//! still has room.
//!
//! Bookings are made in arrival order, so wishes never go back in time:
//! once a slot is full or passed no later booking can use it. The book
//! therefore needs only the current slot and its count (constant memory,
//! amortised constant time), however far ahead bookings reach.

use crate::engine::calendar::WeeklyCalendar;
use crate::engine::time::{Span, Time};

/// The slot book of one replication.
pub struct SlotBook {
    slot: Span,
    capacity: u32,
    hours: WeeklyCalendar,
    max_lead: Span,
    current: u64,
    used: u32,
}

impl SlotBook {
    /// Slots of length `slot` with `capacity` trucks each, bookable when
    /// their start falls in `hours`, at most `max_lead` after the wish.
    pub fn new(slot: Span, capacity: u32, hours: WeeklyCalendar, max_lead: Span) -> Self {
        SlotBook {
            slot: slot.max(1),
            capacity,
            hours,
            max_lead,
            current: 0,
            used: 0,
        }
    }

    /// Books the first slot starting at or after `wish` with room left and
    /// returns its start, or `None` if no slot with room starts within
    /// `max_lead` of the wish.
    pub fn book(&mut self, wish: Time) -> Option<Time> {
        if self.capacity == 0 {
            return None;
        }
        let mut index = wish.div_ceil(self.slot);
        if index <= self.current {
            // Earlier slots are passed or full; the current one may have room.
            index = if self.used >= self.capacity {
                self.current + 1
            } else {
                self.current
            };
        }
        let limit = wish.saturating_add(self.max_lead);
        loop {
            let start = index.checked_mul(self.slot)?;
            if start > limit {
                return None;
            }
            if self.hours.value_at(start) > 0 {
                if index != self.current {
                    self.current = index;
                    self.used = 0;
                }
                self.used += 1;
                return Some(start);
            }
            // Jump to the next change of bookable hours when it is later
            // than the next slot.
            let next = self.hours.next_change(start).unwrap_or(Time::MAX);
            index = (index + 1).max(next.div_ceil(self.slot));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::{DAY, HOUR, MINUTE, WEEK};

    #[test]
    fn fills_slots_in_order_and_respects_capacity() {
        let mut book = SlotBook::new(30 * MINUTE, 2, WeeklyCalendar::constant(1), WEEK);
        assert_eq!(book.book(0), Some(0));
        assert_eq!(
            book.book(5 * MINUTE),
            Some(30 * MINUTE),
            "first slot starting after the wish"
        );
        assert_eq!(book.book(10 * MINUTE), Some(30 * MINUTE));
        assert_eq!(
            book.book(10 * MINUTE),
            Some(60 * MINUTE),
            "slot full: next one"
        );
        assert_eq!(book.book(3 * HOUR), Some(3 * HOUR));
    }

    #[test]
    fn only_bookable_hours_are_used() {
        // Bookable 08:00–12:00 each day.
        let steps = (0..7)
            .flat_map(|d| [(d * DAY + 8 * HOUR, 1), (d * DAY + 12 * HOUR, 0)])
            .collect();
        let hours = WeeklyCalendar::from_steps(steps, 0);
        let mut book = SlotBook::new(HOUR, 1, hours, WEEK);
        assert_eq!(book.book(0), Some(8 * HOUR));
        assert_eq!(book.book(0), Some(9 * HOUR));
        assert_eq!(book.book(11 * HOUR + 1), Some(DAY + 8 * HOUR));
    }

    #[test]
    fn unbookable_calendar_gives_none() {
        let mut book = SlotBook::new(HOUR, 1, WeeklyCalendar::constant(0), WEEK);
        assert_eq!(book.book(0), None);
        let mut zero = SlotBook::new(HOUR, 0, WeeklyCalendar::constant(1), WEEK);
        assert_eq!(zero.book(0), None);
    }

    #[test]
    fn no_booking_beyond_the_lead_limit() {
        // One truck per hour-slot, a 3-hour limit: the wish at 0 takes the
        // slots at 0, 1 h, 2 h and 3 h (3 h after the wish is still within
        // it), then none is left.
        let mut book = SlotBook::new(HOUR, 1, WeeklyCalendar::constant(1), 3 * HOUR);
        let got: Vec<_> = (0..5).map(|_| book.book(0)).collect();
        assert_eq!(
            got,
            [Some(0), Some(HOUR), Some(2 * HOUR), Some(3 * HOUR), None]
        );
        // A later wish reaches further.
        assert_eq!(book.book(HOUR), Some(4 * HOUR));
    }
}
