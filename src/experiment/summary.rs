//! From replications to metrics: per-replication values, means with
//! confidence intervals, flow balances and stability verdicts (the
//! findings made of them are `findings`).
//!
//! Each metric is computed once per replication (a sample), then
//! summarised across replications with a Student-t interval. Keeping the
//! per-replication samples lets a comparison pair replication `i` of two
//! scenarios, which is what makes common random numbers pay off.
//!
//! * **Which trucks.** Throughput is the trucks that *left* the port in the
//!   measured window, per measured day. Time in port, waiting time, steps
//!   and cost are those of the same trucks (whenever they arrived). Counts
//!   are events inside the window; with the state at its two edges they
//!   form an exact flow balance (see [`Counts`]).
//! * **Percentiles.** Every duration percentile (p50, p90, p95, p99) is
//!   computed in each replication; the estimate and its interval are the
//!   mean and Student-t interval of those per-replication percentiles, so
//!   a p95 target can be judged like a mean.
//! * **Empty is empty.** A replication with nothing to measure gives NaN,
//!   left out of the estimate; with no samples at all the estimate is NaN
//!   and reports print `null` / "n/a", never 0.
//! * **Bounded.** Intervals of quantities that cannot be negative are cut
//!   at zero, utilisation at one.
//! * **Stopped replications** (the runaway guard) are left out of every
//!   metric and listed with their index.
//!
//! Aggregation runs sequentially in replication order, so results do not
//! depend on how many threads ran the replications.

use serde::Serialize;

use super::breakdown::{Breakdown, BreakdownColumns};
use super::digest::{DurationDigest, GroupDigest, Moments, RepDigest};
use super::estimate::Estimate;
use super::stability::{
    self, GateColumns, GateSummary, LostColumns, LostSummary, PoolColumns, PoolSummary,
    StageColumns, StageFlow,
};
use crate::engine::stats::DurationStats;
use crate::engine::time::{HOUR, SECOND};
use crate::model::{Counts, RepResult, Stopped};
use crate::scenario::Scenario;

/// Which way is better for a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// More is better (throughput).
    Higher,
    /// Less is better (time, cost, steps, turned away).
    Lower,
    /// Neither (demand).
    Neither,
}

/// The unit a metric is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Trucks per day.
    TrucksPerDay,
    /// Seconds.
    Seconds,
    /// Steps per truck.
    Steps,
    /// Currency per truck.
    Currency,
    /// A count of trucks.
    Trucks,
}

/// One metric: its samples and their summary.
#[derive(Clone, Debug)]
pub struct Metric {
    /// Key in reports (`throughput_per_day`, `time_in_port_s.p95`, …).
    pub name: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Direction of improvement.
    pub better: Better,
    /// One value per replication, in replication order (NaN where the
    /// replication had nothing to measure, e.g. no truck left).
    pub samples: Vec<f64>,
    /// Mean and 95% CI across replications (the interval cut at zero: no
    /// metric here can be negative).
    pub estimate: Estimate,
    /// Per-replication percentiles, for durations.
    pub percentiles: Option<Box<Percentiles>>,
}

/// The percentiles of a duration metric, each itself a metric over the
/// replications' own percentiles.
#[derive(Clone, Debug)]
pub struct Percentiles {
    /// Median.
    pub p50: Metric,
    /// 90th percentile.
    pub p90: Metric,
    /// 95th percentile.
    pub p95: Metric,
    /// 99th percentile.
    pub p99: Metric,
    /// The largest value seen in any replication, in seconds (NaN with none).
    pub max: f64,
}

impl Percentiles {
    /// The four percentiles in order, with their suffix (`p50`, …).
    pub fn each(&self) -> [(&'static str, &Metric); 4] {
        [
            ("p50", &self.p50),
            ("p90", &self.p90),
            ("p95", &self.p95),
            ("p99", &self.p99),
        ]
    }
}

/// The percentile metric names of each duration metric.
const PERCENTILE_NAMES: [(&str, [&str; 4]); 5] = [
    (
        "time_in_port_s",
        [
            "time_in_port_s.p50",
            "time_in_port_s.p90",
            "time_in_port_s.p95",
            "time_in_port_s.p99",
        ],
    ),
    (
        "wait_s",
        ["wait_s.p50", "wait_s.p90", "wait_s.p95", "wait_s.p99"],
    ),
    (
        "booking_lead_s",
        [
            "booking_lead_s.p50",
            "booking_lead_s.p90",
            "booking_lead_s.p95",
            "booking_lead_s.p99",
        ],
    ),
    (
        "offsite_wait_s",
        [
            "offsite_wait_s.p50",
            "offsite_wait_s.p90",
            "offsite_wait_s.p95",
            "offsite_wait_s.p99",
        ],
    ),
    (
        "door_to_exit_s",
        [
            "door_to_exit_s.p50",
            "door_to_exit_s.p90",
            "door_to_exit_s.p95",
            "door_to_exit_s.p99",
        ],
    ),
];

impl Metric {
    /// A metric from its per-replication samples.
    pub fn new(name: &'static str, unit: Unit, better: Better, samples: Vec<f64>) -> Self {
        let estimate = Estimate::from_samples(&samples).at_least(0.0);
        Metric {
            name,
            unit,
            better,
            samples,
            estimate,
            percentiles: None,
        }
    }

