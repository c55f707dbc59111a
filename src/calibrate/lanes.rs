//! Lanes: how many services a stage runs at once, as a count or a shift
//! table.
//!
//! A service occupies `[start, end)`: an end and a start in the same
//! minute do not overlap (ends are taken first). A service whose `end`
//! row was lost is left out (its length is unknown), one still running
//! when the log closes counts up to the close, one running when it opened
//! counts from the open. The **peak** is the most services in progress at
//! once anywhere in the window; the peak of each hour of the week is kept
//! too. With a `lane` column the distinct lanes **seen** are counted as
//! well (a desk that served anyone counts, whether or not at the peak).
//!
//! Peaks are lower bounds on the lanes on duty: a lane idle at the busiest
//! moment leaves no trace. The lanes on duty are *seen* only when the
//! stage is saturated: when a service starts while other trucks still
//! wait for the stage (a wait longer than the log's resolution, so that
//! minute rounding makes none), every lane on duty is busy, and the
//! services in progress are the lanes. An hour of the week counts as
//! saturated at *k* lanes when at least 80 % of such starts in it find *k*
//! services in progress (waits that are not for a lane, such as a drive
//! between two stages, give scattered counts and no answer). From those
//! hours, in the stage's open hours, the lanes of hour *h* on weekday *d*
//! are
//! `min(saturated lanes of hour h over all days, saturated lanes of
//! weekday d over all hours)` (a shift pattern by hour of day, capped on
//! weekdays that never reach it); an hour of day never saturated takes
//! the overall peak (capped by its weekday's) and never less than its own
//! peak. When that is the overall
//! peak in every open hour the stage gets a count; otherwise a shift table
//! whose rows cover every hour of every day, closed hours carrying the
//! lanes of the open hour before them, so that the opening hours are said
//! by `open` and `days` alone and opening a stage for longer (`--set
//! stages.NAME.open=…`) finds lanes there.
//!
//! For the report the services in progress are also summed by hour of
//! day ([`InProgress`]): the peak of each hour over the days of the
//! window and the mean (service-hours in progress over hours of window),
//! to be read against the lanes written.

#![allow(
    clippy::needless_range_loop,
    reason = "a week is a grid of weekday and hour, read and written by both indices"
)]

use serde::Serialize;

use super::arrivals::each_hour;
use super::hours::Hours;
use super::log::time::{HOUR, WEEKDAYS, hour, weekday};
use super::reconstruct::{Paths, VisitKind};

/// One row of a shift table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// `"HH:00-HH:00"`.
    pub hours: String,
    /// Lanes on duty.
    pub count: u32,
    /// The weekdays it applies to (`None`: every day).
    pub days: Option<Vec<&'static str>>,
}

/// Services in progress at a stage by hour of day, over the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InProgress {
    /// The most in progress at once in each hour of day, on any day.
    pub peak: [u32; 24],
    /// The mean in progress in each hour of day: service-hours in that
    /// hour of day over the window's hours of that hour of day (0 where
    /// the window has none).
    pub mean: [f64; 24],
}

/// The lanes of one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Lanes {
    /// Peak services in progress at once.
    pub max: u32,
    /// Distinct lanes seen, with a lane column.
    pub seen: Option<u32>,
    /// Peak in each hour of the week, Monday first.
    pub peaks: [[u32; 24]; 7],
    /// Lanes in each hour of the week as written (the shift table's
    /// values, or the count everywhere).
    pub lanes: [[u32; 24]; 7],
    /// The shift table, when lanes differ by hour or weekday.
    pub shifts: Option<Vec<Shift>>,
    /// Services counted in the peak.
    pub services: u64,
    /// Services in progress by hour of day.
    pub by_hour: InProgress,
}

