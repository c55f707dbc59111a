//! The calibrated scenario as TOML text: every number with its estimate,
//! interval, count and method in a comment.
//!
//! The file is written for a planner who will read it before trusting it:
//! a header says which log it came from and what was in it; `start` is the
//! log's first date, so the weekly calendars fall on the log's weekdays;
//! the horizon is the log's window (whole days) and the warm-up a whole
//! number of weeks (so the measured window starts on the same weekday as
//! the log) long enough for the port to fill as the log found it. The
//! text is checked by loading it with `scenario::parse` before anyone sees
//! it, so a calibrated file always runs with `portsim run` as it is.

use std::fmt::Write as _;
use std::time::Duration;

use super::Calibration;
use super::fit::Fitted;
use super::interval::Estimated;
use super::lanes::Shift;
use super::log::time::{DAY, WEEKDAYS, date, show};

/// A TOML basic string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A duration in the scenario format (to the millisecond).
pub fn duration(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round().min(u64::MAX as f64) as u64;
    if ms == 0 {
        return "\"0s\"".to_owned();
    }
    format!(
        "\"{}\"",
        humantime::format_duration(Duration::from_millis(ms))
    )
}

/// A number for a comment: 3 significant digits, at least.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// "95 % CI a–b".
fn ci(e: &Estimated) -> String {
    format!("95 % CI {}–{}", num(e.ci95[0]), num(e.ci95[1]))
}

/// A value to write: finite, else the neutral `fallback`.
fn value(x: f64, fallback: f64) -> f64 {
    if x.is_finite() { x } else { fallback }
}

/// Writes the calibrated scenario of `cal`.
pub fn write(cal: &Calibration) -> String {
    let mut t = String::new();
    let w = &cal.window;
    let name = format!(
        "calibrated from {}",
        cal.log.file_name().map_or_else(
            || cal.log.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        )
    );
    let _ = writeln!(
        t,
        "# Calibrated by `portsim calibrate` from the log `{}`.",
        cal.log.display()
    );
    let _ = writeln!(
        t,
        "# {} rows read, {} used; {} truck trips seen from {} to {} ({} days); times to the {}.",
        cal.data.rows_read,
        cal.data.counts.rows_used,
        cal.data.counts.trips,
        show(w.start),
        show(w.end),
        num(w.days),
        if w.resolution_s > 1 {
            "minute"
        } else {
            "second"
        }
    );
    let _ = writeln!(
        t,
        "# Every number says where it comes from: its estimate, 95 % interval, the observations behind it and the method (docs/event-log.md)."
    );
    let _ = writeln!(t, "name = {}", quote(&name));
    let _ = writeln!(t, "seed = {}", cal.seed);
    let _ = writeln!(t, "start = \"{}\"  # the log's first date", date(w.start));
    if cal.opening.is_some() {
        let _ = writeln!(
            t,
            "warmup = \"0d\"  # a stage cannot keep up (see its load below), so no warm-up reaches a steady state: the port starts from the trucks the log found inside at its opening ([initial])"
        );
    } else {
        let _ = writeln!(
            t,
            "warmup = \"{}d\"  # whole weeks, so the measured window starts on the log's weekday; at least a day and 5 × the observed p95 time in port ({}), so the port fills as the log found it",
            cal.warmup_s / DAY,
            cal.observed.time_in_port_p95_s.map_or_else(
                || "not observed".to_owned(),
                |p| format!("{} h", num(p / 3600.0))
            )
        );
    }
    let _ = writeln!(
        t,
        "horizon = \"{}d\"  # the log's window ({} days), in whole days",
        cal.horizon_s / DAY,
        num(w.days)
    );
    let _ = writeln!(t, "replications = {}", cal.replications);
    demand(&mut t, cal);
    classes(&mut t, cal);
    for (i, s) in cal.stages.iter().enumerate() {
        stage(&mut t, cal, s, cal.loads.get(i));
    }
    initial(&mut t, cal);
    t
}

/// `[initial]` from the trucks inside at the log's opening, when a stage
/// cannot keep up (`calibrate::load`).
fn initial(t: &mut String, cal: &Calibration) {
    let Some(opening) = &cal.opening else {
        return;
    };
    let _ = writeln!(
        t,
        "\n# The trucks inside when the log opened, where their first row places them (a `start`: queued; an `end`: in service); their ages are not in the log."
    );
    let _ = writeln!(t, "[initial]");
    for (s, &(queued, in_service)) in cal.stages.iter().zip(opening) {
        if queued == 0 && in_service == 0 {
            continue;
        }
        let lanes = s.lanes.max.max(1);
        let _ = writeln!(t, "\n[[initial.stages]]");
        let _ = writeln!(t, "name = {}", quote(&s.name));
        let _ = writeln!(t, "queued = {}", queued + in_service.saturating_sub(lanes));
        let _ = writeln!(
            t,
            "in_service = {}{}",
            in_service.min(lanes),
            if in_service > lanes {
                format!(
                    "  # {in_service} seen in service, more than its {lanes} lanes: the rest queue"
                )
            } else {
                String::new()
            }
        );
    }
}

