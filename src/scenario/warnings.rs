//! A quick look at whether a scenario can cope with its demand, before
//! simulating it.
//!
//! A stage whose offered load (visits per day × mean service time) exceeds
//! the lane-hours it has per day cannot reach a steady state: its queue
//! grows for the whole run and the results depend on the horizon. Such a
//! scenario is legal (it may be exactly what a planner wants to show), so
//! this is a warning, not an error. The estimate is deliberately simple:
//! weekly means of demand and capacity, visit shares weighted by class
//! shares, and rework counted as `1 / (1 − p)` extra visits to every stage
//! inside the loop.

use super::types::{Arrivals, Lanes, NoSlot, Scenario, Stage};
use crate::engine::time::{DAY, HOUR, WEEK};

/// One message per stage whose weekly mean load exceeds its capacity, or
/// whose visits exceed its daily limit, after the warnings about how the
/// files were merged (`Scenario::patch_warnings`); empty when everything
/// fits.
pub fn load_warnings(s: &Scenario) -> Vec<String> {
    let per_day = arrivals_per_day(&s.arrivals);
    let mut warnings = s.patch_warnings.clone();
    warnings.extend(booking_warning(s, per_day));
    let per_truck = visits_per_truck(s);
    for (stage, per_truck) in s.stages.iter().zip(&per_truck) {
        let visits = per_day * per_truck;
        warnings.extend(capacity_warning(s, stage, visits));
        warnings.extend(limit_warning(s, stage, visits));
    }
    warnings.extend(pool_warnings(s, per_day, &per_truck));
    warnings
}

/// A shared pool whose stages together want more lane-hours than it has.
fn pool_warnings(s: &Scenario, per_day: f64, per_truck: &[f64]) -> Vec<String> {
    s.pools
        .iter()
        .enumerate()
        .filter_map(|(i, pool)| {
            let offered: f64 = s
                .stages
                .iter()
                .zip(per_truck)
                .filter(|(st, _)| matches!(st.lanes, Lanes::Pool(p) if p == i))
                .map(|(st, v)| {
                    per_day * v * st.service.sampler().map_or(0.0, |x| x.mean()) / HOUR as f64
                })
                .sum();
            let capacity = pool.lanes.weekly_mean() * 24.0;
            (offered > capacity && offered > 0.0).then(|| {
                format!(
                    "pool `{}`: its stages' offered load {offered:.1} lane-hours/day exceeds its capacity {capacity:.1} lane-hours/day; {}",
                    pool.name,
                    consequence(s)
                )
            })
        })
        .collect()
}

/// Booked demand above what the slots hold: the surplus books further and
/// further ahead, up to `max_lead`, and then walks in or is turned away.
fn booking_warning(s: &Scenario, per_day: f64) -> Option<String> {
    let a = s.appointments.as_ref()?;
    let wanted = per_day * a.share;
    // The capacity calendar holds trucks per slot at each slot's start.
    let held = a.capacity.integral(0, WEEK) as f64 / a.slot.max(1) as f64 / 7.0;
    let open = a.capacity.map_values(|c| u32::from(c > 0));
    let slots_per_day = open.integral(0, WEEK) as f64 / a.slot.max(1) as f64 / 7.0;
    if wanted <= held {
        return None;
    }
    let then = match a.no_slot {
        NoSlot::WalkIn => "walks in without a slot",
        NoSlot::TurnAway => "is turned away",
    };
    Some(format!(
        "appointments: ~{wanted:.0} trucks/day want a slot but the slots hold ~{held:.0}/day (~{slots_per_day:.0} slots of {} a day while the gate is open); the surplus books further ahead, up to {} (max_lead), and then {then}",
        crate::engine::time::format_span(a.slot),
        crate::engine::time::format_span(a.max_lead),
    ))
}

/// Expected visits to each stage per truck that reaches the port: its
/// visit probability over the class mix, times the rework loops through it.
pub fn visits_per_truck(s: &Scenario) -> Vec<f64> {
    s.stages
        .iter()
        .enumerate()
        .zip(rework_factors(&s.stages))
        .map(|((i, stage), factor)| visit_probability(s, i, stage) * factor)
        .collect()
}

