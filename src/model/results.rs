//! What one replication of the port measured.
//!
//! Raw sums and histograms, not yet divided into per-truck figures: the
//! experiment layer turns them into metrics and confidence intervals.

use crate::engine::stats::DurationStats;
use crate::engine::time::Time;

/// Truck counts over the measured period (trucks that arrived after
/// warm-up). `arrived = cleared + turned_away + backlog` always holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Trucks that reached the port.
    pub arrived: u64,
    /// Of those, trucks that left cleared.
    pub cleared: u64,
    /// Of those, trucks that found the road queue full and left.
    pub turned_away: u64,
    /// Of those, trucks still in the port or on the road at the end.
    pub backlog: u64,
    /// Booked trucks that did not come (not counted as arrived).
    pub no_shows: u64,
    /// Arrived trucks that had booked a slot.
    pub booked: u64,
}

/// Per-truck sums over the cleared trucks of a group (all, or one class).
#[derive(Clone, Debug)]
pub struct ClassResult {
    /// Counts for the group.
    pub counts: Counts,
    /// Time from arrival at the port to leaving it, in ticks.
    pub time_in_port: DurationStats,
    /// Time in port not spent in service, in ticks.
    pub wait: DurationStats,
    /// Total clearance steps (stage visits) of cleared trucks.
    pub steps: u64,
    /// Total cost of cleared trucks.
    pub cost: f64,
}

impl ClassResult {
    pub(crate) fn new() -> Self {
        ClassResult {
            counts: Counts::default(),
            time_in_port: DurationStats::new(crate::engine::time::SECOND),
            wait: DurationStats::new(crate::engine::time::SECOND),
            steps: 0,
            cost: 0.0,
        }
    }
}

/// What one stage measured.
#[derive(Clone, Debug)]
pub struct StageResult {
    /// Visits completed (clearance steps served).
    pub visits: u64,
    /// Busy lane-time over on-duty lane-time.
    pub utilization: f64,
    /// Time-average number of trucks waiting.
    pub mean_queue_len: f64,
    /// Time from joining the queue to starting service, in ticks.
    pub wait: DurationStats,
}

/// Hour-of-day profile over the measured period, summed over its days.
#[derive(Clone, Debug, Default)]
pub struct HourlyProfile {
    /// Arrivals per hour of day.
    pub arrivals: [u64; 24],
    /// Departures per hour of day.
    pub departures: [u64; 24],
    /// Truck-ticks spent waiting (on the road or in a stage queue) per hour
    /// of day; divided by the ticks of that hour measured, it is the mean
    /// number waiting.
    pub waiting_area: [f64; 24],
    /// Ticks measured per hour of day.
    pub ticks: [u64; 24],
}

/// Why a replication was stopped early.
#[derive(Clone, Debug, PartialEq)]
pub struct Runaway {
    /// Why it was stopped, in words.
    pub reason: String,
    /// Simulated time at which it was stopped.
    pub at: Time,
    /// Trucks in the system then.
    pub in_system: u64,
    /// The stage with the longest queue then, and that queue's length.
    pub stage: String,
    /// Trucks waiting at that stage.
    pub stage_queue: u64,
    /// Trucks waiting on the road.
    pub road_queue: u64,
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct RepResult {
    /// All trucks.
    pub all: ClassResult,
    /// Per class, in scenario order.
    pub classes: Vec<ClassResult>,
    /// Per stage, in scenario order.
    pub stages: Vec<StageResult>,
    /// Departures per day of the measured period (every truck that left).
    pub daily_departures: Vec<u64>,
    /// Hour-of-day profile.
    pub hourly: HourlyProfile,
    /// Length of the measured period in days.
    pub days: f64,
    /// Events handled.
    pub events: u64,
    /// Most trucks in the system (road, port and booked-but-not-arrived) at once.
    pub peak_in_system: u64,
    /// Set when the replication was stopped because trucks piled up.
    pub runaway: Option<Runaway>,
}
