//! The report's charts, drawn from summaries with the primitives in
//! [`crate::report::svg`].
//!
//! Each function returns one `<svg>` and reads only aggregates (means and
//! intervals per day or hour, pooled histogram bins, per-stage estimates),
//! never per-truck records, so a page stays small however long the run.
//! When two scenarios are compared they share every axis, so bars and
//! lines can be compared by eye.

use crate::engine::time::{DAY, MINUTE, SECOND};
use crate::experiment::attribution::Attribution;
use crate::experiment::estimate::Estimate;
use crate::experiment::labels::label;
use crate::experiment::summary::Summary;
use crate::report::format::{duration, duration_unit, number};
use crate::report::svg::{
    Axis, Bar, HBars, LegendItem, Panel, Plot, Swatch, nice_step, row_label_width,
};
use crate::scenario::Scenario;

/// Width of a full-width chart, in viewBox units.
pub const FULL: f64 = 960.0;
/// Width of a half-width chart.
pub const HALF: f64 = 470.0;

/// One scenario's results, as a chart series.
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    /// Legend label ("baseline", "variant", or the scenario's role).
    pub label: &'a str,
    /// The scenario (for opening hours).
    pub scenario: &'a Scenario,
    /// Its results.
    pub summary: &'a Summary,
    /// Index into [`crate::report::svg::STYLES`].
    pub style: usize,
}

/// A legend label: `what`, prefixed with the series' label when there
/// is more than one series.
fn tagged(series: &[Series], s: &Series, what: &str) -> String {
    if series.len() == 1 {
        what.to_owned()
    } else {
        format!("{}: {what}", s.label)
    }
}

fn ci_hi(e: &Estimate) -> f64 {
    e.ci95.map_or(e.mean, |c| c[1])
}

fn band(points: impl Iterator<Item = (f64, Estimate)>) -> Vec<(f64, f64, f64)> {
    points
        .filter_map(|(x, e)| e.ci95.map(|[lo, hi]| (x, lo.max(0.0), hi)))
        .filter(|p| p.1.is_finite() && p.2.is_finite())
        .collect()
}

/// An axis of days `1..=days`, ticked weekly when that reads well, each
/// tick labelled like every other output names days: `day 8 (Mon)`.
fn day_axis(days: usize, scenario: &Scenario) -> Axis {
    let days = days.max(2) as f64;
    let step = if (14.0..=120.0).contains(&days) {
        7.0
    } else {
        nice_step(days / 8.0, true)
    };
    // Weekly ticks fall on the first day's weekday: 1, 8, 15, …
    let first = if step == 7.0 { 1.0 } else { 0.0 };
    let ticks = (1..)
        .map(|i| first + i as f64 * step)
        .take_while(|&t| t <= days);
    let label = |t: f64| (t, crate::report::days::label(scenario, t as usize));
    let ticks = std::iter::once(label(1.0))
        .chain(ticks.filter(|t| *t - 1.0 >= step / 2.0).map(label))
        .collect();
    Axis::new("day of the measured period", 1.0, days, ticks)
}

/// Daily departures: mean line and 95% band per series.
pub fn daily(id: &str, series: &[Series]) -> String {
    let days = series
        .iter()
        .map(|s| s.summary.daily_departures.len())
        .max()
        .unwrap_or(0);
    let top = series
        .iter()
        .flat_map(|s| s.summary.daily_departures.iter().map(ci_hi))
        .fold(1.0, f64::max);
    let y = Axis::nice("departures (trucks per day)", 0.0, top, 6);
    let x = match series.first() {
        Some(s) => day_axis(days, s.scenario),
        None => Axis::new("day of the measured period", 1.0, 2.0, Vec::new()),
    };
    let mut plot = Plot::new(id, "Daily departures", (FULL, 340.0), x, y);
    for s in series {
        let days = s.summary.daily_departures.iter().copied();
        let x = |(d, e): (usize, Estimate)| ((d + 1) as f64, e);
        let points: Vec<(f64, Estimate)> = days.enumerate().map(x).collect();
        plot.band(band(points.iter().copied()), s.style);
        plot.line(points.iter().map(|(d, e)| (*d, e.mean)).collect(), s.style);
        plot.legend(Swatch::Line(s.style), tagged(series, s, "mean"));
        plot.legend(Swatch::Band(s.style), tagged(series, s, "95% CI"));
    }
    plot.render()
}

