//! Can each stage, and the gate, keep up? Demand against capacity, daily
//! limits, queue growth, and the verdicts the findings are made of
//! (`findings`).
//!
//! An overloaded port is a result, not an error: the run completes and the
//! report says where and by how much it falls short.
//!
//! # The criterion
//!
//! # Demand
//!
//! A stage's **demand** is the visits a day asked of it by the trucks that
//! reached the port and stayed to be served: per class, the trucks that
//! arrived less those that left before their first service
//! ([`Counts::stayed`](crate::model::Counts::stayed)), times the class's
//! expected visits to the stage (routing share and rework loops). A truck
//! that diverts, reneges or is turned away before its first service is not
//! demand for any stage, so on a stable port a stage's demand is the
//! visits it makes and its load is its utilisation. The visits of **every
//! truck that came** are kept beside it: those that stayed and those lost
//! at the port before service ([`Counts::lost_at_port`]), and those lost
//! in an e-queue that calls trucks as soon as the port has room (one
//! without a daily quota, whose trucks were lost for want of that room,
//! [`Counts::lost_offsite`]).
//!
//! # The criterion
//!
//! A **stage** cannot keep up (`unstable`) when either
//! * its *load* is at least one: its demand per day is at least its
//!   capacity per day (on-duty lane-time over the mean service time, and
//!   no more than its daily limit); or
//! * the trucks at it (waiting or served) grew over the window by at least
//!   2 % of its demand per day, with a 95 % interval of the growth that
//!   excludes zero (a backstop for capacity the formula misjudges); or
//! * it is the port's tightest stage (the highest load; with its pool, if
//!   it shares one), trucks were lost before their first service, and the
//!   visits of every truck that came are at least its capacity: the trucks
//!   it could not take left at the door instead of queuing for it. The
//!   stages behind it are judged on the trucks that got through.
//!
//! Its `shortfall_per_day` is the larger of the excess demand (of every
//! truck that came, in the third case) over capacity and the measured
//! growth; `growth_per_day` is the measured growth of the trucks at it
//! (near zero when the parking or road queue holds the excess back
//! upstream, or the excess leaves).
//!
//! The **gate** cannot keep up when the trucks it fails to admit (turned
//! away because the road queue is full, plus the growth of the road queue)
//! come to at least 1 % of arrivals and half a truck a day, with a 95 %
//! interval that excludes zero.

use super::digest::{RepDigest, StageDigest};
use super::estimate::Estimate;
use crate::model::Counts;
use crate::scenario::{Scenario, Stage};

/// What bounds a stage's capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Its lanes and their hours.
    Lanes,
    /// Its daily limit (service starts per day).
    DailyLimit(u32),
    /// The shared pool it draws on (`Scenario::pools[i]`).
    Pool(usize),
}

impl Bound {
    /// Its key in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Bound::Lanes => "lanes",
            Bound::DailyLimit(_) => "daily_limit",
            Bound::Pool(_) => "pool",
        }
    }
}

/// A stage or gate that cannot keep up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instability {
    /// Measured growth per day of the trucks waiting there.
    pub growth_per_day: f64,
    /// How many trucks a day it falls short of demand.
    pub shortfall_per_day: f64,
}

/// How often a daily limit was reached.
#[derive(Clone, Debug)]
pub struct LimitSummary {
    /// The limit.
    pub limit: u32,
    /// Share of the measured days on which it was reached.
    pub days_reached: Estimate,
    /// Trucks held over to the next day by it, per day.
    pub held_over_per_day: Estimate,
}

/// A stage's demand, capacity and stability.
#[derive(Clone, Debug)]
pub struct StageFlow {
    /// Visits a day asked of it by the trucks that stayed to be served.
    pub demand_per_day: Estimate,
    /// Visits a day of every truck that came: those that stayed and those
    /// that left before their first service.
    pub came_per_day: Estimate,
    /// The visits of every truck that came over capacity (its pool's, for
    /// a stage on a shared pool).
    pub came_load: Estimate,
    /// Whether its verdict counts the trucks lost before service: it is
    /// the port's tightest stage, and they left for want of it.
    pub counts_lost: bool,
    /// Visits its lanes (and limit) can serve per day.
    pub capacity_per_day: f64,
    /// Demand over capacity.
    pub load: Estimate,
    /// What bounds its capacity.
    pub bound: Bound,
    /// Its daily limit, if it has one.
    pub limit: Option<LimitSummary>,
    /// Growth per day of the trucks at it.
    pub growth_per_day: Estimate,
    /// Set when it cannot keep up.
    pub unstable: Option<Instability>,
}