    /// Adds the percentiles gathered in `column`.
    fn with_percentiles(mut self, column: DurationColumn) -> Self {
        let names = PERCENTILE_NAMES
            .iter()
            .find(|(base, _)| *base == self.name)
            .map_or(["p50", "p90", "p95", "p99"], |(_, n)| *n);
        let [p50, p90, p95, p99] = column.percentiles;
        let m = |i: usize, v| Metric::new(names[i], self.unit, self.better, v);
        self.percentiles = Some(Box::new(Percentiles {
            p50: m(0, p50),
            p90: m(1, p90),
            p95: m(2, p95),
            p99: m(3, p99),
            max: column.max,
        }));
        self
    }

    /// This metric, or one of its percentiles, by full key.
    pub fn find(&self, key: &str) -> Option<&Metric> {
        if key == self.name {
            return Some(self);
        }
        let p = self.percentiles.as_deref()?;
        p.each().into_iter().map(|(_, m)| m).find(|m| m.name == key)
    }
}

/// Summary of one stage.
#[derive(Clone, Debug)]
pub struct StageSummary {
    /// Stage name.
    pub name: String,
    /// Visits completed per replication.
    pub visits: Estimate,
    /// Lane utilisation: busy lane-time on duty over on-duty lane-time.
    pub utilization: Estimate,
    /// Lane-hours per day worked past closing.
    pub overtime_per_day: Estimate,
    /// Wait before service.
    pub wait: Metric,
    /// Time-average queue length.
    pub queue_length: Estimate,
    /// Time-average trucks in service.
    pub in_service: Estimate,
    /// Demand, capacity, daily limit and stability.
    pub flow: StageFlow,
}

/// Summary of one class of trucks.
#[derive(Clone, Debug)]
pub struct ClassSummary {
    /// Class name.
    pub name: String,
    /// The class's headline metrics.
    pub metrics: Vec<Metric>,
    /// Where its trucks' time went.
    pub time_breakdown: Breakdown,
}

/// Hour-of-day profile, averaged per day.
#[derive(Clone, Debug)]
pub struct HourlySummary {
    /// Mean arrivals in each hour of the day.
    pub arrivals: Vec<Estimate>,
    /// Mean departures in each hour of the day.
    pub departures: Vec<Estimate>,
    /// Mean trucks waiting (road and stage queues) in each hour of the day.
    pub waiting: Vec<Estimate>,
}

/// The terms of the flow balance, as means over replications.
#[derive(Clone, Debug)]
pub struct FlowSummary {
    /// Per-replication counts, in replication order.
    pub counts: Vec<Counts>,
    /// Whether both balances held in every replication.
    pub balanced: bool,
}

impl FlowSummary {
    /// The mean of one term.
    pub fn mean(&self, term: impl Fn(&Counts) -> u64) -> f64 {
        let n = self.counts.len();
        if n == 0 {
            return f64::NAN;
        }
        self.counts.iter().map(|c| term(c) as f64).sum::<f64>() / n as f64
    }
}

/// Trucks still at the port when the window closed.
#[derive(Clone, Debug)]
pub struct UnfinishedSummary {
    /// How many.
    pub count: Estimate,
    /// Their mean age so far (time since reaching the port), seconds.
    pub mean_age_s: Estimate,
    /// The oldest, in seconds, over every replication.
    pub max_age_s: f64,
}

/// Everything a run reports.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Replications summarised (those that ran to their horizon).
    pub replications: usize,
    /// The replication indices summarised, in order.
    pub indices: Vec<u64>,
    /// Headline metrics over all trucks.
    pub metrics: Vec<Metric>,
    /// The flow balance.
    pub flow: FlowSummary,
    /// Trucks left at the port at the end.
    pub unfinished: UnfinishedSummary,
    /// Per stage, in scenario order.
    pub stages: Vec<StageSummary>,
    /// The gate and road queue (all entrances).
    pub gate: GateSummary,
    /// The trucks lost before their first service, by where and how.
    pub lost: LostSummary,
    /// Mean trucks on the road at each entrance (`[port]` first), when
    /// there is more than one.
    pub entrances: Vec<(String, Estimate)>,
    /// Per shared pool, in scenario order.
    pub pools: Vec<PoolSummary>,
    /// Mean trucks waiting in the e-queue, if there is one.
    pub equeue_len: Option<Estimate>,
    /// Per class, in scenario order.
    pub classes: Vec<ClassSummary>,
    /// Departures per day of the measured period.
    pub daily_departures: Vec<Estimate>,
    /// Hour-of-day profile.
    pub hourly: HourlySummary,
    /// Time in port of every truck that left, all replications pooled
    /// (ticks), for the distribution chart.
    pub time_in_port: DurationStats,
    /// Replications stopped by the runaway guard, with their index; they
    /// are in none of the figures above.
    pub stopped: Vec<(u64, Stopped)>,
    /// The parts of `cost_per_truck` over all trucks ([`COST_PARTS`]),
    /// each per truck that left; they add up to it.
    pub cost_parts: Vec<Metric>,
    /// Where the time of all trucks that left went: the on-site parts add
    /// up to `time_in_port_s`.
    pub time_breakdown: Breakdown,
}