/// Spans of the day, in hours, when the gate is closed on every day of the
/// week (15-minute resolution).
pub fn closed_hours(scenario: &Scenario) -> Vec<(f64, f64)> {
    let slot = 15 * MINUTE;
    let closed =
        |k: u64| (0..7).all(|d| scenario.port.open.value_at(d * DAY + k * slot + slot / 2) == 0);
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for k in 0..DAY / slot {
        if !closed(k) {
            continue;
        }
        let (a, b) = (k as f64 / 4.0, (k + 1) as f64 / 4.0);
        match spans.last_mut() {
            Some(last) if last.1 == a => last.1 = b,
            _ => spans.push((a, b)),
        }
    }
    spans
}

fn hour_axis(title: &str) -> Axis {
    let ticks = (0..=8)
        .map(|i| (i as f64 * 3.0, format!("{:02}:00", i * 3)))
        .collect();
    Axis::new(title, 0.0, 24.0, ticks)
}

/// The largest hourly arrival or departure rate of the series (for a shared
/// axis across panels).
pub fn hourly_top(series: &[Series]) -> f64 {
    series
        .iter()
        .flat_map(|s| {
            let h = &s.summary.hourly;
            h.arrivals.iter().chain(&h.departures).map(ci_hi)
        })
        .fold(1.0, f64::max)
}

/// Arrivals (bars) and departures (line) by hour of day for one series,
/// with the hours when the gate is closed shaded.
pub fn hourly_flow(id: &str, s: &Series, top: f64) -> String {
    let h = &s.summary.hourly;
    let y = Axis::nice("trucks per hour", 0.0, top, 5);
    let title = format!("{}: arrivals and departures by hour of day", s.label);
    let x = hour_axis("hour of day (local time)");
    let mut plot = Plot::new(id, &title, (HALF, 330.0), x, y);
    let closed = closed_hours(s.scenario);
    for &(a, b) in &closed {
        plot.shade(a, b);
    }
    let mid = |i: usize| i as f64 + 0.5;
    let arrivals = h.arrivals.iter().enumerate().map(|(i, e)| (mid(i), e.mean));
    plot.bars(arrivals.collect(), 0.8, 4);
    let departures = h.departures.iter().enumerate();
    plot.line(departures.map(|(i, e)| (mid(i), e.mean)).collect(), s.style);
    plot.legend(Swatch::Fill(4), "arrivals");
    plot.legend(Swatch::Line(s.style), "departures");
    if !closed.is_empty() {
        plot.legend(Swatch::Shade, "gate closed");
    }
    plot.render()
}

/// Trucks waiting (road and stage queues) by hour of day, per series.
pub fn hourly_waiting(id: &str, series: &[Series], width: f64) -> String {
    let top = series
        .iter()
        .flat_map(|s| s.summary.hourly.waiting.iter().map(ci_hi))
        .fold(1.0, f64::max);
    let y = Axis::nice("trucks waiting (road and queues)", 0.0, top, 5);
    let x = hour_axis("hour of day (local time)");
    let mut plot = Plot::new(id, "Trucks waiting by hour of day", (width, 330.0), x, y);
    for s in series {
        let w = &s.summary.hourly.waiting;
        let points = || w.iter().enumerate().map(|(i, e)| (i as f64 + 0.5, *e));
        plot.band(band(points()), s.style);
        plot.line(points().map(|(x, e)| (x, e.mean)).collect(), s.style);
        plot.legend(Swatch::Line(s.style), tagged(series, s, "mean"));
        plot.legend(Swatch::Band(s.style), tagged(series, s, "95% CI"));
    }
    plot.render()
}

