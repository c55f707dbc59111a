//! `portsim calibrate --format json`: one document with the keys the
//! issue fixes (`arrivals`, `stages[]`, `data`, `validation`), durations in
//! seconds with `_s`, intervals as `ci95` pairs, `null` where there is
//! nothing to say (never 0).

use serde_json::{Map, Value, json};

use crate::calibrate::Calibration;
use crate::calibrate::fit::ServiceFit;
use crate::calibrate::interval::Estimated;
use crate::calibrate::log::time::{WEEKDAYS, show};

fn estimated(e: &Estimated) -> Value {
    json!({ "mean": e.mean, "ci95": e.ci95, "n": e.n })
}

/// A stage's service fit: the keys of `fit::ServiceFit`'s serialisation,
/// defined once beside the fit, and `rounded` (the observations that
/// entered the fit as times rounded to the log's resolution).
fn service(f: &ServiceFit, rounded: u64) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("rounded".into(), json!(rounded));
    }
    v
}

/// The whole calibration as JSON.
pub fn calibration(cal: &Calibration) -> Value {
    let a = &cal.arrivals;
    let days: Map<String, Value> = WEEKDAYS
        .iter()
        .zip(&a.days)
        .map(|(d, f)| ((*d).to_owned(), json!(f.mean)))
        .collect();
    let days_ci: Map<String, Value> = WEEKDAYS
        .iter()
        .zip(&a.days)
        .map(|(d, f)| ((*d).to_owned(), json!(f.ci95)))
        .collect();
    let stages: Vec<Value> = cal
        .stages
        .iter()
        .zip(&cal.loads)
        .map(|(s, l)| {
            let r = &s.routing;
            let mut share = estimated(&r.share);
            if !r.by_class.is_empty()
                && let Value::Object(m) = &mut share
            {
                let by: Map<String, Value> = r
                    .by_class
                    .iter()
                    .map(|(c, e)| (cal.class_name(*c), estimated(e)))
                    .collect();
                m.insert("classes".into(), Value::Object(by));
            }
            json!({
                "name": s.name,
                "visits": s.visits,
                "share": share,
                "lanes": {
                    "max": s.lanes.max,
                    "seen": s.lanes.seen,
                    "shifts": s.lanes.shifts,
                    "services": s.lanes.services,
                    "by_hour": s.lanes.by_hour,
                },
                "open": s.hours.open,
                "days": s.hours.days,
                "rework": r.rework.as_ref().map(|rw| json!({
                    "probability": rw.probability.mean,
                    "to": rw.to_name,
                    "ci95": rw.probability.ci95,
                    "n": rw.probability.n,
                })),
                "service": service(&s.service, s.rounded),
                "load": {
                    "rho": finite(l.rho()),
                    "demand_per_week": l.demand_per_week,
                    "capacity_per_week": finite(l.capacity_per_week),
                },
            })
        })
        .collect();
    let c = &cal.data.counts;
    let data = json!({
        "rows_read": cal.data.rows_read,
        "rows_used": c.rows_used,
        "rows_ignored": cal.data.rows_ignored,
        "trucks": {
            "trips": c.trips,
            "complete": c.complete,
            "inside_at_start": c.inside_at_start,
            "inside_at_end": c.inside_at_end,
            "arrive_lost": c.arrive_lost,
            "depart_lost": c.depart_lost,
            "departed": c.left[0],
            "turned_away": c.left[1],
            "diverted": c.left[2],
            "reneged": c.left[3],
        },
        "services": {
            "end_lost": c.end_lost,
            "start_lost": c.start_lost,
            "running_at_start": c.running_at_start,
            "running_at_end": c.running_at_end,
        },
        "routed_trips": cal.routed_trips,
    });
    let w = &cal.window;
    json!({
        "log": cal.log.display().to_string(),
        "map": cal.map.as_ref().map(|m| m.display().to_string()),
        "window": {
            "from": show(w.start),
            "to": show(w.end),
            "days": w.days,
            "resolution_s": w.resolution_s,
        },
        "arrivals": {
            "count": a.count,
            "per_day": estimated(&a.per_day),
            "rate_per_day": estimated(&a.rate),
            "profile": a.profile.iter().map(|p| p.mean).collect::<Vec<_>>(),
            "profile_ci95": a.profile.iter().map(|p| p.ci95).collect::<Vec<_>>(),
            "days": days,
            "days_ci95": days_ci,
            "dispersion": a.dispersion,
        },
        "classes": cal.classes.iter().map(|k| json!({
            "name": k.name,
            "share": estimated(&k.share),
        })).collect::<Vec<_>>(),
        "stages": stages,
        "data": data,
        "scenario": {
            "start": crate::calibrate::log::time::date(w.start),
            "warmup_s": cal.warmup_s,
            "horizon_s": cal.horizon_s,
            "replications": cal.replications,
            "seed": cal.seed,
        },
        "validation": cal.validation,
        "warnings": cal.warnings,
    })
}

/// `x`, or null when it is not finite (JSON has no infinity).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
