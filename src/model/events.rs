//! What can happen in a replication: the events the port's dispatcher
//! handles (`port`) and the mechanisms schedule.
//!
//! An event is a small `Copy` value (a truck is named by its slot in the
//! truck slab, a stage, resource or entrance by its index), so the event
//! queue allocates nothing per event. It sits at the bottom of the model's
//! files: every mechanism may schedule one without knowing who handles it.

/// One thing that happens at a point of simulated time.
#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// The arrival process fires.
    Arrival,
    /// A booked truck's slot time comes: it shows up, or it is a no-show.
    Show(u32),
    /// A no-show comes after all, unbooked.
    Later(u32),
    /// A truck called forward from the e-queue reaches the port.
    Called(u32),
    /// A waiting truck's patience runs out (if it still waits there).
    Renege { truck: u32, epoch: u32 },
    /// A truck admitted by the gate enters the port area.
    Enter(u32),
    /// A stage finishes serving a truck.
    Done { stage: u16, truck: u32 },
    /// A lane resource's calendar changes.
    LaneCalendar(u16),
    /// An entrance's gate calendar changes.
    GateCalendar(u8),
    /// Midnight: daily limits and the e-queue quota start afresh.
    Midnight,
    /// An hour boundary, for the hour-of-day profile (and, at midnight,
    /// the runaway guard).
    Hour,
    /// Warm-up ends: statistics start.
    WarmupEnd,
    /// Time zero (or a run's origin): the trucks of an observed starting
    /// state take their places.
    Initial,
    /// The end of hour `k` after a run's origin (`ahead`).
    Mark(u32),
}