/// The cumulative distribution `(seconds, percent)` of a series' time in
/// port, from 600 histogram bins.
fn cdf(s: &Summary) -> Vec<(f64, f64)> {
    let total = s.time_in_port.count().max(1) as f64;
    let mut cum = 0u64;
    let mut points = vec![(0.0, 0.0)];
    for (edge, count) in s.time_in_port.bins(600) {
        cum += count;
        points.push((edge / SECOND as f64, 100.0 * cum as f64 / total));
    }
    points
}

/// Cuts a curve at `x_max`, interpolating the last point.
fn clip(points: &[(f64, f64)], x_max: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if out.is_empty() {
            out.push((x0, y0));
        }
        if x1 <= x_max {
            out.push((x1, y1));
        } else {
            let t = if x1 > x0 {
                (x_max - x0) / (x1 - x0)
            } else {
                1.0
            };
            out.push((x_max, y0 + t * (y1 - y0)));
            break;
        }
    }
    out
}

/// The distribution of time in port as a CDF, p50 and p95 marked.
pub fn time_in_port(id: &str, series: &[Series]) -> String {
    let p99 = series
        .iter()
        .map(|s| s.summary.time_in_port.percentiles().p99 / SECOND as f64)
        .fold(60.0, f64::max);
    let (div, unit) = duration_unit(p99);
    let x = Axis::nice(format!("time in port ({unit})"), 0.0, p99 / div, 8);
    let y = Axis::new(
        "share of cleared trucks (%)",
        0.0,
        100.0,
        (0..=5)
            .map(|i| (i as f64 * 20.0, format!("{}", i * 20)))
            .collect(),
    );
    let x_max = x.hi;
    let mut plot = Plot::new(id, "Distribution of time in port", (FULL, 360.0), x, y);
    plot.rule(50.0, "p50").rule(95.0, "p95");
    for s in series {
        let scaled: Vec<(f64, f64)> = cdf(s.summary).iter().map(|&(x, y)| (x / div, y)).collect();
        plot.curve(clip(&scaled, x_max), s.style);
        let p = s.summary.time_in_port.percentiles();
        let sec = |t: f64| t / SECOND as f64 / div;
        if s.summary.time_in_port.count() > 0 {
            plot.point(sec(p.p50), 50.0, s.style)
                .point(sec(p.p95), 95.0, s.style);
        }
        let text = format!(
            "p50 {}, p95 {}",
            duration(p.p50 / SECOND as f64),
            duration(p.p95 / SECOND as f64)
        );
        plot.legend(Swatch::Line(s.style), tagged(series, s, &text));
    }
    plot.render()
}

/// What stage charts of several scenarios share so that they line up.
#[derive(Clone, Copy, Debug)]
pub struct StageScale {
    util: f64,
    wait: f64,
    label: f64,
}

/// The largest utilisation (percent), mean wait (seconds) and row label
/// over the stages of all series.
pub fn stage_scale(series: &[Series]) -> StageScale {
    let stages = || series.iter().flat_map(|s| s.summary.stages.iter());
    let util = stages()
        .map(|st| 100.0 * ci_hi(&st.utilization))
        .fold(100.0, f64::max);
    let wait = stages()
        .map(|st| ci_hi(&st.wait.estimate))
        .fold(1.0, f64::max);
    let label = stages()
        .map(|st| row_label_width(&format!("{} (busiest)", st.name)))
        .fold(0.0, f64::max);
    StageScale { util, wait, label }
}

