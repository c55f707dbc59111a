//! A replication reduced to the few numbers its summary needs.
//!
//! A replication's raw result carries HDR histograms for every class and
//! stage (tens of kilobytes each). The summary needs only their counts,
//! sums and four percentiles, so each replication is digested as soon as it
//! finishes, on the thread that ran it, and the histograms are dropped
//! there. Memory per replication is then a few hundred bytes, whatever the
//! horizon, and a hundred thousand replications fit in a few tens of
//! megabytes. The per-day and per-hour series do not even keep that: they
//! are folded into running moments as replications arrive, in index order
//! (see [`Accumulator`](super::summary::Accumulator)). The one histogram
//! a digest keeps is the time in port of all trucks, for the pooled
//! distribution of the HTML report.
//!
//! A digest is everything the summary reads of a replication, so a
//! replication run elsewhere (a shard of a cluster job, see `shard`) and
//! handed over as its digest gives the same summary, bit for bit.

use crate::engine::stats::DurationStats;
use crate::model::{
    ClassResult, Counts, GateResult, HourlyProfile, PoolResult, RepResult, StageResult, Stopped,
    Unfinished,
};

/// Count, sum, four percentiles and the maximum of a set of durations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DurationDigest {
    /// Durations recorded.
    pub count: u64,
    /// Their sum, in ticks.
    pub sum: u128,
    /// p50, p90, p95 and p99 in ticks (0 when empty).
    pub percentiles: [f64; 4],
    /// The largest, in ticks.
    pub max: f64,
}

impl DurationDigest {
    /// The digest of `d`.
    pub fn of(d: &DurationStats) -> Self {
        let p = d.percentiles();
        DurationDigest {
            count: d.count(),
            sum: d.sum(),
            percentiles: [p.p50, p.p90, p.p95, p.p99],
            max: p.max,
        }
    }
}

/// One group of trucks (all, or a class).
#[derive(Clone, Debug)]
pub struct GroupDigest {
    /// Its counts and flow-balance terms.
    pub counts: Counts,
    /// Time in port of the trucks that left.
    pub time_in_port: DurationDigest,
    /// Waiting time of the trucks that left.
    pub wait: DurationDigest,
    /// Off-site wait (e-queue) of the trucks that left.
    pub offsite_wait: DurationDigest,
    /// Door to exit of the trucks that left.
    pub door_to_exit: DurationDigest,
    /// Total steps of the trucks that left.
    pub steps: u64,
    /// Total cost of the trucks that left.
    pub cost: f64,
    /// Its parts (fees, time, nights, fixed).
    pub cost_parts: crate::model::CostParts,
    /// Where the trucks' time went (summed ticks).
    pub time_parts: crate::model::TimeParts,
}

impl GroupDigest {
    fn of(g: &ClassResult) -> Self {
        GroupDigest {
            counts: g.counts,
            time_in_port: DurationDigest::of(&g.time_in_port),
            wait: DurationDigest::of(&g.wait),
            offsite_wait: DurationDigest::of(&g.offsite_wait),
            door_to_exit: DurationDigest::of(&g.door_to_exit),
            steps: g.steps,
            cost: g.cost,
            cost_parts: g.cost_parts,
            time_parts: g.time_parts.clone(),
        }
    }
}

/// One stage.
#[derive(Clone, Debug)]
pub struct StageDigest {
    /// The stage's scalars, as the model measured them.
    pub visits: u64,
    /// Busy on-duty lane-time over on-duty lane-time.
    pub utilization: f64,
    /// Lane-ticks worked past the end of duty.
    pub overtime: f64,
    /// Visits the lanes (and limit) could serve in the window.
    pub capacity: f64,
    /// Whether the daily limit bounds that capacity.
    pub limit_bound: bool,
    /// Time-average trucks waiting.
    pub mean_queue_len: f64,
    /// Time-average trucks in service.
    pub mean_in_service: f64,
    /// Waits before service.
    pub wait: DurationDigest,
    /// Trucks at the stage at the start and end of the window.
    pub present: (u64, u64),
    /// Days the daily limit was reached.
    pub limit_days: u64,
    /// Trucks held over by the limit.
    pub held_over: u64,
    /// The shared pool it draws on.
    pub pool: Option<usize>,
}

