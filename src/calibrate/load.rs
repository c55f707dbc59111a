//! Can each stage keep up? The offered load of every calibrated stage, and
//! the state the log found the port in when it opened.
//!
//! A port whose stage cannot keep up with its trucks has no steady state:
//! its queue grows for as long as the log runs. The usual way to start a
//! calibrated scenario, a warm-up of weeks that fills the port "as the log
//! found it", then fills it far beyond what the log saw (a queue weeks
//! longer than the log's), and the validation blames the parameters for
//! what is the warm-up's doing. So the load is computed first, from the
//! calibrated numbers alone:
//!
//! * a stage's **demand** is the trucks it serves a week: arrivals a day ×
//!   7 × its share, divided by (1 − p) for every rework loop of
//!   probability p that passes through it;
//! * its **capacity** is its lanes in every open hour of the week (the
//!   written lanes or shift table, the estimated hours) × 3,600 s over its
//!   fitted mean service time;
//! * its load ρ is demand over capacity; at ρ ≥ 1 it cannot keep up.
//!
//! When a stage cannot keep up, the scenario starts from the trucks the
//! log found inside instead of a warm-up: each truck inside at the
//! opening is counted where its first row places it (a `start` at a stage:
//! queued there; an `end`: in service there), with no age (the log does
//! not say when they came), as the count form of `[initial]`.

use super::StageCalibration;
use super::arrivals::Arrivals;
use super::log::row::Event;
use super::reconstruct::Paths;

/// The load of one stage over a week.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageLoad {
    /// Services needed a week.
    pub demand_per_week: f64,
    /// Services its open lanes can give a week.
    pub capacity_per_week: f64,
}

impl StageLoad {
    /// Demand over capacity (infinite without capacity).
    pub fn rho(&self) -> f64 {
        if self.capacity_per_week > 0.0 {
            self.demand_per_week / self.capacity_per_week
        } else if self.demand_per_week > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// Whether the stage cannot keep up (ρ ≥ 1).
    pub fn overloaded(&self) -> bool {
        self.rho() >= 1.0
    }
}

/// The load of every stage, in the order of `stages`.
pub fn loads(arrivals: &Arrivals, stages: &[StageCalibration]) -> Vec<StageLoad> {
    // Visits per truck: the share, and 1 / (1 − p) for every rework loop
    // from a stage back to `to` that covers this one.
    let mut repeat = vec![1.0; stages.len()];
    for (i, s) in stages.iter().enumerate() {
        if let Some(r) = &s.routing.rework {
            let p = r.probability.mean;
            if p.is_finite() && (0.0..1.0).contains(&p) {
                for f in repeat.iter_mut().take(i + 1).skip(r.to) {
                    *f /= 1.0 - p;
                }
            }
        }
    }
    stages
        .iter()
        .zip(repeat)
        .map(|(s, f)| {
            let share = s.routing.share.mean;
            let share = if share.is_finite() { share } else { 0.0 };
            let demand_per_week = arrivals.per_day.mean.max(0.0) * 7.0 * share * f;
            let mean = s.service.chosen().mean_s;
            let lane_hours: u64 = s
                .lanes
                .lanes
                .iter()
                .zip(&s.hours.slots)
                .flat_map(|(l, o)| l.iter().zip(o))
                .filter(|&(_, &open)| open)
                .map(|(&n, _)| u64::from(n))
                .sum();
            let capacity_per_week = if mean > 0.0 {
                lane_hours as f64 * 3600.0 / mean
            } else {
                f64::INFINITY
            };
            StageLoad {
                demand_per_week,
                capacity_per_week,
            }
        })
        .collect()
}

/// Where the trucks inside at the log's opening were, per stage (in the
/// order of `stages`, by their ids in the log): `(queued, in_service)`.
pub fn at_opening(paths: &Paths, order: &[u32]) -> Vec<(u32, u32)> {
    let mut at = vec![(0u32, 0u32); order.len()];
    for t in paths.trips.iter().filter(|t| t.inside_at_start) {
        let (event, stage) = t.first_kind;
        let Some(i) = order.iter().position(|&s| s == stage) else {
            continue;
        };
        match event {
            Event::Start => at[i].0 += 1,
            Event::End => at[i].1 += 1,
            _ => {}
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rho_is_demand_over_capacity_and_one_is_overloaded() {
        let l = StageLoad {
            demand_per_week: 1260.0,
            capacity_per_week: 1008.0,
        };
        assert!((l.rho() - 1.25).abs() < 1e-12);
        assert!(l.overloaded());
        let l = StageLoad {
            demand_per_week: 1000.0,
            capacity_per_week: 1000.0,
        };
        assert!(l.overloaded());
        let l = StageLoad {
            demand_per_week: 999.0,
            capacity_per_week: 1000.0,
        };
        assert!(!l.overloaded());
        let closed = StageLoad {
            demand_per_week: 5.0,
            capacity_per_week: 0.0,
        };
        assert!(closed.rho().is_infinite() && closed.overloaded());
    }
}
