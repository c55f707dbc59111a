//! Where each class goes: its `route` of stages and its `entrance`, and
//! the `[[entrances]]` beside `[port]`.
//!
//! A route names stages in the order the class visits them; without one a
//! class visits every stage in file order. An entrance is a gate with its
//! own opening hours (the port's by default), parking and road queue; a
//! class without `entrance` uses `[port]`.

use super::calendars;
use super::checks::Issues;
use super::raw::{RawClass, RawEntrance, S};
use super::stages::{self, Hours};
use super::types::{Entrance, Port};

/// A class's `route`, as stage indices.
pub(super) fn route(
    issues: &mut Issues,
    list: &S<Vec<S<String>>>,
    stage_names: &[&str],
) -> Option<Vec<usize>> {
    let names = list.get_ref();
    if names.is_empty() {
        issues
            .at(list, "the `route` is empty; a class must visit at least one stage")
            .help("name stages in the order the class visits them, or leave `route` out for all stages in file order");
        return None;
    }
    let mut ok = true;
    let mut route = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if names[..i].iter().any(|n| n.get_ref() == name.get_ref()) {
            issues
                .at(
                    name,
                    format!("stage `{}` is twice in the `route`", name.get_ref()),
                )
                .help("a route visits each stage once; use `rework` to send trucks back");
            ok = false;
            continue;
        }
        match stage_names.iter().position(|s| *s == name.get_ref()) {
            Some(s) => route.push(s),
            None => {
                stages::unknown(issues, name, "stage", stage_names);
                ok = false;
            }
        }
    }
    ok.then_some(route)
}

/// A class's `entrance`: 0 for `[port]`, `i + 1` for `entrances[i]`.
pub(super) fn entrance(issues: &mut Issues, name: &S<String>, entrances: &[&str]) -> Option<usize> {
    match entrances.iter().position(|e| *e == name.get_ref()) {
        Some(i) => Some(i + 1),
        None if entrances.is_empty() => {
            issues
                .at(name, format!("unknown entrance `{}`", name.get_ref()))
                .help("the scenario has no [[entrances]]; add one with `name` (and `parking`, `road_queue`, `open`), or leave `entrance` out for [port]");
            None
        }
        None => {
            stages::unknown(issues, name, "entrance", entrances);
            None
        }
    }
}

/// The route and entrance of every class, resolved against the stage and
/// entrance names (`None` where one is wrong).
pub(super) fn of_classes(
    issues: &mut Issues,
    classes: &[S<RawClass>],
    stage_names: &[&str],
    entrances: &[&str],
) -> Option<Vec<(Option<Vec<usize>>, usize)>> {
    let mut ok = true;
    let mut out = Vec::with_capacity(classes.len());
    for c in classes {
        let c = c.get_ref();
        let route = match &c.route {
            Some(r) => route(issues, r, stage_names).map(Some),
            None => Some(None),
        };
        let entrance = match &c.entrance {
            Some(e) => entrance(issues, e, entrances),
            None => Some(0),
        };
        match (route, entrance) {
            (Some(r), Some(e)) => out.push((r, e)),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// `[[entrances]]`: each a gate like `[port]`, with the port's hours by
/// default.
pub(super) fn entrances(
    issues: &mut Issues,
    list: Option<&S<Vec<S<RawEntrance>>>>,
    port: &Hours,
    start: u8,
) -> Option<Vec<Entrance>> {
    let Some(list) = list else {
        return Some(Vec::new());
    };
    let raws = list.get_ref();
    let max = super::limits::MAX_ITEMS;
    if raws.len() > max {
        issues.at(
            list,
            format!("expected at most {max} entrances, found {}", raws.len()),
        );
        return None;
    }
    let names: Vec<Option<&S<String>>> = raws.iter().map(|e| e.get_ref().name.as_ref()).collect();
    let unique = stages::unique_names(issues, &names, "entrance");
    let built: Vec<Option<Entrance>> = raws
        .iter()
        .map(|raw| {
            let e = raw.get_ref();
            let name = issues.required(&e.name, "name", "in [[entrances]]", Some(raw.span()));
            let ranges = match &e.open {
                Some(open) => issues.ranges(open).map(Some),
                None => Some(port.ranges.clone()),
            };
            let days = e.days.as_ref().map_or(Some(port.days), |d| issues.days(d));
            let parking = super::checks::optional_count(issues, &e.parking, "parking", 1);
            let road_queue = super::checks::optional_count(issues, &e.road_queue, "road_queue", 0);
            let hours = Hours {
                ranges: ranges?,
                days: days?,
            };
            Some(Entrance {
                name: name?.get_ref().clone(),
                gate: Port {
                    open: calendars::calendar(&hours.pattern(), start).into(),
                    parking: parking?,
                    road_queue: road_queue?,
                },
            })
        })
        .collect();
    let entrances: Vec<Entrance> = built.into_iter().collect::<Option<_>>()?;
    unique.then_some(entrances)
}
