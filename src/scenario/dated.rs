//! Calendars by date: `[[closures]]` (holidays, works) and
//! `[[demand.seasons]]` (dated demand multipliers).
//!
//! Dates need a dated `start` (`start = "2024-03-01"`), which fixes the
//! calendar day of simulated day 0. A date or inclusive date range becomes
//! the interval of simulated time from its first midnight to the midnight
//! after its last day; the part before day 0 is dropped, and a range wholly
//! before it has no effect. Closures become closed intervals of the
//! calendars they name (`Calendar::closed_over`); seasons become the
//! `(from, to, factor)` list of the Poisson arrivals.

use std::ops::Range;

use super::checks::Issues;
use super::dates;
use super::raw::{DateText, RawClosure, RawSeason, S};
use super::types::{Entrance, Lanes, PoolSpec, Port, Stage};
use crate::engine::time::{DAY, Time};

/// The dates of one `dates` list as inclusive day ranges (days since
/// 1970-01-01), or `None` after recording what is wrong.
fn day_ranges(
    issues: &mut Issues,
    list: &S<Vec<S<DateText>>>,
    start_date: Option<i64>,
    table: &str,
) -> Option<Vec<(i64, i64)>> {
    if list.get_ref().is_empty() {
        issues.at(
            list,
            "the list of `dates` is empty; expected dates like [\"2024-03-08\", \"2024-05-01..2024-05-03\"]",
        );
        return None;
    }
    let mut ok = true;
    let mut ranges = Vec::new();
    for item in list.get_ref() {
        match dates::date_range(&item.get_ref().0) {
            Ok(r) => ranges.push(r),
            Err(message) => {
                issues.at(item, message);
                ok = false;
            }
        }
    }
    if start_date.is_none() {
        issues
            .at(list, format!("dated {table} need a dated `start`"))
            .help("give the first day of the run as a date at the top level, like start = \"2024-03-01\"");
        return None;
    }
    ok.then_some(ranges)
}

/// An inclusive day range as simulated time, `[from, to)`, clipped to
/// time zero.
fn interval((first, last): (i64, i64), start_date: i64) -> (Time, Time) {
    let at = |day: i64| -> Time {
        let offset = day.saturating_sub(start_date).max(0);
        u64::try_from(offset).unwrap_or(0).saturating_mul(DAY)
    };
    (at(first), at(last.saturating_add(1)))
}

/// One closure, resolved: its intervals, and the calendars it closes
/// (`None`: the whole port).
pub(super) struct Closure {
    intervals: Vec<(Time, Time)>,
    targets: Option<Vec<(Range<usize>, String)>>,
}

/// Checks `[[closures]]`; names are checked against `names` (stages and
/// pools) when the closures are applied.
pub(super) fn closures(
    issues: &mut Issues,
    list: Option<&S<Vec<S<RawClosure>>>>,
    start_date: Option<i64>,
) -> Option<Vec<Closure>> {
    let Some(list) = list else {
        return Some(Vec::new());
    };
    let mut out = Vec::new();
    let mut ok = true;
    for raw in list.get_ref() {
        let c = raw.get_ref();
        let Some(list) = issues.required(&c.dates, "dates", "in [[closures]]", Some(raw.span()))
        else {
            ok = false;
            continue;
        };
        let Some(ranges) = day_ranges(issues, list, start_date, "closures") else {
            ok = false;
            continue;
        };
        let start = start_date.unwrap_or(0);
        let targets = match &c.stages {
            None => None,
            Some(names) if names.get_ref().is_empty() => {
                issues
                    .at(names, "the list of `stages` is empty")
                    .help("leave `stages` out to close the whole port, or name stages or pools");
                ok = false;
                continue;
            }
            Some(names) => Some(
                names
                    .get_ref()
                    .iter()
                    .map(|n| (n.span(), n.get_ref().clone()))
                    .collect(),
            ),
        };
        out.push(Closure {
            intervals: ranges.into_iter().map(|r| interval(r, start)).collect(),
            targets,
        });
    }
    ok.then_some(out)
}

/// What closures apply to.
pub(super) struct Closed<'a> {
    pub port: &'a mut Port,
    pub entrances: &'a mut [Entrance],
    pub stages: &'a mut [Stage],
    pub pools: &'a mut [PoolSpec],
}