/// Per-stage lane utilisation and mean wait, the busiest stage in solid,
/// on a scale shared with the other series.
pub fn stages(id: &str, s: &Series, scale: StageScale) -> String {
    let (util_top, wait_top) = (scale.util, scale.wait);
    let summary = s.summary;
    let busiest = summary.bottleneck();
    let (div, unit) = duration_unit(wait_top);
    let util_rows = summary.stages.iter().enumerate().map(|(i, st)| {
        let u = st.utilization.scaled(100.0);
        vec![Bar {
            value: u.mean,
            ci: u.ci95,
            style: s.style,
            highlight: Some(i) == busiest,
            text: format!("{:.1}%", u.mean),
        }]
    });
    let wait_rows = summary.stages.iter().enumerate().map(|(i, st)| {
        let w = st.wait.estimate;
        vec![Bar {
            value: w.mean / div,
            ci: w.ci95.map(|[lo, hi]| [lo / div, hi / div]),
            style: s.style,
            highlight: Some(i) == busiest,
            text: duration(w.mean),
        }]
    });
    let labels = summary.stages.iter().enumerate().map(|(i, st)| {
        if Some(i) == busiest {
            (format!("{} (busiest)", st.name), true)
        } else {
            (st.name.clone(), false)
        }
    });
    HBars {
        id: id.to_owned(),
        title: format!("{}: utilisation and mean wait per stage", s.label),
        width: FULL,
        labels: labels.collect(),
        min_label_width: scale.label,
        panels: vec![
            Panel {
                title: "Lane utilisation (time lanes on duty are busy)".into(),
                axis: Axis::nice("utilisation (%)", 0.0, util_top, 5),
                rows: util_rows.collect(),
                reference: Some((100.0, "100%".into())),
            },
            Panel {
                title: "Mean wait before service".into(),
                axis: Axis::nice(format!("mean wait ({unit})"), 0.0, wait_top / div, 5),
                rows: wait_rows.collect(),
                reference: None,
            },
        ],
        legend: Vec::new(),
    }
    .render()
}

/// Each intervention's Shapley share of each metric's combined change.
pub fn shapley(
    id: &str,
    names: &[String],
    metrics: &[(&str, Attribution)],
    units: &dyn Fn(&str, f64) -> String,
) -> String {
    let shares = metrics
        .iter()
        .flat_map(|(_, a)| a.shares.iter().map(|e| e.mean));
    let (lo, hi) = shares
        .filter(|x| x.is_finite())
        .fold((0.0f64, 100.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let axis = Axis::nice("share of the combined change (%)", lo, hi, 6);
    let rows = metrics.iter().map(|(_, a)| {
        a.shares
            .iter()
            .map(|e| e.mean)
            .enumerate()
            .map(|(j, v)| Bar {
                value: v,
                ci: None,
                style: j,
                highlight: false,
                text: format!("{}%", number(v, 0)),
            })
            .collect()
    });
    let labels = metrics.iter().map(|(m, a)| {
        (
            format!("{} ({})", label(m), units(m, a.combined.mean)),
            false,
        )
    });
    HBars {
        id: id.to_owned(),
        title: "Shapley share of each intervention in the combined change".into(),
        width: FULL,
        labels: labels.collect(),
        min_label_width: 0.0,
        panels: vec![Panel {
            title: "Share of the combined change (all interventions together = 100%)".into(),
            axis,
            rows: rows.collect(),
            reference: None,
        }],
        legend: names
            .iter()
            .enumerate()
            .map(|(j, name)| LegendItem {
                swatch: Swatch::Fill(j),
                label: name.clone(),
            })
            .collect(),
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_interpolates_the_last_point() {
        let pts = [(0.0, 0.0), (10.0, 50.0), (20.0, 100.0)];
        assert_eq!(
            clip(&pts, 15.0),
            vec![(0.0, 0.0), (10.0, 50.0), (15.0, 75.0)]
        );
        assert_eq!(clip(&pts, 30.0), pts.to_vec());
    }

    #[test]
    fn day_axis_ticks_weekly_for_four_weeks_with_weekdays() {
        let text = "name = \"x\"\nhorizon = \"28d\"\nstart = \"wed\"\n[demand]\nrate = \"1/h\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = \"1m\"\n";
        let s = crate::scenario::parse(text, std::path::Path::new("x.toml")).expect("scenario");
        let axis = day_axis(28, &s);
        let ticks: Vec<f64> = axis.ticks.iter().map(|t| t.0).collect();
        assert_eq!(ticks, vec![1.0, 8.0, 15.0, 22.0]);
        assert_eq!(axis.ticks[1].1, "day 8 (Wed)");
        let year = day_axis(365, &s);
        assert!(year.ticks.len() <= 10, "{:?}", year.ticks);
        assert_eq!(year.ticks[0].1, "day 1 (Wed)");
    }
}
