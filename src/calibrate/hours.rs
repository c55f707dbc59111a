//! Opening hours of a stage (`open`, `days`) from when its services start.
//!
//! **The rule.** An hour of the week (Monday 08:00–09:00, …) is open when
//! at least one service at the stage started in it somewhere in the
//! log's window; an hour the window never reaches takes the same hour of
//! the other weekdays (open if any is). A stage open in every hour of
//! every day works round the clock and gets no `open` or `days`.
//! Otherwise `days` are the weekdays with any open hour and `open` the
//! hour ranges open on them (whole hours, never wrapping past midnight:
//! a night shift reads as `00:00-06:00` and `22:00-24:00`). When the open
//! days do not all share the same hours, `open` is their union and a
//! warning names the days that differ (a scenario's stage has one set of
//! hours for all its days).
//!
//! Hours come out to the hour: a stage opening at 10:30 reads as open
//! from 10:00. An hour in which the stage was open but no truck ever
//! started (a quiet night at a round-the-clock stage) reads as closed;
//! the report shows the hours and a `--set stages.NAME.open=…` puts them
//! right.

use super::arrivals::each_hour;
use super::log::time::{WEEKDAYS, hour, weekday};
use super::reconstruct::Paths;

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

/// Estimates the hours of stage `stage` (named `name` in warnings).
pub fn estimate(paths: &Paths, stage: u32, name: &str) -> Hours {
    let mut started = [[false; 24]; 7];
    for v in paths
        .visits
        .iter()
        .filter(|v| v.stage == stage && v.started())
    {
        started[weekday(v.start)][hour(v.start)] = true;
    }
    let mut exposed = [[false; 24]; 7];
    each_hour(paths.start, paths.end.max(paths.start + 1), |t, _| {
        exposed[weekday(t)][hour(t)] = true;
    });
    let mut slots = started;
    for d in 0..7 {
        for h in 0..24 {
            if !exposed[d][h] {
                slots[d][h] = (0..7).any(|o| exposed[o][h] && started[o][h]);
            }
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
    let mut union = [false; 24];
    for &d in &open_days {
        for h in 0..24 {
            union[h] |= slots[d][h];
        }
    }
    let differ: Vec<&str> = open_days
        .iter()
        .filter(|&&d| slots[d] != union)
        .map(|&d| WEEKDAYS[d])
        .collect();
    let open = ranges(&union);
    let warning = (!differ.is_empty()).then(|| {
        format!(
            "stage `{name}` keeps other hours on {} than on its other open days; its hours are written as their union, {}",
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
