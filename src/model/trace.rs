//! A replication's truck events, recorded for `portsim run --trace`.
//!
//! The recorder is an `Option` in the shared state (`World::trace`): an
//! untraced replication pays one branch on `None` per recorded event and
//! nothing else. Recording takes no random draw and changes no state the
//! model reads, so a traced replication gives the same result bytes as an
//! untraced one (`model::tests` checks it).
//!
//! Only events of the measured period are kept (from the end of the
//! warm-up), in the order the simulation handles them, which is time
//! order. A truck is named by its serial number in the replication (every
//! truck that comes into being, a truck of the starting state too, takes
//! the next one), not by its slot in the truck slab, which is reused. At
//! most `limit` rows are kept; a trace that would hold more is marked
//! [`Trace::full`] and keeps no more, and the run goes on unchanged.

use crate::engine::time::Time;

/// What happened to a truck, as the event log names it (docs/event-log.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Milestone {
    /// Reached the port (a diverted or turned-away truck too, at the
    /// moment it saw the queue).
    Arrive,
    /// A service began.
    Start,
    /// A service ended.
    End,
    /// Left the port, cleared.
    Depart,
    /// Left without clearing: the road queue was full, or no slot was free.
    TurnedAway,
    /// Would not join the queue (at the port or the e-queue).
    Diverted,
    /// Gave up waiting.
    Reneged,
    /// Booked, and did not come.
    NoShow,
}

impl Milestone {
    /// The event's name in the log.
    pub fn name(self) -> &'static str {
        match self {
            Milestone::Arrive => "arrive",
            Milestone::Start => "start",
            Milestone::End => "end",
            Milestone::Depart => "depart",
            Milestone::TurnedAway => "turned_away",
            Milestone::Diverted => "diverted",
            Milestone::Reneged => "reneged",
            Milestone::NoShow => "no_show",
        }
    }
}

/// No stage on this row.
pub const NO_STAGE: u16 = u16::MAX;

/// One recorded event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRow {
    /// The truck's serial number in the replication, from 1.
    pub truck: u32,
    /// When, in ticks since time zero.
    pub time: Time,
    /// What happened.
    pub event: Milestone,
    /// The stage of a start or end, or [`NO_STAGE`].
    pub stage: u16,
    /// The truck's class.
    pub class: u8,
}

/// The events of one replication.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The events, in time order.
    pub rows: Vec<TraceRow>,
    /// Most rows kept.
    pub limit: usize,
    /// Whether more events happened than `limit` rows hold.
    pub full: bool,
}

impl Trace {
    /// An empty trace keeping at most `limit` rows.
    pub fn new(limit: usize) -> Trace {
        Trace {
            rows: Vec::new(),
            limit,
            full: false,
        }
    }

    /// Records one event.
    #[inline(never)] // only on traced runs: keeps the untraced path lean
    pub(super) fn push(&mut self, row: TraceRow) {
        if self.rows.len() >= self.limit {
            self.full = true;
            return;
        }
        self.rows.push(row);
    }
}
