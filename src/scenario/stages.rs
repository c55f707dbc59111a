//! `[[stages]]`: lanes, hours, service, routing shares, rework.
//!
//! Stage names are collected first so that a `rework.to` can be resolved
//! to an index (with a did-you-mean when it names no stage) and checked to
//! point backwards. Capacity is the lane count or shift table times the
//! stage's opening hours, which default to the port's; a stage may instead
//! draw on a shared pool (`pool = "scanner"`, the pool's calendar) or have
//! unlimited lanes (`lanes = "unlimited"`, a delay that never queues).

use super::calendars::{self, EVERY_DAY, Pattern};
use super::checks::Issues;
use super::dists::{self, Sign};
use super::error::{did_you_mean, one_of};
use super::raw::{Lanes, RawRework, RawShift, RawStage, S, StageShare};
use super::types::{Class, Lanes as StageLanes, Rework, Stage};
use super::units::TimeRange;
use crate::engine::pool::Discipline;

const PLACE: &str = "in [[stages]]";

/// Opening hours: time ranges (`None` = all day) on some weekdays.
#[derive(Clone, Debug)]
pub(super) struct Hours {
    /// Daily ranges; `None` for the whole day.
    pub ranges: Option<Vec<TimeRange>>,
    /// Weekdays on which the ranges start, Monday first.
    pub days: [bool; 7],
}

impl Hours {
    /// 1 while open, else 0.
    pub fn pattern(&self) -> Pattern {
        const ALL_DAY: TimeRange = TimeRange {
            start: 0,
            end: 24 * 60,
        };
        match &self.ranges {
            Some(ranges) => Pattern::open(ranges, &self.days),
            None => Pattern::open(&[ALL_DAY], &self.days),
        }
    }
}

/// What every stage needs from the rest of the scenario.
pub(super) struct Context<'a> {
    /// The validated classes.
    pub classes: &'a [Class],
    /// The port's opening hours, the default for stages.
    pub hours: &'a Hours,
    /// Weekday of day 0.
    pub start: u8,
    /// The names of `[[pools]]`, in order (a stage's `pool` indexes them).
    pub pools: &'a [&'a str],
}

/// Checks `[[stages]]`.
pub(super) fn stages(
    issues: &mut Issues,
    list: Option<&S<Vec<S<RawStage>>>>,
    context: &Context<'_>,
) -> Option<Vec<Stage>> {
    let Some(list) = list else {
        issues.push(None, "missing key `stages`").help(
            "a scenario needs at least one [[stages]] table with `name`, `lanes` and `service`",
        );
        return None;
    };
    let raws = list.get_ref();
    if raws.is_empty() || raws.len() > super::limits::MAX_ITEMS {
        let message = format!(
            "expected between 1 and {} stages, found {}",
            super::limits::MAX_ITEMS,
            raws.len()
        );
        issues.at(list, message);
        return None;
    }
    let names: Vec<Option<&S<String>>> = raws.iter().map(|s| s.get_ref().name.as_ref()).collect();
    let unique = unique_names(issues, &names, "stage");
    let plain: Vec<&str> = names
        .iter()
        .map(|n| n.map_or("", |n| n.get_ref().as_str()))
        .collect();
    let built: Vec<Option<Stage>> = raws
        .iter()
        .enumerate()
        .map(|(i, raw)| stage(issues, raw, i, &plain, context))
        .collect();
    let stages: Vec<Stage> = built.into_iter().collect::<Option<_>>()?;
    unique.then_some(stages)
}

/// Reports repeated names; true if all present names are unique.
pub(super) fn unique_names(issues: &mut Issues, names: &[Option<&S<String>>], what: &str) -> bool {
    let mut unique = true;
    for (i, name) in names.iter().enumerate() {
        let Some(name) = name else { continue };
        let earlier = names[..i]
            .iter()
            .flatten()
            .any(|n| n.get_ref() == name.get_ref());
        if earlier {
            issues
                .at(name, format!("duplicate {what} name `{}`", name.get_ref()))
                .help(format!("{what} names must be unique"));
            unique = false;
        }
    }
    unique
}