/// The parts of the cost per truck, in report order.
pub const COST_PARTS: [&str; 4] = [
    "cost_fees_per_truck",
    "cost_time_per_truck",
    "cost_overnight_per_truck",
    "cost_fixed_per_truck",
];

impl Summary {
    /// The headline metric (or percentile, `time_in_port_s.p95`) called
    /// `name`.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find_map(|m| m.find(name))
    }

    /// The stage that limits the port: the highest load (demand over
    /// capacity), if any stage has demand.
    pub fn bottleneck(&self) -> Option<usize> {
        stability::tightest(&self.stages.iter().map(|st| &st.flow).collect::<Vec<_>>())
    }
}

/// Names of the headline metrics, in report order.
pub const HEADLINE: [&str; 17] = [
    "throughput_per_day",
    "time_in_port_s",
    "wait_s",
    "steps_per_truck",
    "cost_per_truck",
    "trucks_offered",
    "trucks_arrived",
    "trucks_cleared",
    "trucks_turned_away",
    "backlog",
    "booked_ahead",
    "no_shows",
    "booking_lead_s",
    "trucks_diverted",
    "trucks_reneged",
    "offsite_wait_s",
    "door_to_exit_s",
];

fn ratio(num: f64, den: u64) -> f64 {
    if den == 0 { f64::NAN } else { num / den as f64 }
}

/// Per-replication values of a duration: the mean, four percentiles (in
/// seconds, NaN for a replication with none) and the largest value.
#[derive(Clone, Debug)]
struct DurationColumn {
    mean: Vec<f64>,
    percentiles: [Vec<f64>; 4],
    max: f64,
}

impl Default for DurationColumn {
    fn default() -> Self {
        DurationColumn {
            mean: Vec::new(),
            percentiles: Default::default(),
            max: f64::NAN,
        }
    }
}

impl DurationColumn {
    fn push(&mut self, d: &DurationDigest) {
        let s = SECOND as f64;
        self.mean.push(ratio(d.sum as f64 / s, d.count));
        for (col, v) in self.percentiles.iter_mut().zip(d.percentiles) {
            col.push(if d.count == 0 { f64::NAN } else { v / s });
        }
        if d.count > 0 {
            self.max = self.max.max(d.max / s);
        }
    }

    fn metric(mut self, name: &'static str, better: Better) -> Metric {
        let mean = std::mem::take(&mut self.mean);
        Metric::new(name, Unit::Seconds, better, mean).with_percentiles(self)
    }
}

/// Per-replication values of one group of trucks (all, or a class).
#[derive(Clone, Debug, Default)]
struct GroupColumns {
    throughput: Vec<f64>,
    time_in_port: DurationColumn,
    wait: DurationColumn,
    offsite_wait: DurationColumn,
    door_to_exit: DurationColumn,
    steps: Vec<f64>,
    cost: Vec<f64>,
    /// The parts of `cost`, in [`COST_PARTS`] order.
    cost_parts: [Vec<f64>; 4],
    /// The parts of the time.
    time_parts: BreakdownColumns,
    counts: Vec<Counts>,
}

