//! The validated scenario: what the port model runs.
//!
//! Every value here has been checked by the reader (`scenario::load`):
//! durations are whole ticks, shares are fractions in [0, 1], class shares
//! sum to one, stage references are indices, calendars are already shifted
//! so that simulated time zero is midnight at the start of the run's first
//! day. The model trusts these types and never re-checks them.

use std::path::PathBuf;

use crate::engine::calendar::Calendar;
use crate::engine::dist::Dist;
use crate::engine::pool::Discipline;
use crate::engine::time::{Span, Time};

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
    /// The overrides applied after the files (`--set KEY=VALUE`, or a
    /// point of a sweep), as `key=value`, in order; the resolved document
    /// includes them.
    pub overrides: Vec<String>,
    /// Warnings about how the files were merged (a patch whose stage list
    /// drops stages of its base), each with its file, line and column.
    pub patch_warnings: Vec<String>,
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
    /// The calendar date of day 0, when the file gives one (days since
    /// 1970-01-01); dated closures and seasons need it.
    pub start_date: Option<i64>,
    /// How trucks arrive.
    pub arrivals: Arrivals,
    /// Truck classes; at least one, shares summing to 1.
    pub classes: Vec<Class>,
    /// The gate, parking and road queue: entrance 0, the one classes use
    /// unless they name another.
    pub port: Port,
    /// Further entrances with their own gate, parking and road queue (a
    /// class's `entrance` 1 is `entrances[0]`, and so on).
    pub entrances: Vec<Entrance>,
    /// An electronic queue that trucks wait in off-site, if any.
    pub equeue: Option<EQueue>,
    /// Appointment booking, if any.
    pub appointments: Option<Appointments>,
    /// The cost model.
    pub costs: Costs,
    /// Lane pools that several stages share.
    pub pools: Vec<PoolSpec>,
    /// Stages, visited in order (or in each class's route); at least one.
    pub stages: Vec<Stage>,
    /// The state at time zero, if the run starts from an observed one.
    pub initial: Option<Initial>,
}

impl Scenario {
    /// The scenario's hash: SHA-256 of the resolved document, in lower-case
    /// hex. It identifies the scenario a result came from.
    pub fn hash(&self) -> String {
        crate::store::identity::text_hash(&self.resolved)
    }
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
        /// Dated multipliers on top (seasonal peaks): `(from, to, factor)`
        /// in simulated time, `[from, to)`, not overlapping.
        seasons: Vec<(Time, Time, f64)>,
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
    /// Higher goes first at stages whose queue is `priority` (and out of
    /// turn in an e-queue with a `priority_share`).
    pub priority: i32,
    /// The stages this class visits, in order (indices into
    /// `Scenario::stages`); `None` for all of them in file order.
    pub route: Option<Vec<usize>>,
    /// Beyond this an arriving truck does not join the queue and diverts.
    pub tolerance: Option<Tolerance>,
    /// How long a truck waits in the queue (road or e-queue) before it
    /// gives up and leaves (reneges), in ticks.
    pub patience: Option<Dist>,
    /// Entrance: 0 for `[port]`, `i` for `entrances[i - 1]`.
    pub entrance: usize,
}

impl Class {
    /// A class with no route, tolerance or patience of its own, at the main
    /// entrance.
    pub fn new(name: &str, share: f64, priority: i32) -> Self {
        Class {
            name: name.to_owned(),
            share,
            priority,
            route: None,
            tolerance: None,
            patience: None,
            entrance: 0,
        }
    }
}

/// What an arriving truck will put up with, drawn per truck.
#[derive(Clone, Debug, PartialEq)]
pub enum Tolerance {
    /// The most trucks it will find ahead of it in the queue and still join
    /// (a number, drawn from this distribution; it joins while fewer wait).
    Queue(Dist),
    /// The longest expected wait it will accept, in ticks.
    Wait(Dist),
}

/// A further entrance (for example one per direction), with its own gate.
#[derive(Clone, Debug)]
pub struct Entrance {
    /// Name, unique.
    pub name: String,
    /// Its gate, parking and road queue.
    pub gate: Port,
}

/// An electronic queue: trucks register on arrival and wait off-site until
/// the border calls them forward.
#[derive(Clone, Debug, PartialEq)]
pub struct EQueue {
    /// Places in the waiting area near the border; registered trucks
    /// beyond them wait at home. 0: everyone waits at home.
    pub waiting_area: u32,
    /// From a call to arrival at the port, for a truck in the waiting area,
    /// in ticks.
    pub call_forward: Dist,
    /// The same for a truck waiting at home.
    pub call_forward_home: Dist,
    /// At most this many trucks called forward per calendar day.
    pub daily_quota: Option<u32>,
    /// Share of the day's calls that trucks of classes with priority above
    /// zero may take out of turn, in [0, 1].
    pub priority_share: f64,
}