/// Closes the calendars each closure names: the whole port (every gate,
/// stage and pool) when it names none.
pub(super) fn apply(issues: &mut Issues, closures: &[Closure], to: Closed<'_>) -> Option<()> {
    let mut ok = true;
    let names: Vec<String> = to
        .stages
        .iter()
        .map(|s| s.name.clone())
        .chain(to.pools.iter().map(|p| p.name.clone()))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for closure in closures {
        let close = |cal: &mut crate::engine::calendar::Calendar| {
            *cal = cal.clone().closed_over(closure.intervals.iter().copied());
        };
        let Some(targets) = &closure.targets else {
            close(&mut to.port.open);
            for e in to.entrances.iter_mut() {
                close(&mut e.gate.open);
            }
            for s in to.stages.iter_mut() {
                if let Lanes::Own(c) = &mut s.lanes {
                    close(c);
                }
            }
            for p in to.pools.iter_mut() {
                close(&mut p.lanes);
            }
            continue;
        };
        for (span, name) in targets {
            if let Some(s) = to.stages.iter_mut().find(|s| &s.name == name) {
                match &mut s.lanes {
                    Lanes::Own(c) => close(c),
                    Lanes::Pool(i) => {
                        let pool = to.pools.get(*i).map_or("", |p| p.name.as_str());
                        issues
                            .push(
                                Some(span.clone()),
                                format!("stage `{name}` draws on pool `{pool}` and cannot be closed alone"),
                            )
                            .help(format!("close the pool: stages = [\"{pool}\"]"));
                        ok = false;
                    }
                    Lanes::Unlimited => {
                        issues
                            .push(
                                Some(span.clone()),
                                format!("stage `{name}` has unlimited lanes and cannot be closed"),
                            )
                            .help("close the stages around it, or the whole port");
                        ok = false;
                    }
                }
            } else if let Some(p) = to.pools.iter_mut().find(|p| &p.name == name) {
                close(&mut p.lanes);
            } else {
                let key = S::new(span.clone(), name.clone());
                super::stages::unknown(issues, &key, "stage or pool", &names);
                ok = false;
            }
        }
    }
    ok.then_some(())
}

/// Checks `[[demand.seasons]]`: factors of zero or more on dates that do
/// not overlap.
pub(super) fn seasons(
    issues: &mut Issues,
    list: &S<Vec<S<RawSeason>>>,
    start_date: Option<i64>,
) -> Option<Vec<(Time, Time, f64)>> {
    let mut ok = true;
    let mut days: Vec<((i64, i64), f64, Range<usize>)> = Vec::new();
    for raw in list.get_ref() {
        let s = raw.get_ref();
        let place = "in [[demand.seasons]]";
        let factor = issues
            .required(&s.factor, "factor", place, Some(raw.span()))
            .and_then(|f| issues.non_negative(f, "factor"));
        let ranges = issues
            .required(&s.dates, "dates", place, Some(raw.span()))
            .and_then(|d| day_ranges(issues, d, start_date, "seasons").map(|r| (r, d)));
        match (factor, ranges) {
            (Some(factor), Some((ranges, list))) => {
                for (r, item) in ranges.into_iter().zip(list.get_ref()) {
                    days.push((r, factor, item.span()));
                }
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by_key(|&i| days[i].0);
    for pair in order.windows(2) {
        let (a, b) = (&days[pair[0]], &days[pair[1]]);
        if b.0.0 <= a.0.1 {
            let later = if pair[1] > pair[0] { b } else { a };
            issues
                .push(
                    Some(later.2.clone()),
                    format!(
                        "demand seasons overlap on {}",
                        dates::show(b.0.0.max(a.0.0))
                    ),
                )
                .help(
                    "each date may have one season factor; split or merge the overlapping ranges",
                );
            return None;
        }
    }
    let start = start_date.unwrap_or(0);
    let mut out: Vec<(Time, Time, f64)> = days
        .into_iter()
        .map(|(r, f, _)| {
            let (a, b) = interval(r, start);
            (a, b, f)
        })
        .filter(|(a, b, _)| a < b)
        .collect();
    out.sort_by_key(|s| s.0);
    Some(out)
}
