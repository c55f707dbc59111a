//! One clearance stage during a run: its random sources, what it measures,
//! how much it could have served, and the lanes it draws on.
//!
//! A stage's lanes are a *resource*: a [`Pool`] whose capacity follows a
//! calendar. A stage with its own lanes has a resource of its own; stages
//! that share a pool (`pool = "scanner"`) draw on one resource with one
//! queue, first come first served across them; a stage with unlimited
//! lanes has a resource that never runs out. A daily limit does not take
//! lanes off duty: once reached, the stage's own resource is *held* until
//! midnight, so the lanes count as on duty but idle and the stage reads as
//! bound by its limit rather than short of lanes.

use crate::engine::calendar::Calendar;
use crate::engine::dist::DistError;
use crate::engine::draws::{Draws, Uniforms};
use crate::engine::pool::{Discipline, Pool};
use crate::engine::stats::DurationStats;
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, SECOND, Time};
use crate::scenario::{Lanes, Scenario, Stage as Spec};

/// Lanes that one or more stages draw on.
pub(super) struct Resource {
    pub pool: Pool<u32>,
    /// The calendar its capacity follows; `None` for unlimited lanes.
    pub calendar: Option<Calendar>,
    /// Whether it has as many lanes as there are trucks.
    pub unlimited: bool,
}

impl Resource {
    /// The resources of `scenario`: one per pool, then one per stage that
    /// does not draw on a pool. Returns them and each stage's resource.
    pub fn all(scenario: &Scenario) -> (Vec<Resource>, Vec<usize>) {
        let mut resources: Vec<Resource> = scenario
            .pools
            .iter()
            .map(|p| Resource {
                pool: Pool::new(0, p.discipline, 0),
                calendar: Some(p.lanes.clone()),
                unlimited: false,
            })
            .collect();
        let mut of_stage = Vec::with_capacity(scenario.stages.len());
        for stage in &scenario.stages {
            match &stage.lanes {
                Lanes::Pool(i) => of_stage.push(*i),
                Lanes::Own(calendar) => {
                    of_stage.push(resources.len());
                    resources.push(Resource {
                        pool: Pool::new(0, stage.discipline, 0),
                        calendar: Some(calendar.clone()),
                        unlimited: false,
                    });
                }
                Lanes::Unlimited => {
                    of_stage.push(resources.len());
                    resources.push(Resource {
                        pool: Pool::new(u32::MAX, Discipline::Fifo, 0),
                        calendar: None,
                        unlimited: true,
                    });
                }
            }
        }
        (resources, of_stage)
    }

    /// Whether a truck offered now would start at once.
    pub fn would_start(&self) -> bool {
        self.pool.would_start()
    }
}

/// A stage's state in one replication.
pub(super) struct Stage {
    /// Its resource (index into the port's resources).
    pub resource: usize,
    /// Service times, drawn ahead in batches from the stage's own stream
    /// (the same values in the same order as one at a time).
    pub service: Draws,
    /// The mean service time, in ticks.
    pub mean_service: f64,
    /// Routing draws (one per truck), batched.
    pub routing: Uniforms,
    pub rework_rng: Rng,
    /// Waits of the services started in the window.
    pub wait: DurationStats,
    /// Visits completed in the window.
    pub visits: u64,
    /// Trucks that joined the queue in the window.
    pub joins: u64,
    /// Service time started in the window, in ticks (its share of a pool).
    pub busy: u128,
    /// Trucks at the stage (waiting or served).
    pub here: u64,
    /// Trucks being served at the stage now.
    pub serving: u64,
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
    pub fn new(spec: &Spec, resource: usize, streams: &Streams) -> Result<Stage, DistError> {
        let sampler = spec.service.sampler()?;
        Ok(Stage {
            resource,
            mean_service: sampler.mean(),
            service: Draws::new(sampler, streams.stream(&format!("service/{}", spec.name))),
            routing: Uniforms::new(streams.stream(&format!("routing/{}", spec.name))),
            rework_rng: streams.stream(&format!("rework/{}", spec.name)),
            wait: DurationStats::new(SECOND),
            visits: 0,
            joins: 0,
            busy: 0,
            here: 0,
            serving: 0,
            started_today: 0,
            limit_days: 0,
            held_over: 0,
            present_start: 0,
        })
    }
}

/// The most visits a stage on `lanes` could serve over `[from, to)` at its
/// mean service time: on-duty lane-time over the mean service, day by day,
/// and no more than `daily_limit` on any day (pro rata on a part day).
/// Returns that capacity and whether the limit, not the lanes, bounds it.
/// Unlimited lanes have unlimited capacity.
pub(super) fn capacity(
    lanes: Option<&Calendar>,
    daily_limit: Option<u32>,
    mean_service: f64,
    from: Time,
    to: Time,
) -> (f64, bool) {
    if to <= from {
        return (0.0, false);
    }
    let Some(lanes) = lanes else {
        return (f64::INFINITY, false);
    };
    if mean_service <= 0.0 {
        return (f64::INFINITY, false);
    }
    let (mut by_lanes_total, mut capped) = (0.0, 0.0);
    let mut day_start = from - from % DAY;
    while day_start < to {
        let (a, b) = (day_start.max(from), (day_start + DAY).min(to));
        let by_lanes = lanes.integral(a, b) as f64 / mean_service;
        let by_limit = daily_limit.map_or(f64::INFINITY, |l| {
            f64::from(l) * (b - a) as f64 / DAY as f64
        });
        by_lanes_total += by_lanes;
        capped += by_lanes.min(by_limit);
        day_start += DAY;
    }
    (capped, capped < by_lanes_total * (1.0 - 1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::{HOUR, MINUTE};

    #[test]
    fn capacity_is_lane_time_over_service_within_the_limit() {
        let m = (10 * MINUTE) as f64;
        let two = Calendar::constant(2);
        // 2 lanes × 24 h / 10 min = 288 visits a day.
        assert_eq!(capacity(Some(&two), None, m, 0, 2 * DAY), (576.0, false));
        // A limit of 100 a day binds.
        assert_eq!(
            capacity(Some(&two), Some(100), m, 0, 2 * DAY),
            (200.0, true)
        );
        // A limit above the lanes' pace does not.
        assert_eq!(capacity(Some(&two), Some(500), m, 0, DAY), (288.0, false));
        // Half a day: half of everything.
        assert_eq!(
            capacity(Some(&two), Some(100), m, 12 * HOUR, DAY),
            (50.0, true)
        );
        // A closed day serves nothing.
        let closed = Calendar::constant(2).closed_over([(DAY, 2 * DAY)]);
        assert_eq!(capacity(Some(&closed), None, m, 0, 2 * DAY), (288.0, false));
        assert_eq!(capacity(None, None, m, 0, DAY).0, f64::INFINITY);
    }
}
