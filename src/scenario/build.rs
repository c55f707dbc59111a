//! From the raw file to the validated [`Scenario`]: the top level, demand,
//! classes, the port, appointments and costs (stages are in `stages`).
//!
//! Each function checks one table, records every problem in [`Issues`] and
//! returns `None` if the table cannot be used; the caller keeps going so
//! that all problems are reported together. Defaults are applied here and
//! only here, so the validated types never need to know them.

use super::calendars::{self, EVERY_DAY, Pattern};
use super::checks::{Issues, optional_count};
use super::dists::{self, Sign};
use super::error::did_you_mean;
use super::limits::MAX_ITEMS;
use super::raw::{
    Lanes, NamedNumbers, RawAppointments, RawClass, RawCosts, RawDemand, RawNoShowLater, RawPort,
    S, ScenarioFile, StartText,
};
use super::stages::{self, Hours};
use super::types::{Appointments, Arrivals, Class, Costs, NoShowLater, NoSlot, Port, Scenario};
use super::units::{self, WEEKDAYS};
use super::{behaviour, dated, dates, initial, pools, routes};
use crate::engine::calendar::Calendar;
use crate::engine::dist::Dist;
use crate::engine::time::{DAY, HOUR, Span};

const TOP: &str = "at the top level";

/// Checks the whole file. `source` and `resolved` are filled in by the
/// caller's values.
pub(super) fn scenario(file: &ScenarioFile, issues: &mut Issues) -> Option<Scenario> {
    let name = issues
        .required(&file.name, "name", TOP, None)
        .map(|n| n.get_ref().clone());
    let seed = file
        .seed
        .as_ref()
        .map_or(Some(1), |s| issues.int(s, "seed", 0, u64::MAX.into()));
    let horizon = issues
        .required(&file.horizon, "horizon", TOP, None)
        .and_then(|h| issues.positive_duration(h, "horizon"));
    let warmup = file
        .warmup
        .as_ref()
        .map_or(Some(0), |w| issues.duration(w, "warmup"));
    let replications = file.replications.as_ref().map_or(Some(10), |r| {
        issues.int(r, "replications", 1, super::limits::MAX_REPLICATIONS.into())
    });
    let (start, start_date) = match file.start.as_ref().map(|s| start_day(issues, s)) {
        None => (Some(0), None),
        Some(None) => (None, None),
        Some(Some((day, date))) => (Some(day), date),
    };
    let arrivals = issues
        .required(&file.demand, "demand", "(a [demand] table)", None)
        .and_then(|d| arrivals(issues, d, start_date));
    let mut classes = classes(issues, file.classes.as_ref());
    let day0 = start.unwrap_or(0);
    let (mut port, hours) = port(issues, file.port.as_ref(), day0);
    let mut entrances = routes::entrances(issues, file.entrances.as_ref(), &hours, day0);
    let equeue = match &file.equeue {
        Some(e) => behaviour::equeue(issues, e).map(Some),
        None => Some(None),
    };
    let costs = costs(issues, file.costs.as_ref());
    let mut pools = pools::pools(
        issues,
        file.pools.as_ref(),
        file.stages.as_ref(),
        &hours,
        day0,
    );
    let pool_names: Vec<&str> = file
        .pools
        .as_ref()
        .map(|l| {
            l.get_ref()
                .iter()
                .filter_map(|p| p.get_ref().name.as_ref().map(|n| n.get_ref().as_str()))
                .collect()
        })
        .unwrap_or_default();
    // Stages are checked even when the classes are not, against the class
    // names that were given, so that all problems show at once.
    let fallback = fallback_classes(file.classes.as_ref());
    let context = stages::Context {
        classes: classes.as_deref().unwrap_or(&fallback),
        hours: &hours,
        start: day0,
        pools: &pool_names,
    };
    let mut stages = stages::stages(issues, file.stages.as_ref(), &context);
    let closures = dated::closures(issues, file.closures.as_ref(), start_date);
    let mut closed = closures.is_some();
    if let (Some(closures), Some(port), Some(entrances), Some(stages), Some(pools)) = (
        &closures,
        port.as_mut(),
        entrances.as_mut(),
        stages.as_mut(),
        pools.as_mut(),
    ) {
        let to = dated::Closed {
            port,
            entrances,
            stages,
            pools,
        };
        closed = dated::apply(issues, closures, to).is_some();
    }
    let appointments = appointments(issues, file.appointments.as_ref(), day0, port.as_ref());
    if let (Some(raw), Some(stages), Some(entrances)) =
        (file.classes.as_ref(), stages.as_ref(), entrances.as_ref())
    {
        let stage_names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        let entrance_names: Vec<&str> = entrances.iter().map(|e| e.name.as_str()).collect();
        match routes::of_classes(issues, raw.get_ref(), &stage_names, &entrance_names) {
            Some(resolved) => {
                if let Some(classes) = classes.as_mut() {
                    for (class, (route, entrance)) in classes.iter_mut().zip(resolved) {
                        class.route = route;
                        class.entrance = entrance;
                    }
                }
            }
            None => classes = None,
        }
    }
    let initial = match (&file.initial, stages.as_ref()) {
        (Some(raw), Some(stages)) => {
            let names: Vec<&str> = classes
                .as_ref()
                .map(|c| c.iter().map(|c| c.name.as_str()).collect())
                .unwrap_or_default();
            initial::initial(issues, raw, stages, &names).map(Some)
        }
        (Some(_), None) => None,
        (None, _) => Some(None),
    };
    closed.then_some(())?;
    Some(Scenario {
        name: name?,
        description: file
            .description
            .as_ref()
            .map(|d| d.get_ref().clone())
            .unwrap_or_default(),
        source: Default::default(),
        resolved: String::new(),
        overrides: Vec::new(),
        patch_warnings: Vec::new(),
        seed: u64::try_from(seed?).ok()?,
        horizon: horizon?,
        warmup: warmup?,
        replications: u64::try_from(replications?).ok()?,
        start: start?,
        start_date,
        arrivals: arrivals?,
        classes: classes?,
        port: port?,
        entrances: entrances?,
        equeue: equeue?,
        appointments: appointments?,
        costs: costs?,
        pools: pools?,
        stages: stages?,
        initial: initial?,
    })
}

