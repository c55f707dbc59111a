//! What a run found that a planner should read first, as data: every
//! stage and the gate that cannot keep up, and trucks piling up at the
//! port. Each finding is a typed value with its numbers; `report::findings`
//! puts it into words for the table, the HTML report, the JSON and the web
//! app, so this layer never formats a sentence.
//!
//! Findings come in a fixed order: the stages that cannot keep up (in
//! scenario order, three or more whose excess goes the same way gathered
//! into one finding, tightest first: a port whose opening hours bind), then
//! the gate, then the trucks left at the end. The same summary gives the
//! same findings, bit for bit.

use serde::Serialize;

use super::stability::{Bound, LostSummary, PoolSummary, StageFlow};
use super::summary::Summary;

/// One thing the run found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// One stage cannot keep up.
    Stage(Shortfall),
    /// Three or more stages cannot keep up and their excess goes the same
    /// way: tightest (highest load) first.
    Stages {
        /// The stages.
        stages: Vec<Shortfall>,
    },
    /// The gate cannot keep up.
    Gate(GateShortfall),
    /// Trucks piled up at the port during the window.
    Unfinished(Piled),
}

/// A stage that cannot keep up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shortfall {
    /// The stage's name.
    pub stage: String,
    /// Visits a day asked of it: by the trucks that stayed, or, when
    /// `counts_lost`, by every truck that came.
    pub demand_per_day: f64,
    /// Visits a day it can serve.
    pub capacity_per_day: f64,
    /// Demand over capacity.
    pub load: f64,
    /// What bounds its capacity.
    pub bound: Limit,
    /// Whether its demand counts the trucks lost before service: it is the
    /// port's tightest stage, and they left for want of it.
    pub counts_lost: bool,
    /// Where its excess goes.
    pub excess: Excess,
}

/// What bounds a stage's capacity, with the pool's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// Its lanes and their hours.
    Lanes,
    /// Its daily limit (service starts per day).
    DailyLimit {
        /// The limit.
        limit: u32,
    },
    /// The shared pool it draws on.
    Pool {
        /// The pool's name.
        pool: String,
    },
}

/// Where the excess of a stage that cannot keep up goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Excess {
    /// Its queue grows, by about this many trucks a day.
    Grows {
        /// Growth per day of the trucks at it.
        per_day: f64,
    },
    /// The trucks it could not take left before their first service, a
    /// day, by how (those in the e-queue only when they count against it).
    Left(Left),
    /// Its queue is capped by the port's bounds and the excess is turned
    /// away at the gate.
    TurnedAway,
    /// The excess waits upstream (in the parking, on the road or in the
    /// e-queue).
    WaitsUpstream,
}

/// Trucks a day that left before their first service, by how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Left {
    /// Turned away at the gate (road queue full).
    pub turned_away: f64,
    /// Diverted at the sight of the road queue.
    pub diverted: f64,
    /// Gave up waiting on the road.
    pub reneged: f64,
    /// Diverted at the sight of the e-queue.
    pub diverted_offsite: f64,
    /// Gave up waiting in the e-queue.
    pub reneged_offsite: f64,
}

impl Excess {
    /// Whether two stages' excess goes the same way (a growth counts as the
    /// same when it rounds to the same whole trucks a day, as it is read).
    fn same_as(&self, other: &Excess) -> bool {
        match (self, other) {
            (Excess::Grows { per_day: a }, Excess::Grows { per_day: b }) => {
                a.round_ties_even() == b.round_ties_even()
            }
            (a, b) => a == b,
        }
    }
}

/// The gate cannot keep up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateShortfall {
    /// Trucks reaching the port a day.
    pub arrivals_per_day: f64,
    /// Trucks turned away a day because the road queue was full.
    pub turned_away_per_day: f64,
    /// Growth per day of the road queue.
    pub road_growth_per_day: f64,
}