fn stage(
    issues: &mut Issues,
    raw: &S<RawStage>,
    index: usize,
    names: &[&str],
    context: &Context<'_>,
) -> Option<Stage> {
    let s = raw.get_ref();
    let at = Some(raw.span());
    let name = issues.required(&s.name, "name", PLACE, at.clone());
    let hours = hours(issues, s, context.hours);
    let service = issues
        .required(&s.service, "service", PLACE, at)
        .and_then(|d| dists::dist(issues, d, "service", Sign::NonNegative));
    let share = s
        .share
        .as_ref()
        .map_or(Some(vec![1.0; context.classes.len()]), |v| {
            share(issues, v, context.classes)
        });
    let fee = s.fee.as_ref().map_or(Some(0.0), |f| issues.money(f, "fee"));
    let discipline = s
        .queue
        .as_ref()
        .map_or(Some(Discipline::Fifo), |q| queue(issues, q));
    let rework = s
        .rework
        .as_ref()
        .map_or(Some(None), |r| rework(issues, r, index, names).map(Some));
    let daily_limit = s
        .daily_limit
        .as_ref()
        .map_or(Some(None), |d| issues.count(d, "daily_limit", 1).map(Some));
    let step = s.step.as_ref().is_none_or(|v| *v.get_ref());
    let lanes = stage_lanes(issues, raw, context, hours?);
    if let (Some(limit), Some(lanes)) = (&s.daily_limit, &lanes)
        && !matches!(lanes, StageLanes::Own(_))
    {
        issues
            .at(
                limit,
                "`daily_limit` is only for a stage with lanes of its own, not one on a `pool` or with unlimited lanes",
            )
            .help("put the limit on a stage with `lanes = N` or a shift table");
        return None;
    }
    Some(Stage {
        name: name?.get_ref().clone(),
        lanes: lanes?,
        step,
        service: service?,
        share: share?,
        fee: fee?,
        discipline: discipline?,
        rework: rework?,
        daily_limit: daily_limit?,
    })
}

/// Where the stage's lanes come from: its own (`lanes` times its hours),
/// a pool, or unlimited.
fn stage_lanes(
    issues: &mut Issues,
    raw: &S<RawStage>,
    context: &Context<'_>,
    hours: Hours,
) -> Option<StageLanes> {
    let s = raw.get_ref();
    match (&s.lanes, &s.pool) {
        (Some(_), Some(pool)) => {
            issues
                .at(pool, "a stage takes either `lanes` or `pool`, not both")
                .help("remove `lanes` to draw on the pool, or `pool` to give the stage lanes of its own");
            None
        }
        (None, None) => {
            issues
                .push(Some(raw.span()), format!("missing key `lanes` {PLACE}"))
                .help("give `lanes = N`, a shift table, `lanes = \"unlimited\"`, or `pool = \"NAME\"` to share a [[pools]] entry");
            None
        }
        (None, Some(pool)) => {
            not_with_hours(issues, s, "on a pool", "the pool's `open` and `days` apply")?;
            if let Some(q) = &s.queue {
                issues
                    .at(q, "a stage on a pool takes no `queue` of its own")
                    .help("the pool has one queue for all its stages: set `queue` on the [[pools]] entry");
                return None;
            }
            match context.pools.iter().position(|p| *p == pool.get_ref()) {
                Some(i) => Some(StageLanes::Pool(i)),
                None if context.pools.is_empty() => {
                    issues
                        .at(pool, format!("unknown pool `{}`", pool.get_ref()))
                        .help("the scenario has no [[pools]]; add one with `name` and `lanes`");
                    None
                }
                None => {
                    unknown(issues, pool, "pool", context.pools);
                    None
                }
            }
        }
        (Some(l), None) => {
            if let Lanes::Word(word) = l.get_ref()
                && word == "unlimited"
            {
                not_with_hours(issues, s, "with unlimited lanes", "it is always open")?;
                return Some(StageLanes::Unlimited);
            }
            let lanes = lanes(issues, l)?;
            let capacity = calendars::product(&lanes, &hours.pattern(), context.start);
            Some(StageLanes::Own(capacity.into()))
        }
    }
}

/// Refuses a stage's own `open` and `days` where they would mean nothing.
fn not_with_hours(issues: &mut Issues, s: &RawStage, what: &str, why: &str) -> Option<()> {
    let mut ok = true;
    for (key, span) in [
        ("open", s.open.as_ref().map(S::span)),
        ("days", s.days.as_ref().map(S::span)),
    ] {
        if let Some(span) = span {
            issues
                .push(
                    Some(span),
                    format!("a stage {what} takes no `{key}` of its own"),
                )
                .help(format!("remove it: {why}"));
            ok = false;
        }
    }
    ok.then_some(())
}

/// The stage's own hours, falling back to the port's per key.
fn hours(issues: &mut Issues, s: &RawStage, port: &Hours) -> Option<Hours> {
    let ranges = match &s.open {
        Some(open) => issues.ranges(open).map(Some),
        None => Some(port.ranges.clone()),
    };
    let days = s.days.as_ref().map_or(Some(port.days), |d| issues.days(d));
    Some(Hours {
        ranges: ranges?,
        days: days?,
    })
}

/// A stage's `lanes = 4` or shift table (`"unlimited"` is handled by the
/// caller, so a stage's message offers it).
pub(super) fn lanes(issues: &mut Issues, lanes: &S<Lanes>) -> Option<Pattern> {
    count_or_shifts(issues, lanes, "lanes", true)
}

