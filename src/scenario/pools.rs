//! `[[pools]]`: lanes that several stages share (one scanner for two
//! steps, one ferry for both directions).
//!
//! A pool has a name, lanes (a count or a shift table, as a stage's) and
//! opening hours that default to the port's; its calendar is lanes × open,
//! like a stage's. Stages name it with `pool = "NAME"` instead of `lanes`.
//! Pool names share one namespace with stage names, so that a closure's
//! `stages` list can name either without ambiguity.

use super::calendars;
use super::checks::Issues;
use super::raw::{RawPool, RawStage, S};
use super::stages::{self, Hours};
use super::types::PoolSpec;
use crate::engine::pool::Discipline;

const PLACE: &str = "in [[pools]]";

/// Checks `[[pools]]` against the stage names (a pool may not share one).
pub(super) fn pools(
    issues: &mut Issues,
    list: Option<&S<Vec<S<RawPool>>>>,
    stages: Option<&S<Vec<S<RawStage>>>>,
    hours: &Hours,
    start: u8,
) -> Option<Vec<PoolSpec>> {
    let Some(list) = list else {
        return Some(Vec::new());
    };
    let raws = list.get_ref();
    if raws.len() > super::limits::MAX_ITEMS {
        let message = format!(
            "expected at most {} pools, found {}",
            super::limits::MAX_ITEMS,
            raws.len()
        );
        issues.at(list, message);
        return None;
    }
    let names: Vec<Option<&S<String>>> = raws.iter().map(|p| p.get_ref().name.as_ref()).collect();
    let mut unique = stages::unique_names(issues, &names, "pool");
    let stage_names: Vec<&str> = stages
        .map(|l| {
            l.get_ref()
                .iter()
                .filter_map(|s| s.get_ref().name.as_ref().map(|n| n.get_ref().as_str()))
                .collect()
        })
        .unwrap_or_default();
    for name in names.iter().flatten() {
        if stage_names.contains(&name.get_ref().as_str()) {
            issues
                .at(
                    name,
                    format!("pool `{}` has the name of a stage", name.get_ref()),
                )
                .help("pool and stage names must differ, so that a closure can name either");
            unique = false;
        }
    }
    let built: Vec<Option<PoolSpec>> = raws.iter().map(|p| pool(issues, p, hours, start)).collect();
    let pools: Vec<PoolSpec> = built.into_iter().collect::<Option<_>>()?;
    unique.then_some(pools)
}

fn pool(issues: &mut Issues, raw: &S<RawPool>, port: &Hours, start: u8) -> Option<PoolSpec> {
    let p = raw.get_ref();
    let at = Some(raw.span());
    let name = issues.required(&p.name, "name", PLACE, at.clone());
    let lanes = issues
        .required(&p.lanes, "lanes", PLACE, at)
        .and_then(|l| stages::count_or_shifts(issues, l, "lanes", false));
    let ranges = match &p.open {
        Some(open) => issues.ranges(open).map(Some),
        None => Some(port.ranges.clone()),
    };
    let days = p.days.as_ref().map_or(Some(port.days), |d| issues.days(d));
    let discipline = p
        .queue
        .as_ref()
        .map_or(Some(Discipline::Fifo), |q| stages::queue(issues, q));
    let hours = Hours {
        ranges: ranges?,
        days: days?,
    };
    let lanes = calendars::product(&lanes?, &hours.pattern(), start);
    Some(PoolSpec {
        name: name?.get_ref().clone(),
        lanes: lanes.into(),
        discipline: discipline?,
    })
}