/// `start`: a weekday, or a date (whose weekday it derives).
fn start_day(issues: &mut Issues, v: &S<StartText>) -> Option<(u8, Option<i64>)> {
    let text = &v.get_ref().0;
    if dates::looks_like_date(text) {
        return match dates::date(text) {
            Ok(day) => Some((dates::weekday_of(day), Some(day))),
            Err(message) => {
                issues.at(v, message);
                None
            }
        };
    }
    let weekday = S::new(v.span(), super::raw::WeekdayText::new(text.clone()));
    issues.weekday(&weekday).map(|d| (d, None))
}

/// The named classes, for checking stages when `[[classes]]` is invalid.
fn fallback_classes(list: Option<&S<Vec<S<RawClass>>>>) -> Vec<Class> {
    let names = list.map(|l| l.get_ref().iter().filter_map(|c| c.get_ref().name.as_ref()));
    match names {
        None => vec![Class {
            name: "truck".to_owned(),
            share: 1.0,
            priority: 0,
            route: None,
            tolerance: None,
            patience: None,
            entrance: 0,
        }],
        Some(names) => names
            .map(|n| Class {
                name: n.get_ref().clone(),
                share: 0.0,
                priority: 0,
                route: None,
                tolerance: None,
                patience: None,
                entrance: 0,
            })
            .collect(),
    }
}