impl GroupColumns {
    fn push(&mut self, g: &GroupDigest, days: f64) {
        let c = &g.counts;
        self.throughput.push(if days > 0.0 {
            c.cleared as f64 / days
        } else {
            f64::NAN
        });
        self.time_in_port.push(&g.time_in_port);
        self.wait.push(&g.wait);
        self.offsite_wait.push(&g.offsite_wait);
        self.door_to_exit.push(&g.door_to_exit);
        self.steps.push(ratio(g.steps as f64, c.cleared));
        self.cost.push(ratio(g.cost, c.cleared));
        let p = &g.cost_parts;
        for (col, x) in self
            .cost_parts
            .iter_mut()
            .zip([p.fees, p.time, p.overnight, p.fixed])
        {
            col.push(ratio(x, c.cleared));
        }
        self.time_parts.push(&g.time_parts, g.time_in_port.count);
        self.counts.push(*c);
    }

    /// The headline metrics; `lead` adds the booking lead time (all trucks
    /// only).
    fn metrics(self, lead: Option<DurationColumn>) -> Vec<Metric> {
        use Better::*;
        use Unit::*;
        let count = |f: fn(&Counts) -> u64| -> Vec<f64> {
            self.counts.iter().map(|c| f(c) as f64).collect()
        };
        let mut metrics = vec![
            Metric::new("throughput_per_day", TrucksPerDay, Higher, self.throughput),
            self.time_in_port.metric("time_in_port_s", Lower),
            self.wait.metric("wait_s", Lower),
            Metric::new("steps_per_truck", Steps, Lower, self.steps),
            Metric::new("cost_per_truck", Currency, Lower, self.cost),
            Metric::new("trucks_offered", Trucks, Neither, count(|c| c.offered)),
            Metric::new("trucks_arrived", Trucks, Neither, count(|c| c.arrived)),
            Metric::new("trucks_cleared", Trucks, Higher, count(|c| c.cleared)),
            Metric::new(
                "trucks_turned_away",
                Trucks,
                Lower,
                count(|c| c.turned_away),
            ),
            Metric::new("backlog", Trucks, Lower, count(|c| c.in_port_end)),
            Metric::new("booked_ahead", Trucks, Neither, count(|c| c.booked_ahead)),
            Metric::new("no_shows", Trucks, Neither, count(|c| c.no_shows)),
        ];
        if let Some(lead) = lead {
            metrics.push(lead.metric("booking_lead_s", Lower));
        }
        metrics.extend([
            Metric::new("trucks_diverted", Trucks, Lower, count(|c| c.diverted)),
            Metric::new("trucks_reneged", Trucks, Lower, count(|c| c.reneged)),
            self.offsite_wait.metric("offsite_wait_s", Lower),
            self.door_to_exit.metric("door_to_exit_s", Lower),
        ]);
        metrics
    }
}

/// Per-replication values of one stage.
#[derive(Clone, Debug, Default)]
struct StageColumnsAll {
    visits: Vec<f64>,
    utilization: Vec<f64>,
    overtime_per_day: Vec<f64>,
    wait: DurationColumn,
    queue_length: Vec<f64>,
    in_service: Vec<f64>,
    flow: StageColumns,
}

/// Builds a [`Summary`] from replications handed over one at a time, in
/// index order. Each replication's values go straight into columns (one
/// number per metric per replication, which is what the summary keeps), the
/// per-day and per-hour series are folded into running moments, and the
/// pooled time-in-port histogram is merged: nothing else of a replication
/// is kept once it has been added.
pub struct Accumulator<'a> {
    scenario: &'a Scenario,
    /// Expected visits per truck, `[class][stage]`.
    per_truck: Vec<Vec<f64>>,
    indices: Vec<u64>,
    stopped: Vec<(u64, Stopped)>,
    all: GroupColumns,
    lead: DurationColumn,
    classes: Vec<GroupColumns>,
    stages: Vec<StageColumnsAll>,
    pools: Vec<PoolColumns>,
    gate: GateColumns,
    lost: LostColumns,
    /// Whether trucks lost in the e-queue count against the tightest stage.
    offsite_counts: bool,
    entrances: Vec<Vec<f64>>,
    equeue_len: Vec<f64>,
    unfinished: (Vec<f64>, Vec<f64>, f64),
    balanced: bool,
    daily: Vec<Moments>,
    /// Arrivals, departures (per day) and mean waiting, per hour of day.
    hourly: [[Moments; 24]; 3],
    time_in_port: DurationStats,
}