fn demand(t: &mut String, cal: &Calibration) {
    let a = &cal.arrivals;
    let _ = writeln!(t, "\n[demand]");
    let _ = writeln!(
        t,
        "rate = \"{:.3}/d\"  # estimate {} trucks/day, {}; {} arrivals ({} of them with their `arrive` row lost) over {} days, weighted by the hour and weekday factors; {} interval",
        value(a.rate.mean, 0.0),
        num(a.rate.mean),
        ci(&a.rate),
        a.count,
        a.count - a.seen,
        num(a.window_days),
        if a.dispersion.over_dispersed {
            format!(
                "quasi-Poisson (hourly counts over-dispersed, index {})",
                num(a.dispersion.index)
            )
        } else {
            "Poisson".to_owned()
        }
    );
    let _ = writeln!(
        t,
        "# profile: each hour's arrivals over its exposure in the window, weighted by the weekday factors, scaled to mean 1"
    );
    let _ = writeln!(t, "profile = [");
    for (h, p) in a.profile.iter().enumerate() {
        let _ = writeln!(
            t,
            "  {:.4},  # {h:02}:00  {}, {} arrivals",
            value(p.mean, 1.0),
            ci(p),
            p.n
        );
    }
    let _ = writeln!(t, "]");
    let _ = writeln!(
        t,
        "\n# weekday factors: each weekday's arrivals over its exposure, weighted by the profile, scaled to mean 1"
    );
    let _ = writeln!(t, "[demand.days]");
    for (d, f) in a.days.iter().enumerate() {
        if a.weekdays_seen[d] {
            let _ = writeln!(
                t,
                "{} = {:.4}  # {}, {} arrivals",
                WEEKDAYS[d],
                value(f.mean, 1.0),
                ci(f),
                f.n
            );
        } else {
            let _ = writeln!(t, "{} = 1.0  # not in the log's window", WEEKDAYS[d]);
        }
    }
}

fn classes(t: &mut String, cal: &Calibration) {
    if cal.classes.is_empty() {
        return;
    }
    let total: f64 = cal.classes.iter().map(|c| value(c.share.mean, 0.0)).sum();
    let mut written = 0.0f64;
    for (i, c) in cal.classes.iter().enumerate() {
        // Shares sum to exactly 1 as written: the last takes the rest.
        let share = if i + 1 == cal.classes.len() {
            (1.0 - written).max(0.0)
        } else {
            let s = (value(c.share.mean, 0.0) / total.max(f64::MIN_POSITIVE) * 1e9).round() / 1e9;
            written += s;
            s
        };
        let _ = writeln!(t, "\n[[classes]]");
        let _ = writeln!(t, "name = {}", quote(&c.name));
        let _ = writeln!(
            t,
            "share = {share:.9}  # {} of {} trips that arrived in the window; {}",
            c.arrivals,
            c.share.n,
            ci(&c.share)
        );
    }
}

