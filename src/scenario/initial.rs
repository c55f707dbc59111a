//! `[initial]`: the observed state a run starts from (today's queue).
//!
//! Counts of trucks on the road, in the parking and at named stages, with
//! how long they have waited so far. How the model places them is in
//! `model::initial`.

use super::checks::Issues;
use super::raw::{RawInitial, S};
use super::types::{Initial, InitialStage, Lanes, Stage};

/// Trucks a warm start may place, all counts together: far above any
/// observed queue, and low enough that a typo cannot fill memory.
pub(super) const MAX_INITIAL: u64 = 1_000_000;

/// Checks `[initial]` against the validated stages.
pub(super) fn initial(
    issues: &mut Issues,
    raw: &S<RawInitial>,
    stages: &[Stage],
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
    let (road, parking, waited) = (road?, parking?, waited?);
    let total: u64 = u64::from(road)
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
    })
}
