//! Simulated time as integer milliseconds.
//!
//! Integer ticks keep runs exactly reproducible: the clock never drifts by
//! rounding, comparisons are total, and the same event lands on the same
//! instant on every machine. A millisecond is far below anything a border
//! port measures, and a `u64` of them spans 584 million years, so neither
//! resolution nor range limits a model.

/// A point in simulated time, in milliseconds since the start of the run.
pub type Time = u64;

/// A span of simulated time, in milliseconds.
pub type Span = u64;

/// Ticks in one second.
pub const SECOND: Span = 1_000;
/// Ticks in one minute.
pub const MINUTE: Span = 60 * SECOND;
/// Ticks in one hour.
pub const HOUR: Span = 60 * MINUTE;
/// Ticks in one day.
pub const DAY: Span = 24 * HOUR;
/// Ticks in one week.
pub const WEEK: Span = 7 * DAY;

/// Converts a non-negative real number of ticks to the nearest tick,
/// saturating at the ends of the range (NaN maps to zero).
#[inline]
pub fn ticks(x: f64) -> Span {
    // `as` saturates for out-of-range floats and maps NaN to 0.
    (x + 0.5) as Span
}

/// Converts ticks to seconds.
#[inline]
pub fn seconds(t: Span) -> f64 {
    t as f64 / SECOND as f64
}

/// A span in the largest whole unit that divides it, as a scenario file
/// writes it (`"30m"`, `"7d"`, `"90s"`, `"1500ms"`).
pub fn format_span(t: Span) -> String {
    for (unit, label) in [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")] {
        if t > 0 && t.is_multiple_of(unit) {
            return format!("{}{label}", t / unit);
        }
    }
    format!("{t}ms")
}

/// The day and hour of day of a clock, recomputed only when the clock
/// leaves the hour it was last in: a model that files every event by hour
/// or day pays two comparisons per event instead of two divisions.
#[derive(Clone, Copy, Debug, Default)]
pub struct DayHour {
    /// The hour `[from, to)` that `day` and `hour` describe.
    from: Time,
    to: Time,
    day: u64,
    hour: usize,
}

impl DayHour {
    /// The day (from time zero) and hour of day (0–23) of `now`.
    #[inline]
    pub fn at(&mut self, now: Time) -> (u64, usize) {
        if now < self.from || now >= self.to {
            self.day = now / DAY;
            self.hour = (now % DAY / HOUR) as usize;
            self.from = now - now % HOUR;
            self.to = self.from.saturating_add(HOUR);
        }
        (self.day, self.hour)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_and_hour_follow_the_clock_either_way() {
        let mut clock = DayHour::default();
        for t in [
            0,
            1,
            HOUR - 1,
            HOUR,
            5 * HOUR + 7,
            DAY - 1,
            DAY,
            3 * DAY + 23 * HOUR,
            2,
            u64::MAX,
        ] {
            assert_eq!(clock.at(t), (t / DAY, (t % DAY / HOUR) as usize), "{t}");
        }
    }

    #[test]
    fn ticks_round_to_nearest_and_saturate() {
        assert_eq!(ticks(0.4), 0);
        assert_eq!(ticks(0.5), 1);
        assert_eq!(ticks(1499.6), 1500);
        assert_eq!(ticks(-3.0), 0);
        assert_eq!(ticks(f64::NAN), 0);
        assert_eq!(ticks(f64::INFINITY), u64::MAX);
        assert_eq!(seconds(90 * SECOND), 90.0);
        assert_eq!(format_span(30 * MINUTE), "30m");
        assert_eq!(format_span(7 * DAY), "7d");
        assert_eq!(format_span(90 * SECOND), "90s");
        assert_eq!(format_span(1_500), "1500ms");
        assert_eq!(format_span(0), "0ms");
    }
}