/// The gate and the road queue.
#[derive(Clone, Debug)]
pub struct GateSummary {
    /// Trucks reaching the port per day.
    pub arrivals_per_day: Estimate,
    /// Time-average trucks on the road.
    pub road_queue: Estimate,
    /// Trucks turned away per day because the road queue was full.
    pub turned_away_per_day: Estimate,
    /// Growth per day of the road queue.
    pub growth_per_day: Estimate,
    /// Trucks a day the gate fails to admit (turned away + growth).
    pub shortfall_per_day: Estimate,
    /// Set when it cannot keep up.
    pub unstable: Option<Instability>,
}

/// The trucks lost before their first service, per day, by where and how
/// they left.
#[derive(Clone, Debug)]
pub struct LostSummary {
    /// Turned away at the road (its queue full).
    pub turned_away_per_day: Estimate,
    /// Diverted at the sight of the road queue.
    pub diverted_per_day: Estimate,
    /// Reneged on the road.
    pub reneged_per_day: Estimate,
    /// Diverted at the sight of the e-queue.
    pub diverted_offsite_per_day: Estimate,
    /// Reneged in the e-queue.
    pub reneged_offsite_per_day: Estimate,
    /// Whether those lost in the e-queue count against the port's
    /// tightest stage: an e-queue without a daily quota calls a truck as
    /// soon as the port has room, so one lost in it was lost for want of
    /// room; with a quota, the quota may be what held it.
    pub offsite_counts: bool,
}

/// Whether the trucks lost in the e-queue of `scenario` count against the
/// port's tightest stage (see [`LostSummary::offsite_counts`]).
pub fn offsite_counts(scenario: &Scenario) -> bool {
    scenario
        .equeue
        .as_ref()
        .is_some_and(|q| q.daily_quota.is_none())
}

/// Per-replication values of [`LostSummary`].
#[derive(Clone, Debug, Default)]
pub struct LostColumns {
    columns: [Vec<f64>; 5],
}

impl LostColumns {
    /// Adds a replication.
    pub fn push(&mut self, c: &Counts, days: f64) {
        let terms = [
            c.turned_away - c.turned_away_no_slot,
            c.diverted - c.diverted_offsite,
            c.reneged - c.reneged_offsite,
            c.diverted_offsite,
            c.reneged_offsite,
        ];
        for (col, x) in self.columns.iter_mut().zip(terms) {
            col.push(per_day(x as f64, days));
        }
    }

    /// Their summary.
    pub fn finish(&self, offsite_counts: bool) -> LostSummary {
        let e = |i: usize| Estimate::from_samples(&self.columns[i]).at_least(0.0);
        LostSummary {
            turned_away_per_day: e(0),
            diverted_per_day: e(1),
            reneged_per_day: e(2),
            diverted_offsite_per_day: e(3),
            reneged_offsite_per_day: e(4),
            offsite_counts,
        }
    }
}

fn per_day(x: f64, days: f64) -> f64 {
    if days > 0.0 { x / days } else { f64::NAN }
}

/// Whether `e` is positive beyond noise (or positive, with one sample).
fn clearly_positive(e: &Estimate) -> bool {
    match e.ci95 {
        Some([lo, _]) => lo > 0.0,
        None => e.mean > 0.0,
    }
}

/// Per-replication values a stage's flow is judged on, gathered as
/// replications arrive.
#[derive(Clone, Debug, Default)]
pub struct StageColumns {
    demand: Vec<f64>,
    came: Vec<f64>,
    capacity: Vec<f64>,
    growth: Vec<f64>,
    limit_days: Vec<f64>,
    held_over: Vec<f64>,
    limit_bound: bool,
    pool: Option<usize>,
}

impl StageColumns {
    /// Adds a replication: the stage's digest, the visits asked of it by
    /// the trucks that stayed and by every truck that came (see the module
    /// docs), and the measured days.
    pub fn push(&mut self, st: &StageDigest, stayed: f64, came: f64, days: f64) {
        self.demand.push(per_day(stayed, days));
        self.came.push(per_day(came, days));
        self.capacity.push(per_day(st.capacity, days));
        let (start, end) = st.present;
        self.growth.push(per_day(end as f64 - start as f64, days));
        self.limit_days
            .push(per_day(st.limit_days as f64, days.ceil()));
        self.held_over.push(per_day(st.held_over as f64, days));
        self.limit_bound |= st.limit_bound;
        self.pool = st.pool;
    }
}

