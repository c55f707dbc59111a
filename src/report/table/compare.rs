//! The terminal table of a comparison: both sides of every headline
//! metric in one unit per row, the paired change with its interval, what
//! pairing bought, and each verdict in words.

use std::fmt::Write;

use super::{label, stages};
use crate::experiment::compare::{Change, Verdict};
use crate::experiment::summary::{Summary, Unit};
use crate::report::format::{Scale, fixed, signed_fixed, value};
use crate::scenario::Scenario;

/// The two sides of a comparison as the table names them.
#[derive(Clone, Copy, Debug)]
pub struct Sides<'a> {
    /// The scenarios as run.
    pub scenarios: [&'a Scenario; 2],
    /// Their results.
    pub summaries: [&'a Summary; 2],
    /// What each side is: "baseline" and "variant", or "baseline" and
    /// "all interventions".
    pub roles: [&'a str; 2],
    /// Each side's name (for all interventions: the baseline's name with
    /// the interventions added).
    pub names: [&'a str; 2],
    /// The line listing what differs between the sides
    /// ([`crate::experiment::unlike::Differences::line`]).
    pub differences: &'a str,
}

/// The unit of a metric, from the baseline's summary.
pub fn unit_of(s: &Summary, name: &str) -> Unit {
    s.metric(name).map_or(Unit::Trucks, |m| m.unit)
}

/// One scale for both sides of a compared metric (and its attribution):
/// the unit that reads best for the larger of the two means.
pub fn row_scale<'a>(c: &Change, unit: Unit, currency: &'a str) -> Scale<'a> {
    Scale::fit(unit, [c.baseline.mean, c.variant.mean], currency)
}

/// A compared metric in plain words, e.g. "throughput rose 81.2% (95% CI
/// +78.0% to +84.5%): an improvement".
pub fn verdict_line(c: &Change, scale: &Scale) -> String {
    let name = label(c.name);
    if let Some(why) = &c.excluded {
        return format!("{name}: not compared ({why})");
    }
    if c.pairs == 0 {
        let side = match (c.baseline.n > 0, c.variant.n > 0) {
            (true, false) => "measured in the baseline only",
            (false, true) => "measured in the variant only",
            _ => "measured on neither side",
        };
        return format!("{name}: not compared ({side})");
    }
    if c.change.mean == 0.0 && c.change.half_width() == Some(0.0) {
        return format!("{name}: unchanged (the same in every replication)");
    }
    let pct = &c.change_pct;
    let direction = if c.change.mean >= 0.0 { "rose" } else { "fell" };
    // From a zero baseline a percentage means nothing: give the change.
    let amount = if pct.mean.is_finite() {
        let range = pct
            .ci95
            .map(|[lo, hi]| {
                format!(
                    " (95% CI {}% to {}%)",
                    signed_fixed(lo, 1),
                    signed_fixed(hi, 1)
                )
            })
            .unwrap_or_default();
        format!("{}%{range}", fixed(pct.mean.abs(), 1))
    } else {
        let ci = c.change.ci95.map_or(String::new(), |[lo, hi]| {
            format!(" (95% CI {} to {})", scale.signed(lo), scale.signed(hi))
        });
        format!("by {}{ci}", scale.value(c.change.mean.abs()))
    };
    let words = match c.verdict() {
        Verdict::Improved => "an improvement",
        Verdict::Worsened => "a deterioration",
        Verdict::Changed => "a significant change",
        Verdict::NoSignificantChange | Verdict::NotCompared => {
            return format!("{name}: no significant change");
        }
    };
    let why = if c.name == "trucks_arrived" {
        " (trucks offered but not arrived are no-shows and trucks booked beyond the end; see docs/metrics.md)"
    } else {
        ""
    };
    format!("{name} {direction} {amount}: {words}{why}")
}

/// The table of a two-scenario comparison.
pub fn compare(sides: &Sides, changes: &[Change]) -> String {
    let b = sides.scenarios[0];
    let currency = &b.costs.currency;
    let mut out = String::new();
    let width = sides.roles.iter().map(|r| r.len()).max().unwrap_or(0) + 1;
    for (role, name) in sides.roles.iter().zip(sides.names) {
        let _ = writeln!(out, "{:<width$} {name}", format!("{role}:"));
    }
    let _ = writeln!(
        out,
        "{} paired replications with common random numbers, seed {}",
        crate::experiment::compare::paired_replications(changes),
        b.seed
    );
    let _ = writeln!(out, "{}\n", sides.differences);
    let side = sides
        .roles
        .iter()
        .map(|r| r.len())
        .max()
        .unwrap_or(0)
        .max(16);
    let _ = writeln!(
        out,
        "  {:<20} {:>side$} {:>side$} {:>12}  {:<24} CI half-width paired / independent",
        "metric", sides.roles[0], sides.roles[1], "change", "95% CI of change"
    );
    // The metrics of a mechanism only when a side uses it.
    let relevant = |c: &&Change| {
        super::shown(sides.scenarios[0], c.name) || super::shown(sides.scenarios[1], c.name)
    };
    for c in changes.iter().filter(relevant) {
        let unit = unit_of(sides.summaries[0], c.name);
        let scale = row_scale(c, unit, currency);
        let ci = match (&c.excluded, c.change_pct.ci95) {
            (Some(_), _) => "not compared".to_owned(),
            (None, Some([lo, hi])) => {
                format!("[{}%, {}%]", signed_fixed(lo, 1), signed_fixed(hi, 1))
            }
            (None, None) => "n/a".to_owned(),
        };
        let widths = match (c.change.half_width(), c.independent_half_width) {
            (Some(p), Some(i)) => format!(
                "{} / {}",
                value(p, unit, currency),
                value(i, unit, currency)
            ),
            _ => "n/a".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:<20} {:>side$} {:>side$} {:>11}  {:<24} {}",
            label(c.name),
            scale.value(c.baseline.mean),
            scale.value(c.variant.mean),
            if c.change_pct.mean.is_finite() {
                format!("{}%", signed_fixed(c.change_pct.mean, 1))
            } else {
                "n/a".into()
            },
            ci,
            widths
        );
    }
    let _ = writeln!(out, "\nverdicts");
    for c in changes.iter().filter(relevant) {
        let unit = unit_of(sides.summaries[0], c.name);
        let _ = writeln!(out, "  {}", verdict_line(c, &row_scale(c, unit, currency)));
    }
    for (which, s) in sides.roles.iter().zip(sides.summaries) {
        let _ = write!(out, "\n{which}");
        stages(&mut out, s);
    }
    let parts = crate::experiment::compare::part_changes(sides.summaries[0], sides.summaries[1]);
    super::breakdown::part_changes(&mut out, &parts);
    out
}