/// Expected visits to each stage per truck of each class (`[class][stage]`):
/// the stage's share for the class (none if its route leaves the stage
/// out), times the rework loops through it. A stage's demand is the sum
/// over classes of the trucks that stayed times these.
pub fn visits_per_truck_by_class(s: &Scenario) -> Vec<Vec<f64>> {
    let factors = rework_factors(&s.stages);
    (0..s.classes.len())
        .map(|c| {
            let route = s.classes[c].route.as_ref();
            s.stages
                .iter()
                .enumerate()
                .zip(&factors)
                .map(|((i, stage), factor)| {
                    if route.is_none_or(|r| r.contains(&i)) {
                        stage.share[c] * factor
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}

/// What happens to the excess at an overloaded stage, in the words of the
/// port's bounds and of the trucks' tolerance and patience (trucks that
/// all divert or give up never queue without limit).
fn consequence(s: &Scenario) -> &'static str {
    if s.classes
        .iter()
        .all(|c| c.tolerance.is_some() || c.patience.is_some())
    {
        return "queues will grow until trucks divert or give up waiting (their tolerance and patience); a stage behind a tighter one sees only the trucks that get through";
    }
    match s.port.road_queue {
        Some(_) => "queues will grow until the road queue is full, then trucks are turned away",
        None => "its queue will grow without limit over the run (the road queue is unbounded)",
    }
}

/// Mean arrivals per day over a week.
fn arrivals_per_day(arrivals: &Arrivals) -> f64 {
    match arrivals {
        Arrivals::Poisson {
            per_day,
            hourly,
            daily,
            ..
        } => {
            let hourly_mean = hourly.iter().sum::<f64>() / 24.0;
            let daily_mean = daily.iter().sum::<f64>() / 7.0;
            per_day * hourly_mean * daily_mean
        }
        Arrivals::Renewal { interarrival } => match interarrival.sampler() {
            Ok(sampler) if sampler.mean() > 0.0 => DAY as f64 / sampler.mean(),
            _ => 0.0,
        },
    }
}

/// Probability that a truck visits `stage` (at `index`), over the class
/// mix; a class whose route leaves it out does not visit it.
fn visit_probability(s: &Scenario, index: usize, stage: &Stage) -> f64 {
    s.classes
        .iter()
        .zip(&stage.share)
        .filter(|(class, _)| class.route.as_ref().is_none_or(|r| r.contains(&index)))
        .map(|(class, share)| class.share * share)
        .sum()
}

/// Extra visits from rework: a loop from stage `i` back to `j` multiplies
/// the visits of stages `j..=i` by `1 / (1 − p)`.
fn rework_factors(stages: &[Stage]) -> Vec<f64> {
    let mut factors = vec![1.0; stages.len()];
    for (i, stage) in stages.iter().enumerate() {
        if let Some(rework) = &stage.rework {
            let factor = 1.0 / (1.0 - rework.probability);
            for f in &mut factors[rework.to.min(i)..=i] {
                *f *= factor;
            }
        }
    }
    factors
}

fn capacity_warning(s: &Scenario, stage: &Stage, visits: f64) -> Option<String> {
    let service_hours = stage.service.sampler().map_or(0.0, |s| s.mean()) / HOUR as f64;
    let offered = visits * service_hours;
    let Some(lanes) = stage.own_lanes() else {
        // Unlimited lanes never queue; a pool's load is judged over its
        // stages together (see `pool_warnings`).
        return None;
    };
    let capacity = lanes.weekly_mean() * 24.0;
    if offered <= capacity || offered <= 0.0 {
        return None;
    }
    let percent = if capacity > 0.0 {
        format!(" ({:.0}%)", offered / capacity * 100.0)
    } else {
        String::new()
    };
    Some(format!(
        "stage `{}`: offered load {offered:.1} lane-hours/day exceeds capacity {capacity:.1} lane-hours/day{percent}; {}",
        stage.name,
        consequence(s)
    ))
}

fn limit_warning(s: &Scenario, stage: &Stage, visits: f64) -> Option<String> {
    let limit = f64::from(stage.daily_limit?);
    (visits > limit).then(|| {
        format!(
            "stage `{}`: {visits:.0} visits/day exceed the daily limit of {limit}; {}",
            stage.name,
            consequence(s)
        )
    })
}
