//! The flows of the calibration page: arrivals by hour of day and by
//! weekday with their 95 % intervals as error bars, and each stage's
//! services in progress by hour of day against the lanes written.

use maud::{Markup, html};

use crate::calibrate::arrivals::Arrivals;
use crate::calibrate::log::time::WEEKDAYS;
use crate::calibrate::{Calibration, StageCalibration};
use crate::report::format::number;
use crate::report::html::page::{Ids, figure};
use crate::report::svg::{Axis, Plot, Swatch};

fn hour_axis() -> Axis {
    Axis::new(
        "hour of day",
        0.0,
        24.0,
        (0..=8)
            .map(|k| (f64::from(k * 3), format!("{:02}:00", k * 3)))
            .collect(),
    )
}

/// Trucks per hour in each hour of day, on a day whose factor is 1, with
/// the 95 % interval of the hour's weight.
pub fn per_hour(a: &Arrivals) -> Vec<(f64, f64, f64)> {
    let scale = a.rate.mean / 24.0;
    a.profile
        .iter()
        .map(|p| (p.mean * scale, p.ci95[0] * scale, p.ci95[1] * scale))
        .collect()
}

/// Trucks per day on each weekday, with the 95 % interval of its factor.
pub fn per_weekday(a: &Arrivals) -> Vec<(f64, f64, f64)> {
    a.days
        .iter()
        .map(|d| {
            (
                d.mean * a.rate.mean,
                d.ci95[0] * a.rate.mean,
                d.ci95[1] * a.rate.mean,
            )
        })
        .collect()
}

fn top(values: &[(f64, f64, f64)]) -> f64 {
    values
        .iter()
        .flat_map(|v| [v.0, v.2])
        .filter(|x| x.is_finite())
        .fold(1.0, f64::max)
}

fn hours_chart(ids: &mut Ids, a: &Arrivals) -> String {
    let v = per_hour(a);
    let y = Axis::nice("trucks per hour", 0.0, top(&v), 6);
    let mut plot = Plot::new(
        &ids.fresh(),
        "Arrivals by hour of day",
        (520.0, 300.0),
        hour_axis(),
        y,
    );
    plot.bars(
        v.iter()
            .enumerate()
            .map(|(h, x)| (h as f64 + 0.5, x.0))
            .collect(),
        0.8,
        0,
    );
    plot.whiskers(
        v.iter()
            .enumerate()
            .map(|(h, x)| (h as f64 + 0.5, x.1, x.2))
            .collect(),
        4,
    );
    plot.legend(Swatch::Fill(0), "arrivals");
    plot.legend(Swatch::Line(4), "95% interval");
    plot.render()
}

fn days_chart(ids: &mut Ids, a: &Arrivals) -> String {
    let v = per_weekday(a);
    let x = Axis::new(
        "weekday",
        0.0,
        7.0,
        WEEKDAYS
            .iter()
            .enumerate()
            .map(|(d, w)| (d as f64 + 0.5, (*w).to_owned()))
            .collect(),
    );
    let y = Axis::nice("trucks per day", 0.0, top(&v), 6);
    let mut plot = Plot::new(&ids.fresh(), "Arrivals by weekday", (520.0, 300.0), x, y);
    let seen = |d: usize| a.weekdays_seen.get(d).copied().unwrap_or(false);
    plot.bars(
        v.iter()
            .enumerate()
            .filter(|(d, _)| seen(*d))
            .map(|(d, x)| (d as f64 + 0.5, x.0))
            .collect(),
        0.7,
        0,
    );
    plot.whiskers(
        v.iter()
            .enumerate()
            .filter(|(d, _)| seen(*d))
            .map(|(d, x)| (d as f64 + 0.5, x.1, x.2))
            .collect(),
        4,
    );
    plot.legend(Swatch::Fill(0), "arrivals");
    plot.legend(Swatch::Line(4), "95% interval");
    plot.render()
}

/// The dispersion verdict in words.
pub fn dispersion(a: &Arrivals) -> String {
    let d = &a.dispersion;
    if d.over_dispersed {
        format!(
            "Hourly arrivals vary more than a Poisson process would (dispersion index {}, p = {:.1e}): trucks come in bunches, which the scenario's Poisson arrivals do not, so its waits may be too short.",
            number(d.index, 2),
            d.p_value
        )
    } else if d.index.is_finite() {
        format!(
            "Hourly arrivals vary as a Poisson process would (dispersion index {} over {} hours), as the scenario assumes.",
            number(d.index, 2),
            d.hours
        )
    } else {
        "Too few whole hours to tell whether arrivals come in bunches.".to_owned()
    }
}

/// The arrivals section.
pub fn arrivals(ids: &mut Ids, a: &Arrivals) -> Markup {
    let busiest = per_hour(a)
        .iter()
        .enumerate()
        .max_by(|x, y| x.1.0.total_cmp(&y.1.0))
        .map_or(0, |(h, _)| h);
    html! {
        h2 { "Arrivals" }
        p.lead {
            (format!(
                "{} trucks a day on average (95% interval {} to {}, {} arrivals); the busiest hour starts at {busiest:02}:00. ",
                number(a.per_day.mean, 1),
                number(a.per_day.ci95[0], 1),
                number(a.per_day.ci95[1], 1),
                a.count
            ))
            (dispersion(a))
        }
        div.grid2 {
            (figure("Arrivals by hour of day", hours_chart(ids, a), Some(html! { "On a day whose weekday factor is 1; error bars are 95% intervals." })))
            (figure("Arrivals by weekday", days_chart(ids, a), Some(html! { "Weekdays the log does not cover are left out." })))
        }
        details.method {
            summary { "How arrivals are estimated" }
            p { "The rate is portsim's: rate × profile[hour] × days[weekday]. Each hour of the log's window is exposure; the hour-of-day weights and the weekday factors are fitted to the arrive rows over that exposure (raked, so a window starting mid-week biases neither) and scaled to mean 1. Intervals are Poisson intervals of each hour's (weekday's) count, widened by the dispersion index when hourly counts are over-dispersed (quasi-Poisson). The dispersion index is Pearson's χ² of the whole hours' counts against the fitted rate over its degrees of freedom; over-dispersed when its p-value is below 0.01." }
        }
    }
}

