//! What one replication of the port measured.
//!
//! Raw sums and histograms, not yet divided into per-truck figures: the
//! experiment layer turns them into metrics and confidence intervals.
//!
//! Everything refers to the measured window `[warm-up, end)`. Counts are of
//! events inside it (a truck that arrives in the warm-up and leaves in the
//! window is counted as cleared); durations and costs are those of the
//! trucks that left in it. Together with the state at both edges of the
//! window the counts form an exact flow balance, see [`Counts`].

use crate::engine::stats::DurationStats;
use crate::engine::time::{Span, Time};

/// Truck counts over the measured window, and the state at its two edges.
///
/// The *system* is the road queue, the port area, the booked trucks that
/// have not reached the port yet, and the trucks waiting off-site in an
/// e-queue (or travelling from it). In every replication, exactly:
///
/// ```text
/// in_port_start + booked_start + equeue_start + offered
///     = cleared + turned_away + diverted + reneged + no_shows
///       + in_port_end + booked_ahead + equeue_end
/// ```
///
/// and, for the port alone (booked and e-queued trucks join it when they
/// reach it; a truck that diverts at the sight of a queue, at the road as
/// at the e-queue, never arrives):
///
/// ```text
/// in_port_start + arrived = cleared + (turned_away − turned_away_no_slot)
///     + (reneged − reneged_offsite) + in_port_end
/// ```
///
/// The trucks the stages are asked to serve are those that arrived and
/// did not leave before their first service ([`Counts::stayed`]); the
/// others left at the port ([`Counts::lost_at_port`]) or in the e-queue
/// ([`Counts::lost_offsite`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Trucks the arrival process produced in the window: walk-ins and
    /// trucks asking for a slot (demand).
    pub offered: u64,
    /// Trucks that reached the port in the window and asked to enter it:
    /// walk-ins, booked trucks at their slot, trucks called from the
    /// e-queue. A truck that diverts at the sight of the road queue goes
    /// elsewhere without arriving; one turned away because the road queue
    /// is full arrived and was refused.
    pub arrived: u64,
    /// Trucks that left the port cleared in the window.
    pub cleared: u64,
    /// Trucks turned away in the window: the road queue was full, or no
    /// slot was free and booking is mandatory.
    pub turned_away: u64,
    /// Of those, trucks that found no slot within the booking lead limit.
    pub turned_away_no_slot: u64,
    /// Booked trucks whose slot fell in the window and that did not come.
    pub no_shows: u64,
    /// Trucks that reached the port with a booking.
    pub booked: u64,
    /// Slots booked in the window.
    pub bookings: u64,
    /// Trucks that wanted a slot and found none within the lead limit, and
    /// came without one.
    pub unbooked_walk_ins: u64,
    /// Trucks that would not join the queue they found (their tolerance)
    /// and went elsewhere: at the road (they never arrived) or at the
    /// e-queue (they never registered).
    pub diverted: u64,
    /// Of those, trucks that diverted at the e-queue.
    pub diverted_offsite: u64,
    /// Trucks that gave up waiting (their patience) and left.
    pub reneged: u64,
    /// Of those, trucks that left the e-queue.
    pub reneged_offsite: u64,
    /// Trucks that registered in the e-queue.
    pub registered: u64,
    /// Trucks called forward from the e-queue that reached the port.
    pub called: u64,
    /// Booked trucks that came later than the grace and lost their slot.
    pub lost_slot: u64,
    /// No-shows that came later, unbooked.
    pub late_walk_ins: u64,
    /// Trucks at the port (road or inside) when the window opened.
    pub in_port_start: u64,
    /// Booked trucks not yet at the port when the window opened.
    pub booked_start: u64,
    /// Trucks at the port (road or inside) when the window closed: the
    /// backlog.
    pub in_port_end: u64,
    /// Booked trucks not yet at the port when the window closed (their slot
    /// lies beyond it).
    pub booked_ahead: u64,
    /// Trucks in the e-queue (or on their way from it) when the window
    /// opened.
    pub equeue_start: u64,
    /// The same when it closed.
    pub equeue_end: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.offered += o.offered;
        self.arrived += o.arrived;
        self.cleared += o.cleared;
        self.turned_away += o.turned_away;
        self.turned_away_no_slot += o.turned_away_no_slot;
        self.no_shows += o.no_shows;
        self.booked += o.booked;
        self.bookings += o.bookings;
        self.unbooked_walk_ins += o.unbooked_walk_ins;
        self.diverted += o.diverted;
        self.diverted_offsite += o.diverted_offsite;
        self.reneged += o.reneged;
        self.reneged_offsite += o.reneged_offsite;
        self.registered += o.registered;
        self.called += o.called;
        self.lost_slot += o.lost_slot;
        self.late_walk_ins += o.late_walk_ins;
        self.equeue_start += o.equeue_start;
        self.equeue_end += o.equeue_end;
        self.in_port_start += o.in_port_start;
        self.booked_start += o.booked_start;
        self.in_port_end += o.in_port_end;
        self.booked_ahead += o.booked_ahead;
    }
}

