//! The validated scenario: what the port model runs.
//!
//! Every value here has been checked by the reader (`scenario::load`):
//! durations are whole ticks, shares are fractions in [0, 1], class shares
//! sum to one, stage references are indices, calendars are already shifted
//! so that simulated time zero is midnight at the start of the run's first
//! day. The model trusts these types and never re-checks them.

use std::path::PathBuf;

use crate::engine::calendar::WeeklyCalendar;
use crate::engine::dist::Dist;
use crate::engine::pool::Discipline;
use crate::engine::time::Span;

/// A port, its demand and how long to simulate it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The file the scenario was read from (the last of an `extends` chain).
    pub source: PathBuf,
    /// The fully resolved document (after `extends`), as canonical TOML with
    /// sorted keys: hashing it identifies the scenario a result came from.
    pub resolved: String,
    /// Master seed.
    pub seed: u64,
    /// Measured period, after warm-up.
    pub horizon: Span,
    /// Warm-up period, deleted from the statistics.
    pub warmup: Span,
    /// Number of independent replications.
    pub replications: u64,
    /// Day of week of day 0 (Monday = 0 … Sunday = 6).
    pub start: u8,
    /// How trucks arrive.
    pub arrivals: Arrivals,
    /// Truck classes; at least one, shares summing to 1.
    pub classes: Vec<Class>,
    /// The gate, parking and road queue.
    pub port: Port,
    /// Appointment booking, if any.
    pub appointments: Option<Appointments>,
    /// The cost model.
    pub costs: Costs,
    /// Stages, visited in order; at least one.
    pub stages: Vec<Stage>,
}

/// The arrival process of trucks (before booking and no-shows).
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// A Poisson process, possibly non-homogeneous: the rate at time `t` is
    /// `per_day × hourly[hour of day] × daily[day of week]` trucks per day.
    Poisson {
        /// Mean arrivals per day where both multipliers are 1.
        per_day: f64,
        /// Hour-of-day multipliers (hour 0 = 00:00–01:00); mean 1. Boxed
        /// to keep the enum small.
        hourly: Box<[f64; 24]>,
        /// Day-of-week multipliers, Monday first; 1 where not given.
        daily: [f64; 7],
    },
    /// A renewal process: independent gaps between arrivals, in ticks.
    Renewal {
        /// Time between consecutive arrivals.
        interarrival: Dist,
    },
}

/// A class of trucks (for example perishables on a green lane).
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// Name, unique.
    pub name: String,
    /// Share of arrivals, in [0, 1].
    pub share: f64,
    /// Higher goes first at stages whose queue is `priority`.
    pub priority: i32,
}

/// The port area: when the gate admits trucks and how many fit.
#[derive(Clone, Debug)]
pub struct Port {
    /// 1 while the gate admits trucks, 0 while it is closed.
    pub open: WeeklyCalendar,
    /// Trucks that fit inside the port area at once (waiting at, or being
    /// served by, any stage); `None` for no limit.
    pub parking: Option<u32>,
    /// Trucks that wait on the road outside; an arrival that finds it full is
    /// turned away. `None` for no limit.
    pub road_queue: Option<u32>,
}

/// Appointment booking.
#[derive(Clone, Debug)]
pub struct Appointments {
    /// Share of trucks that book a slot, in [0, 1].
    pub share: f64,
    /// Slot length.
    pub slot: Span,
    /// Trucks per slot (at least 1).
    pub capacity: u32,
    /// 1 where a slot may start, 0 otherwise: the `hours` of the file while
    /// the gate is open (no slot is sold for a time the gate is closed).
    pub hours: WeeklyCalendar,
    /// How far ahead of its wish a truck books at most.
    pub max_lead: Span,
    /// What a truck does when no slot is free within `max_lead`.
    pub no_slot: NoSlot,
    /// Probability that a booked truck does not come, in [0, 1].
    pub no_show: f64,
    /// Arrival offset from the slot's start, in ticks (may be negative).
    pub punctuality: Dist,
    /// Whether booked trucks go ahead of walk-ins (at the gate and at stages
    /// whose queue is `priority`).
    pub priority: bool,
}

/// What a truck that wanted a slot does when none is free in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSlot {
    /// It comes at its own time without a booking.
    WalkIn,
    /// It is turned away (booking is mandatory).
    TurnAway,
}

/// What a truck's stay costs.
#[derive(Clone, Debug, PartialEq)]
pub struct Costs {
    /// Currency label for reports.
    pub currency: String,
    /// Cost of one truck-hour in the port, waiting or served.
    pub per_hour: f64,
    /// Extra cost for each night (midnight) a truck spends in the port.
    pub overnight: f64,
    /// Fixed handling cost per truck (documents, agent), paid once.
    pub per_truck: f64,
}

/// One clearance step: lanes, their hours, and service.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Name, unique.
    pub name: String,
    /// Lanes on duty over the week: the lane count (or shift table) times
    /// the stage's opening hours.
    pub capacity: WeeklyCalendar,
    /// Service time per visit, in ticks.
    pub service: Dist,
    /// Probability of visiting, per class (indexed like `Scenario::classes`).
    pub share: Vec<f64>,
    /// Fee paid by each visit.
    pub fee: f64,
    /// Queue discipline.
    pub discipline: Discipline,
    /// Sending trucks back to an earlier stage.
    pub rework: Option<Rework>,
    /// At most this many service starts per calendar day; trucks over the
    /// limit wait for the next day. `None` for no limit.
    pub daily_limit: Option<u32>,
}

/// Rework: after service, a truck goes back to an earlier stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Rework {
    /// Probability per visit, in [0, 1).
    pub probability: f64,
    /// Index of the stage to return to (at most the current one).
    pub to: usize,
}