/// One stage's services in progress against its lanes.
fn concurrency_chart(ids: &mut Ids, s: &StageCalibration) -> String {
    let l = &s.lanes;
    let most: Vec<u32> = (0..24)
        .map(|h| (0..7).map(|d| l.lanes[d][h]).max().unwrap_or(0))
        .collect();
    let least: Vec<u32> = (0..24)
        .map(|h| (0..7).map(|d| l.lanes[d][h]).min().unwrap_or(0))
        .collect();
    let hi = most
        .iter()
        .chain(&l.by_hour.peak)
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let y = Axis::nice_of("services in progress", 0.0, f64::from(hi), 6, true);
    let mut plot = Plot::new(
        &ids.fresh(),
        &format!("Services in progress at {} by hour of day", s.name),
        (520.0, 300.0),
        hour_axis(),
        y,
    );
    let shut = closed(s);
    for &(a, b) in &shut {
        plot.shade(a, b);
    }
    if !shut.is_empty() {
        plot.legend(Swatch::Shade, "closed");
    }
    let step = |v: &[u32]| -> Vec<(f64, f64)> {
        v.iter()
            .enumerate()
            .flat_map(|(h, &x)| [(h as f64, f64::from(x)), (h as f64 + 1.0, f64::from(x))])
            .collect()
    };
    plot.curve(step(&most), 1);
    plot.legend(
        Swatch::Line(1),
        if most == least {
            "lanes written"
        } else {
            "lanes written (most on any day)"
        },
    );
    if most != least {
        plot.curve(step(&least), 3);
        plot.legend(Swatch::Line(3), "lanes written (fewest on any day)");
    }
    plot.bars(
        l.by_hour
            .peak
            .iter()
            .enumerate()
            .map(|(h, &p)| (h as f64 + 0.5, f64::from(p)))
            .collect(),
        0.8,
        2,
    );
    plot.legend(Swatch::Fill(2), "peak in progress");
    plot.line(
        l.by_hour
            .mean
            .iter()
            .enumerate()
            .map(|(h, &m)| (h as f64 + 0.5, m))
            .collect(),
        0,
    );
    plot.legend(Swatch::Line(0), "mean in progress");
    plot.render()
}

/// The hour of day in which a stage's lanes are busiest on average: the
/// hour, the mean services in progress and the lanes written (the most on
/// any day).
pub fn busiest(s: &StageCalibration) -> Option<(usize, f64, u32)> {
    (0..24)
        .filter_map(|h| {
            let lanes = (0..7).map(|d| s.lanes.lanes[d][h]).max().unwrap_or(0);
            (lanes > 0 && s.lanes.by_hour.mean[h] > 0.0)
                .then(|| (h, s.lanes.by_hour.mean[h], lanes))
        })
        .max_by(|a, b| (a.1 / f64::from(a.2)).total_cmp(&(b.1 / f64::from(b.2))))
}

/// Hours of day in which a stage is closed on every day.
fn closed(s: &StageCalibration) -> Vec<(f64, f64)> {
    (0..24)
        .filter(|&h| !(0..7).any(|d| s.hours.is_open(d, h)))
        .map(|h| (h as f64, h as f64 + 1.0))
        .collect()
}

/// The concurrency section.
pub fn concurrency(ids: &mut Ids, cal: &Calibration) -> Markup {
    let words: Vec<String> = cal
        .stages
        .iter()
        .filter_map(|s| {
            busiest(s).map(|(h, mean, lanes)| {
                format!(
                    "{} {} of {lanes} lane(s) busy on average at {h:02}:00 ({}%)",
                    s.name,
                    number(mean, 1),
                    number(100.0 * mean / f64::from(lanes), 0)
                )
            })
        })
        .collect();
    html! {
        h2 { "Concurrency against the lanes" }
        p.lead {
            @if words.is_empty() {
                "No service was in progress at any stage: nothing to set against the lanes."
            } @else {
                (format!("At its busiest hour of day: {}. A stage whose lanes are busy most of an hour on average has queues then; one far below its lanes has room to spare.", words.join("; ")))
            }
        }
        div.grid2 {
            @for s in &cal.stages {
                (figure(&format!("Stage {}", s.name), concurrency_chart(ids, s), None))
            }
        }
        details.method {
            summary { "How lanes are read from the log" }
            p { "A service occupies [start, end); an end and a start in the same minute do not overlap. A service whose end row was lost is left out; one still running at the log's end counts up to it. The peak is the most services in progress at once in each hour of day on any day; the mean is service-hours over the window's hours. Lanes are the peak, or a shift table where stages saturate at fewer lanes in some hours or weekdays (docs/event-log.md)." }
        }
    }
}