/// `[demand]`: a Poisson rate (with optional profiles) or a renewal process.
fn arrivals(
    issues: &mut Issues,
    demand: &S<RawDemand>,
    start_date: Option<i64>,
) -> Option<Arrivals> {
    let raw = demand.get_ref();
    if let (Some(seasons), Some(_)) = (&raw.seasons, &raw.interarrival) {
        issues
            .at(seasons, "`seasons` cannot be used with `interarrival`")
            .help("seasonal factors apply to a Poisson `rate` only");
        return None;
    }
    match (&raw.rate, &raw.interarrival) {
        (Some(_), Some(gap)) => {
            issues
                .at(
                    gap,
                    "`rate` and `interarrival` cannot both be given in [demand]",
                )
                .help("keep `rate` for Poisson arrivals or `interarrival` for a renewal process");
            None
        }
        (None, None) => {
            issues
                .push(Some(demand.span()), "missing key `rate` in [demand]")
                .help("give a Poisson `rate` like \"1200/d\", or an `interarrival` distribution");
            None
        }
        (Some(rate), None) => poisson(issues, raw, rate, start_date),
        (None, Some(gap)) => renewal(issues, raw, gap),
    }
}

fn poisson(
    issues: &mut Issues,
    raw: &RawDemand,
    rate: &S<super::raw::RateText>,
    start_date: Option<i64>,
) -> Option<Arrivals> {
    let per_day = units::rate_per_day(&rate.get_ref().0)
        .map_err(|m| issues.at(rate, m))
        .ok();
    let hourly = raw
        .profile
        .as_ref()
        .map_or(Some([1.0; 24]), |p| profile(issues, p));
    let daily = raw
        .days
        .as_ref()
        .map_or(Some([1.0; 7]), |d| day_weights(issues, d));
    let seasons = raw
        .seasons
        .as_ref()
        .map_or(Some(Vec::new()), |l| dated::seasons(issues, l, start_date));
    Some(Arrivals::Poisson {
        seasons: seasons?,
        per_day: per_day?,
        hourly: Box::new(hourly?),
        daily: daily?,
    })
}

fn renewal(
    issues: &mut Issues,
    raw: &RawDemand,
    gap: &S<super::raw::DistSpec>,
) -> Option<Arrivals> {
    for (key, span) in [
        ("profile", raw.profile.as_ref().map(S::span)),
        ("days", raw.days.as_ref().map(S::span)),
    ] {
        if let Some(span) = span {
            issues
                .push(
                    Some(span),
                    format!("`{key}` cannot be used with `interarrival`"),
                )
                .help("hourly and daily profiles apply to a Poisson `rate` only");
        }
    }
    let interarrival = dists::dist(issues, gap, "interarrival", Sign::NonNegative)?;
    let mean = interarrival.sampler().map(|s| s.mean()).unwrap_or(0.0);
    if mean <= 0.0 {
        issues.at(gap, "`interarrival` must have a mean above zero, found 0s");
        return None;
    }
    (raw.profile.is_none() && raw.days.is_none()).then_some(Arrivals::Renewal { interarrival })
}

/// 24 non-negative weights, normalised to mean 1.
fn profile(issues: &mut Issues, list: &S<Vec<S<f64>>>) -> Option<[f64; 24]> {
    let values: Vec<Option<f64>> = list
        .get_ref()
        .iter()
        .map(|v| issues.non_negative(v, "profile"))
        .collect();
    let values: Vec<f64> = values.into_iter().collect::<Option<_>>()?;
    let Ok(hourly) = <[f64; 24]>::try_from(values.as_slice()) else {
        let message = format!(
            "`profile` must have 24 hourly weights (00:00-01:00 first), found {}",
            values.len()
        );
        issues.at(list, message);
        return None;
    };
    let mean = hourly.iter().sum::<f64>() / 24.0;
    if mean <= 0.0 || !mean.is_finite() {
        issues.at(
            list,
            "`profile` weights are all zero; at least one hour needs arrivals",
        );
        return None;
    }
    Some(hourly.map(|w| w / mean))
}