impl<'a> Accumulator<'a> {
    /// An empty summary of `scenario`.
    pub fn new(scenario: &'a Scenario) -> Self {
        Accumulator {
            scenario,
            per_truck: crate::scenario::visits_per_truck_by_class(scenario),
            indices: Vec::new(),
            stopped: Vec::new(),
            all: GroupColumns::default(),
            lead: DurationColumn::default(),
            classes: vec![GroupColumns::default(); scenario.classes.len()],
            stages: vec![StageColumnsAll::default(); scenario.stages.len()],
            pools: vec![PoolColumns::default(); scenario.pools.len()],
            gate: GateColumns::default(),
            lost: LostColumns::default(),
            offsite_counts: stability::offsite_counts(scenario),
            entrances: vec![Vec::new(); 1 + scenario.entrances.len()],
            equeue_len: Vec::new(),
            unfinished: (Vec::new(), Vec::new(), f64::NAN),
            balanced: true,
            daily: Vec::new(),
            hourly: [[Moments::default(); 24]; 3],
            time_in_port: DurationStats::new(SECOND),
        }
    }

    /// Adds replication `index` (after every lower index that ran).
    /// Replications stopped by the runaway guard are listed, not counted.
    pub fn add(&mut self, index: u64, r: &RepResult) {
        self.add_digest(index, RepDigest::of(r));
    }

    /// Adds replication `index` whose digest was made already (on the
    /// thread that ran it, or on another machine).
    pub fn add_digest(&mut self, index: u64, d: RepDigest) {
        if let Some(stopped) = d.stopped {
            self.stopped.push((index, stopped));
            return;
        }
        self.indices.push(index);
        self.all.push(&d.all, d.days);
        self.lead.push(&d.booking_lead);
        for (cols, g) in self.classes.iter_mut().zip(&d.classes) {
            cols.push(g, d.days);
        }
        self.balanced &= std::iter::once(&d.all).chain(&d.classes).all(|g| {
            let c = &g.counts;
            c.system_balanced() && c.port_balanced() && c.equeue_balanced()
        });
        for (s, (cols, st)) in self.stages.iter_mut().zip(&d.stages).enumerate() {
            cols.visits.push(st.visits as f64);
            cols.utilization.push(st.utilization);
            cols.overtime_per_day.push(if d.days > 0.0 {
                st.overtime / HOUR as f64 / d.days
            } else {
                f64::NAN
            });
            cols.wait.push(&st.wait);
            cols.queue_length.push(st.mean_queue_len);
            cols.in_service.push(st.mean_in_service);
            // The visits of the trucks that stayed and of every truck that
            // came, class by class (their routes and losses differ).
            let (mut stayed, mut came) = (0.0, 0.0);
            for (g, visits) in d.classes.iter().zip(&self.per_truck) {
                let c = &g.counts;
                let offsite = if self.offsite_counts {
                    c.lost_offsite()
                } else {
                    0
                };
                stayed += c.stayed() as f64 * visits[s];
                came += (c.stayed() + (c.lost_at_port() + offsite) as i64) as f64 * visits[s];
            }
            cols.flow.push(st, stayed, came, d.days);
        }
        self.gate.push(&d);
        self.lost.push(&d.all.counts, d.days);
        for (cols, p) in self.pools.iter_mut().zip(&d.pools) {
            cols.utilization.push(p.utilization);
            cols.queue_length.push(p.mean_queue_len);
        }
        for (cols, g) in self.entrances.iter_mut().zip(&d.entrances) {
            cols.push(g.mean_road_queue);
        }
        if let Some(len) = d.equeue_len {
            self.equeue_len.push(len);
        }
        let u = &d.unfinished;
        self.unfinished.0.push(u.count as f64);
        self.unfinished.1.push(if u.count == 0 {
            f64::NAN
        } else {
            u.age_sum as f64 / u.count as f64 / SECOND as f64
        });
        if u.count > 0 {
            self.unfinished.2 = self.unfinished.2.max(u.age_max as f64 / SECOND as f64);
        }
        if self.daily.len() < d.daily_departures.len() {
            self.daily
                .resize(d.daily_departures.len(), Moments::default());
        }
        for (m, &x) in self.daily.iter_mut().zip(&d.daily_departures) {
            m.add(x as f64);
        }
        let h = &d.hourly;
        for hour in 0..24 {
            let days = h.ticks[hour] as f64 / HOUR as f64;
            let per_day = |x: f64| if days > 0.0 { x / days } else { f64::NAN };
            self.hourly[0][hour].add(per_day(h.arrivals[hour] as f64));
            self.hourly[1][hour].add(per_day(h.departures[hour] as f64));
            let t = h.ticks[hour];
            self.hourly[2][hour].add(if t > 0 {
                h.waiting_area[hour] / t as f64
            } else {
                f64::NAN
            });
        }
        self.time_in_port.merge(&d.time_in_port);
    }

