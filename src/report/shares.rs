//! An attribution in plain words: one sentence per metric, saying which
//! intervention did how much of the combined change ("24h-opening did
//! 99.0% (95% CI 98.6–99.3%) of the throughput gain of +312.4 /day;
//! appointments changed it by -1.0%").
//!
//! The terminal table, the HTML report and the web app's attribution page
//! (which is the HTML report) all open with these sentences, from
//! [`sentences`] alone, so the three always say the same. A share is
//! given only when the combined change is significant (its 95% interval
//! excludes zero); otherwise the sentence says so and gives the change.
//! No number shows as `-0.0`.

use crate::experiment::attribution::Attribution;
use crate::experiment::compare::Change;
use crate::experiment::estimate::Estimate;
use crate::experiment::labels::label;
use crate::experiment::summary::{Better, Summary, Unit};
use crate::report::format::Scale;

/// A percentage with one decimal, never `-0.0`.
fn pct(x: f64) -> String {
    let text = format!("{x:.1}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => text,
    }
}

/// "(95% CI 98.6–99.3%)", or nothing without an interval.
fn share_ci(e: &Estimate) -> String {
    e.ci95.map_or(String::new(), |[lo, hi]| {
        let between = if lo < 0.0 || hi < 0.0 { " to " } else { "–" };
        format!(" (95% CI {}{between}{}%)", pct(lo), pct(hi))
    })
}

/// "the throughput gain", "the cut in time in port", "the rise in cost
/// per truck": the combined change as a noun, by its sign and which way
/// is better.
fn change_noun(metric: &str, mean: f64, better: Better) -> String {
    let name = label(metric);
    match (mean > 0.0, better) {
        (true, Better::Higher) => format!("the {name} gain"),
        (true, _) => format!("the rise in {name}"),
        (false, Better::Lower) => format!("the cut in {name}"),
        (false, _) => format!("the fall in {name}"),
    }
}

/// The sentence of one metric; `scale` formats its changes.
fn sentence(
    metric: &str,
    a: &Attribution,
    names: &[String],
    scale: &Scale,
    better: Better,
) -> String {
    let name = label(metric);
    let c = &a.combined;
    if c.n == 0 || !c.mean.is_finite() {
        return format!("{name}: not measured in every run, so nothing to attribute.");
    }
    if c.mean == 0.0 && c.half_width() == Some(0.0) {
        return format!(
            "{name} did not change: the same in every replication with and without the interventions."
        );
    }
    let amount = scale.signed(c.mean);
    if !c.excludes_zero() {
        let ci = c.ci95.map_or(String::new(), |[lo, hi]| {
            format!(" (95% CI {} to {})", scale.signed(lo), scale.signed(hi))
        });
        return format!(
            "{name}: the combined change of {amount}{ci} is not significant, so it is not shared out among the interventions."
        );
    }
    // The intervention that did the most first, then the others by the
    // size of their part.
    let mut order: Vec<usize> = (0..names.len().min(a.shares.len())).collect();
    order.sort_by(|&i, &j| {
        let size = |k: usize| a.shares[k].mean.abs();
        size(j).total_cmp(&size(i)).then(i.cmp(&j))
    });
    let mut parts = Vec::with_capacity(order.len());
    for (rank, &j) in order.iter().enumerate() {
        let share = &a.shares[j];
        let unsure = if share.excludes_zero() || share.ci95.is_none() {
            ""
        } else {
            ", not significantly different from nothing"
        };
        parts.push(if rank == 0 {
            format!(
                "{} did {}%{}{unsure} of {} of {amount}",
                names[j],
                pct(share.mean),
                share_ci(share),
                change_noun(metric, c.mean, better),
            )
        } else {
            format!(
                "{} changed it by {}%{}{unsure}",
                names[j],
                pct(share.mean),
                share_ci(share)
            )
        });
    }
    format!("{}.", parts.join("; "))
}

/// One sentence per attributed metric, in the order of `metrics`: each
/// in the unit of the comparison's row for that metric (`changes`, the
/// baseline against all interventions), as the tables below it.
pub fn sentences(
    names: &[String],
    metrics: &[(&str, Attribution)],
    changes: &[Change],
    baseline: &Summary,
    currency: &str,
) -> Vec<String> {
    metrics
        .iter()
        .map(|(m, a)| {
            let (unit, better) = baseline
                .metric(m)
                .map_or((Unit::Trucks, Better::Neither), |x| (x.unit, x.better));
            let scale = match changes.iter().find(|c| c.name == *m) {
                Some(c) => Scale::fit(unit, [c.baseline.mean, c.variant.mean], currency),
                None => Scale::new(unit, a.combined.mean, currency),
            };
            sentence(m, a, names, &scale, better)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::attribution::attribute;

    fn names() -> Vec<String> {
        vec!["24h-opening".into(), "appointments".into()]
    }

    /// Responses per subset (none, a, b, both) over four replications.
    fn attributed(y: [[f64; 4]; 4]) -> Attribution {
        attribute(2, &y.map(|r| r.to_vec()))
    }

    #[test]
    fn the_larger_share_leads_and_both_add_to_the_whole() {
        // a adds 100 (±1 by replication), b takes away 1 on top of a:
        // Shapley a = 100 + (-1)/2... worked by hand below.
        let none = [1000.0, 1001.0, 999.0, 1000.0];
        let a = [1100.0, 1102.0, 1098.0, 1101.0];
        let b = [1000.0, 1001.0, 999.0, 1000.0];
        let both = [1098.0, 1100.0, 1097.0, 1099.0];
        let at = attributed([none, a, b, both]);
        let scale = Scale::new(Unit::TrucksPerDay, 1000.0, "CNY");
        let s = sentence("throughput_per_day", &at, &names(), &scale, Better::Higher);
        // Combined change: mean of (98, 99, 98, 99) = 98.5. Shapley of b:
        // (b alone + (both - a)) / 2 = (0 + (-2, -2, -1, -2)) / 2, mean
        // -0.875, so b's share is -0.875 / 98.5 = -0.888...%, a's the rest.
        assert!(s.starts_with("24h-opening did 100.9% (95% CI "), "{s}");
        assert!(
            s.contains("of the throughput gain of +98.5 /day; appointments changed it by -0.9%"),
            "{s}"
        );
        assert!(s.ends_with('.'), "{s}");
    }

    #[test]
    fn a_change_that_may_be_nothing_is_not_shared_out() {
        // Changes of +60, -30, +60, -60 s: mean +7.5 s, an interval
        // around zero.
        let none = [600.0, 660.0, 540.0, 600.0];
        let a = [660.0, 630.0, 600.0, 540.0];
        let at = attributed([none, a, none, a]);
        let scale = Scale::new(Unit::Seconds, 600.0, "CNY");
        let s = sentence("time_in_port_s", &at, &names(), &scale, Better::Lower);
        assert!(
            s.starts_with("time in port: the combined change of "),
            "{s}"
        );
        assert!(s.contains("+0.1 min (95% CI -"), "{s}");
        assert!(s.contains("is not significant"), "{s}");
        assert!(!s.contains(" did "), "{s}");
    }

    #[test]
    fn no_change_at_all_says_so_and_no_minus_zero() {
        let same = [5.0; 4];
        let at = attributed([same, same, same, same]);
        let scale = Scale::new(Unit::Steps, 5.0, "CNY");
        let s = sentence("steps_per_truck", &at, &names(), &scale, Better::Lower);
        assert!(s.starts_with("clearance steps did not change"), "{s}");
        assert_eq!(pct(-0.04), "0.0");
        assert_eq!(pct(-1.04), "-1.0");
    }
}
