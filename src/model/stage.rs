//! One clearance stage during a run: its lanes, its random sources, what it
//! measures, and how much it could have served.
//!
//! A stage's lanes are a [`Pool`] whose capacity follows the stage's
//! calendar. A daily limit does not take lanes off duty: once reached, the
//! pool is *held* until midnight, so the lanes count as on duty but idle and
//! the stage is reported as bound by its limit rather than as short of
//! lanes.

use crate::engine::dist::{DistError, Sampler};
use crate::engine::pool::Pool;
use crate::engine::stats::DurationStats;
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, SECOND, Time};
use crate::scenario::Stage as Spec;

/// A stage's state in one replication.
pub(super) struct Stage {
    pub pool: Pool<u32>,
    pub service: Sampler,
    pub service_rng: Rng,
    pub routing_rng: Rng,
    pub rework_rng: Rng,
    /// Waits of the services started in the window.
    pub wait: DurationStats,
    /// Visits completed in the window.
    pub visits: u64,
    /// Trucks that joined the queue in the window.
    pub joins: u64,
    /// Service starts since midnight.
    pub started_today: u32,
    /// Days of the window on which the limit was reached.
    pub limit_days: u64,
    /// Trucks waiting when a hold was lifted at midnight (held over).
    pub held_over: u64,
    /// Trucks at the stage when the window opened.
    pub present_start: u64,
}

impl Stage {
    /// A stage built from its validated spec, with its named streams.
    pub fn new(spec: &Spec, streams: &Streams) -> Result<Stage, DistError> {
        Ok(Stage {
            pool: Pool::new(0, spec.discipline, 0),
            service: spec.service.sampler()?,
            service_rng: streams.stream(&format!("service/{}", spec.name)),
            routing_rng: streams.stream(&format!("routing/{}", spec.name)),
            rework_rng: streams.stream(&format!("rework/{}", spec.name)),
            wait: DurationStats::new(SECOND),
            visits: 0,
            joins: 0,
            started_today: 0,
            limit_days: 0,
            held_over: 0,
            present_start: 0,
        })
    }

    /// Trucks at the stage: waiting or being served.
    pub fn present(&self) -> u64 {
        self.pool.waiting() as u64 + u64::from(self.pool.busy())
    }
}

/// The most visits `spec` could serve over `[from, to)` at its mean service
/// time: on-duty lane-time over the mean service, day by day, and no more
/// than the daily limit on any day (pro rata on a part day). Returns that
/// capacity and whether the limit, not the lanes, bounds it.
pub(super) fn capacity(spec: &Spec, mean_service: f64, from: Time, to: Time) -> (f64, bool) {
    if to <= from {
        return (0.0, false);
    }
    if mean_service <= 0.0 {
        return (f64::INFINITY, false);
    }
    let (mut lanes, mut capped) = (0.0, 0.0);
    let mut day_start = from - from % DAY;
    while day_start < to {
        let (a, b) = (day_start.max(from), (day_start + DAY).min(to));
        let by_lanes = spec.capacity.integral(a, b) as f64 / mean_service;
        let by_limit = spec.daily_limit.map_or(f64::INFINITY, |l| {
            f64::from(l) * (b - a) as f64 / DAY as f64
        });
        lanes += by_lanes;
        capped += by_lanes.min(by_limit);
        day_start += DAY;
    }
    (capped, capped < lanes * (1.0 - 1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::calendar::WeeklyCalendar;
    use crate::engine::dist::Dist;
    use crate::engine::pool::Discipline;
    use crate::engine::time::{HOUR, MINUTE};

    fn spec(lanes: u32, limit: Option<u32>) -> Spec {
        Spec {
            name: "s".into(),
            capacity: WeeklyCalendar::constant(lanes),
            service: Dist::Deterministic {
                value: (10 * MINUTE) as f64,
            },
            share: vec![1.0],
            fee: 0.0,
            discipline: Discipline::Fifo,
            rework: None,
            daily_limit: limit,
        }
    }

    #[test]
    fn capacity_is_lane_time_over_service_within_the_limit() {
        let m = (10 * MINUTE) as f64;
        // 2 lanes × 24 h / 10 min = 288 visits a day.
        assert_eq!(capacity(&spec(2, None), m, 0, 2 * DAY), (576.0, false));
        // A limit of 100 a day binds.
        assert_eq!(capacity(&spec(2, Some(100)), m, 0, 2 * DAY), (200.0, true));
        // A limit above the lanes' pace does not.
        assert_eq!(capacity(&spec(2, Some(500)), m, 0, DAY), (288.0, false));
        // Half a day: half of everything.
        assert_eq!(
            capacity(&spec(2, Some(100)), m, 12 * HOUR, DAY),
            (50.0, true)
        );
    }
}