/// Estimates the lanes of stage `stage` with opening hours `hours`, in a
/// log of time resolution `resolution_s`.
pub fn estimate(
    paths: &Paths,
    stage: u32,
    hours: &Hours,
    has_lane: bool,
    resolution_s: i64,
) -> Lanes {
    // (time, order, delta): service ends, waits ending, service starts,
    // waits starting, in that order at the same time.
    let mut events: Vec<(i64, u8, i32)> = Vec::new();
    let mut lanes_seen = std::collections::BTreeSet::new();
    // A wait no longer than the resolution may be rounding.
    let least_wait = if resolution_s > 1 { resolution_s } else { 0 };
    for v in paths.visits.iter().filter(|v| v.stage == stage) {
        if v.lane != super::log::NONE {
            lanes_seen.insert(v.lane);
        }
        match v.kind {
            VisitKind::Done | VisitKind::RunningAtStart | VisitKind::RunningAtEnd => {
                events.push((v.start, 2, 1));
                if v.kind != VisitKind::RunningAtEnd {
                    events.push((v.end, 0, -1));
                }
            }
            VisitKind::EndLost | VisitKind::StartLost => {}
        }
        if v.started()
            && let Some(ready) = v.ready
            && v.start - ready > least_wait
        {
            events.push((ready + least_wait, 3, 1));
            events.push((v.start, 1, -1));
        }
    }
    events.sort_unstable();
    let services = events.iter().filter(|e| e.1 == 2).count() as u64;
    let mut peaks = [[0u32; 24]; 7];
    let mut served = [0f64; 24];
    // The services in progress each time a service started while trucks
    // still waited, by hour of the week.
    let mut saturated: Vec<Vec<u32>> = vec![Vec::new(); 168];
    let (mut c, mut w, mut max) = (0i64, 0i64, 0i64);
    let mut prev = paths.start;
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        note(&mut peaks, prev, t, c);
        spend(&mut served, prev, t, c);
        let mut started = false;
        while i < events.len() && events[i].0 == t {
            let (_, order, delta) = events[i];
            match order {
                0 | 2 => c += i64::from(delta),
                _ => w += i64::from(delta),
            }
            started |= order == 2;
            i += 1;
        }
        max = max.max(c);
        let (d, h) = (weekday(t), hour(t));
        peaks[d][h] = peaks[d][h].max(c.max(0) as u32);
        if started && w > 0 {
            // A service started and trucks still wait: every lane on duty
            // is busy (if waits are for lanes).
            saturated[d * 24 + h].push(c.max(0) as u32);
        }
        prev = t;
    }
    note(&mut peaks, prev, paths.end, c);
    spend(&mut served, prev, paths.end, c);
    let in_hours = in_progress(&peaks, &served, paths.start, paths.end);
    let max = max.max(0) as u32;
    let mut busy: [[Option<u32>; 24]; 7] = [[None; 24]; 7];
    for (slot, values) in saturated.iter().enumerate() {
        busy[slot / 24][slot % 24] = steady(values);
    }
    let lanes = by_hour(&peaks, &busy, hours, max);
    let open = lanes_in_open(&lanes, hours);
    let uniform = open.iter().all(|&l| l == max);
    Lanes {
        max,
        seen: has_lane.then_some(lanes_seen.len() as u32),
        peaks,
        shifts: (!uniform).then(|| table(&lanes)),
        lanes: if uniform {
            [[max.max(1); 24]; 7]
        } else {
            lanes
        },
        services,
        by_hour: in_hours,
    }
}

/// Adds the service-hours of `c` services in progress during `[from, to)`
/// to their hours of day.
fn spend(busy: &mut [f64; 24], from: i64, to: i64, c: i64) {
    if to <= from || c <= 0 {
        return;
    }
    each_hour(from, to, |t, h| busy[hour(t)] += c as f64 * h);
}

/// Peaks and means by hour of day from the week's peaks and the
/// service-hours by hour of day, over the window `[start, end)`.
fn in_progress(peaks: &[[u32; 24]; 7], busy: &[f64; 24], start: i64, end: i64) -> InProgress {
    let mut exposure = [0f64; 24];
    each_hour(start, end, |t, h| exposure[hour(t)] += h);
    let mut out = InProgress {
        peak: [0; 24],
        mean: [0.0; 24],
    };
    for h in 0..24 {
        out.peak[h] = (0..7).map(|d| peaks[d][h]).max().unwrap_or(0);
        if exposure[h] > 0.0 {
            out.mean[h] = busy[h] / exposure[h];
        }
    }
    out
}