/// A count or a shift table, for `key` (a pool's `lanes`, an appointment
/// `capacity`); `or_unlimited` says whether `"unlimited"` would do too.
pub(super) fn count_or_shifts(
    issues: &mut Issues,
    lanes: &S<Lanes>,
    key: &str,
    or_unlimited: bool,
) -> Option<Pattern> {
    match lanes.get_ref() {
        Lanes::Word(word) => {
            let unlimited = if or_unlimited {
                ", or \"unlimited\""
            } else {
                ""
            };
            issues.at(
                lanes,
                format!("expected a lane count like 4 or a shift table like [{{ hours = \"08:00-20:00\", count = 6 }}]{unlimited} for `{key}`; found \"{word}\""),
            );
            None
        }
        Lanes::Count(n) => {
            let count = issues.count(&S::new(lanes.span(), *n), key, 0)?;
            Some(Pattern::constant(count))
        }
        Lanes::Shifts(rows) if rows.is_empty() => {
            issues.at(lanes, "the shift table is empty; expected rows like { hours = \"08:00-20:00\", count = 6 }");
            None
        }
        Lanes::Shifts(rows) => {
            let mut pattern = Pattern::shifts();
            let mut ok = true;
            for row in rows {
                ok &= shift(issues, row, &mut pattern).is_some();
            }
            ok.then_some(pattern)
        }
    }
}

fn shift(issues: &mut Issues, row: &S<RawShift>, pattern: &mut Pattern) -> Option<()> {
    let r = row.get_ref();
    let place = "in a shift of `lanes`";
    let hours = issues
        .required(&r.hours, "hours", place, Some(row.span()))
        .and_then(|h| issues.range(h));
    let count = issues
        .required(&r.count, "count", place, Some(row.span()))
        .and_then(|c| issues.count(c, "count", 0));
    let days = r.days.as_ref().map_or(Some(EVERY_DAY), |d| issues.days(d));
    pattern.extend(&[hours?], &days?, count?);
    Some(())
}

/// One share for all classes, or per class (missing classes visit).
fn share(issues: &mut Issues, v: &S<StageShare>, classes: &[Class]) -> Option<Vec<f64>> {
    match v.get_ref() {
        StageShare::All(x) => {
            let x = issues.fraction(&S::new(v.span(), *x), "share")?;
            Some(vec![x; classes.len()])
        }
        StageShare::PerClass(map) => {
            let mut shares = vec![1.0; classes.len()];
            let mut ok = true;
            let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
            for (key, value) in map {
                let class = names.iter().position(|n| *n == key.get_ref());
                let x = issues.fraction(value, "share");
                match (class, x) {
                    (Some(i), Some(x)) => shares[i] = x,
                    (None, _) => {
                        ok = false;
                        unknown(issues, key, "class", &names);
                    }
                    _ => ok = false,
                }
            }
            ok.then_some(shares)
        }
    }
}

/// Reports a name that matches none of `names`.
pub(super) fn unknown(issues: &mut Issues, key: &S<String>, what: &str, names: &[&str]) {
    let issue = issues.at(key, format!("unknown {what} `{}`", key.get_ref()));
    match did_you_mean(key.get_ref(), names) {
        Some(near) => issue.label(format!("did you mean `{near}`?")),
        None => issue.help(format!("expected {}", one_of(names))),
    };
}

pub(super) fn queue(issues: &mut Issues, v: &S<super::raw::QueueText>) -> Option<Discipline> {
    match v.get_ref().0.as_str() {
        "fifo" => Some(Discipline::Fifo),
        "priority" => Some(Discipline::Priority),
        other => {
            let issue = issues.at(
                v,
                format!("unknown queue discipline \"{other}\"; expected \"fifo\" or \"priority\""),
            );
            if let Some(near) = did_you_mean(other, &["fifo", "priority"]) {
                issue.label(format!("did you mean \"{near}\"?"));
            }
            None
        }
    }
}

fn rework(issues: &mut Issues, v: &S<RawRework>, index: usize, names: &[&str]) -> Option<Rework> {
    let (r, place) = (v.get_ref(), "in `rework`");
    let probability = issues
        .required(&r.probability, "probability", place, Some(v.span()))
        .and_then(|p| {
            let x = issues.fraction(p, "probability")?;
            if x >= 1.0 {
                issues.at(p, "rework `probability` must be below 1, found 1 (every truck would loop forever)");
                return None;
            }
            Some(x)
        });
    let to = issues.required(&r.to, "to", place, Some(v.span()))?;
    let Some(target) = names.iter().position(|n| *n == to.get_ref()) else {
        unknown(issues, to, "stage", names);
        return None;
    };
    if target > index {
        let message = format!(
            "rework goes to the later stage `{}`; it may only return to this stage or an earlier one",
            to.get_ref()
        );
        issues.at(to, message);
        return None;
    }
    Some(Rework {
        probability: probability?,
        to: target,
    })
}