    /// The summary of everything added.
    pub fn finish(mut self) -> Summary {
        let scenario = self.scenario;
        let est = |v: &[f64]| Estimate::from_samples(v).at_least(0.0);
        let mut flows: Vec<StageFlow> = scenario
            .stages
            .iter()
            .zip(&self.stages)
            .map(|(spec, c)| stability::stage_flow(spec, &c.flow))
            .collect();
        let flow_columns: Vec<StageColumns> = self.stages.iter().map(|c| c.flow.clone()).collect();
        let pool_names: Vec<String> = scenario.pools.iter().map(|p| p.name.clone()).collect();
        let mut pools = stability::pools(&pool_names, &self.pools, &flow_columns, &mut flows);
        stability::count_lost(&mut flows, &mut pools);
        let stages = scenario
            .stages
            .iter()
            .zip(self.stages)
            .zip(flows)
            .map(|((spec, c), flow)| StageSummary {
                name: spec.name.clone(),
                visits: est(&c.visits),
                utilization: Estimate::from_samples(&c.utilization).within(0.0, 1.0),
                overtime_per_day: est(&c.overtime_per_day),
                queue_length: est(&c.queue_length),
                in_service: est(&c.in_service),
                flow,
                wait: c.wait.metric("wait_s", Better::Lower),
            })
            .collect();
        let entrances = if scenario.entrances.is_empty() {
            Vec::new()
        } else {
            std::iter::once("port".to_owned())
                .chain(scenario.entrances.iter().map(|e| e.name.clone()))
                .zip(&self.entrances)
                .map(|(name, v)| (name, est(v)))
                .collect()
        };
        let classes = scenario
            .classes
            .iter()
            .zip(self.classes)
            .map(|(class, mut cols)| ClassSummary {
                name: class.name.clone(),
                time_breakdown: std::mem::take(&mut cols.time_parts).finish(scenario),
                metrics: cols.metrics(None),
            })
            .collect();
        let series = |m: &Moments| {
            let (n, mean, var) = m.get();
            Estimate::from_moments(n, mean, var).at_least(0.0)
        };
        let hourly = HourlySummary {
            arrivals: self.hourly[0].iter().map(series).collect(),
            departures: self.hourly[1].iter().map(series).collect(),
            waiting: self.hourly[2].iter().map(series).collect(),
        };
        let counts = self.all.counts.clone();
        let cost_parts = COST_PARTS
            .iter()
            .zip(std::mem::take(&mut self.all.cost_parts))
            .map(|(name, v)| Metric::new(name, Unit::Currency, Better::Lower, v))
            .collect();
        let time_breakdown = std::mem::take(&mut self.all.time_parts).finish(scenario);
        Summary {
            replications: self.indices.len(),
            indices: self.indices,
            metrics: self.all.metrics(Some(self.lead)),
            flow: FlowSummary {
                counts,
                balanced: self.balanced,
            },
            unfinished: UnfinishedSummary {
                count: est(&self.unfinished.0),
                mean_age_s: est(&self.unfinished.1),
                max_age_s: self.unfinished.2,
            },
            gate: stability::gate(&self.gate),
            lost: self.lost.finish(self.offsite_counts),
            entrances,
            pools,
            equeue_len: scenario.equeue.as_ref().map(|_| est(&self.equeue_len)),
            stages,
            classes,
            daily_departures: self.daily.iter().map(series).collect(),
            hourly,
            time_in_port: self.time_in_port,
            stopped: self.stopped,
            cost_parts,
            time_breakdown,
        }
    }
}

/// Summarises the replications of `scenario` (`(index, result)`, in
/// replication order). Replications stopped by the runaway guard are listed
/// and left out of every figure.
pub fn summarize(scenario: &Scenario, reps: &[(u64, &RepResult)]) -> Summary {
    let mut acc = Accumulator::new(scenario);
    for (i, r) in reps {
        acc.add(*i, r);
    }
    acc.finish()
}