/// Day-of-week multipliers by name, Monday first; 1 where not given.
fn day_weights(issues: &mut Issues, table: &S<NamedNumbers>) -> Option<[f64; 7]> {
    let mut daily = [1.0; 7];
    let mut ok = true;
    for (key, value) in table.get_ref() {
        let day = units::weekday(key.get_ref()).map_err(|message| {
            let issue = issues.at(key, message);
            if let Some(near) = did_you_mean(key.get_ref(), &WEEKDAYS) {
                issue.label(format!("did you mean `{near}`?"));
            }
        });
        let weight = issues.non_negative(value, key.get_ref());
        match (day, weight) {
            (Ok(day), Some(weight)) => daily[usize::from(day)] = weight,
            _ => ok = false,
        }
    }
    if ok && daily.iter().all(|d| *d == 0.0) {
        issues.at(
            table,
            "the day multipliers are all zero; at least one day needs arrivals",
        );
        return None;
    }
    ok.then_some(daily)
}

/// `[[classes]]`, or the single default class.
fn classes(issues: &mut Issues, list: Option<&S<Vec<S<RawClass>>>>) -> Option<Vec<Class>> {
    let Some(list) = list else {
        return Some(vec![Class {
            name: "truck".to_owned(),
            share: 1.0,
            priority: 0,
            route: None,
            tolerance: None,
            patience: None,
            entrance: 0,
        }]);
    };
    let raws = list.get_ref();
    if raws.is_empty() || raws.len() > MAX_ITEMS {
        let message = format!(
            "expected between 1 and {MAX_ITEMS} classes, found {}",
            raws.len()
        );
        issues.at(list, message);
        return None;
    }
    let built: Vec<Option<Class>> = raws
        .iter()
        .map(|c| class(issues, c, raws.len() == 1))
        .collect();
    let names: Vec<Option<&S<String>>> = raws.iter().map(|c| c.get_ref().name.as_ref()).collect();
    let unique = stages::unique_names(issues, &names, "class");
    let classes: Vec<Class> = built.into_iter().collect::<Option<_>>()?;
    let sum: f64 = classes.iter().map(|c| c.share).sum();
    if (sum - 1.0).abs() > 1e-6 {
        let sum = (sum * 1e6).round() / 1e6;
        issues.at(list, format!("class shares sum to {sum}, expected 1"));
        return None;
    }
    unique.then_some(classes)
}

fn class(issues: &mut Issues, raw: &S<RawClass>, only: bool) -> Option<Class> {
    let place = "in [[classes]]";
    let c = raw.get_ref();
    let name = issues.required(&c.name, "name", place, Some(raw.span()));
    let share = if only && c.share.is_none() {
        Some(1.0)
    } else {
        issues
            .required(&c.share, "share", place, Some(raw.span()))
            .and_then(|s| issues.fraction(s, "share"))
    };
    let priority = c.priority.as_ref().map_or(Some(0), |p| {
        issues.int(p, "priority", i32::MIN.into(), i32::MAX.into())
    });
    let tolerance = c
        .tolerance
        .as_ref()
        .map_or(Some(None), |t| behaviour::tolerance(issues, t).map(Some));
    let patience = c.patience.as_ref().map_or(Some(None), |p| {
        dists::dist(issues, p, "patience", Sign::NonNegative).map(Some)
    });
    // The route and entrance are resolved once stages and entrances are.
    Some(Class {
        name: name?.get_ref().clone(),
        share: share?,
        priority: i32::try_from(priority?).ok()?,
        route: None,
        tolerance: tolerance?,
        patience: patience?,
        entrance: 0,
    })
}