impl StageDigest {
    fn of(s: &StageResult) -> Self {
        StageDigest {
            visits: s.visits,
            utilization: s.utilization,
            overtime: s.overtime,
            capacity: s.capacity,
            limit_bound: s.limit_bound,
            mean_queue_len: s.mean_queue_len,
            mean_in_service: s.mean_in_service,
            wait: DurationDigest::of(&s.wait),
            present: (s.present_start, s.present_end),
            limit_days: s.limit_days,
            held_over: s.held_over,
            pool: s.pool,
        }
    }
}

/// A replication's digest.
#[derive(Clone, Debug)]
pub struct RepDigest {
    /// All trucks.
    pub all: GroupDigest,
    /// Per class.
    pub classes: Vec<GroupDigest>,
    /// Per stage.
    pub stages: Vec<StageDigest>,
    /// The gate and road queue (all entrances).
    pub gate: GateResult,
    /// Per entrance.
    pub entrances: Vec<GateResult>,
    /// Per shared pool.
    pub pools: Vec<PoolResult>,
    /// Mean trucks in the e-queue, if there is one.
    pub equeue_len: Option<f64>,
    /// Trucks left at the port.
    pub unfinished: Unfinished,
    /// Booking lead times.
    pub booking_lead: DurationDigest,
    /// Measured days.
    pub days: f64,
    /// Set when the runaway guard stopped it.
    pub stopped: Option<Stopped>,
    /// Departures on each measured day.
    pub daily_departures: Vec<u64>,
    /// The hour-of-day profile.
    pub hourly: HourlyProfile,
    /// Time in port of every truck that left, for the pooled distribution
    /// (the one histogram a digest keeps; it is merged into the summary's
    /// and dropped).
    pub time_in_port: DurationStats,
}

impl RepDigest {
    /// The digest of `r`.
    pub fn of(r: &RepResult) -> Self {
        RepDigest {
            all: GroupDigest::of(&r.all),
            classes: r.classes.iter().map(GroupDigest::of).collect(),
            stages: r.stages.iter().map(StageDigest::of).collect(),
            gate: r.gate,
            entrances: r.entrances.clone(),
            pools: r.pools.clone(),
            equeue_len: r.equeue.map(|q| q.mean_len),
            unfinished: r.unfinished,
            booking_lead: DurationDigest::of(&r.booking_lead),
            days: r.days,
            stopped: r.stopped.clone(),
            daily_departures: r.daily_departures.clone(),
            hourly: r.hourly.clone(),
            time_in_port: r.all.time_in_port.clone(),
        }
    }
}

/// Running mean and variance (Welford), folded in a fixed order so the
/// result is the same on any thread count.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moments {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds `x`; non-finite values are left out.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// `(n, mean, sample variance)`.
    pub fn get(&self) -> (usize, f64, f64) {
        let var = if self.n > 1 {
            self.m2 / (self.n - 1) as f64
        } else {
            0.0
        };
        (self.n, self.mean, var)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_the_two_pass_formulas() {
        let xs = [3.0, 7.0, 7.0, 19.0, f64::NAN, 24.0];
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.add(x));
        let (n, mean, var) = m.get();
        assert_eq!(n, 5);
        assert!((mean - 12.0).abs() < 1e-12);
        // Σ(x − 12)² = 81 + 25 + 25 + 49 + 144 = 324, over 4.
        assert!((var - 81.0).abs() < 1e-12, "{var}");
    }

    #[test]
    fn a_digest_keeps_counts_sums_and_percentiles() {
        let mut d = DurationStats::new(1);
        for v in 1..=100u64 {
            d.record(v * 1000);
        }
        let g = DurationDigest::of(&d);
        assert_eq!((g.count, g.sum, g.max), (100, 5_050_000, 100_000.0));
        assert!(
            (g.percentiles[2] - 95_000.0).abs() <= 100.0,
            "{:?}",
            g.percentiles
        );
    }
}