/// Lanes several stages draw from (one scanner for two steps, one ferry
/// for both directions): one queue, first come first served across them
/// (or by priority).
#[derive(Clone, Debug)]
pub struct PoolSpec {
    /// Name, unique among pools and stages.
    pub name: String,
    /// Lanes on duty (closures applied).
    pub lanes: Calendar,
    /// Queue discipline.
    pub discipline: Discipline,
}

/// Where a stage's lanes come from.
#[derive(Clone, Debug)]
pub enum Lanes {
    /// Its own lanes on this calendar (lanes on duty × opening hours,
    /// closures applied).
    Own(Calendar),
    /// As many as there are trucks: a delay that takes time but never
    /// queues (documents processed off-site, a cooling period).
    Unlimited,
    /// The lanes of `Scenario::pools[i]`.
    Pool(usize),
}

/// The observed state a run starts from (trucks already waiting at t = 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Initial {
    /// Trucks waiting on the road (entrance 0).
    pub road: u32,
    /// Trucks inside the port area, waiting for their first stage.
    pub parking: u32,
    /// How long the road and parking trucks have waited so far, in ticks.
    pub waited: Span,
    /// Trucks at stages.
    pub stages: Vec<InitialStage>,
    /// Trucks given one by one (`[[initial.trucks]]`), in the order they
    /// were written: each where it is, since when, with its age.
    pub trucks: Vec<InitialTruck>,
}

/// Where a truck of a per-truck starting state is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TruckState {
    /// Waiting for its first stage (on the road without `parking`), or,
    /// with stages `done`, for the next stage of its route after them.
    Waiting,
    /// Queued at a stage (index into `Scenario::stages`).
    Queued(usize),
    /// Being served at a stage (index into `Scenario::stages`): its
    /// service continues with the remaining time of one that has lasted
    /// `since`.
    InService(usize),
}

/// One truck of `[[initial.trucks]]`: an exact starting state.
#[derive(Clone, Debug, PartialEq)]
pub struct InitialTruck {
    /// Where it is.
    pub state: TruckState,
    /// Its class (index into `Scenario::classes`); `None`: drawn by the
    /// class shares.
    pub class: Option<usize>,
    /// How long ago it reached the port, in ticks.
    pub arrived: Span,
    /// How long ago it entered its present state, in ticks (at most
    /// `arrived`).
    pub since: Span,
    /// The stages it has already visited (indices).
    pub done: Vec<usize>,
}

/// Trucks at one stage at t = 0.
#[derive(Clone, Debug, PartialEq)]
pub struct InitialStage {
    /// Index into `Scenario::stages`.
    pub stage: usize,
    /// Waiting in its queue.
    pub queued: u32,
    /// Being served (each starts a full service time at t = 0).
    pub in_service: u32,
    /// How long they have been at the port so far, in ticks.
    pub waited: Span,
}

/// The port area: when the gate admits trucks and how many fit.
#[derive(Clone, Debug)]
pub struct Port {
    /// 1 while the gate admits trucks, 0 while it is closed (closures
    /// applied).
    pub open: Calendar,
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
    /// Trucks a slot starting at `t` holds: the file's capacity (a number
    /// or a table by hour and weekday) on its `hours` and `days`, and 0
    /// while the gate is closed (no slot is sold for a time the gate is
    /// closed, closures included).
    pub capacity: Calendar,
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
    /// A truck later than this after its slot's start loses the slot and
    /// is treated as a walk-in; `None`: slots are kept however late.
    pub late_grace: Option<Span>,
    /// A no-show may come later, unbooked.
    pub no_show_later: Option<NoShowLater>,
}

/// No-shows that come later as walk-ins instead of vanishing.
#[derive(Clone, Debug, PartialEq)]
pub struct NoShowLater {
    /// Probability that a no-show comes later, in [0, 1].
    pub probability: f64,
    /// How long after its slot's start it comes, in ticks.
    pub delay: Dist,
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
    /// Its lanes.
    pub lanes: Lanes,
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
    /// limit wait for the next day. `None` for no limit (always `None` for
    /// a stage on a shared pool or with unlimited lanes).
    pub daily_limit: Option<u32>,
    /// Whether a visit counts as a clearance step (`false` for a delay that
    /// is not a step, such as off-site document processing).
    pub step: bool,
}

impl Stage {
    /// Its own lane calendar, for a stage with its own lanes.
    pub fn own_lanes(&self) -> Option<&Calendar> {
        match &self.lanes {
            Lanes::Own(c) => Some(c),
            _ => None,
        }
    }
}

/// Rework: after service, a truck goes back to an earlier stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Rework {
    /// Probability per visit, in [0, 1).
    pub probability: f64,
    /// Index of the stage to return to (at most the current one).
    pub to: usize,
}
