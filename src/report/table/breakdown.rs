//! "Where the time goes" in the terminal: a run's time in port taken
//! apart (on site, then off site, the booking lead apart), and in a
//! comparison which parts changed and by how much.
//!
//! Each row reads in its own unit (a part of minutes beside one of hours);
//! the rows of the on-site parts are followed by their total, the time in
//! port, so the reader sees that they add up.

use std::fmt::Write;

use crate::experiment::breakdown::{Breakdown, TimePart};
use crate::experiment::compare::PartChange;
use crate::experiment::summary::{Metric, Unit};
use crate::report::format::Scale;

fn row(out: &mut String, p: &TimePart) {
    let scale = Scale::new(Unit::Seconds, p.estimate.mean, "");
    let shown = if p.estimate.n == 0 {
        "n/a".to_owned()
    } else {
        scale.value(p.estimate.mean)
    };
    let line = format!(
        "    {:<36} {:>12}  {}",
        p.part,
        shown,
        scale.interval(&p.estimate)
    );
    let _ = writeln!(out, "{}", line.trim_end());
}

/// The breakdown of a run (`time_in_port`: its total, shown under the
/// on-site parts).
pub fn breakdown(out: &mut String, b: &Breakdown, time_in_port: Option<&Metric>) {
    let _ = writeln!(
        out,
        "\nwhere the time goes (mean per truck that left, 95% CI across replications)"
    );
    let _ = writeln!(out, "  at the port: these parts add up to the time in port");
    for p in &b.on_site {
        row(out, p);
    }
    if let Some(m) = time_in_port {
        let total = TimePart {
            part: "= time in port".to_owned(),
            samples: Vec::new(),
            estimate: m.estimate,
        };
        row(out, &total);
    }
    if !b.off_site.is_empty() {
        let _ = writeln!(
            out,
            "  before the port: with the parts above they add up to door to exit"
        );
        for p in &b.off_site {
            row(out, p);
        }
    }
    if let Some(lead) = &b.booking_lead {
        let _ = writeln!(
            out,
            "  booked ahead: how long before its slot a truck booked (not time spent waiting or travelling)"
        );
        row(out, lead);
    }
}

/// One class's breakdown, under its metrics: the same parts as the run's
/// (issue 28 §4: per class in every format), indented as the class.
pub fn class_breakdown(out: &mut String, b: &Breakdown) {
    if b.on_site.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  where its time goes (mean per truck of the class that left)"
    );
    for p in b.on_site.iter().chain(&b.off_site) {
        row(out, p);
    }
}

/// Which parts of the time changed between two runs, and by how much
/// (variant − baseline, paired).
pub fn part_changes(out: &mut String, list: &[PartChange]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nwhere the time goes: change per truck that left (variant − baseline, 95% CI, paired)"
    );
    for (kind, heading) in [
        ("on_site", "  at the port"),
        ("off_site", "  before the port"),
        ("booking_lead", "  booked ahead (not time spent)"),
    ] {
        let rows: Vec<&PartChange> = list.iter().filter(|p| p.kind == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}");
        for p in rows {
            let c = &p.change;
            let scale = Scale::fit(
                Unit::Seconds,
                [c.baseline.mean, c.variant.mean, c.change.mean.abs()],
                "",
            );
            let change = if c.pairs == 0 {
                "n/a".to_owned()
            } else {
                format!(
                    "{} {}",
                    scale.signed(c.change.mean),
                    scale.signed_interval(c.change.ci95)
                )
            };
            let line = format!(
                "    {:<36} {:>12} → {:<12} {}",
                p.part,
                scale.value(c.baseline.mean),
                scale.value(c.variant.mean),
                change
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}