impl Counts {
    /// Whether the system flow balance holds (it always should).
    pub fn system_balanced(&self) -> bool {
        self.in_port_start + self.booked_start + self.equeue_start + self.offered
            == self.cleared
                + self.turned_away
                + self.diverted
                + self.reneged
                + self.no_shows
                + self.in_port_end
                + self.booked_ahead
                + self.equeue_end
    }

    /// Whether the port flow balance holds (it always should).
    pub fn port_balanced(&self) -> bool {
        self.in_port_start + self.arrived
            == self.cleared
                + (self.turned_away - self.turned_away_no_slot)
                + (self.reneged - self.reneged_offsite)
                + self.in_port_end
    }

    /// The trucks the stages were asked to serve: those that arrived in
    /// the window and did not leave before their first service (turned
    /// away because the road queue was full, or reneged on the road). By
    /// the port's balance this is also `cleared + in_port_end −
    /// in_port_start`, which is negative only when trucks there at the
    /// start left unserved.
    pub fn stayed(&self) -> i64 {
        let left =
            (self.turned_away - self.turned_away_no_slot) + (self.reneged - self.reneged_offsite);
        self.arrived as i64 - left as i64
    }

    /// The trucks that reached the port and left before their first
    /// service: diverted at the sight of the road queue, turned away
    /// because it was full, or reneged on the road. (A truck refused a
    /// slot, or booked and not coming, never came.)
    pub fn lost_at_port(&self) -> u64 {
        (self.diverted - self.diverted_offsite)
            + (self.turned_away - self.turned_away_no_slot)
            + (self.reneged - self.reneged_offsite)
    }

    /// The trucks that left the e-queue before being called: diverted at
    /// the sight of it, or reneged in it.
    pub fn lost_offsite(&self) -> u64 {
        self.diverted_offsite + self.reneged_offsite
    }

    /// Whether the e-queue's flow balance holds (it always should). A truck
    /// that diverts at the sight of the e-queue never registers.
    pub fn equeue_balanced(&self) -> bool {
        self.equeue_start + self.registered == self.called + self.reneged_offsite + self.equeue_end
    }
}

/// Trucks still at the port when the window closed, and how long they had
/// been there: time in port counts only trucks that left, so these are the
/// stays it leaves out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unfinished {
    /// How many.
    pub count: u64,
    /// Sum of their ages (time since they reached the port), in ticks.
    pub age_sum: u128,
    /// The oldest age, in ticks.
    pub age_max: Span,
}

/// Per-truck sums over the trucks of a group (all, or one class) that left
/// in the window, plus the group's counts.
#[derive(Clone, Debug)]
pub struct ClassResult {
    /// Counts for the group.
    pub counts: Counts,
    /// Time from arrival at the port to leaving it, in ticks.
    pub time_in_port: DurationStats,
    /// Time in port not spent in service, in ticks.
    pub wait: DurationStats,
    /// For trucks that went through an e-queue: registration to arrival at
    /// the port (waiting off-site and travelling), in ticks.
    pub offsite_wait: DurationStats,
    /// Registration (or arrival at the port, without an e-queue) to exit,
    /// in ticks.
    pub door_to_exit: DurationStats,
    /// Total clearance steps (stage visits) of the trucks that left.
    pub steps: u64,
    /// Total cost of the trucks that left.
    pub cost: f64,
    /// The parts of `cost`, summed over the same trucks: stage fees, the
    /// hourly cost of their time in port, the overnight cost of the
    /// midnights they spent there, and the fixed cost per truck.
    pub cost_parts: CostParts,
    /// Where the same trucks' time went, part by part.
    pub time_parts: TimeParts,
}

/// Where the time of a group's trucks that left went, summed over them, in
/// ticks. Each truck's parts are measured as it goes and added when it
/// leaves, so they are those of exactly the trucks whose time in port is
/// measured. On site, `road + Σ stage_wait + Σ stage_service +
/// before_start` is their summed time in port, exactly; with `equeue +
/// travel` it is their summed door-to-exit time. The booking lead is not
/// time spent at the port or on the way, and is kept apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeParts {
    /// Reaching the port to joining the first stage's queue: the road
    /// queue and the gate (closed hours, a full parking).
    pub road: u128,
    /// Per stage: waiting in its queue, every visit (rework included).
    pub stage_wait: Vec<u128>,
    /// Per stage: in service, every visit.
    pub stage_service: Vec<u128>,
    /// Time spent at the port before the run began (a warm start's
    /// `waited`).
    pub before_start: u128,
    /// Off-site: registration in the e-queue to being called forward.
    pub equeue: u128,
    /// Off-site: being called forward to reaching the port.
    pub travel: u128,
    /// Booking to slot, of the trucks that left having booked one.
    pub lead: u128,
    /// How many of the trucks that left had booked a slot.
    pub booked: u64,
}

impl TimeParts {
    /// Zero parts for `stages` stages.
    pub fn new(stages: usize) -> Self {
        TimeParts {
            stage_wait: vec![0; stages],
            stage_service: vec![0; stages],
            ..TimeParts::default()
        }
    }