fn stage(
    t: &mut String,
    cal: &Calibration,
    s: &super::StageCalibration,
    load: Option<&super::load::StageLoad>,
) {
    let _ = writeln!(t, "\n[[stages]]");
    let _ = writeln!(t, "name = {}", quote(&s.name));
    if let Some(l) = load {
        let _ = writeln!(
            t,
            "# load ρ = {}: {} services a week needed (arrivals × share × rework), {} possible (open lane-hours × 3600 s / mean service){}",
            num(l.rho()),
            num(l.demand_per_week),
            num(l.capacity_per_week),
            if l.overloaded() {
                ": it cannot keep up"
            } else {
                ""
            }
        );
    }
    let seen = s
        .lanes
        .seen
        .map(|n| format!("; {n} distinct lanes in the `lane` column"))
        .unwrap_or_default();
    match &s.lanes.shifts {
        None => {
            let _ = writeln!(
                t,
                "lanes = {}  # peak {} services in progress at once over {} services{seen}",
                s.lanes.max.max(1),
                s.lanes.max,
                s.lanes.services
            );
        }
        Some(rows) => {
            let _ = writeln!(
                t,
                "# lanes by hour: the services in progress when the stage was saturated (a truck started while others waited), by hour of day and weekday; peak {} over {} services{seen}",
                s.lanes.max, s.lanes.services
            );
            let _ = writeln!(t, "lanes = [");
            for r in rows {
                let _ = writeln!(t, "  {},", shift(r));
            }
            let _ = writeln!(t, "]");
        }
    }
    if let Some(open) = &s.hours.open {
        let list: Vec<String> = open.iter().map(|r| quote(r)).collect();
        let _ = writeln!(
            t,
            "open = [{}]  # services started in these hours; outside them trucks waited while the lanes stood idle (rule: docs/event-log.md)",
            list.join(", ")
        );
    }
    if let Some(days) = &s.hours.days {
        let list: Vec<String> = days.iter().map(|d| quote(d)).collect();
        let _ = writeln!(
            t,
            "days = [{}]  # weekdays on which services started",
            list.join(", ")
        );
    }
    let r = &s.routing;
    if r.by_class.is_empty() {
        let _ = writeln!(
            t,
            "share = {:.6}  # {}; visited by {} of {} complete trips",
            value(r.share.mean, 1.0),
            ci(&r.share),
            (value(r.share.mean, 0.0) * r.share.n as f64).round(),
            r.share.n
        );
    } else {
        let parts: Vec<String> = r
            .by_class
            .iter()
            .map(|(c, e)| format!("{} = {:.6}", quote(&cal.class_name(*c)), value(e.mean, 1.0)))
            .collect();
        let notes: Vec<String> = r
            .by_class
            .iter()
            .map(|(c, e)| {
                format!(
                    "{}: {} of {}, {}",
                    cal.class_name(*c),
                    (value(e.mean, 0.0) * e.n as f64).round(),
                    e.n,
                    ci(e)
                )
            })
            .collect();
        let _ = writeln!(
            t,
            "share = {{ {} }}  # complete trips of each class visiting: {}",
            parts.join(", "),
            notes.join("; ")
        );
    }
    let fit = s.service.chosen();
    let _ = writeln!(
        t,
        "service = {}  # maximum likelihood, {} observations ({} right-censored at the log's end{}); mean {} s{}",
        service(&fit.fitted),
        s.service.n,
        s.service.censored,
        if cal.window.resolution_s > 1 {
            ", minute-rounded times as intervals"
        } else {
            ""
        },
        num(fit.mean_s),
        fit.mean_ci95
            .map(|c| format!(" (95 % CI {}–{})", num(c[0]), num(c[1])))
            .unwrap_or_default()
    );
    if let Some(rw) = &r.rework {
        let _ = writeln!(
            t,
            "rework = {{ probability = {:.6}, to = {} }}  # {}; {} steps back out of {} services",
            value(rw.probability.mean, 0.0).min(0.999_999),
            quote(&rw.to_name),
            ci(&rw.probability),
            (value(rw.probability.mean, 0.0) * rw.probability.n as f64).round(),
            rw.probability.n
        );
    }
}

fn shift(r: &Shift) -> String {
    match &r.days {
        None => format!("{{ hours = {}, count = {} }}", quote(&r.hours), r.count),
        Some(days) => {
            let list: Vec<String> = days.iter().map(|d| quote(d)).collect();
            format!(
                "{{ hours = {}, count = {}, days = [{}] }}",
                quote(&r.hours),
                r.count,
                list.join(", ")
            )
        }
    }
}

/// A fitted distribution in the scenario format.
pub fn service(f: &Fitted) -> String {
    match f {
        Fitted::Exponential { mean_s } => {
            format!("{{ dist = \"exponential\", mean = {} }}", duration(*mean_s))
        }
        Fitted::Gamma { mean_s, sd_s } => format!(
            "{{ dist = \"gamma\", mean = {}, sd = {} }}",
            duration(*mean_s),
            duration(*sd_s)
        ),
        Fitted::Lognormal { mean_s, sd_s } => format!(
            "{{ dist = \"lognormal\", mean = {}, sd = {} }}",
            duration(*mean_s),
            duration(*sd_s)
        ),
        Fitted::Erlang { k, mean_s } => {
            format!(
                "{{ dist = \"erlang\", k = {k}, mean = {} }}",
                duration(*mean_s)
            )
        }
        Fitted::Deterministic { value_s } => {
            format!(
                "{{ dist = \"deterministic\", value = {} }}",
                duration(*value_s)
            )
        }
        Fitted::Empirical { values_s, weights } => {
            let v: Vec<String> = values_s.iter().map(|x| duration(*x)).collect();
            let w: Vec<String> = weights.iter().map(|x| format!("{x}")).collect();
            format!(
                "{{ dist = \"empirical\", values = [{}], weights = [{}] }}",
                v.join(", "),
                w.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_durations_are_written_as_the_format_reads_them() {
        assert_eq!(quote("a \"b\"\\"), "\"a \\\"b\\\"\\\\\"");
        assert_eq!(quote("tab\there"), "\"tab\\u0009here\"");
        assert_eq!(duration(612.3456), "\"10m 12s 346ms\"");
        assert_eq!(duration(0.0), "\"0s\"");
        assert_eq!(
            crate::scenario::parse_duration("10m 12s 346ms"),
            Ok(612_346)
        );
    }
}