/// A shared lane pool over the replications.
#[derive(Clone, Debug)]
pub struct PoolSummary {
    /// Pool name.
    pub name: String,
    /// Busy lane-time while on duty over on-duty lane-time.
    pub utilization: Estimate,
    /// Time-average trucks waiting.
    pub queue_length: Estimate,
    /// Its stages' demand over its capacity: the sum over its stages of
    /// their visits wanted a day over the visits a day it could serve each
    /// of them alone.
    pub load: Estimate,
    /// Set when it cannot keep up (load at least one).
    pub unstable: Option<Instability>,
}

/// Per-replication values of one pool.
#[derive(Clone, Debug, Default)]
pub struct PoolColumns {
    /// Utilisation and mean queue, per replication.
    pub utilization: Vec<f64>,
    /// Time-average trucks waiting, per replication.
    pub queue_length: Vec<f64>,
}

/// The pools' summaries; also sets each pooled stage's load and capacity
/// to its share of its pool (the stages of one pool keep up or fall short
/// together).
pub fn pools(
    names: &[String],
    columns: &[PoolColumns],
    stages: &[StageColumns],
    flows: &mut [StageFlow],
) -> Vec<PoolSummary> {
    names
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(i, (name, c))| {
            let members: Vec<usize> = (0..stages.len())
                .filter(|&s| stages[s].pool == Some(i))
                .collect();
            let reps = members.first().map_or(0, |&s| stages[s].demand.len());
            let load: Vec<f64> = (0..reps)
                .map(|r| {
                    members
                        .iter()
                        .map(|&s| {
                            let (d, cap) = (stages[s].demand[r], stages[s].capacity[r]);
                            if cap > 0.0 { d / cap } else { f64::INFINITY }
                        })
                        .sum()
                })
                .collect();
            let load = Estimate::from_samples(&load).at_least(0.0);
            let came_load: Vec<f64> = (0..reps)
                .map(|r| {
                    members
                        .iter()
                        .map(|&s| {
                            let (d, cap) = (stages[s].came[r], stages[s].capacity[r]);
                            if cap > 0.0 { d / cap } else { f64::INFINITY }
                        })
                        .sum()
                })
                .collect();
            let came_load = Estimate::from_samples(&came_load).at_least(0.0);
            let unstable = (load.n > 0 && load.mean >= 1.0).then(|| {
                let shortfall: f64 = members
                    .iter()
                    .map(|&s| flows[s].demand_per_day.mean * (1.0 - 1.0 / load.mean))
                    .sum();
                Instability {
                    growth_per_day: members.iter().map(|&s| flows[s].growth_per_day.mean).sum(),
                    shortfall_per_day: shortfall,
                }
            });
            for &s in &members {
                let f = &mut flows[s];
                f.load = load;
                f.came_load = came_load;
                f.capacity_per_day = if load.mean > 0.0 {
                    f.demand_per_day.mean / load.mean
                } else {
                    f.capacity_per_day
                };
                f.bound = Bound::Pool(i);
                f.unstable = unstable.map(|_| Instability {
                    growth_per_day: f.growth_per_day.mean,
                    shortfall_per_day: f.demand_per_day.mean * (1.0 - 1.0 / load.mean),
                });
            }
            PoolSummary {
                name: name.clone(),
                utilization: Estimate::from_samples(&c.utilization).within(0.0, 1.0),
                queue_length: Estimate::from_samples(&c.queue_length).at_least(0.0),
                load,
                unstable,
            }
        })
        .collect()
}

/// Per replication, visits `demand` over `capacity` (infinite for demand
/// without capacity, NaN for neither).
fn loads(demand: &[f64], capacity: &[f64]) -> Estimate {
    let load: Vec<f64> = demand
        .iter()
        .zip(capacity)
        .map(|(&d, &cap)| {
            if cap > 0.0 {
                d / cap
            } else if d > 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        })
        .collect();
    Estimate::from_samples(&load)
}

/// The flow of stage `spec` over the replications gathered in `c`.
pub fn stage_flow(spec: &Stage, c: &StageColumns) -> StageFlow {
    let demand = Estimate::from_samples(&c.demand);
    let finite: Vec<f64> = c
        .capacity
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let capacity = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    let load = loads(&c.demand, &c.capacity);
    let growth = Estimate::from_samples(&c.growth);
    let limit = spec.daily_limit.map(|limit| LimitSummary {
        limit,
        days_reached: Estimate::from_samples(&c.limit_days).within(0.0, 1.0),
        held_over_per_day: Estimate::from_samples(&c.held_over).at_least(0.0),
    });
    let overloaded = load.n > 0 && load.mean >= 1.0;
    let growing = clearly_positive(&growth) && growth.mean >= 0.02 * demand.mean;
    let unstable = (overloaded || growing).then(|| Instability {
        growth_per_day: growth.mean,
        shortfall_per_day: (demand.mean - capacity).max(growth.mean).max(0.0),
    });
    StageFlow {
        demand_per_day: demand.at_least(0.0),
        came_per_day: Estimate::from_samples(&c.came).at_least(0.0),
        came_load: loads(&c.came, &c.capacity).at_least(0.0),
        counts_lost: false,
        capacity_per_day: capacity,
        load: load.at_least(0.0),
        bound: match spec.daily_limit {
            Some(l) if c.limit_bound => Bound::DailyLimit(l),
            _ => Bound::Lanes,
        },
        limit,
        growth_per_day: growth,
        unstable,
    }
}

