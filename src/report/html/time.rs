//! "Where the time goes" on the HTML report: the on-site parts of the time
//! in port as one stacked bar (each part's width its share of the time in
//! port), then a table of every part with its interval, the off-site parts
//! and the booking lead below the total they are not part of; in a
//! comparison, a table of every part's paired change.

use super::page::{Markup, figure, html, section, table};
use crate::experiment::breakdown::TimePart;
use crate::experiment::compare::PartChange;
use crate::experiment::estimate::Estimate;
use crate::experiment::summary::{Summary, Unit};
use crate::report::format::{Scale, number};
use crate::report::svg::escape;

/// Colours of the bar's segments, in turn (colour-blind-safe Tableau 10).
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

fn est(e: &Estimate) -> String {
    if e.n == 0 {
        return "n/a".to_owned();
    }
    let scale = Scale::new(Unit::Seconds, e.mean, "");
    format!("{} {}", scale.value(e.mean), scale.interval(e))
}

/// The stacked bar of the parts with time in them, and a legend.
fn bar(parts: &[&TimePart], total: f64) -> String {
    let (width, bar_h, row_h) = (640.0, 28.0, 18.0);
    let height = bar_h + 12.0 + row_h * parts.len() as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"where the time in port goes\">"
    );
    let mut x = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let w = width * p.estimate.mean / total;
        let name = escape(&p.part);
        svg.push_str(&format!(
            "<rect x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"{bar_h}\" fill=\"{colour}\"><title>{name}: {}</title></rect>",
            escape(&est(&p.estimate))
        ));
        x += w;
        let y = bar_h + 12.0 + row_h * i as f64;
        svg.push_str(&format!(
            "<rect x=\"0\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"18\" y=\"{:.1}\" font-size=\"12\">{name}: {} ({}%)</text>",
            y,
            y + 10.5,
            escape(&est(&p.estimate)),
            number(100.0 * p.estimate.mean / total, 1)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Where the time goes, for a run's summary.
pub fn time_breakdown(s: &Summary) -> Markup {
    let b = &s.time_breakdown;
    let Some(tip) = s.metric("time_in_port_s") else {
        return html! {};
    };
    let shown: Vec<&TimePart> = b
        .on_site
        .iter()
        .filter(|p| p.estimate.n > 0 && p.estimate.mean > 0.0)
        .collect();
    let total: f64 = shown.iter().map(|p| p.estimate.mean).sum();
    if shown.is_empty() || !total.is_finite() || total <= 0.0 {
        return html! {};
    }
    let mut rows: Vec<Vec<String>> = b
        .on_site
        .iter()
        .map(|p| vec![p.part.clone(), est(&p.estimate)])
        .collect();
    rows.push(vec!["= time in port".to_owned(), est(&tip.estimate)]);
    for p in &b.off_site {
        rows.push(vec![
            format!("{} (before the port)", p.part),
            est(&p.estimate),
        ]);
    }
    if let Some(p) = &b.booking_lead {
        rows.push(vec![
            format!("{} (not time spent)", p.part),
            est(&p.estimate),
        ]);
    }
    html! {
        (section("Where the time goes", "The time in port of a truck that left, taken apart: the road queue and the gate, then each stage's wait and service. The on-site parts add up to the time in port; time before the port (e-queue, travel) and the booking lead are listed apart. Means over replications with 95% confidence intervals."))
        (figure("Time in port by part (share of the mean time in port)", bar(&shown, total), None))
        (table(&["part", "per truck (95% CI)"], &rows, 1))
    }
}

/// Which parts of the time changed in a comparison, and by how much
/// (variant − baseline, replications paired), every part listed: the
/// on-site parts, then those before the port and the booking lead.
pub fn part_changes(list: &[PartChange], labels: [&str; 2]) -> Markup {
    if list.is_empty() {
        return html! {};
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            let name = match p.kind {
                "off_site" => format!("{} (before the port)", p.part),
                "booking_lead" => format!("{} (not time spent)", p.part),
                _ => p.part.clone(),
            };
            let c = &p.change;
            let change = if c.change.n == 0 {
                "n/a".to_owned()
            } else {
                let scale = Scale::new(Unit::Seconds, c.change.mean.abs(), "");
                let sign = if c.change.mean > 0.0 { "+" } else { "" };
                format!(
                    "{sign}{} {}",
                    scale.value(c.change.mean),
                    scale.interval(&c.change)
                )
            };
            vec![name, est(&c.baseline), est(&c.variant), change]
        })
        .collect();
    let head_b = format!("{} (95% CI)", labels[0]);
    let head_v = format!("{} (95% CI)", labels[1]);
    html! {
        (section("Where the time goes: what changed", "Each part of a truck's time, on both sides, and its change (variant − baseline) with a 95% confidence interval from replications paired by index, as for the headline results. A part only one side has (a stage the other lacks) is left out."))
        (table(&["part", &head_b, &head_v, "change (95% CI)"], &rows, 1))
    }
}
