//! Routing: the order in which trucks visit the stages, each stage's
//! `share` (per class when the log has classes) and `rework` loops.
//!
//! Only *complete, cleared* trips count (they arrived and departed in the
//! window), so trucks still inside when the log closes, whose paths are
//! unfinished, do not pull the shares down, and trucks turned away,
//! diverted or reneged, which were never routed, are left out. Shares and
//! rework count the complete trips that arrived early enough to have
//! finished (the 99th percentile of the complete trips' times in port
//! before the close, or earlier), so long trips, and the stages that make
//! them long, are not under-counted near the close.
//!
//! * **Order.** For every pair of stages, the trips that visited both say
//!   which came first (first visits); a stage's score is the number of
//!   stages it precedes more often than not (Copeland's rule), and stages
//!   are ordered by score, ties by their mean time after arrival.
//! * **Shares.** Walking a trip's visits in time order, a visit to a stage
//!   further along the order than any visited before is the truck's
//!   routing (portsim draws it once per truck); a visit to a stage at or
//!   before the previous visit's is a *rework step*, and the visits that
//!   follow inside the loop are repeats. A stage's share is the fraction
//!   of trips whose routing includes it (Wilson interval).
//! * **Rework.** A stage whose services are followed by rework steps gets
//!   `rework = { probability, to }`: the steps out of it over its visits,
//!   and the stage most of them go back to (portsim has one target per
//!   stage; other targets are reported as a warning).

use serde::Serialize;

use super::interval::Estimated;
use super::log::Log;
use super::reconstruct::{Paths, Trip};

/// `rework` of one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rework {
    /// Probability of a rework step after a service here.
    pub probability: Estimated,
    /// The stage most rework steps go back to (index in visiting order).
    #[serde(skip)]
    pub to: usize,
    /// Its name.
    #[serde(rename = "to")]
    pub to_name: String,
}

/// The routing of one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct StageRouting {
    /// Stage id in the log.
    pub stage: u32,
    /// Share of all complete, cleared trips.
    pub share: Estimated,
    /// Share per class (class id, share), when the log has classes.
    pub by_class: Vec<(u16, Estimated)>,
    /// Rework out of this stage.
    pub rework: Option<Rework>,
    /// Mean seconds from arrival to the first visit's start.
    pub mean_offset_s: f64,
}

/// The routing of the port.
#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    /// Stages in visiting order.
    pub stages: Vec<StageRouting>,
    /// Complete, cleared trips counted.
    pub trips: u64,
    /// Complete, cleared trips of each class (class id, count).
    pub class_trips: Vec<(u16, u64)>,
    /// What a reader should know.
    pub warnings: Vec<String>,
}

impl Routing {
    /// The position of stage id `stage` in visiting order.
    pub fn position(&self, stage: u32) -> Option<usize> {
        self.stages.iter().position(|s| s.stage == stage)
    }
}

/// Whether a trip counts for routing.
pub fn counts(trip: &Trip) -> bool {
    trip.complete() && trip.cleared()
}

/// The last arrival of the routing *cohort*. A complete trip is one that
/// finished before the close, so near the close the long trips are
/// missing from the complete ones, and with them the stages that make
/// trips long (one closed at weekends, a slow inspection): their shares
/// would come out low. Trips that arrived at least the 99th percentile of
/// the complete trips' times in port before the close had time to finish
/// as nearly all trips do, so among them the complete ones are all but
/// every trip. `None` when no complete trip has both its rows.
fn cohort_end(paths: &Paths) -> Option<i64> {
    let mut times: Vec<i64> = paths
        .trips
        .iter()
        .filter(|t| counts(t))
        .filter_map(|t| Some(t.leave?.0 - t.arrive?))
        .collect();
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let p99 = times[((times.len() - 1) as f64 * 0.99).round() as usize];
    Some(paths.end - p99)
}

