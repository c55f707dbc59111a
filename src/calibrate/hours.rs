//! Opening hours of a stage (`open`, `days`) from when its services start.
//!
//! **The rule.** An hour of the week (Monday 08:00–09:00, …) is *closed*
//! when, in some week of the log, a truck waited for the stage while no
//! service was in progress there (a free lane and a waiting truck not
//! served; a wait counts from one time-resolution after it began, so that
//! rounding makes none), and in no week did a service start in that hour.
//! Every other hour is open: an hour without a start and without that
//! evidence cannot have been closed in a way that held a truck up. An hour
//! the window never reaches is open when the same hour is open on most
//! weekdays it does reach. A
//! stage open in every hour of every day works round the clock and gets no
//! `open` or `days`. Otherwise `days` are the weekdays with any open hour
//! and `open` the hour ranges open on them (whole hours, never wrapping
//! past midnight: a night shift reads as `00:00-06:00` and `22:00-24:00`).
//! When the open days do not all share the same hours, `open` is the
//! hours most of them keep and a warning names the days that differ (a
//! scenario's stage has one set of hours for all its days; a log that
//! ends in the evening leaves its last day without the evidence of the
//! night, which is why the common hours win over their union).
//!
//! Hours come out to the hour: a stage opening at 10:30 reads as open
//! from 10:00. A stage closed at hours when no truck ever needed it reads
//! as open then (nothing in the log says otherwise, and nothing in a
//! simulation of it changes); the report shows the hours and `--set
//! stages.NAME.open=…` puts them right.

#![allow(
    clippy::needless_range_loop,
    reason = "a week is a grid of weekday and hour, read and written by both indices"
)]

use super::arrivals::each_hour;
use super::log::time::{HOUR, WEEKDAYS, hour, weekday};
use super::reconstruct::{Paths, VisitKind};

/// The opening hours of one stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours {
    /// Open hours of the week, Monday first.
    pub slots: [[bool; 24]; 7],
    /// `open` ranges ("08:00-20:00"), `None` round the clock.
    pub open: Option<Vec<String>>,
    /// `days`, `None` when every day is open.
    pub days: Option<Vec<&'static str>>,
    /// What a reader should know.
    pub warning: Option<String>,
}

impl Hours {
    /// Whether the stage works round the clock.
    pub fn round_the_clock(&self) -> bool {
        self.open.is_none() && self.days.is_none()
    }

    /// Whether hour `h` of weekday `d` is open.
    pub fn is_open(&self, d: usize, h: usize) -> bool {
        self.slots[d][h]
    }
}

/// Estimates the hours of stage `stage` (named `name` in warnings) in a
/// log of time resolution `resolution_s`.
pub fn estimate(paths: &Paths, stage: u32, name: &str, resolution_s: i64) -> Hours {
    let mut started = [[false; 24]; 7];
    // (time, is_wait, delta): the services in progress and the trucks
    // waiting (a wait counted from one resolution after it began, so that
    // rounding makes none).
    let mut events: Vec<(i64, bool, i32)> = Vec::new();
    let least_wait = if resolution_s > 1 { resolution_s } else { 0 };
    for v in paths.visits.iter().filter(|v| v.stage == stage) {
        if v.started() {
            started[weekday(v.start)][hour(v.start)] = true;
            if let Some(r) = v.ready
                && v.start - r > least_wait
            {
                events.push((r + least_wait, true, 1));
                events.push((v.start, true, -1));
            }
        }
        if matches!(
            v.kind,
            VisitKind::Done | VisitKind::RunningAtStart | VisitKind::RunningAtEnd
        ) {
            events.push((v.start, false, 1));
            events.push((v.end, false, -1));
        }
    }
    events.sort_unstable();
    // Hours in which a truck waited while no service was in progress.
    let mut closed = [[false; 24]; 7];
    let (mut c, mut w, mut prev) = (0i64, 0i64, paths.start);
    let mut mark = |from: i64, to: i64| {
        let mut t = from - from.rem_euclid(HOUR);
        let mut n = 0;
        while t < to && n <= 168 {
            closed[weekday(t)][hour(t)] = true;
            t += HOUR;
            n += 1;
        }
    };
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        if c == 0 && w > 0 && t > prev {
            mark(prev, t);
        }
        while i < events.len() && events[i].0 == t {
            let (_, wait, delta) = events[i];
            if wait {
                w += i64::from(delta);
            } else {
                c += i64::from(delta);
            }
            i += 1;
        }
        prev = t;
    }
    let mut exposed = [[false; 24]; 7];
    each_hour(paths.start, paths.end.max(paths.start + 1), |t, _| {
        exposed[weekday(t)][hour(t)] = true;
    });
    let open = |d: usize, h: usize| started[d][h] || !closed[d][h];
    let mut slots = [[true; 24]; 7];
    for d in 0..7 {
        for h in 0..24 {
            slots[d][h] = if exposed[d][h] {
                open(d, h)
            } else {
                let seen = (0..7).filter(|&o| exposed[o][h]).count();
                let open_on = (0..7).filter(|&o| exposed[o][h] && open(o, h)).count();
                seen == 0 || 2 * open_on > seen
            };
        }
    }
    from_slots(slots, name)
}