/// The value most of `values` take, when at least 80 % of them take it:
/// the lanes of a saturated hour (every start while trucks wait finds the
/// same number of services in progress). Waits that are not for a lane
/// (a drive between two stages) give scattered values and no answer.
fn steady(values: &[u32]) -> Option<u32> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut best = (0usize, 0u32);
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&v| v == sorted[i]).count();
        if j > best.0 {
            best = (j, sorted[i]);
        }
        i += j;
    }
    (best.0 > 0 && best.0 * 5 >= sorted.len() * 4).then_some(best.1)
}

/// Notes that `c` services ran during `[from, to)` in every hour slot it
/// touched.
fn note(peaks: &mut [[u32; 24]; 7], from: i64, to: i64, c: i64) {
    if to <= from || c <= 0 {
        return;
    }
    let hours = ((to - 1) / HOUR - from / HOUR).clamp(0, 168);
    for k in 0..=hours {
        let t = from + k * HOUR;
        let slot = &mut peaks[weekday(t)][hour(t)];
        *slot = (*slot).max(c as u32);
    }
}

fn lanes_in_open(lanes: &[[u32; 24]; 7], hours: &Hours) -> Vec<u32> {
    let mut out = Vec::new();
    for d in 0..7 {
        for h in 0..24 {
            if hours.is_open(d, h) {
                out.push(lanes[d][h]);
            }
        }
    }
    out
}

/// Lanes in each hour of the week by the rule in the module docs.
fn by_hour(
    peaks: &[[u32; 24]; 7],
    busy: &[[Option<u32>; 24]; 7],
    hours: &Hours,
    max: u32,
) -> [[u32; 24]; 7] {
    let mut by_hod: [Option<u32>; 24] = [None; 24];
    let mut by_day: [Option<u32>; 7] = [None; 7];
    for d in 0..7 {
        for h in 0..24 {
            if let Some(b) = busy[d][h]
                && hours.is_open(d, h)
            {
                by_hod[h] = Some(by_hod[h].unwrap_or(0).max(b));
                by_day[d] = Some(by_day[d].unwrap_or(0).max(b));
            }
        }
    }
    let mut lanes = [[0u32; 24]; 7];
    let mut any_open = false;
    for d in 0..7 {
        for h in 0..24 {
            if hours.is_open(d, h) {
                let bound = by_hod[h].unwrap_or(max).min(by_day[d].unwrap_or(max));
                // Without saturation in this hour of day the peak is the
                // only evidence; with it, the peak may hold services
                // carried over from a busier hour before.
                let floor = if by_hod[h].is_some() { 0 } else { peaks[d][h] };
                lanes[d][h] = bound.max(floor).max(1);
                any_open = true;
            }
        }
    }
    if !any_open {
        return [[max.max(1); 24]; 7];
    }
    // Closed hours carry the lanes of the open hour before them.
    for slot in 0..168 {
        let (d, h) = (slot / 24, slot % 24);
        if hours.is_open(d, h) {
            continue;
        }
        let mut k = slot;
        lanes[d][h] = loop {
            k = (k + 167) % 168;
            if hours.is_open(k / 24, k % 24) {
                break lanes[k / 24][k % 24];
            }
        };
    }
    lanes
}