/// Trucks piled up during the window, so departures are a biased sample of
/// stays: the trucks still at the port, which stay longest, are missing
/// from the time in port.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Piled {
    /// Trucks still at the port at the end (mean over replications).
    pub count: f64,
    /// How many more than at the start.
    pub more_than_at_start: f64,
    /// Trucks that left (mean over replications), for their share.
    pub departures: f64,
    /// Their mean age so far, in seconds.
    pub mean_age_s: f64,
    /// The oldest, in seconds.
    pub max_age_s: f64,
}

/// What bounds `f`'s capacity, named.
fn limit(f: &StageFlow, pools: &[PoolSummary]) -> Limit {
    match f.bound {
        Bound::Lanes => Limit::Lanes,
        Bound::DailyLimit(limit) => Limit::DailyLimit { limit },
        Bound::Pool(i) => Limit::Pool {
            pool: pools
                .get(i)
                .map_or_else(|| "?".to_owned(), |p| p.name.clone()),
        },
    }
}

/// The trucks lost before service that count against the tightest stage.
fn left(l: &LostSummary) -> Left {
    let offsite = if l.offsite_counts { 1.0 } else { 0.0 };
    Left {
        turned_away: l.turned_away_per_day.mean,
        diverted: l.diverted_per_day.mean,
        reneged: l.reneged_per_day.mean,
        diverted_offsite: offsite * l.diverted_offsite_per_day.mean,
        reneged_offsite: offsite * l.reneged_offsite_per_day.mean,
    }
}

/// The findings of a summary (see the module docs).
pub fn of(s: &Summary) -> Vec<Finding> {
    let mut out = Vec::new();
    // Stages grouped by where their excess goes, in order of first
    // appearance.
    let mut groups: Vec<Vec<Shortfall>> = Vec::new();
    for st in &s.stages {
        let Some(u) = st.flow.unstable else { continue };
        let f = &st.flow;
        let excess = if u.growth_per_day >= (0.01 * f.demand_per_day.mean).max(0.5) {
            Excess::Grows {
                per_day: u.growth_per_day,
            }
        } else if f.counts_lost {
            Excess::Left(left(&s.lost))
        } else if s.gate.unstable.is_some() {
            Excess::TurnedAway
        } else {
            Excess::WaitsUpstream
        };
        let (demand, load) = if f.counts_lost {
            (f.came_per_day.mean, f.came_load.mean)
        } else {
            (f.demand_per_day.mean, f.load.mean)
        };
        let short = Shortfall {
            stage: st.name.clone(),
            demand_per_day: demand,
            capacity_per_day: f.capacity_per_day,
            load,
            bound: limit(f, &s.pools),
            counts_lost: f.counts_lost,
            excess,
        };
        match groups
            .iter_mut()
            .find(|g| g[0].excess.same_as(&short.excess))
        {
            Some(group) => group.push(short),
            None => groups.push(vec![short]),
        }
    }
    for mut group in groups {
        if group.len() < 3 {
            out.extend(group.into_iter().map(Finding::Stage));
            continue;
        }
        group.sort_by(|a, b| b.load.total_cmp(&a.load));
        out.push(Finding::Stages { stages: group });
    }
    let g = &s.gate;
    if let Some(u) = g.unstable {
        out.push(Finding::Gate(GateShortfall {
            arrivals_per_day: g.arrivals_per_day.mean,
            turned_away_per_day: g.turned_away_per_day.mean,
            road_growth_per_day: u.growth_per_day,
        }));
    }
    // Departures are a biased sample of stays when trucks pile up during
    // the window: the ones that arrived late, and stay longest, are missing.
    let cleared = s.flow.mean(|c| c.cleared);
    let piled = s.flow.mean(|c| c.in_port_end) - s.flow.mean(|c| c.in_port_start);
    let u = &s.unfinished;
    if piled >= 0.05 * cleared && piled >= 0.5 {
        out.push(Finding::Unfinished(Piled {
            count: u.count.mean,
            more_than_at_start: piled,
            departures: cleared,
            mean_age_s: u.mean_age_s.mean,
            max_age_s: u.max_age_s,
        }));
    }
    out
}
