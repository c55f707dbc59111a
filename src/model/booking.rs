//! Appointment slots: each booking takes the first slot, starting at or
//! after the truck's wish and no more than the lead limit after it, that
//! still has room.
//!
//! Bookings are made in arrival order, so wishes never go back in time:
//! once a slot is full or passed no later booking can use it. The book
//! therefore needs only the current slot and its count (constant memory,
//! amortised constant time), however far ahead bookings reach.

use crate::engine::calendar::Calendar;
use crate::engine::time::{Span, Time};

/// The slot book of one replication.
pub struct SlotBook {
    slot: Span,
    /// Trucks a slot starting at `t` holds (0: no slot then).
    capacity: Calendar,
    max_lead: Span,
    current: u64,
    used: u32,
}

impl SlotBook {
    /// Slots of length `slot`, each holding `capacity` at its start, at
    /// most `max_lead` after the wish.
    pub fn new(slot: Span, capacity: Calendar, max_lead: Span) -> Self {
        SlotBook {
            slot: slot.max(1),
            capacity,
            max_lead,
            current: 0,
            used: 0,
        }
    }

    /// Books the first slot starting at or after `wish` with room left and
    /// returns its start, or `None` if no slot with room starts within
    /// `max_lead` of the wish.
    pub fn book(&mut self, wish: Time) -> Option<Time> {
        // Earlier slots than the current one are passed or full.
        let mut index = wish.div_ceil(self.slot).max(self.current);
        let limit = wish.saturating_add(self.max_lead);
        loop {
            let start = index.checked_mul(self.slot)?;
            if start > limit {
                return None;
            }
            let holds = self.capacity.value_at(start);
            let used = if index == self.current { self.used } else { 0 };
            if used < holds {
                self.current = index;
                self.used = used + 1;
                return Some(start);
            }
            if holds > 0 {
                index += 1;
                continue;
            }
            // No slot here: jump to the next change of the capacity when it
            // is later than the next slot.
            let next = self.capacity.next_change(start).unwrap_or(Time::MAX);
            index = (index + 1).max(next.div_ceil(self.slot));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::calendar::WeeklyCalendar;
    use crate::engine::time::{DAY, HOUR, MINUTE, WEEK};

    /// Capacity by hour: 2 a slot 08:00–12:00, 5 from 12:00 to 14:00, none
    /// else; a closed day has none.
    #[test]
    fn capacity_follows_its_table_and_closures() {
        let steps = (0..7)
            .flat_map(|d| {
                [
                    (d * DAY + 8 * HOUR, 2),
                    (d * DAY + 12 * HOUR, 5),
                    (d * DAY + 14 * HOUR, 0),
                ]
            })
            .collect();
        let cap =
            Calendar::from(WeeklyCalendar::from_steps(steps, 0)).closed_over([(DAY, 2 * DAY)]);
        let mut book = SlotBook::new(HOUR, cap, WEEK);
        let got: Vec<_> = (0..10)
            .map(|_| book.book(11 * HOUR).map(|t| t / HOUR))
            .collect();
        // 11:00 holds 2, 12:00 and 13:00 hold 5 each, then day 1 is closed:
        // the next is 08:00 on day 2 (hour 56).
        assert_eq!(got, [11, 11, 12, 12, 12, 12, 12, 13, 13, 13].map(Some));
        let more: Vec<_> = (0..3)
            .map(|_| book.book(11 * HOUR).map(|t| t / HOUR))
            .collect();
        assert_eq!(more, [Some(13), Some(13), Some(56)]);
    }

    #[test]
    fn fills_slots_in_order_and_respects_capacity() {
        let mut book = SlotBook::new(30 * MINUTE, Calendar::constant(2), WEEK);
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
        let hours = Calendar::from(WeeklyCalendar::from_steps(steps, 0));
        let mut book = SlotBook::new(HOUR, hours, WEEK);
        assert_eq!(book.book(0), Some(8 * HOUR));
        assert_eq!(book.book(0), Some(9 * HOUR));
        assert_eq!(book.book(11 * HOUR + 1), Some(DAY + 8 * HOUR));
    }

    #[test]
    fn unbookable_calendar_gives_none() {
        let mut book = SlotBook::new(HOUR, Calendar::constant(0), WEEK);
        assert_eq!(book.book(0), None);
    }

    #[test]
    fn no_booking_beyond_the_lead_limit() {
        // One truck per hour-slot, a 3-hour limit: the wish at 0 takes the
        // slots at 0, 1 h, 2 h and 3 h (3 h after the wish is still within
        // it), then none is left.
        let mut book = SlotBook::new(HOUR, Calendar::constant(1), 3 * HOUR);
        let got: Vec<_> = (0..5).map(|_| book.book(0)).collect();
        assert_eq!(
            got,
            [Some(0), Some(HOUR), Some(2 * HOUR), Some(3 * HOUR), None]
        );
        // A later wish reaches further.
        assert_eq!(book.book(HOUR), Some(4 * HOUR));
    }
}
