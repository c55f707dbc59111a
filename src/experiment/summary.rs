//! From replications to metrics: per-replication values, means with
//! confidence intervals, and pooled percentiles.
//!
//! Each headline metric is computed once per replication (a sample), then
//! summarised across replications with a Student-t interval. Keeping the
//! per-replication samples lets a comparison pair replication `i` of two
//! scenarios, which is what makes common random numbers pay off.
//! Percentiles of durations come from the histograms of all replications
//! merged. Aggregation runs sequentially in replication order, so results
//! do not depend on how many threads ran the replications.

use serde::Serialize;

use super::estimate::Estimate;
use crate::engine::stats::{DurationStats, Percentiles};
use crate::engine::time::SECOND;
use crate::model::{ClassResult, RepResult, Runaway, StageResult};

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
    /// Key in reports (`throughput_per_day`, …).
    pub name: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Direction of improvement.
    pub better: Better,
    /// One value per replication, in replication order (NaN where the
    /// replication had nothing to measure, e.g. no truck cleared).
    pub samples: Vec<f64>,
    /// Mean and 95% CI across replications.
    pub estimate: Estimate,
    /// Pooled percentiles in seconds, for durations.
    pub percentiles: Option<Percentiles>,
}

impl Metric {
    fn new(name: &'static str, unit: Unit, better: Better, samples: Vec<f64>) -> Self {
        let estimate = Estimate::from_samples(&samples);
        Metric {
            name,
            unit,
            better,
            samples,
            estimate,
            percentiles: None,
        }
    }

    fn with_percentiles(mut self, pooled: &DurationStats) -> Self {
        let p = pooled.percentiles();
        let s = |x: f64| x / SECOND as f64;
        self.percentiles = Some(Percentiles {
            p50: s(p.p50),
            p90: s(p.p90),
            p95: s(p.p95),
            p99: s(p.p99),
            max: s(p.max),
        });
        self
    }
}

/// Summary of one stage.
#[derive(Clone, Debug)]
pub struct StageSummary {
    /// Stage name.
    pub name: String,
    /// Visits completed per replication.
    pub visits: Estimate,
    /// Lane utilisation.
    pub utilization: Estimate,
    /// Wait before service.
    pub wait: Metric,
    /// Time-average queue length.
    pub queue_length: Estimate,
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

/// Everything a run reports.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Replications summarised.
    pub replications: usize,
    /// Headline metrics over all trucks.
    pub metrics: Vec<Metric>,
    /// Per stage, in scenario order.
    pub stages: Vec<StageSummary>,
    /// Per class, in scenario order.
    pub classes: Vec<ClassSummary>,
    /// Departures per day of the measured period.
    pub daily_departures: Vec<Estimate>,
    /// Hour-of-day profile.
    pub hourly: HourlySummary,
    /// Time in port of all cleared trucks, all replications pooled (ticks).
    pub time_in_port: DurationStats,
    /// Replications stopped because trucks piled up, with their index.
    pub runaways: Vec<(usize, Runaway)>,
}

impl Summary {
    /// The headline metric called `name`.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// Names of the headline metrics, in report order.
pub const HEADLINE: [&str; 10] = [
    "throughput_per_day",
    "time_in_port_s",
    "wait_s",
    "steps_per_truck",
    "cost_per_truck",
    "trucks_arrived",
    "trucks_cleared",
    "trucks_turned_away",
    "backlog",
    "no_shows",
];

fn ratio(num: f64, den: u64) -> f64 {
    if den == 0 { f64::NAN } else { num / den as f64 }
}

fn pooled<'a>(stats: impl Iterator<Item = &'a DurationStats>) -> DurationStats {
    let mut all = DurationStats::new(SECOND);
    for s in stats {
        all.merge(s);
    }
    all
}