/// Estimates the routing.
pub fn estimate(log: &Log, paths: &Paths) -> Routing {
    let n = log.stages.len();
    let order = order(log, paths);
    let mut pos = vec![usize::MAX; n];
    for (p, &s) in order.iter().enumerate() {
        pos[s as usize] = p;
    }
    let classes = log.classes.len();
    let mut trips = 0u64;
    let mut class_trips = vec![0u64; classes];
    let mut routed = vec![0u64; n];
    let mut routed_class = vec![vec![0u64; classes]; n];
    let mut services = vec![0u64; n];
    let mut back = vec![vec![0u64; n]; n];
    let mut offset = vec![(0f64, 0u64); n];
    // The cohort (see `cohort_end`), or every complete trip when it would
    // hold none.
    let end = cohort_end(paths);
    let in_cohort = |t: &Trip| counts(t) && t.arrive.zip(end).is_some_and(|(a, e)| a <= e);
    let cohort = paths.trips.iter().any(in_cohort);
    for trip in paths
        .trips
        .iter()
        .filter(|t| if cohort { in_cohort(t) } else { counts(t) })
    {
        trips += 1;
        let class = usize::from(trip.class);
        if class < classes {
            class_trips[class] += 1;
        }
        let mut frontier: Option<usize> = None;
        let mut prev: Option<usize> = None;
        let mut first_seen = vec![false; n];
        for v in paths.visits_of(trip) {
            let s = v.stage as usize;
            let p = pos[s];
            services[s] += 1;
            if let Some(q) = prev
                && p <= pos[q]
            {
                back[q][s] += 1;
            }
            if frontier.is_none_or(|f| p > f) {
                frontier = Some(p);
                routed[s] += 1;
                if class < classes {
                    routed_class[s][class] += 1;
                }
            }
            if !first_seen[s] {
                first_seen[s] = true;
                if let Some(a) = trip.arrive {
                    offset[s].0 += (v.start - a) as f64;
                    offset[s].1 += 1;
                }
            }
            prev = Some(s);
        }
    }
    let mut warnings = Vec::new();
    let stages = order
        .iter()
        .map(|&s| {
            let si = s as usize;
            let steps: u64 = back[si].iter().sum();
            let rework = (steps > 0).then(|| {
                let (to, _) = back[si]
                    .iter()
                    .enumerate()
                    .max_by_key(|&(t, &c)| (c, std::cmp::Reverse(pos[t])))
                    .unwrap_or((si, &0));
                let others: Vec<String> = back[si]
                    .iter()
                    .enumerate()
                    .filter(|&(t, &c)| c > 0 && t != to)
                    .map(|(t, c)| format!("`{}` ({c})", log.stages.name(t as u32)))
                    .collect();
                if !others.is_empty() {
                    warnings.push(format!(
                        "stage `{}` sends trucks back to more than one stage: `{}` most often, also {}; a scenario has one rework target per stage, so all {steps} steps are written as going to `{}`",
                        log.stages.name(s),
                        log.stages.name(to as u32),
                        others.join(", "),
                        log.stages.name(to as u32)
                    ));
                }
                Rework {
                    probability: Estimated::proportion(steps, services[si]),
                    to: pos[to],
                    to_name: log.stages.name(to as u32).to_owned(),
                }
            });
            StageRouting {
                stage: s,
                share: Estimated::proportion(routed[si], trips),
                by_class: if log.has_class {
                    (0..classes)
                        .map(|c| {
                            (
                                c as u16,
                                Estimated::proportion(routed_class[si][c], class_trips[c]),
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                rework,
                mean_offset_s: if offset[si].1 > 0 {
                    offset[si].0 / offset[si].1 as f64
                } else {
                    f64::NAN
                },
            }
        })
        .collect();
    Routing {
        stages,
        trips,
        class_trips: (0..classes).map(|c| (c as u16, class_trips[c])).collect(),
        warnings,
    }
}

/// Stage ids in visiting order (Copeland's rule over first visits).
fn order(log: &Log, paths: &Paths) -> Vec<u32> {
    let n = log.stages.len();
    let mut before = vec![vec![0u64; n]; n];
    let mut offset = vec![(0f64, 0u64); n];
    let any_complete = paths.trips.iter().any(counts);
    let mut first = vec![i64::MAX; n];
    for trip in paths.trips.iter().filter(|t| counts(t) || !any_complete) {
        let visits = paths.visits_of(trip);
        let mut seen = Vec::new();
        for v in visits {
            let s = v.stage as usize;
            if first[s] == i64::MAX {
                seen.push(s);
            }
            first[s] = first[s].min(v.start);
        }
        for &a in &seen {
            for &b in &seen {
                if a != b && first[a] < first[b] {
                    before[a][b] += 1;
                }
            }
            let base = trip.arrive.unwrap_or(trip.first);
            offset[a].0 += (first[a] - base) as f64;
            offset[a].1 += 1;
        }
        for &a in &seen {
            first[a] = i64::MAX;
        }
    }
    let score: Vec<usize> = (0..n)
        .map(|a| (0..n).filter(|&b| before[a][b] > before[b][a]).count())
        .collect();
    let mean_offset = |a: usize| {
        if offset[a].1 > 0 {
            offset[a].0 / offset[a].1 as f64
        } else {
            f64::INFINITY
        }
    };
    let mut ids: Vec<usize> = (0..n).collect();
    ids.sort_by(|&a, &b| {
        score[b]
            .cmp(&score[a])
            .then(mean_offset(a).total_cmp(&mean_offset(b)))
            .then(a.cmp(&b))
    });
    ids.into_iter().map(|s| s as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::log::{Layout, read_from};
    use crate::calibrate::reconstruct::paths;

    #[test]
    fn order_shares_and_a_rework_loop() {
        // Stages first seen in the log as scan, docs; trucks visit docs
        // first. Truck C is sent back from scan to docs once. Truck D,
        // arriving hours later, keeps the log open long enough that every
        // complete trip had time to finish (the rule of `estimate`).
        let text = "truck,time,event,stage
A,2025-03-10T08:00,arrive,
A,2025-03-10T08:30,start,scan
A,2025-03-10T08:40,end,scan
A,2025-03-10T08:50,depart,
A,2025-03-10T08:05,start,docs
A,2025-03-10T08:10,end,docs
B,2025-03-10T09:00,arrive,
B,2025-03-10T09:05,start,docs
B,2025-03-10T09:10,end,docs
B,2025-03-10T09:20,depart,
C,2025-03-10T10:00,arrive,
C,2025-03-10T10:05,start,docs
C,2025-03-10T10:10,end,docs
C,2025-03-10T10:15,start,scan
C,2025-03-10T10:20,end,scan
C,2025-03-10T10:25,start,docs
C,2025-03-10T10:30,end,docs
C,2025-03-10T10:35,start,scan
C,2025-03-10T10:40,end,scan
C,2025-03-10T10:45,depart,
D,2025-03-10T14:00,arrive,
";
        let log = read_from(
            std::path::Path::new("t.csv"),
            text.as_bytes(),
            &Layout::plain(),
        )
        .unwrap();
        let p = paths(&log);
        let r = estimate(&log, &p);
        let names: Vec<&str> = r.stages.iter().map(|s| log.stages.name(s.stage)).collect();
        assert_eq!(names, ["docs", "scan"]);
        assert_eq!(r.trips, 3);
        assert_eq!(r.stages[0].share.mean, 1.0);
        assert!((r.stages[1].share.mean - 2.0 / 3.0).abs() < 1e-12);
        assert!(r.stages[0].rework.is_none());
        let rw = r.stages[1].rework.as_ref().unwrap();
        // One step back out of three scan services.
        assert!((rw.probability.mean - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((rw.to, rw.to_name.as_str()), (0, "docs"));
    }
}
