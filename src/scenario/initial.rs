//! `[initial]`: the observed state a run starts from (today's queue).
//!
//! Two forms, which may be mixed. The count form: trucks on the road, in
//! the parking and at named stages, with how long they have waited so far
//! (an approximation: every truck of a group has the same age, and one in
//! service starts a whole new service). The per-truck form,
//! `[[initial.trucks]]`: each truck's state (`waiting`, `queued` or
//! `in_service` at a `stage`), its age (`arrived`), how long it has been in
//! that state (`since`), and optionally its `class` and the stages it has
//! `done` (a `waiting` truck with stages done waits for its next one), so that a state can be written down exactly (a forecast's
//! `--state-out` writes this form). How the model places them is in
//! `model::initial`.

use super::checks::Issues;
use super::raw::{RawInitial, RawInitialTruck, S};
use super::types::{Initial, InitialStage, InitialTruck, Lanes, Stage, TruckState};

/// Trucks a warm start may place, all counts together: far above any
/// observed queue, and low enough that a typo cannot fill memory.
pub(super) const MAX_INITIAL: u64 = 1_000_000;

/// Checks `[initial]` against the validated stages.
pub(super) fn initial(
    issues: &mut Issues,
    raw: &S<RawInitial>,
    stages: &[Stage],
    classes: &[&str],
) -> Option<Initial> {
    let i = raw.get_ref();
    let road = i
        .road
        .as_ref()
        .map_or(Some(0), |r| issues.count(r, "road", 0));
    let parking = i
        .parking
        .as_ref()
        .map_or(Some(0), |p| issues.count(p, "parking", 0));
    let waited = i
        .waited
        .as_ref()
        .map_or(Some(0), |w| issues.duration(w, "waited"));
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let mut ok = true;
    let mut at_stages: Vec<InitialStage> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for entry in i
        .stages
        .as_ref()
        .map(|l| l.get_ref().as_slice())
        .unwrap_or(&[])
    {
        let e = entry.get_ref();
        let place = "in [[initial.stages]]";
        let Some(name) = issues.required(&e.name, "name", place, Some(entry.span())) else {
            ok = false;
            continue;
        };
        let queued = e
            .queued
            .as_ref()
            .map_or(Some(0), |q| issues.count(q, "queued", 0));
        let in_service = e
            .in_service
            .as_ref()
            .map_or(Some(0), |q| issues.count(q, "in_service", 0));
        let waited = e
            .waited
            .as_ref()
            .map_or(Some(0), |w| issues.duration(w, "waited"));
        let Some(stage) = names.iter().position(|n| *n == name.get_ref()) else {
            super::stages::unknown(issues, name, "stage", &names);
            ok = false;
            continue;
        };
        if seen.contains(&name.get_ref().as_str()) {
            issues
                .at(
                    name,
                    format!(
                        "stage `{}` is listed twice in [[initial.stages]]",
                        name.get_ref()
                    ),
                )
                .help("give each stage's trucks in one entry");
            ok = false;
            continue;
        }
        seen.push(names[stage]);
        let (Some(queued), Some(in_service), Some(waited)) = (queued, in_service, waited) else {
            ok = false;
            continue;
        };
        if queued > 0
            && matches!(stages[stage].lanes, Lanes::Unlimited)
            && let Some(q) = &e.queued
        {
            issues
                .at(
                    q,
                    format!(
                        "stage `{}` has unlimited lanes, so no truck queues there",
                        names[stage]
                    ),
                )
                .help("count its trucks as `in_service`");
            ok = false;
            continue;
        }
        at_stages.push(InitialStage {
            stage,
            queued,
            in_service,
            waited,
        });
    }
    let mut trucks = Vec::new();
    for entry in i
        .trucks
        .as_ref()
        .map(|l| l.get_ref().as_slice())
        .unwrap_or(&[])
    {
        match truck(issues, entry, stages, classes) {
            Some(t) => trucks.push(t),
            None => ok = false,
        }
    }
    let (road, parking, waited) = (road?, parking?, waited?);
    let total: u64 = trucks.len() as u64
        + u64::from(road)
        + u64::from(parking)
        + at_stages
            .iter()
            .map(|s| u64::from(s.queued) + u64::from(s.in_service))
            .sum::<u64>();
    if total > MAX_INITIAL {
        issues.at(
            raw,
            format!("[initial] places {total} trucks; at most {MAX_INITIAL} are allowed"),
        );
        return None;
    }
    ok.then_some(Initial {
        road,
        parking,
        waited,
        stages: at_stages,
        trucks,
    })
}

/// The states a truck of `[[initial.trucks]]` can be in.
const STATES: [&str; 3] = ["waiting", "queued", "in_service"];

/// One `[[initial.trucks]]` entry, checked against the stages and classes.
fn truck(
    issues: &mut Issues,
    entry: &S<RawInitialTruck>,
    stages: &[Stage],
    classes: &[&str],
) -> Option<InitialTruck> {
    let e = entry.get_ref();
    let place = "in [[initial.trucks]]";
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let state_text = issues.required(&e.state, "state", place, Some(entry.span()))?;
    let stage_of = |issues: &mut Issues, name: &S<String>| {
        let found = names.iter().position(|n| *n == name.get_ref());
        if found.is_none() {
            super::stages::unknown(issues, name, "stage", &names);
        }
        found
    };
    let state = match state_text.get_ref().as_str() {
        "waiting" => {
            if let Some(stage) = &e.stage {
                issues.at(stage, "a `waiting` truck has no `stage`").help(
                    "it waits for the first stage of its route; use `queued` to put it at a stage",
                );
                return None;
            }
            TruckState::Waiting
        }
        s @ ("queued" | "in_service") => {
            let name = issues.required(
                &e.stage,
                "stage",
                "for a truck that is `queued` or `in_service`",
                Some(entry.span()),
            )?;
            let stage = stage_of(issues, name)?;
            if s == "queued" {
                if matches!(stages[stage].lanes, Lanes::Unlimited) {
                    issues
                        .at(
                            name,
                            format!(
                                "stage `{}` has unlimited lanes, so no truck queues there",
                                names[stage]
                            ),
                        )
                        .help("give its state as `in_service`");
                    return None;
                }
                TruckState::Queued(stage)
            } else {
                TruckState::InService(stage)
            }
        }
        other => {
            let issue = issues.at(state_text, format!("unknown truck state `{other}`"));
            match super::error::did_you_mean(other, &STATES) {
                Some(near) => issue.label(format!("did you mean `{near}`?")),
                None => issue.help("expected `waiting`, `queued` or `in_service`"),
            };
            return None;
        }
    };
    let arrived = issues.required(&e.arrived, "arrived", place, Some(entry.span()))?;
    let arrived_at = issues.duration(arrived, "arrived")?;
    let since = match &e.since {
        Some(s) => {
            let since = issues.duration(s, "since")?;
            if since > arrived_at {
                issues
                    .at(s, "`since` is longer than `arrived`")
                    .help("a truck entered its present state after it reached the port");
                return None;
            }
            since
        }
        None => arrived_at,
    };
    let class = match &e.class {
        Some(name) => match classes.iter().position(|c| *c == name.get_ref()) {
            Some(c) => Some(c),
            None => {
                super::stages::unknown(issues, name, "class", classes);
                return None;
            }
        },
        None => None,
    };
    let mut done = Vec::new();
    for name in e
        .done
        .as_ref()
        .map(|d| d.get_ref().as_slice())
        .unwrap_or(&[])
    {
        done.push(stage_of(issues, name)?);
    }
    Some(InitialTruck {
        state,
        class,
        arrived: arrived_at,
        since,
        done,
    })
}