/// Headline metrics of one group (all trucks, or a class) across replications.
fn group_metrics(groups: &[&ClassResult], days: &[f64]) -> Vec<Metric> {
    let per = |f: &dyn Fn(&ClassResult, f64) -> f64| -> Vec<f64> {
        groups.iter().zip(days).map(|(g, &d)| f(g, d)).collect()
    };
    let count = |f: fn(&ClassResult) -> u64| per(&|g, _| f(g) as f64);
    use Better::*;
    use Unit::*;
    vec![
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
            per(&|g, _| {
                ratio(
                    g.time_in_port.sum() as f64 / SECOND as f64,
                    g.time_in_port.count(),
                )
            }),
        )
        .with_percentiles(&pooled(groups.iter().map(|g| &g.time_in_port))),
        Metric::new(
            "wait_s",
            Seconds,
            Lower,
            per(&|g, _| ratio(g.wait.sum() as f64 / SECOND as f64, g.wait.count())),
        )
        .with_percentiles(&pooled(groups.iter().map(|g| &g.wait))),
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
        Metric::new(
            "trucks_arrived",
            Trucks,
            Neither,
            count(|g| g.counts.arrived),
        ),
        Metric::new(
            "trucks_cleared",
            Trucks,
            Higher,
            count(|g| g.counts.cleared),
        ),
        Metric::new(
            "trucks_turned_away",
            Trucks,
            Lower,
            count(|g| g.counts.turned_away),
        ),
        Metric::new("backlog", Trucks, Lower, count(|g| g.counts.backlog)),
        Metric::new("no_shows", Trucks, Neither, count(|g| g.counts.no_shows)),
    ]
}

fn estimate(values: impl Iterator<Item = f64>) -> Estimate {
    Estimate::from_samples(&values.collect::<Vec<_>>())
}

/// Summarises replications (in replication order) of a scenario with the
/// given stage and class names.
pub fn summarize(reps: &[&RepResult], stage_names: &[String], class_names: &[String]) -> Summary {
    let days: Vec<f64> = reps.iter().map(|r| r.days).collect();
    let all: Vec<&ClassResult> = reps.iter().map(|r| &r.all).collect();
    let metrics = group_metrics(&all, &days);
    let stages = stage_names
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let st: Vec<&StageResult> = reps.iter().filter_map(|r| r.stages.get(s)).collect();
            let wait_samples = st
                .iter()
                .map(|x| ratio(x.wait.sum() as f64 / SECOND as f64, x.wait.count()))
                .collect();
            StageSummary {
                name: name.clone(),
                visits: estimate(st.iter().map(|x| x.visits as f64)),
                utilization: estimate(st.iter().map(|x| x.utilization)),
                wait: Metric::new("wait_s", Unit::Seconds, Better::Lower, wait_samples)
                    .with_percentiles(&pooled(st.iter().map(|x| &x.wait))),
                queue_length: estimate(st.iter().map(|x| x.mean_queue_len)),
            }
        })
        .collect();
    let classes = class_names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let groups: Vec<&ClassResult> = reps.iter().filter_map(|r| r.classes.get(c)).collect();
            ClassSummary {
                name: name.clone(),
                metrics: group_metrics(&groups, &days),
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
                    .map(|r| r.daily_departures.get(d).copied().unwrap_or(0) as f64),
            )
        })
        .collect();
    let per_day = |r: &RepResult, h: usize, x: f64| {
        let days = r.hourly.ticks[h] as f64 / crate::engine::time::HOUR as f64;
        if days > 0.0 { x / days } else { f64::NAN }
    };
    let hourly = HourlySummary {
        arrivals: (0..24)
            .map(|h| {
                estimate(
                    reps.iter()
                        .map(|r| per_day(r, h, r.hourly.arrivals[h] as f64)),
                )
            })
            .collect(),
        departures: (0..24)
            .map(|h| {
                estimate(
                    reps.iter()
                        .map(|r| per_day(r, h, r.hourly.departures[h] as f64)),
                )
            })
            .collect(),
        waiting: (0..24)
            .map(|h| {
                estimate(reps.iter().map(|r| {
                    let t = r.hourly.ticks[h];
                    if t > 0 {
                        r.hourly.waiting_area[h] / t as f64
                    } else {
                        f64::NAN
                    }
                }))
            })
            .collect(),
    };
    Summary {
        replications: reps.len(),
        metrics,
        stages,
        classes,
        daily_departures,
        hourly,
        time_in_port: pooled(reps.iter().map(|r| &r.all.time_in_port)),
        runaways: reps
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.runaway.clone().map(|w| (i, w)))
            .collect(),
    }
}
