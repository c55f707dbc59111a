//! From replications to metrics: per-replication values, means with
//! confidence intervals, flow balances and stability findings.
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

use super::estimate::Estimate;
use super::stability::{self, GateSummary, StageFlow};
use crate::engine::stats::DurationStats;
use crate::engine::time::{HOUR, SECOND};
use crate::model::{ClassResult, Counts, RepResult, Stopped};
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
const PERCENTILE_NAMES: [(&str, [&str; 4]); 3] = [
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

    /// Adds per-replication percentiles of `stats` (one per replication).
    fn with_percentiles<'a>(mut self, stats: impl Iterator<Item = &'a DurationStats>) -> Self {
        let names = PERCENTILE_NAMES
            .iter()
            .find(|(base, _)| *base == self.name)
            .map_or(["p50", "p90", "p95", "p99"], |(_, n)| *n);
        let (mut cols, mut max): ([Vec<f64>; 4], f64) = (Default::default(), f64::NAN);
        for s in stats {
            if s.count() == 0 {
                cols.iter_mut().for_each(|c| c.push(f64::NAN));
                continue;
            }
            let p = s.percentiles();
            for (col, v) in cols.iter_mut().zip([p.p50, p.p90, p.p95, p.p99]) {
                col.push(v / SECOND as f64);
            }
            max = max.max(p.max / SECOND as f64);
        }
        let [p50, p90, p95, p99] = cols;
        let m = |i: usize, v| Metric::new(names[i], self.unit, self.better, v);
        self.percentiles = Some(Box::new(Percentiles {
            p50: m(0, p50),
            p90: m(1, p90),
            p95: m(2, p95),
            p99: m(3, p99),
            max,
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
    /// The gate and road queue.
    pub gate: GateSummary,
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
}

impl Summary {
    /// The headline metric (or percentile, `time_in_port_s.p95`) called
    /// `name`.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find_map(|m| m.find(name))
    }

    /// The stage that limits the port: the highest load (demand over
    /// capacity), if any stage has demand.
    pub fn bottleneck(&self) -> Option<usize> {
        self.stages
            .iter()
            .enumerate()
            .filter(|(_, st)| st.flow.load.mean.is_finite())
            .max_by(|a, b| a.1.flow.load.mean.total_cmp(&b.1.flow.load.mean))
            .map(|(i, _)| i)
    }

    /// Plain-language findings: every stage and the gate that cannot keep
    /// up, and unfinished trucks that bias the time in port.
    pub fn findings(&self) -> Vec<String> {
        stability::findings(self)
    }
}

/// Names of the headline metrics, in report order.
pub const HEADLINE: [&str; 13] = [
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
];

fn ratio(num: f64, den: u64) -> f64 {
    if den == 0 { f64::NAN } else { num / den as f64 }
}

fn mean_s(d: &DurationStats) -> f64 {
    ratio(d.sum() as f64 / SECOND as f64, d.count())
}

fn pooled<'a>(stats: impl Iterator<Item = &'a DurationStats>) -> DurationStats {
    let mut all = DurationStats::new(SECOND);
    for s in stats {
        all.merge(s);
    }
    all
}

/// Headline metrics of one group (all trucks, or a class) across
/// replications; `leads` are the booking lead times (all trucks only).
fn group_metrics(
    groups: &[&ClassResult],
    days: &[f64],
    leads: Option<&[&DurationStats]>,
) -> Vec<Metric> {
    let per = |f: &dyn Fn(&ClassResult, f64) -> f64| -> Vec<f64> {
        groups.iter().zip(days).map(|(g, &d)| f(g, d)).collect()
    };
    let count = |f: fn(&Counts) -> u64| per(&|g, _| f(&g.counts) as f64);
    use Better::*;
    use Unit::*;
    let mut metrics = vec![
        Metric::new(
            "throughput_per_day",
            TrucksPerDay,
            Higher,
            per(&|g, d| {
                if d > 0.0 {
                    g.counts.cleared as f64 / d
                } else {
                    f64::NAN
                }
            }),
        ),
        Metric::new(
            "time_in_port_s",
            Seconds,
            Lower,
            per(&|g, _| mean_s(&g.time_in_port)),
        )
        .with_percentiles(groups.iter().map(|g| &g.time_in_port)),
        Metric::new("wait_s", Seconds, Lower, per(&|g, _| mean_s(&g.wait)))
            .with_percentiles(groups.iter().map(|g| &g.wait)),
        Metric::new(
            "steps_per_truck",
            Steps,
            Lower,
            per(&|g, _| ratio(g.steps as f64, g.counts.cleared)),
        ),
        Metric::new(
            "cost_per_truck",
            Currency,
            Lower,
            per(&|g, _| ratio(g.cost, g.counts.cleared)),
        ),
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
    if let Some(leads) = leads {
        metrics.push(
            Metric::new(
                "booking_lead_s",
                Seconds,
                Lower,
                leads.iter().map(|d| mean_s(d)).collect(),
            )
            .with_percentiles(leads.iter().copied()),
        );
    }
    metrics
}

fn estimate(values: impl Iterator<Item = f64>) -> Estimate {
    Estimate::from_samples(&values.collect::<Vec<_>>())
}

/// Summarises the replications of `scenario` (`(index, result)`, in
/// replication order). Replications stopped by the runaway guard are listed
/// and left out of every figure.
pub fn summarize(scenario: &Scenario, all_reps: &[(u64, &RepResult)]) -> Summary {
    let stopped: Vec<(u64, Stopped)> = all_reps
        .iter()
        .filter_map(|(i, r)| r.stopped.clone().map(|s| (*i, s)))
        .collect();
    let kept: Vec<(u64, &RepResult)> = all_reps
        .iter()
        .filter(|(_, r)| r.stopped.is_none())
        .copied()
        .collect();
    let reps: Vec<&RepResult> = kept.iter().map(|(_, r)| *r).collect();
    let days: Vec<f64> = reps.iter().map(|r| r.days).collect();
    let all: Vec<&ClassResult> = reps.iter().map(|r| &r.all).collect();
    let leads: Vec<&DurationStats> = reps.iter().map(|r| &r.booking_lead).collect();
    let metrics = group_metrics(&all, &days, Some(&leads));
    let per_truck = crate::scenario::visits_per_truck(scenario);
    let stages = scenario
        .stages
        .iter()
        .enumerate()
        .map(|(s, spec)| {
            let st: Vec<_> = reps.iter().map(|r| &r.stages[s]).collect();
            let per_day = |f: &dyn Fn(usize) -> f64| -> Estimate {
                estimate((0..reps.len()).map(|i| {
                    if days[i] > 0.0 {
                        f(i) / days[i]
                    } else {
                        f64::NAN
                    }
                }))
            };
            StageSummary {
                name: spec.name.clone(),
                visits: estimate(st.iter().map(|x| x.visits as f64)).at_least(0.0),
                utilization: estimate(st.iter().map(|x| x.utilization)).within(0.0, 1.0),
                overtime_per_day: per_day(&|i| st[i].overtime / HOUR as f64).at_least(0.0),
                wait: Metric::new(
                    "wait_s",
                    Unit::Seconds,
                    Better::Lower,
                    st.iter().map(|x| mean_s(&x.wait)).collect(),
                )
                .with_percentiles(st.iter().map(|x| &x.wait)),
                queue_length: estimate(st.iter().map(|x| x.mean_queue_len)).at_least(0.0),
                flow: stability::stage_flow(spec, per_truck[s], &reps, s),
            }
        })
        .collect();
    let classes = scenario
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| {
            let groups: Vec<&ClassResult> = reps.iter().map(|r| &r.classes[c]).collect();
            ClassSummary {
                name: class.name.clone(),
                metrics: group_metrics(&groups, &days, None),
            }
        })
        .collect();
    let n_days = reps
        .iter()
        .map(|r| r.daily_departures.len())
        .max()
        .unwrap_or(0);
    let daily_departures = (0..n_days)
        .map(|d| {
            estimate(
                reps.iter()
                    .map(|r| r.daily_departures.get(d).map_or(f64::NAN, |&x| x as f64)),
            )
            .at_least(0.0)
        })
        .collect();
    let per_day = |r: &RepResult, h: usize, x: f64| {
        let days = r.hourly.ticks[h] as f64 / HOUR as f64;
        if days > 0.0 { x / days } else { f64::NAN }
    };
    let hourly_series = |f: &dyn Fn(&RepResult, usize) -> f64| -> Vec<Estimate> {
        (0..24)
            .map(|h| estimate(reps.iter().map(|r| f(r, h))).at_least(0.0))
            .collect()
    };
    let hourly = HourlySummary {
        arrivals: hourly_series(&|r, h| per_day(r, h, r.hourly.arrivals[h] as f64)),
        departures: hourly_series(&|r, h| per_day(r, h, r.hourly.departures[h] as f64)),
        waiting: hourly_series(&|r, h| {
            let t = r.hourly.ticks[h];
            if t > 0 {
                r.hourly.waiting_area[h] / t as f64
            } else {
                f64::NAN
            }
        }),
    };
    let counts: Vec<Counts> = reps.iter().map(|r| r.all.counts).collect();
    let balanced = counts
        .iter()
        .chain(
            reps.iter()
                .flat_map(|r| r.classes.iter().map(|c| &c.counts)),
        )
        .all(|c| c.system_balanced() && c.port_balanced());
    let unfinished = UnfinishedSummary {
        count: estimate(reps.iter().map(|r| r.unfinished.count as f64)).at_least(0.0),
        mean_age_s: estimate(reps.iter().map(|r| {
            let u = &r.unfinished;
            if u.count == 0 {
                f64::NAN
            } else {
                u.age_sum as f64 / u.count as f64 / SECOND as f64
            }
        }))
        .at_least(0.0),
        max_age_s: reps
            .iter()
            .filter(|r| r.unfinished.count > 0)
            .map(|r| r.unfinished.age_max as f64 / SECOND as f64)
            .fold(f64::NAN, f64::max),
    };
    Summary {
        replications: reps.len(),
        indices: kept.iter().map(|(i, _)| *i).collect(),
        metrics,
        flow: FlowSummary { counts, balanced },
        unfinished,
        gate: stability::gate(&reps, &days),
        stages,
        classes,
        daily_departures,
        hourly,
        time_in_port: pooled(reps.iter().map(|r| &r.all.time_in_port)),
        stopped,
    }
}