/// `[port]`, and the opening hours stages inherit (always open when
/// `[port]` is invalid, so that stages can still be checked).
fn port(issues: &mut Issues, raw: Option<&S<RawPort>>, start: u8) -> (Option<Port>, Hours) {
    let always = Hours {
        ranges: None,
        days: EVERY_DAY,
    };
    let Some(raw) = raw else {
        let open = calendars::calendar(&always.pattern(), start);
        return (
            Some(Port {
                open: open.into(),
                parking: None,
                road_queue: None,
            }),
            always,
        );
    };
    let p = raw.get_ref();
    let ranges = p
        .open
        .as_ref()
        .map_or(Some(None), |o| issues.ranges(o).map(Some));
    let days = p.days.as_ref().map_or(Some(EVERY_DAY), |d| issues.days(d));
    let parking = optional_count(issues, &p.parking, "parking", 1);
    let road_queue = optional_count(issues, &p.road_queue, "road_queue", 0);
    let (Some(ranges), Some(days)) = (ranges, days) else {
        return (None, always);
    };
    let hours = Hours { ranges, days };
    let port = match (parking, road_queue) {
        (Some(parking), Some(road_queue)) => Some(Port {
            open: calendars::calendar(&hours.pattern(), start).into(),
            parking,
            road_queue,
        }),
        _ => None,
    };
    (port, hours)
}

/// `[appointments]`; `Some(None)` when there is no booking.
fn appointments(
    issues: &mut Issues,
    raw: Option<&S<RawAppointments>>,
    start: u8,
    port: Option<&Port>,
) -> Option<Option<Appointments>> {
    let Some(raw) = raw else { return Some(None) };
    let (a, place, at) = (raw.get_ref(), "in [appointments]", Some(raw.span()));
    let share = issues
        .required(&a.share, "share", place, at.clone())
        .and_then(|s| issues.fraction(s, "share"));
    let slot = a
        .slot
        .as_ref()
        .map_or(Some(HOUR), |s| issues.positive_duration(s, "slot"));
    let capacity = issues
        .required(&a.capacity, "capacity", place, at.clone())
        .and_then(|c| slot_capacity(issues, c));
    let hours = a
        .hours
        .as_ref()
        .map_or(Some(None), |h| issues.ranges(h).map(Some));
    let no_show = a
        .no_show
        .as_ref()
        .map_or(Some(0.0), |n| issues.fraction(n, "no_show"));
    let punctuality = a
        .punctuality
        .as_ref()
        .map_or(Some(Dist::Deterministic { value: 0.0 }), |p| {
            dists::dist(issues, p, "punctuality", Sign::Signed)
        });
    let max_lead = a.max_lead.as_ref().map_or(Some(DEFAULT_MAX_LEAD), |m| {
        issues.positive_duration(m, "max_lead")
    });
    let no_slot = a
        .no_slot
        .as_ref()
        .map_or(Some(NoSlot::WalkIn), |v| no_slot(issues, v));
    let days = a.days.as_ref().map_or(Some(EVERY_DAY), |d| issues.days(d));
    let late_grace = a
        .late_grace
        .as_ref()
        .map_or(Some(None), |g| issues.duration(g, "late_grace").map(Some));
    let no_show_later = a
        .no_show_later
        .as_ref()
        .map_or(Some(None), |n| no_show_later(issues, n).map(Some));
    let (share, capacity) = (share?, capacity?);
    let none = match &capacity {
        SlotCapacity::Count(n) => *n == 0,
        SlotCapacity::Table(p) => calendars::calendar(p, 0).range().1 == 0,
    };
    if none {
        if share > 0.0 {
            if let Some(c) = &a.capacity {
                let message = match &capacity {
                    SlotCapacity::Count(_) => format!(
                        "`capacity` must be at least 1 when `share` is above 0 (share = {share})"
                    ),
                    SlotCapacity::Table(_) => format!(
                        "every row of the `capacity` table is 0, but `share` is above 0 (share = {share})"
                    ),
                };
                issues.at(c, message);
            }
            return None;
        }
        return Some(None);
    }
    let hours = Hours {
        ranges: hours?,
        days: days?,
    };
    let capacity = match capacity {
        SlotCapacity::Count(capacity) => {
            let bookable = Calendar::from(calendars::calendar(&hours.pattern(), start));
            // A slot exists only while the gate is open, whatever `hours`
            // says.
            let hours = match port {
                Some(port) => bookable.combine(&port.open, |h, open| h.min(open)),
                None => bookable,
            };
            hours.map_values(|open| if open > 0 { capacity } else { 0 })
        }
        SlotCapacity::Table(table) => {
            let by_hour = Calendar::from(calendars::product(&table, &hours.pattern(), start));
            match port {
                Some(port) => by_hour.combine(&port.open, |c, open| if open > 0 { c } else { 0 }),
                None => by_hour,
            }
        }
    };
    Some(Some(Appointments {
        share,
        slot: slot?,
        capacity,
        max_lead: max_lead?,
        late_grace: late_grace?,
        no_show_later: no_show_later?,
        no_slot: no_slot?,
        no_show: no_show?,
        punctuality: punctuality?,
        priority: a.priority.as_ref().is_some_and(|p| *p.get_ref()),
    }))
}