/// `open` and `days` for a week of open hours.
pub fn from_slots(slots: [[bool; 24]; 7], name: &str) -> Hours {
    if slots.iter().all(|d| d.iter().all(|&o| o)) {
        return Hours {
            slots,
            open: None,
            days: None,
            warning: None,
        };
    }
    let open_days: Vec<usize> = (0..7).filter(|&d| slots[d].iter().any(|&o| o)).collect();
    // The hours most open days keep (the earliest such day's on a tie).
    let common = open_days
        .iter()
        .map(|&d| slots[d])
        .max_by_key(|p| {
            let days = open_days.iter().filter(|&&o| slots[o] == *p).count();
            let first = open_days.iter().position(|&o| slots[o] == *p).unwrap_or(0);
            (days, std::cmp::Reverse(first))
        })
        .unwrap_or([true; 24]);
    let differ: Vec<&str> = open_days
        .iter()
        .filter(|&&d| slots[d] != common)
        .map(|&d| WEEKDAYS[d])
        .collect();
    let open = ranges(&common);
    let warning = (!differ.is_empty()).then(|| {
        format!(
            "stage `{name}` keeps other hours on {} than on its other open days; its hours are written as those most of its days keep, {}",
            differ.join(", "),
            open.join(", ")
        )
    });
    Hours {
        slots,
        open: Some(open),
        days: (open_days.len() < 7).then(|| open_days.iter().map(|&d| WEEKDAYS[d]).collect()),
        warning,
    }
}

/// Runs of open hours as "HH:00-HH:00".
fn ranges(open: &[bool; 24]) -> Vec<String> {
    let mut out = Vec::new();
    let mut h = 0;
    while h < 24 {
        if open[h] {
            let from = h;
            while h < 24 && open[h] {
                h += 1;
            }
            out.push(format!("{from:02}:00-{h:02}:00"));
        } else {
            h += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_hours_and_round_the_clock() {
        let mut slots = [[false; 24]; 7];
        for d in 0..5 {
            for h in 8..20 {
                slots[d][h] = true;
            }
        }
        let h = from_slots(slots, "docs");
        assert_eq!(h.open, Some(vec!["08:00-20:00".to_owned()]));
        assert_eq!(h.days, Some(vec!["mon", "tue", "wed", "thu", "fri"]));
        assert_eq!(h.warning, None);
        slots[5][8] = true;
        let h = from_slots(slots, "docs");
        assert!(h.warning.unwrap().contains("sat"));
        let all = from_slots([[true; 24]; 7], "docs");
        assert!(all.round_the_clock());
        let mut night = [[true; 24]; 7];
        for d in &mut night {
            for h in 6..22 {
                d[h] = false;
            }
        }
        let h = from_slots(night, "x");
        assert_eq!(
            h.open,
            Some(vec!["00:00-06:00".to_owned(), "22:00-24:00".to_owned()])
        );
        assert_eq!(h.days, None);
    }
}