/// The stage that limits the port: the highest load (demand over
/// capacity), if any stage has demand.
pub fn tightest(flows: &[&StageFlow]) -> Option<usize> {
    flows
        .iter()
        .enumerate()
        .filter(|(_, f)| f.load.mean.is_finite())
        .max_by(|a, b| a.1.load.mean.total_cmp(&b.1.load.mean))
        .map(|(i, _)| i)
}

/// Counts the trucks lost before their first service against the port's
/// tightest stage (and its pool): it cannot keep up when the visits of
/// every truck that came are at least its capacity (see the module docs).
pub fn count_lost(flows: &mut [StageFlow], pools: &mut [PoolSummary]) {
    let Some(b) = tightest(&flows.iter().collect::<Vec<_>>()) else {
        return;
    };
    let f = &flows[b];
    let lost = f.came_per_day.mean > f.demand_per_day.mean;
    if !lost || f.came_load.n == 0 || f.came_load.mean < 1.0 {
        return;
    }
    let judge = |f: &mut StageFlow, shortfall: f64| {
        let shortfall = shortfall.max(f.growth_per_day.mean).max(0.0);
        f.counts_lost = true;
        f.unstable = Some(Instability {
            growth_per_day: f.growth_per_day.mean,
            shortfall_per_day: shortfall,
        });
        shortfall
    };
    match f.bound {
        Bound::Pool(i) => {
            let load = f.came_load.mean;
            let (mut growth, mut short) = (0.0, 0.0);
            for s in flows.iter_mut().filter(|s| s.bound == Bound::Pool(i)) {
                let excess = s.came_per_day.mean * (1.0 - 1.0 / load);
                short += judge(s, excess);
                growth += s.growth_per_day.mean;
            }
            if let Some(p) = pools.get_mut(i) {
                p.unstable = Some(Instability {
                    growth_per_day: growth,
                    shortfall_per_day: short,
                });
            }
        }
        _ => {
            let excess = f.came_per_day.mean - f.capacity_per_day;
            judge(&mut flows[b], excess);
        }
    }
}

/// Per-replication values the gate is judged on.
#[derive(Clone, Debug, Default)]
pub struct GateColumns {
    arrivals: Vec<f64>,
    road_queue: Vec<f64>,
    turned_away: Vec<f64>,
    growth: Vec<f64>,
}

impl GateColumns {
    /// Adds a replication.
    pub fn push(&mut self, r: &RepDigest) {
        let c = &r.all.counts;
        self.arrivals.push(per_day(c.arrived as f64, r.days));
        self.road_queue.push(r.gate.mean_road_queue);
        self.turned_away.push(per_day(
            (c.turned_away - c.turned_away_no_slot) as f64,
            r.days,
        ));
        self.growth.push(per_day(
            r.gate.road_end as f64 - r.gate.road_start as f64,
            r.days,
        ));
    }
}

/// The gate over the replications gathered in `c`.
pub fn gate(c: &GateColumns) -> GateSummary {
    let shortfall: Vec<f64> = c
        .turned_away
        .iter()
        .zip(&c.growth)
        .map(|(t, g)| t + g)
        .collect();
    let arrivals = Estimate::from_samples(&c.arrivals);
    let shortfall = Estimate::from_samples(&shortfall);
    let growth = Estimate::from_samples(&c.growth);
    let material = shortfall.mean >= (0.01 * arrivals.mean).max(0.5);
    let unstable = (material && clearly_positive(&shortfall)).then_some(Instability {
        growth_per_day: growth.mean,
        shortfall_per_day: shortfall.mean,
    });
    GateSummary {
        arrivals_per_day: arrivals.at_least(0.0),
        road_queue: Estimate::from_samples(&c.road_queue).at_least(0.0),
        turned_away_per_day: Estimate::from_samples(&c.turned_away).at_least(0.0),
        growth_per_day: growth,
        shortfall_per_day: shortfall,
        unstable,
    }
}