/// Trucks per slot: one number, or a table by hour (and weekday).
enum SlotCapacity {
    Count(u32),
    Table(Pattern),
}

fn slot_capacity(issues: &mut Issues, c: &S<Lanes>) -> Option<SlotCapacity> {
    match c.get_ref() {
        Lanes::Count(n) => issues
            .count(&S::new(c.span(), *n), "capacity", 0)
            .map(SlotCapacity::Count),
        _ => stages::count_or_shifts(issues, c, "capacity", false).map(SlotCapacity::Table),
    }
}

/// `no_show_later = { probability, delay }`.
fn no_show_later(issues: &mut Issues, raw: &S<RawNoShowLater>) -> Option<NoShowLater> {
    let (n, place) = (raw.get_ref(), "in `no_show_later`");
    let probability = issues
        .required(&n.probability, "probability", place, Some(raw.span()))
        .and_then(|p| issues.fraction(p, "probability"));
    let delay = issues
        .required(&n.delay, "delay", place, Some(raw.span()))
        .and_then(|d| dists::dist(issues, d, "delay", Sign::NonNegative));
    Some(NoShowLater {
        probability: probability?,
        delay: delay?,
    })
}

/// How far ahead a truck books at most when `max_lead` is not given.
pub const DEFAULT_MAX_LEAD: Span = 7 * DAY;

fn no_slot(issues: &mut Issues, v: &S<super::raw::NoSlotText>) -> Option<NoSlot> {
    match v.get_ref().0.as_str() {
        "walk-in" => Some(NoSlot::WalkIn),
        "turn-away" => Some(NoSlot::TurnAway),
        other => {
            let issue = issues.at(
                v,
                format!(
                    "unknown `no_slot` value \"{other}\"; expected \"walk-in\" or \"turn-away\""
                ),
            );
            if let Some(near) = did_you_mean(other, &["walk-in", "turn-away"]) {
                issue.label(format!("did you mean \"{near}\"?"));
            }
            None
        }
    }
}

/// `[costs]`.
fn costs(issues: &mut Issues, raw: Option<&S<RawCosts>>) -> Option<Costs> {
    let Some(raw) = raw else {
        return Some(Costs {
            currency: "CNY".to_owned(),
            per_hour: 0.0,
            overnight: 0.0,
            per_truck: 0.0,
        });
    };
    let c = raw.get_ref();
    let mut amount =
        |v: &Option<S<f64>>, key: &str| v.as_ref().map_or(Some(0.0), |x| issues.money(x, key));
    let per_hour = amount(&c.per_hour, "per_hour");
    let overnight = amount(&c.overnight, "overnight");
    let per_truck = amount(&c.per_truck, "per_truck");
    Some(Costs {
        currency: c
            .currency
            .as_ref()
            .map_or_else(|| "CNY".to_owned(), |s| s.get_ref().clone()),
        per_hour: per_hour?,
        overnight: overnight?,
        per_truck: per_truck?,
    })
}
