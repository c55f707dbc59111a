//! What the log shows happened, hour by hour: the truth a backtest scores
//! forecasts against, and the history its naive forecast averages.
//!
//! Hour `j` of a series starting at `base` covers `[base + j h, base +
//! (j + 1) h)`. Its arrivals are the trucks whose `arrive` row falls in
//! it, its departures those whose `depart` row does; the trucks at the
//! port and each stage's queue at its end are the state at that time by
//! the same rule a forecast starts from ([`super::state`], every row
//! before the time); the time in port of its arrivals is the mean of
//! `depart − arrive` over those of them whose `depart` row is in the log
//! (NaN when there is none).

use super::state::{Plausible, Seen, Tracks, seen};
use crate::calibrate::log::Event;
use crate::scenario::{Scenario, TruckState};

/// One hour as the log shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Actual {
    /// Trucks that reached the port.
    pub arrivals: f64,
    /// Trucks that left cleared.
    pub departures: f64,
    /// Trucks at the port at the hour's end.
    pub in_port: f64,
    /// Each stage's queue at the hour's end (waiting for it, first
    /// stages included).
    pub queued: Vec<f64>,
    /// The mean time in port of the hour's arrivals, seconds (NaN: none).
    pub time_in_port_s: f64,
}

/// The `n` hours from `base` as the log shows them.
pub fn series(
    tracks: &Tracks,
    scenario: &Scenario,
    plausible: &Plausible,
    base: i64,
    n: usize,
) -> Vec<Actual> {
    const H: i64 = 3_600;
    let stages = scenario.stages.len();
    let mut out = vec![
        Actual {
            arrivals: 0.0,
            departures: 0.0,
            in_port: 0.0,
            queued: vec![0.0; stages],
            time_in_port_s: 0.0,
        };
        n
    ];
    let mut tip_n = vec![0u32; n];
    let hour = |t: i64| (t >= base && t < base + n as i64 * H).then(|| ((t - base) / H) as usize);
    let linger = plausible.longest();
    for (i, range) in tracks.trucks.iter().enumerate() {
        let rows = &tracks.rows[range.clone()];
        let arrive = rows
            .iter()
            .find(|r| r.event == Event::Arrive)
            .map(|r| r.time);
        let leave = rows.iter().find(|r| r.event.leaves());
        let depart = leave.filter(|r| r.event == Event::Depart).map(|r| r.time);
        if let Some(j) = arrive.and_then(hour) {
            out[j].arrivals += 1.0;
            if let (Some(a), Some(d)) = (arrive, depart) {
                out[j].time_in_port_s += (d - a) as f64;
                tip_n[j] += 1;
            }
        }
        if let Some(j) = depart.and_then(hour) {
            out[j].departures += 1.0;
        }
        // The hour ends at which the truck may be in the port.
        let Some(first) = rows.first().map(|r| r.time) else {
            continue;
        };
        let until = leave.map_or_else(|| rows[rows.len() - 1].time + linger + 1, |r| r.time);
        let j0 = ((first - base).div_euclid(H)).max(0) as usize;
        let j1 = (((until - base).div_euclid(H)).max(-1) + 1).min(n as i64) as usize;
        for (j, hour) in out.iter_mut().enumerate().take(j1).skip(j0) {
            let end = base + (j as i64 + 1) * H;
            if let Seen::Here(h) = seen(tracks, i, end, scenario, plausible) {
                hour.in_port += 1.0;
                match (h.state, h.waits_for) {
                    (TruckState::InService(_), _) => {}
                    (_, Some(s)) => hour.queued[s] += 1.0,
                    (TruckState::Queued(s), None) => hour.queued[s] += 1.0,
                    (TruckState::Waiting, None) => {}
                }
            }
        }
    }
    for (a, k) in out.iter_mut().zip(tip_n) {
        a.time_in_port_s = if k == 0 {
            f64::NAN
        } else {
            a.time_in_port_s / f64::from(k)
        };
    }
    out
}