/// A week of lanes as shift rows: weekdays with the same day grouped,
/// each day's runs of equal counts one row.
fn table(lanes: &[[u32; 24]; 7]) -> Vec<Shift> {
    let mut groups: Vec<(Vec<usize>, [u32; 24])> = Vec::new();
    for (d, day) in lanes.iter().enumerate() {
        match groups.iter_mut().find(|(_, l)| l == day) {
            Some((days, _)) => days.push(d),
            None => groups.push((vec![d], *day)),
        }
    }
    let mut rows = Vec::new();
    for (days, day) in groups {
        let days = (days.len() < 7).then(|| days.iter().map(|&d| WEEKDAYS[d]).collect::<Vec<_>>());
        let mut h = 0;
        while h < 24 {
            let from = h;
            while h < 24 && day[h] == day[from] {
                h += 1;
            }
            rows.push(Shift {
                hours: format!("{from:02}:00-{h:02}:00"),
                count: day[from],
                days: days.clone(),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::hours::from_slots;
    use crate::calibrate::log::{Layout, read_from};
    use crate::calibrate::reconstruct::paths;

    fn lanes_of(text: &str, hours: Hours) -> Lanes {
        let log = read_from(
            std::path::Path::new("t.csv"),
            format!("truck,time,event,stage\n{text}").as_bytes(),
            &Layout::plain(),
        )
        .unwrap();
        let p = paths(&log);
        estimate(&p, 0, &hours, false, 60)
    }

    #[test]
    fn an_end_and_a_start_in_the_same_minute_do_not_overlap() {
        let all = from_slots([[true; 24]; 7], "d");
        let l = lanes_of(
            "A,2025-03-10T08:00,start,d\nA,2025-03-10T08:10,end,d\nB,2025-03-10T08:10,start,d\nB,2025-03-10T08:20,end,d\nC,2025-03-10T08:15,start,d\nC,2025-03-10T08:30,end,d\n",
            all.clone(),
        );
        assert_eq!(l.max, 2);
        assert_eq!(l.shifts, None);
        // 08:00 to 08:30 holds 10 + 10 + 15 service-minutes: a mean of
        // 35/30 in progress, a peak of 2.
        assert_eq!(l.by_hour.peak[8], 2);
        assert!(
            (l.by_hour.mean[8] - 35.0 / 30.0).abs() < 1e-12,
            "{:?}",
            l.by_hour
        );
        assert_eq!((l.by_hour.peak[9], l.by_hour.mean[9]), (0, 0.0));
        // A lost end is left out; a service running at the close counts.
        let l = lanes_of(
            "A,2025-03-10T08:00,start,d\nA,2025-03-10T08:05,start,x\nA,2025-03-10T08:06,end,x\nB,2025-03-10T08:01,start,d\nC,2025-03-10T08:02,start,d\n",
            all,
        );
        assert_eq!(l.max, 2);
    }

    #[test]
    fn a_steady_count_is_the_lanes_and_a_scattered_one_is_not() {
        assert_eq!(steady(&[3, 3, 3, 3, 2]), Some(3));
        assert_eq!(steady(&[3, 3, 2, 2, 1]), None);
        assert_eq!(steady(&[]), None);
    }

    #[test]
    fn shifts_cover_every_hour_and_closed_hours_carry_the_last_lanes() {
        let mut peaks = [[0u32; 24]; 7];
        let mut busy = [[None; 24]; 7];
        let mut slots = [[false; 24]; 7];
        for d in 0..7 {
            for h in 8..20 {
                slots[d][h] = true;
                peaks[d][h] = if h < 14 { 3 } else { 2 };
                busy[d][h] = Some(peaks[d][h]);
            }
        }
        let hours = from_slots(slots, "d");
        let lanes = by_hour(&peaks, &busy, &hours, 3);
        assert_eq!(lanes[0][9], 3);
        assert_eq!(lanes[0][15], 2);
        // 20:00 to 08:00 carries the 19:00 lanes.
        assert_eq!(lanes[1][3], 2);
        let rows = table(&lanes);
        let hours: Vec<(&str, u32)> = rows.iter().map(|r| (r.hours.as_str(), r.count)).collect();
        assert_eq!(
            hours,
            [("00:00-08:00", 2), ("08:00-14:00", 3), ("14:00-24:00", 2)]
        );
        assert!(rows.iter().all(|r| r.days.is_none()));
    }
}