    /// Adds `o`'s sums to these.
    pub fn add(&mut self, o: &TimeParts) {
        self.road += o.road;
        for (a, b) in self.stage_wait.iter_mut().zip(&o.stage_wait) {
            *a += b;
        }
        for (a, b) in self.stage_service.iter_mut().zip(&o.stage_service) {
            *a += b;
        }
        self.before_start += o.before_start;
        self.equeue += o.equeue;
        self.travel += o.travel;
        self.lead += o.lead;
        self.booked += o.booked;
    }

    /// The on-site sum: the trucks' summed time in port.
    pub fn on_site(&self) -> u128 {
        self.road
            + self.stage_wait.iter().sum::<u128>()
            + self.stage_service.iter().sum::<u128>()
            + self.before_start
    }
}

/// The parts of a cost sum (they add up to it).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostParts {
    /// Fees of the stages visited.
    pub fees: f64,
    /// `per_hour` × hours in port.
    pub time: f64,
    /// `overnight` × midnights in port.
    pub overnight: f64,
    /// `per_truck`, once per truck.
    pub fixed: f64,
}

impl ClassResult {
    pub(crate) fn new(stages: usize) -> Self {
        ClassResult {
            counts: Counts::default(),
            time_in_port: DurationStats::new(crate::engine::time::SECOND),
            wait: DurationStats::new(crate::engine::time::SECOND),
            offsite_wait: DurationStats::new(crate::engine::time::SECOND),
            door_to_exit: DurationStats::new(crate::engine::time::SECOND),
            steps: 0,
            cost: 0.0,
            cost_parts: CostParts::default(),
            time_parts: TimeParts::new(stages),
        }
    }
}

/// What one stage measured over the window.
#[derive(Clone, Debug)]
pub struct StageResult {
    /// Visits completed (clearance steps served).
    pub visits: u64,
    /// Trucks that joined its queue.
    pub joins: u64,
    /// Busy lane-time while on duty over on-duty lane-time (at most 1).
    pub utilization: f64,
    /// On-duty lane-time, in lane-ticks.
    pub on_duty: f64,
    /// Busy lane-time past the end of duty (work carried past closing), in
    /// lane-ticks.
    pub overtime: f64,
    /// The most visits its lanes could serve in the window at the mean
    /// service time (and within its daily limit, if any).
    pub capacity: f64,
    /// Whether the daily limit, not the lanes, bounds that capacity.
    pub limit_bound: bool,
    /// The shared pool it draws on, if any (its capacity is then the
    /// pool's, as if it had the pool alone).
    pub pool: Option<usize>,
    /// Time-average number of trucks waiting.
    pub mean_queue_len: f64,
    /// Time-average number of trucks in service.
    pub mean_in_service: f64,
    /// Time from joining the queue to starting service, in ticks.
    pub wait: DurationStats,
    /// Trucks at the stage (waiting or served) when the window opened.
    pub present_start: u64,
    /// Trucks at the stage (waiting or served) when the window closed.
    pub present_end: u64,
    /// Days on which the daily limit was reached.
    pub limit_days: u64,
    /// Trucks waiting when the daily limit was reached (held over to the
    /// next day), summed over those days.
    pub held_over: u64,
}

/// What a shared lane pool measured over the window.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolResult {
    /// Busy lane-time while on duty over on-duty lane-time.
    pub utilization: f64,
    /// On-duty lane-time, in lane-ticks.
    pub on_duty: f64,
    /// Busy lane-time past the end of duty, in lane-ticks.
    pub overtime: f64,
    /// Time-average trucks waiting.
    pub mean_queue_len: f64,
}

/// What the e-queue measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct EQueueResult {
    /// Time-average trucks waiting off-site.
    pub mean_len: f64,
}

/// The gate and the road queue outside it.
#[derive(Clone, Copy, Debug, Default)]
pub struct GateResult {
    /// Trucks on the road when the window opened.
    pub road_start: u64,
    /// Trucks on the road when the window closed.
    pub road_end: u64,
    /// Time-average number of trucks on the road.
    pub mean_road_queue: f64,
}

/// Hour-of-day profile over the measured period, summed over its days.
#[derive(Clone, Debug, Default)]
pub struct HourlyProfile {
    /// Arrivals at the port per hour of day.
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

/// Why a replication was stopped before its horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct Stopped {
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
    /// Per shared pool, in scenario order.
    pub pools: Vec<PoolResult>,
    /// The gates and road queues of every entrance, summed.
    pub gate: GateResult,
    /// Per entrance (`[port]` first).
    pub entrances: Vec<GateResult>,
    /// The e-queue, if there is one.
    pub equeue: Option<EQueueResult>,
    /// Trucks still at the port at the end.
    pub unfinished: Unfinished,
    /// Booking lead times (wish to slot) of the slots booked in the window.
    pub booking_lead: DurationStats,
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
    /// Set when the replication was stopped before its horizon (the
    /// runaway guard); such a replication is left out of every metric.
    pub stopped: Option<Stopped>,
}
